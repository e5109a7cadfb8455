"""Laws of the payload layer: round trips both ways, and PayloadError for any bad input."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    PayloadError,
)
from clickfunnels_orders.testing.strategies import amounts, fulfillments, invoices, orders

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
Entity = Order | Invoice | Fulfillment


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


PUBLISHED: list[tuple[type[Entity], Any]] = [
    (Order, load("order_example")),
    (Invoice, load("orders_invoice_example")),
    (Fulfillment, load("fulfillment_example")),
]


def without_history(entity: Any) -> Any:
    """Return ``entity`` as far as the API can say it.

    That is without history and, for an invoice, without an amount_refunded that its
    status does not determine.
    """
    if isinstance(entity, Invoice):
        refunded = entity.amount_refunded if entity.status is InvoiceStatus.REFUNDED else Decimal(0)
        lines = tuple(attrs.evolve(line, history=()) for line in entity.line_items)
        return attrs.evolve(entity, history=(), amount_refunded=refunded, line_items=lines)
    return attrs.evolve(entity, history=())


entities = st.one_of(orders(), invoices(), fulfillments())


@given(entities)
def test_structuring_an_entitys_payload_gives_the_entity_back(entity: Entity) -> None:
    """from_api(e.to_api()) == e, except history and an undetermined amount_refunded."""
    assert type(entity).from_api(entity.to_api()) == without_history(entity)


@given(entities)
def test_an_entitys_payload_survives_json_text(entity: Entity) -> None:
    """The payload is plain JSON: through json text and back it reads the same."""
    text = json.dumps(entity.to_api())
    assert type(entity).from_api(json.loads(text, parse_float=Decimal)) == without_history(entity)


@given(entities)
def test_a_payload_read_and_written_comes_back_equal(entity: Entity) -> None:
    """to_api(from_api(p)) == p for every payload the library writes."""
    payload = entity.to_api()
    assert type(entity).from_api(payload).to_api() == payload


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def objects_in(value: Any) -> list[dict[str, Any]]:
    """Every JSON object inside ``value``, ``value`` included."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found.extend(objects_in(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(objects_in(item))
    return found


@st.composite
def payloads_with_unknown_fields(draw: st.DrawFn) -> tuple[type[Entity], Any]:
    """A published or generated payload with fields the model does not know added."""
    cls, payload = draw(
        st.sampled_from(PUBLISHED) | entities.map(lambda entity: (type(entity), entity.to_api()))
    )
    payload = copy.deepcopy(payload)
    targets = objects_in(payload)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        target = draw(st.sampled_from(targets))
        key = draw(st.text(min_size=1, max_size=6))
        if key not in target:
            target[key] = draw(json_values)
    return cls, payload


@given(payloads_with_unknown_fields())
def test_fields_the_model_does_not_know_come_back_untouched(case: tuple[type[Entity], Any]) -> None:
    """Unknown fields anywhere in a payload are carried through a round trip unchanged."""
    cls, payload = case
    assert cls.from_api(payload).to_api() == payload


# -- fuzzing: only PayloadError ------------------------------------------------------------

garbage = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(),
    st.decimals(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "1e999999",
            "NaN",
            "-0",
            "-1",
            "Infinity",
            "9.99",
            "2025-13-45T00:00:00Z",
            "2025-04-21T14:47:47.000Z",
            "2025-04-21",
            "paid",
            "usd",
            "fulfilled",
            "subscription",
        ]
    ),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
Location = tuple[str | int, ...]


