"""Webhook envelopes in every documented shape, and their HMAC-SHA256 signatures."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
import hmac
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    Invoice,
    InvoiceStatus,
    Order,
    PayloadError,
    SignatureError,
    WebhookEvent,
    WebhookEventType,
    parse_webhook,
    sign_webhook,
    verify_signature,
)
from clickfunnels_orders.errors import InvalidValueError
from clickfunnels_orders.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
UTC = dt.UTC
NOW = dt.datetime(2025, 4, 21, 14, 50, tzinfo=UTC)
SECRET = "whsec_test"  # noqa: S105  because a test signing secret is not a password


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def shape_a(subject_type: str, data: Any, **extra: Any) -> dict[str, Any]:
    """An envelope of shape (a): ids, type, subject, created_at, data, page and funnel ids."""
    return {
        "event_id": "6a1c9f2e-0000-4000-8000-000000000001",
        "event_type": "order.updated",
        "subject_id": data.get("id") if isinstance(data, dict) else None,
        "subject_type": subject_type,
        "created_at": "2025-04-21T14:47:48.000Z",
        "data": data,
        "page_id": 3,
        "funnel_id": None,
    } | extra


def shape_c(subject_type: str, data: Any, **extra: Any) -> dict[str, Any]:
    """An envelope of shape (c), the stored event resource: uuid and event_type_id."""
    envelope: dict[str, Any] = load("webhooks_outgoing_event_example")
    return envelope | {"subject_type": subject_type, "subject_id": data["id"], "data": data} | extra


# -- the three envelope shapes ------------------------------------------------------------


def test_shape_a_with_an_order_gives_a_typed_order() -> None:
    """Envelope (a) for an Order subject carries an Order entity as data."""
    event = parse_webhook(shape_a("Order", load("order_example")))
    assert event.event_id == "6a1c9f2e-0000-4000-8000-000000000001"
    assert event.event_type == "order.updated"
    assert (event.subject_type, event.subject_id) == ("Order", 2)
    assert event.created_at == dt.datetime(2025, 4, 21, 14, 47, 48, tzinfo=UTC)
    assert event.data == Order.from_api(load("order_example"))
    assert event.entity is event.data


def test_shape_b_keeps_raw_data_for_other_subjects() -> None:
    """Envelope (b), a blog post's, keeps its data as the mapping it came as."""
    envelope = load("webhook_envelope_blogs_post_created")
    event = parse_webhook(envelope)
    assert event.event_id == "338ebc24-78ee-4cc4-9b67-77bd3c0a996c"
    assert event.event_type == "blogs/post.created"
    assert event.subject_type == "Blogs::Post"
    assert event.data == envelope["data"]
    assert event.entity is None
    assert event.envelope["workspace_id"] == 152039
    assert event.created_at == dt.datetime(2025, 1, 31, 10, 8, 33, 872000, tzinfo=UTC)


def test_shape_b_with_an_invoice_gives_a_typed_invoice() -> None:
    """Envelope (b) for an Orders::Invoice subject carries an Invoice."""
    envelope = load("webhook_envelope_blogs_post_created") | {
        "event_type": "orders/invoice.paid",
        "subject_type": "Orders::Invoice",
        "subject_id": 2,
        "data": load("orders_invoice_example"),
    }
    event = parse_webhook(envelope)
    assert isinstance(event.data, Invoice)
    assert event.data.status is InvoiceStatus.PAID
    assert event.event_type == WebhookEventType.INVOICE_PAID


def test_shape_c_reads_uuid_and_event_type_id() -> None:
    """The stored event resource (c) gives its uuid as event_id and event_type_id as type."""
    event = parse_webhook(load("webhooks_outgoing_event_example"))
    assert event.event_id == "d9cdcf8a3e1b6e992bea8a1cbb5fe626"
    assert event.event_type == "contact.identified"
    assert event.subject_type == "Contact"
    assert isinstance(event.data, dict)
    assert event.data["email_address"] == "bobby@fuzzy.com"


def test_shape_c_with_a_fulfillment_gives_a_typed_fulfillment() -> None:
    """Envelope (c) for a Fulfillment subject carries a Fulfillment."""
    event = parse_webhook(shape_c("Fulfillment", load("fulfillment_example")))
    assert isinstance(event.data, Fulfillment)
    assert event.subject_id == 1


