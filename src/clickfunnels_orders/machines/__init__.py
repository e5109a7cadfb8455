"""Each lifecycle, declared once as a ``transitions`` machine, validated and compiled.

The declarations (:mod:`.invoice`, :mod:`.order`, :mod:`.line_item`,
:mod:`.fulfillment`) are the single source of truth for which events exist, from which
states, to which states, under which conditions, what arriving in a state implies, and
which webhooks a move sends. Everything else (the entity methods' guards,
``allowed_events``, the diagrams, the docs' tables, the domain events) is derived from
them. The engine that builds and validates them is :mod:`._engine`.
"""

from clickfunnels_orders.machines._engine import (
    CompiledMachine,
    Effect,
    Guard,
    Implication,
    Route,
    build,
    pairs,
)
from clickfunnels_orders.machines._shared import IS_EXTERNAL, TARGETS_DEST
from clickfunnels_orders.machines.fulfillment import FULFILLMENT
from clickfunnels_orders.machines.invoice import (
    ELIGIBLE_FOR_FULFILLMENT,
    EXTERNAL_INVOICE_STATUSES,
    HOLDS_NOTHING,
    INVOICE,
    PAID_IN_FULL,
    amounts_agree,
    disputed_from,
    paid_by_status,
)
from clickfunnels_orders.machines.line_item import INVOICE_LINE_ITEM, counted_status
from clickfunnels_orders.machines.order import (
    CANCEL_REASONS,
    LIFECYCLE_STATUSES,
    ORDER,
    lifecycle_statuses,
)
from clickfunnels_orders.machines.restock import RESTOCK
from clickfunnels_orders.machines.transaction import REFUNDABLE_TYPES, TRANSACTION

__all__ = [
    "CANCEL_REASONS",
    "ELIGIBLE_FOR_FULFILLMENT",
    "EXTERNAL_INVOICE_STATUSES",
    "FULFILLMENT",
    "HOLDS_NOTHING",
    "INVOICE",
    "INVOICE_LINE_ITEM",
    "IS_EXTERNAL",
    "LIFECYCLE_STATUSES",
    "ORDER",
    "PAID_IN_FULL",
    "REFUNDABLE_TYPES",
    "RESTOCK",
    "TARGETS_DEST",
    "TRANSACTION",
    "CompiledMachine",
    "Effect",
    "Guard",
    "Implication",
    "Route",
    "amounts_agree",
    "build",
    "counted_status",
    "disputed_from",
    "lifecycle_statuses",
    "paid_by_status",
    "pairs",
]
