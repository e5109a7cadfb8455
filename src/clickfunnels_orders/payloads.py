"""The ClickFunnels API's JSON objects, read into entities and written back without loss.

This module sits at the edge: it imports the core, never the other way round. The entity
methods ``Order.from_api``, ``Invoice.from_api``, ``Fulfillment.from_api``, ``to_api()``
and ``Fulfillment.to_create_request()`` delegate here.

How it works:

- Each API object has a private *wire* class listing the keys the model reads, with their
  types. A ``cattrs`` converter structures a payload into it, with strict hooks for ids,
  integers, decimal strings, timestamps (``dateutil``), status enums and nested line
  items, and with detailed validation, so a bad value is reported with its path
  (``line_items[0].quantity``) as a :class:`~clickfunnels_orders.errors.PayloadError`.
- The wire values become the entity's fields (the field mapping of API.md section 6);
  the entity validates them itself, and its complaints are mapped back to payload paths.
- Everything the model does not read is kept, untouched, in the entity's ``extra``: an
  :class:`ApiExtra`, a read-only mapping of those fields that also remembers the payload
  it was read from. ``to_api()`` writes the model's fields and merges ``extra`` back in.
  Where the entity still holds the value a key had in the payload, the payload's own
  spelling of it is written back (``"0"`` stays ``"0"``, a ``+01:00`` offset stays, an
  absent optional key stays absent); a value that changed is written in the API's
  canonical form (decimal strings, ``2025-04-21T14:47:47.000Z`` timestamps). The one
  normalisation is the entity's own ``currency``, upper-cased.

Money never passes through binary floating point on the way in: strings and ints are read
exactly, and :func:`~clickfunnels_orders.webhooks.parse_webhook` decodes JSON numbers
with ``parse_float=Decimal``. A ``float`` already inside a decoded mapping (from a plain
``json.loads``) is read from its ``repr``, the shortest decimal that round-trips to it,
which is the JSON literal as written for any amount of up to 15 significant digits; it is
never used in arithmetic. Written back unchanged, it comes back as that same float.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final, NewType, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn
from dateutil.parser import isoparse

from clickfunnels_orders._values import FrozenJson, copy_json
from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
)
from clickfunnels_orders.entities.invoice import paid_by_status
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError, PayloadError
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
    "CREATE_FULFILLMENT_OPTIONS",
    "ApiExtra",
    "converter",
    "dump_moment",
    "fulfillment_create_request",
    "fulfillment_from_api",
    "fulfillment_from_create_request",
    "fulfillment_to_api",
    "fulfillment_to_create_request",
    "invoice_from_api",
    "invoice_to_api",
    "order_from_api",
    "order_to_api",
    "parse_moment",
]

#: An id as the API sends it: an int (a str is accepted too).
Id = NewType("Id", object)

#: Keys of a create-fulfillment request besides its lines, in the API's order.
CREATE_FULFILLMENT_OPTIONS: Final = (
    "contact_id",
    "tracking_url",
    "shipping_provider",
    "tracking_code",
    "location_id",
    "ignore_out_of_stock",
    "notify_customer",
)


# Money beyond these magnitudes is garbage, and writing it out digit by digit could
# build strings of any length.
_MAX_ADJUSTED_EXPONENT: Final = 30
_MIN_EXPONENT: Final = -30


# -- carried-along fields -----------------------------------------------------------------


@attrs.frozen
class _Source:
    """Where an entity (or a nested object) came from: its raw payload and its wire form."""

    raw: Mapping[str, Any]
    wire: Any


class ApiExtra(FrozenJson):
    """The payload fields an entity does not use, carried along untouched.

    A read-only mapping of those fields (nested objects keep only the keys the model does
    not read) that hands out copies, so nothing read from it reaches back into the
    entity. It compares equal to any mapping with the same items, so an entity read from
    a payload equals one built by hand with the same values. Privately, it also
    remembers the payload it was read from, so that ``to_api()`` can write each unchanged
    value back exactly as the API spelled it.
    """

    __slots__ = ("_source",)

    def __init__(self, fields: Mapping[str, Any], source: _Source | None = None) -> None:
        # ``fields`` come from the payload's own private copy: no second copy is needed.
        self._fields = dict(fields)
        self._source = source


def _source_of(extra: Mapping[str, Any]) -> _Source | None:
    return extra._source if isinstance(extra, ApiExtra) else None  # noqa: SLF001  because ApiExtra is this module's own class


# -- values: reading and writing ----------------------------------------------------------


class _BadValueError(ValueError):
    """Raised by a structure hook: ``value`` is not what the field ``expected``."""

    def __init__(self, expected: str, value: object) -> None:
        self.expected = expected
        self.value = value
        super().__init__(f"got {_show(value)}, expected {expected}")


def _show(value: object) -> str:
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{text} ({type(value).__name__})"


_TIMESTAMP_EXAMPLE: Final = "2025-04-21T14:47:47.000Z"


def parse_moment(value: object) -> dt.datetime:
    """Read an API timestamp (ISO 8601 with an offset, as ``2025-04-21T14:47:47.000Z``).

    Returns:
        The moment as an aware ``datetime`` in UTC. An aware ``datetime`` is accepted too.

    Raises:
        ValueError: for anything else, including a timestamp without an offset.
    """
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = isoparse(value)
        except (ValueError, OverflowError, TypeError):
            raise _BadValueError(f"a timestamp such as {_TIMESTAMP_EXAMPLE!r}", value) from None
    else:
        raise _BadValueError(f"a timestamp such as {_TIMESTAMP_EXAMPLE!r}", value)
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _BadValueError(f"a timestamp with an offset, such as {_TIMESTAMP_EXAMPLE!r}", value)
    try:
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise _BadValueError("a timestamp within the years 1 to 9999", value) from None


def dump_moment(moment: dt.datetime) -> str:
    """Write a moment in the API's form: UTC, milliseconds, ``Z`` (``2025-04-21T14:47:47.000Z``).

    Digits beyond milliseconds are dropped (truncated), as the API has none.
    """
    utc = moment.astimezone(dt.UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def _structure_money(value: object, _type: object) -> Decimal:
    expected = "a decimal string such as '9.99'"
    if isinstance(value, bool):
        raise _BadValueError(expected, value)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # The float is already there: its repr is the shortest decimal that round-trips
        # to it, i.e. the JSON literal as written; no arithmetic happens in binary.
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise _BadValueError(expected, value) from None
    else:
        raise _BadValueError(expected, value)
    if not amount.is_finite() or amount < 0:
        raise _BadValueError(f"{expected} (finite, not negative)", value)
    exponent = amount.as_tuple().exponent
    if amount and (
        amount.adjusted() >= _MAX_ADJUSTED_EXPONENT
        or (isinstance(exponent, int) and exponent < _MIN_EXPONENT)
    ):
        raise _BadValueError(f"{expected} (of a sensible size)", value)
    return amount


def _dump_money(amount: Decimal) -> str:
    return format(amount, "f")


def _structure_moment(value: object, _type: object) -> dt.datetime:
    return parse_moment(value)


def _structure_id(value: object, _type: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _BadValueError("an id (an int)", value)
    return value


def _structure_int(value: object, _type: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadValueError("an integer", value)
    return value


def _structure_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise _BadValueError("true or false", value)
    return value


def _structure_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise _BadValueError("a string", value)
    return value


def _enum_hook(enum_cls: type[enum.StrEnum]) -> Callable[[object, object], enum.StrEnum]:
    values = {member.value: member for member in enum_cls}
    expected = "one of " + ", ".join(values)

    def structure(value: object, _type: object) -> enum.StrEnum:
        if isinstance(value, str) and value in values:
            return values[value]
        raise _BadValueError(expected, value)

    return structure


def _dump(value: object) -> object:
    """Write one leaf value in the API's canonical JSON form."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return _dump_money(value)
    if isinstance(value, dt.datetime):
        return dump_moment(value)
    return value


