"""The command line, run as users run it: ``python -m clickfunnels_orders`` in a child process."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import pytest

from _deliveries import T0, body, envelope, many, plan
from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    Order,
    OrderFulfillmentStatus,
    OrderLineItem,
    Replica,
    Restock,
    Transaction,
    diagram,
    parse_webhook,
    rollup,
)
from clickfunnels_orders.store import SQLiteStore


def rng(seed: int) -> random.Random:
    """A seeded generator of test data."""
    return random.Random(seed)  # noqa: S311  because test data, not secrets


#: The command line, as ``python -m``.
PROGRAM = (sys.executable, "-m", "clickfunnels_orders")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m clickfunnels_orders ARGS`` and return what it did."""
    return subprocess.run(  # noqa: S603  because the command is the test's own
        [*PROGRAM, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=env,
    )


def write_lines(path: Path, records: Sequence[object]) -> Path:
    """Write ``records`` as JSON Lines (exact numbers) and return the path."""
    path.write_text("".join(body(r).decode() + "\n" for r in records), encoding="utf-8")  # type: ignore[arg-type]  # body writes any JSON value
    return path


def expected_report(
    invoices: Sequence[Invoice], fulfillments: Sequence[Fulfillment | Restock]
) -> list[Any]:
    """The JSON Lines objects API.md section 12 asks for, from ``rollup.compute`` itself."""
    result = rollup.compute(invoices, fulfillments)
    variants = {item.id: item.variant_id for inv in invoices for item in inv.line_items}
    expected = []
    for order_id in sorted({int(invoice.order_id) for invoice in invoices}):  # type: ignore[call-overload]  # int ids here
        status = result.order_status(order_id)
        if status is OrderFulfillmentStatus.NOT_APPLICABLE:
            continue
        remaining = [
            {"invoice_line_item_id": line, "variant_id": variants[line], "quantity": quantity}
            for line, quantity in result.remaining(order_id).items()
        ]
        expected.append({"order_id": order_id, "status": str(status), "remaining": remaining})
    return expected


def replica_of(envelopes: Sequence[dict[str, Any]]) -> Replica:
    """The replica's view of ``envelopes``, applied in file order."""
    replica = Replica()
    for item in envelopes:
        replica.apply(parse_webhook(body(item)))
    return replica


def json_lines(text: str) -> list[Any]:
    """Decode JSON Lines output."""
    return [json.loads(line) for line in text.splitlines()]


def paid_invoice(invoice_id: int, *lines: tuple[Hashable, int]) -> Invoice:
    """A paid invoice of order ``invoice_id`` with lines ``(id, quantity)``."""
    return Invoice(
        id=invoice_id,
        order_id=invoice_id,
        status=InvoiceStatus.PAID,
        line_items=tuple(
            InvoiceLineItem(
                id=line_id, invoice_id=invoice_id, variant_id=7, quantity=q, amount="1.00"
            )
            for line_id, q in lines
        ),
        currency="USD",
        total_amount=f"{len(lines)}.00",
    )


# -- the command line as a whole ------------------------------------------------------------


def test_help_lists_every_command_and_exits_0() -> None:
    """``--help`` names report, summary, ingest, serve, check, diagram and demo."""
    done = run("--help")
    assert done.returncode == 0
    for command in ("report", "summary", "ingest", "serve", "check", "diagram", "demo"):
        assert command in done.stdout


@pytest.mark.parametrize(
    "args",
    [("frobnicate",), ("report",), ("report", "/no/such/file.jsonl"), ("report", "--format")],
    ids=["unknown command", "missing source", "missing file", "missing option value"],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    """A usage error is exit status 2, with a message on standard error."""
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr
    assert not done.stdout


def test_the_console_script_is_declared_and_runs_the_same_command_line() -> None:
    """``clickfunnels-orders`` is the same program as ``python -m clickfunnels_orders``."""
    script = Path(sys.executable).with_name("clickfunnels-orders")
    if not script.exists():  # pragma: no cover  # installed without scripts (a bare wheel run)
        pytest.skip("the console script is not installed beside this interpreter")
    done = subprocess.run(  # noqa: S603  because the command is the test's own
        [str(script), "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0
    assert "report" in done.stdout


def test_without_the_cli_extra_the_command_says_what_to_install_and_exits_2() -> None:
    """A missing click or rich is reported with the install command, not a traceback."""
    code = (
        "import sys; sys.modules['click'] = None\n"
        "from clickfunnels_orders.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(  # noqa: S603  because the command is the test's own
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 2
    assert 'pip install "clickfunnels-orders[cli]"' in done.stderr
    assert "Traceback" not in done.stderr


# -- report ---------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_report_json_over_delivered_envelopes_is_compute_over_what_the_replica_keeps(
    tmp_path: Path, seed: int
) -> None:
    """Shuffled, retried, re-sent envelopes: the versions kept are the replica's."""
    envelopes = plan(rng(seed))
    source = write_lines(tmp_path / "deliveries.jsonl", envelopes)
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 0, done.stderr
    replica = replica_of(envelopes)
    expected = expected_report(
        list(replica.invoices.values()),
        [*replica.fulfillments.values(), *replica.restocks.values()],
    )
    assert json_lines(done.stdout) == expected


def test_report_reads_a_json_array_of_api_objects_mixed_with_envelopes(tmp_path: Path) -> None:
    """Invoices and fulfillments as API objects and as envelopes, in one array, any order."""
    envelopes = many(30, rng(5))
    mixed = [item["data"] if n % 2 else item for n, item in enumerate(envelopes)]
    rng(6).shuffle(mixed)
    source = tmp_path / "export.json"
    source.write_text(body(mixed).decode(), encoding="utf-8")  # type: ignore[arg-type]  # a list is JSON too
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 0, done.stderr
    replica = replica_of(envelopes)
    expected = expected_report(
        list(replica.invoices.values()),
        [*replica.fulfillments.values(), *replica.restocks.values()],
    )
    assert json_lines(done.stdout) == expected
    assert [line["order_id"] for line in expected] == sorted(line["order_id"] for line in expected)


def test_report_streams_an_array_larger_than_its_read_buffer(tmp_path: Path) -> None:
    """Records that straddle the reader's 1 MiB chunks are read whole, each exactly once."""
    invoices = [paid_invoice(k, (k * 10, 3)) for k in range(1, 4001)]
    shipped = [
        Fulfillment(id=k, lines=(FulfillmentLine(k * 10, k % 3),)) for k in range(1, 4001) if k % 3
    ]
    records = [inv.to_api() for inv in invoices] + [f.to_api() for f in shipped]
    source = tmp_path / "big.json"
    source.write_text(json.dumps(records, indent=1), encoding="utf-8")
    assert source.stat().st_size > 2 * 2**20  # two chunk boundaries at least
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout) == expected_report(invoices, shipped)


def test_transactions_and_orders_in_an_export_are_read_and_left_out(tmp_path: Path) -> None:
    """An order or a transaction object is valid data: checked, not counted, not an error."""
    fixtures = Path(__file__).parent / "fixtures" / "clickfunnels"
    order = json.loads((fixtures / "order_example.json").read_text(encoding="utf-8"))
    charge = json.loads((fixtures / "orders_transaction_example.json").read_text(encoding="utf-8"))
    records = [paid_invoice(1, (10, 2)).to_api(), order, charge]
    done = run("report", str(write_lines(tmp_path / "export.jsonl", records)), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [line["order_id"] for line in json_lines(done.stdout)] == [1]


def test_report_csv_has_one_row_per_line_to_ship(tmp_path: Path) -> None:
    """CSV: a header, then order, status, line, variant and quantity still to ship."""
    invoices = [paid_invoice(1, (10, 2), (11, 1)), paid_invoice(2, (20, 1))]
    shipped = [Fulfillment(id=1, lines=(FulfillmentLine(10, 1), FulfillmentLine(20, 1)))]
    source = write_lines(
        tmp_path / "export.jsonl", [*(i.to_api() for i in invoices), *(f.to_api() for f in shipped)]
    )
    done = run("report", str(source), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "order_id,status,invoice_line_item_id,variant_id,quantity",
        "1,partially_fulfilled,10,7,1",
        "1,partially_fulfilled,11,7,1",
        "2,fulfilled,,,0",
    ]


def test_report_table_is_the_default(tmp_path: Path) -> None:
    """Without ``--format`` the report is a table for people."""
    source = write_lines(tmp_path / "export.jsonl", [paid_invoice(1, (10, 2)).to_api()])
    done = run("report", str(source))
    assert done.returncode == 0, done.stderr
    assert "What remains to ship" in done.stdout
    assert "unfulfilled" in done.stdout


def test_report_gives_bad_records_with_position_and_path_and_exits_1(tmp_path: Path) -> None:
    """Bad lines are on stderr, by line number and payload path; the rest is reported."""
    good = paid_invoice(1, (10, 2)).to_api()
    bad_quantity = paid_invoice(2, (20, 1)).to_api()
    bad_quantity["line_items"][0]["quantity"] = 0
    source = tmp_path / "export.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                "",
                json.dumps(bad_quantity),
                json.dumps({"hello": "world"}),
                "[1, 2]",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 1
    assert [line["order_id"] for line in json_lines(done.stdout)] == [1]
    problems = done.stderr.splitlines()
    assert len(problems) == 4
    assert problems[0].startswith("export.jsonl:2: (record): not JSON")
    assert problems[1].startswith("export.jsonl:4: line_items[0].quantity: ")
    assert problems[2].startswith("export.jsonl:5: (record): expected an invoice")
    assert problems[3].startswith("export.jsonl:6: (record): got list")


def test_report_names_an_array_record_by_its_number(tmp_path: Path) -> None:
    """In a JSON array the position is the record number, 1-based."""
    bad = paid_invoice(3, (30, 1)).to_api()
    bad["total_amount"] = -1
    records = [paid_invoice(1, (10, 1)).to_api(), paid_invoice(2, (20, 1)).to_api(), bad]
    source = tmp_path / "export.json"
    source.write_text(json.dumps(records, indent=2), encoding="utf-8")
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 1
    assert done.stderr.startswith("export.json:3: total_amount: ")
    assert [line["order_id"] for line in json_lines(done.stdout)] == [1, 2]


def test_a_truncated_array_is_reported_after_its_last_whole_record(tmp_path: Path) -> None:
    """An array cut short keeps the records before the cut and reports the next one."""
    records = [paid_invoice(1, (10, 1)).to_api(), paid_invoice(2, (20, 1)).to_api()]
    text = json.dumps(records)
    source = tmp_path / "export.json"
    source.write_text(text[: len(text) - 20], encoding="utf-8")
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 1
    assert done.stderr.startswith("export.json:2: (record): not JSON")
    assert [line["order_id"] for line in json_lines(done.stdout)] == [1]


def test_a_fulfillment_compute_refuses_is_reported_and_left_out(tmp_path: Path) -> None:
    """Over-fulfilling or naming an unknown line: reported at its record, the rest counted."""
    records = [
        paid_invoice(1, (10, 2)).to_api(),
        *(
            Fulfillment(id=n, lines=(FulfillmentLine(line, quantity),)).to_api()
            for n, line, quantity in ((1, 10, 1), (2, 10, 5), (3, 99, 1))
        ),
    ]
    source = write_lines(tmp_path / "export.jsonl", records)
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 1
    problems = sorted(done.stderr.splitlines())
    assert problems[0].startswith("export.jsonl:3: included_invoices_line_items: left out")
    assert problems[1].startswith("export.jsonl:4: included_invoices_line_items: left out")
    assert json_lines(done.stdout) == [
        {
            "order_id": 1,
            "status": "partially_fulfilled",
            "remaining": [{"invoice_line_item_id": 10, "variant_id": 7, "quantity": 1}],
        }
    ]


def test_report_over_a_store_equals_report_over_the_export_ingested(tmp_path: Path) -> None:
    """``ingest`` then ``report DB`` says what ``report EXPORT`` says."""
    envelopes = many(25, rng(9))
    source = write_lines(tmp_path / "deliveries.jsonl", envelopes)
    database = tmp_path / "store.db"
    ingested = run("ingest", str(source), "--db", str(database))
    assert ingested.returncode == 0, ingested.stderr
    from_store = run("report", str(database), "--format", "json")
    from_export = run("report", str(source), "--format", "json")
    assert from_store.returncode == from_export.returncode == 0
    assert from_store.stdout == from_export.stdout
    assert json_lines(from_store.stdout)


def test_ingest_retries_a_restock_delivered_before_its_shipment(tmp_path: Path) -> None:
    """A refused delivery is tried again after the rest; the store then matches the export."""
    one = FulfillmentLine(invoice_line_item_id=10, quantity=1)
    envelopes = [
        envelope("r1", Restock(id=1, lines=(one,)), T0 + dt.timedelta(minutes=3)),
        envelope("i1", paid_invoice(1, (10, 2)), T0),
        envelope("f1", Fulfillment(id=1, lines=(one, one)), T0 + dt.timedelta(minutes=2)),
    ]
    source = write_lines(tmp_path / "deliveries.jsonl", envelopes)
    database = tmp_path / "store.db"
    ingested = run("ingest", str(source), "--db", str(database))
    assert ingested.returncode == 0, ingested.stderr
    assert ingested.stdout.startswith("3 applied")
    with SQLiteStore(database) as store:
        assert store.fulfilled_quantity(10) == 1
    from_store = run("report", str(database), "--format", "json")
    from_export = run("report", str(source), "--format", "json")
    assert from_store.stdout == from_export.stdout
    assert json_lines(from_store.stdout)[0]["remaining"][0]["quantity"] == 1


def test_a_restock_compute_refuses_is_reported_and_left_out(tmp_path: Path) -> None:
    """A restock releasing more than was shipped: reported at its record, the rest counted."""
    one = FulfillmentLine(invoice_line_item_id=10, quantity=1)
    envelopes = [
        envelope("i1", paid_invoice(1, (10, 2)), T0),
        envelope("f1", Fulfillment(id=1, lines=(one,)), T0),
        envelope("r1", Restock(id=1, lines=(one,)), T0),
        envelope("r2", Restock(id=2, lines=(one,)), T0),
    ]
    source = write_lines(tmp_path / "deliveries.jsonl", envelopes)
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 1
    assert done.stderr.startswith("deliveries.jsonl:4: included_invoices_line_items: left out")
    assert json_lines(done.stdout)[0]["remaining"][0]["quantity"] == 2


def test_the_progress_bar_stays_off_standard_error_when_it_is_not_a_terminal(
    tmp_path: Path,
) -> None:
    """Piped, standard error holds problems only; results alone are on standard output."""
    source = write_lines(tmp_path / "export.jsonl", [paid_invoice(1, (10, 2)).to_api()])
    done = run("report", str(source), "--format", "json")
    assert done.returncode == 0
    assert done.stderr == ""


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_the_progress_bar_is_drawn_when_standard_error_is_a_terminal(tmp_path: Path) -> None:
    """On a terminal, standard error shows the progress of the reading."""
    import pty  # noqa: PLC0415  because it is POSIX only

    source = write_lines(tmp_path / "export.jsonl", [paid_invoice(1, (10, 2)).to_api()])
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(  # noqa: S603  because the command is the test's own
            [
                sys.executable,
                "-m",
                "clickfunnels_orders",
                "report",
                str(source),
                "--format",
                "json",
            ],
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
            timeout=60,
            env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"reading export.jsonl" in drawn
    assert json.loads(done.stdout)["order_id"] == 1


# -- ingest ---------------------------------------------------------------------------------


def test_ingest_counts_applied_duplicate_and_stale_deliveries(tmp_path: Path) -> None:
    """Each delivery is applied to the store; the summary counts what happened."""
    invoice = paid_invoice(1, (10, 2))
    newer = envelope("e2", invoice, T0 + dt.timedelta(minutes=5))
    older = envelope("e1", invoice, T0)
    source = write_lines(tmp_path / "deliveries.jsonl", [newer, newer, older])
    database = tmp_path / "store.db"
    done = run("ingest", str(source), "--db", str(database))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1 applied, 1 duplicate, 1 stale, 0 ignored, 0 bad"
    with SQLiteStore(database) as store:
        assert store.get(Invoice, 1) == parse_webhook(body(newer)).data


def test_ingest_reports_a_bad_line_and_still_applies_the_rest(tmp_path: Path) -> None:
    """A line that is not an envelope, or that the store refuses, does not stop the rest."""
    invoice = paid_invoice(1, (10, 1))
    over = Fulfillment(id=1, lines=(FulfillmentLine(10, 3),))
    deliveries = [
        envelope("e1", invoice, T0),
        invoice.to_api(),
        envelope("e2", over, T0),
        envelope("e3", paid_invoice(2, (20, 1)), T0),
    ]
    database = tmp_path / "store.db"
    done = run("ingest", str(write_lines(tmp_path / "in.jsonl", deliveries)), "--db", str(database))
    assert done.returncode == 1
    assert done.stdout.strip() == "2 applied, 0 duplicate, 0 stale, 0 ignored, 2 bad"
    problems = done.stderr.splitlines()
    assert problems[0].startswith("in.jsonl:2: (record): expected a webhook envelope")
    assert problems[1].startswith("in.jsonl:3: data: refused by the store")
    with SQLiteStore(database) as store:
        assert store.get(Invoice, 2) is not None


# -- check, diagram, demo -------------------------------------------------------------------


def test_check_prints_one_line_per_bad_record_and_exits_1(tmp_path: Path) -> None:
    """``check`` lists the bad records on standard output, one a line."""
    bad = paid_invoice(2, (20, 1)).to_api()
    bad["currency"] = 5
    records = [paid_invoice(1, (10, 1)).to_api(), bad, {"data": None, "event_type": "x"}]
    done = run("check", str(write_lines(tmp_path / "x.jsonl", records)))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("x.jsonl:2: currency: ")
    assert lines[1].startswith("x.jsonl:3: event_id: ")
    assert "3 records, 2 bad" in done.stderr


def test_check_of_good_payloads_exits_0(tmp_path: Path) -> None:
    """Nothing wrong, nothing printed on standard output."""
    records = many(5, rng(1))
    done = run("check", str(write_lines(tmp_path / "x.jsonl", records)))
    assert done.returncode == 0, done.stdout
    assert done.stdout == ""


@pytest.mark.parametrize("name", ["Invoice", "order", "InvoiceLineItem", "fulfillment"])
def test_diagram_prints_the_mermaid_diagram_of_the_entity(name: str) -> None:
    """``diagram ENTITY`` prints exactly ``diagram(cls)`` (any letter case)."""
    from clickfunnels_orders.diagrams import DIAGRAM_CLASSES  # noqa: PLC0415  because only here

    cls = {n.lower(): c for n, c in DIAGRAM_CLASSES.items()}[name.lower()]
    done = run("diagram", name)
    assert done.returncode == 0
    assert done.stdout == diagram(cls)
    assert run("diagram", name, "--set-status").stdout == diagram(cls, set_status=True)


def test_diagram_of_an_unknown_entity_is_a_usage_error() -> None:
    """Only the four lifecycles can be drawn."""
    assert run("diagram", "Contact").returncode == 2


def test_demo_tours_a_book_and_ends_with_the_report() -> None:
    """The README's run command: payments, partial shipments, a cancellation, a report."""
    done = run("demo")
    assert done.returncode == 0, done.stderr
    assert "shipment 2 cancelled: order 3 unfulfilled" in done.stdout
    assert "What remains to ship" in done.stdout
    assert "partially_fulfilled" in done.stdout


# -- summary --------------------------------------------------------------------------------


def _order(order_id: int, *, live: bool = True) -> Order:
    line = OrderLineItem(id=order_id * 10, variant_id=7, quantity=1, amount="10.00")
    return Order(id=order_id, contact_id=9, currency="USD", line_items=(line,), live_mode=live)


def _charge(tid: int, order_id: int, amount: str, kind: str = "sale", currency: str = "USD") -> Any:
    return Transaction(
        id=tid,
        order_id=order_id,
        status="completed",
        external_type=kind,
        result="approved",
        amount=amount,
        currency=currency,
    )


def test_summary_json_of_an_export_is_analytics_summary_of_it(tmp_path: Path) -> None:
    """The JSON summary gives summary()'s totals per currency and what was left out."""
    records = [
        _order(1).to_api(),
        _order(2, live=False).to_api(),
        _charge(1, 1, "10.00").to_api(),
        _charge(2, 1, "2.50", "refund").to_api(),
        _charge(3, 1, "5.00", currency="EUR").to_api(),
        _charge(4, 2, "99.00").to_api(),
    ]
    done = run("summary", str(write_lines(tmp_path / "export.jsonl", records)), "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    by_currency = {row["currency"]: row for row in document["currencies"]}
    assert by_currency["USD"]["gross_sales"] == "10.00"
    assert (by_currency["USD"]["refunds"], by_currency["USD"]["net"]) == ("2.50", "7.50")
    assert by_currency["EUR"]["net"] == "5.00"
    assert document["orders_counted"] == 1
    assert sum(document["orders_left_out"].values()) == 1
    assert sum(document["transactions_left_out"].values()) == 1


def test_summary_reads_a_store_and_prints_a_table(tmp_path: Path) -> None:
    """From a store of delivered orders and transactions, the table shows each currency's net."""
    database = tmp_path / "store.db"
    deliveries = [
        envelope("o1", _order(1), T0),
        envelope("t1", _charge(1, 1, "12.00"), T0),
        envelope("t2", _charge(2, 1, "2.00", "refund"), T0),
    ]
    with SQLiteStore(database) as store:
        for item in deliveries:
            store.apply(parse_webhook(body(item)), received_at=T0)
    done = run("summary", str(database))
    assert done.returncode == 0, done.stderr
    assert "USD" in done.stdout
    assert "10.00" in done.stdout
    assert "1 orders counted" in done.stdout


def test_summary_reports_a_bad_record_and_exits_1(tmp_path: Path) -> None:
    """A record that is no API object is reported with its position; the exit status is 1."""
    records = [_charge(1, 1, "1.00").to_api(), {"nothing": "here"}]
    done = run("summary", str(write_lines(tmp_path / "export.jsonl", records)))
    assert done.returncode == 1
    assert "export.jsonl:2:" in done.stderr
    assert "its order is not among the orders given" in done.stdout
