"""How fast the SQLite store applies deliveries and answers queries, as ratios in one run.

Run with ``python benchmarks/store.py [--quick] [--small N] [--large N] [--lines N]``.
It prints:

- ``store.apply`` of a one-line invoice delivery against the floor, ``parse_webhook``
  plus one durable SQLite transaction inserting the raw body (same file settings: WAL,
  ``synchronous=FULL``), and against the in-memory ``Replica``;
- ``order_status`` and ``remaining`` in a store of ``--small`` and of ``--large`` line
  items (10,000 and 1,000,000 by default, in invoices of ``--lines`` line items each),
  each normalised by a primary-key ``SELECT`` on a table of the same size.

It never fails: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sqlite3
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from clickfunnels_orders import (
    Invoice,
    InvoiceLineItem,
    Replica,
    parse_webhook,
)
from clickfunnels_orders.store import SQLiteStore
from clickfunnels_orders.store._codec import dump_json

T0 = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def delivery(number: int, lines: int = 1) -> bytes:
    """A paid invoice delivery of ``lines`` line items: invoice ``number`` of order ``number``."""
    items = tuple(
        InvoiceLineItem(
            id=number * 1_000 + index,
            invoice_id=number,
            variant_id=7,
            quantity=1,
            amount=Decimal("9.99"),
        )
        for index in range(lines)
    )
    invoice = Invoice(
        id=number,
        order_id=number,
        status="paid",
        line_items=items,
        currency="USD",
        total_amount=Decimal("9.99") * lines,
    )
    return dump_json(
        {
            "event_id": f"e{number}",
            "event_type": "orders/invoice.paid",
            "subject_type": "Orders::Invoice",
            "created_at": "2025-07-01T00:00:00.000Z",
            "data": invoice.to_api(),
        }
    ).encode()


def per_call(count: int, call: Callable[[int], object]) -> float:
    """Seconds per call of ``call(n)`` over ``count`` calls."""
    start = time.perf_counter()
    for number in range(count):
        call(number)
    return (time.perf_counter() - start) / count


def apply_costs(folder: Path, count: int) -> None:
    """Print apply against the floor and the replica."""
    bodies = [delivery(n) for n in range(1, count + 1)]
    raw = sqlite3.connect(folder / "floor.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("CREATE TABLE deliveries (event_id TEXT PRIMARY KEY, body BLOB)")

    def floor(n: int) -> None:
        event = parse_webhook(bodies[n])
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO deliveries VALUES (?, ?)", (str(event.event_id), bodies[n]))
        raw.execute("COMMIT")

    replica = Replica()
    with SQLiteStore(folder / "store.db") as store:
        floor_cost = per_call(count, floor)
        store_cost = per_call(
            count, lambda n: store.apply(parse_webhook(bodies[n]), received_at=T0)
        )
    replica_cost = per_call(count, lambda n: replica.apply(parse_webhook(bodies[n])))
    raw.close()
    print(f"apply, one-line invoice, {count} deliveries:")
    print(f"  floor (parse + durable insert) {floor_cost * 1e6:9.0f} us")
    print(f"  SQLiteStore.apply              {store_cost * 1e6:9.0f} us", end="")
    print(f"  {store_cost / floor_cost:5.2f}x the floor")
    print(f"  Replica.apply (in memory)      {replica_cost * 1e6:9.0f} us", end="")
    print(f"  (the store costs {store_cost / replica_cost:.1f}x)")


def fill(path: Path, size: int, lines: int) -> SQLiteStore:
    """A store of ``size`` invoices of ``lines`` line items, each applied on its own.

    Filling is the slow part: one durable transaction per delivery, as in production.
    """
    store = SQLiteStore(path)
    for n in range(1, size + 1):
        store.apply(parse_webhook(delivery(n, lines)), received_at=T0)
    return store


def _select(raw: sqlite3.Connection, size: int, number: int) -> object:
    return raw.execute(
        "SELECT data FROM entities WHERE kind = 'Invoice' AND entity_id = ?",
        (str(number % size + 1),),
    ).fetchone()


def _status(store: SQLiteStore, size: int, number: int) -> object:
    return store.order_status(number % size + 1)


def _remaining(store: SQLiteStore, size: int, number: int) -> object:
    return store.remaining(number % size + 1)


def query_costs(folder: Path, sizes: tuple[int, int], lines: int, count: int) -> None:
    """Print query costs at two sizes (in line items), normalised by a primary-key SELECT."""
    print(
        f"queries, normalised by a primary-key SELECT on a table of the same size ({count} each):"
    )
    normalised: list[tuple[float, float]] = []
    for items in sizes:
        size = max(1, items // lines)
        with fill(folder / f"q{size}.db", size, lines) as store:
            raw = sqlite3.connect(store.path)
            # Timed in turns, best of three: the machine is shared and noisy.
            costs = [
                (
                    per_call(count, functools.partial(_select, raw, size)),
                    per_call(count, functools.partial(_status, store, size)),
                    per_call(count, functools.partial(_remaining, store, size)),
                )
                for _ in range(3)
            ]
            raw.close()
        select, status, remaining = (min(column) for column in zip(*costs, strict=True))
        normalised.append((status / select, remaining / select))
        print(
            f"  {size * lines:>9} line items: order_status {status * 1e6:6.1f} us, remaining "
            f"{remaining * 1e6:6.1f} us, SELECT {select * 1e6:6.1f} us"
        )
    (small_status, small_remaining), (large_status, large_remaining) = normalised
    print(
        f"  large / small, normalised: order_status {large_status / small_status:5.2f}x, "
        f"remaining {large_remaining / small_remaining:5.2f}x (target at most 1.5x)"
    )


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--applies", type=int, default=300, help="deliveries timed")
    parser.add_argument("--small", type=int, default=10_000, help="line items, small store")
    parser.add_argument("--large", type=int, default=1_000_000, help="line items, large store")
    parser.add_argument("--lines", type=int, default=50, help="line items per invoice")
    parser.add_argument("--queries", type=int, default=5_000, help="queries timed per size")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.applies, arguments.queries = 30, 300
        arguments.small, arguments.large = 500, 5_000
    sizes = (arguments.small, arguments.large)
    with tempfile.TemporaryDirectory() as folder:
        apply_costs(Path(folder), arguments.applies)
        query_costs(Path(folder), sizes, arguments.lines, arguments.queries)


if __name__ == "__main__":
    main()
