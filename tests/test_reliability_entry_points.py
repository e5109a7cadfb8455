"""Signatures, the replica, events and payload readers refuse hostile input with an OrdersError.

A sibling of ``test_reliability_fuzz`` (which drives the entities and the rollup): the same
catalogue of hostile values, here against the webhook edge. Each example is a refusal
with the field it names; each property says no exception but an ``OrdersError`` escapes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _builders import T0, I, invoice, invoice_line, order
from _deliveries import envelope
from clickfunnels_orders import (
    Fulfillment,
    InvalidValueError,
    Invoice,
    Order,
    OrdersError,
    PayloadError,
    Replica,
    SignatureError,
    parse_webhook,
)
from clickfunnels_orders.events import domain_events, new_events
from clickfunnels_orders.store import SQLiteStore
from clickfunnels_orders.webhooks import sign_webhook, verify_signature
from test_reliability_fuzz import HOSTILE

SECRET = "test-endpoint-secret"  # noqa: S105  because it signs nothing real
BODY = b'{"event_id": "e1"}'
HEADERS = sign_webhook(BODY, secret=SECRET, at=T0)


def bad(value: object) -> Any:
    """Return ``value`` untyped: the calls below pass wrong types on purpose."""
    return value


def verify(**changes: Any) -> object:
    """Verify the signed delivery with one argument changed."""
    kwargs: dict[str, Any] = {"secret": SECRET, "now": T0, "headers": HEADERS}
    body = changes.pop("body", BODY)
    kwargs.update(changes)
    return verify_signature(body, **kwargs)


def sign(**changes: Any) -> object:
    """Sign the delivery with one argument changed."""
    kwargs: dict[str, Any] = {"secret": SECRET, "at": T0}
    body = changes.pop("body", BODY)
    kwargs.update(changes)
    return sign_webhook(body, **kwargs)


#: (case, call, the field the message starts with, or None for a SignatureError).
CASES: list[tuple[str, Callable[[], object], str | None]] = [
    ("no secret", lambda: verify(secret=None), None),
    ("an empty secret", lambda: verify(secret=""), None),
    ("an empty bytes secret", lambda: verify(secret=b""), None),
    ("an int secret (bytes(5) would be five zero bytes)", lambda: verify(secret=5), None),
    ("a secret that is not UTF-8", lambda: verify(secret="\ud800"), None),  # noqa: S106
    ("no body", lambda: verify(body=None), "body"),
    ("an int body", lambda: verify(body=5), "body"),
    ("a body that is not UTF-8", lambda: verify(body="\ud800"), "body"),
    ("a tolerance in seconds", lambda: verify(tolerance=600), "tolerance"),
    ("no tolerance", lambda: verify(tolerance=None), "tolerance"),
    ("a negative tolerance", lambda: verify(tolerance=dt.timedelta(seconds=-1)), "tolerance"),
    ("headers as a list", lambda: verify(headers=[("a", "b")]), "headers"),
    ("headers as a str", lambda: verify(headers="abc"), "headers"),
    ("headers keyed by ints", lambda: verify(headers={1: 2}), None),
    ("a timestamp of 5,000 digits", lambda: verify(signature="ab", timestamp=10**5000), None),
    ("a timestamp that is a float", lambda: verify(signature="ab", timestamp=1.5), None),
    ("signing no body", lambda: sign_webhook(bad(None), secret=SECRET, at=T0), "body"),
    ("signing with no secret", lambda: sign(secret=None), None),
    ("signing with an empty secret", lambda: sign(secret=""), None),
    ("signing at a naive moment", lambda: sign(at=dt.datetime(2025, 1, 1)), "at"),  # noqa: DTZ001
    ("applying a dict", lambda: Replica().apply(bad({})), "event"),
    ("applying None", lambda: Replica().apply(bad(None)), "event"),
    ("applying a list of dicts", lambda: Replica().apply_all(bad([{}])), "events[0]"),
    ("applying no list", lambda: Replica().apply_all(bad(None)), "events"),
    ("seen ids of None", lambda: Replica(seen_event_ids=bad(None)), "seen_event_ids"),
    ("seen ids as a str", lambda: Replica(seen_event_ids=bad("abc")), "seen_event_ids"),
    ("an unhashable seen id", lambda: Replica(seen_event_ids=bad([[1]])), "seen_event_ids[0]"),
    ("a bool seen id", lambda: Replica(seen_event_ids=bad([True])), "seen_event_ids[0]"),
    ("getting an unhashable id", lambda: Replica().get(Order, bad([])), "entity_id"),
    ("asking of an unhashable event id", lambda: Replica().has_seen(bad([])), "event_id"),
    ("events of a dict", lambda: domain_events(bad({})), "entity"),
    ("events of None", lambda: domain_events(bad(None)), "entity"),
    ("events with an order of 5", lambda: domain_events(invoice(), order=bad(5)), "order"),
    ("new events of a dict", lambda: new_events(None, bad({})), "entity"),
    (
        "line item ids of 5",
        lambda: Invoice.for_order(order(), id=1, line_item_ids=bad(5)),
        "line_item_ids",
    ),
    (
        "unhashable line item ids",
        lambda: Invoice.for_order(order(), id=1, line_item_ids=bad([[1]])),
        "line_item_ids[0]",
    ),
]


@pytest.mark.parametrize(("case", "call", "field"), CASES, ids=[c[0] for c in CASES])
def test_a_wrong_argument_at_the_edge_is_refused_naming_it(
    case: str, call: Callable[[], object], field: str | None
) -> None:
    """The error is an OrdersError: a SignatureError, or one whose message names the field."""
    with pytest.raises(OrdersError) as caught:
        call()
    if field is None:
        assert isinstance(caught.value, SignatureError), repr(caught.value)
    else:
        assert str(caught.value).startswith(f"{field}:"), str(caught.value)


def test_a_missing_secret_never_verifies_a_signature_made_with_the_empty_key() -> None:
    """A delivery signed with the empty key is refused, however the empty secret is spelt."""
    forged = {
        "X-Webhook-ClickFunnels-Signature": "0" * 64,
        "X-Webhook-ClickFunnels-Timestamp": HEADERS["X-Webhook-ClickFunnels-Timestamp"],
    }
    for secret in ("", b"", bytearray(), memoryview(b"")):
        with pytest.raises(SignatureError, match="secret is missing"):
            verify_signature(BODY, secret=bad(secret), now=T0, headers=forged)


def _called(call: Callable[[], object]) -> None:
    """Run ``call``; fail on any exception but an OrdersError."""
    try:
        call()
    except OrdersError:
        pass
    except Exception as error:  # noqa: BLE001  because any other exception is the failure
        pytest.fail(f"raised {type(error).__name__}: {error}")


SIGNING_ARGUMENTS = ["body", "secret", "now", "headers", "signature", "timestamp", "tolerance"]


@pytest.mark.parametrize("argument", SIGNING_ARGUMENTS)
@given(hostile=HOSTILE)
def test_verify_signature_lets_only_its_own_errors_escape(argument: str, hostile: object) -> None:
    """Any value of any argument of verify_signature verifies or raises an OrdersError."""
    _called(lambda: verify(**{argument: hostile}))


@pytest.mark.parametrize("argument", ["body", "secret", "at"])
@given(hostile=HOSTILE)
def test_sign_webhook_lets_only_its_own_errors_escape(argument: str, hostile: object) -> None:
    """Any value of any argument of sign_webhook signs or raises an OrdersError."""
    _called(lambda: sign(**{argument: hostile}))


@given(hostile=HOSTILE, method=st.sampled_from(["apply", "apply_all", "has_seen", "get", "prune"]))
def test_a_replica_refuses_a_stranger_and_changes_nothing(hostile: object, method: str) -> None:
    """Each Replica method answers or refuses a hostile argument; the replica is unchanged."""
    replica = Replica([invoice(I.PAID)], seen_event_ids=["e0"])
    calls: dict[str, Callable[[], object]] = {
        "apply": lambda: replica.apply(bad(hostile)),
        "apply_all": lambda: replica.apply_all(bad(hostile)),
        "has_seen": lambda: replica.has_seen(bad(hostile)),
        "get": lambda: replica.get(Invoice, bad(hostile)),
        "prune": lambda: replica.prune(bad(hostile)),
    }
    _called(calls[method])
    assert replica.seen_event_ids == {"e0"}
    assert set(replica.invoices) == {10}


@given(hostile=HOSTILE, argument=st.sampled_from(["entities", "seen_event_ids", "dedupe_window"]))
def test_a_replica_is_built_or_refused_with_an_orders_error(hostile: object, argument: str) -> None:
    """Replica() with any hostile argument is built or refused with an OrdersError."""
    _called(lambda: Replica(**{argument: bad(hostile)}))


@given(hostile=HOSTILE, which=st.sampled_from(["entity", "order", "before"]))
def test_domain_events_let_only_their_own_errors_escape(hostile: object, which: str) -> None:
    """domain_events and new_events answer or refuse a hostile argument with an OrdersError."""
    paid = invoice(I.PAID, total="20.00", lines=[invoice_line(quantity=2)])
    if which == "entity":
        _called(lambda: domain_events(hostile))  # type: ignore[arg-type]
    elif which == "order":
        _called(lambda: domain_events(paid, order=hostile))  # type: ignore[arg-type]
    else:
        _called(lambda: new_events(hostile, paid))  # type: ignore[arg-type]


JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
#: A valid invoice envelope, the base the fuzz below mutates.
BASE = envelope("e1", invoice(I.PAID, total="20.00", lines=[invoice_line(quantity=2)]), T0)


def _mutated(base: dict[str, Any], key: str, value: object) -> dict[str, Any]:
    """``base`` with ``key`` set to ``value`` (or, for a key it lacks, added)."""
    return {**base, key: value}


@given(body=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_parse_webhook_on_any_bytes_parses_or_refuses(body: bytes) -> None:
    """parse_webhook on arbitrary bytes returns an event or raises an OrdersError."""
    _called(lambda: parse_webhook(body))


@given(
    key=st.sampled_from([*BASE, *BASE["data"], "page", "uuid"]),
    value=HOSTILE | JSON,
    inside=st.booleans(),
)
def test_parse_webhook_on_a_mutated_mapping_parses_or_refuses(
    key: str, value: object, inside: bool
) -> None:
    """An envelope with one field (or one of its data's fields) replaced parses or refuses."""
    if inside:
        mapping = _mutated(BASE, "data", _mutated(BASE["data"], key, value))
    else:
        mapping = _mutated(BASE, key, value)
    _called(lambda: parse_webhook(mapping))


@given(
    cls=st.sampled_from([Order, Invoice, Fulfillment]),
    payload=st.dictionaries(st.sampled_from([*BASE["data"], "id"]), HOSTILE | JSON, max_size=6),
)
def test_from_api_on_a_fuzzed_dict_reads_or_refuses(
    cls: type[Any], payload: dict[str, Any]
) -> None:
    """Entity.from_api on a dict of hostile fields returns an entity or raises an OrdersError."""
    _called(lambda: cls.from_api(payload))


@given(hostile=HOSTILE, argument=st.sampled_from(["event", "received_at"]))
def test_a_store_refuses_a_stranger_and_stores_nothing(hostile: object, argument: str) -> None:
    """SQLiteStore.apply with a hostile argument applies or refuses with an OrdersError."""
    event = parse_webhook(BASE)
    kwargs: dict[str, Any] = {"event": event, "received_at": T0, argument: hostile}
    with contextlib.closing(SQLiteStore(":memory:")) as store:
        try:
            store.apply(kwargs["event"], received_at=kwargs["received_at"])
        except InvalidValueError:
            assert not store.has_seen("e1")
        except OrdersError:
            pass
        except Exception as error:  # noqa: BLE001  because any other exception is the failure
            pytest.fail(f"apply({argument}=...) raised {type(error).__name__}: {error}")


WIDE = 10**5000  # past the interpreter's 4,300-digit limit for int -> str


@pytest.mark.parametrize("key", ["event_type", "event_id", "subject_type", "subject_id"])
def test_an_envelope_field_holding_a_huge_int_is_refused_with_a_payload_error(key: str) -> None:
    """A 5,000-digit int in an envelope field is refused by name, its message still built."""
    with pytest.raises(PayloadError) as caught:
        parse_webhook(_mutated(BASE, key, WIDE))
    assert "digits" in str(caught.value) or "int" in str(caught.value)


@pytest.mark.parametrize("wide", [WIDE, 2**63, -(2**63)], ids=["huge", "2**63", "-2**63"])
def test_an_entity_id_wider_than_64_bits_is_refused_by_name(wide: int) -> None:
    """An id the API and the store could not hold is refused where the entity is built."""
    with pytest.raises(InvalidValueError, match=r"id: .*64 bits"):
        invoice(I.PAID, invoice_id=wide)
