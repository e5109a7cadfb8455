"""``FulfillmentRollup``: the frozen result of a rollup, and the queries it answers.

Public as :class:`clickfunnels_orders.rollup.FulfillmentRollup`; it has a module of its
own so that the recompute (``_compute``) and the tracker (``_tracker``) can both build it
without importing each other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from html import escape
from types import MappingProxyType
from typing import Any

import attrs

from clickfunnels_orders.entities import Invoice, InvoiceLineItem
from clickfunnels_orders.errors import UnknownInvoiceError, UnknownLineItemError
from clickfunnels_orders.rollup import _rules as rules
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
    items = invoice.line_items
    moved = tuple(item.recount(fulfilled_of(item.id)) for item in items)
    if all(new is old for new, old in zip(moved, items, strict=True)):
        return invoice
    return attrs.evolve(invoice, line_items=moved)


@attrs.frozen(slots=False, repr=False, unsafe_hash=False)
class FulfillmentRollup:
    """What is fulfilled, and the status of every line item, invoice and order.

    Build it with :func:`clickfunnels_orders.rollup.compute`,
    :func:`clickfunnels_orders.rollup.merge` or ``Tracker.snapshot()``; the constructor
    trusts its arguments and checks nothing. It is immutable, compares by value (its
    invoices, the fulfilled quantity of each line item, and the ids of the fulfillments
    it counted), hashes, and pickles without its lookup caches.

    Queries about a line item it does not know raise ``UnknownLineItemError``, and about
    an invoice it does not know ``UnknownInvoiceError``. An order with no invoice here has
    no required line, so its status is ``not_applicable`` and nothing remains.
    """

    _invoices: Mapping[Hashable, Invoice]
    _fulfilled: Mapping[Hashable, int]
    _fulfillment_ids: frozenset[Hashable]

    # -- the value -------------------------------------------------------------------------

    @property
    def invoices(self) -> Mapping[Hashable, Invoice]:
        """The invoices, by id, in the versions the rollup was computed from."""
        return MappingProxyType(self._invoices)

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

    # -- lookups, built on first use -------------------------------------------------------

    @functools.cached_property
    def _items(self) -> dict[Hashable, InvoiceLineItem]:
        return {item.id: item for invoice in self._invoices.values() for item in invoice.line_items}

    @functools.cached_property
    def _orders(self) -> dict[Hashable, list[Invoice]]:
        orders: dict[Hashable, list[Invoice]] = {}
        for invoice in self._invoices.values():
            orders.setdefault(invoice.order_id, []).append(invoice)
        return orders

    def _item(self, line_item_id: Hashable) -> InvoiceLineItem:
        item = self._items.get(line_item_id)
        if item is None:
            raise UnknownLineItemError(line_item_id)
        return item

    def _invoice(self, invoice_id: Hashable) -> Invoice:
        invoice = self._invoices.get(invoice_id)
        if invoice is None:
            raise UnknownInvoiceError(invoice_id)
        return invoice

    # -- queries ---------------------------------------------------------------------------

    def fulfilled_quantity(self, line_item_id: Hashable) -> int:
        """Return how much of a line item the counted fulfillments shipped.

        Raises:
            UnknownLineItemError: when no invoice of the rollup holds the line item.
        """
        self._item(line_item_id)
        return self._fulfilled.get(line_item_id, 0)

    def line_item_status(self, line_item_id: Hashable) -> LineItemFulfillmentStatus:
        """Return a line item's rolled-up status: ignored and complete stay, else by quantity.

        Raises:
            UnknownLineItemError: when no invoice of the rollup holds the line item.
        """
        item = self._item(line_item_id)
        return item.recount(self._fulfilled.get(line_item_id, 0)).fulfillment_status

    def invoice_status(self, invoice_id: Hashable) -> InvoiceFulfillmentStatus:
        """Return an invoice's status over its required lines (``not_applicable`` if none).

        Raises:
            UnknownInvoiceError: when the rollup holds no invoice with this id.
        """
        counts = rules.new_counts()
        rules.tally(self._invoice(invoice_id), self._fulfilled, counts)
        return rules.invoice_status(counts)

    def order_status(self, order_id: Hashable) -> OrderFulfillmentStatus:
        """Return an order's status over the required lines of all its invoices here.

        An order with no required line, or no invoice in this rollup, is ``not_applicable``.
        """
        counts = rules.new_counts()
        for invoice in self._orders.get(order_id, ()):
            rules.tally(invoice, self._fulfilled, counts)
        return rules.order_status(counts)

    def remaining(self, order_id: Hashable) -> Mapping[Hashable, int]:
        """Return what is still to ship for an order: line-item id to quantity.

        Only required lines appear (see the module docs), complete lines count as shipped,
        and lines with nothing left are left out, so a fulfilled order gives ``{}``.
        """
        return rules.remaining_of(self._orders.get(order_id, ()), self._fulfilled)

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
        return rows_of(self._invoices.values(), self._fulfilled)

    # -- dunder ----------------------------------------------------------------------------

    def __hash__(self) -> int:
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                (
                    frozenset(self._invoices.items()),
                    frozenset(self._fulfilled.items()),
                    self._fulfillment_ids,
                )
            )
            self.__dict__["_hash"] = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        # Pickle the value only: the lookup caches are rebuilt on first use.
        return {
            "_invoices": self._invoices,
            "_fulfilled": self._fulfilled,
            "_fulfillment_ids": self._fulfillment_ids,
        }

    def __repr__(self) -> str:
        return (
            f"FulfillmentRollup(invoices={len(self._invoices)}, "
            f"line_items={len(self._items)}, fulfilled_line_items={len(self._fulfilled)}, "
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
            f"{escape(str(len(orders)))} orders, {len(self._invoices)} invoices, "
            f"{len(self._items)} line items, {len(self._fulfillment_ids)} fulfillments counted"
            f"<table><tr>{head}</tr>{body}</table>{tail}</div>"
        )


def _first(mapping: Mapping[Hashable, object], count: int) -> Iterator[Hashable]:
    for index, key in enumerate(mapping):
        if index >= count:
            return
        yield key
