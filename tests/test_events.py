"""Domain events: each change maps to the webhooks ClickFunnels would send for it."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    ApplyOutcome,
    Change,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    OrderType,
    PaymentProcessor,
    Replica,
    ServiceStatus,
    domain_events,
    event_types,
    machines,
    new_events,
    parse_webhook,
    sign_webhook,
    verify_signature,
)
from clickfunnels_orders.events import ORDER_CONFIRMATION_EMAIL, DomainEvent
from clickfunnels_orders.testing.strategies import fulfillments, invoices, orders
from clickfunnels_orders.webhook_types import UNMODELLED
from clickfunnels_orders.webhooks import WebhookEventType

UTC = dt.UTC


def at(day: int, hour: int = 0) -> dt.datetime:
    """Return a moment in June 2025, UTC."""
    return dt.datetime(2025, 6, day, hour, tzinfo=UTC)


def an_order(
    *,
    payment_type: str = "one_time",
    processor: PaymentProcessor = PaymentProcessor.PAYMENTS_AI,
    status: ServiceStatus = ServiceStatus.PENDING,
) -> Order:
    """An order of one line, created on June 1st."""
    line = OrderLineItem(
        id=11, variant_id=501, quantity=1, amount=Decimal("49.00"), payment_type=payment_type
    )
    return Order(
        id=1,
        contact_id=9,
        currency="USD",
        line_items=(line,),
        payment_processor=processor,
        service_status=status,
        created_at=at(1),
    )


def an_invoice(
    *,
    processor: PaymentProcessor = PaymentProcessor.PAYMENTS_AI,
    status: InvoiceStatus = InvoiceStatus.UNPAID,
) -> Invoice:
    """An invoice of order 1 for 49.00."""
    line = InvoiceLineItem(id=21, invoice_id=2, variant_id=501, quantity=1, amount=Decimal("49.00"))
    return Invoice(
        id=2,
        order_id=1,
        status=status,
        line_items=(line,),
        currency="USD",
        total_amount=Decimal("49.00"),
        payment_processor=processor,
    )


def types_of(events: tuple[DomainEvent, ...]) -> list[str]:
    """The event types, in order."""
    return [event.event_type for event in events]


# -- the examples of the issue ------------------------------------------------------------


def test_a_paid_invoice_sends_orders_invoice_paid() -> None:
    """Paying an invoice in full gives orders/invoice.paid."""
    invoice = an_invoice()
    paid = invoice.pay(at=at(2))
    assert types_of(new_events(invoice, paid)) == ["orders/invoice.paid"]


def test_a_completed_one_time_order_sends_both_completed_types() -> None:
    """A one-time order completing gives one-time-order.completed and order.completed."""
    order = an_order()
    completed = order.apply_invoice(an_invoice().pay(at=at(2)), at=at(2))
    assert types_of(new_events(order, completed)) == [
        "one-time-order.completed",
        "order.completed",
    ]


def test_a_created_fulfillment_sends_fulfillment_created() -> None:
    """A new fulfillment gives fulfillment.created, dated by its created_at."""
    fulfillment = Fulfillment(id=3, lines=(FulfillmentLine(21, 1),), created_at=at(4))
    (created,) = domain_events(fulfillment)
    assert created.event_type == "fulfillment.created"
    assert created.at == at(4)
    assert created.change is None


def test_a_cancelled_or_restocked_fulfillment_sends_fulfillment_updated() -> None:
    """Cancelling or restocking a fulfillment gives fulfillment.updated."""
    fulfillment = Fulfillment(id=3, lines=(FulfillmentLine(21, 1),), created_at=at(4))
    for moved in (fulfillment.cancel(at=at(5)), fulfillment.restock(at=at(5))):
        assert types_of(new_events(fulfillment, moved)) == ["fulfillment.updated"]


# -- the mapping, change by change --------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (lambda i: i.pay(Decimal("10.00"), at=at(2)), ["orders/invoice.updated"]),
        (lambda i: i.mark_past_due(at=at(2)), ["orders/invoice.past_due"]),
        (lambda i: i.abandon(at=at(2)), ["orders/invoice.abandoned"]),
        (lambda i: i.void(at=at(2)), ["orders/invoice.voided"]),
        (
            lambda i: i.pay(at=at(2)).refund(Decimal(1), at=at(3)),
            ["orders/invoice.paid", "orders/invoice.refunded"],
        ),
        (
            lambda i: i.pay(at=at(2)).refund(at=at(3)),
            ["orders/invoice.paid", "orders/invoice.refunded"],
        ),
        (
            lambda i: i.pay(at=at(2)).dispute(at=at(3)).win_dispute(at=at(4)),
            ["orders/invoice.paid", "orders/invoice.updated", "orders/invoice.updated"],
        ),
        (
            lambda i: i.pay(at=at(2)).dispute(at=at(3)).lose_dispute(at=at(4)),
            ["orders/invoice.paid", "orders/invoice.updated", "orders/invoice.refunded"],
        ),
    ],
)
def test_each_invoice_change_sends_its_type(steps: Any, expected: list[str]) -> None:
    """Invoice changes map to orders/invoice.* types; winning a dispute is no new payment."""
    invoice = an_invoice()
    assert types_of(new_events(invoice, steps(invoice))) == expected


def test_issuing_a_draft_is_an_update_after_its_creation() -> None:
    """A draft invoice's events: created, then updated when issued."""
    draft = an_invoice(status=InvoiceStatus.DRAFT)
    assert types_of(domain_events(draft.issue(at=at(2)))) == [
        "orders/invoice.created",
        "orders/invoice.updated",
    ]


