"""The order's service-status lifecycle, apply_invoice and invoice snapshots (API.md 4)."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from _builders import (
    EXTERNAL,
    EXTERNAL_ORDER_STATUSES,
    MANAGED,
    ONE_TIME,
    ORDER_EVENTS,
    ORDER_VARIANTS,
    PAI,
    STRIPE,
    SUBSCRIPTION,
    I,
    S,
    at,
    attempt,
    expected_order_events,
    expected_order_routes,
    invoice,
    order,
    order_line,
)
from clickfunnels_orders import (
    BillingStatus,
    CancelReasonError,
    Change,
    ForeignInvoiceError,
    InvalidTransitionError,
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    Order,
    OrderLineItem,
    OrdersError,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

PAYMENTS_AI_REASONS = (
    "did-not-use",
    "did-not-want",
    "missing-features",
    "too-expensive",
    "bugs-or-problems",
    "other",
)
STRIPE_REASONS = (
    "customer_service",
    "low_quality",
    "missing_features",
    "other",
    "switched_service",
    "too_complex",
    "too_expensive",
    "unused",
)
REASONS = {PAI: PAYMENTS_AI_REASONS, STRIPE: STRIPE_REASONS, EXTERNAL: STRIPE_REASONS}

VARIANTS = pytest.mark.parametrize(("processor", "order_type"), ORDER_VARIANTS, ids=str)
MANAGED_EVENTS = [e for e in ORDER_EVENTS if e != "set_status"]


# -- the tables as a whole ------------------------------------------------------------------


@VARIANTS
@pytest.mark.parametrize("status", list(ServiceStatus), ids=str)
@pytest.mark.parametrize("event", MANAGED_EVENTS)
def test_an_order_event_moves_exactly_along_the_rows_of_its_processor_and_type(
    processor: PaymentProcessor, order_type: OrderType, status: ServiceStatus, event: str
) -> None:
    """Each event succeeds, to the documented status, exactly where the variant's table says."""
    start = order(processor, order_type, status)
    routes = expected_order_routes(processor, order_type).get(event, frozenset())
    dests = {dest for source, dest in routes if source == status}
    moved = attempt(start, event, at(1))
    if dests:
        assert moved is not None
        assert {moved.service_status} == dests
        assert moved.history == (Change(event, status, moved.service_status, at(1)),)
    else:
        assert moved is None
    assert start.may(event) is bool(dests)


@VARIANTS
@pytest.mark.parametrize("status", list(ServiceStatus), ids=str)
def test_allowed_events_are_the_rows_that_start_from_the_status(
    processor: PaymentProcessor, order_type: OrderType, status: ServiceStatus
) -> None:
    """``allowed_events`` lists exactly the variant's events from the status, ``set_status`` too."""
    start = order(processor, order_type, status)
    assert set(start.allowed_events) == expected_order_events(start)


def test_a_status_outside_the_variants_lifecycle_has_no_events() -> None:
    """A one-time order held in a subscription status is accepted but can do nothing."""
    odd = order(PAI, ONE_TIME, S.ACTIVE)
    assert odd.allowed_events == ()
    with pytest.raises(InvalidTransitionError):
        odd.pause(at=at(1))
    assert order(STRIPE, SUBSCRIPTION, S.VOIDED).allowed_events == ()


# -- one-time orders ------------------------------------------------------------------------


@pytest.mark.parametrize("processor", MANAGED, ids=str)
@pytest.mark.parametrize(
    ("event", "dest"),
    [("complete", S.COMPLETED), ("cancel", S.CANCELED), ("abandon", S.ABANDONED)],
)
def test_a_pending_one_time_order_completes_cancels_or_is_abandoned(
    processor: PaymentProcessor, event: str, dest: ServiceStatus
) -> None:
    """Payments AI and Stripe one-time orders leave pending by complete, cancel or abandon."""
    moved: Order = getattr(order(processor, ONE_TIME), event)(at=at(1))
    assert moved.service_status is dest
    assert moved.history == (Change(event, S.PENDING, dest, at(1)),)


def test_only_payments_ai_voids_a_pending_order() -> None:
    """``void`` exists for Payments AI orders; Stripe orders lack it."""
    for order_type in OrderType:
        assert order(PAI, order_type).void(at=at(1)).service_status is S.VOIDED
        stripe = order(STRIPE, order_type)
        assert not stripe.may("void")
        assert "void" not in stripe.allowed_events
        with pytest.raises(InvalidTransitionError) as caught:
            stripe.void(at=at(1))
        assert caught.value.event == "void"


