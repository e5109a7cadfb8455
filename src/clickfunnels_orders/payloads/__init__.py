"""The ClickFunnels API's JSON objects, read into entities and written back without loss.

This package sits at the edge: it imports the core, never the other way round. The entity
methods ``Order.from_api``, ``Invoice.from_api``, ``Fulfillment.from_api``, ``to_api()``
and ``Fulfillment.to_create_request()`` reach it through the one seam the core declares
(:mod:`clickfunnels_orders.entities._codec`): importing this package installs its codec.

How it works:

- Each API object has one reader (:mod:`._read`) that names the keys the model reads
  and reads them in one pass (:mod:`._reading`), each by the library's one rule for its
  value (:mod:`._values`); every problem is found, and reported as a
  :class:`~clickfunnels_orders.errors.PayloadError` with its path
  (``line_items[0].quantity``). The values become the entity's fields (the field mapping
  of API.md section 6); the entity validates them itself, and its complaints are mapped
  back to payload paths.
- Everything the model does not read is copied once, checked and frozen, into the
  entity's ``extra`` (an :class:`ApiExtra`). How the payload spelled what the model read
  is the entity's ``spelling`` (a :class:`Spelling`, an attrs field of its own, never
  compared): the key order, the values spelled otherwise than canonically, what the
  derived keys followed from.
- Each object has one writer (:mod:`._write`) that gives the model's keys in the API's
  canonical forms (decimal strings, ``2025-04-21T14:47:47.000Z`` timestamps), merged with
  ``extra`` in the payload's order and spelling. The one normalisation is the entity's
  own ``currency``, upper-cased. After an event or ``rollup.apply``, the keys the API
  derives from what changed are rewritten (:mod:`._derived`).

Money never passes through binary floating point on the way in: strings and ints are read
exactly, and :func:`~clickfunnels_orders.webhooks.parse_webhook` decodes JSON numbers
with ``parse_float=Decimal``. A ``float`` already inside a decoded mapping (from a plain
``json.loads``) is read from its ``repr``, the shortest decimal that round-trips to it,
which is the JSON literal as written for any amount of up to 15 significant digits; it is
never used in arithmetic. Written back unchanged, it comes back as that same float.
A ``Decimal`` in a carried field is carried as a :class:`JsonNumber` (a ``float`` that
keeps, and equals, the exact ``Decimal``), so ``to_api()`` is always JSON-ready.

Create-fulfillment request bodies (:mod:`.requests`) are read by a ``cattrs`` converter
(:mod:`._converter`), which reports every wrong key of a request with its path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

from clickfunnels_orders._json import MAX_JSON_DEPTH, JsonNumber
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders.entities import Fulfillment, Invoice, Order, Restock, Transaction
from clickfunnels_orders.entities._codec import install
from clickfunnels_orders.errors import InvalidTypeError
from clickfunnels_orders.payloads._read import (
    fulfillment_from_api,
    invoice_from_api,
    order_from_api,
    restock_from_api,
    transaction_from_api,
)
from clickfunnels_orders.payloads._reading import ApiExtra
from clickfunnels_orders.payloads._values import dump_moment, parse_moment
from clickfunnels_orders.payloads._write import (
    entity_to_api,
    fulfillment_to_api,
    invoice_to_api,
    order_to_api,
    restock_to_api,
    transaction_to_api,
)
from clickfunnels_orders.payloads.requests import (
    CREATE_FULFILLMENT_OPTIONS,
    fulfillment_create_request,
    fulfillment_from_create_request,
    fulfillment_to_create_request,
)

__all__ = [
    "CREATE_FULFILLMENT_OPTIONS",
    "MAX_JSON_DEPTH",
    "ApiExtra",
    "JsonNumber",
    "Spelling",
    "dump_moment",
    "fulfillment_create_request",
    "fulfillment_from_api",
    "fulfillment_from_create_request",
    "fulfillment_to_api",
    "fulfillment_to_create_request",
    "invoice_from_api",
    "invoice_to_api",
    "order_from_api",
    "order_to_api",
    "parse_moment",
    "restock_from_api",
    "restock_to_api",
    "transaction_from_api",
    "transaction_to_api",
]

T = TypeVar("T")

_READERS: Final = {
    Order: order_from_api,
    Invoice: invoice_from_api,
    Fulfillment: fulfillment_from_api,
    Transaction: transaction_from_api,
    Restock: restock_from_api,
}


class _PayloadCodec:
    """The codec the entities' ``from_api`` / ``to_api`` reach through their seam."""

    def from_api(self, cls: type[T], payload: Mapping[str, Any]) -> T:
        for base in cls.__mro__:
            reader = _READERS.get(base)
            if reader is not None:
                entity: T = reader(payload)  # type: ignore[assignment]  # the reader of cls
                return entity
        raise InvalidTypeError("cls", cls, "Order, Invoice or Fulfillment")  # pragma: no cover

    def to_api(self, entity: object) -> dict[str, Any]:
        return entity_to_api(entity)

    def to_create_request(self, entity: object, options: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(entity, Fulfillment):  # pragma: no cover  # only fulfillments ask
            raise InvalidTypeError("fulfillment", entity, "a Fulfillment")
        return fulfillment_to_create_request(entity, **options)


install(_PayloadCodec())