def test_a_subscriptions_lifecycle_sends_subscription_types() -> None:
    """Activate, pause, resume, cancel, churn, reactivate and complete each send theirs."""
    order = an_order(payment_type="subscription")
    moved = (
        order.activate(at=at(2))
        .pause(at=at(3))
        .resume(at=at(4))
        .cancel(at=at(5))
        .churn(at=at(6))
        .reactivate(at=at(7))
        .complete(at=at(8))
    )
    assert types_of(new_events(order, moved)) == [
        "subscription.activated",
        "subscription.modified",
        "subscription.modified",
        "subscription.canceled",
        "subscription.churned",
        "subscription.reactivated",
        "subscription.completed",
        "order.completed",
    ]


def test_cancelling_a_one_time_order_is_an_order_update() -> None:
    """A one-time order has no subscription events: its cancel is order.updated."""
    order = an_order()
    assert types_of(new_events(order, order.cancel(at=at(2)))) == ["order.updated"]


def test_with_the_order_at_hand_an_invoice_also_sends_the_order_level_type() -> None:
    """Given the order, a paid invoice adds one-time-order.invoice.paid or its subscription twin."""
    invoice = an_invoice()
    paid = invoice.pay(at=at(2))
    one_time = new_events(invoice, paid, order=an_order())
    assert types_of(one_time) == ["orders/invoice.paid", "one-time-order.invoice.paid"]
    subscription = new_events(invoice, paid, order=an_order(payment_type="subscription"))
    assert types_of(subscription)[-1] == "subscription.invoice.paid"
    refunded = new_events(paid, paid.refund(at=at(3)), order=an_order())
    assert types_of(refunded) == ["orders/invoice.refunded", "one_time_order.refunded"]


def test_a_line_items_change_is_its_invoices_update() -> None:
    """Ignoring a line item sends orders/invoice.updated for the invoice."""
    invoice = an_invoice(status=InvoiceStatus.PAID)
    ignored = attrs.evolve(invoice, line_items=(invoice.line_items[0].ignore(at=at(3)),))
    (event,) = new_events(invoice, ignored)
    assert event.event_type == "orders/invoice.updated"
    assert (event.subject_type, event.subject_id) == ("Orders::Invoice", 2)
    assert event.change is not None
    assert event.change.event == "ignore"


# -- external orders: set_status reads as the managed event making the same move ----------


def test_an_external_invoice_set_to_paid_sends_paid_and_the_confirmation_email() -> None:
    """Setting an external invoice to paid sends orders/invoice.paid and the email signal."""
    invoice = an_invoice(processor=PaymentProcessor.EXTERNAL)
    paid = invoice.set_status(InvoiceStatus.PAID, at=at(2))
    webhook, email = new_events(invoice, paid)
    assert webhook.event_type == "orders/invoice.paid"
    assert webhook.is_webhook
    assert email.event_type == ORDER_CONFIRMATION_EMAIL
    assert not email.is_webhook
    assert email.at == at(2)


def test_a_managed_invoice_paid_sends_no_confirmation_signal() -> None:
    """The email signal is the external-order rule of the seed only."""
    invoice = an_invoice()
    assert ORDER_CONFIRMATION_EMAIL not in types_of(new_events(invoice, invoice.pay(at=at(2))))