def test_event_id_wins_over_uuid_and_event_type_over_event_type_id() -> None:
    """When both spellings are present, event_id and event_type are the ones read."""
    envelope = shape_a("Order", load("order_example"), uuid="other", event_type_id="other.type")
    event = parse_webhook(envelope)
    assert event.event_id == envelope["event_id"]
    assert event.event_type == "order.updated"


def test_a_null_event_id_falls_back_to_uuid() -> None:
    """A null event_id is no id: the uuid is used."""
    envelope = shape_a("Order", load("order_example"), event_id=None, uuid="u-1")
    assert parse_webhook(envelope).event_id == "u-1"


def test_bytes_str_and_mapping_give_the_same_event() -> None:
    """The raw body, its text and its decoded mapping all read the same."""
    envelope = shape_a("Orders::Invoice", load("orders_invoice_example"))
    text = json.dumps(envelope)
    events = {parse_webhook(text), parse_webhook(text.encode()), parse_webhook(envelope)}
    assert len({(e.event_id, e.event_type, e.subject_id) for e in events}) == 1
    assert parse_webhook(text) == parse_webhook(envelope)


def test_json_numbers_in_a_body_are_read_as_exact_decimals() -> None:
    """A JSON number for money is decoded with Decimal, never through float."""
    text = json.dumps(shape_a("Orders::Invoice", load("orders_invoice_example")))
    text = text.replace('"total_amount": "9.99"', '"total_amount": 0.1')
    text = text.replace('"due_amount": "0.00"', '"due_amount": 0.1')
    event = parse_webhook(text)
    assert isinstance(event.data, Invoice)
    assert event.data.total_amount == Decimal("0.1")
    assert event.data.to_api()["total_amount"] == Decimal("0.1")


def test_unknown_event_types_are_accepted() -> None:
    """An event type this library has never heard of is data, not an error."""
    event = parse_webhook(shape_a("Order", load("order_example"), event_type="order.teleported"))
    assert event.event_type == "order.teleported"
    assert not event.is_known_type
    assert isinstance(event.data, Order)


def test_known_event_types_are_named() -> None:
    """The domain's event types are members of WebhookEventType, equal to their strings."""
    assert WebhookEventType("one-time-order.completed") == "one-time-order.completed"
    assert parse_webhook(load("webhook_envelope_blogs_post_created")).is_known_type is False
    event = parse_webhook(shape_a("Order", load("order_example"), event_type="order.completed"))
    assert event.is_known_type


def test_an_event_is_hashable_whatever_its_data() -> None:
    """Events with raw data hash too, so they can be collected in sets."""
    event = parse_webhook(load("webhooks_outgoing_event_example"))
    again = parse_webhook(json.dumps(load("webhooks_outgoing_event_example")))
    assert len({event, again}) == 1


def test_the_envelope_stays_available() -> None:
    """The decoded envelope is kept for the keys the event does not name."""
    event = parse_webhook(json.dumps(load("webhooks_outgoing_event_example")))
    assert event.envelope["funnel"]["name"] == "Example Funnel"
    assert event.envelope["api_version"] == 2


def test_the_datas_updated_at_dates_the_version_it_carries() -> None:
    """updated_at comes from data; as_of prefers it to the envelope's created_at."""
    event = parse_webhook(shape_a("Order", load("order_example")))
    assert event.updated_at == dt.datetime(2025, 4, 21, 14, 47, 46, 914000, tzinfo=UTC)
    assert event.as_of == event.updated_at
    bare = parse_webhook(shape_a("Thing", {"id": 1}))
    assert bare.updated_at is None
    assert bare.as_of == bare.created_at


# -- malformed deliveries -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        (b"not json", "", "not JSON"),
        (b"\xff\xfe", "", "UTF-8"),
        (b"[1, 2]", "", "JSON object"),
        ("null", "", "JSON object"),
        ('{"event_id": "x", "event_type": "a", "data": NaN}', "", "not JSON"),
        ({"event_type": "order.updated"}, "event_id", "missing"),
        ({"event_id": "x"}, "event_type", "missing"),
        ({"event_id": True, "event_type": "a"}, "event_id", "event id"),
        ({"event_id": "x", "event_type": 3}, "event_type", "string"),
        ({"event_id": "x", "event_type": "a", "created_at": "soon"}, "created_at", "timestamp"),
        ({"event_id": "x", "event_type": "a", "subject_type": 5}, "subject_type", "string"),
        ({"event_id": "x", "event_type": "a", "subject_id": [1]}, "subject_id", "id"),
        ({"event_id": "x", "event_type": "a", "subject_type": "Order"}, "data", "object"),
    ],
)
def test_a_malformed_delivery_is_refused_with_a_path(body: Any, path: str, words: str) -> None:
    """Bodies that are not JSON objects, or lack an id or a type, raise PayloadError."""
    with pytest.raises(PayloadError) as caught:
        parse_webhook(body)
    assert caught.value.path == path
    assert words in str(caught.value)