def _describe(type_: Any) -> str:
    """Say in words what a wire field of ``type_`` expects."""
    args = get_args(type_)
    if type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return f"{_describe(inner)} or null"
    if get_origin(type_) is list:
        return "a list"
    if attrs.has(type_):
        required = [f.name for f in attrs.fields(type_) if f.default is attrs.NOTHING]
        return "an object with " + ", ".join(required)
    if isinstance(type_, type) and issubclass(type_, enum.StrEnum):
        return "one of " + ", ".join(member.value for member in type_)
    return {
        Id: "an id (an int)",
        int: "an integer",
        bool: "true or false",
        str: "a string",
        Decimal: "a decimal string such as '9.99'",
        dt.datetime: f"a timestamp such as {_TIMESTAMP_EXAMPLE!r}",
    }.get(type_, getattr(type_, "__name__", str(type_)))


# -- the converter ------------------------------------------------------------------------


def _is_list(type_: Any) -> bool:
    origin: object = get_origin(type_)
    return origin is list


def _list_hook(conv: cattrs.Converter, type_: Any) -> Callable[[object, object], list[Any]]:
    """Structure a list strictly (a list or tuple, nothing else), item by item."""
    (item_type,) = get_args(type_)
    item_hook = conv.get_structure_hook(item_type)

    def structure(value: object, _type: object) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise _BadValueError("a list", value)
        items: list[Any] = []
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                items.append(item_hook(item, item_type))
            except Exception as exc:  # noqa: BLE001  because cattrs-style: every item's error is collected with its index
                exc.add_note(IterableValidationNote(f"@ index {index}", index, item_type))
                errors.append(exc)
        if errors:
            raise IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return items

    return structure