@pytest.mark.parametrize("processor", MANAGED, ids=str)
def test_a_one_time_order_is_not_activated_paused_or_churned(processor: PaymentProcessor) -> None:
    """Subscription events do not apply to a one-time order."""
    pending = order(processor, ONE_TIME)
    for event in ("activate", "pause", "suspend", "resume", "churn", "reactivate"):
        with pytest.raises(InvalidTransitionError):
            getattr(pending, event)(at=at(1))


@pytest.mark.parametrize("processor", MANAGED, ids=str)
@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELED, S.ABANDONED, S.VOIDED])
def test_a_one_time_order_that_left_pending_has_no_events(
    processor: PaymentProcessor, status: ServiceStatus
) -> None:
    """Once completed, canceled, abandoned or voided, a one-time order stays so."""
    assert order(processor, ONE_TIME, status).allowed_events == ()


# -- subscription orders --------------------------------------------------------------------


@pytest.mark.parametrize("processor", MANAGED, ids=str)
def test_a_subscription_runs_through_its_documented_rows(processor: PaymentProcessor) -> None:
    """activate, pause, resume, suspend, resume, cancel, churn, reactivate, complete in turn."""
    sub = order(processor, SUBSCRIPTION)
    steps = [
        ("activate", S.ACTIVE),
        ("pause", S.PAUSED),
        ("resume", S.ACTIVE),
        ("suspend", S.SUSPENDED),
        ("resume", S.ACTIVE),
        ("cancel", S.CANCELED),
        ("churn", S.CHURNED),
        ("reactivate", S.ACTIVE),
        ("cancel", S.CANCELED),
        ("reactivate", S.ACTIVE),
        ("complete", S.COMPLETED),
    ]
    for minute, (event, dest) in enumerate(steps, start=1):
        before = sub.service_status
        sub = getattr(sub, event)(at=at(minute))
        assert sub.service_status is dest
        assert sub.history[-1] == Change(event, before, dest, at(minute))
    assert len(sub.history) == len(steps)
    assert sub.allowed_events == ()


@pytest.mark.parametrize("processor", MANAGED, ids=str)
@pytest.mark.parametrize("source", [S.PENDING, S.ACTIVE, S.PAUSED, S.SUSPENDED])
def test_a_subscription_may_be_canceled_from_pending_active_paused_or_suspended(
    processor: PaymentProcessor, source: ServiceStatus
) -> None:
    """``cancel`` has four sources for a subscription."""
    canceled = order(processor, SUBSCRIPTION, source).cancel(at=at(1))
    assert canceled.service_status is S.CANCELED


@pytest.mark.parametrize("processor", MANAGED, ids=str)
def test_a_pending_subscription_does_not_complete(processor: PaymentProcessor) -> None:
    """A subscription completes from active only; a one-time order from pending."""
    with pytest.raises(InvalidTransitionError):
        order(processor, SUBSCRIPTION).complete(at=at(1))


# -- cancel ---------------------------------------------------------------------------------


def test_cancel_stamps_canceled_at_churned_at_and_the_reason() -> None:
    """``cancel`` sets ``canceled_at = at``, ``churned_at = at`` and ``cancel_reason``."""
    canceled = order(PAI, SUBSCRIPTION, S.ACTIVE).cancel(at=at(3), reason="too-expensive")
    assert canceled.canceled_at == at(3)
    assert canceled.churned_at == at(3)
    assert canceled.cancel_reason == "too-expensive"


def test_cancel_at_period_end_sets_churned_at_to_the_effective_moment() -> None:
    """``effective_at`` (the end of the paid period) becomes ``churned_at``."""
    active = order(STRIPE, SUBSCRIPTION, S.ACTIVE, paid_until=at(days=30))
    canceled = active.cancel(at=at(3), effective_at=active.paid_until)
    assert canceled.canceled_at == at(3)
    assert canceled.churned_at == at(days=30)


def test_cancel_refuses_a_naive_effective_moment() -> None:
    """``effective_at`` is a moment like any other: it must be timezone-aware."""
    naive = at(0).replace(tzinfo=None)
    with pytest.raises(InvalidValueError, match="effective_at"):
        order(PAI, SUBSCRIPTION, S.ACTIVE).cancel(at=at(1), effective_at=naive)


