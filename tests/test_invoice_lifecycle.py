"""The invoice lifecycle, row by row from API.md section 4: managed and external."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from _builders import (
    EXTERNAL,
    EXTERNAL_INVOICE_STATUSES,
    INVOICE_EVENTS,
    INVOICE_SOURCES,
    MANAGED,
    MANAGED_INVOICE_FINALS,
    T0,
    I,
    after,
    at,
    attempt,
    expected_invoice_events,
    invoice,
    loosely,
)
from clickfunnels_orders import (
    AmountError,
    Change,
    InvalidTransitionError,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    OrdersError,
    PaymentProcessor,
)

TOTAL = Decimal("100.00")

#: Amounts (paid, refunded) that make each status plausible, for a total of 100.00.
AMOUNTS: dict[InvoiceStatus, tuple[str, str]] = {
    I.DRAFT: ("0", "0"),
    I.UNPAID: ("0", "0"),
    I.PARTIALLY_PAID: ("40.00", "0"),
    I.PAID: ("100.00", "0"),
    I.PAST_DUE: ("0", "0"),
    I.ABANDONED: ("0", "0"),
    I.VOIDED: ("0", "0"),
    I.PARTIALLY_REFUNDED: ("100.00", "30.00"),
    I.REFUNDED: ("100.00", "100.00"),
    I.DISPUTED: ("100.00", "0"),
}

PROCESSORS = pytest.mark.parametrize("processor", list(PaymentProcessor), ids=str)
MANAGED_PROCESSORS = pytest.mark.parametrize("processor", MANAGED, ids=str)


def in_status(status: InvoiceStatus, processor: PaymentProcessor = MANAGED[0]) -> Invoice:
    """Return an invoice of 100.00 in ``status``, with amounts that fit it."""
    paid, refunded = AMOUNTS[status]
    return invoice(status, total=TOTAL, paid=paid, refunded=refunded, processor=processor)


def unpaid(processor: PaymentProcessor = MANAGED[0], total: str = "100.00") -> Invoice:
    """Return a freshly issued invoice of ``total``."""
    return invoice(total=total, processor=processor).issue(at=at(0))


# -- the table as a whole -------------------------------------------------------------------


@MANAGED_PROCESSORS
@pytest.mark.parametrize("status", list(InvoiceStatus), ids=str)
@pytest.mark.parametrize("event", INVOICE_EVENTS)
def test_a_managed_invoice_event_succeeds_exactly_from_the_statuses_the_table_lists(
    processor: PaymentProcessor, status: InvoiceStatus, event: str
) -> None:
    """Each event works from its table row's sources and raises InvalidTransitionError elsewhere."""
    start = in_status(status, processor)
    moved = attempt(start, event, at(1))
    assert (moved is not None) is (status in INVOICE_SOURCES[event])
    assert start.may(event) is (status in INVOICE_SOURCES[event])


@PROCESSORS
@pytest.mark.parametrize("status", list(InvoiceStatus), ids=str)
def test_allowed_events_are_the_table_rows_for_the_status(
    processor: PaymentProcessor, status: InvoiceStatus
) -> None:
    """``allowed_events`` lists exactly the events of the table that start from the status."""
    start = in_status(status, processor)
    assert set(start.allowed_events) == expected_invoice_events(start)
    assert len(start.allowed_events) == len(set(start.allowed_events))


@MANAGED_PROCESSORS
@pytest.mark.parametrize("status", sorted(MANAGED_INVOICE_FINALS), ids=str)
def test_managed_final_statuses_have_no_events(
    processor: PaymentProcessor, status: InvoiceStatus
) -> None:
    """Abandoned, voided and refunded are final for a managed invoice: nothing may be fired."""
    final = in_status(status, processor)
    assert final.allowed_events == ()
    for event in INVOICE_EVENTS:
        assert attempt(final, event, at(1)) is None


