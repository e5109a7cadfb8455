"""Construction and validation of the six entities (API.md sections 1 and 3)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from attrs.exceptions import FrozenInstanceError

from _builders import (
    PAI,
    SUBSCRIPTION,
    T0,
    at,
    fulfillment,
    invoice,
    invoice_line,
    loosely,
    order,
    order_line,
)
from clickfunnels_orders import (
    BillingStatus,
    Change,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    InvalidTypeError,
    InvalidValueError,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    Order,
    OrderLineItem,
    OrdersError,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

NAIVE = dt.datetime(2025, 1, 1, 12, 0)  # noqa: DTZ001  because a naive moment is the input under test

#: One builder per entity class, each taking field overrides.
BUILDERS: dict[str, Callable[..., object]] = {
    "OrderLineItem": order_line,
    "Order": order,
    "InvoiceLineItem": invoice_line,
    "Invoice": invoice,
    "FulfillmentLine": lambda **kw: loosely(FulfillmentLine)(
        **{"invoice_line_item_id": 1, "quantity": 1, **kw}
    ),
    "Fulfillment": fulfillment,
}
ENTITY_CLASSES = [OrderLineItem, Order, InvoiceLineItem, Invoice, FulfillmentLine, Fulfillment]

MONEY_FIELDS = [
    ("OrderLineItem", "amount"),
    ("InvoiceLineItem", "amount"),
    ("Invoice", "total"),
]
QUANTITY_FIELDS = ["OrderLineItem", "InvoiceLineItem", "FulfillmentLine"]
MOMENT_FIELDS = [
    ("Order", "created_at"),
    ("Order", "canceled_at"),
    ("Order", "churned_at"),
    ("Order", "paid_until"),
    ("Invoice", "issued_at"),
    ("Invoice", "due_at"),
    ("Invoice", "paid_at"),
]


def build(kind: str, **fields: Any) -> Any:
    """Build an entity of ``kind`` with ``fields`` overriding the builder's values."""
    return BUILDERS[kind](**fields)


def money_kwargs(kind: str, field: str, value: object) -> dict[str, Any]:
    """Return builder arguments that put ``value`` in the money field, amounts kept sane."""
    if kind == "Invoice":
        return {field: value, "paid": 0, "refunded": 0}
    return {field: value}


# -- keyword construction and defaults ------------------------------------------------------


@pytest.mark.parametrize("cls", ENTITY_CLASSES, ids=lambda c: c.__name__)
def test_every_entity_is_an_attrs_class(cls: type) -> None:
    """Each entity class is an attrs class, so ``attrs.has`` and ``attrs.fields`` work."""
    assert attrs.has(cls)


def test_order_line_item_takes_the_contract_fields_and_defaults() -> None:
    """An order line defaults to a one-time payment that requires fulfillment."""
    line = OrderLineItem(id=1, variant_id=2, quantity=3, amount=Decimal("4.50"))
    assert (line.id, line.variant_id, line.quantity, line.amount) == (1, 2, 3, Decimal("4.50"))
    assert line.payment_type == "one_time"
    assert line.fulfillment_required is True


def test_order_takes_the_contract_fields_and_defaults() -> None:
    """An order defaults to a live, pending Payments AI order with nothing recorded yet."""
    line = order_line()
    made = Order(id=1, contact_id=2, currency="USD", line_items=(line,))
    assert made.line_items == (line,)
    assert made.payment_processor is PaymentProcessor.PAYMENTS_AI
    assert made.live_mode is True
    assert made.service_status is ServiceStatus.PENDING
    assert made.billing_status is BillingStatus.PENDING
    assert made.order_type is OrderType.ONE_TIME
    fields = ("created_at", "canceled_at", "churned_at", "cancel_reason", "paid_until")
    assert all(getattr(made, name) is None for name in fields)
    assert made.history == ()


