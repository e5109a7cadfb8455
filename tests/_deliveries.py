"""Webhook deliveries for the store's tests: random worlds of orders, invoices, fulfillments.

A *world* is a few orders, their invoices (line-item ids unique across them),
fulfillments of those line items, restocks of what some of them shipped and
transactions of the orders, each walked through its lifecycle by the entities' own
events; every version becomes one envelope, dated by its moment. A *delivery plan* is
those envelopes as webhooks really arrive: shuffled, some retried under the same event
id, some old versions re-sent under a new one. Line items hold more than all the
fulfillments together can ship, so nothing is ever over-fulfilled. Each restock
releases one unit that a fulfillment which is never cancelled ships, so every world's
newest versions are a book ``compute`` accepts; but a restock may arrive before the
fulfillment it releases, or a cancellation of another fulfillment of its line after
it, and the store then refuses the delivery until the fulfillment is in, as
ClickFunnels would retry it: :func:`deliver` retries refused deliveries at the end.

Everything is drawn from a ``random.Random``, so Hypothesis (``st.randoms()``) and plain
seeded tests (the crash and two-process tests) build plans the same way.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Final, TypeVar

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    OrdersError,
    Restock,
    Transaction,
    WebhookEvent,
    parse_webhook,
)
from clickfunnels_orders.store._codec import dump_json

T0: Final = dt.datetime(2025, 7, 1, 12, 0, tzinfo=dt.UTC)
LINE_QUANTITY: Final = 10
SUBJECTS: Final = {
    Order: "Order",
    Invoice: "Orders::Invoice",
    Fulfillment: "Fulfillment",
    Transaction: "Orders::Transaction",
    Restock: "Orders::Invoices::Restock",
}
NAMES: Final = {
    Order: "order",
    Invoice: "orders/invoice",
    Fulfillment: "fulfillment",
    Transaction: "orders/transaction",
    Restock: "orders/invoices/restock",
}

Entity = Order | Invoice | Fulfillment | Transaction | Restock
T = TypeVar("T")


def stamp(moment: dt.datetime) -> str:
    """The API's spelling of ``moment`` (milliseconds, Z)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def envelope(
    event_id: str, entity: Entity, moment: dt.datetime, *, event_type: str | None = None
) -> dict[str, Any]:
    """The envelope of one version of ``entity``, as of ``moment``."""
    data = entity.to_api()
    data["updated_at"] = stamp(moment)
    return {
        "event_id": event_id,
        "event_type": event_type or f"{NAMES[type(entity)]}.updated",
        "subject_type": SUBJECTS[type(entity)],
        "subject_id": entity.id,
        "created_at": stamp(moment),
        "data": data,
    }


def body(envelope_: dict[str, Any]) -> bytes:
    """The raw body ClickFunnels would send (exact numbers, as the store writes them)."""
    return dump_json(envelope_).encode()


def _walk(rng: random.Random, first: Any, start: dt.datetime, *, ties: bool) -> list[Any]:
    """Versions of one entity, each a random managed event after the one before."""
    versions: list[tuple[Any, dt.datetime]] = [(first, start)]
    moment = start
    for _ in range(rng.randint(0, 3)):
        entity = versions[-1][0]
        allowed = [event for event in entity.allowed_events if event != "set_status"]
        if not allowed:
            break
        moment += dt.timedelta(minutes=rng.choice([0, 1, 7]) if ties else rng.randint(1, 90))
        versions.append((getattr(entity, rng.choice(allowed))(at=moment), moment))
    return versions


def world(rng: random.Random, *, ties: bool = False) -> list[dict[str, Any]]:
    """Every version of every entity of a random world, as envelopes, in creation order."""
    envelopes: list[dict[str, Any]] = []
    line_ids: list[Any] = []

    def add(versions: list[tuple[Entity, dt.datetime]]) -> None:
        for number, (entity, moment) in enumerate(versions):
            kind = NAMES[type(entity)].replace("/", "-")
            envelopes.append(envelope(f"{kind}-{entity.id}-v{number}", entity, moment))

    for order_id in range(1, rng.randint(1, 3) + 1):
        line = OrderLineItem(id=order_id * 10, variant_id=7, quantity=1, amount=Decimal("9.99"))
        order = Order(id=order_id, contact_id=9, currency="USD", line_items=(line,))
        add(_walk(rng, order, T0 + dt.timedelta(minutes=rng.randint(0, 30)), ties=ties))
        for number in range(rng.randint(1, 2)):
            invoice_id = order_id * 100 + number
            items = tuple(
                InvoiceLineItem(
                    id=invoice_id * 10 + index,
                    invoice_id=invoice_id,
                    variant_id=7,
                    quantity=LINE_QUANTITY,
                    amount=Decimal("1.50"),
                    fulfillment_required=rng.random() < 0.8,
                )
                for index in range(rng.randint(1, 2))
            )
            line_ids.extend(item.id for item in items)
            invoice = Invoice(
                id=invoice_id,
                order_id=order_id,
                status=rng.choice([InvoiceStatus.UNPAID, InvoiceStatus.PAID]),
                line_items=items,
                currency="USD",
                total_amount=Decimal("1.50") * len(items),
            )
            add(_walk(rng, invoice, T0 + dt.timedelta(minutes=rng.randint(0, 30)), ties=ties))
        for number in range(rng.randint(0, 2)):
            charge = Transaction(
                id=order_id * 1000 + number,
                order_id=order_id,
                status="completed",
                external_type=rng.choice(["sale", "capture"]),
                result="approved",
                amount=Decimal("9.99"),
                currency="USD",
            )
            add(_walk(rng, charge, T0 + dt.timedelta(minutes=rng.randint(0, 30)), ties=ties))
    for fulfillment_id in range(1, rng.randint(0, 4) + 1):
        chosen = rng.sample(line_ids, k=min(len(line_ids), rng.randint(1, 2)))
        fulfillment = Fulfillment(
            id=fulfillment_id,
            lines=tuple(FulfillmentLine(invoice_line_item_id=i, quantity=1) for i in chosen),
        )
        add(_walk(rng, fulfillment, T0 + dt.timedelta(minutes=rng.randint(0, 30)), ties=ties))
    for number in range(1, rng.randint(0, 2) + 1):
        if not line_ids:
            break
        released = rng.choice(line_ids)
        # A shipment that is never cancelled, so the restock always has what it releases.
        kept = Fulfillment(
            id=100 + number, lines=(FulfillmentLine(invoice_line_item_id=released, quantity=1),)
        )
        add([(kept, T0 + dt.timedelta(minutes=rng.randint(0, 30)))])
        restock = Restock(
            id=number, lines=(FulfillmentLine(invoice_line_item_id=released, quantity=1),)
        )
        add(_walk(rng, restock, T0 + dt.timedelta(minutes=rng.randint(0, 30)), ties=ties))
    return envelopes


