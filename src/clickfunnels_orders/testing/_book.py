"""The value :func:`~clickfunnels_orders.testing.strategies.books` generates."""

from __future__ import annotations

import attrs

from clickfunnels_orders import rollup
from clickfunnels_orders.entities import Fulfillment, Invoice, Order, Restock

__all__ = ["Book"]


@attrs.frozen
class Book:
    """Orders, their invoices, the fulfillments that ship them and restocks: a consistent book.

    Line-item ids are unique across the book's invoices; fulfillments ship only lines
    that are required (their invoice paid or partially refunded, the line needing
    fulfillment and not ignored), and the fulfilled ones never ship more than a line's
    quantity; restocked restocks never release more of a line than the fulfilled ones
    shipped of it (net of the restocks before them); every line's ``fulfillment_status``
    is the one the rollup gives it (or ``complete``, for a line shipped in full, never
    released, and then marked so). So ``rollup.compute`` accepts it, and so does a
    ``rollup.Tracker`` recording its fulfillments, then its restocks, one by one.

    Attributes:
        orders: the orders, each id once.
        invoices: their invoices, each id once, several per order at times.
        fulfillments: fulfilled, cancelled and restocked fulfillments of those invoices.
        restocks: restocked and cancelled restocks of what they shipped (none unless
            asked for).
    """

    orders: tuple[Order, ...]
    invoices: tuple[Invoice, ...]
    fulfillments: tuple[Fulfillment, ...]
    restocks: tuple[Restock, ...] = ()

    def rollup(self) -> rollup.FulfillmentRollup:
        """Return ``rollup.compute(self.invoices, [*self.fulfillments, *self.restocks])``."""
        return rollup.compute(self.invoices, [*self.fulfillments, *self.restocks])
