"""Wire classes: the keys of each API object the model reads, their types and mapping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any, Final, get_args, get_origin

import attrs

from clickfunnels_orders._values import minus
from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
)
from clickfunnels_orders.machines import paid_by_status
from clickfunnels_orders.payloads._values import Id
from clickfunnels_orders.statuses import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

# -- wire classes: the keys the model reads -----------------------------------------------

#: ``absent(entity)`` returns the wire value that a missing (or ``null``) key stands for,
#: given the entity being written; ``get(entity)`` reads the key's value off the entity.
_Absent = Callable[[Any], Any]


def _meta(
    *,
    to: str | None = None,
    absent: _Absent | None = None,
    get: Callable[[Any], Any] | None = None,
    errors: Sequence[str] = (),
) -> dict[str, Any]:
    """Describe a payload key the model reads (the metadata of its wire field).

    Args:
        to: the entity field it feeds (default: the key itself; ``""`` for none).
        absent: for an optional key (``default=None``); see :data:`_Absent`.
        get: how to read the key's value off an entity (default: the field ``to``).
        errors: further entity fields whose errors are reported at this key.
    """
    return {"to": to, "absent": absent, "get": get, "errors": tuple(errors)}


def _default_of(name: str) -> _Absent:
    """Absent means the entity class's default for field ``name``."""

    def absent(entity: Any) -> Any:
        return attrs.fields_dict(type(entity))[name].default

    return absent


def _none(_entity: Any) -> None:
    return None


@attrs.frozen(kw_only=True)
class _PriceWire:
    amount: Decimal = attrs.field(metadata=_meta())


@attrs.frozen(kw_only=True)
class _VariantWire:
    id: Id = attrs.field(metadata=_meta(to="variant_id"))
    fulfillment_required: bool | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("fulfillment_required"))
    )


@attrs.frozen(kw_only=True)
class _OrderLineWire:
    id: Id = attrs.field(metadata=_meta())
    quantity: int = attrs.field(metadata=_meta())
    payment_type: str | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("payment_type"))
    )
    products_price: _PriceWire = attrs.field(metadata=_meta())
    products_variant: _VariantWire = attrs.field(metadata=_meta())


def _derived_order_type(order: Order) -> OrderType:
    return order.derived_order_type


@attrs.frozen(kw_only=True)
class _OrderWire:
    id: Id = attrs.field(metadata=_meta())
    contact_id: Id = attrs.field(metadata=_meta())
    currency: str = attrs.field(metadata=_meta())
    live_mode: bool | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("live_mode"))
    )
    billing_status: BillingStatus = attrs.field(metadata=_meta())
    service_status: ServiceStatus = attrs.field(metadata=_meta())
    order_type: OrderType | None = attrs.field(
        default=None, metadata=_meta(absent=_derived_order_type)
    )
    canceled_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    cancel_reason: str | None = attrs.field(default=None, metadata=_meta(absent=_none))
    churned_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    paid_until: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    created_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    payment_processor: PaymentProcessor | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("payment_processor"))
    )
    #: The schema lets an order's lines be null or absent: no lines.
    line_items: list[_OrderLineWire] | None = attrs.field(default=None, metadata=_meta())


@attrs.frozen(kw_only=True)
class _InvoiceLineWire:
    id: Id = attrs.field(metadata=_meta())
    invoice_id: Id = attrs.field(metadata=_meta())
    payment_type: str | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("payment_type"))
    )
    quantity: int = attrs.field(metadata=_meta())
    fulfillment_status: LineItemFulfillmentStatus | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("fulfillment_status"))
    )
    amount: Decimal = attrs.field(metadata=_meta())
    products_variant: _VariantWire = attrs.field(metadata=_meta())


def _due_when_absent(invoice: Invoice) -> Decimal:
    total = invoice.total_amount
    return minus(total, paid_by_status(invoice.status, total), "due_amount")


