"""Invoice line-item fulfillment statuses and fulfillments (API.md section 4)."""

from __future__ import annotations

import pytest

from _builders import at, fulfillment, invoice_line
from clickfunnels_orders import (
    Change,
    FulfillmentLine,
    FulfillmentStatus,
    InvalidTransitionError,
    InvalidValueError,
    InvoiceLineItem,
    LineItemFulfillmentStatus,
)

F = LineItemFulfillmentStatus
FS = FulfillmentStatus

#: The user events of an invoice line item, by the status each may be fired from.
LINE_EVENTS = {"ignore": F.UNFULFILLED, "unignore": F.IGNORED, "complete": F.FULFILLED}
LINE_DESTS = {"ignore": F.IGNORED, "unignore": F.UNFULFILLED, "complete": F.COMPLETE}


# -- invoice line items ---------------------------------------------------------------------


@pytest.mark.parametrize("status", list(LineItemFulfillmentStatus), ids=str)
@pytest.mark.parametrize("event", list(LINE_EVENTS))
def test_a_line_item_event_works_exactly_from_its_documented_status(
    status: LineItemFulfillmentStatus, event: str
) -> None:
    """ignore, unignore and complete each move from one status and are refused elsewhere."""
    line = invoice_line(status=status)
    if status is LINE_EVENTS[event]:
        moved: InvoiceLineItem = getattr(line, event)(at=at(1))
        assert moved.fulfillment_status is LINE_DESTS[event]
        assert moved.history == (Change(event, status, LINE_DESTS[event], at(1)),)
        assert line.may(event)
    else:
        with pytest.raises(InvalidTransitionError) as caught:
            getattr(line, event)(at=at(1))
        assert (caught.value.event, caught.value.state) == (event, status)
        assert not line.may(event)


@pytest.mark.parametrize("status", list(LineItemFulfillmentStatus), ids=str)
def test_a_line_items_allowed_events_leave_out_the_internal_recount(
    status: LineItemFulfillmentStatus,
) -> None:
    """Users see ignore, unignore and complete; ``recount`` belongs to the rollup."""
    expected = {event for event, source in LINE_EVENTS.items() if source is status}
    line = invoice_line(status=status)
    assert set(line.allowed_events) == expected
    assert not line.may("recount")


def test_ignore_then_unignore_returns_an_item_to_unfulfilled() -> None:
    """An ignored item (a setup fee, say) can be put back among those awaiting fulfillment."""
    back = invoice_line().ignore(at=at(1)).unignore(at=at(2))
    assert back.fulfillment_status is F.UNFULFILLED
    assert [c.event for c in back.history] == ["ignore", "unignore"]


def test_complete_is_final() -> None:
    """A complete item has no events: it counts as fulfilled for good."""
    done = invoice_line(status=F.FULFILLED).complete(at=at(1))
    assert done.allowed_events == ()
    for event in LINE_EVENTS:
        with pytest.raises(InvalidTransitionError):
            getattr(done, event)(at=at(2))


def test_a_line_item_event_earlier_than_its_last_change_is_refused() -> None:
    """Line items date their events like every entity."""
    ignored = invoice_line().ignore(at=at(5))
    with pytest.raises(InvalidValueError):
        ignored.unignore(at=at(4))


@pytest.mark.parametrize(
    ("fulfilled", "expected"),
    [(0, F.UNFULFILLED), (1, F.PARTIALLY_FULFILLED), (2, F.PARTIALLY_FULFILLED), (3, F.FULFILLED)],
)
@pytest.mark.parametrize("start", [F.UNFULFILLED, F.PARTIALLY_FULFILLED, F.FULFILLED], ids=str)
def test_recount_derives_the_status_from_the_fulfilled_quantity_without_history(
    start: LineItemFulfillmentStatus, fulfilled: int, expected: LineItemFulfillmentStatus
) -> None:
    """0 is unfulfilled, some is partially_fulfilled, all is fulfilled; no history is added."""
    line = invoice_line(quantity=3, status=start)
    counted = line.recount(fulfilled)
    assert counted.fulfillment_status is expected
    assert counted.history == ()


