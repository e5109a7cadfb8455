"""The store's own errors: what goes wrong with the file, not with the deliveries."""

from __future__ import annotations

from clickfunnels_orders.errors import OrdersError

__all__ = ["SchemaVersionError", "StoreBusyError", "StoreClosedError", "StoreError"]


class StoreError(OrdersError):
    """Base of the errors about the store itself (a refused delivery raises the rollup's)."""


class StoreBusyError(StoreError, TimeoutError):
    """The database stayed locked by another writer for longer than the busy timeout.

    Nothing was changed; the same call may succeed later (the endpoint answers 503, and
    ClickFunnels retries).

    Attributes:
        path: the database file.
        timeout: the busy timeout, in seconds.
    """

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        super().__init__(
            f"store {path!r} stayed locked by another writer for more than {timeout:g} s; "
            "nothing was changed, try again (or raise busy_timeout)"
        )


class StoreClosedError(StoreError, ValueError):
    """A store used after :meth:`~clickfunnels_orders.store.SQLiteStore.close`."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"store {path!r} is closed; open a new SQLiteStore")


class SchemaVersionError(StoreError, ValueError):
    """A database file written by a newer version of the library than this one.

    Attributes:
        path: the database file.
        found: the file's schema version.
        supported: the newest schema version this library knows.
    """

    def __init__(self, path: str, found: int, supported: int) -> None:
        self.path = path
        self.found = found
        self.supported = supported
        super().__init__(
            f"store {path!r} has schema version {found}, newer than the {supported} this "
            "version of clickfunnels-orders knows; upgrade the library to open it"
        )
