"""Restocks in the rollup: what a restocked restock releases, and the checks before it.

A restocked restock takes its quantities back from what its line items have fulfilled;
a cancelled one takes nothing. Releasing more than a line has fulfilled is refused with
:class:`~clickfunnels_orders.errors.OverReleaseError`. ``compute`` releases every
restocked restock after counting the fulfillments; the tracker releases each once, as it
is recorded, and puts the quantity back when a restock it counted is cancelled.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Final

from clickfunnels_orders._values import to_tuple
from clickfunnels_orders.entities import Fulfillment, Restock
from clickfunnels_orders.errors import (
    DuplicateIdError,
    InvalidTypeError,
    OverReleaseError,
    UnknownLineItemError,
    shown,
)
from clickfunnels_orders.statuses import RestockStatus

__all__ = ["RESTOCKED", "check_fulfillments", "release_all", "to_release"]

RESTOCKED: Final = RestockStatus.RESTOCKED


def to_release(
    restock: Restock, known: Mapping[Hashable, object], fulfilled: Mapping[Hashable, int]
) -> dict[Hashable, int]:
    """Check that ``restock`` may release its quantities; return them per line item.

    Raises:
        UnknownLineItemError: a line names no line item in ``known``.
        OverReleaseError: it would release more than a line item has ``fulfilled``.
    """
    wanted = restock.quantities()
    for key in wanted:
        if key not in known:
            raise UnknownLineItemError(key, restock.id)
    for key, quantity in wanted.items():
        have = fulfilled.get(key, 0)
        if quantity > have:
            raise OverReleaseError(
                releaser=f"restock {shown(restock.id)}",
                line_item_id=key,
                fulfilled=have,
                requested=quantity,
            )
    return wanted


def release_all(totals: dict[Hashable, int], restocks: Sequence[Restock]) -> None:
    """Release every restocked restock from ``totals`` (every known line item, seeded).

    Checks everything before changing ``totals``, so a refusal leaves it as it was.

    Raises:
        DuplicateIdError: for a restock id given twice.
        UnknownLineItemError: a restocked restock names no known line item.
        OverReleaseError: restocks release more of a line item than is fulfilled; it
            names the first restock (in the order given) that goes over.
    """
    seen: set[Hashable] = set()
    for restock in restocks:
        if restock.id in seen:
            raise DuplicateIdError("restock", restock.id)
        seen.add(restock.id)
    left = dict(totals)
    for restock in restocks:
        if restock.status is RESTOCKED:
            for key, quantity in to_release(restock, totals, left).items():
                left[key] -= quantity
    totals.update(left)


def check_fulfillments(value: object, field: str) -> tuple[Fulfillment | Restock, ...]:
    """Return ``value`` as a tuple of fulfillments and restocks, naming the first stranger.

    Raises:
        InvalidTypeError: for something that is not a sequence, or an item of another type.
    """
    items = to_tuple(value, field)
    for index, item in enumerate(items):
        if not isinstance(item, Fulfillment | Restock):
            raise InvalidTypeError(f"{field}[{index}]", item, "a Fulfillment or a Restock")
    return items  # type: ignore[return-value]  # every item was checked above