@MANAGED_PROCESSORS
@pytest.mark.parametrize("status", sorted(set(InvoiceStatus) - MANAGED_INVOICE_FINALS), ids=str)
def test_every_other_managed_status_has_a_way_out(
    processor: PaymentProcessor, status: InvoiceStatus
) -> None:
    """A non-final status always allows some event."""
    assert in_status(status, processor).allowed_events


# -- issue ----------------------------------------------------------------------------------


def test_issue_moves_a_draft_to_unpaid_and_sets_issued_at() -> None:
    """``issue`` turns a draft unpaid, stamps ``issued_at`` and records the change."""
    draft = invoice()
    issued = draft.issue(at=at(5))
    assert issued.status is I.UNPAID
    assert issued.issued_at == at(5)
    assert issued.history == (Change("issue", I.DRAFT, I.UNPAID, at(5)),)
    assert draft.status is I.DRAFT
    assert draft.issued_at is None


# -- pay ------------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [I.UNPAID, I.PAST_DUE])
def test_paying_the_rest_marks_the_invoice_paid_and_stamps_paid_at(source: InvoiceStatus) -> None:
    """``pay()`` with no amount pays what is due: paid, ``amount_paid == total``, ``paid_at``."""
    start = in_status(source)
    paid = start.pay(at=at(3))
    assert paid.status is I.PAID
    assert paid.amount_paid == TOTAL
    assert paid.paid_at == at(3)
    assert paid.history[-1] == Change("pay", source, I.PAID, at(3))


@pytest.mark.parametrize("source", [I.UNPAID, I.PAST_DUE])
def test_a_partial_payment_leaves_the_invoice_partially_paid_without_paid_at(
    source: InvoiceStatus,
) -> None:
    """Paying less than is due adds to ``amount_paid`` and leaves ``paid_at`` unset."""
    part = in_status(source).pay(Decimal("30.00"), at=at(2))
    assert part.status is I.PARTIALLY_PAID
    assert part.amount_paid == Decimal("30.00")
    assert part.paid_at is None
    assert part.history[-1] == Change("pay", source, I.PARTIALLY_PAID, at(2))


def test_payments_add_up_until_the_invoice_is_paid() -> None:
    """Partial payments accumulate; the one that settles the total marks it paid then."""
    first = unpaid().pay("30.00", at=at(1))
    second = first.pay(Decimal("50.00"), at=at(2))
    assert second.status is I.PARTIALLY_PAID
    assert second.amount_paid == Decimal("80.00")
    assert second.history[-1] == Change("pay", I.PARTIALLY_PAID, I.PARTIALLY_PAID, at(2))
    last = second.pay(Decimal("20.00"), at=at(3))
    assert last.status is I.PAID
    assert last.amount_paid == TOTAL
    assert last.paid_at == at(3)


def test_pay_without_an_amount_from_partially_paid_pays_the_remainder() -> None:
    """``None`` means the rest of what is due, also after a partial payment."""
    paid = unpaid().pay(7, at=at(1)).pay(at=at(2))
    assert paid.status is I.PAID
    assert paid.amount_paid == TOTAL


def test_paying_more_than_is_due_raises_amount_error_and_changes_nothing() -> None:
    """An overpayment is an AmountError (a ValueError) carrying the event and the amount."""
    start = unpaid().pay("60.00", at=at(1))
    with pytest.raises(AmountError) as caught:
        start.pay(Decimal("40.01"), at=at(2))
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, OrdersError)
    assert error.event == "pay"
    assert error.amount == Decimal("40.01")
    assert "40.00" in str(error)
    assert start.amount_paid == Decimal("60.00")


@pytest.mark.parametrize("amount", [0, "0.00", -5, Decimal("-0.01")])
def test_a_non_positive_payment_raises_amount_error(amount: object) -> None:
    """A payment must be positive."""
    with pytest.raises(AmountError):
        loosely(unpaid().pay)(amount, at=at(1))


def test_a_float_payment_is_refused_with_a_type_error() -> None:
    """Event amounts refuse floats just as fields do."""
    with pytest.raises(InvalidTypeError, match="Decimal") as caught:
        loosely(unpaid().pay)(10.5, at=at(1))
    assert isinstance(caught.value, TypeError)


