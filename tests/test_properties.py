"""Hypothesis properties: the laws every transition, time rule and history obeys."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from _builders import (
    EXTERNAL,
    MANAGED,
    T0,
    USER_EVENTS,
    I,
    after,
    attempt,
    constructed_invoices,
    constructed_orders,
    expected_invoice_events,
    expected_order_events,
    fire_drawn,
    fulfillments_any_status,
    line_items_any_status,
    walked_invoices,
    walked_orders,
)
from clickfunnels_orders import (
    InvalidValueError,
    Invoice,
    InvoiceStatus,
    Order,
    TimeRules,
)
from clickfunnels_orders.entities._lifecycle import replace
from clickfunnels_orders.testing.strategies import invoices

entities = st.one_of(
    walked_invoices(),
    constructed_invoices(),
    walked_orders(),
    constructed_orders(),
    line_items_any_status,
    fulfillments_any_status,
)


# -- (a) a transition never changes the original --------------------------------------------


@given(entity=entities)
def test_a_transition_never_changes_the_original(entity: Any) -> None:
    """Firing any allowed event returns a new entity and leaves the original equal to before."""
    fields_before = dict(vars(entity))
    deep_before = copy.deepcopy(entity)
    for event in entity.allowed_events:
        moved = attempt(entity, event, after(entity))
        assert moved is not None
        assert moved is not entity
        assert vars(entity) == fields_before
        assert all(vars(entity)[name] is value for name, value in fields_before.items())
        assert entity == deep_before


@given(entity=entities)
def test_a_transition_adds_exactly_one_history_record(entity: Any) -> None:
    """Each event appends one Change to the original's history and keeps the rest."""
    for event in entity.allowed_events:
        moved = attempt(entity, event, after(entity))
        assert moved is not None
        assert moved.history[:-1] == entity.history
        assert moved.history[-1].event == event
        assert moved.history[-1].at == after(entity)


# -- (b) allowed_events is exactly the set of events that succeed ---------------------------


@given(entity=entities)
def test_allowed_events_are_exactly_the_events_that_succeed(entity: Any) -> None:
    """An event succeeds with valid arguments if and only if ``allowed_events`` lists it."""
    allowed = entity.allowed_events
    succeeded = {
        event
        for event in USER_EVENTS[type(entity)]
        if attempt(entity, event, after(entity)) is not None
    }
    assert set(allowed) == succeeded
    assert len(allowed) == len(set(allowed))
    for event in USER_EVENTS[type(entity)]:
        assert entity.may(event) is (event in allowed)


@given(entity=st.one_of(walked_invoices(), constructed_invoices()))
def test_an_invoices_allowed_events_are_the_contracts_rows(entity: Invoice) -> None:
    """Whatever status an invoice reached, its allowed events are API.md's for that status."""
    assert set(entity.allowed_events) == expected_invoice_events(entity)


@given(entity=st.one_of(walked_orders(), constructed_orders()))
def test_an_orders_allowed_events_are_the_contracts_rows(entity: Order) -> None:
    """Whatever status an order reached, its allowed events are API.md's for its variant."""
    assert set(entity.allowed_events) == expected_order_events(entity)


@given(entity=walked_invoices())
def test_walked_invoices_keep_their_amounts_within_bounds(entity: Invoice) -> None:
    """Events keep ``0 <= amount_refunded <= amount_paid <= total_amount``."""
    assert Decimal(0) <= entity.amount_refunded <= entity.amount_paid <= entity.total_amount
    if entity.payment_processor is not EXTERNAL:
        if entity.status is I.PAID:
            assert entity.amount_paid == entity.total_amount
            assert entity.paid_at is not None
        if entity.status is I.REFUNDED:
            assert entity.amount_refunded == entity.amount_paid


# -- (c) advance is idempotent and monotonic ------------------------------------------------

grace_periods = st.one_of(
    st.integers(0, 60 * 24 * 30).map(lambda m: dt.timedelta(minutes=m)),
    st.builds(
        relativedelta,
        months=st.integers(0, 3),
        days=st.integers(0, 31),
        hours=st.integers(0, 23),
    ),
)
rules = st.builds(
    TimeRules,
    past_due_after=st.integers(0, 60 * 24 * 5).map(lambda m: dt.timedelta(minutes=m)),
    grace_period=grace_periods,
)
moments = st.integers(-60 * 24 * 5, 60 * 24 * 200).map(lambda m: T0 + dt.timedelta(minutes=m))
advanceable = st.one_of(
    walked_invoices(processor=MANAGED[0]),
    walked_invoices(processor=MANAGED[1]),
    constructed_invoices(),
)


