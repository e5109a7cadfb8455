"""The commands of ``clickfunnels-orders``: report, summary, ingest, serve, check, diagram, demo.

Built with click (parsing, help, usage errors with exit status 2) and rich (tables and
the progress bar, which shows on standard error only when it is a terminal). Results go
to standard output, problems to standard error; the exit status is 0 on success, 1 when
the data holds errors and 2 for a usage error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import click
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from clickfunnels_orders.analytics import Summary, summary
from clickfunnels_orders.cli import _demo, _serve
from clickfunnels_orders.cli._report import FORMATS, compute_book, order_reports, write
from clickfunnels_orders.cli._sources import Book, Problem, Record, is_store, read_records, to_event
from clickfunnels_orders.diagrams import DIAGRAM_CLASSES, diagram
from clickfunnels_orders.entities import Order, Transaction
from clickfunnels_orders.errors import OrdersError
from clickfunnels_orders.replica import ApplyOutcome
from clickfunnels_orders.store import SQLiteStore
from clickfunnels_orders.webhooks import WebhookEvent

__all__ = ["main"]

#: Exit statuses: success, errors in the data, usage errors (click's own).
OK: Final = 0
DATA_ERRORS: Final = 1
USAGE: Final = 2

_SOURCE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


@contextlib.contextmanager
def _progress(path: Path, description: str) -> Iterator[Callable[[int], None]]:
    """Yield an ``advance(bytes)`` callback drawing a progress bar on a terminal's stderr."""
    console = _stderr()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=path.stat().st_size)
        yield lambda done: progress.advance(task, done)


