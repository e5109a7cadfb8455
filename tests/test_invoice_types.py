"""Invoice types: the API's names, kept when unknown, and the rule of which order uses which."""

from __future__ import annotations

import pytest

from _builders import ONE_TIME, PAI, SUBSCRIPTION, order, order_line
from clickfunnels_orders import InvalidValueError, Invoice, InvoiceType, Order


def mixed_order() -> Order:
    """Return a subscription order with a one-time line and a subscription line."""
    return order(
        PAI,
        SUBSCRIPTION,
        lines=[
            order_line(1, payment_type="one_time", amount="5.00"),
            order_line(2, payment_type="subscription", amount="20.00"),
        ],
    )


def test_invoice_type_names_the_api_values() -> None:
    """InvoiceType's values are the API's eight strings."""
    assert [t.value for t in InvoiceType] == [
        "initial",
        "renewal",
        "interim",
        "cancellation",
        "one_time",
        "refund",
        "charge",
        "one_time_sale",
    ]


def test_a_known_invoice_type_string_becomes_the_member() -> None:
    """Constructing with the API's string holds the enum member."""
    made = Invoice.for_order(mixed_order(), id=5)
    again = Invoice.from_api({**made.to_api(), "invoice_type": "renewal"})
    assert again.invoice_type is InvoiceType.RENEWAL
    assert not again.invoice_type_is_unknown


def test_an_unknown_invoice_type_from_a_payload_is_kept_and_reported() -> None:
    """A string the API adds later is read as it came, said to be unknown, and written back."""
    made = Invoice.for_order(mixed_order(), id=5)
    payload = {**made.to_api(), "invoice_type": "trial"}
    read = Invoice.from_api(payload)
    assert read.invoice_type == "trial"
    assert read.invoice_type_is_unknown
    assert read.to_api()["invoice_type"] == "trial"


def test_an_absent_invoice_type_is_none_and_not_unknown() -> None:
    """No invoice_type is not an unknown one."""
    made = Invoice.for_order(mixed_order(), id=5)
    plain = Invoice(
        id=1,
        order_id=1,
        status="draft",
        line_items=made.line_items[:0],
        currency="USD",
        total_amount="0",
    )
    assert plain.invoice_type is None
    assert not plain.invoice_type_is_unknown


def test_a_non_string_invoice_type_is_refused_naming_the_field() -> None:
    """invoice_type is a str, an InvoiceType or None."""
    with pytest.raises(InvalidValueError, match="invoice_type"):
        Invoice(
            id=1,
            order_id=1,
            status="draft",
            line_items=(),
            currency="USD",
            total_amount="0",
            invoice_type=3,  # type: ignore[arg-type]  # the refusal under test
        )


def test_a_subscription_order_is_billed_initial_by_default() -> None:
    """Without a kind, a subscription order's invoice is the initial one, of every line."""
    made = Invoice.for_order(mixed_order(), id=50)
    assert made.invoice_type is InvoiceType.INITIAL
    assert len(made.line_items) == 2


@pytest.mark.parametrize(
    ("kind", "lines"),
    [
        (InvoiceType.INITIAL, ["one_time", "subscription"]),
        (InvoiceType.RENEWAL, ["subscription"]),
        (InvoiceType.INTERIM, ["one_time", "subscription"]),
        (InvoiceType.CANCELLATION, ["one_time", "subscription"]),
        (InvoiceType.ONE_TIME, ["one_time"]),
        (InvoiceType.REFUND, ["one_time", "subscription"]),
        (InvoiceType.CHARGE, ["one_time"]),
    ],
)
def test_each_subscription_invoice_type_bills_its_lines(
    kind: InvoiceType, lines: list[str]
) -> None:
    """Every type but one_time_sale bills a subscription order, copying the lines it covers."""
    made = Invoice.for_order(mixed_order(), id=50, kind=kind)
    assert made.invoice_type is kind
    assert [line.payment_type for line in made.line_items] == lines


def test_a_one_time_order_is_billed_a_one_time_sale_by_default() -> None:
    """Without a kind, a one-time order's invoice is a one_time_sale of every line."""
    source = order(PAI, ONE_TIME)
    made = Invoice.for_order(source, id=53)
    assert made.invoice_type is InvoiceType.ONE_TIME_SALE
    assert len(made.line_items) == len(source.line_items)


@pytest.mark.parametrize("kind", [k for k in InvoiceType if k is not InvoiceType.ONE_TIME_SALE])
def test_a_one_time_order_refuses_every_subscription_invoice_type(kind: InvoiceType) -> None:
    """The API bills one-time orders only one_time_sale invoices."""
    with pytest.raises(InvalidValueError, match="one_time_sale"):
        Invoice.for_order(order(PAI, ONE_TIME), id=1, kind=kind)


def test_a_subscription_order_refuses_a_one_time_sale_invoice() -> None:
    """A subscription order's invoices are of the subscription types, never one_time_sale."""
    with pytest.raises(InvalidValueError, match="subscription-order"):
        Invoice.for_order(mixed_order(), id=1, kind="one_time_sale")


def test_kind_and_invoice_type_must_agree_when_both_are_given() -> None:
    """``invoice_type`` is ``kind`` under the payload's name; two different ones are refused."""
    with pytest.raises(InvalidValueError, match="invoice_type"):
        Invoice.for_order(mixed_order(), id=1, kind="initial", invoice_type="renewal")
    same = Invoice.for_order(mixed_order(), id=1, kind="renewal", invoice_type="renewal")
    assert same.invoice_type is InvoiceType.RENEWAL
