"""A tracker fed random fulfillments, cancellations, restocks, payments and refunds.

The state machine keeps its own model of what the tracker should hold (every accepted
invoice version and fulfillment) and predicts, from API.md section 5 alone, whether each
record is accepted or refused and with which error. After every step it checks that the
tracker equals ``compute`` over the model, that no line is over-fulfilled, that every
query of the tracker agrees with its snapshot, and that ``merge`` of a random sharding of
the fulfillments equals the whole.

Under the ``ci`` Hypothesis profile it runs 500 examples, under ``dev`` 50.
"""

from __future__ import annotations

import random
from collections.abc import Hashable
from typing import Final

import attrs
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from clickfunnels_orders import (
    DuplicateLineItemError,
    Fulfillment,
    FulfillmentConflictError,
    FulfillmentStatus,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    NotFulfillableError,
    OverFulfilledLineError,
    OverFulfillmentError,
    UnknownLineItemError,
)
from clickfunnels_orders.rollup import FulfillmentRollup, Tracker, compute, merge
from test_rollup_books import (
    ELIGIBLE,
    at,
    counted_totals,
    fulfillment_sets,
    invoice,
    invoice_sets,
    line,
    shipment,
)

L = LineItemFulfillmentStatus
FULFILLED: Final = FulfillmentStatus.FULFILLED
PAYABLE: Final = frozenset(
    {InvoiceStatus.UNPAID, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAST_DUE}
)
REFUNDABLE: Final = frozenset({InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED})
#: A line-item id no generated invoice holds.
UNKNOWN: Final = 999_999

Outcome = type[Exception] | None