def _object_hook(conv: cattrs.Converter, cls: type) -> Callable[[object, object], Any]:
    """Structure a wire class from a mapping (and say so when it is not one)."""
    generated: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, conv)

    def structure(value: object, type_: object) -> Any:
        if not isinstance(value, Mapping):
            raise _BadValueError(_describe(cls), value)
        return generated(value, type_)

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    conv.register_structure_hook(Id, _structure_id)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(Decimal, _structure_money)
    conv.register_structure_hook(dt.datetime, _structure_moment)
    conv.register_unstructure_hook(Decimal, _dump_money)
    conv.register_unstructure_hook(dt.datetime, dump_moment)
    for enum_cls in (
        BillingStatus,
        FulfillmentStatus,
        InvoiceStatus,
        LineItemFulfillmentStatus,
        OrderType,
        PaymentProcessor,
        ServiceStatus,
    ):
        conv.register_structure_hook(enum_cls, _enum_hook(enum_cls))

    conv.register_structure_hook_factory(_is_list, lambda t: _list_hook(conv, t))
    conv.register_structure_hook_factory(attrs.has, lambda t: _object_hook(conv, t))
    return conv


#: The ``cattrs`` converter that reads API objects into their wire classes.
converter: Final = _make_converter()


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
    # None asks the entity to derive the type from its lines, as it does on construction.
    return attrs.evolve(order, order_type=None).order_type


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
    line_items: list[_OrderLineWire] = attrs.field(metadata=_meta())


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
    return invoice.total_amount - paid_by_status(invoice.status, invoice.total_amount)


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
            get=lambda invoice: invoice.total_amount - invoice.amount_paid,
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
    included_invoices_line_items: list[_IncludedLineWire] = attrs.field(metadata=_meta(to="lines"))


