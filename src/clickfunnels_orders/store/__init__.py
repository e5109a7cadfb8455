"""Durable state for a webhook consumer: :class:`SQLiteStore`.

The store keeps what a :class:`~clickfunnels_orders.Replica` keeps (the latest version
of each order, invoice and fulfillment, and the event ids seen), by the same rules (the
same function, :func:`clickfunnels_orders.replica.decide`, rules on every event), in a
file that survives restarts and crashes; and it keeps the fulfillment rollup of what it
holds, so status queries are single indexed reads.

``docs/webhooks.md`` shows it at work, behind :mod:`clickfunnels_orders.endpoint`.
"""

from clickfunnels_orders.store._errors import (
    SchemaVersionError,
    StoreBusyError,
    StoreClosedError,
    StoreError,
)
from clickfunnels_orders.store._schema import SCHEMA_VERSION
from clickfunnels_orders.store._sqlite import DEFAULT_BUSY_TIMEOUT, SQLiteStore

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "SCHEMA_VERSION",
    "SQLiteStore",
    "SchemaVersionError",
    "StoreBusyError",
    "StoreClosedError",
    "StoreError",
]
