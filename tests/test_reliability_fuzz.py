"""No exception but an OrdersError escapes a public call, whatever it is given.

Each entry point is called with valid arguments but one, which is replaced by a hostile
value: the wrong type, a wrong shape, an extreme size. The call may succeed (a hostile
value can be a valid one: any hashable is an id); if it fails, the error is an
``OrdersError`` that names the argument, and the entity it was called on is unchanged.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from _builders import EXTERNAL, T0, I, at, fulfillment, invoice, invoice_line, order, order_line
from clickfunnels_orders import (
    FulfillmentLine,
    InvalidValueError,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
    OrdersError,
    TimeRules,
    access_by_contact,
    renewal_date,
    renewal_dates,
    variants_with_access,
)
from clickfunnels_orders import rollup as rollup_module
from clickfunnels_orders.access import grants_access


class Unshowable:
    """An object whose repr fails (an error message must still be built)."""

    def __repr__(self) -> str:
        raise RuntimeError


PLUS_ONE = dt.timezone(dt.timedelta(hours=1))
#: Hostile values: wrong types, wrong shapes, sizes no field should take.
HOSTILE: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            10**5000,
            -(10**5000),
            2**64,
            -1,
            0,
            float("nan"),
            float("inf"),
            0.1,
            "",
            "x" * 100_000,
            " 1.00 ",
            "1_000.00",
            "1e3",
            "\uff11\uff10",  # full-width digits
            "\u0661\u0662",  # Arabic-Indic digits
            "ßd",
            "\u0440\u0443\u0431",  # Cyrillic letters
            b"bytes",
            [],
            [1, 2],
            {},
            {"a": 1},
            {1, 2},
            (None,),
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("-0"),
            Decimal("0E-100000000"),
            Decimal("1E+100"),
            Decimal(-1),
            dt.datetime(2025, 1, 1),  # noqa: DTZ001  because a naive moment is hostile
            dt.date(2025, 1, 1),
            dt.datetime.max.replace(tzinfo=dt.UTC),
            dt.datetime.min.replace(tzinfo=PLUS_ONE),
            dt.timedelta(days=-1),
            dt.timedelta.max,
            relativedelta(month=1),
            object(),
            Unshowable(),
            int,
        ]
    ),
    st.integers(),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.decimals(),
    st.datetimes(),
)


def _paid() -> Invoice:
    return invoice(I.PAID, total="20.00", lines=[invoice_line(quantity=2)])


def _unpaid() -> Invoice:
    return invoice(total="20.00", lines=[invoice_line(quantity=2)]).issue(at=at(0))


def _disputed_external() -> Invoice:
    return invoice(I.PAID, total="20.00", processor=EXTERNAL).set_status(I.DISPUTED, at=at(0))


#: name -> (the entity called on, or None, the call, its valid arguments).
Call = Callable[..., object]
ENTRY_POINTS: dict[str, tuple[Callable[[], Any] | None, Call, Mapping[str, Callable[[], Any]]]] = {
    "OrderLineItem": (
        None,
        OrderLineItem,
        {
            "id": lambda: 1,
            "variant_id": lambda: 5,
            "quantity": lambda: 1,
            "amount": lambda: "5.00",
            "payment_type": lambda: "one_time",
            "fulfillment_required": lambda: True,
            "extra": dict,
        },
    ),
    "Order": (
        None,
        Order,
        {
            "id": lambda: 1,
            "contact_id": lambda: 2,
            "currency": lambda: "usd",
            "line_items": lambda: [order_line()],
            "payment_processor": lambda: "stripe",
            "live_mode": lambda: True,
            "service_status": lambda: "pending",
            "billing_status": lambda: "pending",
            "created_at": lambda: T0,
            "cancel_reason": lambda: None,
            "paid_until": lambda: None,
            "history": lambda: (),
        },
    ),
    "InvoiceLineItem": (
        None,
        InvoiceLineItem,
        {
            "id": lambda: 1,
            "invoice_id": lambda: 10,
            "variant_id": lambda: 5,
            "quantity": lambda: 2,
            "amount": lambda: "10.00",
            "fulfillment_status": lambda: "unfulfilled",
            "history": lambda: (),
        },
    ),
    "Invoice": (
        None,
        Invoice,
        {
            "id": lambda: 10,
            "order_id": lambda: 1,
            "status": lambda: "paid",
            "line_items": lambda: [invoice_line()],
            "currency": lambda: "USD",
            "total_amount": lambda: "10.00",
            "amount_paid": lambda: "10.00",
            "amount_refunded": lambda: "0",
            "issued_at": lambda: T0,
            "due_at": lambda: None,
            "payment_processor": lambda: "payments_ai",
            "history": lambda: (),
            "invoice_type": lambda: "initial",
        },
    ),
    "FulfillmentLine": (
        None,
        FulfillmentLine,
        {"invoice_line_item_id": lambda: 1, "quantity": lambda: 1},
    ),
    "Invoice.pay": (_unpaid, Invoice.pay, {"amount": lambda: "5.00", "at": lambda: at(1)}),
    "Invoice.refund": (_paid, Invoice.refund, {"amount": lambda: "5.00", "at": lambda: at(1)}),
    "Invoice.issue": (invoice, Invoice.issue, {"at": lambda: at(1)}),
    "Invoice.set_status": (
        _disputed_external,
        Invoice.set_status,
        {"status": lambda: "paid", "at": lambda: at(1)},
    ),
    "Invoice.win_dispute": (_disputed_external, Invoice.win_dispute, {"at": lambda: at(1)}),
    "Invoice.advance": (
        _unpaid,
        Invoice.advance,
        {"now": lambda: at(10_000), "rules": TimeRules},
    ),
    "Invoice.may": (_unpaid, Invoice.may, {"event": lambda: "pay"}),
    "Invoice.for_order": (
        None,
        Invoice.for_order,
        {
            "order": order,
            "id": lambda: 5,
            "kind": lambda: None,
            "invoice_type": lambda: "one_time_sale",
            "line_item_ids": lambda: None,
            "due_at": lambda: None,
        },
    ),
    "InvoiceLineItem.recount": (invoice_line, InvoiceLineItem.recount, {"fulfilled": lambda: 1}),
    "Order.cancel": (
        order,
        Order.cancel,
        {"at": lambda: at(1), "reason": lambda: "other", "effective_at": lambda: None},
    ),
    "Order.set_status": (
        lambda: order(EXTERNAL),
        Order.set_status,
        {"status": lambda: "completed", "at": lambda: at(1)},
    ),
    "Order.apply_invoice": (
        order,
        Order.apply_invoice,
        {"invoice": _paid, "at": lambda: at(1)},
    ),
    "Order.replace_line_item": (
        order,
        Order.replace_line_item,
        {"line_item_id": lambda: 100, "line_item": lambda: order_line(quantity=3)},
    ),
    "TimeRules": (
        None,
        TimeRules,
        {"past_due_after": lambda: dt.timedelta(hours=1), "grace_period": dt.timedelta},
    ),
    "renewal_date": (
        None,
        renewal_date,
        {
            "start": lambda: T0,
            "interval": lambda: "month",
            "interval_count": lambda: 1,
            "period": lambda: 2,
        },
    ),
    "renewal_dates": (
        None,
        renewal_dates,
        {
            "start": lambda: T0,
            "interval": lambda: "year",
            "interval_count": lambda: 1,
            "until": lambda: at(10**6),
        },
    ),
    "grants_access": (
        None,
        grants_access,
        {"order": order, "invoice": _paid, "revoked_by": lambda: ["churned"]},
    ),
    "access_by_contact": (
        None,
        access_by_contact,
        {"orders": lambda: [order()], "invoices": lambda: [_paid()], "revoked_by": list},
    ),
    "variants_with_access": (
        None,
        variants_with_access,
        {"contact_id": lambda: 7, "orders": lambda: [order()], "invoices": lambda: [_paid()]},
    ),
    "rollup.compute": (
        None,
        rollup_module.compute,
        {"invoices": lambda: [_paid()], "fulfillments": lambda: [fulfillment()]},
    ),
}


def _snapshot(entity: object) -> bytes:
    return pickle.dumps(entity)


ARGUMENTS = [
    (name, argument) for name in sorted(ENTRY_POINTS) for argument in ENTRY_POINTS[name][2]
]


@pytest.mark.parametrize(("name", "argument"), ARGUMENTS, ids=[f"{n}-{a}" for n, a in ARGUMENTS])
@given(hostile=HOSTILE)
def test_no_exception_but_an_orders_error_escapes_a_public_call(
    name: str, argument: str, hostile: object
) -> None:
    """One hostile argument gives success or an OrdersError naming it; nothing changes."""
    make_self, call, valid = ENTRY_POINTS[name]
    kwargs = {key: make() for key, make in valid.items()}
    kwargs[argument] = hostile
    target = make_self() if make_self is not None else None
    before = _snapshot(target)
    try:
        if target is None:
            call(**kwargs)
        else:
            call(target, **kwargs)
    except InvalidValueError as error:
        refused: InvalidValueError | None = error
    except OrdersError:
        refused = None  # a refusal of what the values mean (an unknown line item, a final state)
    except Exception as error:  # noqa: BLE001  because any other exception is the failure
        pytest.fail(f"{name}({argument}=...) raised {type(error).__name__}: {error}")
    else:
        refused = None
    if refused is not None:
        # A refused value names the argument it was given as (or a field inside it).
        assert refused.field.startswith(argument) or argument in str(refused), str(refused)
    assert _snapshot(target) == before


@given(hostile=HOSTILE, method=st.sampled_from(["record", "apply"]))
def test_a_tracker_refuses_a_stranger_with_an_orders_error_and_changes_nothing(
    hostile: object, method: str
) -> None:
    """Tracker.record and Tracker.apply take an entity; anything else is refused cleanly."""
    tracker = rollup_module.Tracker([_paid()])
    tracker.record(fulfillment(lines=[FulfillmentLine(invoice_line_item_id=1, quantity=1)]))
    before = tracker.snapshot()
    with pytest.raises(OrdersError):
        getattr(tracker, method)(hostile)
    assert tracker.snapshot() == before


QUERIES = ["fulfilled_quantity", "line_item_status", "invoice_status", "order_status", "remaining"]


@pytest.mark.parametrize("query", QUERIES)
@given(hostile=HOSTILE)
def test_rollup_queries_answer_or_refuse_any_id_with_an_orders_error(
    query: str, hostile: object
) -> None:
    """A query about an unhashable or unknown id is an OrdersError, never a bare one."""
    for holder in (rollup_module.compute([_paid()], []), rollup_module.Tracker([_paid()])):
        try:
            getattr(holder, query)(hostile)
        except OrdersError:
            pass
        except Exception as error:  # noqa: BLE001  because any other exception is the failure
            pytest.fail(f"{query}({type(hostile).__name__}) raised {type(error).__name__}: {error}")
