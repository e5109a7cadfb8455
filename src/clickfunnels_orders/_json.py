"""Decoded JSON carried along: numbers that stay exact, and values that stay JSON.

The API's objects hold more than the model reads, and those fields are carried along
untouched (:class:`~clickfunnels_orders._values.FrozenJson`). Whatever they held when
they arrived, they must go back out as data ``json.dumps`` writes: a body decoded with
``parse_float=Decimal`` (exact, as money needs) holds ``Decimal`` numbers, which
``json.dumps`` refuses. :func:`freeze_json` therefore copies carried JSON once, checks
that every value is one JSON can hold, and turns each ``Decimal`` into a
:class:`JsonNumber`: a ``float`` (so ``json.dumps`` writes a number) that remembers the
exact decimal it was read from (so it still equals the payload's value, and money read
from it is exact).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, Self

from clickfunnels_orders.errors import PayloadError, shown

__all__ = [
    "CONTAINERS",
    "MAX_JSON_DEPTH",
    "JsonNumber",
    "Rest",
    "freeze_json",
    "freeze_rest",
    "json_leaf",
]

#: How deep carried JSON may nest, counting the object that carries it as the first
#: level. The API's objects nest a handful of levels; a bound fixed here (rather than
#: the interpreter's stack, which depends on the caller) makes copying, comparing and
#: pickling an entity safe wherever it happens.
MAX_JSON_DEPTH: Final = 64
#: The widest integer carried: ``json.dumps`` cannot write one of more than 4,300 digits
#: (the interpreter's limit on int-to-text conversion), and 13,000 bits is about 3,900.
_MAX_INT_BITS: Final = 13_000
_EXPECTED: Final = "a JSON value (an object, array, string, number, true, false or null)"


class JsonNumber(float):
    """A JSON number read as a ``Decimal``, carried as a ``float`` that remembers it.

    ``json.dumps`` writes it as a number (the shortest decimal of the float, which is the
    literal as written for up to 15 significant digits). It compares equal to the exact
    ``Decimal`` it was read from, to another ``JsonNumber`` of that value, and, as a
    float, to floats. Its hash is its exact value's, as ``Decimal``'s and ``int``'s are
    for the numbers they share.

    Attributes:
        exact: the ``Decimal`` it was read from.
    """

    __slots__ = ("exact",)
    exact: Decimal

    def __new__(cls, exact: Decimal) -> Self:
        number = super().__new__(cls, exact)
        number.exact = exact
        return number

    def __eq__(self, other: object) -> bool:
        if isinstance(other, JsonNumber):
            return self.exact == other.exact
        if isinstance(other, Decimal):
            return self.exact == other
        return float.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self.exact)

    def __reduce__(self) -> tuple[type[JsonNumber], tuple[Decimal]]:
        # float's own reduction would rebuild it from the float, losing the exact value.
        return (JsonNumber, (self.exact,))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def json_leaf(value: object) -> object:
    """Return an amount as decoded JSON held it, ready for ``json.dumps``.

    A ``Decimal`` (a body decoded with ``parse_float=Decimal``) becomes the
    :class:`JsonNumber` of it; anything else is returned as it is. Only amounts the money
    rule accepted reach it (finite, of at most 30 digits), which a float always holds.
    """
    return JsonNumber(value) if isinstance(value, Decimal) else value


def freeze_json(value: Any, path: str = "", depth: int = 1) -> Any:
    """Return a checked copy of decoded JSON: the copy :class:`FrozenJson` keeps.

    Mappings are copied as dicts and lists and tuples as themselves (a payload given with
    tuples comes back with tuples); strings, ints, floats, bools and ``None`` are kept;
    a ``Decimal`` becomes a :class:`JsonNumber`.

    Args:
        value: the decoded JSON.
        path: where ``value`` sits, for errors (``notes.tags[0]``).
        depth: the level ``value`` is at (the carrying object is level 1).

    Raises:
        PayloadError: naming the path of a value JSON cannot hold (another type, a key
            that is not a string, a NaN or infinite ``Decimal``, an int too wide to write)
            or of a container nested deeper than :data:`MAX_JSON_DEPTH`.
    """
    try:
        return _freeze(value, depth)
    except _RefusalError as refusal:
        raise _refused(refusal, path) from None


def freeze_rest(
    value: Mapping[str, Any], read: frozenset[str], path: str = "", depth: int = 1
) -> Rest:
    """Return a checked copy of the object ``value`` without its keys in ``read``.

    What an entity carries of its payload (its ``extra``): :func:`freeze_json` of the keys
    the model does not read, copied once. ``depth`` is the level the object sits at in
    the entity's ``extra`` (1 for the entity's own object).

    Raises:
        PayloadError: as :func:`freeze_json` does.
    """
    if type(value) is dict:
        rest = value.copy()
        for key in read:
            rest.pop(key, None)
    else:
        rest = {key: item for key, item in value.items() if key not in read}
    containers: list[str] = []
    flat: list[str] = []
    try:
        if set(map(type, rest)) <= _TEXT:
            _freeze_in_place(rest, depth + 1, containers, flat)
            return rest, tuple(containers), tuple(flat)
        rest = _freeze_object(rest, depth + 1, containers)
    except _RefusalError as refusal:
        raise _refused(refusal, path) from None
    return rest, tuple(containers), ()


#: What :func:`freeze_rest` gives: the checked copy; the keys whose values are objects
#: or arrays (the rest are leaves); those of them that are objects of leaves only, which
#: a later copy takes whole, in one step.
Rest = tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]


#: The containers frozen JSON holds (objects as dicts; arrays as lists, or tuples when
#: they came as tuples).
CONTAINERS: Final = frozenset({dict, list, tuple})


def _refused(refusal: _RefusalError, path: str) -> PayloadError:
    # The path is spelled only for a refusal: building it for every value would cost
    # more than the copy.
    where = path
    for step in reversed(refusal.trail):
        where = f"{where}[{step}]" if isinstance(step, int) else _join(where, step)
    return PayloadError(where, refusal.reason, value=refusal.value)


class _RefusalError(Exception):
    """A value :func:`freeze_json` refuses; ``trail`` gathers its path on the way out."""

    def __init__(self, reason: str, value: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.value = value
        self.trail: list[str | int] = []


def _freeze(value: Any, depth: int) -> Any:
    """Freeze a value at level ``depth`` (its container's level plus one)."""
    kind = type(value)
    if kind is dict or kind is list or isinstance(value, Mapping | list | tuple):
        if depth > MAX_JSON_DEPTH:
            raise _RefusalError(
                f"nested deeper than {MAX_JSON_DEPTH} levels, expected an API object", None
            )
        if kind is dict or isinstance(value, Mapping):
            return _freeze_object(value, depth + 1)
        return _freeze_array(value, depth + 1)
    return _freeze_leaf(value)


#: The leaves kept as they are, recognised inline by type: most carried values are these.
_LEAVES: Final = frozenset({str, bool, float, type(None)})
_TEXT: Final = frozenset({str})


def _freeze_leaf(value: object) -> object:
    if type(value) in _LEAVES:
        return value
    if isinstance(value, int):
        if value.bit_length() > _MAX_INT_BITS:
            raise _RefusalError(
                "got an int too wide to write, expected at most 3,900 digits", value
            )
        return value
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str | float):  # subclasses: a StrEnum, a JsonNumber
        return value
    raise _RefusalError(f"got {shown(value)} ({type(value).__name__}), expected {_EXPECTED}", value)


