"""The fulfillment rollup on a Dask cluster (needs the ``dask`` extra).

:func:`rollup` folds a Dask bag of ClickFunnels API objects (invoice and fulfillment
payload dicts, as ``dask.bag.read_text("shards/*.jsonl").map(json.loads)`` gives them)
into one :class:`~clickfunnels_orders.rollup.FulfillmentRollup`: each partition is parsed
and summarised in its worker (:func:`~clickfunnels_orders.rollup.partial`), the compact
partials are added in a tree (``Bag.reduction``), and only the last one comes back.

This module sits at the edge: it imports the core and Dask, and nothing in the core
imports it. ``docs/scale.md`` shows it on a real cluster.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping
from typing import Any

import dask.bag

from clickfunnels_orders.entities import Fulfillment, Invoice
from clickfunnels_orders.errors import PayloadError
from clickfunnels_orders.rollup import FulfillmentRollup, Partial, combine, partial

__all__ = ["partial_of_payloads", "rollup"]


def rollup(bag: dask.bag.Bag, *, split_every: int | None = None) -> FulfillmentRollup:
    """Fold a bag of invoice and fulfillment payload dicts into the rollup of them all.

    Equal to ``rollup.compute`` over the same objects parsed in one process, and it
    refuses the same things (an ``OrdersError``; a malformed payload is a
    ``PayloadError``). The bag may hold invoices and fulfillments in any partitions and
    any order; a fulfillment need not be in its invoices' partition. The fold runs on the
    scheduler in use (a ``distributed.Client`` if one is active).

    Args:
        bag: the payload dicts. An invoice is told by its ``line_items`` and
            ``total_amount`` keys, a fulfillment by ``included_invoices_line_items``.
        split_every: how many partials each step of the tree adds (Dask's default when
            ``None``).

    Raises:
        PayloadError: for a dict that is neither, or a malformed one.
    """
    total = bag.reduction(  # type: ignore[no-untyped-call]  # dask.bag ships it unannotated
        partial_of_payloads, _sum_of_partials, split_every=split_every, name="rollup-partial"
    )
    return combine([total.compute()])


def partial_of_payloads(payloads: Iterable[Mapping[str, Any]]) -> Partial:
    """Parse one partition's payload dicts and return its :class:`Partial`.

    Raises:
        PayloadError: for a dict that is neither an invoice nor a fulfillment, or a
            malformed one.
    """
    invoices: list[Invoice] = []
    fulfillments: list[Fulfillment] = []
    for payload in payloads:
        if not isinstance(payload, Mapping):
            raise PayloadError("", "expected an invoice or fulfillment object", value=payload)
        if "included_invoices_line_items" in payload:
            fulfillments.append(Fulfillment.from_api(payload))
        elif "line_items" in payload and "total_amount" in payload:
            invoices.append(Invoice.from_api(payload))
        else:
            raise PayloadError(
                "",
                "neither an invoice (line_items, total_amount) nor a fulfillment "
                "(included_invoices_line_items)",
                value=sorted(payload)[:10],
            )
    return partial(invoices, fulfillments)


def _sum_of_partials(parts: Iterable[Partial]) -> Partial:
    return functools.reduce(operator.add, parts, Partial())
