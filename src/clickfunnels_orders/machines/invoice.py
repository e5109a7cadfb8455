"""The invoice lifecycle, declared once: statuses, events, conditions, implications, webhooks.

Managed invoices (Payments AI, Stripe) move by events; external ones also accept
``set_status`` between the statuses their client may set (``is_external``). Argument
conditions choose between full and partial outcomes of ``pay`` and ``refund``;
``disputed_from_partial_refund`` sends ``win_dispute`` back where the dispute came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from clickfunnels_orders._values import minus
from clickfunnels_orders.machines._engine import Guard, Implication, Route, build, pairs
from clickfunnels_orders.machines._shared import IS_EXTERNAL, TARGETS_DEST
from clickfunnels_orders.statuses import InvoiceStatus
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = [
    "ELIGIBLE_FOR_FULFILLMENT",
    "EXTERNAL_INVOICE_STATUSES",
    "INVOICE",
    "PAID_IN_FULL",
    "paid_by_status",
]

_status = InvoiceStatus
_hook = WebhookEventType

#: Statuses an external invoice may be switched between with ``set_status``.
EXTERNAL_INVOICE_STATUSES: Final = (
    _status.UNPAID,
    _status.PAID,
    _status.VOIDED,
    _status.REFUNDED,
    _status.DISPUTED,
    _status.PAST_DUE,
    _status.ABANDONED,
)

#: Statuses in which, as far as the status says, an invoice was paid in full: the amount
#: paid when none is given (the API reads an invoice without ``due_amount`` the same way).
PAID_IN_FULL: Final[frozenset[InvoiceStatus]] = frozenset(
    {_status.PAID, _status.PARTIALLY_REFUNDED, _status.DISPUTED, _status.REFUNDED}
)

#: Invoice statuses in which an invoice's items are due to ship.
ELIGIBLE_FOR_FULFILLMENT: Final[frozenset[InvoiceStatus]] = frozenset(
    {_status.PAID, _status.PARTIALLY_REFUNDED}
)


def paid_by_status(status: InvoiceStatus, total: Decimal) -> Decimal:
    """Return what an invoice has paid as far as its status says: all of it, or nothing."""
    return (
        total if status in PAID_IN_FULL else minus(total, total, "amount_paid")
    )  # 0, in its places


def _disputed_from_partial_refund(entity: Any, _route: Route, _args: Mapping[str, Any]) -> bool:
    for change in reversed(entity.history):
        if change.event == "dispute":
            return bool(change.source == _status.PARTIALLY_REFUNDED)
    return bool(entity.amount_refunded > 0)


def _settled(invoice: Any, at: Any) -> Mapping[str, Any]:
    return {"amount_paid": invoice.total_amount, "paid_at": at}


def _refunded_everything(invoice: Any, _at: Any) -> Mapping[str, Any]:
    return {"amount_refunded": invoice.amount_paid}


_OPEN = [_status.UNPAID, _status.PARTIALLY_PAID, _status.PAST_DUE]
_CANCELLABLE = [_status.DRAFT, _status.UNPAID, _status.PAST_DUE]
_SETTLED = [_status.PAID, _status.PARTIALLY_REFUNDED]

INVOICE: Final = build(
    "Invoice",
    states=[s.value for s in InvoiceStatus],
    finals=[_status.ABANDONED, _status.VOIDED, _status.REFUNDED],
    initial=_status.DRAFT,
    status_enum=InvoiceStatus,
    transitions=[
        {
            "trigger": "issue",
            "source": _status.DRAFT,
            "dest": _status.UNPAID,
            "webhooks": (_hook.INVOICE_UPDATED,),
        },
        {
            "trigger": "pay",
            "source": _OPEN,
            "dest": _status.PAID,
            "conditions": "settles",
            "webhooks": (_hook.INVOICE_PAID,),
        },
        {
            "trigger": "pay",
            "source": _OPEN,
            "dest": _status.PARTIALLY_PAID,
            "unless": "settles",
            "webhooks": (_hook.INVOICE_UPDATED,),
        },
        {
            "trigger": "mark_past_due",
            "source": _status.UNPAID,
            "dest": _status.PAST_DUE,
            "webhooks": (_hook.INVOICE_PAST_DUE,),
        },
        {
            "trigger": "abandon",
            "source": _CANCELLABLE,
            "dest": _status.ABANDONED,
            "webhooks": (_hook.INVOICE_ABANDONED,),
        },
        {
            "trigger": "void",
            "source": _CANCELLABLE,
            "dest": _status.VOIDED,
            "webhooks": (_hook.INVOICE_VOIDED,),
        },
        {
            "trigger": "refund",
            "source": _SETTLED,
            "dest": _status.REFUNDED,
            "conditions": "refunds_everything",
            "webhooks": (_hook.INVOICE_REFUNDED,),
        },
        {
            "trigger": "refund",
            "source": _SETTLED,
            "dest": _status.PARTIALLY_REFUNDED,
            "unless": "refunds_everything",
            "webhooks": (_hook.INVOICE_REFUNDED,),
        },
        {
            "trigger": "refund",
            "source": _status.PARTIALLY_PAID,
            "dest": _status.REFUNDED,
            "webhooks": (_hook.INVOICE_REFUNDED,),
        },
        {
            "trigger": "dispute",
            "source": _SETTLED,
            "dest": _status.DISPUTED,
            "webhooks": (_hook.INVOICE_UPDATED,),
        },
        {
            "trigger": "win_dispute",
            "source": _status.DISPUTED,
            "dest": _status.PARTIALLY_REFUNDED,
            "conditions": "disputed_from_partial_refund",
            "webhooks": (_hook.INVOICE_UPDATED,),
        },
        {
            "trigger": "win_dispute",
            "source": _status.DISPUTED,
            "dest": _status.PAID,
            "unless": "disputed_from_partial_refund",
            "webhooks": (_hook.INVOICE_UPDATED,),
        },
        {
            "trigger": "lose_dispute",
            "source": _status.DISPUTED,
            "dest": _status.REFUNDED,
            "webhooks": (_hook.INVOICE_REFUNDED,),
        },
        # The client's own moves send what the managed move to the same place sends
        # (see clickfunnels_orders.events), so they declare no webhooks of their own.
        *(
            {
                "trigger": "set_status",
                "source": source,
                "dest": dest,
                "conditions": ["is_external", "targets_dest"],
            }
            for source, dest in pairs(EXTERNAL_INVOICE_STATUSES)
        ),
    ],
    guards=[
        IS_EXTERNAL,
        TARGETS_DEST,
        Guard(
            "settles",
            lambda entity, _route, args: args["amount_paid"] >= entity.total_amount,
            uses_args=True,
            doc="after this payment nothing is due",
        ),
        Guard(
            "refunds_everything",
            lambda entity, _route, args: args["amount_refunded"] >= entity.amount_paid,
            uses_args=True,
            doc="after this refund everything paid has been refunded",
        ),
        Guard(
            "disputed_from_partial_refund",
            _disputed_from_partial_refund,
            uses_args=False,
            doc="the dispute was opened on a partially refunded invoice",
        ),
    ],
    implications={
        _status.PAID: Implication(
            _settled,
            except_events=frozenset({"win_dispute"}),
            doc="everything is paid (amount_paid = total_amount), as of the move (paid_at)",
        ),
        _status.REFUNDED: Implication(
            _refunded_everything,
            doc="everything paid is refunded (amount_refunded = amount_paid)",
        ),
    },
    required_events=[
        "issue",
        "pay",
        "mark_past_due",
        "abandon",
        "void",
        "refund",
        "dispute",
        "win_dispute",
        "lose_dispute",
        "set_status",
    ],
    exempt_from_final=["is_external"],
)