def test_a_string_payment_is_converted_exactly() -> None:
    """A decimal string pays exactly that amount."""
    assert unpaid().pay("0.10", at=at(1)).amount_paid == Decimal("0.10")


def test_pay_on_an_invoice_with_nothing_due_marks_it_paid() -> None:
    """An invoice of 0.00 (or already fully paid) becomes paid by ``pay()``."""
    free = unpaid(total="0.00").pay(at=at(1))
    assert free.status is I.PAID
    assert free.paid_at == at(1)
    settled = invoice(I.PARTIALLY_PAID, total=TOTAL, paid=TOTAL).pay(at=at(1))
    assert settled.status is I.PAID


def test_an_amount_on_an_invoice_with_nothing_due_is_refused() -> None:
    """With nothing due, any explicit amount is more than is due."""
    with pytest.raises(AmountError):
        unpaid(total="0.00").pay("0.01", at=at(1))


# -- mark_past_due, abandon, void -----------------------------------------------------------


def test_mark_past_due_moves_an_unpaid_invoice_to_past_due() -> None:
    """``mark_past_due`` is the unpaid -> past-due row."""
    late = unpaid().mark_past_due(at=at(1))
    assert late.status is I.PAST_DUE
    assert late.history[-1] == Change("mark_past_due", I.UNPAID, I.PAST_DUE, at(1))


@pytest.mark.parametrize("event", ["abandon", "void"])
@pytest.mark.parametrize("source", [I.DRAFT, I.UNPAID, I.PAST_DUE])
def test_abandon_and_void_close_an_unsettled_invoice_for_good(
    event: str, source: InvoiceStatus
) -> None:
    """Draft, unpaid and past-due invoices may be abandoned or voided; both are final."""
    dest = {"abandon": I.ABANDONED, "void": I.VOIDED}[event]
    closed: Invoice = getattr(in_status(source), event)(at=at(1))
    assert closed.status is dest
    assert closed.history[-1] == Change(event, source, dest, at(1))
    assert closed.allowed_events == ()


# -- refund ---------------------------------------------------------------------------------


def test_refunding_everything_from_paid_marks_the_invoice_refunded() -> None:
    """``refund()`` with no amount refunds everything paid: refunded, and final."""
    refunded = in_status(I.PAID).refund(at=at(1))
    assert refunded.status is I.REFUNDED
    assert refunded.amount_refunded == TOTAL
    assert refunded.history[-1] == Change("refund", I.PAID, I.REFUNDED, at(1))
    assert refunded.allowed_events == ()


def test_a_partial_refund_leaves_the_invoice_partially_refunded() -> None:
    """Refunding part of a paid invoice adds to ``amount_refunded``: partially-refunded."""
    part = in_status(I.PAID).refund("25.00", at=at(1))
    assert part.status is I.PARTIALLY_REFUNDED
    assert part.amount_refunded == Decimal("25.00")
    again = part.refund(Decimal("25.00"), at=at(2))
    assert again.status is I.PARTIALLY_REFUNDED
    assert again.amount_refunded == Decimal("50.00")
    rest = again.refund(Decimal("50.00"), at=at(3))
    assert rest.status is I.REFUNDED
    assert rest.amount_refunded == TOTAL


def test_refund_without_an_amount_from_partially_refunded_refunds_the_rest() -> None:
    """``None`` refunds what was paid and not yet refunded."""
    refunded = in_status(I.PARTIALLY_REFUNDED).refund(at=at(1))
    assert refunded.status is I.REFUNDED
    assert refunded.amount_refunded == TOTAL


def test_refunding_a_partially_paid_invoice_always_refunds_it_fully() -> None:
    """From partially-paid a refund is all of what was paid, and the invoice is refunded."""
    start = in_status(I.PARTIALLY_PAID)
    for refunded in (start.refund(at=at(1)), start.refund(Decimal("40.00"), at=at(1))):
        assert refunded.status is I.REFUNDED
        assert refunded.amount_refunded == Decimal("40.00")
        assert refunded.history[-1] == Change("refund", I.PARTIALLY_PAID, I.REFUNDED, at(1))


