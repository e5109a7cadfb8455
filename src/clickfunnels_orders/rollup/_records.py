"""Records: the rollup as one plain ``dict`` per invoice line item, for tables and pandas.

``FulfillmentRollup.rows()`` and ``Tracker.rows()`` both answer through :func:`rows_of`,
so a row says what the queries say: ``fulfilled`` is ``fulfilled_quantity``, ``status``
is ``line_item_status``, and ``remaining`` is the line's entry in ``remaining(order_id)``
(0 where it has none).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Final, TypedDict

from clickfunnels_orders.rollup import _rules as rules
from clickfunnels_orders.rollup._book import (
    ELIGIBLE_CODES,
    LINE_STATUSES,
    NEEDS_FULFILLMENT,
    STATUS_BITS,
    Book,
)
from clickfunnels_orders.statuses import LineItemFulfillmentStatus

__all__ = ["LineItemRow", "rows_of"]

_COMPLETE: Final = LineItemFulfillmentStatus.COMPLETE


class LineItemRow(TypedDict):
    """One invoice line item as the rollup sees it (a plain ``dict`` at run time)."""

    order_id: Hashable
    invoice_id: Hashable
    invoice_line_item_id: Hashable
    variant_id: Hashable
    quantity: int
    fulfilled: int
    remaining: int
    status: LineItemFulfillmentStatus
    required: bool


def rows_of(book: Book, fulfilled: Mapping[Hashable, int]) -> list[LineItemRow]:
    """Return one row per line item of ``book``, in invoice order, then line order.

    Args:
        book: the facts of the invoices whose line items to list.
        fulfilled: the fulfilled quantity of each line item that has any.
    """
    rows: list[LineItemRow] = []
    get = fulfilled.get
    invoice_ids, order_ids = book.invoice_ids, book.order_ids
    line_ids, variant_ids, quantities, flags = (
        book.line_ids,
        book.variant_ids,
        book.quantities,
        book.line_flags,
    )
    for row, start, end in book.invoices():
        eligible = ELIGIBLE_CODES[book.invoice_statuses[row]]
        order_id, invoice_id = order_ids[row], invoice_ids[row]
        for line in range(start, end):
            key, quantity, bits = line_ids[line], quantities[line], flags[line]
            stored = LINE_STATUSES[bits & STATUS_BITS]
            shipped = get(key, 0)
            required = rules.required(eligible, bool(bits & NEEDS_FULFILLMENT), stored)
            rows.append(
                {
                    "order_id": order_id,
                    "invoice_id": invoice_id,
                    "invoice_line_item_id": key,
                    "variant_id": variant_ids[line],
                    "quantity": quantity,
                    "fulfilled": shipped,
                    "remaining": rules.still_to_ship(
                        required, stored is _COMPLETE, shipped, quantity
                    ),
                    "status": rules.line_status(stored, shipped, quantity),
                    "required": required,
                }
            )
    return rows
