"""Strategies for transactions and restocks (re-exported by ``testing.strategies``)."""

from __future__ import annotations

from collections.abc import Hashable

from hypothesis import strategies as st

from clickfunnels_orders.entities import Restock, Transaction
from clickfunnels_orders.statuses import TransactionStatus
from clickfunnels_orders.testing._values import amounts, lined, moments, walk
from clickfunnels_orders.testing._values import currencies as _currencies
from clickfunnels_orders.testing._values import ids as _ids

__all__ = ["restocks", "transactions"]


def restocks(
    *,
    ids: st.SearchStrategy[Hashable] | None = None,
    line_item_ids: st.SearchStrategy[Hashable] | None = None,
    max_lines: int = 4,
) -> st.SearchStrategy[Restock]:
    """Restocks (restocked, or restocked then cancelled) of distinct invoice line items.

    Args:
        ids: the restock ids.
        line_item_ids: the invoice line items they return (unique within a restock).
        max_lines: the most lines per restock (at least one).
    """
    return lined(Restock, ids if ids is not None else _ids(), line_item_ids, max_lines)


#: Open strings of the API, with one value this library does not know in each.
_EXTERNAL_TYPES = ("sale", "sale", "capture", "refund", "authorization")
_RESULTS = ("approved", "approved", "approved", "declined", "error")


@st.composite
def _transactions(
    draw: st.DrawFn,
    transaction_ids: st.SearchStrategy[Hashable],
    order_ids: st.SearchStrategy[Hashable],
    currency_codes: st.SearchStrategy[str],
    max_events: int,
) -> Transaction:
    created = draw(moments())
    external_type = draw(st.sampled_from(_EXTERNAL_TYPES))
    refund = external_type == "refund"
    transaction = Transaction(
        id=draw(transaction_ids),
        order_id=draw(order_ids),
        # Now and then a status this library does not know, kept as it came.
        status=draw(
            st.sampled_from(
                [TransactionStatus.COMPLETED] * 5 + ["pending"] + list(TransactionStatus)
            )
        ),
        external_type=external_type,
        result=draw(st.sampled_from(_RESULTS)),
        amount=draw(amounts(places=2)),
        currency=draw(currency_codes),
        reason=draw(st.none() | st.sampled_from(["requested_by_customer", "duplicate"]))
        if refund
        else None,
        adjusted_transaction_id=draw(st.none() | _ids()) if refund else None,
        created_at=draw(st.none() | st.just(created)),
    )
    return walk(draw, transaction, created, max_events, lambda _d, t, e, at: getattr(t, e)(at=at))


def transactions(
    *,
    ids: st.SearchStrategy[Hashable] | None = None,
    order_ids: st.SearchStrategy[Hashable] | None = None,
    currencies: st.SearchStrategy[str] | None = None,
    max_events: int = 2,
) -> st.SearchStrategy[Transaction]:
    """Transactions of every kind: sales, captures and refunds, approved or not.

    Statuses are reached by the transaction's own events where it is refundable (an
    approved, completed sale or capture may be refunded in part or in full), and now and
    then a status the library does not know is drawn, as the API's set is open;
    ``external_type`` and ``result`` include values the library does not know too.

    Args:
        ids: the transaction ids.
        order_ids: the orders they name.
        currencies: their currency codes.
        max_events: the most refund events in each transaction's history.
    """
    return _transactions(
        ids if ids is not None else _ids(),
        order_ids if order_ids is not None else _ids(),
        currencies if currencies is not None else _currencies(),
        max_events,
    )
