"""How much does firing an event cost? A plain program; prints ratios, never fails.

Compares, in the same run and on the same invoice:

* ``Invoice.pay`` and a three-event lifecycle (issue, pay, refund), the library's way;
* the floor: ``attrs.evolve`` of the same entity with the same changes (what any frozen
  attrs value pays to change, with validation);
* the peer a user would otherwise write: a ``transitions.Machine`` built per entity from
  the same invoice table, then triggered.

Targets: a transition costs at most 0.5x an ``attrs.evolve`` and is at least 60x cheaper
than the per-entity machine; the three-event lifecycle (which builds the peer's machine
once for three triggers) at most 0.5x and at least 30x. Timings are best-of-N with the
garbage collector paused, so the ratios hold on a shared, noisy machine; absolute times
are printed only for context.

Run: ``python benchmarks/events.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import timeit
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
from transitions.core import Machine

from clickfunnels_orders import Invoice, InvoiceLineItem, InvoiceStatus

AT = dt.datetime(2025, 4, 21, 14, 47, 47, tzinfo=dt.UTC)


def _invoice(status: InvoiceStatus) -> Invoice:
    items = tuple(
        InvoiceLineItem(
            id=n, invoice_id=1, variant_id=100 + n, quantity=n, amount=Decimal("9.99") * n
        )
        for n in range(1, 4)
    )
    return Invoice(
        id=1,
        order_id=7,
        status=status,
        line_items=items,
        currency="USD",
        total_amount=sum((i.amount for i in items), Decimal(0)),
    )


def _table() -> tuple[list[str], list[dict[str, Any]]]:
    """The invoice machine's own table, as the dicts a user would pass to a Machine."""
    machine = Invoice.machine
    rows = [
        {
            "trigger": event_name,
            "source": source,
            "dest": transition.dest,
            "conditions": [c.func for c in transition.conditions if c.target],
            "unless": [c.func for c in transition.conditions if not c.target],
        }
        for event_name, event in machine.events.items()
        for source, transitions in event.transitions.items()
        for transition in transitions
    ]
    return list(machine.states), rows


class _PeerInvoice:
    """A mutable model, as a user of a per-entity machine would write it."""

    def __init__(self, invoice: Invoice) -> None:
        self.state = str(invoice.status)
        self.total_amount = invoice.total_amount
        self.amount_paid = invoice.amount_paid
        self.amount_refunded = invoice.amount_refunded
        self.pending = Decimal(0)

    def settles(self) -> bool:
        return self.amount_paid + self.pending >= self.total_amount

    def refunds_everything(self) -> bool:
        return self.amount_refunded + self.pending >= self.amount_paid

    def is_external(self) -> bool:
        return False

    def targets_dest(self) -> bool:
        return False

    def disputed_from_partial_refund(self) -> bool:
        return self.amount_refunded > 0


def _peer(invoice: Invoice, states: list[str], rows: list[dict[str, Any]]) -> _PeerInvoice:
    model = _PeerInvoice(invoice)
    Machine(
        model=model,
        states=states,
        transitions=rows,
        initial=model.state,
        auto_transitions=False,
    )
    return model


def _best(funcs: tuple[tuple[Callable[[], object], int], ...], repeat: int) -> tuple[float, ...]:
    """Best time per call of each ``(func, number)``, in seconds, with the collector paused.

    The functions are timed in turns, round after round, so that a noisy neighbour slows
    all of them in the same window and the ratios between them stay meaningful.
    """
    best = [float("inf")] * len(funcs)
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            for index, (func, number) in enumerate(funcs):
                took = timeit.timeit(func, number=number) / number
                best[index] = min(best[index], took)
    finally:
        gc.enable()
    return tuple(best)


def main() -> None:
    """Time each way, print a table of per-call times and the ratios against the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    options = parser.parse_args()
    number, repeat = (1_000, 5) if options.quick else (5_000, 9)
    logging.getLogger("transitions").setLevel(logging.WARNING)

    unpaid = _invoice(InvoiceStatus.UNPAID)
    draft = _invoice(InvoiceStatus.DRAFT)
    states, rows = _table()
    total = unpaid.total_amount

    def pay() -> object:
        return unpaid.pay(at=AT)

    def evolve_pay() -> object:
        return attrs.evolve(unpaid, status=InvoiceStatus.PAID, amount_paid=total, paid_at=AT)

    def peer_pay() -> object:
        model = _peer(unpaid, states, rows)
        model.pending = model.total_amount - model.amount_paid
        model.pay()  # type: ignore[attr-defined]  # added by the Machine
        return model

    def lifecycle() -> object:
        return draft.issue(at=AT).pay(at=AT).refund(Decimal("1.00"), at=AT)

    def evolve_lifecycle() -> object:
        issued = attrs.evolve(draft, status=InvoiceStatus.UNPAID, issued_at=AT)
        paid = attrs.evolve(issued, status=InvoiceStatus.PAID, amount_paid=total, paid_at=AT)
        return attrs.evolve(
            paid, status=InvoiceStatus.PARTIALLY_REFUNDED, amount_refunded=Decimal("1.00")
        )

    def peer_lifecycle() -> object:
        model = _peer(draft, states, rows)
        model.issue()  # type: ignore[attr-defined]  # added by the Machine
        model.pending = model.total_amount
        model.pay()  # type: ignore[attr-defined]  # added by the Machine
        model.amount_paid, model.pending = model.total_amount, Decimal("1.00")
        model.refund()  # type: ignore[attr-defined]  # added by the Machine
        return model

    assert pay().status is InvoiceStatus.PAID  # type: ignore[attr-defined]  # noqa: S101  because a wrong benchmark is worse than none
    assert lifecycle().status is InvoiceStatus.PARTIALLY_REFUNDED  # type: ignore[attr-defined]  # noqa: S101  because a wrong benchmark is worse than none
    assert peer_lifecycle().state == "partially-refunded"  # type: ignore[attr-defined]  # noqa: S101  because a wrong benchmark is worse than none

    peer_number = max(number // 20, 20)
    results = {
        "pay": _best(((pay, number), (evolve_pay, number), (peer_pay, peer_number)), repeat),
        "issue, pay, refund": _best(
            ((lifecycle, number), (evolve_lifecycle, number), (peer_lifecycle, peer_number)),
            repeat,
        ),
    }
    print(
        f"{'case':<20}{'library':>12}{'evolve':>12}{'peer':>12}{'lib/evolve':>12}{'peer/lib':>10}"
    )
    #: Per case: the most lib/evolve and the least peer/lib.
    targets = {"pay": (0.5, 60.0), "issue, pay, refund": (0.5, 30.0)}
    ok = True
    for case, (ours, floor, peer) in results.items():
        over_floor, under_peer = ours / floor, peer / ours
        most, least = targets[case]
        ok = ok and over_floor <= most and under_peer >= least
        print(
            f"{case:<20}{ours * 1e6:>10.2f}us{floor * 1e6:>10.2f}us{peer * 1e6:>10.1f}us"
            f"{over_floor:>11.2f}x{under_peer:>9.0f}x"
        )
    wanted = "; ".join(
        f"{case}: lib/evolve <= {most}x, peer/lib >= {least:.0f}x"
        for case, (most, least) in targets.items()
    )
    print(f"targets ({wanted}): " + ("met" if ok else "NOT met"))


if __name__ == "__main__":
    main()
