"""The testing kit builds consistent books and state machines users subclass (API.md section 9)."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from clickfunnels_orders import (
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    Order,
    rollup,
)
from clickfunnels_orders.testing.stateful import (
    FulfillmentMachine,
    InvoiceLineItemMachine,
    InvoiceMachine,
    LifecycleMachine,
    OrderMachine,
)
from clickfunnels_orders.testing.strategies import Book, books

ELIGIBLE = {InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED}
QUICK = settings(max_examples=25, stateful_step_count=12, deadline=None)


@given(books())
def test_line_item_ids_are_unique_across_a_book(book: Book) -> None:
    """Thirty invoices or three: no two line items of a book share an id."""
    ids = [item.id for invoice in book.invoices for item in invoice.line_items]
    assert len(ids) == len(set(ids))
    assert len({i.id for i in book.invoices}) == len(book.invoices)
    assert len({f.id for f in book.fulfillments}) == len(book.fulfillments)


@given(books())
def test_compute_accepts_every_book_and_no_line_is_over_fulfilled(book: Book) -> None:
    """``rollup.compute`` takes the book as it is; fulfilled quantities stay within lines."""
    result = rollup.compute(book.invoices, book.fulfillments)
    assert result == book.rollup()
    for invoice in book.invoices:
        for item in invoice.line_items:
            assert result.fulfilled_quantity(item.id) <= item.quantity


@given(books())
def test_line_statuses_are_the_ones_the_fulfillments_give(book: Book) -> None:
    """Each line's status is the rollup's, or complete for a line shipped in full."""
    result = book.rollup()
    for invoice in book.invoices:
        for item in invoice.line_items:
            status = item.fulfillment_status
            if status is LineItemFulfillmentStatus.COMPLETE:
                assert result.fulfilled_quantity(item.id) == item.quantity
            else:
                assert status is result.line_item_status(item.id)


@given(books())
def test_fulfillments_ship_only_lines_that_are_required(book: Book) -> None:
    """Shipped lines need fulfillment, are not ignored, and their invoice is eligible."""
    lines = {item.id: (invoice, item) for invoice in book.invoices for item in invoice.line_items}
    for fulfillment in book.fulfillments:
        for line in fulfillment.lines:
            invoice, item = lines[line.invoice_line_item_id]
            assert invoice.status in ELIGIBLE
            assert item.fulfillment_required
            assert item.fulfillment_status is not LineItemFulfillmentStatus.IGNORED


@given(books(complete_lines=False))
def test_a_tracker_accepts_a_book_fulfillment_by_fulfillment(book: Book) -> None:
    """Replayed into a tracker one record at a time, a book ends where compute is."""
    tracker = rollup.Tracker(book.invoices)
    for fulfillment in book.fulfillments:
        tracker.record(fulfillment)
    assert tracker.snapshot() == book.rollup()


@given(books(max_restocks=4))
def test_compute_accepts_every_book_with_restocks_and_nothing_is_over_released(
    book: Book,
) -> None:
    """Restocks release at most what was shipped, so compute takes every book as it is."""
    result = rollup.compute(book.invoices, [*book.fulfillments, *book.restocks])
    assert result == book.rollup()
    shipped: Counter[Any] = Counter()
    for fulfillment in book.fulfillments:
        if fulfillment.counts:
            shipped.update(fulfillment.quantities())
    released: Counter[Any] = Counter()
    for restock in book.restocks:
        if restock.counts:
            released.update(restock.quantities())
    assert all(released[key] <= shipped[key] for key in released)
    for invoice in book.invoices:
        for item in invoice.line_items:
            net = result.fulfilled_quantity(item.id)
            assert net == shipped[item.id] - released[item.id]
            assert 0 <= net <= item.quantity
            if item.fulfillment_status is not LineItemFulfillmentStatus.COMPLETE:
                assert item.fulfillment_status is result.line_item_status(item.id)


@given(books(max_restocks=4, complete_lines=False))
def test_a_tracker_accepts_a_book_with_restocks_record_by_record(book: Book) -> None:
    """Fulfillments, then restocks, one at a time: the tracker ends where compute is."""
    tracker = rollup.Tracker(book.invoices)
    for fulfillment in book.fulfillments:
        tracker.record(fulfillment)
    for restock in book.restocks:
        tracker.record(restock)
    assert tracker.snapshot() == book.rollup()


@given(books(max_restocks=4))
def test_restocks_name_shipped_lines_and_leave_them_open(book: Book) -> None:
    """A restock's lines were shipped by the book's fulfillments and are never complete."""
    shipped = {
        line.invoice_line_item_id for fulfillment in book.fulfillments for line in fulfillment.lines
    }
    status = {item.id: item.fulfillment_status for inv in book.invoices for item in inv.line_items}
    assert len({restock.id for restock in book.restocks}) == len(book.restocks)
    for restock in book.restocks:
        for line in restock.lines:
            assert line.invoice_line_item_id in shipped
            assert status[line.invoice_line_item_id] is not LineItemFulfillmentStatus.COMPLETE


def test_books_with_restocks_hold_restocked_and_cancelled_restocks() -> None:
    """Across a few hundred books, restocks of both statuses turn up, and releases matter."""
    seen: Counter[str] = Counter()

    @settings(max_examples=300, database=None, derandomize=True)
    @given(books(max_restocks=3))
    def collect(book: Book) -> None:
        seen.update(str(restock.status) for restock in book.restocks)
        if book.rollup() != rollup.compute(book.invoices, book.fulfillments):
            seen["released"] += 1

    collect()
    assert {"restocked", "cancelled", "released"} <= set(seen)


@given(books())
def test_books_hold_no_restocks_unless_asked(book: Book) -> None:
    """By default a book's fulfillments alone give its statuses."""
    assert book.restocks == ()
    assert book.rollup() == rollup.compute(book.invoices, book.fulfillments)


