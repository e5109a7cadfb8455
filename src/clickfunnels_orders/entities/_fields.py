"""Converters for the entity fields that accept more than the type they store.

Each is a named function (``attrs`` runs it in ``__init__``; mypy's attrs plugin reads its
parameter type for the constructor's signature), so typed code may pass what the
contract accepts: ``str`` and ``int`` money, the API's status strings, lists for
collections. Each names its field when it refuses a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from clickfunnels_orders._values import to_money, to_status
from clickfunnels_orders.entities._lifecycle import Change, check_history
from clickfunnels_orders.statuses import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

Money = Decimal | str | int


def amount(value: Money) -> Decimal:
    """Convert a line's ``amount``."""
    return to_money(value, "amount")


def total_amount(value: Money) -> Decimal:
    """Convert an invoice's ``total_amount``."""
    return to_money(value, "total_amount")


def amount_paid(value: Money | None) -> Decimal | None:
    """Convert ``amount_paid``; ``None`` means: derive it from the status."""
    return None if value is None else to_money(value, "amount_paid")


def amount_refunded(value: Money | None) -> Decimal | None:
    """Convert ``amount_refunded``; ``None`` means: derive it from the status."""
    return None if value is None else to_money(value, "amount_refunded")


def invoice_status(value: InvoiceStatus | str) -> InvoiceStatus:
    """Convert an invoice's ``status``."""
    return to_status(InvoiceStatus, value, "status")


def fulfillment_status(value: FulfillmentStatus | str) -> FulfillmentStatus:
    """Convert a fulfillment's ``status``."""
    return to_status(FulfillmentStatus, value, "status")


def line_item_status(value: LineItemFulfillmentStatus | str) -> LineItemFulfillmentStatus:
    """Convert an invoice line item's ``fulfillment_status``."""
    return to_status(LineItemFulfillmentStatus, value, "fulfillment_status")


def payment_processor(value: PaymentProcessor | str) -> PaymentProcessor:
    """Convert ``payment_processor``."""
    return to_status(PaymentProcessor, value, "payment_processor")


def service_status(value: ServiceStatus | str) -> ServiceStatus:
    """Convert an order's ``service_status``."""
    return to_status(ServiceStatus, value, "service_status")


def billing_status(value: BillingStatus | str) -> BillingStatus:
    """Convert an order's ``billing_status``."""
    return to_status(BillingStatus, value, "billing_status")


def order_type(value: OrderType | str | None) -> OrderType | None:
    """Convert an order's ``order_type``; ``None`` means: derive it from the line items."""
    return None if value is None else to_status(OrderType, value, "order_type")


def history(value: Iterable[Change]) -> tuple[Change, ...]:
    """Convert ``history``: Change records, oldest first."""
    return check_history(value, "history")
