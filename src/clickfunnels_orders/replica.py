"""A webhook consumer's replica: local copies of orders, invoices and fulfillments.

ClickFunnels delivers webhooks at least once, retries for up to a day, and does not keep
them in order. :class:`Replica` keeps the latest known version of each entity from the
events it is given, and reports for each event whether it was applied, skipped as a
duplicate or skipped as stale (or ignored, when it carries no order, invoice or
fulfillment).

The rules:

1. **Duplicates.** An event id (``event_id``, else ``uuid``) already seen is skipped,
   whatever it carries. Stale and ignored events count as seen too.
2. **Versions.** Each event's data is a whole version of its subject, as of the moment
   :attr:`~clickfunnels_orders.webhooks.WebhookEvent.as_of`: the data's ``updated_at``,
   else the envelope's ``created_at``. A version older than the one held is stale and
   never replaces it, so an older event can never move a status backwards.
3. **Ties.** A version as of the same moment as the one held (or one where either moment
   is unknown) is applied when its status is the held status or one the entity's machine
   can reach from it by its own events; a status the machine cannot reach from the held
   one (a step back) is stale. ``set_status`` is left out of that reach, since it can
   lead anywhere: so at an equal or unknown moment, an external entity's client-set move
   that no managed event makes counts as stale. With distinct moments, every entity,
   external or not, is ordered by moment alone.
4. **Deletions.** An ``*.deleted`` event removes the entity, if it is not stale; the
   moment is remembered, so older updates do not bring it back.

The replica is plain in-memory state with no clock and no I/O; it never raises for an
event it is given (parse bodies with :func:`~clickfunnels_orders.webhooks.parse_webhook`
first, which raises ``PayloadError`` for malformed ones).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Hashable, Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import TypeVar

import attrs

from clickfunnels_orders._values import to_tuple
from clickfunnels_orders.entities import Fulfillment, Invoice, Order
from clickfunnels_orders.errors import InvalidTypeError
from clickfunnels_orders.machines import CompiledMachine
from clickfunnels_orders.webhooks import WebhookEvent, updated_at_of

__all__ = ["ApplyOutcome", "ApplyResult", "Replica"]

Entity = Order | Invoice | Fulfillment
EntityT = TypeVar("EntityT", Order, Invoice, Fulfillment)


class ApplyOutcome(enum.StrEnum):
    """What the replica did with one event."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    STALE = "stale"
    IGNORED = "ignored"


@attrs.frozen
class ApplyResult:
    """The report on one event.

    Attributes:
        event_id: the event's id.
        event_type: the event's type.
        outcome: applied, duplicate, stale or ignored.
        subject: ``(entity class name, id)`` of the entity concerned, when there is one.
        reason: why, in words.
    """

    event_id: str | int
    event_type: str
    outcome: ApplyOutcome
    subject: tuple[str, Hashable] | None
    reason: str


@attrs.frozen
class _Version:
    as_of: dt.datetime | None
    status: str
    deleted: bool = False


@cache
def _reachable(machine: CompiledMachine) -> Mapping[str, frozenset[str]]:
    """For each status, the statuses the machine's own events can lead to.

    ``set_status`` is left aside: it can lead anywhere, so it says nothing about order.
    """
    return machine.reachable(excluding=("set_status",))


def _status(entity: Entity) -> str:
    return str(entity.status)


