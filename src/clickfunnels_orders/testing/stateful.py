"""Hypothesis state machines, one per lifecycle, for users to subclass.

Each machine starts from a generated entity and fires, one step at a time, any event
the entity allows (one rule per event of the machine, each with a precondition that
the entity ``may`` fire it), with valid arguments and moments that never go back. After
each step it calls :meth:`LifecycleMachine.on_event` with the entity before and after:
override it to drive your own handler (a webhook consumer, a projection, a cache) and
assert what it should have done. The library's own laws are checked as invariants.

Example::

    from clickfunnels_orders.testing.stateful import InvoiceMachine

    class MyHandlerMachine(InvoiceMachine):
        def on_start(self, entity):
            self.handler = MyHandler()

        def on_event(self, before, after, event):
            self.handler.handle(after)
            assert self.handler.status_of(after.id) == after.status

    TestMyHandler = MyHandlerMachine.TestCase

Needs the ``testing`` extra (Hypothesis).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from clickfunnels_orders.entities import Fulfillment, Invoice, InvoiceLineItem, Order
from clickfunnels_orders.machines import amounts_agree
from clickfunnels_orders.testing.strategies import (
    _fire_invoice,
    _fire_order,
    fulfillments,
    invoice_line_items,
    invoices,
    orders,
)

__all__ = [
    "FulfillmentMachine",
    "InvoiceLineItemMachine",
    "InvoiceMachine",
    "LifecycleMachine",
    "OrderMachine",
]


def _plain_fire(_draw: st.DrawFn, entity: Any, event: str, at: dt.datetime) -> Any:
    return getattr(entity, event)(at=at)


class LifecycleMachine(RuleBasedStateMachine):
    """The common part: the entity, the clock, the hooks and the library's laws.

    Subclasses name the entity class (``entity_class``), how to fire an event with
    drawn arguments (``fire``) and an ``@initialize`` rule that calls :meth:`start`.
    """

    entity_class: ClassVar[type[Any]]
    fire: ClassVar[Any] = staticmethod(_plain_fire)

    entity: Any
    now: dt.datetime
    fired: int

    def start(self, entity: Any) -> None:
        """Begin from ``entity``; its clock starts at its last change (or creation)."""
        self.entity = entity
        self.fired = 0
        last = entity.history[-1].at if entity.history else None
        self.now = (
            last or getattr(entity, "created_at", None) or dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        )
        self.on_start(entity)

    # -- hooks for subclasses --------------------------------------------------------------

    def on_start(self, entity: Any) -> None:
        """Called once with the starting entity: set up the handler under test here."""

    def on_event(self, before: Any, after: Any, event: str) -> None:
        """Called after each event with the entity before and after it: assert here."""

    # -- stepping --------------------------------------------------------------------------

    def step(self, event: str, draw: st.DrawFn, minutes: int) -> None:
        """Fire ``event`` ``minutes`` after the last step, with arguments drawn by ``draw``."""
        before = self.entity
        self.now += dt.timedelta(minutes=minutes)
        self.entity = type(self).fire(draw, before, event, self.now)
        self.fired += 1
        self.on_event(before, self.entity, event)

    @rule(minutes=st.integers(min_value=0, max_value=60 * 24 * 40))
    def wait(self, minutes: int) -> None:
        """Let time pass (an entity in a final state can always do that)."""
        self.now += dt.timedelta(minutes=minutes)
        self.on_wait(self.now)

    def on_wait(self, now: dt.datetime) -> None:
        """Called when time passes without an event (invoices apply their time rules)."""

    # -- the library's laws ----------------------------------------------------------------

    @invariant()
    def allowed_events_are_the_events_it_may_fire(self) -> None:
        """``allowed_events`` lists exactly the user events ``may`` allows, in order."""
        entity = self.entity
        lifecycle = entity.lifecycle
        expected = tuple(e for e in lifecycle.user_events if entity.may(e))
        assert entity.allowed_events == expected  # noqa: S101  because a state machine asserts its laws

    @invariant()
    def history_is_ordered_and_ends_where_the_entity_is(self) -> None:
        """Changes are oldest first, and the last one arrived at the current status."""
        history = self.entity.history
        moments = [change.at for change in history]
        assert moments == sorted(moments)  # noqa: S101  because a state machine asserts its laws
        if history:
            assert history[-1].dest == self.entity.status  # noqa: S101  ditto


def _event_rule(event: str) -> Callable[..., None]:
    def fire(self: LifecycleMachine, data: st.DataObject, minutes: int) -> None:
        self.step(event, data.draw, minutes)  # type: ignore[arg-type]  # draws as a DrawFn does

    fire.__name__ = fire.__qualname__ = f"fire_{event}"
    fire.__doc__ = f"Fire ``{event}`` when the entity may."
    steps = st.integers(min_value=0, max_value=60 * 24 * 40)
    return precondition(lambda self: self.entity.may(event))(
        rule(data=st.data(), minutes=steps)(fire)
    )


def _with_event_rules(cls: type[LifecycleMachine]) -> type[LifecycleMachine]:
    """Add one rule per user event of ``cls.entity_class``'s machine: read, not restated."""
    for event in cls.entity_class.lifecycle.user_events:
        setattr(cls, f"fire_{event}", _event_rule(event))
    return cls


@_with_event_rules
class InvoiceMachine(LifecycleMachine):
    """Invoices of every processor, from draft, through any allowed sequence of events."""

    entity_class = Invoice
    fire = staticmethod(_fire_invoice)

    @initialize(invoice=invoices(max_events=0))
    def begin(self, invoice: Invoice) -> None:
        """Start from a draft invoice."""
        self.start(invoice)

    def on_wait(self, now: dt.datetime) -> None:
        """Apply the time rules (past due, then abandoned) as a scheduler would."""
        before = self.entity
        after = before.advance(now)
        if after is not before and after != before:
            self.entity = after
            self.fired += 1
            self.on_event(before, after, after.history[-1].event)

    @invariant()
    def amounts_stay_in_bounds(self) -> None:
        """``0 <= amount_refunded <= amount_paid <= total_amount``."""
        invoice = self.entity
        assert 0 <= invoice.amount_refunded <= invoice.amount_paid <= invoice.total_amount  # noqa: S101  ditto

    @invariant()
    def status_and_amounts_agree(self) -> None:
        """The status never claims money the amounts do not show (``amounts_agree``)."""
        assert amounts_agree(self.entity), self.entity  # noqa: S101  ditto


@_with_event_rules
class OrderMachine(LifecycleMachine):
    """Orders of both types and every processor, from pending."""

    entity_class = Order
    fire = staticmethod(_fire_order)

    @initialize(order=orders(max_events=0))
    def begin(self, order: Order) -> None:
        """Start from a pending order."""
        self.start(order)


@_with_event_rules
class InvoiceLineItemMachine(LifecycleMachine):
    """Invoice line items: ignore, unignore and complete (the rollup's moves are internal)."""

    entity_class = InvoiceLineItem

    @initialize(item=invoice_line_items(1))
    def begin(self, item: InvoiceLineItem) -> None:
        """Start from a line item in any status."""
        self.start(item)


@_with_event_rules
class FulfillmentMachine(LifecycleMachine):
    """Fulfillments, from fulfilled to cancelled or restocked."""

    entity_class = Fulfillment

    @initialize(fulfillment=fulfillments())
    def begin(self, fulfillment: Fulfillment) -> None:
        """Start from a fulfillment in any status."""
        self.start(fulfillment)
