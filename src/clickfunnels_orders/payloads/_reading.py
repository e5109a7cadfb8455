"""What every object's reader shares: keys read with their paths, problems gathered.

An object's reader (:mod:`._read`) asks an :class:`ObjectReader` for each key the model
reads. The reader gives the value read, or records the problem at the key's path and
gives ``None``, so one pass over a payload finds every problem: the first names the
error's path and the others are listed in its message. It also notes each value the
payload spelled otherwise than the API's canonical form, which becomes the entity's
:class:`~clickfunnels_orders._spelling.Spelling`, and copies what the model does not read
into the entity's ``extra``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

from clickfunnels_orders._json import freeze_rest, json_leaf
from clickfunnels_orders._spelling import Mark, Spelling
from clickfunnels_orders._values import MAX_INT, FrozenJson
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError, PayloadError
from clickfunnels_orders.payloads._values import (
    EXPECTED,
    _BadValueError,
    _dump_money,
    _show,
    canonical_amount,
    dump_moment,
    is_canonical_moment,
    parse_moment,
    read_id,
    read_money,
)

T = TypeVar("T")
K = TypeVar("K", bound=tuple[object, ...])

ABSENT: Final = Mark.ABSENT
TUPLE: Final = Mark.TUPLE

_MISSING: Final = object()
#: The key orders of the nested objects an object's model reads from, by path.
Nesting = tuple[tuple[str, tuple[str, ...]], ...]
#: A problem: the path, what is wrong, and the value found there.
Problem = tuple[str, str, object]


def join(prefix: str, key: str) -> str:
    """The path of ``key`` inside the object at ``prefix`` (``line_items[0].quantity``)."""
    if not prefix:
        return key
    return prefix + key if key.startswith("[") else f"{prefix}.{key}"


class ApiExtra(FrozenJson):
    """The payload fields an entity does not use, carried along untouched.

    A :class:`~clickfunnels_orders._values.FrozenJson`: read-only, handing out copies, and
    equal to any mapping with the same items, so an entity read from a payload equals one
    built by hand with the same values.
    """

    __slots__ = ("containers", "flat")

    def __init__(self, fields: Mapping[str, Any], path: str = "") -> None:
        """Keep a checked copy of ``fields``; ``path`` is where they sit, for errors."""
        # Frozen as a payload's carried keys are (an unpickled extra comes this way).
        self._fields, self.containers, self.flat = freeze_rest(fields, frozenset(), path)

    @classmethod
    def adopt(
        cls, frozen: dict[str, Any], containers: tuple[str, ...], flat: tuple[str, ...]
    ) -> ApiExtra:
        """Wrap a dict frozen already (by :func:`~clickfunnels_orders._json.freeze_rest`).

        ``containers``: the keys whose values are objects or arrays (the rest are
        leaves); ``flat``: those of them that are objects holding only leaves.
        """
        extra = cls.__new__(cls)
        extra._fields = frozen
        extra.containers = containers
        extra.flat = flat
        return extra


#: Shapes seen (key orders), so that payloads of one shape share one tuple. Bounded: a
#: stream of payloads of ever new shapes must not grow it without end.
_SHAPES: dict[tuple[str, ...], tuple[str, ...]] = {}
_MAX_SHAPES: Final = 4096
#: Spellings of objects with nothing unusual (most lines), shared; keyed by the key
#: orders of the object and of its nested objects, so a payload of a shape seen before
#: finds its spelling in one look-up.
_PLAIN: dict[tuple[tuple[str, ...], Nesting], Spelling] = {}
_NESTINGS: dict[Nesting, Nesting] = {}


def _interned(cache: dict[K, K], value: K) -> K:
    """Return the one shared object equal to ``value`` (``value`` itself once full)."""
    shared = cache.get(value)
    if shared is None:
        if len(cache) >= _MAX_SHAPES:
            return value
        shared = cache[value] = value
    return shared


def shape(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Return the one shared tuple equal to ``keys``."""
    return _interned(_SHAPES, keys)


