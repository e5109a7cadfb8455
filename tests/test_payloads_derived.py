"""After an event or a rollup, to_api() writes the keys the API derives from what changed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from _builders import attempt
from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceStatus,
    Order,
    PaymentProcessor,
    Restock,
    Transaction,
    rollup,
)
from clickfunnels_orders.payloads import dump_moment, parse_moment
from clickfunnels_orders.testing.strategies import (
    fulfillments,
    invoices,
    orders,
    restocks,
    transactions,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
T0 = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
DERIVED = ("due_amount", "paid_at", "eligible_for_fulfillment", "fulfillment_status", "updated_at")


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def later(minutes: int) -> dt.datetime:
    """The moment ``minutes`` after T0."""
    return T0 + dt.timedelta(minutes=minutes)


def unpaid_payload() -> dict[str, Any]:
    """The published invoice, unpaid, with one line (of quantity 2) that needs shipping."""
    payload: dict[str, Any] = load("orders_invoice_example")
    payload.update(
        status="unpaid",
        due_amount="9.99",
        paid_at=None,
        eligible_for_fulfillment=False,
        fulfillment_status="not_applicable",
    )
    line = payload["line_items"][0]
    line["quantity"] = 2
    line["products_variant"]["fulfillment_required"] = True
    return payload


def derived(entity: Invoice) -> dict[str, Any]:
    """The derived keys of ``entity``'s payload."""
    written = entity.to_api()
    return {key: written.get(key) for key in DERIVED}


def shipped(invoice: Invoice, quantity: int) -> Invoice:
    """``invoice`` as the rollup leaves it after ``quantity`` of its first line shipped."""
    line = invoice.line_items[0]
    fulfillment = Fulfillment(id=1, lines=(FulfillmentLine(line.id, quantity),))
    return rollup.compute([invoice], [fulfillment]).apply(invoice)


def test_an_invoice_read_and_written_without_events_is_its_payload() -> None:
    """Nothing changed: every derived key keeps its payload form."""
    payload = unpaid_payload()
    assert Invoice.from_api(payload).to_api() == payload


def test_even_an_inconsistent_payload_comes_back_as_it_came_without_events() -> None:
    """Derived keys are rewritten only after a change, never because they look wrong."""
    payload = load("orders_invoice_example") | {"eligible_for_fulfillment": False}
    assert Invoice.from_api(payload).to_api() == payload


def test_paying_in_full_writes_every_derived_key() -> None:
    """pay(): nothing due, paid_at and updated_at its moment, eligible, lines unfulfilled."""
    paid = Invoice.from_api(unpaid_payload()).pay(at=later(5))
    assert derived(paid) == {
        "due_amount": "0.00",
        "paid_at": dump_moment(later(5)),
        "eligible_for_fulfillment": True,
        "fulfillment_status": "unfulfilled",
        "updated_at": dump_moment(later(5)),
    }


def test_a_partial_payment_writes_what_is_due_and_when_but_not_eligibility() -> None:
    """A partial payment changes due_amount and updated_at; the invoice is not yet eligible."""
    payload = unpaid_payload()
    partly = Invoice.from_api(payload).pay(Decimal("4.99"), at=later(5))
    assert derived(partly) == {
        "due_amount": "5.00",
        "paid_at": None,
        "eligible_for_fulfillment": False,
        "fulfillment_status": "not_applicable",
        "updated_at": dump_moment(later(5)),
    }
    assert partly.to_api()["status"] == "partially-paid"


def test_a_rollup_apply_writes_line_and_invoice_fulfillment_status() -> None:
    """rollup.apply: the line's and the invoice's statuses follow what shipped."""
    paid = Invoice.from_api(unpaid_payload()).pay(at=later(5))
    partial = shipped(paid, 1).to_api()
    assert partial["line_items"][0]["fulfillment_status"] == "partially_fulfilled"
    assert partial["fulfillment_status"] == "partial"
    complete = shipped(paid, 2).to_api()
    assert complete["line_items"][0]["fulfillment_status"] == "fulfilled"
    assert complete["fulfillment_status"] == "complete"


def test_a_rollup_apply_alone_leaves_updated_at_as_it_was() -> None:
    """A rollup's derived moves carry no moment: updated_at keeps the payload's."""
    payload = load("orders_invoice_example")
    payload["line_items"][0]["products_variant"]["fulfillment_required"] = True
    written = shipped(Invoice.from_api(payload), 1).to_api()
    assert written["fulfillment_status"] == "complete"
    assert written["line_items"][0]["fulfillment_status"] == "fulfilled"
    assert written["updated_at"] == payload["updated_at"]
    assert written["eligible_for_fulfillment"] is True


