"""The SQLite store: what it keeps, what it refuses, and what it answers."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from _deliveries import T0, body, carried, envelope
from clickfunnels_orders import (
    ApplyOutcome,
    DuplicateLineItemError,
    Fulfillment,
    FulfillmentLine,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    InvoiceFulfillmentStatus,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    Order,
    OrderFulfillmentStatus,
    OverFulfillmentError,
    UnknownInvoiceError,
    UnknownLineItemError,
    WebhookEvent,
    parse_webhook,
    rollup,
)
from clickfunnels_orders.payloads import JsonNumber
from clickfunnels_orders.store import (
    SCHEMA_VERSION,
    SchemaVersionError,
    SQLiteStore,
    StoreBusyError,
    StoreClosedError,
)
from clickfunnels_orders.store._schema import MIGRATIONS

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"


def later(minutes: int) -> dt.datetime:
    """The moment ``minutes`` after T0."""
    return T0 + dt.timedelta(minutes=minutes)


def fixture(name: str) -> dict[str, Any]:
    """A shared API example, decoded exactly (fractions as Decimal)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return loaded


def event(event_id: str, entity: Any, minutes: int, event_type: str | None = None) -> WebhookEvent:
    """A delivery of ``entity`` as of ``minutes`` after T0, read from its raw body."""
    return parse_webhook(body(envelope(event_id, entity, later(minutes), event_type=event_type)))


def an_invoice(
    invoice_id: int = 2,
    *,
    status: InvoiceStatus = InvoiceStatus.PAID,
    quantities: tuple[int, ...] = (2,),
    order_id: int = 1,
) -> Invoice:
    """A paid invoice whose line items need fulfillment, ids ``invoice_id * 10 + n``."""
    items = tuple(
        InvoiceLineItem(
            id=invoice_id * 10 + index,
            invoice_id=invoice_id,
            variant_id=7,
            quantity=quantity,
            amount=Decimal("5.00"),
        )
        for index, quantity in enumerate(quantities)
    )
    return Invoice(
        id=invoice_id,
        order_id=order_id,
        status=status,
        line_items=items,
        currency="USD",
        total_amount=Decimal("5.00") * len(items),
    )


def a_fulfillment(fulfillment_id: int, *lines: tuple[int, int]) -> Fulfillment:
    """A fulfilled fulfillment shipping ``(line item id, quantity)`` pairs."""
    return Fulfillment(
        id=fulfillment_id,
        lines=tuple(FulfillmentLine(invoice_line_item_id=i, quantity=q) for i, q in lines),
    )


@pytest.fixture
def store() -> Any:
    """A store in memory."""
    with SQLiteStore(":memory:") as opened:
        yield opened


# -- keeping what was delivered -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subject", "cls"),
    [
        ("orders_invoice_example.json", "Orders::Invoice", Invoice),
        ("order_example.json", "Order", Order),
        ("fulfillment_example.json", "Fulfillment", Fulfillment),
    ],
)
def test_every_shared_fixture_comes_back_as_delivered(
    store: SQLiteStore, name: str, subject: str, cls: type[Any]
) -> None:
    """Apply then get gives the entity applied, and its to_api() is the delivered data."""
    data = fixture(name)
    delivered = parse_webhook(
        body(
            {
                "event_id": "e1",
                "event_type": "x.updated",
                "subject_type": subject,
                "subject_id": data["id"],
                "data": data,
            }
        )
    )
    assert store.apply(delivered, received_at=T0).outcome is ApplyOutcome.APPLIED
    held = store.get(cls, data["id"])
    assert held == delivered.entity
    assert held is not None
    assert held.to_api() == data


def test_fractions_in_carried_fields_are_kept_exactly(store: SQLiteStore) -> None:
    """A JSON fraction the model does not use comes back as a JSON number of the same digits."""
    data = fixture("orders_invoice_example.json")
    data["line_items"][0]["state_tax_rate"] = Decimal("0.30")
    data["exchange_rate"] = Decimal("1.0E+2")
    raw = (
        b'{"event_id": "e1", "event_type": "orders/invoice.paid", '
        b'"subject_type": "Orders::Invoice", "data": ' + body(data) + b"}"
    )
    store.apply(parse_webhook(raw), received_at=T0)
    held = store.get(Invoice, 2)
    assert held is not None
    api = held.to_api()
    assert api == data
    rate, exchange = api["line_items"][0]["state_tax_rate"], api["exchange_rate"]
    assert isinstance(rate, JsonNumber)
    assert isinstance(exchange, JsonNumber)
    assert (str(rate.exact), str(exchange.exact)) == ("0.30", "1.0E+2")
    assert json.loads(json.dumps(api))["exchange_rate"] == 100