@given(entity=advanceable, first=moments, second=moments, time_rules=rules)
def test_advance_is_monotonic(
    entity: Invoice, first: dt.datetime, second: dt.datetime, time_rules: TimeRules
) -> None:
    """Advancing to t1 then t2 equals advancing to t2, for t1 <= t2."""
    t1, t2 = sorted((first, second))
    assert entity.advance(t1, time_rules).advance(t2, time_rules) == entity.advance(t2, time_rules)


@given(entity=advanceable, now=moments, time_rules=rules)
def test_advance_is_idempotent(entity: Invoice, now: dt.datetime, time_rules: TimeRules) -> None:
    """Advancing twice to the same moment equals advancing once."""
    once = entity.advance(now, time_rules)
    assert once.advance(now, time_rules) == once


@given(entity=advanceable, now=moments, time_rules=rules)
def test_advance_only_moves_forward_along_the_time_rules(
    entity: Invoice, now: dt.datetime, time_rules: TimeRules
) -> None:
    """Advance keeps the past, adds only past-due and abandon records, never before the last."""
    moved = entity.advance(now, time_rules)
    added = moved.history[len(entity.history) :]
    assert moved.history[: len(entity.history)] == entity.history
    assert [c.event for c in added] in (
        [],
        ["mark_past_due"],
        ["abandon"],
        ["mark_past_due", "abandon"],
    )
    last = entity.history[-1].at if entity.history else None
    for change in added:
        assert last is None or change.at >= last
    if added:
        assert moved.status in {InvoiceStatus.PAST_DUE, InvoiceStatus.ABANDONED}


# -- (d) history timestamps never decrease --------------------------------------------------


@given(start=st.one_of(walked_invoices(), walked_orders()), data=st.data())
def test_history_timestamps_never_decrease(start: Any, data: st.DataObject) -> None:
    """Events dated earlier than the last change are refused; accepted ones keep time order."""
    current = start
    for _ in range(data.draw(st.integers(0, 10), label="steps")):
        allowed = current.allowed_events
        if not allowed:
            break
        event = data.draw(st.sampled_from(allowed), label="event")
        base = current.history[-1].at if current.history else T0
        moment = base + data.draw(st.integers(-3 * 24 * 60, 3 * 24 * 60), label="offset") * (
            dt.timedelta(minutes=1)
        )
        if current.history and moment < current.history[-1].at:
            with pytest.raises(InvalidValueError, match=r"^at: "):
                fire(data, current, event, moment)
            continue
        current = fire(data, current, event, moment)
    stamps = [change.at for change in current.history]
    assert stamps == sorted(stamps)


def fire(data: st.DataObject, entity: Any, event: str, moment: dt.datetime) -> Any:
    """Fire an allowed ``event`` on an invoice or an order with drawn arguments."""
    if isinstance(entity, Invoice):
        return fire_drawn(data.draw, entity, event, moment)
    return attempt(entity, event, moment) if event != "set_status" else _set_any(entity, moment)


def _set_any(entity: Order, moment: dt.datetime) -> Order:
    for status in sorted(entity.lifecycle_statuses):
        if status != entity.service_status:
            return entity.set_status(status, at=moment)
    return entity


@given(invoices(payment_processors=st.sampled_from(MANAGED)))
def test_a_status_that_implies_amounts_always_shows_them(invoice: Invoice) -> None:
    """Reached by any managed path, paid shows everything paid, refunded everything refunded."""
    if invoice.status is InvoiceStatus.PAID:
        assert invoice.amount_paid == invoice.total_amount
        assert invoice.paid_at is not None
    if invoice.status is InvoiceStatus.REFUNDED:
        assert invoice.amount_refunded == invoice.amount_paid


def test_an_event_copy_runs_the_cross_field_invariants() -> None:
    """The events' fast copy checks what construction checks: no event owes its own check."""
    invoice = Invoice(
        id=1, order_id=2, status="paid", line_items=(), currency="USD", total_amount=Decimal(5)
    )
    with pytest.raises(InvalidValueError, match=r"amount_paid: .*at most total_amount"):
        replace(invoice, {"amount_paid": Decimal(6)})