@given(books())
def test_invoices_belong_to_the_books_orders_and_copy_their_lines(book: Book) -> None:
    """Every invoice bills an order of the book, line for line."""
    orders: dict[Any, Order] = {order.id: order for order in book.orders}
    for invoice in book.invoices:
        order = orders[invoice.order_id]
        assert [i.variant_id for i in invoice.line_items] == [
            line.variant_id for line in order.line_items
        ]


def test_books_hold_shipped_cancelled_and_fulfilled_cases() -> None:
    """Across a few hundred books every order status and fulfillment status turns up."""
    seen: Counter[str] = Counter()

    @settings(max_examples=300, database=None, derandomize=True)
    @given(books())
    def collect(book: Book) -> None:
        result = book.rollup()
        seen.update(str(result.order_status(order_id)) for order_id in result.order_ids)
        seen.update(str(f.status) for f in book.fulfillments)

    collect()
    assert {"unfulfilled", "partially_fulfilled", "fulfilled", "not_applicable"} <= set(seen)
    assert {str(s) for s in FulfillmentStatus} <= set(seen)


@given(st.data())
def test_book_options_bound_its_size(data: st.DataObject) -> None:
    """``max_orders``, ``max_invoices`` and ``max_fulfillments`` are upper bounds."""
    book = data.draw(books(max_orders=1, max_invoices=2, max_fulfillments=1))
    assert len(book.orders) == 1
    assert 1 <= len(book.invoices) <= 2
    assert len(book.fulfillments) <= 1


# -- state machines -------------------------------------------------------------------------


def _run(machine: type[LifecycleMachine]) -> None:
    """Run a machine as a test, with quick settings."""
    run_state_machine_as_test(machine, settings=QUICK)


def test_every_lifecycle_machine_runs_green() -> None:
    """The four machines walk their lifecycles with the library's laws holding."""
    for machine in (InvoiceMachine, OrderMachine, InvoiceLineItemMachine, FulfillmentMachine):
        _run(machine)


def test_each_machine_has_one_rule_per_user_event_read_off_the_entity_machine() -> None:
    """Rules are derived from the machines, never listed by hand."""
    for machine in (InvoiceMachine, OrderMachine, InvoiceLineItemMachine, FulfillmentMachine):
        names = {name for name in dir(machine) if name.startswith("fire_")}
        expected = {f"fire_{e}" for e in machine.entity_class.lifecycle.user_events}
        assert names == expected


class CountingInvoices(InvoiceMachine):
    """What a user writes: a handler that must see every status the invoice takes."""

    seen_events: ClassVar[Counter[str]] = Counter()

    def on_start(self, entity: Any) -> None:
        """Set up the handler: here, a list of the statuses seen."""
        self.statuses = [entity.status]

    def on_event(self, before: Any, after: Any, event: str) -> None:
        """Hand the new version to the handler and check what it did."""
        assert after.history[-1].event == event or after == before
        self.statuses.append(after.status)
        CountingInvoices.seen_events[event] += 1

    def teardown(self) -> None:
        """The handler saw the start and one version per event."""
        assert len(self.statuses) == self.fired + 1


def test_a_subclass_sees_every_event_through_its_hooks() -> None:
    """Subclassing a machine drives the user's handler with each event fired."""
    CountingInvoices.seen_events.clear()
    _run(CountingInvoices)
    assert CountingInvoices.seen_events["issue"] > 0
    assert len(CountingInvoices.seen_events) >= 3