def test_cancel_defaults_to_the_reason_other() -> None:
    """Without a reason, an order is canceled for ``other``, which every processor accepts."""
    for processor in PaymentProcessor:
        assert order(processor, SUBSCRIPTION).cancel(at=at(1)).cancel_reason == "other"


@pytest.mark.parametrize("processor", list(PaymentProcessor), ids=str)
def test_each_processor_accepts_its_own_cancel_reasons(processor: PaymentProcessor) -> None:
    """Every reason in the processor's list cancels the order."""
    pending = order(processor, SUBSCRIPTION)
    assert set(pending.cancel_reasons) == set(REASONS[processor])
    for reason in REASONS[processor]:
        assert pending.cancel(at=at(1), reason=reason).cancel_reason == reason


@pytest.mark.parametrize("processor", list(PaymentProcessor), ids=str)
def test_a_reason_the_processor_does_not_accept_is_refused_listing_the_accepted_ones(
    processor: PaymentProcessor,
) -> None:
    """Another processor's reason raises a ValueError whose message lists the accepted ones."""
    foreign = "too_expensive" if processor is PAI else "too-expensive"
    pending = order(processor, SUBSCRIPTION)
    with pytest.raises(CancelReasonError) as caught:
        pending.cancel(at=at(1), reason=foreign)
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, OrdersError)
    assert set(error.accepted) == set(REASONS[processor])
    assert all(reason in str(error) for reason in REASONS[processor])
    assert foreign in str(error)


# -- external orders ------------------------------------------------------------------------

EXTERNAL_SET = [
    (order_type, source, dest)
    for order_type, held in EXTERNAL_ORDER_STATUSES.items()
    for source in sorted(held)
    for dest in sorted(held)
    if source != dest
]


@pytest.mark.parametrize(("order_type", "source", "dest"), EXTERNAL_SET, ids=str)
def test_an_external_order_may_be_set_between_the_statuses_it_can_hold(
    order_type: OrderType, source: ServiceStatus, dest: ServiceStatus
) -> None:
    """``set_status`` moves an external order between any two statuses of its type's list."""
    moved = order(EXTERNAL, order_type, source).set_status(dest, at=at(1))
    assert moved.service_status is dest
    assert moved.history == (Change("set_status", source, dest, at(1)),)


@pytest.mark.parametrize("source", [S.PENDING, S.ACTIVE, S.PAUSED, S.CHURNED])
def test_setting_an_external_order_canceled_stamps_both_moments_and_reason_other(
    source: ServiceStatus,
) -> None:
    """Switching to canceled sets ``canceled_at`` and ``churned_at`` to ``at``, reason other."""
    canceled = order(EXTERNAL, SUBSCRIPTION, source).set_status("canceled", at=at(2))
    assert canceled.canceled_at == at(2)
    assert canceled.churned_at == at(2)
    assert canceled.cancel_reason == "other"


def test_setting_another_external_status_leaves_the_cancel_fields_alone() -> None:
    """Only canceled touches ``canceled_at``, ``churned_at`` and ``cancel_reason``."""
    churned = order(EXTERNAL, SUBSCRIPTION, S.ACTIVE).set_status("churned", at=at(1))
    assert (churned.canceled_at, churned.churned_at, churned.cancel_reason) == (None, None, None)


@pytest.mark.parametrize(
    ("order_type", "status"),
    [(t, s) for t, held in EXTERNAL_ORDER_STATUSES.items() for s in sorted(held)],
    ids=str,
)
def test_setting_the_current_external_status_returns_the_order_unchanged(
    order_type: OrderType, status: ServiceStatus
) -> None:
    """Setting the status an external order already has changes nothing."""
    start = order(EXTERNAL, order_type, status)
    assert start.set_status(status, at=at(1)) == start


def test_setting_the_current_external_status_still_checks_the_moment() -> None:
    """A no-op ``set_status`` is refused when dated before the order's last change."""
    active = order(EXTERNAL, SUBSCRIPTION).set_status("active", at=at(10))
    with pytest.raises(InvalidValueError, match="at"):
        active.set_status("active", at=at(9))
    assert active.set_status("active", at=at(10)) == active


