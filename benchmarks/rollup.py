"""Benchmark the fulfillment rollup against plain-dict baselines measured in the same run.

Run ``python benchmarks/rollup.py`` (a few minutes) or ``python benchmarks/rollup.py
--quick`` (a smoke run of a few seconds). It prints one table:

- ``compute`` over a generated book (200,000 invoice line items, 500,000 fulfillment
  lines) next to a bare dict-accumulation loop over the same fulfillment lines. Target:
  within 2x.
- ``Tracker.record`` time per fulfillment in a small book (50,000 line items) and a large
  one (1,000,000), each divided by a plain dict-update loop over the same lines in a dict
  of the book's size, so that cache effects cancel. Target: the large ratio within 1.5x
  of the small one (flat: the cost of a record does not grow with the book).
- Peak memory per line item (``tracemalloc``) of ``compute`` and of a ``Tracker``.

Every timing runs with the garbage collector paused, is repeated, and the best is kept.
Nothing here fails: it reports, and says whether each target is met.
"""

from __future__ import annotations

import argparse
import functools
import gc
import random
import time
import tracemalloc
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal
from typing import NamedTuple

import attrs

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    rollup,
)

_AMOUNT = Decimal("9.99")


class Sizes(NamedTuple):
    """How big each generated book is."""

    compute_items: int
    compute_lines: int
    small_items: int
    large_items: int
    batch: int
    repeat: int


FULL = Sizes(
    compute_items=200_000,
    compute_lines=500_000,
    small_items=50_000,
    large_items=1_000_000,
    batch=10_000,
    repeat=5,
)
QUICK = Sizes(
    compute_items=20_000,
    compute_lines=50_000,
    small_items=10_000,
    large_items=100_000,
    batch=2_000,
    repeat=3,
)


# -- generated books --------------------------------------------------------------------------


def make_invoices(rng: random.Random, items: int, *, quantity: Callable[[], int]) -> list[Invoice]:
    """Return paid invoices holding ``items`` line items in all, 1 to 5 per invoice.

    Orders hold one or two invoices; line-item ids are 0 .. items - 1.
    """
    invoices: list[Invoice] = []
    next_item = 0
    invoice_id = 0
    order_id = 0
    while next_item < items:
        count = min(rng.randint(1, 5), items - next_item)
        lines = tuple(
            InvoiceLineItem(
                id=next_item + offset,
                invoice_id=invoice_id,
                variant_id=rng.randint(1, 500),
                quantity=quantity(),
                amount=_AMOUNT,
            )
            for offset in range(count)
        )
        total = _AMOUNT * count
        invoices.append(
            Invoice(
                id=invoice_id,
                order_id=order_id,
                status=InvoiceStatus.PAID,
                line_items=lines,
                currency="USD",
                total_amount=total,
                amount_paid=total,
            )
        )
        next_item += count
        invoice_id += 1
        if rng.random() < 0.6:
            order_id += 1
    return invoices


def make_fulfillments(
    rng: random.Random, invoices: Sequence[Invoice], lines: int
) -> list[Fulfillment]:
    """Return fulfillments holding ``lines`` lines in all, 1 to 5 each, never over-fulfilling.

    Each unit of every line item's quantity is shipped at most once; a fulfillment mixes
    lines of any orders, and one in twenty is cancelled (its units are not reused).
    """
    units = [
        item.id for invoice in invoices for item in invoice.line_items for _ in range(item.quantity)
    ]
    if len(units) < lines:
        msg = f"the book has {len(units)} units, fewer than {lines} lines"
        raise ValueError(msg)
    rng.shuffle(units)
    fulfillments: list[Fulfillment] = []
    taken = 0
    while taken < lines:
        count = min(rng.randint(1, 5), lines - taken)
        fulfillment = Fulfillment(
            id=len(fulfillments),
            lines=tuple(FulfillmentLine(unit, 1) for unit in units[taken : taken + count]),
        )
        if rng.random() < 0.05:
            fulfillment = attrs.evolve(fulfillment, status=FulfillmentStatus.CANCELLED)
        fulfillments.append(fulfillment)
        taken += count
    return fulfillments


def make_batches(
    rng: random.Random, invoices: Sequence[Invoice], sizes: Sizes, first_id: int
) -> list[list[Fulfillment]]:
    """Return ``repeat`` batches of ``batch`` fulfillments of 1 to 5 lines each.

    Within a batch every line names a different line item (so a batch never
    over-fulfills); the timing cancels each batch before the next one.
    """
    ids = [item.id for invoice in invoices for item in invoice.line_items]
    quantities = {item.id: item.quantity for invoice in invoices for item in invoice.line_items}
    batches: list[list[Fulfillment]] = []
    next_id = first_id
    for _ in range(sizes.repeat):
        chosen = iter(rng.sample(ids, sizes.batch * 5))
        batch: list[Fulfillment] = []
        for _ in range(sizes.batch):
            lines = []
            for _ in range(rng.randint(1, 5)):
                key = next(chosen)
                lines.append(FulfillmentLine(key, rng.randint(1, quantities[key])))
            batch.append(Fulfillment(id=next_id, lines=tuple(lines)))
            next_id += 1
        batches.append(batch)
    return batches


# -- timing -----------------------------------------------------------------------------------


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """Return the best wall time of ``repeat`` runs of ``run``, with the collector paused."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def best_of_each(repeat: int, *runs: Callable[[], object]) -> list[float]:
    """Return the best time of each of ``runs``, taking turns so that noise hits all alike."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            best[index] = min(best[index], best_of(1, run))
    return best


