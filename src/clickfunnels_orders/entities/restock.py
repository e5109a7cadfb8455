"""Restocks (``Orders::Invoices::Restock``): committed inventory returned to stock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import ClassVar, Self

import attrs

from clickfunnels_orders import machines
from clickfunnels_orders._spelling import Spelling
from clickfunnels_orders._values import FrozenJson
from clickfunnels_orders.display import entity_html
from clickfunnels_orders.entities import _fields
from clickfunnels_orders.entities._codec import ApiObject
from clickfunnels_orders.entities._lifecycle import Change, Lifecycle
from clickfunnels_orders.entities.fulfillment import FulfillmentLine, _lines, line_quantities
from clickfunnels_orders.statuses import RestockStatus

__all__ = ["Restock"]


@attrs.frozen(slots=False)
class Restock(Lifecycle, ApiObject):
    """A restock: quantities of invoice line items that will not ship after all.

    Read and written like a fulfillment (lines from ``included_invoices_line_items``).
    A ``restocked`` restock releases its quantities from what is fulfilled; a
    ``cancelled`` one releases nothing, and cancelling is final.

    Attributes:
        id: the restock's id.
        lines: what it releases, as `FulfillmentLine` values.
        status: restocked or cancelled.
        created_at: when it was created.
        history: one :class:`Change` per event, oldest first.
        extra: payload fields the model does not use, carried along untouched.
        spelling: how the payload it was read from spelled the fields the model reads
            (its key order, unusual spellings), or ``None``; not compared.
    """

    machine: ClassVar = machines.RESTOCK.machine
    lifecycle: ClassVar = machines.RESTOCK
    _status_field: ClassVar = "status"

    id: Hashable = attrs.field(validator=_fields.an_id)
    lines: tuple[FulfillmentLine, ...] = attrs.field(converter=_lines)
    status: RestockStatus = attrs.field(
        default=RestockStatus.RESTOCKED, converter=_fields.restock_status
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

    @property
    def counts(self) -> bool:
        """Whether it releases its quantities (it is restocked, not cancelled)."""
        return self.status is RestockStatus.RESTOCKED

    def quantities(self) -> dict[Hashable, int]:
        """Return the quantity returned per invoice line item (repeated lines are summed)."""
        return line_quantities(self.lines)

    def cancel(self, *, at: dt.datetime) -> Self:
        """Cancel the restock: its quantities count as fulfilled again. Final."""
        return self._fire("cancel", at)

    def _repr_html_(self) -> str:
        return entity_html(self)