def test_get_of_something_never_stored_is_none(store: SQLiteStore) -> None:
    """An id the store never held, or held under another class, gives None."""
    store.apply(event("e1", an_invoice(), 1), received_at=T0)
    assert store.get(Invoice, 3) is None
    assert store.get(Order, 2) is None


def test_get_refuses_a_class_the_store_does_not_keep(store: SQLiteStore) -> None:
    """get(InvoiceLineItem, ...) names what it takes instead."""
    with pytest.raises(
        InvalidTypeError, match="Order, Invoice, Fulfillment, Transaction or Restock"
    ):
        store.get(InvoiceLineItem, 2)  # type: ignore[type-var]  # the refusal is the point


def test_received_at_must_be_aware(store: SQLiteStore) -> None:
    """A naive received_at is refused before anything is written."""
    with pytest.raises(InvalidValueError, match="received_at"):
        store.apply(event("e1", an_invoice(), 1), received_at=dt.datetime(2025, 7, 1))  # noqa: DTZ001  because naive is the point
    assert not store.has_seen("e1")


# -- the replica's rules, on disk ---------------------------------------------------------


def test_a_retried_event_is_a_duplicate(store: SQLiteStore) -> None:
    """The same event id twice is applied once."""
    first = store.apply(event("e1", an_invoice(), 1), received_at=T0)
    again = store.apply(event("e1", an_invoice(status=InvoiceStatus.REFUNDED), 2), received_at=T0)
    assert (first.outcome, again.outcome) == (ApplyOutcome.APPLIED, ApplyOutcome.DUPLICATE)
    held = store.get(Invoice, 2)
    assert held is not None
    assert held.status is InvoiceStatus.PAID


def test_an_older_delivery_after_a_reopen_is_stale(tmp_path: Path) -> None:
    """Versions survive close: an older event arriving later, under a new id, is stale."""
    path = tmp_path / "orders.db"
    paid = an_invoice()
    with SQLiteStore(path) as store:
        store.apply(event("e2", paid.refund(amount=Decimal(3), at=later(5)), 5), received_at=T0)
    with SQLiteStore(path) as store:
        result = store.apply(event("e1", paid, 1), received_at=later(6))
        assert result.outcome is ApplyOutcome.STALE
        assert "older" in result.reason
        held = store.get(Invoice, 2)
        assert held is not None
        assert held.status is InvoiceStatus.PARTIALLY_REFUNDED


def test_an_event_without_an_entity_is_ignored_but_remembered(store: SQLiteStore) -> None:
    """A contact event is ignored, and its id still de-duplicates."""
    contact = parse_webhook(b'{"uuid": "c1", "event_type_id": "contact.identified", "data": {}}')
    assert store.apply(contact, received_at=T0).outcome is ApplyOutcome.IGNORED
    assert store.apply(contact, received_at=T0).outcome is ApplyOutcome.DUPLICATE


def test_a_deleted_invoice_leaves_the_store_and_its_rollup(store: SQLiteStore) -> None:
    """orders/invoice.deleted removes the invoice; an older update does not bring it back."""
    store.apply(event("e1", an_invoice(), 1), received_at=T0)
    gone = store.apply(event("e2", an_invoice(), 3, "orders/invoice.deleted"), received_at=T0)
    late = store.apply(event("e3", an_invoice(), 2), received_at=T0)
    assert (gone.reason, late.outcome) == ("deleted", ApplyOutcome.STALE)
    assert store.get(Invoice, 2) is None
    with pytest.raises(UnknownInvoiceError):
        store.invoice_status(2)
    assert store.order_status(1) is OrderFulfillmentStatus.NOT_APPLICABLE
    version = store.held_version(Invoice, 2)
    assert version is not None
    assert version.deleted


def test_prune_forgets_old_event_ids_but_not_versions(store: SQLiteStore) -> None:
    """prune(now) drops ids received before the window; an old event re-sent is still stale."""
    store.apply(event("e1", an_invoice(), 1), received_at=T0)
    store.apply(event("e2", an_invoice(status=InvoiceStatus.REFUNDED), 2), received_at=later(1))
    assert store.prune(T0 + dt.timedelta(days=3, seconds=30)) == 1
    assert not store.has_seen("e1")
    assert store.has_seen("e2")
    assert store.apply(event("e1", an_invoice(), 1), received_at=T0).outcome is ApplyOutcome.STALE
    assert store.received_at("e2") == later(1)


