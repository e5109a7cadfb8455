"""The fulfillment rollup: ``compute``, ``FulfillmentRollup``, ``merge`` and ``Tracker``.

One example test per rule of API.md section 5 (and per choice ``docs/rollup.md``
documents), then Hypothesis properties: ``compute`` agrees with a plain statement of
the rules, the tracker with ``compute``, and ``merge`` of shards with the whole.
"""

from __future__ import annotations

import contextlib
import doctest
import pickle
import random
import runpy
import subprocess
import sys
import threading
from collections.abc import Hashable, Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from clickfunnels_orders import (
    DuplicateIdError,
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
    OrdersError,
    OverFulfilledLineError,
    OverFulfillmentError,
    UnknownInvoiceError,
    UnknownLineItemError,
    rollup,
)
from clickfunnels_orders.rollup import FulfillmentRollup, Tracker, compute, merge
from clickfunnels_orders.rollup import _rules as rules
from clickfunnels_orders.testing.strategies import invoices as kit_invoices
from test_rollup_books import (
    Book,
    at,
    books,
    counted_totals,
    expected_invoice_status,
    expected_line_status,
    expected_order_status,
    expected_remaining,
    fulfillment_sets,
    invoice,
    invoice_sets,
    line,
    shipment,
)

ROOT = Path(__file__).resolve().parent.parent
L = LineItemFulfillmentStatus
IS = InvoiceFulfillmentStatus
OS = OrderFulfillmentStatus
CANCELLED = FulfillmentStatus.CANCELLED
RESTOCKED = FulfillmentStatus.RESTOCKED


def two_orders() -> list[Invoice]:
    """Order A: invoice 1 (lines 11 x2, 12 x1). Order B: invoice 2 (line 21 x3). Both paid."""
    return [
        invoice(1, "A", line(11, 1, 2), line(12, 1, 1)),
        invoice(2, "B", line(21, 2, 3)),
    ]


# -- compute: what counts -------------------------------------------------------------------


def test_only_fulfilled_fulfillments_count() -> None:
    """Cancelled and restocked fulfillments count as nothing."""
    result = compute(
        two_orders(),
        [
            shipment(1, (11, 1)),
            shipment(2, (11, 1), status=CANCELLED),
            shipment(3, (21, 3), status=RESTOCKED),
        ],
    )
    assert result.fulfilled_quantity(11) == 1
    assert result.fulfilled_quantity(21) == 0
    assert result.fulfillment_ids == frozenset({1})


def test_lines_of_uncounted_fulfillments_are_not_checked() -> None:
    """A cancelled fulfillment may name unknown lines and any quantity: it is not checked."""
    result = compute(two_orders(), [shipment(1, (999, 50), (11, 2), status=CANCELLED)])
    assert result == compute(two_orders(), [])


def test_a_line_naming_no_known_line_item_is_refused() -> None:
    """A counted line naming no invoice line item raises UnknownLineItemError, a KeyError."""
    with pytest.raises(UnknownLineItemError) as caught:
        compute(two_orders(), [shipment(1, (11, 1)), shipment(2, (12, 1), (999, 1))])
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, OrdersError)
    assert (caught.value.fulfillment_id, caught.value.line_item_id) == (2, 999)
    assert "fulfillment 2" in str(caught.value)
    assert "999" in str(caught.value)


def test_counted_quantities_above_a_line_items_quantity_are_refused() -> None:
    """OverFulfillmentError names the first fulfillment that goes over, and what is left."""
    with pytest.raises(OverFulfillmentError) as caught:
        compute(two_orders(), [shipment(1, (21, 2)), shipment(2, (11, 1)), shipment(3, (21, 2))])
    error = caught.value
    assert (error.fulfillment_id, error.line_item_id) == (3, 21)
    assert (error.quantity, error.already, error.requested, error.available) == (3, 2, 2, 1)
    assert "at most 1 more" in str(error)


