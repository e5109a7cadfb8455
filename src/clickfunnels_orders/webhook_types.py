"""The ClickFunnels webhook event types of this domain: an API enumeration, like the statuses.

The machine declarations name, beside each move, the webhook types it sends; the
webhook layer (:mod:`clickfunnels_orders.webhooks`) reads and writes envelopes with them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["UNMODELLED", "WebhookEventType"]


class WebhookEventType(enum.StrEnum):
    """The webhook event types of this domain, spelled exactly as ClickFunnels does.

    The separators are mixed (``one-time-order`` but ``one_time_order``) because the API's
    are. The set is open: :class:`WebhookEvent` holds any type as a plain string, and a
    member compares equal to its string.
    """

    ORDER_CREATED = "order.created"
    ORDER_UPDATED = "order.updated"
    ORDER_DELETED = "order.deleted"
    ORDER_COMPLETED = "order.completed"
    ONE_TIME_ORDER_COMPLETED = "one-time-order.completed"
    ONE_TIME_ORDER_REFUNDED = "one_time_order.refunded"
    ONE_TIME_ORDER_INVOICE_PAID = "one-time-order.invoice.paid"
    SUBSCRIPTION_ACTIVATED = "subscription.activated"
    SUBSCRIPTION_CANCELED = "subscription.canceled"
    SUBSCRIPTION_REACTIVATED = "subscription.reactivated"
    SUBSCRIPTION_UPGRADED = "subscription.upgraded"
    SUBSCRIPTION_DOWNGRADED = "subscription.downgraded"
    SUBSCRIPTION_CHURNED = "subscription.churned"
    SUBSCRIPTION_COMPLETED = "subscription.completed"
    SUBSCRIPTION_MODIFIED = "subscription.modified"
    SUBSCRIPTION_FIRST_PAYMENT_RECEIVED = "subscription.first_payment_received"
    SUBSCRIPTION_LINE_ITEMS_CHANGED = "subscription.line_items.changed"
    SUBSCRIPTION_INVOICE_PAID = "subscription.invoice.paid"
    SUBSCRIPTION_INVOICE_PAID_OLD = "subscription/invoice.paid"
    SUBSCRIPTION_TRIAL_STARTED = "subscription.trial_started"
    SUBSCRIPTION_TRIAL_ENDED = "subscription.trial_ended"
    SUBSCRIPTION_TRIAL_CONVERTED = "subscription.trial_converted"
    INVOICE_CREATED = "orders/invoice.created"
    INVOICE_UPDATED = "orders/invoice.updated"
    INVOICE_PAID = "orders/invoice.paid"
    INVOICE_PAST_DUE = "orders/invoice.past_due"
    INVOICE_ABANDONED = "orders/invoice.abandoned"
    INVOICE_VOIDED = "orders/invoice.voided"
    INVOICE_REFUNDED = "orders/invoice.refunded"
    INVOICE_FULFILLED = "orders/invoice.fulfilled"
    INVOICE_REISSUED = "orders/invoice.reissued"
    TRANSACTION_CREATED = "orders/transaction.created"
    TRANSACTION_UPDATED = "orders/transaction.updated"
    RENEWAL_INVOICE_PAYMENT_DECLINED = "renewal-invoice-payment-declined"
    FULFILLMENT_CREATED = "fulfillment.created"
    FULFILLMENT_UPDATED = "fulfillment.updated"
    RESTOCK_CREATED = "orders/invoices/restock.created"
    RESTOCK_UPDATED = "orders/invoices/restock.updated"


#: Types ClickFunnels names that no transition of the model sends, and why: they are
#: read (a :class:`~clickfunnels_orders.webhooks.WebhookEvent` carries them, and the
#: data is read into its entity), but :mod:`clickfunnels_orders.events` never writes
#: them. Every other member is declared beside the moves that send it in
#: :mod:`clickfunnels_orders.machines`, or is a ``*.created`` / ``*.updated`` /
#: ``*.deleted`` type of an entity as a whole.
UNMODELLED: Mapping[WebhookEventType, str] = MappingProxyType(
    {
        WebhookEventType.INVOICE_REISSUED: (
            "the model has no reissue event: a reissued invoice arrives as a new version of "
            "the invoice and is applied as such"
        ),
        WebhookEventType.SUBSCRIPTION_TRIAL_STARTED: (
            "the order's service statuses (the API's lists) have no trialing status, so no "
            "transition starts a trial"
        ),
        WebhookEventType.SUBSCRIPTION_TRIAL_ENDED: (
            "no trialing status (trialing and trial-ended appear only in a third-party "
            "client), so no transition ends a trial"
        ),
        WebhookEventType.SUBSCRIPTION_TRIAL_CONVERTED: (
            "no trialing status, so no transition converts a trial; the paid invoice that "
            "follows sends subscription.invoice.paid"
        ),
    }
)
