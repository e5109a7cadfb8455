"""The payload layer at its edges: odd inputs read, malformed ones refused where they are."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    Order,
    PayloadError,
)
from clickfunnels_orders.payloads import (
    _reading,
    fulfillment_from_create_request,
    fulfillment_to_api,
    invoice_to_api,
    order_to_api,
    parse_moment,
    restock_to_api,
    transaction_to_api,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


# -- create-fulfillment requests, read by the cattrs converter -----------------------------


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ([], "", "an object with fulfillment"),
        ({}, "fulfillment", "missing"),
        ({"fulfillment": 7}, "fulfillment", "an object with"),
        (
            {"fulfillment": {"included_orders_invoices_line_items_attributes": "all"}},
            "fulfillment.included_orders_invoices_line_items_attributes",
            "a list",
        ),
        (
            {"fulfillment": {"included_orders_invoices_line_items_attributes": [7]}},
            "fulfillment.included_orders_invoices_line_items_attributes[0]",
            "an object with",
        ),
        (
            {
                "fulfillment": {
                    "included_orders_invoices_line_items_attributes": [
                        {"invoices_line_item_id": 1, "quantity": "2"}
                    ]
                }
            },
            "fulfillment.included_orders_invoices_line_items_attributes[0].quantity",
            "an integer",
        ),
        (
            {"fulfillment": {"included_orders_invoices_line_items_attributes": [{"quantity": 2}]}},
            "fulfillment.included_orders_invoices_line_items_attributes[0].invoices_line_item_id",
            "missing, expected an id",
        ),
    ],
)
def test_a_malformed_create_request_is_refused_at_its_path(
    body: Any, path: str, words: str
) -> None:
    """Each wrong part of a create request raises PayloadError naming its path."""
    with pytest.raises(PayloadError) as caught:
        fulfillment_from_create_request(body, id=1)
    assert caught.value.path == path
    assert words in caught.value.reason


def test_every_wrong_line_of_a_create_request_is_named() -> None:
    """The first wrong line gives the path; the others are listed in the message."""
    lines = [{"invoices_line_item_id": True, "quantity": 1} for _ in range(6)]
    body = {"fulfillment": {"included_orders_invoices_line_items_attributes": lines}}
    with pytest.raises(PayloadError) as caught:
        fulfillment_from_create_request(body, id=1)
    attributes = "fulfillment.included_orders_invoices_line_items_attributes"
    assert caught.value.path == f"{attributes}[0].invoices_line_item_id"
    assert f"also wrong: {attributes}[1].invoices_line_item_id" in caught.value.reason
    assert "and 2 more" in caught.value.reason


def test_a_create_request_line_of_quantity_zero_is_refused_at_its_path() -> None:
    """The entity's own complaint (a positive quantity) is reported at the request's path."""
    line = {"invoices_line_item_id": 1, "quantity": 0}
    body = {"fulfillment": {"included_orders_invoices_line_items_attributes": [line]}}
    with pytest.raises(PayloadError) as caught:
        fulfillment_from_create_request(body, id=1)
    assert caught.value.path == (
        "fulfillment.included_orders_invoices_line_items_attributes[0].quantity"
    )


# -- odd but readable inputs ---------------------------------------------------------------


def test_a_payload_given_as_a_read_only_mapping_reads_and_writes_back() -> None:
    """Any mapping will do as a payload, not only a dict."""
    payload = load("orders_invoice_example")
    invoice = Invoice.from_api(MappingProxyType(payload))
    assert invoice.to_api() == payload


def test_an_aware_datetime_or_a_str_subclass_reads_as_a_timestamp() -> None:
    """parse_moment takes an aware datetime, and text of a str subclass."""

    class Text(str):
        """A str subclass, as some JSON libraries hand out."""

        __slots__ = ()

    at = dt.datetime(2025, 4, 21, 16, 47, 47, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert parse_moment(at) == at
    assert parse_moment(Text("2025-04-21T14:47:47.000Z")) == at


def test_a_timestamp_beyond_the_calendar_in_utc_is_refused() -> None:
    """Year 1 at +01:00 is still year 0 in UTC: refused, naming the key."""
    payload = load("orders_invoice_example") | {"paid_at": "0001-01-01T00:30:00+01:00"}
    with pytest.raises(PayloadError, match="years 1 to 9999") as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "paid_at"


def test_an_int_subclass_reads_as_the_int_it_is() -> None:
    """A quantity given as an int subclass is read as a plain int."""

    class Count(int):
        """An int subclass."""

    payload = load("orders_invoice_example")
    payload["line_items"][0]["quantity"] = Count(2)
    line = Invoice.from_api(payload).line_items[0]
    assert line.quantity == 2
    assert type(line.quantity) is int


def test_a_payload_key_that_is_not_text_is_refused() -> None:
    """JSON keys are text: a payload with an int key is refused, saying so."""
    payload: dict[Any, Any] = load("orders_invoice_example")
    payload[1] = "one"
    with pytest.raises(PayloadError, match="JSON keys are text"):
        Invoice.from_api(payload)


def test_nested_arrays_and_tuples_carried_are_copied_on_the_way_out() -> None:
    """Carried lists of lists and tuples of objects come back equal, and as copies."""
    payload = load("orders_invoice_example") | {
        "matrix": [[1, 2], {"a": [3]}],
        "pairs": ({"b": 1}, [2]),
    }
    invoice = Invoice.from_api(payload)
    written = invoice.to_api()
    assert written == payload
    written["matrix"][0].append(9)
    written["pairs"][0]["b"] = 2
    assert invoice.to_api() == payload


def test_a_hand_built_fulfillment_merges_its_carried_line_keys() -> None:
    """Carried keys of included lines given by hand are written into those lines."""
    fulfillment = Fulfillment(
        id=1,
        lines=(FulfillmentLine(5, 1),),
        extra={"included_invoices_line_items": [{"id": 9}], "tracking_code": "1Z"},
    )
    assert fulfillment.to_api()["included_invoices_line_items"] == [
        {"quantity": 1, "invoices_line_item_id": 5, "id": 9}
    ]


def test_a_subclass_of_an_entity_writes_as_its_entity() -> None:
    """A user's subclass of Invoice writes the payload its base would."""

    class TaggedInvoice(Invoice):
        """A subclass, as an application might keep."""

    payload = load("orders_invoice_example")
    invoice = Invoice.from_api(payload)
    tagged = TaggedInvoice(**{name: getattr(invoice, name) for name in _fields(Invoice)})
    assert tagged.to_api() == payload