def test_a_line_item_id_repeated_across_invoices_is_refused() -> None:
    """Line-item ids are unique across the invoices of one rollup (a ValueError)."""
    invoices = [invoice(1, "A", line(7, 1)), invoice(2, "B", line(7, 2))]
    with pytest.raises(DuplicateLineItemError) as caught:
        compute(invoices, [])
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, OrdersError)
    assert caught.value.line_item_id == 7
    assert caught.value.invoice_ids == (1, 2)
    with pytest.raises(DuplicateLineItemError):
        Tracker(invoices)


def test_an_invoice_or_fulfillment_given_twice_is_refused() -> None:
    """Compute takes one version of each invoice and of each fulfillment."""
    first = invoice(1, "A", line(11, 1))
    with pytest.raises(DuplicateIdError, match="invoice id"):
        compute([first, invoice(1, "A")], [])
    with pytest.raises(DuplicateIdError, match="fulfillment id"):
        compute([first], [shipment(5, (11, 1)), shipment(5, (11, 1), status=CANCELLED)])
    with pytest.raises(DuplicateIdError, match="invoice id"):
        Tracker([first, first])


def test_a_fulfillment_covering_lines_of_two_orders_counts_toward_each() -> None:
    """Each fulfillment line counts toward its own line item, whatever order it belongs to."""
    result = compute(two_orders(), [shipment(1, (11, 2), (12, 1), (21, 1))])
    assert result.order_status("A") is OS.FULFILLED
    assert result.order_status("B") is OS.PARTIALLY_FULFILLED
    assert result.remaining("A") == {}
    assert result.remaining("B") == {21: 2}


def test_repeated_lines_within_one_fulfillment_are_summed() -> None:
    """Two lines of one fulfillment naming the same line item add up."""
    result = compute(two_orders(), [shipment(1, (21, 1), (21, 2))])
    assert result.fulfilled_quantity(21) == 3
    assert result.line_item_status(21) is L.FULFILLED


def test_compute_accepts_any_iterables_and_hashable_ids() -> None:
    """Generators work as inputs, and ids may be strings or tuples."""
    invoices = [invoice("inv-1", ("ord", 1), line("x", "inv-1", 2))]
    result = compute(iter(invoices), (f for f in [shipment("f", ("x", 1))]))
    assert result.order_status(("ord", 1)) is OS.PARTIALLY_FULFILLED


# -- line status ----------------------------------------------------------------------------


def test_a_line_status_follows_its_fulfilled_quantity() -> None:
    """Nothing is unfulfilled, some is partially_fulfilled, all of it is fulfilled."""
    result = compute(two_orders(), [shipment(1, (11, 1)), shipment(2, (12, 1))])
    assert result.line_item_status(21) is L.UNFULFILLED
    assert result.line_item_status(11) is L.PARTIALLY_FULFILLED
    assert result.line_item_status(12) is L.FULFILLED


def test_ignored_and_complete_lines_keep_their_status() -> None:
    """An ignored line stays ignored when shipped; a complete one stays complete with 0."""
    invoices = [
        invoice(1, "A", line(1, 1, 2, status=L.IGNORED), line(2, 1, 2, status=L.COMPLETE)),
    ]
    result = compute(invoices, [shipment(1, (1, 2))])
    assert result.line_item_status(1) is L.IGNORED
    assert result.fulfilled_quantity(1) == 2
    assert result.line_item_status(2) is L.COMPLETE
    assert result.fulfilled_quantity(2) == 0


# -- required lines, invoice and order status -----------------------------------------------


def test_lines_that_need_no_fulfillment_do_not_count_but_show_their_status() -> None:
    """A line with fulfillment_required false is not required; it still shows its status."""
    invoices = [invoice(1, "A", line(1, 1, 1), line(2, 1, 1, required=False))]
    result = compute(invoices, [shipment(1, (1, 1))])
    assert result.invoice_status(1) is IS.COMPLETE
    assert result.order_status("A") is OS.FULFILLED
    assert result.line_item_status(2) is L.UNFULFILLED
    assert result.remaining("A") == {}


