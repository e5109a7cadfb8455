"""The store's rollup: counters kept in tables, statuses materialised per order.

The store records what the platform says happened, as :func:`rollup.compute` does, and
keeps the rollup of everything it holds in four tables:

- ``line_items``: each line item of the invoices held, its quantity and the quantity
  that counted fulfillments shipped of it;
- ``fulfillment_lines`` and ``fulfillment_counts``: each fulfillment's lines, whether it
  is in status fulfilled, and how many of its line items are not known yet. A
  fulfillment *counts* when it is fulfilled and all its line items are known; one that
  arrives before its invoice waits, and counts once the invoice is stored;
- ``invoice_statuses`` and ``order_statuses``, and each line's status and remaining
  quantity: what the queries answer, read by primary key or index.

No rule of the rollup is restated here. After each change, the orders it touched are
recomputed with :func:`rollup.compute` over that order's invoices and its line items'
fulfilled quantities, and the answers are written back. So an apply costs in proportion
to the orders it touches, never to the size of the store, and a query is one read.

Each function runs inside the caller's transaction; one that raises leaves the caller
to roll back, so a refused delivery changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Iterable, Mapping
from typing import Final

from clickfunnels_orders import rollup
from clickfunnels_orders.entities import Fulfillment, FulfillmentLine, Invoice, InvoiceLineItem
from clickfunnels_orders.errors import (
    DuplicateLineItemError,
    OverFulfilledLineError,
    OverFulfillmentError,
    UnknownLineItemError,
)
from clickfunnels_orders.statuses import FulfillmentStatus
from clickfunnels_orders.store._codec import dump_key, load_json, load_key

__all__ = ["record_fulfillment", "record_invoice", "refresh_orders"]

#: The id of the stand-in fulfillment that carries an order's fulfilled quantities into
#: ``compute`` (only ever one, and only inside one recompute).
_TOTALS_ID: Final = "fulfilled quantities held by the store"

_COUNTED_USING: Final = (
    "SELECT fl.fulfillment_id FROM fulfillment_lines AS fl"
    " JOIN fulfillment_counts AS fc ON fc.fulfillment_id = fl.fulfillment_id"
    " WHERE fl.line_item_id = ? AND fc.fulfilled = 1 AND fc.missing = 0"
    " ORDER BY fl.fulfillment_id LIMIT 1"
)


def _orders_of_fulfillment(connection: sqlite3.Connection, fulfillment_key: str) -> set[str]:
    rows = connection.execute(
        "SELECT DISTINCT li.order_id FROM fulfillment_lines AS fl"
        " JOIN line_items AS li ON li.line_item_id = fl.line_item_id"
        " WHERE fl.fulfillment_id = ?",
        (fulfillment_key,),
    )
    return {row[0] for row in rows}


def _count(
    connection: sqlite3.Connection, fulfillment_key: str, *, release: bool = False
) -> set[str]:
    """Add (or, releasing, take away) a fulfillment's quantities; return its orders.

    Raises:
        OverFulfillmentError: adding would ship more of a line item than its quantity.
    """
    rows = connection.execute(
        "SELECT fl.line_item_id, fl.quantity, li.quantity, li.fulfilled, li.order_id"
        " FROM fulfillment_lines AS fl"
        " JOIN line_items AS li ON li.line_item_id = fl.line_item_id"
        " WHERE fl.fulfillment_id = ? ORDER BY fl.rowid",
        (fulfillment_key,),
    ).fetchall()
    orders: set[str] = set()
    for line_key, requested, quantity, already, order_key in rows:
        if not release and already + requested > quantity:
            raise OverFulfillmentError(
                fulfillment_id=load_key(fulfillment_key),
                line_item_id=load_key(line_key),
                quantity=quantity,
                already=already,
                requested=requested,
            )
        connection.execute(
            "UPDATE line_items SET fulfilled = fulfilled + ? WHERE line_item_id = ?",
            (-requested if release else requested, line_key),
        )
        orders.add(order_key)
    return orders


def record_fulfillment(
    connection: sqlite3.Connection, fulfillment_key: str, fulfillment: Fulfillment | None
) -> set[str]:
    """Replace the rollup's record of one fulfillment (``None``: it was deleted).

    Returns:
        The orders whose statuses may have changed.

    Raises:
        OverFulfillmentError: the new version would ship more than a line item holds.
    """
    held = connection.execute(
        "SELECT fulfilled, missing FROM fulfillment_counts WHERE fulfillment_id = ?",
        (fulfillment_key,),
    ).fetchone()
    touched = _orders_of_fulfillment(connection, fulfillment_key)
    if held is not None and held == (1, 0):
        _count(connection, fulfillment_key, release=True)
    connection.execute("DELETE FROM fulfillment_lines WHERE fulfillment_id = ?", (fulfillment_key,))
    connection.execute(
        "DELETE FROM fulfillment_counts WHERE fulfillment_id = ?", (fulfillment_key,)
    )
    if fulfillment is None:
        return touched
    connection.executemany(
        "INSERT INTO fulfillment_lines (fulfillment_id, line_item_id, quantity) VALUES (?, ?, ?)",
        [
            (fulfillment_key, dump_key(line_id, "lines[].invoice_line_item_id"), quantity)
            for line_id, quantity in fulfillment.quantities().items()
        ],
    )
    (missing,) = connection.execute(
        "SELECT COUNT(*) FROM fulfillment_lines AS fl WHERE fl.fulfillment_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM line_items AS li WHERE li.line_item_id = fl.line_item_id)",
        (fulfillment_key,),
    ).fetchone()
    fulfilled = fulfillment.status is FulfillmentStatus.FULFILLED
    connection.execute(
        "INSERT INTO fulfillment_counts (fulfillment_id, fulfilled, missing) VALUES (?, ?, ?)",
        (fulfillment_key, int(fulfilled), missing),
    )
    if fulfilled and missing == 0:
        touched |= _count(connection, fulfillment_key)
    else:
        touched |= _orders_of_fulfillment(connection, fulfillment_key)
    return touched


def _refuse_foreign_lines(
    connection: sqlite3.Connection,
    invoice: Invoice | None,
    items: Mapping[str, InvoiceLineItem],
    held: Mapping[str, int],
) -> None:
    """Refuse line-item ids that another invoice holds (line ids are unique in a rollup)."""
    for line_key, item in items.items():
        if line_key not in held and invoice is not None:
            other = connection.execute(
                "SELECT invoice_id FROM line_items WHERE line_item_id = ?", (line_key,)
            ).fetchone()
            if other is not None:
                raise DuplicateLineItemError(item.id, (load_key(other[0]), invoice.id))


def _forget_lines(connection: sqlite3.Connection, line_keys: Iterable[str]) -> None:
    """Drop line items; fulfillments naming them wait again (a counted one refuses)."""
    for line_key in line_keys:
        counted = connection.execute(_COUNTED_USING, (line_key,)).fetchone()
        if counted is not None:
            raise UnknownLineItemError(load_key(line_key), load_key(counted[0]))
        connection.execute("DELETE FROM line_items WHERE line_item_id = ?", (line_key,))
        connection.execute(
            "UPDATE fulfillment_counts SET missing = missing + 1 WHERE fulfillment_id IN"
            " (SELECT fulfillment_id FROM fulfillment_lines WHERE line_item_id = ?)",
            (line_key,),
        )


def _count_waiting(connection: sqlite3.Connection, line_keys: Iterable[str]) -> set[str]:
    """Mark line items known; count the fulfillments that were waiting only for them."""
    waiting: set[str] = set()
    for line_key in line_keys:
        rows = connection.execute(
            "SELECT fulfillment_id FROM fulfillment_lines WHERE line_item_id = ?", (line_key,)
        )
        waiting.update(row[0] for row in rows)
        connection.execute(
            "UPDATE fulfillment_counts SET missing = missing - 1 WHERE fulfillment_id IN"
            " (SELECT fulfillment_id FROM fulfillment_lines WHERE line_item_id = ?)",
            (line_key,),
        )
    touched: set[str] = set()
    for fulfillment_key in sorted(waiting):
        state = connection.execute(
            "SELECT fulfilled, missing FROM fulfillment_counts WHERE fulfillment_id = ?",
            (fulfillment_key,),
        ).fetchone()
        if state == (1, 0):
            touched |= _count(connection, fulfillment_key)
    return touched


def record_invoice(
    connection: sqlite3.Connection,
    invoice_key: str,
    invoice: Invoice | None,
    held_order: str | None,
) -> set[str]:
    """Replace the rollup's record of one invoice's line items (``None``: it was deleted).

    Args:
        connection: the connection, inside the caller's transaction.
        invoice_key: the invoice's key.
        invoice: the new version, or ``None``.
        held_order: the order key of the version held before, if any.

    Returns:
        The orders whose statuses may have changed.

    Raises:
        DuplicateLineItemError: a line-item id another invoice holds.
        UnknownLineItemError: the version drops a line item a counted fulfillment ships.
        OverFulfilledLineError: a line's new quantity is below what was shipped of it.
        OverFulfillmentError: a fulfillment that now counts ships more than a line holds.
    """
    held = {
        row[0]: row[1]
        for row in connection.execute(
            "SELECT line_item_id, fulfilled FROM line_items WHERE invoice_id = ?", (invoice_key,)
        )
    }
    touched = {held_order} if held_order is not None else set()
    items = (
        {}
        if invoice is None
        else {
            dump_key(item.id, f"line_items[{index}].id"): item
            for index, item in enumerate(invoice.line_items)
        }
    )
    _refuse_foreign_lines(connection, invoice, items, held)
    _forget_lines(connection, held.keys() - items.keys())
    if invoice is None:
        return touched
    order_key = dump_key(invoice.order_id, "order_id")
    touched.add(order_key)
    now_known: list[str] = []
    for line_key, item in items.items():
        if line_key in held:
            if held[line_key] > item.quantity:
                raise OverFulfilledLineError(
                    cause=f"invoice {invoice.id!r}",
                    line_item_id=item.id,
                    quantity=item.quantity,
                    fulfilled=held[line_key],
                )
            connection.execute(
                "UPDATE line_items SET quantity = ?, order_id = ? WHERE line_item_id = ?",
                (item.quantity, order_key, line_key),
            )
        else:
            connection.execute(
                "INSERT INTO line_items (line_item_id, invoice_id, order_id, quantity,"
                " fulfilled, status, remaining) VALUES (?, ?, ?, ?, 0, ?, NULL)",
                (line_key, invoice_key, order_key, item.quantity, item.fulfillment_status),
            )
            now_known.append(line_key)
    touched |= _count_waiting(connection, now_known)
    return touched


def refresh_orders(
    connection: sqlite3.Connection,
    order_keys: Iterable[str],
    known: Mapping[str, Invoice] | None = None,
) -> None:
    """Recompute and write back the statuses of these orders, their invoices and lines.

    Args:
        connection: the connection, inside the caller's transaction.
        order_keys: the orders to recompute.
        known: invoices already in hand, by key (spares reading them back).
    """
    known = known or {}
    for order_key in sorted(order_keys):
        invoices = [
            known.get(key) or Invoice.from_api(load_json(data))
            for key, data in connection.execute(
                "SELECT entity_id, data FROM entities WHERE kind = 'Invoice' AND order_id = ?",
                (order_key,),
            )
        ]
        connection.execute("DELETE FROM invoice_statuses WHERE order_id = ?", (order_key,))
        if not invoices:
            connection.execute("DELETE FROM order_statuses WHERE order_id = ?", (order_key,))
            continue
        lines = tuple(
            FulfillmentLine(invoice_line_item_id=load_key(line_key), quantity=fulfilled)
            for line_key, fulfilled in connection.execute(
                "SELECT line_item_id, fulfilled FROM line_items"
                " WHERE order_id = ? AND fulfilled > 0",
                (order_key,),
            )
        )
        totals = [Fulfillment(id=_TOTALS_ID, lines=lines)] if lines else []
        books = rollup.compute(invoices, totals)
        order_id: Hashable = invoices[0].order_id
        connection.execute(
            "INSERT INTO order_statuses (order_id, status) VALUES (?, ?)"
            " ON CONFLICT (order_id) DO UPDATE SET status = excluded.status",
            (order_key, books.order_status(order_id)),
        )
        remaining = books.remaining(order_id)
        connection.executemany(
            "INSERT INTO invoice_statuses (invoice_id, order_id, status) VALUES (?, ?, ?)",
            [
                (dump_key(invoice.id), order_key, books.invoice_status(invoice.id))
                for invoice in invoices
            ],
        )
        connection.executemany(
            "UPDATE line_items SET status = ?, remaining = ? WHERE line_item_id = ?",
            [
                (books.line_item_status(item.id), remaining.get(item.id), dump_key(item.id))
                for invoice in invoices
                for item in invoice.line_items
            ],
        )
