"""Test helpers for suites that use ``clickfunnels_orders`` (needs the ``testing`` extra).

``clickfunnels_orders.testing.strategies`` holds the Hypothesis strategies.
"""
