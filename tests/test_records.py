"""Entities as records: ``to_record()`` and ``attrs.asdict`` (API.md section 13)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given

from _builders import (
    PAI,
    SUBSCRIPTION,
    T0,
    I,
    at,
    fulfillment,
    invoice,
    invoice_line,
    order,
    order_line,
)
from clickfunnels_orders import (
    Change,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceStatus,
    Order,
    Restock,
    ServiceStatus,
    Transaction,
)
from clickfunnels_orders.testing.strategies import fulfillments, invoices, orders

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"

#: The scalar fields API.md section 3 names for each entity (more are welcome).
CONTRACT_FIELDS = {
    "OrderLineItem": {
        "id",
        "variant_id",
        "quantity",
        "amount",
        "payment_type",
        "fulfillment_required",
    },
    "Order": {
        "id",
        "contact_id",
        "currency",
        "payment_processor",
        "live_mode",
        "service_status",
        "billing_status",
        "order_type",
        "created_at",
        "canceled_at",
        "churned_at",
        "cancel_reason",
        "paid_until",
    },
    "InvoiceLineItem": {
        "id",
        "invoice_id",
        "variant_id",
        "quantity",
        "amount",
        "fulfillment_required",
        "fulfillment_status",
    },
    "Invoice": {
        "id",
        "order_id",
        "status",
        "currency",
        "total_amount",
        "amount_paid",
        "amount_refunded",
        "issued_at",
        "due_at",
        "paid_at",
        "payment_processor",
    },
    "FulfillmentLine": {"invoice_line_item_id", "quantity"},
    "Transaction": {
        "id",
        "order_id",
        "status",
        "external_type",
        "result",
        "amount",
        "currency",
        "reason",
        "adjusted_transaction_id",
        "created_at",
    },
    "Restock": {"id", "status"},
    "Fulfillment": {"id", "status", "created_at"},
}
SCALARS = (str, int, bool, Decimal, dt.datetime, type(None))


def payload_entity(cls: Any, name: str) -> Any:
    """An entity read from one of the API's example payloads."""
    return cls.from_api(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def every_entity() -> list[Any]:
    """One of each entity class, each with a history where it has one."""
    paid = invoice(I.UNPAID, lines=[invoice_line(1), invoice_line(2)]).pay(at=at(1))
    return [
        order(PAI, SUBSCRIPTION).activate(at=at(1)),
        order_line(),
        paid,
        invoice_line().ignore(at=at(2)),
        fulfillment().cancel(at=at(3)),
        FulfillmentLine(invoice_line_item_id=1, quantity=2),
        payload_entity(Transaction, "orders_transaction_example"),
        payload_entity(Restock, "restock_example"),
    ]


ENTITIES = pytest.mark.parametrize("entity", every_entity(), ids=lambda e: type(e).__name__)


@ENTITIES
def test_a_record_holds_every_scalar_field_of_the_contract(entity: Any) -> None:
    """``to_record()`` has a key for each scalar field API.md section 3 names."""
    assert CONTRACT_FIELDS[type(entity).__name__] <= set(entity.to_record())


@ENTITIES
def test_a_record_is_flat_and_holds_the_values_as_the_entity_does(entity: Any) -> None:
    """No nesting: every value is a scalar, the very object the entity holds."""
    record = entity.to_record()
    assert type(record) is dict
    for key, value in record.items():
        assert isinstance(value, SCALARS), (key, value)
        assert value is getattr(entity, key)


@ENTITIES
def test_a_record_leaves_out_collections_and_carried_payload_fields(entity: Any) -> None:
    """Line items, lines, history and the carried ``extra`` keys are not in a record."""
    assert not {"line_items", "lines", "history", "extra"} & set(entity.to_record())


def test_a_record_keeps_the_types_money_moments_and_statuses_have() -> None:
    """Money stays ``Decimal``, moments aware ``datetime``s, statuses the enums."""
    record = invoice(I.UNPAID, total="58.00").pay(at=at(5)).to_record()
    assert record["total_amount"] == Decimal("58.00")
    assert record["amount_paid"] == Decimal("58.00")
    assert record["status"] is InvoiceStatus.PAID
    assert record["paid_at"] == at(5)


def test_records_follow_the_field_order() -> None:
    """Keys come in the order the class declares its fields (``id`` first)."""
    record = invoice().to_record()
    names = [f.name for f in attrs.fields(Invoice) if f.name in record]
    assert list(record) == names
    assert next(iter(record)) == "id"


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (Order, "order_example"),
        (Invoice, "orders_invoice_example"),
        (Fulfillment, "fulfillment_example"),
    ],
)
def test_a_record_of_an_entity_read_from_a_payload_has_no_payload_keys(cls: Any, name: str) -> None:
    """An entity read from the API carries many more keys; its record names only fields."""
    payload = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    entity = cls.from_api(payload)
    field_names = {f.name for f in attrs.fields(cls)}
    assert set(entity.to_record()) <= field_names
    assert "public_id" not in entity.to_record()


