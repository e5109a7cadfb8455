"""Reading exports: JSON arrays and JSON Lines, streamed, one record at a time.

An export holds invoices, fulfillments (and orders) as API objects, or webhook envelopes
carrying them, mixed in any order. Records are decoded one by one with exact decimals,
never the file as one document, so a file of a million line items is read in the memory
its entities take. Every record carries its 1-based position: the record number in an
array, the line number in JSON Lines.
"""

from __future__ import annotations

import codecs
import itertools
import json
from collections.abc import Callable, Hashable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Final

import attrs

from clickfunnels_orders.entities import Fulfillment, Invoice, Order, Restock, Transaction
from clickfunnels_orders.errors import PayloadError
from clickfunnels_orders.replica import ApplyResult, Replica
from clickfunnels_orders.webhooks import SUBJECT_OF, WebhookEvent, parse_webhook, updated_at_of

__all__ = [
    "SQLITE_MAGIC",
    "Book",
    "Problem",
    "Record",
    "is_store",
    "read_records",
    "to_event",
]

#: The first bytes of every SQLite database file.
SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_CHUNK: Final = 1 << 20
_WHITESPACE: Final = " \t\n\r"
#: More than the longest token a buffer's end can cut (``false``, a ``\\uXXXX`` escape).
_LONGEST_TOKEN: Final = 16


@attrs.frozen
class Problem:
    """A bad record: where it is and what is wrong with it.

    Attributes:
        position: the 1-based record number (array) or line number (JSON Lines); 0 for a
            problem of the file as a whole.
        path: the payload path of the offending field (``line_items[0].quantity``), or
            ``""`` for the record as a whole.
        message: what was found and what was expected.
    """

    position: int
    path: str
    message: str

    def describe(self, source: str) -> str:
        """Return the one-line report: ``SOURCE:POSITION: PATH: message``."""
        where = f"{source}:{self.position}" if self.position else source
        return f"{where}: {self.path or '(record)'}: {self.message}"


@attrs.frozen
class Record:
    """One decoded record of an export, with its 1-based position."""

    position: int
    value: Any


def is_store(path: Path) -> bool:
    """Return whether ``path`` is an SQLite database (a store) rather than an export."""
    with path.open("rb") as stream:
        return stream.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_float=Decimal)


def _chunks(stream: IO[bytes], advance: Callable[[int], None] | None) -> Iterator[str]:
    """Yield the text of ``stream`` in chunks, reporting the bytes read to ``advance``."""
    decode = codecs.getincrementaldecoder("utf-8-sig")(errors="replace").decode
    while chunk := stream.read(_CHUNK):
        if advance is not None:
            advance(len(chunk))
        text = decode(chunk)
        if text:
            yield text
    tail = decode(b"", final=True)
    if tail:
        yield tail


def read_records(
    stream: IO[bytes], *, advance: Callable[[int], None] | None = None
) -> Iterator[Record | Problem]:
    """Yield the records of an export (a JSON array or JSON Lines), or its problems.

    The format is told by the first character that is not blank: ``[`` opens an array,
    anything else is JSON Lines. A line of JSON Lines that does not decode is a problem,
    and the next line is read; an array that stops decoding ends the reading there.

    Args:
        stream: the export, opened in binary (UTF-8 text).
        advance: called with the number of bytes read each time more is read, for a
            progress bar.
    """
    chunks = _chunks(stream, advance)
    first = ""
    for chunk in chunks:
        first += chunk
        if first.strip(_WHITESPACE):
            break
    if first.lstrip(_WHITESPACE).startswith("["):
        yield from _array(first, chunks)
    else:
        yield from _lines(first, chunks)


def _lines(first: str, chunks: Iterator[str]) -> Iterator[Record | Problem]:
    decoder = _decoder()
    number = 0
    tail = first
    for chunk in itertools.chain(chunks, [None]):
        lines = (tail + (chunk or "")).split("\n")
        # The last piece may go on in the next chunk; at the end, it is the last line.
        tail = lines.pop() if chunk is not None else ""
        for line in lines:
            number += 1
            text = line.strip(_WHITESPACE)
            if not text:
                continue
            try:
                yield Record(number, decoder.decode(text))
            except json.JSONDecodeError as error:
                yield Problem(number, "", f"not JSON: {error.msg} (column {error.colno})")


def _array(first: str, chunks: Iterator[str]) -> Iterator[Record | Problem]:
    """Yield the items of a JSON array decoded one by one from a buffer refilled as needed."""
    return _ArrayReader(first, chunks).items()


