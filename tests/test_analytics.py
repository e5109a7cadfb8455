"""Sales analytics: approved transactions of live, managed orders, per currency (API.md 14)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    InvalidTypeError,
    InvalidValueError,
    Order,
    OrderLineItem,
    PaymentProcessor,
    Summary,
    Transaction,
    analytics,
    summary,
)

T0 = dt.datetime(2025, 5, 1, tzinfo=dt.UTC)


def an_order(
    order_id: int,
    *,
    live: bool = True,
    processor: PaymentProcessor = PaymentProcessor.PAYMENTS_AI,
    currency: str = "USD",
) -> Order:
    """A one-line order."""
    return Order(
        id=order_id,
        contact_id=1,
        currency=currency,
        line_items=(OrderLineItem(id=1, variant_id=2, quantity=1, amount=Decimal("10.00")),),
        live_mode=live,
        payment_processor=processor,
    )


def a_transaction(
    transaction_id: int,
    order_id: int,
    amount: str,
    *,
    kind: str = "sale",
    result: str = "approved",
    currency: str = "USD",
    day: int | None = 1,
) -> Transaction:
    """A completed transaction of ``order_id``."""
    return Transaction(
        id=transaction_id,
        order_id=order_id,
        status="completed",
        external_type=kind,
        result=result,
        amount=Decimal(amount),
        currency=currency,
        created_at=None if day is None else T0.replace(day=day),
    )


def test_sales_and_refunds_of_live_orders_add_up_per_currency() -> None:
    """Gross sales, refunds and net come from the approved transactions, one currency apiece."""
    orders = [an_order(1), an_order(2, currency="EUR")]
    transactions = [
        a_transaction(1, 1, "10.00"),
        a_transaction(2, 1, "5.50", kind="capture"),
        a_transaction(3, 1, "2.25", kind="refund"),
        a_transaction(4, 2, "7.00", currency="EUR"),
    ]
    result = summary(orders, transactions)
    usd = result["usd"]
    assert (usd.gross_sales, usd.refunds, usd.net) == (
        Decimal("15.50"),
        Decimal("2.25"),
        Decimal("13.25"),
    )
    assert (usd.sales, usd.refund_count) == (2, 1)
    assert result["EUR"].net == Decimal("7.00")
    assert result.orders_counted == 2
    assert not result.orders_left_out
    assert not result.transactions_left_out


def test_test_mode_and_external_orders_are_left_out_and_said_why() -> None:
    """Test orders have no impact and external orders no transactions: both are counted apart."""
    orders = [
        an_order(1),
        an_order(2, live=False),
        an_order(3, processor=PaymentProcessor.EXTERNAL),
    ]
    transactions = [a_transaction(1, 1, "1.00"), a_transaction(2, 2, "9.00")]
    result = summary(orders, transactions)
    assert result["USD"].gross_sales == Decimal("1.00")
    assert result.orders_left_out == {analytics.TEST_MODE: 1, analytics.EXTERNAL: 1}
    assert result.transactions_left_out == {analytics.ORDER_LEFT_OUT: 1}


def test_unapproved_strangers_and_out_of_window_transactions_are_left_out() -> None:
    """Declined, orphaned, undated and out-of-window transactions are counted by reason."""
    transactions = [
        a_transaction(1, 1, "1.00", day=2),
        a_transaction(2, 1, "1.00", result="declined", day=2),
        a_transaction(3, 99, "1.00", day=2),
        a_transaction(4, 1, "1.00", day=None),
        a_transaction(5, 1, "1.00", day=9),
    ]
    result = summary([an_order(1)], transactions, since=T0, until=T0.replace(day=5))
    assert result["USD"].sales == 1
    assert result.transactions_left_out == {
        analytics.NOT_APPROVED: 1,
        analytics.UNKNOWN_ORDER: 1,
        analytics.UNDATED: 1,
        analytics.OUTSIDE: 1,
    }


def test_the_window_includes_since_and_excludes_until() -> None:
    """Since <= created_at < until."""
    transactions = [a_transaction(1, 1, "1.00", day=1), a_transaction(2, 1, "2.00", day=3)]
    result = summary([an_order(1)], transactions, since=T0, until=T0.replace(day=3))
    assert result["USD"].gross_sales == Decimal("1.00")


def test_nothing_counted_gives_no_currencies() -> None:
    """An empty book sums to no currency at all, not to zero in some currency."""
    result = summary([], [])
    assert result == Summary(
        currencies={}, orders_counted=0, orders_left_out={}, transactions_left_out={}
    )
    with pytest.raises(KeyError):
        result["USD"]


def test_bad_arguments_are_refused_naming_them() -> None:
    """Strangers, naive moments and a window that ends before it starts are refused."""
    with pytest.raises(InvalidTypeError, match=r"orders\[0\]"):
        summary(["order"], [])  # type: ignore[list-item]  # the point of the test
    with pytest.raises(InvalidTypeError, match=r"transactions\[0\]"):
        summary([], [an_order(1)])  # type: ignore[list-item]  # the point of the test
    with pytest.raises(InvalidValueError, match="since"):
        summary([], [], since=dt.datetime(2025, 1, 1))  # noqa: DTZ001  because naive on purpose
    with pytest.raises(InvalidValueError, match="until"):
        summary([], [], since=T0, until=T0 - dt.timedelta(days=1))


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["USD", "EUR"]),
            st.sampled_from(["sale", "capture", "refund"]),
            st.integers(min_value=1, max_value=10**6),
        ),
        max_size=20,
    )
)
def test_net_is_gross_less_refunds_in_every_currency(rows: list[tuple[str, str, int]]) -> None:
    """Whatever the transactions, each currency's net is its gross sales less its refunds."""
    transactions = [
        a_transaction(n, 1, str(Decimal(cents).scaleb(-2)), kind=kind, currency=currency)
        for n, (currency, kind, cents) in enumerate(rows)
    ]
    result = summary([an_order(1)], transactions)
    for currency, part in result.currencies.items():
        mine = [t for t in transactions if t.currency == currency]
        assert part.gross_sales == sum((t.amount for t in mine if not t.is_refund), Decimal(0))
        assert part.net == part.gross_sales - part.refunds
        assert part.sales + part.refund_count == len(mine)
