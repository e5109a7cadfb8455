"""One Hypothesis state machine per lifecycle: invoice, order, line item, fulfillment.

Each rule fires one event, guarded by a precondition that mirrors ``may(event)``; other
rules fire what is not allowed, or fire too early, and expect a refusal. The invariants
are the laws: amounts within bounds, history in time order and one record per event, and
allowed events that match API.md's tables.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from _builders import (
    EXTERNAL,
    EXTERNAL_INVOICE_STATUSES,
    FULFILLMENT_EVENTS,
    INVOICE_EVENTS,
    LINE_ITEM_EVENTS,
    MANAGED_INVOICE_FINALS,
    ORDER_EVENTS,
    ORDER_VARIANTS,
    T0,
    I,
    S,
    at,
    expected_invoice_events,
    expected_order_events,
    fulfillment,
    invoice,
    invoice_line,
    money,
    order,
    order_statuses,
)
from clickfunnels_orders import (
    AmountError,
    BillingStatus,
    FulfillmentStatus,
    InvalidTransitionError,
    InvalidValueError,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
    TimeRules,
)
from clickfunnels_orders.machines import HOLDS_NOTHING, amounts_agree

CENT = Decimal("0.01")
steps = st.integers(0, 60 * 24 * 20).map(lambda m: dt.timedelta(minutes=m))
FEW_STEPS = settings(stateful_step_count=30)


class Lifecycle(RuleBasedStateMachine):
    """What the machines below share: an entity, a clock and a count of recorded events."""

    events: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self.entity: Any = None
        self.clock = T0
        self.recorded = 0

    def tick(self, step: dt.timedelta) -> dt.datetime:
        """Move the clock on by ``step`` (never before the entity's last change)."""
        last = self.entity.history[-1].at if self.entity.history else T0
        self.clock = max(self.clock, last) + step
        return self.clock

    def fired(self, moved: Any, *, recorded: bool = True) -> None:
        """Take ``moved`` as the current entity, counting the history record it adds."""
        self.recorded += recorded
        self.entity = moved

    def has_refused_event(self) -> bool:
        """Whether some event is not allowed now."""
        return self.entity is not None and set(self.events) != set(self.entity.allowed_events)

    @precondition(lambda self: self.has_refused_event())
    @rule(data=st.data())
    def refused_event_raises_and_changes_nothing(self, data: st.DataObject) -> None:
        """An event that is not allowed raises InvalidTransitionError naming it."""
        refused = sorted(set(self.events) - set(self.entity.allowed_events))
        event = data.draw(st.sampled_from(refused), label="refused event")
        before = self.entity
        kwargs: dict[str, Any] = {"at": self.tick(dt.timedelta(0))}
        if event == "set_status":
            kwargs["status"] = data.draw(st.sampled_from(self.statuses()), label="status")
        with pytest.raises(InvalidTransitionError) as caught:
            getattr(self.entity, event)(**kwargs)
        assert caught.value.event == event
        assert caught.value.allowed == before.allowed_events
        assert self.entity == before

    @precondition(lambda self: self.entity is not None and self.entity.history)
    @rule(data=st.data())
    def an_event_before_the_last_change_is_refused(self, data: st.DataObject) -> None:
        """Any allowed event dated before the last change is refused."""
        allowed = [e for e in self.entity.allowed_events if e != "set_status"]
        if not allowed:
            return
        event = data.draw(st.sampled_from(allowed), label="early event")
        early = self.entity.history[-1].at - dt.timedelta(microseconds=1)
        with pytest.raises(InvalidValueError):
            getattr(self.entity, event)(at=early)

    def statuses(self) -> list[str]:
        """Return the statuses ``set_status`` could be asked for."""
        return []

    @invariant()
    def history_is_in_time_order_with_one_record_per_event(self) -> None:
        """History never goes back in time and holds exactly one record per fired event."""
        if self.entity is None:
            return
        stamps = [change.at for change in self.entity.history]
        assert stamps == sorted(stamps)
        assert len(self.entity.history) == self.recorded

    @invariant()
    def may_agrees_with_allowed_events(self) -> None:
        """``may(event)`` holds exactly for the listed events."""
        if self.entity is None:
            return
        allowed = self.entity.allowed_events
        for event in self.events:
            assert self.entity.may(event) is (event in allowed)


# -- invoice --------------------------------------------------------------------------------


class InvoiceLifecycle(Lifecycle):
    """An invoice, managed or external, driven by every event and by time."""

    events = INVOICE_EVENTS

    def statuses(self) -> list[str]:
        """Every invoice status."""
        return [s.value for s in InvoiceStatus]

    @initialize(
        processor=st.sampled_from(PaymentProcessor),
        total=money,
        due=st.none() | st.integers(0, 60 * 24 * 10),
    )
    def start(self, processor: PaymentProcessor, total: Decimal, due: int | None) -> None:
        """Start from a draft invoice."""
        self.entity = invoice(
            total=total, processor=processor, due_at=None if due is None else at(due)
        )

    def may(self, event: str) -> bool:
        """Whether the invoice allows ``event``."""
        return bool(self.entity.may(event))

    @precondition(lambda self: self.may("issue"))
    @rule(step=steps)
    def issue(self, step: dt.timedelta) -> None:
        """Issuing stamps ``issued_at``."""
        moment = self.tick(step)
        self.fired(self.entity.issue(at=moment))
        assert self.entity.issued_at == moment
        assert self.entity.status is I.UNPAID

    @precondition(lambda self: self.may("pay") and self.entity.due_amount >= CENT)
    @rule(step=steps, data=st.data())
    def pay_part(self, step: dt.timedelta, data: st.DataObject) -> None:
        """A payment adds to ``amount_paid``; paid once nothing is due."""
        start = self.entity
        amount = data.draw(
            st.decimals(min_value=CENT, max_value=start.due_amount, places=2), label="amount"
        )
        moment = self.tick(step)
        self.fired(start.pay(amount, at=moment))
        assert self.entity.amount_paid == start.amount_paid + amount
        settled = self.entity.amount_paid == self.entity.total_amount
        assert self.entity.status is (I.PAID if settled else I.PARTIALLY_PAID)
        assert self.entity.paid_at == (moment if settled else start.paid_at)

    @precondition(lambda self: self.may("pay"))
    @rule(step=steps)
    def pay_rest(self, step: dt.timedelta) -> None:
        """Paying with no amount settles the invoice."""
        moment = self.tick(step)
        self.fired(self.entity.pay(at=moment))
        assert self.entity.status is I.PAID
        assert self.entity.amount_paid == self.entity.total_amount
        assert self.entity.paid_at == moment

    @precondition(lambda self: self.may("pay"))
    @rule()
    def overpaying_is_refused(self) -> None:
        """Paying a cent more than is due raises AmountError."""
        before = self.entity
        with pytest.raises(AmountError):
            before.pay(before.due_amount + CENT, at=self.tick(dt.timedelta(0)))

    @precondition(lambda self: self.may("mark_past_due"))
    @rule(step=steps)
    def mark_past_due(self, step: dt.timedelta) -> None:
        """Unpaid to past-due."""
        self.fired(self.entity.mark_past_due(at=self.tick(step)))
        assert self.entity.status is I.PAST_DUE

    @precondition(lambda self: self.may("abandon"))
    @rule(step=steps)
    def abandon(self, step: dt.timedelta) -> None:
        """Abandoned."""
        self.fired(self.entity.abandon(at=self.tick(step)))
        assert self.entity.status is I.ABANDONED

    @precondition(lambda self: self.may("void"))
    @rule(step=steps)
    def void(self, step: dt.timedelta) -> None:
        """Voided."""
        self.fired(self.entity.void(at=self.tick(step)))
        assert self.entity.status is I.VOIDED

    @precondition(
        lambda self: (
            self.may("refund")
            and self.entity.status is not I.PARTIALLY_PAID
            and self.entity.refundable_amount >= CENT
        )
    )
    @rule(step=steps, data=st.data())
    def refund_part(self, step: dt.timedelta, data: st.DataObject) -> None:
        """A refund adds to ``amount_refunded``; refunded once everything paid is refunded."""
        start = self.entity
        amount = data.draw(
            st.decimals(min_value=CENT, max_value=start.refundable_amount, places=2),
            label="amount",
        )
        self.fired(start.refund(amount, at=self.tick(step)))
        assert self.entity.amount_refunded == start.amount_refunded + amount
        everything = self.entity.amount_refunded == self.entity.amount_paid
        assert self.entity.status is (I.REFUNDED if everything else I.PARTIALLY_REFUNDED)

    @precondition(lambda self: self.may("refund"))
    @rule(step=steps)
    def refund_all(self, step: dt.timedelta) -> None:
        """Refunding with no amount refunds everything paid."""
        self.fired(self.entity.refund(at=self.tick(step)))
        assert self.entity.status is I.REFUNDED
        assert self.entity.amount_refunded == self.entity.amount_paid

    @precondition(lambda self: self.may("dispute"))
    @rule(step=steps)
    def dispute(self, step: dt.timedelta) -> None:
        """Disputed."""
        self.fired(self.entity.dispute(at=self.tick(step)))
        assert self.entity.status is I.DISPUTED

    @precondition(lambda self: self.may("win_dispute"))
    @rule(step=steps)
    def win_dispute(self, step: dt.timedelta) -> None:
        """A won dispute returns to where the last change into disputed came from."""
        source = self.entity.history[-1].source  # a walk from draft records every move
        self.fired(self.entity.win_dispute(at=self.tick(step)))
        assert self.entity.status == source

    @precondition(lambda self: self.may("lose_dispute"))
    @rule(step=steps)
    def lose_dispute(self, step: dt.timedelta) -> None:
        """A lost dispute refunds everything paid."""
        self.fired(self.entity.lose_dispute(at=self.tick(step)))
        assert self.entity.status is I.REFUNDED
        assert self.entity.amount_refunded == self.entity.amount_paid

    @precondition(lambda self: self.may("set_status"))
    @rule(step=steps, to=st.sampled_from(sorted(EXTERNAL_INVOICE_STATUSES)))
    def set_status(self, step: dt.timedelta, to: InvoiceStatus) -> None:
        """An external invoice is set to any of its seven statuses."""
        start = self.entity
        moment = self.tick(step)
        self.fired(start.set_status(to, at=moment), recorded=to is not start.status)
        assert self.entity.status is to
        if to is I.PAID and start.status is not I.PAID:
            assert self.entity.amount_paid == self.entity.total_amount
            assert self.entity.amount_refunded == 0
            assert self.entity.paid_at == moment
        if to in HOLDS_NOTHING and start.status is not to:
            assert (self.entity.amount_paid, self.entity.amount_refunded) == (0, 0)

    @rule(step=steps, grace=st.integers(0, 10))
    def advance(self, step: dt.timedelta, grace: int) -> None:
        """Time passes: the invoice may fall past due, then be abandoned."""
        start = self.entity
        rules = TimeRules(grace_period=dt.timedelta(days=grace))
        moved = start.advance(self.tick(step), rules)
        self.recorded += len(moved.history) - len(start.history)
        self.entity = moved
        assert moved.advance(self.clock, rules) == moved

    @invariant()
    def the_status_claims_only_money_the_amounts_show(self) -> None:
        """Status and amounts agree after every event, set_status and advance."""
        if self.entity is None:
            return
        assert amounts_agree(self.entity), self.entity

    @invariant()
    def amounts_stay_within_bounds(self) -> None:
        """``0 <= amount_refunded <= amount_paid <= total_amount`` whatever happened."""
        if self.entity is None:
            return
        entity = self.entity
        assert Decimal(0) <= entity.amount_refunded <= entity.amount_paid <= entity.total_amount

    @invariant()
    def allowed_events_are_the_contracts(self) -> None:
        """The allowed events are API.md's for the status; managed finals allow nothing."""
        if self.entity is None:
            return
        assert set(self.entity.allowed_events) == expected_invoice_events(self.entity)
        managed = self.entity.payment_processor is not EXTERNAL
        if managed and self.entity.status in MANAGED_INVOICE_FINALS:
            assert self.entity.allowed_events == ()


TestInvoiceLifecycle = InvoiceLifecycle.TestCase
TestInvoiceLifecycle.settings = FEW_STEPS


# -- order ----------------------------------------------------------------------------------


class OrderLifecycle(Lifecycle):
    """An order of a drawn processor and type, driven by its events and its invoices."""

    events = ORDER_EVENTS

    def statuses(self) -> list[str]:
        """Every service status."""
        return [s.value for s in ServiceStatus]

    @initialize(variant=st.sampled_from(ORDER_VARIANTS))
    def start(self, variant: tuple[PaymentProcessor, OrderType]) -> None:
        """Start from a pending order."""
        self.entity = order(*variant)

    def may(self, event: str) -> bool:
        """Whether the order allows ``event``."""
        return bool(self.entity.may(event))

    def plain(self, event: str, step: dt.timedelta) -> None:
        """Fire an argument-free event and check it moved along a documented route."""
        source = self.entity.service_status
        self.fired(getattr(self.entity, event)(at=self.tick(step)))
        change = self.entity.history[-1]
        assert (change.event, change.source, change.dest) == (
            event,
            source,
            self.entity.service_status,
        )

    @precondition(lambda self: self.may("activate"))
    @rule(step=steps)
    def activate(self, step: dt.timedelta) -> None:
        """Pending to active."""
        self.plain("activate", step)

    @precondition(lambda self: self.may("pause"))
    @rule(step=steps)
    def pause(self, step: dt.timedelta) -> None:
        """Active to paused."""
        self.plain("pause", step)

    @precondition(lambda self: self.may("resume"))
    @rule(step=steps)
    def resume(self, step: dt.timedelta) -> None:
        """Paused or suspended to active."""
        self.plain("resume", step)

    @precondition(lambda self: self.may("suspend"))
    @rule(step=steps)
    def suspend(self, step: dt.timedelta) -> None:
        """Active to suspended."""
        self.plain("suspend", step)

    @precondition(lambda self: self.may("churn"))
    @rule(step=steps)
    def churn(self, step: dt.timedelta) -> None:
        """Canceled to churned."""
        self.plain("churn", step)

    @precondition(lambda self: self.may("reactivate"))
    @rule(step=steps)
    def reactivate(self, step: dt.timedelta) -> None:
        """Canceled or churned to active."""
        self.plain("reactivate", step)

    @precondition(lambda self: self.may("complete"))
    @rule(step=steps)
    def complete(self, step: dt.timedelta) -> None:
        """Completed."""
        self.plain("complete", step)

    @precondition(lambda self: self.may("abandon"))
    @rule(step=steps)
    def abandon(self, step: dt.timedelta) -> None:
        """Abandoned."""
        self.plain("abandon", step)

    @precondition(lambda self: self.may("void"))
    @rule(step=steps)
    def void(self, step: dt.timedelta) -> None:
        """Voided (Payments AI only)."""
        self.plain("void", step)

    @precondition(lambda self: self.may("cancel"))
    @rule(step=steps, data=st.data(), later=st.none() | steps)
    def cancel(self, step: dt.timedelta, data: st.DataObject, later: dt.timedelta | None) -> None:
        """Canceling stamps the moments and the reason."""
        reason = data.draw(st.sampled_from(self.entity.cancel_reasons), label="reason")
        moment = self.tick(step)
        effective = None if later is None else moment + later
        self.fired(self.entity.cancel(at=moment, reason=reason, effective_at=effective))
        assert self.entity.service_status is S.CANCELED
        assert self.entity.canceled_at == moment
        assert self.entity.churned_at == (effective or moment)
        assert self.entity.cancel_reason == reason

    @precondition(lambda self: self.may("cancel"))
    @rule(reason=st.sampled_from(["too expensive", "did_not_use", "cancelled", ""]))
    def a_reason_the_processor_does_not_accept_is_refused(self, reason: str) -> None:
        """Reasons outside the processor's list are refused."""
        with pytest.raises(InvalidValueError, match="cancel_reason"):
            self.entity.cancel(at=self.tick(dt.timedelta(0)), reason=reason)

    @precondition(lambda self: self.may("set_status"))
    @rule(step=steps, data=st.data())
    def set_status(self, step: dt.timedelta, data: st.DataObject) -> None:
        """An external order is set to any status its type can hold."""
        target = data.draw(st.sampled_from(sorted(self.entity.lifecycle_statuses)), label="to")
        start = self.entity
        moment = self.tick(step)
        self.fired(start.set_status(target, at=moment), recorded=target != start.service_status)
        assert self.entity.service_status == target
        if target == S.CANCELED and start.service_status != S.CANCELED:
            assert (self.entity.canceled_at, self.entity.churned_at) == (moment, moment)
            assert self.entity.cancel_reason == "other"

    @rule(step=steps, status=st.sampled_from(InvoiceStatus))
    def apply_invoice(self, step: dt.timedelta, status: InvoiceStatus) -> None:
        """The order mirrors its invoice; a paid one completes or activates a pending order."""
        start = self.entity
        billed = invoice(status, order_id=start.id, total="10.00", paid="10.00")
        moved = start.apply_invoice(billed, at=self.tick(step))
        assert moved.billing_status is BillingStatus(status.value)
        moves = status is I.PAID and start.service_status is S.PENDING
        expected = S.COMPLETED if start.order_type is OrderType.ONE_TIME else S.ACTIVE
        assert moved.service_status is (expected if moves else start.service_status)
        self.fired(moved, recorded=moves)

    @invariant()
    def the_status_is_one_the_variant_can_hold(self) -> None:
        """An order never leaves the statuses its processor and type can hold."""
        if self.entity is None:
            return
        variant = (self.entity.payment_processor, self.entity.order_type)
        assert self.entity.service_status in order_statuses(*variant)

    @invariant()
    def allowed_events_are_the_contracts(self) -> None:
        """The allowed events are API.md's for the variant and status."""
        if self.entity is None:
            return
        assert set(self.entity.allowed_events) == expected_order_events(self.entity)

    @invariant()
    def a_canceled_order_records_when_and_why(self) -> None:
        """A canceled order has ``canceled_at``, ``churned_at`` and an accepted reason."""
        if self.entity is None or self.entity.service_status is not S.CANCELED:
            return
        assert self.entity.canceled_at is not None
        assert self.entity.churned_at is not None
        assert self.entity.cancel_reason in self.entity.cancel_reasons


TestOrderLifecycle = OrderLifecycle.TestCase
TestOrderLifecycle.settings = FEW_STEPS


# -- invoice line item ----------------------------------------------------------------------


class LineItemLifecycle(Lifecycle):
    """An invoice line item moved by users and by the rollup's recount."""

    events = LINE_ITEM_EVENTS

    @initialize(quantity=st.integers(1, 5))
    def start(self, quantity: int) -> None:
        """Start from an unfulfilled line."""
        self.entity = invoice_line(quantity=quantity)

    @precondition(lambda self: self.entity.may("ignore"))
    @rule(step=steps)
    def ignore(self, step: dt.timedelta) -> None:
        """Unfulfilled to ignored."""
        self.fired(self.entity.ignore(at=self.tick(step)))
        assert self.entity.fulfillment_status is LineItemFulfillmentStatus.IGNORED

    @precondition(lambda self: self.entity.may("unignore"))
    @rule(step=steps)
    def unignore(self, step: dt.timedelta) -> None:
        """Ignored to unfulfilled."""
        self.fired(self.entity.unignore(at=self.tick(step)))
        assert self.entity.fulfillment_status is LineItemFulfillmentStatus.UNFULFILLED

    @precondition(lambda self: self.entity.may("complete"))
    @rule(step=steps)
    def complete(self, step: dt.timedelta) -> None:
        """Fulfilled to complete, for good."""
        self.fired(self.entity.complete(at=self.tick(step)))
        assert self.entity.allowed_events == ()

    @rule(data=st.data())
    def recount(self, data: st.DataObject) -> None:
        """The rollup derives unfulfilled / partially_fulfilled / fulfilled, adding no history."""
        start = self.entity
        fulfilled = data.draw(st.integers(0, start.quantity), label="fulfilled")
        self.fired(start.recount(fulfilled), recorded=False)
        status = start.fulfillment_status
        if status in {LineItemFulfillmentStatus.IGNORED, LineItemFulfillmentStatus.COMPLETE}:
            assert self.entity == start
        elif fulfilled == 0:
            assert self.entity.fulfillment_status is LineItemFulfillmentStatus.UNFULFILLED
        elif fulfilled < start.quantity:
            assert self.entity.fulfillment_status is LineItemFulfillmentStatus.PARTIALLY_FULFILLED
        else:
            assert self.entity.fulfillment_status is LineItemFulfillmentStatus.FULFILLED


TestLineItemLifecycle = LineItemLifecycle.TestCase
TestLineItemLifecycle.settings = FEW_STEPS


# -- fulfillment ----------------------------------------------------------------------------


class FulfillmentLifecycle(Lifecycle):
    """A fulfillment: created fulfilled, cancelled or restocked once, for good."""

    events = FULFILLMENT_EVENTS

    @initialize()
    def start(self) -> None:
        """Start from a fresh fulfillment."""
        self.entity = fulfillment()

    @precondition(lambda self: self.entity.may("cancel"))
    @rule(step=steps)
    def cancel(self, step: dt.timedelta) -> None:
        """Cancelled."""
        self.fired(self.entity.cancel(at=self.tick(step)))
        assert self.entity.status is FulfillmentStatus.CANCELLED

    @precondition(lambda self: self.entity.may("restock"))
    @rule(step=steps)
    def restock(self, step: dt.timedelta) -> None:
        """Restocked."""
        self.fired(self.entity.restock(at=self.tick(step)))
        assert self.entity.status is FulfillmentStatus.RESTOCKED

    @invariant()
    def only_a_fulfilled_fulfillment_counts_or_moves(self) -> None:
        """Counting and having events go together; at most one event ever happens."""
        if self.entity is None:
            return
        fulfilled = self.entity.status is FulfillmentStatus.FULFILLED
        assert self.entity.counts is fulfilled
        assert bool(self.entity.allowed_events) is fulfilled
        assert len(self.entity.history) == (0 if fulfilled else 1)


TestFulfillmentLifecycle = FulfillmentLifecycle.TestCase
TestFulfillmentLifecycle.settings = FEW_STEPS
