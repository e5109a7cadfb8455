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

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import Any, Final

from clickfunnels_orders import statuses
from clickfunnels_orders._json import CONTAINERS
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import copy_json, to_api_id
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
from clickfunnels_orders.payloads._reading import ABSENT, TUPLE, is_shared, join
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


#: Each status's text (a plain ``str``, as decoded JSON holds it), looked up fast: every
#: member of every status enum the library declares.
_TEXT: Final[dict[object, str]] = {
    member: member.value
    for name in statuses.__all__
    if isinstance(enum := getattr(statuses, name), type) and issubclass(enum, StrEnum)
    for member in enum
}


def _enum(value: Any) -> Any:
    # An open field: a member of its enum, or a string the API sent that names none.
    return _TEXT.get(value, value)


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
        "billing_status": _TEXT[order.billing_status],
        "service_status": _TEXT[order.service_status],
        "order_type": _TEXT[order.order_type],
        "canceled_at": _moment(order.canceled_at),
        "cancel_reason": order.cancel_reason,
        "churned_at": _moment(order.churned_at),
        "paid_until": _moment(order.paid_until),
        "created_at": _moment(order.created_at),
        "payment_processor": _TEXT[order.payment_processor],
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
        "status": _TEXT[invoice.status],
        "due_amount": _dump_money(invoice.due_amount),
        "total_amount": _dump_money(invoice.total_amount),
        "currency": invoice.currency,
        "issued_at": _moment(invoice.issued_at),
        "due_at": _moment(invoice.due_at),
        "paid_at": _moment(invoice.paid_at),
        "invoice_type": _enum(invoice.invoice_type),
        "payment_processor": _TEXT[invoice.payment_processor],
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
        "fulfillment_status": _TEXT[line.fulfillment_status],
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
        "status": _TEXT[shipment.status],
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


#: The model's keys of each entity that hold an object or a list (the rest are leaves).
_INNER: Final[dict[type, tuple[str, ...]]] = {
    Order: ("line_items",),
    OrderLineItem: ("products_price", "products_variant"),
    Invoice: ("line_items",),
    InvoiceLineItem: ("products_variant",),
    Fulfillment: ("included_invoices_line_items",),
    Restock: ("included_invoices_line_items",),
}


def model_of(entity: Any, *, lists: bool = True) -> dict[str, Any]:
    """Return the keys ``entity``'s model reads, as the API writes them (no carried keys)."""
    model = _MODELS.get(type(entity))
    if model is not None:
        return model(entity, lists)
    for cls in type(entity).__mro__:  # a subclass of an entity
        model = _MODELS.get(cls)
        if model is not None:
            return model(entity, lists)
    raise PayloadError(  # pragma: no cover  # only entities reach the codec
        "", f"got {_show(entity)}, expected an entity the API sends"
    )


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
        if type(value) is dict and type(kept) is dict:
            out[key] = _plain(value, kept)
        elif type(value) is list and type(kept) is list:
            out[key] = [
                _plain(item, kept[index])
                if index < len(kept) and type(kept[index]) is dict
                else item
                for index, item in enumerate(value)
            ]
        else:
            out[key] = value
    for key, value in carried.items():
        if key not in out:
            out[key] = copy_json(value)
    return out


_NOTHING: Final[dict[str, Any]] = {}


def _containers(carried: Mapping[str, Any], known: tuple[str, ...] | None) -> Iterable[str]:
    """The carried keys whose values are containers (known when read, else looked for)."""
    if known is not None:
        return known
    return [key for key, value in carried.items() if type(value) in CONTAINERS]


def _drop_unheld(
    out: dict[str, Any], model: Mapping[str, Any], carried: Mapping[str, Any], keys: tuple[str, ...]
) -> None:
    """Take out the payload's keys the entity no longer holds (an ``extra`` replaced by hand)."""
    for key in keys:
        if key not in model and key not in carried:
            del out[key]


