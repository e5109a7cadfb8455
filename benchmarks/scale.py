"""Benchmark the rollup beyond one process: partial sizes, combine, and the Dask fold.

Run ``python benchmarks/scale.py`` (1,000,000 line items; several minutes, most of it
parsing payloads) or ``python benchmarks/scale.py --quick`` (a smoke run of a few
seconds). It prints, each measured in this run against a baseline of the same run:

- pickled ``Partial`` bytes per line item (target: at most 40);
- ``combine`` of the partials of two halves of the book, divided by one ``compute`` over
  the whole (target: at most 0.3x);
- the Dask fold (``clickfunnels_orders.dask.rollup`` over ``read_text(...).map(json.loads)``
  of JSON Lines files, on a ``LocalCluster`` of two single-threaded worker processes)
  against reading, parsing and computing the same files in this process (target: at
  least 1.3x faster);
- ``compute`` on entities already in memory, divided by a bare dict-accumulation loop over
  the same fulfillment lines (the baseline ``benchmarks/rollup.py`` uses; ``compute`` is
  unchanged by partials, so this ratio should match that benchmark's).

Timings run with the garbage collector paused where nothing crosses a process, are
repeated, and the best is kept. Nothing here fails: it reports, and says whether each
target is met. The Dask ratio needs two idle cores to mean anything.
"""

from __future__ import annotations

import argparse
import gc
import json
import pickle
import random
import runpy
import tempfile
import time
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any

import dask.bag
import distributed

from clickfunnels_orders import Fulfillment, Invoice, rollup
from clickfunnels_orders.dask import rollup as dask_rollup

_HERE = Path(__file__).resolve().parent

#: The example's generator: orders of one or two invoices, partial and cancelled shipments.
_generate_book = runpy.run_path(str(_HERE.parent / "examples" / "rollup_dask.py"))["generate_book"]


def best_of(repeats: int, work: Callable[[], object], *, pause_gc: bool = True) -> float:
    """Return the best wall time of ``repeats`` runs of ``work``."""
    times = []
    for _ in range(repeats):
        if pause_gc:
            gc.collect()
            gc.disable()
        try:
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return min(times)


def bare_loop(fulfillments: Sequence[Fulfillment]) -> dict[Hashable, int]:
    """Accumulate shipped quantities per line item in a plain dict: the baseline."""
    totals: dict[Hashable, int] = {}
    get = totals.get
    for fulfillment in fulfillments:
        for line in fulfillment.lines:
            key = line.invoice_line_item_id
            totals[key] = get(key, 0) + line.quantity
    return totals


def halves(
    invoices: Sequence[Invoice], fulfillments: Sequence[Fulfillment]
) -> list[tuple[list[Invoice], list[Fulfillment]]]:
    """Split the book in two by fulfillment, each half with the invoices it ships from.

    Invoices no fulfillment ships from go with the first half.
    """
    owner = {item.id: invoice.id for invoice in invoices for item in invoice.line_items}
    cut = len(fulfillments) // 2
    runs = [list(fulfillments[:cut]), list(fulfillments[cut:])]
    second_needs = {owner[line.invoice_line_item_id] for f in runs[1] for line in f.lines}
    first_needs = {owner[line.invoice_line_item_id] for f in runs[0] for line in f.lines}
    only_second = second_needs - first_needs
    return [
        ([inv for inv in invoices if inv.id not in only_second], runs[0]),
        ([inv for inv in invoices if inv.id in only_second], runs[1]),
    ]


def write_shards(folder: Path, payloads: Sequence[dict[str, Any]], shards: int) -> list[Path]:
    """Write ``payloads`` round-robin into ``shards`` JSON Lines files."""
    paths = []
    for index in range(shards):
        path = folder / f"book-{index:03}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for payload in payloads[index::shards]:
                out.write(json.dumps(payload))
                out.write("\n")
        paths.append(path)
    return paths


