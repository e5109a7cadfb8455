"""Test data for the foundation's tests: entity builders, moments and Hypothesis strategies.

Everything here is built from the public constructors, independently of the library's own
``clickfunnels_orders.testing`` kit, so that the tests check that kit's subject rather
than share its assumptions. The expected lifecycles at the bottom are written out from
API.md section 4: they are the oracle the machines are checked against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final, TypeVar

from hypothesis import strategies as st

from clickfunnels_orders import (
    Change,
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    InvalidTransitionError,
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

T0: Final = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)

I = InvoiceStatus  # noqa: E741  because the lifecycle tables read better with short aliases
S = ServiceStatus
PAI: Final = PaymentProcessor.PAYMENTS_AI
STRIPE: Final = PaymentProcessor.STRIPE
EXTERNAL: Final = PaymentProcessor.EXTERNAL
MANAGED: Final = (PAI, STRIPE)
ONE_TIME: Final = OrderType.ONE_TIME
SUBSCRIPTION: Final = OrderType.SUBSCRIPTION
ORDER_VARIANTS: Final = tuple((p, t) for p in PaymentProcessor for t in OrderType)

T = TypeVar("T")


def loosely(cls: Callable[..., T]) -> Callable[..., T]:
    """Return ``cls`` (or a method) typed to take any arguments: it converts str and int money.

    The entities' annotations name the converted types (``Decimal``); the constructors
    also take what API.md says they convert, and the tests check that they refuse the rest.
    """
    return cls


def at(minutes: int = 0, *, days: int = 0) -> dt.datetime:
    """Return the moment ``days`` days and ``minutes`` minutes after ``T0``."""
    return T0 + dt.timedelta(days=days, minutes=minutes)


def after(entity: Invoice | Order | InvoiceLineItem | Fulfillment, minutes: int = 1) -> dt.datetime:
    """Return a moment ``minutes`` after the entity's last change (or after ``T0``)."""
    last = entity.history[-1].at if entity.history else T0
    return last + dt.timedelta(minutes=minutes)


# -- builders -------------------------------------------------------------------------------


def invoice_line(
    line_id: Hashable = 1,
    *,
    invoice_id: Hashable = 10,
    quantity: int = 1,
    amount: object = "10.00",
    status: LineItemFulfillmentStatus | str = LineItemFulfillmentStatus.UNFULFILLED,
    history: Iterable[object] = (),
    **fields: Any,
) -> InvoiceLineItem:
    """Return an invoice line item; unspecified fields take plausible values."""
    return loosely(InvoiceLineItem)(
        id=line_id,
        invoice_id=invoice_id,
        variant_id=fields.pop("variant_id", 500),
        quantity=quantity,
        amount=amount,
        fulfillment_status=status,
        history=history,
        **fields,
    )


def invoice(
    status: InvoiceStatus | str = I.DRAFT,
    *,
    invoice_id: Hashable = 10,
    order_id: Hashable = 1,
    total: object = "100.00",
    paid: object = "0",
    refunded: object = "0",
    processor: PaymentProcessor = PAI,
    history: Iterable[object] = (),
    lines: Iterable[object] | None = None,
    **fields: Any,
) -> Invoice:
    """Return an invoice in ``status`` with the given amounts (constructed, not walked)."""
    return loosely(Invoice)(
        id=invoice_id,
        order_id=order_id,
        status=status,
        line_items=(invoice_line(invoice_id=invoice_id),) if lines is None else lines,
        currency="USD",
        total_amount=total,
        amount_paid=paid,
        amount_refunded=refunded,
        payment_processor=processor,
        history=history,
        **fields,
    )


def order_line(
    line_id: Hashable = 100,
    *,
    payment_type: str = "one_time",
    quantity: int = 1,
    amount: object = "10.00",
    **fields: Any,
) -> OrderLineItem:
    """Return an order line item; unspecified fields take plausible values."""
    return loosely(OrderLineItem)(
        id=line_id,
        variant_id=fields.pop("variant_id", 500),
        quantity=quantity,
        amount=amount,
        payment_type=payment_type,
        **fields,
    )


def order(
    processor: PaymentProcessor = PAI,
    order_type: OrderType = ONE_TIME,
    status: ServiceStatus | str = S.PENDING,
    *,
    order_id: Hashable = 1,
    lines: Iterable[object] | None = None,
    history: Iterable[object] = (),
    **fields: Any,
) -> Order:
    """Return an order of that processor and type, in ``status``."""
    if lines is None:
        payment_type = "subscription" if order_type is SUBSCRIPTION else "one_time"
        lines = (order_line(payment_type=payment_type),)
    return loosely(Order)(
        id=order_id,
        contact_id=fields.pop("contact_id", 7),
        currency=fields.pop("currency", "USD"),
        line_items=lines,
        payment_processor=processor,
        service_status=status,
        order_type=order_type,
        history=history,
        **fields,
    )