class _Spelled:
    """Writes one entity's object in its payload's spelling."""

    __slots__ = ("nested", "spelled", "spelling")

    def __init__(self, spelling: Spelling) -> None:
        self.spelling = spelling
        self.spelled = {path: (canon, raw) for path, canon, raw in spelling.written}
        self.nested = dict(spelling.nested) if spelling.nested else _NOTHING

    def merge(
        self,
        model: Mapping[str, Any],
        carried: Mapping[str, Any],
        keys: tuple[str, ...],
        prefix: str,
        containers: tuple[str, ...] | None = None,
        inner: tuple[str, ...] = (),
        *,
        whole: bool = False,
        flat: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Write an object in its payload's order and spelling.

        ``inner``: the model's keys that hold an object or a list, merged in turn.
        ``whole``: ``carried`` is all the payload carried (the ``extra`` read from it),
        so every key of the payload is filled. ``flat``: the carried keys holding objects
        of leaves only, copied whole.
        """
        # The payload's key order first (each key keeps its place as values are filled
        # in), then keys it did not have: the common case is three dict operations in C.
        out: dict[str, Any] = dict.fromkeys(keys)
        out.update(carried)
        out.update(model)
        if not whole:
            _drop_unheld(out, model, carried, keys)
        for key in _containers(carried, containers):
            if key not in model:  # the model's nested objects are merged below
                value = carried[key]
                out[key] = value.copy() if key in flat else copy_json(value)
        for key in inner:
            out[key] = self.value(
                model[key], carried.get(key), join(prefix, key), whole=whole, flat=key in flat
            )
        if self.spelled:
            self.respell(out, model, keys, prefix)
        return out

    def respell(
        self, out: dict[str, Any], model: Mapping[str, Any], keys: tuple[str, ...], prefix: str
    ) -> None:
        """Write back, as the payload had them, the model's values still the ones read."""
        for path, (canon, raw) in self.spelled.items():
            parent, _, key = path.rpartition(".")
            if parent != prefix or key not in model:
                continue
            if raw is ABSENT:
                if canon == out[key] and key not in keys:
                    del out[key]  # absent from the payload, still what absence reads as
            elif raw is TUPLE:
                out[key] = tuple(out[key])
            elif canon == model[key]:
                out[key] = raw

    def value(self, value: Any, kept: Any, path: str, *, whole: bool, flat: bool = False) -> Any:
        """Write a nested object or a list of the model, merged with what it carries.

        ``flat``: what it carries holds only leaves.
        """
        if type(value) is dict:
            inner = kept if type(kept) is dict else _NOTHING
            keys = self.nested.get(path)
            if keys is None:
                return _plain(value, inner)
            return self.merge(value, inner, keys, path, () if flat else None, whole=whole)
        return self.items(value, kept, path, whole=whole)

    def items(self, value: list[Any], kept: Any, path: str, *, whole: bool) -> list[Any]:
        if type(kept) is not list and not (value and f"{path}[0]" in self.nested):
            return value  # child entities, written whole
        kept_items = kept if type(kept) is list else []
        out = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            inner = kept_items[index] if index < len(kept_items) else {}
            inner = inner if type(inner) is dict else _NOTHING
            keys = self.nested.get(where)
            out.append(
                _plain(item, inner)
                if keys is None
                else self.merge(item, inner, keys, where, whole=whole)
            )
        return out


def _carried(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The checked fields a ``FrozenJson`` keeps, read in place (copied on the way out)."""
    # Carried values are frozen JSON: their objects are plain dicts.
    fields: Mapping[str, Any] = getattr(extra, "_fields", extra)
    return fields


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
    # The keys holding containers are known for an extra read from a payload (and still
    # whole: a derived key is a leaf).
    containers = getattr(entity.extra, "containers", None)
    flat = getattr(entity.extra, "flat", ())
    inner = _INNER.get(type(entity))
    if inner is None:
        inner = next((_INNER[cls] for cls in type(entity).__mro__ if cls in _INNER), ())
    return _spelled(spelling).merge(
        model,
        carried,
        spelling.keys,
        "",
        containers,
        inner,
        whole=containers is not None,
        flat=flat,
    )


def _spelled(spelling: Spelling) -> _Spelled:
    """The writer of ``spelling``: shared by the entities that share one (most lines)."""
    writer = _SPELLED.get(id(spelling))
    if writer is None or writer.spelling is not spelling:
        writer = _Spelled(spelling)
        if is_shared(spelling):
            _SPELLED[id(spelling)] = writer
    return writer


#: The writers of shared spellings, which live as long as the program (see is_shared).
_SPELLED: dict[int, _Spelled] = {}


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