def test_invoice_line_item_takes_the_contract_fields_and_defaults() -> None:
    """An invoice line defaults to requiring fulfillment, unfulfilled, with no history."""
    line = InvoiceLineItem(id=1, invoice_id=2, variant_id=3, quantity=4, amount=Decimal(5))
    assert (line.id, line.invoice_id, line.variant_id, line.quantity) == (1, 2, 3, 4)
    assert line.amount == Decimal(5)
    assert line.fulfillment_required is True
    assert line.fulfillment_status is LineItemFulfillmentStatus.UNFULFILLED
    assert line.history == ()


def test_invoice_takes_the_contract_fields_and_defaults() -> None:
    """An invoice defaults to nothing paid or refunded, no moments, Payments AI, no history."""
    made = Invoice(
        id=1,
        order_id=2,
        status=InvoiceStatus.DRAFT,
        line_items=(),
        currency="USD",
        total_amount=Decimal(10),
    )
    assert made.amount_paid == Decimal(0)
    assert made.amount_refunded == Decimal(0)
    assert (made.issued_at, made.due_at, made.paid_at) == (None, None, None)
    assert made.payment_processor is PaymentProcessor.PAYMENTS_AI
    assert made.history == ()


def empty_invoice_of_ten(status: InvoiceStatus, *, amount_paid: Decimal | None = None) -> Invoice:
    """An invoice of total 10 with no lines, in ``status``, with only the amount given."""
    # Without amount_paid, the invoice takes the status default.
    given: dict[str, Any] = {} if amount_paid is None else {"amount_paid": amount_paid}
    return Invoice(
        id=1,
        order_id=2,
        status=status,
        line_items=(),
        currency="USD",
        total_amount=Decimal(10),
        **given,
    )


@pytest.mark.parametrize(
    ("status", "paid", "refunded"),
    [
        (InvoiceStatus.DRAFT, "0", "0"),
        (InvoiceStatus.UNPAID, "0", "0"),
        (InvoiceStatus.PARTIALLY_PAID, "0", "0"),
        (InvoiceStatus.PAST_DUE, "0", "0"),
        (InvoiceStatus.PAID, "10", "0"),
        (InvoiceStatus.PARTIALLY_REFUNDED, "10", "0"),
        (InvoiceStatus.DISPUTED, "10", "0"),
        (InvoiceStatus.REFUNDED, "10", "10"),
    ],
    ids=str,
)
def test_amounts_not_given_follow_the_status_as_the_api_reads_them(
    status: InvoiceStatus, paid: str, refunded: str
) -> None:
    """Without amounts, a paid-ish invoice has paid its total and a refunded one refunded it."""
    made = empty_invoice_of_ten(status)
    assert (made.amount_paid, made.amount_refunded) == (Decimal(paid), Decimal(refunded))


def test_a_paid_invoice_built_without_amounts_can_be_refunded_in_part() -> None:
    """A paid invoice built by hand has something to refund."""
    refunded = empty_invoice_of_ten(InvoiceStatus.PAID).refund(Decimal(3), at=T0)
    assert refunded.status is InvoiceStatus.PARTIALLY_REFUNDED
    assert refunded.amount_refunded == Decimal(3)


def test_given_amounts_are_kept_whatever_the_status() -> None:
    """Explicit amounts win over the status-based defaults."""
    made = empty_invoice_of_ten(InvoiceStatus.PAID, amount_paid=Decimal(4))
    assert (made.amount_paid, made.amount_refunded) == (Decimal(4), Decimal(0))


def test_fulfillment_takes_the_contract_fields_and_is_created_fulfilled() -> None:
    """A fulfillment is created ``fulfilled``, with no creation moment and no history."""
    line = FulfillmentLine(invoice_line_item_id=7, quantity=2)
    made = Fulfillment(id=1, lines=(line,))
    assert (line.invoice_line_item_id, line.quantity) == (7, 2)
    assert made.lines == (line,)
    assert made.status is FulfillmentStatus.FULFILLED
    assert made.created_at is None
    assert made.history == ()