def fulfillment(
    status: FulfillmentStatus | str = FulfillmentStatus.FULFILLED,
    *,
    fulfillment_id: Hashable = 900,
    lines: Iterable[object] | None = None,
    history: Iterable[object] = (),
) -> Fulfillment:
    """Return a fulfillment shipping one unit of invoice line item 1 by default."""
    return loosely(Fulfillment)(
        id=fulfillment_id,
        lines=(FulfillmentLine(invoice_line_item_id=1, quantity=1),) if lines is None else lines,
        status=status,
        history=history,
    )


# -- firing events with valid arguments -----------------------------------------------------

#: Arguments to try, per event, besides ``at``: each is a dict of keyword arguments.
_NO_ARGS: Final[tuple[dict[str, Any], ...]] = ({},)


def _argument_sets(entity: object, event: str) -> tuple[dict[str, Any], ...]:
    if event == "set_status":
        # The current status is left out: setting it is a no-op, not a move.
        statuses: Iterable[str] = InvoiceStatus if isinstance(entity, Invoice) else ServiceStatus
        current = getattr(entity, "status", None) or getattr(entity, "service_status", None)
        return tuple({"status": status} for status in statuses if status != current)
    if event == "cancel" and isinstance(entity, Order):
        return ({"reason": "other"},)
    return _NO_ARGS


def attempt(entity: Any, event: str, moment: dt.datetime) -> Any | None:
    """Fire ``event`` with each set of valid arguments; return the first result, or None.

    ``None`` means every attempt raised ``InvalidTransitionError``: the event is not
    allowed. Any other error is a failure of the test that called this.
    """
    method: Callable[..., Any] = getattr(entity, event)
    for kwargs in _argument_sets(entity, event):
        try:
            return method(**kwargs, at=moment)
        except InvalidTransitionError:
            continue
    return None


# -- the contract's lifecycles, written out from API.md section 4 ---------------------------

INVOICE_EVENTS: Final = (
    "issue",
    "pay",
    "mark_past_due",
    "abandon",
    "void",
    "refund",
    "dispute",
    "win_dispute",
    "lose_dispute",
    "set_status",
)
#: Managed invoice events, by the statuses they may be fired from.
INVOICE_SOURCES: Final[Mapping[str, frozenset[InvoiceStatus]]] = {
    "issue": frozenset({I.DRAFT}),
    "pay": frozenset({I.UNPAID, I.PARTIALLY_PAID, I.PAST_DUE}),
    "mark_past_due": frozenset({I.UNPAID}),
    "abandon": frozenset({I.DRAFT, I.UNPAID, I.PAST_DUE}),
    "void": frozenset({I.DRAFT, I.UNPAID, I.PAST_DUE}),
    "refund": frozenset({I.PAID, I.PARTIALLY_PAID, I.PARTIALLY_REFUNDED}),
    "dispute": frozenset({I.PAID, I.PARTIALLY_REFUNDED}),
    "win_dispute": frozenset({I.DISPUTED}),
    "lose_dispute": frozenset({I.DISPUTED}),
    "set_status": frozenset(),
}
EXTERNAL_INVOICE_STATUSES: Final = frozenset(
    {I.UNPAID, I.PAID, I.VOIDED, I.REFUNDED, I.DISPUTED, I.PAST_DUE, I.ABANDONED}
)
MANAGED_INVOICE_FINALS: Final = frozenset({I.ABANDONED, I.VOIDED, I.REFUNDED})

