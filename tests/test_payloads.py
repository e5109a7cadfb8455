"""Reading and writing the ClickFunnels API's orders, invoices and fulfillments."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    Order,
    OrderLineItem,
    OrderType,
    PayloadError,
    PaymentProcessor,
    ServiceStatus,
)
from clickfunnels_orders.payloads import (
    ApiExtra,
    dump_moment,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
UTC = dt.UTC


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def at(day: int, hour: int = 0) -> dt.datetime:
    """Return a moment in May 2025, UTC."""
    return dt.datetime(2025, 5, day, hour, tzinfo=UTC)


# -- round trips on the published payloads -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "entity_cls"),
    [
        ("order_example", Order),
        ("orders_invoice_example", Invoice),
        ("fulfillment_example", Fulfillment),
    ],
)
def test_published_payloads_come_back_unchanged(name: str, entity_cls: Any) -> None:
    """Every published order, invoice and fulfillment payload round-trips to an equal object."""
    payload = load(name)
    assert entity_cls.from_api(payload).to_api() == payload


@pytest.mark.parametrize(
    ("name", "entity_cls"),
    [
        ("order_example", Order),
        ("orders_invoice_example", Invoice),
        ("fulfillment_example", Fulfillment),
    ],
)
def test_published_payloads_keep_their_key_order(name: str, entity_cls: Any) -> None:
    """Written back, a payload lists its keys in the order the API sent them."""
    payload = load(name)
    assert list(entity_cls.from_api(payload).to_api()) == list(payload)


@pytest.mark.parametrize(
    ("name", "entity_cls"),
    [
        ("order_example", Order),
        ("orders_invoice_example", Invoice),
        ("fulfillment_example", Fulfillment),
    ],
)
def test_an_entity_read_back_from_its_own_payload_is_equal(name: str, entity_cls: Any) -> None:
    """Payload to entity to payload to entity gives the same entity."""
    entity = entity_cls.from_api(load(name))
    assert entity_cls.from_api(entity.to_api()) == entity


def test_an_invoices_embedded_order_is_carried_untouched() -> None:
    """The invoice's embedded order, contact and all, comes back key for key."""
    payload = load("orders_invoice_example")
    invoice = Invoice.from_api(payload)
    assert invoice.extra["order"] == payload["order"]
    assert invoice.to_api()["order"] == payload["order"]


def test_a_short_embedded_order_is_refused_naming_a_missing_field() -> None:
    """The short order an invoice embeds lacks what an Order needs, and says which field."""
    with pytest.raises(PayloadError) as caught:
        Order.from_api(load("orders_invoice_example")["order"])
    assert caught.value.path == "contact_id"
    assert "missing" in caught.value.reason


def test_fields_the_model_does_not_use_are_carried_in_extra() -> None:
    """Unused fields sit in extra, nested objects keeping only the keys the model skips."""
    order = Order.from_api(load("order_example"))
    assert order.extra["order_number"] == "425730"
    assert order.extra["contact"]["email_address"] == "test-abb0437740cf4e1b3a02@example.com"
    assert "currency" not in order.extra
    line = order.line_items[0]
    assert line.extra["products_price"]["currency"] == "usd"
    assert "amount" not in line.extra["products_price"]
    assert "id" not in line.extra["products_variant"]


def test_extra_is_read_only() -> None:
    """The carried fields cannot be changed through the entity."""
    order = Order.from_api(load("order_example"))
    assert isinstance(order.extra, ApiExtra)
    with pytest.raises(TypeError):
        order.extra["notes"] = "changed"  # type: ignore[index]  # the point: it is read-only


def test_changing_the_input_after_reading_changes_nothing() -> None:
    """The entity keeps its own copy of the payload it was read from."""
    payload = load("order_example")
    order = Order.from_api(payload)
    payload["contact"]["first_name"] = "Changed"
    payload["currency"] = "EUR"
    assert order.to_api()["contact"]["first_name"] == "Lorretta"
    assert order.to_api()["currency"] == "USD"


def test_changing_the_output_changes_nothing() -> None:
    """Each to_api() gives a fresh object that does not share state with the entity."""
    order = Order.from_api(load("order_example"))
    written = order.to_api()
    written["contact"]["tags"].append("x")
    written["line_items"][0]["products_price"]["currency"] = "eur"
    assert order.to_api() == load("order_example")


