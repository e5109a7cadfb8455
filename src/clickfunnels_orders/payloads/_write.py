"""Writing entities as API objects: the model's keys, the carried ones, the payload's spelling.

Each object has one writer that gives the keys its model reads, in the API's canonical
forms and in the order the API writes them (:func:`model_of`). :func:`entity_to_api`
merges them with the carried keys (``extra``, with the derived keys rewritten where what
they follow from changed, see :mod:`._derived`) and, for an entity read from a payload,
with its :class:`~clickfunnels_orders._spelling.Spelling`: the payload's key order, and
each value the payload spelled otherwise written back that way while it is still the
value read. An entity built by hand writes the model's keys, then its ``extra``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import FrozenJson, copy_json, to_api_id
from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
    Restock,
    Transaction,
)
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError, PayloadError
from clickfunnels_orders.payloads._derived import derived_keys
from clickfunnels_orders.payloads._reading import ABSENT, TUPLE, join
from clickfunnels_orders.payloads._values import _dump_money, _show, dump_moment

__all__ = [
    "canonical_at",
    "entity_to_api",
    "fulfillment_to_api",
    "invoice_to_api",
    "model_of",
    "order_to_api",
    "restock_to_api",
    "transaction_to_api",
]


def _id(value: object, key: str) -> object:
    # Any hashable serves as an id in the library; a payload carries only JSON's.
    if type(value) is int or type(value) is str:
        return value
    try:
        return to_api_id(value, key)
    except (InvalidValueError, InvalidTypeError) as exc:
        raise PayloadError(
            key, f"got {_show(value)}, expected {exc.expected}", value=value
        ) from None


def _moment(value: Any) -> str | None:
    return None if value is None else dump_moment(value)


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _variant(line: OrderLineItem | InvoiceLineItem) -> dict[str, Any]:
    return {
        "id": _id(line.variant_id, "products_variant.id"),
        "fulfillment_required": line.fulfillment_required,
    }


def _order(order: Order, lists: bool) -> dict[str, Any]:
    model = {
        "id": _id(order.id, "id"),
        "contact_id": _id(order.contact_id, "contact_id"),
        "currency": order.currency,
        "live_mode": order.live_mode,
        "billing_status": order.billing_status.value,
        "service_status": order.service_status.value,
        "order_type": order.order_type.value,
        "canceled_at": _moment(order.canceled_at),
        "cancel_reason": order.cancel_reason,
        "churned_at": _moment(order.churned_at),
        "paid_until": _moment(order.paid_until),
        "created_at": _moment(order.created_at),
        "payment_processor": order.payment_processor.value,
    }
    if lists:
        model["line_items"] = [entity_to_api(line) for line in order.line_items]
    return model


def _order_line(line: OrderLineItem, _lists: bool) -> dict[str, Any]:
    return {
        "id": _id(line.id, "id"),
        "quantity": line.quantity,
        "payment_type": line.payment_type,
        "products_price": {"amount": _dump_money(line.amount)},
        "products_variant": _variant(line),
    }


def _invoice(invoice: Invoice, lists: bool) -> dict[str, Any]:
    model = {
        "id": _id(invoice.id, "id"),
        "order_id": _id(invoice.order_id, "order_id"),
        "status": invoice.status.value,
        "due_amount": _dump_money(invoice.due_amount),
        "total_amount": _dump_money(invoice.total_amount),
        "currency": invoice.currency,
        "issued_at": _moment(invoice.issued_at),
        "due_at": _moment(invoice.due_at),
        "paid_at": _moment(invoice.paid_at),
        "invoice_type": _enum(invoice.invoice_type),
        "payment_processor": invoice.payment_processor.value,
    }
    if lists:
        model["line_items"] = [entity_to_api(line) for line in invoice.line_items]
    return model


def _invoice_line(line: InvoiceLineItem, _lists: bool) -> dict[str, Any]:
    return {
        "id": _id(line.id, "id"),
        "invoice_id": _id(line.invoice_id, "invoice_id"),
        "payment_type": line.payment_type,
        "quantity": line.quantity,
        "fulfillment_status": line.fulfillment_status.value,
        "amount": _dump_money(line.amount),
        "products_variant": _variant(line),
    }


def _included(lines: tuple[FulfillmentLine, ...]) -> list[dict[str, Any]]:
    return [
        {
            "quantity": line.quantity,
            "invoices_line_item_id": _id(line.invoice_line_item_id, "invoices_line_item_id"),
        }
        for line in lines
    ]


def _shipment(shipment: Fulfillment | Restock, lists: bool) -> dict[str, Any]:
    model: dict[str, Any] = {
        "id": _id(shipment.id, "id"),
        "status": shipment.status.value,
        "created_at": _moment(shipment.created_at),
    }
    if lists:
        model["included_invoices_line_items"] = _included(shipment.lines)
    return model


def _transaction(transaction: Transaction, _lists: bool) -> dict[str, Any]:
    adjusted = transaction.adjusted_transaction_id
    return {
        "id": _id(transaction.id, "id"),
        "order_id": _id(transaction.order_id, "order_id"),
        "status": _enum(transaction.status),
        "external_type": transaction.external_type,
        "result": transaction.result,
        "amount": _dump_money(transaction.amount),
        "currency": transaction.currency,
        "reason": transaction.reason,
        "adjusted_transaction_id": None
        if adjusted is None
        else _id(adjusted, "adjusted_transaction_id"),
        "created_at": _moment(transaction.created_at),
    }


#: Each entity's writer: its model's keys, canonical, in the API's order (lists too
#: when asked: lists of child entities are written whole).
_MODELS: Final[dict[type, Callable[[Any, bool], dict[str, Any]]]] = {
    Order: _order,
    OrderLineItem: _order_line,
    Invoice: _invoice,
    InvoiceLineItem: _invoice_line,
    Fulfillment: _shipment,
    Restock: _shipment,
    Transaction: _transaction,
}


def model_of(entity: Any, *, lists: bool = True) -> dict[str, Any]:
    """Return the keys ``entity``'s model reads, as the API writes them (no carried keys)."""
    for cls in type(entity).__mro__:
        model = _MODELS.get(cls)
        if model is not None:
            return model(entity, lists)
    raise PayloadError("", f"got {_show(entity)}, expected an entity the API sends")


