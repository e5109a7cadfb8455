"""FrozenJson, the carried payload fields: cheap lookups, a fixed depth bound, pickling."""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    Invoice,
    Order,
    PayloadError,
    Restock,
    Transaction,
    parse_webhook,
)
from clickfunnels_orders import _values as values_module
from clickfunnels_orders._values import FrozenJson
from clickfunnels_orders.payloads import MAX_JSON_DEPTH
from clickfunnels_orders.testing.strategies import (
    fulfillments,
    invoices,
    orders,
    restocks,
    transactions,
)

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def nested(levels: int) -> Any:
    """A chain of ``levels`` objects, each holding the next under ``"a"``."""
    value: Any = {}
    for _ in range(levels - 1):
        value = {"a": value}
    return value


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every deep copy FrozenJson makes."""
    made: list[object] = []
    original = values_module.copy_json

    def counting(value: Any) -> Any:
        made.append(value)
        return original(value)

    monkeypatch.setattr(values_module, "copy_json", counting)
    return made


def test_membership_copies_nothing(copies: list[object]) -> None:
    """``key in extra`` looks the key up; it copies no value (not even the embedded order)."""
    invoice = Invoice.from_api(load("orders_invoice_example"))
    copies.clear()  # reading copies the payload; looking up must not
    assert "order" in invoice.extra
    assert "no such key" not in invoice.extra
    assert copies == []


def test_get_copies_only_the_value_it_returns(copies: list[object]) -> None:
    """``get`` of a missing key copies nothing; of a present one, that value alone, once."""
    invoice = Invoice.from_api(load("orders_invoice_example"))
    copies.clear()
    assert invoice.extra.get("no such key", 5) == 5
    assert copies == []
    order = invoice.extra.get("order")
    assert order["id"] == 4
    assert copies[0] == load("orders_invoice_example")["order"]
    made = len(copies)
    values_module.copy_json(order)  # what copying the order alone takes
    assert made == len(copies) - made


def test_get_hands_out_a_copy() -> None:
    """A value got from extra can be changed without reaching back into the entity."""
    fulfillment = Fulfillment(id=1, lines=(), extra={"notes": {"tags": [1]}})
    fulfillment.extra.get("notes")["tags"].append(2)
    assert fulfillment.extra == {"notes": {"tags": [1]}}


def test_comparing_copies_nothing(copies: list[object]) -> None:
    """Equality with a mapping compares in place."""
    extra = FrozenJson({"notes": {"tags": [1]}, "n": 1})
    assert extra == {"notes": {"tags": [1]}, "n": 1}
    assert extra != {"notes": {"tags": [2]}, "n": 1}
    assert extra == FrozenJson({"n": 1, "notes": {"tags": [1]}})
    assert copies == []


def test_nesting_up_to_the_bound_is_carried() -> None:
    """A carried value whose deepest object is at the bound's level is kept and written."""
    payload = load("fulfillment_example") | {"x": nested(MAX_JSON_DEPTH - 1)}
    fulfillment = Fulfillment.from_api(payload)
    assert fulfillment.to_api() == payload
    assert pickle.loads(pickle.dumps(fulfillment)) == fulfillment  # noqa: S301  because the data is our own


def test_nesting_beyond_the_bound_is_refused_naming_the_path() -> None:
    """One level more is refused with PayloadError at the object that is too deep."""
    payload = load("fulfillment_example") | {"x": nested(MAX_JSON_DEPTH)}
    with pytest.raises(PayloadError, match="nested deeper than 64 levels") as caught:
        Fulfillment.from_api(payload)
    assert caught.value.path == "x" + ".a" * (MAX_JSON_DEPTH - 1)


def test_the_bound_counts_from_a_nested_line_and_names_its_path() -> None:
    """In an invoice line, the path starts at the line, as the payload writes it."""
    payload = load("orders_invoice_example")
    payload["line_items"][0]["meta"] = [nested(MAX_JSON_DEPTH - 1)]
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "line_items[0].meta[0]" + ".a" * (MAX_JSON_DEPTH - 2)