class _ArrayReader:
    """A JSON array's items, decoded one at a time from a buffer of a chunk or two."""

    def __init__(self, first: str, chunks: Iterator[str]) -> None:
        self._decode = _decoder().raw_decode
        self._chunks = chunks
        self._buffer = first
        self._at = first.index("[") + 1
        self._ended = False

    def _refill(self) -> bool:
        """Read one more chunk, dropping what was consumed; return whether there was one."""
        chunk = next(self._chunks, None)
        if chunk is None:
            self._ended = True
            return False
        self._buffer = self._buffer[self._at :] + chunk
        self._at = 0
        return True

    def _next_character(self) -> str:
        """Move past blanks; return the next character (``""`` at the end)."""
        while True:
            buffer, at = self._buffer, self._at
            while at < len(buffer) and buffer[at] in _WHITESPACE:
                at += 1
            self._at = at
            if at < len(buffer):
                return buffer[at]
            if self._ended or not self._refill():
                return ""

    def _value(self) -> Any:
        """Decode the value at the cursor, reading on while the buffer cuts it short."""
        while True:
            try:
                value, end = self._decode(self._buffer, self._at)
            except json.JSONDecodeError as error:
                # Cut short by the buffer's end (a literal, an escape or a string left open),
                # not malformed: read on and try again.
                near_end = error.pos >= len(self._buffer) - _LONGEST_TOKEN
                truncated = near_end or error.msg.startswith("Unterminated")
                if truncated and self._refill():
                    continue
                raise
            # A number that ends the buffer may go on in the next chunk.
            if end < len(self._buffer) or self._ended or not self._refill():
                self._at = end
                return value

    def items(self) -> Iterator[Record | Problem]:
        number = 0
        unclosed = "the array is not closed: expected ']'"
        while True:
            character = self._next_character()
            if character == "]":
                self._at += 1
                if self._next_character():
                    yield Problem(number + 1, "", "unexpected text after the closing ']'")
                return
            if number and character:
                if character != ",":
                    yield Problem(number + 1, "", "expected ',' or ']' between records")
                    return
                self._at += 1
                character = self._next_character()
            if not character:
                yield Problem(number + 1, "", unclosed)
                return
            try:
                value = self._value()
            except json.JSONDecodeError as error:
                yield Problem(number + 1, "", f"not JSON: {error.msg}")
                return
            number += 1
            yield Record(number, value)


# -- records to events ---------------------------------------------------------------------

#: How an API object is recognised: by keys only that kind of object has, in this order.
#: A bare restock cannot be told from a fulfillment (the same keys): it is read as one,
#: and restocks come in as envelopes, whose subject type names them.
_KINDS: Final = (
    (("included_invoices_line_items",), Fulfillment),
    (("external_type",), Transaction),
    (("order_id", "line_items"), Invoice),
    (("service_status",), Order),
)


def _kind_of(value: Mapping[str, Any]) -> type[Order | Invoice | Fulfillment | Transaction] | None:
    for keys, cls in _KINDS:
        if all(key in value for key in keys):
            return cls
    return None


def to_event(record: Record) -> WebhookEvent | Problem:
    """Read one record into a webhook event, or say why it cannot be read.

    A webhook envelope (it has ``data`` and an ``event_type`` or ``event_type_id``) is
    read by :func:`~clickfunnels_orders.webhooks.parse_webhook`. An invoice, fulfillment
    or order object is read into its entity and wrapped in an event whose id is its
    position, so that the replica's rules decide between versions of one entity as they
    do for deliveries (the later ``updated_at`` wins).
    """
    value = record.value
    if not isinstance(value, Mapping):
        return Problem(record.position, "", f"got {type(value).__name__}, expected a JSON object")
    try:
        if "data" in value and ("event_type" in value or "event_type_id" in value):
            return parse_webhook(value)
        cls = _kind_of(value)
        if cls is None:
            return Problem(
                record.position,
                "",
                "expected an invoice, a fulfillment, an order or a transaction (API objects)"
                " or a webhook envelope; found none of their keys",
            )
        entity = cls.from_api(value)
    except PayloadError as error:
        return Problem(record.position, error.path, _message(error))
    subject = SUBJECT_OF[cls]
    return WebhookEvent(
        event_id=f"record {record.position}",
        event_type=subject.updated,
        subject_type=subject.name,
        subject_id=entity.id,
        created_at=None,
        data=entity,
        updated_at=updated_at_of(entity),
    )


def _message(error: PayloadError) -> str:
    """The error's message without the path it starts with (the report shows the path)."""
    text = str(error)
    prefix = f"{error.path}: "
    return text[len(prefix) :] if error.path and text.startswith(prefix) else text


class Book:
    """The invoices and fulfillments of an export, versions chosen by the replica's rules.

    Records are applied one at a time, as they are read; the book remembers where each
    kept version came from, so a refusal of the rollup can name its record.
    """

    def __init__(self) -> None:
        self._replica = Replica()
        self._positions: dict[tuple[str, Hashable], int] = {}

    def add(self, position: int, event: WebhookEvent) -> ApplyResult:
        """Apply the event read from the record at ``position``; return the replica's report."""
        result = self._replica.apply(event)
        if result.outcome == "applied" and result.subject is not None:
            self._positions[result.subject] = position
        return result

    def position_of(self, kind: str, entity_id: Hashable) -> int:
        """The position of the record whose version of the entity is kept (0 if none)."""
        return self._positions.get((kind, entity_id), 0)

    @property
    def invoices(self) -> list[Invoice]:
        """The invoices kept, in the order they were first read."""
        return list(self._replica.invoices.values())

    @property
    def fulfillments(self) -> list[Fulfillment]:
        """The fulfillments kept, in the order they were first read."""
        return list(self._replica.fulfillments.values())

    @property
    def restocks(self) -> list[Restock]:
        """The restocks kept (delivered in envelopes), in the order they were first read."""
        return list(self._replica.restocks.values())

    @property
    def orders(self) -> list[Order]:
        """The orders kept, in the order they were first read."""
        return list(self._replica.orders.values())

    @property
    def transactions(self) -> list[Transaction]:
        """The transactions kept, in the order they were first read."""
        return list(self._replica.transactions.values())