def test_an_external_invoice_set_back_and_forth_sends_the_matching_types() -> None:
    """Refunded, then paid again: refunded, then paid with another email."""
    invoice = an_invoice(processor=PaymentProcessor.EXTERNAL)
    moved = (
        invoice.set_status("paid", at=at(2))
        .set_status("refunded", at=at(3))
        .set_status("paid", at=at(4))
        .set_status("unpaid", at=at(5))
    )
    assert types_of(new_events(invoice, moved)) == [
        "orders/invoice.paid",
        ORDER_CONFIRMATION_EMAIL,
        "orders/invoice.refunded",
        "orders/invoice.paid",
        ORDER_CONFIRMATION_EMAIL,
        "orders/invoice.updated",
    ]


def test_an_external_subscription_set_through_its_statuses_sends_subscription_types() -> None:
    """External set_status moves read as the managed events that make the same moves."""
    order = an_order(payment_type="subscription", processor=PaymentProcessor.EXTERNAL)
    moved = (
        order.set_status("active", at=at(2))
        .set_status("canceled", at=at(3))
        .set_status("churned", at=at(4))
        .set_status("active", at=at(5))
        .set_status("pending", at=at(6))
    )
    assert types_of(new_events(order, moved)) == [
        "subscription.activated",
        "subscription.canceled",
        "subscription.churned",
        "subscription.reactivated",
        "order.updated",
    ]


def _entities_for(cls: type) -> list[Any]:
    """Entities of every processor and order type, to try each machine route against."""
    if cls is Order:
        return [
            an_order(payment_type=kind, processor=processor)
            for kind in ("one_time", "subscription")
            for processor in PaymentProcessor
        ]
    if cls is Invoice:
        return [an_invoice(processor=processor) for processor in PaymentProcessor]
    if cls is InvoiceLineItem:
        return [an_invoice().line_items[0]]
    return [Fulfillment(id=3, lines=(FulfillmentLine(21, 1),))]


@pytest.mark.parametrize(
    ("cls", "machine", "status_field"),
    [
        (Order, machines.ORDER, "service_status"),
        (Invoice, machines.INVOICE, "status"),
        (InvoiceLineItem, machines.INVOICE_LINE_ITEM, "fulfillment_status"),
        (Fulfillment, machines.FULFILLMENT, "status"),
    ],
)
def test_every_transition_of_every_machine_maps_to_a_webhook_type(
    cls: type, machine: Any, status_field: str
) -> None:
    """Each route a user can take, for each processor and order type, has event types."""
    checked = 0
    for event in machine.user_events:
        for routes in machine.routes[event].values():
            for route in routes:
                for entity in _entities_for(cls):
                    moved = attrs.evolve(entity, **{status_field: route.dest})
                    if not route.admits(moved):
                        continue
                    change = Change(event, route.source, route.dest, at(2))
                    types = event_types(moved, change)
                    assert types, (event, route.source, route.dest)
                    assert all(isinstance(t, str) for t in types)
                    checked += 1
    assert checked > 0


# -- envelopes and ids --------------------------------------------------------------------


def test_event_ids_are_deterministic_uuids() -> None:
    """The same entity's events get the same ids every time, and distinct ones each."""
    paid = an_invoice().pay(at=at(2)).refund(at=at(3))
    first = [event.event_id for event in domain_events(paid)]
    again = [event.event_id for event in domain_events(paid)]
    assert first == again
    assert len(set(first)) == len(first)
    for event_id in first:
        assert uuid.UUID(event_id).version == 5


def test_an_earlier_version_shares_the_ids_of_the_changes_it_has() -> None:
    """A change keeps its event ids as its entity moves on; ids depend on the subject only."""
    paid = an_invoice().pay(at=at(2))
    later = paid.refund(at=at(3))
    assert {e.event_id for e in domain_events(paid)} <= {e.event_id for e in domain_events(later)}
    other = attrs.evolve(an_invoice(), order_id=99).pay(at=at(2))
    assert [e.event_id for e in domain_events(other)] == [e.event_id for e in domain_events(paid)]
    another = Invoice(
        id=99,
        order_id=1,
        status=InvoiceStatus.UNPAID,
        line_items=(),
        currency="USD",
        total_amount=Decimal("49.00"),
    ).pay(at=at(2))
    assert {e.event_id for e in domain_events(paid)}.isdisjoint(
        e.event_id for e in domain_events(another)
    )


