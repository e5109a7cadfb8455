"""The frozen entities: orders, invoices, fulfillments, restocks and transactions."""

from clickfunnels_orders.entities._lifecycle import Change
from clickfunnels_orders.entities.fulfillment import Fulfillment, FulfillmentLine
from clickfunnels_orders.entities.invoice import Invoice, InvoiceLineItem
from clickfunnels_orders.entities.order import Order, OrderLineItem
from clickfunnels_orders.entities.restock import Restock
from clickfunnels_orders.entities.transaction import Transaction

__all__ = [
    "Change",
    "Fulfillment",
    "FulfillmentLine",
    "Invoice",
    "InvoiceLineItem",
    "Order",
    "OrderLineItem",
    "Restock",
    "Transaction",
]
