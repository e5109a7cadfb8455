"""Restocks in the replica and the store: kept by the same rules, released as compute does."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _deliveries import T0, body, carried, envelope
from clickfunnels_orders import (
    ApplyOutcome,
    ApplyResult,
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceFulfillmentStatus,
    OrderFulfillmentStatus,
    OrdersError,
    OverFulfillmentError,
    OverReleaseError,
    Replica,
    Restock,
    RestockStatus,
    UnknownLineItemError,
    WebhookEvent,
    parse_webhook,
    rollup,
)
from clickfunnels_orders.store import SCHEMA_VERSION, SQLiteStore
from clickfunnels_orders.store._schema import migrate
from test_store import a_fulfillment, an_invoice, event, later

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"


def a_restock(restock_id: int, *lines: tuple[int, int]) -> Restock:
    """A restocked restock releasing ``(line item id, quantity)`` pairs."""
    return Restock(
        id=restock_id,
        lines=tuple(FulfillmentLine(invoice_line_item_id=i, quantity=q) for i, q in lines),
    )


def restock_event(event_id: str, restock: Restock, minutes: int) -> WebhookEvent:
    """A restock delivery, typed by its status as ClickFunnels types it."""
    kind = "updated" if restock.status is RestockStatus.CANCELLED else "created"
    return event(event_id, restock, minutes, f"orders/invoices/restock.{kind}")


@pytest.fixture
def store() -> Any:
    """A store in memory."""
    with SQLiteStore(":memory:") as opened:
        yield opened


def _store_apply(home: SQLiteStore) -> Callable[[WebhookEvent], ApplyResult]:
    return lambda delivered: home.apply(delivered, received_at=T0)


# -- kept by the replica's rules, in both homes ---------------------------------------------


@pytest.mark.parametrize("home_name", ["replica", "store"])
def test_a_restock_is_kept_by_the_rules_every_entity_follows(home_name: str) -> None:
    """Applied, then a retry is a duplicate, an older version stale, the cancel applied."""
    with closing(SQLiteStore(":memory:")) as kept:
        replica = Replica()
        apply = _store_apply(kept) if home_name == "store" else replica.apply
        get = kept.get if home_name == "store" else replica.get
        books: Any = kept if home_name == "store" else replica
        apply(event("i1", an_invoice(quantities=(3,)), 1))
        apply(event("f1", a_fulfillment(1, (20, 2)), 2))
        restocked = a_restock(7, (20, 1))
        cancelled = restocked.cancel(at=later(5))
        first = apply(restock_event("r1", restocked, 3))
        assert books.fulfilled_quantity(20) == 1
        again = apply(restock_event("r1", restocked, 3))
        cancel = restock_event("r2", cancelled, 5)
        newer = apply(cancel)
        older = apply(restock_event("r3", restocked, 4))
        outcomes = [result.outcome for result in (first, again, newer, older)]
        assert outcomes == ["applied", "duplicate", "applied", "stale"]
        assert first.subject == ("Restock", 7)
        assert get(Restock, 7) == carried(cancel, Restock)
        assert books.fulfilled_quantity(20) == 2
        assert books.order_status(1) is OrderFulfillmentStatus.PARTIALLY_FULFILLED
        if home_name == "replica":
            assert replica.restocks == {7: carried(cancel, Restock)}


def test_the_replica_keeps_a_restock_before_its_shipment_and_its_queries_say_so() -> None:
    """Never refusing, the replica's queries raise what compute raises until the shipment is in."""
    replica = Replica()
    replica.apply(event("i1", an_invoice(quantities=(2,)), 1))
    result = replica.apply(restock_event("r1", a_restock(1, (20, 1)), 3))
    assert result.outcome is ApplyOutcome.APPLIED
    with pytest.raises(OverReleaseError):
        replica.order_status(1)
    replica.apply(event("f1", a_fulfillment(1, (20, 2)), 2))
    assert replica.fulfilled_quantity(20) == 1
    assert dict(replica.remaining(1)) == {20: 1}
    assert replica.invoice_status(2) is InvoiceFulfillmentStatus.PARTIAL
    assert replica.snapshot() == rollup.compute(
        [an_invoice(quantities=(2,))], [a_fulfillment(1, (20, 2)), a_restock(1, (20, 1))]
    )


