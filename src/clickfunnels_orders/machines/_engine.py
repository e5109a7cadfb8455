"""The machine engine: build a ``transitions.Machine`` once, validate it, compile it.

The declarations (one module per lifecycle, beside this one) say *what* each lifecycle
is; this module says how a declaration becomes something an immutable entity can read
in a couple of dictionary lookups. Nothing here knows about invoices or orders.

Machines are built with no model (``model=None``) and are never triggered: an entity is
an immutable value, so firing an event means *reading* the machine, choosing the route
whose conditions hold, and returning a new value.

Conditions are named in the declaration (the names show up in diagrams) and resolved here
to :class:`Guard` functions. A guard looks only at the entity (``uses_args=False``), or
also at the event's arguments (``uses_args=True``: they choose among destinations, such as
a full or partial payment). ``may(event)`` and ``allowed_events`` consult the first kind.

A declaration may carry two kinds of metadata that ``transitions`` itself has no slot
for, and which the routes keep:

- ``webhooks`` on a transition: the ClickFunnels webhook event types that move sends;
- :class:`Implication` per destination state: what arriving there implies for the
  entity's other fields (a refunded invoice has refunded everything it was paid), so no
  event method restates it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from transitions.core import Machine, State

from clickfunnels_orders.errors import MachineDefinitionError

__all__ = [
    "CompiledMachine",
    "Effect",
    "Guard",
    "Implication",
    "Route",
    "build",
    "pairs",
]

#: ``effect(entity, at) -> changes``: the fields a move implies, given the entity before it.
Effect = Callable[[Any, Any], Mapping[str, Any]]


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
class Implication:
    """What arriving in a state implies for an entity's other fields.

    Attributes:
        effect: ``effect(entity, at) -> changes``, given the entity before the move.
        except_events: events whose arrival implies nothing (the fields already say so:
            a dispute won back to paid was paid all along).
        only_events: when given, the only events whose arrival implies it (the others
            reach the state only where the fields already say so).
        doc: what it means, for the docs.
    """

    effect: Effect
    except_events: frozenset[str] = frozenset()
    only_events: frozenset[str] | None = None
    doc: str = ""

    def applies_to(self, event: str) -> bool:
        """Whether arriving by ``event`` implies this."""
        if event in self.except_events:
            return False
        return self.only_events is None or event in self.only_events


@attrs.frozen
class Route:
    """One transition of a machine, compiled: from ``source`` to ``dest`` on ``event``.

    ``requires`` are the entity-only conditions, ``selects`` those that read the event's
    arguments; each pairs a guard with the value it must return (``False`` for ``unless``).
    ``effects`` are the implications of arriving at ``dest`` from ``source``; ``webhooks``
    the webhook event types the move sends, as declared.
    """

    event: str
    source: enum.StrEnum
    dest: enum.StrEnum
    requires: tuple[tuple[Guard, bool], ...]
    selects: tuple[tuple[Guard, bool], ...]
    effects: tuple[Effect, ...] = ()
    webhooks: tuple[str, ...] = ()

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
#: Declaration keys that are ours, not ``transitions``'.
_METADATA_KEYS = ("webhooks",)


class CompiledMachine:
    """A validated ``transitions.Machine`` and the lookup tables derived from it.

    Attributes:
        machine: the machine itself (no models registered).
        name: the entity it belongs to.
        status_enum: the enumeration of its states.
        routes: ``routes[event][source]`` is the tuple of routes, in declaration order.
        table: ``(event, source) -> (routes, guarded)``, one lookup per fired event.
        events: every event, in declaration order.
        user_events: the events a user fires (not the internal ones).
        derived_moves: whether internal events move the status without recording it.
        final_states: the states declared final.
        implications: what arriving in each state implies, by state.
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
        metadata: Mapping[_Key, Mapping[str, Any]] | None = None,
        implications: Mapping[str, Implication] | None = None,
    ) -> None:
        self.name = name
        self.machine = machine
        self.guards = dict(guards)
        self.status_enum = status_enum
        self.implications: Mapping[str, Implication] = dict(implications or {})
        internal = frozenset(internal_events)
        self.events: tuple[str, ...] = tuple(machine.events)
        self.user_events: tuple[str, ...] = tuple(e for e in self.events if e not in internal)
        #: Whether internal events move the status without a history record, so that a
        #: history's last ``dest`` need not be the current status.
        self.derived_moves: bool = bool(internal)
        self.final_states: frozenset[str] = frozenset(
            state.name for state in machine.states.values() if state.final
        )
        declared = metadata or {}
        routes: dict[str, dict[str, tuple[Route, ...]]] = {}
        for event_name, event in machine.events.items():
            by_source: dict[str, tuple[Route, ...]] = {}
            # Event.transitions is a defaultdict: iterate it, never index it, or a lookup
            # of a missing source would quietly add an empty entry to the shared machine.
            for source, transitions in event.transitions.items():
                by_source[source] = tuple(
                    self._route(
                        event_name,
                        t,
                        declared.get(
                            _key(
                                event_name,
                                str(t.source),
                                str(t.dest),
                                tuple((str(c.func), bool(c.target)) for c in t.conditions),
                            ),
                            {},
                        ),
                        internal=event_name in internal,
                    )
                    for t in transitions
                )
            routes[event_name] = by_source
        self.routes: dict[str, dict[str, tuple[Route, ...]]] = routes
        self.table: dict[tuple[str, str], tuple[tuple[Route, ...], bool]] = {
            (event, source): (found, any(route.requires for route in found))
            for event, by_source in routes.items()
            for source, found in by_source.items()
        }
        self._validate(frozenset(required_events), frozenset(exempt_from_final))

    def _route(
        self, event: str, transition: Any, metadata: Mapping[str, Any], *, internal: bool
    ) -> Route:
        requires: list[tuple[Guard, bool]] = []
        selects: list[tuple[Guard, bool]] = []
        for condition in transition.conditions:
            guard = self.guards.get(condition.func)
            if guard is None:
                msg = f"{self.name} machine: {event!r} names unknown condition {condition.func!r}"
                raise MachineDefinitionError(msg)
            (selects if guard.uses_args else requires).append((guard, bool(condition.target)))
        implication = self.implications.get(transition.dest)
        # Derived (internal) moves mirror a quantity; they imply nothing of their own.
        effects = (
            (implication.effect,)
            if implication is not None and not internal and implication.applies_to(event)
            else ()
        )
        # Routes carry the status members themselves, so firing an event needs no lookup.
        return Route(
            event,
            self.status_enum(transition.source),
            self.status_enum(transition.dest),
            tuple(requires),
            tuple(selects),
            effects,
            tuple(metadata.get("webhooks", ())),
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
        problems.extend(self._strangers(states))
        if problems:
            msg = f"{self.name} machine is invalid: " + "; ".join(problems)
            raise MachineDefinitionError(msg)

    def _strangers(self, states: Iterable[str]) -> list[str]:
        strangers = sorted(set(self.implications) - set(states))
        return [f"implications of unknown states {strangers}"] if strangers else []

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

    def all_routes(self) -> Iterable[Route]:
        """Every route, event by event in declaration order."""
        for by_source in self.routes.values():
            for routes in by_source.values():
                yield from routes

    def allowed(self, entity: object, state: str) -> tuple[str, ...]:
        """Return the user events whose entity-only conditions hold from ``state``."""
        return tuple(
            event
            for event in self.user_events
            if any(route.admits(entity) for route in self.routes_from(event, state))
        )


def build(
    name: str,
    *,
    states: Iterable[str],
    finals: Iterable[str],
    initial: str,
    transitions: Iterable[Mapping[str, Any]],
    guards: Iterable[Guard],
    status_enum: type[enum.StrEnum],
    required_events: Iterable[str],
    internal_events: Iterable[str] = (),
    exempt_from_final: Iterable[str] = (),
    implications: Mapping[str, Implication] | None = None,
) -> CompiledMachine:
    """Build, validate and compile one lifecycle from its declaration.

    ``transitions`` are ``transitions``-style dicts (``trigger``, ``source``, ``dest``,
    ``conditions``, ``unless``) that may also carry ``webhooks``.

    Raises:
        MachineDefinitionError: for an invalid definition, listing every problem found.
    """
    final_set = {str(s) for s in finals}
    plain: list[dict[str, Any]] = []
    metadata: dict[_Key, Mapping[str, Any]] = {}
    for transition in transitions:
        spec = _plain(transition)
        extra = {key: spec.pop(key) for key in _METADATA_KEYS if key in spec}
        sources = spec["source"] if isinstance(spec["source"], list) else [spec["source"]]
        for source in sources:
            key = _key(spec["trigger"], source, spec["dest"], _conditions(spec))
            if key in metadata:
                msg = f"{name} machine: {spec['trigger']!r} from {source!r} to {spec['dest']!r}"
                msg += " is declared twice with the same conditions"
                raise MachineDefinitionError(msg)
            metadata[key] = extra
        plain.append(spec)
    machine = Machine(
        model=None,
        states=[State(str(s), final=str(s) in final_set) for s in states],
        transitions=plain,
        initial=str(initial),
        auto_transitions=False,
        send_event=False,
    )
    return CompiledMachine(
        name,
        machine,
        {g.name: g for g in guards},
        status_enum=status_enum,
        required_events=required_events,
        internal_events=internal_events,
        exempt_from_final=exempt_from_final,
        metadata=metadata,
        implications={str(k): v for k, v in (implications or {}).items()},
    )


#: A transition told apart from every other: event, source, dest and its conditions.
_Key = tuple[str, str, str, tuple[tuple[str, bool], ...]]


def _key(event: str, source: str, dest: str, conditions: tuple[tuple[str, bool], ...]) -> _Key:
    return (event, source, dest, conditions)


def _conditions(spec: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    """A declaration's conditions as ``transitions`` lists them: ``conditions``, then ``unless``."""

    def names(value: object) -> list[str]:
        if value is None:
            return []
        return [value] if isinstance(value, str) else [str(v) for v in value]  # type: ignore[attr-defined]  # a list

    return tuple(
        [(name, True) for name in names(spec.get("conditions"))]
        + [(name, False) for name in names(spec.get("unless"))]
    )


def _plain(transition: Mapping[str, Any]) -> dict[str, Any]:
    # transitions names Enum states by member name; ours are named by the API's strings,
    # so hand it plain str values.
    plain = dict(transition)
    for key in ("source", "dest"):
        value = plain[key]
        plain[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return plain


def pairs(statuses: Iterable[str]) -> list[tuple[str, str]]:
    """Every ordered pair of distinct statuses: the moves a ``set_status`` can make."""
    values = list(statuses)
    return [(s, d) for s in values for d in values if s != d]
