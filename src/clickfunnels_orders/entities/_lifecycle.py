"""What every entity with a lifecycle shares: history, event dispatch and lean copies.

An entity fires an event by reading its class's compiled machine: the routes of the event
from the current status whose conditions hold. No route means the event is not allowed
(:class:`~clickfunnels_orders.errors.InvalidTransitionError`); several routes are told
apart by the event's arguments (a full or a partial payment, say).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Hashable, Mapping
from typing import Any, ClassVar, Self

from transitions.core import Machine

from clickfunnels_orders._values import instant, is_before, to_moment, to_tuple
from clickfunnels_orders.display import entity_html
from clickfunnels_orders.entities._records import Change, Record
from clickfunnels_orders.errors import (
    InvalidTransitionError,
    InvalidTypeError,
    InvalidValueError,
    OutOfOrderError,
    shown,
)
from clickfunnels_orders.machines import CompiledMachine, Route

__all__ = ["Change", "Lifecycle", "check_history", "moves_of"]


def check_history(value: object, field: str = "history") -> tuple[Change, ...]:
    """Return ``value`` as a tuple of :class:`Change`, in non-decreasing time order.

    Each record's ``event``, ``source`` and ``dest`` must be strings and ``at`` an aware
    moment; which events and statuses they may name is the entity's machine's to say
    (:meth:`Lifecycle._check_history`).
    """
    changes: tuple[Any, ...] = to_tuple(value, field)
    checked: list[Change] = []
    last: dt.datetime | None = None
    for index, item in enumerate(changes):
        where = f"{field}[{index}]"
        if type(item) is Change:
            change = item
        elif isinstance(item, tuple) and len(item) == _CHANGE_FIELDS:
            change = Change(*item)
        else:
            raise InvalidValueError(where, item, "a Change(event, source, dest, at)")
        for name in ("event", "source", "dest"):
            text = getattr(change, name)
            if not isinstance(text, str):
                raise InvalidTypeError(f"{where}.{name}", text, "a str")
        at = to_moment(change.at, f"{where}.at")
        if last is not None and is_before(at, last):
            raise InvalidValueError(
                f"{where}.at", at, f"a moment no earlier than {last} (oldest first)"
            )
        last = at
        checked.append(change)
    return tuple(checked)


def moves_of(history: tuple[Change, ...], lifecycle: CompiledMachine) -> tuple[Change, ...]:
    """Return ``history`` as moves of ``lifecycle``, or raise naming the first that is not.

    Every record must be a move the machine declares: its event leads from its source to
    its dest. The records come back holding the status members themselves, as the ones
    events add do.
    """
    statuses = lifecycle.status_enum
    checked: list[Change] = []
    for index, change in enumerate(history):
        if change.event not in lifecycle.events:
            raise InvalidValueError(
                f"history[{index}].event",
                change.event,
                f"an event of the {lifecycle.name} machine ({', '.join(lifecycle.events)})",
            )
        ends = []
        for name in ("source", "dest"):
            value = getattr(change, name)
            try:
                ends.append(statuses(value))
            except ValueError:
                allowed = ", ".join(member.value for member in statuses)
                raise InvalidValueError(
                    f"history[{index}].{name}", value, f"one of {allowed}"
                ) from None
        source, dest = ends
        routes = lifecycle.routes_from(change.event, source)
        if not any(route.dest is dest for route in routes):
            leads_to = ", ".join(dict.fromkeys(str(r.dest) for r in routes)) or "nowhere"
            raise InvalidValueError(
                f"history[{index}]",
                change,
                f"a move of the {lifecycle.name} machine ({change.event!r} leads from "
                f"{source.value} to {leads_to})",
            )
        checked.append(Change(change.event, source, dest, change.at))
    return tuple(checked)


def replace(entity: Any, changes: Mapping[str, Any]) -> Any:
    """Return a copy of ``entity`` with ``changes``: the fast copy events use.

    ``attrs.evolve`` re-runs every converter and validator on every field, which costs
    more than the transition itself. An event sets a handful of fields whose values it
    has checked, so the copy skips the per-field rules but runs the class's cross-field
    invariants (its ``_check_invariants``, the same function construction runs from
    ``__attrs_post_init__``): an invariant added there holds after every event too, with
    nothing else to remember.
    """
    cls = type(entity)
    new = _new_object(cls)
    # Filling the new instance's own dict is cheaper than assigning it a fresh one.
    state = new.__dict__
    state.update(entity.__dict__)
    state.update(changes)
    _invariants_of(cls)(new, entity)
    return new


def _invariants_of(cls: type) -> Callable[[Any, Any], None]:
    invariants = _INVARIANTS.get(cls)
    if invariants is None:
        invariants = _INVARIANTS[cls] = getattr(cls, "_check_invariants", _no_invariants)
    return invariants


def _no_invariants(_entity: object, _before: object) -> None:
    """A class with no cross-field invariants."""


#: Each class's cross-field invariants (its ``_check_invariants``), looked up once.
_INVARIANTS: dict[type, Callable[[Any, Any], None]] = {}


class Lifecycle(Record):
    """Mixin for frozen entities whose status lives in a ``transitions`` machine.

    Subclasses set ``lifecycle`` (the compiled machine), ``machine`` (the
    ``transitions.Machine`` itself) and ``_status_field`` (the attribute holding the
    status), and offer the status as ``status`` (a field, or a property naming the
    field the API calls it by, such as an order's ``service_status``).
    """

    machine: ClassVar[Machine]
    lifecycle: ClassVar[CompiledMachine]
    _status_field: ClassVar[str]

    # Provided by the attrs subclasses.
    id: Hashable
    history: tuple[Change, ...]

    @property
    def _status(self) -> enum.StrEnum:
        status: enum.StrEnum = self.__dict__[self._status_field]
        return status

    def may(self, event: str) -> bool:
        """Return whether ``event`` is allowed now (for some valid arguments).

        Like ``allowed_events``, it answers for the events a user fires: an internal
        event (the rollup's ``recount``) is never "allowed" to a user.
        """
        if event not in self.lifecycle.user_events:
            return False
        return any(route.admits(self) for route in self.lifecycle.routes_from(event, self._status))

    @property
    def allowed_events(self) -> tuple[str, ...]:
        """The events a user may fire now, in the machine's declaration order."""
        return self.lifecycle.allowed(self, self._status)

    def _repr_html_(self) -> str:
        """Render as a small HTML table in notebooks: fields, allowed events, history."""
        return entity_html(self)

    def _describe(self) -> str:
        return f"{type(self).__name__} {shown(self.id)}"

    def _open_routes(self, event: str) -> tuple[Route, ...]:
        """Return the routes of ``event`` whose entity conditions hold now (maybe none)."""
        entry = self.lifecycle.table.get((event, self.__dict__[self._status_field]))
        if entry is None:
            return ()
        routes, guarded = entry
        if not guarded:
            return routes
        if len(routes) == 1:  # the common case, without building a tuple
            return routes if routes[0].admits(self) else ()
        return tuple(route for route in routes if route.admits(self))

    def _routes(self, event: str) -> tuple[Route, ...]:
        """Return the routes of ``event`` open to this entity, or raise if there are none."""
        entry = self.lifecycle.table.get((event, self.__dict__[self._status_field]))
        # Unguarded routes, the common case, are returned without a further call.
        routes = entry[0] if entry is not None and not entry[1] else self._open_routes(event)
        if routes:
            return routes
        status = self._status
        raise InvalidTransitionError(
            event,
            status,
            self.allowed_events,
            entity=self._describe(),
            final=status in self.lifecycle.final_states,
        )

    def _check_at(self, event: str, at: object) -> dt.datetime:
        # A plainly aware datetime is recognised inline (this runs on every event); any
        # other value meets the one rule for moments.
        if (
            type(at) is _datetime
            and at.tzinfo is not None
            and at.utcoffset() is not None
            and 1 < at.year < 9999
        ):
            moment = at
        else:
            moment = to_moment(at, "at")
        history = self.history
        if history:
            last = history[-1].at
            # Instants, not wall clocks: see _values.is_before (inline for the common case).
            if (
                moment < last
                if type(last.tzinfo) is _fixed_zone or moment.tzinfo is not last.tzinfo
                else instant(moment) < instant(last)
            ):
                raise OutOfOrderError(event, moment, last)
        return moment

    def _check_history(self) -> None:
        """Check ``history`` against this entity's machine and its current status.

        See :func:`moves_of`; the last record's ``dest`` must also be the current status
        (unless the machine moves its status by derived, unrecorded moves too, as a line
        item's rollup does). Runs on construction; an event appends a record it built
        from its own route.
        """
        lifecycle = self.lifecycle
        checked = moves_of(self.history, lifecycle)
        status = self._status
        if checked and not lifecycle.derived_moves and checked[-1].dest is not status:
            raise InvalidValueError(
                f"history[{len(checked) - 1}].dest",
                checked[-1].dest,
                f"the current status ({status.value}): the last change leads to it",
            )
        self.__dict__["history"] = checked

    def _move(
        self,
        routes: tuple[Route, ...],
        at: dt.datetime | None,
        args: Mapping[str, Any],
        changes: dict[str, Any],
    ) -> Self:
        """Take the first route that ``args`` select and return the moved entity.

        ``at=None`` marks a derived move, which records no history. What arriving at the
        route's destination implies (the machine's declared implications) is applied
        first; the event's own ``changes`` take precedence over it. The copy runs the
        class's cross-field invariants, as :func:`replace` does.
        """
        for route in routes:
            if not route.selects or route.accepts(self, args):
                break
        else:
            route = routes[0]
            raise InvalidTransitionError(
                route.event,
                self._status,
                self.allowed_events,
                entity=self._describe(),
                detail=(
                    "no route for "
                    + ", ".join(f"{k}={v}" for k, v in args.items())
                    + "; it can go to "
                    + ", ".join(dict.fromkeys(str(r.dest) for r in routes))
                ),
            )
        cls = type(self)
        moved: Self = _new_object(cls)
        state = moved.__dict__
        state.update(self.__dict__)
        if at is not None:
            for effect in route.effects:
                # What the destination implies first; the event's own changes win.
                state.update(effect(self, at))
        state.update(changes)
        state[self._status_field] = route.dest
        if at is not None:
            change = Change(route.event, route.source, route.dest, at)
            state["history"] = self.history + (change,)  # noqa: RUF005  because it is faster here
        _invariants_of(cls)(moved, self)
        return moved

    def _fire(self, event: str, at: object, **changes: Any) -> Self:
        """Fire an argument-free event at ``at``, applying ``changes`` along with it."""
        routes = self._routes(event)
        return self._move(routes, self._check_at(event, at), _NO_ARGS, changes)


_NO_ARGS: Mapping[str, Any] = {}
#: A history record given as a plain tuple has this many items.
_CHANGE_FIELDS = 4
_new_object = object.__new__
_datetime = dt.datetime
_fixed_zone = dt.timezone


def is_entity_of(value: object, lifecycle: CompiledMachine) -> bool:
    """Whether ``value`` is an entity whose lifecycle is ``lifecycle``.

    How one entity module recognises another's entities without importing it (an order
    takes invoices, and invoices are built from orders: one of the two must not import
    the other).
    """
    return isinstance(value, Lifecycle) and type(value).lifecycle is lifecycle
