"""The ClickFunnels API's JSON objects, read into entities and written back without loss.

This package sits at the edge: it imports the core, never the other way round. The entity
methods ``Order.from_api``, ``Invoice.from_api``, ``Fulfillment.from_api``, ``to_api()``
and ``Fulfillment.to_create_request()`` reach it through the one seam the core declares
(:mod:`clickfunnels_orders.entities._codec`): importing this package installs its codec.

How it works:

- Each API object has a private *wire* class listing the keys the model reads, with their
  types. A ``cattrs`` converter structures a payload into it, with strict hooks for ids,
  integers, decimal strings, timestamps (``dateutil``), status enums and nested line
  items, and with detailed validation, so a bad value is reported with its path
  (``line_items[0].quantity``) as a :class:`~clickfunnels_orders.errors.PayloadError`.
- The wire values become the entity's fields (the field mapping of API.md section 6);
  the entity validates them itself, and its complaints are mapped back to payload paths.
- Everything the model does not read is kept, untouched, in the entity's ``extra``: an
  :class:`ApiExtra`, a read-only mapping of those fields that also remembers the payload
  it was read from. ``to_api()`` writes the model's fields and merges ``extra`` back in.
  Where the entity still holds the value a key had in the payload, the payload's own
  spelling of it is written back (``"0"`` stays ``"0"``, a ``+01:00`` offset stays, an
  absent optional key stays absent); a value that changed is written in the API's
  canonical form (decimal strings, ``2025-04-21T14:47:47.000Z`` timestamps). The one
  normalisation is the entity's own ``currency``, upper-cased.

Money never passes through binary floating point on the way in: strings and ints are read
exactly, and :func:`~clickfunnels_orders.webhooks.parse_webhook` decodes JSON numbers
with ``parse_float=Decimal``. A ``float`` already inside a decoded mapping (from a plain
``json.loads``) is read from its ``repr``, the shortest decimal that round-trips to it,
which is the JSON literal as written for any amount of up to 15 significant digits; it is
never used in arithmetic. Written back unchanged, it comes back as that same float.
A ``Decimal`` in a carried field is carried as a :class:`JsonNumber` (a ``float`` that
keeps, and equals, the exact ``Decimal``), so ``to_api()`` is always JSON-ready.

After an event or ``rollup.apply``, the keys the API derives from what changed
(``eligible_for_fulfillment``, an invoice's ``fulfillment_status``, ``updated_at``) are
rewritten from the entity's fields; see ``_derived``.

The modules, by concept: ``_values`` (leaf values: money, ids, moments, enums),
``_converter`` (the cattrs converter), ``_wire`` (the keys each object has), ``_extra``
(carried-along fields), ``_derived`` (keys rewritten after events), ``_read`` and
``_write``, and ``requests`` (create-fulfillment request bodies).
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
