"""Money and access right on every path, exact arithmetic under any context, time as instants."""

from __future__ import annotations

import datetime as dt
import decimal
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest
from dateutil import tz
from dateutil.relativedelta import relativedelta
from hypothesis import assume, given
from hypothesis import strategies as st

from _builders import EXTERNAL, T0, I, at, invoice, invoice_line, order, order_line
from clickfunnels_orders import (
    Change,
    InvalidTransitionError,
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    Order,
    OrderLineItem,
    OrderType,
    OutOfOrderError,
    TimeRules,
    variants_with_access,
)
from clickfunnels_orders.machines import EXTERNAL_INVOICE_STATUSES, amounts_agree

TOTAL = "100.00"
ROUNDINGS = [
    decimal.ROUND_CEILING,
    decimal.ROUND_DOWN,
    decimal.ROUND_FLOOR,
    decimal.ROUND_HALF_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_UP,
    decimal.ROUND_05UP,
]


def external(status: InvoiceStatus = I.UNPAID, paid: object = "0") -> Invoice:
    """An external invoice of 100.00 in ``status``, with ``paid`` paid."""
    return invoice(status, total=TOTAL, paid=paid, processor=EXTERNAL)


def paid_external() -> Invoice:
    """An external invoice paid in full."""
    return external(I.PAID, paid=TOTAL)


# -- the high item: an unpaid invoice that ships and grants access ---------------------------


def test_an_unpaid_external_invoice_disputed_by_set_status_cannot_be_won_to_paid() -> None:
    """Unpaid, set to disputed, then won: there is no paid status to return to, so no win."""
    disputed = external(I.UNPAID).set_status(I.DISPUTED, at=at(1))
    assert not disputed.may("win_dispute")
    with pytest.raises(InvalidTransitionError):
        disputed.win_dispute(at=at(2))
    assert not disputed.eligible_for_fulfillment
    assert disputed.amount_paid == 0


def test_an_unpaid_invoice_never_grants_access_through_a_dispute() -> None:
    """The course is not granted by a dispute opened on an unpaid external invoice."""
    buyer = order(EXTERNAL)
    disputed = invoice(I.UNPAID, total=TOTAL, processor=EXTERNAL, order_id=buyer.id)
    disputed = disputed.set_status(I.DISPUTED, at=at(1))
    assert variants_with_access(buyer.contact_id, [buyer], [disputed]) == frozenset()


def test_a_refunded_external_invoice_disputed_by_set_status_is_not_won_to_partially_refunded() -> (
    None
):
    """Refunded, set to disputed: winning would claim refundable money that is not there."""
    refunded = paid_external().set_status(I.REFUNDED, at=at(1))
    disputed = refunded.set_status(I.DISPUTED, at=at(2))
    assert disputed.allowed_events == ("lose_dispute", "set_status")
    lost = disputed.lose_dispute(at=at(3))
    assert (lost.status, lost.refundable_amount) == (I.REFUNDED, Decimal(0))


def test_the_latest_change_into_disputed_decides_not_an_older_managed_dispute() -> None:
    """An older dispute from partially-refunded does not decide where a newer one returns."""
    older = paid_external().refund("10.00", at=at(1)).dispute(at=at(2))
    assert older.history[-1].source is I.PARTIALLY_REFUNDED
    newer = older.set_status(I.PAID, at=at(4)).set_status(I.DISPUTED, at=at(5))
    won = newer.win_dispute(at=at(6))
    assert (won.status, won.amount_refunded) == (I.PAID, Decimal(0))


def test_a_dispute_set_from_paid_is_won_back_to_paid_keeping_the_paid_moment() -> None:
    """The client's dispute of a paid invoice is won back to paid, paid_at kept."""
    paid = external(I.UNPAID).set_status(I.PAID, at=at(1))
    won = paid.set_status(I.DISPUTED, at=at(2)).win_dispute(at=at(3))
    assert (won.status, won.amount_paid, won.paid_at) == (I.PAID, won.total_amount, at(1))


def test_setting_paid_after_refunded_holds_the_total_and_refunds_nothing() -> None:
    """Refunded, then set to paid: paid claims the total kept, and the amounts show it."""
    repaid = paid_external().set_status(I.REFUNDED, at=at(1)).set_status(I.PAID, at=at(2))
    assert (repaid.amount_paid, repaid.amount_refunded) == (repaid.total_amount, Decimal(0))
    assert repaid.refundable_amount == repaid.total_amount


_SET_STATUS_TARGETS = st.sampled_from(sorted(EXTERNAL_INVOICE_STATUSES))


