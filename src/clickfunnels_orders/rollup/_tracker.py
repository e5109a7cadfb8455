"""``Tracker``: the rollup kept up to date one invoice or fulfillment at a time.

Public as :class:`clickfunnels_orders.rollup.Tracker`. Its state is private and mutable
(plain dicts and small slotted records); everything it shows is a frozen value or a
read-only view, and :meth:`Tracker.snapshot` gives the :class:`FulfillmentRollup` that
``compute`` would give over the same invoices and fulfillments.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from types import MappingProxyType
from typing import Final

from clickfunnels_orders._values import to_id, to_instances
from clickfunnels_orders.entities import Fulfillment, Invoice, InvoiceLineItem, Restock
from clickfunnels_orders.entities.invoice import ELIGIBLE_FOR_FULFILLMENT
from clickfunnels_orders.errors import (
    DuplicateIdError,
    DuplicateLineItemError,
    FulfillmentConflictError,
    InvalidTypeError,
    NotFulfillableError,
    OverFulfilledLineError,
    OverFulfillmentError,
    OverReleaseError,
    UnknownInvoiceError,
    UnknownLineItemError,
    shown,
)
from clickfunnels_orders.rollup import _rules as rules
from clickfunnels_orders.rollup._book import Book
from clickfunnels_orders.rollup._records import LineItemRow, rows_of
from clickfunnels_orders.rollup._tracker_restocks import RestockRecords
from clickfunnels_orders.rollup._value import FulfillmentRollup, recount_invoice
from clickfunnels_orders.statuses import (
    FulfillmentStatus,
    InvoiceFulfillmentStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
)

__all__ = ["Tracker"]

_FULFILLED: Final = FulfillmentStatus.FULFILLED
_COMPLETE: Final = LineItemFulfillmentStatus.COMPLETE
_IGNORED: Final = LineItemFulfillmentStatus.IGNORED
_ELIGIBLE_TEXT: Final = " or ".join(sorted(ELIGIBLE_FOR_FULFILLMENT))


class _Line:
    """What the tracker keeps per invoice line item (slotted: there may be millions)."""

    __slots__ = (
        "complete",
        "fulfillable",
        "invoice",
        "invoice_counts",
        "item",
        "order_counts",
        "quantity",
        "required",
    )

    def __init__(
        self,
        item: InvoiceLineItem,
        invoice: Invoice,
        required: bool,
        invoice_counts: list[int],
        order_counts: list[int],
    ) -> None:
        self.item = item
        self.invoice = invoice
        self.quantity = item.quantity
        self.complete = item.fulfillment_status is _COMPLETE
        self.fulfillable = invoice.eligible_for_fulfillment and item.fulfillment_status not in (
            _IGNORED,
            _COMPLETE,
        )
        self.required = required
        self.invoice_counts = invoice_counts
        self.order_counts = order_counts

    def refusal(self) -> str:
        """Return why nothing may be fulfilled on this line now (it is not ``fulfillable``)."""
        status = self.item.fulfillment_status
        if status is _IGNORED:
            return "it is ignored (unignore it before fulfilling it)"
        if status is _COMPLETE:
            return "it is complete, so nothing more can be fulfilled on it"
        invoice = self.invoice
        if not invoice.eligible_for_fulfillment:
            return (
                f"its invoice {shown(invoice.id)} is {invoice.status.value}, and only "
                f"{_ELIGIBLE_TEXT} invoices are fulfilled"
            )
        return "it may be fulfilled"  # pragma: no cover  # only asked of unfulfillable lines


class _Order:
    """An order's invoices (an ordered set) and the counts of their required lines."""

    __slots__ = ("counts", "invoices")

    def __init__(self) -> None:
        self.counts = rules.new_counts()
        self.invoices: dict[Hashable, None] = {}


