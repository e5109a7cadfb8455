"""Partial rollups: what one shard knows, small enough to ship, combined in any order.

``partial(invoices, fulfillments)`` reads one shard into a :class:`Partial`: the facts of
its invoices (a :class:`~clickfunnels_orders.rollup._book.Book`), the quantity its counted
fulfillments shipped of each of those line items, what they shipped of line items whose
invoices are in other shards, what its restocked restocks released (of any line item),
and the ids of the fulfillments and restocks it counted. No entity is kept: every column
is an ``array`` of machine integers where the ids allow, so a partial pickles in a few
bytes per line item.

``a + b`` is the partial of both shards, associative and commutative; ``combine(parts)``
adds them up in a balanced tree and returns the :class:`FulfillmentRollup`, equal to
``compute`` over the union. ``merge`` of rollups goes the same way, so both refuse the same
things with the same errors.

Over-fulfillment and over-release are checked once, on the sum of every shard
(:meth:`Partial.rollup`), as ``compute`` checks them: on each line's net quantity (what
counted fulfillments shipped less what restocks released), after releasing. A shard, or a
sum of some shards, cannot tell: a restock in a shard not yet added may release what it
over-ships, and a fulfillment not yet added may ship what its restocks release.
"""

from __future__ import annotations

import itertools
import operator
from array import array
from collections.abc import Hashable, Iterable, Sequence
from typing import Final

import attrs

from clickfunnels_orders._values import to_instances, to_tuple
from clickfunnels_orders.entities import Fulfillment, Invoice, Restock
from clickfunnels_orders.errors import (
    DuplicateIdError,
    DuplicateLineItemError,
    FulfillmentConflictError,
    OverFulfilledLineError,
    OverReleaseError,
    UnknownLineItemError,
    shown,
)
from clickfunnels_orders.rollup._book import Book, Column, column, concat, ints
from clickfunnels_orders.rollup._compute import index_invoices, repeated
from clickfunnels_orders.rollup._restocks import RESTOCKED, check_fulfillments
from clickfunnels_orders.rollup._value import FulfillmentRollup
from clickfunnels_orders.statuses import FulfillmentStatus

__all__ = ["Partial", "combine", "merge", "partial"]

_FULFILLED: Final = FulfillmentStatus.FULFILLED