@st.composite
def agreeing_external_invoices(draw: st.DrawFn) -> Invoice:
    """An external invoice whose amounts show what its status claims (of any status)."""
    total = draw(st.integers(0, 10_000).map(lambda cents: Decimal(cents).scaleb(-2)))
    status = draw(st.sampled_from(InvoiceStatus))
    part = Decimal(0) if total < Decimal("0.02") else total / 2
    paid, refunded = {
        I.PARTIALLY_PAID: (part, Decimal(0)),
        I.PAID: (total, Decimal(0)),
        I.PARTIALLY_REFUNDED: (total, part),
        I.REFUNDED: (part, part),
        I.DISPUTED: (total, Decimal(0)),
    }.get(status, (Decimal(0), Decimal(0)))
    made = invoice(status, total=total, paid=paid, refunded=refunded, processor=EXTERNAL)
    if not amounts_agree(made):  # a total too small to be split in cents
        made = invoice(I.UNPAID, total=total, processor=EXTERNAL)
    return made


@given(agreeing_external_invoices(), st.lists(_SET_STATUS_TARGETS, max_size=12))
def test_every_external_set_status_path_keeps_status_and_amounts_agreeing(
    start: Invoice, targets: list[InvoiceStatus]
) -> None:
    """A status reached by set_status never claims money the amounts do not show."""
    current = start
    for minute, target in enumerate(targets, start=1):
        if not current.may("set_status"):
            break
        current = current.set_status(target, at=at(minute))
        assert amounts_agree(current), (current.status, current.amount_paid)
        if current.may("win_dispute"):
            assert amounts_agree(current.win_dispute(at=at(minute)))