def test_a_fulfillment_may_hold_lines_of_invoices_of_several_orders() -> None:
    """A fulfillment has no order id: its lines may name line items of any invoices."""
    lines = [FulfillmentLine(invoice_line_item_id=i, quantity=1) for i in ("a-1", "b-7", 3)]
    assert [line.invoice_line_item_id for line in fulfillment(lines=lines).lines] == [
        "a-1",
        "b-7",
        3,
    ]


# -- quantities -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", QUANTITY_FIELDS)
@pytest.mark.parametrize("quantity", [0, -1])
def test_a_non_positive_quantity_is_refused_with_a_value_error_naming_the_field(
    kind: str, quantity: int
) -> None:
    """Quantities must be at least 1; zero or less is a ValueError naming ``quantity``."""
    with pytest.raises(InvalidValueError, match="quantity") as caught:
        build(kind, quantity=quantity)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, OrdersError)
    assert caught.value.field == "quantity"


@pytest.mark.parametrize("kind", QUANTITY_FIELDS)
@pytest.mark.parametrize("quantity", [1.0, "2", True, Decimal(2)])
def test_a_quantity_that_is_not_an_int_is_refused(kind: str, quantity: object) -> None:
    """Quantities are ints: floats, strings, bools and Decimals are refused as OrdersErrors."""
    with pytest.raises(OrdersError, match="quantity"):
        build(kind, quantity=quantity)


@pytest.mark.parametrize("kind", QUANTITY_FIELDS)
def test_a_positive_int_quantity_is_kept(kind: str) -> None:
    """A positive int quantity is stored as given."""
    assert build(kind, quantity=12).quantity == 12


# -- money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "field"), MONEY_FIELDS)
def test_float_money_is_refused_with_a_type_error_saying_to_pass_a_decimal_or_a_string(
    kind: str, field: str
) -> None:
    """A float amount is a TypeError (and an OrdersError) that says what to pass instead."""
    with pytest.raises(InvalidTypeError) as caught:
        build(kind, **money_kwargs(kind, field, 9.99))
    error = caught.value
    assert isinstance(error, TypeError)
    assert isinstance(error, OrdersError)
    assert "Decimal" in str(error)
    assert "string" in str(error)


def test_float_amount_paid_and_refunded_are_refused_too() -> None:
    """The invoice's paid and refunded amounts refuse floats like every money field."""
    with pytest.raises(InvalidTypeError, match="amount_paid"):
        invoice(paid=1.5)
    with pytest.raises(InvalidTypeError, match="amount_refunded"):
        invoice(paid=2, refunded=0.5)


@pytest.mark.parametrize(("kind", "field"), MONEY_FIELDS)
@pytest.mark.parametrize("value", ["-0.01", -1, Decimal(-5), "NaN", "Infinity", "abc"])
def test_negative_non_finite_or_malformed_money_is_a_value_error(
    kind: str, field: str, value: object
) -> None:
    """Money must be a finite, non-negative decimal; anything else is a ValueError."""
    with pytest.raises(InvalidValueError) as caught:
        build(kind, **money_kwargs(kind, field, value))
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, OrdersError)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0.1", "0.1"),
        ("9.99", "9.99"),
        ("100.00", "100.00"),
        ("12.50", "12.50"),
        (7, "7"),
        (0, "0"),
        (Decimal("3.333"), "3.333"),
    ],
)
@pytest.mark.parametrize(("kind", "field"), MONEY_FIELDS)
def test_str_and_int_money_is_converted_to_decimal_exactly(
    kind: str, field: str, given: object, expected: str
) -> None:
    """Strings and ints become the exact Decimal, digits and exponent kept (never via float)."""
    made = build(kind, **money_kwargs(kind, field, given))
    value = made.total_amount if kind == "Invoice" else made.amount
    assert isinstance(value, Decimal)
    assert str(value) == expected


def test_invoice_refuses_paying_more_than_its_total_or_refunding_more_than_was_paid() -> None:
    """An invoice's amounts keep their bounds: refunded <= paid <= total."""
    with pytest.raises(InvalidValueError, match="amount_paid"):
        invoice(total=10, paid="10.01")
    with pytest.raises(InvalidValueError, match="amount_refunded"):
        invoice(total=10, paid=5, refunded="5.01")


