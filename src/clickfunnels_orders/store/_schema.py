"""The store's tables, one tuple of statements per schema version, and the migrator.

A file records its version in ``schema_version``. Opening a file runs, in one
transaction, every migration from its version up to :data:`SCHEMA_VERSION`; a file
from a newer version of the library is refused rather than guessed at. The statements
stick to SQL that PostgreSQL reads too (``ON CONFLICT`` upserts, plain indexes).

Version 1 kept events, versions and the delivered data. Version 2 adds the rollup's
tables (line items with their fulfilled quantity, fulfillment lines, materialised
invoice and order statuses). Version 3 adds restocks to the rollup: each line item's
released quantity, and each restock's lines and whether it counts, beside the
fulfillments'. The store's data step runs after the last migration a file needs and
rebuilds the whole rollup from the entities held, so a file of any earlier version
opens with the rollup of what it holds (files before version 3 hold no restocks: the
store of those versions ignored restock deliveries).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Final

from clickfunnels_orders.store._errors import SchemaVersionError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate"]

_V1: Final = (
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version (version) VALUES (0)",
    # Event ids seen, with the moment received (fixed-width UTC text: text order is time
    # order), for de-duplication and prune().
    "CREATE TABLE events (event_id TEXT PRIMARY KEY, received_at TEXT NOT NULL)",
    "CREATE INDEX events_by_received_at ON events (received_at)",
    # What ordering needs of each entity's latest version; never pruned.
    (
        "CREATE TABLE versions (kind TEXT NOT NULL, entity_id TEXT NOT NULL, as_of TEXT,"
        " status TEXT NOT NULL, deleted INTEGER NOT NULL, PRIMARY KEY (kind, entity_id))"
    ),
    # The delivered data of each entity held, as exact JSON.
    (
        "CREATE TABLE entities (kind TEXT NOT NULL, entity_id TEXT NOT NULL,"
        " data TEXT NOT NULL, PRIMARY KEY (kind, entity_id))"
    ),
)

_V2: Final = (
    "ALTER TABLE entities ADD COLUMN order_id TEXT",
    "CREATE INDEX entities_by_order ON entities (kind, order_id)",
    # One row per line item of the invoices held: its quantity, what counted fulfillments
    # shipped of it, and its rolled-up status and remaining quantity (NULL: not listed).
    (
        "CREATE TABLE line_items (line_item_id TEXT PRIMARY KEY, invoice_id TEXT NOT NULL,"
        " order_id TEXT NOT NULL, quantity INTEGER NOT NULL, fulfilled INTEGER NOT NULL,"
        " status TEXT NOT NULL, remaining INTEGER)"
    ),
    "CREATE INDEX line_items_by_invoice ON line_items (invoice_id)",
    "CREATE INDEX line_items_by_order ON line_items (order_id)",
    # The lines of every fulfillment held, summed per line item, known or not yet.
    (
        "CREATE TABLE fulfillment_lines (fulfillment_id TEXT NOT NULL,"
        " line_item_id TEXT NOT NULL, quantity INTEGER NOT NULL,"
        " PRIMARY KEY (fulfillment_id, line_item_id))"
    ),
    "CREATE INDEX fulfillment_lines_by_line_item ON fulfillment_lines (line_item_id)",
    # Whether a fulfillment is in status fulfilled, and how many of its line items are
    # not (yet) known: it counts when fulfilled = 1 and missing = 0.
    (
        "CREATE TABLE fulfillment_counts (fulfillment_id TEXT PRIMARY KEY,"
        " fulfilled INTEGER NOT NULL, missing INTEGER NOT NULL)"
    ),
    (
        "CREATE TABLE invoice_statuses (invoice_id TEXT PRIMARY KEY, order_id TEXT NOT NULL,"
        " status TEXT NOT NULL)"
    ),
    "CREATE INDEX invoice_statuses_by_order ON invoice_statuses (order_id)",
    "CREATE TABLE order_statuses (order_id TEXT PRIMARY KEY, status TEXT NOT NULL)",
)

_V3: Final = (
    # What counted restocks released of each line item: its net fulfilled quantity is
    # fulfilled - released.
    "ALTER TABLE line_items ADD COLUMN released INTEGER NOT NULL DEFAULT 0",
    # The lines of every restock held, summed per line item, known or not yet.
    (
        "CREATE TABLE restock_lines (restock_id TEXT NOT NULL, line_item_id TEXT NOT NULL,"
        " quantity INTEGER NOT NULL, PRIMARY KEY (restock_id, line_item_id))"
    ),
    "CREATE INDEX restock_lines_by_line_item ON restock_lines (line_item_id)",
    # Whether a restock is in status restocked, and how many of its line items are not
    # (yet) known: it releases when restocked = 1 and missing = 0.
    (
        "CREATE TABLE restock_counts (restock_id TEXT PRIMARY KEY,"
        " restocked INTEGER NOT NULL, missing INTEGER NOT NULL)"
    ),
)

#: The statements of each schema version, oldest first (version n is ``MIGRATIONS[n-1]``).
MIGRATIONS: Final = (_V1, _V2, _V3)
#: The schema version this library writes.
SCHEMA_VERSION: Final = len(MIGRATIONS)

DataStep = Callable[[sqlite3.Connection], None]


def version_of(connection: sqlite3.Connection) -> int:
    """Return the schema version of an open database (0 for an empty one)."""
    table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if table is None:
        return 0
    row = connection.execute("SELECT version FROM schema_version").fetchone()
    return 0 if row is None else int(row[0])


def _known_version(connection: sqlite3.Connection, path: str) -> int:
    found = version_of(connection)
    if found > SCHEMA_VERSION:
        raise SchemaVersionError(path, found, SCHEMA_VERSION)
    return found


def migrate(
    connection: sqlite3.Connection,
    *,
    path: str,
    data_steps: dict[int, DataStep],
    target: int = SCHEMA_VERSION,
) -> int:
    """Bring the database up to ``target`` in one transaction; return the version found.

    The caller holds no transaction. ``data_steps[n]`` runs after version ``n``'s
    statements, in the same transaction, to fill what they created (when the file is
    brought past version ``n``).

    Raises:
        SchemaVersionError: the file was written by a newer version of the library.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        found = _known_version(connection, path)
        for number in range(found + 1, target + 1):
            for statement in MIGRATIONS[number - 1]:
                connection.execute(statement)
            step = data_steps.get(number)
            if step is not None:
                step(connection)
        if target > found:
            connection.execute("UPDATE schema_version SET version = ?", (target,))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return found
