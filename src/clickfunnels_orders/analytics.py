"""Sales analytics that leave test orders out: gross, refunds and net, per currency.

The orders seed says live-mode orders "impact analytics" and test orders (``live_mode:
false``) have "no impact", and that external orders have no analytics, because
analytics "require ``Orders::Transaction`` resources" and the client keeps its own
payments. :func:`summary` counts approved transactions of live, managed orders, one
currency at a time (never adding two currencies), and says what it left out and why.

The rules:

- A transaction counts when its order is among the orders given, that order is live
  and not external, its ``result`` is ``approved``, and (with ``since`` / ``until``) its
  ``created_at`` falls in ``since <= created_at < until``.
- A refund transaction (``external_type`` ``refund``) adds to ``refunds``; every other
  counted transaction (sale, capture, ...) to ``gross_sales``. ``net`` is their
  difference. Amounts are in the transaction's own currency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Final

import attrs

from clickfunnels_orders._values import minus, plus, to_instances, to_optional_moment
from clickfunnels_orders.entities import Order, Transaction
from clickfunnels_orders.errors import InvalidValueError
from clickfunnels_orders.statuses import PaymentProcessor

__all__ = ["CurrencySummary", "Summary", "summary"]

#: Why an order is left out.
TEST_MODE: Final = "test mode (live_mode false)"
EXTERNAL: Final = "external order (no transactions in analytics)"
#: Why a transaction is left out.
ORDER_LEFT_OUT: Final = "its order is left out"
UNKNOWN_ORDER: Final = "its order is not among the orders given"
NOT_APPROVED: Final = "not approved"
OUTSIDE: Final = "outside since/until"
UNDATED: Final = "no created_at to place it in since/until"


@attrs.frozen
class CurrencySummary:
    """What one currency's counted transactions add up to.

    Attributes:
        currency: the three-letter code.
        gross_sales: the sum of counted sales (every counted transaction but refunds).
        refunds: the sum of counted refunds.
        net: ``gross_sales - refunds``.
        sales: how many sales were counted.
        refund_count: how many refunds were counted.
    """

    currency: str
    gross_sales: Decimal
    refunds: Decimal
    net: Decimal
    sales: int
    refund_count: int


@attrs.frozen
class Summary:
    """Gross sales, refunds and net per currency, and what was left out.

    Attributes:
        currencies: one :class:`CurrencySummary` per currency, by code.
        orders_counted: how many orders were live and managed.
        orders_left_out: how many orders were left out, by reason.
        transactions_left_out: how many transactions were left out, by reason.
    """

    currencies: Mapping[str, CurrencySummary]
    orders_counted: int
    orders_left_out: Mapping[str, int]
    transactions_left_out: Mapping[str, int]

    def __getitem__(self, currency: str) -> CurrencySummary:
        """Return the summary of ``currency`` (``KeyError`` when nothing counted in it)."""
        return self.currencies[currency.upper()]


def summary(
    orders: Iterable[Order],
    transactions: Iterable[Transaction],
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Summary:
    """Sum the approved transactions of live, managed orders, per currency.

    Args:
        orders: the orders the transactions belong to.
        transactions: their transactions (a transaction names its order).
        since: count transactions created at or after this moment.
        until: count transactions created before this moment.

    Raises:
        InvalidTypeError: for something that is not an order or a transaction, or a
            moment that is not an aware datetime.
        InvalidValueError: for ``until`` earlier than ``since``.
    """
    order_list = to_instances(orders, Order, "orders")
    transaction_list = to_instances(transactions, Transaction, "transactions")
    start = to_optional_moment(since, "since")
    end = to_optional_moment(until, "until")
    if start is not None and end is not None and end < start:
        raise InvalidValueError("until", end, f"a moment no earlier than since ({start})")

    counted: set[Hashable] = set()
    left_out: set[Hashable] = set()
    orders_left_out: dict[str, int] = {}
    for order in order_list:
        reason = _why_left_out(order)
        if reason is None:
            counted.add(order.id)
        else:
            left_out.add(order.id)
            orders_left_out[reason] = orders_left_out.get(reason, 0) + 1

    totals: dict[str, list[Decimal]] = {}
    counts: dict[str, list[int]] = {}
    transactions_left_out: dict[str, int] = {}
    for transaction in transaction_list:
        reason = _why_not_counted(transaction, counted, left_out, start, end)
        if reason is not None:
            transactions_left_out[reason] = transactions_left_out.get(reason, 0) + 1
            continue
        currency = transaction.currency
        sums = totals.setdefault(currency, [Decimal(0), Decimal(0)])
        tally = counts.setdefault(currency, [0, 0])
        side = 1 if transaction.is_refund else 0
        sums[side] = plus(sums[side], transaction.amount, "amount")
        tally[side] += 1

    currencies = {
        currency: CurrencySummary(
            currency=currency,
            gross_sales=gross,
            refunds=refunds,
            net=minus(gross, refunds, "net"),
            sales=counts[currency][0],
            refund_count=counts[currency][1],
        )
        for currency, (gross, refunds) in sorted(totals.items())
    }
    return Summary(
        currencies=MappingProxyType(currencies),
        orders_counted=len(counted),
        orders_left_out=MappingProxyType(orders_left_out),
        transactions_left_out=MappingProxyType(transactions_left_out),
    )


def _why_left_out(order: Order) -> str | None:
    if not order.live_mode:
        return TEST_MODE
    if order.payment_processor is PaymentProcessor.EXTERNAL:
        return EXTERNAL
    return None


def _why_not_counted(
    transaction: Transaction,
    counted: set[Hashable],
    left_out: set[Hashable],
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> str | None:
    if transaction.order_id in left_out:
        return ORDER_LEFT_OUT
    if transaction.order_id not in counted:
        return UNKNOWN_ORDER
    if not transaction.approved:
        return NOT_APPROVED
    if start is not None or end is not None:
        created = transaction.created_at
        if created is None:
            return UNDATED
        if (start is not None and created < start) or (end is not None and created >= end):
            return OUTSIDE
    return None
