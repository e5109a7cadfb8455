"""One behaviour, two homes: the replica in memory and the SQLite store answer alike."""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import closing
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _deliveries import T0, body, carried, deliver, events, plan, world
from clickfunnels_orders import (
    ApplyOutcome,
    ApplyResult,
    Fulfillment,
    Invoice,
    Order,
    Replica,
    Restock,
    Transaction,
    WebhookEvent,
    parse_webhook,
    rollup,
)
from clickfunnels_orders.store import SQLiteStore
from clickfunnels_orders.store._codec import dump_json
from clickfunnels_orders.testing.strategies import fulfillments, invoices, orders, transactions

CLASSES = (Order, Invoice, Fulfillment, Transaction, Restock)


class _StoreHome:
    """A fresh in-memory SQLite store, applied to as the replica is."""

    def __init__(self) -> None:
        self.store = SQLiteStore(":memory:")

    def apply(self, event: WebhookEvent) -> ApplyResult:
        return self.store.apply(event, received_at=event.created_at or T0)

    def get(self, cls: type[Any], entity_id: Any) -> Any:
        return self.store.get(cls, entity_id)

    @property
    def books(self) -> Any:
        """What answers the rollup queries."""
        return self.store

    def close(self) -> None:
        self.store.close()


class _ReplicaHome:
    """A fresh replica."""

    def __init__(self) -> None:
        self.replica = Replica()

    def apply(self, event: WebhookEvent) -> ApplyResult:
        return self.replica.apply(event, received_at=event.created_at or T0)

    def get(self, cls: type[Any], entity_id: Any) -> Any:
        return self.replica.get(cls, entity_id)

    @property
    def books(self) -> Any:
        """What answers the rollup queries."""
        return self.replica

    def close(self) -> None:
        """Nothing to release: the replica lives in memory."""


HOMES: dict[str, Callable[[], Any]] = {"replica": _ReplicaHome, "store": _StoreHome}


def _ids(deliveries: list[WebhookEvent]) -> set[tuple[type, Any]]:
    return {(type(event.data), event.data.id) for event in deliveries if event.entity is not None}


@pytest.mark.parametrize("home_name", sorted(HOMES))
@given(rng=st.randoms(use_true_random=False))
def test_shuffled_and_retried_deliveries_end_in_the_latest_versions(
    home_name: str, rng: random.Random
) -> None:
    """In either home: retries are duplicates, and each entity ends as its newest version."""
    deliveries = events(plan(rng))
    with closing(HOMES[home_name]()) as home:
        seen: set[object] = set()
        for event, result in deliver(home.apply, deliveries):
            if event.event_id in seen:
                assert result.outcome is ApplyOutcome.DUPLICATE
            else:
                assert result.outcome in {ApplyOutcome.APPLIED, ApplyOutcome.STALE}
            seen.add(event.event_id)
        newest: dict[tuple[type, Any], WebhookEvent] = {}
        for event in deliveries:
            key = (type(event.data), event.data.id)
            if key not in newest or event.as_of > newest[key].as_of:
                newest[key] = event
        for (cls, entity_id), event in newest.items():
            assert home.get(cls, entity_id) == event.data
        assert_rollup_is_compute_of(home.books, [event.data for event in newest.values()])


def assert_rollup_is_compute_of(books: Any, entities: list[Any]) -> None:
    """The home's rollup queries answer as compute over ``entities`` (restocks included)."""
    invoices = [entity for entity in entities if isinstance(entity, Invoice)]
    line_ids = {item.id for invoice in invoices for item in invoice.line_items}
    known = [
        entity
        for entity in entities
        if isinstance(entity, Fulfillment | Restock)
        and all(line.invoice_line_item_id in line_ids for line in entity.lines)
    ]
    expected = rollup.compute(invoices, known)
    assert books.snapshot() == expected
    for order_id in {invoice.order_id for invoice in invoices}:
        assert books.order_status(order_id) == expected.order_status(order_id)
        assert books.remaining(order_id) == expected.remaining(order_id)
    for invoice in invoices:
        assert books.invoice_status(invoice.id) == expected.invoice_status(invoice.id)
        for item in invoice.line_items:
            assert books.fulfilled_quantity(item.id) == expected.fulfilled_quantity(item.id)
            assert books.line_item_status(item.id) == expected.line_item_status(item.id)


@given(rng=st.randoms(use_true_random=False))
def test_the_replica_and_the_store_give_the_same_outcomes(rng: random.Random) -> None:
    """Same deliveries (ties, duplicates, re-sends, cancels, restocks): same reports, same state.

    A delivery the store refuses (a restock before what it releases) is retried later in
    both homes, as ClickFunnels retries it.
    """
    deliveries = events(plan(rng, ties=True))
    with closing(_StoreHome()) as store:
        replica = _ReplicaHome()
        for event, result in deliver(store.apply, deliveries):
            assert result == replica.apply(event)
        for cls, entity_id in _ids(deliveries):
            assert store.get(cls, entity_id) == replica.get(cls, entity_id)
        held = replica.replica
        kept = [
            *held.invoices.values(),
            *held.fulfillments.values(),
            *held.restocks.values(),
        ]
        assert_rollup_is_compute_of(store.store, kept)
        assert store.store.snapshot() == held.snapshot()


@given(entity=st.one_of(orders(), invoices(), fulfillments(), transactions()))
def test_any_generated_entity_comes_back_as_delivered(entity: Any) -> None:
    """Apply then get equals, and to_api() equals the delivered data, for generated entities."""
    names = {
        Order: "Order",
        Invoice: "Orders::Invoice",
        Fulfillment: "Fulfillment",
        Transaction: "Orders::Transaction",
    }
    raw = dump_json(
        {
            "event_id": "e1",
            "event_type": "x.updated",
            "subject_type": names[type(entity)],
            "data": entity.to_api(),
        }
    ).encode()
    delivered = parse_webhook(raw)
    with SQLiteStore(":memory:") as store:
        assert store.apply(delivered, received_at=T0).outcome is ApplyOutcome.APPLIED
        held = store.get(type(entity), entity.id)
        assert held == carried(delivered, type(entity))
        assert held is not None
        assert held.to_api() == delivered.envelope["data"]


def test_a_body_is_what_the_builder_writes() -> None:
    """The test builder writes bodies parse_webhook reads (a sanity check of the harness)."""
    envelopes = world(random.Random(1))  # noqa: S311  because test data, not secrets
    assert [parse_webhook(body(item)).event_id for item in envelopes] == [
        item["event_id"] for item in envelopes
    ]
