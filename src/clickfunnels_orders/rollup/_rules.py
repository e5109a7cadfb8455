"""The rollup's rules, written once and shared by the recompute and the tracker.

A line item's own status comes from the line-item machine (``InvoiceLineItem.recount``);
what this module adds is the roll-up: which lines are *required*, how a required line
counts toward its invoice and order (nothing yet, some, or all of it), and how those
counts give an invoice or order status.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, MutableSequence
from typing import Final, TypeVar

from clickfunnels_orders.entities import Invoice, InvoiceLineItem
from clickfunnels_orders.machines import counted_status
from clickfunnels_orders.statuses import (
    InvoiceFulfillmentStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
)

__all__ = [
    "DONE",
    "NOTHING",
    "SOME",
    "category",
    "invoice_status",
    "is_required",
    "line_status",
    "new_counts",
    "order_status",
    "quantity_category",
    "remaining_of",
    "still_to_ship",
    "tally",
]

_IGNORED: Final = LineItemFulfillmentStatus.IGNORED
_COMPLETE: Final = LineItemFulfillmentStatus.COMPLETE

#: How a required line counts: nothing fulfilled yet, some of it, or all of it (or complete).
NOTHING: Final = 0
SOME: Final = 1
DONE: Final = 2

#: Counts of required lines per category, indexed by ``NOTHING``, ``SOME`` and ``DONE``.
Counts = MutableSequence[int]
_StatusT = TypeVar("_StatusT", InvoiceFulfillmentStatus, OrderFulfillmentStatus)


def new_counts() -> list[int]:
    """Return fresh counts: no required line in any category."""
    return [0, 0, 0]


def is_required(item: InvoiceLineItem, eligible: bool) -> bool:
    """Return whether ``item`` is due to ship and so counts toward its invoice and order.

    A line is required when it needs fulfillment, is not ignored, and its invoice is
    eligible for fulfillment (paid or partially refunded).
    """
    return eligible and item.fulfillment_required and item.fulfillment_status is not _IGNORED


def line_status(
    stored: LineItemFulfillmentStatus, fulfilled: int, quantity: int
) -> LineItemFulfillmentStatus:
    """Return a line's rolled-up status: ignored and complete stay, else by quantity.

    The same outcome as ``InvoiceLineItem.recount`` (the line-item machine's derived move),
    without building the moved item.
    """
    if stored is _IGNORED or stored is _COMPLETE:
        return stored
    return counted_status(fulfilled, quantity)


def still_to_ship(required: bool, complete: bool, fulfilled: int, quantity: int) -> int:
    """Return what is left to ship of a line: 0 unless it is required and not complete."""
    if not required or complete:
        return 0
    return max(quantity - fulfilled, 0)


def category(complete: bool, fulfilled: int, quantity: int) -> int:
    """Return how a required line counts: ``NOTHING``, ``SOME`` or ``DONE``.

    A complete line counts as done whatever its fulfilled quantity; otherwise
    :func:`quantity_category` decides.
    """
    return DONE if complete else quantity_category(fulfilled, quantity)


_CATEGORY_OF: Final = {
    LineItemFulfillmentStatus.UNFULFILLED: NOTHING,
    LineItemFulfillmentStatus.PARTIALLY_FULFILLED: SOME,
    LineItemFulfillmentStatus.FULFILLED: DONE,
}


def quantity_category(fulfilled: int, quantity: int) -> int:
    """Return how a required, not complete line counts by its fulfilled quantity.

    The line-item machine's own split (:func:`~clickfunnels_orders.machines.counted_status`):
    unfulfilled is nothing, partially fulfilled some, fulfilled done.
    """
    return _CATEGORY_OF[counted_status(fulfilled, quantity)]


def tally(invoice: Invoice, fulfilled: Mapping[Hashable, int], counts: Counts) -> None:
    """Add the categories of ``invoice``'s required lines to ``counts``."""
    eligible = invoice.eligible_for_fulfillment
    if not eligible:
        return
    for item in invoice.line_items:
        if is_required(item, eligible):
            complete = item.fulfillment_status is _COMPLETE
            counts[category(complete, fulfilled.get(item.id, 0), item.quantity)] += 1


def _rolled_up(
    counts: Counts, none: _StatusT, nothing: _StatusT, some: _StatusT, done: _StatusT
) -> _StatusT:
    """Return ``none`` without required lines, else what the lines' categories add up to."""
    total = counts[NOTHING] + counts[SOME] + counts[DONE]
    if total == 0:
        return none
    if counts[DONE] == total:
        return done
    if counts[NOTHING] == total:
        return nothing
    return some


def invoice_status(counts: Counts) -> InvoiceFulfillmentStatus:
    """Return an invoice's status from the counts of its required lines."""
    status = InvoiceFulfillmentStatus
    return _rolled_up(
        counts, status.NOT_APPLICABLE, status.UNFULFILLED, status.PARTIAL, status.COMPLETE
    )


def order_status(counts: Counts) -> OrderFulfillmentStatus:
    """Return an order's status from the counts of the required lines of all its invoices."""
    status = OrderFulfillmentStatus
    return _rolled_up(
        counts,
        status.NOT_APPLICABLE,
        status.UNFULFILLED,
        status.PARTIALLY_FULFILLED,
        status.FULFILLED,
    )


def remaining_of(
    invoices: Iterable[Invoice], fulfilled: Mapping[Hashable, int]
) -> dict[Hashable, int]:
    """Return what is still to ship of the required lines of ``invoices``, zeros left out.

    Complete lines count as fully shipped, so they never appear.
    """
    left: dict[Hashable, int] = {}
    for invoice in invoices:
        eligible = invoice.eligible_for_fulfillment
        if not eligible:
            continue
        for item in invoice.line_items:
            complete = item.fulfillment_status is _COMPLETE
            rest = still_to_ship(
                is_required(item, eligible), complete, fulfilled.get(item.id, 0), item.quantity
            )
            if rest:
                left[item.id] = rest
    return left