def test_bad_typed_data_is_reported_under_data() -> None:
    """An error in a typed subject's data carries a path starting with data."""
    invoice = load("orders_invoice_example")
    invoice["line_items"][0]["quantity"] = "one"
    with pytest.raises(PayloadError) as caught:
        parse_webhook(shape_a("Orders::Invoice", invoice))
    assert caught.value.path == "data.line_items[0].quantity"


def test_a_short_order_in_an_order_event_is_refused() -> None:
    """An Order subject whose data lacks what the model needs names the missing field."""
    short = load("orders_invoice_example")["order"]
    with pytest.raises(PayloadError) as caught:
        parse_webhook(shape_a("Order", short))
    assert caught.value.path == "data.contact_id"


@given(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_any_body_is_read_or_refused_with_a_payload_error(body: bytes) -> None:
    """Arbitrary bytes never raise anything but PayloadError."""
    with contextlib.suppress(PayloadError):
        parse_webhook(body)


envelope_keys = st.sampled_from(
    [
        "event_id",
        "uuid",
        "event_type",
        "event_type_id",
        "subject_type",
        "subject_id",
        "created_at",
        "data",
    ]
)
junk = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=6)
    | st.lists(st.integers(), max_size=2)
)


@given(st.lists(st.tuples(envelope_keys, st.booleans(), junk), min_size=1, max_size=4))
def test_a_mutated_envelope_is_read_or_refused_with_a_payload_error(
    changes: list[tuple[str, bool, Any]],
) -> None:
    """Deleting or spoiling envelope keys raises only PayloadError."""
    envelope = copy.deepcopy(shape_a("Orders::Invoice", load("orders_invoice_example")))
    for key, remove, value in changes:
        if remove:
            envelope.pop(key, None)
        else:
            envelope[key] = value
    with contextlib.suppress(PayloadError):
        assert isinstance(parse_webhook(envelope), WebhookEvent)


# -- signatures ---------------------------------------------------------------------------

BODY = json.dumps(load("webhooks_outgoing_event_example")).encode()


def signed(at: dt.datetime = NOW, body: bytes = BODY) -> dict[str, str]:
    """Headers ClickFunnels would send with ``body`` signed at ``at``."""
    return sign_webhook(body, secret=SECRET, at=at)


def test_a_valid_signature_verifies() -> None:
    """A body signed with the secret, within the tolerance, verifies."""
    assert verify_signature(BODY, secret=SECRET, headers=signed(), now=NOW) is True


def test_the_signature_is_the_hex_hmac_of_timestamp_dot_body() -> None:
    """The scheme: hex HMAC-SHA256 of "{timestamp}.{raw body}" with the endpoint secret."""
    headers = signed()
    timestamp = headers[TIMESTAMP_HEADER]
    assert timestamp == str(int(NOW.timestamp()))
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + BODY, hashlib.sha256)
    assert headers[SIGNATURE_HEADER] == expected.hexdigest()


def test_headers_are_looked_up_whatever_their_case() -> None:
    """HTTP header names are case-insensitive, and so is the lookup."""
    lower = {name.lower(): value for name, value in signed().items()}
    assert verify_signature(BODY, secret=SECRET, headers=lower, now=NOW)


def test_signature_and_timestamp_may_be_passed_directly() -> None:
    """The two header values can be given as arguments; a str body works too."""
    headers = signed()
    assert verify_signature(
        BODY.decode(),
        secret=SECRET.encode(),
        signature=headers[SIGNATURE_HEADER],
        timestamp=int(headers[TIMESTAMP_HEADER]),
        now=NOW,
    )


