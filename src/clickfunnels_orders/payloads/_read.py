"""Reading API objects into entities, with errors that name the offending key's path."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from cattrs.errors import (
    ClassValidationError,
    IterableValidationError,
)

from clickfunnels_orders._values import copy_json, minus
from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
)
from clickfunnels_orders.errors import (
    InvalidTypeError,
    InvalidValueError,
    PayloadError,
)
from clickfunnels_orders.payloads._converter import converter
from clickfunnels_orders.payloads._extra import ApiExtra, _Source
from clickfunnels_orders.payloads._values import _BadValueError, _describe, _show
from clickfunnels_orders.payloads._wire import (
    _CHILD_ENTITIES,
    _Field,
    _fields,
    _FulfillmentWire,
    _IncludedLineWire,
    _InvoiceWire,
    _OrderWire,
    _paths,
)

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
            lines = [_rest(item, field.items) for item in value or ()]
            if any(lines):
                rest[key] = lines
    return rest


def _extra(raw: Mapping[str, Any], wire: Any, path: str = "") -> ApiExtra:
    return ApiExtra(_rest(raw, type(wire)), _Source(raw, wire), path)


def _read_children(
    cls: type[Any], wires: list[Any], raws: Sequence[Mapping[str, Any]], prefix: str
) -> tuple[Any, ...]:
    return tuple(
        _construct(
            cls,
            {**_kwargs(wire), "extra": _extra(raw, wire, f"{prefix}[{index}]")},
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
    # Null or absent lines are no lines (the schema allows both).
    lines = _read_children(
        OrderLineItem, wire.line_items or [], raw.get("line_items") or (), _join(path, "line_items")
    )
    kwargs = {**_kwargs(wire), "line_items": lines, "extra": _extra(raw, wire, path)}
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
    paid = None if due is None else minus(total, due, "due_amount")
    if paid is not None and paid < 0:
        raise PayloadError(
            _join(path, "due_amount"),
            f"got {_show(raw['due_amount'])}, expected at most total_amount ({total})",
            value=raw["due_amount"],
        )
    kwargs = {**_kwargs(wire), "line_items": lines, "extra": _extra(raw, wire, path)}
    if paid is not None:
        kwargs["amount_paid"] = paid
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
        for index, line in enumerate(wire.included_invoices_line_items or ())
    )
    kwargs = {**_kwargs(wire), "lines": lines, "extra": _extra(raw, wire, path)}
    fulfillment: Fulfillment = _construct(Fulfillment, kwargs, _FulfillmentWire, path)
    return fulfillment