@pytest.mark.parametrize(
    ("order_type", "dest"),
    [
        (t, d)
        for t, held in EXTERNAL_ORDER_STATUSES.items()
        for d in sorted(set(ServiceStatus) - held)
    ],
    ids=str,
)
def test_an_external_order_cannot_be_set_to_a_status_its_type_cannot_hold(
    order_type: OrderType, dest: ServiceStatus
) -> None:
    """One-time: pending or completed; subscription: six statuses. Another raises."""
    with pytest.raises(InvalidTransitionError) as caught:
        order(EXTERNAL, order_type).set_status(dest, at=at(1))
    assert caught.value.event == "set_status"


def test_an_external_order_accepts_managed_events_that_end_in_its_statuses() -> None:
    """Managed events ending in an external status work there; suspend, abandon and void do not."""
    assert order(EXTERNAL, ONE_TIME).complete(at=at(1)).service_status is S.COMPLETED
    sub = order(EXTERNAL, SUBSCRIPTION).activate(at=at(1)).pause(at=at(2)).resume(at=at(3))
    canceled = sub.cancel(at=at(4), reason="switched_service")
    assert canceled.cancel_reason == "switched_service"
    assert canceled.churn(at=at(5)).reactivate(at=at(6)).service_status is S.ACTIVE
    for event in ("suspend", "abandon", "void"):
        assert not order(EXTERNAL, SUBSCRIPTION, S.ACTIVE if event == "suspend" else S.PENDING).may(
            event
        )
    for event in ("cancel", "abandon", "void"):
        assert not order(EXTERNAL, ONE_TIME).may(event)


@pytest.mark.parametrize("processor", MANAGED, ids=str)
@pytest.mark.parametrize("order_type", list(OrderType), ids=str)
def test_a_managed_order_refuses_set_status(
    processor: PaymentProcessor, order_type: OrderType
) -> None:
    """Payments AI and Stripe orders move only by events."""
    start = order(processor, order_type)
    for dest in ServiceStatus:
        with pytest.raises(InvalidTransitionError):
            start.set_status(dest, at=at(1))


# -- apply_invoice --------------------------------------------------------------------------


def paid_invoice(order_id: object = 1, status: InvoiceStatus = I.PAID) -> Invoice:
    """Return an invoice of order ``order_id`` in ``status`` (paid by default)."""
    paid = "100.00" if status is not I.PARTIALLY_PAID else "10.00"
    return invoice(status, order_id=order_id, total="100.00", paid=paid)


def test_an_invoice_of_another_order_is_refused() -> None:
    """``apply_invoice`` takes only this order's invoices: another raises a ValueError."""
    pending = order(order_id=1)
    with pytest.raises(ForeignInvoiceError) as caught:
        pending.apply_invoice(paid_invoice(order_id=2), at=at(1))
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, OrdersError)
    assert (error.order_id, error.invoice_order_id) == (1, 2)


@pytest.mark.parametrize("status", list(InvoiceStatus), ids=str)
def test_billing_status_takes_the_invoices_status(status: InvoiceStatus) -> None:
    """The order's ``billing_status`` mirrors the invoice it is given, whatever its status."""
    active = order(PAI, SUBSCRIPTION, S.ACTIVE)
    applied = active.apply_invoice(paid_invoice(status=status), at=at(1))
    assert applied.billing_status is BillingStatus(status.value)


@pytest.mark.parametrize("status", [s for s in InvoiceStatus if s is not I.PAID], ids=str)
def test_the_billing_mirror_adds_no_history(status: InvoiceStatus) -> None:
    """Mirroring the invoice's status is not an event of the order: no ``history`` record."""
    pending = order(PAI, ONE_TIME)
    applied = pending.apply_invoice(paid_invoice(status=status), at=at(1))
    assert applied.history == ()
    assert applied.service_status is S.PENDING


@pytest.mark.parametrize("processor", list(PaymentProcessor), ids=str)
def test_a_paid_invoice_completes_a_pending_one_time_order(processor: PaymentProcessor) -> None:
    """A paid invoice completes a pending one-time order, recorded as a ``complete`` change."""
    applied = order(processor, ONE_TIME).apply_invoice(paid_invoice(), at=at(4))
    assert applied.service_status is S.COMPLETED
    assert applied.billing_status is BillingStatus.PAID
    assert applied.history == (Change("complete", S.PENDING, S.COMPLETED, at(4)),)