def parse_and_compute(paths: Sequence[Path]) -> rollup.FulfillmentRollup:
    """Read, decode and parse every file in this process, then compute once."""
    invoices: list[Invoice] = []
    fulfillments: list[Fulfillment] = []
    for path in paths:
        with path.open(encoding="utf-8") as lines:
            for text in lines:
                payload = json.loads(text)
                if "included_invoices_line_items" in payload:
                    fulfillments.append(Fulfillment.from_api(payload))
                else:
                    invoices.append(Invoice.from_api(payload))
    return rollup.compute(invoices, fulfillments)


def verdict(ok: bool) -> str:
    """Return how a target fared."""
    return "met" if ok else "NOT met"


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print every ratio of the module docs."""
    parser = argparse.ArgumentParser(description="Benchmark partials, combine and Dask.")
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--line-items", type=int, help="invoice line items (1,000,000)")
    args = parser.parse_args(argv)
    items = args.line_items or (20_000 if args.quick else 1_000_000)
    repeats = 2 if args.quick else 3

    rng = random.Random(7)
    invoices, fulfillments = _generate_book(rng, items)
    lines = sum(len(f.lines) for f in fulfillments)
    print(
        f"book: {len(invoices):,} invoices, {items:,} line items, "
        f"{len(fulfillments):,} fulfillments with {lines:,} lines"
    )

    whole = rollup.compute(invoices, fulfillments)
    part = rollup.partial(invoices, fulfillments)
    size = len(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    per_item = size / items
    print(
        f"pickled Partial of the whole book: {size:,} bytes, {per_item:.1f} bytes per line "
        f"item (target <= 40: {verdict(per_item <= 40)})"
    )

    one, two = (rollup.partial(*half) for half in halves(invoices, fulfillments))
    assert rollup.combine([one, two]) == whole  # noqa: S101  because a wrong answer voids the timing
    compute_time = best_of(repeats, lambda: rollup.compute(invoices, fulfillments))
    combine_time = best_of(repeats, lambda: rollup.combine([one, two]))
    ratio = combine_time / compute_time
    print(
        f"combine of two halves: {combine_time * 1e3:.0f} ms; one compute: "
        f"{compute_time * 1e3:.0f} ms; ratio {ratio:.2f}x (target <= 0.3x: {verdict(ratio <= 0.3)})"
    )

    loop_time = best_of(repeats, lambda: bare_loop(fulfillments))
    print(
        f"compute on entities in memory: {compute_time * 1e3:.0f} ms, "
        f"{compute_time / loop_time:.2f}x a bare dict loop over the same lines "
        f"({loop_time * 1e3:.0f} ms)"
    )

    # Fulfillments as the API writes them, with the fulfillment_number that tells a
    # cancelled one from a cancelled restock in the Dask fold.
    payloads = [inv.to_api() for inv in invoices]
    payloads += [f.to_api() | {"fulfillment_number": f.id} for f in fulfillments]
    rng.shuffle(payloads)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_shards(Path(folder), payloads, 16)
        del payloads
        single = best_of(1, lambda: parse_and_compute(paths), pause_gc=False)
        cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]  # unannotated
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        )
        with cluster, distributed.Client(cluster) as client:  # type: ignore[no-untyped-call]
            client.run(lambda: __import__("clickfunnels_orders.dask"))  # warm the workers
            pattern = f"{folder}/*.jsonl"

            def fold() -> rollup.FulfillmentRollup:
                bag = dask.bag.read_text(pattern).map(json.loads)  # type: ignore[no-untyped-call]  # unannotated
                return dask_rollup(bag)

            folded = fold()
            assert folded == whole  # noqa: S101  because a wrong answer voids the timing
            on_dask = best_of(1 if not args.quick else 2, fold, pause_gc=False)
    speedup = single / on_dask
    print(
        f"read + parse + compute in one process: {single:.2f} s; Dask fold on 2 worker "
        f"processes: {on_dask:.2f} s; {speedup:.2f}x faster (target >= 1.3x: "
        f"{verdict(speedup >= 1.3)})"
    )


if __name__ == "__main__":
    main()
