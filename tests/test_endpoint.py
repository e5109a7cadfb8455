"""The webhook endpoint: each status of the contract, in a function and over a real socket."""

from __future__ import annotations

import datetime as dt
import email.parser
import http.client
import json
import socketserver
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from _deliveries import T0, body, envelope
from clickfunnels_orders import (
    ApplyOutcome,
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Replica,
    Restock,
    SignatureError,
    sign_webhook,
)
from clickfunnels_orders.endpoint import Delivery, handle_delivery, wsgi_app
from clickfunnels_orders.store import SQLiteStore

SECRET = "whsec_test"  # noqa: S105  because it is a test secret


def an_invoice(quantity: int = 1) -> Invoice:
    """Paid invoice 2 of order 1, one line item (id 20) to ship."""
    line = InvoiceLineItem(id=20, invoice_id=2, variant_id=7, quantity=quantity, amount=Decimal(5))
    return Invoice(
        id=2,
        order_id=1,
        status=InvoiceStatus.PAID,
        line_items=(line,),
        currency="USD",
        total_amount=Decimal(5),
    )


def shipping(fulfillment_id: int, quantity: int) -> Fulfillment:
    """A fulfillment of line item 20."""
    return Fulfillment(
        id=fulfillment_id, lines=(FulfillmentLine(invoice_line_item_id=20, quantity=quantity),)
    )


def signed(event_id: str, entity: Any, minutes: int = 1) -> tuple[bytes, dict[str, str]]:
    """A raw delivery of ``entity`` and the headers ClickFunnels signs it with."""
    raw = body(envelope(event_id, entity, T0 + dt.timedelta(minutes=minutes)))
    return raw, sign_webhook(raw, secret=SECRET, at=T0)


def deliver(store: Any, raw: bytes, headers: Any) -> Delivery:
    """Hand one request to the endpoint, at T0."""
    return handle_delivery(store, raw, headers, secret=SECRET, now=T0)


@pytest.fixture
def store() -> Iterator[SQLiteStore]:
    """A store in memory."""
    with SQLiteStore(":memory:") as opened:
        yield opened


def test_a_new_delivery_is_applied_and_answered_200(store: SQLiteStore) -> None:
    """200 with the store's report, and a JSON body saying the outcome."""
    answer = deliver(store, *signed("e1", an_invoice()))
    assert answer.status == 200
    assert answer.outcome is not None
    assert answer.outcome.outcome is ApplyOutcome.APPLIED
    assert json.loads(answer.body) == {"status": 200, "outcome": "applied", "reason": "new"}


def test_duplicates_stale_and_ignored_deliveries_are_answered_200(store: SQLiteStore) -> None:
    """Handled is handled: ClickFunnels must stop retrying these too."""
    deliver(store, *signed("e2", an_invoice(), minutes=5))
    again = deliver(store, *signed("e2", an_invoice(), minutes=5))
    older = deliver(store, *signed("e1", an_invoice(), minutes=1))
    raw = b'{"event_id": "c1", "event_type": "contact.identified", "data": {}}'
    contact = deliver(store, raw, sign_webhook(raw, secret=SECRET, at=T0))
    assert [a.status for a in (again, older, contact)] == [200, 200, 200]
    assert [a.outcome.outcome for a in (again, older, contact) if a.outcome] == [
        ApplyOutcome.DUPLICATE,
        ApplyOutcome.STALE,
        ApplyOutcome.IGNORED,
    ]


def test_a_missing_or_bad_signature_is_answered_401_and_not_applied(store: SQLiteStore) -> None:
    """Unsigned, forged and stale-signed deliveries never reach the store."""
    raw, headers = signed("e1", an_invoice())
    forged = raw.replace(b'"paid"', b'"refunded"')
    old = sign_webhook(raw, secret=SECRET, at=T0 - dt.timedelta(hours=1))
    answers = [deliver(store, raw, {}), deliver(store, forged, headers), deliver(store, raw, old)]
    assert [a.status for a in answers] == [401, 401, 401]
    assert all(a.outcome is None for a in answers)
    assert "does not match" in json.loads(answers[1].body)["error"]
    assert not store.has_seen("e1")


def test_a_body_that_is_not_a_webhook_is_answered_400(store: SQLiteStore) -> None:
    """A signed body that is not an envelope: 400, with the payload path."""
    raw = b'{"event_type": "orders/invoice.paid"}'
    answer = deliver(store, raw, sign_webhook(raw, secret=SECRET, at=T0))
    assert answer.status == 400
    assert "event_id" in json.loads(answer.body)["error"]


def test_a_delivery_the_store_refuses_is_answered_422(store: SQLiteStore) -> None:
    """Over-fulfillment: 422, nothing changed, and the event id is still free."""
    deliver(store, *signed("e1", an_invoice(quantity=1)))
    answer = deliver(store, *signed("e2", shipping(1, 2)))
    assert answer.status == 422
    assert answer.outcome is None
    assert "at most 1 more" in json.loads(answer.body)["error"]
    assert not store.has_seen("e2")


def test_a_restock_before_its_shipment_is_answered_422_and_its_retry_200(
    store: SQLiteStore,
) -> None:
    """Nothing shipped yet to release: 422 so ClickFunnels retries, 200 once it is shipped."""
    back = Restock(id=1, lines=(FulfillmentLine(invoice_line_item_id=20, quantity=1),))
    deliver(store, *signed("e1", an_invoice(quantity=1)))
    early = deliver(store, *signed("r1", back, minutes=3))
    assert early.status == 422
    assert "release" in json.loads(early.body)["error"]
    deliver(store, *signed("f1", shipping(1, 1), minutes=2))
    retried = deliver(store, *signed("r1", back, minutes=3))
    assert retried.status == 200
    assert store.fulfilled_quantity(20) == 0


