"""Each lifecycle, declared once as a ``transitions`` machine, validated and compiled.

The machines below are the single source of truth for which events exist, from which
states, to which states and under which conditions. Everything else (the entity methods'
guards, ``allowed_events``, the diagrams, the docs' tables) is derived from them.

The machines are built with no model (``model=None``) and are never triggered: an
entity is an immutable value, so firing an event means *reading* the machine, choosing
the route whose conditions hold, and returning a new value. :class:`CompiledMachine`
turns a machine into plain dictionaries once, at import, so that reading it costs a
couple of lookups.

Conditions are named in the machine (the names show up in diagrams) and resolved here to
:class:`Guard` functions. A guard looks only at the entity (``uses_args=False``), or also
at the event's arguments (``uses_args=True``: they choose among destinations, such as a
full or partial payment). ``may(event)`` and ``allowed_events`` consult the first kind only.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import attrs
from transitions.core import Machine, State

from clickfunnels_orders.statuses import (
    FulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderType,
    PaymentProcessor,
    ServiceStatus,
)

__all__ = [
    "FULFILLMENT",
    "INVOICE",
    "INVOICE_LINE_ITEM",
    "ORDER",
    "CompiledMachine",
    "Guard",
    "Route",
    "counted_status",
    "lifecycle_statuses",
]


@attrs.frozen
class Guard:
    """A named condition of a machine's transitions.

    Attributes:
        name: the name used in the machine's ``conditions`` / ``unless``.
        check: ``check(entity, route, args) -> bool``.
        uses_args: whether the check reads the event's arguments.
        doc: what the condition means, for docs and diagrams.
    """

    name: str
    check: Callable[[Any, Route, Mapping[str, Any]], bool]
    uses_args: bool
    doc: str


@attrs.frozen
class Route:
    """One transition of a machine, compiled: from ``source`` to ``dest`` on ``event``.

    ``requires`` are the entity-only conditions, ``selects`` those that read the event's
    arguments; each pairs a guard with the value it must return (``False`` for ``unless``).
    """

    event: str
    source: enum.StrEnum
    dest: enum.StrEnum
    requires: tuple[tuple[Guard, bool], ...]
    selects: tuple[tuple[Guard, bool], ...]

    def admits(self, entity: object) -> bool:
        """Return whether the entity-only conditions hold for ``entity``."""
        for guard, want in self.requires:  # noqa: SIM110  because a loop beats all() on this hot path
            if guard.check(entity, self, _NO_ARGS) is not want:
                return False
        return True

    def accepts(self, entity: object, args: Mapping[str, Any]) -> bool:
        """Return whether the argument conditions hold for ``entity`` and ``args``."""
        for guard, want in self.selects:  # noqa: SIM110  because a loop beats all() on this hot path
            if guard.check(entity, self, args) is not want:
                return False
        return True


_NO_ARGS: Mapping[str, Any] = {}


class CompiledMachine:
    """A validated ``transitions.Machine`` and the lookup tables derived from it.

    Attributes:
        machine: the machine itself (no models registered).
        name: the entity it belongs to.
        routes: ``routes[event][source]`` is the tuple of routes, in declaration order.
        events: every event, in declaration order.
        user_events: the events a user fires (not the internal ones).
        final_states: the states declared final.
    """

    def __init__(
        self,
        name: str,
        machine: Machine,
        guards: Mapping[str, Guard],
        *,
        status_enum: type[enum.StrEnum],
        required_events: Iterable[str],
        internal_events: Iterable[str] = (),
        exempt_from_final: Iterable[str] = (),
    ) -> None:
        self.name = name
        self.machine = machine
        self.guards = dict(guards)
        self.status_enum = status_enum
        internal = frozenset(internal_events)
        self.events: tuple[str, ...] = tuple(machine.events)
        self.user_events: tuple[str, ...] = tuple(e for e in self.events if e not in internal)
        self.final_states: frozenset[str] = frozenset(
            state.name for state in machine.states.values() if state.final
        )
        routes: dict[str, dict[str, tuple[Route, ...]]] = {}
        for event_name, event in machine.events.items():
            by_source: dict[str, tuple[Route, ...]] = {}
            # Event.transitions is a defaultdict: iterate it, never index it, or a lookup
            # of a missing source would quietly add an empty entry to the shared machine.
            for source, transitions in event.transitions.items():
                by_source[source] = tuple(self._route(event_name, t) for t in transitions)
            routes[event_name] = by_source
        self.routes: dict[str, dict[str, tuple[Route, ...]]] = routes
        #: ``(event, source) -> (routes, guarded)``: one lookup per fired event, and whether
        #: any of the routes has entity conditions to check.
        self.table: dict[tuple[str, str], tuple[tuple[Route, ...], bool]] = {
            (event, source): (found, any(route.requires for route in found))
            for event, by_source in routes.items()
            for source, found in by_source.items()
        }
        self._validate(frozenset(required_events), frozenset(exempt_from_final))

    def _route(self, event: str, transition: Any) -> Route:
        requires: list[tuple[Guard, bool]] = []
        selects: list[tuple[Guard, bool]] = []
        for condition in transition.conditions:
            guard = self.guards.get(condition.func)
            if guard is None:
                msg = f"{self.name} machine: {event!r} names unknown condition {condition.func!r}"
                raise RuntimeError(msg)
            (selects if guard.uses_args else requires).append((guard, bool(condition.target)))
        # Routes carry the status members themselves, so firing an event needs no lookup.
        return Route(
            event,
            self.status_enum(transition.source),
            self.status_enum(transition.dest),
            tuple(requires),
            tuple(selects),
        )

    def _validate(self, required: frozenset[str], exempt: frozenset[str]) -> None:
        """Check the definition: required events exist, no unreachable or trap states."""
        problems: list[str] = []
        missing = sorted(required - set(self.events))
        if missing:
            problems.append(f"missing events {missing}")
        states = list(self.machine.states)
        outgoing: dict[str, set[str]] = {s: set() for s in states}
        guarded_out: dict[str, bool] = dict.fromkeys(states, False)
        for by_source in self.routes.values():
            for source, routes in by_source.items():
                for route in routes:
                    outgoing[source].add(route.dest)
                    if not any(g.name in exempt for g, _ in route.requires):
                        guarded_out[source] = True
        initial = str(self.machine.initial)
        reached = self.reachable()[initial] | {initial}
        unreachable = [s for s in states if s not in reached]
        if unreachable:
            problems.append(f"unreachable states {unreachable}")
        traps = [s for s in states if s not in self.final_states and not outgoing[s]]
        if traps:
            problems.append(f"non-final states without a way out {traps}")
        leaky = [s for s in self.final_states if guarded_out[s]]
        if leaky:
            problems.append(f"final states with events {leaky}")
        if problems:
            msg = f"{self.name} machine is invalid: " + "; ".join(problems)
            raise RuntimeError(msg)

    def reachable(self, *, excluding: Iterable[str] = ()) -> Mapping[str, frozenset[str]]:
        """Return, for each state, the states its events can lead to in one or more steps.

        Conditions are ignored (every route counts). Events in ``excluding`` are left
        aside: a consumer ordering statuses leaves out ``set_status``, which can lead
        anywhere.
        """
        left_out = frozenset(excluding)
        steps: dict[str, set[str]] = {str(state): set() for state in self.machine.states}
        for event, by_source in self.routes.items():
            if event not in left_out:
                for source, routes in by_source.items():
                    steps[source].update(str(route.dest) for route in routes)
        reach: dict[str, frozenset[str]] = {}
        for start in steps:
            seen: set[str] = set()
            frontier = [start]
            while frontier:
                for dest in steps[frontier.pop()]:
                    if dest not in seen:
                        seen.add(dest)
                        frontier.append(dest)
            reach[start] = frozenset(seen)
        return reach

    def routes_from(self, event: str, state: str) -> tuple[Route, ...]:
        """Return the routes of ``event`` from ``state`` (empty when there are none)."""
        by_source = self.routes.get(event)
        if by_source is None:
            return ()
        return by_source.get(state, ())

    def allowed(self, entity: object, state: str) -> tuple[str, ...]:
        """Return the user events whose entity-only conditions hold from ``state``."""
        return tuple(
            event
            for event in self.user_events
            if any(route.admits(entity) for route in self.routes_from(event, state))
        )


def _build(
    name: str,
    states: Iterable[str],
    finals: Iterable[str],
    initial: str,
    transitions: list[dict[str, Any]],
    guards: Iterable[Guard],
    status_enum: type[enum.StrEnum],
    **options: Any,
) -> CompiledMachine:
    final_set = {str(s) for s in finals}
    machine = Machine(
        model=None,
        states=[State(str(s), final=str(s) in final_set) for s in states],
        # transitions names Enum states by member name; ours are named by the API's
        # strings, so hand it plain str values.
        transitions=[_plain(t) for t in transitions],
        initial=str(initial),
        auto_transitions=False,
        send_event=False,
    )
    return CompiledMachine(
        name, machine, {g.name: g for g in guards}, status_enum=status_enum, **options
    )


def _plain(transition: dict[str, Any]) -> dict[str, Any]:
    plain = dict(transition)
    for key in ("source", "dest"):
        value = plain[key]
        plain[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return plain


def _pairs(statuses: Iterable[str]) -> list[tuple[str, str]]:
    values = list(statuses)
    return [(s, d) for s in values for d in values if s != d]


# -- guards shared by several machines ----------------------------------------------------

IS_EXTERNAL: Final = Guard(
    "is_external",
    lambda entity, _route, _args: entity.payment_processor is PaymentProcessor.EXTERNAL,
    uses_args=False,
    doc="the payment processor is external: the client architects its own transitions",
)
TARGETS_DEST: Final = Guard(
    "targets_dest",
    lambda _entity, route, args: args.get("status") == route.dest,
    uses_args=True,
    doc="the status asked for is this transition's destination",
)

# -- invoice ------------------------------------------------------------------------------

I = InvoiceStatus  # noqa: E741  because the tables below read better with a short alias

#: Statuses an external invoice may be switched between with ``set_status``.
EXTERNAL_INVOICE_STATUSES: Final = (
    I.UNPAID,
    I.PAID,
    I.VOIDED,
    I.REFUNDED,
    I.DISPUTED,
    I.PAST_DUE,
    I.ABANDONED,
)


def _disputed_from_partial_refund(entity: Any, _route: Route, _args: Mapping[str, Any]) -> bool:
    for change in reversed(entity.history):
        if change.event == "dispute":
            return bool(change.source == I.PARTIALLY_REFUNDED)
    return bool(entity.amount_refunded > 0)


_INVOICE_OPEN = [I.UNPAID, I.PARTIALLY_PAID, I.PAST_DUE]
_INVOICE_CANCELLABLE = [I.DRAFT, I.UNPAID, I.PAST_DUE]
_INVOICE_SETTLED = [I.PAID, I.PARTIALLY_REFUNDED]

INVOICE: Final = _build(
    "Invoice",
    states=[s.value for s in InvoiceStatus],
    finals=[I.ABANDONED, I.VOIDED, I.REFUNDED],
    initial=I.DRAFT,
    status_enum=InvoiceStatus,
    transitions=[
        {"trigger": "issue", "source": I.DRAFT, "dest": I.UNPAID},
        {"trigger": "pay", "source": _INVOICE_OPEN, "dest": I.PAID, "conditions": "settles"},
        {"trigger": "pay", "source": _INVOICE_OPEN, "dest": I.PARTIALLY_PAID, "unless": "settles"},
        {"trigger": "mark_past_due", "source": I.UNPAID, "dest": I.PAST_DUE},
        {"trigger": "abandon", "source": _INVOICE_CANCELLABLE, "dest": I.ABANDONED},
        {"trigger": "void", "source": _INVOICE_CANCELLABLE, "dest": I.VOIDED},
        {
            "trigger": "refund",
            "source": _INVOICE_SETTLED,
            "dest": I.REFUNDED,
            "conditions": "refunds_everything",
        },
        {
            "trigger": "refund",
            "source": _INVOICE_SETTLED,
            "dest": I.PARTIALLY_REFUNDED,
            "unless": "refunds_everything",
        },
        {"trigger": "refund", "source": I.PARTIALLY_PAID, "dest": I.REFUNDED},
        {"trigger": "dispute", "source": _INVOICE_SETTLED, "dest": I.DISPUTED},
        {
            "trigger": "win_dispute",
            "source": I.DISPUTED,
            "dest": I.PARTIALLY_REFUNDED,
            "conditions": "disputed_from_partial_refund",
        },
        {
            "trigger": "win_dispute",
            "source": I.DISPUTED,
            "dest": I.PAID,
            "unless": "disputed_from_partial_refund",
        },
        {"trigger": "lose_dispute", "source": I.DISPUTED, "dest": I.REFUNDED},
        *(
            {
                "trigger": "set_status",
                "source": source,
                "dest": dest,
                "conditions": ["is_external", "targets_dest"],
            }
            for source, dest in _pairs(EXTERNAL_INVOICE_STATUSES)
        ),
    ],
    guards=[
        IS_EXTERNAL,
        TARGETS_DEST,
        Guard(
            "settles",
            lambda entity, _route, args: args["amount_paid"] >= entity.total_amount,
            uses_args=True,
            doc="after this payment nothing is due",
        ),
        Guard(
            "refunds_everything",
            lambda entity, _route, args: args["amount_refunded"] >= entity.amount_paid,
            uses_args=True,
            doc="after this refund everything paid has been refunded",
        ),
        Guard(
            "disputed_from_partial_refund",
            _disputed_from_partial_refund,
            uses_args=False,
            doc="the dispute was opened on a partially refunded invoice",
        ),
    ],
    required_events=[
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
    ],
    exempt_from_final=["is_external"],
)

# -- order --------------------------------------------------------------------------------

S = ServiceStatus
_ONE_TIME = OrderType.ONE_TIME
_SUBSCRIPTION = OrderType.SUBSCRIPTION
_PAI = PaymentProcessor.PAYMENTS_AI
_STRIPE = PaymentProcessor.STRIPE
_EXTERNAL = PaymentProcessor.EXTERNAL

_SUBSCRIPTION_STATUSES = frozenset(ServiceStatus)
#: The service statuses an order may hold, by processor and order type (the API's lists).
LIFECYCLE_STATUSES: Final[Mapping[tuple[PaymentProcessor, OrderType], frozenset[str]]] = {
    (_PAI, _ONE_TIME): frozenset({S.PENDING, S.COMPLETED, S.CANCELED, S.ABANDONED, S.VOIDED}),
    (_STRIPE, _ONE_TIME): frozenset({S.PENDING, S.COMPLETED, S.CANCELED, S.ABANDONED}),
    (_EXTERNAL, _ONE_TIME): frozenset({S.PENDING, S.COMPLETED}),
    (_PAI, _SUBSCRIPTION): _SUBSCRIPTION_STATUSES,
    (_STRIPE, _SUBSCRIPTION): _SUBSCRIPTION_STATUSES - {S.VOIDED},
    (_EXTERNAL, _SUBSCRIPTION): frozenset(
        {S.PENDING, S.ACTIVE, S.PAUSED, S.CANCELED, S.CHURNED, S.COMPLETED}
    ),
}
_EXTERNAL_ORDER_STATUSES = [
    s
    for s in ServiceStatus
    if s in LIFECYCLE_STATUSES[_EXTERNAL, _ONE_TIME] | LIFECYCLE_STATUSES[_EXTERNAL, _SUBSCRIPTION]
]


def lifecycle_statuses(processor: PaymentProcessor, order_type: OrderType) -> frozenset[str]:
    """Return the service statuses an order of that processor and type can hold."""
    return LIFECYCLE_STATUSES[processor, order_type]


def _in_lifecycle(entity: Any, route: Route, _args: Mapping[str, Any]) -> bool:
    held = LIFECYCLE_STATUSES[entity.payment_processor, entity.order_type]
    return route.source in held and route.dest in held


#: Cancel reasons each processor accepts.
CANCEL_REASONS: Final[Mapping[PaymentProcessor, tuple[str, ...]]] = {
    _PAI: (
        "did-not-use",
        "did-not-want",
        "missing-features",
        "too-expensive",
        "bugs-or-problems",
        "other",
    ),
    _STRIPE: (
        "customer_service",
        "low_quality",
        "missing_features",
        "other",
        "switched_service",
        "too_complex",
        "too_expensive",
        "unused",
    ),
}
CANCEL_REASONS[_EXTERNAL] = CANCEL_REASONS[_STRIPE]  # type: ignore[index]  # built once here

_L = "in_lifecycle"
ORDER: Final = _build(
    "Order",
    states=[s.value for s in ServiceStatus],
    finals=[S.COMPLETED, S.ABANDONED, S.VOIDED],
    initial=S.PENDING,
    status_enum=ServiceStatus,
    transitions=[
        {"trigger": "activate", "source": S.PENDING, "dest": S.ACTIVE, "conditions": _L},
        {"trigger": "pause", "source": S.ACTIVE, "dest": S.PAUSED, "conditions": _L},
        {
            "trigger": "resume",
            "source": [S.PAUSED, S.SUSPENDED],
            "dest": S.ACTIVE,
            "conditions": _L,
        },
        {"trigger": "suspend", "source": S.ACTIVE, "dest": S.SUSPENDED, "conditions": _L},
        {
            "trigger": "cancel",
            "source": [S.PENDING, S.ACTIVE, S.PAUSED, S.SUSPENDED],
            "dest": S.CANCELED,
            "conditions": _L,
        },
        {"trigger": "churn", "source": S.CANCELED, "dest": S.CHURNED, "conditions": _L},
        {
            "trigger": "reactivate",
            "source": [S.CANCELED, S.CHURNED],
            "dest": S.ACTIVE,
            "conditions": _L,
        },
        {
            "trigger": "complete",
            "source": S.PENDING,
            "dest": S.COMPLETED,
            "conditions": [_L, "is_one_time"],
        },
        {
            "trigger": "complete",
            "source": S.ACTIVE,
            "dest": S.COMPLETED,
            "conditions": [_L, "is_subscription"],
        },
        {"trigger": "abandon", "source": S.PENDING, "dest": S.ABANDONED, "conditions": _L},
        {"trigger": "void", "source": S.PENDING, "dest": S.VOIDED, "conditions": _L},
        *(
            {
                "trigger": "set_status",
                "source": source,
                "dest": dest,
                "conditions": ["is_external", _L, "targets_dest"],
            }
            for source, dest in _pairs(_EXTERNAL_ORDER_STATUSES)
        ),
    ],
    guards=[
        IS_EXTERNAL,
        TARGETS_DEST,
        Guard(
            _L,
            _in_lifecycle,
            uses_args=False,
            doc="both ends are statuses this processor and order type can hold",
        ),
        Guard(
            "is_one_time",
            lambda entity, _route, _args: entity.order_type is _ONE_TIME,
            uses_args=False,
            doc="a one-time order",
        ),
        Guard(
            "is_subscription",
            lambda entity, _route, _args: entity.order_type is _SUBSCRIPTION,
            uses_args=False,
            doc="a subscription order",
        ),
    ],
    required_events=[
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
    ],
    exempt_from_final=["is_external"],
)

# -- invoice line item --------------------------------------------------------------------

F = LineItemFulfillmentStatus
_COUNTED = [F.UNFULFILLED, F.PARTIALLY_FULFILLED, F.FULFILLED]


def counted_status(fulfilled: int, quantity: int) -> LineItemFulfillmentStatus:
    """Return the status a fulfilled quantity gives a line of ``quantity`` items.

    0 is unfulfilled, the full quantity is fulfilled, anything between is partially
    fulfilled: the rule behind the line-item machine's internal ``recount`` event.
    """
    if fulfilled <= 0:
        return F.UNFULFILLED
    if fulfilled < quantity:
        return F.PARTIALLY_FULFILLED
    return F.FULFILLED


INVOICE_LINE_ITEM: Final = _build(
    "InvoiceLineItem",
    states=[s.value for s in LineItemFulfillmentStatus],
    finals=[F.COMPLETE],
    initial=F.UNFULFILLED,
    status_enum=LineItemFulfillmentStatus,
    transitions=[
        {"trigger": "ignore", "source": F.UNFULFILLED, "dest": F.IGNORED},
        {"trigger": "unignore", "source": F.IGNORED, "dest": F.UNFULFILLED},
        {"trigger": "complete", "source": F.FULFILLED, "dest": F.COMPLETE},
        *(
            {"trigger": "recount", "source": source, "dest": dest, "conditions": "counts_to_dest"}
            for source, dest in _pairs(_COUNTED)
        ),
    ],
    guards=[
        Guard(
            "counts_to_dest",
            lambda entity, route, args: (
                counted_status(args["fulfilled"], entity.quantity) == route.dest
            ),
            uses_args=True,
            doc="the fulfilled quantity (0, some, all) matches this destination",
        ),
    ],
    required_events=["ignore", "unignore", "complete", "recount"],
    internal_events=["recount"],
)

# -- fulfillment --------------------------------------------------------------------------

FS = FulfillmentStatus
FULFILLMENT: Final = _build(
    "Fulfillment",
    states=[s.value for s in FulfillmentStatus],
    finals=[FS.CANCELLED, FS.RESTOCKED],
    initial=FS.FULFILLED,
    status_enum=FulfillmentStatus,
    transitions=[
        {"trigger": "cancel", "source": FS.FULFILLED, "dest": FS.CANCELLED},
        {"trigger": "restock", "source": FS.FULFILLED, "dest": FS.RESTOCKED},
    ],
    guards=[],
    required_events=["cancel", "restock"],
)
