"""Fulfillments: shipments of quantities of invoice line items, possibly of many orders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from typing import Any, ClassVar, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import FrozenJson, to_instances
from clickfunnels_orders.display import entity_html
from clickfunnels_orders.entities import _fields
from clickfunnels_orders.entities._codec import ApiObject, installed_codec
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle
from clickfunnels_orders.entities._records import Record
from clickfunnels_orders.statuses import FulfillmentStatus

__all__ = ["Fulfillment", "FulfillmentLine"]


# slots=False, for every entity: events copy the instance dict in one step, which is what
# makes a transition cheaper than ``attrs.evolve`` (a slotted copy goes field by field).
@attrs.frozen(slots=False)
class FulfillmentLine(Record):
    """A quantity of one invoice line item shipped by a fulfillment.

    Attributes:
        invoice_line_item_id: the invoice line item shipped.
        quantity: how many of it, 1 or more.
    """

    invoice_line_item_id: Hashable = attrs.field(validator=_fields.an_id)
    quantity: int = attrs.field(validator=_fields.a_quantity)

    def _repr_html_(self) -> str:
        return entity_html(self)


def line_quantities(lines: Iterable[FulfillmentLine]) -> dict[Hashable, int]:
    """Return the quantity per invoice line item of ``lines`` (repeated lines are summed)."""
    totals: dict[Hashable, int] = {}
    for line in lines:
        key = line.invoice_line_item_id
        totals[key] = totals.get(key, 0) + line.quantity
    return totals


def _lines(value: Iterable[FulfillmentLine]) -> tuple[FulfillmentLine, ...]:
    return to_instances(value, FulfillmentLine, "lines")


@attrs.frozen(slots=False)
class Fulfillment(Lifecycle, ApiObject):
    """A fulfillment: created ``fulfilled``; cancelling or restocking it is final.

    It has no order id: each line points at an invoice line item, which points at its
    invoice and so at its order. One fulfillment may cover lines of several orders.

    Attributes:
        id: the fulfillment's id.
        lines: what it ships, as `FulfillmentLine` values (one item may appear twice:
            the quantities add up).
        status: fulfilled, cancelled or restocked.
        created_at: when it was created.
        history: one :class:`Change` per event, oldest first.
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    machine: ClassVar = machines.FULFILLMENT.machine
    lifecycle: ClassVar = machines.FULFILLMENT
    _status_field: ClassVar = "status"

    id: Hashable = attrs.field(validator=_fields.an_id)
    lines: tuple[FulfillmentLine, ...] = attrs.field(converter=_lines)
    status: FulfillmentStatus = attrs.field(
        default=FulfillmentStatus.FULFILLED, converter=_fields.fulfillment_status
    )
    created_at: dt.datetime | None = attrs.field(default=None, validator=_fields.an_optional_moment)
    history: tuple[Change, ...] = attrs.field(default=(), converter=_fields.history)
    #: Payload fields the model does not use, carried along untouched.
    extra: FrozenJson = attrs.field(
        default=_fields.NO_EXTRA, converter=_fields.extra, repr=False, hash=False
    )
    #: How the payload it was read from spelled what the model reads (``None`` when built
    #: by hand), so that ``to_api()`` gives that payload back; never compared.
    spelling: Spelling | None = attrs.field(
        default=None, validator=_fields.a_spelling, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        """Check the invariants across fields, once the fields are built."""
        if self.__dict__["history"]:  # the one invariant, and most entities have no past
            self._check_history()

    def _check_invariants(self, before: Fulfillment | None) -> None:
        """Check the invariants across fields: on construction (``before`` is ``None``).

        An event appends a history record built from its own route, so only a history
        given to the constructor is checked against the machine.
        """
        if before is None:
            self._check_history()

    @property
    def counts(self) -> bool:
        """Whether its quantities count as fulfilled (it is neither cancelled nor restocked)."""
        return self.status is FulfillmentStatus.FULFILLED

    def quantities(self) -> dict[Hashable, int]:
        """Return the quantity shipped per invoice line item (repeated lines are summed)."""
        return line_quantities(self.lines)

    def cancel(self, *, at: dt.datetime) -> Self:
        """Cancel the fulfillment: its quantities no longer count. Final."""
        return self._fire("cancel", at)

    def restock(self, *, at: dt.datetime) -> Self:
        """Return the fulfillment's items to stock: its quantities no longer count. Final."""
        return self._fire("restock", at)

    def to_create_request(self, **options: Any) -> dict[str, Any]:
        """Build the body of a create-fulfillment request for this fulfillment's lines.

        Request keys carried in ``extra`` (contact, tracking, location) are included;
        ``options`` (``notify_customer=True``, ...) add to or override them.
        """
        return installed_codec().to_create_request(self, options)