def test_a_published_restock_comes_back_as_delivered(store: SQLiteStore) -> None:
    """The API's restock example is stored and read back equal, its to_api() the data sent."""
    data = json.loads((FIXTURES / "restock_example.json").read_text(), parse_float=Decimal)
    raw = {
        "event_id": "r1",
        "event_type": "orders/invoices/restock.created",
        "subject_type": "Orders::Invoices::Restock",
        "subject_id": data["id"],
        "created_at": data["created_at"],
        "data": data,
    }
    delivered = parse_webhook(body(raw))
    assert store.apply(delivered, received_at=T0).outcome is ApplyOutcome.APPLIED
    held = store.get(Restock, 3)
    assert held == carried(delivered, Restock)
    assert held is not None
    assert held.to_api() == data
    assert store.ids(Restock) == {3}


# -- the rollup ---------------------------------------------------------------------------


def test_a_restocked_restock_releases_its_quantity_once(store: SQLiteStore) -> None:
    """Fulfilled quantity, statuses and remaining go back by what it releases, once."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    shipped = a_fulfillment(1, (20, 2))
    store.apply(event("f1", shipped, 2), received_at=T0)
    assert store.order_status(1) is OrderFulfillmentStatus.FULFILLED
    store.apply(restock_event("r1", a_restock(1, (20, 1)), 3), received_at=T0)
    store.apply(restock_event("r2", a_restock(1, (20, 1)), 4), received_at=T0)
    assert store.fulfilled_quantity(20) == 1
    assert store.order_status(1) is OrderFulfillmentStatus.PARTIALLY_FULFILLED
    assert store.invoice_status(2) is InvoiceFulfillmentStatus.PARTIAL
    assert dict(store.remaining(1)) == {20: 1}
    expected = rollup.compute([an_invoice(quantities=(2,))], [shipped, a_restock(1, (20, 1))])
    assert store.snapshot() == expected


def test_cancelling_a_restock_puts_its_quantity_back(store: SQLiteStore) -> None:
    """Restock then its cancel returns the rollup to where it was."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 2), received_at=T0)
    before = store.snapshot()
    restock = a_restock(1, (20, 2))
    store.apply(restock_event("r1", restock, 3), received_at=T0)
    assert store.fulfilled_quantity(20) == 0
    store.apply(restock_event("r2", restock.cancel(at=later(4)), 4), received_at=T0)
    assert store.snapshot() == before
    assert store.fulfilled_quantity(20) == 2


def test_a_restock_before_what_it_releases_is_refused_until_it_is_shipped(
    store: SQLiteStore,
) -> None:
    """OverReleaseError, nothing changed, the event id free; after the shipment it applies."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    early = restock_event("r1", a_restock(1, (20, 1)), 3)
    before = store.snapshot()
    with pytest.raises(OverReleaseError) as refused:
        store.apply(early, received_at=T0)
    assert (refused.value.line_item_id, refused.value.fulfilled, refused.value.requested) == (
        20,
        0,
        1,
    )
    assert not store.has_seen("r1")
    assert store.get(Restock, 1) is None
    assert store.held_version(Restock, 1) is None
    assert store.snapshot() == before
    store.apply(event("f1", a_fulfillment(1, (20, 1)), 2), received_at=T0)
    assert store.apply(early, received_at=T0).outcome is ApplyOutcome.APPLIED
    assert store.fulfilled_quantity(20) == 0


def test_a_restock_before_its_invoice_waits_and_counts_with_it(store: SQLiteStore) -> None:
    """Stored at once, released once its invoice is stored, after the fulfillments counted."""
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 1), received_at=T0)
    store.apply(restock_event("r1", a_restock(1, (20, 1)), 2), received_at=T0)
    assert store.ids(Restock) == {1}
    assert store.snapshot() == rollup.compute([], [])
    store.apply(event("i1", an_invoice(quantities=(2,)), 3), received_at=T0)
    assert store.fulfilled_quantity(20) == 1
    assert store.snapshot() == rollup.compute(
        [an_invoice(quantities=(2,))], [a_fulfillment(1, (20, 2)), a_restock(1, (20, 1))]
    )


def test_an_invoice_whose_waiting_restocks_release_too_much_is_refused(
    store: SQLiteStore,
) -> None:
    """Restocks waiting for an invoice that were never shipped refuse that invoice."""
    store.apply(restock_event("r1", a_restock(1, (20, 1)), 1), received_at=T0)
    with pytest.raises(OverReleaseError):
        store.apply(event("i1", an_invoice(quantities=(2,)), 2), received_at=T0)
    assert store.get(Invoice, 2) is None
    assert not store.has_seen("i1")


def test_cancelling_a_fulfillment_a_restock_released_is_refused(store: SQLiteStore) -> None:
    """Its units were already released: cancelling would release them twice."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    shipped = a_fulfillment(1, (20, 2))
    store.apply(event("f1", shipped, 2), received_at=T0)
    store.apply(restock_event("r1", a_restock(1, (20, 1)), 3), received_at=T0)
    with pytest.raises(OverReleaseError) as refused:
        store.apply(event("f2", shipped.cancel(at=later(4)), 4), received_at=T0)
    assert refused.value.releaser == "fulfillment 1"
    assert (refused.value.fulfilled, refused.value.requested) == (1, 2)
    held = store.get(Fulfillment, 1)
    assert held is not None
    assert held.status == "fulfilled"
    assert store.fulfilled_quantity(20) == 1