def test_the_dedupe_window_is_the_stores_own(tmp_path: Path) -> None:
    """A store opened with dedupe_window=1 hour prunes what is older than that."""
    with SQLiteStore(tmp_path / "a.db", dedupe_window=dt.timedelta(hours=1)) as store:
        store.apply(event("e1", an_invoice(), 1), received_at=T0)
        assert store.prune(later(59)) == 0
        assert store.prune(later(61)) == 1
    with pytest.raises(InvalidValueError, match="dedupe_window"):
        SQLiteStore(":memory:", dedupe_window=dt.timedelta(0))


# -- the rollup ---------------------------------------------------------------------------


def test_queries_answer_as_compute_does(store: SQLiteStore) -> None:
    """Order, invoice and line statuses, remaining and fulfilled quantities follow the books."""
    invoice = event("i1", an_invoice(quantities=(2, 1)), 1)
    store.apply(invoice, received_at=T0)
    assert store.order_status(1) is OrderFulfillmentStatus.UNFULFILLED
    first = event("f1", a_fulfillment(1, (20, 1)), 2)
    store.apply(first, received_at=T0)
    assert store.order_status(1) is OrderFulfillmentStatus.PARTIALLY_FULFILLED
    assert store.invoice_status(2) is InvoiceFulfillmentStatus.PARTIAL
    assert store.line_item_status(20) is LineItemFulfillmentStatus.PARTIALLY_FULFILLED
    assert dict(store.remaining(1)) == {20: 1, 21: 1}
    assert store.fulfilled_quantity(20) == 1
    second = event("f2", a_fulfillment(2, (20, 1), (21, 1)), 3)
    store.apply(second, received_at=T0)
    assert store.order_status(1) is OrderFulfillmentStatus.FULFILLED
    assert store.invoice_status(2) is InvoiceFulfillmentStatus.COMPLETE
    assert dict(store.remaining(1)) == {}
    assert store.snapshot() == rollup.compute(
        [carried(invoice, Invoice)], [carried(first, Fulfillment), carried(second, Fulfillment)]
    )


def test_cancelling_and_restocking_release_quantities_once(store: SQLiteStore) -> None:
    """A cancelled or restocked version releases what it shipped; repeating it changes nothing."""
    store.apply(event("i1", an_invoice(quantities=(3,)), 1), received_at=T0)
    shipped = a_fulfillment(1, (20, 2))
    store.apply(event("f1", shipped, 2), received_at=T0)
    store.apply(event("f2", a_fulfillment(2, (20, 1)), 2), received_at=T0)
    assert store.fulfilled_quantity(20) == 3
    store.apply(event("f3", shipped.cancel(at=later(3)), 3), received_at=T0)
    store.apply(event("f4", shipped.cancel(at=later(3)), 4), received_at=T0)
    assert store.fulfilled_quantity(20) == 1
    store.apply(event("f5", a_fulfillment(2, (20, 1)).restock(at=later(5)), 5), received_at=T0)
    assert store.fulfilled_quantity(20) == 0
    assert store.order_status(1) is OrderFulfillmentStatus.UNFULFILLED


def test_a_fulfillment_before_its_invoice_counts_once_the_invoice_is_stored(
    store: SQLiteStore,
) -> None:
    """Stored at once, counted from the moment its invoice arrives."""
    early = event("f1", a_fulfillment(1, (20, 2)), 2)
    assert store.apply(early, received_at=T0).outcome is ApplyOutcome.APPLIED
    assert store.get(Fulfillment, 1) == early.data
    assert store.snapshot() == rollup.compute([], [])
    with pytest.raises(UnknownLineItemError):
        store.fulfilled_quantity(20)
    store.apply(event("i1", an_invoice(), 1), received_at=T0)
    assert store.fulfilled_quantity(20) == 2
    assert store.order_status(1) is OrderFulfillmentStatus.FULFILLED


def test_a_fulfillment_waits_until_every_line_item_is_known(store: SQLiteStore) -> None:
    """Lines of two invoices: nothing counts until both invoices are stored."""
    store.apply(event("i1", an_invoice(2), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 1), (30, 1)), 2), received_at=T0)
    assert store.fulfilled_quantity(20) == 0
    store.apply(event("i2", an_invoice(3, order_id=5), 3), received_at=T0)
    assert (store.fulfilled_quantity(20), store.fulfilled_quantity(30)) == (1, 1)
    assert store.order_status(5) is OrderFulfillmentStatus.PARTIALLY_FULFILLED


