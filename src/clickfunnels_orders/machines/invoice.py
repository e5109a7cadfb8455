"""The invoice lifecycle, declared once: statuses, events, conditions, implications, webhooks.

Managed invoices (Payments AI, Stripe) move by events; external ones also accept
``set_status`` between the statuses their client may set (``is_external``). Argument
conditions choose between full and partial outcomes of ``pay`` and ``refund``;
``returns_to_dest`` sends ``win_dispute`` back to the status the dispute came from.

Every status makes a claim about money (:func:`amounts_agree`): unpaid holds nothing,
paid holds the total and has refunded nothing, and so on. The implications below keep
each claim true on arrival, whoever moves the invoice, so a status never claims money
the amounts do not show.
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
    "HOLDS_NOTHING",
    "INVOICE",
    "PAID_IN_FULL",
    "amounts_agree",
    "disputed_from",
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


#: Statuses that say no money is held: nothing paid, so nothing to refund.
HOLDS_NOTHING: Final[frozenset[InvoiceStatus]] = frozenset(
    {_status.DRAFT, _status.UNPAID, _status.PAST_DUE, _status.ABANDONED, _status.VOIDED}
)

#: Where a dispute may be won back to: the statuses a managed ``dispute`` starts from.
_WON_BACK_TO: Final = (_status.PARTIALLY_REFUNDED, _status.PAID)
#: Where a dispute with no record of its start came from, judged by the amounts: the
#: first of these whose claim they meet (a paid invoice of total 0 is taken as paid).
_DISPUTED_FROM_BY_AMOUNTS: Final = (
    _status.PAID,
    _status.PARTIALLY_REFUNDED,
    _status.REFUNDED,
    _status.UNPAID,
    _status.PARTIALLY_PAID,
)


def _claim_holds(status: str, total: Decimal, paid: Decimal, refunded: Decimal) -> bool:
    """Whether the amounts show what ``status`` (other than disputed) claims."""
    if status in HOLDS_NOTHING:
        return not paid and not refunded
    if status == _status.PARTIALLY_PAID:
        return 0 < paid < total and not refunded
    if status == _status.PAID:
        return paid == total and not refunded
    if status == _status.PARTIALLY_REFUNDED:
        return paid == total and 0 < refunded < paid
    if status == _status.REFUNDED:
        return refunded == paid
    return False


def disputed_from(invoice: Any) -> InvoiceStatus | None:
    """Return the status a disputed ``invoice`` was disputed from, or ``None`` if none fits.

    The last change into disputed says, whichever event made it (``dispute``, or an
    external ``set_status``). With no such record, the amounts say: paid in full and
    nothing refunded is paid, part refunded is partially-refunded, and so on; amounts no
    status claims give ``None``.
    """
    history = invoice.history
    if history and history[-1].dest == _status.DISPUTED:
        return InvoiceStatus(history[-1].source)
    total, paid, refunded = invoice.total_amount, invoice.amount_paid, invoice.amount_refunded
    for status in _DISPUTED_FROM_BY_AMOUNTS:
        if _claim_holds(status, total, paid, refunded):
            return status
    return None


def amounts_agree(invoice: Any) -> bool:
    """Whether ``invoice``'s amounts show the money its status claims.

    Draft, unpaid, past-due, abandoned and voided hold nothing (nothing paid or refunded);
    partially-paid holds part of the total and has refunded nothing; paid holds the total
    and has refunded nothing; partially-refunded holds the total and has refunded part of
    it; refunded has refunded everything paid; disputed keeps the money of the status it
    was disputed from (:func:`disputed_from`). Every event and ``set_status`` keeps this
    true of an invoice for which it was true; ``set_status`` to anything but disputed
    makes it true of any invoice.
    """
    status = invoice.status
    if status == _status.DISPUTED:
        source = disputed_from(invoice)
        if source is None:
            return False
        status = source
    return _claim_holds(status, invoice.total_amount, invoice.amount_paid, invoice.amount_refunded)


def _returns_to_dest(entity: Any, route: Route, _args: Mapping[str, Any]) -> bool:
    source = disputed_from(entity)
    return source is route.dest and _claim_holds(
        source, entity.total_amount, entity.amount_paid, entity.amount_refunded
    )


def _settled(invoice: Any, at: Any) -> Mapping[str, Any]:
    if not invoice.amount_refunded:  # every managed move to paid: nothing to undo
        return {"amount_paid": invoice.total_amount, "paid_at": at}
    return {
        "amount_paid": invoice.total_amount,
        "amount_refunded": _nothing(invoice.total_amount),
        "paid_at": at,
    }


def _nothing(total: Decimal) -> Decimal:
    """Zero, in the places of ``total`` (as the API writes it)."""
    return minus(total, total, "amount")


def _refunded_everything(invoice: Any, _at: Any) -> Mapping[str, Any]:
    return {"amount_refunded": invoice.amount_paid}


def _holds_nothing(invoice: Any, _at: Any) -> Mapping[str, Any]:
    nothing = _nothing(invoice.total_amount)
    return {"amount_paid": nothing, "amount_refunded": nothing, "paid_at": None}


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
        *(
            {
                "trigger": "win_dispute",
                "source": _status.DISPUTED,
                "dest": dest,
                "conditions": "returns_to_dest",
                "webhooks": (_hook.INVOICE_UPDATED,),
            }
            for dest in _WON_BACK_TO
        ),
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
            "returns_to_dest",
            _returns_to_dest,
            uses_args=False,
            doc=(
                "the dispute came from this status (the last change into disputed says, "
                "else the amounts), and the amounts still show its money"
            ),
        ),
    ],
    implications={
        _status.PAID: Implication(
            _settled,
            except_events=frozenset({"win_dispute"}),
            doc=(
                "everything is paid and nothing refunded (amount_paid = total_amount, "
                "amount_refunded = 0), as of the move (paid_at)"
            ),
        ),
        _status.REFUNDED: Implication(
            _refunded_everything,
            doc="everything paid is refunded (amount_refunded = amount_paid)",
        ),
        # Managed moves reach these only from statuses that hold nothing already; the
        # client's set_status may come from any, and says nothing is held.
        **{
            status: Implication(
                _holds_nothing,
                only_events=frozenset({"set_status"}),
                doc="nothing is held (amount_paid = amount_refunded = 0, paid_at = None)",
            )
            for status in (_status.UNPAID, _status.PAST_DUE, _status.ABANDONED, _status.VOIDED)
        },
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
