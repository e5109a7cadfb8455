"""How fast the SQLite store applies deliveries and answers queries, as ratios in one run.

Run with ``python benchmarks/store.py [--small N] [--large N]``. It prints:

- ``store.apply`` of a one-line invoice delivery against the floor, ``parse_webhook``
  plus one durable SQLite transaction inserting the raw body (same file settings: WAL,
  ``synchronous=FULL``), and against the in-memory ``Replica``;
- ``order_status`` and ``remaining`` in a store of ``--small`` and of ``--large``
  invoices, each normalised by a primary-key ``SELECT`` on a table of the same size.

It never fails: the numbers are for reading.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

# Running a program puts its folder first on the import path, and this folder holds
# ``transitions.py`` (a benchmark), which would shadow the ``transitions`` package the
# library imports. Take the folder off before importing the library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

from clickfunnels_orders import (  # noqa: E402  because the import path is fixed first
    Invoice,
    InvoiceLineItem,
    Replica,
    parse_webhook,
)
from clickfunnels_orders.store import SQLiteStore  # noqa: E402  because ditto
from clickfunnels_orders.store._codec import dump_json  # noqa: E402  because ditto

T0 = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def delivery(number: int) -> bytes:
    """A one-line paid invoice delivery: invoice ``number`` of order ``number``."""
    line = InvoiceLineItem(
        id=number * 10, invoice_id=number, variant_id=7, quantity=1, amount=Decimal("9.99")
    )
    invoice = Invoice(
        id=number,
        order_id=number,
        status="paid",
        line_items=(line,),
        currency="USD",
        total_amount=Decimal("9.99"),
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


def fill(path: Path, size: int) -> SQLiteStore:
    """A store of ``size`` one-line invoices, each applied (and synced) on its own.

    Filling is the slow part: one durable transaction per delivery, as in production.
    """
    store = SQLiteStore(path)
    for n in range(1, size + 1):
        store.apply(parse_webhook(delivery(n)), received_at=T0)
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


def query_costs(folder: Path, sizes: tuple[int, int], count: int) -> None:
    """Print query costs at two sizes, normalised by a primary-key SELECT."""
    print(
        f"queries, normalised by a primary-key SELECT on a table of the same size ({count} each):"
    )
    normalised: list[float] = []
    for size in sizes:
        with fill(folder / f"q{size}.db", size) as store:
            raw = sqlite3.connect(store.path)
            select = per_call(count, functools.partial(_select, raw, size))
            status = per_call(count, functools.partial(_status, store, size))
            remaining = per_call(count, functools.partial(_remaining, store, size))
            raw.close()
        normalised.append((status + remaining) / 2 / select)
        print(
            f"  {size:>9} invoices: order_status {status * 1e6:6.1f} us, remaining "
            f"{remaining * 1e6:6.1f} us, SELECT {select * 1e6:6.1f} us"
        )
    print(f"  large / small, normalised: {normalised[1] / normalised[0]:5.2f}x")


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applies", type=int, default=300)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=5_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        apply_costs(Path(folder), arguments.applies)
        query_costs(Path(folder), (arguments.small, arguments.large), arguments.queries)


if __name__ == "__main__":
    main()