def _fields(cls: type) -> list[str]:
    import attrs  # noqa: PLC0415  because only this helper needs it

    return [field.name for field in attrs.fields(cls) if field.init]


def test_the_named_writers_write_what_to_api_writes() -> None:
    """order_to_api, invoice_to_api and the others are to_api() by name."""
    from clickfunnels_orders import Restock, Transaction  # noqa: PLC0415  because local

    cases: list[tuple[Any, Any]] = [
        (order_to_api, Order.from_api(load("order_example"))),
        (invoice_to_api, Invoice.from_api(load("orders_invoice_example"))),
        (fulfillment_to_api, Fulfillment.from_api(load("fulfillment_example"))),
        (restock_to_api, Restock.from_api(load("restock_example"))),
        (transaction_to_api, Transaction.from_api(load("orders_transaction_example"))),
    ]
    for write, entity in cases:
        assert write(entity) == entity.to_api()


def test_shapes_beyond_the_bound_are_read_and_written_without_being_shared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Once the shape caches are full, new shapes still round-trip; they are just not shared."""
    monkeypatch.setattr(_reading, "_MAX_SHAPES", 0)
    payload = load("orders_invoice_example")
    payload["line_items"].append(copy.deepcopy(payload["line_items"][0]) | {"id": 4, "x": 1})
    payload["total_amount"] = "19.98"
    payload["new_key"] = True
    invoice = Invoice.from_api(payload)
    assert invoice.to_api() == payload
    assert not _reading.is_shared(invoice.line_items[1].spelling)  # type: ignore[arg-type]
