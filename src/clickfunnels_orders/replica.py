"""A webhook consumer's replica: local copies of orders, invoices, fulfillments and more.

ClickFunnels delivers webhooks at least once, retries for up to a day, and does not keep
them in order. :class:`Replica` keeps the latest known version of each entity (order,
invoice, fulfillment, transaction, restock) from the events it is given, and reports for
each event whether it was applied, skipped as a duplicate or skipped as stale (or
ignored, when it carries none of them).

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

Event ids are remembered with the moment they were received; :meth:`Replica.prune`
forgets those received before ``now - dedupe_window`` (versions are never forgotten, so
an old event re-delivered after that is still stale, never applied over a newer one).

The rules are one pure function, :func:`decide`, which says what to do with an event
given what is held. :class:`Replica` keeps what is held in memory;
:class:`clickfunnels_orders.store.SQLiteStore` keeps it on disk and calls the same
function, so the two cannot disagree.

The replica is plain in-memory state with no clock and no I/O; it never raises for an
event it is given (parse bodies with :func:`~clickfunnels_orders.webhooks.parse_webhook`
first, which raises ``PayloadError`` for malformed ones).

It answers the store's rollup queries (``order_status``, ``invoice_status``,
``line_item_status``, ``remaining``, ``fulfilled_quantity``, ``snapshot``) from
:func:`rollup.compute` over what it holds, as the store's ``snapshot()`` is defined:
the invoices, and the fulfillments and restocks whose line items are all held. The
store checks each delivery against that rollup and refuses what ``compute`` refuses;
the replica keeps what it is told, so its queries raise that ``OrdersError`` instead,
until the versions held agree again (a restock held before the shipment it releases).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Hashable, Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Final, TypeVar

import attrs

from clickfunnels_orders import rollup
from clickfunnels_orders._values import to_id, to_instances, to_moment, to_tuple
from clickfunnels_orders.entities import Fulfillment, Invoice, Order, Restock, Transaction
from clickfunnels_orders.errors import InvalidTypeError, InvalidValueError, shown
from clickfunnels_orders.machines import CompiledMachine
from clickfunnels_orders.statuses import (
    InvoiceFulfillmentStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
)
from clickfunnels_orders.webhooks import WebhookEvent, updated_at_of

__all__ = [
    "DEFAULT_DEDUPE_WINDOW",
    "ApplyOutcome",
    "ApplyResult",
    "Decision",
    "HeldVersion",
    "Replica",
    "decide",
]

Entity = Order | Invoice | Fulfillment | Transaction | Restock
EntityT = TypeVar("EntityT", Order, Invoice, Fulfillment, Transaction, Restock)

#: How long event ids are remembered: ClickFunnels retries for up to a day, so three
#: days leaves room for a consumer that was down for a while.
DEFAULT_DEDUPE_WINDOW: Final = dt.timedelta(days=3)


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
class HeldVersion:
    """What ordering needs to know of the version of an entity held (or deleted).

    Attributes:
        as_of: the moment the version stands for (``None`` when unknown).
        status: the entity's status, as the API spells it.
        deleted: whether the entity was deleted as of that moment.
    """

    as_of: dt.datetime | None
    status: str
    deleted: bool = False


@attrs.frozen
class Decision:
    """What to do with one event, as :func:`decide` rules.

    Attributes:
        result: the report to give back.
        remember: whether to record the event id as seen (every outcome but duplicate).
        version: the version to hold from now on, when the event is applied, else ``None``.
    """

    result: ApplyResult
    remember: bool
    version: HeldVersion | None = None

    @property
    def applied(self) -> bool:
        """Whether the event's entity replaces (or, for a deletion, removes) the one held."""
        return self.version is not None


def _status(entity: Entity) -> str:
    return str(entity.status)


def held_version_of(entity: Entity) -> HeldVersion:
    """The version of an entity held without an event (its ``updated_at``, when it has one)."""
    return HeldVersion(updated_at_of(entity), _status(entity))


