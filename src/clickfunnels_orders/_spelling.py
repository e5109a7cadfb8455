"""How a payload wrote what the model read, so that writing it back loses nothing.

An entity read from an API object holds its fields (``Decimal`` money, aware moments,
status enums) and carries what it does not read in ``extra``. Writing it back must give
the same object: the same keys, in the same order, each value as the payload spelled it
while it is still the value read. Most of that follows from the fields themselves (the
API's own forms are the canonical ones: ``"9.99"``, ``"2025-04-21T14:47:47.000Z"``), so
a :class:`Spelling` keeps only what does not: the key order, the values whose spelling
differs from the canonical one (``"+01:00"`` offsets, ``19`` for ``"19.00"``, a ``null``
the entity reads as a default), and what the keys the API derives were derived from.

It is an entity field of its own (``spelling``), not compared, not shown, and carried
through every event. The payload layer writes and reads it; the core only keeps it.
"""

from __future__ import annotations

import enum
from typing import Final

import attrs

__all__ = ["NO_WRITTEN", "Mark", "Spelling"]


class Mark(enum.Enum):
    """What a spelling records for a value that has no JSON form of its own.

    An enum, so that the marks survive pickling as themselves (and no string of a
    payload can be taken for one).
    """

    #: The key was absent: it stays absent while its value is what absence reads as.
    ABSENT = "absent"
    #: The list was given as a tuple: it is written back as one.
    TUPLE = "tuple"


#: ``(path, value read, value as written)`` for each read value spelled unusually.
Written = tuple[tuple[str, object, object], ...]
NO_WRITTEN: Final[Written] = ()


@attrs.frozen(slots=True)
class Spelling:
    """What writing an entity back as its payload needs beyond the entity's fields.

    Attributes:
        keys: the payload's keys in its order (a key the model reads that is not here
            was absent). Payloads of one shape share one tuple.
        nested: the key order of each nested object the model reads from
            (``products_variant``), as ``(key, keys)`` pairs.
        written: ``(path, value read, value as written)`` for each value the model reads
            that the payload spelled otherwise than the API's canonical form.
        basis: what the keys the API derives were derived from when read (an invoice's
            status and its lines' facts), or ``None``.
    """

    keys: tuple[str, ...]
    nested: tuple[tuple[str, tuple[str, ...]], ...] = ()
    written: Written = NO_WRITTEN
    basis: object = None
