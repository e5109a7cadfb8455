"""A ClickFunnels webhook consumer: the endpoint and the store, on a real socket.

Run it with ``python examples/webhook_consumer.py``. A test double of ClickFunnels, built
from the library itself, runs an external subscription order: it sets the invoice to
paid (which grants access to a course), then cancels and churns the order (which revokes
it). It signs each webhook the way ClickFunnels does and POSTs them the way webhooks
really arrive: out of order, one of them twice, plus a forged one and a replayed old one.

The consumer is :func:`clickfunnels_orders.endpoint.wsgi_app` around an
:class:`~clickfunnels_orders.store.SQLiteStore` file, served by the standard library's
``wsgiref`` on 127.0.0.1: it verifies each delivery, parses it, applies it to the store,
and answers with an HTTP status. Then the consumer restarts, a late retry arrives, and
it prints what it holds and who may open the course.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from clickfunnels_orders import (
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    PaymentProcessor,
    new_events,
    sign_webhook,
    variants_with_access,
)
from clickfunnels_orders.endpoint import wsgi_app
from clickfunnels_orders.store import SQLiteStore

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
                id=71,
                invoice_id=7,
                variant_id=COURSE,
                quantity=1,
                amount=Decimal("49.00"),
                fulfillment_required=False,
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


def serve(store: SQLiteStore, now: dt.datetime) -> tuple[str, Callable[[], None]]:
    """Serve the endpoint on 127.0.0.1 (a free port) in a thread; return its URL and a stop."""
    app = wsgi_app(store, secret=SECRET, clock=lambda: now)
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return f"http://127.0.0.1:{server.server_port}/webhooks/clickfunnels", stop


class QuietHandler(WSGIRequestHandler):
    """wsgiref's handler, without its request log."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  because the base class names it so
        """Log nothing: the example prints its own lines."""


def post(url: str, body: bytes, headers: dict[str, str]) -> str:
    """Deliver one webhook as ClickFunnels does (an HTTP POST); return the answer in brief."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310  because the URL is our own local server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  because ditto
            status, answer = response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, answer = error.code, json.loads(error.read())
    if "outcome" not in answer:
        return f"{status} {answer['error']}"
    event_type = json.loads(body)["event_type"]
    return f"{status} {answer['outcome']:<9} {event_type:<26} {answer['reason']}"


def main() -> None:
    """Run the double, deliver its webhooks to the endpoint, restart, and print what happened."""
    print("ClickFunnels (a test double built from the library):")
    deliveries = clickfunnels_double()

    # An attacker replays the churn with the status changed back, and an old delivery.
    forged = (deliveries[0][0].replace(b'"churned"', b'"active"'), deliveries[0][1])
    replayed = (deliveries[2][0], sign_webhook(deliveries[2][0], secret=SECRET, at=at(-60)))

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.db"
        with SQLiteStore(path) as store:
            url, stop = serve(store, now=at(33))
            print("\nThe endpoint answers:")
            for body, headers in [*deliveries, forged, replayed]:
                print(" ", post(url, body, headers))
            stop()

        # A restart: the state is on disk, versions included. ClickFunnels re-sends the
        # old activation under a new event id: still stale, not applied over the churn.
        resent = deliveries[2][0].replace(b'"event_id": "', b'"event_id": "resent-')
        with SQLiteStore(path) as store:
            url, stop = serve(store, now=at(33))
            print("\nAfter a restart, an old version under a new event id:")
            print(" ", post(url, resent, sign_webhook(resent, secret=SECRET, at=at(32))))
            stop()
            order, invoice = store.get(Order, 2), store.get(Invoice, 7)
            if order is None or invoice is None:
                raise SystemExit("the store lost the order or its invoice")
            print(f"\nHeld: order 2 {order.service_status}, invoice 7 {invoice.status}")
            access = variants_with_access(9, [order], [invoice])
            print(
                f"Contact 9 may open the course: {COURSE in access} (paid, but the order churned)"
            )
            print(f"Order 2 to ship: {store.order_status(2)} (a course needs no shipping)")


if __name__ == "__main__":
    main()
