"""The order service-status lifecycle, declared once for every processor and order type.

``in_lifecycle`` admits a transition only when both ends are statuses the order's
processor and type can hold (:data:`LIFECYCLE_STATUSES`, the API's lists): Stripe has no
``voided``, external one-time orders only ``pending`` and ``completed``, and so on.
``is_one_time`` and ``is_subscription`` tell apart moves (and the webhooks they send)
that differ by order type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from clickfunnels_orders.machines._engine import Guard, Implication, Route, build, pairs
from clickfunnels_orders.machines._shared import IS_EXTERNAL, TARGETS_DEST
from clickfunnels_orders.statuses import OrderType, PaymentProcessor, ServiceStatus
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = ["CANCEL_REASONS", "LIFECYCLE_STATUSES", "ORDER", "lifecycle_statuses"]

_status = ServiceStatus
_hook = WebhookEventType
_ONE_TIME = OrderType.ONE_TIME
_SUBSCRIPTION = OrderType.SUBSCRIPTION
_PAYMENTS_AI = PaymentProcessor.PAYMENTS_AI
_STRIPE = PaymentProcessor.STRIPE
_EXTERNAL = PaymentProcessor.EXTERNAL

_SUBSCRIPTION_STATUSES = frozenset(ServiceStatus)
#: The service statuses an order may hold, by processor and order type (the API's lists).
LIFECYCLE_STATUSES: Final[Mapping[tuple[PaymentProcessor, OrderType], frozenset[str]]] = {
    (_PAYMENTS_AI, _ONE_TIME): frozenset(
        {_status.PENDING, _status.COMPLETED, _status.CANCELED, _status.ABANDONED, _status.VOIDED}
    ),
    (_STRIPE, _ONE_TIME): frozenset(
        {_status.PENDING, _status.COMPLETED, _status.CANCELED, _status.ABANDONED}
    ),
    (_EXTERNAL, _ONE_TIME): frozenset({_status.PENDING, _status.COMPLETED}),
    (_PAYMENTS_AI, _SUBSCRIPTION): _SUBSCRIPTION_STATUSES,
    (_STRIPE, _SUBSCRIPTION): _SUBSCRIPTION_STATUSES - {_status.VOIDED},
    (_EXTERNAL, _SUBSCRIPTION): frozenset(
        {
            _status.PENDING,
            _status.ACTIVE,
            _status.PAUSED,
            _status.CANCELED,
            _status.CHURNED,
            _status.COMPLETED,
        }
    ),
}
_EXTERNAL_ORDER_STATUSES = [
    s
    for s in ServiceStatus
    if s in LIFECYCLE_STATUSES[_EXTERNAL, _ONE_TIME] | LIFECYCLE_STATUSES[_EXTERNAL, _SUBSCRIPTION]
]

_STRIPE_REASONS: Final = (
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
)
#: Cancel reasons each processor accepts (external orders take Stripe's list).
CANCEL_REASONS: Final[Mapping[PaymentProcessor, tuple[str, ...]]] = {
    _PAYMENTS_AI: (
        "did-not-use",
        "did-not-want",
        "missing-features",
        "too-expensive",
        "bugs-or-problems",
        "other",
    ),
    _STRIPE: _STRIPE_REASONS,
    _EXTERNAL: _STRIPE_REASONS,
}


def lifecycle_statuses(processor: PaymentProcessor, order_type: OrderType) -> frozenset[str]:
    """Return the service statuses an order of that processor and type can hold."""
    return LIFECYCLE_STATUSES[processor, order_type]


def _in_lifecycle(entity: Any, route: Route, _args: Mapping[str, Any]) -> bool:
    held = LIFECYCLE_STATUSES[entity.payment_processor, entity.order_type]
    return route.source in held and route.dest in held


def _canceled(_order: Any, at: Any) -> Mapping[str, Any]:
    return {"canceled_at": at, "churned_at": at, "cancel_reason": "other"}


_IN_LIFECYCLE = "in_lifecycle"
_SUBSCRIPTION_EVENT = [_IN_LIFECYCLE, "is_subscription"]

ORDER: Final = build(
    "Order",
    states=[s.value for s in ServiceStatus],
    finals=[_status.COMPLETED, _status.ABANDONED, _status.VOIDED],
    initial=_status.PENDING,
    status_enum=ServiceStatus,
    transitions=[
        {
            "trigger": "activate",
            "source": _status.PENDING,
            "dest": _status.ACTIVE,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.SUBSCRIPTION_ACTIVATED,),
        },
        {
            "trigger": "pause",
            "source": _status.ACTIVE,
            "dest": _status.PAUSED,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.SUBSCRIPTION_MODIFIED,),
        },
        {
            "trigger": "resume",
            "source": [_status.PAUSED, _status.SUSPENDED],
            "dest": _status.ACTIVE,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.SUBSCRIPTION_MODIFIED,),
        },
        {
            "trigger": "suspend",
            "source": _status.ACTIVE,
            "dest": _status.SUSPENDED,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.SUBSCRIPTION_MODIFIED,),
        },
        {
            "trigger": "cancel",
            "source": _status.PENDING,
            "dest": _status.CANCELED,
            "conditions": [_IN_LIFECYCLE, "is_one_time"],
            "webhooks": (_hook.ORDER_UPDATED,),
        },
        {
            "trigger": "cancel",
            "source": [_status.PENDING, _status.ACTIVE, _status.PAUSED, _status.SUSPENDED],
            "dest": _status.CANCELED,
            "conditions": _SUBSCRIPTION_EVENT,
            "webhooks": (_hook.SUBSCRIPTION_CANCELED,),
        },
        {
            "trigger": "churn",
            "source": _status.CANCELED,
            "dest": _status.CHURNED,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.SUBSCRIPTION_CHURNED,),
        },
        {
            "trigger": "reactivate",
            "source": [_status.CANCELED, _status.CHURNED],
            "dest": _status.ACTIVE,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.SUBSCRIPTION_REACTIVATED,),
        },
        {
            "trigger": "complete",
            "source": _status.PENDING,
            "dest": _status.COMPLETED,
            "conditions": [_IN_LIFECYCLE, "is_one_time"],
            "webhooks": (_hook.ONE_TIME_ORDER_COMPLETED, _hook.ORDER_COMPLETED),
        },
        {
            "trigger": "complete",
            "source": _status.ACTIVE,
            "dest": _status.COMPLETED,
            "conditions": _SUBSCRIPTION_EVENT,
            "webhooks": (_hook.SUBSCRIPTION_COMPLETED, _hook.ORDER_COMPLETED),
        },
        {
            "trigger": "abandon",
            "source": _status.PENDING,
            "dest": _status.ABANDONED,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.ORDER_UPDATED,),
        },
        {
            "trigger": "void",
            "source": _status.PENDING,
            "dest": _status.VOIDED,
            "conditions": _IN_LIFECYCLE,
            "webhooks": (_hook.ORDER_UPDATED,),
        },
        *(
            {
                "trigger": "set_status",
                "source": source,
                "dest": dest,
                "conditions": ["is_external", _IN_LIFECYCLE, "targets_dest"],
            }
            for source, dest in pairs(_EXTERNAL_ORDER_STATUSES)
        ),
    ],
    guards=[
        IS_EXTERNAL,
        TARGETS_DEST,
        Guard(
            _IN_LIFECYCLE,
            _in_lifecycle,
            uses_args=False,
            doc="both ends are statuses this processor and order type can hold",
        ),
        Guard(
            "is_one_time",
            lambda entity, _route, _args: entity.order_type is _ONE_TIME,
            uses_args=False,
            doc="a one-time order",
        ),
        Guard(
            "is_subscription",
            lambda entity, _route, _args: entity.order_type is _SUBSCRIPTION,
            uses_args=False,
            doc="a subscription order",
        ),
    ],
    implications={
        _status.CANCELED: Implication(
            _canceled,
            doc="canceled_at and churned_at are the moment, cancel_reason 'other' (cancel"
            " passes its own reason and effective moment)",
        ),
    },
    required_events=[
        "activate",
        "pause",
        "resume",
        "suspend",
        "cancel",
        "churn",
        "reactivate",
        "complete",
        "abandon",
        "void",
        "set_status",
    ],
    exempt_from_final=["is_external"],
)
