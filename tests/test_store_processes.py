"""Real processes on a real file: a kill -9 loses nothing that was acknowledged; two take turns."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from _deliveries import T0, body, events, many
from clickfunnels_orders import ApplyOutcome, Fulfillment, Invoice
from clickfunnels_orders.store import SQLiteStore

#: The child: apply each delivery of a file, and report each event id once apply returned.
CHILD = """
import datetime as dt, sys
from clickfunnels_orders import parse_webhook
from clickfunnels_orders.store import SQLiteStore

T0 = dt.datetime.fromisoformat(sys.argv[3])
with SQLiteStore(sys.argv[1]) as store, open(sys.argv[2], "rb") as deliveries:
    for line in deliveries:
        event = parse_webhook(line)
        result = store.apply(event, received_at=T0)
        sys.stdout.write(f"{result.outcome} {event.event_id}\\n")
        sys.stdout.flush()
"""

TABLES = (
    "events",
    "versions",
    "entities",
    "line_items",
    "fulfillment_lines",
    "fulfillment_counts",
    "invoice_statuses",
    "order_statuses",
)


def write_deliveries(path: Path, envelopes: list[dict[str, Any]]) -> Path:
    """Write raw bodies, one a line, for a child to deliver."""
    path.write_bytes(b"".join(body(item) + b"\n" for item in envelopes))
    return path


def child(db: Path, deliveries: Path) -> subprocess.Popen[bytes]:
    """Start a child process applying ``deliveries`` to ``db``."""
    return subprocess.Popen(  # noqa: S603  because it runs this interpreter on our own code
        [sys.executable, "-c", CHILD, str(db), str(deliveries), T0.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def tables(path: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a store file, sorted: the whole state, to compare."""
    with closing(sqlite3.connect(path)) as raw:
        return {name: sorted(raw.execute(f"SELECT * FROM {name}")) for name in TABLES}  # noqa: S608  because the names are ours


def replayed(tmp_path: Path, envelopes: list[dict[str, Any]], name: str = "replayed") -> Path:
    """A store file with ``envelopes`` applied in one process, in order."""
    path = tmp_path / f"{name}.db"
    with SQLiteStore(path) as store:
        for event in events(envelopes):
            store.apply(event, received_at=T0)
    return path


def first_deliveries(envelopes: list[dict[str, Any]], seen: set[str]) -> int:
    """How long a prefix of ``envelopes`` the ids ``seen`` cover (they must be one)."""
    count = 0
    prefix: set[str] = set()
    for item in envelopes:
        if prefix >= seen:
            break
        prefix.add(item["event_id"])
        count += 1
    assert prefix == seen, "the ids held are not a prefix of what was delivered"
    return count


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_killed_writer_loses_nothing_it_acknowledged(tmp_path: Path, seed: int) -> None:
    """SIGKILL at a random moment: every reported apply is held, and nothing half-applied."""
    rng = random.Random(seed)  # noqa: S311  because test data, not secrets
    envelopes = many(120, rng)
    db = tmp_path / "orders.db"
    kill_after = rng.randint(5, len(envelopes) - 20)
    reported: list[str] = []
    # The context closes the child's pipes once it is reaped.
    with child(db, write_deliveries(tmp_path / "deliveries.jsonl", envelopes)) as worker:
        assert worker.stdout is not None
        for line in worker.stdout:
            reported.append(line.decode().split()[1])
            if len(reported) == kill_after:
                worker.send_signal(signal.SIGKILL)
                break
        reported += [line.decode().split()[1] for line in worker.stdout]  # said before it died
        assert worker.wait() == -signal.SIGKILL

    with SQLiteStore(db) as store:
        assert all(store.has_seen(event_id) for event_id in reported)
        seen = {json.loads(row[0]) for row in tables(db)["events"]}
    applied = first_deliveries(envelopes, seen)
    assert applied < len(envelopes), "the child finished before it was killed"
    distinct_reported = len({*reported})
    assert distinct_reported <= len(seen) <= distinct_reported + 1
    assert tables(db) == tables(replayed(tmp_path, envelopes[:applied]))

    with SQLiteStore(db) as store:
        again = [store.apply(event, received_at=T0) for event in events(envelopes)]
    held = set(seen)
    for item, result in zip(envelopes, again, strict=True):
        if item["event_id"] in held:
            assert result.outcome is ApplyOutcome.DUPLICATE
        held.add(item["event_id"])
    assert tables(db) == tables(replayed(tmp_path, envelopes, "everything"))


def test_two_processes_on_one_file_take_turns(tmp_path: Path) -> None:
    """Interleaved deliveries from two processes: both finish, nothing is lost, same end state."""
    rng = random.Random(7)  # noqa: S311  because test data, not secrets
    envelopes = many(80, rng)
    db = tmp_path / "shared.db"
    halves = [envelopes[0::2], envelopes[1::2]]
    workers = [
        child(db, write_deliveries(tmp_path / f"half-{n}.jsonl", half))
        for n, half in enumerate(halves)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err.decode()
    reported = [line.split()[1] for out, _err in outputs for line in out.decode().splitlines()]
    assert len(reported) == len(envelopes)

    one = replayed(tmp_path, envelopes)
    with SQLiteStore(db) as shared, SQLiteStore(one) as alone:
        assert all(shared.has_seen(event_id) for event_id in reported)
        assert shared.ids(Invoice) == alone.ids(Invoice)
        assert shared.ids(Fulfillment) == alone.ids(Fulfillment)
        for entity_id in alone.ids(Invoice):
            assert shared.get(Invoice, entity_id) == alone.get(Invoice, entity_id)
        for entity_id in alone.ids(Fulfillment):
            assert shared.get(Fulfillment, entity_id) == alone.get(Fulfillment, entity_id)
        assert shared.snapshot() == alone.snapshot()
    assert tables(db) == tables(one)