def test_a_partial_refund_of_a_partially_paid_invoice_raises_amount_error() -> None:
    """A partially-paid invoice cannot be partly refunded."""
    with pytest.raises(AmountError, match="refund"):
        in_status(I.PARTIALLY_PAID).refund(Decimal("10.00"), at=at(1))


@pytest.mark.parametrize("source", [I.PAID, I.PARTIALLY_REFUNDED])
def test_refunding_more_than_was_paid_and_not_yet_refunded_raises_amount_error(
    source: InvoiceStatus,
) -> None:
    """The refundable amount is ``amount_paid - amount_refunded``; more is an AmountError."""
    start = in_status(source)
    too_much = start.refundable_amount + Decimal("0.01")
    with pytest.raises(AmountError) as caught:
        start.refund(too_much, at=at(1))
    assert caught.value.event == "refund"
    assert caught.value.amount == too_much


@pytest.mark.parametrize("amount", [0, Decimal(-1)])
def test_a_non_positive_refund_raises_amount_error(amount: object) -> None:
    """A refund must be positive."""
    with pytest.raises(AmountError):
        loosely(in_status(I.PAID).refund)(amount, at=at(1))


# -- disputes -------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [I.PAID, I.PARTIALLY_REFUNDED])
def test_win_dispute_returns_to_the_status_the_dispute_came_from(source: InvoiceStatus) -> None:
    """A won dispute goes back where it started, as the history records it."""
    disputed = in_status(source).dispute(at=at(1))
    assert disputed.status is I.DISPUTED
    assert disputed.history[-1] == Change("dispute", source, I.DISPUTED, at(1))
    won = disputed.win_dispute(at=at(2))
    assert won.status is source
    assert won.history[-1] == Change("win_dispute", I.DISPUTED, source, at(2))
    assert (won.amount_paid, won.amount_refunded) == (
        disputed.amount_paid,
        disputed.amount_refunded,
    )


@pytest.mark.parametrize(("refunded", "expected"), [("0", I.PAID), ("0.01", I.PARTIALLY_REFUNDED)])
def test_win_dispute_without_history_goes_by_whether_anything_was_refunded(
    refunded: str, expected: InvoiceStatus
) -> None:
    """With no dispute in the history: partially-refunded if anything was refunded, else paid."""
    disputed = invoice(I.DISPUTED, total=TOTAL, paid=TOTAL, refunded=refunded)
    assert disputed.win_dispute(at=at(1)).status is expected


def test_win_dispute_is_refused_where_the_amounts_do_not_show_the_money_it_returns_to() -> None:
    """The recorded source decides where a win goes, and the amounts must show its money."""
    history = [Change("dispute", I.PARTIALLY_REFUNDED, I.DISPUTED, T0)]
    nothing_refunded = invoice(I.DISPUTED, total=TOTAL, paid=TOTAL, history=history)
    assert not nothing_refunded.may("win_dispute")
    with pytest.raises(InvalidTransitionError):
        nothing_refunded.win_dispute(at=at(1))
    history = [Change("dispute", I.PAID, I.DISPUTED, T0)]
    part_refunded = invoice(I.DISPUTED, total=TOTAL, paid=TOTAL, refunded="10.00", history=history)
    assert part_refunded.allowed_events == ("lose_dispute",)


def test_win_dispute_reads_the_latest_dispute_in_the_history() -> None:
    """A second dispute is answered by its own source, not the first one's."""
    twice = (
        in_status(I.PAID)
        .dispute(at=at(1))
        .win_dispute(at=at(2))
        .refund("10.00", at=at(3))
        .dispute(at=at(4))
    )
    assert twice.win_dispute(at=at(5)).status is I.PARTIALLY_REFUNDED