def deliver(
    apply: Callable[[WebhookEvent], T], deliveries: Sequence[WebhookEvent]
) -> list[tuple[WebhookEvent, T]]:
    """Apply ``deliveries`` in order, retrying those refused at the end, as ClickFunnels does.

    Returns each accepted delivery with its report, in the order accepted. A delivery
    still refused once a whole round of retries accepts nothing raises that refusal.
    """
    accepted: list[tuple[WebhookEvent, T]] = []
    waiting = list(deliveries)
    while waiting:
        refused: list[WebhookEvent] = []
        last: OrdersError | None = None
        for event in waiting:
            try:
                accepted.append((event, apply(event)))
            except OrdersError as error:
                refused.append(event)
                last = error
        if len(refused) == len(waiting) and last is not None:
            raise last
        waiting = refused
    return accepted


def delivered(rng: random.Random, envelopes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``envelopes`` as they arrive: shuffled, some retried, some re-sent under a new id."""
    plan = list(envelopes)
    plan += [rng.choice(envelopes) for _ in range(rng.randint(0, len(envelopes)))]
    for number in range(rng.randint(0, 3)):
        copy = dict(rng.choice(envelopes))
        copy["event_id"] = f"{copy['event_id']}-resent-{number}"
        plan.append(copy)
    rng.shuffle(plan)
    return plan


def plan(rng: random.Random, *, ties: bool = False) -> list[dict[str, Any]]:
    """A random world, delivered."""
    return delivered(rng, world(rng, ties=ties))


def carried(event: WebhookEvent, cls: type[T]) -> T:
    """The entity of class ``cls`` an event carries."""
    entity = event.data
    assert isinstance(entity, cls), f"{event.event_id} carries {entity!r}, not a {cls.__name__}"
    return entity


def events(envelopes: Sequence[dict[str, Any]]) -> list[Any]:
    """The envelopes read as a consumer reads them: from their raw bodies."""
    return [parse_webhook(body(item)) for item in envelopes]


def many(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """A larger world for the process tests, delivered: ``count`` invoices, each shipped.

    Invoice ``k`` (order ``k``) is delivered unpaid then paid; fulfillment ``k`` ships one
    of its line items, and every third one is then cancelled, every fifth restocked.
    """
    envelopes: list[dict[str, Any]] = []
    for k in range(1, count + 1):
        start = T0 + dt.timedelta(minutes=k)
        items = tuple(
            InvoiceLineItem(
                id=k * 10 + index,
                invoice_id=k,
                variant_id=7,
                quantity=2,
                amount=Decimal("4.50"),
            )
            for index in range(2)
        )
        unpaid = Invoice(
            id=k,
            order_id=k,
            status=InvoiceStatus.UNPAID,
            line_items=items,
            currency="USD",
            total_amount=Decimal("9.00"),
        )
        paid = unpaid.pay(at=start + dt.timedelta(seconds=1))
        shipped = Fulfillment(
            id=k, lines=(FulfillmentLine(invoice_line_item_id=k * 10, quantity=1),)
        )
        envelopes += [
            envelope(f"invoice-{k}-v0", unpaid, start),
            envelope(f"invoice-{k}-v1", paid, start + dt.timedelta(seconds=1)),
            envelope(f"fulfillment-{k}-v0", shipped, start + dt.timedelta(seconds=2)),
        ]
        later = start + dt.timedelta(seconds=3)
        if k % 3 == 0:
            envelopes.append(envelope(f"fulfillment-{k}-v1", shipped.cancel(at=later), later))
        elif k % 5 == 0:
            envelopes.append(envelope(f"fulfillment-{k}-v1", shipped.restock(at=later), later))
    return delivered(rng, envelopes)
