"""The rollup as records: ``rows()`` and ``order_ids`` (API.md section 13, first bullet).

Examples for each documented behaviour of a row, then properties: rows agree with the
queries, a tracker's rows with its snapshot's, and ``order_ids`` with the invoices held.
"""

from __future__ import annotations

import contextlib
import csv
import io

from hypothesis import given

from clickfunnels_orders import InvoiceStatus, LineItemFulfillmentStatus, OrdersError
from clickfunnels_orders.rollup import FulfillmentRollup, Tracker, compute
from test_rollup_books import Book, books, expected_line_status, invoice, line, shipment

KEYS = {
    "order_id",
    "invoice_id",
    "invoice_line_item_id",
    "variant_id",
    "quantity",
    "fulfilled",
    "remaining",
    "status",
    "required",
}
STATUS = LineItemFulfillmentStatus


def ada_and_bo() -> FulfillmentRollup:
    """Order A: paid invoice 1 (line 11 x2, line 12 x1 not required). Order B: unpaid 2."""
    invoices = [
        invoice(1, "A", line(11, 1, 2), line(12, 1, 1, required=False)),
        invoice(2, "B", line(21, 2, 3), status=InvoiceStatus.UNPAID),
    ]
    return compute(invoices, [shipment(7, (11, 1))])


def by_line(result: FulfillmentRollup | Tracker) -> dict[object, dict[str, object]]:
    """Return the rows keyed by their line-item id."""
    return {row["invoice_line_item_id"]: dict(row) for row in result.rows()}


# -- rows: examples -------------------------------------------------------------------------


def test_rows_are_one_plain_dict_per_line_item_with_the_contract_keys() -> None:
    """Each invoice line item gives one plain dict holding exactly the documented keys."""
    rows = ada_and_bo().rows()
    assert [row["invoice_line_item_id"] for row in rows] == [11, 12, 21]
    assert all(type(row) is dict for row in rows)
    assert all(set(row) == KEYS for row in rows)


def test_a_row_names_its_order_invoice_variant_and_quantity() -> None:
    """A row carries the ids and quantity of its line as the invoice holds them."""
    row = by_line(ada_and_bo())[11]
    assert (row["order_id"], row["invoice_id"], row["variant_id"], row["quantity"]) == (
        "A",
        1,
        500,
        2,
    )


def test_a_partly_shipped_required_line_shows_what_is_fulfilled_and_what_remains() -> None:
    """Line 11 of 2 with 1 shipped: fulfilled 1, remaining 1, partially fulfilled, required."""
    row = by_line(ada_and_bo())[11]
    assert (row["fulfilled"], row["remaining"], row["required"]) == (1, 1, True)
    assert row["status"] is STATUS.PARTIALLY_FULFILLED


def test_a_line_that_needs_no_shipping_is_not_required_and_has_nothing_remaining() -> None:
    """A line with ``fulfillment_required=False`` has remaining 0, though nothing shipped."""
    row = by_line(ada_and_bo())[12]
    assert (row["required"], row["remaining"], row["fulfilled"]) == (False, 0, 0)
    assert row["status"] is STATUS.UNFULFILLED


def test_a_line_of_an_unpaid_invoice_is_not_required_and_has_nothing_remaining() -> None:
    """Lines of invoices that are not eligible for fulfillment are not due yet."""
    row = by_line(ada_and_bo())[21]
    assert (row["required"], row["remaining"]) == (False, 0)


def test_an_ignored_line_is_not_required_and_keeps_its_status() -> None:
    """An ignored line shows ``ignored`` and nothing remaining."""
    result = compute([invoice(1, "A", line(11, 1, 2, status=STATUS.IGNORED))], [])
    row = by_line(result)[11]
    assert (row["required"], row["remaining"], row["status"]) == (False, 0, STATUS.IGNORED)


def test_a_complete_line_is_required_but_has_nothing_remaining() -> None:
    """A complete line counts as shipped in full: remaining 0, status ``complete``."""
    result = compute([invoice(1, "A", line(11, 1, 2, status=STATUS.COMPLETE))], [])
    row = by_line(result)[11]
    assert (row["required"], row["remaining"], row["status"]) == (True, 0, STATUS.COMPLETE)


def test_a_row_status_is_a_line_item_fulfillment_status() -> None:
    """``status`` is the enum member, which is also the API's string."""
    row = by_line(ada_and_bo())[11]
    assert isinstance(row["status"], LineItemFulfillmentStatus)
    assert row["status"] == "partially_fulfilled"


def test_rows_come_in_invoice_order_then_line_order() -> None:
    """The table reads like the invoices given: invoice by invoice, line by line."""
    invoices = [invoice(2, "B", line(22, 2), line(21, 2)), invoice(1, "A", line(11, 1))]
    assert [row["invoice_line_item_id"] for row in compute(invoices, []).rows()] == [22, 21, 11]


