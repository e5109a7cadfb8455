"""The API's enumerations: StrEnums whose members and values are API.md section 2's."""

from __future__ import annotations

import enum

import pytest

from clickfunnels_orders import (
    BillingStatus,
    FulfillmentStatus,
    InvoiceFulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

INVOICE_STATUSES = {
    "DRAFT": "draft",
    "UNPAID": "unpaid",
    "PARTIALLY_PAID": "partially-paid",
    "PAID": "paid",
    "PAST_DUE": "past-due",
    "ABANDONED": "abandoned",
    "VOIDED": "voided",
    "PARTIALLY_REFUNDED": "partially-refunded",
    "REFUNDED": "refunded",
    "DISPUTED": "disputed",
}

#: Every enum of API.md section 2, with its members by name and value.
CONTRACT: dict[type[enum.StrEnum], dict[str, str]] = {
    InvoiceStatus: INVOICE_STATUSES,
    LineItemFulfillmentStatus: {
        "UNFULFILLED": "unfulfilled",
        "PARTIALLY_FULFILLED": "partially_fulfilled",
        "FULFILLED": "fulfilled",
        "COMPLETE": "complete",
        "IGNORED": "ignored",
    },
    InvoiceFulfillmentStatus: {
        "NOT_APPLICABLE": "not_applicable",
        "UNFULFILLED": "unfulfilled",
        "PARTIAL": "partial",
        "COMPLETE": "complete",
    },
    OrderFulfillmentStatus: {
        "NOT_APPLICABLE": "not_applicable",
        "UNFULFILLED": "unfulfilled",
        "PARTIALLY_FULFILLED": "partially_fulfilled",
        "FULFILLED": "fulfilled",
    },
    FulfillmentStatus: {
        "FULFILLED": "fulfilled",
        "CANCELLED": "cancelled",
        "RESTOCKED": "restocked",
    },
    ServiceStatus: {
        "PENDING": "pending",
        "ACTIVE": "active",
        "PAUSED": "paused",
        "SUSPENDED": "suspended",
        "CANCELED": "canceled",
        "CHURNED": "churned",
        "COMPLETED": "completed",
        "ABANDONED": "abandoned",
        "VOIDED": "voided",
    },
    BillingStatus: {**INVOICE_STATUSES, "PENDING": "pending"},
    OrderType: {"ONE_TIME": "one-time-order", "SUBSCRIPTION": "subscription-order"},
    PaymentProcessor: {
        "PAYMENTS_AI": "payments_ai",
        "STRIPE": "stripe",
        "EXTERNAL": "external",
    },
}

ENUMS = pytest.mark.parametrize("enum_cls", list(CONTRACT), ids=lambda cls: cls.__name__)


@ENUMS
def test_each_status_enum_is_a_str_enum(enum_cls: type[enum.StrEnum]) -> None:
    """Every enumeration is an ``enum.StrEnum``, so its members are the API's strings."""
    assert issubclass(enum_cls, enum.StrEnum)


@ENUMS
def test_each_status_enum_has_exactly_the_contract_members_and_values(
    enum_cls: type[enum.StrEnum],
) -> None:
    """Every enumeration holds exactly API.md's members, each with the API's exact string."""
    assert {member.name: member.value for member in enum_cls} == CONTRACT[enum_cls]


@ENUMS
def test_members_compare_equal_to_and_are_looked_up_by_the_api_strings(
    enum_cls: type[enum.StrEnum],
) -> None:
    """A member equals its API string, formats as it, and is found from it."""
    for name, value in CONTRACT[enum_cls].items():
        member = enum_cls[name]
        assert member == value
        assert str(member) == value
        assert f"{member}" == value
        assert enum_cls(value) is member


def test_billing_status_holds_every_invoice_status_plus_pending() -> None:
    """``BillingStatus`` mirrors invoices: each invoice status converts, plus ``pending``."""
    assert {s.value for s in BillingStatus} == {s.value for s in InvoiceStatus} | {"pending"}
    for status in InvoiceStatus:
        assert BillingStatus(status.value).value == status.value


def test_separators_are_the_apis_own_mix_of_hyphens_and_underscores() -> None:
    """Invoice statuses use hyphens while fulfillment statuses use underscores, as the API."""
    assert InvoiceStatus.PARTIALLY_PAID.value == "partially-paid"
    assert LineItemFulfillmentStatus.PARTIALLY_FULFILLED.value == "partially_fulfilled"
    assert FulfillmentStatus.CANCELLED.value == "cancelled"
    assert ServiceStatus.CANCELED.value == "canceled"


def test_an_unknown_status_string_is_not_a_member() -> None:
    """Looking up a string outside the API's list fails rather than inventing a member."""
    with pytest.raises(ValueError, match="partially_paid"):
        InvoiceStatus("partially_paid")
