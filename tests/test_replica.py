"""The webhook consumer's replica: idempotent, and never moved backwards by an old event."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    ApplyOutcome,
    InvalidValueError,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    Replica,
    ServiceStatus,
    WebhookEvent,
    new_events,
    parse_webhook,
)

UTC = dt.UTC


def at(day: int, hour: int = 0) -> dt.datetime:
    """Return a moment in July 2025, UTC."""
    return dt.datetime(2025, 7, day, hour, tzinfo=UTC)


def stamp(moment: dt.datetime) -> str:
    """The API's spelling of ``moment``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def an_invoice(status: InvoiceStatus = InvoiceStatus.UNPAID) -> Invoice:
    """Invoice 2 of order 1, for 49.00."""
    line = InvoiceLineItem(id=21, invoice_id=2, variant_id=501, quantity=1, amount=Decimal("49.00"))
    return Invoice(
        id=2,
        order_id=1,
        status=status,
        line_items=(line,),
        currency="USD",
        total_amount=Decimal("49.00"),
    )


def delivery(
    event_id: str,
    entity: Any,
    *,
    created_at: dt.datetime | None,
    updated_at: dt.datetime | None = None,
    event_type: str = "orders/invoice.updated",
) -> WebhookEvent:
    """A webhook event carrying ``entity``, dated as given."""
    subject = "Orders::Invoice" if isinstance(entity, Invoice) else "Order"
    data = entity.to_api()
    if updated_at is not None:
        data["updated_at"] = stamp(updated_at)
    return parse_webhook(
        {
            "event_id": event_id,
            "event_type": event_type,
            "subject_type": subject,
            "subject_id": entity.id,
            "created_at": None if created_at is None else stamp(created_at),
            "data": data,
        }
    )


UNPAID = an_invoice()
PAID = UNPAID.pay(at=at(2))
REFUNDED = PAID.refund(at=at(3))


def test_a_new_entity_is_applied() -> None:
    """The first event for an invoice stores it."""
    replica = Replica()
    result = replica.apply(delivery("e1", UNPAID, created_at=at(1)))
    assert result.outcome is ApplyOutcome.APPLIED
    assert result.subject == ("Invoice", 2)
    assert result.reason == "new"
    assert replica.invoices[2].status is InvoiceStatus.UNPAID


def test_a_repeated_event_is_skipped_as_a_duplicate() -> None:
    """The same event id delivered twice is applied once, whatever the second one carries."""
    replica = Replica()
    first = replica.apply(delivery("e1", PAID, created_at=at(2)))
    again = replica.apply(delivery("e1", REFUNDED, created_at=at(3)))
    assert first.outcome is ApplyOutcome.APPLIED
    assert again.outcome is ApplyOutcome.DUPLICATE
    assert replica.invoices[2].status is InvoiceStatus.PAID
    assert replica.has_seen("e1")


def test_events_in_order_move_the_status_forward() -> None:
    """Unpaid, paid, refunded, delivered in order, are each applied."""
    replica = Replica()
    results = replica.apply_all(
        [
            delivery("e1", UNPAID, created_at=at(1)),
            delivery("e2", PAID, created_at=at(2)),
            delivery("e3", REFUNDED, created_at=at(3)),
        ]
    )
    assert [r.outcome for r in results] == [ApplyOutcome.APPLIED] * 3
    assert results[1].reason == "status unpaid -> paid"
    assert replica.invoices[2].status is InvoiceStatus.REFUNDED


def test_an_older_event_arriving_late_is_stale() -> None:
    """Paid arrives after refunded: it is older, skipped, and the invoice stays refunded."""
    replica = Replica()
    results = replica.apply_all(
        [
            delivery("e3", REFUNDED, created_at=at(3)),
            delivery("e1", UNPAID, created_at=at(1)),
            delivery("e2", PAID, created_at=at(2)),
        ]
    )
    assert [r.outcome for r in results] == [
        ApplyOutcome.APPLIED,
        ApplyOutcome.STALE,
        ApplyOutcome.STALE,
    ]
    assert "older" in results[1].reason
    assert replica.invoices[2].status is InvoiceStatus.REFUNDED


def test_the_datas_updated_at_outranks_the_envelopes_created_at() -> None:
    """A version's moment is its updated_at; a late-created event of an old version is stale."""
    replica = Replica()
    replica.apply(delivery("e2", PAID, created_at=at(2), updated_at=at(2)))
    retried_old = delivery("e1", UNPAID, created_at=at(5), updated_at=at(1))
    assert replica.apply(retried_old).outcome is ApplyOutcome.STALE
    assert replica.invoices[2].status is InvoiceStatus.PAID


