"""to_api() is JSON-ready however an entity was read: numbers go back as JSON numbers."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    Invoice,
    Order,
    PayloadError,
    Restock,
    Transaction,
    parse_webhook,
)
from clickfunnels_orders.payloads import JsonNumber, fulfillment_from_create_request
from clickfunnels_orders.store._codec import dump_json
from clickfunnels_orders.testing.strategies import (
    fulfillments,
    invoices,
    orders,
    restocks,
    transactions,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
READERS: dict[str, type[Order | Invoice | Fulfillment | Transaction | Restock]] = {
    "order_example": Order,
    "orders_invoice_example": Invoice,
    "fulfillment_example": Fulfillment,
    "orders_transaction_example": Transaction,
    "restock_example": Restock,
}
ENVELOPES = ("webhooks_outgoing_event_example", "webhook_envelope_blogs_post_created")


def text_of(name: str) -> str:
    """The text of a published example payload."""
    return (FIXTURES / f"{name}.json").read_text(encoding="utf-8")


def test_the_fixtures_are_all_covered() -> None:
    """Every fixture file is read by one of the tests below, so a new one is not missed."""
    names = {path.stem for path in FIXTURES.glob("*.json")}
    assert names == {*READERS, *ENVELOPES, "fulfillment_create_request_example"}


@pytest.mark.parametrize("name", sorted(READERS))
@pytest.mark.parametrize("decode", ["plain", "decimal"])
def test_every_fixture_read_either_way_writes_json(name: str, decode: str) -> None:
    """A fixture decoded with floats or with Decimals writes a payload json.dumps accepts."""
    text = text_of(name)
    payload = json.loads(text) if decode == "plain" else json.loads(text, parse_float=Decimal)
    entity = READERS[name].from_api(payload)
    normalised = {"currency": payload["currency"].upper()} if "currency" in payload else {}
    written = entity.to_api()
    assert written == payload | normalised
    assert json.loads(json.dumps(written)) == json.loads(text) | normalised


@pytest.mark.parametrize("name", ENVELOPES)
def test_every_fixture_envelope_parsed_from_bytes_writes_json(name: str) -> None:
    """The data of every published envelope, read from bytes, writes JSON (typed or not)."""
    event = parse_webhook(text_of(name).encode())
    data = event.data
    written = data.to_api() if hasattr(data, "to_api") else data
    assert isinstance(json.dumps(written), str)


def test_the_create_request_fixture_reads_into_a_fulfillment_that_writes_json() -> None:
    """The create-request example, read into the fulfillment it creates, writes JSON."""
    body = json.loads(text_of("fulfillment_create_request_example"), parse_float=Decimal)
    fulfillment = fulfillment_from_create_request(body, id=1)
    assert json.loads(json.dumps(fulfillment.to_api()))["id"] == 1


def test_a_webhook_invoice_line_carrying_a_tax_rate_number_writes_json() -> None:
    """The integrator's case: a carried "state_tax_rate": 0.0825 goes back as that number."""
    data = json.loads(text_of("orders_invoice_example"))
    data["line_items"][0]["state_tax_rate"] = 0.0825
    envelope = {
        "event_id": "e1",
        "event_type": "orders/invoice.paid",
        "subject_type": "Orders::Invoice",
        "data": data,
    }
    event = parse_webhook(json.dumps(envelope).encode())
    text = json.dumps(event.data.to_api())
    assert json.loads(text)["line_items"][0]["state_tax_rate"] == 0.0825
    assert '"state_tax_rate": 0.0825' in text


entities = st.one_of(orders(), invoices(), fulfillments(), transactions(), restocks())


@given(entities)
def test_every_generated_entity_writes_json_that_reads_back_as_its_payload(
    entity: Order | Invoice | Fulfillment | Transaction | Restock,
) -> None:
    """json.dumps(to_api()) works, and the text reads back into the same payload."""
    written = entity.to_api()
    back = type(entity).from_api(json.loads(json.dumps(written), parse_float=Decimal))
    assert back.to_api() == written


#: A JSON number as its exact text: the digits a body carries.
numbers = st.decimals(allow_nan=False, allow_infinity=False, places=6).filter(
    lambda d: abs(d) < 10**12
) | st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: abs(d.adjusted()) < 300)
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


