"""A ClickFunnels webhook consumer: verify, parse, apply, answer fast.

Run it with ``python examples/webhook_consumer.py``. A test double of ClickFunnels, built
from the library itself, runs an external subscription order: it sets the invoice to
paid (which grants access to a course), then cancels and churns the order (which revokes
it). It signs each webhook the way ClickFunnels does and delivers them the way webhooks
really arrive: out of order, one of them twice, plus a forged one and a replayed old one.
The consumer verifies each delivery, parses it, applies it to its replica, and answers
with an HTTP status; then it prints what it holds and who may open the course.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from clickfunnels_orders import (
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    PayloadError,
    PaymentProcessor,
    Replica,
    SignatureError,
    new_events,
    parse_webhook,
    sign_webhook,
    variants_with_access,
    verify_signature,
)

SECRET = "whsec_example_endpoint_secret"  # noqa: S105  because it is an example, not a secret
START = dt.datetime(2025, 4, 21, 14, 0, tzinfo=dt.UTC)
COURSE = 501  # the Products::Variant linked to the course


def at(minutes: int) -> dt.datetime:
    """Return the moment ``minutes`` after the example starts."""
    return START + dt.timedelta(minutes=minutes)


Delivery = tuple[bytes, dict[str, str]]


def clickfunnels_double() -> list[Delivery]:
    """Play ClickFunnels: change an external order and its invoice, and sign the webhooks."""
    order = Order(
        id=2,
        contact_id=9,
        currency="USD",
        line_items=(
            OrderLineItem(
                id=21,
                variant_id=COURSE,
                quantity=1,
                amount=Decimal("49.00"),
                payment_type="subscription",
            ),
        ),
        payment_processor=PaymentProcessor.EXTERNAL,
        created_at=at(0),
    )
    invoice = Invoice(
        id=7,
        order_id=2,
        status=InvoiceStatus.UNPAID,
        line_items=(
            InvoiceLineItem(
                id=71, invoice_id=7, variant_id=COURSE, quantity=1, amount=Decimal("49.00")
            ),
        ),
        currency="USD",
        total_amount=Decimal("49.00"),
        payment_processor=PaymentProcessor.EXTERNAL,
        invoice_type="initial",
    )
    paid = invoice.set_status("paid", at=at(1))
    active = order.apply_invoice(paid, at=at(1))
    canceled = active.set_status("canceled", at=at(30))
    churned = canceled.set_status("churned", at=at(31))

    # Each step's events carry the entity as it was right after that step.
    events = [
        *new_events(invoice, paid),
        *new_events(order, active),
        *new_events(active, canceled),
        *new_events(canceled, churned),
    ]
    deliveries = []
    for event in events:
        if not event.is_webhook:
            print(f"  ClickFunnels: {event.event_type} for invoice {event.subject_id}")
            continue
        body = json.dumps(event.envelope(workspace_id=42000)).encode()
        deliveries.append((body, sign_webhook(body, secret=SECRET, at=at(32))))
    # Webhooks arrive out of order and at least once.
    deliveries.reverse()
    deliveries.append(deliveries[0])
    return deliveries


def handle(body: bytes, headers: dict[str, str], replica: Replica, now: dt.datetime) -> str:
    """Handle one request: verify, parse, apply; return the HTTP answer.

    Answer fast: do only this much in the request, and queue anything slow (emails,
    provisioning) for after the 2xx.
    """
    try:
        verify_signature(body, secret=SECRET, headers=headers, now=now)
    except SignatureError as error:
        return f"401 {error.reason}"
    try:
        event = parse_webhook(body)
    except PayloadError as error:
        return f"400 {error}"
    result = replica.apply(event)
    subject = f"{result.subject[0]} {result.subject[1]}" if result.subject else "-"
    return f"200 {result.outcome:<9} {event.event_type:<26} {subject:<10} {result.reason}"


def main() -> None:
    """Run the double, deliver its webhooks to the consumer, and print what happened."""
    print("ClickFunnels (a test double built from the library):")
    deliveries = clickfunnels_double()

    # An attacker replays the churn with the status changed back, and an old delivery.
    forged = (deliveries[0][0].replace(b'"churned"', b'"active"'), deliveries[0][1])
    replayed = (deliveries[2][0], sign_webhook(deliveries[2][0], secret=SECRET, at=at(-60)))

    replica = Replica()
    print("\nThe consumer answers:")
    for body, headers in [*deliveries, forged, replayed]:
        print(" ", handle(body, headers, replica, now=at(33)))

    order = replica.orders[2]
    invoice = replica.invoices[7]
    print(f"\nHeld: order 2 {order.service_status}, invoice 7 {invoice.status}")
    access = variants_with_access(9, replica.orders.values(), replica.invoices.values())
    print(f"Contact 9 may open the course: {COURSE in access} (paid, but the order churned)")


if __name__ == "__main__":
    main()
