"""Registers the entities with Hypothesis so ``st.from_type(Invoice)`` works."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register strategies for the entity types (called by Hypothesis's entry point)."""
    import hypothesis.strategies as st  # noqa: PLC0415  because only Hypothesis calls this

    from clickfunnels_orders.entities import Fulfillment, Invoice, Order  # noqa: PLC0415  because it runs inside Hypothesis
    from clickfunnels_orders.testing.strategies import fulfillments, invoices, orders  # noqa: PLC0415  because it needs hypothesis

    st.register_type_strategy(Order, orders())
    st.register_type_strategy(Invoice, invoices())
    st.register_type_strategy(Fulfillment, fulfillments())
