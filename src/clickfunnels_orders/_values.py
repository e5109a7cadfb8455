"""Exact domain values: money, moments, quantities, currencies and statuses.

Each function takes what a user passed and the field's name, and returns the exact value
or raises an error naming the field, what it got and what it expects.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final, TypeVar

from clickfunnels_orders._json import CONTAINERS, JsonNumber, freeze_json
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError

E = TypeVar("E", bound=enum.StrEnum)

#: Money beyond these magnitudes is not money but a mistake (or an attack on the
#: arithmetic): below 10**30, and not below 10**-30 unless it is zero. Writing an amount
#: out digit by digit is therefore bounded by what was read in. The payload layer reads
#: and writes exactly this range: it calls :func:`to_money`.
MAX_MONEY_DIGITS = 30
MIN_MONEY_EXPONENT = -30
#: A zero has no size, but it keeps its places: at most as many as the library's own
#: arithmetic can give it (the difference of two equal amounts of MONEY_CONTEXT's
#: precision), and an exponent no larger than any amount's.
MIN_ZERO_EXPONENT = -1000
#: The library's own arithmetic on money: wide enough that sums and differences of the
#: amounts it accepts are exact, whatever ``decimal.getcontext()`` says in the caller's
#: thread; a result that would still need rounding raises instead of being rounded.
MONEY_CONTEXT: Final = decimal.Context(
    prec=1000,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-2000,
    Emax=2000,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
#: The widest integer a payload's id or a quantity may be: a signed 64-bit one (the
#: API's are JSON integers; a far wider one cannot even be written out as text).
MAX_INT: Final = 2**63 - 1
#: The most of anything one line may hold.
MAX_QUANTITY: Final = MAX_INT
#: A decimal string longer than this is not an amount (and would be costly to read).
MAX_MONEY_TEXT = 200
#: The words every money refusal ends with.
MONEY_EXPECTED = "a decimal string such as '9.99'"
T = TypeVar("T")


def to_money(value: object, field: str) -> Decimal:
    """Return ``value`` as an exact, finite, non-negative ``Decimal``.

    ``str`` and ``int`` are converted exactly; a ``float`` is refused because it cannot
    hold most cent amounts exactly.

    Raises:
        InvalidTypeError: for a float, a bool or another type.
        InvalidValueError: for a malformed string, NaN, infinity or a negative amount.
    """
    # The common case first: a finite, non-negative Decimal of a sensible size.
    # A zero's adjusted() is its exponent: this bounds its places, as _zero does.
    if (
        type(value) is Decimal
        and value.is_finite()
        and not value.is_signed()
        and MIN_MONEY_EXPONENT <= value.adjusted() < MAX_MONEY_DIGITS
    ):
        return value  # a zero of at most 30 places passes here too
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, float):
        raise InvalidTypeError(
            field, value, "a Decimal or a decimal string such as '9.99' (floats are inexact)"
        )
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str):
        amount = _read_money_text(value, field)
    else:
        raise InvalidTypeError(field, value, "a Decimal, an int or a decimal string")
    if not amount.is_finite():
        raise InvalidValueError(field, value, "a finite amount")
    if amount < 0:
        raise InvalidValueError(field, value, "a non-negative amount")
    if not amount:
        return _zero(amount, value, field)
    if not MIN_MONEY_EXPONENT <= amount.adjusted() < MAX_MONEY_DIGITS:
        raise InvalidValueError(
            field, value, "an amount of a sensible size (from 10**-30 to below 10**30)"
        )
    return amount


#: What the API sends as money: ASCII digits with an optional fraction (and a sign, so
#: that a negative amount is refused as negative rather than as malformed). No
#: underscores, exponents, spaces or digits of other scripts, all of which ``Decimal``
#: itself would read.
_MONEY_TEXT: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def _zero(amount: Decimal, value: object, field: str) -> Decimal:
    # Zero has no size, but its exponent is written out: 0E-100000000 would be a 100 MB
    # string, and -0 would be written "-0.00". Zero is held within the places the
    # library's arithmetic can give it, and is never negative.
    if not MIN_ZERO_EXPONENT <= amount.adjusted() < MAX_MONEY_DIGITS:
        raise InvalidValueError(
            field,
            value,
            f"an amount of a sensible size (a zero of at most {-MIN_ZERO_EXPONENT} places)",
        )
    return amount.copy_abs()


def _read_money_text(value: str, field: str) -> Decimal:
    if len(value) > MAX_MONEY_TEXT:
        raise InvalidValueError(field, value, "an amount of a sensible size")
    if _MONEY_TEXT.fullmatch(value) is None:
        raise InvalidValueError(
            field, value, "a decimal string of ASCII digits such as '9.99' (no exponent)"
        )
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover  # the pattern admits only decimals
        raise InvalidValueError(field, value, "a decimal string such as '9.99'") from None


def plus(a: Decimal, b: Decimal | int, field: str) -> Decimal:
    """Return ``a + b``, exactly (in :data:`MONEY_CONTEXT`), naming ``field`` if it cannot be."""
    try:
        return MONEY_CONTEXT.add(a, b)
    except decimal.DecimalException:
        raise InvalidValueError(field, a, "an amount whose sum is exact") from None


def minus(a: Decimal, b: Decimal, field: str) -> Decimal:
    """Return ``a - b``, exactly (in :data:`MONEY_CONTEXT`), naming ``field`` if it cannot be."""
    try:
        return MONEY_CONTEXT.subtract(a, b)
    except decimal.DecimalException:
        raise InvalidValueError(field, a, "an amount whose difference is exact") from None


def times(a: Decimal, n: int, field: str) -> Decimal:
    """Return ``a * n``, exactly (in :data:`MONEY_CONTEXT`), naming ``field`` if it cannot be."""
    try:
        return MONEY_CONTEXT.multiply(a, n)
    except decimal.DecimalException:
        raise InvalidValueError(field, a, "an amount whose product is exact") from None


def to_json_money(value: object, field: str) -> Decimal:
    """Return decoded-JSON money as an exact ``Decimal``: :func:`to_money`, plus floats.

    The payload layer's one leniency: a ``float`` already inside a decoded mapping (from a
    plain ``json.loads``) is read from its ``repr``, the shortest decimal that round-trips
    to it, which is the JSON literal as written for any amount of up to 15 significant
    digits. No arithmetic ever happens in binary.
    """
    if isinstance(value, JsonNumber):
        value = value.exact  # the exact decimal it was read from
    elif isinstance(value, float):
        # repr may use an exponent ("1e-05"), which money text may not: read it as the
        # Decimal it spells, then hold that to the money rule.
        try:
            value = Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover  # every float's repr is a decimal
            raise InvalidValueError(field, value, MONEY_EXPECTED) from None
    return to_money(value, field)


def to_quantity(value: object, field: str) -> int:
    """Return ``value`` if it is a positive ``int`` (bools are refused).

    Raises:
        InvalidTypeError: for a non-integer.
        InvalidValueError: for zero or a negative number.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTypeError(field, value, "a positive int")
    if value < 1:
        raise InvalidValueError(field, value, "a positive int (1 or more)")
    if value > MAX_QUANTITY:
        raise InvalidValueError(field, value, "a positive int of at most 2**63 - 1")
    return value