@given(
    st.sampled_from(sorted(set(EXTERNAL_INVOICE_STATUSES) - {I.DISPUTED})),
    st.sampled_from(sorted(EXTERNAL_INVOICE_STATUSES)),
    st.integers(0, 10_000),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_set_status_to_anything_but_disputed_makes_the_amounts_agree_from_any_start(
    target: InvoiceStatus, status: InvoiceStatus, cents: int, paid_pct: int, refunded_pct: int
) -> None:
    """Whatever the amounts were, the status the client sets is the one they then show."""
    assume(target is not status)  # the current status returns the invoice unchanged
    total = Decimal(cents).scaleb(-2)
    paid = (total * paid_pct / 100).quantize(Decimal("0.01"), rounding=decimal.ROUND_DOWN)
    refunded = (paid * refunded_pct / 100).quantize(Decimal("0.01"), rounding=decimal.ROUND_DOWN)
    start = invoice(status, total=total, paid=paid, refunded=refunded, processor=EXTERNAL)
    moved = start.set_status(target, at=at(1))
    assert moved.status is target
    assert amounts_agree(moved)


# -- exact arithmetic whatever the caller's decimal context --------------------------------

big_amounts = st.integers(1, 10**29 - 1).flatmap(
    lambda units: st.integers(0, 29).map(lambda places: Decimal(units).scaleb(-places))
)
low_contexts = st.builds(
    lambda prec, rounding: decimal.Context(prec=prec, rounding=rounding),
    st.integers(1, 12),
    st.sampled_from(ROUNDINGS),
)


def test_paying_a_huge_total_in_two_parts_pays_it_exactly() -> None:
    """The 28-digit default context would leave amount_paid above this total."""
    total = Decimal("12345678901234567890.123456789")
    draft = invoice(total=total, lines=[invoice_line(amount=total)])
    paid = draft.issue(at=at(0)).pay("0.000000001", at=at(1)).pay(at=at(2))
    assert paid.status is I.PAID
    assert paid.amount_paid == total
    part = draft.issue(at=at(0)).pay("12345678901234567890.123456788", at=at(1))
    assert part.due_amount == Decimal("0.000000001")


@given(low_contexts, big_amounts, st.integers(1, 99), st.integers(1, 99))
def test_pay_and_refund_are_exact_under_a_low_caller_precision(
    context: decimal.Context, total: Decimal, pay_pct: int, refund_pct: int
) -> None:
    """Payments and refunds add up exactly, whatever precision and rounding the caller set."""
    first = Decimal(int(Fraction(total) * pay_pct / 100 * 10**29)).scaleb(-29)
    with decimal.localcontext(context):
        unpaid = invoice(total=total, lines=[invoice_line(amount=total)]).issue(at=at(0))
        if 0 < first < total:
            part = unpaid.pay(first, at=at(1))
            assert Fraction(part.due_amount) == Fraction(total) - Fraction(first)
            paid = part.pay(at=at(2))
        else:
            paid = unpaid.pay(at=at(2))
        assert paid.amount_paid == total
        back = Decimal(int(Fraction(total) * refund_pct / 100 * 10**29)).scaleb(-29)
        if 0 < back < total:
            refunded = paid.refund(back, at=at(3)).refund(at=at(4))
        else:
            refunded = paid.refund(at=at(4))
        assert refunded.amount_refunded == total
        assert amounts_agree(refunded)


@given(
    low_contexts,
    st.lists(st.tuples(big_amounts, st.integers(1, 10**6)), min_size=1, max_size=5),
)
def test_invoice_totals_are_exact_under_a_low_caller_precision(
    context: decimal.Context, lines: list[tuple[Decimal, int]]
) -> None:
    """for_order's line totals and invoice total are the exact products and sum."""
    unit_lines = [
        order_line(line_id=index, amount=amount, quantity=quantity)
        for index, (amount, quantity) in enumerate(lines)
    ]
    expected = sum((Fraction(amount) * quantity for amount, quantity in lines), Fraction(0))
    with decimal.localcontext(context):
        try:
            billed = Invoice.for_order(order(lines=unit_lines), id=5)
        except InvalidValueError:
            # A line total of 10**30 or more is no amount: refused, never rounded.
            assert any(Fraction(a) * q >= 10**30 for a, q in lines) or expected >= 10**30
            return
    assert Fraction(billed.total_amount) == expected
    for item, (amount, quantity) in zip(billed.line_items, lines, strict=True):
        assert Fraction(item.amount) == Fraction(amount) * quantity


# -- time: relativedeltas, the calendar's ends, daylight saving ----------------------------


@pytest.mark.parametrize(
    "period",
    [
        relativedelta(month=1),
        relativedelta(hour=0),
        relativedelta(year=2001),
        relativedelta(day=1),
        relativedelta(weekday=0),
        relativedelta(months=1, days=-30),
        relativedelta(days=-1),
        relativedelta(days=1, hours=-1),
    ],
    ids=repr,
)
def test_a_grace_period_that_is_not_non_negative_from_every_moment_is_refused(
    period: relativedelta,
) -> None:
    """Absolute fields set a date's part, and mixed signs go backwards from some dates."""
    with pytest.raises(InvalidValueError, match="grace_period"):
        TimeRules(grace_period=period)


@given(
    st.builds(
        relativedelta,
        years=st.integers(0, 3),
        months=st.integers(0, 30),
        days=st.integers(0, 400),
        hours=st.integers(0, 50),
        minutes=st.integers(0, 100),
    ),
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001  because hypothesis bounds are naive
        max_value=dt.datetime(2500, 1, 1),  # noqa: DTZ001  because hypothesis bounds are naive
        timezones=st.just(dt.UTC),
    ),
)
def test_an_accepted_grace_period_never_moves_a_moment_backwards(
    period: relativedelta, moment: dt.datetime
) -> None:
    """Every relativedelta TimeRules accepts is non-negative from every moment."""
    TimeRules(grace_period=period)
    assert moment + period >= moment


@pytest.mark.parametrize(
    "rules",
    [
        TimeRules(past_due_after=dt.timedelta.max),
        TimeRules(grace_period=dt.timedelta.max),
        TimeRules(grace_period=relativedelta(years=9000)),
    ],
    ids=["past_due_after", "grace_period", "relativedelta"],
)
def test_rules_that_would_fire_beyond_the_calendar_never_fire(rules: TimeRules) -> None:
    """advance() near datetime.max with huge rules leaves the invoice as the rules allow."""
    due = invoice(due_at=at(0)).issue(at=at(0))
    last = dt.datetime.max.replace(tzinfo=dt.UTC)
    advanced = due.advance(last, rules)
    assert advanced.status in {I.UNPAID, I.PAST_DUE}
    assert advanced.advance(last, rules) == advanced


def test_a_moment_beyond_the_calendar_in_utc_is_refused() -> None:
    """Year 1 at +01:00 is year 0 in UTC: refused, so it can be neither ordered nor written."""
    early = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with pytest.raises(InvalidValueError, match="issued_at"):
        invoice(issued_at=early)
    with pytest.raises(InvalidValueError, match="at"):
        invoice().issue(at=early)


BERLIN_ZONES = [
    pytest.param(zoneinfo.ZoneInfo("Europe/Berlin"), id="zoneinfo"),
    pytest.param(tz.gettz("Europe/Berlin"), id="dateutil"),
]


