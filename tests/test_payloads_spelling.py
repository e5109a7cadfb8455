"""An entity's spelling: how its payload wrote what the model reads, kept as a field of its own."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    InvalidTypeError,
    Invoice,
    Order,
    PayloadError,
)
from clickfunnels_orders.payloads import (
    MAX_JSON_DEPTH,
    Spelling,
    _values,
    dump_moment,
    parse_moment,
)
from clickfunnels_orders.payloads._values import is_canonical_moment

FIXTURES = Path(__file__).parent / "fixtures" / "clickfunnels"
AT = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def load(name: str) -> Any:
    """Return a decoded copy of a published example payload."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def two_lines() -> dict[str, Any]:
    """The published invoice with a second line of the same shape."""
    payload: dict[str, Any] = load("orders_invoice_example")
    second = copy.deepcopy(payload["line_items"][0]) | {"id": 4}
    payload["line_items"].append(second)
    payload["total_amount"] = "19.98"
    return payload


def test_an_entity_read_from_a_payload_has_a_spelling_and_one_built_by_hand_none() -> None:
    """from_api sets ``spelling``, with the payload's key order; a hand-built entity has None."""
    payload = load("orders_invoice_example")
    invoice = Invoice.from_api(payload)
    assert isinstance(invoice.spelling, Spelling)
    assert invoice.spelling.keys == tuple(payload)
    assert attrs.evolve(invoice, spelling=None).spelling is None


def test_the_spelling_is_never_compared() -> None:
    """Two entities that differ only in their spelling are equal, and hash alike."""
    order = Order.from_api(load("order_example"))
    bare = attrs.evolve(order, spelling=None)
    assert bare == order
    assert hash(bare) == hash(order)
    assert "spelling" not in repr(order)


def test_a_spelling_is_refused_unless_it_is_one() -> None:
    """Anything but None or a Spelling in ``spelling`` is refused, naming the field."""
    order = Order.from_api(load("order_example"))
    junk: Any = {"keys": ("id",)}
    with pytest.raises(InvalidTypeError, match=r"^spelling: "):
        attrs.evolve(order, spelling=junk)


def test_lines_of_one_shape_share_one_spelling() -> None:
    """Lines with the same keys and nothing unusual share one Spelling object (memory)."""
    invoice = Invoice.from_api(two_lines())
    first, second = invoice.line_items
    assert first.spelling is second.spelling
    assert first.extra.containers is second.extra.containers  # type: ignore[attr-defined]


def test_the_spelling_survives_events_and_keeps_the_payloads_key_order() -> None:
    """After pay(), to_api() still writes the payload's keys in the payload's order."""
    payload = load("orders_invoice_example") | {"status": "unpaid", "due_amount": "9.99"}
    invoice = Invoice.from_api(payload)
    paid = invoice.pay(at=AT)
    assert paid.spelling is invoice.spelling
    assert list(paid.to_api()) == list(payload)


def test_an_unusual_spelling_is_kept_while_its_value_holds_and_dropped_once_it_changes() -> None:
    """A timestamp with an offset comes back as written; once changed, in the API's form."""
    payload = load("orders_invoice_example") | {
        "status": "unpaid",
        "due_amount": "9.99",
        "paid_at": None,
        "due_at": "2025-05-28T16:47:47+02:00",
    }
    invoice = Invoice.from_api(payload)
    assert invoice.to_api()["due_at"] == "2025-05-28T16:47:47+02:00"
    moved = attrs.evolve(invoice, due_at=AT)
    assert moved.to_api()["due_at"] == dump_moment(AT)


def test_a_money_number_keeps_being_a_number_while_it_holds() -> None:
    """An amount sent as a JSON number goes back as that number, until it changes."""
    payload = load("orders_invoice_example") | {"total_amount": 9.99}
    invoice = Invoice.from_api(payload)
    assert invoice.to_api()["total_amount"] == 9.99
    json.dumps(invoice.to_api())


def test_a_list_given_as_a_tuple_comes_back_as_one() -> None:
    """A payload built with tuples for its lists writes them back as tuples."""
    payload = load("fulfillment_example")
    payload["included_invoices_line_items"] = tuple(payload["included_invoices_line_items"])
    fulfillment = Fulfillment.from_api(payload)
    assert fulfillment.to_api() == payload
    assert isinstance(fulfillment.to_api()["included_invoices_line_items"], tuple)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_spelling_with_absent_keys_pickles_and_still_writes_the_payload(protocol: int) -> None:
    """Absent keys stay absent after pickling: the marks keep their identity."""
    payload = load("order_example")
    for key in ("paid_until", "live_mode", "order_type"):
        payload.pop(key, None)
    order = Order.from_api(payload)
    back = pickle.loads(pickle.dumps(order, protocol))  # noqa: S301  because the data is our own
    assert back.to_api() == payload == order.to_api()


def test_records_leave_the_spelling_out_and_asdict_works() -> None:
    """to_record() has no spelling; attrs.asdict of an entity read from a payload works."""
    invoice = Invoice.from_api(load("orders_invoice_example"))
    assert "spelling" not in invoice.to_record()
    assert attrs.asdict(invoice)["id"] == invoice.id