def _report_problems(source: Path, problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(problem.describe(source.name), err=True)


def _events(
    source: Path, problems: list[Problem], description: str
) -> Iterator[tuple[Record, object]]:
    """Yield each readable record of ``source`` with its event; collect the problems."""
    with _progress(source, description) as advance, source.open("rb") as stream:
        for item in read_records(stream, advance=advance):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            event = to_event(item)
            if isinstance(event, Problem):
                problems.append(event)
            else:
                yield item, event


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clickfunnels-orders")
def main() -> None:
    """ClickFunnels 2.0 orders, invoices and fulfillments from the command line.

    Exit status: 0 on success, 1 when the data holds errors, 2 for a usage error.
    """


@main.command()
@click.argument("source", type=_SOURCE)
@click.option(
    "--format",
    "kind",
    type=click.Choice(sorted(FORMATS)),
    default="table",
    show_default=True,
    help="table (for people), json (JSON Lines, one order a line) or csv.",
)
def report(source: Path, kind: str) -> None:
    """What remains to ship, per order, from a store or an export.

    SOURCE is a store database, or an export: a JSON array or JSON Lines of invoices and
    fulfillments (API objects) or webhook envelopes, mixed in any order. Of several
    versions of one entity, the one the webhook replica's rules keep is used. Bad
    records are reported on standard error with their position and payload path.
    """
    problems: list[Problem] = []
    if is_store(source):
        with SQLiteStore(source) as store:
            result = store.snapshot()
    else:
        book = Book()
        for record, event in _events(source, problems, f"reading {source.name}"):
            book.add(record.position, event)  # type: ignore[arg-type]  # to_event gives events
        result = compute_book(book, problems)
    write(kind, order_reports(result), sys.stdout, Console(highlight=False))
    _report_problems(source, problems)
    sys.exit(DATA_ERRORS if problems else OK)


def _write_summary(result: Summary, kind: str) -> None:
    if kind == "json":
        rows = [
            {
                "currency": one.currency,
                "gross_sales": str(one.gross_sales),
                "refunds": str(one.refunds),
                "net": str(one.net),
                "sales": one.sales,
                "refund_count": one.refund_count,
            }
            for one in result.currencies.values()
        ]
        document = {
            "currencies": rows,
            "orders_counted": result.orders_counted,
            "orders_left_out": dict(result.orders_left_out),
            "transactions_left_out": dict(result.transactions_left_out),
        }
        click.echo(json.dumps(document))
        return
    console = Console(highlight=False)
    table = Table("currency", "gross sales", "refunds", "net", "sales", "refunds counted")
    for one in result.currencies.values():
        table.add_row(
            one.currency,
            str(one.gross_sales),
            str(one.refunds),
            str(one.net),
            str(one.sales),
            str(one.refund_count),
        )
    console.print(table)
    console.print(f"{result.orders_counted} orders counted")
    for reason, count in {**result.orders_left_out, **result.transactions_left_out}.items():
        console.print(f"left out: {count} ({reason})")


@main.command(name="summary")
@click.argument("source", type=_SOURCE)
@click.option(
    "--format",
    "kind",
    type=click.Choice(["json", "table"]),
    default="table",
    show_default=True,
    help="table (for people) or json (one object; amounts as decimal strings).",
)
def summary_command(source: Path, kind: str) -> None:
    """Gross sales, refunds and net per currency, from a store or an export.

    Counts the approved transactions of live, managed orders (test-mode and external
    orders are left out, and said why). SOURCE is a store database, or an export of
    orders and transactions (API objects) or webhook envelopes, in any order.
    """
    problems: list[Problem] = []
    if is_store(source):
        with SQLiteStore(source) as store:
            orders = [store.get(Order, oid) for oid in store.ids(Order)]
            transactions = [store.get(Transaction, tid) for tid in store.ids(Transaction)]
        result = summary([o for o in orders if o], [t for t in transactions if t])
    else:
        book = Book()
        for record, event in _events(source, problems, f"reading {source.name}"):
            book.add(record.position, event)  # type: ignore[arg-type]  # to_event gives events
        result = summary(book.orders, book.transactions)
    _write_summary(result, kind)
    _report_problems(source, problems)
    sys.exit(DATA_ERRORS if problems else OK)


@main.command()
@click.argument("source", type=_SOURCE)
@click.option(
    "--db",
    "database",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store's SQLite file (created if missing).",
)
def ingest(source: Path, database: Path) -> None:
    """Apply a file of webhook deliveries (JSON Lines of envelopes) to a store.

    Prints how many were applied, duplicate, stale and ignored. A bad line is reported
    on standard error; the rest are still applied. A delivery the store refuses is
    retried after the rest, as ClickFunnels retries it (a restock may come before the
    shipment it releases), until a round of retries applies nothing; what is still
    refused then is reported.
    """
    problems: list[Problem] = []
    counts: Counter[str] = Counter()
    refused: list[tuple[int, WebhookEvent, OrdersError]] = []
    with SQLiteStore(database) as store:
        for record, event in _events(source, problems, f"ingesting {source.name}"):
            if not record.value.keys() & {"event_type", "event_type_id"}:
                problems.append(Problem(record.position, "", "expected a webhook envelope"))
                continue
            try:
                result = store.apply(event, received_at=dt.datetime.now(dt.UTC))  # type: ignore[arg-type]  # to_event gives events
            except OrdersError as error:
                refused.append((record.position, event, error))  # type: ignore[arg-type]  # ditto
                continue
            counts[result.outcome] += 1
        while refused:
            waiting, refused = refused, []
            for position, event, _ in waiting:
                try:
                    result = store.apply(event, received_at=dt.datetime.now(dt.UTC))
                except OrdersError as error:
                    refused.append((position, event, error))
                    continue
                counts[result.outcome] += 1
            if len(refused) == len(waiting):
                break
    problems += [
        Problem(position, "data", f"refused by the store: {error}")
        for position, _, error in refused
    ]
    summary = ", ".join(f"{counts[outcome]} {outcome}" for outcome in ApplyOutcome)
    click.echo(f"{summary}, {len(problems)} bad")
    _report_problems(source, problems)
    sys.exit(DATA_ERRORS if problems else OK)


@main.command()
@click.option(
    "--db",
    "database",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The store's SQLite file (created if missing).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(database: Path, host: str, port: int) -> None:
    """Serve the webhook endpoint: verify, parse and apply each delivery to a store.

    The signing secret is read from CLICKFUNNELS_WEBHOOK_SECRET; the server refuses to
    start without it. SIGTERM (or Ctrl-C) stops it cleanly.
    """
    secret = _serve.secret_from_environment()
    if not secret:
        click.echo(f"error: set {_serve.SECRET_VARIABLE} to the endpoint's secret", err=True)
        sys.exit(USAGE)
    _serve.serve(database, host=host, port=port, secret=secret)


@main.command()
@click.argument("file", type=_SOURCE)
def check(file: Path) -> None:
    """Validate the payloads of an export; print one line per bad record."""
    problems: list[Problem] = []
    count = sum(1 for _ in _events(file, problems, f"checking {file.name}"))
    for problem in problems:
        click.echo(problem.describe(file.name))
    click.echo(f"{count + len(problems)} records, {len(problems)} bad", err=True)
    sys.exit(DATA_ERRORS if problems else OK)


@main.command(name="diagram")
@click.argument(
    "entity", type=click.Choice(sorted(DIAGRAM_CLASSES), case_sensitive=False), metavar="ENTITY"
)
@click.option("--set-status", is_flag=True, help="Also draw the external set_status edges.")
def diagram_command(entity: str, set_status: bool) -> None:
    """Print the Mermaid state diagram of ENTITY, one of the lifecycles (Order, Invoice, ...)."""
    names = {name.lower(): cls for name, cls in DIAGRAM_CLASSES.items()}
    click.echo(diagram(names[entity.lower()], set_status=set_status), nl=False)


@main.command()
def demo() -> None:
    """The end-to-end tour: orders paid, shipped in parts, a shipment cancelled, a report."""
    _demo.run(Console(highlight=False))
