"""The ``cattrs`` converter that reads API objects into their wire classes, strictly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import (
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.gen import make_dict_structure_fn

from clickfunnels_orders.payloads._values import (
    Id,
    _BadValueError,
    _describe,
    _dump_money,
    _enum_hook,
    _structure_bool,
    _structure_id,
    _structure_int,
    _structure_moment,
    _structure_money,
    _structure_str,
    dump_moment,
)
from clickfunnels_orders.statuses import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

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
