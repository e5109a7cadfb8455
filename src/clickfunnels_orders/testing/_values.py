"""The testing kit's values and parts: ids, moments, amounts, codes, lines, walks.

Kept apart from :mod:`clickfunnels_orders.testing.strategies` (which re-exports the
public ones) so that the strategies of each concept can share them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from decimal import Decimal
from typing import Any, TypeVar

from hypothesis import strategies as st

from clickfunnels_orders._values import MAX_MONEY_DIGITS, MIN_MONEY_EXPONENT, MONEY_CONTEXT
from clickfunnels_orders.entities import FulfillmentLine

__all__ = ["amounts", "currencies", "fulfillment_lines", "ids", "lined", "moments", "walk"]

T = TypeVar("T")

_EPOCH_MS = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
_SPAN_MS = 10 * 365 * 24 * 3600 * 1000  # ten years of milliseconds


def ids() -> st.SearchStrategy[int]:
    """Positive ``int`` ids, as ClickFunnels uses."""
    return st.integers(min_value=1, max_value=2**31 - 1)


def moments() -> st.SearchStrategy[dt.datetime]:
    """UTC datetimes with millisecond precision, between 2020 and 2030."""
    return st.integers(min_value=0, max_value=_SPAN_MS).map(
        lambda ms: _EPOCH_MS + dt.timedelta(milliseconds=ms)
    )


def amounts(
    *, places: int | None = None, max_value: Decimal | None = None
) -> st.SearchStrategy[Decimal]:
    """Non-negative ``Decimal`` amounts; by default over the whole range the library takes.

    That range is zero and every amount from ``10**-30`` to just below ``10**30``, with
    any number of significant digits up to 40 (the payload layer reads and writes all of
    it without loss). ``places=2`` gives cent amounts such as ``Decimal('12.34')``,
    optionally at most ``max_value``.

    Args:
        places: a fixed number of decimal places (``2`` for cents), or ``None`` for any.
        max_value: the largest amount to draw (only with ``places``).
    """
    if places is not None:
        if places < 0:
            msg = f"places: got {places!r}, expected 0 or more"
            raise ValueError(msg)
        # In the library's own context: a suite's own decimal precision must not round
        # what is generated.
        top = max_value if max_value is not None else Decimal(10**7)
        return st.integers(
            min_value=0, max_value=int(top.scaleb(places, context=MONEY_CONTEXT))
        ).map(lambda units: Decimal(units).scaleb(-places, context=MONEY_CONTEXT))
    if max_value is not None:
        msg = "max_value: only with places (the full range has no upper bound to lower)"
        raise ValueError(msg)
    return st.one_of(st.just(Decimal(0)), st.just(Decimal("0.00")), _any_amounts())


@st.composite
def _any_amounts(draw: st.DrawFn) -> Decimal:
    """A positive amount whose leading digit is at 10**-30 .. 10**29, of 1 to 40 digits."""
    digits = draw(st.integers(min_value=1, max_value=40))
    coefficient = draw(st.integers(min_value=10 ** (digits - 1), max_value=10**digits - 1))
    adjusted = draw(st.integers(min_value=MIN_MONEY_EXPONENT, max_value=MAX_MONEY_DIGITS - 1))
    # Built from text: Decimal arithmetic (scaleb) would round to the context's precision.
    return Decimal(f"{coefficient}E{adjusted - (digits - 1)}")


def currencies() -> st.SearchStrategy[str]:
    """Upper-case currency codes."""
    return st.sampled_from(["USD", "EUR", "GBP", "CAD", "AUD"])


def fulfillment_lines(
    *,
    line_item_ids: st.SearchStrategy[Hashable] | None = None,
    max_quantity: int = 20,
) -> st.SearchStrategy[FulfillmentLine]:
    """Fulfillment lines: a positive quantity of one invoice line item."""
    return st.builds(
        FulfillmentLine,
        invoice_line_item_id=line_item_ids if line_item_ids is not None else ids(),
        quantity=st.integers(min_value=1, max_value=max_quantity),
    )


def walk(
    draw: st.DrawFn,
    entity: T,
    start: dt.datetime,
    max_events: int,
    fire: Callable[[st.DrawFn, T, str, dt.datetime], T],
) -> T:
    """Fire up to ``max_events`` random allowed events, at non-decreasing moments."""
    at = start
    for _ in range(draw(st.integers(min_value=0, max_value=max_events))):
        allowed: tuple[str, ...] = entity.allowed_events  # type: ignore[attr-defined]  # every entity has it
        if not allowed:
            break
        event = draw(st.sampled_from(_prefer_open(draw, entity, allowed)))
        at += dt.timedelta(milliseconds=draw(st.integers(min_value=0, max_value=90 * 86_400_000)))
        entity = fire(draw, entity, event, at)
    return entity


def _prefer_open(draw: st.DrawFn, entity: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Most of the time, leave out events that can only end the lifecycle.

    Without this, a walk ends in abandoned or voided as often as it goes anywhere, and
    the statuses deep in a lifecycle (partially-refunded, churned) are rarely generated.
    """
    lifecycle = entity.lifecycle
    status = entity.status
    open_events = tuple(
        event
        for event in allowed
        if any(
            route.dest not in lifecycle.final_states
            for route in lifecycle.routes_from(event, status)
        )
    )
    closing_allowed = draw(st.integers(min_value=0, max_value=3)) == 0
    return allowed if closing_allowed or not open_events else open_events


LinedT = TypeVar("LinedT")


@st.composite
def lined(
    draw: st.DrawFn,
    cls: Callable[..., LinedT],
    entity_ids: st.SearchStrategy[Hashable],
    line_item_ids: st.SearchStrategy[Hashable] | None,
    max_lines: int,
) -> LinedT:
    """A fulfillment or a restock (``cls``): distinct lines, then one event or none."""
    lines = draw(
        st.lists(
            fulfillment_lines(line_item_ids=line_item_ids),
            min_size=1,
            max_size=max_lines,
            unique_by=lambda line: line.invoice_line_item_id,
        )
    )
    created = draw(moments())
    made = cls(id=draw(entity_ids), lines=tuple(lines), created_at=created)
    return walk(draw, made, created, 1, lambda _d, m, e, at: getattr(m, e)(at=at))
