"""Transactions and restocks as API objects: their wire classes, readers and writers.

``Orders::Transaction`` maps key for key onto :class:`Transaction` (``status`` is read
as an open string: a value the API adds later is kept). ``Orders::Invoices::Restock``
is read and written like a fulfillment: its lines are
``included_invoices_line_items[].{invoices_line_item_id, quantity}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs

from clickfunnels_orders.entities import FulfillmentLine, Restock, Transaction
from clickfunnels_orders.payloads._read import _construct, _extra, _join, _kwargs, _read
from clickfunnels_orders.payloads._values import Id
from clickfunnels_orders.payloads._wire import _IncludedLineWire, _meta, _none, register_wire
from clickfunnels_orders.payloads._write import entity_to_api

__all__ = ["restock_from_api", "restock_to_api", "transaction_from_api", "transaction_to_api"]


@attrs.frozen(kw_only=True)
class _TransactionWire:
    id: Id = attrs.field(metadata=_meta())
    order_id: Id = attrs.field(metadata=_meta())
    status: str = attrs.field(metadata=_meta())
    external_type: str = attrs.field(metadata=_meta())
    result: str = attrs.field(metadata=_meta())
    amount: Decimal = attrs.field(metadata=_meta())
    currency: str = attrs.field(metadata=_meta())
    reason: str | None = attrs.field(default=None, metadata=_meta(absent=_none))
    adjusted_transaction_id: Id | None = attrs.field(default=None, metadata=_meta(absent=_none))
    created_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))


@attrs.frozen(kw_only=True)
class _RestockWire:
    id: Id = attrs.field(metadata=_meta())
    status: str = attrs.field(metadata=_meta())
    created_at: dt.datetime | None = attrs.field(default=None, metadata=_meta(absent=_none))
    #: As a fulfillment's: null or absent means no lines.
    included_invoices_line_items: list[_IncludedLineWire] | None = attrs.field(
        default=None, metadata=_meta(to="lines")
    )


register_wire(Transaction, _TransactionWire)
register_wire(Restock, _RestockWire)


def transaction_from_api(payload: object, *, path: str = "") -> Transaction:
    """Read an ``Orders::Transaction`` as the API returns it.

    Args:
        payload: the decoded JSON object.
        path: where the object sits in a larger payload, for error paths (``data``).

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    raw, wire = _read(payload, _TransactionWire, path)
    kwargs = {**_kwargs(wire), "extra": _extra(raw, wire, path)}
    transaction: Transaction = _construct(Transaction, kwargs, _TransactionWire, path)
    return transaction


def restock_from_api(payload: object, *, path: str = "") -> Restock:
    """Read an ``Orders::Invoices::Restock`` as the API returns it, like a fulfillment.

    Raises:
        PayloadError: for a malformed object, or one missing a field the model needs.
    """
    raw, wire = _read(payload, _RestockWire, path)
    lines_path = _join(path, "included_invoices_line_items")
    lines = tuple(
        _construct(FulfillmentLine, _kwargs(line), _IncludedLineWire, f"{lines_path}[{index}]")
        for index, line in enumerate(wire.included_invoices_line_items or ())
    )
    kwargs: dict[str, Any] = {**_kwargs(wire), "lines": lines, "extra": _extra(raw, wire, path)}
    restock: Restock = _construct(Restock, kwargs, _RestockWire, path)
    return restock


def transaction_to_api(transaction: Transaction) -> dict[str, Any]:
    """Write a transaction as the API would send it, carried fields included."""
    return entity_to_api(transaction)


def restock_to_api(restock: Restock) -> dict[str, Any]:
    """Write a restock as the API would send it (lines: ``included_invoices_line_items``)."""
    return entity_to_api(restock)
