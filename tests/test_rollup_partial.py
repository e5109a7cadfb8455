"""Partial rollups: ``partial``, ``Partial`` and ``combine`` (API.md section 14, issue 13).

Examples for each refusal and each documented behaviour, then the laws as properties:
combine of any sharding equals compute over the union, ``+`` is associative and
commutative with ``Partial()`` as identity, and a partial survives pickling.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    DuplicateIdError,
    DuplicateLineItemError,
    FulfillmentConflictError,
    FulfillmentStatus,
    InvalidTypeError,
    Invoice,
    InvoiceStatus,
    OrdersError,
    OverFulfilledLineError,
    OverFulfillmentError,
    UnknownLineItemError,
)
from clickfunnels_orders.rollup import (
    FulfillmentRollup,
    LineItemRow,
    Partial,
    combine,
    compute,
    merge,
    partial,
)
from test_rollup_books import Book, books, invoice, line, shipment

T = TypeVar("T")


def two_orders() -> list[Invoice]:
    """Order A: invoice 1 (lines 11 x2, 12 x1). Order B: invoice 2 (line 21 x3). Both paid."""
    return [
        invoice(1, "A", line(11, 1, 2), line(12, 1, 1)),
        invoice(2, "B", line(21, 2, 3)),
    ]


# -- examples -------------------------------------------------------------------------------


def test_combining_shards_by_invoice_gives_the_rollup_of_the_union() -> None:
    """Each shard holds its own invoices and the fulfillments of them."""
    first, second = two_orders()
    a = [shipment(1, (11, 1))]
    b = [shipment(2, (21, 3)), shipment(3, (21, 1), status=FulfillmentStatus.CANCELLED)]
    result = combine([partial([first], a), partial([second], b)])
    assert isinstance(result, FulfillmentRollup)
    assert result == compute(two_orders(), a + b)
    assert result.order_status("B") == "fulfilled"
    assert result.remaining("A") == {11: 1, 12: 1}


def test_a_shard_may_ship_line_items_whose_invoices_are_in_another_shard() -> None:
    """Fulfillments of a line another shard holds are carried and counted there."""
    first, second = two_orders()
    parcel = shipment(1, (11, 2), (21, 1))
    result = combine([partial([first], [parcel]), partial([second], [])])
    assert result == compute(two_orders(), [parcel])
    assert result.fulfilled_quantity(21) == 1


def test_a_shard_of_fulfillments_alone_combines_with_a_shard_of_invoices_alone() -> None:
    """Invoices and fulfillments may be sharded separately."""
    fulfillments = [shipment(1, (11, 1)), shipment(2, (21, 2))]
    result = combine([partial([], fulfillments), partial(two_orders(), [])])
    assert result == compute(two_orders(), fulfillments)


def test_combine_of_nothing_is_the_empty_rollup_and_partial_of_nothing_its_identity() -> None:
    """combine([]) equals compute([], []); adding Partial() changes nothing."""
    part = partial(two_orders(), [shipment(1, (11, 1))])
    assert combine([]) == compute([], [])
    assert part + Partial() == part == Partial() + part
    assert combine([part, Partial()]) == combine([part])


def test_a_shared_invoice_in_the_same_version_counts_once() -> None:
    """Two shards may both hold one invoice; its lines are not counted twice."""
    invoices = two_orders()
    a, b = [shipment(1, (21, 1))], [shipment(2, (21, 1))]
    result = combine([partial(invoices, a), partial(invoices, b)])
    assert result == compute(invoices, a + b)
    assert result.fulfilled_quantity(21) == 2


def test_combine_refuses_shards_holding_different_versions_of_one_invoice() -> None:
    """Shards must agree on every invoice they share."""
    paid = invoice(1, "A", line(1, 1, 2))
    refunded = invoice(1, "A", line(1, 1, 2), status=InvoiceStatus.REFUNDED)
    with pytest.raises(FulfillmentConflictError) as caught:
        combine([partial([paid], []), partial([refunded], [])])
    assert caught.value.invoice_id == 1


def test_combine_refuses_a_fulfillment_counted_by_two_shards() -> None:
    """The same fulfilled fulfillment in two shards would count twice."""
    parcel = shipment(7, (21, 1))
    with pytest.raises(FulfillmentConflictError) as caught:
        combine([partial(two_orders(), [parcel]), partial([], [parcel])])
    assert caught.value.fulfillment_id == 7


def test_combine_refuses_shards_that_together_over_fulfill_a_line() -> None:
    """Two shards shipping 2 each of a line of 3 raise OverFulfilledLineError."""
    first, second = two_orders()
    with pytest.raises(OverFulfilledLineError) as caught:
        combine(
            [
                partial([first], [shipment(1, (21, 2))]),
                partial([second], [shipment(2, (21, 2))]),
            ]
        )
    assert (caught.value.line_item_id, caught.value.fulfilled, caught.value.quantity) == (21, 4, 3)
    assert isinstance(caught.value, OverFulfillmentError)


def test_combine_refuses_one_line_item_id_in_invoices_of_two_shards() -> None:
    """Different invoices holding the same line-item id are refused, naming both."""
    with pytest.raises(DuplicateLineItemError):
        combine(
            [partial([invoice(1, "A", line(5, 1))], []), partial([invoice(2, "B", line(5, 2))], [])]
        )


def test_combine_refuses_a_line_item_no_shard_holds() -> None:
    """A counted line whose invoice is in no shard is unknown once all shards are in."""
    with pytest.raises(UnknownLineItemError) as caught:
        combine([partial(two_orders(), []), partial([], [shipment(1, (404, 1))])])
    assert caught.value.line_item_id == 404


def test_partial_refuses_what_one_shard_can_tell_is_wrong() -> None:
    """Over-fulfilling a line the shard holds, and repeated ids, are refused at once."""
    with pytest.raises(OverFulfillmentError) as over:
        partial(two_orders(), [shipment(1, (21, 2)), shipment(2, (21, 2))])
    assert over.value.fulfillment_id == 2
    with pytest.raises(DuplicateIdError):
        partial(two_orders(), [shipment(1, (11, 1)), shipment(1, (12, 1))])
    with pytest.raises(DuplicateLineItemError):
        partial([invoice(1, "A", line(5, 1)), invoice(2, "B", line(5, 2))], [])


def test_partial_and_combine_refuse_strangers_naming_them() -> None:
    """Something that is not an entity or a partial is named by its place."""
    with pytest.raises(InvalidTypeError, match=r"invoices\[0\]"):
        partial(["not an invoice"], [])  # type: ignore[list-item]  # the point of the test
    with pytest.raises(InvalidTypeError, match=r"fulfillments\[0\]"):
        partial([], [two_orders()[0]])  # type: ignore[list-item]  # the point of the test
    with pytest.raises(InvalidTypeError, match=r"parts\[0\]"):
        combine([compute([], [])])  # type: ignore[list-item]  # the point of the test


def test_a_pickled_partial_holds_no_entities_and_is_small() -> None:
    """A partial pickles as arrays of counts and ids, well under 40 bytes a line item."""
    invoices = [
        invoice(n, n // 3, line(n * 10, n, 2), line(n * 10 + 1, n, 1), line(n * 10 + 2, n, 3))
        for n in range(1, 2001)
    ]
    fulfillments = [shipment(n, (n * 10, 1), (n * 10 + 2, 3)) for n in range(1, 2001)]
    part = partial(invoices, fulfillments)
    data = pickle.dumps(part)
    assert len(data) / 6000 <= 40
    assert b"Invoice" not in data
    assert b"Fulfillment" not in data
    assert combine([pickle.loads(data)]) == compute(invoices, fulfillments)  # noqa: S301  because we pickled it just above


def test_ids_that_are_not_integers_work_the_same() -> None:
    """String ids (any hashable) are kept in tuples instead of arrays, with the same result."""
    invoices = [
        invoice("inv-1", "A", line("li-1", "inv-1", 2)),
        invoice("inv-2", "B", line("li-2", "inv-2")),
    ]
    fulfillments = [shipment("f-1", ("li-1", 1), ("li-2", 1))]
    result = combine([partial(invoices[:1], fulfillments), partial(invoices[1:], [])])
    assert result == compute(invoices, fulfillments)
    assert result.rows() == compute(invoices, fulfillments).rows()


def test_a_combined_rollup_answers_every_query_as_compute_does() -> None:
    """Statuses, remaining, apply, rows and order ids agree with the recompute."""
    invoices = [*two_orders(), invoice(3, "C", line(31, 3), status=InvoiceStatus.UNPAID)]
    fulfillments = [shipment(1, (11, 2), (21, 1))]
    whole = compute(invoices, fulfillments)
    result = combine([partial(invoices[:1], fulfillments), partial(invoices[1:], [])])
    for key in (11, 12, 21, 31):
        assert result.line_item_status(key) is whole.line_item_status(key)
        assert result.fulfilled_quantity(key) == whole.fulfilled_quantity(key)
    for invoice_id in (1, 2, 3):
        assert result.invoice_status(invoice_id) is whole.invoice_status(invoice_id)
    for inv in invoices:
        assert result.apply(inv) == whole.apply(inv)
    for order_id in ("A", "B", "C", "nobody"):
        assert result.order_status(order_id) is whole.order_status(order_id)
        assert result.remaining(order_id) == whole.remaining(order_id)
    assert result.rows() == whole.rows()
    assert result.order_ids == whole.order_ids
    assert hash(result) == hash(whole)
    assert repr(result) == repr(whole)


def test_a_partial_says_briefly_what_it_holds() -> None:
    """Its repr counts invoices, line items, lines of other shards and fulfillments."""
    part = partial(two_orders(), [shipment(1, (11, 1), (99, 1))])
    assert repr(part) == "Partial(invoices=2, line_items=3, foreign_line_items=1, fulfillments=1)"
    assert len(part) == 3


# -- laws -----------------------------------------------------------------------------------


@st.composite
def shardings(draw: st.DrawFn) -> tuple[Book, list[Partial]]:
    """Draw a book and deal its invoices and fulfillments, independently, into 1-4 shards."""
    book = draw(books())
    count = draw(st.integers(1, 4))
    shard = st.integers(0, count - 1)
    invoice_shards = draw(st.lists(shard, min_size=len(book.invoices), max_size=len(book.invoices)))
    fulfillment_shards = draw(
        st.lists(shard, min_size=len(book.fulfillments), max_size=len(book.fulfillments))
    )
    parts = [
        partial(
            _dealt(book.invoices, invoice_shards, index),
            _dealt(book.fulfillments, fulfillment_shards, index),
        )
        for index in range(count)
    ]
    return book, parts


def _dealt(items: Sequence[T], shards: Sequence[int], index: int) -> list[T]:
    return [item for item, shard in zip(items, shards, strict=True) if shard == index]


@given(shardings())
def test_combine_of_any_sharding_equals_compute_over_the_union(
    pair: tuple[Book, list[Partial]],
) -> None:
    """However invoices and fulfillments are dealt into shards, combine equals compute."""
    book, parts = pair
    whole = compute(book.invoices, book.fulfillments)
    result = combine(parts)
    assert result == whole
    assert result.rows() == _rows_in(whole, result)


def _rows_in(whole: FulfillmentRollup, result: FulfillmentRollup) -> list[LineItemRow]:
    """Return ``whole``'s rows in ``result``'s invoice order (shards reorder invoices)."""
    rank: dict[Hashable, int] = {
        row["invoice_line_item_id"]: place for place, row in enumerate(result.rows())
    }
    return sorted(whole.rows(), key=lambda row: rank[row["invoice_line_item_id"]])


@given(shardings())
def test_adding_partials_is_associative_and_commutative(pair: tuple[Book, list[Partial]]) -> None:
    """Any grouping and order of the shards adds up to the same partial."""
    _, parts = pair
    total = Partial()
    for part in parts:
        total = total + part
    backwards = Partial()
    for part in reversed(parts):
        backwards = part + backwards
    assert total == backwards
    if len(parts) >= 3:
        a, b, c = parts[:3]
        assert (a + b) + c == a + (b + c) == (c + a) + b
    assert combine(list(reversed(parts))) == combine(parts)


@given(shardings())
def test_a_partial_survives_pickling(pair: tuple[Book, list[Partial]]) -> None:
    """Pickled and restored, a partial equals, hashes like and combines as the original."""
    _, parts = pair
    for part in parts:
        restored = pickle.loads(pickle.dumps(part))  # noqa: S301  because we pickled it just above
        assert restored == part
        assert hash(restored) == hash(part)
    assert combine([pickle.loads(pickle.dumps(p)) for p in parts]) == combine(parts)  # noqa: S301  because we pickled it just above


@given(books())
def test_a_combined_rollup_survives_pickling(book: Book) -> None:
    """A rollup from combine pickles and comes back equal to compute."""
    result = combine([partial(book.invoices, book.fulfillments)])
    restored = pickle.loads(pickle.dumps(result))  # noqa: S301  because we pickled it just above
    assert restored == compute(book.invoices, book.fulfillments)


@given(books())
def test_combine_refuses_what_merge_refuses(book: Book) -> None:
    """A book counted in two parts is refused alike by merge and by combine."""
    whole = compute(book.invoices, book.fulfillments)
    attempts: list[Callable[[], FulfillmentRollup]] = [
        lambda: combine([partial(book.invoices, book.fulfillments)] * 2),
        lambda: merge([whole, whole]),
    ]
    refusals: list[type[OrdersError] | None] = []
    for attempt in attempts:
        try:
            attempt()
        except OrdersError as error:
            refusals.append(type(error))
        else:
            refusals.append(None)
    assert refusals[0] is refusals[1]
    if whole.fulfillment_ids:
        assert refusals[0] is FulfillmentConflictError
