"""Writing entities as API objects: unchanged values in the payload's own spelling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from clickfunnels_orders._json import json_leaf
from clickfunnels_orders._values import copy_json, to_api_id
from clickfunnels_orders.entities import (
    Fulfillment,
    Invoice,
    Order,
)
from clickfunnels_orders.errors import InvalidValueError, PayloadError
from clickfunnels_orders.payloads._derived import derived_keys
from clickfunnels_orders.payloads._extra import _carried, _Source, _source_of
from clickfunnels_orders.payloads._values import Id, _dump, _show
from clickfunnels_orders.payloads._wire import _CHILD_ENTITIES, _WIRE, _Field, _fields

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
                # A Decimal (from parse_float=Decimal) goes back as the number it was.
                return True, json_leaf(raw, field.key)
        elif field.absent is not None and field.absent(entity) == value:
            return False, None
    if field.type is Id:
        _check_id(value, field.key)
    return True, _dump(value)


def _check_id(value: object, key: str) -> None:
    # Any hashable serves as an id in the library; a payload carries only JSON's.
    try:
        to_api_id(value, key)
    except InvalidValueError as exc:
        raise PayloadError(
            key, f"got {_show(value)}, expected {exc.expected}", value=value
        ) from None


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
            keep, value = _list(entity, field, source, rest.get(key))
            if keep:
                out[key] = value
        else:
            keep, value = _leaf(entity, field, source)
            if keep:
                out[key] = value
    return out


def _list(entity: Any, field: _Field, source: _Source | None, rest: object) -> tuple[bool, object]:
    """Decide how to write a list of lines: ``(False, _)`` to leave it out, else its value."""
    key = field.key
    items = getattr(entity, field.to)
    raw_value = source.raw.get(key) if source is not None else None
    if not items and source is not None and raw_value is None:
        # No lines read from a null or absent list: written back the same way.
        return key in source.raw, None
    line_wire: Any = field.items
    if line_wire in _CHILD_ENTITIES:
        written = [entity_to_api(item) for item in items]
    else:
        written = _emit_lines(items, line_wire, source, key, rest)
    return True, tuple(written) if isinstance(raw_value, tuple) else written


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


def entity_to_api(entity: Any) -> dict[str, Any]:
    """Write any entity (or child line) as the API would send it, ``extra`` included."""
    extra: Mapping[str, Any] = entity.extra
    source = _source_of(extra)
    carried = _carried(extra)
    derived = derived_keys(entity, source)
    if derived:
        # Keys the API derives from what changed replace their stale carried values.
        carried = {**carried, **derived}
    return _emit(entity, _WIRE[type(entity)], source, carried)


def order_to_api(order: Order) -> dict[str, Any]:
    """Write an order as the API would send it (see the module docstring for the rules)."""
    return entity_to_api(order)


def invoice_to_api(invoice: Invoice) -> dict[str, Any]:
    """Write an invoice as the API would send it; ``due_amount`` is what is still due."""
    return entity_to_api(invoice)


def fulfillment_to_api(fulfillment: Fulfillment) -> dict[str, Any]:
    """Write a fulfillment as the API would send it (lines: ``included_invoices_line_items``)."""
    return entity_to_api(fulfillment)