def to_moment(value: object, field: str) -> dt.datetime:
    """Return ``value`` if it is a timezone-aware ``datetime`` that UTC can express.

    A moment in year 1 or 9999 whose offset takes it past the calendar's ends (year 1 at
    ``+01:00`` is still year 0 in UTC) is refused: every moment is compared, and written,
    as a UTC instant.

    Raises:
        InvalidTypeError: for anything that is not a datetime.
        InvalidValueError: for a naive datetime, or one beyond the calendar in UTC.
    """
    # The common case first, inline: this runs on every event.
    if (
        type(value) is dt.datetime
        and value.tzinfo is not None
        and value.utcoffset() is not None
        and 1 < value.year < 9999
    ):
        return value
    if not isinstance(value, dt.datetime):
        raise InvalidTypeError(field, value, "a timezone-aware datetime")
    try:
        offset = value.utcoffset()
    except (TypeError, ValueError, OverflowError):
        offset = None  # a tzinfo whose utcoffset fails gives no instant
    if value.tzinfo is None or offset is None:
        raise InvalidValueError(
            field, value, "a timezone-aware datetime (for example with tzinfo=datetime.UTC)"
        )
    try:
        value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise InvalidValueError(
            field, value, "a moment within the calendar in UTC (years 1 to 9999)"
        ) from None
    return value