def test_ignored_lines_are_not_required() -> None:
    """An invoice whose only other line is ignored is complete once that line ships."""
    invoices = [invoice(1, "A", line(1, 1, 1), line(2, 1, 3, status=L.IGNORED))]
    assert compute(invoices, [shipment(1, (1, 1))]).invoice_status(1) is IS.COMPLETE


@pytest.mark.parametrize(
    "status",
    [s for s in InvoiceStatus if s not in {InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED}],
)
def test_lines_of_invoices_not_paid_or_partially_refunded_are_not_due(
    status: InvoiceStatus,
) -> None:
    """Only paid and partially-refunded invoices have required lines."""
    result = compute([invoice(1, "A", line(1, 1, 2), status=status)], [])
    assert result.invoice_status(1) is IS.NOT_APPLICABLE
    assert result.order_status("A") is OS.NOT_APPLICABLE
    assert result.remaining("A") == {}
    assert result.line_item_status(1) is L.UNFULFILLED


def test_a_partially_refunded_invoice_is_still_due() -> None:
    """A partially-refunded invoice's lines are required."""
    result = compute([invoice(1, "A", line(1, 1), status=InvoiceStatus.PARTIALLY_REFUNDED)], [])
    assert result.invoice_status(1) is IS.UNFULFILLED
    assert result.remaining("A") == {1: 1}


def test_invoice_status_is_unfulfilled_partial_or_complete_over_required_lines() -> None:
    """Nothing shipped: unfulfilled; some: partial; every required line: complete."""
    invoices = two_orders()
    assert compute(invoices, []).invoice_status(1) is IS.UNFULFILLED
    assert compute(invoices, [shipment(1, (12, 1))]).invoice_status(1) is IS.PARTIAL
    assert compute(invoices, [shipment(1, (11, 1))]).invoice_status(1) is IS.PARTIAL
    assert compute(invoices, [shipment(1, (11, 2), (12, 1))]).invoice_status(1) is IS.COMPLETE


def test_complete_lines_count_as_fulfilled() -> None:
    """A complete line with nothing shipped counts as fulfilled toward invoice and order."""
    invoices = [invoice(1, "A", line(1, 1, 2, status=L.COMPLETE), line(2, 1, 1))]
    assert compute(invoices, []).invoice_status(1) is IS.PARTIAL
    result = compute(invoices, [shipment(1, (2, 1))])
    assert result.invoice_status(1) is IS.COMPLETE
    assert result.order_status("A") is OS.FULFILLED
    assert result.remaining("A") == {}


def test_order_status_spans_the_required_lines_of_all_its_invoices() -> None:
    """A paid invoice fully shipped and an unpaid renewal leave the order fulfilled."""
    invoices = [
        invoice(1, "A", line(1, 1, 1)),
        invoice(2, "A", line(2, 2, 1)),
        invoice(3, "A", line(3, 3, 5), status=InvoiceStatus.UNPAID),
    ]
    assert compute(invoices, [shipment(1, (1, 1))]).order_status("A") is OS.PARTIALLY_FULFILLED
    result = compute(invoices, [shipment(1, (1, 1)), shipment(2, (2, 1))])
    assert result.order_status("A") is OS.FULFILLED
    assert result.remaining("A") == {}


# -- empty and all-cancelled sets -----------------------------------------------------------


def test_an_empty_rollup_answers_not_applicable_for_any_order() -> None:
    """With no invoices, every order is not_applicable, nothing remains, lines are unknown."""
    empty = compute([], [])
    assert empty.order_status("anything") is OS.NOT_APPLICABLE
    assert empty.remaining("anything") == {}
    with pytest.raises(UnknownLineItemError):
        empty.fulfilled_quantity(1)
    assert empty == merge([]) == Tracker().snapshot()


def test_an_invoice_without_required_lines_is_not_applicable() -> None:
    """No line items, or only ignored and not-required ones: not_applicable, not complete."""
    invoices = [
        invoice(1, "A"),
        invoice(2, "B", line(1, 2, status=L.IGNORED), line(2, 2, required=False)),
    ]
    result = compute(invoices, [])
    assert result.invoice_status(1) is IS.NOT_APPLICABLE
    assert result.invoice_status(2) is IS.NOT_APPLICABLE
    assert result.order_status("A") is OS.NOT_APPLICABLE
    assert result.order_status("B") is OS.NOT_APPLICABLE


