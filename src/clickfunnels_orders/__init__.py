"""ClickFunnels 2.0 orders, invoices and fulfillments as immutable values.

Each entity's status lives in a ``transitions`` machine declared once in
:mod:`clickfunnels_orders.machines`; every event returns a new value. The fulfillment
rollup is in :mod:`clickfunnels_orders.rollup`, the Hypothesis strategies in
:mod:`clickfunnels_orders.testing`.
"""

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from clickfunnels_orders import rollup as rollup  # the public rollup submodule
from clickfunnels_orders.access import access_by_contact, variants_with_access
from clickfunnels_orders.analytics import CurrencySummary, Summary, summary
from clickfunnels_orders.diagrams import diagram
from clickfunnels_orders.entities import (
    Change,
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
    Restock,
    Transaction,
)
from clickfunnels_orders.errors import (
    AmountError,
    CancelReasonError,
    DuplicateIdError,
    DuplicateLineItemError,
    ForeignInvoiceError,
    FulfillmentConflictError,
    InvalidTransitionError,
    InvalidTypeError,
    InvalidValueError,
    NotFulfillableError,
    OrdersError,
    OutOfOrderError,
    OverFulfilledLineError,
    OverFulfillmentError,
    OverReleaseError,
    PayloadError,
    SignatureError,
    UnknownInvoiceError,
    UnknownLineItemError,
)
from clickfunnels_orders.events import DomainEvent, domain_events, event_types, new_events
from clickfunnels_orders.replica import ApplyOutcome, ApplyResult, Replica
from clickfunnels_orders.statuses import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceFulfillmentStatus,
    InvoiceStatus,
    InvoiceType,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    RestockStatus,
    ServiceStatus,
    TransactionStatus,
)
from clickfunnels_orders.timing import TimeRules, renewal_date, renewal_dates
from clickfunnels_orders.webhooks import (
    WebhookEvent,
    WebhookEventType,
    parse_webhook,
    sign_webhook,
    verify_signature,
)

try:
    __version__ = _version("clickfunnels-orders")
except _PackageNotFoundError:  # pragma: no cover  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "AmountError",
    "ApplyOutcome",
    "ApplyResult",
    "BillingStatus",
    "CancelReasonError",
    "Change",
    "CurrencySummary",
    "DomainEvent",
    "DuplicateIdError",
    "DuplicateLineItemError",
    "ForeignInvoiceError",
    "Fulfillment",
    "FulfillmentConflictError",
    "FulfillmentLine",
    "FulfillmentStatus",
    "InvalidTransitionError",
    "InvalidTypeError",
    "InvalidValueError",
    "Invoice",
    "InvoiceFulfillmentStatus",
    "InvoiceLineItem",
    "InvoiceStatus",
    "InvoiceType",
    "LineItemFulfillmentStatus",
    "NotFulfillableError",
    "Order",
    "OrderFulfillmentStatus",
    "OrderLineItem",
    "OrderType",
    "OrdersError",
    "OutOfOrderError",
    "OverFulfilledLineError",
    "OverFulfillmentError",
    "OverReleaseError",
    "PayloadError",
    "PaymentProcessor",
    "Replica",
    "Restock",
    "RestockStatus",
    "ServiceStatus",
    "SignatureError",
    "Summary",
    "TimeRules",
    "Transaction",
    "TransactionStatus",
    "UnknownInvoiceError",
    "UnknownLineItemError",
    "WebhookEvent",
    "WebhookEventType",
    "__version__",
    "access_by_contact",
    "diagram",
    "domain_events",
    "event_types",
    "new_events",
    "parse_webhook",
    "renewal_date",
    "renewal_dates",
    "sign_webhook",
    "summary",
    "variants_with_access",
    "verify_signature",
]