@attrs.frozen(eq=False, repr=False)
class Partial:
    """The rollup of one shard, as counts per line item: compact, picklable, combinable.

    Build one with :func:`partial` (or ``Partial()`` for the partial of nothing), add
    partials with ``+`` (associative and commutative; ``Partial()`` is its identity), and
    finish with :func:`combine`. Partials compare by value: the facts of their invoices,
    the quantities shipped per line item and the fulfillments counted, in any order.
    """

    _book: Book = attrs.field(factory=Book.empty)
    #: Shipped quantity of each line of ``_book``, row for row.
    _fulfilled: array[int] = attrs.field(factory=lambda: array("b"))
    #: Line items shipped here whose invoices are not in ``_book``, and how much of each.
    _foreign_ids: Column = ()
    _foreign_quantities: array[int] = attrs.field(factory=lambda: array("b"))
    #: Ids of the fulfillments counted.
    _counted: Column = ()
    #: Line items (of any shard) that restocked restocks released, and how much of each.
    _released_ids: Column = ()
    _released_quantities: array[int] = attrs.field(factory=lambda: array("b"))
    #: Ids of the restocked restocks counted.
    _restocks: Column = ()
    #: Whether some line's shipped quantity may exceed its quantity (to check at the
    #: end); without it, releasing can only lower what is shipped, so no line is over.
    _over: bool = False

    @classmethod
    def of_rollup(cls, result: FulfillmentRollup) -> Partial:
        """Return the partial a rollup stands for (its book, quantities and counted ids)."""
        book = result._book  # noqa: SLF001  because the rollup and its partials share the book
        shipped = result.fulfilled
        return cls(
            book=book,
            fulfilled=array(book.quantities.typecode, map(shipped.get, book.line_ids, _zeros())),
            counted=column(list(result.fulfillment_ids)),
        )

    def __len__(self) -> int:
        """Return the number of line items whose facts the partial holds."""
        return len(self._book)

    def __add__(self, other: Partial) -> Partial:
        """Return the partial of both shards.

        Over-fulfillment is not checked here: a restock of a shard not yet added may
        release what these ship (see the module docs).

        Raises:
            FulfillmentConflictError: both counted one fulfillment or one restock, or hold
                different versions (different facts) of one invoice.
            DuplicateLineItemError: two different invoices hold one line-item id.
        """
        if not isinstance(other, Partial):
            return NotImplemented
        _refuse_counted_twice(self._counted, other._counted)
        _refuse_counted_twice(self._restocks, other._restocks, kind="restock")
        pending = dict(zip(self._foreign_ids, self._foreign_quantities, strict=True))
        for key, quantity in zip(other._foreign_ids, other._foreign_quantities, strict=True):
            pending[key] = pending.get(key, 0) + quantity
        first, second, second_fulfilled = _without_shared(self, other, pending)
        if len(first) and len(second):
            _refuse_shared_line_ids(first, second)
        book = first + second
        fulfilled = concat(self._fulfilled, second_fulfilled)
        assert isinstance(fulfilled, array)  # noqa: S101  because both sides are arrays
        fulfilled = _widened(fulfilled, book.quantities.typecode)
        foreign: dict[Hashable, int] = {}
        over = self._over or other._over
        if pending:
            rows = dict(zip(book.line_ids, range(len(book)), strict=True))
            for key, quantity in pending.items():
                row = rows.get(key)
                if row is None:
                    foreign[key] = quantity
                    continue
                total = fulfilled[row] + quantity
                if total > book.quantities[row]:
                    over = True
                    if fulfilled.typecode != "q":
                        # Shipped beyond the quantity (checked at the end, once released
                        # quantities are known) may not fit the quantities' width.
                        fulfilled = array("q", fulfilled)
                fulfilled[row] = total
        released = _sparse(self._released_ids, self._released_quantities)
        for key, quantity in zip(other._released_ids, other._released_quantities, strict=True):
            released[key] = released.get(key, 0) + quantity
        return Partial(
            book=book,
            fulfilled=fulfilled,
            foreign_ids=column(list(foreign)),
            foreign_quantities=ints(foreign.values()),
            counted=concat(self._counted, other._counted),
            released_ids=column(list(released)),
            released_quantities=ints(released.values()),
            restocks=concat(self._restocks, other._restocks),
            over=over,
        )

    def rollup(self) -> FulfillmentRollup:
        """Return the rollup this partial adds up to, once every shard is in it.

        Checks, in ``compute``'s order, what only the sum of every shard can tell.

        Raises:
            UnknownLineItemError: a counted fulfillment shipped, or a restocked restock
                released, a line item that no invoice of any shard holds.
            OverReleaseError: restocks released more of a line item than the counted
                fulfillments shipped of it.
            OverFulfilledLineError: what is shipped of a line, less what is released of
                it, exceeds its quantity.
        """
        if len(self._foreign_ids):
            raise UnknownLineItemError(self._foreign_ids[0])
        book, shipped = self._book, self._fulfilled
        if len(self._released_ids):
            shipped = _released_from(book, shipped, self._released_ids, self._released_quantities)
        if self._over and not all(map(operator.le, shipped, book.quantities)):
            row = next(
                row
                for row, (net, limit) in enumerate(zip(shipped, book.quantities, strict=True))
                if net > limit
            )
            raise OverFulfilledLineError(
                cause="combining these partials",
                line_item_id=book.line_ids[row],
                quantity=book.quantities[row],
                fulfilled=shipped[row],
            )
        fulfilled = dict(itertools.compress(zip(book.line_ids, shipped, strict=True), shipped))
        return FulfillmentRollup(
            source=book, fulfilled=fulfilled, fulfillment_ids=frozenset(self._counted)
        )

    def _value(self) -> tuple[object, ...]:
        shipped = self._fulfilled
        return (
            self._book.facts(),
            dict(
                zip(
                    itertools.compress(self._book.line_ids, shipped),
                    itertools.compress(shipped, shipped),
                    strict=True,
                )
            ),
            dict(zip(self._foreign_ids, self._foreign_quantities, strict=True)),
            frozenset(self._counted),
            dict(zip(self._released_ids, self._released_quantities, strict=True)),
            frozenset(self._restocks),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Partial):
            return NotImplemented
        return self is other or self._value() == other._value()

    def __hash__(self) -> int:
        facts, shipped, foreign, counted, released, restocks = self._value()
        return hash(
            (
                frozenset(facts.items()),  # type: ignore[attr-defined]  # a dict, as built above
                frozenset(shipped.items()),  # type: ignore[attr-defined]
                frozenset(foreign.items()),  # type: ignore[attr-defined]
                counted,
                frozenset(released.items()),  # type: ignore[attr-defined]
                restocks,
            )
        )

    def __repr__(self) -> str:
        return (
            f"Partial(invoices={len(self._book.invoice_ids)}, line_items={len(self._book)}, "
            f"foreign_line_items={len(self._foreign_ids)}, fulfillments={len(self._counted)}, "
            f"restocks={len(self._restocks)})"
        )


