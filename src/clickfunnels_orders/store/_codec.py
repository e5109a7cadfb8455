"""How the store writes what it keeps: exact JSON, id keys and moments as text.

``json.dumps`` cannot write a ``Decimal``, and :func:`parse_webhook` decodes every JSON
fraction as one, so the store carries its own small encoder. It writes a ``Decimal`` as
the JSON number it reads back as (``parse_float=Decimal`` gives the same digits, the
same exponent), so what is kept is exactly what was delivered.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Hashable, Mapping
from decimal import Decimal
from typing import Any

from clickfunnels_orders._json import JsonNumber
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError

__all__ = ["dump_json", "dump_key", "dump_moment", "load_json", "load_key", "load_moment"]

_string = json.encoder.encode_basestring_ascii


def _number(value: Decimal, where: str) -> str:
    if not value.is_finite():
        raise InvalidValueError(where, value, "a finite number (JSON has no NaN or Infinity)")
    text = str(value)
    # A Decimal written without a point or an exponent would read back as an int.
    return text if any(mark in text for mark in ".eE") else f"{text}E0"


def _write(value: object, parts: list[str], where: str) -> None:  # noqa: C901, PLR0912  because one branch per JSON type reads best
    if value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, str):
        parts.append(_string(value))
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, Decimal):
        parts.append(_number(value, where))
    elif isinstance(value, JsonNumber):  # a number read exactly: its digits, not the float's
        parts.append(_number(value.exact, where))
    elif isinstance(value, float):
        parts.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, Mapping):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise InvalidTypeError(f"{where} key", key, "a str (JSON object keys are text)")
            if index:
                parts.append(",")
            parts.append(_string(key))
            parts.append(":")
            _write(item, parts, f"{where}.{key}" if where else key)
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts, f"{where}[{index}]")
        parts.append("]")
    else:
        raise InvalidTypeError(where or "data", value, "JSON data (str, int, Decimal, ...)")


def dump_json(value: object) -> str:
    """Write decoded JSON as text, ``Decimal`` as exact JSON numbers.

    Raises:
        InvalidTypeError: for a value JSON cannot hold (its path is the field).
        InvalidValueError: for a ``Decimal`` NaN or infinity.
    """
    parts: list[str] = []
    _write(value, parts, "")
    return "".join(parts)


def load_json(text: str) -> Any:
    """Read what :func:`dump_json` wrote: fractions come back as the same ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def dump_key(value: Hashable, field: str = "id") -> str:
    """Write an id (an ``int`` or a ``str``, as the API's are) as a key that keeps its type.

    Raises:
        InvalidTypeError: for another kind of id.
    """
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return dump_json(value)
    raise InvalidTypeError(field, value, "an int or a str id, as the API uses")


def load_key(text: str) -> Hashable:
    """Read a key written by :func:`dump_key`."""
    value: Hashable = json.loads(text)
    return value


def dump_moment(moment: dt.datetime) -> str:
    """Write an aware moment as fixed-width UTC text, so text order is time order."""
    utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="microseconds") + "Z"


def load_moment(text: str) -> dt.datetime:
    """Read a moment written by :func:`dump_moment`."""
    return dt.datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=dt.UTC)