@pytest.mark.parametrize("fulfilled", [-1, 4])
def test_recount_refuses_a_quantity_outside_the_line(fulfilled: int) -> None:
    """A fulfilled quantity below 0 or above the line's quantity is a ValueError."""
    with pytest.raises(InvalidValueError, match="fulfilled"):
        invoice_line(quantity=3).recount(fulfilled)


@pytest.mark.parametrize("status", [F.IGNORED, F.COMPLETE], ids=str)
@pytest.mark.parametrize("fulfilled", [0, 1, 3])
def test_recount_leaves_ignored_and_complete_items_as_they_are(
    status: LineItemFulfillmentStatus, fulfilled: int
) -> None:
    """Ignored and complete are not derived from quantities."""
    line = invoice_line(quantity=3, status=status)
    assert line.recount(fulfilled) == line


def test_recount_keeps_the_rest_of_the_item() -> None:
    """A recount changes the status only."""
    line = invoice_line(7, quantity=2, amount="3.00").ignore(at=at(1)).unignore(at=at(2))
    counted = line.recount(2)
    assert counted.fulfillment_status is F.FULFILLED
    assert (counted.id, counted.quantity, counted.amount, counted.history) == (
        line.id,
        line.quantity,
        line.amount,
        line.history,
    )


# -- fulfillments ---------------------------------------------------------------------------


@pytest.mark.parametrize(("event", "dest"), [("cancel", FS.CANCELLED), ("restock", FS.RESTOCKED)])
def test_a_fulfilled_fulfillment_may_be_cancelled_or_restocked_for_good(
    event: str, dest: FulfillmentStatus
) -> None:
    """Cancelling and restocking leave fulfilled for a final status that no longer counts."""
    shipped = fulfillment()
    assert shipped.counts
    done = getattr(shipped, event)(at=at(1))
    assert done.status is dest
    assert done.history == (Change(event, FS.FULFILLED, dest, at(1)),)
    assert done.allowed_events == ()
    assert not done.counts
    assert shipped.status is FS.FULFILLED


def test_a_second_cancel_is_refused() -> None:
    """Cancelling is final: cancelling again raises InvalidTransitionError."""
    cancelled = fulfillment().cancel(at=at(1))
    with pytest.raises(InvalidTransitionError) as caught:
        cancelled.cancel(at=at(2))
    error = caught.value
    assert (error.event, error.state, error.allowed) == ("cancel", FS.CANCELLED, ())
    assert "cancel" in str(error)
    assert "cancelled" in str(error)


@pytest.mark.parametrize("status", [FS.CANCELLED, FS.RESTOCKED], ids=str)
@pytest.mark.parametrize("event", ["cancel", "restock"])
def test_neither_final_fulfillment_status_can_be_left(
    status: FulfillmentStatus, event: str
) -> None:
    """A cancelled or restocked fulfillment takes no event at all."""
    final = fulfillment(status)
    assert not final.may(event)
    with pytest.raises(InvalidTransitionError):
        getattr(final, event)(at=at(1))


def test_a_fulfillments_allowed_events_from_fulfilled_are_cancel_and_restock() -> None:
    """Created fulfilled, a fulfillment offers exactly cancel and restock."""
    assert set(fulfillment().allowed_events) == {"cancel", "restock"}


def test_fulfillment_quantities_sum_repeated_lines() -> None:
    """Two lines of one line item ship their quantities together."""
    lines = [
        FulfillmentLine(invoice_line_item_id=1, quantity=2),
        FulfillmentLine(invoice_line_item_id=2, quantity=1),
        FulfillmentLine(invoice_line_item_id=1, quantity=3),
    ]
    assert fulfillment(lines=lines).quantities() == {1: 5, 2: 1}


def test_a_fulfilled_fulfillment_has_no_past_to_record() -> None:
    """No move leads to fulfilled, so a fulfilled fulfillment given a history is refused."""
    history = [Change("cancel", FS.FULFILLED, FS.CANCELLED, at(10))]
    with pytest.raises(InvalidValueError, match=r"history\[0\]\.dest"):
        fulfillment(history=history)
