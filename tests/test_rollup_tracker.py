"""The incremental ``Tracker``: recording fulfillments and invoices, queries and views.

One example test per rule of API.md section 5's tracker paragraph: every check before
any change, each release once, refusals that change nothing.
"""

from __future__ import annotations

import threading
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    DuplicateLineItemError,
    Fulfillment,
    FulfillmentConflictError,
    FulfillmentStatus,
    InvalidTypeError,
    Invoice,
    InvoiceFulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    NotFulfillableError,
    OrderFulfillmentStatus,
    OverFulfilledLineError,
    OverFulfillmentError,
    UnknownInvoiceError,
    UnknownLineItemError,
)
from clickfunnels_orders.rollup import Tracker, compute
from clickfunnels_orders.rollup import _rules as rules
from test_rollup_books import (
    at,
    invoice,
    line,
    shipment,
    two_orders,
)

ROOT = Path(__file__).resolve().parent.parent
L = LineItemFulfillmentStatus
IS = InvoiceFulfillmentStatus
OS = OrderFulfillmentStatus
CANCELLED = FulfillmentStatus.CANCELLED
RESTOCKED = FulfillmentStatus.RESTOCKED


# -- tracker: recording fulfillments --------------------------------------------------------


def test_recording_a_new_fulfillment_counts_it() -> None:
    """A fulfilled fulfillment's quantities count once recorded; record says it changed."""
    tracker = Tracker(two_orders())
    assert tracker.record(shipment(1, (11, 1), (21, 3))) is True
    assert tracker.fulfilled_quantity(11) == 1
    assert tracker.line_item_status(21) is L.FULFILLED
    assert tracker.invoice_status(2) is IS.COMPLETE
    assert tracker.order_status("A") is OS.PARTIALLY_FULFILLED
    assert tracker.remaining("A") == {11: 1, 12: 1}


def assert_refused_without_change(
    tracker: Tracker, entity: Invoice | Fulfillment, error: type[Exception]
) -> Exception:
    """Record ``entity``, expect ``error``, and check that nothing changed."""
    before = tracker.snapshot()
    held = dict(tracker.fulfillments)
    with pytest.raises(error) as caught:
        tracker.record(entity)
    assert tracker.snapshot() == before
    assert dict(tracker.fulfillments) == held
    return caught.value


def test_a_fulfillment_naming_an_unknown_line_item_is_refused_and_changes_nothing() -> None:
    """UnknownLineItemError, and the fulfillment's other lines are not counted either."""
    tracker = Tracker(two_orders())
    error = assert_refused_without_change(
        tracker, shipment(1, (11, 1), (999, 1)), UnknownLineItemError
    )
    assert isinstance(error, UnknownLineItemError)
    assert error.fulfillment_id == 1
    assert 1 not in tracker.fulfillments


@pytest.mark.parametrize(
    ("inv", "reason"),
    [
        (invoice(1, "A", line(1, 1, status=L.IGNORED)), "ignored"),
        (invoice(1, "A", line(1, 1, status=L.COMPLETE)), "complete"),
        (invoice(1, "A", line(1, 1), status=InvoiceStatus.UNPAID), "unpaid"),
        (invoice(1, "A", line(1, 1), status=InvoiceStatus.REFUNDED), "refunded"),
    ],
)
def test_a_fulfillment_of_a_line_that_cannot_be_fulfilled_is_refused(
    inv: Invoice, reason: str
) -> None:
    """Ignored or complete lines, and lines of ineligible invoices: NotFulfillableError."""
    tracker = Tracker([inv])
    error = assert_refused_without_change(tracker, shipment(7, (1, 1)), NotFulfillableError)
    assert isinstance(error, NotFulfillableError)
    assert (error.fulfillment_id, error.line_item_id) == (7, 1)
    assert reason in error.reason
    assert reason in str(error)


def test_a_fulfillment_with_several_faults_is_refused_for_the_most_basic_one() -> None:
    """Unknown lines are reported before unshippable ones, and those before too much."""
    tracker = Tracker([invoice(1, "A", line(1, 1, 1), line(2, 1, 1, status=L.IGNORED))])
    too_much_then_ignored_then_unknown = shipment(7, (1, 5), (2, 1), (999, 1))
    assert_refused_without_change(tracker, too_much_then_ignored_then_unknown, UnknownLineItemError)
    too_much_then_ignored = shipment(8, (1, 5), (2, 1))
    assert_refused_without_change(tracker, too_much_then_ignored, NotFulfillableError)


def test_a_line_that_needs_no_fulfillment_may_still_be_shipped() -> None:
    """fulfillment_required false makes a line not required, not unshippable."""
    tracker = Tracker([invoice(1, "A", line(1, 1, 1, required=False))])
    tracker.record(shipment(1, (1, 1)))
    assert tracker.line_item_status(1) is L.FULFILLED
    assert tracker.order_status("A") is OS.NOT_APPLICABLE


