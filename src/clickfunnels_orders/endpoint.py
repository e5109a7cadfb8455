"""The webhook endpoint: verify, parse, apply, answer, and nothing else in the request.

:func:`handle_delivery` turns one HTTP request into a :class:`Delivery` (status, body,
and the store's report); :func:`wsgi_app` serves it to any WSGI server. What each status
tells ClickFunnels:

==== ====================================================================================
200  applied, duplicate, stale or ignored: handled; do not send it again
400  the body is not a webhook (``PayloadError``): sending it again will not help
401  the signature is missing, wrong or too old (``SignatureError``)
422  the store refused the delivery (an ``OrdersError`` such as over-fulfillment):
     nothing was changed and the event id is not used up
503  the store stayed locked past its busy timeout: nothing changed; send it again
==== ====================================================================================

The endpoint sits at the edge: it reads the clock (``wsgi_app`` only, and only through
its ``clock`` argument), the request and the store; the core it calls does none of that.
"""

from __future__ import annotations

import datetime as dt
import http
from collections.abc import Callable, Iterable
from typing import Any, Final, Protocol

import attrs

from clickfunnels_orders.errors import OrdersError, PayloadError, SignatureError
from clickfunnels_orders.replica import ApplyResult
from clickfunnels_orders.store import StoreBusyError
from clickfunnels_orders.store._codec import dump_json
from clickfunnels_orders.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookEvent,
    parse_webhook,
    verify_signature,
)

__all__ = ["MAX_BODY", "Delivery", "DeliveryStore", "Headers", "handle_delivery", "wsgi_app"]

#: The largest request body :func:`wsgi_app` reads (ClickFunnels' are a few kilobytes).
MAX_BODY: Final = 1024 * 1024


class Headers(Protocol):
    """Request headers: anything with ``items()`` giving ``(name, value)`` pairs.

    A ``dict``, ``http.server``'s ``HTTPMessage``, Werkzeug's (Flask's) and Starlette's
    ``Headers`` all qualify. Names are matched without regard to case.
    """

    def items(self) -> Iterable[tuple[str, Any]]:
        """Return the ``(name, value)`` pairs."""
        ...


class DeliveryStore(Protocol):
    """Where deliveries are applied: an ``SQLiteStore``, or a ``Replica`` (for tests)."""

    def apply(self, event: WebhookEvent, *, received_at: dt.datetime) -> ApplyResult:
        """Apply one event and report on it."""
        ...


@attrs.frozen
class Delivery:
    """The answer to one webhook request.

    Attributes:
        status: the HTTP status (200, 400, 401, 422 or 503).
        body: a small JSON body saying what happened (``outcome`` and ``reason``, or
            ``error``).
        outcome: the store's report, when the delivery reached the store and it answered.
    """

    status: int
    body: bytes
    outcome: ApplyResult | None = None


def _answer(status: http.HTTPStatus, report: ApplyResult | None = None, **fields: str) -> Delivery:
    text = dump_json({"status": status.value, **fields}).encode() + b"\n"
    return Delivery(status.value, text, report)


def _check_secret(secret: object) -> bytes | str:
    if not isinstance(secret, bytes | str) or not secret:
        raise SignatureError(
            "no endpoint secret is configured; pass the signing secret ClickFunnels shows "
            "for this webhook endpoint (a non-empty str or bytes)"
        )
    return secret


def _signature_headers(headers: Headers) -> tuple[str | None, str | None]:
    signature = timestamp = None
    wanted_signature, wanted_timestamp = SIGNATURE_HEADER.lower(), TIMESTAMP_HEADER.lower()
    for name, value in headers.items():
        lowered = str(name).lower().replace("_", "-")
        if lowered == wanted_signature:
            signature = str(value)
        elif lowered == wanted_timestamp:
            timestamp = str(value)
    return signature, timestamp


def handle_delivery(
    store: DeliveryStore,
    body: bytes,
    headers: Headers,
    *,
    secret: bytes | str,
    now: dt.datetime,
) -> Delivery:
    """Handle one webhook request: verify its signature, parse it, apply it, answer.

    Args:
        store: where to apply it.
        body: the raw request body, exactly as received.
        headers: the request headers (any mapping, or an object with ``items()``).
        secret: the endpoint's signing secret.
        now: the current moment: checked against the signature's timestamp, and the
            delivery's ``received_at``.

    Returns:
        The :class:`Delivery`: 200 once handled, 401, 400, 422 or 503 otherwise (see the
        module's table).

    Raises:
        SignatureError: ``secret`` is empty or missing (checked before anything is read).
    """
    key = _check_secret(secret)
    signature, timestamp = _signature_headers(headers)
    try:
        verify_signature(body, secret=key, now=now, signature=signature, timestamp=timestamp)
    except SignatureError as error:
        return _answer(http.HTTPStatus.UNAUTHORIZED, error=error.reason)
    try:
        event = parse_webhook(body)
    except PayloadError as error:
        return _answer(http.HTTPStatus.BAD_REQUEST, error=str(error))
    try:
        result = store.apply(event, received_at=now)
    except StoreBusyError as error:
        return _answer(http.HTTPStatus.SERVICE_UNAVAILABLE, error=str(error))
    except OrdersError as error:
        return _answer(http.HTTPStatus.UNPROCESSABLE_ENTITY, error=str(error))
    return _answer(http.HTTPStatus.OK, result, outcome=result.outcome, reason=result.reason)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _environ_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request headers of a WSGI environ (``HTTP_X_NAME`` becomes ``x-name``)."""
    return {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(
    store: DeliveryStore,
    *,
    secret: bytes | str,
    clock: Callable[[], dt.datetime] = _utc_now,
    max_body: int = MAX_BODY,
) -> WSGIApp:
    """Return a WSGI application that handles a webhook POSTed to any path.

    Args:
        store: where to apply deliveries (shared by the server's threads).
        secret: the endpoint's signing secret.
        clock: what gives ``now`` for each request (the UTC clock; pass a fixed one in
            tests).
        max_body: the largest body read; a larger one is answered 413 unread.

    Raises:
        SignatureError: ``secret`` is empty or missing, so a misconfigured server fails
            at start-up rather than refusing every delivery.
    """
    key = _check_secret(secret)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") != "POST":
            answer = _answer(http.HTTPStatus.METHOD_NOT_ALLOWED, error="POST a webhook here")
            extra = [("Allow", "POST")]
        else:
            extra = []
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0:
                answer = _answer(http.HTTPStatus.BAD_REQUEST, error="bad Content-Length")
            elif length > max_body:
                answer = _answer(http.HTTPStatus.REQUEST_ENTITY_TOO_LARGE, error="body too large")
            else:
                body = environ["wsgi.input"].read(length) if length else b""
                answer = handle_delivery(
                    store, body, _environ_headers(environ), secret=key, now=clock()
                )
        status = http.HTTPStatus(answer.status)
        start_response(
            f"{status.value} {status.phrase}",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(answer.body))),
                *extra,
            ],
        )
        return [answer.body]

    return app