def _zeros() -> Iterable[int]:
    return itertools.repeat(0)


def _widened(values: array[int], typecode: str) -> array[int]:
    """Return ``values`` in an array at least as wide as ``typecode``."""
    if "bhiq".index(values.typecode) >= "bhiq".index(typecode):
        return values
    return array(typecode, values)


def _sparse(ids: Column, quantities: array[int]) -> dict[Hashable, int]:
    return dict(zip(ids, quantities, strict=True))


def _released_from(
    book: Book, shipped: array[int], released_ids: Column, released: array[int]
) -> array[int]:
    """Return ``shipped`` less what restocks released, after ``compute``'s checks of them.

    Raises:
        UnknownLineItemError: a released line item is in no invoice of the book.
        OverReleaseError: more of a line is released than was shipped of it.
    """
    rows = dict(zip(book.line_ids, range(len(book)), strict=True))
    net = array("q", shipped)
    for key, quantity in zip(released_ids, released, strict=True):
        row = rows.get(key)
        if row is None:
            raise UnknownLineItemError(key)
        if quantity > net[row]:
            raise OverReleaseError(
                releaser="the restocks of these partials",
                line_item_id=key,
                fulfilled=net[row],
                requested=quantity,
            )
        net[row] -= quantity
    return net


def _refuse_counted_twice(first: Column, second: Column, *, kind: str = "fulfillment") -> None:
    if not len(first) or not len(second):
        return
    twice = set(first).intersection(second)
    if twice:
        fid = next(iter(twice))
        raise FulfillmentConflictError(
            f"{kind} {shown(fid)}",
            "more than one part counted it",
            f"give each {kind} to one shard only",
            fulfillment_id=fid,
        )


def _without_shared(
    first: Partial, second: Partial, pending: dict[Hashable, int]
) -> tuple[Book, Book, array[int]]:
    """Drop from ``second`` the invoices ``first`` holds too, after checking they agree.

    What ``second`` shipped of the dropped lines joins ``pending``. Returns both books and
    the shipped quantities of ``second``'s kept lines.
    """
    one, two = first._book, second._book  # noqa: SLF001  because this is Partial's own helper
    shipped = second._fulfilled  # noqa: SLF001
    if not len(one.invoice_ids) or not len(two.invoice_ids):
        return one, two, shipped
    shared = set(one.invoice_ids).intersection(two.invoice_ids)
    if not shared:
        return one, two, shipped
    one_starts, two_starts = one.starts(), two.starts()
    one_rows = {iid: row for row, iid in enumerate(one.invoice_ids) if iid in shared}
    dropped: set[int] = set()
    for row, iid in enumerate(two.invoice_ids):
        if iid not in shared:
            continue
        mine = one_rows[iid]
        start, end = two_starts[row], two_starts[row + 1]
        if one.invoice_facts(mine, one_starts[mine], one_starts[mine + 1]) != two.invoice_facts(
            row, start, end
        ):
            raise FulfillmentConflictError(
                f"invoice {shown(iid)}",
                "the parts hold different versions of it",
                "every part must hold the same version of each invoice it shares",
                invoice_id=iid,
            )
        dropped.add(row)
        for line in range(start, end):
            if shipped[line]:
                key = two.line_ids[line]
                pending[key] = pending.get(key, 0) + shipped[line]
    kept_book, kept_lines = two.without(dropped)
    return one, kept_book, array(shipped.typecode, [shipped[line] for line in kept_lines])