ORDER_EVENTS: Final = (
    "activate",
    "pause",
    "resume",
    "suspend",
    "cancel",
    "churn",
    "reactivate",
    "complete",
    "abandon",
    "void",
    "set_status",
)
LINE_ITEM_EVENTS: Final = ("ignore", "unignore", "complete")
FULFILLMENT_EVENTS: Final = ("cancel", "restock")
#: The events a user fires, per class, in the order API.md lists them.
USER_EVENTS: Final[Mapping[type, tuple[str, ...]]] = {
    Invoice: INVOICE_EVENTS,
    Order: ORDER_EVENTS,
    InvoiceLineItem: LINE_ITEM_EVENTS,
    Fulfillment: FULFILLMENT_EVENTS,
}
#: Managed order events: ``(source, dest)`` pairs, per order type (Payments AI; Stripe
#: lacks ``void``).
ORDER_ROUTES: Final[Mapping[OrderType, Mapping[str, frozenset[tuple[S, S]]]]] = {
    ONE_TIME: {
        "complete": frozenset({(S.PENDING, S.COMPLETED)}),
        "cancel": frozenset({(S.PENDING, S.CANCELED)}),
        "abandon": frozenset({(S.PENDING, S.ABANDONED)}),
        "void": frozenset({(S.PENDING, S.VOIDED)}),
    },
    SUBSCRIPTION: {
        "activate": frozenset({(S.PENDING, S.ACTIVE)}),
        "pause": frozenset({(S.ACTIVE, S.PAUSED)}),
        "resume": frozenset({(S.PAUSED, S.ACTIVE), (S.SUSPENDED, S.ACTIVE)}),
        "suspend": frozenset({(S.ACTIVE, S.SUSPENDED)}),
        "cancel": frozenset(
            {(s, S.CANCELED) for s in (S.PENDING, S.ACTIVE, S.PAUSED, S.SUSPENDED)}
        ),
        "churn": frozenset({(S.CANCELED, S.CHURNED)}),
        "reactivate": frozenset({(S.CANCELED, S.ACTIVE), (S.CHURNED, S.ACTIVE)}),
        "complete": frozenset({(S.ACTIVE, S.COMPLETED)}),
        "abandon": frozenset({(S.PENDING, S.ABANDONED)}),
        "void": frozenset({(S.PENDING, S.VOIDED)}),
    },
}
#: The statuses an external order may hold (and be set to).
EXTERNAL_ORDER_STATUSES: Final[Mapping[OrderType, frozenset[S]]] = {
    ONE_TIME: frozenset({S.PENDING, S.COMPLETED}),
    SUBSCRIPTION: frozenset({S.PENDING, S.ACTIVE, S.PAUSED, S.CANCELED, S.CHURNED, S.COMPLETED}),
}


def expected_order_routes(
    processor: PaymentProcessor, order_type: OrderType
) -> dict[str, frozenset[tuple[S, S]]]:
    """Return the managed events an order of that processor and type has, as route sets."""
    routes = dict(ORDER_ROUTES[order_type])
    if processor is STRIPE:
        routes.pop("void", None)
    if processor is EXTERNAL:
        held = EXTERNAL_ORDER_STATUSES[order_type]
        routes = {
            event: frozenset((s, d) for s, d in pairs if s in held and d in held)
            for event, pairs in routes.items()
        }
    return {event: pairs for event, pairs in routes.items() if pairs}


def order_statuses(processor: PaymentProcessor, order_type: OrderType) -> frozenset[S]:
    """Return the statuses an order of that processor and type can reach (API.md)."""
    if processor is EXTERNAL:
        return EXTERNAL_ORDER_STATUSES[order_type]
    reached = {S.PENDING}
    for pairs in expected_order_routes(processor, order_type).values():
        reached.update(dest for _, dest in pairs)
    return frozenset(reached)


def expected_order_events(order_value: Order) -> frozenset[str]:
    """Return the events API.md lets ``order_value`` fire from its current status."""
    processor, order_type = order_value.payment_processor, order_value.order_type
    status = order_value.service_status
    events = {
        event
        for event, pairs in expected_order_routes(processor, order_type).items()
        if any(source == status for source, _ in pairs)
    }
    if processor is EXTERNAL and status in EXTERNAL_ORDER_STATUSES[order_type]:
        events.add("set_status")
    return frozenset(events)


def expected_invoice_events(invoice_value: Invoice) -> frozenset[str]:
    """Return the events API.md lets ``invoice_value`` fire from its current status."""
    status = invoice_value.status
    events = {event for event, sources in INVOICE_SOURCES.items() if status in sources}
    if invoice_value.payment_processor is EXTERNAL and status in EXTERNAL_INVOICE_STATUSES:
        events.add("set_status")
    if status is I.DISPUTED and not _wins_back(invoice_value):
        # A dispute is won back to where it came from, only where the money is still there.
        events.discard("win_dispute")
    return frozenset(events)


def _wins_back(disputed: Invoice) -> bool:
    """Whether a disputed invoice's win has a status to return to that its amounts show."""
    total, paid, refunded = disputed.total_amount, disputed.amount_paid, disputed.amount_refunded
    if disputed.history:
        source = disputed.history[-1].source
    elif paid == total and refunded == 0:
        source = I.PAID
    elif paid == total and 0 < refunded < paid:
        source = I.PARTIALLY_REFUNDED
    else:
        return False
    if source == I.PAID:
        return paid == total and refunded == 0
    if source == I.PARTIALLY_REFUNDED:
        return paid == total and 0 < refunded < paid
    return False