def instant(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` as UTC: the instant it names, for ordering and elapsed time.

    Two datetimes that share a ``tzinfo`` are compared, and subtracted, by their wall
    clocks, ignoring the offset: in a daylight-saving fold (the repeated hour) the later
    of two events can compare as the earlier. Instants compare as time passes.
    """
    if moment.tzinfo is dt.UTC:
        return moment
    return moment.astimezone(dt.UTC)


def is_before(a: dt.datetime, b: dt.datetime) -> bool:
    """Return whether instant ``a`` comes before instant ``b`` (whatever their zones).

    Datetimes in different zones, or in fixed-offset zones, already compare as instants;
    only two sharing a zone with daylight saving need converting, so the common case costs
    one comparison.
    """
    if a.tzinfo is b.tzinfo and type(a.tzinfo) is not dt.timezone:
        return instant(a) < instant(b)
    return a < b


def to_optional_moment(value: object, field: str) -> dt.datetime | None:
    """Return ``None`` or an aware ``datetime``, as :func:`to_moment` checks it."""
    return None if value is None else to_moment(value, field)


def to_currency(value: object, field: str = "currency") -> str:
    """Return a three-letter currency code, upper-cased (the API sends ``usd`` too)."""
    if not isinstance(value, str):
        raise InvalidTypeError(field, value, "a three-letter currency code such as 'USD'")
    # ISO 4217 codes are three ASCII letters; upper-casing another script can change the
    # length or the letters ("ßd" becomes "SSD"), so the test comes first.
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        raise InvalidValueError(field, value, "a three-letter ISO 4217 currency code such as 'USD'")
    return value.upper()


def to_status(enum_cls: type[E], value: object, field: str) -> E:
    """Return ``value`` as a member of ``enum_cls``, accepting the API's string.

    Raises:
        InvalidValueError: for a string that is not one of the enum's values.
    """
    if isinstance(value, enum_cls):
        return value
    if not isinstance(value, str):
        allowed = ", ".join(member.value for member in enum_cls)
        raise InvalidTypeError(field, value, f"one of {allowed}")
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        raise InvalidValueError(field, value, f"one of {allowed}") from None


def to_bool(value: object, field: str) -> bool:
    """Return ``value`` if it is a ``bool``; the API's flags are JSON booleans."""
    if not isinstance(value, bool):
        raise InvalidTypeError(field, value, "True or False")
    return value


def to_id(value: object, field: str) -> object:
    """Return ``value`` if it can serve as an id (hashable and not ``None``)."""
    if type(value) is str or (type(value) is int and -MAX_INT <= value <= MAX_INT):
        return value
    if value is None:
        raise InvalidValueError(field, value, "an id (an int in ClickFunnels payloads)")
    if isinstance(value, bool):
        # True == 1 and hash(True) == hash(1): a bool id would merge with id 1.
        raise InvalidTypeError(field, value, "an id such as an int or a str (not a bool)")
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        # Ids are 64-bit integers in the API and in stores; a far wider int is a mistake
        # (and its repr raises past the interpreter's digit limit).
        raise InvalidValueError(field, value, "an id that fits in 64 bits")
    try:
        hash(value)
    except TypeError:
        raise InvalidTypeError(field, value, "a hashable id such as an int or a str") from None
    except Exception:  # noqa: BLE001  because a foreign __hash__ may fail in any way
        raise InvalidTypeError(field, value, "an id whose hash can be taken") from None
    return value


def to_api_id(value: object, field: str) -> int | str:
    """Return ``value`` if the API can carry it as an id: an int (or a str), not a bool.

    Any hashable serves as an id inside the library (:func:`to_id`); a payload holds
    only what JSON can, so reading and writing payloads holds ids to this narrower rule.
    """
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidTypeError(field, value, "an id the API can carry (an int or a str)")
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        # Payload ids are JSON integers of 64 bits; a far wider one cannot even be written.
        raise InvalidValueError(field, value, "an id the API can carry (an int of 64 bits)")
    return value


def to_tuple(value: object, field: str) -> tuple[object, ...]:
    """Return ``value`` as a tuple; entities hold their collections as tuples."""
    if isinstance(value, tuple):
        return value
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        raise InvalidTypeError(field, value, "a sequence (tuple or list)")
    try:
        return tuple(value)
    except TypeError:
        raise InvalidTypeError(field, value, "a sequence (tuple or list)") from None


def to_instances(value: object, cls: type[T], field: str) -> tuple[T, ...]:
    """Return ``value`` as a tuple of ``cls`` instances, naming the first that is not one.

    Raises:
        InvalidTypeError: for something that is not a sequence, or an item of another type.
    """
    items = to_tuple(value, field)
    for index, item in enumerate(items):
        if not isinstance(item, cls):
            name = cls.__name__
            article = "an" if name[0] in "AEIOU" else "a"
            raise InvalidTypeError(f"{field}[{index}]", item, f"{article} {name}")
    return items  # type: ignore[return-value]  # every item was checked above


def to_text(value: object, field: str) -> str:
    """Return ``value`` if it is a ``str``."""
    if not isinstance(value, str):
        raise InvalidTypeError(field, value, "a str")
    return value


def to_optional_text(value: object, field: str) -> str | None:
    """Return ``None`` or a ``str``."""
    return None if value is None else to_text(value, field)


def copy_json(value: Any) -> Any:
    """Return a deep copy of frozen JSON (dicts, lists and tuples; leaves are immutable).

    Each container is copied in one step and only its containers are copied again: this
    runs on every nested value read from an entity and written by ``to_api()``.
    """
    kind = type(value)
    if kind is dict:
        out = value.copy()
        for key, item in out.items():
            if type(item) in CONTAINERS:
                out[key] = copy_json(item)  # replacing a value: the dict keeps its size
        return out
    if kind is list:
        return [copy_json(item) if type(item) in CONTAINERS else item for item in value]
    if kind is tuple:
        return tuple(copy_json(item) if type(item) in CONTAINERS else item for item in value)
    return value


_MISSING: Final = object()


class FrozenJson(Mapping[str, Any]):
    """A read-only mapping of decoded JSON that no one can change from outside.

    It keeps its own checked copy (:func:`~clickfunnels_orders._json.freeze_json`: JSON
    values only, ``Decimal`` numbers as :class:`~clickfunnels_orders._json.JsonNumber`,
    at most :data:`~clickfunnels_orders._json.MAX_JSON_DEPTH` levels deep) and hands out
    copies of nested objects, so neither the mapping it was built from nor a value read
    from it can reach back into an entity. ``key in`` and :meth:`get` of a missing key
    copy nothing. It compares equal to any mapping with the same items, and pickles
    under every protocol.

    Raises:
        PayloadError: for a value JSON cannot hold or nesting too deep, naming its path.
    """

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any], path: str = "") -> None:
        self._fields: dict[str, Any] = freeze_json(fields, path)

    def __getitem__(self, key: str) -> Any:
        return copy_json(self._fields[key])

    def __contains__(self, key: object) -> bool:
        return key in self._fields

    def get(self, key: str, default: Any = None) -> Any:
        """Return a copy of the value of ``key``, or ``default`` when it is absent."""
        value = self._fields.get(key, _MISSING)
        if value is _MISSING:
            return default
        return copy_json(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __eq__(self, other: object) -> bool:
        # Compared in place: Mapping's own __eq__ would copy every value through items().
        if isinstance(other, FrozenJson):
            return self._fields == other._fields
        if isinstance(other, dict):
            return self._fields == other
        if isinstance(other, Mapping):
            return self._fields == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mapping compared by value is unhashable

    def __reduce__(self) -> tuple[Any, ...]:
        # Slotted classes pickle under protocols 0 and 1 only through a reduction.
        return (type(self), (self._fields,))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._fields!r})"


def to_mapping(value: object, field: str) -> FrozenJson:
    """Return ``value`` as a :class:`FrozenJson` (used for carried-along payload fields)."""
    if isinstance(value, FrozenJson):
        return value
    if not isinstance(value, Mapping):
        raise InvalidTypeError(field, value, "a mapping")
    return FrozenJson(value, field)