def _refuse_shared_line_ids(first: Book, second: Book) -> None:
    ids = set(first.line_ids)
    if ids.isdisjoint(second.line_ids):
        return
    key = next(key for key in second.line_ids if key in ids)
    raise DuplicateLineItemError(key, (_owner(first, key), _owner(second, key)))


def _owner(book: Book, line_item_id: Hashable) -> Hashable:
    for row, start, end in book.invoices():
        if line_item_id in book.line_ids[start:end]:
            return book.invoice_ids[row]
    msg = "the line item is in the book"  # pragma: no cover  # only asked of held lines
    raise AssertionError(msg)  # pragma: no cover


def partial(invoices: Iterable[Invoice], fulfillments: Iterable[Fulfillment | Restock]) -> Partial:
    """Return what one shard knows: its invoices' facts and what its fulfillments shipped.

    A shard's fulfillments may ship line items whose invoices are in other shards, and
    its restocks may release what other shards' fulfillments shipped; those quantities
    are carried along and checked when the shards are combined. Over-fulfillment is
    checked there too, on the net quantities (see the module docs): a restock of another
    shard may release what this one over-ships. Repeated ids are refused here.

    Args:
        invoices: the shard's invoices, each id once, their line-item ids unique across them.
        fulfillments: the shard's fulfillments, each id once, in any status; only
            ``fulfilled`` ones count. Among them the shard's restocks (each id once among
            restocks): a restocked one releases its quantities, a cancelled one nothing.

    Raises:
        DuplicateIdError: for an invoice, fulfillment or restock id given twice.
        DuplicateLineItemError: for a line-item id held by two invoices.
    """
    invoice_list = (
        invoices if isinstance(invoices, list | tuple) else to_tuple(invoices, "invoices")
    )
    fulfillment_list = (
        fulfillments
        if isinstance(fulfillments, list | tuple)
        else to_tuple(fulfillments, "fulfillments")
    )
    try:
        return _partial(invoice_list, fulfillment_list)  # type: ignore[arg-type]  # see compute
    except AttributeError:
        to_instances(invoice_list, Invoice, "invoices")
        check_fulfillments(fulfillment_list, "fulfillments")
        raise


def _partial(invoices: Sequence[Invoice], fulfillments: Sequence[Fulfillment | Restock]) -> Partial:
    # The same single pass as compute (see there), with lines of other shards set aside.
    _, quantities = index_invoices(invoices)
    totals = dict.fromkeys(quantities, 0)
    foreign: dict[Hashable, int] = {}
    counted: list[Hashable] = []
    uncounted: list[Hashable] = []
    restocks: list[Restock] = []
    fulfilled_status = _FULFILLED
    for fulfillment in fulfillments:
        if fulfillment.status is fulfilled_status:
            counted.append(fulfillment.id)
            for line in fulfillment.lines:
                key = line.invoice_line_item_id
                if key in totals:
                    totals[key] += line.quantity
                else:
                    foreign[key] = foreign.get(key, 0) + line.quantity
        elif isinstance(fulfillment, Fulfillment):
            uncounted.append(fulfillment.id)
        elif isinstance(fulfillment, Restock):
            restocks.append(fulfillment)
        else:
            check_fulfillments(fulfillments, "fulfillments")  # names the stranger
    ids = frozenset(counted)
    if len(ids) != len(counted) or (
        uncounted and len(ids.union(uncounted)) != len(counted) + len(uncounted)
    ):
        raise repeated("fulfillment", [fulfillment.id for fulfillment in fulfillments])
    released, restocked = _releases(restocks)
    book = Book.of(invoices)
    # Shipped beyond a quantity is checked on the sum (restocks elsewhere may release
    # it), and may not fit the quantities' width meanwhile.
    over = not all(map(operator.le, totals.values(), quantities.values()))
    return Partial(
        book=book,
        fulfilled=array("q" if over else book.quantities.typecode, totals.values()),
        foreign_ids=column(list(foreign)),
        foreign_quantities=ints(foreign.values()),
        counted=column(counted),
        released_ids=column(list(released)),
        released_quantities=ints(released.values()),
        restocks=column(restocked),
        over=over,
    )