# -- the field mapping --------------------------------------------------------------------


def test_an_order_line_reads_variant_amount_and_fulfillment_from_nested_objects() -> None:
    """variant_id is products_variant.id and an order line's amount is products_price.amount."""
    order = Order.from_api(load("order_example"))
    first, second = order.line_items
    assert (first.id, first.variant_id, first.quantity, first.amount) == (
        2,
        11,
        1,
        Decimal("29.00"),
    )
    assert (second.id, second.variant_id, second.amount) == (2, 4, Decimal("100.00"))
    assert first.fulfillment_required is True  # absent from products_variant


def test_an_order_repeating_a_line_item_id_is_accepted() -> None:
    """The published order repeats line-item id 2, as real payloads do."""
    order = Order.from_api(load("order_example"))
    assert [line.id for line in order.line_items] == [2, 2]


def test_an_order_reads_its_statuses_and_moments() -> None:
    """Statuses become enums and timestamps aware UTC datetimes."""
    order = Order.from_api(load("order_example"))
    assert order.service_status is ServiceStatus.PENDING
    assert order.order_type is OrderType.ONE_TIME
    assert order.payment_processor is PaymentProcessor.PAYMENTS_AI
    assert order.created_at == dt.datetime(2025, 4, 21, 14, 47, 46, 914000, tzinfo=UTC)
    assert order.contact_id == 9
    assert order.live_mode is True


def test_an_invoice_line_reads_its_own_amount_and_fulfillment_required() -> None:
    """An invoice line's amount is its own; fulfillment_required comes from its variant."""
    line = Invoice.from_api(load("orders_invoice_example")).line_items[0]
    assert line.amount == Decimal("9.99")
    assert line.variant_id == 7
    assert line.fulfillment_required is False
    assert line.payment_type == "one_time"
    assert line.fulfillment_status is LineItemFulfillmentStatus.UNFULFILLED


def test_an_invoice_reads_what_it_paid_from_due_amount() -> None:
    """amount_paid is total_amount - due_amount when due_amount is present."""
    payload = load("orders_invoice_example")
    payload |= {"status": "partially-paid", "total_amount": "100.00", "due_amount": "40.00"}
    invoice = Invoice.from_api(payload)
    assert invoice.amount_paid == Decimal("60.00")
    assert invoice.amount_refunded == 0
    assert invoice.invoice_type is None


@pytest.mark.parametrize(
    ("status", "paid"),
    [
        ("paid", "9.99"),
        ("partially-refunded", "9.99"),
        ("disputed", "9.99"),
        ("refunded", "9.99"),
        ("unpaid", "0"),
        ("draft", "0"),
        ("past-due", "0"),
        ("partially-paid", "0"),
        ("voided", "0"),
        ("abandoned", "0"),
    ],
)
def test_without_due_amount_the_status_says_what_was_paid(status: str, paid: str) -> None:
    """Without due_amount, paid-like statuses paid the total and the others nothing."""
    payload = load("orders_invoice_example")
    del payload["due_amount"]
    payload["status"] = status
    invoice = Invoice.from_api(payload)
    assert invoice.amount_paid == Decimal(paid)
    assert invoice.to_api() == payload


def test_a_refunded_invoice_refunded_everything_it_was_paid() -> None:
    """amount_refunded is amount_paid for a refunded invoice."""
    payload = load("orders_invoice_example") | {"status": "refunded"}
    invoice = Invoice.from_api(payload)
    assert invoice.amount_refunded == invoice.amount_paid == Decimal("9.99")


def test_a_line_item_without_fulfillment_status_is_unfulfilled_and_stays_without() -> None:
    """Older payloads lack fulfillment_status: read as unfulfilled, written back absent."""
    payload = load("orders_invoice_example")
    del payload["line_items"][0]["fulfillment_status"]
    invoice = Invoice.from_api(payload)
    assert invoice.line_items[0].fulfillment_status is LineItemFulfillmentStatus.UNFULFILLED
    assert invoice.to_api() == payload


def test_a_changed_line_item_status_is_written_even_where_it_was_absent() -> None:
    """Once the status is no longer what absence means, it is written out."""
    payload = load("orders_invoice_example")
    del payload["line_items"][0]["fulfillment_status"]
    invoice = Invoice.from_api(payload)
    ignored = invoice.line_items[0].ignore(at=at(1))
    written = attrs.evolve(invoice, line_items=(ignored,)).to_api()
    assert written["line_items"][0]["fulfillment_status"] == "ignored"


