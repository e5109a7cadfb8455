"""The store's rollup: counters kept in tables, statuses materialised per order.

The store records what the platform says happened, as :func:`rollup.compute` does, and
keeps the rollup of everything it holds in these tables:

- ``line_items``: each line item of the invoices held, its quantity, the quantity that
  counted fulfillments shipped of it (``fulfilled``) and the quantity counted restocks
  released of it (``released``); its net fulfilled quantity is the difference;
- ``fulfillment_lines`` and ``fulfillment_counts``: each fulfillment's lines, whether it
  is in status fulfilled, and how many of its line items are not known yet. A
  fulfillment *counts* when it is fulfilled and all its line items are known; one that
  arrives before its invoice waits, and counts once the invoice is stored;
- ``restock_lines`` and ``restock_counts``: the same for restocks. A restock counts
  (releases its quantities) when it is restocked and all its line items are known;
- ``invoice_statuses`` and ``order_statuses``, and each line's status and remaining
  quantity: what the queries answer, read by primary key or index.

No rule of the rollup is restated here. After each change, the orders it touched are
recomputed with :func:`rollup.compute` over that order's invoices and its line items'
net fulfilled quantities, and the answers are written back. So an apply costs in
proportion to the orders it touches, never to the size of the store, and a query is one
read. What ``compute`` refuses is checked on the lines a change touched, after the
change, as ``compute`` checks the whole: released at most what is shipped, and the net
at most the line's quantity.

Each function runs inside the caller's transaction; one that raises leaves the caller
to roll back, so a refused delivery changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Hashable, Iterable, Mapping
from typing import Final

import attrs

from clickfunnels_orders import rollup
from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Restock,
)
from clickfunnels_orders.errors import (
    DuplicateLineItemError,
    OverFulfilledLineError,
    OverFulfillmentError,
    OverReleaseError,
    UnknownLineItemError,
    shown,
)
from clickfunnels_orders.store._codec import dump_key, load_json, load_key

__all__ = [
    "FULFILLMENTS",
    "RESTOCKS",
    "Ledger",
    "check_lines",
    "rebuild",
    "record_invoice",
    "record_lines",
    "refresh_orders",
]

#: The id of the stand-in fulfillment that carries an order's fulfilled quantities into
#: ``compute`` (only ever one, and only inside one recompute).
_TOTALS_ID: Final = "fulfilled quantities held by the store"


@attrs.frozen
class Ledger:
    """Where one kind of line-shaped entity (fulfillments, restocks) is kept in the rollup.

    The names are constants of this module, never input, so they are safe to build SQL
    from.

    Attributes:
        kind: the entity's name in messages (``fulfillment``, ``restock``).
        lines: the table of its lines.
        counts: the table of whether it counts, and how many line items are unknown.
        key: the id column of both.
        flag: the column of ``counts`` that says it is in its counting status.
        column: the column of ``line_items`` its counted quantities add to.
        sign: how its counted quantities move a line's net fulfilled quantity
            (fulfillments add to it, restocks take from it).
    """

    kind: str
    lines: str
    counts: str
    key: str
    flag: str
    column: str
    sign: int


FULFILLMENTS: Final = Ledger(
    "fulfillment",
    "fulfillment_lines",
    "fulfillment_counts",
    "fulfillment_id",
    "fulfilled",
    "fulfilled",
    1,
)
RESTOCKS: Final = Ledger(
    "restock", "restock_lines", "restock_counts", "restock_id", "restocked", "released", -1
)
_LEDGERS: Final = (FULFILLMENTS, RESTOCKS)


def _orders_of(connection: sqlite3.Connection, ledger: Ledger, key: str) -> set[str]:
    rows = connection.execute(
        f"SELECT DISTINCT li.order_id FROM {ledger.lines} AS el"  # noqa: S608  because the names are the module's constants
        f" JOIN line_items AS li ON li.line_item_id = el.line_item_id"
        f" WHERE el.{ledger.key} = ?",
        (key,),
    )
    return {row[0] for row in rows}


def _lines_of(connection: sqlite3.Connection, ledger: Ledger, key: str) -> dict[str, int]:
    rows = connection.execute(
        f"SELECT line_item_id, quantity FROM {ledger.lines} WHERE {ledger.key} = ?",  # noqa: S608  because the names are the module's constants
        (key,),
    )
    return {row[0]: row[1] for row in rows}


def _count(connection: sqlite3.Connection, ledger: Ledger, key: str, sign: int) -> set[str]:
    """Add (``sign`` 1) or take away (-1) an entity's counted quantities; return its orders.

    Nothing is checked here: the caller checks the lines it touched once it is done.
    """
    rows = connection.execute(
        f"SELECT el.line_item_id, el.quantity, li.order_id FROM {ledger.lines} AS el"  # noqa: S608  because the names are the module's constants
        f" JOIN line_items AS li ON li.line_item_id = el.line_item_id"
        f" WHERE el.{ledger.key} = ?",
        (key,),
    ).fetchall()
    connection.executemany(
        f"UPDATE line_items SET {ledger.column} = {ledger.column} + ? WHERE line_item_id = ?",  # noqa: S608  because the names are the module's constants
        [(sign * quantity, line_key) for line_key, quantity, _ in rows],
    )
    return {order_key for _, _, order_key in rows}


def check_lines(
    connection: sqlite3.Connection,
    line_keys: Iterable[str],
    *,
    cause: str,
    entity_id: Hashable = None,
    shift: Mapping[str, int] | None = None,
) -> None:
    """Refuse what ``compute`` would refuse of these lines, as they now stand.

    Args:
        connection: the connection, inside the caller's transaction.
        line_keys: the lines a change touched.
        cause: what changed them, for messages (``fulfillment 3``, ``invoice 2``).
        entity_id: the fulfillment or restock that changed them, if one did.
        shift: how much the change moved each line's net fulfilled quantity (to say
            what it asked for).

    Raises:
        OverReleaseError: restocks release more of a line than fulfillments shipped.
        OverFulfillmentError: a line's net fulfilled quantity exceeds its quantity (an
            ``OverFulfilledLineError`` when no single fulfillment or restock is to blame).
    """
    shift = shift or {}
    for line_key in sorted(set(line_keys)):
        row = connection.execute(
            "SELECT quantity, fulfilled, released FROM line_items WHERE line_item_id = ?",
            (line_key,),
        ).fetchone()
        if row is None:
            continue
        quantity, fulfilled, released = row
        net = fulfilled - released
        moved = shift.get(line_key, 0)
        if net < 0:
            # What the change released, against what was fulfilled before it (or, with
            # no single change to blame, all that is released against all shipped).
            raise OverReleaseError(
                releaser=cause,
                line_item_id=load_key(line_key),
                fulfilled=net - moved if moved < 0 else fulfilled,
                requested=-moved if moved < 0 else released,
            )
        if net <= quantity:
            continue
        if entity_id is None or moved <= 0:
            raise OverFulfilledLineError(
                cause=cause, line_item_id=load_key(line_key), quantity=quantity, fulfilled=net
            )
        raise OverFulfillmentError(
            fulfillment_id=entity_id,
            line_item_id=load_key(line_key),
            quantity=quantity,
            already=net - moved,
            requested=moved,
        )


def record_lines(
    connection: sqlite3.Connection,
    ledger: Ledger,
    key: str,
    entity: Fulfillment | Restock | None,
    entity_id: Hashable = None,
    *,
    check: bool = True,
) -> set[str]:
    """Replace the rollup's record of one fulfillment or restock (``None``: it was deleted).

    Args:
        connection: the connection, inside the caller's transaction.
        ledger: where entities of its kind are kept.
        key: its key.
        entity: the new version, or ``None``.
        entity_id: its id (for messages when ``entity`` is ``None``).
        check: whether to check the lines it touched (the caller may check once, later).

    Returns:
        The orders whose statuses may have changed.

    Raises:
        OverFulfillmentError: the change would leave a line shipped past its quantity.
        OverReleaseError: the change would leave more of a line released than shipped.
    """
    held = connection.execute(
        f"SELECT {ledger.flag}, missing FROM {ledger.counts} WHERE {ledger.key} = ?",  # noqa: S608  because the names are the module's constants
        (key,),
    ).fetchone()
    touched = _orders_of(connection, ledger, key)
    held_lines = _lines_of(connection, ledger, key)
    counted_before = held_lines if held == (1, 0) else {}
    if counted_before:
        _count(connection, ledger, key, -1)
    connection.execute(f"DELETE FROM {ledger.lines} WHERE {ledger.key} = ?", (key,))  # noqa: S608  because the names are the module's constants
    connection.execute(f"DELETE FROM {ledger.counts} WHERE {ledger.key} = ?", (key,))  # noqa: S608  because the names are the module's constants
    wanted: dict[str, int] = {}
    counted_now: dict[str, int] = {}
    if entity is not None:
        entity_id = entity.id
        wanted = {
            dump_key(line_id, "lines[].invoice_line_item_id"): quantity
            for line_id, quantity in entity.quantities().items()
        }
        connection.executemany(
            f"INSERT INTO {ledger.lines} ({ledger.key}, line_item_id, quantity) VALUES (?, ?, ?)",  # noqa: S608  because the names are the module's constants
            [(key, line_key, quantity) for line_key, quantity in wanted.items()],
        )
        (missing,) = connection.execute(
            f"SELECT COUNT(*) FROM {ledger.lines} AS el WHERE el.{ledger.key} = ?"  # noqa: S608  because the names are the module's constants
            " AND NOT EXISTS (SELECT 1 FROM line_items AS li"
            " WHERE li.line_item_id = el.line_item_id)",
            (key,),
        ).fetchone()
        counts = entity.counts
        connection.execute(
            f"INSERT INTO {ledger.counts} ({ledger.key}, {ledger.flag}, missing) VALUES (?, ?, ?)",  # noqa: S608  because the names are the module's constants
            (key, int(counts), missing),
        )
        if counts and missing == 0:
            counted_now = wanted
            touched |= _count(connection, ledger, key, 1)
        else:
            touched |= _orders_of(connection, ledger, key)
    if not check:
        return touched
    lines = held_lines.keys() | wanted.keys()
    check_lines(
        connection,
        lines,
        cause=f"{ledger.kind} {shown(entity_id)}",
        entity_id=entity_id,
        shift={
            line: ledger.sign * (counted_now.get(line, 0) - counted_before.get(line, 0))
            for line in lines
        },
    )
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
    """Drop line items; what names them waits again (a counted fulfillment refuses).

    A counted restock releases only what counted fulfillments shipped, so a line that
    one names is refused through those fulfillments.
    """
    for line_key in line_keys:
        counted = connection.execute(
            "SELECT fl.fulfillment_id FROM fulfillment_lines AS fl"
            " JOIN fulfillment_counts AS fc ON fc.fulfillment_id = fl.fulfillment_id"
            " WHERE fl.line_item_id = ? AND fc.fulfilled = 1 AND fc.missing = 0"
            " ORDER BY fl.fulfillment_id LIMIT 1",
            (line_key,),
        ).fetchone()
        if counted is not None:
            raise UnknownLineItemError(load_key(line_key), load_key(counted[0]))
        connection.execute("DELETE FROM line_items WHERE line_item_id = ?", (line_key,))
        for ledger in _LEDGERS:
            connection.execute(
                f"UPDATE {ledger.counts} SET missing = missing + 1 WHERE {ledger.key} IN"  # noqa: S608  because the names are the module's constants
                f" (SELECT {ledger.key} FROM {ledger.lines} WHERE line_item_id = ?)",
                (line_key,),
            )


def _count_waiting(
    connection: sqlite3.Connection, line_keys: Iterable[str], lines_counted: set[str]
) -> set[str]:
    """Mark line items known; count what was waiting only for them, fulfillments first.

    Returns the orders touched; adds the lines of what now counts to ``lines_counted``
    (some may be lines of other invoices, already known).
    """
    keys = list(line_keys)
    touched: set[str] = set()
    for ledger in _LEDGERS:
        waiting: set[str] = set()
        for line_key in keys:
            rows = connection.execute(
                f"SELECT {ledger.key} FROM {ledger.lines} WHERE line_item_id = ?",  # noqa: S608  because the names are the module's constants
                (line_key,),
            )
            waiting.update(row[0] for row in rows)
            connection.execute(
                f"UPDATE {ledger.counts} SET missing = missing - 1 WHERE {ledger.key} IN"  # noqa: S608  because the names are the module's constants
                f" (SELECT {ledger.key} FROM {ledger.lines} WHERE line_item_id = ?)",
                (line_key,),
            )
        for key in sorted(waiting):
            state = connection.execute(
                f"SELECT {ledger.flag}, missing FROM {ledger.counts} WHERE {ledger.key} = ?",  # noqa: S608  because the names are the module's constants
                (key,),
            ).fetchone()
            if state == (1, 0):
                lines_counted.update(_lines_of(connection, ledger, key))
                touched |= _count(connection, ledger, key, 1)
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
        OverFulfilledLineError: a line's new quantity is below its net fulfilled quantity,
            or what now counts ships more than a line holds.
        OverReleaseError: restocks that now count release more than was shipped.
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
            connection.execute(
                "UPDATE line_items SET quantity = ?, order_id = ? WHERE line_item_id = ?",
                (item.quantity, order_key, line_key),
            )
        else:
            connection.execute(
                "INSERT INTO line_items (line_item_id, invoice_id, order_id, quantity,"
                " fulfilled, released, status, remaining) VALUES (?, ?, ?, ?, 0, 0, ?, NULL)",
                (line_key, invoice_key, order_key, item.quantity, item.fulfillment_status),
            )
            now_known.append(line_key)
    lines_counted: set[str] = set()
    touched |= _count_waiting(connection, now_known, lines_counted)
    check_lines(connection, items.keys() | lines_counted, cause=f"invoice {shown(invoice.id)}")
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
            FulfillmentLine(invoice_line_item_id=load_key(line_key), quantity=net)
            for line_key, net in connection.execute(
                "SELECT line_item_id, fulfilled - released FROM line_items"
                " WHERE order_id = ? AND fulfilled > released",
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


def rebuild(connection: sqlite3.Connection) -> None:
    """Empty the rollup's tables and fill them again from the entities held.

    Every invoice first, then every fulfillment, then every restock, each in key order;
    the lines are checked once everything counts, as ``compute`` checks the whole.

    Raises:
        OrdersError: what is held is something ``compute`` refuses.
    """
    for table in (
        "line_items",
        "fulfillment_lines",
        "fulfillment_counts",
        "restock_lines",
        "restock_counts",
        "invoice_statuses",
        "order_statuses",
    ):
        connection.execute(f"DELETE FROM {table}")  # noqa: S608  because the names are constants
    touched: set[str] = set()
    known: dict[str, Invoice] = {}
    for key, data in connection.execute(
        "SELECT entity_id, data FROM entities WHERE kind = 'Invoice' ORDER BY entity_id"
    ).fetchall():
        invoice = Invoice.from_api(load_json(data))
        order_key = dump_key(invoice.order_id)
        connection.execute(
            "UPDATE entities SET order_id = ? WHERE kind = 'Invoice' AND entity_id = ?",
            (order_key, key),
        )
        for item in invoice.line_items:
            connection.execute(
                "INSERT INTO line_items (line_item_id, invoice_id, order_id, quantity,"
                " fulfilled, released, status, remaining) VALUES (?, ?, ?, ?, 0, 0, ?, NULL)",
                (dump_key(item.id), key, order_key, item.quantity, item.fulfillment_status),
            )
        known[key] = invoice
        touched.add(order_key)
    for ledger, cls in ((FULFILLMENTS, Fulfillment), (RESTOCKS, Restock)):
        for key, data in connection.execute(
            "SELECT entity_id, data FROM entities WHERE kind = ? ORDER BY entity_id",
            (cls.__name__,),
        ).fetchall():
            touched |= record_lines(
                connection, ledger, key, cls.from_api(load_json(data)), check=False
            )
    check_lines(
        connection,
        [row[0] for row in connection.execute("SELECT line_item_id FROM line_items")],
        cause="the entities held",
    )
    refresh_orders(connection, touched, known)
