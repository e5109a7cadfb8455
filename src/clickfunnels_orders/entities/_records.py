"""Entities as plain records: the ``Change`` history record and ``to_record()``.

Both exist for the ecosystem around the library: ``attrs.asdict(entity)`` recurses into
``history`` because ``Change`` is an attrs class (a ``NamedTuple`` made ``asdict``
rebuild it from a list, which fails), and ``to_record()`` gives the flat row that
``pandas.DataFrame([...])`` wants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

import attrs

__all__ = ["Change", "Record"]


@attrs.frozen(order=True)
class Change:
    """One event in an entity's history: what happened, from where to where, and when.

    Built positionally or by keyword, compared and ordered by value, and unpacked like
    the tuple it once was (``event, source, dest, at = change``).

    Attributes:
        event: the event's name (``"pay"``).
        source: the status before the event.
        dest: the status after it.
        at: the aware moment it happened.
    """

    event: str
    source: str
    dest: str
    at: dt.datetime

    def __iter__(self) -> Iterator[Any]:
        """Yield ``event, source, dest, at``, so a change unpacks as a 4-tuple does."""
        return iter((self.event, self.source, self.dest, self.at))


#: Fields that are not scalar fields of the API contract: collections and carried keys.
_NOT_IN_RECORDS = frozenset({"history", "line_items", "lines", "extra", "spelling"})


class Record:
    """Mixin for the attrs entities: ``to_record()``, one flat ``dict`` of scalar fields."""

    _record_fields: ClassVar[tuple[str, ...]]

    def to_record(self) -> dict[str, Any]:
        """Return the entity's scalar fields as a flat ``dict``, for tables and pandas.

        Values are as the entity holds them (``Decimal`` money, aware ``datetime``s, the
        status enums); collections (line items, lines, history), the payload fields
        carried along untouched (``extra``) and their ``spelling`` are left out. Keys
        follow the field order.
        """
        cls: Any = type(self)  # an attrs class: the mixin is only ever mixed into one
        names = cls.__dict__.get("_record_fields")
        if names is None:
            names = tuple(
                field.name
                for field in attrs.fields(cls)
                if field.name not in _NOT_IN_RECORDS and not field.name.startswith("_")
            )
            cls._record_fields = names
        state = self.__dict__
        return {name: state[name] for name in names}
