"""Fulfillments: shipments of quantities of invoice line items, possibly of many orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, ClassVar, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._values import (
    normalise,
    to_id,
    to_instances,
    to_mapping,
    to_optional_moment,
    to_quantity,
)
from clickfunnels_orders.entities import _fields
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle
from clickfunnels_orders.statuses import FulfillmentStatus

__all__ = ["Fulfillment", "FulfillmentLine"]

_Check = Callable[[object, str], object]


@attrs.frozen(slots=False)
class FulfillmentLine:
    """A quantity of one invoice line item shipped by a fulfillment."""

    invoice_line_item_id: Hashable
    quantity: int

    def __attrs_post_init__(self) -> None:
        normalise(self, {"invoice_line_item_id": to_id, "quantity": to_quantity})

    def _repr_html_(self) -> str:
        from clickfunnels_orders.display import entity_html  # noqa: PLC0415  because display sits at the edge

        return entity_html(self)


def _lines(value: Iterable[FulfillmentLine]) -> tuple[FulfillmentLine, ...]:
    return to_instances(value, FulfillmentLine, "lines")


@attrs.frozen(slots=False)
class Fulfillment(Lifecycle):
    """A fulfillment: created ``fulfilled``; cancelling or restocking it is final.

    It has no order id: each line points at an invoice line item, which points at its
    invoice and so at its order. One fulfillment may cover lines of several orders.
    """

    machine: ClassVar = machines.FULFILLMENT.machine
    _lifecycle: ClassVar = machines.FULFILLMENT
    _status_field: ClassVar = "status"

    id: Hashable
    lines: tuple[FulfillmentLine, ...] = attrs.field(converter=_lines)
    status: FulfillmentStatus = attrs.field(
        default=FulfillmentStatus.FULFILLED, converter=_fields.fulfillment_status
    )
    created_at: dt.datetime | None = None
    history: tuple[Change, ...] = attrs.field(default=(), converter=_fields.history)
    #: Payload fields the model does not use, carried along untouched.
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False, hash=False)

    _CHECKS: ClassVar[dict[str, _Check]] = {
        "id": to_id,
        "created_at": to_optional_moment,
        "extra": to_mapping,
    }

    def __attrs_post_init__(self) -> None:
        normalise(self, self._CHECKS)

    @property
    def counts(self) -> bool:
        """Whether its quantities count as fulfilled (it is neither cancelled nor restocked)."""
        return self.status is FulfillmentStatus.FULFILLED

    def quantities(self) -> dict[Hashable, int]:
        """Return the quantity shipped per invoice line item (repeated lines are summed)."""
        totals: dict[Hashable, int] = {}
        for line in self.lines:
            key = line.invoice_line_item_id
            totals[key] = totals.get(key, 0) + line.quantity
        return totals

    def cancel(self, *, at: dt.datetime) -> Self:
        """Cancel the fulfillment: its quantities no longer count. Final."""
        return self._fire("cancel", at)

    def restock(self, *, at: dt.datetime) -> Self:
        """Return the fulfillment's items to stock: its quantities no longer count. Final."""
        return self._fire("restock", at)

    # -- ClickFunnels payloads (the edge: clickfunnels_orders.payloads) --------------------

    @classmethod
    def from_api(cls, payload: Mapping[str, Any]) -> Fulfillment:
        """Read a fulfillment as the ClickFunnels API returns it; unused fields go to ``extra``.

        Raises:
            PayloadError: for a malformed payload, naming the offending field's path.
        """
        from clickfunnels_orders.payloads import fulfillment_from_api  # noqa: PLC0415  because payloads sit at the edge and import the core

        return fulfillment_from_api(payload)

    def to_api(self) -> dict[str, Any]:
        """Write the fulfillment as the ClickFunnels API would send it, ``extra`` included."""
        from clickfunnels_orders.payloads import fulfillment_to_api  # noqa: PLC0415  because payloads sit at the edge and import the core

        return fulfillment_to_api(self)

    def to_create_request(self, **options: Any) -> dict[str, Any]:
        """Build the body of a create-fulfillment request for this fulfillment's lines.

        Request keys carried in ``extra`` (contact, tracking, location) are included;
        ``options`` (``notify_customer=True``, ...) add to or override them.
        """
        from clickfunnels_orders.payloads import fulfillment_to_create_request  # noqa: PLC0415  because payloads sit at the edge and import the core

        return fulfillment_to_create_request(self, **options)
