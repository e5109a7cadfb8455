"""The webhook consumer example runs and tells what a consumer does with each delivery."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_the_webhook_consumer_example_applies_skips_and_refuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Over a socket the endpoint applies, skips and refuses; the store outlives a restart."""
    runpy.run_path(str(ROOT / "examples" / "webhook_consumer.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "ClickFunnels: order.confirmation_email for invoice 7" in out
    assert "200 applied   subscription.churned" in out
    assert "200 stale     subscription.activated" in out
    assert "200 duplicate subscription.churned" in out
    assert "401 the signature does not match" in out
    assert "401 the timestamp is" in out
    restart = out.split("After a restart")[1]
    assert "200 stale     subscription.activated" in restart
    assert "Held: order 2 churned, invoice 7 paid" in out
    assert "Order 2 to ship: not_applicable" in out
    assert "Contact 9 may open the course: False" in out
