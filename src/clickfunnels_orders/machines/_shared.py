"""Guards more than one lifecycle declares."""

from __future__ import annotations

from typing import Final

from clickfunnels_orders.machines._engine import Guard
from clickfunnels_orders.statuses import PaymentProcessor

__all__ = ["IS_EXTERNAL", "TARGETS_DEST"]

IS_EXTERNAL: Final = Guard(
    "is_external",
    lambda entity, _route, _args: entity.payment_processor is PaymentProcessor.EXTERNAL,
    uses_args=False,
    doc="the payment processor is external: the client architects its own transitions",
)
TARGETS_DEST: Final = Guard(
    "targets_dest",
    lambda _entity, route, args: args.get("status") == route.dest,
    uses_args=True,
    doc="the status asked for is this transition's destination",
)
