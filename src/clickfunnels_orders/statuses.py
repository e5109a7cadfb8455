"""The API's enumerations, with the exact strings ClickFunnels sends.

Note the mixed separators (``partially-paid`` but ``partially_fulfilled``): they are the
API's own, and each enum's values are copied from it verbatim.
"""

from __future__ import annotations

import enum

__all__ = [
    "RECURRING_PAYMENT_TYPES",
    "BillingStatus",
    "FulfillmentStatus",
    "InvoiceFulfillmentStatus",
    "InvoiceStatus",
    "InvoiceType",
    "LineItemFulfillmentStatus",
    "OrderFulfillmentStatus",
    "OrderType",
    "PaymentProcessor",
    "RestockStatus",
    "ServiceStatus",
    "TransactionStatus",
]


class InvoiceStatus(enum.StrEnum):
    """Status of an ``Orders::Invoice``."""

    DRAFT = "draft"
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially-paid"
    PAID = "paid"
    PAST_DUE = "past-due"
    ABANDONED = "abandoned"
    VOIDED = "voided"
    PARTIALLY_REFUNDED = "partially-refunded"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class LineItemFulfillmentStatus(enum.StrEnum):
    """Fulfillment status of one invoice line item."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    COMPLETE = "complete"
    IGNORED = "ignored"


class InvoiceFulfillmentStatus(enum.StrEnum):
    """Fulfillment status of a whole invoice, rolled up from its required lines."""

    NOT_APPLICABLE = "not_applicable"
    UNFULFILLED = "unfulfilled"
    PARTIAL = "partial"
    COMPLETE = "complete"


class OrderFulfillmentStatus(enum.StrEnum):
    """Fulfillment status of an order, rolled up over the required lines of its invoices."""

    NOT_APPLICABLE = "not_applicable"
    UNFULFILLED = "unfulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"


class FulfillmentStatus(enum.StrEnum):
    """Status of a fulfillment (a shipment). Spelled ``cancelled`` here, as the API does."""

    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    RESTOCKED = "restocked"


class ServiceStatus(enum.StrEnum):
    """An order's activity state (``service_status``). Spelled ``canceled`` on orders."""

    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    CANCELED = "canceled"
    CHURNED = "churned"
    COMPLETED = "completed"
    ABANDONED = "abandoned"
    VOIDED = "voided"


class BillingStatus(enum.StrEnum):
    """An order's ``billing_status``: the status of its latest invoice, or pending."""

    PENDING = "pending"
    DRAFT = "draft"
    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially-paid"
    PAID = "paid"
    PAST_DUE = "past-due"
    ABANDONED = "abandoned"
    VOIDED = "voided"
    PARTIALLY_REFUNDED = "partially-refunded"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class OrderType(enum.StrEnum):
    """Whether an order is paid once or recurs."""

    ONE_TIME = "one-time-order"
    SUBSCRIPTION = "subscription-order"


class PaymentProcessor(enum.StrEnum):
    """Who moves the money, and so which lifecycle an order and its invoices follow."""

    PAYMENTS_AI = "payments_ai"
    STRIPE = "stripe"
    EXTERNAL = "external"


class InvoiceType(enum.StrEnum):
    """An invoice's ``invoice_type``: why it was issued.

    One-time orders use only ``one_time_sale``; subscription orders use the others.
    """

    INITIAL = "initial"
    RENEWAL = "renewal"
    INTERIM = "interim"
    CANCELLATION = "cancellation"
    ONE_TIME = "one_time"
    REFUND = "refund"
    CHARGE = "charge"
    ONE_TIME_SALE = "one_time_sale"


class TransactionStatus(enum.StrEnum):
    """The known ``status`` values of an ``Orders::Transaction`` (the API's set is open)."""

    COMPLETED = "completed"
    PARTIALLY_REFUNDED = "partially-refunded"
    REFUNDED = "refunded"


class RestockStatus(enum.StrEnum):
    """An ``Orders::Invoices::Restock``'s status: its quantities return to stock, or not."""

    RESTOCKED = "restocked"
    CANCELLED = "cancelled"


#: Line-item ``payment_type`` values that make an order a subscription order. The field is
#: an open string in the API (``debit`` appears in real payloads), so anything else counts
#: as a one-time payment rather than being refused.
RECURRING_PAYMENT_TYPES: frozenset[str] = frozenset({"subscription", "payment_plan"})