@pytest.mark.parametrize("source", [I.PAID, I.PARTIALLY_REFUNDED])
def test_lose_dispute_refunds_everything_paid_and_is_final(source: InvoiceStatus) -> None:
    """A lost dispute is refunded with ``amount_refunded == amount_paid``; nothing follows."""
    lost = in_status(source).dispute(at=at(1)).lose_dispute(at=at(2))
    assert lost.status is I.REFUNDED
    assert lost.amount_refunded == lost.amount_paid == TOTAL
    assert lost.history[-1] == Change("lose_dispute", I.DISPUTED, I.REFUNDED, at(2))
    assert lost.allowed_events == ()


# -- the state is checked before the amount -------------------------------------------------


@pytest.mark.parametrize(
    ("status", "event", "amount"),
    [
        (I.DRAFT, "pay", Decimal(1000)),
        (I.VOIDED, "pay", Decimal(0)),
        (I.PAID, "pay", Decimal(-1)),
        (I.UNPAID, "refund", Decimal(1000)),
        (I.REFUNDED, "refund", Decimal(0)),
        (I.DISPUTED, "refund", Decimal("5.00")),
    ],
)
def test_the_state_is_checked_before_the_amount(
    status: InvoiceStatus, event: str, amount: Decimal
) -> None:
    """An event not allowed in the status raises InvalidTransitionError even with a bad amount."""
    with pytest.raises(InvalidTransitionError) as caught:
        getattr(in_status(status), event)(amount, at=at(1))
    assert caught.value.event == event
    assert caught.value.state == status


# -- moments --------------------------------------------------------------------------------


@pytest.mark.parametrize("event", ["pay", "mark_past_due", "void", "abandon"])
def test_an_event_earlier_than_the_last_change_is_refused(event: str) -> None:
    """Events are dated no earlier than the entity's last change; otherwise a ValueError."""
    start = unpaid().mark_past_due(at=at(10)) if event == "pay" else unpaid()
    last = start.history[-1].at
    with pytest.raises(InvalidValueError) as caught:
        getattr(start, event)(at=last - dt.timedelta(microseconds=1))
    assert isinstance(caught.value, OrdersError)
    assert caught.value.field == "at"


def test_an_event_at_the_same_moment_as_the_last_change_is_accepted() -> None:
    """Equal timestamps keep the history non-decreasing, so they are accepted."""
    start = unpaid()
    paid = start.pay(at=start.history[-1].at)
    assert [c.at for c in paid.history] == [at(0), at(0)]


def test_an_event_at_a_naive_moment_is_refused() -> None:
    """``at`` must be timezone-aware."""
    with pytest.raises(InvalidValueError, match="timezone-aware"):
        unpaid().pay(at=dt.datetime(2025, 6, 1))  # noqa: DTZ001  because a naive moment is the input under test


def test_an_event_compares_moments_across_time_zones() -> None:
    """A moment in another zone that is earlier in absolute time is refused."""
    start = unpaid()  # issued at 12:00 UTC
    eastern = dt.timezone(dt.timedelta(hours=-5))
    with pytest.raises(InvalidValueError):
        start.pay(at=dt.datetime(2025, 1, 1, 6, 59, tzinfo=eastern))
    assert start.pay(at=dt.datetime(2025, 1, 1, 7, 0, tzinfo=eastern)).status is I.PAID


def test_history_records_one_change_per_event_oldest_first() -> None:
    """A lifecycle leaves one Change per event, in the order the events were fired."""
    done = invoice().issue(at=at(1)).pay("10", at=at(2)).pay(at=at(3)).refund(at=at(4))
    assert done.history == (
        Change("issue", I.DRAFT, I.UNPAID, at(1)),
        Change("pay", I.UNPAID, I.PARTIALLY_PAID, at(2)),
        Change("pay", I.PARTIALLY_PAID, I.PAID, at(3)),
        Change("refund", I.PAID, I.REFUNDED, at(4)),
    )