def spelling_of(
    keys: tuple[str, ...],
    nested: Nesting,
    written: tuple[tuple[str, object, object], ...],
    basis: object = None,
) -> Spelling:
    """Return the spelling of an object, shared with others of its shape where it can be.

    ``keys``: the object's key order as read; ``nested``: the key orders of the nested
    objects the model reads from, by path.
    """
    plain = not written and basis is None
    if plain:
        shared = _PLAIN.get((keys, nested))
        if shared is not None:
            return shared
    keys = shape(keys)
    if nested:
        nested = _interned(_NESTINGS, tuple((path, shape(inner)) for path, inner in nested))
    spelling = Spelling(keys, nested, written, basis)
    if plain and len(_PLAIN) < _MAX_SHAPES:
        _PLAIN[keys, nested] = spelling
    return spelling


def is_shared(spelling: Spelling) -> bool:
    """Whether ``spelling`` is one of the shared ones, kept for as long as the program runs."""
    return _PLAIN.get((spelling.keys, spelling.nested)) is spelling


class ObjectReader:
    """Reads the keys of one API object, gathering every problem with its path.

    Attributes:
        raw: the object as decoded.
        path: where it sits in the payload (``""`` at the top, ``line_items[0]``).
        problems: shared with the readers of the objects around it.
        unusual: ``(path, value as written)`` of each value read that the payload spelled
            otherwise than canonically, relative to the entity's own object.
    """

    __slots__ = ("base", "path", "problems", "raw", "unusual")

    def __init__(
        self, raw: Mapping[str, Any], path: str, problems: list[Problem], base: str = ""
    ) -> None:
        self.raw = raw
        self.path = path
        self.problems = problems
        self.base = base  # the path inside the entity's own object, for the spelling
        self.unusual: list[tuple[str, object]] = []

    @classmethod
    def of(cls, payload: object, path: str, what: str) -> ObjectReader:
        """The reader of a whole payload, ``what`` it should be (``"an order"``).

        Raises:
            PayloadError: at ``path``, for a payload that is not an object.
        """
        return cls(the_object(payload, path, what), path, [])

    def need(self, key: str, read: Callable[[object], T]) -> T | None:
        """Read a key the object must have (``None`` when it is wrong, problem noted)."""
        value = self.raw.get(key, _MISSING)
        if value is _MISSING:
            self.problems.append(
                (join(self.path, key), f"missing, expected {EXPECTED[read]}", None)
            )
            return None
        try:
            return read(value)
        except _BadValueError as bad:
            self.problems.append((join(self.path, key), str(bad), bad.value))
            return None

    def id(self, key: str) -> object:
        """Read an id the object must have, as ``need(key, read_id)``; common case inline."""
        value = self.raw.get(key)
        if type(value) is int and -MAX_INT <= value <= MAX_INT:
            return value  # the API's own ids: an int of 64 bits
        return self.need(key, read_id)

    def may(
        self, key: str, read: Callable[[object], T], *, null_is_default: bool = False
    ) -> T | None:
        """Read a key the object may lack or hold ``null`` in (then ``None``).

        ``null_is_default``: the entity reads ``None`` as a default of its own, which the
        writer would write out, so a ``null`` (as an absence) is remembered.
        """
        value = self.raw.get(key, _MISSING)
        if value is _MISSING:
            self.unusual.append((join(self.base, key), ABSENT))
            return None
        if value is None:
            if null_is_default:
                self.unusual.append((join(self.base, key), None))
            return None
        try:
            return read(value)
        except _BadValueError as bad:
            self.problems.append((join(self.path, key), str(bad), bad.value))
            return None

    def money(self, key: str, *, optional: bool = False) -> Decimal | None:
        """Read an amount, noting a spelling other than the API's (``19`` for ``"19.00"``)."""
        amount = canonical_amount(self.raw.get(key))
        if amount is not None:
            return amount  # the common case: spelled as the API spells it
        amount = (
            self.may(key, read_money, null_is_default=True)
            if optional
            else self.need(key, read_money)
        )
        if amount is not None:
            self.spelled_as(key, amount)
        return amount

    def spelled_as(self, key: str, amount: Decimal) -> None:
        """Note the payload's spelling at ``key`` unless it is ``amount``'s canonical one."""
        raw = self.raw[key]
        if type(raw) is not str or _dump_money(amount) != raw:
            self.unusual.append((join(self.base, key), json_leaf(raw)))

    def moment(self, key: str) -> Any:
        """Read an optional timestamp, noting a spelling other than the API's."""
        raw = self.raw.get(key)
        if type(raw) is str and is_canonical_moment(raw):
            # The API's own form, which the standard library reads straight to UTC.
            try:
                moment = dt.datetime.fromisoformat(raw)
            except ValueError:  # out of the calendar: left to the full reading below
                moment = None
            if moment is not None and moment.tzinfo is dt.UTC:
                return moment
        elif raw is None and key in self.raw:
            return None  # null: no moment, as written
        moment = self.may(key, parse_moment)
        if moment is not None:
            raw = self.raw[key]
            if type(raw) is str and not is_canonical_moment(raw) and dump_moment(moment) != raw:
                self.unusual.append((join(self.base, key), raw))
        return moment

    def nested(self, key: str) -> ObjectReader | None:
        """The reader of a nested object the model reads from (``products_variant``)."""
        value = self.raw.get(key, _MISSING)
        path = join(self.path, key)
        if type(value) is dict or isinstance(value, Mapping):
            return ObjectReader(value, path, self.problems, join(self.base, key))
        if value is _MISSING:
            self.problems.append((path, "missing, expected an object", None))
        else:
            self.problems.append((path, f"got {_show(value)}, expected an object", value))
        return None

    def items(self, key: str, *, optional: bool) -> list[tuple[str, Mapping[str, Any]]]:
        """The objects of a list key, with their paths (a null or absent optional one: none)."""
        value = self.raw.get(key, _MISSING)
        path = join(self.path, key)
        if value is _MISSING or value is None:
            if optional:
                self.unusual.append((join(self.base, key), ABSENT if value is _MISSING else None))
                return []
            reason = (
                "missing, expected a list" if value is _MISSING else "got None, expected a list"
            )
            self.problems.append((path, reason, None))
            return []
        if type(value) is not list:
            if not isinstance(value, list | tuple):
                self.problems.append((path, f"got {_show(value)}, expected a list", value))
                return []
            if isinstance(value, tuple):
                self.unusual.append((join(self.base, key), TUPLE))
        found = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            if type(item) is dict or isinstance(item, Mapping):
                found.append((where, item))
            else:
                self.problems.append((where, f"got {_show(item)}, expected an object", item))
        return found


