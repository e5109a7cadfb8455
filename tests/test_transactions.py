"""Transactions and restocks: construction, events, payloads and webhooks."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from clickfunnels_orders import (
    AmountError,
    FulfillmentLine,
    InvalidTransitionError,
    InvalidValueError,
    PayloadError,
    Restock,
    RestockStatus,
    Transaction,
    TransactionStatus,
    WebhookEventType,
    parse_webhook,
)
from clickfunnels_orders.payloads import dump_moment

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
AT = dt.datetime(2025, 4, 21, 15, 0, tzinfo=dt.UTC)


def load(name: str) -> Any:
    """Read a published example payload from the test fixtures."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def charge(**fields: Any) -> Transaction:
    """Return an approved, completed 100.00 USD sale of order 6."""
    base: dict[str, Any] = {
        "id": 1,
        "order_id": 6,
        "status": "completed",
        "external_type": "sale",
        "result": "approved",
        "amount": "100.00",
        "currency": "usd",
    }
    return Transaction(**(base | fields))


# -- Transaction ----------------------------------------------------------------------------


def test_the_published_transaction_example_round_trips_losslessly() -> None:
    """Every key of the published example comes back from to_api with an equal value."""
    payload = load("orders_transaction_example")
    transaction = Transaction.from_api(payload)
    assert transaction.to_api() == payload
    assert json.loads(json.dumps(transaction.to_api())) == payload


def test_the_published_transaction_example_reads_into_the_model() -> None:
    """The example is an approved, completed sale of order 6, named by its order only."""
    transaction = Transaction.from_api(load("orders_transaction_example"))
    assert transaction.order_id == 6
    assert transaction.status is TransactionStatus.COMPLETED
    assert transaction.external_type == "sale"
    assert transaction.result == "approved"
    assert transaction.amount == Decimal("100.00")
    assert transaction.currency == "USD"
    assert transaction.reason is None
    assert transaction.adjusted_transaction_id is None
    assert transaction.created_at is None
    assert transaction.refundable


def test_an_unknown_status_is_kept_as_it_came_and_has_no_events() -> None:
    """The API's set of statuses is open: a new one is read, written back, never refused."""
    payload = load("orders_transaction_example") | {"status": "pending-settlement"}
    transaction = Transaction.from_api(payload)
    assert transaction.status == "pending-settlement"
    assert transaction.status_is_unknown
    assert transaction.allowed_events == ()
    assert not transaction.refundable
    assert transaction.to_api() == payload


def test_external_type_and_result_are_open_strings() -> None:
    """Types and results the model does not know are kept, not refused."""
    transaction = charge(external_type="authorization", result="pending")
    assert transaction.external_type == "authorization"
    assert transaction.result == "pending"


def test_construction_validates_each_field_by_name() -> None:
    """A float amount, a naive moment or a non-string type is refused naming the field."""
    with pytest.raises(TypeError, match="amount"):
        charge(amount=1.5)
    with pytest.raises(InvalidValueError, match="created_at"):
        charge(created_at=dt.datetime(2025, 1, 1))  # noqa: DTZ001  because a naive moment is the refusal under test
    with pytest.raises(InvalidValueError, match="external_type"):
        charge(external_type=3)
    with pytest.raises(InvalidValueError, match="status"):
        charge(status=None)


def test_a_transaction_is_frozen() -> None:
    """Assigning an attribute raises FrozenInstanceError."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        charge().amount = Decimal(1)  # type: ignore[misc]  # the refusal under test


@pytest.mark.parametrize(
    ("fields", "refundable"),
    [
        ({}, True),
        ({"external_type": "capture"}, True),
        ({"status": "partially-refunded"}, True),
        ({"status": "refunded"}, False),
        ({"result": "declined"}, False),
        ({"external_type": "refund"}, False),
        ({"external_type": "authorization"}, False),
    ],
)
def test_refundable_follows_the_api_rule(fields: dict[str, Any], refundable: bool) -> None:
    """Refundable: a sale or capture, approved, completed or partially refunded."""
    assert charge(**fields).refundable is refundable


def test_a_refund_is_a_new_state_of_the_charge() -> None:
    """A partial refund moves the charge to partially-refunded, a full one to refunded."""
    part = charge().refund_partially(at=AT)
    assert part.status is TransactionStatus.PARTIALLY_REFUNDED
    full = part.refund(at=AT)
    assert full.status is TransactionStatus.REFUNDED
    assert [c.event for c in full.history] == ["refund_partially", "refund"]
    assert full.allowed_events == ()


def test_refund_of_returns_the_moved_charge_and_the_refund_transaction() -> None:
    """The refund names the charge in adjusted_transaction_id, with its order and currency."""
    moved, refund = Transaction.refund_of(charge(), id=2, amount="40.00", at=AT, reason="late")
    assert moved.status is TransactionStatus.PARTIALLY_REFUNDED
    assert refund.adjusted_transaction_id == 1
    assert refund.order_id == 6
    assert refund.external_type == "refund"
    assert refund.is_refund
    assert refund.approved
    assert refund.amount == Decimal("40.00")
    assert refund.currency == "USD"
    assert refund.reason == "late"
    assert refund.created_at == AT
    whole, _ = Transaction.refund_of(charge(), id=3, at=AT)
    assert whole.status is TransactionStatus.REFUNDED


def test_refund_of_refuses_what_cannot_be_refunded() -> None:
    """A declined charge, a refund, or more than the charge's amount is refused."""
    with pytest.raises(InvalidTransitionError, match="declined"):
        Transaction.refund_of(charge(result="declined"), id=2, at=AT)
    with pytest.raises(AmountError, match=r"100\.00"):
        Transaction.refund_of(charge(), id=2, amount="100.01", at=AT)
    with pytest.raises(AmountError):
        Transaction.refund_of(charge(), id=2, amount="0", at=AT)