class TrackerMachine(RuleBasedStateMachine):
    """Records random invoice versions and fulfillments; the model says what must happen."""

    def __init__(self) -> None:
        super().__init__()
        self.tracker = Tracker()
        self.invoices: dict[Hashable, Invoice] = {}
        self.fulfillments: dict[Hashable, Fulfillment] = {}
        self.rng: random.Random  # drawn in start(), before any rule or invariant runs
        self.minute = 0
        self.next_id = 100_000

    # -- helpers ----------------------------------------------------------------------------

    def now(self) -> int:
        """Return a minute later than every earlier event."""
        self.minute += 1
        return self.minute

    def new_id(self) -> int:
        """Return an id no entity has used."""
        self.next_id += 1
        return self.next_id

    def items(self) -> dict[Hashable, tuple[Invoice, InvoiceLineItem]]:
        """Return every line item the model holds, with its invoice."""
        return {item.id: (inv, item) for inv in self.invoices.values() for item in inv.line_items}

    def totals(self) -> dict[Hashable, int]:
        """Return the fulfilled quantity per line item, according to the model."""
        return counted_totals(self.fulfillments.values())

    def record(self, entity: Invoice | Fulfillment, refusal: Outcome, *, changes: bool) -> None:
        """Record ``entity``; expect ``refusal`` (and no change) or acceptance."""
        kind = type(entity).__name__
        outcome = refusal.__name__ if refusal else ("accepted" if changes else "no change")
        event(f"{kind}: {outcome}")
        before = self.tracker.snapshot()
        if refusal is not None:
            with pytest.raises(refusal):
                self.tracker.record(entity)
            assert self.tracker.snapshot() == before
            return
        assert self.tracker.record(entity) is changes
        if not changes:
            assert self.tracker.snapshot() == before
            return
        if isinstance(entity, Invoice):
            self.invoices[entity.id] = entity
        else:
            self.fulfillments[entity.id] = entity

    def refusal_of_new(self, fulfillment: Fulfillment) -> Outcome:
        """Return the error a new fulfilled fulfillment must raise, or None.

        The checks come in the contract's order, each over every line: unknown line items
        first, then lines that cannot be fulfilled, then too much.
        """
        items = self.items()
        totals = self.totals()
        wanted = fulfillment.quantities()
        if any(key not in items for key in wanted):
            return UnknownLineItemError
        if any(
            items[key][0].status not in ELIGIBLE
            or items[key][1].fulfillment_status in {L.IGNORED, L.COMPLETE}
            for key in wanted
        ):
            return NotFulfillableError
        if any(
            totals.get(key, 0) + quantity > items[key][1].quantity
            for key, quantity in wanted.items()
        ):
            return OverFulfillmentError
        return None

    def replace_line(self, inv: Invoice, new: InvoiceLineItem) -> Invoice:
        """Return ``inv`` with the line of ``new``'s id replaced by ``new``."""
        lines = tuple(new if item.id == new.id else item for item in inv.line_items)
        return attrs.evolve(inv, line_items=lines)

    # -- setup ------------------------------------------------------------------------------

    @initialize(
        paid=invoice_sets(max_invoices=2, eligible_only=True, first_id=1),
        others=invoice_sets(max_invoices=4, first_id=10),
        rng=st.randoms(use_true_random=False),
        data=st.data(),
    )
    def start(
        self,
        paid: tuple[Invoice, ...],
        others: tuple[Invoice, ...],
        rng: random.Random,
        data: st.DataObject,
    ) -> None:
        """Start from invoices of a few orders, some paid and already partly shipped."""
        invoices = paid + others
        self.tracker = Tracker(invoices)
        self.invoices = {inv.id: inv for inv in invoices}
        self.rng = rng
        for final in data.draw(fulfillment_sets(paid, fulfillable_only=True, first_id=50_000)):
            self.record(attrs.evolve(final, status=FULFILLED, history=()), None, changes=True)
            if final.status is not FULFILLED:
                self.record(final, None, changes=True)

    # -- fulfillments -----------------------------------------------------------------------

    def room(self) -> dict[Hashable, int]:
        """Return what may still be shipped of each fulfillable line that has room left."""
        totals = self.totals()
        return {
            item.id: item.quantity - totals.get(item.id, 0)
            for inv, item in self.items().values()
            if inv.status in ELIGIBLE
            and item.fulfillment_status not in {L.IGNORED, L.COMPLETE}
            and item.quantity > totals.get(item.id, 0)
        }

    @precondition(lambda self: bool(self.room()))
    @rule(data=st.data())
    def ship_what_fits(self, data: st.DataObject) -> None:
        """Record a new fulfillment of lines that have room: accepted."""
        room = self.room()
        keys = data.draw(
            st.lists(st.sampled_from(sorted(room, key=repr)), min_size=1, max_size=3, unique=True)
        )
        pairs = [(key, data.draw(st.integers(1, room[key]))) for key in keys]
        self.record(shipment(self.new_id(), *pairs), None, changes=True)

    @precondition(lambda self: bool(self.items()))
    @rule(data=st.data(), unknown=st.booleans())
    def ship_anything(self, data: st.DataObject, unknown: bool) -> None:
        """Record a new fulfillment of any lines, maybe an unknown one: the model says how."""
        items = [item for _, item in self.items().values()]
        picks = data.draw(st.lists(st.sampled_from(items), min_size=1, max_size=3))
        pairs = [(item.id, data.draw(st.integers(1, item.quantity))) for item in picks]
        if unknown:
            pairs.insert(data.draw(st.integers(0, len(pairs))), (UNKNOWN, 1))
        fulfillment = shipment(self.new_id(), *pairs)
        self.record(fulfillment, self.refusal_of_new(fulfillment), changes=True)

    @precondition(lambda self: bool(self.fulfillments))
    @rule(data=st.data(), restock=st.booleans())
    def cancel_or_restock(self, data: st.DataObject, restock: bool) -> None:
        """Record a cancelled or restocked version of a held fulfillment."""
        held = data.draw(st.sampled_from(sorted(self.fulfillments.values(), key=_by_id)))
        target = FulfillmentStatus.RESTOCKED if restock else FulfillmentStatus.CANCELLED
        if held.status is FULFILLED:
            version = held.restock(at=at(self.now())) if restock else held.cancel(at=at(self.now()))
            items = self.items()
            complete = any(
                items[key][1].fulfillment_status is L.COMPLETE for key in held.quantities()
            )
            self.record(version, FulfillmentConflictError if complete else None, changes=True)
        elif held.status is target:
            self.record(attrs.evolve(held, created_at=at(self.now())), None, changes=False)
        else:
            self.record(
                attrs.evolve(held, status=target, history=()),
                FulfillmentConflictError,
                changes=True,
            )

    @precondition(lambda self: bool(self.fulfillments))
    @rule(data=st.data())
    def record_again(self, data: st.DataObject) -> None:
        """Record a held fulfillment again, lines shuffled: nothing changes."""
        held = data.draw(st.sampled_from(sorted(self.fulfillments.values(), key=_by_id)))
        lines = data.draw(st.permutations(held.lines))
        self.record(attrs.evolve(held, lines=tuple(lines)), None, changes=False)

    @precondition(lambda self: bool(self.fulfillments))
    @rule(data=st.data())
    def change_lines(self, data: st.DataObject) -> None:
        """Record a held fulfillment with one more line: refused, lines never change."""
        held = data.draw(st.sampled_from(sorted(self.fulfillments.values(), key=_by_id)))
        extra = shipment(held.id, (held.lines[0].invoice_line_item_id, 1)).lines
        self.record(
            attrs.evolve(held, lines=held.lines + extra), FulfillmentConflictError, changes=True
        )

    @precondition(lambda self: any(f.status is not FULFILLED for f in self.fulfillments.values()))
    @rule(data=st.data())
    def reopen(self, data: st.DataObject) -> None:
        """Record the fulfilled version of a cancelled or restocked one: refused."""
        closed = sorted(
            (f for f in self.fulfillments.values() if f.status is not FULFILLED), key=_by_id
        )
        held = data.draw(st.sampled_from(closed))
        self.record(
            attrs.evolve(held, status=FULFILLED, history=()), FulfillmentConflictError, changes=True
        )

    # -- invoices ---------------------------------------------------------------------------

    @precondition(
        lambda self: any(
            inv.status in PAYABLE or inv.status is InvoiceStatus.DRAFT
            for inv in self.invoices.values()
        )
    )
    @rule(data=st.data(), in_full=st.booleans())
    def pay(self, data: st.DataObject, in_full: bool) -> None:
        """Issue a draft invoice, or pay an unpaid one (in full or in part)."""
        candidates = [
            inv
            for inv in self.invoices.values()
            if inv.status in PAYABLE or inv.status is InvoiceStatus.DRAFT
        ]
        inv = data.draw(st.sampled_from(sorted(candidates, key=_by_id)))
        if inv.status is InvoiceStatus.DRAFT:
            version = inv.issue(at=at(self.now()))
        elif in_full or inv.due_amount <= 1:
            version = inv.pay(at=at(self.now()))
        else:
            version = inv.pay(1, at=at(self.now()))
        self.record(version, None, changes=True)

    @precondition(
        lambda self: any(
            inv.status in REFUNDABLE and inv.refundable_amount > 0 for inv in self.invoices.values()
        )
    )
    @rule(data=st.data(), in_full=st.booleans())
    def refund(self, data: st.DataObject, in_full: bool) -> None:
        """Refund a paid invoice in part (its lines stay due) or in full (they stop)."""
        candidates = [
            inv
            for inv in self.invoices.values()
            if inv.status in REFUNDABLE and inv.refundable_amount > 0
        ]
        inv = data.draw(st.sampled_from(sorted(candidates, key=_by_id)))
        partial = not in_full and inv.refundable_amount > 1
        version = inv.refund(1 if partial else None, at=at(self.now()))
        self.record(version, None, changes=True)

    @precondition(lambda self: bool(self.items()))
    @rule(data=st.data())
    def fire_line_event(self, data: st.DataObject) -> None:
        """Ignore, unignore or complete a line on the rolled-up invoice, and record it."""
        inv = data.draw(st.sampled_from(sorted(self.invoices.values(), key=_by_id)))
        applied = self.tracker.apply(inv)
        movable = [item for item in applied.line_items if item.allowed_events]
        if not movable:
            return
        item = data.draw(st.sampled_from(movable))
        event = data.draw(st.sampled_from(item.allowed_events))
        moved = getattr(item, event)(at=at(self.now()))
        self.record(self.replace_line(applied, moved), None, changes=True)

    def shipped_in_full(self) -> list[Hashable]:
        """Return the lines whose rolled-up status is fulfilled (so they may be completed)."""
        return sorted(
            (key for key in self.totals() if self.tracker.line_item_status(key) is L.FULFILLED),
            key=repr,
        )

    @precondition(lambda self: bool(self.shipped_in_full()))
    @rule(data=st.data())
    def complete_a_line(self, data: st.DataObject) -> None:
        """Complete a line shipped in full, on the rolled-up invoice, and record it."""
        key = data.draw(st.sampled_from(self.shipped_in_full()))
        inv, _ = self.items()[key]
        applied = self.tracker.apply(inv)
        item = next(item for item in applied.line_items if item.id == key)
        self.record(
            self.replace_line(applied, item.complete(at=at(self.now()))), None, changes=True
        )

    @precondition(lambda self: bool(self.totals()))
    @rule(data=st.data(), how=st.sampled_from(("drop", "lower")))
    def shrink_a_fulfilled_line(self, data: st.DataObject, how: str) -> None:
        """Record an invoice version that drops a shipped line or lowers it below: refused."""
        key = data.draw(st.sampled_from(sorted(self.totals(), key=repr)))
        inv, item = self.items()[key]
        shipped = self.totals()[key]
        if how == "drop":
            lines = tuple(other for other in inv.line_items if other.id != key)
            self.record(attrs.evolve(inv, line_items=lines), FulfillmentConflictError, changes=True)
        elif shipped >= 2:
            lowered = attrs.evolve(item, quantity=shipped - 1)
            self.record(self.replace_line(inv, lowered), OverFulfilledLineError, changes=True)

    @precondition(
        lambda self: any(item.fulfillment_status is L.COMPLETE for _, item in self.items().values())
    )
    @rule(data=st.data())
    def reopen_a_complete_line(self, data: st.DataObject) -> None:
        """Record an invoice version showing a complete line as unfulfilled: refused."""
        complete = [
            item for _, item in self.items().values() if item.fulfillment_status is L.COMPLETE
        ]
        item = data.draw(st.sampled_from(sorted(complete, key=_by_id)))
        inv = self.invoices[item.invoice_id]
        reopened = attrs.evolve(item, fulfillment_status=L.UNFULFILLED)
        self.record(self.replace_line(inv, reopened), FulfillmentConflictError, changes=True)

    @rule(order=st.sampled_from(("A", "B", "E")), quantity=st.integers(1, 3), steal=st.booleans())
    def add_invoice(self, order: str, quantity: int, steal: bool) -> None:
        """Record a new paid invoice; one holding another invoice's line id is refused."""
        invoice_id = self.new_id()
        taken = sorted(self.items(), key=repr)
        if steal and taken:
            self.record(
                invoice(invoice_id, order, line(taken[0], invoice_id)),
                DuplicateLineItemError,
                changes=True,
            )
        else:
            self.record(
                invoice(invoice_id, order, line(self.new_id(), invoice_id, quantity)),
                None,
                changes=True,
            )

    # -- laws -------------------------------------------------------------------------------

    @invariant()
    def the_tracker_equals_compute_over_the_same_entities(self) -> None:
        """The tracker holds what the model accepted, and its snapshot equals compute."""
        assert dict(self.tracker.invoices) == self.invoices
        assert dict(self.tracker.fulfillments).keys() == self.fulfillments.keys()
        snapshot = self.tracker.snapshot()
        assert snapshot == compute(self.invoices.values(), self.fulfillments.values())
        assert snapshot == compute(
            self.tracker.invoices.values(), self.tracker.fulfillments.values()
        )

    @invariant()
    def no_line_is_over_fulfilled(self) -> None:
        """Every fulfilled quantity is positive and at most its line's quantity."""
        items = self.items()
        for key, shipped in self.tracker.snapshot().fulfilled.items():
            assert 0 < shipped <= items[key][1].quantity

    @invariant()
    def every_query_agrees_with_the_snapshot(self) -> None:
        """Line, invoice and order statuses, remaining and apply agree with the snapshot."""
        snapshot = self.tracker.snapshot()
        tracker = self.tracker
        for inv in self.invoices.values():
            assert tracker.invoice_status(inv.id) is snapshot.invoice_status(inv.id)
            assert tracker.apply(inv) == snapshot.apply(inv)
            for item in inv.line_items:
                assert tracker.fulfilled_quantity(item.id) == snapshot.fulfilled_quantity(item.id)
                assert tracker.line_item_status(item.id) is snapshot.line_item_status(item.id)
        for order_id in {inv.order_id for inv in self.invoices.values()} | {"nobody"}:
            assert tracker.order_status(order_id) is snapshot.order_status(order_id)
            assert tracker.remaining(order_id) == snapshot.remaining(order_id)

    @invariant()
    def merge_of_random_shards_equals_the_whole(self) -> None:
        """Fulfillments split at random, each shard with the invoices it needs, merge back."""
        parts = random_shards(self.invoices, list(self.fulfillments.values()), self.rng)
        whole = self.tracker.snapshot()
        assert merge(parts) == whole
        self.rng.shuffle(parts)
        assert merge(parts) == whole