def test_a_newer_event_may_move_an_external_status_anywhere() -> None:
    """Time decides: a newer version wins even where the machine would not go."""
    replica = Replica()
    replica.apply(delivery("e1", PAID, created_at=at(2)))
    set_back = delivery("e2", UNPAID, created_at=at(4))
    assert replica.apply(set_back).outcome is ApplyOutcome.APPLIED
    assert replica.invoices[2].status is InvoiceStatus.UNPAID


def test_at_the_same_moment_only_a_forward_move_is_applied() -> None:
    """A tie goes to the status the machine can reach; a step back is stale."""
    replica = Replica()
    replica.apply(delivery("e1", PAID, created_at=at(2)))
    back = replica.apply(delivery("e2", UNPAID, created_at=at(2)))
    forward = replica.apply(delivery("e3", REFUNDED, created_at=at(2)))
    same = replica.apply(delivery("e4", REFUNDED, created_at=at(2), event_type="x.y"))
    assert back.outcome is ApplyOutcome.STALE
    assert "backwards" in back.reason
    assert forward.outcome is ApplyOutcome.APPLIED
    assert same.outcome is ApplyOutcome.APPLIED
    assert same.reason == "updated"
    assert replica.invoices[2].status is InvoiceStatus.REFUNDED


def test_without_moments_the_machine_decides() -> None:
    """Events with no timestamps at all are ordered by the lifecycle alone."""
    replica = Replica()
    replica.apply(delivery("e2", PAID, created_at=None))
    assert replica.apply(delivery("e1", UNPAID, created_at=None)).outcome is ApplyOutcome.STALE
    assert replica.apply(delivery("e3", REFUNDED, created_at=None)).outcome is ApplyOutcome.APPLIED


def test_an_event_without_an_entity_is_ignored_but_remembered() -> None:
    """A contact event carries no order, invoice or fulfillment: ignored, yet de-duplicated."""
    replica = Replica()
    event = parse_webhook(
        {"uuid": "c1", "event_type_id": "contact.identified", "subject_type": "Contact", "data": {}}
    )
    assert replica.apply(event).outcome is ApplyOutcome.IGNORED
    assert replica.apply(event).outcome is ApplyOutcome.DUPLICATE


def test_a_deleted_order_stays_deleted_against_older_updates() -> None:
    """order.deleted removes the order; an older update does not bring it back."""
    line = OrderLineItem(id=11, variant_id=501, quantity=1, amount=Decimal("49.00"))
    order = Order(id=1, contact_id=9, currency="USD", line_items=(line,))
    replica = Replica()
    replica.apply(delivery("o1", order, created_at=at(1), event_type="order.created"))
    deleted = replica.apply(delivery("o3", order, created_at=at(3), event_type="order.deleted"))
    late = replica.apply(delivery("o2", order, created_at=at(2), event_type="order.updated"))
    assert deleted.reason == "deleted"
    assert late.outcome is ApplyOutcome.STALE
    assert 1 not in replica.orders


def test_a_replica_starts_from_what_it_already_holds() -> None:
    """Entities and seen event ids can be handed over at start-up."""
    replica = Replica([PAID], seen_event_ids={"e9"})
    assert replica.invoices[2] is PAID
    assert (
        replica.apply(delivery("e9", REFUNDED, created_at=at(3))).outcome is ApplyOutcome.DUPLICATE
    )
    assert replica.apply(delivery("e1", UNPAID, created_at=None)).outcome is ApplyOutcome.STALE
    assert replica.seen_event_ids == {"e9", "e1"}


def test_the_views_are_snapshots() -> None:
    """What the replica hands out does not change under the caller, nor can it be changed."""
    replica = Replica()
    replica.apply(delivery("e1", UNPAID, created_at=at(1)))
    view = replica.invoices
    replica.apply(delivery("e2", PAID, created_at=at(2)))
    assert view[2].status is InvoiceStatus.UNPAID
    assert replica.invoices[2].status is InvoiceStatus.PAID
    assert dict(replica.orders) == {}
    assert dict(replica.fulfillments) == {}


def test_an_order_completed_by_its_invoice_arrives_in_any_order() -> None:
    """Order and invoice events interleaved out of order end in the latest versions."""
    line = OrderLineItem(id=11, variant_id=501, quantity=1, amount=Decimal("49.00"))
    order = Order(id=1, contact_id=9, currency="USD", line_items=(line,), created_at=at(1))
    completed = order.apply_invoice(PAID, at=at(2))
    events = [*new_events(UNPAID, PAID), *new_events(order, completed)]
    replica = Replica()
    for event in reversed(events):
        replica.apply(event.to_webhook_event())
    assert replica.orders[1].service_status is ServiceStatus.COMPLETED
    assert replica.invoices[2].status is InvoiceStatus.PAID