def test_all_cancelled_fulfillments_leave_every_line_unfulfilled() -> None:
    """Every fulfillment cancelled or restocked is the same as none: unfulfilled, not shipped."""
    cancelled = [
        shipment(1, (11, 2), (12, 1), status=CANCELLED),
        shipment(2, (21, 3), status=RESTOCKED),
    ]
    result = compute(two_orders(), cancelled)
    assert result == compute(two_orders(), [])
    assert result.order_status("A") is OS.UNFULFILLED
    assert result.order_status("B") is OS.UNFULFILLED
    assert result.remaining("A") == {11: 2, 12: 1}
    assert all(result.line_item_status(key) is L.UNFULFILLED for key in (11, 12, 21))


# -- queries: unknown ids, remaining --------------------------------------------------------


def test_queries_about_unknown_ids() -> None:
    """Unknown line items and invoices raise KeyErrors; an unknown order is not_applicable."""
    result = compute(two_orders(), [])
    with pytest.raises(UnknownLineItemError):
        result.line_item_status(404)
    with pytest.raises(UnknownInvoiceError) as caught:
        result.invoice_status(404)
    assert isinstance(caught.value, KeyError)
    assert caught.value.invoice_id == 404
    assert "invoice 404" in str(caught.value)
    assert result.order_status("Z") is OS.NOT_APPLICABLE
    assert result.remaining("Z") == {}


def test_remaining_lists_what_is_left_of_required_lines() -> None:
    """Remaining leaves out shipped, complete, ignored and not-required lines."""
    invoices = [
        invoice(
            1,
            "A",
            line(1, 1, 3),
            line(2, 1, 1),
            line(3, 1, 2, status=L.COMPLETE),
            line(4, 1, 2, status=L.IGNORED),
            line(5, 1, 2, required=False),
        ),
    ]
    result = compute(invoices, [shipment(1, (1, 1), (2, 1))])
    assert result.remaining("A") == {1: 2}


# -- apply ----------------------------------------------------------------------------------


def test_apply_moves_line_statuses_through_the_machine_without_history() -> None:
    """Apply gives each line its rolled-up status; derived moves add no history."""
    invoices = two_orders()
    result = compute(invoices, [shipment(1, (11, 1), (12, 1))])
    applied = result.apply(invoices[0])
    assert [item.fulfillment_status for item in applied.line_items] == [
        L.PARTIALLY_FULFILLED,
        L.FULFILLED,
    ]
    assert all(item.history == () for item in applied.line_items)
    assert applied.status is invoices[0].status
    assert result.apply(applied) == applied


def test_apply_leaves_ignored_and_complete_lines_and_returns_an_unmoved_invoice_as_is() -> None:
    """Ignored and complete lines stay; an invoice with nothing to move comes back as is."""
    inv = invoice(1, "A", line(1, 1, 2, status=L.IGNORED), line(2, 1, 2, status=L.COMPLETE))
    result = compute([inv], [shipment(1, (1, 1))])
    assert result.apply(inv) is inv


def test_apply_can_bring_a_stale_invoice_down_when_its_fulfillments_are_cancelled() -> None:
    """An invoice showing fulfilled goes back to unfulfilled once its shipment is cancelled."""
    invoices = two_orders()
    shipped = compute(invoices, [shipment(1, (21, 3))]).apply(invoices[1])
    assert shipped.line_items[0].fulfillment_status is L.FULFILLED
    cancelled = compute(invoices, [shipment(1, (21, 3), status=CANCELLED)]).apply(shipped)
    assert cancelled.line_items[0].fulfillment_status is L.UNFULFILLED


def test_apply_refuses_an_invoice_with_unknown_lines() -> None:
    """Applying to an invoice holding a line item the rollup never saw raises."""
    with pytest.raises(UnknownLineItemError):
        compute(two_orders(), []).apply(invoice(9, "A", line(99, 9)))