def random_shards(
    invoices: dict[Hashable, Invoice], fulfillments: list[Fulfillment], rng: random.Random
) -> list[FulfillmentRollup]:
    """Compute rollups of a random split of ``fulfillments``; spare invoices form one more part."""
    count = rng.randint(1, 4)
    shards: list[list[Fulfillment]] = [[] for _ in range(count)]
    for fulfillment in fulfillments:
        shards[rng.randrange(count)].append(fulfillment)
    owner = {item.id: inv.id for inv in invoices.values() for item in inv.line_items}
    used: set[Hashable] = set()
    parts = []
    for shard in shards:
        needed = {
            owner[shipped.invoice_line_item_id]
            for fulfillment in shard
            if fulfillment.status is FULFILLED
            for shipped in fulfillment.lines
        }
        used |= needed
        parts.append(compute([invoices[key] for key in needed], shard))
    parts.append(compute([inv for key, inv in invoices.items() if key not in used], []))
    return parts


def _by_id(entity: Invoice | Fulfillment | InvoiceLineItem) -> str:
    return repr(entity.id)


TrackerMachine.TestCase.settings = settings(
    max_examples=500 if settings().max_examples >= 200 else 50,
    stateful_step_count=30,
    deadline=None,
)
test_tracker_machine = TrackerMachine.TestCase
