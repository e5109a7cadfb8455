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
from typing import Any, Final

import dask.bag

from clickfunnels_orders.entities import Fulfillment, Invoice, Restock
from clickfunnels_orders.errors import PayloadError, shown
from clickfunnels_orders.rollup import FulfillmentRollup, Partial, combine, partial

__all__ = ["FULFILLMENT_FIELDS", "kind_of_payload", "partial_of_payloads", "rollup"]

#: Fields the API writes on every fulfillment and never on a restock.
FULFILLMENT_FIELDS: Final = frozenset(
    {
        "fulfillment_number",
        "contact_id",
        "location_id",
        "tracking_code",
        "tracking_url",
        "shipping_provider",
    }
)
#: The envelope subject types a bag may hold, and what their data is read as.
_SUBJECTS: Final[Mapping[str, type[Invoice | Fulfillment | Restock]]] = {
    "Orders::Invoice": Invoice,
    "Fulfillment": Fulfillment,
    "Orders::Invoices::Restock": Restock,
}


def rollup(bag: dask.bag.Bag, *, split_every: int | None = None) -> FulfillmentRollup:
    """Fold a bag of invoice and fulfillment payload dicts into the rollup of them all.

    Equal to ``rollup.compute`` over the same objects parsed in one process, and it
    refuses the same things (an ``OrdersError``; a malformed payload is a
    ``PayloadError``). The bag may hold invoices and fulfillments in any partitions and
    any order; a fulfillment need not be in its invoices' partition. The fold runs on the
    scheduler in use (a ``distributed.Client`` if one is active).

    Args:
        bag: the payload dicts: invoices, fulfillments, and restocks in their webhook
            envelopes (see the module docs for how each is told).
        split_every: how many partials each step of the tree adds (Dask's default when
            ``None``).

    Raises:
        PayloadError: for a dict that is none of them (or may be either a fulfillment or
            a restock), or a malformed one.
    """
    total = bag.reduction(  # type: ignore[no-untyped-call]  # dask.bag ships it unannotated
        partial_of_payloads, _sum_of_partials, split_every=split_every, name="rollup-partial"
    )
    return combine([total.compute()])


def partial_of_payloads(payloads: Iterable[Mapping[str, Any]]) -> Partial:
    """Parse one partition's payload dicts and return its :class:`Partial`.

    Raises:
        PayloadError: for a dict :func:`kind_of_payload` refuses, or a malformed one.
    """
    invoices: list[Invoice] = []
    fulfillments: list[Fulfillment | Restock] = []
    for payload in payloads:
        cls, data = kind_of_payload(payload)
        if cls is Invoice:
            invoices.append(Invoice.from_api(data))
        else:
            fulfillments.append(cls.from_api(data))  # type: ignore[arg-type]  # a Fulfillment or a Restock
    return partial(invoices, fulfillments)


def kind_of_payload(
    payload: object,
) -> tuple[type[Invoice | Fulfillment | Restock], Mapping[str, Any]]:
    """Say what a bag's dict holds: the entity class, and the API object to read into it.

    Raises:
        PayloadError: for something that is not a dict, a dict of another kind, or a
            bare object that may be a fulfillment or a restock (see the module docs).
    """
    if not isinstance(payload, Mapping):
        raise PayloadError("", "expected an invoice, fulfillment or restock object", value=payload)
    data = payload.get("data")
    if isinstance(data, Mapping) and "subject_type" in payload:
        cls = _SUBJECTS.get(payload["subject_type"])
        if cls is None:
            raise PayloadError(
                "subject_type",
                f"got {shown(payload['subject_type'])}, expected one of {', '.join(_SUBJECTS)}",
                value=payload["subject_type"],
            )
        return cls, data
    if "line_items" in payload and "total_amount" in payload:
        return Invoice, payload
    lines = payload.get("included_invoices_line_items")
    if "included_invoices_line_items" not in payload:
        raise PayloadError(
            "",
            "neither an invoice (line_items, total_amount) nor a fulfillment or restock "
            "(included_invoices_line_items)",
            value=sorted(payload)[:10],
        )
    if payload.get("status") == "fulfilled" or _has_fulfillment_fields(payload, lines):
        return Fulfillment, payload
    raise PayloadError(
        "",
        f"an object with included_invoices_line_items in status {shown(payload.get('status'))} "
        "and none of a fulfillment's own fields may be a fulfillment or a restock; give a "
        "restock in its webhook envelope (subject_type Orders::Invoices::Restock), a "
        f"fulfillment with one of {', '.join(sorted(FULFILLMENT_FIELDS))}",
        value=sorted(payload)[:10],
    )


def _has_fulfillment_fields(payload: Mapping[str, Any], lines: object) -> bool:
    if not FULFILLMENT_FIELDS.isdisjoint(payload):
        return True
    return isinstance(lines, list) and any(
        isinstance(line, Mapping) and "fulfillment_id" in line for line in lines
    )


def _sum_of_partials(parts: Iterable[Partial]) -> Partial:
    return functools.reduce(operator.add, parts, Partial())
