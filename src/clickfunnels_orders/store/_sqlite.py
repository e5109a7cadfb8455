"""``SQLiteStore``: the webhook consumer's state in an embedded SQLite database."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Hashable, Iterator, Mapping
from types import MappingProxyType, TracebackType
from typing import Final, Self, TypeVar

from clickfunnels_orders import rollup
from clickfunnels_orders._values import to_moment
from clickfunnels_orders.entities import Fulfillment, Invoice, Order, Restock, Transaction
from clickfunnels_orders.errors import (
    InvalidTypeError,
    InvalidValueError,
    UnknownInvoiceError,
    UnknownLineItemError,
)
from clickfunnels_orders.replica import (
    DEFAULT_DEDUPE_WINDOW,
    ApplyResult,
    HeldVersion,
    decide,
    to_window,
)
from clickfunnels_orders.statuses import (
    InvoiceFulfillmentStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
)
from clickfunnels_orders.store import _books as books
from clickfunnels_orders.store._codec import (
    dump_json,
    dump_key,
    dump_moment,
    load_json,
    load_key,
    load_moment,
)
from clickfunnels_orders.store._errors import StoreBusyError, StoreClosedError
from clickfunnels_orders.store._schema import SCHEMA_VERSION, migrate
from clickfunnels_orders.webhooks import WebhookEvent

__all__ = ["DEFAULT_BUSY_TIMEOUT", "SQLiteStore"]

EntityT = TypeVar("EntityT", Order, Invoice, Fulfillment, Transaction, Restock)
Entity = Order | Invoice | Fulfillment | Transaction | Restock

#: How long a write waits for another writer (another process) before giving up.
DEFAULT_BUSY_TIMEOUT: Final = dt.timedelta(seconds=5)

_KINDS: Final[Mapping[type, str]] = {
    Order: "Order",
    Invoice: "Invoice",
    Fulfillment: "Fulfillment",
    Transaction: "Transaction",
    Restock: "Restock",
}


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _use_wal(connection: sqlite3.Connection, timeout: float) -> None:
    """Put the file in WAL mode, taking turns with another process doing the same.

    Changing the journal mode needs the file to itself, and SQLite answers "locked" at
    once (without its busy handler) while another connection sets it up: retry within
    the busy timeout. A file already in WAL mode needs no change.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)
        else:
            return


def _kind(cls: object) -> str:
    kind = _KINDS.get(cls) if isinstance(cls, type) else None
    if kind is None:
        raise InvalidTypeError(
            "cls", cls, "Order, Invoice, Fulfillment, Transaction or Restock (the class)"
        )
    return kind