@attrs.frozen(kw_only=True)
class _InvoiceWire:
    id: Id = attrs.field(metadata=_meta())
    order_id: Id = attrs.field(metadata=_meta())
    status: InvoiceStatus = attrs.field(metadata=_meta())
    due_amount: Decimal | None = attrs.field(
        default=None,
        metadata=_meta(
            to="",
            absent=_due_when_absent,
            get=lambda invoice: invoice.due_amount,
            errors=("amount_paid", "amount_refunded"),
        ),
    )
    total_amount: Decimal = attrs.field(metadata=_meta())
    currency: str = attrs.field(metadata=_meta())
    issued_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    due_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    paid_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    invoice_type: str | None = attrs.field(default=None, metadata=_meta(absent=_none))
    payment_processor: PaymentProcessor | None = attrs.field(
        default=None, metadata=_meta(absent=_default_of("payment_processor"))
    )
    line_items: list[_InvoiceLineWire] = attrs.field(metadata=_meta())


@attrs.frozen(kw_only=True)
class _IncludedLineWire:
    quantity: int = attrs.field(metadata=_meta())
    invoices_line_item_id: Id = attrs.field(metadata=_meta(to="invoice_line_item_id"))


@attrs.frozen(kw_only=True)
class _FulfillmentWire:
    id: Id = attrs.field(metadata=_meta())
    status: FulfillmentStatus = attrs.field(metadata=_meta())
    created_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    #: The schema lets a fulfillment's lines be null or absent: no lines.
    included_invoices_line_items: list[_IncludedLineWire] | None = attrs.field(
        default=None, metadata=_meta(to="lines")
    )


#: The wire class of each entity class, and of each kind of list element.
_WIRE: Final[dict[type, type]] = {
    Order: _OrderWire,
    OrderLineItem: _OrderLineWire,
    Invoice: _InvoiceWire,
    InvoiceLineItem: _InvoiceLineWire,
    Fulfillment: _FulfillmentWire,
    FulfillmentLine: _IncludedLineWire,
}


def register_wire(entity_cls: type, wire_cls: type) -> None:
    """Register the wire class of an entity class whose wire lives in another module."""
    _WIRE[entity_cls] = wire_cls


#: List elements that are entities with an ``extra`` of their own (the rest are lines).
_CHILD_ENTITIES: Final = frozenset({_OrderLineWire, _InvoiceLineWire})


@attrs.frozen
class _Field:
    """One wire key, compiled from its ``attrs`` field."""

    key: str
    type: Any
    to: str
    absent: _Absent | None
    get: Callable[[Any], Any] | None
    errors: tuple[str, ...]
    nested: type | None  # the wire class of a nested object
    items: type | None  # the wire class of a list's elements


@cache
def _fields(wire_cls: type) -> dict[str, _Field]:
    compiled: dict[str, _Field] = {}
    # The module's annotations are strings until resolved (``from __future__``).
    for field in attrs.fields(attrs.resolve_types(wire_cls)):
        type_ = field.type
        # A list the schema lets be null (``list[X] | None``) is still a list of X.
        listed = [arg for arg in get_args(type_) if get_origin(arg) is list]
        if get_origin(type_) is list:
            listed = [type_]
        items = get_args(listed[0])[0] if listed else None
        to = field.metadata["to"]
        compiled[field.name] = _Field(
            key=field.name,
            type=type_,
            to=field.name if to is None else to,
            absent=field.metadata["absent"],
            get=field.metadata["get"],
            errors=field.metadata["errors"],
            nested=type_ if attrs.has(type_) else None,
            items=items,
        )
    return compiled


@cache
def _paths(wire_cls: type) -> dict[str, tuple[str, _Field]]:
    """Map each entity field fed by ``wire_cls`` to its payload path and wire field."""
    paths: dict[str, tuple[str, _Field]] = {}
    for field in _fields(wire_cls).values():
        if field.nested is not None:
            for name, (path, leaf) in _paths(field.nested).items():
                paths.setdefault(name, (f"{field.key}.{path}", leaf))
            continue
        if field.to:
            paths.setdefault(field.to, (field.key, field))
        for name in field.errors:
            paths.setdefault(name, (field.key, field))
    return paths
