"""The tracker's handling of restocks, kept apart from its fulfillments and invoices.

:class:`RestockRecords` is a mixin of :class:`~clickfunnels_orders.rollup.Tracker`: it
reads and changes the tracker's private state, under the tracker's lock (``record``
takes it before calling in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

from clickfunnels_orders.entities import Restock
from clickfunnels_orders.errors import FulfillmentConflictError, OverFulfillmentError, shown
from clickfunnels_orders.rollup._restocks import RESTOCKED, to_release

__all__ = ["RestockRecords"]


class RestockRecords:
    """Record restocks: a restocked one releases once, cancelling it puts it back."""

    if TYPE_CHECKING:  # the tracker's state this mixin works on
        _lines: dict[Hashable, Any]
        _fulfilled: dict[Hashable, int]
        _restocks: dict[Hashable, Restock]
        _released: dict[Hashable, int]

        def _shift(self, key: Hashable, delta: int) -> None: ...

    def _record_restock(self, restock: Restock) -> bool:
        rid = restock.id
        held = self._restocks.get(rid)
        if held is not None:
            if held.lines != restock.lines and Counter(held.lines) != Counter(restock.lines):
                raise FulfillmentConflictError(
                    f"restock {shown(rid)}",
                    f"this version has lines {_lines_text(restock)}, the one held "
                    f"{_lines_text(held)}",
                    "a restock's lines never change; create a new restock instead",
                    fulfillment_id=rid,
                )
            if restock.status is held.status:
                return False
            if held.status is not RESTOCKED:
                raise FulfillmentConflictError(
                    f"restock {shown(rid)}",
                    f"it is {held.status.value}, and this version is {restock.status.value}",
                    "cancelled is final; create a new restock instead",
                    fulfillment_id=rid,
                )
            self._put_back(held)
        elif restock.status is RESTOCKED:
            wanted = to_release(restock, self._lines, self._fulfilled)
            self._check_not_complete(f"restock {shown(rid)}", rid, wanted)
            released = self._released
            for key, quantity in wanted.items():
                self._shift(key, -quantity)
                released[key] = released.get(key, 0) + quantity
        self._restocks[rid] = restock
        return True

    def _put_back(self, restock: Restock) -> None:
        """Check that a released restock's quantities fit again, then count them again."""
        wanted = restock.quantities()
        fulfilled = self._fulfilled
        for key, quantity in wanted.items():
            line = self._lines[key]
            already = fulfilled.get(key, 0)
            if already + quantity > line.quantity:
                raise OverFulfillmentError(
                    fulfillment_id=restock.id,
                    line_item_id=key,
                    quantity=line.quantity,
                    already=already,
                    requested=quantity,
                )
        released = self._released
        for key, quantity in wanted.items():
            self._shift(key, quantity)
            left = released[key] - quantity
            if left:
                released[key] = left
            else:
                del released[key]

    def _check_not_complete(
        self, subject: str, fid: Hashable, wanted: Mapping[Hashable, int]
    ) -> None:
        lines = self._lines
        for key in wanted:
            if lines[key].complete:
                raise FulfillmentConflictError(
                    subject,
                    f"releasing it would take quantity from invoice line item {shown(key)}, "
                    "which is complete",
                    "a complete line's fulfilled quantity can no longer be released",
                    fulfillment_id=fid,
                    line_item_id=key,
                )


def _lines_text(restock: Restock) -> str:
    return ", ".join(
        f"{line.quantity} x {shown(line.invoice_line_item_id)}" for line in restock.lines
    )