def test_an_envelope_reads_back_as_the_webhook_event() -> None:
    """An event's envelope parses into a WebhookEvent with the entity as typed data."""
    order = an_order()
    completed = order.complete(at=at(2))
    event = new_events(order, completed)[0]
    envelope = event.envelope(workspace_id=42000)
    assert envelope["event_type"] == "one-time-order.completed"
    assert envelope["created_at"] == "2025-06-02T00:00:00.000Z"
    assert envelope["workspace_id"] == 42000
    webhook = parse_webhook(json.dumps(envelope).encode())
    assert webhook.event_id == event.event_id
    assert webhook.subject_type == "Order"
    assert webhook.data == attrs.evolve(completed, history=())
    assert event.to_webhook_event() == webhook


def test_events_come_creation_first_then_oldest_first() -> None:
    """domain_events lists the creation, then each change in time order."""
    order = an_order(payment_type="subscription")
    moved = order.activate(at=at(2)).suspend(at=at(3)).resume(at=at(4))
    events = domain_events(moved)
    assert types_of(events)[0] == "order.created"
    moments = [event.at for event in events]
    assert moments == sorted(moments, key=lambda moment: moment or at(1))


@given(st.one_of(orders(), invoices(), fulfillments()))
def test_every_generated_entity_has_well_formed_events(entity: Any) -> None:
    """Every change of any entity maps to known types; every envelope parses back."""
    events = domain_events(entity)
    assert len({event.event_id for event in events}) == len(events)
    changes = len(entity.history) + sum(
        len(line.history) for line in getattr(entity, "line_items", ()) if hasattr(line, "history")
    )
    assert sum(1 for event in events if event.change is not None and event.is_webhook) >= changes
    for event in events:
        assert event.event_type in set(WebhookEventType) | {ORDER_CONFIRMATION_EMAIL}
    webhook = events[-1].to_webhook_event()
    assert webhook.entity is not None
    assert webhook.entity.id == entity.id


# -- a test double of ClickFunnels, built from the library --------------------------------


def test_a_clickfunnels_double_delivers_what_a_consumer_verifies_and_applies() -> None:
    """Transitions become signed deliveries that a consumer verifies, parses and applies."""
    secret = "whsec_double"  # noqa: S105  because a test signing secret is not a password
    order = an_order(processor=PaymentProcessor.EXTERNAL)
    invoice = an_invoice(processor=PaymentProcessor.EXTERNAL)
    paid = invoice.set_status("paid", at=at(2))
    completed = order.apply_invoice(paid, at=at(2))
    shipped = Fulfillment(id=3, lines=(FulfillmentLine(21, 1),), created_at=at(3))
    outbox = [
        *new_events(invoice, paid),
        *new_events(order, completed),
        *domain_events(shipped),
    ]
    deliveries = []
    for event in outbox:
        if not event.is_webhook:
            continue
        body = json.dumps(event.envelope()).encode()
        deliveries.append((body, sign_webhook(body, secret=secret, at=at(3))))
    replica = Replica()
    outcomes = []
    for body, headers in [*deliveries, deliveries[0]]:  # one delivery is retried
        verify_signature(body, secret=secret, headers=headers, now=at(3))
        outcomes.append(replica.apply(parse_webhook(body)).outcome)
    assert outcomes.count(ApplyOutcome.DUPLICATE) == 1
    assert replica.invoices[2].status is InvoiceStatus.PAID
    assert replica.orders[1].service_status is ServiceStatus.COMPLETED
    assert replica.orders[1].order_type is OrderType.ONE_TIME
    assert replica.fulfillments[3].status is FulfillmentStatus.FULFILLED


def test_event_types_no_transition_sends_are_listed_with_a_reason() -> None:
    """Reissued and trial types are members, sent by no route, each with a note saying why."""
    assert set(UNMODELLED) == {
        WebhookEventType.INVOICE_REISSUED,
        WebhookEventType.SUBSCRIPTION_TRIAL_STARTED,
        WebhookEventType.SUBSCRIPTION_TRIAL_ENDED,
        WebhookEventType.SUBSCRIPTION_TRIAL_CONVERTED,
    }
    compiled = (
        machines.INVOICE,
        machines.ORDER,
        machines.FULFILLMENT,
        machines.INVOICE_LINE_ITEM,
        machines.RESTOCK,
        machines.TRANSACTION,
    )
    sent = {
        kind for machine in compiled for route in machine.all_routes() for kind in route.webhooks
    }
    assert sent.isdisjoint(UNMODELLED)
    assert WebhookEventType.RESTOCK_UPDATED in sent
    assert all(reason for reason in UNMODELLED.values())
