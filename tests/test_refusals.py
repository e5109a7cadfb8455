"""Every public entry point refuses a bad value with an OrdersError naming the field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from clickfunnels_orders import (
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderLineItem,
    OrdersError,
    Replica,
    TimeRules,
    diagram,
    parse_webhook,
    renewal_date,
    renewal_dates,
    verify_signature,
)
from clickfunnels_orders import rollup as rollup_module

T = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
SECRET = "test-endpoint-secret"  # noqa: S105  because it signs nothing real
NAIVE = dt.datetime(2025, 1, 1)  # noqa: DTZ001  because a naive moment is what is refused


def paid_invoice() -> Invoice:
    """A paid invoice with one line of two items."""
    line = InvoiceLineItem(id=1, invoice_id=10, variant_id=5, quantity=2, amount=Decimal(5))
    return Invoice(
        id=10,
        order_id=1,
        status=InvoiceStatus.PAID,
        line_items=(line,),
        currency="USD",
        total_amount=Decimal(10),
    )


def an_order() -> Order:
    """A pending one-time order."""
    line = OrderLineItem(id=1, variant_id=5, quantity=1, amount=Decimal(5))
    return Order(id=1, contact_id=2, currency="USD", line_items=(line,))


def bad(value: object) -> Any:
    """Return ``value`` untyped: the calls below pass wrong types on purpose."""
    return value


CASES: list[tuple[str, Callable[[], object], str]] = [
    (
        "compute with a stranger among invoices",
        lambda: rollup_module.compute([bad(1)], []),
        "invoices[0]",
    ),
    (
        "compute with a stranger among fulfillments",
        lambda: rollup_module.compute([paid_invoice()], [bad("x")]),
        "fulfillments[0]",
    ),
    (
        "compute with an invoice among fulfillments",
        lambda: rollup_module.compute([paid_invoice()], [bad(paid_invoice())]),
        "fulfillments[0]",
    ),
    ("compute with no sequence", lambda: rollup_module.compute(bad(None), []), "invoices"),
    ("a tracker of strangers", lambda: rollup_module.Tracker([bad("x")]), "invoices[0]"),
    ("recording a stranger", lambda: rollup_module.Tracker().record(bad(None)), "entity"),
    ("merging strangers", lambda: rollup_module.merge([bad(1)]), "parts[0]"),
    (
        "applying a stranger as an invoice",
        lambda: an_order().apply_invoice(bad(None), at=T),
        "invoice",
    ),
    ("billing a stranger", lambda: Invoice.for_order(bad(None), id=1), "order"),
    ("a naive now", lambda: paid_invoice().advance(NAIVE), "now"),
    ("a naive at", lambda: an_order().cancel(at=NAIVE), "at"),
    ("a naive effective_at", lambda: an_order().cancel(at=T, effective_at=NAIVE), "effective_at"),
    ("a float refund", lambda: paid_invoice().refund(bad(0.5), at=T), "amount"),
    ("an unknown status", lambda: paid_invoice().set_status("nope", at=T), "status"),
    ("rules of the wrong type", lambda: paid_invoice().advance(T, rules=bad(5)), "rules"),
    (
        "a duration of the wrong type",
        lambda: TimeRules(past_due_after=bad("1d")),
        "past_due_after",
    ),
    ("an unknown interval", lambda: renewal_date(T, "fortnight"), "interval"),
    ("a class without a machine", lambda: diagram(int), "entity_class"),
    ("a renewal beyond the calendar", lambda: renewal_date(T, "year", 10**5), "period"),
    ("an absurdly large amount", lambda: Decimal(5) + an_amount("1e40"), "amount"),
    ("an absurdly precise amount", lambda: Decimal(5) + an_amount("1e-40"), "amount"),
    ("a replica of strangers", lambda: Replica([bad(object())]), "entities[0]"),
]


def an_amount(value: str) -> Decimal:
    """Build an order line of ``value`` and return its amount."""
    return OrderLineItem(id=1, variant_id=5, quantity=1, amount=value).amount


EDGE_CASES: list[tuple[str, Callable[[], object]]] = [
    ("a webhook body that is not bytes, str or a mapping", lambda: parse_webhook(bad(None))),
    ("a webhook body that is a list", lambda: parse_webhook(bad([{}]))),
    (
        "a signature given as bytes",
        lambda: verify_signature(b"{}", secret=SECRET, now=T, signature=bad(b"ab"), timestamp="1"),
    ),
]


@pytest.mark.parametrize(("case", "call"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_a_bad_webhook_input_is_refused_with_an_orders_error(
    case: str, call: Callable[[], object]
) -> None:
    """parse_webhook and verify_signature let nothing but their own errors escape."""
    with pytest.raises(OrdersError):
        call()


def test_renewal_dates_stop_where_the_calendar_ends() -> None:
    """Asking for renewals up to the last representable moment ends at year 9999."""
    last = dt.datetime.max.replace(tzinfo=dt.UTC)
    dates = renewal_dates(T, "year", until=last)
    assert dates[-1].year == 9999


@pytest.mark.parametrize(("case", "call", "field"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_value_is_refused_with_an_error_naming_its_field(
    case: str, call: Callable[[], object], field: str
) -> None:
    """The error is an OrdersError whose message starts with the field it names."""
    with pytest.raises(OrdersError) as caught:
        call()
    assert str(caught.value).startswith(f"{field}:"), str(caught.value)
