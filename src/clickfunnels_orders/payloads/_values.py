"""Leaf values of API objects: what each key's JSON value may be, read and written.

Each structure hook calls the library's one rule for that value (:mod:`clickfunnels_orders._values`)
and reports a refusal as a :class:`_BadValueError`, which the reader turns into a
``PayloadError`` with the offending key's path.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Final, NewType, get_args, get_origin

import attrs
from dateutil.parser import isoparse

from clickfunnels_orders._values import (
    MONEY_EXPECTED,
    to_api_id,
    to_json_money,
    to_moment,
)
from clickfunnels_orders.errors import (
    OrdersError,
)

#: An id as the API sends it: an int (a str is accepted too).
Id = NewType("Id", object)


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
    try:
        to_moment(moment, "timestamp")  # the library's one rule for moments: aware
    except OrdersError:
        raise _BadValueError(
            f"a timestamp with an offset, such as {_TIMESTAMP_EXAMPLE!r}", value
        ) from None
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
    # The library's one money rule, plus decoded JSON's floats (read from their repr).
    try:
        return to_json_money(value, "amount")
    except OrdersError as exc:
        expected = getattr(exc, "expected", MONEY_EXPECTED)
        raise _BadValueError(expected, value) from None


def _dump_money(amount: Decimal) -> str:
    return format(amount, "f")


def _structure_moment(value: object, _type: object) -> dt.datetime:
    return parse_moment(value)


def _structure_id(value: object, _type: object) -> object:
    try:
        return to_api_id(value, "id")
    except OrdersError:
        raise _BadValueError("an id (an int)", value) from None


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