def test_a_line_may_be_shipped_again_after_a_restock(store: SQLiteStore) -> None:
    """Over-fulfillment is checked on the net: shipped less released."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 2), received_at=T0)
    restock = a_restock(1, (20, 2))
    store.apply(restock_event("r1", restock, 3), received_at=T0)
    store.apply(event("f2", a_fulfillment(2, (20, 2)), 4), received_at=T0)
    assert store.fulfilled_quantity(20) == 2
    assert store.order_status(1) is OrderFulfillmentStatus.FULFILLED
    with pytest.raises(OverFulfillmentError) as refused:
        store.apply(restock_event("r2", restock.cancel(at=later(5)), 5), received_at=T0)
    assert (refused.value.fulfillment_id, refused.value.line_item_id) == (1, 20)
    held = store.get(Restock, 1)
    assert held is not None
    assert held.status is RestockStatus.RESTOCKED


def test_an_invoice_version_may_not_drop_a_line_a_restock_released(store: SQLiteStore) -> None:
    """Its shipments still count, so the line cannot vanish: UnknownLineItemError."""
    store.apply(event("i1", an_invoice(quantities=(1, 1)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (21, 1)), 2), received_at=T0)
    store.apply(restock_event("r1", a_restock(1, (21, 1)), 3), received_at=T0)
    with pytest.raises(UnknownLineItemError):
        store.apply(event("i2", an_invoice(quantities=(1,)), 4), received_at=T0)
    assert store.fulfilled_quantity(21) == 0


def test_a_deleted_restock_no_longer_releases(store: SQLiteStore) -> None:
    """A deletion removes the restock and gives back what it released."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 2), received_at=T0)
    store.apply(restock_event("r1", a_restock(1, (20, 1)), 3), received_at=T0)
    gone = event("r2", a_restock(1, (20, 1)), 4, "orders/invoices/restock.deleted")
    assert store.apply(gone, received_at=T0).reason == "deleted"
    assert store.get(Restock, 1) is None
    assert store.fulfilled_quantity(20) == 2


# -- the schema ---------------------------------------------------------------------------


def _version_two_file(path: Path) -> None:
    """Write a file as version 2 of the store wrote it: an invoice shipped once, no restocks."""
    invoice = event("e1", an_invoice(quantities=(2,)), 1)
    fulfillment = event("e2", a_fulfillment(1, (20, 1)), 1)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        migrate(raw, path=str(path), data_steps={}, target=2)
        for kind, delivered in (("Invoice", invoice), ("Fulfillment", fulfillment)):
            data = delivered.envelope["data"]
            raw.execute(
                "INSERT INTO entities (kind, entity_id, data, order_id) VALUES (?, ?, ?, ?)",
                (kind, str(data["id"]), json.dumps(data), "1" if kind == "Invoice" else None),
            )
            raw.execute(
                "INSERT INTO versions VALUES (?, ?, ?, ?, 0)",
                (kind, str(data["id"]), "2025-07-01T12:01:00.000000Z", data["status"]),
            )
        raw.execute(
            "INSERT INTO line_items VALUES ('20', '2', '1', 2, 1, 'partially_fulfilled', 1)"
        )
        raw.execute("INSERT INTO fulfillment_lines VALUES ('1', '20', 1)")
        raw.execute("INSERT INTO fulfillment_counts VALUES ('1', 1, 0)")
        raw.execute("INSERT INTO invoice_statuses VALUES ('2', '1', 'partial')")
        raw.execute("INSERT INTO order_statuses VALUES ('1', 'partially_fulfilled')")
        raw.execute("INSERT INTO events VALUES (?, ?)", ('"e1"', "2025-07-01T12:01:00.000000Z"))