def test_an_over_fulfilling_delivery_is_refused_and_changes_nothing(store: SQLiteStore) -> None:
    """OverFulfillmentError, nothing written, and the event id still free for a retry."""
    store.apply(event("i1", an_invoice(), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 2), received_at=T0)
    before = store.snapshot()
    with pytest.raises(OverFulfillmentError) as refused:
        store.apply(event("f2", a_fulfillment(2, (20, 1)), 3), received_at=T0)
    assert (refused.value.fulfillment_id, refused.value.available) == (2, 0)
    assert not store.has_seen("f2")
    assert store.get(Fulfillment, 2) is None
    assert store.held_version(Fulfillment, 2) is None
    assert store.snapshot() == before
    store.apply(event("f3", a_fulfillment(1, (20, 2)).cancel(at=later(4)), 4), received_at=T0)
    retried = store.apply(event("f2", a_fulfillment(2, (20, 1)), 3), received_at=T0)
    assert retried.outcome is ApplyOutcome.APPLIED


def test_an_invoice_that_arrives_over_fulfilled_is_refused(store: SQLiteStore) -> None:
    """Fulfillments waiting for an invoice that cannot hold them refuse that invoice."""
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 1), received_at=T0)
    store.apply(event("f2", a_fulfillment(2, (20, 1)), 1), received_at=T0)
    with pytest.raises(OverFulfillmentError):
        store.apply(event("i1", an_invoice(), 2), received_at=T0)
    assert store.get(Invoice, 2) is None
    assert not store.has_seen("i1")


def test_an_invoice_version_that_drops_a_shipped_line_is_refused(store: SQLiteStore) -> None:
    """A counted fulfillment's line item cannot vanish: UnknownLineItemError, nothing changed."""
    store.apply(event("i1", an_invoice(quantities=(1, 1)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (21, 1)), 2), received_at=T0)
    with pytest.raises(UnknownLineItemError) as refused:
        store.apply(event("i2", an_invoice(quantities=(1,)), 3), received_at=T0)
    assert (refused.value.line_item_id, refused.value.fulfillment_id) == (21, 1)
    held = store.get(Invoice, 2)
    assert held is not None
    assert len(held.line_items) == 2


def test_a_lower_quantity_than_shipped_is_refused(store: SQLiteStore) -> None:
    """An invoice version whose line holds less than was shipped raises OverFulfillmentError."""
    store.apply(event("i1", an_invoice(quantities=(2,)), 1), received_at=T0)
    store.apply(event("f1", a_fulfillment(1, (20, 2)), 2), received_at=T0)
    with pytest.raises(OverFulfillmentError):
        store.apply(event("i2", an_invoice(quantities=(1,)), 3), received_at=T0)
    assert store.fulfilled_quantity(20) == 2


def test_a_line_item_id_two_invoices_hold_is_refused(store: SQLiteStore) -> None:
    """Line-item ids are unique across the invoices of one rollup, as compute requires."""
    store.apply(event("i1", an_invoice(2), 1), received_at=T0)
    clash = an_invoice(3)
    clash = Invoice(
        id=3,
        order_id=1,
        status=InvoiceStatus.PAID,
        currency="USD",
        total_amount=Decimal("5.00"),
        line_items=(
            InvoiceLineItem(id=20, invoice_id=3, variant_id=7, quantity=1, amount=Decimal(5)),
        ),
    )
    with pytest.raises(DuplicateLineItemError):
        store.apply(event("i2", clash, 2), received_at=T0)
    assert store.get(Invoice, 3) is None


def test_queries_about_strangers(store: SQLiteStore) -> None:
    """Unknown orders are not_applicable with nothing remaining; unknown ids raise as compute's."""
    assert store.order_status(99) is OrderFulfillmentStatus.NOT_APPLICABLE
    assert dict(store.remaining(99)) == {}
    with pytest.raises(UnknownInvoiceError):
        store.invoice_status(99)
    with pytest.raises(UnknownLineItemError):
        store.line_item_status(99)


def test_an_invoice_that_becomes_eligible_needs_its_lines_shipped(store: SQLiteStore) -> None:
    """An unpaid invoice is not_applicable; once paid, its lines are to ship."""
    unpaid = an_invoice(status=InvoiceStatus.UNPAID)
    store.apply(event("i1", unpaid, 1), received_at=T0)
    assert store.invoice_status(2) is InvoiceFulfillmentStatus.NOT_APPLICABLE
    store.apply(event("i2", unpaid.pay(at=later(2)), 2), received_at=T0)
    assert store.invoice_status(2) is InvoiceFulfillmentStatus.UNFULFILLED
    assert dict(store.remaining(1)) == {20: 2}


