"""The public Hypothesis strategies generate valid, API-representable entities."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentStatus,
    Invoice,
    InvoiceStatus,
    Order,
    PaymentProcessor,
    ServiceStatus,
)
from clickfunnels_orders.testing.strategies import fulfillments, invoices, orders

T = TypeVar("T")


def _seen(strategy: st.SearchStrategy[T], key: Callable[[T], object]) -> set[object]:
    """Return the set of ``key(value)`` over a few hundred generated values."""
    seen: set[object] = set()

    @settings(max_examples=400, database=None, derandomize=True)
    @given(strategy)
    def collect(value: T) -> None:
        seen.add(key(value))

    collect()
    return seen


def test_importing_the_strategies_first_works_in_a_fresh_interpreter() -> None:
    """A suite may import the strategies before anything else imports Hypothesis."""
    code = "from clickfunnels_orders.testing.strategies import invoices; invoices()"
    done = subprocess.run(  # noqa: S603  because the command is this test's own constant
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@given(orders(), invoices(), fulfillments())
def test_generated_entities_are_valid_and_their_history_is_ordered(
    order: Order, invoice: Invoice, fulfillment: Fulfillment
) -> None:
    """Every generated entity rebuilds from its own fields, with history oldest first."""
    for entity in (order, invoice, fulfillment):
        rebuilt = type(entity)(**entity.__dict__)
        assert rebuilt == entity
        moments = [change.at for change in entity.history]
        assert moments == sorted(moments)


@given(orders(), invoices(), fulfillments())
def test_generated_moments_are_utc_with_millisecond_precision(
    order: Order, invoice: Invoice, fulfillment: Fulfillment
) -> None:
    """Timestamps are ones the API can represent: aware, and whole milliseconds."""
    moments = [
        order.created_at,
        invoice.issued_at,
        invoice.due_at,
        invoice.paid_at,
        fulfillment.created_at,
        *(c.at for e in (order, invoice, fulfillment) for c in e.history),
    ]
    for moment in moments:
        if moment is not None:
            assert moment.utcoffset() is not None
            assert moment.microsecond % 1000 == 0


@given(invoices())
def test_generated_money_has_at_most_two_decimal_places(invoice: Invoice) -> None:
    """Amounts are two-decimal Decimals, as the API writes them."""
    for amount in (invoice.total_amount, invoice.amount_paid, invoice.amount_refunded):
        assert amount.as_tuple().exponent >= -2  # type: ignore[operator]  # finite amounts have int exponents


def test_invoices_reach_every_status() -> None:
    """Walking the machine reaches each invoice status, deep ones included."""
    assert _seen(invoices(), lambda invoice: invoice.status) == set(InvoiceStatus)


def test_orders_reach_every_service_status() -> None:
    """Walking the machine reaches each service status."""
    assert _seen(orders(), lambda order: order.service_status) == set(ServiceStatus)


def test_fulfillments_reach_every_status() -> None:
    """Fulfillments come fulfilled, cancelled and restocked."""
    assert _seen(fulfillments(), lambda f: f.status) == set(FulfillmentStatus)


@given(invoices(payment_processors=st.just(PaymentProcessor.EXTERNAL), ids=st.just(7)))
def test_options_narrow_what_is_generated(invoice: Invoice) -> None:
    """Keyword options take strategies and constrain the generated values."""
    assert invoice.id == 7
    assert invoice.payment_processor is PaymentProcessor.EXTERNAL


@given(st.from_type(Invoice), st.from_type(Order), st.from_type(Fulfillment))
def test_entity_types_are_registered_with_hypothesis(
    invoice: Invoice, order: Order, fulfillment: Fulfillment
) -> None:
    """``st.from_type`` finds the library's strategies through the entry point."""
    assert isinstance(invoice, Invoice)
    assert isinstance(order, Order)
    assert isinstance(fulfillment, Fulfillment)
