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
    Fulfillment,
    FulfillmentConflictError,
    FulfillmentLine,
    FulfillmentStatus,
    InvalidTypeError,
    Invoice,
    InvoiceStatus,
    OrdersError,
    OverFulfilledLineError,
    OverFulfillmentError,
    OverReleaseError,
    Restock,
    RestockStatus,
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


def restocked(
    restock_id: Hashable,
    *lines: tuple[Hashable, int],
    status: RestockStatus = RestockStatus.RESTOCKED,
) -> Restock:
    """Return a restock releasing ``(line item id, quantity)`` pairs."""
    return Restock(
        id=restock_id,
        lines=tuple(FulfillmentLine(key, quantity) for key, quantity in lines),
        status=status,
    )


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


def test_a_restock_in_one_shard_releases_what_another_shard_shipped() -> None:
    """A restocked restock is summed per line and released once every shard is in."""
    first, second = two_orders()
    shipped = [shipment(1, (11, 2), (21, 3))]
    restocks = [restocked(1, (11, 1)), restocked(2, (21, 3), status=RestockStatus.CANCELLED)]
    result = combine([partial([first], shipped), partial([second], restocks)])
    assert result == compute(two_orders(), [*shipped, *restocks])
    assert result.fulfilled_quantity(11) == 1
    assert result.fulfilled_quantity(21) == 3


def test_over_fulfillment_is_checked_on_the_net_quantity_of_all_shards() -> None:
    """A shard that ships a line twice over is accepted when another shard's restock releases it."""
    first, second = two_orders()
    again = [shipment(1, (21, 3)), shipment(2, (21, 3))]
    release = [restocked(1, (21, 3))]
    result = combine([partial([second], again), partial([first], release)])
    assert result == compute(two_orders(), [*again, *release])
    assert result.fulfilled_quantity(21) == 3
    with pytest.raises(OverFulfilledLineError):
        combine([partial([second], again), partial([first], [])])


def test_combine_refuses_releasing_more_than_all_shards_shipped() -> None:
    """Restocks of several shards together may release at most what was shipped."""
    first, second = two_orders()
    with pytest.raises(OverReleaseError) as caught:
        combine(
            [
                partial([first], [shipment(1, (21, 2)), restocked(1, (21, 1))]),
                partial([second], [restocked(2, (21, 2))]),
            ]
        )
    assert (caught.value.line_item_id, caught.value.fulfilled, caught.value.requested) == (21, 2, 3)
    with pytest.raises(OverReleaseError):
        compute(two_orders(), [shipment(1, (21, 2)), restocked(1, (21, 1)), restocked(2, (21, 2))])


def test_combine_refuses_a_restock_of_a_line_no_shard_holds() -> None:
    """A restocked restock of an unknown line item is refused, as compute refuses it."""
    with pytest.raises(UnknownLineItemError) as caught:
        combine([partial(two_orders(), []), partial([], [restocked(1, (404, 1))])])
    assert caught.value.line_item_id == 404
    cancelled = [restocked(1, (404, 1), status=RestockStatus.CANCELLED)]
    assert combine([partial(two_orders(), cancelled)]) == compute(two_orders(), cancelled)


def test_combine_refuses_a_restock_counted_by_two_shards() -> None:
    """The same restocked restock in two shards would release twice."""
    release = restocked(5, (11, 1))
    with pytest.raises(FulfillmentConflictError) as caught:
        combine([partial(two_orders(), [shipment(1, (11, 2)), release]), partial([], [release])])
    assert caught.value.fulfillment_id == 5


def test_partial_refuses_what_one_shard_can_tell_is_wrong() -> None:
    """Repeated ids are refused at once; over-fulfilling is refused once all shards are in."""
    over_shipped = partial(two_orders(), [shipment(1, (21, 2)), shipment(2, (21, 2))])
    with pytest.raises(OverFulfilledLineError) as over:
        combine([over_shipped])
    assert (over.value.line_item_id, over.value.fulfilled, over.value.quantity) == (21, 4, 3)
    with pytest.raises(DuplicateIdError):
        partial(two_orders(), [shipment(1, (11, 1)), shipment(1, (12, 1))])
    with pytest.raises(DuplicateIdError):
        partial(two_orders(), [restocked(1, (11, 1)), restocked(1, (12, 1))])
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
    assert repr(part) == (
        "Partial(invoices=2, line_items=3, foreign_line_items=1, fulfillments=1, restocks=0)"
    )
    assert len(part) == 3


# -- laws -----------------------------------------------------------------------------------