def test_a_store_locked_past_its_busy_timeout_is_answered_503(tmp_path: Path) -> None:
    """Another writer holding the file: 503, so ClickFunnels retries later."""
    path = tmp_path / "orders.db"
    with SQLiteStore(path, busy_timeout=dt.timedelta(milliseconds=20)) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            answer = deliver(store, *signed("e1", an_invoice()))
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert answer.status == 503
        assert deliver(store, *signed("e1", an_invoice())).status == 200


class _Unreadable:
    """Headers that fail the test if anyone reads them."""

    def items(self) -> Iterable[tuple[str, str]]:
        raise AssertionError("headers were read")


@pytest.mark.parametrize("secret", ["", b""])
def test_an_empty_secret_is_refused_before_anything_is_read(secret: str | bytes) -> None:
    """SignatureError from handle_delivery when called, and from wsgi_app when built."""
    with pytest.raises(SignatureError, match="secret"):
        handle_delivery(Replica(), b"", _Unreadable(), secret=secret, now=T0)
    with pytest.raises(SignatureError, match="secret"):
        wsgi_app(Replica(), secret=secret)


def test_header_names_match_without_regard_to_case(store: SQLiteStore) -> None:
    """Lower-cased names (as ASGI frameworks give them) verify as well."""
    raw, headers = signed("e1", an_invoice())
    lowered = {name.lower(): value for name, value in headers.items()}
    assert deliver(store, raw, lowered).status == 200


def test_an_http_message_is_headers_enough(store: SQLiteStore) -> None:
    """http.server's HTTPMessage (an email Message) can be passed as it is."""
    raw, headers = signed("e1", an_invoice())
    text = "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
    message = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
    assert isinstance(message, http.client.HTTPMessage)
    assert deliver(store, raw, message).status == 200


def test_a_replica_can_stand_in_for_the_store() -> None:
    """The endpoint takes anything with the store's apply, such as the in-memory replica."""
    replica = Replica()
    assert deliver(replica, *signed("e1", an_invoice())).status == 200
    assert replica.get(Invoice, 2) is not None


# -- over a real socket -------------------------------------------------------------------


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, one thread per request, as a threaded deployment runs."""

    daemon_threads = True
    # Room for every connection a test opens at once (the default backlog is 5).
    request_queue_size = 64


class _QuietHandler(WSGIRequestHandler):
    """No request log on standard error."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  because the base class names it so
        """Say nothing."""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, SQLiteStore]]:
    """The WSGI app around a file store, served by wsgiref on 127.0.0.1 in a thread."""
    with SQLiteStore(tmp_path / "orders.db", busy_timeout=dt.timedelta(milliseconds=50)) as store:
        app = wsgi_app(store, secret=SECRET, clock=lambda: T0)
        server = make_server(
            "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/webhooks/clickfunnels", store
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def post(url: str, raw: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, Any]:
    """Send one request with urllib and return the status and decoded JSON answer."""
    request = urllib.request.Request(url, data=raw, headers=headers, method=method)  # noqa: S310  because the URL is the test server's
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  because ditto
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:  # an error response holds its connection until closed
            return error.code, json.loads(error.read())


def test_the_wsgi_app_answers_each_status_over_a_socket(
    served: tuple[str, SQLiteStore], tmp_path: Path
) -> None:
    """200, 200 again, 401, 400, 422 and 503 from a real server, hit with urllib."""
    url, store = served
    raw, headers = signed("e1", an_invoice())
    assert post(url, raw, headers) == (200, {"status": 200, "outcome": "applied", "reason": "new"})
    assert post(url, raw, headers)[1]["outcome"] == "duplicate"
    assert post(url, raw, {})[0] == 401
    junk = b"[1, 2, 3]"
    assert post(url, junk, sign_webhook(junk, secret=SECRET, at=T0))[0] == 400
    assert post(url, *signed("e2", shipping(1, 5)))[0] == 422
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert post(url, *signed("e3", shipping(1, 1)))[0] == 503
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert post(url, *signed("e3", shipping(1, 1)))[0] == 200
    assert store.fulfilled_quantity(20) == 1


def test_the_wsgi_app_takes_only_posts(served: tuple[str, SQLiteStore]) -> None:
    """A GET is answered 405 with Allow: POST."""
    url, _store = served
    request = urllib.request.Request(url, method="GET")  # noqa: S310  because the URL is the test server's
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310  because ditto
    with refused.value:  # an error response holds its connection until closed
        assert refused.value.code == 405
    assert refused.value.headers["Allow"] == "POST"


def test_concurrent_deliveries_over_a_socket_are_all_applied(
    served: tuple[str, SQLiteStore],
) -> None:
    """Twenty deliveries at once, on the server's threads, sharing one store: all applied."""
    url, store = served
    line = an_invoice(quantity=20)
    deliveries = [signed("invoice", line), *(signed(f"f{n}", shipping(n, 1)) for n in range(20))]
    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda d=d: answers.append(post(url, *d)[0])) for d in deliveries
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 21
    assert store.fulfilled_quantity(20) == 20
