"""Create-fulfillment requests, and payloads refused with the path of what is wrong."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    Order,
    PayloadError,
)
from clickfunnels_orders.payloads import (
    fulfillment_create_request,
    fulfillment_from_create_request,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
UTC = dt.UTC


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def at(day: int, hour: int = 0) -> dt.datetime:
    """Return a moment in May 2025, UTC."""
    return dt.datetime(2025, 5, day, hour, tzinfo=UTC)


# -- create-fulfillment requests ----------------------------------------------------------


def test_a_create_request_matches_the_published_example() -> None:
    """fulfillment_create_request builds the API's documented request body."""
    body = fulfillment_create_request(
        [FulfillmentLine(1, 1), FulfillmentLine(2, 2)],
        contact_id=7,
        tracking_url="https://usps.com/track/1234567890",
        shipping_provider="USPS",
        tracking_code="1234567890",
        location_id=1,
        ignore_out_of_stock=True,
        notify_customer=True,
    )
    assert body == load("fulfillment_create_request_example")


def test_a_fulfillment_builds_its_create_request_with_its_carried_fields() -> None:
    """to_create_request carries the tracking fields read from the API; options add to them."""
    fulfillment = Fulfillment.from_api(load("fulfillment_example"))
    fulfillment = attrs.evolve(fulfillment, lines=(FulfillmentLine(1, 1), FulfillmentLine(2, 2)))
    body = fulfillment.to_create_request(ignore_out_of_stock=True, notify_customer=True)
    assert body == load("fulfillment_create_request_example")


def test_a_create_request_reads_back_into_the_fulfillment_it_creates() -> None:
    """A test double reads a create request into a new, fulfilled fulfillment."""
    request = load("fulfillment_create_request_example")
    created = fulfillment_from_create_request(request, id=9, created_at=at(3))
    assert created.lines == (FulfillmentLine(1, 1), FulfillmentLine(2, 2))
    assert created.status is FulfillmentStatus.FULFILLED
    assert created.to_create_request() == request


def test_a_malformed_create_request_names_the_bad_line() -> None:
    """A bad line in a create request is reported with its path."""
    request = load("fulfillment_create_request_example")
    request["fulfillment"]["included_orders_invoices_line_items_attributes"][1]["quantity"] = 0
    with pytest.raises(PayloadError) as caught:
        fulfillment_from_create_request(request, id=9)
    assert caught.value.path == (
        "fulfillment.included_orders_invoices_line_items_attributes[1].quantity"
    )


# -- malformed payloads -------------------------------------------------------------------


