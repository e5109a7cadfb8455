"""Roll up a large book in parts across a process pool, then merge the parts.

``rollup.merge`` combines rollups of disjoint sets of fulfillments into the rollup of
their union, in any grouping and order. So a workspace too large for one process can be
rolled up by anything that can map and reduce: here a ``concurrent.futures`` process
pool; Dask or Spark work the same way.

Each shard is a run of consecutive fulfillments, sent with only the invoices its counted
fulfillments ship from; invoices that no fulfillment ships from form one more part. The
merged rollup is checked against a single ``compute`` over everything.

At this size one process is faster: shipping invoices to other processes costs more than
the rollup itself (a single pass over plain dicts). Splitting pays when the book does not
fit one process, or when each shard's invoices are loaded where the shard is rolled up.

Run: ``python examples/rollup_process_pool.py`` (``--line-items`` and ``--workers`` to
change the size and the pool).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    rollup,
)

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


def shard(
    invoices: Sequence[Invoice], fulfillments: Sequence[Fulfillment], parts: int
) -> list[tuple[list[Invoice], list[Fulfillment]]]:
    """Split the fulfillments into ``parts`` runs, each with the invoices it needs.

    A last shard holds the invoices no counted fulfillment ships from, and no fulfillment.
    """
    owner = {item.id: invoice for invoice in invoices for item in invoice.line_items}
    size = -(-len(fulfillments) // parts)
    shards: list[tuple[list[Invoice], list[Fulfillment]]] = []
    used: set[Hashable] = set()
    for start in range(0, len(fulfillments), size):
        run = list(fulfillments[start : start + size])
        needed = {
            owner[line.invoice_line_item_id].id: owner[line.invoice_line_item_id]
            for fulfillment in run
            if fulfillment.counts
            for line in fulfillment.lines
        }
        used.update(needed)
        shards.append((list(needed.values()), run))
    shards.append(([invoice for invoice in invoices if invoice.id not in used], []))
    return shards


def main(argv: Sequence[str] | None = None) -> None:
    """Generate a book, roll it up in a process pool, merge, and compare with one compute."""
    parser = argparse.ArgumentParser(description="Roll up a book in parts and merge them.")
    parser.add_argument("--line-items", type=int, default=100_000, help="invoice line items")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processes")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated book")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)  # noqa: S311  because the book is sample data, not a secret
    invoices, fulfillments = generate_book(rng, args.line_items)
    lines = sum(len(fulfillment.lines) for fulfillment in fulfillments)
    print(
        f"book: {len(invoices):,} invoices, {args.line_items:,} line items, "
        f"{len(fulfillments):,} fulfillments with {lines:,} lines"
    )

    started = time.perf_counter()
    whole = rollup.compute(invoices, fulfillments)
    single = time.perf_counter() - started

    started = time.perf_counter()
    shards = shard(invoices, fulfillments, args.workers * 2)
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        parts = list(pool.map(rollup.compute, *zip(*shards, strict=True)))
    merged = rollup.merge(parts)
    pooled = time.perf_counter() - started

    print(
        f"single compute: {single:.2f} s; {len(parts)} parts on {args.workers} processes, "
        f"shipping and merging included: {pooled:.2f} s"
    )
    print(f"merged == single compute: {merged == whole}")
    orders = {invoice.order_id for invoice in invoices}
    by_status = Counter(merged.order_status(order_id) for order_id in orders)
    print("orders by fulfillment status:")
    for status, count in sorted(by_status.items()):
        print(f"  {status.value:<20} {count:>8,}")
    units = sum(sum(merged.remaining(order_id).values()) for order_id in orders)
    print(f"units still to ship: {units:,}")


if __name__ == "__main__":
    main()
