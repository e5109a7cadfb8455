"""``demo``: the end-to-end tour, told step by step with fixed moments.

A small book: three one-time orders are invoiced; two are paid (one in two parts), one
is left unpaid. The shipments go out in parts, one is cancelled and redone in part, and
the tour ends with the report ``clickfunnels-orders report`` prints: what remains to
ship, per order. Nothing reads the clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

from rich.console import Console

from clickfunnels_orders import rollup
from clickfunnels_orders.cli._report import order_reports, write
from clickfunnels_orders.entities import Fulfillment, FulfillmentLine, Invoice, Order, OrderLineItem

__all__ = ["run"]

START: Final = dt.datetime(2025, 4, 21, 14, 0, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


SHIRT: Final = (11, Decimal("29.00"))
SHOES: Final = (4, Decimal("100.00"))


def _order(order_id: int, contact_id: int, *lines: tuple[int, int, tuple[int, Decimal]]) -> Order:
    return Order(
        id=order_id,
        contact_id=contact_id,
        currency="usd",
        line_items=tuple(
            OrderLineItem(id=line_id, variant_id=variant, quantity=quantity, amount=amount)
            for line_id, quantity, (variant, amount) in lines
        ),
        created_at=_at(order_id),
    )


def _orders() -> list[Order]:
    return [
        _order(2, 9, (21, 2, SHIRT), (22, 1, SHOES)),
        _order(3, 12, (31, 3, SHIRT)),
        _order(4, 15, (41, 1, SHOES)),
    ]


def run(console: Console) -> None:
    """Walk a small book through payment, partial shipments and a cancellation; report."""

    def say(text: str) -> None:
        console.print(text, soft_wrap=True)

    orders = _orders()
    invoices: dict[int, Invoice] = {}
    for number, (order_id, order) in enumerate(zip((2, 3, 4), orders, strict=True)):
        invoice = Invoice.for_order(
            order,
            id=500 + order_id,
            line_item_ids=[order_id * 100 + n for n in range(len(order.line_items))],
        )
        invoices[order_id] = invoice.issue(at=_at(5 + number))
        say(f"order {order.id}: invoice {invoice.id} issued, total {invoice.total_amount} USD")

    invoices[2] = invoices[2].pay(Decimal("50.00"), at=_at(10))
    say(f"order 2: paid 50.00 -> {invoices[2].status}, {invoices[2].due_amount} due")
    invoices[2] = invoices[2].pay(at=_at(12))
    invoices[3] = invoices[3].pay(at=_at(13))
    for order_id in (2, 3):
        order = orders[order_id - 2].apply_invoice(invoices[order_id], at=_at(13))
        say(f"order {order_id}: {invoices[order_id].status}; service {order.service_status}")
    say("order 4: left unpaid, so nothing of it is to ship yet")

    book = rollup.Tracker(invoices.values())
    shipments = [
        Fulfillment(id=1, lines=(FulfillmentLine(201, 1),), created_at=_at(30)),
        Fulfillment(id=2, lines=(FulfillmentLine(300, 2),), created_at=_at(31)),
        Fulfillment(id=3, lines=(FulfillmentLine(200, 2),), created_at=_at(32)),
    ]
    for shipment in shipments:
        book.record(shipment)
    say(
        f"3 shipments out: order 2 {book.order_status(2)}, order 3 {book.order_status(3)}"
        f" ({dict(book.remaining(3))} to ship)"
    )
    cancelled = shipments[1].cancel(at=_at(40))
    book.record(cancelled)
    say(f"shipment 2 cancelled: order 3 {book.order_status(3)}")
    redone = Fulfillment(id=4, lines=(FulfillmentLine(300, 1),), created_at=_at(45))
    book.record(redone)
    say(f"shipment 4 sends one shirt of order 3: order 3 {book.order_status(3)}")

    fulfillments = [*shipments[:1], cancelled, shipments[2], redone]
    result = rollup.compute(invoices.values(), fulfillments)
    assert result == book.snapshot()  # noqa: S101  because the tour shows the two ways agree
    say("\nThe report (clickfunnels-orders report EXPORT prints the same for an export):")
    write("table", order_reports(result), console.file, console)