def test_an_empty_rollup_has_no_rows_and_no_orders() -> None:
    """Nothing given, nothing listed."""
    empty = compute([], [])
    assert empty.rows() == []
    assert len(empty.order_ids) == 0


def test_rows_write_straight_to_csv() -> None:
    """Plain dicts with fixed keys are what ``csv.DictWriter`` (and pandas) take."""
    rows = ada_and_bo().rows()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    assert out.getvalue().splitlines()[1] == "A,1,11,500,2,1,1,partially_fulfilled,True"


def test_a_tracker_lists_the_same_rows_as_its_snapshot() -> None:
    """``Tracker.rows()`` follows records, and equals its snapshot's rows."""
    tracker = Tracker([invoice(1, "A", line(11, 1, 2))])
    tracker.record(shipment(7, (11, 2)))
    assert tracker.rows() == tracker.snapshot().rows()
    assert by_line(tracker)[11]["status"] is STATUS.FULFILLED


# -- order_ids: examples --------------------------------------------------------------------


def test_order_ids_are_the_orders_of_the_invoices_held() -> None:
    """``order_ids`` is set-like: it compares with sets and answers ``in``."""
    result = ada_and_bo()
    assert result.order_ids == {"A", "B"}
    assert "A" in result.order_ids
    assert "Z" not in result.order_ids
    assert result.order_ids & {"B", "Z"} == {"B"}


def test_an_order_with_only_invoices_without_lines_is_still_listed() -> None:
    """Order ids come from invoices, whatever lines they hold."""
    assert compute([invoice(1, "A")], []).order_ids == {"A"}


def test_tracker_order_ids_follow_records_and_are_a_copy() -> None:
    """A tracker's ``order_ids`` is taken when asked and does not change afterwards."""
    tracker = Tracker([invoice(1, "A", line(11, 1))])
    before = tracker.order_ids
    tracker.record(invoice(2, "B", line(21, 2)))
    assert before == {"A"}
    assert tracker.order_ids == {"A", "B"}


def test_moving_an_invoice_to_another_order_moves_its_order_id() -> None:
    """An invoice version with another order leaves the old order out once it has none."""
    tracker = Tracker([invoice(1, "A", line(11, 1))])
    tracker.record(invoice(1, "B", line(11, 1)))
    assert tracker.order_ids == {"B"}


# -- properties -----------------------------------------------------------------------------


@given(books())
def test_rows_agree_with_the_queries(book: Book) -> None:
    """Every row says what ``fulfilled_quantity``, ``line_item_status`` and ``remaining`` say."""
    result = compute(book.invoices, book.fulfillments)
    rows = result.rows()
    assert [row["invoice_line_item_id"] for row in rows] == [
        item.id for inv in book.invoices for item in inv.line_items
    ]
    items = {item.id: item for inv in book.invoices for item in inv.line_items}
    for row in rows:
        key = row["invoice_line_item_id"]
        assert row["fulfilled"] == result.fulfilled_quantity(key)
        assert row["status"] is result.line_item_status(key)
        assert row["status"] is expected_line_status(items[key], row["fulfilled"])
        assert row["remaining"] == result.remaining(row["order_id"]).get(key, 0)
        assert row["quantity"] == items[key].quantity
        assert row["invoice_id"] == items[key].invoice_id
        if not row["required"]:
            assert row["remaining"] == 0


@given(books())
def test_required_rows_decide_the_order_status(book: Book) -> None:
    """An order with no required row is ``not_applicable``; one with rows left is not done."""
    result = compute(book.invoices, book.fulfillments)
    for order_id in result.order_ids:
        required = [row for row in result.rows() if row["order_id"] == order_id and row["required"]]
        status = result.order_status(order_id)
        if not required:
            assert status == "not_applicable"
        elif any(row["remaining"] for row in required):
            assert status != "fulfilled"
        else:
            assert status == "fulfilled"


@given(books())
def test_order_ids_are_exactly_the_orders_of_the_invoices(book: Book) -> None:
    """``order_ids`` of a rollup and of a tracker are the invoices' order ids."""
    expected = {inv.order_id for inv in book.invoices}
    assert compute(book.invoices, book.fulfillments).order_ids == expected
    assert Tracker(book.invoices).order_ids == expected


@given(books())
def test_a_tracker_rows_equal_its_snapshot_rows(book: Book) -> None:
    """A tracker fed a book lists the same rows as ``compute`` over it."""
    tracker = Tracker(book.invoices)
    for fulfillment in book.fulfillments:
        with contextlib.suppress(OrdersError):  # compute counts lines a tracker refuses
            tracker.record(fulfillment)
    assert (
        tracker.rows() == compute(tracker.invoices.values(), tracker.fulfillments.values()).rows()
    )