def locations(value: Any, here: Location = ()) -> list[Location]:
    """Every key and index inside ``value``, as paths from its root."""
    found: list[Location] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*here, key))
            found.extend(locations(item, (*here, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*here, index))
            found.extend(locations(item, (*here, index)))
    return found


def mutate(payload: Any, location: Location, change: Callable[[Any, str | int], None]) -> None:
    """Apply ``change(parent, key)`` at ``location`` in ``payload``."""
    parent = payload
    for step in location[:-1]:
        parent = parent[step]
    change(parent, location[-1])


def delete(parent: Any, key: str | int) -> None:
    """Remove ``parent[key]``."""
    parent.pop(key)


def replace_with(value: Any) -> Callable[[Any, str | int], None]:
    """Return a change that puts ``value`` at ``parent[key]``."""

    def change(parent: Any, key: str | int) -> None:
        parent[key] = value

    return change


@st.composite
def mutated_payloads(draw: st.DrawFn) -> tuple[type[Entity], Any]:
    """A valid payload with one to three keys deleted or values replaced by garbage."""
    cls, payload = draw(
        st.sampled_from(PUBLISHED) | entities.map(lambda entity: (type(entity), entity.to_api()))
    )
    payload = copy.deepcopy(payload)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = locations(payload)
        if not places:
            break
        location = draw(st.sampled_from(places))
        if draw(st.booleans()):
            mutate(payload, location, delete)
        else:
            mutate(payload, location, replace_with(draw(garbage)))
    return cls, payload


def has_nan(value: Any) -> bool:
    """Whether ``value`` holds a NaN anywhere (NaN equals nothing, not even itself)."""
    if isinstance(value, dict):
        return any(has_nan(item) for item in value.values())
    if isinstance(value, list):
        return any(has_nan(item) for item in value)
    if isinstance(value, Decimal):
        return value.is_nan()
    if isinstance(value, float):
        return math.isnan(value)
    return False


@given(mutated_payloads())
def test_a_mutated_payload_is_read_or_refused_with_a_payload_error(
    case: tuple[type[Entity], Any],
) -> None:
    """Wrong types, missing keys and garbage raise only PayloadError; valid ones round-trip."""
    cls, payload = case
    try:
        entity = cls.from_api(payload)
    except PayloadError as error:
        refused: PayloadError | None = error
    else:
        refused = None
        if not has_nan(payload):
            assert cls.from_api(entity.to_api()) == entity
    if refused is not None:
        assert isinstance(refused.path, str)
        assert str(refused).startswith(refused.path or "<payload>")


@given(st.sampled_from([Order, Invoice, Fulfillment]), json_values)
def test_any_json_value_is_read_or_refused_with_a_payload_error(
    cls: type[Entity], value: Any
) -> None:
    """Arbitrary JSON, object or not, never raises anything but PayloadError."""
    with contextlib.suppress(PayloadError):
        cls.from_api(value)


@given(
    total=amounts(),
    line_amount=amounts(),
    paid_share=st.integers(min_value=0, max_value=2),
    status=st.sampled_from(InvoiceStatus),
)
def test_money_over_the_whole_accepted_range_round_trips(
    total: Decimal, line_amount: Decimal, paid_share: int, status: InvoiceStatus
) -> None:
    """Any amount an invoice accepts comes back equal through to_api, JSON text and from_api."""
    paid = (Decimal(0), total, total)[paid_share]
    line = InvoiceLineItem(id=1, invoice_id=7, variant_id=3, quantity=1, amount=line_amount)
    invoice = Invoice(
        id=7,
        order_id=2,
        status=status,
        line_items=(line,),
        currency="USD",
        total_amount=total,
        amount_paid=paid,
    )
    text = json.dumps(invoice.to_api())
    back = Invoice.from_api(json.loads(text, parse_float=Decimal))
    assert (back.total_amount, back.amount_paid) == (total, paid)
    assert back.line_items[0].amount == line_amount


def test_the_amount_that_once_failed_the_round_trip_now_survives_it() -> None:
    """One significant digit far beyond the cents is kept, both ways."""
    amount = Decimal("1.0000000000000000000000000000000001")
    invoice = Invoice(
        id=1, order_id=2, status="unpaid", line_items=(), currency="USD", total_amount=amount
    )
    assert Invoice.from_api(invoice.to_api()).total_amount == amount


def test_an_id_json_cannot_carry_is_refused_when_written() -> None:
    """Any hashable is an id inside the library; to_api names one JSON cannot hold."""
    invoice = Invoice(
        id=uuid.UUID(int=5),
        order_id=2,
        status="unpaid",
        line_items=(),
        currency="USD",
        total_amount=Decimal(1),
    )
    with pytest.raises(PayloadError, match=r"^id: .*expected an id the API can carry"):
        invoice.to_api()