def _counted_totals(book: Book) -> dict[Hashable, int]:
    """Return what the book's counted fulfillments shipped of each of its line items."""
    net = {item.id: 0 for inv in book.invoices for item in inv.line_items}
    for fulfillment in book.fulfillments:
        if fulfillment.status is FulfillmentStatus.FULFILLED:
            for key, quantity in fulfillment.quantities().items():
                net[key] += quantity
    return net


def _draw_pairs(
    draw: st.DrawFn, keys: list[Hashable], room: Callable[[Hashable], int]
) -> list[tuple[Hashable, int]]:
    """Draw up to three distinct line items and a quantity of each within its ``room``."""
    chosen = draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True))
    return [(key, draw(st.integers(1, room(key)))) for key in chosen if room(key)]


@st.composite
def restocked_books(draw: st.DrawFn) -> Book:
    """Draw a book, then restocks of what it shipped and new shipments of what they freed.

    Restocked restocks release at most what the counted fulfillments shipped of each
    line; cancelled ones name any lines; fulfillments drawn after them ship again up to
    what the releases freed, so a line may be shipped in all more than its quantity.
    """
    book = draw(books())
    quantities = {item.id: item.quantity for inv in book.invoices for item in inv.line_items}
    net = _counted_totals(book)
    keys = list(quantities)
    if not keys:
        return book
    extra: list[Fulfillment | Restock] = []
    for number in range(draw(st.integers(0, 4))):
        status = draw(st.sampled_from((RestockStatus.RESTOCKED, RestockStatus.CANCELLED)))
        released = status is RestockStatus.RESTOCKED
        pairs = _draw_pairs(draw, keys, net.__getitem__ if released else quantities.__getitem__)
        for key, quantity in pairs if released else ():
            net[key] -= quantity
        if pairs:
            extra.append(restocked(number + 1, *pairs, status=status))
    for number in range(draw(st.integers(0, 2))):
        pairs = _draw_pairs(draw, keys, lambda key: quantities[key] - net[key])
        for key, quantity in pairs:
            net[key] += quantity
        if pairs:
            extra.append(shipment(1000 + number, *pairs))
    return Book(book.invoices, (*book.fulfillments, *extra))  # type: ignore[arg-type]  # restocks ride along with the fulfillments


@st.composite
def shardings(draw: st.DrawFn, *, restocks: bool = False) -> tuple[Book, list[Partial]]:
    """Draw a book and deal its invoices and fulfillments, independently, into 1-4 shards."""
    book = draw(restocked_books() if restocks else books())
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


@given(shardings(restocks=True))
def test_combine_of_any_sharding_with_restocks_equals_compute_over_the_union(
    pair: tuple[Book, list[Partial]],
) -> None:
    """With restocks dealt into any shards too, combine still equals compute over the union."""
    book, parts = pair
    whole = compute(book.invoices, book.fulfillments)
    result = combine(parts)
    assert result == whole
    assert result.rows() == _rows_in(whole, result)
    for order_id in result.order_ids:
        assert result.order_status(order_id) is whole.order_status(order_id)
        assert result.remaining(order_id) == whole.remaining(order_id)


@given(
    shardings(restocks=True),
    st.lists(st.tuples(st.integers(0, 3), st.integers(100, 130), st.integers(1, 3)), max_size=4),
)
def test_combine_refuses_exactly_what_compute_refuses_with_restocks(
    pair: tuple[Book, list[Partial]], wild: list[tuple[int, int, int]]
) -> None:
    """Arbitrary extra restocks (over-releasing, unknown lines) are refused by both or neither."""
    book, parts = pair
    extra = [restocked(500 + n, (key, quantity)) for n, (_, key, quantity) in enumerate(wild)]
    for (shard, _, _), release in zip(wild, extra, strict=True):
        if shard < len(parts):
            parts[shard] = parts[shard] + partial([], [release])
        else:
            parts.append(partial([], [release]))
    attempts: list[Callable[[], FulfillmentRollup]] = [
        lambda: compute(book.invoices, [*book.fulfillments, *extra]),
        lambda: combine(parts),
    ]
    outcomes: list[object] = []
    for attempt in attempts:
        try:
            outcomes.append(attempt())
        except OrdersError:
            outcomes.append("refused")
    assert outcomes[0] == outcomes[1]


@given(shardings(restocks=True))
def test_adding_partials_with_restocks_is_associative_and_commutative(
    pair: tuple[Book, list[Partial]],
) -> None:
    """Restocks in the shards do not change the algebra: any grouping adds up alike."""
    _, parts = pair
    total = Partial()
    for part in parts:
        total = total + part
    backwards = Partial()
    for part in reversed(parts):
        backwards = part + backwards
    assert total == backwards
    assert hash(total) == hash(backwards)
    assert pickle.loads(pickle.dumps(total)) == total  # noqa: S301  because we pickled it just above


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
