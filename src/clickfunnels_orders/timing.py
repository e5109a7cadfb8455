"""Time rules: when invoices fall past due and are abandoned, and when renewals fall.

The core never reads the clock: every function here takes the moment it should consider.
Calendar arithmetic is dateutil's, so months and years are month-end safe.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Protocol, Self, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from clickfunnels_orders._values import instant, is_before, to_moment
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError
from clickfunnels_orders.statuses import InvoiceStatus

__all__ = ["INTERVALS", "TimeRules", "advance", "renewal_date", "renewal_dates"]


class _Dated(Protocol):
    """What the time rules read and fire on an invoice.

    An ``Invoice``: entities import this module, not the other way round.
    """

    @property
    def status(self) -> InvoiceStatus: ...  # pragma: no cover  # a protocol
    @property
    def due_at(self) -> dt.datetime | None: ...  # pragma: no cover  # a protocol
    @property
    def history(self) -> tuple[_Moved, ...]: ...  # pragma: no cover  # a protocol
    @property
    def is_external(self) -> bool: ...  # pragma: no cover  # a protocol
    def mark_past_due(self, *, at: dt.datetime) -> Self: ...  # pragma: no cover  # a protocol
    def abandon(self, *, at: dt.datetime) -> Self: ...  # pragma: no cover  # a protocol


class _Moved(Protocol):
    @property
    def dest(self) -> str: ...  # pragma: no cover  # a protocol
    @property
    def at(self) -> dt.datetime: ...  # pragma: no cover  # a protocol


InvoiceT = TypeVar("InvoiceT", bound=_Dated)


#: A relativedelta's absolute fields: each *sets* part of a date instead of adding to it
#: (``month=1`` is January, not one month), so the "duration" it makes is negative from
#: most moments.
_ABSOLUTE_FIELDS: Final = (
    "year",
    "month",
    "day",
    "weekday",
    "hour",
    "minute",
    "second",
    "microsecond",
)
#: Its relative fields, as it holds them after normalising (weeks live in days).
_RELATIVE_FIELDS: Final = (
    "years",
    "months",
    "days",
    "leapdays",
    "hours",
    "minutes",
    "seconds",
    "microseconds",
)


def _check_past_due_after(_instance: object, _attribute: object, value: object) -> None:
    if not isinstance(value, dt.timedelta):
        raise InvalidTypeError("past_due_after", value, "a datetime.timedelta")
    if value < dt.timedelta(0):
        raise InvalidValueError("past_due_after", value, "a non-negative timedelta")


def _check_grace_period(_instance: object, _attribute: object, value: object) -> None:
    if isinstance(value, dt.timedelta):
        if value < dt.timedelta(0):
            raise InvalidValueError("grace_period", value, "a non-negative duration")
    elif not isinstance(value, relativedelta):
        raise InvalidTypeError(
            "grace_period", value, "a datetime.timedelta or a dateutil relativedelta"
        )
    else:
        absolute = [name for name in _ABSOLUTE_FIELDS if getattr(value, name) is not None]
        if absolute:
            raise InvalidValueError(
                "grace_period",
                value,
                "a relative duration: no absolute fields ("
                + ", ".join(f"{name}=" for name in absolute)
                + " set a date's part; write "
                + ", ".join(f"{name}s=" for name in absolute if name != "weekday")
                + " to add to it)",
            )
        # A relativedelta has no sign of its own, and one that mixes signs (months=1,
        # days=-30) moves some dates forwards and others back: every part must be
        # non-negative for the period to be non-negative from every moment.
        negative = [name for name in _RELATIVE_FIELDS if getattr(value, name) < 0]
        if negative:
            raise InvalidValueError(
                "grace_period",
                value,
                "a duration that is non-negative from every moment (every part >= 0; "
                f"found negative {', '.join(negative)})",
            )


@attrs.frozen
class TimeRules:
    """How long an unpaid invoice waits before it is past due, then abandoned.

    Attributes:
        past_due_after: after ``due_at``, how long until an unpaid invoice is past due.
            The documented window: 24 hours.
        grace_period: after becoming past due, how long until it is abandoned. ClickFunnels
            does not publish this length; the default is 7 days. A ``relativedelta`` such
            as ``relativedelta(months=1)`` counts calendar months.
    """

    past_due_after: dt.timedelta = attrs.field(
        default=dt.timedelta(hours=24), validator=_check_past_due_after
    )
    grace_period: dt.timedelta | relativedelta = attrs.field(
        default=dt.timedelta(days=7), validator=_check_grace_period
    )


def _last_change(invoice: _Dated) -> dt.datetime | None:
    return invoice.history[-1].at if invoice.history else None


def _not_before(moment: dt.datetime, last: dt.datetime | None) -> dt.datetime:
    return moment if last is None or not is_before(moment, last) else last


def _after(moment: dt.datetime, duration: dt.timedelta | relativedelta) -> dt.datetime | None:
    """Return ``moment + duration``, or ``None`` when that falls beyond the calendar.

    A ``timedelta`` is elapsed time, added to the instant (24 hours across a change of
    clocks is still 24 hours); a ``relativedelta`` counts the calendar, on the wall clock
    of ``moment``'s zone. A rule whose moment lies beyond year 9999 never fires.
    """
    try:
        if isinstance(duration, dt.timedelta):
            return instant(moment) + duration
        later: dt.datetime = moment + duration
        instant(later)  # a wall-clock moment past the calendar's end has no instant
    except (OverflowError, ValueError):
        return None
    return later


def _past_due_since(invoice: _Dated, rules: TimeRules) -> dt.datetime | None:
    for change in reversed(invoice.history):
        if change.dest == InvoiceStatus.PAST_DUE:
            return change.at
    if invoice.due_at is None:
        return None
    return _after(invoice.due_at, rules.past_due_after)


def advance(invoice: InvoiceT, now: dt.datetime, rules: TimeRules) -> InvoiceT:
    """Return ``invoice`` with the time rules applied up to ``now``.

    An unpaid invoice with a ``due_at`` is past due once ``now >= due_at +
    past_due_after``; a past-due invoice is abandoned once ``now`` reaches the moment it
    became past due plus the grace period. Each change is recorded at the moment its rule
    fired (never earlier than the invoice's last change), so advancing is idempotent and
    monotonic: advancing to ``t1`` then ``t2`` equals advancing to ``t2``. Moments are
    compared as instants, so a daylight-saving fold orders them as time passed; a rule
    that would fire beyond the calendar's end never fires.

    External invoices are left as they are: their client architects every transition.
    """
    moment = to_moment(now, "now")
    if not isinstance(rules, TimeRules):
        raise InvalidTypeError("rules", rules, "a TimeRules")
    if invoice.is_external:
        return invoice
    if invoice.status is InvoiceStatus.UNPAID and invoice.due_at is not None:
        fires = _after(invoice.due_at, rules.past_due_after)
        if fires is not None and not is_before(moment, fires):
            invoice = invoice.mark_past_due(at=_not_before(fires, _last_change(invoice)))
    if invoice.status is InvoiceStatus.PAST_DUE:
        since = _past_due_since(invoice, rules)
        fires = None if since is None else _after(since, rules.grace_period)
        if fires is not None and not is_before(moment, fires):
            invoice = invoice.abandon(at=_not_before(fires, _last_change(invoice)))
    return invoice


#: Price intervals the API uses, as dateutil steps.
INTERVALS: Final = {
    "day": lambda n: relativedelta(days=n),
    "week": lambda n: relativedelta(weeks=n),
    "month": lambda n: relativedelta(months=n),
    "year": lambda n: relativedelta(years=n),
}


def _step(interval: str, interval_count: int) -> relativedelta:
    make = INTERVALS.get(interval.lower().removesuffix("s") if isinstance(interval, str) else "")
    if make is None:
        raise InvalidValueError("interval", interval, "one of day, week, month, year")
    if (
        isinstance(interval_count, bool)
        or not isinstance(interval_count, int)
        or interval_count < 1
    ):
        raise InvalidValueError("interval_count", interval_count, "a positive int")
    try:
        step: relativedelta = make(interval_count)
    except (OverflowError, ValueError):
        raise InvalidValueError(
            "interval_count", interval_count, "a positive int of a calendar's size"
        ) from None
    return step


def renewal_date(
    start: dt.datetime, interval: str, interval_count: int = 1, *, period: int = 1
) -> dt.datetime:
    """Return when billing period number ``period`` of a subscription starts.

    Every date is counted from ``start`` (not from the previous renewal), so a
    subscription started on January 31 renews on February 28 (or 29), March 31, April 30:
    the month end is kept instead of drifting.

    Args:
        start: when the subscription started (timezone-aware).
        interval: the price's interval: ``day``, ``week``, ``month`` or ``year``.
        interval_count: how many intervals one period lasts.
        period: which renewal (1 is the first renewal; 0 is ``start`` itself).
    """
    begin = to_moment(start, "start")
    step = _step(interval, interval_count)
    if isinstance(period, bool) or not isinstance(period, int) or period < 0:
        raise InvalidValueError("period", period, "a non-negative int")
    try:
        result: dt.datetime = begin + step * period
    except (OverflowError, ValueError):
        raise InvalidValueError(
            "period",
            period,
            "a renewal (interval_count times period intervals after start) that falls "
            "within the calendar (year 9999 at most)",
        ) from None
    return result


def renewal_dates(
    start: dt.datetime,
    interval: str,
    interval_count: int = 1,
    *,
    until: dt.datetime,
) -> tuple[dt.datetime, ...]:
    """Return every renewal date after ``start`` up to and including ``until``."""
    end = to_moment(until, "until")
    dates: list[dt.datetime] = []
    period = 1
    while True:
        try:
            when = renewal_date(start, interval, interval_count, period=period)
        except InvalidValueError:
            break  # the calendar ends before ``until``
        if is_before(end, when):
            break
        dates.append(when)
        period += 1
    return tuple(dates)