# -- the value ------------------------------------------------------------------------------


def test_a_rollup_is_a_frozen_attrs_value() -> None:
    """It is an attrs class, refuses assignment, and its mappings are read-only."""
    result = compute(two_orders(), [shipment(1, (11, 1))])
    assert attrs.has(FulfillmentRollup)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.fulfillment_ids = frozenset()  # type: ignore[misc]  # the point of the test
    with pytest.raises(TypeError):
        result.fulfilled[11] = 2  # type: ignore[index]  # the point of the test
    with pytest.raises(AttributeError):
        result.order_ids.add("C")  # type: ignore[attr-defined]  # the point of the test


def test_rollups_compare_and_hash_by_value() -> None:
    """Two computations over equal inputs are equal and hash alike, in any input order."""
    fulfillments = [shipment(1, (11, 1)), shipment(2, (21, 2))]
    first = compute(two_orders(), fulfillments)
    second = compute(list(reversed(two_orders())), list(reversed(fulfillments)))
    assert first == second
    assert hash(first) == hash(second)
    assert first != compute(two_orders(), fulfillments[:1])
    assert len({first, second}) == 1


def test_a_rollup_pickles_without_its_lookup_caches() -> None:
    """A pickled rollup comes back equal; the caches built by queries are not shipped."""
    result = compute(two_orders(), [shipment(1, (11, 1))])
    result.order_status("A")
    result.fulfilled_quantity(11)
    restored = pickle.loads(pickle.dumps(result))  # noqa: S301  because we pickled it just above
    assert set(restored.__dict__) == {"_source", "_fulfilled", "_fulfillment_ids"}
    assert restored == result
    assert restored.order_status("A") is OS.PARTIALLY_FULFILLED


def test_a_rollup_renders_briefly_in_a_repl_and_a_notebook() -> None:
    """Its repr counts instead of dumping; its HTML lists orders with their status."""
    result = compute(two_orders(), [shipment(1, (11, 2), (12, 1))])
    assert repr(result) == (
        "FulfillmentRollup(invoices=2, line_items=3, fulfilled_line_items=2, fulfillments=1)"
    )
    html = result._repr_html_()
    assert "<table>" in html
    assert "fulfilled" in html
    assert "unfulfilled" in html


def test_a_rollup_notebook_rendering_summarises_many_orders() -> None:
    """Past twenty orders, the HTML says how many more there are."""
    invoices = [invoice(n, n, line(n, n)) for n in range(25)]
    assert "and 5 more orders" in compute(invoices, [])._repr_html_()


# -- merge ----------------------------------------------------------------------------------


def test_merging_rollups_of_disjoint_fulfillments_gives_the_rollup_of_the_union() -> None:
    """Shards that each hold the invoices they need merge into the whole."""
    invoices = two_orders()
    a = [shipment(1, (11, 1), (21, 1))]
    b = [shipment(2, (11, 1)), shipment(3, (12, 1), status=CANCELLED)]
    c = [shipment(4, (21, 2))]
    parts = [compute(invoices, a), compute(invoices[:1], b), compute(invoices[1:], c)]
    assert merge(parts) == compute(invoices, a + b + c)


def test_merge_of_nothing_is_the_empty_rollup_and_of_one_part_is_that_part() -> None:
    """merge([]) is the identity of merging; merge([x]) is x."""
    part = compute(two_orders(), [shipment(1, (11, 1))])
    assert merge([]) == compute([], [])
    assert merge([part]) == part
    assert merge([part, merge([])]) == part


def test_merge_refuses_parts_holding_different_versions_of_one_invoice() -> None:
    """Parts must hold the same version of every invoice they share."""
    paid = invoice(1, "A", line(1, 1, 2))
    refunded = invoice(1, "A", line(1, 1, 2), status=InvoiceStatus.REFUNDED)
    with pytest.raises(FulfillmentConflictError) as caught:
        merge([compute([paid], []), compute([refunded], [])])
    assert caught.value.invoice_id == 1
    assert isinstance(caught.value, ValueError)


