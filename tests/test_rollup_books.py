"""Generated books for the rollup tests, and checks that they are what those tests assume.

A *book* is a set of invoices (of a few orders, in every invoice status, with ignored,
complete and not-required lines) and fulfillments over their line items. Everything is
built from the public constructors, independently of ``clickfunnels_orders.testing``, so
the rollup's tests do not share that kit's assumptions.

The helpers at the bottom are the tests' own statement of the rules (a plain, slow
oracle written from API.md section 5), used to check ``compute`` independently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from decimal import Decimal
from typing import Final, NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceFulfillmentStatus,
    InvoiceLineItem,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
)

T0: Final = dt.datetime(2025, 4, 21, 14, 0, tzinfo=dt.UTC)
L = LineItemFulfillmentStatus
ELIGIBLE: Final = frozenset({InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED})
#: Statuses drawn for generated invoices: eligible ones most often.
_STATUSES: Final = (
    InvoiceStatus.PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.PARTIALLY_REFUNDED,
    InvoiceStatus.UNPAID,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAST_DUE,
    InvoiceStatus.REFUNDED,
    InvoiceStatus.DISPUTED,
    InvoiceStatus.DRAFT,
    InvoiceStatus.VOIDED,
)


def at(minutes: int) -> dt.datetime:
    """Return the moment ``minutes`` after ``T0``."""
    return T0 + dt.timedelta(minutes=minutes)


# -- builders -------------------------------------------------------------------------------


def line(
    line_id: Hashable,
    invoice_id: Hashable,
    quantity: int = 1,
    *,
    required: bool = True,
    status: LineItemFulfillmentStatus = L.UNFULFILLED,
) -> InvoiceLineItem:
    """Return an invoice line item of ``quantity`` units at 10.00 each."""
    return InvoiceLineItem(
        id=line_id,
        invoice_id=invoice_id,
        variant_id=500,
        quantity=quantity,
        amount=Decimal("10.00") * quantity,
        fulfillment_required=required,
        fulfillment_status=status,
    )


def invoice(
    invoice_id: Hashable,
    order_id: Hashable,
    *lines: InvoiceLineItem,
    status: InvoiceStatus = InvoiceStatus.PAID,
) -> Invoice:
    """Return an invoice of ``lines`` in ``status``, with amounts that fit the status."""
    total = sum((item.amount for item in lines), Decimal(0))
    paid = total if status in _PAID_STATUSES else Decimal(0)
    refunded = paid if status is InvoiceStatus.REFUNDED else Decimal(0)
    return Invoice(
        id=invoice_id,
        order_id=order_id,
        status=status,
        line_items=lines,
        currency="USD",
        total_amount=total,
        amount_paid=paid,
        amount_refunded=refunded,
    )


_PAID_STATUSES: Final = frozenset(
    {
        InvoiceStatus.PAID,
        InvoiceStatus.PARTIALLY_REFUNDED,
        InvoiceStatus.REFUNDED,
        InvoiceStatus.DISPUTED,
    }
)


def shipment(
    fulfillment_id: Hashable,
    *lines: tuple[Hashable, int],
    status: FulfillmentStatus = FulfillmentStatus.FULFILLED,
) -> Fulfillment:
    """Return a fulfillment shipping ``(line item id, quantity)`` pairs."""
    return Fulfillment(
        id=fulfillment_id,
        lines=tuple(FulfillmentLine(key, quantity) for key, quantity in lines),
        status=status,
    )


# -- strategies -----------------------------------------------------------------------------


class Book(NamedTuple):
    """Invoices and fulfillments over them; the counted ones never over-fulfill."""

    invoices: tuple[Invoice, ...]
    fulfillments: tuple[Fulfillment, ...]


@st.composite
def invoice_sets(
    draw: st.DrawFn,
    *,
    max_invoices: int = 6,
    max_lines: int = 4,
    eligible_only: bool = False,
    first_id: int = 1,
) -> tuple[Invoice, ...]:
    """Draw invoices of up to four orders, line-item ids unique across them.

    Lines are mostly required and unfulfilled, sometimes ignored, complete or not
    required; invoices are in every status, paid most often. Invoice ids count up from
    ``first_id``, line-item ids from ``first_id * 100``.
    """
    count = draw(st.integers(1 if eligible_only else 0, max_invoices))
    invoices: list[Invoice] = []
    next_line = first_id * 100
    for invoice_id in range(first_id, first_id + count):
        order_id = draw(st.sampled_from(("A", "B", "C", "D")))
        status = (
            draw(st.sampled_from((InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED)))
            if eligible_only
            else draw(st.sampled_from(_STATUSES))
        )
        items = []
        for _ in range(draw(st.integers(0, max_lines))):
            items.append(
                line(
                    next_line,
                    invoice_id,
                    draw(st.integers(1, 4)),
                    required=draw(st.booleans()) or draw(st.booleans()),
                    status=draw(
                        st.sampled_from(
                            (L.UNFULFILLED, L.UNFULFILLED, L.UNFULFILLED, L.IGNORED, L.COMPLETE)
                        )
                    ),
                )
            )
            next_line += 1
        invoices.append(invoice(invoice_id, order_id, *items, status=status))
    return tuple(invoices)


@st.composite
def fulfillment_sets(
    draw: st.DrawFn,
    invoices: Sequence[Invoice],
    *,
    max_fulfillments: int = 8,
    first_id: int = 1,
    fulfillable_only: bool = False,
) -> tuple[Fulfillment, ...]:
    """Draw fulfillments over ``invoices``'s lines, any status; the counted never over-fulfill.

    With ``fulfillable_only`` every line is one a tracker accepts (not ignored, not
    complete, on an eligible invoice), and all the fulfillments fit together whatever
    their status, so a tracker accepts their fulfilled versions in any order. Otherwise
    any line may be shipped, as ``compute`` allows, and cancelled and restocked ones may
    ship anything up to each line's quantity.
    """
    items = [
        item
        for inv in invoices
        for item in inv.line_items
        if not fulfillable_only
        or (inv.status in ELIGIBLE and item.fulfillment_status not in {L.IGNORED, L.COMPLETE})
    ]
    if not items:
        return ()
    left = {item.id: item.quantity for item in items}
    fulfillments: list[Fulfillment] = []
    for offset in range(draw(st.integers(0, max_fulfillments))):
        status = draw(
            st.sampled_from(
                (
                    FulfillmentStatus.FULFILLED,
                    FulfillmentStatus.FULFILLED,
                    FulfillmentStatus.CANCELLED,
                    FulfillmentStatus.RESTOCKED,
                )
            )
        )
        counted = fulfillable_only or status is FulfillmentStatus.FULFILLED
        pairs = []
        for item in draw(st.lists(st.sampled_from(items), min_size=1, max_size=4)):
            room = left[item.id] if counted else item.quantity
            if room < 1:
                continue
            quantity = draw(st.integers(1, room))
            if counted:
                left[item.id] -= quantity
            pairs.append((item.id, quantity))
        if pairs:
            fulfillments.append(shipment(first_id + offset, *pairs, status=status))
    return tuple(fulfillments)


@st.composite
def books(
    draw: st.DrawFn,
    *,
    max_invoices: int = 6,
    max_fulfillments: int = 8,
    eligible_only: bool = False,
) -> Book:
    """Draw a book: invoices, then fulfillments over them (see the two strategies above)."""
    invoices = draw(invoice_sets(max_invoices=max_invoices, eligible_only=eligible_only))
    fulfillments = draw(fulfillment_sets(invoices, max_fulfillments=max_fulfillments))
    return Book(invoices, fulfillments)


# -- the rules, stated plainly (the oracle) -------------------------------------------------


def counted_totals(fulfillments: Iterable[Fulfillment]) -> dict[Hashable, int]:
    """Return the quantity shipped per line item by fulfillments in status fulfilled."""
    totals: dict[Hashable, int] = {}
    for fulfillment in fulfillments:
        if fulfillment.status == "fulfilled":
            for shipped in fulfillment.lines:
                key = shipped.invoice_line_item_id
                totals[key] = totals.get(key, 0) + shipped.quantity
    return totals


def expected_line_status(item: InvoiceLineItem, shipped: int) -> LineItemFulfillmentStatus:
    """Ignored and complete stay; else 0 unfulfilled, some partial, all fulfilled."""
    if item.fulfillment_status in {L.IGNORED, L.COMPLETE}:
        return item.fulfillment_status
    if shipped == 0:
        return L.UNFULFILLED
    return L.FULFILLED if shipped == item.quantity else L.PARTIALLY_FULFILLED


def required_lines(invoice: Invoice) -> list[InvoiceLineItem]:
    """Lines needing fulfillment, not ignored, of a paid or partially-refunded invoice."""
    if invoice.status not in ELIGIBLE:
        return []
    return [
        item
        for item in invoice.line_items
        if item.fulfillment_required and item.fulfillment_status != L.IGNORED
    ]


def _states(lines: Iterable[InvoiceLineItem], totals: dict[Hashable, int]) -> list[str]:
    return [
        "done"
        if item.fulfillment_status == L.COMPLETE or totals.get(item.id, 0) == item.quantity
        else ("none" if totals.get(item.id, 0) == 0 else "some")
        for item in lines
    ]


def expected_invoice_status(
    invoice: Invoice, totals: dict[Hashable, int]
) -> InvoiceFulfillmentStatus:
    """Over required lines: none n/a; all done complete; none shipped unfulfilled; else partial."""
    states = _states(required_lines(invoice), totals)
    if not states:
        return InvoiceFulfillmentStatus.NOT_APPLICABLE
    if all(state == "done" for state in states):
        return InvoiceFulfillmentStatus.COMPLETE
    if all(state == "none" for state in states):
        return InvoiceFulfillmentStatus.UNFULFILLED
    return InvoiceFulfillmentStatus.PARTIAL


def expected_order_status(
    invoices: Iterable[Invoice], order_id: Hashable, totals: dict[Hashable, int]
) -> OrderFulfillmentStatus:
    """The same over the required lines of every invoice of the order."""
    lines = [item for inv in invoices if inv.order_id == order_id for item in required_lines(inv)]
    states = _states(lines, totals)
    if not states:
        return OrderFulfillmentStatus.NOT_APPLICABLE
    if all(state == "done" for state in states):
        return OrderFulfillmentStatus.FULFILLED
    if all(state == "none" for state in states):
        return OrderFulfillmentStatus.UNFULFILLED
    return OrderFulfillmentStatus.PARTIALLY_FULFILLED


def expected_remaining(
    invoices: Iterable[Invoice], order_id: Hashable, totals: dict[Hashable, int]
) -> dict[Hashable, int]:
    """Required, not complete lines of the order with something left, and how much."""
    left = {}
    for inv in invoices:
        if inv.order_id != order_id:
            continue
        for item in required_lines(inv):
            rest = item.quantity - totals.get(item.id, 0)
            if item.fulfillment_status != L.COMPLETE and rest > 0:
                left[item.id] = rest
    return left


# -- the generators keep their promises -----------------------------------------------------


@given(books())
def test_generated_books_hold_unique_line_item_ids(book: Book) -> None:
    """No line-item id appears in two invoices of a generated book."""
    ids = [item.id for inv in book.invoices for item in inv.line_items]
    assert len(ids) == len(set(ids))


@given(books())
def test_generated_books_never_over_fulfill_a_line(book: Book) -> None:
    """The counted fulfillments of a generated book ship at most each line's quantity."""
    totals = counted_totals(book.fulfillments)
    quantities = {item.id: item.quantity for inv in book.invoices for item in inv.line_items}
    assert all(shipped <= quantities[key] for key, shipped in totals.items())


@given(
    invoice_sets(eligible_only=True).flatmap(
        lambda invs: fulfillment_sets(invs, fulfillable_only=True).map(lambda fs: (invs, fs))
    )
)
def test_fulfillable_only_fulfillments_name_lines_a_tracker_accepts(
    pair: tuple[tuple[Invoice, ...], tuple[Fulfillment, ...]],
) -> None:
    """With fulfillable_only, no line is ignored, complete or on an ineligible invoice."""
    invoices, fulfillments = pair
    items = {item.id: (inv, item) for inv in invoices for item in inv.line_items}
    for fulfillment in fulfillments:
        for shipped in fulfillment.lines:
            inv, item = items[shipped.invoice_line_item_id]
            assert inv.status in ELIGIBLE
            assert item.fulfillment_status not in {L.IGNORED, L.COMPLETE}


def two_orders() -> list[Invoice]:
    """Order A: invoice 1 (lines 11 x2, 12 x1). Order B: invoice 2 (line 21 x3). Both paid."""
    return [
        invoice(1, "A", line(11, 1, 2), line(12, 1, 1)),
        invoice(2, "B", line(21, 2, 3)),
    ]