def test_an_event_leaves_the_original_invoice_untouched() -> None:
    """Every event returns a new invoice; the one it was fired on keeps its values."""
    start = unpaid()
    before = (start.status, start.amount_paid, start.paid_at, start.history)
    paid = start.pay(at=at(1))
    assert paid is not start
    assert (start.status, start.amount_paid, start.paid_at, start.history) == before


# -- external invoices ----------------------------------------------------------------------

EXTERNAL_PAIRS = [
    (s, d)
    for s in sorted(EXTERNAL_INVOICE_STATUSES)
    for d in sorted(EXTERNAL_INVOICE_STATUSES)
    if s != d
]


@pytest.mark.parametrize(("source", "dest"), EXTERNAL_PAIRS, ids=str)
def test_an_external_invoice_may_be_set_between_any_two_external_statuses(
    source: InvoiceStatus, dest: InvoiceStatus
) -> None:
    """``set_status`` moves an external invoice between any two of its seven statuses."""
    start = in_status(source, EXTERNAL)
    moved = start.set_status(dest, at=at(1))
    assert moved.status is dest
    assert moved.history[-1] == Change("set_status", source, dest, at(1))


@pytest.mark.parametrize("status", sorted(EXTERNAL_INVOICE_STATUSES), ids=str)
def test_no_external_status_is_final(status: InvoiceStatus) -> None:
    """The client architects its own transitions: every external status may be left."""
    assert "set_status" in in_status(status, EXTERNAL).allowed_events


def test_setting_an_external_invoice_paid_pays_the_total_and_stamps_paid_at() -> None:
    """``set_status('paid')`` sets ``paid_at = at`` and ``amount_paid = total_amount``."""
    paid = unpaid(EXTERNAL).set_status("paid", at=at(4))
    assert paid.status is I.PAID
    assert paid.paid_at == at(4)
    assert paid.amount_paid == TOTAL


def test_setting_an_external_invoice_refunded_refunds_everything_paid() -> None:
    """``set_status('refunded')`` sets ``amount_refunded = amount_paid``."""
    refunded = in_status(I.PAID, EXTERNAL).set_status(I.REFUNDED, at=at(1))
    assert refunded.amount_refunded == TOTAL
    nothing_paid = in_status(I.UNPAID, EXTERNAL).set_status(I.REFUNDED, at=at(1))
    assert nothing_paid.amount_refunded == Decimal(0)


@pytest.mark.parametrize("dest", [I.UNPAID, I.VOIDED, I.PAST_DUE, I.ABANDONED])
def test_external_targets_that_hold_nothing_clear_the_amounts(dest: InvoiceStatus) -> None:
    """Unpaid, voided, past-due and abandoned say nothing is held: nothing paid or refunded."""
    start = in_status(I.PAID, EXTERNAL)
    moved = start.set_status(dest, at=at(1))
    assert (moved.amount_paid, moved.amount_refunded, moved.paid_at) == (
        Decimal(0),
        Decimal(0),
        None,
    )
    assert moved.due_amount == moved.total_amount


def test_an_external_invoice_set_back_to_unpaid_can_be_paid_again() -> None:
    """Paid, then unpaid, then a payment: the payment is taken, not refused as nothing due."""
    unpaid = in_status(I.PAID, EXTERNAL).set_status(I.UNPAID, at=at(1))
    repaid = unpaid.pay("10.00", at=at(2))
    assert (repaid.status, repaid.amount_paid) == (I.PARTIALLY_PAID, Decimal("10.00"))


def test_setting_disputed_leaves_the_amounts_as_they_are() -> None:
    """A dispute keeps the money of the status it was opened from."""
    start = invoice(I.PAID, total=TOTAL, paid=TOTAL, processor=EXTERNAL)
    moved = start.set_status(I.DISPUTED, at=at(1))
    assert (moved.amount_paid, moved.amount_refunded) == (start.amount_paid, Decimal(0))