def test_carried_json_nested_too_deep_is_refused_with_its_path() -> None:
    """A carried value nested deeper than the bound is refused, naming the key it sits under."""
    deep: Any = 1
    for _ in range(MAX_JSON_DEPTH + 1):
        deep = [deep]
    payload = load("orders_invoice_example")
    payload["line_items"][0]["notes"] = deep
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path.startswith("line_items[0].notes[0]")


def test_a_carried_int_too_wide_to_write_is_refused_with_its_path() -> None:
    """A carried int of thousands of digits is refused at its path (in a list or an object)."""
    payload = load("orders_invoice_example")
    payload["order"]["tag_ids"] = [1, 2**14_000]
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "order.tag_ids[1]"
    payload["order"]["tag_ids"] = []
    payload["order"]["workspace_id"] = 2**14_000
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "order.workspace_id"


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001  because the zone is given below
        max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001  ditto
        timezones=st.just(dt.UTC),
    ),
    st.sampled_from(["Z", "+00:00", "+01:30", "-05:00"]),
    st.sampled_from(["T", " "]),
    st.sampled_from([0, 3, 6]),
)
def test_a_timestamp_taken_as_canonical_by_its_layout_is_written_back_as_it_came(
    moment: dt.datetime, zone: str, separator: str, digits: int
) -> None:
    """is_canonical_moment never says yes to a text dump_moment would write otherwise."""
    spec = {0: "seconds", 3: "milliseconds", 6: "microseconds"}[digits]
    text = moment.replace(tzinfo=None).isoformat(sep=separator, timespec=spec) + zone
    read = parse_moment(text)
    if is_canonical_moment(text):
        assert dump_moment(read) == text
    assert (dump_moment(read) == text) == is_canonical_moment(text)


def test_a_carried_key_taken_out_of_extra_is_not_written() -> None:
    """An entity whose extra was replaced by hand writes what it now carries, no more."""
    payload = load("fulfillment_example")
    fulfillment = Fulfillment.from_api(payload)
    trimmed = {key: value for key, value in fulfillment.extra.items() if key != "tracking_url"}
    written = attrs.evolve(fulfillment, extra=trimmed).to_api()
    assert "tracking_url" not in written
    assert written == {key: value for key, value in payload.items() if key != "tracking_url"}


def test_every_wrong_type_is_reported_before_an_entitys_own_complaint() -> None:
    """A type problem in a first line comes before a range problem in a second one."""
    payload = two_lines()
    payload["line_items"][0]["quantity"] = "1"
    payload["line_items"][1]["quantity"] = 0
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path == "line_items[0].quantity"


def test_updated_at_of_an_entity_is_what_to_api_writes() -> None:
    """After an event, updated_at_of gives the moment to_api() writes, not the stale one."""
    from clickfunnels_orders.webhooks import updated_at_of  # noqa: PLC0415  because local

    payload = load("orders_invoice_example") | {"status": "unpaid", "due_amount": "9.99"}
    invoice = Invoice.from_api(payload)
    assert updated_at_of(invoice) == parse_moment(payload["updated_at"])
    paid = invoice.pay(at=AT)
    assert updated_at_of(paid) == AT == parse_moment(paid.to_api()["updated_at"])


def _nested_lists(levels: int) -> Any:
    """``levels`` lists, one inside the other."""
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def test_the_depth_bound_counts_from_the_entitys_own_object_in_nested_objects_too() -> None:
    """Carried keys of products_variant sit a level deeper than the line's own keys."""
    fits = MAX_JSON_DEPTH - 1  # the line's object is level 1
    payload = load("orders_invoice_example")
    payload["line_items"][0]["notes"] = _nested_lists(fits)
    Invoice.from_api(payload)
    payload["line_items"][0]["products_variant"]["notes"] = _nested_lists(fits)
    with pytest.raises(PayloadError) as caught:
        Invoice.from_api(payload)
    assert caught.value.path.startswith("line_items[0].products_variant.notes")
    payload["line_items"][0]["products_variant"]["notes"] = _nested_lists(fits - 1)
    Invoice.from_api(payload)


@pytest.mark.parametrize("text", ["2025-02-30T14:47:47.000Z", "2025-13-01T00:00:00.000Z"])
def test_a_timestamp_in_the_apis_layout_but_off_the_calendar_is_refused(text: str) -> None:
    """A text shaped like the API's timestamps but naming no real day raises PayloadError."""
    payload = load("orders_invoice_example") | {"issued_at": text}
    with pytest.raises(PayloadError, match="issued_at"):
        Invoice.from_api(payload)


def test_a_null_timestamp_reads_as_none_and_writes_back_as_null() -> None:
    """An optional timestamp written as null is no moment, and null again on the way out."""
    payload = load("orders_invoice_example") | {"paid_at": None}
    invoice = Invoice.from_api(payload)
    assert invoice.paid_at is None
    assert invoice.to_api()["paid_at"] is None


def test_amounts_read_the_same_once_the_amount_cache_is_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no room left to remember amounts, they are read in full and round-trip alike."""
    monkeypatch.setattr(_values, "_CANONICAL_AMOUNTS", {})
    monkeypatch.setattr(_values, "_MAX_AMOUNTS", 0)
    payload = two_lines() | {"total_amount": "19.98", "due_amount": "-0.00"}
    invoice = Invoice.from_api(payload)
    assert _values._CANONICAL_AMOUNTS == {}
    assert invoice.to_api() == payload