def test_merge_refuses_a_fulfillment_counted_by_two_parts() -> None:
    """A fulfillment counted in two parts would count twice: refused."""
    invoices = two_orders()
    part = compute(invoices, [shipment(1, (21, 1))])
    with pytest.raises(FulfillmentConflictError) as caught:
        merge([part, part])
    assert caught.value.fulfillment_id == 1


def test_merge_refuses_parts_that_together_over_fulfill_a_line() -> None:
    """Two parts shipping 2 each of a line of 3 raise OverFulfilledLineError."""
    invoices = two_orders()
    with pytest.raises(OverFulfillmentError) as caught:
        merge(
            [compute(invoices, [shipment(1, (21, 2))]), compute(invoices, [shipment(2, (21, 2))])]
        )
    assert isinstance(caught.value, OverFulfilledLineError)
    assert (caught.value.line_item_id, caught.value.fulfilled, caught.value.quantity) == (21, 4, 3)
    assert caught.value.fulfillment_id is None


def test_merge_refuses_one_line_item_id_in_invoices_of_two_parts() -> None:
    """Different invoices holding the same line-item id in two parts are refused."""
    with pytest.raises(DuplicateLineItemError):
        merge(
            [compute([invoice(1, "A", line(5, 1))], []), compute([invoice(2, "B", line(5, 2))], [])]
        )


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


# -- properties -----------------------------------------------------------------------------


@given(books())
def test_compute_agrees_with_a_plain_statement_of_the_rules(book: Book) -> None:
    """Every query of compute equals the rules written out plainly in the tests."""
    result = compute(book.invoices, book.fulfillments)
    totals = counted_totals(book.fulfillments)
    for inv in book.invoices:
        assert result.invoice_status(inv.id) is expected_invoice_status(inv, totals)
        for item in inv.line_items:
            shipped = totals.get(item.id, 0)
            assert result.fulfilled_quantity(item.id) == shipped
            assert result.line_item_status(item.id) is expected_line_status(item, shipped)
        applied = result.apply(inv)
        assert [i.fulfillment_status for i in applied.line_items] == [
            expected_line_status(i, totals.get(i.id, 0)) for i in inv.line_items
        ]
    for order_id in {inv.order_id for inv in book.invoices} | {"nobody"}:
        assert result.order_status(order_id) is expected_order_status(
            book.invoices, order_id, totals
        )
        assert result.remaining(order_id) == expected_remaining(book.invoices, order_id, totals)


@st.composite
def kit_books(draw: st.DrawFn) -> Book:
    """Draw invoices from the library's own testing kit, and fulfillments over them.

    The kit's invoices cover every processor and status, with walked histories and stored
    line statuses of every kind.
    """
    invoices = draw(st.lists(kit_invoices(), max_size=4, unique_by=lambda inv: inv.id))
    line_ids = [item.id for inv in invoices for item in inv.line_items]
    assume(len(line_ids) == len(set(line_ids)))
    return Book(tuple(invoices), draw(fulfillment_sets(invoices)))


@given(kit_books())
def test_compute_agrees_with_the_rules_on_the_testing_kits_invoices(book: Book) -> None:
    """Invoices walked through their real lifecycles roll up as the rules say."""
    result = compute(book.invoices, book.fulfillments)
    totals = counted_totals(book.fulfillments)
    for inv in book.invoices:
        assert result.invoice_status(inv.id) is expected_invoice_status(inv, totals)
        assert result.order_status(inv.order_id) is expected_order_status(
            book.invoices, inv.order_id, totals
        )
        for item in inv.line_items:
            assert result.line_item_status(item.id) is expected_line_status(
                item, totals.get(item.id, 0)
            )
    tracker = Tracker(book.invoices)
    for fulfillment in book.fulfillments:
        with contextlib.suppress(NotFulfillableError):
            tracker.record(fulfillment)
    assert tracker.snapshot() == compute(book.invoices, tracker.fulfillments.values())