class SQLiteStore:
    """The state of a webhook consumer, kept in an SQLite file: durable, shared, exact.

    ``apply`` follows the same rules as :class:`~clickfunnels_orders.Replica` (the same
    function decides), in one ``BEGIN IMMEDIATE`` transaction: de-duplicate by event id,
    refuse to move an entity backwards, keep the delivered data, update the rollup. When
    it returns, the change is on disk (WAL journal, ``synchronous=FULL``); when it
    raises, nothing changed.

    Several threads may share one store (calls take turns on one connection), and
    several processes may open one file (writers take turns, each waiting up to
    ``busy_timeout`` for the other).

    Args:
        path: the database file (created when missing), or ``":memory:"``.
        dedupe_window: how long :meth:`prune` keeps an event id after it was received.
        busy_timeout: how long a call waits for another process's write to finish
            before raising :class:`StoreBusyError`.

    Raises:
        SchemaVersionError: the file was written by a newer version of the library.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        dedupe_window: dt.timedelta = DEFAULT_DEDUPE_WINDOW,
        busy_timeout: dt.timedelta = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self._window = to_window(dedupe_window)
        if not isinstance(busy_timeout, dt.timedelta):
            raise InvalidTypeError("busy_timeout", busy_timeout, "a datetime.timedelta")
        if busy_timeout < dt.timedelta(0):
            raise InvalidValueError("busy_timeout", busy_timeout, "a timedelta of 0 or more")
        self._timeout = busy_timeout.total_seconds()
        self._path = os.fspath(path)
        self._lock = threading.RLock()
        connection = sqlite3.connect(
            self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        try:
            with self._busy_as_error():
                _use_wal(connection, self._timeout)
                connection.execute("PRAGMA synchronous = FULL")
                migrate(connection, path=self._path, data_steps={SCHEMA_VERSION: books.rebuild})
        except BaseException:
            connection.close()
            raise
        self._connection: sqlite3.Connection | None = connection

    # -- plumbing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _busy_as_error(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as error:
            if _is_busy(error):
                raise StoreBusyError(self._path, self._timeout) from error
            raise

    @contextlib.contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        with self._lock, self._busy_as_error():
            connection = self._open()
            connection.execute(f"BEGIN {mode}")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._busy_as_error():
            yield self._open()

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreClosedError(self._path)
        return self._connection

    @property
    def path(self) -> str:
        """The database file (or ``":memory:"``)."""
        return self._path

    @property
    def dedupe_window(self) -> dt.timedelta:
        """How long :meth:`prune` keeps an event id after it was received."""
        return self._window

    @property
    def busy_timeout(self) -> dt.timedelta:
        """How long a call waits for another writer."""
        return dt.timedelta(seconds=self._timeout)

    def close(self) -> None:
        """Close the database; later calls raise :class:`StoreClosedError`. Idempotent."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._connection is None else "open"
        return f"<SQLiteStore {self._path!r} ({state})>"

    # -- applying events -------------------------------------------------------------------

    def apply(self, event: WebhookEvent, *, received_at: dt.datetime) -> ApplyResult:
        """Apply one event atomically and durably, and say what was done with it.

        Args:
            event: the event (from :func:`~clickfunnels_orders.parse_webhook`).
            received_at: when it was received (for :meth:`prune`).

        Returns:
            The report: applied, duplicate, stale or ignored, as the replica would say.

        Raises:
            OverFulfillmentError: the delivery would ship more of a line item than it holds
                (net of what restocks released), or cancelling a restock would.
            OverReleaseError: a restock would release more of a line item than was
                shipped of it, or cancelling a fulfillment would leave restocks releasing
                more than is shipped.
            UnknownLineItemError: an invoice version drops a line a counted fulfillment
                ships.
            DuplicateLineItemError: an invoice holds a line-item id another invoice holds.
            InvalidTypeError: an id that is not an ``int`` or ``str``, or data JSON cannot
                hold.
            StoreBusyError: another process kept the database locked past the busy
                timeout.
        In every case nothing changed, and the event id is not used up.
        """
        if not isinstance(event, WebhookEvent):
            raise InvalidTypeError("event", event, "a WebhookEvent (from parse_webhook)")
        received = dump_moment(to_moment(received_at, "received_at"))
        event_key = dump_key(event.event_id, "event_id")
        entity = event.entity
        # Encode before the transaction: what cannot be stored is refused up front.
        entity_key = data = None
        if entity is not None:
            entity_key = dump_key(entity.id, "data.id")
            raw = event.envelope.get("data")
            data = dump_json(raw if isinstance(raw, Mapping) else entity.to_api())
        with self._transaction() as connection:
            seen = (
                connection.execute(
                    "SELECT 1 FROM events WHERE event_id = ?", (event_key,)
                ).fetchone()
                is not None
            )
            held = None
            if entity is not None and entity_key is not None and not seen:
                held = _held(connection, _KINDS[type(entity)], entity_key)
            decision = decide(event, seen=seen, held=held)
            if decision.remember:
                connection.execute(
                    "INSERT INTO events (event_id, received_at) VALUES (?, ?)",
                    (event_key, received),
                )
            if (
                entity is not None
                and entity_key is not None
                and data is not None
                and decision.version is not None
            ):
                _write(connection, entity, entity_key, data, decision.version)
        return decision.result

    def prune(self, now: dt.datetime) -> int:
        """Forget event ids received before ``now - dedupe_window``; return how many.

        Versions are never forgotten: an old event delivered again is judged by its
        version (stale, or the same data applied again).
        """
        cutoff = dump_moment(to_moment(now, "now") - self._window)
        with self._transaction() as connection:
            cursor = connection.execute("DELETE FROM events WHERE received_at < ?", (cutoff,))
            return cursor.rowcount

    # -- what is held ----------------------------------------------------------------------

    def get(self, cls: type[EntityT], entity_id: Hashable) -> EntityT | None:
        """Return the stored entity of class ``cls`` (``Order``, ... ``Restock``), or None.

        It equals the entity applied, and its ``to_api()`` equals the delivered data.
        """
        kind = _kind(cls)
        with self._reading() as connection:
            row = connection.execute(
                "SELECT data FROM entities WHERE kind = ? AND entity_id = ?",
                (kind, dump_key(entity_id)),
            ).fetchone()
        return None if row is None else cls.from_api(load_json(row[0]))

    def has_seen(self, event_id: str | int) -> bool:
        """Return whether the event ``event_id`` was already processed (and not pruned)."""
        with self._reading() as connection:
            row = connection.execute(
                "SELECT 1 FROM events WHERE event_id = ?", (dump_key(event_id, "event_id"),)
            ).fetchone()
        return row is not None

    def received_at(self, event_id: str | int) -> dt.datetime | None:
        """Return when the event ``event_id`` was received, or None if it is not held."""
        with self._reading() as connection:
            row = connection.execute(
                "SELECT received_at FROM events WHERE event_id = ?",
                (dump_key(event_id, "event_id"),),
            ).fetchone()
        return None if row is None else load_moment(row[0])

    def held_version(self, cls: type[Entity], entity_id: Hashable) -> HeldVersion | None:
        """Return what ordering knows of an entity's latest version (kept after deletion)."""
        with self._reading() as connection:
            return _held(connection, _kind(cls), dump_key(entity_id))

    def ids(self, cls: type[Entity]) -> frozenset[Hashable]:
        """Return the ids of the stored entities of one class."""
        with self._reading() as connection:
            rows = connection.execute(
                "SELECT entity_id FROM entities WHERE kind = ?", (_kind(cls),)
            ).fetchall()
        return frozenset(load_key(row[0]) for row in rows)

    # -- the rollup ------------------------------------------------------------------------

    def _status_of(self, sql: str, key: str) -> str | None:
        with self._reading() as connection:
            row = connection.execute(sql, (key,)).fetchone()
        return None if row is None else str(row[0])

    def order_status(self, order_id: Hashable) -> OrderFulfillmentStatus:
        """Return an order's fulfillment status over its stored invoices' required lines.

        An order with no stored invoice, or no required line, is ``not_applicable``.
        """
        status = self._status_of(
            "SELECT status FROM order_statuses WHERE order_id = ?", dump_key(order_id)
        )
        return OrderFulfillmentStatus(status or OrderFulfillmentStatus.NOT_APPLICABLE)

    def invoice_status(self, invoice_id: Hashable) -> InvoiceFulfillmentStatus:
        """Return a stored invoice's fulfillment status.

        Raises:
            UnknownInvoiceError: no invoice with this id is stored.
        """
        status = self._status_of(
            "SELECT status FROM invoice_statuses WHERE invoice_id = ?", dump_key(invoice_id)
        )
        if status is None:
            raise UnknownInvoiceError(invoice_id)
        return InvoiceFulfillmentStatus(status)

    def line_item_status(self, line_item_id: Hashable) -> LineItemFulfillmentStatus:
        """Return a stored line item's rolled-up fulfillment status.

        Raises:
            UnknownLineItemError: no stored invoice holds this line item.
        """
        status = self._status_of(
            "SELECT status FROM line_items WHERE line_item_id = ?", dump_key(line_item_id)
        )
        if status is None:
            raise UnknownLineItemError(line_item_id)
        return LineItemFulfillmentStatus(status)

    def fulfilled_quantity(self, line_item_id: Hashable) -> int:
        """Return how much of a line item the counted fulfillments shipped, less restocks.

        Raises:
            UnknownLineItemError: no stored invoice holds this line item.
        """
        with self._reading() as connection:
            row = connection.execute(
                "SELECT fulfilled - released FROM line_items WHERE line_item_id = ?",
                (dump_key(line_item_id),),
            ).fetchone()
        if row is None:
            raise UnknownLineItemError(line_item_id)
        return int(row[0])

    def remaining(self, order_id: Hashable) -> Mapping[Hashable, int]:
        """Return what is still to ship for an order: line-item id to quantity."""
        with self._reading() as connection:
            rows = connection.execute(
                "SELECT line_item_id, remaining FROM line_items"
                " WHERE order_id = ? AND remaining IS NOT NULL ORDER BY rowid",
                (dump_key(order_id),),
            ).fetchall()
        return MappingProxyType({load_key(key): int(quantity) for key, quantity in rows})

    def snapshot(self) -> rollup.FulfillmentRollup:
        """Return the whole rollup: ``compute`` over the stored invoices, fulfillments, restocks.

        Fulfillments and restocks whose line items are not all stored yet are left out,
        as they are from every query. This reads everything; the queries above do not.
        """
        with self._transaction("DEFERRED") as connection:
            invoices = [
                Invoice.from_api(load_json(row[0]))
                for row in connection.execute("SELECT data FROM entities WHERE kind = 'Invoice'")
            ]
            fulfillments: list[Fulfillment | Restock] = [
                Fulfillment.from_api(load_json(row[0]))
                for row in connection.execute(
                    "SELECT e.data FROM entities AS e JOIN fulfillment_counts AS fc"
                    " ON fc.fulfillment_id = e.entity_id"
                    " WHERE e.kind = 'Fulfillment' AND fc.missing = 0"
                )
            ]
            fulfillments += [
                Restock.from_api(load_json(row[0]))
                for row in connection.execute(
                    "SELECT e.data FROM entities AS e JOIN restock_counts AS rc"
                    " ON rc.restock_id = e.entity_id"
                    " WHERE e.kind = 'Restock' AND rc.missing = 0"
                )
            ]
        return rollup.compute(invoices, fulfillments)


