"""Restocks in the rollup: released once when restocked, nothing when cancelled, never too much."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _builders import I, fulfillment, invoice, invoice_line
from clickfunnels_orders import (
    Fulfillment,
    FulfillmentConflictError,
    FulfillmentLine,
    OrdersError,
    OverReleaseError,
    Restock,
    RestockStatus,
)
from clickfunnels_orders.rollup import Tracker, compute

AT = dt.datetime(2025, 4, 22, tzinfo=dt.UTC)


def book() -> list:  # type: ignore[type-arg]  # a list of invoices
    """One paid invoice whose line item 1 has quantity 3."""
    return [invoice(I.PAID, paid="100.00", lines=[invoice_line(1, quantity=3)])]


def shipped(quantity: int = 2, fid: int = 900):  # type: ignore[no-untyped-def]  # a builder
    """A fulfillment of ``quantity`` units of line item 1."""
    return fulfillment(fulfillment_id=fid, lines=[FulfillmentLine(1, quantity)])


def restock(quantity: int = 1, rid: int = 1, status: str = "restocked") -> Restock:
    """A restock of ``quantity`` units of line item 1."""
    return Restock(id=rid, lines=[FulfillmentLine(1, quantity)], status=status)


def test_compute_releases_a_restocked_restock() -> None:
    """A restocked restock takes its quantity back from what is fulfilled."""
    rollup = compute(book(), [shipped(2), restock(1)])
    assert rollup.fulfilled_quantity(1) == 1


def test_compute_releases_nothing_for_a_cancelled_restock() -> None:
    """A cancelled restock counts for nothing."""
    rollup = compute(book(), [shipped(2), restock(2, status="cancelled")])
    assert rollup == compute(book(), [shipped(2)])


def test_compute_refuses_releasing_more_than_is_fulfilled() -> None:
    """Restocking beyond what was shipped is an OverReleaseError naming the line."""
    with pytest.raises(OverReleaseError) as caught:
        compute(book(), [shipped(1), restock(1, rid=1), restock(1, rid=2)])
    assert caught.value.line_item_id == 1
    assert caught.value.requested == 1
    assert isinstance(caught.value, OrdersError)


def test_the_tracker_releases_a_restock_once() -> None:
    """Recording the same restocked version again changes nothing."""
    tracker = Tracker(book())
    tracker.record(shipped(2))
    assert tracker.record(restock(1))
    assert not tracker.record(restock(1))
    assert tracker.fulfilled_quantity(1) == 1
    assert tracker.snapshot() == compute(book(), [shipped(2), restock(1)])


def test_a_tracker_refusal_of_an_over_release_changes_nothing() -> None:
    """Releasing more than is fulfilled is refused and leaves the tracker as it was."""
    tracker = Tracker(book())
    tracker.record(shipped(1))
    before = tracker.snapshot()
    with pytest.raises(OverReleaseError):
        tracker.record(restock(2))
    assert tracker.snapshot() == before
    assert tracker.restocks == {}


def test_cancelling_a_restock_returns_the_rollup_to_where_it_was() -> None:
    """Restock then cancel of the restock: the quantity counts as fulfilled again."""
    tracker = Tracker(book())
    tracker.record(shipped(2))
    before = tracker.snapshot()
    tracker.record(restock(2))
    assert tracker.fulfilled_quantity(1) == 0
    tracker.record(restock(2).cancel(at=AT))
    assert tracker.snapshot() == before


def test_a_cancelled_restock_is_final_in_the_tracker() -> None:
    """A cancelled restock cannot be restocked again; its lines never change."""
    tracker = Tracker(book())
    tracker.record(shipped(2))
    tracker.record(restock(1, status="cancelled"))
    with pytest.raises(FulfillmentConflictError):
        tracker.record(restock(1))
    with pytest.raises(FulfillmentConflictError):
        tracker.record(restock(2, status="cancelled"))


def test_cancelling_a_fulfillment_already_restocked_is_refused() -> None:
    """Once a restock released a fulfillment's units, cancelling it would release them twice."""
    tracker = Tracker(book())
    tracker.record(shipped(2))
    tracker.record(restock(2))
    with pytest.raises(OverReleaseError):
        tracker.record(shipped(2).cancel(at=AT))
    assert tracker.fulfilled_quantity(1) == 0


def test_a_line_named_by_a_restock_cannot_be_dropped_by_an_invoice_version() -> None:
    """An invoice version keeps a line that restocks name, as compute needs it."""
    tracker = Tracker(book())
    tracker.record(shipped(2))
    tracker.record(restock(2))
    other = invoice(I.PAID, paid="100.00", lines=[invoice_line(2, quantity=3)])
    with pytest.raises(FulfillmentConflictError):
        tracker.record(other)


_records = st.lists(
    st.one_of(
        st.builds(shipped, st.integers(1, 3), st.integers(900, 903)),
        st.builds(
            restock,
            st.integers(1, 3),
            st.integers(1, 4),
            st.sampled_from([s.value for s in RestockStatus]),
        ),
    ),
    max_size=12,
)


@given(_records)
def test_the_tracker_equals_compute_with_restocks_in_any_order(records: list) -> None:  # type: ignore[type-arg]  # mixed records
    """Whatever the tracker accepts, in any order, its snapshot equals a full recompute."""
    tracker = Tracker(book())
    for record in records:
        try:
            tracker.record(record)
        except OrdersError:
            continue
        held: list[Fulfillment | Restock] = [
            *tracker.fulfillments.values(),
            *tracker.restocks.values(),
        ]
        assert tracker.snapshot() == compute(book(), held)
        quantity = tracker.fulfilled_quantity(1)
        assert 0 <= quantity <= 3
        shipped_units = sum(
            f.quantities().get(1, 0) for f in tracker.fulfillments.values() if f.counts
        )
        assert quantity <= shipped_units  # nothing released beyond what was fulfilled