@given(books())
def test_nothing_is_ever_over_fulfilled(book: Book) -> None:
    """A rollup never holds more than a line's quantity; one unit more is refused."""
    result = compute(book.invoices, book.fulfillments)
    quantities = {item.id: item.quantity for inv in book.invoices for item in inv.line_items}
    assert all(0 < shipped <= quantities[key] for key, shipped in result.fulfilled.items())
    for key, shipped in result.fulfilled.items():
        if shipped == quantities[key]:
            with pytest.raises(OverFulfillmentError):
                compute(book.invoices, [*book.fulfillments, shipment("one more", (key, 1))])
            break


@given(books(), st.data())
def test_compute_ignores_the_order_of_its_inputs(book: Book, data: st.DataObject) -> None:
    """Shuffled invoices and fulfillments give an equal rollup."""
    invoices = data.draw(st.permutations(book.invoices))
    fulfillments = data.draw(st.permutations(book.fulfillments))
    assert compute(invoices, fulfillments) == compute(book.invoices, book.fulfillments)


def shards(book: Book, assignment: Sequence[int], parts: int) -> list[FulfillmentRollup]:
    """Compute one rollup per shard of the book's fulfillments, each with the invoices it needs.

    Invoices no fulfillment needs go to a last part of their own.
    """
    owner = {item.id: inv for inv in book.invoices for item in inv.line_items}
    result = []
    needed_anywhere: set[Hashable] = set()
    for part in range(parts):
        mine = [f for f, shard in zip(book.fulfillments, assignment, strict=True) if shard == part]
        needed = {
            owner[shipped.invoice_line_item_id].id
            for f in mine
            if f.status is FulfillmentStatus.FULFILLED
            for shipped in f.lines
        }
        needed_anywhere |= needed
        result.append(compute([inv for inv in book.invoices if inv.id in needed], mine))
    rest = [inv for inv in book.invoices if inv.id not in needed_anywhere]
    result.append(compute(rest, []))
    return result


@st.composite
def sharded_books(draw: st.DrawFn) -> tuple[Book, list[FulfillmentRollup]]:
    """Draw a book and split its fulfillments at random into up to four shards."""
    book = draw(books())
    parts = draw(st.integers(1, 4))
    assignment = draw(
        st.lists(
            st.integers(0, parts - 1),
            min_size=len(book.fulfillments),
            max_size=len(book.fulfillments),
        )
    )
    return book, shards(book, assignment, parts)


@given(sharded_books())
def test_merge_of_random_shards_equals_the_whole(
    pair: tuple[Book, list[FulfillmentRollup]],
) -> None:
    """Rollups of disjoint shards merge into compute over everything."""
    book, parts = pair
    assert merge(parts) == compute(book.invoices, book.fulfillments)


@given(sharded_books(), st.randoms(use_true_random=False))
def test_merge_is_associative_and_commutative(
    pair: tuple[Book, list[FulfillmentRollup]], rng: random.Random
) -> None:
    """Any grouping and any order of the parts merges to the same rollup."""
    _, parts = pair
    whole = merge(parts)
    shuffled = list(parts)
    rng.shuffle(shuffled)
    assert merge(shuffled) == whole
    if len(parts) >= 2:
        cut = rng.randint(1, len(parts) - 1)
        left, right = merge(shuffled[:cut]), merge(shuffled[cut:])
        assert merge([left, right]) == merge([right, left]) == whole
        nested = shuffled[0]
        for part in shuffled[1:]:
            nested = merge([part, nested])
        assert nested == whole


