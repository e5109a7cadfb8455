"""Time rules (past due, abandoned) and renewal dates (API.md section 4, time rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from attrs.exceptions import FrozenInstanceError
from dateutil.relativedelta import relativedelta

from _builders import EXTERNAL, I, at, invoice, loosely
from clickfunnels_orders import (
    Change,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    OrdersError,
    TimeRules,
    renewal_date,
    renewal_dates,
)

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
UTC = dt.UTC


def utc(year: int, month: int, day: int, hour: int = 0) -> dt.datetime:
    """Return an aware UTC moment."""
    return dt.datetime(year, month, day, hour, tzinfo=UTC)


def due(status: InvoiceStatus = I.UNPAID, **fields: Any) -> Invoice:
    """Return an invoice due at ``at(0)`` (T0), in ``status``."""
    return invoice(status, due_at=at(0), **fields)


# -- TimeRules ------------------------------------------------------------------------------


def test_time_rules_default_to_24_hours_then_a_7_day_grace_period() -> None:
    """Past due 24 hours after ``due_at`` (the documented window); abandoned 7 days later."""
    rules = TimeRules()
    assert rules.past_due_after == dt.timedelta(hours=24)
    assert rules.grace_period == dt.timedelta(days=7)


def test_the_grace_period_may_be_a_relativedelta() -> None:
    """Calendar months are a ``dateutil.relativedelta``."""
    assert TimeRules(grace_period=relativedelta(months=1)).grace_period == relativedelta(months=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("past_due_after", -HOUR),
        ("grace_period", -DAY),
        ("grace_period", relativedelta(months=-1)),
    ],
)
def test_a_negative_duration_is_refused(field: str, value: object) -> None:
    """Durations run forwards: a negative one is a ValueError naming the field."""
    with pytest.raises(InvalidValueError, match=field) as caught:
        loosely(TimeRules)(**{field: value})
    assert isinstance(caught.value, OrdersError)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("past_due_after", 24),
        ("past_due_after", relativedelta(days=1)),
        ("grace_period", 7),
        ("grace_period", "7 days"),
    ],
)
def test_a_duration_of_the_wrong_type_is_refused(field: str, value: object) -> None:
    """``past_due_after`` is a timedelta; ``grace_period`` a timedelta or a relativedelta."""
    with pytest.raises(InvalidTypeError, match=field) as caught:
        loosely(TimeRules)(**{field: value})
    assert isinstance(caught.value, TypeError)


def test_time_rules_are_frozen() -> None:
    """TimeRules is an immutable value."""
    with pytest.raises(FrozenInstanceError):
        TimeRules().grace_period = DAY  # type: ignore[misc]  # the assignment is the behaviour under test


# -- advance --------------------------------------------------------------------------------


def test_an_unpaid_invoice_stays_unpaid_until_the_window_has_passed() -> None:
    """Before ``due_at + past_due_after`` nothing happens."""
    start = due()
    assert start.advance(at(0) + 24 * HOUR - dt.timedelta(microseconds=1)) == start


def test_an_unpaid_invoice_is_past_due_once_the_window_has_passed() -> None:
    """At ``due_at + past_due_after`` the invoice is past due, recorded at that moment."""
    late = due().advance(at(0) + 24 * HOUR)
    assert late.status is I.PAST_DUE
    assert late.history == (Change("mark_past_due", I.UNPAID, I.PAST_DUE, at(0) + 24 * HOUR),)


def test_a_rule_driven_change_is_recorded_when_the_rule_fired_not_at_now() -> None:
    """Advancing long after the rule fired still dates the change at the rule's moment."""
    late = due().advance(at(0) + 3 * DAY)
    assert late.status is I.PAST_DUE
    assert late.history[-1].at == at(0) + 24 * HOUR


def test_a_past_due_invoice_is_abandoned_after_the_grace_period() -> None:
    """From the moment it became past due, the grace period leads to abandoned."""
    fired = at(0) + 24 * HOUR
    assert due().advance(fired + 7 * DAY - HOUR).status is I.PAST_DUE
    gone = due().advance(fired + 30 * DAY)
    assert gone.status is I.ABANDONED
    assert gone.history == (
        Change("mark_past_due", I.UNPAID, I.PAST_DUE, fired),
        Change("abandon", I.PAST_DUE, I.ABANDONED, fired + 7 * DAY),
    )


def test_the_grace_period_counts_from_the_recorded_past_due_moment() -> None:
    """A past-due change in the history anchors the grace period, not ``due_at``."""
    history = [Change("mark_past_due", I.UNPAID, I.PAST_DUE, at(0) + 5 * DAY)]
    start = due(I.PAST_DUE, history=history)
    assert start.advance(at(0) + 11 * DAY).status is I.PAST_DUE
    gone = start.advance(at(0) + 12 * DAY)
    assert gone.status is I.ABANDONED
    assert gone.history[-1].at == at(0) + 12 * DAY


