"""``Book``: what the rollup reads of a set of invoices, column by column.

A rollup needs only a few facts of each invoice (its id, order and status) and of each
line item (its id, variant, quantity, stored fulfillment status and whether it needs
fulfillment). A :class:`Book` holds exactly those, as flat columns: ``array``s where the
values are machine integers (ClickFunnels ids, quantities, status codes), tuples
otherwise. It pickles in a few bytes per line item, concatenates in C, and is what a
:class:`~clickfunnels_orders.rollup.Partial` ships between processes and what a
:class:`~clickfunnels_orders.rollup.FulfillmentRollup` answers its queries from.

Lines are held invoice by invoice: the lines of invoice ``i`` are the ``line_counts[i]``
lines after those of the invoices before it.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Final, TypeAlias

import attrs

from clickfunnels_orders.entities import Invoice
from clickfunnels_orders.entities.invoice import ELIGIBLE_FOR_FULFILLMENT
from clickfunnels_orders.statuses import InvoiceStatus, LineItemFulfillmentStatus

__all__ = [
    "ELIGIBLE_CODES",
    "INVOICE_STATUSES",
    "LINE_STATUSES",
    "NEEDS_FULFILLMENT",
    "STATUS_BITS",
    "Book",
    "Column",
    "column",
    "concat",
    "ints",
]

#: A column of ids: an ``array`` of machine integers, or a tuple of any hashables.
Column: TypeAlias = "array[int] | tuple[Hashable, ...]"

#: Invoice statuses by code (a code is an index into this tuple).
INVOICE_STATUSES: Final = tuple(InvoiceStatus)
#: Line-item fulfillment statuses by code, in the low bits of a line's flags.
LINE_STATUSES: Final = tuple(LineItemFulfillmentStatus)
#: The flag bit set on a line that needs fulfillment (``fulfillment_required``).
NEEDS_FULFILLMENT: Final = 8
#: The low bits of a line's flags: its stored status code.
STATUS_BITS: Final = NEEDS_FULFILLMENT - 1
_INVOICE_CODE: Final = {status: code for code, status in enumerate(INVOICE_STATUSES)}
_LINE_CODE: Final = {status: code for code, status in enumerate(LINE_STATUSES)}
#: Whether each invoice status code is eligible for fulfillment (paid, partially refunded).
ELIGIBLE_CODES: Final = tuple(status in ELIGIBLE_FOR_FULFILLMENT for status in INVOICE_STATUSES)

#: Signed array typecodes from narrowest to widest, with the range each holds.
_WIDTHS: Final = (("b", 1 << 7), ("h", 1 << 15), ("i", 1 << 31), ("q", 1 << 63))


def ints(values: Iterable[int]) -> array[int]:
    """Return ``values`` as the narrowest signed ``array`` that holds them all.

    Raises:
        TypeError, OverflowError: for a value that is not a machine integer.
    """
    wide = array("q", values)
    if not wide:
        return array("b")
    low, high = min(wide), max(wide)
    for typecode, bound in _WIDTHS:
        if -bound <= low and high < bound:
            return wide if typecode == "q" else array(typecode, wide)
    msg = "unreachable: array('q') already holds every value"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def column(values: Sequence[Hashable]) -> Column:
    """Return ``values`` as a compact column: an ``array`` if all are machine ints, else a tuple."""
    try:
        return ints(values)  # type: ignore[arg-type]  # refused below if they are not ints
    except (TypeError, OverflowError):
        return tuple(values)


def concat(first: Column, second: Column) -> Column:
    """Return two columns one after the other, widening an array where it must."""
    if isinstance(first, array) and isinstance(second, array):
        if first.typecode == second.typecode:
            return first + second
        wider = max(first.typecode, second.typecode, key=_width)
        return array(wider, first) + array(wider, second)
    return tuple(first) + tuple(second)


def _width(typecode: str) -> int:
    return "bhiq".index(typecode)


@attrs.frozen(eq=False)
class Book:
    """The facts the rollup reads of some invoices, as flat columns (see the module docs).

    Build one with :meth:`of`; the constructor trusts its arguments. Books compare through
    :meth:`facts`, which does not depend on the order of the invoices.
    """

    invoice_ids: Column
    order_ids: Column
    invoice_statuses: bytes
    line_counts: array[int]
    line_ids: Column
    variant_ids: Column
    quantities: array[int]
    line_flags: bytes

    @classmethod
    def of(cls, invoices: Iterable[Invoice]) -> Book:
        """Return the book of ``invoices``, in the order given (ids are not checked here)."""
        invoice_ids: list[Hashable] = []
        order_ids: list[Hashable] = []
        statuses = bytearray()
        counts: list[int] = []
        line_ids: list[Hashable] = []
        variants: list[Hashable] = []
        quantities: list[int] = []
        flags = bytearray()
        invoice_code = _INVOICE_CODE
        line_code = _LINE_CODE
        for invoice in invoices:
            invoice_ids.append(invoice.id)
            order_ids.append(invoice.order_id)
            statuses.append(invoice_code[invoice.status])
            items = invoice.line_items
            counts.append(len(items))
            for item in items:
                line_ids.append(item.id)
                variants.append(item.variant_id)
                quantities.append(item.quantity)
                flags.append(
                    line_code[item.fulfillment_status]
                    | (NEEDS_FULFILLMENT if item.fulfillment_required else 0)
                )
        return cls(
            invoice_ids=column(invoice_ids),
            order_ids=column(order_ids),
            invoice_statuses=bytes(statuses),
            line_counts=ints(counts),
            line_ids=column(line_ids),
            variant_ids=column(variants),
            quantities=ints(quantities),
            line_flags=bytes(flags),
        )

    @classmethod
    def empty(cls) -> Book:
        """Return the book of no invoices."""
        return cls.of(())

    def __len__(self) -> int:
        """Return the number of line items."""
        return len(self.quantities)

    def starts(self) -> list[int]:
        """Return where each invoice's lines start, plus the end: ``len(invoices) + 1`` marks."""
        return [0, *itertools.accumulate(self.line_counts)]

    def invoices(self) -> Iterator[tuple[int, int, int]]:
        """Yield ``(invoice row, first line row, end line row)`` for each invoice."""
        start = 0
        for row, count in enumerate(self.line_counts):
            yield row, start, start + count
            start += count

    def invoice_facts(self, row: int, start: int, end: int) -> tuple[object, ...]:
        """Return one invoice's facts: order, status code and each line's, in line order."""
        return (
            self.order_ids[row],
            self.invoice_statuses[row],
            tuple(
                zip(
                    self.line_ids[start:end],
                    self.variant_ids[start:end],
                    self.quantities[start:end],
                    self.line_flags[start:end],
                    strict=True,
                )
            ),
        )

    def facts(self) -> dict[Hashable, tuple[object, ...]]:
        """Return every invoice's facts by invoice id: what two equal books agree on."""
        ids = self.invoice_ids
        return {
            ids[row]: self.invoice_facts(row, start, end) for row, start, end in self.invoices()
        }

    def __add__(self, other: Book) -> Book:
        """Return this book's invoices followed by ``other``'s (ids are not checked here)."""
        return Book(
            invoice_ids=concat(self.invoice_ids, other.invoice_ids),
            order_ids=concat(self.order_ids, other.order_ids),
            invoice_statuses=self.invoice_statuses + other.invoice_statuses,
            line_counts=concat(self.line_counts, other.line_counts),  # type: ignore[arg-type]
            line_ids=concat(self.line_ids, other.line_ids),
            variant_ids=concat(self.variant_ids, other.variant_ids),
            quantities=concat(self.quantities, other.quantities),  # type: ignore[arg-type]
            line_flags=self.line_flags + other.line_flags,
        )

    def without(self, dropped: set[int]) -> tuple[Book, list[int]]:
        """Return the book without the invoices at rows ``dropped``, and the line rows kept."""
        kept_invoices: list[int] = []
        kept_lines: list[int] = []
        for row, start, end in self.invoices():
            if row not in dropped:
                kept_invoices.append(row)
                kept_lines.extend(range(start, end))
        return (
            Book(
                invoice_ids=_take(self.invoice_ids, kept_invoices),
                order_ids=_take(self.order_ids, kept_invoices),
                invoice_statuses=bytes(self.invoice_statuses[row] for row in kept_invoices),
                line_counts=ints(self.line_counts[row] for row in kept_invoices),
                line_ids=_take(self.line_ids, kept_lines),
                variant_ids=_take(self.variant_ids, kept_lines),
                quantities=ints(self.quantities[row] for row in kept_lines),
                line_flags=bytes(self.line_flags[row] for row in kept_lines),
            ),
            kept_lines,
        )


def _take(values: Column, rows: list[int]) -> Column:
    return column([values[row] for row in rows])
