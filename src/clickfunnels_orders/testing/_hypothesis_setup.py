"""Registers the entities with Hypothesis so ``st.from_type(Invoice)`` works."""

from __future__ import annotations

from types import ModuleType


def _hypothesis_setup_hook() -> None:
    """Register strategies for the entity types (called by Hypothesis's entry point).

    Hypothesis calls this while it is being imported, which may be from inside
    ``clickfunnels_orders.testing.strategies`` itself (it imports Hypothesis first). So
    the strategies are looked up lazily, when a test first draws from them.
    """
    import hypothesis.strategies as st  # noqa: PLC0415  because only Hypothesis calls this

    from clickfunnels_orders.entities import (  # noqa: PLC0415  because it runs inside Hypothesis
        Fulfillment,
        Invoice,
        Order,
        Restock,
        Transaction,
    )

    def _strategies() -> ModuleType:
        from clickfunnels_orders.testing import strategies  # noqa: PLC0415  because it must not load while Hypothesis does

        return strategies

    st.register_type_strategy(Order, st.deferred(lambda: _strategies().orders()))
    st.register_type_strategy(Invoice, st.deferred(lambda: _strategies().invoices()))
    st.register_type_strategy(Fulfillment, st.deferred(lambda: _strategies().fulfillments()))
    st.register_type_strategy(Restock, st.deferred(lambda: _strategies().restocks()))
    st.register_type_strategy(Transaction, st.deferred(lambda: _strategies().transactions()))
