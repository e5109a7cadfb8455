"""Hypothesis strategies for ClickFunnels orders, invoices and fulfillments.

Every strategy generates valid entities of every status, with values the API can
represent: two-decimal money on the entities (``amounts()`` alone covers the whole range
the library accepts), UTC timestamps with millisecond precision, ``int`` ids.
Statuses are reached by walking each entity's own machine from its initial state, so a
generated entity's ``history`` is one the library itself would have produced.

Options are keyword-only and take strategies, defaulting to the full range::

    from clickfunnels_orders.testing.strategies import invoices

    @given(invoices(payment_processors=st.just(PaymentProcessor.EXTERNAL)))
    def test_something(invoice): ...

With the ``hypothesis`` entry point installed, ``st.from_type(Invoice)`` works too.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Hashable
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st

from clickfunnels_orders import rollup
from clickfunnels_orders._values import MONEY_CONTEXT, plus
from clickfunnels_orders.entities import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    Order,
    OrderLineItem,
    Restock,
)
from clickfunnels_orders.machines import CANCEL_REASONS
from clickfunnels_orders.statuses import (
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    PaymentProcessor,
)
from clickfunnels_orders.testing._book import Book
from clickfunnels_orders.testing._payments import restocks, transactions
from clickfunnels_orders.testing._values import (
    amounts,
    currencies,
    fulfillment_lines,
    ids,
    lined,
    moments,
)
from clickfunnels_orders.testing._values import walk as _walk

__all__ = [
    "Book",
    "amounts",
    "books",
    "currencies",
    "fulfillment_lines",
    "fulfillments",
    "ids",
    "invoice_line_items",
    "invoices",
    "moments",
    "order_line_items",
    "orders",
    "restocks",
    "transactions",
]

T = TypeVar("T")


def _payment_types() -> st.SearchStrategy[str]:
    # The API's field is an open string: include one we do not know.
    return st.sampled_from(["one_time", "one_time", "subscription", "payment_plan", "debit"])


def order_line_items(
    *,
    line_item_ids: st.SearchStrategy[Hashable] | None = None,
    payment_types: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[OrderLineItem]:
    """Order line items with a unit ``amount`` and an open ``payment_type``."""
    return st.builds(
        OrderLineItem,
        id=line_item_ids if line_item_ids is not None else ids(),
        variant_id=ids(),
        quantity=st.integers(min_value=1, max_value=20),
        amount=amounts(places=2, max_value=Decimal(10_000)),
        payment_type=payment_types if payment_types is not None else _payment_types(),
        fulfillment_required=st.booleans(),
    )


def invoice_line_items(
    invoice_id: Hashable,
    *,
    line_item_ids: st.SearchStrategy[Hashable] | None = None,
    fulfillment_statuses: st.SearchStrategy[LineItemFulfillmentStatus] | None = None,
) -> st.SearchStrategy[InvoiceLineItem]:
    """Invoice line items of invoice ``invoice_id``, in any fulfillment status."""
    return st.builds(
        InvoiceLineItem,
        id=line_item_ids if line_item_ids is not None else ids(),
        invoice_id=st.just(invoice_id),
        variant_id=ids(),
        quantity=st.integers(min_value=1, max_value=20),
        amount=amounts(places=2, max_value=Decimal(10_000)),
        fulfillment_required=st.booleans(),
        fulfillment_status=(
            fulfillment_statuses
            if fulfillment_statuses is not None
            else st.sampled_from(LineItemFulfillmentStatus)
        ),
        payment_type=_payment_types(),
    )


def _set_status_targets(entity: Invoice | Order) -> list[Any]:
    """The statuses ``set_status`` may move ``entity`` to now, read off its machine."""
    return [
        route.dest
        for route in entity.lifecycle.routes_from("set_status", entity.status)
        if route.admits(entity)
    ]


def _part(draw: st.DrawFn, whole: Decimal) -> Decimal | None:
    """Draw ``None`` (all of it) or a positive part of ``whole`` in cents."""
    cents = int(whole.scaleb(2, context=MONEY_CONTEXT))
    # A part two times in three: partial payments and refunds lead deeper (partially-paid,
    # partially-refunded) than settling everything does.
    if cents <= 1 or draw(st.integers(min_value=0, max_value=2)) == 0:
        return None
    return Decimal(draw(st.integers(min_value=1, max_value=cents - 1))).scaleb(
        -2, context=MONEY_CONTEXT
    )


def _fire_invoice(draw: st.DrawFn, invoice: Invoice, event: str, at: dt.datetime) -> Invoice:
    if event == "pay":
        return invoice.pay(_part(draw, invoice.due_amount), at=at)
    if event == "refund":
        if invoice.status is InvoiceStatus.PARTIALLY_PAID:
            return invoice.refund(at=at)
        return invoice.refund(_part(draw, invoice.refundable_amount), at=at)
    if event == "set_status":
        return invoice.set_status(draw(st.sampled_from(_set_status_targets(invoice))), at=at)
    moved: Invoice = getattr(invoice, event)(at=at)
    return moved


@st.composite
def _invoices(
    draw: st.DrawFn,
    invoice_ids: st.SearchStrategy[Hashable],
    order_ids: st.SearchStrategy[Hashable],
    payment_processors: st.SearchStrategy[PaymentProcessor],
    line_item_ids: st.SearchStrategy[Hashable] | None,
    fulfillment_statuses: st.SearchStrategy[LineItemFulfillmentStatus] | None,
    max_line_items: int,
    max_events: int,
) -> Invoice:
    invoice_id = draw(invoice_ids)
    items = draw(
        st.lists(
            invoice_line_items(
                invoice_id,
                line_item_ids=line_item_ids,
                fulfillment_statuses=fulfillment_statuses,
            ),
            min_size=1,
            max_size=max_line_items,
            unique_by=lambda item: item.id,
        )
    )
    created = draw(moments())
    invoice = Invoice(
        id=invoice_id,
        order_id=draw(order_ids),
        status=InvoiceStatus.DRAFT,
        line_items=tuple(items),
        currency=draw(currencies()),
        total_amount=functools.reduce(
            lambda total, item: plus(total, item.amount, "total_amount"), items, Decimal(0)
        ),
        due_at=draw(st.none() | st.just(created + dt.timedelta(days=draw(st.integers(0, 30))))),
        payment_processor=draw(payment_processors),
        invoice_type=draw(st.none() | st.sampled_from(["initial", "renewal", "one_time_sale"])),
    )
    return _walk(draw, invoice, created, max_events, _fire_invoice)


def invoices(
    *,
    ids: st.SearchStrategy[Hashable] | None = None,
    order_ids: st.SearchStrategy[Hashable] | None = None,
    payment_processors: st.SearchStrategy[PaymentProcessor] | None = None,
    line_item_ids: st.SearchStrategy[Hashable] | None = None,
    fulfillment_statuses: st.SearchStrategy[LineItemFulfillmentStatus] | None = None,
    max_line_items: int = 4,
    max_events: int = 6,
) -> st.SearchStrategy[Invoice]:
    """Invoices in every status, reached by a random walk of the invoice machine.

    Args:
        ids: the invoice ids.
        order_ids: the ids of the orders they belong to.
        payment_processors: which processor each invoice follows.
        line_item_ids: the line-item ids (unique within each invoice).
        fulfillment_statuses: the line items' fulfillment statuses (all by default).
        max_line_items: the most line items per invoice (at least one).
        max_events: the most events in each invoice's history.
    """
    return _invoices(
        ids if ids is not None else _ids(),
        order_ids if order_ids is not None else _ids(),
        payment_processors if payment_processors is not None else st.sampled_from(PaymentProcessor),
        line_item_ids,
        fulfillment_statuses,
        max_line_items,
        max_events,
    )


def _fire_order(draw: st.DrawFn, order: Order, event: str, at: dt.datetime) -> Order:
    if event == "cancel":
        reason = draw(st.sampled_from(CANCEL_REASONS[order.payment_processor]))
        later = draw(st.none() | st.integers(0, 31 * 86_400_000))
        effective = None if later is None else at + dt.timedelta(milliseconds=later)
        return order.cancel(at=at, reason=reason, effective_at=effective)
    if event == "set_status":
        return order.set_status(draw(st.sampled_from(_set_status_targets(order))), at=at)
    moved: Order = getattr(order, event)(at=at)
    return moved


@st.composite
def _orders(
    draw: st.DrawFn,
    order_ids: st.SearchStrategy[Hashable],
    payment_processors: st.SearchStrategy[PaymentProcessor],
    max_line_items: int,
    max_events: int,
) -> Order:
    lines = draw(st.lists(order_line_items(), min_size=1, max_size=max_line_items))
    created = draw(moments())
    order = Order(
        id=draw(order_ids),
        contact_id=draw(ids()),
        currency=draw(currencies()),
        line_items=tuple(lines),
        payment_processor=draw(payment_processors),
        live_mode=draw(st.booleans()),
        created_at=created,
        paid_until=draw(st.none() | moments()),
    )
    return _walk(draw, order, created, max_events, _fire_order)


def orders(
    *,
    ids: st.SearchStrategy[Hashable] | None = None,
    payment_processors: st.SearchStrategy[PaymentProcessor] | None = None,
    max_line_items: int = 4,
    max_events: int = 6,
) -> st.SearchStrategy[Order]:
    """Orders of both types and every processor, in every service status they can hold.

    The order type follows from the line items' payment types; the service status is
    reached by a random walk of the order machine.

    Args:
        ids: the order ids.
        payment_processors: which processor each order follows.
        max_line_items: the most line items per order (at least one).
        max_events: the most events in each order's history.
    """
    return _orders(
        ids if ids is not None else _ids(),
        payment_processors if payment_processors is not None else st.sampled_from(PaymentProcessor),
        max_line_items,
        max_events,
    )


def fulfillments(
    *,
    ids: st.SearchStrategy[Hashable] | None = None,
    line_item_ids: st.SearchStrategy[Hashable] | None = None,
    max_lines: int = 4,
) -> st.SearchStrategy[Fulfillment]:
    """Fulfillments (fulfilled, cancelled or restocked) of distinct invoice line items.

    Args:
        ids: the fulfillment ids.
        line_item_ids: the invoice line items they ship (unique within a fulfillment).
        max_lines: the most lines per fulfillment (at least one).
    """
    return lined(Fulfillment, ids if ids is not None else _ids(), line_item_ids, max_lines)


# -- books --------------------------------------------------------------------------------

_ELIGIBLE = frozenset({InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED})


def _shippable(invoice: Invoice) -> list[InvoiceLineItem]:
    """The lines of ``invoice`` a fulfillment may ship: required and not ignored."""
    if invoice.status not in _ELIGIBLE:
        return []
    return [
        item
        for item in invoice.line_items
        if item.fulfillment_required
        and item.fulfillment_status is not LineItemFulfillmentStatus.IGNORED
    ]


@st.composite
def _book_invoices(
    draw: st.DrawFn, order: Order, invoice_id: Hashable, first_line_id: int, max_events: int
) -> Invoice:
    """An invoice of ``order``: its lines numbered from ``first_line_id``, walked."""
    ids_ = range(first_line_id, first_line_id + len(order.line_items))
    created = draw(moments())
    invoice = Invoice.for_order(order, id=invoice_id, line_item_ids=ids_)
    # Most book invoices are paid and stay so, so that there is something to ship.
    paid = not (draw(st.booleans()) and draw(st.booleans()))
    if paid:
        invoice = invoice.issue(at=created).pay(at=created)
    if not paid or not (draw(st.booleans()) and draw(st.booleans())):
        invoice = _walk(draw, invoice, created, max_events, _fire_invoice)
    # Now and then a merchant ignores a line (no fulfillment will ship it).
    items = tuple(
        item.ignore(at=created) if draw(st.integers(0, 5)) == 3 else item
        for item in invoice.line_items
    )
    return attrs.evolve(invoice, line_items=items)


def _mostly_shipped(draw: st.DrawFn, order: Order) -> Order:
    """``order`` with most of its lines needing fulfillment (a book is about shipping)."""
    items = tuple(
        attrs.evolve(line, fulfillment_required=not (draw(st.booleans()) and draw(st.booleans())))
        for line in order.line_items
    )
    return attrs.evolve(order, line_items=items)


def _ship(draw: st.DrawFn, lines: list[InvoiceLineItem], left: dict[Hashable, int]) -> Any:
    """Draw the lines of one fulfillment, within what is ``left`` to ship of each line."""
    open_lines = [item for item in lines if left[item.id] > 0]
    if not open_lines:
        return None
    chosen = draw(st.lists(st.sampled_from(open_lines), min_size=1, max_size=3, unique=True))
    # Ship all that is left half of the time, so that books hold fulfilled orders too.
    return tuple(
        FulfillmentLine(
            item.id, left[item.id] if draw(st.booleans()) else draw(st.integers(1, left[item.id]))
        )
        for item in chosen
    )


@st.composite
def _books(
    draw: st.DrawFn,
    max_orders: int,
    max_invoices: int,
    max_fulfillments: int,
    max_events: int,
    complete_lines: bool,
    max_restocks: int,
) -> Book:
    order_ids = draw(st.lists(_ids(), min_size=1, max_size=max_orders, unique=True))
    orders_ = [
        _mostly_shipped(draw, draw(orders(ids=st.just(order_id), max_events=0)))
        for order_id in order_ids
    ]
    count = draw(st.integers(1, max_invoices))
    invoice_ids = draw(st.lists(_ids(), min_size=count, max_size=count, unique=True))
    invoices_: list[Invoice] = []
    next_line = 1
    for invoice_id in invoice_ids:
        order = draw(st.sampled_from(orders_))
        invoices_.append(draw(_book_invoices(order, invoice_id, next_line, max_events)))
        next_line += len(order.line_items)
    lines = [item for invoice in invoices_ for item in _shippable(invoice)]
    left = {item.id: item.quantity for item in lines}
    fulfillments_: list[Fulfillment] = []
    # A book with something to ship ships something (Hypothesis favours drawing 0).
    least = 1 if lines and max_fulfillments else 0
    for fulfillment_id in range(1, draw(st.integers(least, max_fulfillments)) + 1):
        shipped = _ship(draw, lines, left)
        if shipped is None:
            break
        created = draw(moments())
        made = Fulfillment(id=fulfillment_id, lines=shipped, created_at=created)
        made = _walk(draw, made, created, 1, lambda _d, f, e, at: getattr(f, e)(at=at))
        if made.status is FulfillmentStatus.FULFILLED:
            for line in shipped:
                left[line.invoice_line_item_id] -= line.quantity
        fulfillments_.append(made)
    restocks_ = _restock(draw, lines, left, max_restocks)
    result = rollup.compute(invoices_, [*fulfillments_, *restocks_])
    invoices_ = [result.apply(invoice) for invoice in invoices_]
    if complete_lines:
        # A complete line's quantity can no longer be released: leave released ones open.
        released = {line.invoice_line_item_id for restock in restocks_ for line in restock.lines}
        invoices_ = [_complete_some(draw, invoice, left, released) for invoice in invoices_]
    return Book(tuple(orders_), tuple(invoices_), tuple(fulfillments_), tuple(restocks_))


def _restock(
    draw: st.DrawFn, lines: list[InvoiceLineItem], left: dict[Hashable, int], max_restocks: int
) -> list[Restock]:
    """Draw restocks of what the counted fulfillments shipped; ``left`` grows by what they release.

    Each restocked restock releases at most what is shipped, net of the restocks before
    it, of each of its lines; a cancelled one (a walk may cancel it) releases nothing.
    """
    made: list[Restock] = []
    for restock_id in range(1, draw(st.integers(0, max_restocks)) + 1):
        shipped = [item for item in lines if left[item.id] < item.quantity]
        if not shipped:
            break
        chosen = draw(st.lists(st.sampled_from(shipped), min_size=1, max_size=3, unique=True))
        returned = tuple(
            FulfillmentLine(item.id, draw(st.integers(1, item.quantity - left[item.id])))
            for item in chosen
        )
        created = draw(moments())
        restock = Restock(id=restock_id, lines=returned, created_at=created)
        restock = _walk(draw, restock, created, 1, lambda _d, r, e, at: getattr(r, e)(at=at))
        if restock.counts:
            for line in returned:
                left[line.invoice_line_item_id] += line.quantity
        made.append(restock)
    return made


def _complete_some(
    draw: st.DrawFn, invoice: Invoice, left: dict[Hashable, int], released: set[Hashable]
) -> Invoice:
    """Mark some lines shipped in full (and never released) ``complete``, as a merchant may."""
    items = tuple(
        item.complete(at=draw(moments()))
        if item.may("complete")
        and left.get(item.id) == 0
        and item.id not in released
        and draw(st.booleans())
        else item
        for item in invoice.line_items
    )
    return attrs.evolve(invoice, line_items=items)


def books(
    *,
    max_orders: int = 3,
    max_invoices: int = 4,
    max_fulfillments: int = 5,
    max_events: int = 3,
    complete_lines: bool = True,
    max_restocks: int = 0,
) -> st.SearchStrategy[Book]:
    """Consistent books: orders, their invoices, fulfillments that ship them, and restocks.

    Line-item ids are unique across the book (so a rollup or tracker takes all of its
    invoices at once), fulfillments ship required lines within their quantities,
    restocks release no more of a line than the counted fulfillments shipped of it (so
    ``rollup.compute`` and ``rollup.Tracker`` accept them), and each line's status is
    the one its fulfillments and restocks give it. Most invoices are paid, so most books
    have something shipped and something left to ship.

    Args:
        max_orders: the most orders (at least one).
        max_invoices: the most invoices across the book (at least one).
        max_fulfillments: the most fulfillments.
        max_events: the most further events in each invoice's history.
        complete_lines: whether some lines shipped in full are then marked ``complete``
            (a tracker refuses to count new fulfillments of a complete line, so pass
            ``False`` to replay a book's fulfillments into one). A line a restock names
            is never marked complete.
        max_restocks: the most restocks (``Book.restocks``), restocked or cancelled;
            0, the default, draws none, so that a book's fulfillments alone give its
            statuses.
    """
    return _books(
        max_orders, max_invoices, max_fulfillments, max_events, complete_lines, max_restocks
    )


_ids = ids  # the public strategies take an ``ids`` option that shadows this function