def test_a_fulfillment_that_would_over_fulfill_is_refused_and_changes_nothing() -> None:
    """OverFulfillmentError says what was fulfilled, asked for, and is still allowed."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (21, 2)))
    error = assert_refused_without_change(
        tracker, shipment(2, (11, 1), (21, 1), (21, 1)), OverFulfillmentError
    )
    assert isinstance(error, OverFulfillmentError)
    assert (error.fulfillment_id, error.line_item_id) == (2, 21)
    assert (error.quantity, error.already, error.requested, error.available) == (3, 2, 2, 1)
    assert tracker.fulfilled_quantity(11) == 0


def test_cancelling_a_fulfillment_releases_its_quantities_once() -> None:
    """Recording the cancelled version releases; recording it again changes nothing."""
    tracker = Tracker(two_orders())
    shipped = shipment(1, (11, 2), (21, 1))
    tracker.record(shipped)
    cancelled = shipped.cancel(at=at(5))
    assert tracker.record(cancelled) is True
    assert tracker.fulfilled_quantity(11) == 0
    for _ in range(3):
        assert tracker.record(cancelled) is False
    assert tracker.fulfilled_quantity(11) == 0
    assert tracker.fulfilled_quantity(21) == 0
    assert tracker.order_status("A") is OS.UNFULFILLED


def test_restocking_a_fulfillment_releases_its_quantities() -> None:
    """A restocked version releases the quantities just as a cancelled one does."""
    tracker = Tracker(two_orders())
    shipped = shipment(1, (21, 3))
    tracker.record(shipped)
    tracker.record(shipped.restock(at=at(5)))
    assert tracker.invoice_status(2) is IS.UNFULFILLED
    assert tracker.snapshot() == compute(two_orders(), [shipped.restock(at=at(5))])


def test_the_same_version_again_changes_nothing_whatever_its_history_or_line_order() -> None:
    """Same status and same lines in any order is the same version."""
    tracker = Tracker(two_orders())
    shipped = shipment(1, (11, 1), (21, 1))
    tracker.record(shipped)
    before = tracker.snapshot()
    again = attrs.evolve(shipped, lines=tuple(reversed(shipped.lines)), created_at=at(9))
    assert tracker.record(again) is False
    assert tracker.snapshot() == before


def test_a_fulfillment_whose_lines_change_is_refused() -> None:
    """A fulfillment's lines never change: FulfillmentConflictError, nothing changes."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (11, 1)))
    for changed in (shipment(1, (11, 2)), shipment(1, (12, 1)), shipment(1, (11, 1), (12, 1))):
        error = assert_refused_without_change(tracker, changed, FulfillmentConflictError)
        assert isinstance(error, FulfillmentConflictError)
        assert error.fulfillment_id == 1
        assert "lines never change" in str(error)


def test_a_cancelled_or_restocked_fulfillment_cannot_be_reopened_or_changed() -> None:
    """Cancelled and restocked are final: a fulfilled or other final version is refused."""
    tracker = Tracker(two_orders())
    shipped = shipment(1, (11, 1))
    tracker.record(shipped)
    tracker.record(shipped.cancel(at=at(1)))
    assert_refused_without_change(tracker, shipped, FulfillmentConflictError)
    assert_refused_without_change(
        tracker, shipment(1, (11, 1), status=RESTOCKED), FulfillmentConflictError
    )
    assert tracker.fulfillments[1].status is CANCELLED


def test_releasing_quantity_from_a_complete_line_is_refused() -> None:
    """Once a line is complete, a fulfillment shipping it can no longer be cancelled."""
    invoices = two_orders()
    tracker = Tracker(invoices)
    shipped = shipment(1, (21, 3))
    tracker.record(shipped)
    applied = tracker.apply(invoices[1])
    completed = attrs.evolve(applied, line_items=(applied.line_items[0].complete(at=at(2)),))
    tracker.record(completed)
    error = assert_refused_without_change(
        tracker, shipped.cancel(at=at(3)), FulfillmentConflictError
    )
    assert isinstance(error, FulfillmentConflictError)
    assert error.line_item_id == 21
    assert "complete" in str(error)


def test_a_fulfillment_first_seen_cancelled_is_kept_but_never_counts() -> None:
    """Out of order: the cancelled version first, then the fulfilled one is refused."""
    tracker = Tracker(two_orders())
    shipped = shipment(1, (11, 1), (999, 1))
    assert tracker.record(shipped.cancel(at=at(1))) is True  # lines not checked: not counted
    assert tracker.fulfilled_quantity(11) == 0
    assert_refused_without_change(tracker, shipped, FulfillmentConflictError)
    assert tracker.snapshot() == compute(two_orders(), tracker.fulfillments.values())