# -- ids ------------------------------------------------------------------------------------


def test_invoice_line_item_ids_must_be_unique_within_an_invoice() -> None:
    """Two lines of one invoice with the same id are refused, naming the repeated line."""
    lines = [invoice_line(1), invoice_line(2), invoice_line(1)]
    with pytest.raises(InvalidValueError, match=r"line_items\[2\]\.id") as caught:
        invoice(lines=lines)
    assert caught.value.field == "line_items[2].id"


def test_order_line_item_ids_are_not_checked_for_uniqueness() -> None:
    """Real order payloads repeat line ids, so an order accepts repeated ones."""
    made = order(lines=[order_line(5), order_line(5, amount="2.00")])
    assert [line.id for line in made.line_items] == [5, 5]


def test_an_invoice_line_must_belong_to_the_invoice_that_holds_it() -> None:
    """A line whose ``invoice_id`` names another invoice is refused."""
    with pytest.raises(InvalidValueError, match="invoice_id"):
        invoice(invoice_id=10, lines=[invoice_line(invoice_id=11)])


def test_a_missing_id_is_refused() -> None:
    """``None`` is not an id."""
    with pytest.raises(InvalidValueError, match="id"):
        order(order_id=None)


# -- moments --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "field"), MOMENT_FIELDS)
def test_a_naive_timestamp_is_refused_with_a_value_error_naming_the_field(
    kind: str, field: str
) -> None:
    """Every timestamp must be timezone-aware; a naive one is refused, naming its field."""
    with pytest.raises(InvalidValueError, match=field) as caught:
        build(kind, **{field: NAIVE})
    assert caught.value.field == field
    assert "timezone-aware" in str(caught.value)


@pytest.mark.parametrize(("kind", "field"), MOMENT_FIELDS)
def test_an_aware_timestamp_is_kept(kind: str, field: str) -> None:
    """An aware timestamp, in any zone, is stored as given."""
    zone = dt.timezone(dt.timedelta(hours=-5))
    moment = dt.datetime(2025, 3, 1, 9, 30, tzinfo=zone)
    assert getattr(build(kind, **{field: moment}), field) == moment


def test_a_timestamp_that_is_not_a_datetime_is_refused() -> None:
    """An ISO string is not a moment: pass a datetime."""
    with pytest.raises(InvalidTypeError, match="created_at"):
        order(created_at="2025-01-01T00:00:00Z")


def test_fulfillment_created_at_refuses_a_naive_datetime() -> None:
    """A fulfillment's creation moment must be timezone-aware too."""
    with pytest.raises(InvalidValueError, match="created_at"):
        loosely(Fulfillment)(id=1, lines=(), created_at=NAIVE)


@pytest.mark.parametrize("kind", ["Order", "Invoice", "InvoiceLineItem", "Fulfillment"])
def test_a_history_record_with_a_naive_moment_is_refused(kind: str) -> None:
    """History records are checked like any timestamp."""
    with pytest.raises(InvalidValueError, match="history"):
        build(kind, history=[Change("x", "a", "b", NAIVE)])


@pytest.mark.parametrize("kind", ["Order", "Invoice", "InvoiceLineItem", "Fulfillment"])
def test_a_history_given_out_of_time_order_is_refused(kind: str) -> None:
    """History is oldest first: a record earlier than the one before it is refused."""
    history = [Change("x", "a", "b", at(5)), Change("y", "b", "c", at(4))]
    with pytest.raises(InvalidValueError, match=r"history\[1\]"):
        build(kind, history=history)


# -- currency -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Order", "Invoice"])
def test_currency_codes_are_upper_cased(kind: str) -> None:
    """The API sends ``usd`` as well as ``USD``; entities hold the upper-case code."""
    made = (
        order(currency="usd")
        if kind == "Order"
        else loosely(Invoice)(
            id=1, order_id=1, status="draft", line_items=(), currency="eur", total_amount=1
        )
    )
    assert made.currency == ("USD" if kind == "Order" else "EUR")


