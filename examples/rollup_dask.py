"""Roll up a book kept as JSON Lines shards on disk, on a Dask cluster.

The example writes a generated book to a temporary folder as the API would hand it over
(one invoice or fulfillment payload per line, a few files), starts a local cluster of
worker processes, and folds ``dask.bag.read_text(...).map(json.loads)`` into one rollup
with ``clickfunnels_orders.dask.rollup``: each worker parses its files and summarises them
into a compact ``rollup.Partial``, the partials are added in a tree, and only the last
comes back. Invoices are sharded by order and fulfillments by id, so most shards ship
lines whose invoices are in other shards. The result is checked against parsing every
payload and one ``compute`` in this process.

On a real cluster only the client changes (``docs/scale.md``). Needs the ``dask`` extra.

Run: ``python examples/rollup_dask.py`` (``--line-items``, ``--shards`` and ``--workers``
to change the size, the files and the cluster).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from decimal import Decimal
from pathlib import Path

import dask.bag
import distributed

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    rollup,
)
from clickfunnels_orders.dask import rollup as dask_rollup

PRICE = Decimal("19.00")


def generate_book(rng: random.Random, line_items: int) -> tuple[list[Invoice], list[Fulfillment]]:
    """Return invoices holding ``line_items`` lines and the fulfillments shipping them.

    Orders have one or two invoices of one to four lines; one invoice in ten is still
    unpaid. The warehouse works through paid lines in order: most ship in full, some in two
    parts, one in ten not yet; a fulfillment packs one to five consecutive pieces, so it
    often covers lines of several orders; one fulfillment in twenty is cancelled.
    """
    invoices: list[Invoice] = []
    next_line = 0
    order_id = 0
    while next_line < line_items:
        order_id += 1
        for _ in range(rng.choice((1, 1, 2))):
            invoice_id = len(invoices) + 1
            count = min(rng.randint(1, 4), line_items - next_line)
            items = tuple(
                InvoiceLineItem(
                    id=next_line + offset,
                    invoice_id=invoice_id,
                    variant_id=rng.randint(1, 200),
                    quantity=rng.randint(1, 3),
                    amount=PRICE,
                )
                for offset in range(count)
            )
            next_line += count
            total = PRICE * count
            paid = rng.random() < 0.9
            invoices.append(
                Invoice(
                    id=invoice_id,
                    order_id=order_id,
                    status=InvoiceStatus.PAID if paid else InvoiceStatus.UNPAID,
                    line_items=items,
                    currency="USD",
                    total_amount=total,
                    amount_paid=total if paid else Decimal(0),
                )
            )
            if next_line >= line_items:
                break

    pieces: list[tuple[Hashable, int]] = []
    for invoice in invoices:
        if invoice.status is not InvoiceStatus.PAID:
            continue
        for item in invoice.line_items:
            roll = rng.random()
            if roll < 0.1:
                continue  # not shipped yet
            if roll < 0.25 and item.quantity > 1:
                first = rng.randint(1, item.quantity - 1)
                pieces += [(item.id, first), (item.id, item.quantity - first)]
            else:
                pieces.append((item.id, item.quantity))
    fulfillments: list[Fulfillment] = []
    start = 0
    while start < len(pieces):
        size = rng.randint(1, 5)
        lines = tuple(
            FulfillmentLine(key, quantity) for key, quantity in pieces[start : start + size]
        )
        status = FulfillmentStatus.CANCELLED if rng.random() < 0.05 else FulfillmentStatus.FULFILLED
        fulfillments.append(Fulfillment(id=len(fulfillments) + 1, lines=lines, status=status))
        start += size
    return invoices, fulfillments


def write_shards(
    folder: Path, invoices: Sequence[Invoice], fulfillments: Sequence[Fulfillment], shards: int
) -> list[Path]:
    """Write the book as ``shards`` JSON Lines files: invoices by order, fulfillments by id."""
    lines: list[list[str]] = [[] for _ in range(shards)]
    for invoice in invoices:
        lines[hash(invoice.order_id) % shards].append(json.dumps(invoice.to_api()))
    for fulfillment in fulfillments:
        # The API writes a fulfillment_number on every fulfillment; it is what tells a
        # cancelled fulfillment from a cancelled restock (clickfunnels_orders.dask).
        payload = fulfillment.to_api() | {"fulfillment_number": fulfillment.id}
        lines[hash(fulfillment.id) % shards].append(json.dumps(payload))
    paths = []
    for index, shard in enumerate(lines):
        path = folder / f"book-{index:03}.jsonl"
        path.write_text("\n".join(shard) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def parse_and_compute(paths: Sequence[Path]) -> rollup.FulfillmentRollup:
    """Read every file here, parse each payload and compute once: the one-process way."""
    invoices: list[Invoice] = []
    fulfillments: list[Fulfillment] = []
    for path in paths:
        for text in path.read_text(encoding="utf-8").splitlines():
            payload = json.loads(text)
            if "included_invoices_line_items" in payload:
                fulfillments.append(Fulfillment.from_api(payload))
            else:
                invoices.append(Invoice.from_api(payload))
    return rollup.compute(invoices, fulfillments)


def main(argv: Sequence[str] | None = None) -> None:
    """Write a book as shards, fold it on a local Dask cluster, compare with one compute."""
    parser = argparse.ArgumentParser(description="Roll up JSON Lines shards on Dask.")
    parser.add_argument("--line-items", type=int, default=100_000, help="invoice line items")
    parser.add_argument("--shards", type=int, default=8, help="JSON Lines files")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated book")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)  # noqa: S311  because the book is sample data, not a secret
    invoices, fulfillments = generate_book(rng, args.line_items)
    print(
        f"book: {len(invoices):,} invoices, {args.line_items:,} line items, "
        f"{len(fulfillments):,} fulfillments"
    )
    with tempfile.TemporaryDirectory() as folder:
        paths = write_shards(Path(folder), invoices, fulfillments, args.shards)
        started = time.perf_counter()
        whole = parse_and_compute(paths)
        single = time.perf_counter() - started

        cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]  # unannotated
            n_workers=args.workers, processes=True, threads_per_worker=1, dashboard_address=":0"
        )
        with cluster, distributed.Client(cluster):  # type: ignore[no-untyped-call]  # ditto
            started = time.perf_counter()
            bag = dask.bag.read_text(f"{folder}/*.jsonl").map(json.loads)  # type: ignore[no-untyped-call]  # ditto
            folded = dask_rollup(bag)
            on_dask = time.perf_counter() - started

    print(
        f"one process, parse and compute: {single:.2f} s; "
        f"{len(paths)} shards on {args.workers} Dask workers: {on_dask:.2f} s"
    )
    print(f"dask rollup == single compute: {folded == whole}")
    by_status = Counter(folded.order_status(order_id) for order_id in folded.order_ids)
    print("orders by fulfillment status:")
    for status, count in sorted(by_status.items()):
        print(f"  {status.value:<20} {count:>8,}")
    units = sum(row["remaining"] for row in folded.rows())
    print(f"units still to ship: {units:,}")


if __name__ == "__main__":
    main()
