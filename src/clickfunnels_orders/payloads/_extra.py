"""Carried-along fields: what an entity does not use of its payload, kept untouched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from clickfunnels_orders._values import FrozenJson

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

    def __init__(
        self, fields: Mapping[str, Any], source: _Source | None = None, path: str = ""
    ) -> None:
        """Keep a checked copy of ``fields``; ``path`` is where they sit, for errors."""
        super().__init__(fields, path)
        self._source = source

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._fields, self._source))


def _carried(extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """The checked fields a :class:`FrozenJson` keeps, to copy once when writing."""
    return extra._fields if isinstance(extra, FrozenJson) else extra


def _source_of(extra: Mapping[str, Any]) -> _Source | None:
    return extra._source if isinstance(extra, ApiExtra) else None  # noqa: SLF001  because ApiExtra is this module's own class