@pytest.mark.parametrize("code", ["US", "DOLLARS", "12$", ""])
def test_a_malformed_currency_code_is_refused(code: str) -> None:
    """A currency is a three-letter code."""
    with pytest.raises(InvalidValueError, match="currency"):
        order(currency=code)


# -- statuses -------------------------------------------------------------------------------

STATUS_FIELDS: list[tuple[str, str, type[enum.Enum]]] = [
    ("Invoice", "status", InvoiceStatus),
    ("Invoice", "processor", PaymentProcessor),
    ("Order", "status", ServiceStatus),
    ("Order", "billing_status", BillingStatus),
    ("Order", "processor", PaymentProcessor),
    ("Order", "order_type", OrderType),
    ("InvoiceLineItem", "status", LineItemFulfillmentStatus),
    ("Fulfillment", "status", FulfillmentStatus),
]


@pytest.mark.parametrize(("kind", "argument", "enum_cls"), STATUS_FIELDS)
def test_an_unknown_status_is_refused_listing_the_known_ones(
    kind: str, argument: str, enum_cls: type[enum.Enum]
) -> None:
    """A status outside the API's enumeration is a ValueError that lists the accepted ones."""
    with pytest.raises(InvalidValueError) as caught:
        build(kind, **{argument: "bogus"})
    message = str(caught.value)
    assert "bogus" in message
    assert all(member.value in message for member in enum_cls)


@pytest.mark.parametrize(("kind", "argument", "enum_cls"), STATUS_FIELDS)
def test_every_documented_status_is_accepted_and_held_as_the_enum_member(
    kind: str, argument: str, enum_cls: type[enum.Enum]
) -> None:
    """Each documented status string is accepted, even outside the entity's lifecycle."""
    fields = {
        "status": "service_status" if kind == "Order" else "status",
        "processor": "payment_processor",
    }
    if kind == "InvoiceLineItem":
        fields["status"] = "fulfillment_status"
    attribute = fields.get(argument, argument)
    for member in enum_cls:
        made = build(kind, **{argument: member.value})
        assert getattr(made, attribute) is member


# -- immutability, equality, collections ----------------------------------------------------


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_assigning_an_attribute_raises_frozen_instance_error(kind: str) -> None:
    """Entities are frozen: setting or deleting a field raises FrozenInstanceError."""
    made = build(kind)
    name = attrs.fields(type(made))[0].name
    with pytest.raises(FrozenInstanceError):
        setattr(made, name, 123)
    with pytest.raises(FrozenInstanceError):
        delattr(made, name)


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_entities_built_from_equal_values_are_equal_and_hash_alike(kind: str) -> None:
    """Entities compare by value: two built alike are equal, with equal hashes."""
    first, second = build(kind), build(kind)
    assert first is not second
    assert first == second
    assert hash(first) == hash(second)


@pytest.mark.parametrize("kind", ["Order", "Invoice", "InvoiceLineItem", "Fulfillment"])
def test_entities_that_differ_only_in_history_are_not_equal(kind: str) -> None:
    """History takes part in equality: the same fields with another past are another value."""
    plain = build(kind)
    event = next(e for e in ("abandon", "void", "ignore", "cancel") if plain.may(e))
    with_past = getattr(plain, event)(at=T0)
    assert with_past != attrs.evolve(with_past, history=())


def test_entities_that_differ_in_one_field_are_not_equal() -> None:
    """Equality looks at every field, not only the id."""
    assert invoice(total="10.00") != invoice(total="10.01")
    assert order() != order(live_mode=False)