@pytest.mark.parametrize("processor", list(PaymentProcessor), ids=str)
def test_a_paid_invoice_activates_a_pending_subscription(processor: PaymentProcessor) -> None:
    """A paid invoice activates a pending subscription, recorded as an ``activate`` change."""
    applied = order(processor, SUBSCRIPTION).apply_invoice(paid_invoice(), at=at(4))
    assert applied.service_status is S.ACTIVE
    assert applied.history == (Change("activate", S.PENDING, S.ACTIVE, at(4)),)


@pytest.mark.parametrize(
    ("order_type", "status"),
    [(SUBSCRIPTION, S.ACTIVE), (SUBSCRIPTION, S.CANCELED), (ONE_TIME, S.CANCELED)],
)
def test_a_paid_invoice_moves_only_a_pending_order(
    order_type: OrderType, status: ServiceStatus
) -> None:
    """An order that is no longer pending keeps its service status; only billing follows."""
    applied = order(PAI, order_type, status).apply_invoice(paid_invoice(), at=at(1))
    assert applied.service_status is status
    assert applied.billing_status is BillingStatus.PAID
    assert applied.history == ()


def test_a_partially_paid_invoice_does_not_complete_the_order() -> None:
    """Only a paid invoice completes or activates."""
    applied = order(PAI, ONE_TIME).apply_invoice(paid_invoice(status=I.PARTIALLY_PAID), at=at(1))
    assert applied.service_status is S.PENDING
    assert applied.billing_status is BillingStatus.PARTIALLY_PAID


def test_apply_invoice_leaves_the_original_order_untouched() -> None:
    """Applying returns a new order."""
    pending = order(PAI, ONE_TIME)
    pending.apply_invoice(paid_invoice(), at=at(1))
    assert pending.service_status is S.PENDING
    assert pending.billing_status is BillingStatus.PENDING


def test_apply_invoice_dates_its_service_move_like_any_event() -> None:
    """The completing move may not be dated before the order's last change."""
    history = [Change("set_status", S.COMPLETED, S.PENDING, at(10))]
    pending = order(PaymentProcessor.EXTERNAL, ONE_TIME, history=history)
    with pytest.raises(InvalidValueError):
        pending.apply_invoice(paid_invoice(), at=at(9))


# -- Invoice.for_order ----------------------------------------------------------------------


def mixed_order() -> Order:
    """Return a subscription order with a one-time line, a subscription and a payment plan."""
    return order(
        PAI,
        SUBSCRIPTION,
        lines=[
            order_line(1, payment_type="one_time", amount="5.00", quantity=3),
            order_line(2, payment_type="subscription", amount="20.00"),
            order_line(3, payment_type="payment_plan", amount="7.50", quantity=2),
            order_line(4, payment_type="debit", amount="1.00", fulfillment_required=False),
        ],
        currency="eur",
    )


def test_an_initial_invoice_snapshots_every_line_as_a_draft() -> None:
    """``for_order`` copies the order's lines into a new draft invoice of that order."""
    source = mixed_order()
    made = Invoice.for_order(source, id=50)
    assert made.status is I.DRAFT
    assert made.order_id == source.id
    assert made.currency == "EUR"
    assert made.payment_processor is source.payment_processor
    assert made.invoice_type == "initial"
    assert [line.variant_id for line in made.line_items] == [500] * 4
    assert [line.quantity for line in made.line_items] == [3, 1, 2, 1]
    assert [line.amount for line in made.line_items] == [
        Decimal("15.00"),
        Decimal("20.00"),
        Decimal("15.00"),
        Decimal("1.00"),
    ]
    assert made.total_amount == Decimal("51.00")
    assert all(line.invoice_id == 50 for line in made.line_items)
    assert [line.fulfillment_required for line in made.line_items] == [True, True, True, False]
    assert len({line.id for line in made.line_items}) == 4


def test_a_snapshot_with_default_line_ids_survives_a_payload_round_trip() -> None:
    """Default line ids are strings the API can carry, so to_api then from_api gives it back."""
    made = Invoice.for_order(mixed_order(), id=50).issue(at=at(1))
    assert [line.id for line in made.line_items] == ["50-0", "50-1", "50-2", "50-3"]
    again = Invoice.from_api(made.to_api())
    assert attrs.evolve(again, history=made.history) == made