def accumulate(fulfillments: Sequence[Fulfillment]) -> dict[Hashable, int]:
    """The compute baseline: a bare dict accumulation over every fulfillment line."""
    totals: dict[Hashable, int] = {}
    get = totals.get
    for fulfillment in fulfillments:
        for line in fulfillment.lines:
            key = line.invoice_line_item_id
            totals[key] = get(key, 0) + line.quantity
    return totals


def dict_updates(table: dict[Hashable, int], batch: Sequence[Fulfillment]) -> None:
    """The record baseline: plain dict updates over the batch's lines in a book-sized dict."""
    for fulfillment in batch:
        for line in fulfillment.lines:
            table[line.invoice_line_item_id] += line.quantity


def time_records(
    invoices: Sequence[Invoice], batches: Sequence[Sequence[Fulfillment]]
) -> tuple[float, float]:
    """Return the best time to record a batch, and to run :func:`dict_updates` over it.

    Each batch is recorded into a tracker over ``invoices`` (timed), the same lines are
    added to a dict with one entry per line item (timed), and the batch is then cancelled
    (untimed) so the next starts from the same quantities; batches have fresh ids because
    a cancelled fulfillment is final. Taking turns spreads any noise over both timings.
    """
    tracker = rollup.Tracker(invoices)
    table: dict[Hashable, int] = {item.id: 0 for invoice in invoices for item in invoice.line_items}
    record = tracker.record
    best_record = best_update = float("inf")
    for batch in batches:

        def record_batch(batch: Sequence[Fulfillment] = batch) -> None:
            for fulfillment in batch:
                record(fulfillment)

        best_record = min(best_record, best_of(1, record_batch))
        best_update = min(best_update, best_of(1, functools.partial(dict_updates, table, batch)))
        for fulfillment in batch:
            record(attrs.evolve(fulfillment, status=FulfillmentStatus.CANCELLED))
    return best_record, best_update


def peak_bytes(run: Callable[[], object]) -> tuple[int, object]:
    """Return the peak memory ``run`` allocates (``tracemalloc``) and what it returns."""
    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


# -- report -----------------------------------------------------------------------------------


class Row(NamedTuple):
    """One line of the printed table."""

    measure: str
    size: str
    value: str
    baseline: str
    ratio: str
    target: str


def print_table(rows: Sequence[Row]) -> None:
    """Print ``rows`` as an aligned plain-text table."""
    header = Row("measure", "size", "rollup", "baseline", "ratio", "target")
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    for index, row in enumerate((header, *rows)):
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


def verdict(ok: bool, target: str) -> str:
    """Return the target, marked met or missed."""
    return f"{target} {'met' if ok else 'MISSED'}"


def bench_compute(rng: random.Random, sizes: Sizes) -> list[Row]:
    """Time ``compute`` next to a bare accumulation over the same lines; measure its memory."""
    invoices = make_invoices(rng, sizes.compute_items, quantity=lambda: rng.randint(2, 4))
    fulfillments = make_fulfillments(rng, invoices, sizes.compute_lines)
    run_compute = functools.partial(rollup.compute, invoices, fulfillments)
    compute_time, base_time = best_of_each(
        sizes.repeat * 2, run_compute, functools.partial(accumulate, fulfillments)
    )
    ratio = compute_time / base_time
    size = f"{sizes.compute_items:,} items, {sizes.compute_lines:,} lines"
    peak, _ = peak_bytes(run_compute)
    return [
        Row(
            "compute",
            size,
            f"{compute_time * 1e3:.1f} ms",
            f"{base_time * 1e3:.1f} ms",
            f"{ratio:.2f}x",
            verdict(ratio <= 2.0, "<= 2x"),
        ),
        Row("compute peak memory", size, f"{peak / sizes.compute_items:.0f} B/item", "", "", ""),
    ]


def bench_record(rng: random.Random, sizes: Sizes) -> list[Row]:
    """Time ``Tracker.record`` in a small and a large book; measure a tracker's memory."""
    rows: list[Row] = []
    ratios: list[float] = []
    memory: list[Row] = []
    for label, items in (("small", sizes.small_items), ("large", sizes.large_items)):
        book = make_invoices(rng, items, quantity=lambda: rng.randint(1, 5))
        batches = make_batches(rng, book, sizes, first_id=0)
        record_time, update_time = (best / sizes.batch for best in time_records(book, batches))
        ratios.append(record_time / update_time)
        rows.append(
            Row(
                f"Tracker.record per fulfillment ({label})",
                f"{items:,} items",
                f"{record_time * 1e6:.2f} us",
                f"{update_time * 1e6:.2f} us",
                f"{ratios[-1]:.2f}x",
                "",
            )
        )
        if label == "large":
            peak, _ = peak_bytes(functools.partial(rollup.Tracker, book))
            memory.append(
                Row("Tracker memory", f"{items:,} items", f"{peak / items:.0f} B/item", "", "", "")
            )
    flat = ratios[1] / ratios[0]
    rows.append(
        Row(
            "record flatness (large / small ratio)",
            "",
            "",
            "",
            f"{flat:.2f}x",
            verdict(flat <= 1.5, "<= 1.5x"),
        )
    )
    return rows + memory


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the books, time everything, and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--seed", type=int, default=20251116, help="seed of the generated books")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    rng = random.Random(args.seed)
    print_table([*bench_compute(rng, sizes), *bench_record(rng, sizes)])


if __name__ == "__main__":
    main()
