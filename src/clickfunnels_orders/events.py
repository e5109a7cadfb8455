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
from clickfunnels_orders.machines import CompiledMachine
from clickfunnels_orders.payloads import dump_moment, parse_moment
from clickfunnels_orders.statuses import InvoiceStatus, OrderType
from clickfunnels_orders.webhooks import WebhookEvent, WebhookEventType, parse_webhook

__all__ = [
    "EVENT_NAMESPACE",
    "ORDER_CONFIRMATION_EMAIL",
    "DomainEvent",
    "domain_events",
    "event_types",
    "new_events",
]

T = WebhookEventType

#: The signal that ClickFunnels sends the order confirmation email (not a webhook).
ORDER_CONFIRMATION_EMAIL: Final = "order.confirmation_email"

#: The namespace of the deterministic (version 5) event ids.
EVENT_NAMESPACE: Final = uuid.uuid5(
    uuid.NAMESPACE_URL, "https://pypi.org/project/clickfunnels-orders/"
)

Entity = Order | Invoice | Fulfillment
_Types = tuple[str, ...]
#: Event types by machine event: a tuple, or a mapping by destination status or by the
#: order's type (one-time or subscription).
_Rule = _Types | Mapping[Any, _Types]

_SUBJECT_TYPE: Final[Mapping[type, str]] = {
    Order: "Order",
    Invoice: "Orders::Invoice",
    Fulfillment: "Fulfillment",
}
_CREATED: Final[Mapping[type, _Types]] = {
    Order: (T.ORDER_CREATED,),
    Invoice: (T.INVOICE_CREATED,),
    Fulfillment: (T.FULFILLMENT_CREATED,),
}
#: For a move no machine event makes (an external order set back to pending, say).
_UPDATED: Final[Mapping[type, _Types]] = {
    Order: (T.ORDER_UPDATED,),
    Invoice: (T.INVOICE_UPDATED,),
    InvoiceLineItem: (T.INVOICE_UPDATED,),
    Fulfillment: (T.FULFILLMENT_UPDATED,),
}

_ONE_TIME = OrderType.ONE_TIME
_SUBSCRIPTION = OrderType.SUBSCRIPTION

#: Each machine's user events (``set_status`` aside) and the webhook types they send.
_RULES: Final[Mapping[type, Mapping[str, _Rule]]] = {
    Order: {
        "activate": (T.SUBSCRIPTION_ACTIVATED,),
        "pause": (T.SUBSCRIPTION_MODIFIED,),
        "resume": (T.SUBSCRIPTION_MODIFIED,),
        "suspend": (T.SUBSCRIPTION_MODIFIED,),
        "cancel": {_ONE_TIME: (T.ORDER_UPDATED,), _SUBSCRIPTION: (T.SUBSCRIPTION_CANCELED,)},
        "churn": (T.SUBSCRIPTION_CHURNED,),
        "reactivate": (T.SUBSCRIPTION_REACTIVATED,),
        "complete": {
            _ONE_TIME: (T.ONE_TIME_ORDER_COMPLETED, T.ORDER_COMPLETED),
            _SUBSCRIPTION: (T.SUBSCRIPTION_COMPLETED, T.ORDER_COMPLETED),
        },
        "abandon": (T.ORDER_UPDATED,),
        "void": (T.ORDER_UPDATED,),
    },
    Invoice: {
        "issue": (T.INVOICE_UPDATED,),
        "pay": {
            InvoiceStatus.PAID: (T.INVOICE_PAID,),
            InvoiceStatus.PARTIALLY_PAID: (T.INVOICE_UPDATED,),
        },
        "mark_past_due": (T.INVOICE_PAST_DUE,),
        "abandon": (T.INVOICE_ABANDONED,),
        "void": (T.INVOICE_VOIDED,),
        "refund": (T.INVOICE_REFUNDED,),
        "dispute": (T.INVOICE_UPDATED,),
        "win_dispute": (T.INVOICE_UPDATED,),
        "lose_dispute": (T.INVOICE_REFUNDED,),
    },
    InvoiceLineItem: {
        "ignore": (T.INVOICE_UPDATED,),
        "unignore": (T.INVOICE_UPDATED,),
        "complete": (T.INVOICE_UPDATED,),
    },
    Fulfillment: {
        "cancel": (T.FULFILLMENT_UPDATED,),
        "restock": (T.FULFILLMENT_UPDATED,),
    },
}
#: With the order at hand, an invoice's change also sends the order-level type.
_ORDER_LEVEL: Final[Mapping[tuple[str, OrderType], _Types]] = {
    (T.INVOICE_PAID, _ONE_TIME): (T.ONE_TIME_ORDER_INVOICE_PAID,),
    (T.INVOICE_PAID, _SUBSCRIPTION): (T.SUBSCRIPTION_INVOICE_PAID,),
    (T.INVOICE_REFUNDED, _ONE_TIME): (T.ONE_TIME_ORDER_REFUNDED,),
}
_SET_STATUS: Final = "set_status"


def _machine(cls: type) -> CompiledMachine:
    machine: CompiledMachine = cls._lifecycle  # type: ignore[attr-defined]
    return machine


def _check_rules() -> None:
    """Every user event of every machine has a rule, and every rule names a real event."""
    for cls, rules in _RULES.items():
        events = set(_machine(cls).user_events) - {_SET_STATUS}
        if set(rules) != events:
            missing = sorted(events - set(rules))
            unknown = sorted(set(rules) - events)
            msg = f"{cls.__name__} webhook rules: unmapped events {missing}, unknown {unknown}"
            raise RuntimeError(msg)


_check_rules()


def _managed_event(cls: type, entity: Any, change: Change) -> str | None:
    """The machine event a change stands for (``set_status`` is read as its managed twin)."""
    if change.event != _SET_STATUS:
        return change.event
    machine = _machine(cls)
    routes = [
        route
        for event, by_source in machine.routes.items()
        if event != _SET_STATUS and event in machine.user_events
        for source_routes in by_source.values()
        for route in source_routes
        if route.dest == change.dest
    ]
    exact = [route for route in routes if route.source == change.source]
    for candidates in (exact, routes):
        admitted = [route for route in candidates if route.admits(entity)]
        for route in admitted or candidates:
            return route.event
    return None


def _lookup(rule: _Rule, entity: Any, change: Change) -> _Types:
    if isinstance(rule, tuple):
        return rule
    if change.dest in rule:
        return rule[change.dest]
    return rule[entity.order_type]


def event_types(
    entity: Entity | InvoiceLineItem, change: Change, *, order: Order | None = None
) -> tuple[str, ...]:
    """Return the webhook event types ClickFunnels sends for ``change`` of ``entity``.

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
    event = _managed_event(cls, entity, change)
    rule = _RULES[cls].get(event) if event is not None else None
    types = _lookup(rule, entity, change) if rule is not None else _UPDATED[cls]
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
    subject_type = _SUBJECT_TYPE[cls]
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

    add("created", _created_at(entity), None, _CREATED[cls])
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