def test_lower_case_currency_is_upper_cased_and_nested_currencies_are_left_alone() -> None:
    """The entity's own currency is the one normalisation; products_price.currency stays."""
    payload = load("orders_invoice_example")
    payload["currency"] = "usd"
    payload["line_items"][0]["products_price"]["currency"] = "usd"
    invoice = Invoice.from_api(payload)
    assert invoice.currency == "USD"
    written = invoice.to_api()
    assert written["currency"] == "USD"
    assert written["line_items"][0]["products_price"]["currency"] == "usd"
    assert written == payload | {"currency": "USD"}


def test_an_unknown_payment_type_is_kept() -> None:
    """payment_type is an open string: debit is read and written back."""
    payload = load("orders_invoice_example")
    payload["line_items"][0]["payment_type"] = "debit"
    invoice = Invoice.from_api(payload)
    assert invoice.line_items[0].payment_type == "debit"
    assert invoice.to_api() == payload


@pytest.mark.parametrize(
    ("where", "key", "read"),
    [
        ((), "payment_processor", lambda order: order.payment_processor),
        ((), "live_mode", lambda order: order.live_mode),
        ((), "order_type", lambda order: order.order_type),
        (("line_items", 0), "payment_type", lambda order: order.line_items[0].payment_type),
    ],
)
def test_a_null_where_a_value_belongs_reads_as_the_default_and_stays_null(
    where: tuple[Any, ...], key: str, read: Any
) -> None:
    """A null where a default is sensible reads as the default and is written back null."""
    payload = load("order_example")
    target = payload
    for step in where:
        target = target[step]
    target[key] = None
    order = Order.from_api(payload)
    fresh = Order(id=1, contact_id=1, currency="USD", line_items=order.line_items[:1])
    assert read(order) == read(attrs.evolve(fresh, line_items=order.line_items))
    assert order.to_api() == payload


def test_a_null_fulfillment_required_means_required() -> None:
    """products_variant.fulfillment_required: null reads as true, as absence does."""
    payload = load("orders_invoice_example")
    payload["line_items"][0]["products_variant"]["fulfillment_required"] = None
    invoice = Invoice.from_api(payload)
    assert invoice.line_items[0].fulfillment_required is True
    assert invoice.to_api() == payload


def test_a_null_due_amount_reads_as_an_absent_one() -> None:
    """due_amount: null falls back to the status rule, and stays null."""
    payload = load("orders_invoice_example") | {"due_amount": None, "status": "unpaid"}
    invoice = Invoice.from_api(payload)
    assert invoice.amount_paid == 0
    assert invoice.to_api() == payload


def test_a_fulfillment_reads_its_lines_from_included_invoices_line_items() -> None:
    """A fulfillment's lines are included_invoices_line_items' ids and quantities."""
    fulfillment = Fulfillment.from_api(load("fulfillment_example"))
    assert fulfillment.lines == (FulfillmentLine(invoice_line_item_id=125, quantity=1),)
    assert fulfillment.status is FulfillmentStatus.FULFILLED
    assert fulfillment.extra["included_invoices_line_items"] == [
        {"id": 1, "public_id": "PYvAJe", "fulfillment_id": 1}
    ]


def test_a_cancelled_fulfillment_is_written_with_its_new_status() -> None:
    """A transition shows in the payload, with its moment; the rest stays as the API sent it."""
    payload = load("fulfillment_example")
    cancelled = Fulfillment.from_api(payload).cancel(at=at(1))
    assert cancelled.to_api() == payload | {
        "status": "cancelled",
        "updated_at": dump_moment(at(1)),
    }


# -- values: exact money, API timestamps --------------------------------------------------


def test_money_strings_keep_their_spelling_while_their_value_holds() -> None:
    """due_amount "0" stays "0"; once the value changes it is written canonically."""
    settled = Invoice.from_api(load("orders_invoice_example") | {"due_amount": "0"})
    assert settled.to_api()["due_amount"] == "0"
    refunded_in_part = settled.refund(Decimal("1.00"), at=at(20))
    assert refunded_in_part.to_api()["due_amount"] == "0"
    unpaid = load("orders_invoice_example") | {"status": "unpaid", "due_amount": "9.99"}
    paid_in_part = Invoice.from_api(unpaid).pay(Decimal("4.99"), at=at(20))
    assert paid_in_part.to_api()["due_amount"] == "5.00"