def test_collections_given_as_lists_are_held_as_tuples() -> None:
    """Line items, fulfillment lines and history are tuples, whatever sequence was given."""
    change = Change("issue", "draft", "unpaid", T0)
    made_invoice = invoice(
        lines=[invoice_line(1), invoice_line(2)], history=[change], status="unpaid"
    )
    made_order = order(lines=[order_line()], history=[])
    made_fulfillment = fulfillment(lines=[FulfillmentLine(invoice_line_item_id=1, quantity=1)])
    assert type(made_invoice.line_items) is tuple
    assert type(made_invoice.history) is tuple
    assert type(made_order.line_items) is tuple
    assert type(made_order.history) is tuple
    assert type(made_fulfillment.lines) is tuple
    assert made_invoice.history == (change,)


def test_a_history_given_as_plain_tuples_becomes_change_records() -> None:
    """History entries are ``Change(event, source, dest, at)`` records, oldest first."""
    made = invoice("unpaid", history=[("issue", "draft", "unpaid", T0)])
    (change,) = made.history
    assert isinstance(change, Change)
    assert (change.event, change.source, change.dest, change.at) == (
        "issue",
        "draft",
        "unpaid",
        T0,
    )


def test_a_line_item_collection_refuses_other_objects() -> None:
    """An order's lines must be ``OrderLineItem``s; an invoice's, ``InvoiceLineItem``s."""
    with pytest.raises(InvalidTypeError, match=r"line_items\[0\]"):
        order(lines=[invoice_line()])
    with pytest.raises(InvalidTypeError, match=r"line_items\[0\]"):
        invoice(lines=[order_line()])


# -- order type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payment_types", "expected"),
    [
        (["one_time"], OrderType.ONE_TIME),
        (["one_time", "debit"], OrderType.ONE_TIME),
        (["one_time", "subscription"], OrderType.SUBSCRIPTION),
        (["payment_plan"], OrderType.SUBSCRIPTION),
        ([], OrderType.ONE_TIME),
    ],
)
def test_order_type_is_derived_from_the_line_items_when_none_is_given(
    payment_types: list[str], expected: OrderType
) -> None:
    """With no type given, any recurring line (subscription, payment_plan) makes a subscription."""
    lines = [order_line(i, payment_type=kind) for i, kind in enumerate(payment_types)]
    made = Order(id=1, contact_id=2, currency="USD", line_items=tuple(lines))
    assert made.order_type is expected


def test_a_given_order_type_wins_over_the_line_items() -> None:
    """An explicit ``order_type`` is kept, as the API's own value, even against the lines."""
    lines = (order_line(payment_type="subscription"),)
    made = loosely(Order)(
        id=1, contact_id=2, currency="USD", line_items=lines, order_type="one-time-order"
    )
    assert made.order_type is OrderType.ONE_TIME
    assert order(order_type=SUBSCRIPTION, lines=[order_line()]).order_type is SUBSCRIPTION


def test_an_unknown_payment_type_is_accepted_as_a_one_time_payment() -> None:
    """``payment_type`` is an open string: an unknown one is kept, and is not recurring."""
    line = order_line(payment_type="debit")
    assert line.payment_type == "debit"
    assert line.is_recurring is False


def test_live_mode_must_be_a_bool() -> None:
    """``live_mode`` is a JSON boolean; a string is refused."""
    with pytest.raises(InvalidTypeError, match="live_mode"):
        order(live_mode="false")


def test_order_defaults_to_payments_ai() -> None:
    """The builders' default processor is the contract's default processor."""
    assert order().payment_processor is PAI


def test_extra_is_detached_from_the_mapping_it_was_built_from() -> None:
    """Changing the caller's mapping afterwards does not change the entity."""
    raw: dict[str, Any] = {"notes": {"tags": [1]}}
    made = order_line(extra=raw)
    raw["notes"]["tags"].append(2)
    raw["new"] = True
    assert made.extra == {"notes": {"tags": [1]}}


def test_extra_hands_out_copies_and_refuses_assignment() -> None:
    """Nothing read from extra reaches back into the frozen entity."""
    made = order_line(extra={"notes": {"tags": [1]}})
    made.extra["notes"]["tags"].append(2)
    assert made.extra == {"notes": {"tags": [1]}}
    with pytest.raises(TypeError):
        made.extra["notes"] = {}  # type: ignore[index]  # the point of the test
