"""The restock lifecycle, declared once: created restocked; cancelling it is final."""

from __future__ import annotations

from typing import Final

from clickfunnels_orders.machines._engine import build
from clickfunnels_orders.statuses import RestockStatus
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = ["RESTOCK"]

_status = RestockStatus

RESTOCK: Final = build(
    "Restock",
    states=[s.value for s in RestockStatus],
    finals=[_status.CANCELLED],
    initial=_status.RESTOCKED,
    status_enum=RestockStatus,
    transitions=[
        {
            "trigger": "cancel",
            "source": _status.RESTOCKED,
            "dest": _status.CANCELLED,
            "webhooks": (WebhookEventType.RESTOCK_UPDATED,),
        },
    ],
    guards=[],
    required_events=["cancel"],
)
