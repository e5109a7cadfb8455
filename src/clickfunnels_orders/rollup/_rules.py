"""The rollup's rules, written once and shared by the recompute and the tracker.

A line item's own status comes from the line-item machine (``InvoiceLineItem.recount``);
what this module adds is the roll-up: which lines are *required*, how a required line
counts toward its invoice and order (nothing yet, some, or all of it), and how those
counts give an invoice or order status.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, MutableSequence
from typing import Final, TypeVar

from clickfunnels_orders.entities import InvoiceLineItem
from clickfunnels_orders.machines import counted_status
from clickfunnels_orders.rollup._book import (
    ELIGIBLE_CODES,
    LINE_STATUSES,
    NEEDS_FULFILLMENT,
    STATUS_BITS,
    Book,
)
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
    "required",
    "status_of_lines",
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
    eligible for fulfillment (paid or partially refunded): :func:`required`.
    """
    return required(eligible, item.fulfillment_required, item.fulfillment_status)


def required(eligible: bool, needs_fulfillment: bool, stored: LineItemFulfillmentStatus) -> bool:
    """Return whether a line is required, from its invoice's eligibility and its own facts."""
    return eligible and needs_fulfillment and stored is not _IGNORED


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


def tally(
    book: Book,
    spans: Iterable[tuple[int, int, int]],
    fulfilled: Mapping[Hashable, int],
    counts: Counts,
) -> None:
    """Add the categories of the required lines of the invoices ``spans`` name to ``counts``.

    Each span is ``(invoice row, first line row, end line row)`` of ``book``.
    """
    get = fulfilled.get
    for row, start, end in spans:
        if not ELIGIBLE_CODES[book.invoice_statuses[row]]:
            continue
        for line in range(start, end):
            flags = book.line_flags[line]
            stored = LINE_STATUSES[flags & STATUS_BITS]
            if required(True, bool(flags & NEEDS_FULFILLMENT), stored):  # noqa: FBT003  eligible here
                shipped = get(book.line_ids[line], 0)
                counts[category(stored is _COMPLETE, shipped, book.quantities[line])] += 1


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


#: How a required line counts by its status alone: what ``apply`` leaves it in says it.
_CATEGORY_OF_STATUS: Final = {**_CATEGORY_OF, _COMPLETE: DONE}


def status_of_lines(
    eligible: bool, lines: Iterable[tuple[bool, LineItemFulfillmentStatus]]
) -> InvoiceFulfillmentStatus:
    """Return an invoice's status from its lines' ``(fulfillment_required, status)`` pairs.

    The same roll-up as :func:`invoice_status`, read from the statuses the lines hold
    rather than from fulfilled quantities: after ``FulfillmentRollup.apply`` the two agree
    (the payload layer writes it as the invoice's ``fulfillment_status``).
    """
    counts = new_counts()
    for needs_fulfillment, stored in lines:
        if required(eligible, needs_fulfillment, stored):
            counts[_CATEGORY_OF_STATUS[stored]] += 1
    return invoice_status(counts)


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
    book: Book, spans: Iterable[tuple[int, int, int]], fulfilled: Mapping[Hashable, int]
) -> dict[Hashable, int]:
    """Return what is still to ship of the required lines of the invoices ``spans`` name.

    Zeros are left out; complete lines count as fully shipped, so they never appear.
    """
    left: dict[Hashable, int] = {}
    get = fulfilled.get
    for row, start, end in spans:
        if not ELIGIBLE_CODES[book.invoice_statuses[row]]:
            continue
        for line in range(start, end):
            flags = book.line_flags[line]
            stored = LINE_STATUSES[flags & STATUS_BITS]
            key = book.line_ids[line]
            rest = still_to_ship(
                required(True, bool(flags & NEEDS_FULFILLMENT), stored),  # noqa: FBT003  eligible here
                stored is _COMPLETE,
                get(key, 0),
                book.quantities[line],
            )
            if rest:
                left[key] = rest
    return left