def _releases(restocks: Sequence[Restock]) -> tuple[dict[Hashable, int], list[Hashable]]:
    """Return what the restocked restocks release per line item, and their ids.

    Raises:
        DuplicateIdError: for a restock id given twice.
    """
    released: dict[Hashable, int] = {}
    seen: set[Hashable] = set()
    restocked: list[Hashable] = []
    for restock in restocks:
        if restock.id in seen:
            raise DuplicateIdError("restock", restock.id)
        seen.add(restock.id)
        if restock.status is RESTOCKED:
            restocked.append(restock.id)
            for key, quantity in restock.quantities().items():
                released[key] = released.get(key, 0) + quantity
    return released, restocked


def combine(parts: Iterable[Partial]) -> FulfillmentRollup:
    """Add up the partials of all shards into the rollup of their union.

    Equal to ``compute`` over the union of the shards' invoices and fulfillments, whatever
    the sharding, the grouping and the order of the parts. Parts are added in a balanced
    tree, so each line item is handled about log2(len(parts)) times.

    Raises:
        FulfillmentConflictError: two parts counted one fulfillment or one restock, or
            hold different versions of one invoice (they disagree on a fact the rollup
            reads: its order, status, or a line's variant, quantity, status or need of
            fulfillment).
        DuplicateLineItemError: two different invoices hold one line-item id.
        UnknownLineItemError: a counted fulfillment shipped, or a restocked restock
            released, a line item no part holds.
        OverReleaseError: the parts' restocks release more of a line than is shipped.
        OverFulfilledLineError: the parts together ship more of a line, less what their
            restocks release, than its quantity.
    """
    level = list(to_instances(parts, Partial, "parts"))
    if not level:
        return Partial().rollup()
    while len(level) > 1:
        pairs = [level[index] + level[index + 1] for index in range(0, len(level) - 1, 2)]
        level = pairs + list(level[len(pairs) * 2 :])
    return level[0].rollup()


def merge(parts: Iterable[FulfillmentRollup]) -> FulfillmentRollup:
    """Combine rollups of disjoint sets of fulfillments into the rollup of their union.

    Each part holds the invoices its fulfillments need (more is fine); the result holds
    the union of the parts' invoices. Merging is associative and commutative, and
    ``merge([])`` is the empty rollup, so parts may be reduced in any grouping and order.
    It is :func:`combine` over each part's :class:`Partial`.

    Args:
        parts: the rollups to combine.

    Raises:
        FulfillmentConflictError: two parts hold different versions of one invoice, or
            both counted the same fulfillment (its quantities would count twice). A
            cancelled or restocked fulfillment leaves no trace in a rollup, so give each
            fulfillment to one part only.
        DuplicateLineItemError: two invoices of different parts hold the same line-item id.
        OverFulfilledLineError: the parts together fulfill more of a line than its quantity.
    """
    part_list = to_instances(parts, FulfillmentRollup, "parts")
    if len(part_list) == 1:
        return part_list[0]
    return combine([Partial.of_rollup(part) for part in part_list])
