"""An order from checkout to paid and fulfilled, told step by step.

Run it with ``python examples/checkout.py``. It builds a one-time order for a shirt and
a pair of shoes plus a setup fee that needs no shipping, bills it, takes a payment in
two parts, ships the shoes and then the shirts in two fulfillments (one of them
cancelled and redone), and prints each status as it changes. Time is passed in; nothing
reads the clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    Order,
    OrderLineItem,
    diagram,
    rollup,
)

START = dt.datetime(2025, 4, 21, 14, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    """Return the moment ``minutes`` after the checkout started."""
    return START + dt.timedelta(minutes=minutes)


def main() -> None:
    """Walk one order through its whole life and print what happens."""
    order = Order(
        id=2,
        contact_id=9,
        currency="usd",
        line_items=(
            OrderLineItem(id=21, variant_id=11, quantity=2, amount=Decimal("29.00")),
            OrderLineItem(id=22, variant_id=4, quantity=1, amount=Decimal("100.00")),
            OrderLineItem(
                id=23,
                variant_id=99,
                quantity=1,
                amount=Decimal("15.00"),
                fulfillment_required=False,
            ),
        ),
        created_at=at(0),
    )
    print(f"order {order.id}: {order.order_type}, {order.service_status}, {order.currency}")

    invoice = Invoice.for_order(order, id=501, line_item_ids=(1, 2, 3), due_at=at(60))
    invoice = invoice.issue(at=at(1))
    print(f"invoice {invoice.id}: {invoice.status}, total {invoice.total_amount}")

    invoice = invoice.pay(Decimal("50.00"), at=at(5))
    print(f"  paid 50.00 -> {invoice.status}, {invoice.due_amount} due")
    invoice = invoice.pay(at=at(9))
    print(f"  paid the rest -> {invoice.status} at {invoice.paid_at:%H:%M}")

    order = order.apply_invoice(invoice, at=at(9))
    print(f"order {order.id}: service {order.service_status}, billing {order.billing_status}")

    shoes = Fulfillment(id=1, lines=(FulfillmentLine(2, 1),), created_at=at(30))
    first_shirt = Fulfillment(id=2, lines=(FulfillmentLine(1, 1),), created_at=at(40))
    book = rollup.Tracker([invoice])
    for fulfillment in (shoes, first_shirt):
        book.record(fulfillment)
    print(
        f"after 2 fulfillments: order {book.order_status(order.id)},"
        f" to ship {dict(book.remaining(order.id))}"
    )

    book.record(first_shirt.cancel(at=at(45)))
    print(f"shirt shipment cancelled: order {book.order_status(order.id)}")

    both_shirts = Fulfillment(id=3, lines=(FulfillmentLine(1, 2),), created_at=at(50))
    book.record(both_shirts)
    invoice = book.snapshot().apply(invoice)
    print(f"both shirts shipped: order {book.order_status(order.id)}")
    for item in invoice.line_items:
        note = "" if item.fulfillment_required else " (needs no shipping, so not required)"
        status = item.fulfillment_status
        print(f"  line {item.id}: {item.quantity} x {item.variant_id} -> {status}{note}")

    print("\nA fulfillment's lifecycle, drawn from its machine (Mermaid):")
    print(diagram(Fulfillment), end="")


if __name__ == "__main__":
    main()
