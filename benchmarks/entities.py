"""What does building an entity cost, and bringing an order up to date with its invoice?

A plain program; prints ratios measured in one run, never fails. Compares:

* constructing an ``Invoice`` with three ``InvoiceLineItem`` lines (every field checked
  and converted) against frozen dataclasses of the same fields, with the same values
  (what a frozen value costs with no checks at all);
* ``Order.apply_invoice`` (a paid invoice: the order completes and mirrors the billing
  status) against ``attrs.evolve`` of the order with the same two changes.

Targets: construction at most 1.5x the frozen dataclasses; ``apply_invoice`` at most 1x
``attrs.evolve``. Timings are best-of-N with the garbage collector paused, cases timed in
turns, so the ratios hold on a shared, noisy machine.

Run: ``python benchmarks/entities.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import timeit
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from clickfunnels_orders import (
    BillingStatus,
    Change,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    Order,
    OrderLineItem,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

AT = dt.datetime(2025, 4, 21, 14, 47, 47, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class _PlainLine:
    id: Hashable
    invoice_id: Hashable
    variant_id: Hashable
    quantity: int
    amount: Decimal
    fulfillment_required: bool = True
    fulfillment_status: LineItemFulfillmentStatus = LineItemFulfillmentStatus.UNFULFILLED
    history: tuple[Change, ...] = ()
    payment_type: str = "one_time"
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class _PlainInvoice:
    id: Hashable
    order_id: Hashable
    status: InvoiceStatus
    line_items: tuple[_PlainLine, ...]
    currency: str
    total_amount: Decimal
    amount_paid: Decimal = Decimal(0)
    amount_refunded: Decimal = Decimal(0)
    issued_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    payment_processor: PaymentProcessor = PaymentProcessor.PAYMENTS_AI
    history: tuple[Change, ...] = ()
    invoice_type: str | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


_AMOUNTS = (Decimal("9.99"), Decimal("19.98"), Decimal("29.97"))
_TOTAL = sum(_AMOUNTS, Decimal(0))


def build_invoice() -> Invoice:
    """An unpaid invoice with three lines, built field by field as a user would."""
    return Invoice(
        id=1,
        order_id=7,
        status=InvoiceStatus.UNPAID,
        line_items=(
            InvoiceLineItem(id=1, invoice_id=1, variant_id=101, quantity=1, amount=_AMOUNTS[0]),
            InvoiceLineItem(id=2, invoice_id=1, variant_id=102, quantity=2, amount=_AMOUNTS[1]),
            InvoiceLineItem(id=3, invoice_id=1, variant_id=103, quantity=3, amount=_AMOUNTS[2]),
        ),
        currency="USD",
        total_amount=_TOTAL,
        due_at=AT,
        invoice_type="initial",
    )


def build_plain() -> _PlainInvoice:
    """The same invoice as frozen dataclasses: the floor, with no checks."""
    return _PlainInvoice(
        id=1,
        order_id=7,
        status=InvoiceStatus.UNPAID,
        line_items=(
            _PlainLine(id=1, invoice_id=1, variant_id=101, quantity=1, amount=_AMOUNTS[0]),
            _PlainLine(id=2, invoice_id=1, variant_id=102, quantity=2, amount=_AMOUNTS[1]),
            _PlainLine(id=3, invoice_id=1, variant_id=103, quantity=3, amount=_AMOUNTS[2]),
        ),
        currency="USD",
        total_amount=_TOTAL,
        due_at=AT,
        invoice_type="initial",
    )


def _order() -> Order:
    return Order(
        id=7,
        contact_id=9,
        currency="USD",
        line_items=(OrderLineItem(id=1, variant_id=101, quantity=1, amount=Decimal("9.99")),),
    )


def _best(funcs: tuple[tuple[Callable[[], object], int], ...], repeat: int) -> tuple[float, ...]:
    """Best time per call of each ``(func, number)``, in seconds, timed in turns."""
    best = [float("inf")] * len(funcs)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for index, (func, number) in enumerate(funcs):
                seconds = timeit.timeit(func, number=number) / number
                best[index] = min(best[index], seconds)
    finally:
        if enabled:
            gc.enable()
    return tuple(best)


def main() -> None:
    """Measure both cases and print their ratios against their baselines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    options = parser.parse_args()
    number, repeat = (200, 3) if options.quick else (5_000, 9)

    built, plain = build_invoice(), build_plain()
    assert built.total_amount == plain.total_amount  # noqa: S101  because a wrong benchmark is worse than none
    construct, floor = _best(((build_invoice, number), (build_plain, number)), repeat)

    order = _order()
    paid = built.pay(at=AT)

    def apply() -> object:
        return order.apply_invoice(paid, at=AT)

    def evolve() -> object:
        return attrs.evolve(
            order, service_status=ServiceStatus.COMPLETED, billing_status=BillingStatus.PAID
        )

    applied = apply()
    assert applied.service_status is ServiceStatus.COMPLETED  # type: ignore[attr-defined]  # noqa: S101  because a wrong benchmark is worse than none
    assert order.order_type is OrderType.ONE_TIME  # noqa: S101  ditto
    mirror, evolved = _best(((apply, number * 4), (evolve, number * 4)), repeat)

    print("entities benchmark (best of", repeat, "runs, GC paused, cases in turns)")
    print(
        f"  Invoice with 3 lines      {construct * 1e6:8.2f} us   "
        f"frozen dataclasses {floor * 1e6:8.2f} us   "
        f"ratio {construct / floor:5.2f}x (target <= 1.5x)"
    )
    print(
        f"  Order.apply_invoice       {mirror * 1e6:8.2f} us   "
        f"attrs.evolve       {evolved * 1e6:8.2f} us   "
        f"ratio {mirror / evolved:5.2f}x (target <= 1.0x)"
    )


if __name__ == "__main__":
    main()