def test_prune_forgets_event_ids_received_before_the_window() -> None:
    """prune(now) drops ids received before now - dedupe_window and says how many."""
    replica = Replica(dedupe_window=dt.timedelta(days=1))
    replica.apply(delivery("e1", UNPAID, created_at=at(1)), received_at=at(1))
    replica.apply(delivery("e2", PAID, created_at=at(2)), received_at=at(3))
    assert replica.prune(at(3, 12)) == 1
    assert replica.seen_event_ids == {"e2"}
    assert replica.prune(at(3, 12)) == 0


def test_received_at_defaults_to_the_events_created_at() -> None:
    """Without received_at, an event id is as old as its envelope's created_at."""
    replica = Replica()
    replica.apply(delivery("e1", UNPAID, created_at=at(1)))
    assert replica.prune(at(4, 1)) == 1
    assert not replica.has_seen("e1")


def test_ids_of_unknown_age_survive_a_prune() -> None:
    """An id with no moment (restored as a bare id, or with no created_at) is kept."""
    replica = Replica(seen_event_ids={"old"})
    replica.apply(delivery("e1", UNPAID, created_at=None))
    assert replica.prune(at(30)) == 0
    assert replica.seen_event_ids == {"old", "e1"}


def test_restored_ids_may_carry_the_moment_they_were_received() -> None:
    """A mapping of id to moment restores ids that prune can age."""
    replica = Replica(seen_event_ids={"old": at(1), "new": at(9)})
    assert replica.prune(at(10)) == 1
    assert replica.seen_event_ids == {"new"}


def test_a_pruned_event_delivered_again_is_judged_by_its_version() -> None:
    """Versions outlive event ids: an old event re-sent after the window is stale."""
    replica = Replica(dedupe_window=dt.timedelta(hours=1))
    replica.apply(delivery("e1", PAID, created_at=at(1)))
    replica.apply(delivery("e2", REFUNDED, created_at=at(2)))
    replica.prune(at(5))
    assert replica.apply(delivery("e1", PAID, created_at=at(1))).outcome is ApplyOutcome.STALE
    assert replica.invoices[2].status is InvoiceStatus.REFUNDED


def test_a_dedupe_window_must_be_a_positive_timedelta() -> None:
    """Zero, negative and non-timedelta windows are refused with the field named."""
    for bad in (dt.timedelta(0), dt.timedelta(days=-1), 3):
        with pytest.raises(InvalidValueError, match="dedupe_window"):
            Replica(dedupe_window=bad)  # type: ignore[arg-type]  # the refusal is the point


def test_get_returns_the_held_entity_of_that_class() -> None:
    """get(cls, id) answers like the store does: the entity, or None."""
    replica = Replica()
    replica.apply(delivery("e1", UNPAID, created_at=at(1)))
    assert replica.get(Invoice, 2) == UNPAID
    assert replica.get(Order, 2) is None
    assert replica.get(Invoice, 3) is None


# -- the laws -----------------------------------------------------------------------------


@st.composite
def invoice_walks(draw: st.DrawFn) -> list[Invoice]:
    """Versions of one invoice, each a managed event later than the one before."""
    versions = [an_invoice(draw(st.sampled_from([InvoiceStatus.DRAFT, InvoiceStatus.UNPAID])))]
    moment = at(1)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        allowed = [e for e in versions[-1].allowed_events if e != "set_status"]
        if not allowed:
            break
        event = draw(st.sampled_from(allowed))
        moment += dt.timedelta(minutes=draw(st.integers(min_value=1, max_value=600)))
        versions.append(getattr(versions[-1], event)(at=moment))
    return versions


@given(invoice_walks(), st.data())
def test_any_delivery_order_with_retries_ends_in_the_latest_version(
    versions: list[Invoice], data: st.DataObject
) -> None:
    """Shuffled and repeated deliveries end with the latest version, never moving backwards."""
    events = [
        event.to_webhook_event()
        for before, after in itertools.pairwise(versions)
        for event in new_events(before, after)
    ]
    deliveries = data.draw(st.permutations(events + data.draw(st.lists(st.sampled_from(events)))))
    replica = Replica([versions[0]])
    held_as_of: dt.datetime | None = None
    for event in deliveries:
        result = replica.apply(event)
        assert result.outcome in {ApplyOutcome.APPLIED, ApplyOutcome.DUPLICATE, ApplyOutcome.STALE}
        if result.outcome is ApplyOutcome.APPLIED:
            assert event.as_of is not None
            assert held_as_of is None or event.as_of >= held_as_of
            held_as_of = event.as_of
    assert replica.invoices[2].status is versions[-1].status
    assert replica.invoices[2].amount_paid == versions[-1].amount_paid
    assert replica.seen_event_ids == {event.event_id for event in events}