def canonical_at(entity: Any, path: str) -> object:
    """Return what the writer writes at ``path`` of ``entity``'s own object (``a.b``)."""
    head, _, tail = path.partition(".")
    value: Any = model_of(entity, lists=head in ("line_items", "included_invoices_line_items"))
    for key in (head, *tail.split(".")) if tail else (head,):
        value = value.get(key) if isinstance(value, dict) else None
    return value


# -- merging with the carried keys and the payload's spelling ----------------------------


def _plain(model: Mapping[str, Any], carried: Mapping[str, Any]) -> dict[str, Any]:
    """The model's keys, each nested object with its carried keys, then the carried rest."""
    out: dict[str, Any] = {}
    for key, value in model.items():
        kept = carried.get(key)
        if type(value) is dict and isinstance(kept, Mapping):
            out[key] = _plain(value, kept)
        elif type(value) is list and type(kept) is list:
            out[key] = [
                _plain(item, kept[index])
                if index < len(kept) and isinstance(kept[index], Mapping)
                else item
                for index, item in enumerate(value)
            ]
        else:
            out[key] = value
    for key, value in carried.items():
        if key not in out:
            out[key] = copy_json(value)
    return out


class _Spelled:
    """Writes one entity's object in its payload's spelling."""

    __slots__ = ("nested", "spelled")

    def __init__(self, spelling: Spelling) -> None:
        self.spelled = {path: (canon, raw) for path, canon, raw in spelling.written}
        self.nested = dict(spelling.nested)

    def merge(
        self,
        model: Mapping[str, Any],
        carried: Mapping[str, Any],
        keys: tuple[str, ...],
        prefix: str,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        spelled = self.spelled
        for key in keys:
            if key in model:
                out[key] = self.value(model[key], carried.get(key), join(prefix, key))
            elif key in carried:
                out[key] = copy_json(carried[key])
        for key, value in model.items():
            if key not in out:
                path = join(prefix, key)
                found = spelled.get(path)
                if found is not None and found[1] is ABSENT and found[0] == value:
                    continue  # absent from the payload, and still what absence reads as
                out[key] = self.value(value, carried.get(key), path)
        for key, value in carried.items():
            if key not in out:
                out[key] = copy_json(value)
        return out

    def value(self, value: Any, kept: Any, path: str) -> Any:
        if type(value) is dict:
            inner = kept if isinstance(kept, Mapping) else {}
            keys = self.nested.get(path)
            return _plain(value, inner) if keys is None else self.merge(value, inner, keys, path)
        if type(value) is list:
            value = self.items(value, kept, path)
        found = self.spelled.get(path)
        if found is None:
            return value
        canon, raw = found
        if raw is TUPLE:
            return tuple(value)
        if raw is not ABSENT and canon == value:
            return raw
        return value

    def items(self, value: list[Any], kept: Any, path: str) -> list[Any]:
        if type(kept) is not list and not (value and f"{path}[0]" in self.nested):
            return value  # child entities, written whole
        kept_items = kept if type(kept) is list else []
        out = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            inner = kept_items[index] if index < len(kept_items) else {}
            inner = inner if isinstance(inner, Mapping) else {}
            keys = self.nested.get(where)
            out.append(
                _plain(item, inner) if keys is None else self.merge(item, inner, keys, where)
            )
        return out


def _carried(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The checked fields a :class:`FrozenJson` keeps, read in place (copied on the way out)."""
    return extra._fields if isinstance(extra, FrozenJson) else extra


def entity_to_api(entity: Any) -> dict[str, Any]:
    """Write any entity (or child line) as the API would send it, ``extra`` included."""
    spelling: Spelling | None = getattr(entity, "spelling", None)
    carried = _carried(entity.extra)
    derived = derived_keys(entity, spelling)
    if derived:
        # Keys the API derives from what changed replace their stale carried values.
        carried = {**carried, **derived}
    model = model_of(entity)
    if spelling is None:
        return _plain(model, carried)
    return _Spelled(spelling).merge(model, carried, spelling.keys, "")


def order_to_api(order: Order) -> dict[str, Any]:
    """Write an order as the API would send it (see the module docstring for the rules)."""
    return entity_to_api(order)


def invoice_to_api(invoice: Invoice) -> dict[str, Any]:
    """Write an invoice as the API would send it; ``due_amount`` is what is still due."""
    return entity_to_api(invoice)


def fulfillment_to_api(fulfillment: Fulfillment) -> dict[str, Any]:
    """Write a fulfillment as the API would send it (lines: ``included_invoices_line_items``)."""
    return entity_to_api(fulfillment)


def transaction_to_api(transaction: Transaction) -> dict[str, Any]:
    """Write a transaction as the API would send it, carried fields included."""
    return entity_to_api(transaction)


def restock_to_api(restock: Restock) -> dict[str, Any]:
    """Write a restock as the API would send it (lines: ``included_invoices_line_items``)."""
    return entity_to_api(restock)