def test_recording_something_else_is_a_type_error() -> None:
    """Only invoices and fulfillments can be recorded."""
    with pytest.raises(InvalidTypeError) as caught:
        Tracker().record("fulfillment 1")  # type: ignore[arg-type]  # the point of the test
    assert isinstance(caught.value, TypeError)


# -- tracker: recording invoices ------------------------------------------------------------


def test_paying_an_invoice_makes_its_lines_due() -> None:
    """An unpaid invoice's order is not_applicable until the paid version is recorded."""
    unpaid = invoice(1, "A", line(1, 1, 2), status=InvoiceStatus.UNPAID)
    tracker = Tracker([unpaid])
    assert tracker.order_status("A") is OS.NOT_APPLICABLE
    paid = unpaid.pay(at=at(1))
    assert tracker.record(paid) is True
    assert tracker.order_status("A") is OS.UNFULFILLED
    assert tracker.remaining("A") == {1: 2}
    assert tracker.record(paid) is False


def test_refunding_an_invoice_in_full_makes_its_lines_not_due() -> None:
    """A refunded invoice keeps its shipped quantities, but nothing is required any more."""
    paid = invoice(1, "A", line(1, 1, 2))
    tracker = Tracker([paid])
    tracker.record(shipment(1, (1, 1)))
    tracker.record(paid.refund(at=at(1)))
    assert tracker.order_status("A") is OS.NOT_APPLICABLE
    assert tracker.fulfilled_quantity(1) == 1
    assert tracker.line_item_status(1) is L.PARTIALLY_FULFILLED


def test_an_invoice_version_that_would_over_fulfill_a_line_is_refused() -> None:
    """Lowering a line's quantity below what is shipped raises an OverFulfillmentError."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (21, 2)))
    lowered = invoice(2, "B", line(21, 2, 1))
    error = assert_refused_without_change(tracker, lowered, OverFulfilledLineError)
    assert isinstance(error, OverFulfillmentError)
    assert isinstance(error, OverFulfilledLineError)
    assert (error.line_item_id, error.quantity, error.fulfilled) == (21, 1, 2)
    assert "invoice 2" in str(error)


def test_an_invoice_version_that_drops_a_fulfilled_line_is_refused() -> None:
    """Dropping a line with shipped quantity is refused; dropping an unshipped one is not."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (11, 1)))
    error = assert_refused_without_change(
        tracker, invoice(1, "A", line(12, 1, 1)), FulfillmentConflictError
    )
    assert isinstance(error, FulfillmentConflictError)
    assert (error.invoice_id, error.line_item_id) == (1, 11)
    assert tracker.record(invoice(1, "A", line(11, 1, 2))) is True
    with pytest.raises(UnknownLineItemError):
        tracker.fulfilled_quantity(12)


def test_an_invoice_version_that_reopens_or_drops_a_complete_line_is_refused() -> None:
    """Complete is final: a version showing it otherwise, or without it, is refused."""
    complete = invoice(1, "A", line(1, 1, 2, status=L.COMPLETE), line(2, 1, 1))
    tracker = Tracker([complete])
    assert_refused_without_change(
        tracker, invoice(1, "A", line(1, 1, 2), line(2, 1, 1)), FulfillmentConflictError
    )
    assert_refused_without_change(tracker, invoice(1, "A", line(2, 1, 1)), FulfillmentConflictError)


def test_an_invoice_holding_another_invoices_line_item_is_refused() -> None:
    """A line-item id belongs to one invoice of the tracker."""
    tracker = Tracker(two_orders())
    assert_refused_without_change(tracker, invoice(3, "C", line(21, 3)), DuplicateLineItemError)