def mutated(name: str, change: Any) -> Any:
    """Return a published payload after ``change`` has been applied to a copy of it."""
    payload = copy.deepcopy(load(name))
    change(payload)
    return payload


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda p: p["line_items"][0].update(quantity="1"), "line_items[0].quantity", "integer"),
        (lambda p: p["line_items"][0].update(quantity=0), "line_items[0].quantity", "positive"),
        (lambda p: p["line_items"][0].update(quantity=1.0), "line_items[0].quantity", "integer"),
        (
            lambda p: p["line_items"][0]["products_variant"].pop("id"),
            "line_items[0].products_variant.id",
            "missing",
        ),
        (
            lambda p: p["line_items"][0].pop("products_variant"),
            "line_items[0].products_variant",
            "missing",
        ),
        (lambda p: p["line_items"][0].update(amount="ten"), "line_items[0].amount", "decimal"),
        (lambda p: p["line_items"][0].update(amount="-1"), "line_items[0].amount", "negative"),
        (lambda p: p.update(status="paidd"), "status", "one of draft, unpaid"),
        (lambda p: p.update(status=None), "status", "one of"),
        (lambda p: p.update(currency="dollars"), "currency", "three-letter"),
        (lambda p: p.update(currency=840), "currency", "string"),
        (lambda p: p.update(due_amount="100"), "due_amount", "at most total_amount"),
        (lambda p: p.update(paid_at="yesterday"), "paid_at", "timestamp"),
        (lambda p: p.update(paid_at="2025-05-14T14:47:47"), "paid_at", "offset"),
        (lambda p: p.update(line_items="none"), "line_items", "list"),
        (lambda p: p.update(line_items=[7]), "line_items[0]", "object"),
        (
            lambda p: p["line_items"][0].update(invoice_id=99),
            "line_items[0].invoice_id",
            "holds it",
        ),
        (
            lambda p: p["line_items"].append(copy.deepcopy(p["line_items"][0])),
            "line_items[1].id",
            "unique",
        ),
        (lambda p: p.pop("total_amount"), "total_amount", "missing"),
        (lambda p: p.update(id=True), "id", "id"),
        (
            lambda p: p["line_items"][0]["products_variant"].update(fulfillment_required="no"),
            "line_items[0].products_variant.fulfillment_required",
            "true or false",
        ),
    ],
)
def test_a_malformed_invoice_is_refused_with_the_path_and_what_was_expected(
    change: Any, path: str, words: str
) -> None:
    """Each malformed field raises PayloadError naming its path and what it expects."""
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(mutated("orders_invoice_example", change))
    assert caught.value.path == path
    assert words in str(caught.value)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda p: p["line_items"][1]["products_price"].update(amount=None),
            "line_items[1].products_price.amount",
        ),
        (lambda p: p.update(service_status="trialing"), "service_status"),
        (lambda p: p.update(order_type="one_time"), "order_type"),
        (lambda p: p.update(live_mode="yes"), "live_mode"),
        (lambda p: p.update(contact_id=None), "contact_id"),
        (lambda p: p.update(created_at=17), "created_at"),
    ],
)
def test_a_malformed_order_is_refused_with_the_path(change: Any, path: str) -> None:
    """Order fields, nested ones included, are reported at their payload path."""
    with pytest.raises(PayloadError) as caught:
        Order.from_api(mutated("order_example", change))
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda p: p["included_invoices_line_items"][0].update(quantity=0),
            "included_invoices_line_items[0].quantity",
        ),
        (
            lambda p: p["included_invoices_line_items"][0].pop("invoices_line_item_id"),
            "included_invoices_line_items[0].invoices_line_item_id",
        ),
        (lambda p: p.update(status="canceled"), "status"),
    ],
)
def test_a_malformed_fulfillment_is_refused_with_the_path(change: Any, path: str) -> None:
    """Fulfillment lines are reported under included_invoices_line_items."""
    with pytest.raises(PayloadError) as caught:
        Fulfillment.from_api(mutated("fulfillment_example", change))
    assert caught.value.path == path


@pytest.mark.parametrize("payload", [None, [], "order", 7, b"{}"])
def test_something_other_than_an_object_is_refused_at_the_root(payload: Any) -> None:
    """A payload that is not a JSON object raises PayloadError with an empty path."""
    with pytest.raises(PayloadError) as caught:
        Order.from_api(payload)
    assert caught.value.path == ""


def test_several_problems_are_all_mentioned() -> None:
    """The first problem gives the path; the message lists the others too."""
    with pytest.raises(PayloadError) as caught:
        Order.from_api({"id": 1})
    assert caught.value.path == "contact_id"
    assert "also wrong: currency" in caught.value.reason


def test_a_payload_error_is_a_value_error_carrying_the_value() -> None:
    """PayloadError is a ValueError and keeps the offending value."""
    with pytest.raises(ValueError, match="quantity") as caught:
        Invoice.from_api(
            mutated("orders_invoice_example", lambda p: p["line_items"][0].update(quantity="3"))
        )
    assert isinstance(caught.value, PayloadError)
    assert caught.value.value == "3"


def test_changing_what_extra_hands_out_does_not_change_the_payload_written() -> None:
    """Carried fields read from extra are copies: to_api still gives the input back."""
    payload = load("orders_invoice_example")
    invoice = Invoice.from_api(payload)
    invoice.extra["order"]["contact"]["id"] = 999
    assert invoice.to_api() == payload