def test_a_tampered_body_is_refused() -> None:
    """Changing one byte of the body breaks the signature."""
    tampered = BODY.replace(b"Bobby", b"Robby")
    with pytest.raises(SignatureError, match="does not match"):
        verify_signature(tampered, secret=SECRET, headers=signed(), now=NOW)


def test_a_tampered_signature_or_timestamp_is_refused() -> None:
    """A changed signature, or a timestamp moved by a second, does not verify."""
    headers = signed()
    forged = headers | {SIGNATURE_HEADER: "0" * 64}
    with pytest.raises(SignatureError):
        verify_signature(BODY, secret=SECRET, headers=forged, now=NOW)
    moved = headers | {TIMESTAMP_HEADER: str(int(headers[TIMESTAMP_HEADER]) + 1)}
    with pytest.raises(SignatureError):
        verify_signature(BODY, secret=SECRET, headers=moved, now=NOW)


def test_another_secret_is_refused() -> None:
    """A body signed with another endpoint's secret does not verify."""
    with pytest.raises(SignatureError):
        verify_signature(BODY, secret=SECRET + "-other", headers=signed(), now=NOW)


def test_an_expired_signature_is_refused() -> None:
    """A delivery signed more than 600 s ago is refused, even with a valid signature."""
    old = signed(at=NOW - dt.timedelta(seconds=601))
    with pytest.raises(SignatureError, match="600 s") as caught:
        verify_signature(BODY, secret=SECRET, headers=old, now=NOW)
    assert "601 s" in caught.value.reason


def test_a_signature_at_the_edge_of_the_tolerance_verifies() -> None:
    """Exactly 600 s old is still within the tolerance."""
    edge = signed(at=NOW - dt.timedelta(seconds=600))
    assert verify_signature(BODY, secret=SECRET, headers=edge, now=NOW)


def test_a_signature_from_the_future_is_refused() -> None:
    """A timestamp further ahead than the tolerance is refused too."""
    ahead = signed(at=NOW + dt.timedelta(minutes=11))
    with pytest.raises(SignatureError):
        verify_signature(BODY, secret=SECRET, headers=ahead, now=NOW)


def test_the_tolerance_can_be_chosen() -> None:
    """A stricter tolerance refuses what the default accepts."""
    minute_old = signed(at=NOW - dt.timedelta(seconds=60))
    assert verify_signature(BODY, secret=SECRET, headers=minute_old, now=NOW)
    with pytest.raises(SignatureError):
        verify_signature(
            BODY, secret=SECRET, headers=minute_old, now=NOW, tolerance=dt.timedelta(seconds=30)
        )


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, SIGNATURE_HEADER),
        ({SIGNATURE_HEADER: "ab"}, TIMESTAMP_HEADER),
        ({SIGNATURE_HEADER: "ab", TIMESTAMP_HEADER: "yesterday"}, "unix time"),
        ({SIGNATURE_HEADER: "ab", TIMESTAMP_HEADER: "-5"}, "unix time"),
        ({SIGNATURE_HEADER: "ab", TIMESTAMP_HEADER: "\uff11\uff12"}, "unix time"),
    ],
)
def test_missing_or_malformed_headers_are_refused(headers: dict[str, str], words: str) -> None:
    """Without both headers, or with a timestamp that is not unix seconds, nothing verifies."""
    with pytest.raises(SignatureError, match=words):
        verify_signature(BODY, secret=SECRET, headers=headers, now=NOW)


def test_the_clock_must_be_aware() -> None:
    """A naive now is refused with a clear error, as everywhere in the library."""
    with pytest.raises(InvalidValueError):
        verify_signature(BODY, secret=SECRET, headers=signed(), now=NOW.replace(tzinfo=None))


def test_a_signature_error_is_a_value_error() -> None:
    """SignatureError can be caught as ValueError."""
    with pytest.raises(ValueError, match="signature"):
        verify_signature(b"{}", secret=SECRET, headers=signed(), now=NOW)


@given(st.binary(max_size=32), st.text(max_size=70), st.text(max_size=24))
def test_any_headers_verify_or_raise_a_signature_error(
    body: bytes, signature: str, timestamp: str
) -> None:
    """Garbage signatures and timestamps never raise anything but SignatureError."""
    headers = {SIGNATURE_HEADER: signature, TIMESTAMP_HEADER: timestamp}
    with contextlib.suppress(SignatureError):
        verify_signature(body, secret=SECRET, headers=headers, now=NOW)
