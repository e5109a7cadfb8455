"""Reading API objects into entities: one reader per object, top to bottom.

Each reader names the keys the model reads (the field mapping of API.md section 6), reads
them in one pass with an :class:`~._reading.ObjectReader`, builds the entity, and keeps
the rest of the object, copied once and frozen, in the entity's ``extra``. Every problem
in the object is found before anything is built; the first names the error's path. The
entity's own checks run as it is built, and their complaints are reported at the payload
path of the field (``line_items[0].products_variant.id`` for a line's ``variant_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from clickfunnels_orders._json import freeze_rest
from clickfunnels_orders._values import minus
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
from clickfunnels_orders.errors import PayloadError
from clickfunnels_orders.payloads._derived import basis_of
from clickfunnels_orders.payloads._reading import (
    ApiExtra,
    ObjectReader,
    Problem,
    construct,
    join,
    payload_error,
    shape,
    spelling_of,
)
from clickfunnels_orders.payloads._values import (
    _show,
    enum_reader,
    read_bool,
    read_id,
    read_int,
    read_money,
    read_str,
)
from clickfunnels_orders.payloads._write import canonical_at
from clickfunnels_orders.statuses import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

__all__ = [
    "fulfillment_from_api",
    "invoice_from_api",
    "order_from_api",
    "restock_from_api",
    "transaction_from_api",
]

_billing_status = enum_reader(BillingStatus)
_service_status = enum_reader(ServiceStatus)
_order_type = enum_reader(OrderType)
_payment_processor = enum_reader(PaymentProcessor)
_invoice_status = enum_reader(InvoiceStatus)
_line_status = enum_reader(LineItemFulfillmentStatus)
_fulfillment_status = enum_reader(FulfillmentStatus)

#: Entity fields whose payload key is named otherwise, for the entity's complaints.
_LINE_RENAMES: Final = {
    "variant_id": "products_variant.id",
    "fulfillment_required": "products_variant.fulfillment_required",
}
_ORDER_LINE_RENAMES: Final = {**_LINE_RENAMES, "amount": "products_price.amount"}
_INVOICE_RENAMES: Final = {
    **_LINE_RENAMES,
    "amount_paid": "due_amount",
    "amount_refunded": "due_amount",
}
_FULFILLMENT_RENAMES: Final = {
    "lines": "included_invoices_line_items",
    "invoice_line_item_id": "invoices_line_item_id",
}
_NO_RENAMES: Final[dict[str, str]] = {}

#: The keys each object's model reads; the rest is carried in ``extra``.
_ORDER_KEYS: Final = frozenset(
    {
        "id",
        "contact_id",
        "currency",
        "live_mode",
        "billing_status",
        "service_status",
        "order_type",
        "canceled_at",
        "cancel_reason",
        "churned_at",
        "paid_until",
        "created_at",
        "payment_processor",
        "line_items",
    }
)
_ORDER_LINE_KEYS: Final = frozenset(
    {"id", "quantity", "payment_type", "products_price", "products_variant"}
)
_INVOICE_KEYS: Final = frozenset(
    {
        "id",
        "order_id",
        "status",
        "due_amount",
        "total_amount",
        "currency",
        "issued_at",
        "due_at",
        "paid_at",
        "invoice_type",
        "payment_processor",
        "line_items",
    }
)
_INVOICE_LINE_KEYS: Final = frozenset(
    {
        "id",
        "invoice_id",
        "payment_type",
        "quantity",
        "fulfillment_status",
        "amount",
        "products_variant",
    }
)
_FULFILLMENT_KEYS: Final = frozenset({"id", "status", "created_at", "included_invoices_line_items"})
_INCLUDED_LINE_KEYS: Final = frozenset({"invoices_line_item_id", "quantity"})
_TRANSACTION_KEYS: Final = frozenset(
    {
        "id",
        "order_id",
        "status",
        "external_type",
        "result",
        "amount",
        "currency",
        "reason",
        "adjusted_transaction_id",
        "created_at",
    }
)
_VARIANT_KEYS: Final = frozenset({"id", "fulfillment_required"})
_PRICE_KEYS: Final = frozenset({"amount"})


def _checked(problems: list[Problem]) -> None:
    if problems:
        raise payload_error(problems)


class _Rest:
    """What an object carries: the keys the model does not read.

    Nested objects the model reads from carry their other keys here too
    (``products_variant``'s).
    """

    __slots__ = ("containers", "fields", "flat")

    def __init__(self, raw: Mapping[str, Any], keys: frozenset[str], path: str) -> None:
        self.fields, self.containers, self.flat = freeze_rest(raw, keys, path)

    def nest(
        self, key: str, others: dict[str, Any] | list[dict[str, Any]], *, flat: bool = False
    ) -> None:
        """Carry the other keys of the nested object (or objects) at ``key``, if any.

        ``flat``: ``others`` is one object holding only leaves.
        """
        if others:
            self.fields[key] = others
            self.containers += (key,)
            if flat:
                self.flat += (key,)

    def extra(self) -> ApiExtra:
        return ApiExtra.adopt(self.fields, shape(self.containers), shape(self.flat))


def _finish(
    entity: Any,
    reader: ObjectReader,
    nested: tuple[tuple[str, tuple[str, ...]], ...],
    basis: object = None,
) -> Any:
    """Give a new entity its spelling: the key order, and its values spelled unusually."""
    written: tuple[tuple[str, object, object], ...] = ()
    if reader.unusual:
        # What the writer makes of the entity is what each value read is compared with.
        written = tuple((path, canonical_at(entity, path), raw) for path, raw in reader.unusual)
    # Set on the entity before anyone else sees it: its spelling follows from the built
    # entity (canonical_at), so it cannot be passed to the constructor.
    entity.__dict__["spelling"] = spelling_of(tuple(reader.raw), nested, written, basis)
    return entity


def _variant(
    reader: ObjectReader,
    kwargs: dict[str, Any],
    nested: list[tuple[str, tuple[str, ...]]],
    rest: _Rest,
) -> None:
    """Read ``products_variant``: the variant's id, and whether it ships."""
    variant = reader.nested("products_variant")
    if variant is None:
        return
    kwargs["variant_id"] = variant.id("id")
    required = variant.may("fulfillment_required", read_bool, null_is_default=True)
    if required is not None:
        kwargs["fulfillment_required"] = required
    reader.unusual.extend(variant.unusual)
    nested.append(("products_variant", tuple(variant.raw)))
    others, containers, _ = freeze_rest(variant.raw, _VARIANT_KEYS, variant.path, depth=2)
    rest.nest("products_variant", others, flat=not containers)


def _order_line(raw: Mapping[str, Any], path: str, problems: list[Problem]) -> OrderLineItem | None:
    reader = ObjectReader(raw, path, problems)
    kwargs: dict[str, Any] = {
        "id": reader.id("id"),
        "quantity": reader.need("quantity", read_int),
    }
    payment_type = reader.may("payment_type", read_str, null_is_default=True)
    if payment_type is not None:
        kwargs["payment_type"] = payment_type
    nested: list[tuple[str, tuple[str, ...]]] = []
    rest = _Rest(raw, _ORDER_LINE_KEYS, path)
    price = reader.nested("products_price")
    if price is not None:
        kwargs["amount"] = price.money("amount")
        reader.unusual.extend(price.unusual)
        nested.append(("products_price", tuple(price.raw)))
        others, containers, _ = freeze_rest(price.raw, _PRICE_KEYS, price.path, depth=2)
        rest.nest("products_price", others, flat=not containers)
    _variant(reader, kwargs, nested, rest)
    if problems:  # this line's, or the object's before it: reported before any entity's
        return None
    kwargs["extra"] = rest.extra()
    line = construct(OrderLineItem, kwargs, _ORDER_LINE_RENAMES, path)
    return _finish(line, reader, tuple(nested))  # type: ignore[no-any-return]


def order_from_api(payload: object, *, path: str = "") -> Order:
    """Read an order as the API returns it (``GET /orders/{id}``, webhooks' ``data``).

    Args:
        payload: the decoded JSON object.
        path: where the object sits in a larger payload, for error paths (``data``).

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    reader = ObjectReader.of(payload, path, "an order")
    raw, problems = reader.raw, reader.problems
    kwargs: dict[str, Any] = {
        "id": reader.id("id"),
        "contact_id": reader.id("contact_id"),
        "currency": reader.need("currency", read_str),
        "billing_status": reader.need("billing_status", _billing_status),
        "service_status": reader.need("service_status", _service_status),
        "canceled_at": reader.moment("canceled_at"),
        "cancel_reason": reader.may("cancel_reason", read_str),
        "churned_at": reader.moment("churned_at"),
        "paid_until": reader.moment("paid_until"),
        "created_at": reader.moment("created_at"),
    }
    for key, read in (
        ("live_mode", read_bool),
        ("order_type", _order_type),
        ("payment_processor", _payment_processor),
    ):
        value = reader.may(key, read, null_is_default=True)
        if value is not None:
            kwargs[key] = value
    # Null or absent lines are no lines (the schema allows both).
    lines = [
        _order_line(item, where, problems)
        for where, item in reader.items("line_items", optional=True)
    ]
    _checked(problems)
    kwargs["line_items"] = tuple(lines)
    kwargs["extra"] = _Rest(raw, _ORDER_KEYS, path).extra()
    order = construct(Order, kwargs, _NO_RENAMES, path)
    return _finish(order, reader, ())  # type: ignore[no-any-return]


def _invoice_line(
    raw: Mapping[str, Any], path: str, problems: list[Problem]
) -> InvoiceLineItem | None:
    reader = ObjectReader(raw, path, problems)
    kwargs: dict[str, Any] = {
        "id": reader.id("id"),
        "invoice_id": reader.id("invoice_id"),
        "quantity": reader.need("quantity", read_int),
        "amount": reader.money("amount"),
    }
    for key, read in (("payment_type", read_str), ("fulfillment_status", _line_status)):
        value = reader.may(key, read, null_is_default=True)
        if value is not None:
            kwargs[key] = value
    nested: list[tuple[str, tuple[str, ...]]] = []
    rest = _Rest(raw, _INVOICE_LINE_KEYS, path)
    _variant(reader, kwargs, nested, rest)
    if problems:  # this line's, or the object's before it: reported before any entity's
        return None
    kwargs["extra"] = rest.extra()
    line = construct(InvoiceLineItem, kwargs, _LINE_RENAMES, path)
    return _finish(line, reader, tuple(nested))  # type: ignore[no-any-return]


def invoice_from_api(payload: object, *, path: str = "") -> Invoice:
    """Read an ``Orders::Invoice`` as the API returns it, embedded order and all.

    ``amount_paid`` is ``total_amount - due_amount`` when ``due_amount`` is present, else
    the total for paid, partially-refunded, disputed and refunded invoices and 0 otherwise;
    ``amount_refunded`` is ``amount_paid`` for a refunded invoice, else 0.

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    reader = ObjectReader.of(payload, path, "an invoice")
    raw, problems = reader.raw, reader.problems
    kwargs: dict[str, Any] = {
        "id": reader.id("id"),
        "order_id": reader.id("order_id"),
        "status": reader.need("status", _invoice_status),
        "total_amount": reader.money("total_amount"),
        "currency": reader.need("currency", read_str),
        "issued_at": reader.moment("issued_at"),
        "due_at": reader.moment("due_at"),
        "paid_at": reader.moment("paid_at"),
        "invoice_type": reader.may("invoice_type", read_str),
    }
    # due_amount is derived (total less paid): its spelling is checked once built.
    due = reader.may("due_amount", read_money, null_is_default=True)
    processor = reader.may("payment_processor", _payment_processor, null_is_default=True)
    if processor is not None:
        kwargs["payment_processor"] = processor
    lines = [
        _invoice_line(item, where, problems)
        for where, item in reader.items("line_items", optional=False)
    ]
    _checked(problems)
    if due is not None:
        # Without due_amount, the entity derives both amounts from the status, as the API does.
        total: Decimal = kwargs["total_amount"]
        paid = minus(total, due, "due_amount")
        if paid < 0:
            raise PayloadError(
                join(path, "due_amount"),
                f"got {_show(raw['due_amount'])}, expected at most total_amount ({total})",
                value=raw["due_amount"],
            )
        kwargs["amount_paid"] = paid
    kwargs["line_items"] = tuple(lines)
    kwargs["extra"] = _Rest(raw, _INVOICE_KEYS, path).extra()
    invoice: Invoice = construct(Invoice, kwargs, _INVOICE_RENAMES, path)
    if due is not None:
        reader.spelled_as("due_amount", invoice.due_amount)
    return _finish(invoice, reader, (), basis_of(invoice))  # type: ignore[no-any-return]


def _included_lines(
    reader: ObjectReader, problems: list[Problem], rest: _Rest
) -> tuple[tuple[FulfillmentLine, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """Read ``included_invoices_line_items`` (null or absent: none), with their key orders."""
    key = "included_invoices_line_items"
    lines: list[FulfillmentLine] = []
    nested: list[tuple[str, tuple[str, ...]]] = []
    others: list[dict[str, Any]] = []
    for index, (where, raw) in enumerate(reader.items(key, optional=True)):
        line = ObjectReader(raw, where, problems)
        kwargs = {
            "invoice_line_item_id": line.id("invoices_line_item_id"),
            "quantity": line.need("quantity", read_int),
        }
        nested.append((f"{key}[{index}]", tuple(raw)))
        # Each line sits in a list in the entity's extra: at level 3.
        others.append(freeze_rest(raw, _INCLUDED_LINE_KEYS, where, depth=3)[0])
        if not problems:  # any problem is reported before an entity's complaint
            lines.append(construct(FulfillmentLine, kwargs, _FULFILLMENT_RENAMES, where))
    if any(others):
        rest.nest(key, others)
    return tuple(lines), tuple(nested)


def _shipment(cls: type[Any], payload: object, path: str, what: str, status: Any) -> Any:
    """Read a fulfillment or a restock: the same keys, the same lines."""
    reader = ObjectReader.of(payload, path, what)
    raw, problems = reader.raw, reader.problems
    kwargs: dict[str, Any] = {
        "id": reader.id("id"),
        "status": reader.need("status", status),
        "created_at": reader.moment("created_at"),
    }
    rest = _Rest(raw, _FULFILLMENT_KEYS, path)
    lines, nested = _included_lines(reader, problems, rest)
    _checked(problems)
    kwargs["lines"] = lines
    kwargs["extra"] = rest.extra()
    return _finish(construct(cls, kwargs, _FULFILLMENT_RENAMES, path), reader, nested)


def fulfillment_from_api(payload: object, *, path: str = "") -> Fulfillment:
    """Read a fulfillment as the API returns it (lines: ``included_invoices_line_items``).

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    fulfillment: Fulfillment = _shipment(
        Fulfillment, payload, path, "a fulfillment", _fulfillment_status
    )
    return fulfillment


def restock_from_api(payload: object, *, path: str = "") -> Restock:
    """Read an ``Orders::Invoices::Restock`` as the API returns it, like a fulfillment.

    Its ``status`` is read as a string, which the entity holds to ``RestockStatus``.

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    restock: Restock = _shipment(Restock, payload, path, "a restock", read_str)
    return restock


def transaction_from_api(payload: object, *, path: str = "") -> Transaction:
    """Read an ``Orders::Transaction`` as the API returns it.

    ``status`` is read as an open string: a value the API adds later is kept.

    Args:
        payload: the decoded JSON object.
        path: where the object sits in a larger payload, for error paths (``data``).

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    reader = ObjectReader.of(payload, path, "a transaction")
    raw, problems = reader.raw, reader.problems
    kwargs: dict[str, Any] = {
        "id": reader.id("id"),
        "order_id": reader.id("order_id"),
        "status": reader.need("status", read_str),
        "external_type": reader.need("external_type", read_str),
        "result": reader.need("result", read_str),
        "amount": reader.money("amount"),
        "currency": reader.need("currency", read_str),
        "reason": reader.may("reason", read_str),
        "adjusted_transaction_id": reader.may("adjusted_transaction_id", read_id),
        "created_at": reader.moment("created_at"),
    }
    _checked(problems)
    kwargs["extra"] = _Rest(raw, _TRANSACTION_KEYS, path).extra()
    transaction = construct(Transaction, kwargs, _NO_RENAMES, path)
    return _finish(transaction, reader, ())  # type: ignore[no-any-return]