def test_a_full_refund_makes_the_invoice_ineligible_and_not_applicable() -> None:
    """refund(): no longer eligible, nothing to ship; due_amount keeps its spelling."""
    paid = Invoice.from_api(unpaid_payload()).pay(at=later(5))
    refunded = paid.refund(at=later(9))
    assert derived(refunded) == {
        "due_amount": "0.00",
        "paid_at": dump_moment(later(5)),
        "eligible_for_fulfillment": False,
        "fulfillment_status": "not_applicable",
        "updated_at": dump_moment(later(9)),
    }


def test_a_partial_refund_keeps_the_invoice_eligible() -> None:
    """partially-refunded is eligible for fulfillment, as paid is."""
    paid = Invoice.from_api(unpaid_payload()).pay(at=later(5))
    part = paid.refund(Decimal("1.00"), at=later(9)).to_api()
    assert part["status"] == "partially-refunded"
    assert part["eligible_for_fulfillment"] is True
    assert part["fulfillment_status"] == "unfulfilled"
    assert part["updated_at"] == dump_moment(later(9))


def test_a_dispute_suspends_eligibility_and_winning_it_restores_it() -> None:
    """dispute() then win_dispute(): eligibility follows the status both ways."""
    paid = Invoice.from_api(unpaid_payload()).pay(at=later(5))
    disputed = paid.dispute(at=later(6))
    assert derived(disputed)["eligible_for_fulfillment"] is False
    assert derived(disputed)["fulfillment_status"] == "not_applicable"
    won = disputed.win_dispute(at=later(7))
    assert derived(won)["eligible_for_fulfillment"] is True
    assert derived(won)["updated_at"] == dump_moment(later(7))


def test_set_status_on_an_external_invoice_writes_the_keys_it_changes() -> None:
    """set_status(paid) pays in full; set_status(unpaid) clears paid_at and what was paid."""
    payload = unpaid_payload() | {"payment_processor": "external"}
    invoice = Invoice.from_api(payload)
    assert invoice.payment_processor is PaymentProcessor.EXTERNAL
    paid = invoice.set_status(InvoiceStatus.PAID, at=later(5))
    assert derived(paid) == {
        "due_amount": "0.00",
        "paid_at": dump_moment(later(5)),
        "eligible_for_fulfillment": True,
        "fulfillment_status": "unfulfilled",
        "updated_at": dump_moment(later(5)),
    }
    unpaid = paid.set_status(InvoiceStatus.UNPAID, at=later(8))
    assert derived(unpaid) == {
        "due_amount": "9.99",
        "paid_at": None,
        "eligible_for_fulfillment": False,
        "fulfillment_status": "not_applicable",
        "updated_at": dump_moment(later(8)),
    }


def test_ignoring_a_line_writes_its_moment_and_the_invoices_status() -> None:
    """A line event dates the line and the invoice, and may leave nothing to ship."""
    paid = Invoice.from_api(unpaid_payload()).pay(at=later(5))
    line = paid.line_items[0].ignore(at=later(6))
    written = attrs.evolve(paid, line_items=(line,)).to_api()
    assert written["line_items"][0]["fulfillment_status"] == "ignored"
    assert written["line_items"][0]["updated_at"] == dump_moment(later(6))
    assert written["fulfillment_status"] == "not_applicable"
    assert written["updated_at"] == dump_moment(later(6))


def test_a_derived_key_the_payload_lacked_is_added_once_it_changes() -> None:
    """A payload without eligible_for_fulfillment gets it when its status changes."""
    payload = unpaid_payload()
    del payload["eligible_for_fulfillment"], payload["updated_at"]
    paid = Invoice.from_api(payload).pay(at=later(5)).to_api()
    assert paid["eligible_for_fulfillment"] is True
    assert paid["updated_at"] == dump_moment(later(5))


def test_cancelling_an_order_dates_it() -> None:
    """An order's event writes its cancel fields and updated_at; the rest stays."""
    payload = load("order_example")
    order = Order.from_api(payload)
    cancelled = attempt(order, "cancel", later(3))
    assert isinstance(cancelled, Order)
    written = cancelled.to_api()
    assert written["service_status"] == "canceled"
    assert written["canceled_at"] == dump_moment(later(3))
    assert written["updated_at"] == dump_moment(later(3))
    assert written["created_at"] == payload["created_at"]