@pytest.mark.parametrize("status", sorted(EXTERNAL_INVOICE_STATUSES), ids=str)
def test_setting_the_current_status_returns_the_invoice_unchanged(status: InvoiceStatus) -> None:
    """Setting an external invoice to the status it has changes nothing, history included."""
    start = in_status(status, EXTERNAL)
    assert start.set_status(status.value, at=at(1)) == start


@pytest.mark.parametrize("dest", [I.DRAFT, I.PARTIALLY_PAID, I.PARTIALLY_REFUNDED])
def test_an_external_invoice_cannot_be_set_to_a_status_outside_the_seven(
    dest: InvoiceStatus,
) -> None:
    """Draft, partially-paid and partially-refunded are reached by events, not set."""
    with pytest.raises(InvalidTransitionError) as caught:
        in_status(I.UNPAID, EXTERNAL).set_status(dest, at=at(1))
    assert caught.value.event == "set_status"


@pytest.mark.parametrize("source", [I.DRAFT, I.PARTIALLY_PAID, I.PARTIALLY_REFUNDED])
def test_set_status_is_not_offered_from_a_status_outside_the_seven(source: InvoiceStatus) -> None:
    """From a status an external client cannot set, ``set_status`` is refused."""
    start = in_status(source, EXTERNAL)
    assert not start.may("set_status")
    with pytest.raises(InvalidTransitionError):
        start.set_status(I.PAID, at=at(1))


@MANAGED_PROCESSORS
@pytest.mark.parametrize("status", list(InvoiceStatus), ids=str)
def test_a_managed_invoice_refuses_set_status(
    processor: PaymentProcessor, status: InvoiceStatus
) -> None:
    """Payments AI and Stripe invoices move only by events: ``set_status`` is refused."""
    start = in_status(status, processor)
    assert not start.may("set_status")
    for dest in InvoiceStatus:
        with pytest.raises(InvalidTransitionError) as caught:
            start.set_status(dest, at=at(1))
        assert caught.value.event == "set_status"
        assert caught.value.state == status


def test_an_external_invoice_accepts_the_managed_events_too() -> None:
    """External invoices take ``issue``, ``pay``, ``refund`` ... as managed ones do."""
    done = invoice(processor=EXTERNAL).issue(at=at(1)).pay("40", at=at(2)).pay(at=at(3))
    assert done.status is I.PAID
    refunded = done.refund(at=at(4))
    assert refunded.status is I.REFUNDED
    assert refunded.may("set_status")


def test_set_status_refuses_an_unknown_status_string() -> None:
    """A status outside the API's enumeration is a ValueError, not a silent no-op."""
    with pytest.raises(OrdersError):
        unpaid(EXTERNAL).set_status("settled", at=at(1))


def test_set_status_refuses_an_event_earlier_than_the_last_change() -> None:
    """``set_status`` is dated like any event."""
    start = unpaid(EXTERNAL).set_status("paid", at=at(10))
    with pytest.raises(InvalidValueError):
        start.set_status("refunded", at=at(9))
    assert start.set_status("refunded", at=after(start)).status is I.REFUNDED


def test_invalid_transition_error_carries_event_state_and_allowed() -> None:
    """The error names the event, the state and the allowed events, as attributes and text."""
    draft = invoice()
    with pytest.raises(InvalidTransitionError) as caught:
        draft.pay(at=at(1))
    error = caught.value
    assert (error.event, error.state) == ("pay", I.DRAFT)
    assert set(error.allowed) == {"issue", "abandon", "void"}
    for word in ("pay", "draft", "issue", "abandon", "void"):
        assert word in str(error)


def test_setting_the_current_status_still_checks_the_moment() -> None:
    """A no-op ``set_status`` is still an event call: an earlier or naive ``at`` is refused."""
    start = unpaid(EXTERNAL).set_status("paid", at=at(10))
    with pytest.raises(InvalidValueError, match="at"):
        start.set_status("paid", at=at(9))
    with pytest.raises(InvalidValueError, match="timezone-aware"):
        start.set_status("paid", at=dt.datetime(2025, 6, 1))  # noqa: DTZ001  because a naive moment is the input under test
