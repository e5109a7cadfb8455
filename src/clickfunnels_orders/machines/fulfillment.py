"""The fulfillment lifecycle, declared once: created fulfilled; cancelled or restocked, final."""

from __future__ import annotations

from typing import Final

from clickfunnels_orders.machines._engine import build
from clickfunnels_orders.statuses import FulfillmentStatus
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = ["FULFILLMENT"]

_status = FulfillmentStatus
_UPDATED = (WebhookEventType.FULFILLMENT_UPDATED,)

FULFILLMENT: Final = build(
    "Fulfillment",
    states=[s.value for s in FulfillmentStatus],
    finals=[_status.CANCELLED, _status.RESTOCKED],
    initial=_status.FULFILLED,
    status_enum=FulfillmentStatus,
    transitions=[
        {
            "trigger": "cancel",
            "source": _status.FULFILLED,
            "dest": _status.CANCELLED,
            "webhooks": _UPDATED,
        },
        {
            "trigger": "restock",
            "source": _status.FULFILLED,
            "dest": _status.RESTOCKED,
            "webhooks": _UPDATED,
        },
    ],
    guards=[],
    required_events=["cancel", "restock"],
)