@ENTITIES
def test_attrs_asdict_works_on_every_entity(entity: Any) -> None:
    """``attrs.asdict`` recurses into line items and history without failing."""
    as_dict = attrs.asdict(entity)
    assert as_dict.keys() == {f.name for f in attrs.fields(type(entity))}
    for change in as_dict.get("history", ()):
        assert set(change) == {"event", "source", "dest", "at"}


def test_asdict_turns_each_change_into_a_dict() -> None:
    """A history record becomes ``{"event", "source", "dest", "at"}``."""
    cancelled = fulfillment().cancel(at=at(3))
    assert attrs.asdict(cancelled)["history"] == (
        {
            "event": "cancel",
            "source": FulfillmentStatus.FULFILLED,
            "dest": FulfillmentStatus.CANCELLED,
            "at": at(3),
        },
    )


@given(orders(), invoices(), fulfillments())
def test_asdict_and_records_work_on_every_generated_entity(
    made_order: Order, made_invoice: Invoice, made_fulfillment: Fulfillment
) -> None:
    """Whatever status and history an entity has, both ways to a dict work."""
    for entity in (made_order, made_invoice, made_fulfillment):
        assert attrs.asdict(entity)["id"] == entity.id
        assert all(isinstance(v, SCALARS) for v in entity.to_record().values())
    for line in made_invoice.line_items:
        assert line.to_record()["invoice_id"] == made_invoice.id


# -- Change -------------------------------------------------------------------------------


def test_a_change_is_built_positionally_or_by_keyword_and_compares_by_value() -> None:
    """``Change(event, source, dest, at)`` and its keyword form are one value."""
    positional = Change("issue", I.DRAFT, I.UNPAID, T0)
    keyword = Change(event="issue", source=I.DRAFT, dest=I.UNPAID, at=T0)
    assert positional == keyword
    assert hash(positional) == hash(keyword)
    assert positional != Change("issue", I.DRAFT, I.UNPAID, at(1))


def test_a_change_is_frozen_and_an_attrs_class() -> None:
    """A change cannot be altered, and attrs recognises it."""
    change = Change("issue", I.DRAFT, I.UNPAID, T0)
    assert attrs.has(Change)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        change.event = "pay"  # type: ignore[misc]  # the point: it is frozen


def test_changes_order_as_tuples_of_their_fields_do() -> None:
    """Changes sort by event, then source, dest and moment, as the old tuple did."""
    early = Change("pay", I.UNPAID, I.PAID, at(1))
    late = Change("pay", I.UNPAID, I.PAID, at(2))
    assert early < late
    assert sorted([late, early]) == [early, late]


def test_a_change_unpacks_into_its_four_fields() -> None:
    """``event, source, dest, at = change`` still works."""
    event, source, dest, moment = Change("cancel", "pending", "canceled", T0)
    assert (event, source, dest, moment) == ("cancel", "pending", "canceled", T0)


def test_an_entity_keeps_its_change_records_as_given() -> None:
    """A history of ``Change`` records is held as equal records, statuses as members."""
    change = Change("activate", "pending", "active", T0)
    made = order(PAI, SUBSCRIPTION, ServiceStatus.ACTIVE, history=[change])
    assert made.history == (change,)
    assert made.history[0].dest is ServiceStatus.ACTIVE