def decide(event: WebhookEvent, *, seen: bool, held: HeldVersion | None) -> Decision:
    """Say what to do with ``event``, given what is held: the whole of the module's rules.

    A pure function: the replica and every store call it with what they hold, and do
    what it says, so they cannot disagree.

    Args:
        event: the event.
        seen: whether its event id was already processed (and not yet pruned).
        held: the version held of the event's entity (``None`` when there is none, or the
            event carries no entity).

    Returns:
        The :class:`Decision`: the report, whether to remember the event id, and the
        version to hold when the event is applied.
    """
    entity = event.entity
    subject = None if entity is None else (type(entity).__name__, entity.id)

    def result(outcome: ApplyOutcome, reason: str) -> ApplyResult:
        return ApplyResult(event.event_id, event.event_type, outcome, subject, reason)

    if seen:
        return Decision(
            result(ApplyOutcome.DUPLICATE, "this event id was already processed"), remember=False
        )
    if entity is None:
        return Decision(
            result(
                ApplyOutcome.IGNORED,
                f"no order, invoice, fulfillment, transaction or restock in "
                f"{event.subject_type} data",
            ),
            remember=True,
        )
    incoming = HeldVersion(
        event.as_of, _status(entity), deleted=event.event_type.endswith(".deleted")
    )
    if held is not None:
        stale = _stale_because(type(entity), held, incoming)
        if stale:
            return Decision(result(ApplyOutcome.STALE, stale), remember=True)
    reason = "deleted" if incoming.deleted else _applied_because(held, incoming)
    return Decision(result(ApplyOutcome.APPLIED, reason), remember=True, version=incoming)


def to_window(value: object) -> dt.timedelta:
    """Return ``value`` if it is a positive ``timedelta`` (a dedupe window).

    Raises:
        InvalidTypeError: for anything that is not a ``timedelta``.
        InvalidValueError: for zero or a negative window.
    """
    if not isinstance(value, dt.timedelta):
        raise InvalidTypeError("dedupe_window", value, "a datetime.timedelta")
    if value <= dt.timedelta(0):
        raise InvalidValueError("dedupe_window", value, "a positive timedelta (days=3)")
    return value


@cache
def _reachable(machine: CompiledMachine) -> Mapping[str, frozenset[str]]:
    """For each status, the statuses the machine's own events can lead to.

    ``set_status`` is left aside: it can lead anywhere, so it says nothing about order.
    """
    return machine.reachable(excluding=("set_status",))


