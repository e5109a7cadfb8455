"""The transaction lifecycle, declared once: a charge completes, then may be refunded.

The API models a refund as a new state of the charge (completed -> partially-refunded
-> refunded) plus a refund transaction naming the charge in ``adjusted_transaction_id``.
Only an approved sale or capture can be refunded (the ``is_refundable`` guard); any
other transaction, and a status the API adds later, has no events.
"""

from __future__ import annotations

from typing import Any, Final

from clickfunnels_orders.machines._engine import Guard, build
from clickfunnels_orders.statuses import TransactionStatus
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = ["REFUNDABLE_TYPES", "TRANSACTION"]

_status = TransactionStatus
_UPDATED = (WebhookEventType.TRANSACTION_UPDATED,)
_OPEN = [_status.COMPLETED, _status.PARTIALLY_REFUNDED]

#: The ``external_type`` values of a transaction that moved money in and can be refunded.
REFUNDABLE_TYPES: Final = frozenset({"sale", "capture"})


def _is_refundable(entity: Any, _route: Any, _args: Any) -> bool:
    return entity.external_type in REFUNDABLE_TYPES and entity.result == "approved"


TRANSACTION: Final = build(
    "Transaction",
    states=[s.value for s in TransactionStatus],
    finals=[_status.REFUNDED],
    initial=_status.COMPLETED,
    status_enum=TransactionStatus,
    transitions=[
        {
            "trigger": "refund",
            "source": _OPEN,
            "dest": _status.REFUNDED,
            "conditions": "is_refundable",
            "webhooks": _UPDATED,
        },
        {
            "trigger": "refund_partially",
            "source": _OPEN,
            "dest": _status.PARTIALLY_REFUNDED,
            "conditions": "is_refundable",
            "webhooks": _UPDATED,
        },
    ],
    guards=[
        Guard(
            "is_refundable",
            _is_refundable,
            uses_args=False,
            doc="an approved sale or capture",
        ),
    ],
    required_events=["refund", "refund_partially"],
)
