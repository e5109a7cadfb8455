"""The documentation stays true to the code."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from clickfunnels_orders.diagrams import lifecycles_page

ROOT = Path(__file__).resolve().parent.parent


def test_lifecycles_page_is_generated_from_the_current_machines() -> None:
    """docs/lifecycles.md equals what the machines generate today."""
    committed = (ROOT / "docs" / "lifecycles.md").read_text(encoding="utf-8")
    assert committed == lifecycles_page(), (
        "regenerate with: python -m clickfunnels_orders.diagrams > docs/lifecycles.md"
    )


def test_checkout_example_ends_with_a_fulfilled_order(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's main job takes an order from checkout to paid and fulfilled."""
    runpy.run_path(str(ROOT / "examples" / "checkout.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "paid the rest -> paid" in out
    assert "order 2: service completed, billing paid" in out
    assert "both shirts shipped: order fulfilled" in out