# -- Hypothesis strategies ------------------------------------------------------------------

money = st.decimals(
    min_value=Decimal(0), max_value=Decimal(10_000), places=2, allow_nan=False, allow_infinity=False
)
steps = st.integers(min_value=0, max_value=60 * 24 * 40).map(lambda m: dt.timedelta(minutes=m))


@st.composite
def constructed_invoices(draw: st.DrawFn) -> Invoice:
    """Return an invoice of any status and processor, built directly with sane amounts."""
    status = draw(st.sampled_from(InvoiceStatus))
    total = draw(money)
    paid = draw(st.decimals(min_value=Decimal(0), max_value=total, places=2))
    refunded = draw(st.decimals(min_value=Decimal(0), max_value=paid, places=2))
    history: tuple[Change, ...] = ()
    if status is I.DISPUTED and draw(st.booleans()):
        source = draw(st.sampled_from([I.PAID, I.PARTIALLY_REFUNDED]))
        history = (Change("dispute", source, I.DISPUTED, T0),)
    return invoice(
        status,
        total=total,
        paid=paid,
        refunded=refunded,
        processor=draw(st.sampled_from(PaymentProcessor)),
        history=history,
        due_at=draw(st.none() | st.builds(at, st.integers(-3000, 3000))),
    )


@st.composite
def walked_invoices(draw: st.DrawFn, *, processor: PaymentProcessor | None = None) -> Invoice:
    """Return a draft invoice moved by a random walk of allowed events (random amounts)."""
    chosen = draw(st.sampled_from(PaymentProcessor)) if processor is None else processor
    current = invoice(
        total=draw(money),
        processor=chosen,
        due_at=draw(st.none() | st.builds(at, st.integers(-3000, 3000))),
    )
    for _ in range(draw(st.integers(0, 8))):
        allowed = current.allowed_events
        if not allowed:
            break
        event = draw(st.sampled_from(allowed))
        moment = after(current, 0) + draw(steps)
        current = fire_drawn(draw, current, event, moment)
    return current


def fire_drawn(
    draw: Callable[..., Any], current: Invoice, event: str, moment: dt.datetime
) -> Invoice:
    """Fire an allowed invoice ``event`` with drawn arguments."""
    if event == "pay":
        due = current.due_amount
        if due >= Decimal("0.01") and draw(st.booleans()):
            amount = draw(st.decimals(min_value=Decimal("0.01"), max_value=due, places=2))
            return current.pay(amount, at=moment)
        return current.pay(at=moment)
    if event == "refund":
        refundable = current.refundable_amount
        partial_ok = current.status is not I.PARTIALLY_PAID
        if partial_ok and refundable >= Decimal("0.01") and draw(st.booleans()):
            amount = draw(st.decimals(min_value=Decimal("0.01"), max_value=refundable, places=2))
            return current.refund(amount, at=moment)
        return current.refund(at=moment)
    if event == "set_status":
        target = draw(st.sampled_from(sorted(EXTERNAL_INVOICE_STATUSES)))
        return current.set_status(target, at=moment)
    result: Invoice = getattr(current, event)(at=moment)
    return result


@st.composite
def walked_orders(
    draw: st.DrawFn,
    *,
    variant: tuple[PaymentProcessor, OrderType] | None = None,
) -> Order:
    """Return a pending order of a drawn variant moved by a random walk of allowed events."""
    processor, order_type = draw(st.sampled_from(ORDER_VARIANTS)) if variant is None else variant
    current = order(processor, order_type)
    for _ in range(draw(st.integers(0, 8))):
        allowed = current.allowed_events
        if not allowed:
            break
        event = draw(st.sampled_from(allowed))
        moment = after(current, 0) + draw(steps)
        if event == "set_status":
            target = draw(st.sampled_from(sorted(EXTERNAL_ORDER_STATUSES[order_type])))
            current = current.set_status(target, at=moment)
        elif event == "cancel":
            reason = draw(st.sampled_from(current.cancel_reasons))
            current = current.cancel(at=moment, reason=reason)
        else:
            current = getattr(current, event)(at=moment)
    return current


@st.composite
def constructed_orders(draw: st.DrawFn) -> Order:
    """Return an order of any variant in any service status, built directly."""
    processor, order_type = draw(st.sampled_from(ORDER_VARIANTS))
    return order(processor, order_type, draw(st.sampled_from(ServiceStatus)))


line_items_any_status = st.builds(
    invoice_line,
    quantity=st.integers(1, 5),
    status=st.sampled_from(LineItemFulfillmentStatus),
)
fulfillments_any_status = st.builds(fulfillment, st.sampled_from(FulfillmentStatus))