def test_json_numbers_for_money_are_read_exactly() -> None:
    """A JSON number decoded as Decimal, or even as float, gives the exact decimal."""
    text = json.dumps(load("orders_invoice_example")).replace(
        '"total_amount": "9.99"', '"total_amount": 9.99'
    )
    as_decimal = Invoice.from_api(json.loads(text, parse_float=Decimal))
    as_float = Invoice.from_api(json.loads(text))
    assert as_decimal.total_amount == as_float.total_amount == Decimal("9.99")
    assert as_float.to_api()["total_amount"] == 9.99  # written back as it came


def test_timestamps_keep_the_apis_own_spelling() -> None:
    """An offset timestamp or one without milliseconds comes back exactly as sent."""
    payload = load("orders_invoice_example") | {
        "issued_at": "2025-04-21T16:47:47+02:00",
        "due_at": "2025-05-28T14:47:47Z",
    }
    invoice = Invoice.from_api(payload)
    assert invoice.issued_at == dt.datetime(2025, 4, 21, 14, 47, 47, tzinfo=UTC)
    assert invoice.to_api() == payload


def test_an_entity_built_by_hand_writes_millisecond_utc_timestamps() -> None:
    """Hand-built moments are written as ...T..:..:..mmmZ in UTC, truncated to milliseconds."""
    east = dt.timezone(dt.timedelta(hours=2))
    moment = dt.datetime(2025, 4, 21, 16, 47, 47, 123987, tzinfo=east)
    order = Order(id=1, contact_id=2, currency="usd", line_items=(), created_at=moment)
    assert order.to_api()["created_at"] == "2025-04-21T14:47:47.123Z"
    assert dump_moment(moment) == "2025-04-21T14:47:47.123Z"


def test_a_hand_built_order_writes_every_field_the_model_has() -> None:
    """A hand-built order's payload names each field as the API does."""
    order = Order(
        id=7,
        contact_id=9,
        currency="usd",
        line_items=(
            OrderLineItem(
                id=1, variant_id=5, quantity=2, amount=Decimal("9.99"), payment_type="subscription"
            ),
        ),
        created_at=at(1),
    )
    assert order.to_api() == {
        "id": 7,
        "contact_id": 9,
        "currency": "USD",
        "live_mode": True,
        "billing_status": "pending",
        "service_status": "pending",
        "order_type": "subscription-order",
        "canceled_at": None,
        "cancel_reason": None,
        "churned_at": None,
        "paid_until": None,
        "created_at": "2025-05-01T00:00:00.000Z",
        "payment_processor": "payments_ai",
        "line_items": [
            {
                "id": 1,
                "quantity": 2,
                "payment_type": "subscription",
                "products_price": {"amount": "9.99"},
                "products_variant": {"id": 5, "fulfillment_required": True},
            }
        ],
    }


def test_a_hand_built_invoice_writes_what_is_still_due() -> None:
    """due_amount is written as total_amount - amount_paid."""
    line = InvoiceLineItem(id=1, invoice_id=3, variant_id=5, quantity=1, amount=Decimal("10.00"))
    invoice = Invoice(
        id=3,
        order_id=7,
        status=InvoiceStatus.PARTIALLY_PAID,
        line_items=(line,),
        currency="USD",
        total_amount=Decimal("10.00"),
        amount_paid=Decimal("2.50"),
    )
    written = invoice.to_api()
    assert written["due_amount"] == "7.50"
    assert written["line_items"][0]["fulfillment_status"] == "unfulfilled"
    assert Invoice.from_api(written) == invoice


def test_a_hand_built_entity_with_extra_writes_it_alongside() -> None:
    """Extra given by hand is merged into the payload, the model's fields winning."""
    line = FulfillmentLine(invoice_line_item_id=4, quantity=2)
    fulfillment = Fulfillment(
        id=1, lines=(line,), extra={"tracking_code": "1Z", "status": "ignored-by-the-model"}
    )
    written = fulfillment.to_api()
    assert written["tracking_code"] == "1Z"
    assert written["status"] == "fulfilled"