class Replica:
    """Local copies of orders, invoices, fulfillments, transactions and restocks, from webhooks.

    Args:
        entities: versions already held (say, fetched from the API at start-up); their
            ``updated_at`` (in ``extra``), when present, is their moment.
        seen_event_ids: event ids already processed (say, restored from storage): ids
            alone, which :meth:`prune` keeps (their age is unknown), or a mapping of id
            to the moment it was received.
        dedupe_window: how long :meth:`prune` keeps an event id after it was received.
    """

    def __init__(
        self,
        entities: Iterable[Entity] = (),
        *,
        seen_event_ids: Iterable[str | int] | Mapping[str | int, dt.datetime] = (),
        dedupe_window: dt.timedelta = DEFAULT_DEDUPE_WINDOW,
    ) -> None:
        self._entities: dict[tuple[type, Hashable], Entity] = {}
        self._versions: dict[tuple[type, Hashable], HeldVersion] = {}
        self._window = to_window(dedupe_window)
        self._seen: dict[str | int, dt.datetime | None] = {}
        self._rollup: rollup.FulfillmentRollup | None = None
        if isinstance(seen_event_ids, Mapping):
            for event_id, moment in seen_event_ids.items():
                field = f"seen_event_ids[{shown(event_id)}]"
                to_id(event_id, field)
                self._seen[event_id] = to_moment(moment, field)
        else:
            for index, event_id in enumerate(to_tuple(seen_event_ids, "seen_event_ids")):
                self._seen[to_id(event_id, f"seen_event_ids[{index}]")] = None  # type: ignore[index]  # to_id checked it is hashable
        for index, entity in enumerate(to_tuple(entities, "entities")):
            if not isinstance(entity, Order | Invoice | Fulfillment | Transaction | Restock):
                raise InvalidTypeError(
                    f"entities[{index}]",
                    entity,
                    "an Order, an Invoice, a Fulfillment, a Transaction or a Restock",
                )
            key = (type(entity), entity.id)
            self._entities[key] = entity
            self._versions[key] = held_version_of(entity)

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
    def transactions(self) -> Mapping[Hashable, Transaction]:
        """The transactions held, by id (a read-only snapshot)."""
        return self._of(Transaction)

    @property
    def restocks(self) -> Mapping[Hashable, Restock]:
        """The restocks held, by id (a read-only snapshot)."""
        return self._of(Restock)

    def get(self, cls: type[EntityT], entity_id: Hashable) -> EntityT | None:
        """Return the held entity of class ``cls`` (``Order``, ... ``Restock``), or None."""
        entity = self._entities.get((cls, to_id(entity_id, "entity_id")))
        return entity if isinstance(entity, cls) else None

    @property
    def dedupe_window(self) -> dt.timedelta:
        """How long :meth:`prune` keeps an event id after it was received."""
        return self._window

    # -- the rollup ------------------------------------------------------------------------

    def snapshot(self) -> rollup.FulfillmentRollup:
        """Return ``compute`` over the invoices, fulfillments and restocks held.

        Fulfillments and restocks whose line items are not all held are left out, as the
        store leaves them out. Computed once per change of what is held.

        Raises:
            OrdersError: what ``compute`` raises for the versions held (the store would
                have refused the delivery that brought them).
        """
        if self._rollup is None:
            invoices = self.invoices
            known = {item.id for invoice in invoices.values() for item in invoice.line_items}
            lined: list[Fulfillment | Restock] = [
                entity
                for entity in self._entities.values()
                if isinstance(entity, Fulfillment | Restock)
                and all(line.invoice_line_item_id in known for line in entity.lines)
            ]
            self._rollup = rollup.compute(list(invoices.values()), lined)
        return self._rollup

    def order_status(self, order_id: Hashable) -> OrderFulfillmentStatus:
        """Return an order's fulfillment status, as :meth:`snapshot` says."""
        return self.snapshot().order_status(order_id)

    def invoice_status(self, invoice_id: Hashable) -> InvoiceFulfillmentStatus:
        """Return a held invoice's fulfillment status (``UnknownInvoiceError`` if none)."""
        return self.snapshot().invoice_status(invoice_id)

    def line_item_status(self, line_item_id: Hashable) -> LineItemFulfillmentStatus:
        """Return a held line item's status (``UnknownLineItemError`` if none)."""
        return self.snapshot().line_item_status(line_item_id)

    def fulfilled_quantity(self, line_item_id: Hashable) -> int:
        """Return what is shipped of a held line item, less what restocks released."""
        return self.snapshot().fulfilled_quantity(line_item_id)

    def remaining(self, order_id: Hashable) -> Mapping[Hashable, int]:
        """Return what is still to ship for an order: line-item id to quantity."""
        return self.snapshot().remaining(order_id)

    @property
    def seen_event_ids(self) -> frozenset[str | int]:
        """Every event id processed and not pruned (to persist, and pass back at start-up)."""
        return frozenset(self._seen)

    def has_seen(self, event_id: str | int) -> bool:
        """Return whether the event ``event_id`` was already processed (and not pruned)."""
        return to_id(event_id, "event_id") in self._seen

    # -- applying events -------------------------------------------------------------------

    def apply(self, event: WebhookEvent, received_at: dt.datetime | None = None) -> ApplyResult:
        """Apply one event, idempotently, and say what was done with it.

        Args:
            event: the event.
            received_at: when it was received, for :meth:`prune` (the event's
                ``created_at`` when not given; an id with neither is kept by ``prune``).
        """
        if not isinstance(event, WebhookEvent):
            raise InvalidTypeError("event", event, "a WebhookEvent (from parse_webhook)")
        received = (
            event.created_at if received_at is None else to_moment(received_at, "received_at")
        )
        entity = event.entity
        key = None if entity is None else (type(entity), entity.id)
        decision = decide(
            event,
            seen=event.event_id in self._seen,
            held=None if key is None else self._versions.get(key),
        )
        if decision.remember:
            self._seen[event.event_id] = received
        if entity is not None and key is not None and decision.version is not None:
            self._rollup = None
            self._versions[key] = decision.version
            if decision.version.deleted:
                self._entities.pop(key, None)
            else:
                self._entities[key] = entity
        return decision.result

    def apply_all(self, events: Iterable[WebhookEvent]) -> tuple[ApplyResult, ...]:
        """Apply events in the order given, and report on each."""
        checked = to_instances(events, WebhookEvent, "events")
        return tuple(self.apply(event) for event in checked)

    def prune(self, now: dt.datetime) -> int:
        """Forget event ids received before ``now - dedupe_window``; return how many.

        Versions are kept: a forgotten event delivered again is judged by its version
        alone (stale, or applied again with the same data).
        """
        cutoff = to_moment(now, "now") - self._window
        old = [
            event_id
            for event_id, moment in self._seen.items()
            if moment is not None and moment < cutoff
        ]
        for event_id in old:
            del self._seen[event_id]
        return len(old)


def _applied_because(held: HeldVersion | None, incoming: HeldVersion) -> str:
    if held is None or held.deleted:
        return "new"
    if held.status != incoming.status:
        return f"status {held.status} -> {incoming.status}"
    return "updated"


def _stale_because(entity_cls: type[Entity], held: HeldVersion, incoming: HeldVersion) -> str:
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