@given(
    invoice_sets(eligible_only=True).flatmap(
        lambda invs: st.tuples(
            st.just(invs),
            fulfillment_sets(invs, fulfillable_only=True),
            st.randoms(use_true_random=False),
        )
    )
)
def test_recording_in_any_order_equals_the_recompute(
    case: tuple[tuple[Invoice, ...], tuple[Fulfillment, ...], random.Random],
) -> None:
    """A tracker fed fulfillments, cancellations and repeats in any order equals compute.

    Each fulfillment is recorded as fulfilled, and if its final version is cancelled or
    restocked, that version follows later; repeats of either change nothing.
    """
    invoices, finals, rng = case
    # One token per version: a fulfillment's first token records its fulfilled version,
    # its second (if its final version is cancelled or restocked) the final one.
    tokens = [
        index
        for index, final in enumerate(finals)
        for _ in range(1 if final.status is FulfillmentStatus.FULFILLED else 2)
    ]
    rng.shuffle(tokens)
    tracker = Tracker(invoices)
    seen: set[int] = set()
    for index in tokens:
        final = finals[index]
        version = (
            final if index in seen else attrs.evolve(final, status=FulfillmentStatus.FULFILLED)
        )
        seen.add(index)
        assert tracker.record(version) is True
        if rng.random() < 0.3:
            assert tracker.record(version) is False
    assert tracker.snapshot() == compute(invoices, finals)


@given(books())
def test_a_tracker_over_a_whole_book_equals_compute_when_it_accepts_it(book: Book) -> None:
    """Recording a book's fulfillments either succeeds and equals compute, or refuses cleanly.

    The tracker refuses new fulfillments that compute would count (ignored, complete or
    ineligible lines); whatever it accepted, it equals compute over that.
    """
    tracker = Tracker(book.invoices)
    accepted: list[Fulfillment] = []
    for fulfillment in book.fulfillments:
        try:
            tracker.record(fulfillment)
        except (NotFulfillableError, OverFulfillmentError, UnknownLineItemError):
            continue
        accepted.append(fulfillment)
    assert tracker.snapshot() == compute(book.invoices, accepted)


@given(books())
def test_a_rollup_survives_pickling(book: Book) -> None:
    """Pickled and restored, a rollup equals and hashes like the original."""
    result = compute(book.invoices, book.fulfillments)
    restored = pickle.loads(pickle.dumps(result))  # noqa: S301  because we pickled it just above
    assert restored == result
    assert hash(restored) == hash(result)


# -- documentation and example --------------------------------------------------------------


def test_the_rollup_page_examples_run() -> None:
    """docs/rollup.md's examples are executed and hold."""
    outcome = doctest.testfile(
        str(ROOT / "docs" / "rollup.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert outcome.attempted > 10
    assert outcome.failed == 0


def test_the_dask_example_folds_its_shards_into_the_single_compute(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """examples/rollup_dask.py, run small, folds its JSON Lines shards into the whole."""
    namespace = runpy.run_path(str(ROOT / "examples" / "rollup_dask.py"))
    namespace["main"](["--line-items", "2000", "--shards", "4", "--workers", "2"])
    out = capsys.readouterr().out
    assert "dask rollup == single compute: True" in out


def test_the_rollup_module_exports_the_contract() -> None:
    """The rollup package exports sections 5, 13 and 14's names, and its row type."""
    assert rollup.__all__ == [
        "FulfillmentRollup",
        "LineItemRow",
        "Partial",
        "Tracker",
        "combine",
        "compute",
        "merge",
        "partial",
    ]
    assert rollup.FulfillmentRollup is FulfillmentRollup
    assert rollup.Tracker is Tracker


@pytest.mark.parametrize(
    "name", ["FulfillmentRollup", "LineItemRow", "Tracker", "compute", "merge"]
)
def test_each_rollup_name_says_truly_where_it_is_defined(name: str) -> None:
    """No ``__module__`` is patched: each public name lives in the private module it names."""
    public = getattr(rollup, name)
    assert public.__module__.startswith("clickfunnels_orders.rollup._")
    assert getattr(sys.modules[public.__module__], public.__qualname__) is public


def test_importing_the_package_makes_the_rollup_submodule_an_attribute() -> None:
    """``import clickfunnels_orders`` alone is enough to reach ``clickfunnels_orders.rollup``."""
    code = "import clickfunnels_orders; print(clickfunnels_orders.rollup.compute.__name__)"
    result = subprocess.run(  # noqa: S603  because the command is this interpreter and a literal
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "compute"