def test_a_renewal_invoice_carries_only_the_recurring_lines() -> None:
    """A renewal bills subscriptions and payment plans, not the one-time lines."""
    made = Invoice.for_order(mixed_order(), id=51, invoice_type="renewal")
    assert [line.payment_type for line in made.line_items] == ["subscription", "payment_plan"]
    assert made.total_amount == Decimal("35.00")
    assert made.invoice_type == "renewal"


def test_a_one_time_charge_invoice_carries_only_the_one_time_lines() -> None:
    """A subscription order's one-time charge bills the lines that do not recur."""
    made = Invoice.for_order(mixed_order(), id=52, kind="one_time")
    assert [line.payment_type for line in made.line_items] == ["one_time", "debit"]
    assert made.invoice_type == "one_time"


def test_a_renewal_of_an_order_with_no_recurring_line_is_refused() -> None:
    """There is nothing to renew on a one-time order."""
    with pytest.raises(InvalidValueError, match="invoice_type"):
        Invoice.for_order(order(PAI, ONE_TIME), id=1, invoice_type="renewal")


def test_an_unknown_invoice_type_is_refused() -> None:
    """``for_order`` takes only the API's invoice types."""
    with pytest.raises(InvalidValueError, match="invoice_type"):
        Invoice.for_order(mixed_order(), id=1, invoice_type="refundish")


def test_for_order_takes_line_ids_and_a_due_moment() -> None:
    """Given ids name the copied lines in order; ``due_at`` is kept; a wrong count is refused."""
    made = Invoice.for_order(mixed_order(), id=9, line_item_ids=["a", "b", "c", "d"], due_at=at(9))
    assert [line.id for line in made.line_items] == ["a", "b", "c", "d"]
    assert made.due_at == at(9)
    with pytest.raises(InvalidValueError, match="line_item_ids"):
        Invoice.for_order(mixed_order(), id=9, line_item_ids=["a"])


def test_a_snapshot_can_be_issued_and_paid_like_any_invoice() -> None:
    """The snapshot is an ordinary draft invoice that the order then follows."""
    source = order(PAI, ONE_TIME)
    paid = Invoice.for_order(source, id=3).issue(at=at(1)).pay(at=at(2))
    assert source.apply_invoice(paid, at=at(3)).service_status is S.COMPLETED


# -- replace_line_item ----------------------------------------------------------------------


def test_replacing_a_line_item_leaves_existing_invoices_untouched() -> None:
    """An upgrade changes the order's line; invoices issued earlier keep their own copy."""
    source = mixed_order()
    issued = Invoice.for_order(source, id=60).issue(at=at(1))
    snapshot = issued.line_items
    upgrade = order_line(2, payment_type="subscription", amount="45.00", variant_id=777)
    upgraded = source.replace_line_item(2, upgrade)
    assert upgraded.line_items[1] == upgrade
    assert upgraded.line_items[0] == source.line_items[0]
    assert issued.line_items == snapshot
    assert issued.line_items[1].variant_id == 500
    assert issued.total_amount == Decimal("51.00")
    renewal = Invoice.for_order(upgraded, id=61, invoice_type="renewal")
    assert [line.variant_id for line in renewal.line_items] == [777, 500]


def test_replacing_a_line_item_leaves_the_original_order_untouched() -> None:
    """``replace_line_item`` returns a new order."""
    source = mixed_order()
    lines = source.line_items
    source.replace_line_item(1, order_line(1, amount="0.50"))
    assert source.line_items == lines


def test_replacing_a_line_that_does_not_exist_or_is_ambiguous_is_refused() -> None:
    """The id must name exactly one line."""
    with pytest.raises(InvalidValueError, match="line_item_id"):
        mixed_order().replace_line_item(99, order_line(99))
    repeated = order(lines=[order_line(5), order_line(5)])
    with pytest.raises(InvalidValueError, match="line_item_id"):
        repeated.replace_line_item(5, order_line(5))


def test_replacing_with_something_other_than_an_order_line_is_refused() -> None:
    """The replacement must be an ``OrderLineItem``."""
    with pytest.raises(OrdersError):
        mixed_order().replace_line_item(1, invoice(status=I.DRAFT))  # type: ignore[arg-type]  # the wrong type is the input under test
    assert isinstance(mixed_order().line_items[0], OrderLineItem)
