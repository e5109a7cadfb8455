"""``clickfunnels-orders serve``: the endpoint on a real socket on 127.0.0.1; SIGTERM stops it."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from _deliveries import T0, body, envelope
from clickfunnels_orders import Invoice, InvoiceLineItem, InvoiceStatus, sign_webhook
from clickfunnels_orders.store import SQLiteStore

SECRET = "serve-test-secret"  # noqa: S105  because it is a test's own made-up secret
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM is POSIX")


def command(database: Path) -> list[str]:
    """The serve command on a free port of the loopback address."""
    return [
        sys.executable,
        "-m",
        "clickfunnels_orders",
        "serve",
        "--db",
        str(database),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    """A running server, its address and its store's file; killed if a test leaves it up."""
    database = tmp_path / "store.db"
    process = subprocess.Popen(  # noqa: S603  because the command is the test's own
        command(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CLICKFUNNELS_WEBHOOK_SECRET": SECRET},
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = LISTENING.search(line)
        assert match, line
        yield process, match[1], database
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def post(url: str, payload: bytes, headers: dict[str, str]) -> int:
    """POST ``payload`` and return the status code."""
    request = urllib.request.Request(  # noqa: S310  because the URL is the test server's
        url, data=payload, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  ditto
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def a_delivery() -> tuple[bytes, Invoice]:
    """One signed-to-be delivery of an unpaid invoice."""
    invoice = Invoice(
        id=41,
        order_id=4,
        status=InvoiceStatus.UNPAID,
        line_items=(
            InvoiceLineItem(id=410, invoice_id=41, variant_id=7, quantity=1, amount="5.00"),
        ),
        currency="USD",
        total_amount="5.00",
    )
    return body(envelope("evt-41", invoice, T0)), invoice


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_serve_refuses_to_start_without_a_secret(tmp_path: Path, value: str | None) -> None:
    """No ``CLICKFUNNELS_WEBHOOK_SECRET`` (or an empty one): exit 2 before listening."""
    env = {k: v for k, v in os.environ.items() if k != "CLICKFUNNELS_WEBHOOK_SECRET"}
    if value is not None:
        env["CLICKFUNNELS_WEBHOOK_SECRET"] = value
    done = subprocess.run(  # noqa: S603  because the command is the test's own
        command(tmp_path / "store.db"),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "CLICKFUNNELS_WEBHOOK_SECRET" in done.stderr
    assert not (tmp_path / "store.db").exists()


def test_serve_applies_signed_deliveries_and_stops_cleanly_on_sigterm(
    server: tuple[subprocess.Popen[str], str, Path],
) -> None:
    """A signed delivery is applied (200), a bad signature refused (401); SIGTERM exits 0."""
    process, url, database = server
    payload, invoice = a_delivery()
    now = dt.datetime.now(dt.UTC)
    assert post(url + "/webhooks", payload, sign_webhook(payload, secret=SECRET, at=now)) == 200
    assert post(url, payload, sign_webhook(payload, secret=SECRET + "-wrong", at=now)) == 401
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "stopped" in stderr
    with SQLiteStore(database) as store:
        stored = store.get(Invoice, 41)
    assert stored is not None
    assert stored.line_items == invoice.line_items
