"""``FulfillmentRollup``: the frozen result of a rollup, and the queries it answers.

Public as :class:`clickfunnels_orders.rollup.FulfillmentRollup`; it has a module of its
own so that the recompute (``_compute``), the tracker (``_tracker``) and the partials
(``_partial``) can all build it without importing each other.

A rollup answers from a :class:`~clickfunnels_orders.rollup._book.Book` of its invoices'
facts. ``compute`` and ``Tracker.snapshot`` hand it the invoices themselves, and the
book is read from them on first use, so the recompute pays nothing for it; ``combine``
hands it the book its partials carried.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from html import escape
from types import MappingProxyType
from typing import Any

import attrs

from clickfunnels_orders._values import to_id
from clickfunnels_orders.entities import Invoice
from clickfunnels_orders.errors import InvalidTypeError, UnknownInvoiceError, UnknownLineItemError
from clickfunnels_orders.rollup import _rules as rules
from clickfunnels_orders.rollup._book import LINE_STATUSES, STATUS_BITS, Book
from clickfunnels_orders.rollup._records import LineItemRow, rows_of
from clickfunnels_orders.statuses import (
    InvoiceFulfillmentStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
)

__all__ = ["FulfillmentRollup", "recount_invoice"]

#: Orders listed in a rollup's notebook rendering; the rest are summarised.
_HTML_ROWS = 20


def recount_invoice(
    invoice: Invoice,
    fulfilled_of: Callable[[Hashable], int],
) -> Invoice:
    """Return ``invoice`` with each line's status moved by its fulfilled quantity.

    Each line goes through ``InvoiceLineItem.recount`` (the line-item machine's derived
    move); ignored and complete lines stay. The invoice itself comes back unchanged when
    no line moves.

    Args:
        invoice: the invoice to bring up to date.
        fulfilled_of: the fulfilled quantity of a line item; raises
            ``UnknownLineItemError`` for one it does not know.
    """
    if not isinstance(invoice, Invoice):
        raise InvalidTypeError("invoice", invoice, "an Invoice")
    items = invoice.line_items
    moved = tuple(item.recount(fulfilled_of(item.id)) for item in items)
    if all(new is old for new, old in zip(moved, items, strict=True)):
        return invoice
    return attrs.evolve(invoice, line_items=moved)


@attrs.frozen(slots=False, repr=False, eq=False)
class FulfillmentRollup:
    """What is fulfilled, and the status of every line item, invoice and order.

    Build it with :func:`clickfunnels_orders.rollup.compute`,
    :func:`clickfunnels_orders.rollup.merge`, :func:`clickfunnels_orders.rollup.combine`
    or ``Tracker.snapshot()``; the constructor trusts its arguments and checks nothing.
    It is immutable, compares by value (what it reads of each invoice: order, status and
    each line's id, variant, quantity, stored status and whether it needs fulfillment;
    the fulfilled quantity of each line item; and the ids of the fulfillments it
    counted), hashes, and pickles compactly, without its lookup caches.

    Queries about a line item it does not know raise ``UnknownLineItemError``, and about
    an invoice it does not know ``UnknownInvoiceError``. An order with no invoice here has
    no required line, so its status is ``not_applicable`` and nothing remains.
    """

    _source: Mapping[Hashable, Invoice] | Book
    _fulfilled: Mapping[Hashable, int]
    _fulfillment_ids: frozenset[Hashable]

    # -- the value -------------------------------------------------------------------------

    @property
    def fulfilled(self) -> Mapping[Hashable, int]:
        """The fulfilled quantity of each line item that has any (zeros are left out)."""
        return MappingProxyType(self._fulfilled)

    @property
    def fulfillment_ids(self) -> frozenset[Hashable]:
        """The ids of the fulfillments counted (those in status ``fulfilled``)."""
        return self._fulfillment_ids

    @property
    def order_ids(self) -> AbstractSet[Hashable]:
        """The ids of the orders of the invoices held: a read-only, set-like view."""
        return self._orders.keys()

    @property
    def invoice_ids(self) -> AbstractSet[Hashable]:
        """The ids of the invoices held: a read-only, set-like view."""
        return self._invoice_rows.keys()

    # -- lookups, built on first use -------------------------------------------------------

    @functools.cached_property
    def _book(self) -> Book:
        source = self._source
        return source if isinstance(source, Book) else Book.of(source.values())

    @functools.cached_property
    def _line_rows(self) -> dict[Hashable, int]:
        ids = self._book.line_ids
        return dict(zip(ids, range(len(ids)), strict=True))

    @functools.cached_property
    def _spans(self) -> list[tuple[int, int, int]]:
        return list(self._book.invoices())

    @functools.cached_property
    def _invoice_rows(self) -> dict[Hashable, int]:
        ids = self._book.invoice_ids
        return dict(zip(ids, range(len(ids)), strict=True))

    @functools.cached_property
    def _orders(self) -> dict[Hashable, list[tuple[int, int, int]]]:
        orders: dict[Hashable, list[tuple[int, int, int]]] = {}
        order_ids = self._book.order_ids
        for span in self._spans:
            orders.setdefault(order_ids[span[0]], []).append(span)
        return orders

    @functools.cached_property
    def _facts(self) -> dict[Hashable, tuple[object, ...]]:
        return self._book.facts()

    def _line(self, line_item_id: Hashable) -> int:
        row = self._line_rows.get(to_id(line_item_id, "line_item_id"))
        if row is None:
            raise UnknownLineItemError(line_item_id)
        return row

    def _invoice(self, invoice_id: Hashable) -> tuple[int, int, int]:
        row = self._invoice_rows.get(to_id(invoice_id, "invoice_id"))
        if row is None:
            raise UnknownInvoiceError(invoice_id)
        return self._spans[row]

    # -- queries ---------------------------------------------------------------------------

    def fulfilled_quantity(self, line_item_id: Hashable) -> int:
        """Return how much of a line item the counted fulfillments shipped.

        Raises:
            UnknownLineItemError: when no invoice of the rollup holds the line item.
        """
        self._line(line_item_id)
        return self._fulfilled.get(line_item_id, 0)

    def line_item_status(self, line_item_id: Hashable) -> LineItemFulfillmentStatus:
        """Return a line item's rolled-up status: ignored and complete stay, else by quantity.

        Raises:
            UnknownLineItemError: when no invoice of the rollup holds the line item.
        """
        book = self._book
        row = self._line(line_item_id)
        stored = LINE_STATUSES[book.line_flags[row] & STATUS_BITS]
        return rules.line_status(stored, self._fulfilled.get(line_item_id, 0), book.quantities[row])

    def invoice_status(self, invoice_id: Hashable) -> InvoiceFulfillmentStatus:
        """Return an invoice's status over its required lines (``not_applicable`` if none).

        Raises:
            UnknownInvoiceError: when the rollup holds no invoice with this id.
        """
        counts = rules.new_counts()
        rules.tally(self._book, [self._invoice(invoice_id)], self._fulfilled, counts)
        return rules.invoice_status(counts)

    def order_status(self, order_id: Hashable) -> OrderFulfillmentStatus:
        """Return an order's status over the required lines of all its invoices here.

        An order with no required line, or no invoice in this rollup, is ``not_applicable``.
        """
        counts = rules.new_counts()
        orders = self._orders.get(to_id(order_id, "order_id"), ())
        rules.tally(self._book, orders, self._fulfilled, counts)
        return rules.order_status(counts)

    def remaining(self, order_id: Hashable) -> Mapping[Hashable, int]:
        """Return what is still to ship for an order: line-item id to quantity.

        Only required lines appear (see the module docs), complete lines count as shipped,
        and lines with nothing left are left out, so a fulfilled order gives ``{}``.
        """
        orders = self._orders.get(to_id(order_id, "order_id"), ())
        return rules.remaining_of(self._book, orders, self._fulfilled)

    def apply(self, invoice: Invoice) -> Invoice:
        """Return ``invoice`` with each line's ``fulfillment_status`` rolled up.

        Lines move through the line-item machine (``InvoiceLineItem.recount``, no history);
        ignored and complete lines stay. The invoice may be a newer version than the one
        the rollup holds, as long as the rollup knows every line item it holds.

        Raises:
            UnknownLineItemError: for a line item the rollup does not know.
        """
        return recount_invoice(invoice, self.fulfilled_quantity)

    def rows(self) -> list[LineItemRow]:
        """Return one plain ``dict`` per invoice line item: the rollup as a table.

        Each row has ``order_id``, ``invoice_id``, ``invoice_line_item_id``,
        ``variant_id``, ``quantity``, ``fulfilled``, ``remaining`` (still to ship for a
        required line, 0 for one that is not required), ``status`` (the rolled-up
        :class:`LineItemFulfillmentStatus`) and ``required``. Rows come in invoice order,
        then line order; ``pandas.DataFrame(rollup.rows())`` is the way into pandas.
        """
        return rows_of(self._book, self._fulfilled)

    # -- dunder ----------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FulfillmentRollup):
            return NotImplemented
        return self is other or (
            self._fulfillment_ids == other._fulfillment_ids
            and self._fulfilled == other._fulfilled
            and self._facts == other._facts
        )

    def __hash__(self) -> int:
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    frozenset(self._facts.items()),
                    frozenset(self._fulfilled.items()),
                    self._fulfillment_ids,
                )
            )
            self.__dict__["_hash"] = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        # Pickle the value only, as its compact book: the lookups are rebuilt on first use.
        return {
            "_source": self._book,
            "_fulfilled": self._fulfilled,
            "_fulfillment_ids": self._fulfillment_ids,
        }

    def __repr__(self) -> str:
        return (
            f"FulfillmentRollup(invoices={len(self._invoice_rows)}, "
            f"line_items={len(self._book)}, fulfilled_line_items={len(self._fulfilled)}, "
            f"fulfillments={len(self._fulfillment_ids)})"
        )

    def _repr_html_(self) -> str:
        orders = self._orders
        rows: list[tuple[object, ...]] = []
        for order_id in _first(orders, _HTML_ROWS):
            left = self.remaining(order_id)
            rows.append(
                (order_id, self.order_status(order_id), len(orders[order_id]), sum(left.values()))
            )
        head = "".join(
            f"<th>{escape(name)}</th>" for name in ("order", "status", "invoices", "units to ship")
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>"
            for row in rows
        )
        more = len(orders) - len(rows)
        tail = f"<p>and {more} more orders</p>" if more > 0 else ""
        return (
            "<div><strong>FulfillmentRollup</strong> "
            f"{escape(str(len(orders)))} orders, {len(self._invoice_rows)} invoices, "
            f"{len(self._book)} line items, {len(self._fulfillment_ids)} fulfillments counted"
            f"<table><tr>{head}</tr>{body}</table>{tail}</div>"
        )


def _first(mapping: Mapping[Hashable, object], count: int) -> Iterator[Hashable]:
    for index, key in enumerate(mapping):
        if index >= count:
            return
        yield key