def objects_in(value: Any) -> list[dict[str, Any]]:
    """Every JSON object inside ``value``, ``value`` included."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found.extend(objects_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(objects_in(item))
    return found


@st.composite
def bodies_with_fractions(draw: st.DrawFn) -> tuple[bytes, dict[str, Any]]:
    """A webhook body whose data carries fractional numbers, and that data decoded exactly."""
    name, subject = draw(
        st.sampled_from(
            [
                ("orders_invoice_example", "Orders::Invoice"),
                ("order_example", "Order"),
                ("fulfillment_example", "Fulfillment"),
                ("orders_transaction_example", "Orders::Transaction"),
            ]
        )
    )
    data = json.loads(text_of(name), parse_float=Decimal)
    data = READERS[name].from_api(data).to_api()  # the entity's own currency upper-cased
    targets = objects_in(data)
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        target = draw(st.sampled_from(targets))
        key = "x_" + draw(names)
        if key not in target:
            target[key] = draw(numbers | st.lists(numbers, max_size=3))
    envelope = {
        "event_id": "e1",
        "event_type": "webhook.fuzzed",
        "subject_type": subject,
        "data": data,
    }
    return dump_json(envelope).encode(), data


@given(bodies_with_fractions())
def test_fuzzed_webhook_bodies_with_fractions_write_json_and_round_trip(
    case: tuple[bytes, dict[str, Any]],
) -> None:
    """Carried fractions come out as JSON numbers equal to the exact values that came in."""
    body, data = case
    entity = parse_webhook(body).data
    written = entity.to_api()
    assert written == data
    text = json.dumps(written)
    assert json.loads(text) == json.loads(body)["data"]
    assert type(entity).from_api(written) == entity
    # Through text a number keeps the float's digits (what JSON readers keep), and reads.
    reread = json.loads(text, parse_float=Decimal)
    assert type(entity).from_api(reread).to_api() == reread


def test_a_json_number_equals_its_exact_value_and_writes_as_a_number() -> None:
    """A JsonNumber compares equal to its Decimal and its float, and dumps as a number."""
    number = JsonNumber(Decimal("0.0825"))
    assert number == Decimal("0.0825")
    assert number == 0.0825
    assert number != Decimal("0.08250000001")
    assert hash(number) == hash(Decimal("0.0825"))
    assert json.dumps([number]) == "[0.0825]"


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_json_number_pickles_with_its_exact_value(protocol: int) -> None:
    """Pickling keeps the exact digits, not just the float."""
    number = JsonNumber(Decimal("1.00000000000000000001"))
    back = pickle.loads(pickle.dumps(number, protocol))  # noqa: S301  because the data is our own
    assert type(back) is JsonNumber
    assert back.exact == Decimal("1.00000000000000000001")


def test_money_written_as_a_json_number_reads_back_exactly() -> None:
    """A money key that came as a JSON number is written back as it and read exactly."""
    text = text_of("orders_invoice_example").replace(
        '"total_amount": "9.99"', '"total_amount": 9.99'
    )
    envelope = (
        '{"event_id": "e1", "event_type": "orders/invoice.paid", '
        '"subject_type": "Orders::Invoice", "data": ' + text + "}"
    )
    invoice = parse_webhook(envelope.encode()).data
    assert isinstance(invoice, Invoice)
    written = invoice.to_api()
    assert isinstance(written["total_amount"], JsonNumber)
    assert '"total_amount": 9.99' in json.dumps(written)
    assert Invoice.from_api(written).total_amount == Decimal("9.99")


def test_a_decimal_in_hand_built_extra_is_written_as_a_number() -> None:
    """An ``extra`` given by hand holds its Decimals as JSON numbers too."""
    fulfillment = Fulfillment(id=1, lines=(), extra={"weight_kg": Decimal("1.25")})
    assert json.dumps(fulfillment.to_api()["weight_kg"]) == "1.25"


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ({"when": object()}, "extra.when"),
        ({"notes": {"tags": [1, {2, 3}]}}, "extra.notes.tags[1]"),
        ({"rate": Decimal("NaN")}, "extra.rate"),
        ({"rate": Decimal("1E+400")}, "extra.rate"),
        ({"wide": 10**5000}, "extra.wide"),
        ({"keyed": {1: "a"}}, "extra.keyed.1"),
    ],
)
def test_extra_json_cannot_hold_is_refused_naming_its_path(extra: Any, path: str) -> None:
    """A value json.dumps could not write (or write back as read) is refused on the way in."""
    with pytest.raises(PayloadError) as caught:
        Fulfillment(id=1, lines=(), extra=extra)
    assert caught.value.path == path


def test_a_value_json_cannot_hold_in_a_payload_is_refused_with_its_payload_path() -> None:
    """From from_api, the path is the payload's, down to the nested line."""
    payload = json.loads(text_of("orders_invoice_example"))
    payload["line_items"][0]["meta"] = {"seen": {object()}}
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "line_items[0].meta.seen"
