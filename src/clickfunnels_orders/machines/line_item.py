"""The invoice line item's fulfillment-status lifecycle, declared once.

``ignore``, ``unignore`` and ``complete`` are fired by users; ``recount`` is internal: the
rollup fires it with a fulfilled quantity to move a line between unfulfilled,
partially_fulfilled and fulfilled (:func:`counted_status`), adding no history.
"""

from __future__ import annotations

from typing import Final

from clickfunnels_orders.machines._engine import Guard, build, pairs
from clickfunnels_orders.statuses import LineItemFulfillmentStatus
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = ["INVOICE_LINE_ITEM", "counted_status"]

_status = LineItemFulfillmentStatus
_COUNTED = [_status.UNFULFILLED, _status.PARTIALLY_FULFILLED, _status.FULFILLED]
#: A line's change is its invoice's change.
_INVOICE_UPDATED = (WebhookEventType.INVOICE_UPDATED,)


def counted_status(fulfilled: int, quantity: int) -> LineItemFulfillmentStatus:
    """Return the status a fulfilled quantity gives a line of ``quantity`` items.

    0 is unfulfilled, the full quantity is fulfilled, anything between is partially
    fulfilled: the rule behind the line-item machine's internal ``recount`` event.
    """
    if fulfilled <= 0:
        return _status.UNFULFILLED
    if fulfilled < quantity:
        return _status.PARTIALLY_FULFILLED
    return _status.FULFILLED


INVOICE_LINE_ITEM: Final = build(
    "InvoiceLineItem",
    states=[s.value for s in LineItemFulfillmentStatus],
    finals=[_status.COMPLETE],
    initial=_status.UNFULFILLED,
    status_enum=LineItemFulfillmentStatus,
    transitions=[
        {
            "trigger": "ignore",
            "source": _status.UNFULFILLED,
            "dest": _status.IGNORED,
            "webhooks": _INVOICE_UPDATED,
        },
        {
            "trigger": "unignore",
            "source": _status.IGNORED,
            "dest": _status.UNFULFILLED,
            "webhooks": _INVOICE_UPDATED,
        },
        {
            "trigger": "complete",
            "source": _status.FULFILLED,
            "dest": _status.COMPLETE,
            "webhooks": _INVOICE_UPDATED,
        },
        *(
            {"trigger": "recount", "source": source, "dest": dest, "conditions": "counts_to_dest"}
            for source, dest in pairs(_COUNTED)
        ),
    ],
    guards=[
        Guard(
            "counts_to_dest",
            lambda entity, route, args: (
                counted_status(args["fulfilled"], entity.quantity) == route.dest
            ),
            uses_args=True,
            doc="the fulfilled quantity (0, some, all) matches this destination",
        ),
    ],
    required_events=["ignore", "unignore", "complete", "recount"],
    internal_events=["recount"],
)