def _held(connection: sqlite3.Connection, kind: str, entity_key: str) -> HeldVersion | None:
    row = connection.execute(
        "SELECT as_of, status, deleted FROM versions WHERE kind = ? AND entity_id = ?",
        (kind, entity_key),
    ).fetchone()
    if row is None:
        return None
    as_of, status, deleted = row
    return HeldVersion(None if as_of is None else load_moment(as_of), status, bool(deleted))


def _write(
    connection: sqlite3.Connection,
    entity: Entity,
    entity_key: str,
    data: str,
    version: HeldVersion,
) -> None:
    """Hold ``version`` of ``entity``: its version row, its data, and the rollup."""
    kind = _KINDS[type(entity)]
    connection.execute(
        "INSERT INTO versions (kind, entity_id, as_of, status, deleted) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (kind, entity_id) DO UPDATE SET as_of = excluded.as_of,"
        " status = excluded.status, deleted = excluded.deleted",
        (
            kind,
            entity_key,
            None if version.as_of is None else dump_moment(version.as_of),
            version.status,
            int(version.deleted),
        ),
    )
    held_order = connection.execute(
        "SELECT order_id FROM entities WHERE kind = ? AND entity_id = ?", (kind, entity_key)
    ).fetchone()
    if version.deleted:
        connection.execute(
            "DELETE FROM entities WHERE kind = ? AND entity_id = ?", (kind, entity_key)
        )
    else:
        order_key = (
            dump_key(entity.order_id, "data.order_id")
            if isinstance(entity, Invoice | Transaction)
            else None
        )
        connection.execute(
            "INSERT INTO entities (kind, entity_id, data, order_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (kind, entity_id) DO UPDATE SET data = excluded.data,"
            " order_id = excluded.order_id",
            (kind, entity_key, data, order_key),
        )
    kept = None if version.deleted else entity
    if isinstance(entity, Invoice):
        invoice = kept if isinstance(kept, Invoice) else None
        touched = books.record_invoice(
            connection, entity_key, invoice, None if held_order is None else held_order[0]
        )
        books.refresh_orders(connection, touched, {entity_key: invoice} if invoice else None)
    elif isinstance(entity, Fulfillment):
        fulfillment = kept if isinstance(kept, Fulfillment) else None
        books.refresh_orders(
            connection,
            books.record_lines(connection, books.FULFILLMENTS, entity_key, fulfillment, entity.id),
        )
    elif isinstance(entity, Restock):
        restock = kept if isinstance(kept, Restock) else None
        books.refresh_orders(
            connection,
            books.record_lines(connection, books.RESTOCKS, entity_key, restock, entity.id),
        )
