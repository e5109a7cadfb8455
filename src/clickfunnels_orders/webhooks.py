"""ClickFunnels webhooks: envelopes, event types and signatures.

:func:`parse_webhook` reads a delivery in any of the three envelope shapes ClickFunnels
uses (DOMAIN.md, "Webhooks"):

(a) ``event_id, event_type, subject_id, subject_type, created_at, data, page_id, funnel_id``;
(b) the same with ``page`` / ``funnel`` objects, ``api_version`` and ``workspace_id``;
(c) the stored event resource: ``id, uuid, event_type_id, subject_id, subject_type, data,
    api_version, created_at, page, funnel``.

The event id is ``event_id``, else ``uuid``, else (a stored event whose ``uuid`` is
null) ``id``; the event type is ``event_type``, else
``event_type_id``. The ``data`` of an ``Order``, ``Orders::Invoice`` or ``Fulfillment``
subject is read into the entity; any other subject's ``data`` is kept as it came. Unknown
event types are accepted: the set is open, and new types are data, not errors.

:func:`verify_signature` checks the ``X-Webhook-ClickFunnels-Signature`` header: the hex
HMAC-SHA256, with the endpoint's secret, of ``"{timestamp}.{raw body}"``, where the
timestamp (unix seconds) is the ``X-Webhook-ClickFunnels-Timestamp`` header. The clock is
an argument, as everywhere in this library. :func:`sign_webhook` produces those headers,
for test doubles of ClickFunnels.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs

from clickfunnels_orders._values import MAX_INT, to_moment
from clickfunnels_orders.entities import Fulfillment, Invoice, Order, Restock, Transaction
from clickfunnels_orders.errors import (
    InvalidTypeError,
    InvalidValueError,
    PayloadError,
    SignatureError,
    shown,
)
from clickfunnels_orders.payloads import (
    dump_moment,
    fulfillment_from_api,
    invoice_from_api,
    order_from_api,
    parse_moment,
    restock_from_api,
    transaction_from_api,
)
from clickfunnels_orders.payloads._derived import last_change
from clickfunnels_orders.webhook_types import WebhookEventType

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "SUBJECTS",
    "SUBJECT_OF",
    "SUBJECT_TYPES",
    "TIMESTAMP_HEADER",
    "Subject",
    "WebhookEvent",
    "WebhookEventType",
    "parse_webhook",
    "sign_webhook",
    "verify_signature",
]

#: The header holding the hex HMAC-SHA256 signature.
SIGNATURE_HEADER: Final = "X-Webhook-ClickFunnels-Signature"
#: The header holding the signing moment, in unix seconds.
TIMESTAMP_HEADER: Final = "X-Webhook-ClickFunnels-Timestamp"
#: How far the signing moment may be from ``now`` (either way) for a delivery to verify.
DEFAULT_TOLERANCE: Final = dt.timedelta(seconds=600)


@attrs.frozen
class Subject:
    """A subject type whose ``data`` is read into an entity: the one table of them.

    Attributes:
        name: the envelope's ``subject_type`` (``Orders::Invoice``).
        entity: the entity class its data is read into.
        read: the payload reader, ``read(data, path="data")``.
        created: the webhook type of the subject's creation.
        updated: the webhook type of a change no machine event names.
    """

    name: str
    entity: type[Order | Invoice | Fulfillment | Transaction | Restock]
    read: Callable[..., Order | Invoice | Fulfillment | Transaction | Restock] = attrs.field(
        repr=False
    )
    created: WebhookEventType
    updated: WebhookEventType


_types = WebhookEventType
#: Every subject type the library reads into an entity; the other tables derive from it.
SUBJECTS: Final = (
    Subject("Order", Order, order_from_api, _types.ORDER_CREATED, _types.ORDER_UPDATED),
    Subject(
        "Orders::Invoice", Invoice, invoice_from_api, _types.INVOICE_CREATED, _types.INVOICE_UPDATED
    ),
    Subject(
        "Fulfillment",
        Fulfillment,
        fulfillment_from_api,
        _types.FULFILLMENT_CREATED,
        _types.FULFILLMENT_UPDATED,
    ),
    Subject(
        "Orders::Transaction",
        Transaction,
        transaction_from_api,
        _types.TRANSACTION_CREATED,
        _types.TRANSACTION_UPDATED,
    ),
    Subject(
        "Orders::Invoices::Restock",
        Restock,
        restock_from_api,
        _types.RESTOCK_CREATED,
        _types.RESTOCK_UPDATED,
    ),
)
#: The subject types whose ``data`` is read into an entity, and the entity classes.
SUBJECT_TYPES: Final[Mapping[str, type[Order | Invoice | Fulfillment | Transaction | Restock]]] = (
    MappingProxyType({subject.name: subject.entity for subject in SUBJECTS})
)
#: Each entity class's subject.
SUBJECT_OF: Final[Mapping[type, Subject]] = MappingProxyType(
    {subject.entity: subject for subject in SUBJECTS}
)
_BY_NAME: Final = {subject.name: subject for subject in SUBJECTS}


@attrs.frozen
class WebhookEvent:
    """One webhook delivery, read from its envelope.

    Attributes:
        event_id: ``event_id``, else ``uuid``, else ``id`` (a stored event whose ``uuid``
            is null): the key to de-duplicate deliveries on.
        event_type: ``event_type``, else ``event_type_id`` (``orders/invoice.paid``); any
            string, known or not (compare with :class:`WebhookEventType` members freely).
        subject_type: ``Order``, ``Orders::Invoice``, ``Fulfillment``, ``Contact``, ...
            (``None`` when the envelope has none).
        subject_id: the subject's id (``None`` when the envelope has none).
        created_at: when ClickFunnels created the event (``None`` when absent).
        data: an :class:`Order`, :class:`Invoice`, :class:`Fulfillment`,
            :class:`Transaction` or :class:`Restock` for those subject types; for any
            other subject, the ``data`` object as it came.
        updated_at: the ``updated_at`` of ``data``, when it has a readable one: the
            version of the subject the event carries.
        envelope: the whole envelope as it came (decoded), for anything else it holds.
    """

    event_id: str | int
    event_type: str
    subject_type: str | None
    subject_id: Hashable | None
    created_at: dt.datetime | None
    # Raw data may be unhashable; the event's hash rests on its other fields.
    data: Order | Invoice | Fulfillment | Transaction | Restock | Any = attrs.field(hash=False)
    updated_at: dt.datetime | None = None
    envelope: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def is_known_type(self) -> bool:
        """Whether the event type is one this library names in :class:`WebhookEventType`."""
        return self.event_type in _KNOWN_TYPES

    @property
    def entity(self) -> Order | Invoice | Fulfillment | Transaction | Restock | None:
        """The order, invoice, fulfillment, transaction or restock the event carries, or None."""
        data = self.data
        if isinstance(data, Order | Invoice | Fulfillment | Transaction | Restock):
            return data
        return None

    @property
    def as_of(self) -> dt.datetime | None:
        """The moment the carried version stands for: ``updated_at``, else ``created_at``."""
        return self.updated_at if self.updated_at is not None else self.created_at


_KNOWN_TYPES: Final = frozenset(member.value for member in WebhookEventType)


# -- parsing ------------------------------------------------------------------------------


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


#: The one decoder of bodies (json.loads with options would build one per call).
#: parse_float=Decimal: a JSON number is read exactly, never through a float.
_DECODER: Final = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)


def _decode(body: bytes | bytearray | memoryview | str) -> object:
    if not isinstance(body, str | bytes | bytearray | memoryview):
        raise PayloadError(
            "", f"got {type(body).__name__}, expected bytes, str or a mapping", value=body
        )
    if not isinstance(body, str):
        try:
            body = (body if type(body) is bytes else bytes(body)).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError("", f"the body is not UTF-8 ({exc.reason})") from None
    try:
        return _DECODER.decode(body)
    except RecursionError:
        raise PayloadError("", "the body is nested too deeply") from None
    except ValueError as exc:
        raise PayloadError("", f"the body is not JSON ({exc})") from None


def _first(envelope: Mapping[str, Any], *keys: str) -> tuple[str, Any]:
    """Return the first of ``keys`` with a non-null value (or the first key and None)."""
    for key in keys:
        value = envelope.get(key)
        if value is not None:
            return key, value
    return keys[0], None


def _text(envelope: Mapping[str, Any], *keys: str) -> str:
    key, value = _first(envelope, *keys)
    if not isinstance(value, str) or not value:
        wanted = " or ".join(keys)
        found = "missing" if value is None else f"got {shown(value)} ({type(value).__name__})"
        raise PayloadError(key, f"{found}, expected a non-empty string in {wanted}", value=value)
    return value


def _event_id(envelope: Mapping[str, Any]) -> str | int:
    # A stored event (shape (c)) whose uuid is null is known by its own id.
    key, value = _first(envelope, "event_id", "uuid", "id")
    if (
        isinstance(value, bool)
        or not isinstance(value, str | int)
        or value == ""
        or (isinstance(value, int) and not -MAX_INT <= value <= MAX_INT)
    ):
        # An event id is kept and compared by stores, whose integers have 64 bits.
        found = "missing" if value is None else f"got {shown(value)} ({type(value).__name__})"
        raise PayloadError(
            key, f"{found}, expected an event id in event_id, uuid or id", value=value
        )
    return value


def _optional_text(envelope: Mapping[str, Any], key: str) -> str | None:
    value = envelope.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadError(key, f"got {shown(value)}, expected a string or null", value=value)
    return value


def _subject_id(envelope: Mapping[str, Any]) -> Hashable | None:
    value = envelope.get("subject_id")
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, int | str)
        or (isinstance(value, int) and not -MAX_INT <= value <= MAX_INT)
    ):
        expected = "expected an id (an int of 64 bits)"
        raise PayloadError("subject_id", f"got {shown(value)}, {expected}", value=value)
    return value


def _moment(envelope: Mapping[str, Any], key: str) -> dt.datetime | None:
    value = envelope.get(key)
    if value is None:
        return None
    try:
        return parse_moment(value)
    except ValueError as exc:
        raise PayloadError(key, str(exc), value=value) from None


def updated_at_of(data: object) -> dt.datetime | None:
    """The ``updated_at`` of ``data`` if it has a readable one (the model does not need it).

    For an entity read from a payload, it is what ``to_api()`` writes: the moment of its
    last recorded change once it has one (in the API's milliseconds), else the payload's.
    """
    if isinstance(data, Order | Invoice | Fulfillment | Transaction | Restock):
        changed = last_change(data) if data.spelling is not None else None
        if changed is not None:
            return parse_moment(dump_moment(changed))
        data = data.extra
    if not isinstance(data, Mapping):
        return None
    value = data.get("updated_at")
    if value is None:
        return None
    try:
        return parse_moment(value)
    except ValueError:
        return None


def parse_webhook(body: bytes | bytearray | memoryview | str | Mapping[str, Any]) -> WebhookEvent:
    """Read a webhook delivery, in any of the three envelope shapes.

    Args:
        body: the raw request body (``bytes`` or ``str``, decoded as JSON with exact
            decimals) or an already decoded mapping.

    Returns:
        The :class:`WebhookEvent`, with typed ``data`` for orders, invoices and
        fulfillments.

    Raises:
        PayloadError: for a body that is not a JSON object, an envelope without an event
            id or type, or ``data`` that does not read (its path starts with ``data``).
    """
    envelope = body if isinstance(body, Mapping) else _decode(body)
    if not isinstance(envelope, Mapping):
        raise PayloadError(
            "", f"got {type(envelope).__name__}, expected a JSON object (the envelope)"
        )
    event_id = _event_id(envelope)
    event_type = _text(envelope, "event_type", "event_type_id")
    subject_type = _optional_text(envelope, "subject_type")
    subject_id = _subject_id(envelope)
    created_at = _moment(envelope, "created_at")
    raw_data = envelope.get("data")
    subject = _BY_NAME.get(subject_type) if subject_type is not None else None
    # A typed subject's data is checked by its reader, which says where it is wrong.
    data: Any = raw_data if subject is None else subject.read(raw_data, path="data")
    return WebhookEvent(
        event_id=event_id,
        event_type=event_type,
        subject_type=subject_type,
        subject_id=subject_id,
        created_at=created_at,
        data=data,
        updated_at=updated_at_of(data),
        envelope=envelope,
    )


# -- signatures ---------------------------------------------------------------------------


def _bytes(value: object, field: str) -> bytes:
    """``value`` as bytes: a str is encoded as UTF-8; anything but text or bytes is refused."""
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValueError(field, value, "text encodable as UTF-8") from None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    raise InvalidTypeError(field, value, "bytes or str")


def _secret(secret: object) -> bytes:
    """The signing key; a missing one (``None``, empty) is refused: it would verify anything."""
    if secret is None or (isinstance(secret, str | bytes | bytearray | memoryview) and not secret):
        raise SignatureError("the signing secret is missing (None or empty)")
    if not isinstance(secret, str | bytes | bytearray | memoryview):
        raise SignatureError(
            f"the signing secret is a {type(secret).__name__}; pass bytes or a str"
        )
    try:
        return _bytes(secret, "secret")
    except InvalidValueError:
        raise SignatureError("the signing secret is not encodable as UTF-8") from None


def _signature(body: bytes, secret: bytes, timestamp: str) -> str:
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    if not isinstance(headers, Mapping):
        raise InvalidTypeError("headers", headers, "a mapping of header names to values")
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value
    return None


def _stamp(timestamp: object) -> str:
    """The timestamp as text; anything but text or an int of 64 bits is refused."""
    if isinstance(timestamp, int) and not isinstance(timestamp, bool):
        if timestamp.bit_length() > 64:
            raise SignatureError("the timestamp is out of range")
        return str(timestamp)
    if not isinstance(timestamp, str):
        raise SignatureError(
            f"the timestamp is a {type(timestamp).__name__}; pass the header's text (a str)"
        )
    return timestamp.strip()


def _check_tolerance(tolerance: object) -> None:
    if not isinstance(tolerance, dt.timedelta):
        raise InvalidTypeError("tolerance", tolerance, "a datetime.timedelta")
    if tolerance < dt.timedelta(0):
        raise InvalidValueError("tolerance", tolerance, "a non-negative datetime.timedelta")


def sign_webhook(
    body: bytes | bytearray | memoryview | str,
    *,
    secret: bytes | str,
    at: dt.datetime,
) -> dict[str, str]:
    """Return the signature headers ClickFunnels would send with ``body`` at ``at``.

    For test doubles of ClickFunnels; :func:`verify_signature` accepts what this returns.
    The secret is refused as :func:`verify_signature` refuses it (``SignatureError``).
    """
    moment = to_moment(at, "at")
    timestamp = str(int(moment.timestamp()))
    return {
        SIGNATURE_HEADER: _signature(_bytes(body, "body"), _secret(secret), timestamp),
        TIMESTAMP_HEADER: timestamp,
    }


def verify_signature(
    body: bytes | bytearray | memoryview | str,
    *,
    secret: bytes | str,
    now: dt.datetime,
    headers: Mapping[str, str] | None = None,
    signature: str | None = None,
    timestamp: str | int | None = None,
    tolerance: dt.timedelta = DEFAULT_TOLERANCE,
) -> Literal[True]:
    """Check that a delivery comes from ClickFunnels and is recent.

    Verify *before* parsing, on the raw body exactly as received.

    Args:
        body: the raw request body.
        secret: the endpoint's signing secret.
        now: the current moment (an aware ``datetime``); the library never reads a clock.
        headers: the request headers (looked up case-insensitively), or give
        signature: the ``X-Webhook-ClickFunnels-Signature`` value and
        timestamp: the ``X-Webhook-ClickFunnels-Timestamp`` value (unix seconds).
        tolerance: how far the timestamp may be from ``now``, either way (600 s).

    Returns:
        ``True``; every failure raises instead, so a forgotten check cannot pass silently.

    Raises:
        SignatureError: the secret is missing (``None`` or empty: it would verify a
            signature made with the empty key) or not bytes or text; the signature or
            timestamp is missing or malformed, the signature does not match (compared in
            constant time), or the timestamp is further than ``tolerance`` from ``now``.
        InvalidTypeError: ``body`` is not bytes or text, ``headers`` not a mapping, or
            ``tolerance`` not a ``timedelta`` (InvalidValueError: a negative one).
    """
    moment = to_moment(now, "now")
    _check_tolerance(tolerance)
    raw = _bytes(body, "body")
    key = _secret(secret)
    if headers is not None:
        signature = signature if signature is not None else _header(headers, SIGNATURE_HEADER)
        if timestamp is None:
            timestamp = _header(headers, TIMESTAMP_HEADER)
    if not signature:
        raise SignatureError(f"the {SIGNATURE_HEADER} header is missing")
    if not isinstance(signature, str):
        raise SignatureError(
            f"the signature is a {type(signature).__name__}; pass the header's text (a str)"
        )
    if timestamp is None or timestamp == "":
        raise SignatureError(f"the {TIMESTAMP_HEADER} header is missing")
    stamp = _stamp(timestamp)
    if not (stamp.isascii() and stamp.isdigit()):
        raise SignatureError(f"the timestamp {shown(stamp)} is not a unix time in seconds")
    expected = _signature(raw, key, stamp)
    given = signature.strip().lower().removeprefix("sha256=")
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8")):
        raise SignatureError("the signature does not match the body and timestamp")
    try:
        signed_at = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    except (OverflowError, ValueError, OSError):
        raise SignatureError(f"the timestamp {shown(stamp)} is out of range") from None
    drift = abs(moment - signed_at)
    if drift > tolerance:
        raise SignatureError(
            f"the timestamp is {int(drift.total_seconds())} s from now, "
            f"more than the {int(tolerance.total_seconds())} s tolerated"
        )
    return True
