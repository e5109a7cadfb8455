"""``compute``: the rollup recomputed from entities, and the checks it shares with ``partial``.

The recompute is the oracle the tracker and the partial rollups are held to; see the
package docs (:mod:`clickfunnels_orders.rollup`) for the rules.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Hashable, Iterable, Sequence
from typing import Final

from clickfunnels_orders._values import to_instances, to_tuple
from clickfunnels_orders.entities import Fulfillment, Invoice, Restock
from clickfunnels_orders.errors import (
    DuplicateIdError,
    DuplicateLineItemError,
    OverFulfillmentError,
    UnknownLineItemError,
)
from clickfunnels_orders.rollup._restocks import check_fulfillments, release_all
from clickfunnels_orders.rollup._value import FulfillmentRollup
from clickfunnels_orders.statuses import FulfillmentStatus

__all__ = ["compute", "first_bad_line", "index_invoices", "repeated"]

_FULFILLED: Final = FulfillmentStatus.FULFILLED


def compute(
    invoices: Iterable[Invoice], fulfillments: Iterable[Fulfillment | Restock]
) -> FulfillmentRollup:
    """Recompute the rollup of ``fulfillments`` over ``invoices``, from scratch.

    A pure function, and the oracle the tracker and merge are held to. Only fulfillments
    in status ``fulfilled`` count, and only their lines are checked; ineligible invoices,
    ignored and complete lines do not stop a line from counting here (the tracker refuses
    new fulfillments of them), they only make it not required.

    Args:
        invoices: the invoices, each id once, their line-item ids unique across them.
        fulfillments: the fulfillments, each id once, in any status, and among them the
            restocks (each id once among restocks): a restocked restock releases its
            quantities from what the fulfillments fulfilled, a cancelled one nothing.

    Returns:
        The rollup: invoices, fulfilled quantity per line item, counted fulfillment ids.

    Raises:
        DuplicateIdError: for an invoice or fulfillment id given twice.
        DuplicateLineItemError: for a line-item id held by two invoices.
        UnknownLineItemError: a counted fulfillment's line names no known line item.
        OverFulfillmentError: counted quantities exceed a line item's quantity; it names
            the first fulfillment (in the order given) that goes over.
        OverReleaseError: restocks release more of a line item than is fulfilled.
    """
    invoice_list = (
        invoices if isinstance(invoices, list | tuple) else to_tuple(invoices, "invoices")
    )
    fulfillment_list = (
        fulfillments
        if isinstance(fulfillments, list | tuple)
        else to_tuple(fulfillments, "fulfillments")
    )
    try:
        return _compute(invoice_list, fulfillment_list)  # type: ignore[arg-type]  # see below
    except AttributeError:
        # Something that is not an entity slipped in. Checking every item up front would
        # cost the hot path a pass; name the first stranger only once it has tripped.
        to_instances(invoice_list, Invoice, "invoices")
        check_fulfillments(fulfillment_list, "fulfillments")
        raise


def _compute(
    invoice_list: Sequence[Invoice], fulfillment_list: Sequence[Fulfillment | Restock]
) -> FulfillmentRollup:
    # The hot path is written for speed (see benchmarks/rollup.py): plain dicts, one pass
    # over the invoices and one over the fulfillment lines, checks done in C afterwards.
    by_id, quantities = index_invoices(invoice_list)
    # Seeded with every known line at 0, in the same order as ``quantities``: an unknown
    # line is a KeyError, and the over-fulfillment check walks both dicts side by side.
    totals = dict.fromkeys(quantities, 0)
    counted: list[Hashable] = []
    uncounted: list[Hashable] = []
    restocks: list[Restock] = []
    fulfilled_status = _FULFILLED
    try:
        for fulfillment in fulfillment_list:
            if fulfillment.status is fulfilled_status:
                counted.append(fulfillment.id)
                for line in fulfillment.lines:
                    key = line.invoice_line_item_id
                    totals[key] = totals[key] + line.quantity
            elif isinstance(fulfillment, Fulfillment):  # the rare path can afford the check
                uncounted.append(fulfillment.id)
            elif isinstance(fulfillment, Restock):
                restocks.append(fulfillment)
            else:
                # Names the stranger.
                check_fulfillments(fulfillment_list, "fulfillments")
    except KeyError:
        raise first_bad_line(quantities, fulfillment_list) from None
    if restocks:
        release_all(totals, restocks)
    if not all(map(operator.le, totals.values(), quantities.values())):
        raise first_bad_line(quantities, fulfillment_list)
    ids = frozenset(counted)
    if len(ids) != len(counted) or (
        uncounted and len(ids.union(uncounted)) != len(counted) + len(uncounted)
    ):
        raise repeated("fulfillment", [fulfillment.id for fulfillment in fulfillment_list])
    fulfilled = dict(itertools.compress(totals.items(), totals.values()))  # zeros left out
    return FulfillmentRollup(source=by_id, fulfilled=fulfilled, fulfillment_ids=ids)


def index_invoices(
    invoices: Sequence[Invoice],
) -> tuple[dict[Hashable, Invoice], dict[Hashable, int]]:
    """Return the invoices by id and each line item's quantity, refusing repeated ids."""
    by_id: dict[Hashable, Invoice] = {}
    quantities: dict[Hashable, int] = {}
    item_count = 0
    for invoice in invoices:
        by_id[invoice.id] = invoice
        items = invoice.line_items
        item_count += len(items)
        for item in items:
            quantities[item.id] = item.quantity
    if len(by_id) != len(invoices):
        raise repeated("invoice", [invoice.id for invoice in invoices])
    if len(quantities) != item_count:
        raise __repeated_line_item(invoices)
    return by_id, quantities


# -- the slow paths, taken only to explain a refusal --------------------------------------------


def repeated(kind: str, ids: Sequence[Hashable]) -> DuplicateIdError:
    seen: set[Hashable] = set()
    for some_id in ids:
        if some_id in seen:
            return DuplicateIdError(kind, some_id)
        seen.add(some_id)
    msg = f"no repeated {kind} id"  # pragma: no cover  # only called after a count mismatch
    raise AssertionError(msg)  # pragma: no cover


def __repeated_line_item(invoices: Sequence[Invoice]) -> DuplicateLineItemError:
    owner: dict[Hashable, Hashable] = {}
    for invoice in invoices:
        for item in invoice.line_items:
            first = owner.setdefault(item.id, invoice.id)
            if first != invoice.id:
                return DuplicateLineItemError(item.id, (first, invoice.id))
    msg = "no repeated line-item id"  # pragma: no cover  # only called after a count mismatch
    raise AssertionError(msg)  # pragma: no cover


def first_bad_line(
    quantities: dict[Hashable, int],
    fulfillments: Sequence[Fulfillment | Restock],
) -> UnknownLineItemError | OverFulfillmentError:
    """Replay the counted fulfillments in order and return the first refusal."""
    totals: dict[Hashable, int] = {}
    for fulfillment in fulfillments:
        if fulfillment.status is not _FULFILLED or not isinstance(fulfillment, Fulfillment):
            continue
        fid = fulfillment.id
        for key, quantity in fulfillment.quantities().items():
            limit = quantities.get(key)
            if limit is None:
                return UnknownLineItemError(key, fid)
            already = totals.get(key, 0)
            if already + quantity > limit:
                return OverFulfillmentError(
                    fulfillment_id=fid,
                    line_item_id=key,
                    quantity=limit,
                    already=already,
                    requested=quantity,
                )
            totals[key] = already + quantity
    msg = "no refused fulfillment line"  # pragma: no cover  # only called after a refusal
    raise AssertionError(msg)  # pragma: no cover
