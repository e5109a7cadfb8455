"""Fulfillment rollup: what is shipped, what remains, and every line, invoice and order status.

Four ways to the same value, a :class:`FulfillmentRollup`:

- :func:`compute` recomputes it from invoices and fulfillments (the oracle);
- :func:`partial` reads one shard into a compact, picklable :class:`Partial`, and
  :func:`combine` adds the partials of all shards (associative and commutative, so any
  engine that can map and reduce can roll up a workspace in parts; see
  :mod:`clickfunnels_orders.dask`);
- :func:`merge` combines rollups of disjoint shards of fulfillments (through partials);
- :class:`Tracker` keeps it up to date one invoice or fulfillment at a time.

The rules:

- Only fulfillments in status ``fulfilled`` count; cancelled and restocked ones count as
  nothing. Each fulfillment line counts toward its own invoice line item, whatever order
  that belongs to.
- Restocks come with the fulfillments: a restocked restock releases its quantities
  from what the fulfillments shipped, a cancelled one nothing; a line's fulfilled
  quantity is net of what is released, and neither more than is shipped may be
  released nor more than a line's quantity be fulfilled, net (``_restocks``).
- A line item's status: ignored and complete stay as they are; otherwise nothing
  fulfilled is ``unfulfilled``, some is ``partially_fulfilled``, its whole quantity is
  ``fulfilled`` (the line-item machine's derived ``recount`` move).
- A line item is *required* when it needs fulfillment, is not ignored, and its invoice is
  paid or partially refunded. An invoice's status is over its required lines (none:
  ``not_applicable``; else ``unfulfilled``, ``partial`` or ``complete``, where complete
  lines count as fulfilled); an order's over the required lines of all its invoices (none:
  ``not_applicable``; else ``unfulfilled``, ``partially_fulfilled`` or ``fulfilled``).
- ``remaining(order_id)`` lists each required, not complete line with something left to
  ship, and how much.

``docs/rollup.md`` works through an example.

The names here are the public face; the modules behind them are private and cut by
concept: ``_rules`` (required lines and status roll-up), ``_book`` (the facts a rollup
reads of invoices, as flat columns), ``_value`` (``FulfillmentRollup``), ``_records``
(its rows), ``_compute`` (``compute``), ``_partial`` (``partial``, ``Partial``,
``combine``, ``merge``) and ``_tracker`` (``Tracker``).
"""

from clickfunnels_orders.rollup._compute import compute
from clickfunnels_orders.rollup._partial import Partial, combine, merge, partial
from clickfunnels_orders.rollup._records import LineItemRow
from clickfunnels_orders.rollup._tracker import Tracker
from clickfunnels_orders.rollup._value import FulfillmentRollup

__all__ = [
    "FulfillmentRollup",
    "LineItemRow",
    "Partial",
    "Tracker",
    "combine",
    "compute",
    "merge",
    "partial",
]
