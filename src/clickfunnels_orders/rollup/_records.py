"""Records: the rollup as one plain ``dict`` per invoice line item, for tables and pandas.

``FulfillmentRollup.rows()`` and ``Tracker.rows()`` both answer through :func:`rows_of`,
so a row says what the queries say: ``fulfilled`` is ``fulfilled_quantity``, ``status``
is ``line_item_status``, and ``remaining`` is the line's entry in ``remaining(order_id)``
(0 where it has none).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Final, TypedDict

from clickfunnels_orders.entities import Invoice
from clickfunnels_orders.rollup import _rules as rules
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


def rows_of(invoices: Iterable[Invoice], fulfilled: Mapping[Hashable, int]) -> list[LineItemRow]:
    """Return one row per line item of ``invoices``, in invoice order, then line order.

    Args:
        invoices: the invoices whose line items to list.
        fulfilled: the fulfilled quantity of each line item that has any.
    """
    rows: list[LineItemRow] = []
    get = fulfilled.get
    for invoice in invoices:
        eligible = invoice.eligible_for_fulfillment
        order_id = invoice.order_id
        for item in invoice.line_items:
            shipped = get(item.id, 0)
            stored = item.fulfillment_status
            required = rules.is_required(item, eligible)
            rows.append(
                {
                    "order_id": order_id,
                    "invoice_id": invoice.id,
                    "invoice_line_item_id": item.id,
                    "variant_id": item.variant_id,
                    "quantity": item.quantity,
                    "fulfilled": shipped,
                    "remaining": rules.still_to_ship(
                        required, stored is _COMPLETE, shipped, item.quantity
                    ),
                    "status": rules.line_status(stored, shipped, item.quantity),
                    "required": required,
                }
            )
    return rows