def test_without_a_recorded_moment_the_grace_period_counts_from_due_plus_window() -> None:
    """A past-due invoice with no such history uses ``due_at + past_due_after``."""
    start = due(I.PAST_DUE)
    assert start.advance(at(0) + 8 * DAY - HOUR).status is I.PAST_DUE
    gone = start.advance(at(0) + 8 * DAY)
    assert gone.status is I.ABANDONED
    assert gone.history == (Change("abandon", I.PAST_DUE, I.ABANDONED, at(0) + 8 * DAY),)


def test_a_past_due_invoice_with_no_moment_to_count_from_stays_past_due() -> None:
    """Without history or ``due_at`` there is nothing to count the grace period from."""
    start = invoice(I.PAST_DUE)
    assert start.advance(at(days=1000)) == start


def test_an_invoice_without_a_due_moment_never_falls_past_due() -> None:
    """The window counts from ``due_at``; with none, ``advance`` changes nothing."""
    start = invoice(I.UNPAID)
    assert start.advance(at(days=1000)) == start


def test_a_rule_never_records_a_change_before_the_last_one() -> None:
    """An invoice issued after its window passed falls past due at its issue moment."""
    issued = invoice(due_at=at(0)).issue(at=at(days=3))
    late = issued.advance(at(days=4))
    assert late.history[-1] == Change("mark_past_due", I.UNPAID, I.PAST_DUE, at(days=3))
    gone = issued.advance(at(days=20))
    assert gone.history[-1].at == at(days=10)


@pytest.mark.parametrize(
    "status",
    [I.DRAFT, I.PARTIALLY_PAID, I.PAID, I.PARTIALLY_REFUNDED, I.REFUNDED, I.DISPUTED, I.VOIDED],
    ids=str,
)
def test_advance_leaves_other_statuses_alone(status: InvoiceStatus) -> None:
    """Only unpaid and past-due invoices are moved by time."""
    start = due(status, paid="100.00") if status is not I.DRAFT else due(status)
    assert start.advance(at(days=1000)) == start


def test_advance_follows_the_rules_it_is_given() -> None:
    """A shorter window and grace period fire sooner."""
    rules = TimeRules(past_due_after=dt.timedelta(0), grace_period=HOUR)
    gone = due().advance(at(0) + HOUR, rules=rules)
    assert [c.at for c in gone.history] == [at(0), at(0) + HOUR]
    assert gone.status is I.ABANDONED


def test_a_relativedelta_grace_period_counts_calendar_months() -> None:
    """A month of grace from January 31 ends on February 28: dateutil is month-end safe."""
    rules = TimeRules(past_due_after=dt.timedelta(0), grace_period=relativedelta(months=1))
    start = invoice(I.UNPAID, due_at=utc(2025, 1, 31, 9))
    assert start.advance(utc(2025, 2, 28, 8), rules=rules).status is I.PAST_DUE
    gone = start.advance(utc(2025, 3, 15), rules=rules)
    assert gone.history[-1] == Change("abandon", I.PAST_DUE, I.ABANDONED, utc(2025, 2, 28, 9))


def test_advance_uses_the_default_rules_when_none_are_given() -> None:
    """``advance(now)`` is ``advance(now, rules=TimeRules())``."""
    for days in (1, 8, 9):
        assert due().advance(at(days=days)) == due().advance(at(days=days), rules=TimeRules())


def test_advance_is_idempotent_and_monotonic_on_an_example() -> None:
    """Advancing twice to the same moment, or in two steps, gives the one-step result."""
    once = due().advance(at(days=9))
    assert once.advance(at(days=9)) == once
    assert due().advance(at(days=2)).advance(at(days=9)) == once


def test_advance_leaves_the_original_untouched() -> None:
    """``advance`` returns a new invoice."""
    start = due()
    start.advance(at(days=30))
    assert start.status is I.UNPAID
    assert start.history == ()


def test_advance_refuses_a_naive_now() -> None:
    """``now`` must be timezone-aware: the core never guesses a zone."""
    with pytest.raises(InvalidValueError, match="now"):
        due().advance(dt.datetime(2025, 6, 1))  # noqa: DTZ001  because a naive moment is the input under test


def test_advance_refuses_rules_that_are_not_time_rules() -> None:
    """``rules`` must be a TimeRules."""
    with pytest.raises(InvalidTypeError, match="rules"):
        loosely(due().advance)(at(days=3), rules={"grace_period": DAY})


def test_advance_leaves_external_invoices_to_their_client() -> None:
    """External invoices move only as their client sets them (the code's documented choice)."""
    start = due(processor=EXTERNAL)
    assert start.advance(at(days=30)) == start