def _number(value: Decimal) -> JsonNumber:
    if value.is_finite():
        number = JsonNumber(value)
        if number - number == 0:  # finite as a float too: 1E+400 is not
            return number
    raise _RefusalError(f"got {shown(value)}, expected a finite JSON number", value)


def _text_key(key: object) -> str:
    if type(key) is not str:
        raise _RefusalError(
            f"got the key {shown(key)}, expected a string (JSON keys are text)", key
        )
    return key


def _freeze_object(
    value: Mapping[Any, Any], depth: int, containers: list[str] | None = None
) -> dict[str, Any]:
    if type(value) is dict and set(map(type, value)) <= _TEXT:
        return _freeze_in_place(value.copy(), depth, containers)
    frozen = {}
    key: object = None
    try:
        for key, item in value.items():
            text = _text_key(key)
            frozen[text] = frozen_item = _freeze(item, depth)
            if containers is not None and type(frozen_item) in CONTAINERS:
                containers.append(text)
    except _RefusalError as refusal:
        refusal.trail.append(key if type(key) is str else shown(key))
        raise
    return frozen


def _freeze_in_place(
    frozen: dict[str, Any],
    depth: int,
    containers: list[str] | None = None,
    flat: list[str] | None = None,
) -> dict[str, Any]:
    """Freeze the values of a fresh copy with text keys, in place: the common case.

    Written out for speed: this runs on every value an entity carries. Replacing a value
    while iterating is safe, as the dict keeps its size. The keys of nested containers
    are added to ``containers`` when it is given, and those of nested objects holding
    only leaves to ``flat`` too.
    """
    key = ""
    try:
        for key, item in frozen.items():
            kind = type(item)
            if kind in _LEAVES:
                continue
            if kind is int:
                if item.bit_length() > _MAX_INT_BITS:
                    _freeze_leaf(item)
                continue
            if flat is not None and kind is dict and depth <= MAX_JSON_DEPTH:
                inner: list[str] = []
                frozen[key] = frozen_item = _freeze_object(item, depth + 1, inner)
                if not inner:
                    flat.append(key)
            else:
                frozen[key] = frozen_item = _freeze(item, depth)
            if containers is not None and type(frozen_item) in CONTAINERS:
                containers.append(key)
    except _RefusalError as refusal:
        refusal.trail.append(key)
        raise
    return frozen


def _freeze_array(value: list[Any] | tuple[Any, ...], depth: int) -> list[Any] | tuple[Any, ...]:
    items = list(value)
    index = 0
    try:
        for index, item in enumerate(items):
            kind = type(item)
            if kind in _LEAVES:
                continue
            if kind is int:
                if item.bit_length() > _MAX_INT_BITS:
                    _freeze_leaf(item)
                continue
            items[index] = _freeze(item, depth)
    except _RefusalError as refusal:
        refusal.trail.append(index)
        raise
    return tuple(items) if isinstance(value, tuple) else items
