"""The frozen entities: orders, invoices and fulfillments, with their events."""

from clickfunnels_orders.entities._lifecycle import Change
from clickfunnels_orders.entities.fulfillment import Fulfillment, FulfillmentLine
from clickfunnels_orders.entities.invoice import Invoice, InvoiceLineItem
from clickfunnels_orders.entities.order import Order, OrderLineItem

__all__ = [
    "Change",
    "Fulfillment",
    "FulfillmentLine",
    "Invoice",
    "InvoiceLineItem",
    "Order",
    "OrderLineItem",
]
