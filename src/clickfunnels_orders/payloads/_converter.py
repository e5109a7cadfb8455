"""The ``cattrs`` converter that reads create-fulfillment requests, with every error's path.

A request is what a client posts, not what the API sends back, and a test double of
ClickFunnels reads it once per request; there the full report of a ``cattrs`` detailed
validation (every wrong key with its path, as a ``PayloadError`` at the first) is worth
more than speed. The API's own objects, read on every webhook, have readers of their own
(:mod:`._read`): see ``docs/design.md`` for the measurements behind the choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final, NewType, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, IterableValidationError, IterableValidationNote
from cattrs.gen import make_dict_structure_fn

from clickfunnels_orders.errors import PayloadError
from clickfunnels_orders.payloads._reading import join, payload_error
from clickfunnels_orders.payloads._values import EXPECTED, _BadValueError, _show, read_id, read_int

__all__ = ["Id", "converter", "structure"]

#: An id as the API sends it: an int (a str is accepted too).
Id = NewType("Id", object)


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
            raise _BadValueError(_words(cls), value)
        return generated(value, type_)

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    conv.register_structure_hook(Id, lambda value, _type: read_id(value))
    conv.register_structure_hook(int, lambda value, _type: read_int(value))
    conv.register_structure_hook_factory(_is_list, lambda t: _list_hook(conv, t))
    conv.register_structure_hook_factory(attrs.has, lambda t: _object_hook(conv, t))
    return conv


#: The ``cattrs`` converter of create-fulfillment requests.
converter: Final = _make_converter()

_WORDS: Final = {Id: EXPECTED[read_id], int: EXPECTED[read_int]}


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
            yield from _leaves(sub, join(path, attribute.name), attribute.type)
        for sub in unnoted:
            yield from _leaves(sub, path, None)
    else:
        yield path, exc, type_


def _words(type_: Any) -> str:
    if attrs.has(type_):
        return "an object with " + ", ".join(field.name for field in attrs.fields(type_))
    if getattr(type_, "__origin__", None) is list:
        return "a list"
    return _WORDS.get(type_, getattr(type_, "__name__", str(type_)))


def _reason(exc: BaseException, type_: Any) -> tuple[str, object]:
    if isinstance(exc, _BadValueError):
        return str(exc), exc.value
    if isinstance(exc, KeyError):
        return f"missing, expected {_words(type_)}", None
    return f"unreadable ({exc}), expected {_words(type_)}", None


def structure(payload: object, cls: type[Any]) -> Any:
    """Structure ``payload`` into ``cls``; a problem raises PayloadError at its path.

    The first problem names the path; the message lists the others too.
    """
    if not isinstance(payload, Mapping):
        raise PayloadError("", f"got {_show(payload)}, expected {_words(cls)}", value=payload)
    try:
        return converter.structure(payload, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        problems = [(path, *_reason(leaf, type_)) for path, leaf, type_ in _leaves(exc, "", None)]
        raise payload_error(problems) from exc
