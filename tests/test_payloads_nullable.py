"""Shapes the API's schema allows to be null or absent are read, not refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from clickfunnels_orders import (
    Fulfillment,
    Invoice,
    Order,
    PayloadError,
    Restock,
    parse_webhook,
    rollup,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_an_order_whose_line_items_are_null_has_no_lines_and_writes_null_back() -> None:
    """``line_items: null`` is an order without lines; the null comes back as it came."""
    payload = load("order_example") | {"line_items": None}
    order = Order.from_api(payload)
    assert order.line_items == ()
    assert order.to_api() == payload


def test_an_order_without_line_items_has_no_lines_and_writes_none() -> None:
    """An absent ``line_items`` is an order without lines, and stays absent."""
    payload = load("order_example")
    del payload["line_items"]
    order = Order.from_api(payload)
    assert order.line_items == ()
    assert "line_items" not in order.to_api()
    assert order.to_api() == payload


def test_an_order_built_by_hand_without_lines_writes_an_empty_list() -> None:
    """With no payload to follow, no lines are written as the API's empty list."""
    order = Order(id=1, contact_id=2, currency="USD", line_items=())
    assert order.to_api()["line_items"] == []
    assert Order.from_api(order.to_api()) == order


@pytest.mark.parametrize(
    ("cls", "name"), [(Fulfillment, "fulfillment_example"), (Restock, "restock_example")]
)
@pytest.mark.parametrize("shape", ["null", "absent"])
def test_a_fulfillment_or_restock_without_included_lines_has_none(
    cls: type[Fulfillment | Restock], name: str, shape: str
) -> None:
    """``included_invoices_line_items`` null or absent reads as no lines, kept as it came."""
    payload = load(name)
    if shape == "null":
        payload["included_invoices_line_items"] = None
    else:
        del payload["included_invoices_line_items"]
    entity = cls.from_api(payload)
    assert entity.lines == ()
    assert entity.to_api() == payload


def test_a_fulfillment_without_lines_counts_for_nothing_in_the_rollup() -> None:
    """Read from a null list, a fulfillment ships nothing."""
    invoice = Invoice.from_api(load("orders_invoice_example"))
    fulfillment = Fulfillment.from_api(
        load("fulfillment_example") | {"included_invoices_line_items": None}
    )
    computed = rollup.compute([invoice], [fulfillment])
    assert computed.fulfilled_quantity(invoice.line_items[0].id) == 0


def test_an_invoice_still_needs_its_line_items() -> None:
    """What the model needs and the object lacks still raises, naming the field."""
    payload = load("orders_invoice_example")
    del payload["line_items"]
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "line_items"


def test_the_short_order_of_an_invoice_is_still_refused_naming_what_it_lacks() -> None:
    """An order needs its contact and currency; their absence is named, not its lines'."""
    with pytest.raises(PayloadError) as caught:
        Order.from_api(load("orders_invoice_example")["order"])
    assert caught.value.path == "contact_id"
    assert "line_items" not in str(caught.value)


def test_a_malformed_line_list_is_still_refused() -> None:
    """Null is allowed; a list of the wrong things is not."""
    with pytest.raises(PayloadError) as caught:
        Fulfillment.from_api(load("fulfillment_example") | {"included_invoices_line_items": "none"})
    assert caught.value.path == "included_invoices_line_items"


def stored_event(**changes: Any) -> dict[str, Any]:
    """A stored event (shape (c)) carrying an order, with ``changes`` applied."""
    envelope: dict[str, Any] = load("webhooks_outgoing_event_example")
    envelope.update(subject_type="Order", event_type_id="order.created", data=load("order_example"))
    envelope.update(changes)
    return envelope


def test_a_stored_event_whose_uuid_is_null_is_known_by_its_id() -> None:
    """``uuid: null`` in shape (c): the event id is the envelope's integer ``id``."""
    event = parse_webhook(json.dumps(stored_event(uuid=None)).encode())
    assert event.event_id == 1
    assert isinstance(event.data, Order)


def test_a_stored_event_with_a_uuid_is_still_known_by_it() -> None:
    """The uuid, when there is one, stays the event id."""
    event = parse_webhook(stored_event())
    assert event.event_id == "d9cdcf8a3e1b6e992bea8a1cbb5fe626"


def test_an_envelope_with_no_event_id_at_all_is_refused_naming_the_keys() -> None:
    """Without event_id, uuid or id there is nothing to de-duplicate on."""
    envelope = stored_event(uuid=None)
    del envelope["id"]
    with pytest.raises(PayloadError, match="event_id, uuid or id") as caught:
        parse_webhook(envelope)
    assert caught.value.path == "event_id"


def test_an_order_delivered_with_null_lines_is_read_from_a_webhook() -> None:
    """The nullable shape reads inside an envelope too."""
    event = parse_webhook(stored_event(data=load("order_example") | {"line_items": None}))
    assert isinstance(event.data, Order)
    assert event.data.line_items == ()