class Replica:
    """Local copies of orders, invoices and fulfillments, kept up to date from webhooks.

    Args:
        entities: versions already held (say, fetched from the API at start-up); their
            ``updated_at`` (in ``extra``), when present, is their moment.
        seen_event_ids: event ids already processed (say, restored from storage).
    """

    def __init__(
        self, entities: Iterable[Entity] = (), *, seen_event_ids: Iterable[str | int] = ()
    ) -> None:
        self._entities: dict[tuple[type, Hashable], Entity] = {}
        self._versions: dict[tuple[type, Hashable], _Version] = {}
        self._seen: set[str | int] = set(seen_event_ids)
        for index, entity in enumerate(to_tuple(entities, "entities")):
            if not isinstance(entity, Order | Invoice | Fulfillment):
                raise InvalidTypeError(
                    f"entities[{index}]", entity, "an Order, an Invoice or a Fulfillment"
                )
            key = (type(entity), entity.id)
            self._entities[key] = entity
            self._versions[key] = _Version(updated_at_of(entity), _status(entity))

    # -- queries ---------------------------------------------------------------------------

    def _of(self, cls: type[EntityT]) -> Mapping[Hashable, EntityT]:
        return MappingProxyType(
            {key[1]: entity for key, entity in self._entities.items() if isinstance(entity, cls)}
        )

    @property
    def orders(self) -> Mapping[Hashable, Order]:
        """The orders held, by id (a read-only snapshot)."""
        return self._of(Order)

    @property
    def invoices(self) -> Mapping[Hashable, Invoice]:
        """The invoices held, by id (a read-only snapshot)."""
        return self._of(Invoice)

    @property
    def fulfillments(self) -> Mapping[Hashable, Fulfillment]:
        """The fulfillments held, by id (a read-only snapshot)."""
        return self._of(Fulfillment)

    @property
    def seen_event_ids(self) -> frozenset[str | int]:
        """Every event id processed so far (to persist, and pass back at start-up)."""
        return frozenset(self._seen)

    def has_seen(self, event_id: str | int) -> bool:
        """Return whether the event ``event_id`` was already processed."""
        return event_id in self._seen

    # -- applying events -------------------------------------------------------------------

    def apply(self, event: WebhookEvent) -> ApplyResult:
        """Apply one event, idempotently, and say what was done with it."""

        def result(outcome: ApplyOutcome, reason: str) -> ApplyResult:
            subject = None if entity is None else (type(entity).__name__, entity.id)
            return ApplyResult(event.event_id, event.event_type, outcome, subject, reason)

        entity = event.entity
        if event.event_id in self._seen:
            return result(ApplyOutcome.DUPLICATE, "this event id was already processed")
        self._seen.add(event.event_id)
        if entity is None:
            return result(
                ApplyOutcome.IGNORED,
                f"no order, invoice or fulfillment in {event.subject_type} data",
            )
        key = (type(entity), entity.id)
        incoming = _Version(
            event.as_of, _status(entity), deleted=event.event_type.endswith(".deleted")
        )
        held = self._versions.get(key)
        if held is not None:
            stale = _stale_because(type(entity), held, incoming)
            if stale:
                return result(ApplyOutcome.STALE, stale)
        self._versions[key] = incoming
        if incoming.deleted:
            self._entities.pop(key, None)
            return result(ApplyOutcome.APPLIED, "deleted")
        self._entities[key] = entity
        return result(ApplyOutcome.APPLIED, _applied_because(held, incoming))

    def apply_all(self, events: Iterable[WebhookEvent]) -> tuple[ApplyResult, ...]:
        """Apply events in the order given, and report on each."""
        return tuple(self.apply(event) for event in events)


def _applied_because(held: _Version | None, incoming: _Version) -> str:
    if held is None or held.deleted:
        return "new"
    if held.status != incoming.status:
        return f"status {held.status} -> {incoming.status}"
    return "updated"


def _stale_because(entity_cls: type[Entity], held: _Version, incoming: _Version) -> str:
    """Say why ``incoming`` must not replace ``held`` (empty when it may)."""
    if held.as_of is not None and incoming.as_of is not None:
        if incoming.as_of < held.as_of:
            return (
                f"older ({incoming.as_of.isoformat()}) than the version held "
                f"({held.as_of.isoformat()})"
            )
        if incoming.as_of > held.as_of:
            return ""
    if held.deleted:
        return "the entity was deleted by an event that is not older"
    if incoming.deleted or incoming.status == held.status:
        return ""
    lifecycle = entity_cls.lifecycle
    if incoming.status in _reachable(lifecycle).get(held.status, frozenset()):
        return ""
    return (
        f"status {incoming.status} would move {held.status} backwards, and the event is not newer"
    )
