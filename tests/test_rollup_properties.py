"""The rollup's laws, as Hypothesis properties.

``compute`` agrees with a plain statement of the rules, the tracker with ``compute``, and
``merge`` of shards with the whole.
"""

from __future__ import annotations

import contextlib
import pickle
import random
from collections.abc import Hashable, Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentStatus,
    Invoice,
    InvoiceFulfillmentStatus,
    LineItemFulfillmentStatus,
    NotFulfillableError,
    OrderFulfillmentStatus,
    OverFulfillmentError,
    UnknownLineItemError,
)
from clickfunnels_orders.rollup import FulfillmentRollup, Tracker, compute, merge
from clickfunnels_orders.testing.strategies import invoices as kit_invoices
from test_rollup_books import (
    Book,
    books,
    counted_totals,
    expected_invoice_status,
    expected_line_status,
    expected_order_status,
    expected_remaining,
    fulfillment_sets,
    invoice_sets,
    shipment,
)

ROOT = Path(__file__).resolve().parent.parent
L = LineItemFulfillmentStatus
IS = InvoiceFulfillmentStatus
OS = OrderFulfillmentStatus
CANCELLED = FulfillmentStatus.CANCELLED
RESTOCKED = FulfillmentStatus.RESTOCKED


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