def test_an_entity_built_by_hand_writes_only_its_model_keys() -> None:
    """Without a payload to keep consistent, no carried key is invented."""
    invoice = Invoice(
        id=1, order_id=2, status="unpaid", line_items=(), currency="USD", total_amount="1.00"
    )
    written = invoice.pay(at=later(1)).to_api()
    assert "eligible_for_fulfillment" not in written
    assert "updated_at" not in written
    assert written["paid_at"] == dump_moment(later(1))


# -- the law: after any events, every derived key agrees with the entity's fields ----------


def with_derived_keys(entity: Any, updated: dt.datetime) -> dict[str, Any]:
    """``entity``'s payload with the derived keys an API object has, consistent with it."""
    payload: dict[str, Any] = entity.to_api() | {"updated_at": dump_moment(updated)}
    if isinstance(entity, Invoice):
        counted = rollup.compute([entity], []).apply(entity)
        payload = counted.to_api() | {
            "updated_at": dump_moment(updated),
            "eligible_for_fulfillment": counted.eligible_for_fulfillment,
            "fulfillment_status": rollup.compute([counted], []).invoice_status(counted.id).value,
        }
    return payload


@st.composite
def shipments(draw: st.DrawFn, invoice: Invoice) -> list[Fulfillment]:
    """A fulfillment of some of ``invoice``'s lines, within their quantities (or none)."""
    lines = [
        FulfillmentLine(line.id, draw(st.integers(min_value=1, max_value=line.quantity)))
        for line in invoice.line_items
        if draw(st.booleans())
    ]
    return [Fulfillment(id=1, lines=lines)] if lines else []


@given(
    st.one_of(orders(), invoices(), fulfillments(), transactions(), restocks()),
    st.lists(st.integers(min_value=0, max_value=10**6), max_size=5),
    st.booleans(),
    st.data(),
)
def test_after_any_events_every_derived_key_agrees_with_the_fields(
    generated: Order | Invoice | Fulfillment | Transaction | Restock,
    choices: list[int],
    apply_rollup: bool,
    data: st.DataObject,
) -> None:
    """Read from a consistent payload, moved by allowed events, written: it agrees."""
    payload = with_derived_keys(generated, T0)
    entity: Any = type(generated).from_api(payload)
    last_moved = T0
    for step, choice in enumerate(choices):
        events = entity.allowed_events
        if not events:
            break
        moved = attempt(entity, events[choice % len(events)], later(step + 1))
        if moved is not None:
            entity, last_moved = moved, later(step + 1)
    if isinstance(entity, Invoice) and apply_rollup:
        entity = rollup.compute([entity], data.draw(shipments(entity))).apply(entity)
    written = entity.to_api()
    assert written["updated_at"] == dump_moment(last_moved if entity.history else T0)
    if isinstance(entity, Invoice):
        assert Decimal(written["due_amount"]) == entity.due_amount
        paid_at = written["paid_at"]
        assert (None if paid_at is None else parse_moment(paid_at)) == (
            None if entity.paid_at is None else parse_moment(dump_moment(entity.paid_at))
        )
        assert written["eligible_for_fulfillment"] is entity.eligible_for_fulfillment
        lines = [line.fulfillment_status for line in entity.line_items]
        assert [line["fulfillment_status"] for line in written["line_items"]] == lines
        assert written["fulfillment_status"] == invoice_status_by_lines(entity)
    assert type(entity).from_api(written).to_api() == written


def invoice_status_by_lines(invoice: Invoice) -> str:
    """The invoice status section 5 gives the statuses its lines hold."""
    required = [
        line.fulfillment_status
        for line in invoice.line_items
        if invoice.eligible_for_fulfillment
        and line.fulfillment_required
        and line.fulfillment_status.value != "ignored"
    ]
    if not required:
        return "not_applicable"
    done = sum(status.value in {"fulfilled", "complete"} for status in required)
    if done == len(required):
        return "complete"
    if all(status.value == "unfulfilled" for status in required):
        return "unfulfilled"
    return "partial"


@pytest.mark.parametrize("name", ["order_example", "fulfillment_example", "restock_example"])
def test_every_entity_read_unchanged_keeps_updated_at(name: str) -> None:
    """No event, no new updated_at, whatever the entity."""
    cls: dict[str, type[Order | Fulfillment | Restock]] = {
        "order_example": Order,
        "fulfillment_example": Fulfillment,
        "restock_example": Restock,
    }
    payload = load(name)
    assert cls[name].from_api(payload).to_api()["updated_at"] == payload["updated_at"]