def test_an_invoice_moved_to_another_order_moves_its_lines_status() -> None:
    """An invoice version with another order id leaves the old order and joins the new one."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (21, 3)))
    tracker.record(invoice(2, "A", line(21, 2, 3)))
    assert tracker.order_status("B") is OS.NOT_APPLICABLE
    assert tracker.order_status("A") is OS.PARTIALLY_FULFILLED
    assert tracker.snapshot() == compute(
        [invoice(1, "A", line(11, 1, 2), line(12, 1, 1)), invoice(2, "A", line(21, 2, 3))],
        [shipment(1, (21, 3))],
    )


def test_ignoring_and_unignoring_a_line_through_invoice_versions() -> None:
    """An ignored line leaves the required set; unignored, it comes back."""
    inv = invoice(1, "A", line(1, 1, 1), line(2, 1, 1))
    tracker = Tracker([inv])
    tracker.record(shipment(1, (1, 1)))
    ignored = attrs.evolve(inv, line_items=(inv.line_items[0], inv.line_items[1].ignore(at=at(1))))
    tracker.record(ignored)
    assert tracker.order_status("A") is OS.FULFILLED
    back = attrs.evolve(
        ignored, line_items=(inv.line_items[0], ignored.line_items[1].unignore(at=at(2)))
    )
    tracker.record(back)
    assert tracker.order_status("A") is OS.PARTIALLY_FULFILLED


# -- tracker: queries and views -------------------------------------------------------------


def test_the_tracker_answers_like_its_snapshot() -> None:
    """Every query of the tracker equals the same query of its snapshot."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (11, 1), (21, 3)))
    snap = tracker.snapshot()
    for key in (11, 12, 21):
        assert tracker.fulfilled_quantity(key) == snap.fulfilled_quantity(key)
        assert tracker.line_item_status(key) is snap.line_item_status(key)
    for invoice_id in (1, 2):
        assert tracker.invoice_status(invoice_id) is snap.invoice_status(invoice_id)
        held = tracker.invoices[invoice_id]
        assert tracker.apply(held) == snap.apply(held)
    for order_id in ("A", "B", "nobody"):
        assert tracker.order_status(order_id) is snap.order_status(order_id)
        assert tracker.remaining(order_id) == snap.remaining(order_id)
    with pytest.raises(UnknownInvoiceError):
        tracker.invoice_status(404)
    with pytest.raises(UnknownLineItemError):
        tracker.line_item_status(404)
    with pytest.raises(UnknownLineItemError):
        tracker.apply(invoice(9, "A", line(99, 9)))


def test_a_snapshot_is_a_frozen_value_that_later_records_do_not_touch() -> None:
    """Snapshots are independent copies."""
    tracker = Tracker(two_orders())
    before = tracker.snapshot()
    tracker.record(shipment(1, (11, 1)))
    assert before.fulfilled_quantity(11) == 0
    assert before == compute(two_orders(), [])


def test_the_snapshot_equals_compute_over_what_the_tracker_holds() -> None:
    """snapshot() == compute(tracker.invoices.values(), tracker.fulfillments.values())."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (11, 1)))
    tracker.record(shipment(2, (21, 1)).cancel(at=at(1)))
    tracker.record(invoice(1, "A", line(11, 1, 2), line(12, 1, 1), status=InvoiceStatus.REFUNDED))
    assert tracker.snapshot() == compute(tracker.invoices.values(), tracker.fulfillments.values())
    assert "Tracker(invoices=2" in repr(tracker)


def test_the_tracker_views_are_read_only() -> None:
    """The invoices and fulfillments views are read-only."""
    tracker = Tracker(two_orders())
    with pytest.raises(TypeError):
        tracker.invoices[5] = two_orders()[0]  # type: ignore[index]  # the point of the test
    with pytest.raises(TypeError):
        tracker.fulfillments[5] = shipment(5, (11, 1))  # type: ignore[index]  # the point of the test


def test_the_views_are_copies_that_later_records_do_not_disturb() -> None:
    """Iterating the views while recording is safe: they are copies, not live dicts."""
    tracker = Tracker(two_orders())
    tracker.record(shipment(1, (11, 1)))
    held = tracker.fulfillments
    for _ in held:  # recording while iterating must not break the loop
        tracker.record(shipment(101, (21, 1)))
    assert list(held) == [1]
    assert set(tracker.fulfillments) == {1, 101}


def test_concurrent_records_never_over_fulfill() -> None:
    """Check and change are one atomic step: racing threads cannot over-fulfill a line."""
    tracker = Tracker([invoice(1, "A", line(1, 1, 5))])
    outcomes: list[bool] = []
    start = threading.Barrier(8)

    def ship(fulfillment_id: int) -> None:
        start.wait()
        try:
            tracker.record(shipment(fulfillment_id, (1, 1)))
            outcomes.append(True)
        except OverFulfillmentError:
            outcomes.append(False)

    threads = [threading.Thread(target=ship, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False] * 3 + [True] * 5
    assert tracker.fulfilled_quantity(1) == 5


# -- the rules' single source of truth ------------------------------------------------------


@given(st.integers(1, 6).flatmap(lambda q: st.tuples(st.just(q), st.integers(0, q))))
def test_the_counters_split_quantities_as_the_line_item_machine_does(pair: tuple[int, int]) -> None:
    """The tracker's nothing/some/done split matches recount's unfulfilled/partial/fulfilled."""
    quantity, shipped = pair
    moved = line(1, 1, quantity).recount(shipped).fulfillment_status
    expected = {L.UNFULFILLED: rules.NOTHING, L.PARTIALLY_FULFILLED: rules.SOME}.get(
        moved, rules.DONE
    )
    assert rules.quantity_category(shipped, quantity) == expected