def test_refunding_a_declined_charge_is_an_invalid_transition() -> None:
    """The machine's is_refundable guard keeps refund out of allowed_events."""
    declined = charge(result="declined")
    assert not declined.may("refund")
    with pytest.raises(InvalidTransitionError):
        declined.refund(at=AT)


def test_a_changed_transaction_writes_its_new_status() -> None:
    """After an event, to_api writes the new status and its moment; the rest keeps its form."""
    payload = load("orders_transaction_example")
    refunded = Transaction.from_api(payload).refund(at=AT).to_api()
    assert refunded == payload | {"status": "refunded", "updated_at": dump_moment(AT)}


def test_a_transaction_missing_a_field_the_model_needs_is_refused() -> None:
    """A payload without an amount raises PayloadError naming it."""
    payload = load("orders_transaction_example")
    del payload["amount"]
    with pytest.raises(PayloadError) as caught:
        Transaction.from_api(payload)
    assert caught.value.path == "amount"


# -- Restock --------------------------------------------------------------------------------


def test_a_restock_round_trips_like_a_fulfillment() -> None:
    """Lines come from included_invoices_line_items and go back there, losslessly."""
    payload = load("restock_example")
    restock = Restock.from_api(payload)
    assert restock.status is RestockStatus.RESTOCKED
    assert restock.lines == (FulfillmentLine(invoice_line_item_id=125, quantity=1),)
    assert restock.to_api() == payload


def test_a_cancelled_restock_is_final_and_releases_nothing() -> None:
    """Cancelling is the one event; a cancelled restock no longer counts."""
    restock = Restock.from_api(load("restock_example"))
    assert restock.counts
    cancelled = restock.cancel(at=AT)
    assert cancelled.status is RestockStatus.CANCELLED
    assert not cancelled.counts
    assert cancelled.allowed_events == ()
    assert cancelled.to_api()["status"] == "cancelled"


def test_a_restock_with_an_unknown_status_is_refused_naming_it() -> None:
    """Restock statuses are restocked and cancelled."""
    with pytest.raises(PayloadError) as caught:
        Restock.from_api(load("restock_example") | {"status": "fulfilled"})
    assert caught.value.path == "status"


# -- webhooks -------------------------------------------------------------------------------


def envelope(subject_type: str, event_type: str, data: Any) -> dict[str, Any]:
    """An envelope of shape (a)."""
    return {
        "event_id": "e-1",
        "event_type": event_type,
        "subject_id": data["id"],
        "subject_type": subject_type,
        "created_at": "2025-04-21T14:47:48.000Z",
        "data": data,
    }


def test_parse_webhook_reads_a_transaction() -> None:
    """Orders::Transaction data becomes a Transaction."""
    data = load("orders_transaction_example")
    event = parse_webhook(
        json.dumps(envelope("Orders::Transaction", WebhookEventType.TRANSACTION_CREATED, data))
    )
    assert event.data == Transaction.from_api(data)


def test_parse_webhook_reads_a_restock() -> None:
    """Orders::Invoices::Restock data becomes a Restock."""
    data = load("restock_example")
    event = parse_webhook(
        envelope("Orders::Invoices::Restock", "orders/invoices/restock.created", data)
    )
    assert isinstance(event.data, Restock)
    assert event.data.to_api() == data


def test_a_bad_transaction_in_a_webhook_names_its_path() -> None:
    """A malformed transaction's error path starts at data."""
    data = load("orders_transaction_example") | {"amount": "ten"}
    with pytest.raises(PayloadError) as caught:
        parse_webhook(envelope("Orders::Transaction", "orders/transaction.updated", data))
    assert caught.value.path == "data.amount"