@pytest.mark.parametrize("zone", BERLIN_ZONES)
def test_events_in_the_autumn_fold_are_ordered_as_instants(zone: dt.tzinfo) -> None:
    """02:50 before the clocks go back comes before 02:10 after: the later event is taken."""
    first = dt.datetime(2025, 10, 26, 2, 50, tzinfo=zone)  # CEST, 00:50 UTC
    second = dt.datetime(2025, 10, 26, 2, 10, fold=1, tzinfo=zone)  # CET, 01:10 UTC
    issued = invoice().issue(at=first)
    assert issued.pay(at=second).status is I.PAID
    later = invoice().issue(at=second)
    with pytest.raises(OutOfOrderError):
        later.pay(at=first)


@pytest.mark.parametrize("zone", BERLIN_ZONES)
def test_events_around_the_spring_gap_are_ordered_as_instants(zone: dt.tzinfo) -> None:
    """A wall time in the skipped hour is read with the old offset, and ordered as such."""
    in_gap = dt.datetime(2025, 3, 30, 2, 30, tzinfo=zone)  # read as CET: 01:30 UTC
    after = dt.datetime(2025, 3, 30, 3, 10, tzinfo=zone)  # CEST: 01:10 UTC
    assert after.astimezone(dt.UTC) < in_gap.astimezone(dt.UTC)
    with pytest.raises(OutOfOrderError):
        invoice().issue(at=in_gap).pay(at=after)
    assert invoice().issue(at=after).pay(at=in_gap).status is I.PAID


@pytest.mark.parametrize("zone", BERLIN_ZONES)
def test_a_history_in_the_fold_is_read_in_instant_order(zone: dt.tzinfo) -> None:
    """A history whose records cross the fold is accepted in the order time passed."""
    first = dt.datetime(2025, 10, 26, 2, 50, tzinfo=zone)
    second = dt.datetime(2025, 10, 26, 2, 10, fold=1, tzinfo=zone)
    history = [Change("issue", I.DRAFT, I.UNPAID, first), Change("pay", I.UNPAID, I.PAID, second)]
    assert invoice(I.PAID, paid=TOTAL, total=TOTAL, history=history).history[-1].at == second
    with pytest.raises(InvalidValueError, match=r"history\[1\]\.at"):
        invoice(I.PAID, paid=TOTAL, total=TOTAL, history=list(reversed(history)))


@pytest.mark.parametrize("zone", BERLIN_ZONES)
def test_past_due_after_is_elapsed_time_across_a_change_of_clocks(zone: dt.tzinfo) -> None:
    """24 hours after 12:00 on the day before the clocks go back is 11:00 the next day."""
    due = dt.datetime(2025, 10, 25, 12, 0, tzinfo=zone)
    unpaid = invoice(due_at=due).issue(at=due - dt.timedelta(days=1))
    just_before = dt.datetime(2025, 10, 26, 10, 59, tzinfo=zone)
    assert unpaid.advance(just_before).status is I.UNPAID
    moved = unpaid.advance(dt.datetime(2025, 10, 26, 11, 0, tzinfo=zone))
    assert moved.status is I.PAST_DUE
    assert moved.history[-1].at == dt.datetime(2025, 10, 26, 11, 0, tzinfo=zone)
    assert moved.history[-1].at == due.astimezone(dt.UTC) + dt.timedelta(hours=24)


# -- orders ---------------------------------------------------------------------------------


def test_replacing_the_one_time_line_with_a_subscription_makes_a_subscription_order() -> None:
    """The type follows the lines when it was derived, as the same lines built fresh give."""

    def fresh(*lines: OrderLineItem) -> Order:
        return Order(id=1, contact_id=7, currency="USD", line_items=lines)

    one_time = fresh(order_line(line_id=1))
    assert one_time.order_type is OrderType.ONE_TIME
    subscription_line = order_line(line_id=1, payment_type="subscription")
    replaced = one_time.replace_line_item(1, subscription_line)
    assert replaced.order_type is OrderType.SUBSCRIPTION
    assert replaced == fresh(subscription_line)


def test_replacing_a_line_keeps_a_type_the_api_gave_against_the_lines() -> None:
    """A subscription order of one-time lines (the API's word) stays a subscription order."""
    given_type = order(order_type=OrderType.SUBSCRIPTION, lines=[order_line(line_id=1)])
    replaced = given_type.replace_line_item(1, order_line(line_id=1, quantity=2))
    assert replaced.order_type is OrderType.SUBSCRIPTION


def test_history_records_start_from_t0() -> None:
    """The builders' epoch is aware (a guard for the tests above)."""
    assert T0.tzinfo is not None