def payload_error(problems: list[Problem]) -> PayloadError:
    """One PayloadError for every problem found: the first's path, the others named."""
    path, reason, value = problems[0]
    if len(problems) > 1:
        others = ", ".join(p or "<payload>" for p, _, _ in problems[1:4])
        more = f" and {len(problems) - 4} more" if len(problems) > 4 else ""
        reason = f"{reason} (also wrong: {others}{more})"
    return PayloadError(path, reason, value=value)


def the_object(payload: object, path: str, what: str) -> Mapping[str, Any]:
    """Return ``payload`` if it is an object (a mapping), else raise at ``path``."""
    if type(payload) is dict or isinstance(payload, Mapping):
        return payload
    raise PayloadError(
        path, f"got {_show(payload)}, expected {what} (a JSON object)", value=payload
    )


def construct(
    cls: Callable[..., T], kwargs: dict[str, Any], renames: Mapping[str, str], prefix: str
) -> T:
    """Build an entity, turning its complaints into PayloadErrors at payload paths."""
    try:
        return cls(**kwargs)
    except (InvalidValueError, InvalidTypeError) as exc:
        path = ".".join(_rename(part, renames) for part in exc.field.split("."))
        reason = f"got {_show(exc.value)}, expected {exc.expected}"
        raise PayloadError(join(prefix, path), reason, value=exc.value) from exc


def _rename(part: str, renames: Mapping[str, str]) -> str:
    name, bracket, index = part.partition("[")
    return renames.get(name, name) + bracket + index