# -- the file -----------------------------------------------------------------------------


def test_a_file_store_uses_the_wal_journal(tmp_path: Path) -> None:
    """The database is in WAL mode, so readers never wait for the writer."""
    path = tmp_path / "orders.db"
    SQLiteStore(path).close()
    with closing(sqlite3.connect(path)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_a_version_one_file_is_migrated_and_its_rollup_filled(tmp_path: Path) -> None:
    """A file written with schema 1 (no rollup tables) opens, and answers as compute does."""
    path = tmp_path / "v1.db"
    invoice = event("e1", an_invoice(quantities=(2,)), 1)
    fulfillment = event("e2", a_fulfillment(1, (20, 1)), 1)
    raw = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("UPDATE schema_version SET version = 1")
    for kind, delivered in (("Invoice", invoice), ("Fulfillment", fulfillment)):
        data = delivered.envelope["data"]
        raw.execute(
            "INSERT INTO entities (kind, entity_id, data) VALUES (?, ?, ?)",
            (kind, str(data["id"]), json.dumps(data)),
        )
        raw.execute(
            "INSERT INTO versions VALUES (?, ?, ?, ?, 0)",
            (kind, str(data["id"]), "2025-07-01T12:01:00.000000Z", data["status"]),
        )
    raw.execute("INSERT INTO events VALUES (?, ?)", ('"e1"', "2025-07-01T12:01:00.000000Z"))
    raw.commit()
    raw.close()
    with SQLiteStore(path) as store:
        assert store.has_seen("e1")
        assert store.fulfilled_quantity(20) == 1
        assert store.order_status(1) is OrderFulfillmentStatus.PARTIALLY_FULFILLED
        assert store.get(Invoice, 2) == invoice.data
        assert store.snapshot() == rollup.compute(
            [carried(invoice, Invoice)], [carried(fulfillment, Fulfillment)]
        )
        stale = store.apply(event("e0", invoice.data, 0), received_at=T0)
        assert stale.outcome is ApplyOutcome.STALE


def test_a_file_from_a_newer_library_is_refused(tmp_path: Path) -> None:
    """A schema version this library does not know is refused, not guessed at."""
    path = tmp_path / "future.db"
    SQLiteStore(path).close()
    with closing(sqlite3.connect(path)) as raw, raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(SchemaVersionError) as refused:
        SQLiteStore(path)
    assert (refused.value.found, refused.value.supported) == (99, SCHEMA_VERSION)


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    """After close (or the with block), every call raises StoreClosedError; close is idempotent."""
    with SQLiteStore(tmp_path / "a.db") as store:
        pass
    store.close()
    with pytest.raises(StoreClosedError):
        store.apply(event("e1", an_invoice(), 1), received_at=T0)
    with pytest.raises(StoreClosedError):
        store.order_status(1)


def test_a_writer_kept_waiting_past_the_busy_timeout_gets_store_busy(tmp_path: Path) -> None:
    """A connection holding the write lock makes apply raise StoreBusyError, changing nothing."""
    path = tmp_path / "a.db"
    with SQLiteStore(path, busy_timeout=dt.timedelta(milliseconds=50)) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreBusyError) as busy:
                store.apply(event("e1", an_invoice(), 1), received_at=T0)
            assert isinstance(busy.value, TimeoutError)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert not store.has_seen("e1")
        assert store.apply(event("e1", an_invoice(), 1), received_at=T0).outcome == "applied"


def test_threads_may_share_one_store(tmp_path: Path) -> None:
    """Eight threads applying at once to one store lose nothing and raise nothing."""
    invoices = [event(f"e{n}", an_invoice(n, order_id=n), 1) for n in range(1, 41)]
    errors: list[BaseException] = []
    with SQLiteStore(tmp_path / "a.db") as store:

        def work(part: list[WebhookEvent]) -> None:
            try:
                for delivered in part:
                    store.apply(delivered, received_at=T0)
            except BaseException as error:  # noqa: BLE001  because the main thread reports it
                errors.append(error)

        threads = [threading.Thread(target=work, args=(invoices[n::8],)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.ids(Invoice) == set(range(1, 41))
        assert store.snapshot() == rollup.compute([carried(e, Invoice) for e in invoices], [])
