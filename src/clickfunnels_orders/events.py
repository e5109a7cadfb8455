"""Domain events: the webhooks ClickFunnels would send for an entity's changes.

Every change an entity records in its ``history`` maps to the ClickFunnels webhook event
type(s) it corresponds to: a paid invoice gives ``orders/invoice.paid``, a completed
one-time order ``one-time-order.completed`` and ``order.completed``, a created fulfillment
``fulfillment.created``. :func:`domain_events` lists them for an entity (its creation,
then each change, oldest first), :func:`new_events` those one transition added, and each
:class:`DomainEvent` renders as a webhook envelope with a deterministic event id. With
:func:`~clickfunnels_orders.webhooks.sign_webhook`, that is everything a test double of
ClickFunnels needs.

The mapping is keyed by the machines' own event names and looked up through the machines,
never by restating their transitions: an external ``set_status`` change is mapped as the
managed event that makes the same move (``unpaid -> paid`` is ``pay``), else as a managed
event reaching the same status, else as a plain ``*.updated``. At import, the table is
checked to name every user event of every machine, so a new event cannot go unmapped.

Setting an external invoice to paid also sends the order confirmation email (the orders
seed says so); that shows up as an extra event of type :data:`ORDER_CONFIRMATION_EMAIL`
whose ``is_webhook`` is false: a signal for the test double, not a webhook.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, Final

import attrs

from clickfunnels_orders.entities import (
    Change,
    Fulfillment,
    Invoice,
    InvoiceLineItem,
    Order,
)
from clickfunnels_orders.entities._lifecycle import Lifecycle
from clickfunnels_orders.errors import InvalidTypeError, MachineDefinitionError
from clickfunnels_orders.machines import CompiledMachine, Route
from clickfunnels_orders.payloads import dump_moment, parse_moment
from clickfunnels_orders.statuses import InvoiceStatus, OrderType
from clickfunnels_orders.webhook_types import WebhookEventType
from clickfunnels_orders.webhooks import SUBJECT_OF, WebhookEvent, parse_webhook

__all__ = [
    "EVENT_NAMESPACE",
    "ORDER_CONFIRMATION_EMAIL",
    "DomainEvent",
    "domain_events",
    "event_types",
    "new_events",
]

#: The signal that ClickFunnels sends the order confirmation email (not a webhook).
ORDER_CONFIRMATION_EMAIL: Final = "order.confirmation_email"

#: The namespace of the deterministic (version 5) event ids.
EVENT_NAMESPACE: Final = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://pypi.org/project/clickfunnels-orders/"
)

Entity = Order | Invoice | Fulfillment
_Types = tuple[str, ...]
_types = WebhookEventType

#: With the order at hand, an invoice's webhook type also sends the order-level type.
_ORDER_LEVEL: Final[Mapping[tuple[str, OrderType], _Types]] = {
    (_types.INVOICE_PAID, OrderType.ONE_TIME): (_types.ONE_TIME_ORDER_INVOICE_PAID,),
    (_types.INVOICE_PAID, OrderType.SUBSCRIPTION): (_types.SUBSCRIPTION_INVOICE_PAID,),
    (_types.INVOICE_REFUNDED, OrderType.ONE_TIME): (_types.ONE_TIME_ORDER_REFUNDED,),
}
_SET_STATUS: Final = "set_status"


def _updated(cls: type) -> _Types:
    # A line item's change is its invoice's change.
    subject = SUBJECT_OF[Invoice if cls is InvoiceLineItem else cls]
    return (subject.updated,)


def _check_webhooks() -> None:
    """Every user route of every machine (``set_status`` aside) declares its webhooks."""
    classes: tuple[type[Lifecycle], ...] = (Order, Invoice, Fulfillment, InvoiceLineItem)
    for cls in classes:
        lifecycle: CompiledMachine = cls.lifecycle
        unmapped = sorted(
            {
                route.event
                for route in lifecycle.all_routes()
                if route.event in lifecycle.user_events
                and route.event != _SET_STATUS
                and not route.webhooks
            }
        )
        if unmapped:
            msg = f"{cls.__name__} machine: events without webhooks {unmapped}"
            raise MachineDefinitionError(msg)


_check_webhooks()


def _route_of(cls: type[Lifecycle], entity: Any, change: Change) -> Route | None:
    """The machine route a change took (``set_status`` is read as its managed twin)."""
    lifecycle: CompiledMachine = cls.lifecycle
    if change.event != _SET_STATUS:
        taken = [
            route
            for route in lifecycle.routes_from(change.event, change.source)
            if route.dest == change.dest
        ]
        admitted = [route for route in taken if route.admits(entity)]
        chosen = admitted or taken
        return chosen[0] if chosen else None
    managed = [
        route
        for route in lifecycle.all_routes()
        if route.event != _SET_STATUS
        and route.event in lifecycle.user_events
        and route.dest == change.dest
    ]
    exact = [route for route in managed if route.source == change.source]
    for candidates in (exact, managed):
        admitted = [route for route in candidates if route.admits(entity)]
        for route in admitted or candidates:
            return route
    return None


def event_types(
    entity: Entity | InvoiceLineItem, change: Change, *, order: Order | None = None
) -> tuple[str, ...]:
    """Return the webhook event types ClickFunnels sends for ``change`` of ``entity``.

    The types are those the machine declares beside the move the change made; a move no
    machine event makes (an external order set back to pending, say) sends the
    subject's ``*.updated``.

    Args:
        entity: the entity whose ``history`` holds ``change`` (an invoice line item's
            changes are its invoice's ``orders/invoice.updated``).
        change: one record of its history.
        order: for an invoice, its order: adds the order-level type
            (``one-time-order.invoice.paid``, ``subscription.invoice.paid``,
            ``one_time_order.refunded``).

    Returns:
        The types, most specific first; never empty.
    """
    cls = type(entity)
    route = _route_of(cls, entity, change)
    types: _Types = route.webhooks if route is not None and route.webhooks else _updated(cls)
    if order is not None and cls is Invoice:
        for webhook_type in types:
            types = (*types, *_ORDER_LEVEL.get((webhook_type, order.order_type), ()))
    return types


@attrs.frozen
class DomainEvent:
    """One event ClickFunnels would send (or one signal it would act on).

    Attributes:
        event_id: deterministic: the same entity, change and type always give the same id.
        event_type: the webhook event type (a :class:`WebhookEventType` value), or
            :data:`ORDER_CONFIRMATION_EMAIL` for that signal.
        subject_type: ``Order``, ``Orders::Invoice`` or ``Fulfillment``.
        subject_id: the entity's id.
        at: when it happened (the change's moment; for a creation, the entity's
            ``created_at`` when known).
        change: the history record behind it (``None`` for a creation).
        entity: the entity the event carries as its ``data``, as it is now.
        is_webhook: false for a signal that is not delivered as a webhook.
    """

    event_id: str
    event_type: str
    subject_type: str
    subject_id: Hashable
    at: dt.datetime | None
    change: Change | None
    entity: Entity = attrs.field(repr=False)
    is_webhook: bool = True

    def envelope(self, *, workspace_id: int | None = None) -> dict[str, Any]:
        """Return the webhook envelope ClickFunnels would deliver (shape (a) plus (b)'s keys).

        ``data`` is the entity's ``to_api()``: the entity as it is, which for an entity
        with several changes is its latest version (ClickFunnels, too, sends the current
        object with each event).
        """
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "subject_id": self.subject_id,
            "subject_type": self.subject_type,
            "created_at": None if self.at is None else dump_moment(self.at),
            "data": self.entity.to_api(),
            "page_id": None,
            "funnel_id": None,
            "api_version": 2,
            "workspace_id": workspace_id,
        }

    def to_webhook_event(self) -> WebhookEvent:
        """Return the :class:`WebhookEvent` a consumer would read from :meth:`envelope`."""
        return parse_webhook(self.envelope())


def _event_id(subject_type: str, subject_id: Hashable, part: str, event_type: str) -> str:
    name = f"{subject_type}/{subject_id!r}/{part}/{event_type}"
    return str(uuid.uuid5(EVENT_NAMESPACE, name))


def _created_at(entity: Entity) -> dt.datetime | None:
    created = getattr(entity, "created_at", None)
    if isinstance(created, dt.datetime):
        return created
    raw = entity.extra.get("created_at")
    if raw is not None:
        try:
            return parse_moment(raw)
        except ValueError:
            pass
    return entity.history[0].at if entity.history else None


def _events(
    entity: Entity, *, order: Order | None
) -> list[tuple[tuple[int, dt.datetime | None, int], DomainEvent]]:
    cls = type(entity)
    subject = SUBJECT_OF[cls]
    subject_type = subject.name
    found: list[tuple[tuple[int, dt.datetime | None, int], DomainEvent]] = []

    def add(part: str, at: dt.datetime | None, change: Change | None, types: Iterable[str]) -> None:
        for webhook_type in types:
            is_webhook = webhook_type != ORDER_CONFIRMATION_EMAIL
            event = DomainEvent(
                event_id=_event_id(subject_type, entity.id, part, webhook_type),
                event_type=str(webhook_type),
                subject_type=subject_type,
                subject_id=entity.id,
                at=at,
                change=change,
                entity=entity,
                is_webhook=is_webhook,
            )
            found.append(((0 if change is None else 1, at, len(found)), event))

    add("created", _created_at(entity), None, (subject.created,))
    for index, change in enumerate(entity.history):
        types = event_types(entity, change, order=order)
        if (
            isinstance(entity, Invoice)
            and entity.is_external
            and change.dest == InvoiceStatus.PAID
            and change.event in {_SET_STATUS, "pay"}
        ):
            types = (*types, ORDER_CONFIRMATION_EMAIL)
        add(f"history/{index}", change.at, change, types)
    if isinstance(entity, Invoice):
        for line in entity.line_items:
            for index, change in enumerate(line.history):
                add(
                    f"line_items/{line.id!r}/history/{index}",
                    change.at,
                    change,
                    event_types(line, change),
                )
    return found


def domain_events(entity: Entity, *, order: Order | None = None) -> tuple[DomainEvent, ...]:
    """Return every event ClickFunnels would have sent for ``entity``: creation, then changes.

    An invoice's events include its line items' changes (as ``orders/invoice.updated``).
    Events come oldest first (a creation first of all); each carries ``entity`` as it is now.

    Args:
        entity: an order, invoice or fulfillment.
        order: for an invoice, its order, to add the order-level types.
    """
    if type(entity) not in SUBJECT_OF:
        names = ", ".join(cls.__name__ for cls in SUBJECT_OF)
        raise InvalidTypeError("entity", entity, f"an entity ({names})")
    if order is not None and not isinstance(order, Order):
        raise InvalidTypeError("order", order, "an Order or None")
    found = _events(entity, order=order)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    found.sort(key=lambda item: (item[0][0], item[0][1] or epoch, item[0][2]))
    return tuple(event for _, event in found)


def new_events(
    before: Entity | None, after: Entity, *, order: Order | None = None
) -> tuple[DomainEvent, ...]:
    """Return the events of the changes ``after`` holds and ``before`` does not.

    ``after`` is ``before`` after one or more transitions; the result is what ClickFunnels
    would send for them, carrying ``after`` as data. Without ``before`` (``None``), this is
    :func:`domain_events` of ``after``.
    """
    seen = (
        {event.event_id for event in domain_events(before, order=order)}
        if before is not None
        else set()
    )
    return tuple(event for event in domain_events(after, order=order) if event.event_id not in seen)