# -- renewal dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            utc(2025, 1, 31, 10),
            [
                utc(2025, 2, 28, 10),
                utc(2025, 3, 31, 10),
                utc(2025, 4, 30, 10),
                utc(2025, 5, 31, 10),
            ],
        ),
        (
            utc(2024, 1, 31, 10),
            [
                utc(2024, 2, 29, 10),
                utc(2024, 3, 31, 10),
                utc(2024, 4, 30, 10),
                utc(2024, 5, 31, 10),
            ],
        ),
        (
            utc(2025, 3, 30),
            [utc(2025, 4, 30), utc(2025, 5, 30), utc(2025, 6, 30), utc(2025, 7, 30)],
        ),
    ],
)
def test_monthly_renewals_are_anchored_on_the_start_and_keep_the_month_end(
    start: dt.datetime, expected: list[dt.datetime]
) -> None:
    """Jan 31 renews on Feb 28 (29 in a leap year), then Mar 31: no drift to the 28th."""
    assert [renewal_date(start, "month", period=n) for n in range(1, 5)] == expected


@pytest.mark.parametrize(
    ("interval", "count", "first", "third"),
    [
        ("day", 1, utc(2025, 2, 1), utc(2025, 2, 3)),
        ("day", 10, utc(2025, 2, 10), utc(2025, 3, 2)),
        ("week", 1, utc(2025, 2, 7), utc(2025, 2, 21)),
        ("week", 2, utc(2025, 2, 14), utc(2025, 3, 14)),
        ("month", 3, utc(2025, 4, 30), utc(2025, 10, 31)),
        ("year", 1, utc(2026, 1, 31), utc(2028, 1, 31)),
        ("months", 1, utc(2025, 2, 28), utc(2025, 4, 30)),
        ("Year", 2, utc(2027, 1, 31), utc(2031, 1, 31)),
    ],
)
def test_renewals_step_by_the_price_interval_times_its_count(
    interval: str, count: int, first: dt.datetime, third: dt.datetime
) -> None:
    """Day, week, month and year intervals, times a count, from a start of 2025-01-31."""
    start = utc(2025, 1, 31)
    assert renewal_date(start, interval, count) == first
    assert renewal_date(start, interval, count, period=3) == third


def test_a_yearly_renewal_of_february_29_falls_on_february_28_then_29_again() -> None:
    """Leap days are month-end safe and anchored: Feb 28 in common years, Feb 29 in leap years."""
    start = utc(2024, 2, 29)
    assert [renewal_date(start, "year", period=n) for n in range(1, 5)] == [
        utc(2025, 2, 28),
        utc(2026, 2, 28),
        utc(2027, 2, 28),
        utc(2028, 2, 29),
    ]


def test_period_zero_is_the_start_and_zone_and_time_are_kept() -> None:
    """The start itself is period 0; renewals keep its time of day and zone."""
    zone = dt.timezone(dt.timedelta(hours=2))
    start = dt.datetime(2025, 1, 31, 23, 30, tzinfo=zone)
    assert renewal_date(start, "month", period=0) == start
    first = renewal_date(start, "month")
    assert (first.month, first.day, first.hour, first.minute, first.tzinfo) == (2, 28, 23, 30, zone)


def test_renewal_dates_lists_every_renewal_up_to_and_including_until() -> None:
    """``renewal_dates`` runs from the first renewal to ``until`` inclusive."""
    start = utc(2025, 1, 31)
    assert renewal_dates(start, "month", until=utc(2025, 5, 31)) == (
        utc(2025, 2, 28),
        utc(2025, 3, 31),
        utc(2025, 4, 30),
        utc(2025, 5, 31),
    )
    assert renewal_dates(start, "month", until=utc(2025, 5, 30)) == (
        utc(2025, 2, 28),
        utc(2025, 3, 31),
        utc(2025, 4, 30),
    )
    assert renewal_dates(start, "year", until=utc(2025, 12, 31)) == ()


def test_renewal_dates_agree_with_renewal_date() -> None:
    """Each listed date is ``renewal_date`` of its period."""
    start = utc(2024, 8, 31, 6)
    dates = renewal_dates(start, "week", 3, until=utc(2025, 8, 31))
    assert dates == tuple(
        renewal_date(start, "week", 3, period=n) for n in range(1, len(dates) + 1)
    )
    assert len(dates) == 17


@pytest.mark.parametrize(
    ("interval", "count", "period"),
    [("fortnight", 1, 1), ("month", 0, 1), ("month", -1, 1), ("month", 1, -1)],
)
def test_an_unknown_interval_or_a_bad_count_is_refused(
    interval: str, count: int, period: int
) -> None:
    """Intervals are day, week, month or year; counts positive; periods non-negative."""
    with pytest.raises(InvalidValueError):
        renewal_date(utc(2025, 1, 1), interval, count, period=period)


def test_renewal_dates_refuse_naive_moments() -> None:
    """The start and the end must be timezone-aware."""
    naive = dt.datetime(2025, 1, 31)  # noqa: DTZ001  because a naive moment is the input under test
    with pytest.raises(InvalidValueError, match="start"):
        renewal_date(naive, "month")
    with pytest.raises(InvalidValueError, match="until"):
        renewal_dates(utc(2025, 1, 31), "month", until=naive)