#: The wire class of each entity class, and of each kind of list element.
_WIRE: Final[Mapping[type, type]] = {
    Order: _OrderWire,
    OrderLineItem: _OrderLineWire,
    Invoice: _InvoiceWire,
    InvoiceLineItem: _InvoiceLineWire,
    Fulfillment: _FulfillmentWire,
    FulfillmentLine: _IncludedLineWire,
}
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
        args = get_args(type_)
        items = args[0] if get_origin(type_) is list else None
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


# -- reading ------------------------------------------------------------------------------


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _leaves(exc: BaseException, path: str, type_: Any) -> Iterator[tuple[str, BaseException, Any]]:
    """Walk a cattrs validation error down to its leaves, with their payload paths."""
    if isinstance(exc, IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            yield from _leaves(sub, f"{path}[{note.index}]", note.type)
        for sub in without:
            yield from _leaves(sub, path, None)
    elif isinstance(exc, ClassValidationError):
        attribute_notes, unnoted = exc.group_exceptions()
        for sub, attribute in attribute_notes:
            yield from _leaves(sub, _join(path, attribute.name), attribute.type)
        for sub in unnoted:
            yield from _leaves(sub, path, None)
    else:
        yield path, exc, type_


def _reason(exc: BaseException, type_: Any) -> tuple[str, object]:
    if isinstance(exc, _BadValueError):
        return str(exc), exc.value
    if isinstance(exc, KeyError):
        return f"missing, expected {_describe(type_)}", None
    return f"unreadable ({exc}), expected {_describe(type_)}", None


def _payload_error(exc: BaseException, prefix: str) -> PayloadError:
    """Turn a cattrs validation error into one PayloadError at its first leaf."""
    leaves = list(_leaves(exc, "", None))
    path, leaf, type_ = leaves[0]
    reason, value = _reason(leaf, type_)
    if len(leaves) > 1:
        others = ", ".join(_join(prefix, p) or "<payload>" for p, _, _ in leaves[1:4])
        more = f" and {len(leaves) - 4} more" if len(leaves) > 4 else ""
        reason = f"{reason} (also wrong: {others}{more})"
    error = PayloadError(_join(prefix, path), reason, value=value)
    error.__cause__ = exc
    return error


def _structure(payload: object, wire_cls: type, prefix: str) -> Any:
    if not isinstance(payload, Mapping):
        raise PayloadError(prefix, f"got {_show(payload)}, expected {_describe(wire_cls)}")
    try:
        return converter.structure(payload, wire_cls)
    except (ClassValidationError, IterableValidationError) as exc:
        raise _payload_error(exc, prefix) from None


def _entity_path(field_name: str, wire_cls: type) -> tuple[str, _Field | None]:
    """Map an entity error's field (``line_items[1].invoice_id``) to a payload path."""
    head, dot, tail = field_name.partition(".")
    name, bracket, index = head.partition("[")
    mapped = _paths(wire_cls).get(name)
    if mapped is None:
        return field_name, None
    path, field = mapped
    if not bracket:
        return path, field
    path = f"{path}[{index}"
    if dot and field.items is not None:
        sub_path, sub_field = _entity_path(tail, field.items)
        return f"{path}.{sub_path}", sub_field
    return (f"{path}.{tail}" if dot else path), None


def _construct(cls: type[Any], kwargs: dict[str, Any], wire_cls: type, prefix: str) -> Any:
    """Build an entity, turning its validation errors into PayloadErrors with paths."""
    try:
        return cls(**kwargs)
    except (InvalidValueError, InvalidTypeError) as exc:
        path, _ = _entity_path(exc.field, wire_cls)
        reason = f"got {_show(exc.value)}, expected {exc.expected}"
        raise PayloadError(_join(prefix, path), reason, value=exc.value) from exc


def _kwargs(wire: Any) -> dict[str, Any]:
    """The entity fields a wire object's leaves feed (an absent optional key feeds none)."""
    kwargs: dict[str, Any] = {}
    wire_cls: type = type(wire)
    for field in _fields(wire_cls).values():
        value = getattr(wire, field.key)
        if field.nested is not None:
            kwargs.update(_kwargs(value))
        elif field.items is None and field.to and (value is not None or field.absent is None):
            kwargs[field.to] = value
    return kwargs


def _rest(raw: Mapping[str, Any], wire_cls: type) -> dict[str, Any]:
    """The part of ``raw`` the model does not read (nested objects keep their other keys)."""
    fields = _fields(wire_cls)
    rest: dict[str, Any] = {}
    for key, value in raw.items():
        field = fields.get(key)
        if field is None:
            rest[key] = value
        elif field.nested is not None:
            nested = _rest(value, field.nested)
            if nested:
                rest[key] = nested
        elif field.items is not None and field.items not in _CHILD_ENTITIES:
            lines = [_rest(item, field.items) for item in value]
            if any(lines):
                rest[key] = lines
    return rest


def _extra(raw: Mapping[str, Any], wire: Any) -> ApiExtra:
    return ApiExtra(_rest(raw, type(wire)), _Source(raw, wire))


def _read_children(
    cls: type[Any], wires: list[Any], raws: Sequence[Mapping[str, Any]], prefix: str
) -> tuple[Any, ...]:
    return tuple(
        _construct(
            cls,
            {**_kwargs(wire), "extra": _extra(raw, wire)},
            type(wire),
            f"{prefix}[{index}]",
        )
        for index, (wire, raw) in enumerate(zip(wires, raws, strict=True))
    )


def _read(payload: object, wire_cls: type, prefix: str) -> tuple[Mapping[str, Any], Any]:
    try:
        raw = copy_json(payload)
    except RecursionError:
        raise PayloadError(prefix, "nested too deeply to be an API object") from None
    return raw, _structure(raw, wire_cls, prefix)


def order_from_api(payload: object, *, path: str = "") -> Order:
    """Read an order as the API returns it (``GET /orders/{id}``, webhooks' ``data``).

    Args:
        payload: the decoded JSON object.
        path: where the object sits in a larger payload, for error paths (``data``).

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    raw, wire = _read(payload, _OrderWire, path)
    lines = _read_children(
        OrderLineItem, wire.line_items, raw["line_items"], _join(path, "line_items")
    )
    kwargs = {**_kwargs(wire), "line_items": lines, "extra": _extra(raw, wire)}
    order: Order = _construct(Order, kwargs, _OrderWire, path)
    return order


def invoice_from_api(payload: object, *, path: str = "") -> Invoice:
    """Read an ``Orders::Invoice`` as the API returns it, embedded order and all.

    ``amount_paid`` is ``total_amount - due_amount`` when ``due_amount`` is present, else
    the total for paid, partially-refunded, disputed and refunded invoices and 0 otherwise;
    ``amount_refunded`` is ``amount_paid`` for a refunded invoice, else 0.

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    raw, wire = _read(payload, _InvoiceWire, path)
    lines = _read_children(
        InvoiceLineItem, wire.line_items, raw["line_items"], _join(path, "line_items")
    )
    total: Decimal = wire.total_amount
    due: Decimal | None = wire.due_amount
    # Without due_amount, the entity derives both amounts from the status, as the API does.
    paid = None if due is None else total - due
    if paid is not None and paid < 0:
        raise PayloadError(
            _join(path, "due_amount"),
            f"got {_show(raw['due_amount'])}, expected at most total_amount ({total})",
            value=raw["due_amount"],
        )
    kwargs = {
        **_kwargs(wire),
        "line_items": lines,
        "amount_paid": paid,
        "extra": _extra(raw, wire),
    }
    invoice: Invoice = _construct(Invoice, kwargs, _InvoiceWire, path)
    return invoice


def fulfillment_from_api(payload: object, *, path: str = "") -> Fulfillment:
    """Read a fulfillment as the API returns it (lines: ``included_invoices_line_items``).

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    raw, wire = _read(payload, _FulfillmentWire, path)
    lines_path = _join(path, "included_invoices_line_items")
    lines = tuple(
        _construct(FulfillmentLine, _kwargs(line), _IncludedLineWire, f"{lines_path}[{index}]")
        for index, line in enumerate(wire.included_invoices_line_items)
    )
    kwargs = {**_kwargs(wire), "lines": lines, "extra": _extra(raw, wire)}
    fulfillment: Fulfillment = _construct(Fulfillment, kwargs, _FulfillmentWire, path)
    return fulfillment


# -- writing ------------------------------------------------------------------------------


def _leaf(entity: Any, field: _Field, source: _Source | None) -> tuple[bool, object]:
    """Decide how to write one leaf: ``(False, _)`` to leave it out, else its JSON value."""
    value = field.get(entity) if field.get is not None else getattr(entity, field.to)
    if source is not None:
        if field.key in source.raw:
            raw = source.raw[field.key]
            if raw is None:
                if field.absent is not None and field.absent(entity) == value:
                    return True, None
            elif getattr(source.wire, field.key) == value:
                return True, raw
        elif field.absent is not None and field.absent(entity) == value:
            return False, None
    return True, _dump(value)


def _emit(
    entity: Any, wire_cls: type, source: _Source | None, rest: Mapping[str, Any]
) -> dict[str, Any]:
    """Write ``entity`` as ``wire_cls`` describes it, merged with ``rest``."""
    fields = _fields(wire_cls)
    # The payload's own key order first, then the model's keys, then carried keys.
    keys: list[str] = list(source.raw) if source is not None else []
    seen = set(keys)
    for key in (*fields, *rest):
        if key not in seen:
            seen.add(key)
            keys.append(key)
    out: dict[str, Any] = {}
    for key in keys:
        field = fields.get(key)
        if field is None:
            if key in rest:
                out[key] = copy_json(rest[key])
            continue
        raw_value = source.raw.get(key) if source is not None else None
        if field.nested is not None:
            nested_source = (
                _Source(raw_value, getattr(source.wire, key))
                if source is not None and isinstance(raw_value, Mapping)
                else None
            )
            nested_rest = rest.get(key)
            out[key] = _emit(
                entity,
                field.nested,
                nested_source,
                nested_rest if isinstance(nested_rest, Mapping) else {},
            )
        elif field.items is not None:
            items = getattr(entity, field.to)
            if field.items in _CHILD_ENTITIES:
                written = [_to_api(item) for item in items]
            else:
                written = _emit_lines(items, field.items, source, key, rest.get(key))
            out[key] = tuple(written) if isinstance(raw_value, tuple) else written
        else:
            keep, value = _leaf(entity, field, source)
            if keep:
                out[key] = value
    return out


def _emit_lines(
    items: Sequence[Any], wire_cls: type, source: _Source | None, key: str, rest: object
) -> list[dict[str, Any]]:
    raws: Sequence[Any] = source.raw.get(key, ()) if source is not None else ()
    wires: Sequence[Any] = getattr(source.wire, key) if source is not None else ()
    rests: Sequence[Any] = rest if isinstance(rest, list | tuple) else ()
    written = []
    for index, item in enumerate(items):
        item_source = (
            _Source(raws[index], wires[index])
            if index < len(wires) and index < len(raws) and isinstance(raws[index], Mapping)
            else None
        )
        item_rest = rests[index] if index < len(rests) and isinstance(rests[index], Mapping) else {}
        written.append(_emit(item, wire_cls, item_source, item_rest))
    return written


def _to_api(entity: Any) -> dict[str, Any]:
    extra: Mapping[str, Any] = entity.extra
    return _emit(entity, _WIRE[type(entity)], _source_of(extra), extra)


def order_to_api(order: Order) -> dict[str, Any]:
    """Write an order as the API would send it (see the module docstring for the rules)."""
    return _to_api(order)


def invoice_to_api(invoice: Invoice) -> dict[str, Any]:
    """Write an invoice as the API would send it; ``due_amount`` is what is still due."""
    return _to_api(invoice)


def fulfillment_to_api(fulfillment: Fulfillment) -> dict[str, Any]:
    """Write a fulfillment as the API would send it (lines: ``included_invoices_line_items``)."""
    return _to_api(fulfillment)


# -- create-fulfillment requests ----------------------------------------------------------


def fulfillment_create_request(lines: Iterable[FulfillmentLine], **options: Any) -> dict[str, Any]:
    """Build the body of a create-fulfillment request (``POST .../fulfillments``).

    Args:
        lines: what to ship; each becomes an ``{invoices_line_item_id, quantity}`` entry of
            ``included_orders_invoices_line_items_attributes``.
        options: the request's other keys (``contact_id``, ``tracking_url``,
            ``shipping_provider``, ``tracking_code``, ``location_id``,
            ``ignore_out_of_stock``, ``notify_customer``, or any other the API accepts);
            ``None`` values are left out.

    Returns:
        ``{"fulfillment": {...}}``, ready to be encoded as JSON.
    """
    body: dict[str, Any] = {key: value for key, value in options.items() if value is not None}
    body["included_orders_invoices_line_items_attributes"] = [
        {"invoices_line_item_id": line.invoice_line_item_id, "quantity": line.quantity}
        for line in lines
    ]
    return {"fulfillment": body}


def fulfillment_to_create_request(fulfillment: Fulfillment, **options: Any) -> dict[str, Any]:
    """Build the create request for ``fulfillment``'s lines.

    The request keys the fulfillment carries in ``extra`` (contact, tracking, location, as
    read from the API) are included; ``options`` add to or override them.
    """
    carried = {
        key: fulfillment.extra[key]
        for key in CREATE_FULFILLMENT_OPTIONS
        if key in fulfillment.extra
    }
    return fulfillment_create_request(fulfillment.lines, **{**carried, **options})


@attrs.frozen(kw_only=True)
class _CreateLineWire:
    invoices_line_item_id: Id = attrs.field(metadata=_meta(to="invoice_line_item_id"))
    quantity: int = attrs.field(metadata=_meta())


@attrs.frozen(kw_only=True)
class _CreateBodyWire:
    included_orders_invoices_line_items_attributes: list[_CreateLineWire] = attrs.field(
        metadata=_meta(to="lines")
    )


@attrs.frozen(kw_only=True)
class _CreateRequestWire:
    fulfillment: _CreateBodyWire = attrs.field(metadata=_meta())


def fulfillment_from_create_request(
    body: Mapping[str, Any],
    *,
    id: Hashable,  # noqa: A002  because it is the API's own field name
    created_at: dt.datetime | None = None,
) -> Fulfillment:
    """Read a create-fulfillment request into the fulfillment the API would create.

    What a test double of ClickFunnels needs: the new fulfillment is ``fulfilled``, has
    the requested lines, and carries the request's other keys in ``extra``.

    Raises:
        PayloadError: for a malformed request.
    """
    raw, wire = _read(body, _CreateRequestWire, "")
    lines_path = "fulfillment.included_orders_invoices_line_items_attributes"
    lines = tuple(
        _construct(FulfillmentLine, _kwargs(line), _CreateLineWire, f"{lines_path}[{index}]")
        for index, line in enumerate(
            wire.fulfillment.included_orders_invoices_line_items_attributes
        )
    )
    carried = {
        key: value
        for key, value in raw["fulfillment"].items()
        if key != "included_orders_invoices_line_items_attributes"
    }
    # ``id`` and ``created_at`` are the caller's arguments, not the body's: their errors
    # are the entity's own.
    return Fulfillment(id=id, lines=lines, created_at=created_at, extra=carried)
