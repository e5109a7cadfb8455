"""Keys the API derives from an entity's state, rewritten once that state has changed.

An entity read from a payload keeps every key the model does not use in its ``extra``,
as it came. Some of those keys are not free facts but follow from fields the model does
hold, and an event changes those fields: after ``pay``, an invoice is eligible for
fulfillment and was updated at the moment it was paid. This module is the one place
that says which carried keys follow from what, and writes them as the API would when
what they follow from changed since the entity was read:

- ``eligible_for_fulfillment`` (invoice): from ``status``, paid or partially-refunded;
- ``fulfillment_status`` (invoice): from its line items' statuses, rolled up by the
  rollup's own rule (section 5's invoice status; after ``rollup.apply`` it is the
  rollup's ``invoice_status``);
- ``updated_at`` (every entity): the moment of its last recorded change, the last of
  its and its line items' ``history`` (an entity read from a payload has none, so a
  record means an event since). A rollup's derived moves of line statuses carry no
  moment, so they leave it as it was.

The keys the model reads itself (``due_amount``, ``paid_at``, each line's
``fulfillment_status``) are written from the entity's fields by the writer, in the
payload's own spelling while their value is the one read. What the derived keys followed
from when read is the ``basis`` of the entity's spelling. An entity built by hand has
no payload to keep consistent: it writes the model's keys and the ``extra`` it was
given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final

from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import instant
from clickfunnels_orders.entities import Invoice
from clickfunnels_orders.entities._lifecycle import Change
from clickfunnels_orders.machines import ELIGIBLE_FOR_FULFILLMENT
from clickfunnels_orders.payloads._values import dump_moment
from clickfunnels_orders.rollup._rules import status_of_lines
from clickfunnels_orders.statuses import InvoiceStatus, LineItemFulfillmentStatus

__all__ = ["basis_of", "derived_keys", "last_change"]

_Fact = tuple[bool, LineItemFulfillmentStatus]
#: What an invoice's derived keys follow from: its status and each line's facts.
_Basis = tuple[InvoiceStatus, tuple[_Fact, ...]]
#: The few facts a line can have, shared by every basis that holds them.
_FACTS: Final[dict[_Fact, _Fact]] = {
    (required, status): (required, status)
    for required in (True, False)
    for status in LineItemFulfillmentStatus
}


def basis_of(invoice: Invoice) -> _Basis:
    """Return what ``invoice``'s derived keys follow from, to remember as read."""
    return invoice.status, tuple(_FACTS[fact] for fact in _line_facts(invoice))


def derived_keys(entity: Any, spelling: Spelling | None) -> dict[str, object]:
    """Return the carried keys to rewrite, with their JSON values: those whose inputs changed.

    Args:
        entity: the entity being written.
        spelling: how it was read (``None`` for an entity built by hand: nothing).
    """
    if spelling is None or (spelling.basis is None and not getattr(entity, "history", ())):
        return {}  # built by hand, or a line (its basis is its invoice's) with no change
    keys: dict[str, object] = {}
    basis = spelling.basis
    if isinstance(entity, Invoice) and isinstance(basis, tuple):
        status, facts = basis
        if entity.status is not status:
            keys["eligible_for_fulfillment"] = entity.eligible_for_fulfillment
        now = (entity.eligible_for_fulfillment, tuple(_line_facts(entity)))
        if now != (status in ELIGIBLE_FOR_FULFILLMENT, facts):
            keys["fulfillment_status"] = status_of_lines(*now).value
    moment = last_change(entity)
    if moment is not None:
        keys["updated_at"] = dump_moment(moment)
    return keys


def last_change(entity: Any) -> dt.datetime | None:
    """Return the moment of ``entity``'s last recorded change (its lines' included)."""
    histories: list[tuple[Change, ...]] = [getattr(entity, "history", ())]
    histories.extend(getattr(line, "history", ()) for line in getattr(entity, "line_items", ()))
    last: dt.datetime | None = None
    for history in histories:
        if history and (last is None or instant(history[-1].at) > instant(last)):
            last = history[-1].at
    return last


def _line_facts(invoice: Invoice) -> Iterable[_Fact]:
    return ((line.fulfillment_required, line.fulfillment_status) for line in invoice.line_items)