def test_a_version_two_file_is_migrated_and_keeps_restocks(tmp_path: Path) -> None:
    """A file of the previous schema opens with the same rollup, and then takes restocks."""
    path = tmp_path / "v2.db"
    _version_two_file(path)
    with SQLiteStore(path) as store:
        assert store.has_seen("e1")
        assert store.fulfilled_quantity(20) == 1
        assert store.order_status(1) is OrderFulfillmentStatus.PARTIALLY_FULFILLED
        assert store.snapshot() == rollup.compute(
            [an_invoice(quantities=(2,))], [a_fulfillment(1, (20, 1))]
        )
        store.apply(restock_event("r1", a_restock(1, (20, 1)), 2), received_at=T0)
        assert store.fulfilled_quantity(20) == 0
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        assert raw.execute("SELECT released FROM line_items").fetchone()[0] == 1
    with SQLiteStore(path) as reopened:
        assert reopened.fulfilled_quantity(20) == 0
        assert reopened.ids(Restock) == {1}


def test_a_restock_kept_on_disk_survives_a_reopen(tmp_path: Path) -> None:
    """What a restock released is still released after the file is closed and opened."""
    path = tmp_path / "orders.db"
    with SQLiteStore(path) as store:
        store.apply(event("i1", an_invoice(quantities=(3,)), 1), received_at=T0)
        store.apply(event("f1", a_fulfillment(1, (20, 3)), 2), received_at=T0)
        store.apply(restock_event("r1", a_restock(1, (20, 2)), 3), received_at=T0)
    with SQLiteStore(path) as store:
        assert store.fulfilled_quantity(20) == 1
        sent = envelope("x", a_restock(1, (20, 2)), later(3))
        assert store.get(Restock, 1) == Restock.from_api(sent["data"])


def test_an_invoice_that_lets_a_fulfillment_over_ship_another_invoice_is_refused(
    store: SQLiteStore,
) -> None:
    """A fulfillment waiting for one invoice may over-ship a line of another: checked too."""
    store.apply(event("i1", an_invoice(2, quantities=(2,)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 1)), 2), received_at=T0)
    store.apply(event("f2", a_fulfillment(2, (20, 2), (30, 1)), 2), received_at=T0)
    assert store.fulfilled_quantity(20) == 1
    with pytest.raises(OverFulfillmentError) as refused:
        store.apply(event("i2", an_invoice(3, order_id=5), 3), received_at=T0)
    assert (refused.value.line_item_id, refused.value.fulfillment_id) == (20, None)
    assert "invoice 3" in str(refused.value)
    assert store.get(Invoice, 3) is None
    assert store.fulfilled_quantity(20) == 1


# -- the law: the store refuses exactly what compute refuses -------------------------------

_LINES = st.lists(
    st.tuples(st.sampled_from((20, 21, 30)), st.integers(1, 2)),
    min_size=1,
    max_size=3,
    unique_by=lambda pair: pair[0],
)
_SHIPPED = st.builds(
    lambda fid, lines, status: Fulfillment(
        id=fid,
        lines=tuple(FulfillmentLine(invoice_line_item_id=k, quantity=q) for k, q in lines),
        status=status,
    ),
    st.integers(1, 3),
    _LINES,
    st.sampled_from(("fulfilled", "fulfilled", "cancelled", "restocked")),
)
_RESTOCKED = st.builds(
    lambda rid, lines, status: Restock(
        id=rid,
        lines=tuple(FulfillmentLine(invoice_line_item_id=k, quantity=q) for k, q in lines),
        status=status,
    ),
    st.integers(1, 2),
    _LINES,
    st.sampled_from(("restocked", "restocked", "cancelled")),
)
_BILLED = st.one_of(
    st.builds(lambda q: an_invoice(2, quantities=(q, 1)), st.integers(1, 3)),
    st.builds(lambda q: an_invoice(3, quantities=(q,), order_id=5), st.integers(1, 2)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_BILLED, _SHIPPED, _RESTOCKED), min_size=1, max_size=10))
def test_the_store_refuses_exactly_what_compute_refuses(entities: list[Any]) -> None:
    """Each delivery is refused iff compute would refuse the versions held with it."""
    accepted: list[WebhookEvent] = []
    with SQLiteStore(":memory:") as store:
        for number, entity in enumerate(entities):
            delivered = event(f"e{number}", entity, number)
            trial = Replica()
            for earlier in [*accepted, delivered]:
                trial.apply(earlier)
            try:
                expected: rollup.FulfillmentRollup | None = trial.snapshot()
            except OrdersError:
                expected = None
            before = store.snapshot()
            try:
                store.apply(delivered, received_at=T0)
            except OrdersError:
                assert expected is None
                assert store.snapshot() == before
                assert not store.has_seen(f"e{number}")
                continue
            assert expected is not None
            assert store.snapshot() == expected
            accepted.append(delivered)