@pytest.mark.parametrize("levels", [100, 400, 5000])
def test_a_deep_webhook_body_is_refused_with_a_payload_error_not_a_recursion_error(
    levels: int,
) -> None:
    """A body nested past the bound is refused with PayloadError, however deep it goes."""
    data = load("orders_invoice_example") | {"x": "deep"}
    envelope = {
        "event_id": "e1",
        "event_type": "orders/invoice.paid",
        "subject_type": "Orders::Invoice",
        "data": data,
    }
    deep = '{"a": ' * (levels - 1) + "{}" + "}" * (levels - 1)
    text = json.dumps(envelope).replace('"deep"', deep)
    with pytest.raises(PayloadError):
        parse_webhook(text.encode())


def test_a_webhook_body_nested_past_the_bound_names_the_path_under_data() -> None:
    """Past the bound (and well within the stack), the path is the payload's own."""
    data = load("orders_invoice_example") | {"x": nested(100)}
    envelope = {
        "event_id": "e1",
        "event_type": "orders/invoice.paid",
        "subject_type": "Orders::Invoice",
        "data": data,
    }
    with pytest.raises(PayloadError) as caught:
        parse_webhook(json.dumps(envelope).encode())
    assert caught.value.path == "data.x" + ".a" * (MAX_JSON_DEPTH - 1)


def test_hand_built_extra_nested_too_deeply_is_refused() -> None:
    """The bound holds for extra given by hand, named from ``extra``."""
    with pytest.raises(PayloadError) as caught:
        Order(id=1, contact_id=2, currency="USD", line_items=(), extra={"x": nested(64)})
    assert caught.value.path.startswith("extra.x.a")


FIXTURE_ENTITIES = [
    (Order, "order_example"),
    (Invoice, "orders_invoice_example"),
    (Fulfillment, "fulfillment_example"),
    (Transaction, "orders_transaction_example"),
    (Restock, "restock_example"),
]


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(("cls", "name"), FIXTURE_ENTITIES, ids=[n for _, n in FIXTURE_ENTITIES])
def test_entities_read_from_payloads_pickle_under_every_protocol(
    cls: type[Order | Invoice | Fulfillment | Transaction | Restock], name: str, protocol: int
) -> None:
    """Unpickled, an entity equals itself and still writes its payload exactly."""
    entity = cls.from_api(json.loads((FIXTURES / f"{name}.json").read_text(), parse_float=Decimal))
    back = pickle.loads(pickle.dumps(entity, protocol))  # noqa: S301  because the data is our own
    assert back == entity
    assert back.to_api() == entity.to_api()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_frozen_json_pickles_under_every_protocol(protocol: int) -> None:
    """A FrozenJson of every JSON type, a JsonNumber included, comes back equal."""
    extra = FrozenJson({"a": [1, 2.5, "x", None, True], "b": {"c": Decimal("0.30")}, "t": (1,)})
    back = pickle.loads(pickle.dumps(extra, protocol))  # noqa: S301  because the data is our own
    assert type(back) is FrozenJson
    assert back == extra
    assert back["b"]["c"].exact == Decimal("0.30")


@given(
    st.one_of(orders(), invoices(), fulfillments(), transactions(), restocks()),
    st.sampled_from(PROTOCOLS),
)
def test_generated_entities_pickle_and_compare_equal(entity: Any, protocol: int) -> None:
    """Any entity, with its history and extra, survives pickling under any protocol."""
    back = pickle.loads(pickle.dumps(entity, protocol))  # noqa: S301  because the data is our own
    assert back == entity
    assert back.history == entity.history


def stack_depth() -> int:
    """How many frames are on the stack now."""
    frame = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]  # None ends the walk
    return depth


def at_stack_headroom(frames: int, work: Callable[[], object]) -> object:
    """Run ``work`` with only ``frames`` frames left below the recursion limit."""
    if sys.getrecursionlimit() - stack_depth() <= frames:
        return work()
    return at_stack_headroom(frames, work)


def test_an_entity_at_the_depth_bound_is_written_compared_and_pickled_deep_in_a_stack() -> None:
    """With the bound fixed, a caller deep in its own stack can still use the entity."""
    payload = load("fulfillment_example") | {"x": nested(MAX_JSON_DEPTH - 1)}
    fulfillment = Fulfillment.from_api(payload)
    twin = Fulfillment.from_api(payload)

    def work() -> object:
        written = fulfillment.to_api()
        back = pickle.loads(pickle.dumps(fulfillment, 0))  # noqa: S301  because the data is our own
        return written == payload and back == twin and fulfillment == twin

    assert at_stack_headroom(300, work) is True
