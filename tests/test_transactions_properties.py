"""Laws of transactions and restocks: payload round trips, and what analytics add up."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    FulfillmentLine,
    Order,
    Restock,
    RestockStatus,
    Transaction,
    rollup,
    summary,
)
from clickfunnels_orders.testing.strategies import books, restocks, transactions

AT = dt.datetime(2025, 4, 22, tzinfo=dt.UTC)
FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"


def _without_history(entity: Any) -> Any:
    return attrs.evolve(entity, history=())


@given(st.one_of(transactions(), restocks()))
def test_structuring_a_payload_gives_the_transaction_or_restock_back(entity: Any) -> None:
    """from_api(x.to_api()) == x for generated transactions and restocks (history aside)."""
    assert type(entity).from_api(entity.to_api()) == _without_history(entity)


@given(st.one_of(transactions(), restocks()))
def test_a_payload_survives_json_text(entity: Any) -> None:
    """A generated transaction's or restock's payload, written as JSON text, reads back."""
    text = json.dumps(entity.to_api())
    assert type(entity).from_api(json.loads(text, parse_float=Decimal)) == _without_history(entity)


@given(st.from_type(Transaction), st.from_type(Restock))
def test_the_types_are_registered_with_hypothesis(transaction: Any, restock: Any) -> None:
    """st.from_type gives a Transaction and a Restock through the entry point."""
    assert isinstance(transaction, Transaction)
    assert isinstance(restock, Restock)


@given(transactions(order_ids=st.integers(1, 3), currencies=st.sampled_from(["USD", "usd", "eur"])))
def test_the_published_example_with_generated_values_round_trips(transaction: Any) -> None:
    """The published example, its modelled fields replaced by generated ones, round trips."""
    payload = json.loads((FIXTURES / "orders_transaction_example.json").read_text())
    mine = transaction.to_api()
    merged = {**payload, **mine}
    read = Transaction.from_api(merged)
    assert read.to_api() == merged
    assert Transaction.from_api(read.to_api()) == read


def _live(order_ids: list[int], test_ids: set[int]) -> list[Order]:
    return [
        Order(id=oid, contact_id=1, currency="USD", line_items=(), live_mode=oid not in test_ids)
        for oid in order_ids
    ]


_txs = st.lists(
    transactions(
        ids=st.integers(1, 10**6),
        order_ids=st.integers(1, 6),
        currencies=st.sampled_from(["USD", "EUR"]),
    ),
    max_size=25,
    unique_by=lambda t: t.id,
)


@given(_txs, st.sets(st.integers(1, 6)))
def test_totals_are_a_plain_sum_of_live_approved_transactions_per_currency(
    txs: list[Transaction], test_ids: set[int]
) -> None:
    """Gross and refunds per currency equal a plain sum over live orders' approved ones."""
    result = summary(_live(list(range(1, 7)), test_ids), txs)
    for currency in ("USD", "EUR"):
        counted = [
            t for t in txs if t.order_id not in test_ids and t.approved and t.currency == currency
        ]
        gross = sum((t.amount for t in counted if not t.is_refund), Decimal(0))
        refunds = sum((t.amount for t in counted if t.is_refund), Decimal(0))
        if not counted:
            assert currency not in result.currencies
            continue
        assert (result[currency].gross_sales, result[currency].refunds) == (gross, refunds)
        assert result[currency].net == gross - refunds


@given(_txs, transactions(order_ids=st.just(99)))
def test_a_test_orders_transactions_never_change_a_total(
    txs: list[Transaction], extra: Transaction
) -> None:
    """Adding a transaction of a test-mode order leaves every currency's totals as they were."""
    some = [t for t in txs if t.id != extra.id]
    order_list = [*_live(list(range(1, 7)), set()), *_live([99], {99})]
    before = summary(order_list, some)
    after = summary(order_list, [*some, extra])
    assert after.currencies == before.currencies


@given(books(complete_lines=False), st.data())
def test_restocking_then_cancelling_the_restock_returns_the_rollup_to_where_it_was(
    book: Any, data: st.DataObject
) -> None:
    """A restock of fulfilled units, then its cancel: compute and the tracker end as they began."""
    before = book.rollup()
    shipped = dict(before.fulfilled)
    if not shipped:
        return
    chosen = data.draw(st.lists(st.sampled_from(sorted(shipped)), min_size=1, unique=True))
    lines = [FulfillmentLine(key, data.draw(st.integers(1, shipped[key]))) for key in chosen]
    restock = Restock(id=1, lines=lines, status=RestockStatus.RESTOCKED)
    assert rollup.compute(book.invoices, [*book.fulfillments, restock]) != before
    cancelled = restock.cancel(at=AT)
    assert rollup.compute(book.invoices, [*book.fulfillments, cancelled]) == before
    tracker = rollup.Tracker(book.invoices)
    for fulfillment in book.fulfillments:
        tracker.record(fulfillment)
    tracker.record(restock)
    tracker.record(cancelled)
    assert tracker.snapshot() == before
