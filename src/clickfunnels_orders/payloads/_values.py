"""Leaf values of API objects: what each key's JSON value may be, read and written.

Each reader calls the library's one rule for that value (:mod:`clickfunnels_orders._values`),
recognising the common, plainly valid case inline first, and reports a refusal as a
:class:`_BadValueError`, which the object's reader turns into a ``PayloadError`` with the
offending key's path. Writers give each value in the API's canonical form.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Final, TypeVar

from dateutil.parser import isoparse

from clickfunnels_orders._values import (
    MAX_INT,
    MONEY_EXPECTED,
    to_api_id,
    to_json_money,
)
from clickfunnels_orders.errors import OrdersError, shown

E = TypeVar("E", bound=enum.StrEnum)

# -- values: reading and writing ----------------------------------------------------------


class _BadValueError(ValueError):
    """Raised by a reader: ``value`` is not what the field ``expected``."""

    def __init__(self, expected: str, value: object) -> None:
        self.expected = expected
        self.value = value
        super().__init__(f"got {_show(value)}, expected {expected}")


def _show(value: object) -> str:
    return f"{shown(value)} ({type(value).__name__})"


_TIMESTAMP_EXAMPLE: Final = "2025-04-21T14:47:47.000Z"


def parse_moment(value: object) -> dt.datetime:
    """Read an API timestamp (ISO 8601 with an offset, as ``2025-04-21T14:47:47.000Z``).

    Returns:
        The moment as an aware ``datetime`` in UTC. An aware ``datetime`` is accepted too.

    Raises:
        ValueError: for anything else, including a timestamp without an offset.
    """
    if type(value) is str:
        # The standard library reads the API's own form fifty times faster than dateutil;
        # dateutil reads the rest of ISO 8601 (week dates, ordinal dates, "24:00").
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            moment = _isoparse(value)
    elif isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        moment = _isoparse(value)
    else:
        raise _BadValueError(f"a timestamp such as {_TIMESTAMP_EXAMPLE!r}", value)
    if moment.tzinfo is dt.UTC:
        return moment
    try:
        offset = moment.utcoffset()
    except (TypeError, ValueError, OverflowError):
        offset = None  # a tzinfo whose utcoffset fails gives no instant
    if offset is None:
        raise _BadValueError(f"a timestamp with an offset, such as {_TIMESTAMP_EXAMPLE!r}", value)
    try:
        # The entity holds moments to the library's rule (to_moment): aware, and within
        # the calendar in UTC, which this conversion proves.
        return moment.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise _BadValueError("a timestamp within the years 1 to 9999 in UTC", value) from None


def _isoparse(value: str) -> dt.datetime:
    try:
        return isoparse(value)
    except (ValueError, OverflowError, TypeError):
        raise _BadValueError(f"a timestamp such as {_TIMESTAMP_EXAMPLE!r}", value) from None


def dump_moment(moment: dt.datetime) -> str:
    """Write a moment in the API's form: UTC, milliseconds, ``Z`` (``2025-04-21T14:47:47.000Z``).

    Digits beyond milliseconds are dropped (truncated), as the API has none.
    """
    utc = moment if moment.tzinfo is dt.UTC else moment.astimezone(dt.UTC)
    # isoformat pads the year to four digits and truncates to milliseconds, as the API.
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def is_canonical_moment(text: str) -> bool:
    """Whether ``text``, read as a timestamp, is exactly what :func:`dump_moment` writes of it.

    Decided by its layout alone (``YYYY-MM-DDTHH:MM:SS.mmmZ`` in ASCII): both parsers read
    such a text field by field, so writing the moment back gives the same characters.
    """
    return (
        len(text) == 24
        and text[23] == "Z"
        and text[19] == "."
        and text[16] == ":"
        and text[13] == ":"
        and text[10] == "T"
        and text[7] == "-"
        and text[4] == "-"
        and text.isascii()
    )


def read_money(value: object) -> Decimal:
    """Read an amount: the library's one money rule, plus decoded JSON's floats."""
    try:
        return to_json_money(value, "amount")
    except OrdersError as exc:
        expected = getattr(exc, "expected", MONEY_EXPECTED)
        raise _BadValueError(expected, value) from None


def _dump_money(amount: Decimal) -> str:
    return format(amount, "f")


#: Amount texts seen spelled as the API spells them, with their amounts: a stream of
#: payloads repeats its prices, and reading a known one is a dict look-up. Bounded, so
#: that a stream of ever new amounts does not grow it without end.
_CANONICAL_AMOUNTS: Final[dict[str, Decimal]] = {}
_MAX_AMOUNTS: Final = 4096


def canonical_amount(value: object) -> Decimal | None:
    """The amount of a text the API's own writer would give (``"9.99"``), else ``None``.

    ``None`` leaves the value to :func:`read_money` and the reader's spelling check,
    which decide everything else (other spellings, numbers, refusals).
    """
    if type(value) is not str:
        return None
    amount = _CANONICAL_AMOUNTS.get(value)
    if amount is None:
        try:
            amount = read_money(value)
        except _BadValueError:
            return None
        if _dump_money(amount) != value:
            return None
        if len(_CANONICAL_AMOUNTS) < _MAX_AMOUNTS:
            _CANONICAL_AMOUNTS[value] = amount
    return amount


def read_id(value: object) -> int | str:
    """Read an id: an int of 64 bits (a str is accepted too), never a bool."""
    if type(value) is int and -MAX_INT <= value <= MAX_INT:
        return value
    try:
        return to_api_id(value, "id")
    except OrdersError:
        raise _BadValueError("an id (an int)", value) from None


def read_int(value: object) -> int:
    """Read a JSON integer (a bool is no integer here)."""
    if type(value) is int:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadValueError("an integer", value)
    return int(value)


def read_bool(value: object) -> bool:
    """Read a JSON boolean."""
    if type(value) is not bool:
        raise _BadValueError("true or false", value)
    return value


def read_str(value: object) -> str:
    """Read a JSON string."""
    if not isinstance(value, str):
        raise _BadValueError("a string", value)
    return value


def enum_reader(enum_cls: type[E]) -> Callable[[object], E]:
    """Return the reader of ``enum_cls``'s values, saying which are allowed."""
    values = {member.value: member for member in enum_cls}
    expected = "one of " + ", ".join(values)

    def read(value: object) -> E:
        member = values.get(value) if type(value) is str else None
        if member is None:
            raise _BadValueError(expected, value)
        return member

    EXPECTED[read] = expected
    return read


#: What each reader expects, in words, for a key that is missing.
EXPECTED: Final[dict[Callable[[object], object], str]] = {
    read_money: MONEY_EXPECTED,
    read_id: "an id (an int)",
    read_int: "an integer",
    read_bool: "true or false",
    read_str: "a string",
    parse_moment: f"a timestamp such as {_TIMESTAMP_EXAMPLE!r}",
}