class Tracker(RestockRecords):
    """An incremental rollup: record invoices and fulfillments as they change, query any time.

    ``record`` upserts an :class:`Invoice` or a :class:`Fulfillment` by id, in time
    proportional to that entity's lines, never to the size of the book. Every check runs
    before any change, so a refused record leaves the tracker as it was. Invoice, order
    and line statuses are kept up to date as counters, so status queries take constant
    time. Calls are serialised by a lock, so a record is atomic for other threads.

    The tracker answers the same queries as :class:`FulfillmentRollup`, and
    ``tracker.snapshot() == compute(tracker.invoices.values(),
    tracker.fulfillments.values())`` always holds.

    Args:
        invoices: the invoices to start from (line-item ids unique across them).

    Raises:
        DuplicateIdError: for an invoice id given twice.
        DuplicateLineItemError: for a line-item id held by two invoices.
    """

    def __init__(self, invoices: Iterable[Invoice] = ()) -> None:
        self._lock = threading.Lock()
        self._invoices: dict[Hashable, Invoice] = {}
        self._invoice_counts: dict[Hashable, list[int]] = {}
        self._orders: dict[Hashable, _Order] = {}
        self._lines: dict[Hashable, _Line] = {}
        self._fulfilled: dict[Hashable, int] = {}
        self._fulfillments: dict[Hashable, Fulfillment] = {}
        self._counted: set[Hashable] = set()
        self._restocks: dict[Hashable, Restock] = {}
        #: What restocked restocks have released, per line item (they still name it).
        self._released: dict[Hashable, int] = {}
        for invoice in to_instances(invoices, Invoice, "invoices"):
            if invoice.id in self._invoices:
                raise DuplicateIdError("invoice", invoice.id)
            self._check_line_ids(invoice)
            self._add_invoice(invoice)

    # -- views -----------------------------------------------------------------------------

    @property
    def invoices(self) -> Mapping[Hashable, Invoice]:
        """The invoices held, by id (latest recorded versions): a read-only copy.

        Taken under the lock, so it is consistent even while other threads record; it
        does not follow later records (ask again).
        """
        with self._lock:
            return MappingProxyType(dict(self._invoices))

    @property
    def fulfillments(self) -> Mapping[Hashable, Fulfillment]:
        """The fulfillments held, by id, in their current status: a read-only copy.

        Taken under the lock, like :attr:`invoices`.
        """
        with self._lock:
            return MappingProxyType(dict(self._fulfillments))

    @property
    def restocks(self) -> Mapping[Hashable, Restock]:
        """The restocks held, by id, in their current status: a read-only copy."""
        with self._lock:
            return MappingProxyType(dict(self._restocks))

    @property
    def order_ids(self) -> AbstractSet[Hashable]:
        """The ids of the orders of the invoices held: a frozen set, taken under the lock."""
        with self._lock:
            return frozenset(self._orders)

    # -- recording -------------------------------------------------------------------------

    def record(self, entity: Invoice | Fulfillment | Restock) -> bool:
        """Upsert an invoice or a fulfillment by id; return whether anything changed.

        A new ``fulfilled`` fulfillment counts once its lines pass every check. A cancelled
        or restocked version of a counted one releases its quantities, once. A fulfillment
        first seen cancelled or restocked is kept, never counted, and its lines are not
        checked (as ``compute`` does not check them). The same version again changes
        nothing, whatever its history or other fields. An invoice version replaces the
        held one when it keeps every fulfilled line, fulfilled quantities within its
        quantities, and complete lines complete. A restocked restock releases its
        quantities once, as a restocked fulfillment does; a cancelled one releases nothing
        (cancelling a restock that released puts its quantities back).

        Raises:
            UnknownLineItemError: a fulfillment line names no known line item.
            NotFulfillableError: a new fulfillment names an ignored or complete line, or a
                line of an invoice that is not paid or partially refunded.
            OverFulfillmentError: a new fulfillment would ship more than a line's quantity
                (``OverFulfilledLineError`` when an invoice version lowers a quantity
                below what is fulfilled).
            FulfillmentConflictError: the record changes a fulfillment's lines, reopens a
                cancelled or restocked one, releases from a complete line, or is an invoice
                version that drops a fulfilled or complete line or reopens a complete one.
            OverReleaseError: a restock, or cancelling a fulfillment, would release more
                of a line than is fulfilled.
            DuplicateLineItemError: an invoice holds a line-item id of another invoice.
            InvalidTypeError: for anything but an ``Invoice``, a ``Fulfillment`` or a
                ``Restock``.
        """
        with self._lock:
            if isinstance(entity, Fulfillment):
                return self._record_fulfillment(entity)
            if isinstance(entity, Invoice):
                return self._record_invoice(entity)
            if isinstance(entity, Restock):
                return self._record_restock(entity)
        raise InvalidTypeError("entity", entity, "an Invoice, a Fulfillment or a Restock")

    def _record_fulfillment(self, fulfillment: Fulfillment) -> bool:
        fid = fulfillment.id
        held = self._fulfillments.get(fid)
        if held is None:
            if fulfillment.status is _FULFILLED:
                self._count(fulfillment)
            self._fulfillments[fid] = fulfillment
            return True
        if held.lines != fulfillment.lines and Counter(held.lines) != Counter(fulfillment.lines):
            raise FulfillmentConflictError(
                f"fulfillment {shown(fid)}",
                f"this version has lines {_lines_text(fulfillment)}, the one held "
                f"{_lines_text(held)}",
                "a fulfillment's lines never change; create a new fulfillment instead",
                fulfillment_id=fid,
            )
        if fulfillment.status is held.status:
            return False
        if held.status is not _FULFILLED:
            raise FulfillmentConflictError(
                f"fulfillment {shown(fid)}",
                f"it is {held.status.value}, and this version is {fulfillment.status.value}",
                "cancelled and restocked are final; create a new fulfillment instead",
                fulfillment_id=fid,
            )
        self._release(held)
        self._fulfillments[fid] = fulfillment
        return True

    def _count(self, fulfillment: Fulfillment) -> None:
        """Check every line of a new fulfilled fulfillment, then count it.

        The hot path of a warehouse feed: one dict lookup per line to check, and the
        change applied from what the check looked up.
        """
        fid = fulfillment.id
        lines = self._lines
        fulfilled = self._fulfilled
        # Three passes, in the order the contract lists the checks, so a fulfillment with
        # several faults is refused for the most basic one: unknown, then not
        # fulfillable, then too much.
        found: list[tuple[Hashable, int, _Line]] = []
        for key, quantity in fulfillment.quantities().items():
            line = lines.get(key)
            if line is None:
                raise UnknownLineItemError(key, fid)
            found.append((key, quantity, line))
        for key, _quantity, line in found:
            if not line.fulfillable:
                raise NotFulfillableError(
                    fulfillment_id=fid, line_item_id=key, reason=line.refusal()
                )
        checked: list[tuple[Hashable, _Line, int, int]] = []
        for key, quantity, line in found:
            already = fulfilled.get(key, 0)
            if already + quantity > line.quantity:
                raise OverFulfillmentError(
                    fulfillment_id=fid,
                    line_item_id=key,
                    quantity=line.quantity,
                    already=already,
                    requested=quantity,
                )
            checked.append((key, line, already, already + quantity))
        for key, line, old, new in checked:
            fulfilled[key] = new
            if line.required:  # and not complete: a complete line is not fulfillable
                _recount(line, old, new)
        self._counted.add(fid)

    def _release(self, fulfillment: Fulfillment) -> None:
        """Check that a counted fulfillment may be released, then release it."""
        fid = fulfillment.id
        wanted = fulfillment.quantities()
        lines = self._lines
        for key in wanted:
            if lines[key].complete:
                raise FulfillmentConflictError(
                    f"fulfillment {shown(fid)}",
                    f"releasing it would take quantity from invoice line item {shown(key)}, "
                    "which is complete",
                    "a complete line's fulfilled quantity can no longer be released",
                    fulfillment_id=fid,
                    line_item_id=key,
                )
        fulfilled = self._fulfilled
        for key, quantity in wanted.items():
            if quantity > fulfilled.get(key, 0):
                raise OverReleaseError(
                    releaser=f"fulfillment {shown(fid)}",
                    line_item_id=key,
                    fulfilled=fulfilled.get(key, 0),
                    requested=quantity,
                )
        for key, quantity in wanted.items():
            self._shift(key, -quantity)
        self._counted.discard(fid)

    def _shift(self, key: Hashable, delta: int) -> None:
        """Move a line's fulfilled quantity by ``delta`` and keep the counters in step."""
        line = self._lines[key]
        fulfilled = self._fulfilled
        old = fulfilled.get(key, 0)
        new = old + delta
        if new:
            fulfilled[key] = new
        else:
            del fulfilled[key]
        if line.required and not line.complete:
            _recount(line, old, new)

    def _record_invoice(self, invoice: Invoice) -> bool:
        iid = invoice.id
        held = self._invoices.get(iid)
        if held is not None and (held is invoice or held == invoice):
            return False
        self._check_line_ids(invoice)
        lines = self._lines
        fulfilled = self._fulfilled
        for item in invoice.line_items:
            key = item.id
            line = lines.get(key)
            if line is not None and line.complete and item.fulfillment_status is not _COMPLETE:
                raise FulfillmentConflictError(
                    f"invoice {shown(iid)}",
                    f"this version shows line item {shown(key)} "
                    f"{item.fulfillment_status.value}, the one held shows it complete",
                    "complete is final: an invoice version must keep complete lines complete",
                    invoice_id=iid,
                    line_item_id=key,
                )
            done = fulfilled.get(key, 0)
            if done > item.quantity:
                raise OverFulfilledLineError(
                    cause=f"invoice {shown(iid)} in this version",
                    line_item_id=key,
                    quantity=item.quantity,
                    fulfilled=done,
                )
        if held is not None:
            kept = {item.id for item in invoice.line_items}
            for item in held.line_items:
                key = item.id
                named = key in fulfilled or key in self._released
                if key not in kept and (named or lines[key].complete):
                    shipped = (
                        "is complete"
                        if lines[key].complete
                        else f"has {fulfilled.get(key, 0)} fulfilled"
                        + (" and restocks naming it" if key in self._released else "")
                    )
                    raise FulfillmentConflictError(
                        f"invoice {shown(iid)}",
                        f"this version drops line item {shown(key)}, which {shipped}",
                        "an invoice version keeps every line with fulfilled quantity "
                        "(cancel or restock its fulfillments first) and every complete line",
                        invoice_id=iid,
                        line_item_id=key,
                    )
            self._remove_invoice(held)
        self._add_invoice(invoice)
        return True

    def _check_line_ids(self, invoice: Invoice) -> None:
        lines = self._lines
        iid = invoice.id
        for item in invoice.line_items:
            line = lines.get(item.id)
            if line is not None and line.invoice.id != iid:
                raise DuplicateLineItemError(item.id, (line.invoice.id, iid))

    def _add_invoice(self, invoice: Invoice) -> None:
        iid = invoice.id
        order = self._orders.get(invoice.order_id)
        if order is None:
            order = self._orders[invoice.order_id] = _Order()
        order.invoices[iid] = None
        counts = self._invoice_counts[iid] = rules.new_counts()
        order_counts = order.counts
        eligible = invoice.eligible_for_fulfillment
        lines = self._lines
        fulfilled = self._fulfilled
        for item in invoice.line_items:
            required = rules.is_required(item, eligible)
            line = lines[item.id] = _Line(item, invoice, required, counts, order_counts)
            if required:
                kind = rules.category(line.complete, fulfilled.get(item.id, 0), line.quantity)
                counts[kind] += 1
                order_counts[kind] += 1
        self._invoices[iid] = invoice

    def _remove_invoice(self, invoice: Invoice) -> None:
        iid = invoice.id
        order = self._orders[invoice.order_id]
        lines = self._lines
        fulfilled = self._fulfilled
        for item in invoice.line_items:
            line = lines.pop(item.id)
            if line.required:
                kind = rules.category(line.complete, fulfilled.get(item.id, 0), line.quantity)
                order.counts[kind] -= 1
        del order.invoices[iid]
        if not order.invoices:
            del self._orders[invoice.order_id]
        del self._invoice_counts[iid]
        del self._invoices[iid]

    # -- queries ---------------------------------------------------------------------------

    def _line(self, line_item_id: Hashable) -> _Line:
        line = self._lines.get(to_id(line_item_id, "line_item_id"))
        if line is None:
            raise UnknownLineItemError(line_item_id)
        return line

    def fulfilled_quantity(self, line_item_id: Hashable) -> int:
        """Return how much of a line item the counted fulfillments shipped.

        Raises:
            UnknownLineItemError: when no invoice held holds the line item.
        """
        with self._lock:
            self._line(line_item_id)
            return self._fulfilled.get(line_item_id, 0)

    def line_item_status(self, line_item_id: Hashable) -> LineItemFulfillmentStatus:
        """Return a line item's rolled-up status: ignored and complete stay, else by quantity.

        Raises:
            UnknownLineItemError: when no invoice held holds the line item.
        """
        with self._lock:
            item = self._line(line_item_id).item
            return item.recount(self._fulfilled.get(line_item_id, 0)).fulfillment_status

    def invoice_status(self, invoice_id: Hashable) -> InvoiceFulfillmentStatus:
        """Return an invoice's status over its required lines, in constant time.

        Raises:
            UnknownInvoiceError: when no invoice with this id is held.
        """
        with self._lock:
            counts = self._invoice_counts.get(to_id(invoice_id, "invoice_id"))
            if counts is None:
                raise UnknownInvoiceError(invoice_id)
            return rules.invoice_status(counts)

    def order_status(self, order_id: Hashable) -> OrderFulfillmentStatus:
        """Return an order's status over its invoices' required lines, in constant time.

        An order with no required line, or no invoice held, is ``not_applicable``.
        """
        with self._lock:
            order = self._orders.get(to_id(order_id, "order_id"))
            if order is None:
                return OrderFulfillmentStatus.NOT_APPLICABLE
            return rules.order_status(order.counts)

    def remaining(self, order_id: Hashable) -> Mapping[Hashable, int]:
        """Return what is still to ship for an order: line-item id to quantity.

        Same rules as :meth:`FulfillmentRollup.remaining`; takes time proportional to the
        order's line items.
        """
        with self._lock:
            order = self._orders.get(to_id(order_id, "order_id"))
            if order is None:
                return {}
            book = Book.of(self._invoices[iid] for iid in order.invoices)
            return rules.remaining_of(book, book.invoices(), self._fulfilled)

    def apply(self, invoice: Invoice) -> Invoice:
        """Return ``invoice`` with each line's ``fulfillment_status`` rolled up.

        Same rules as :meth:`FulfillmentRollup.apply`.

        Raises:
            UnknownLineItemError: for a line item the tracker does not hold.
        """
        if not isinstance(invoice, Invoice):
            raise InvalidTypeError("invoice", invoice, "an Invoice")
        with self._lock:
            return recount_invoice(invoice, self._fulfilled_unlocked)

    def _fulfilled_unlocked(self, line_item_id: Hashable) -> int:
        self._line(line_item_id)
        return self._fulfilled.get(line_item_id, 0)

    def rows(self) -> list[LineItemRow]:
        """Return one plain ``dict`` per invoice line item, as :meth:`FulfillmentRollup.rows`.

        Taken under the lock, so the rows are consistent with one another.
        """
        with self._lock:
            return rows_of(Book.of(self._invoices.values()), self._fulfilled)

    def snapshot(self) -> FulfillmentRollup:
        """Return the rollup as it stands: a frozen value, equal to a full recompute."""
        with self._lock:
            return FulfillmentRollup(
                source=dict(self._invoices),
                fulfilled=dict(self._fulfilled),
                fulfillment_ids=frozenset(self._counted),
            )

    def __repr__(self) -> str:
        return (
            f"Tracker(invoices={len(self._invoices)}, line_items={len(self._lines)}, "
            f"fulfillments={len(self._fulfillments)}, counted={len(self._counted)})"
        )


def _lines_text(fulfillment: Fulfillment | Restock) -> str:
    return ", ".join(
        f"{line.quantity} x {shown(line.invoice_line_item_id)}" for line in fulfillment.lines
    )


def _recount(line: _Line, old: int, new: int) -> None:
    """Move a required line between its invoice's and order's status counters."""
    before = rules.quantity_category(old, line.quantity)
    after = rules.quantity_category(new, line.quantity)
    if before != after:
        for counts in (line.invoice_counts, line.order_counts):
            counts[before] -= 1
            counts[after] += 1
