"""What remains to ship, per order: computed from a rollup, written as a table, JSON or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Hashable, Iterable
from typing import IO, Any

import attrs
from rich.console import Console
from rich.table import Table

from clickfunnels_orders import rollup
from clickfunnels_orders.cli._sources import Book, Problem
from clickfunnels_orders.entities import Fulfillment, Invoice, Restock
from clickfunnels_orders.errors import OverFulfillmentError, OverReleaseError, UnknownLineItemError
from clickfunnels_orders.statuses import OrderFulfillmentStatus

__all__ = ["FORMATS", "OrderReport", "Remaining", "compute_book", "order_reports", "write"]


@attrs.frozen
class Remaining:
    """One line still to ship: its invoice line item, variant and quantity left."""

    invoice_line_item_id: Hashable
    variant_id: Hashable
    quantity: int


@attrs.frozen
class OrderReport:
    """One order with a required line: its fulfillment status and what remains."""

    order_id: Hashable
    status: OrderFulfillmentStatus
    remaining: tuple[Remaining, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the JSON Lines object of API.md section 12."""
        return {
            "order_id": self.order_id,
            "status": str(self.status),
            "remaining": [attrs.asdict(line) for line in self.remaining],
        }


def id_order(value: Hashable) -> tuple[str, Any]:
    """Sort key for ids: ints in numeric order, then strings, then anything else by text."""
    if isinstance(value, int | str):
        return (type(value).__name__, value)
    return ("~", repr(value))


def compute_book(book: Book, problems: list[Problem]) -> rollup.FulfillmentRollup:
    """Return ``rollup.compute`` over the book, leaving out fulfillments and restocks it refuses.

    A fulfillment that names an unknown line item or over-fulfills one is reported (at
    the position of its record) and left out; the rest are computed again without it.
    Then restocks: when ``compute`` refuses them together, each is tried in turn after
    the ones kept, and one that releases more than is shipped, or names an unknown line
    item, is reported and left out.
    """
    invoices = book.invoices
    fulfillments = _without_refused_fulfillments(book, invoices, book.fulfillments, problems)
    restocks = book.restocks
    try:
        return rollup.compute(invoices, [*fulfillments, *restocks])
    except (UnknownLineItemError, OverFulfillmentError, OverReleaseError):
        pass
    kept: list[Restock] = []
    for restock in restocks:
        try:
            rollup.compute(invoices, [*fulfillments, *kept, restock])
        except (UnknownLineItemError, OverFulfillmentError, OverReleaseError) as error:
            problems.append(
                Problem(
                    book.position_of("Restock", restock.id),
                    "included_invoices_line_items",
                    f"left out of the report: {error}",
                )
            )
        else:
            kept.append(restock)
    return rollup.compute(invoices, [*fulfillments, *kept])


def _without_refused_fulfillments(
    book: Book, invoices: list[Invoice], fulfillments: list[Fulfillment], problems: list[Problem]
) -> list[Fulfillment]:
    while True:
        try:
            rollup.compute(invoices, fulfillments)
        except (UnknownLineItemError, OverFulfillmentError) as error:
            refused = error.fulfillment_id
            if refused is None:  # pragma: no cover  # compute always names the fulfillment
                raise
            problems.append(
                Problem(
                    book.position_of("Fulfillment", refused),
                    "included_invoices_line_items",
                    f"left out of the report: {error}",
                )
            )
            fulfillments = [f for f in fulfillments if f.id != refused]
        else:
            return fulfillments


def order_reports(result: rollup.FulfillmentRollup) -> list[OrderReport]:
    """Return one report per order with a required line, in ascending order id.

    Read off the rollup's own records (``rows()``, ``order_ids``, ``order_status``), so the
    report says what the rollup's queries say.
    """
    left: dict[Hashable, list[Remaining]] = {}
    for row in result.rows():
        if row["remaining"]:
            left.setdefault(row["order_id"], []).append(
                Remaining(row["invoice_line_item_id"], row["variant_id"], row["remaining"])
            )
    reports = []
    for order_id in sorted(result.order_ids, key=id_order):
        status = result.order_status(order_id)
        if status is not OrderFulfillmentStatus.NOT_APPLICABLE:
            reports.append(OrderReport(order_id, status, tuple(left.get(order_id, ()))))
    return reports


def _json(reports: Iterable[OrderReport], out: IO[str], _console: Console) -> None:
    for report in reports:
        out.write(json.dumps(report.to_json()) + "\n")


_CSV_HEADER = ("order_id", "status", "invoice_line_item_id", "variant_id", "quantity")


def _flat(reports: Iterable[OrderReport]) -> Iterable[tuple[object, ...]]:
    """One row per line still to ship; an order with nothing left has one row without a line."""
    for report in reports:
        if not report.remaining:
            yield (report.order_id, str(report.status), "", "", 0)
        for line in report.remaining:
            yield (
                report.order_id,
                str(report.status),
                line.invoice_line_item_id,
                line.variant_id,
                line.quantity,
            )


def _csv(reports: Iterable[OrderReport], out: IO[str], _console: Console) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_HEADER)
    writer.writerows(_flat(reports))


def _table(reports: Iterable[OrderReport], _out: IO[str], console: Console) -> None:
    table = Table(title="What remains to ship")
    for name in ("order", "status", "line item", "variant"):
        table.add_column(name)
    table.add_column("to ship", justify="right")
    for row in _flat(reports):
        table.add_row(*(str(cell) for cell in row))
    console.print(table)


#: The report's formats, each a writer ``(reports, out, console)``.
FORMATS: dict[str, Callable[[Iterable[OrderReport], IO[str], Console], None]] = {
    "table": _table,
    "json": _json,
    "csv": _csv,
}


def write(kind: str, reports: Iterable[OrderReport], out: IO[str], console: Console) -> None:
    """Write ``reports`` to ``out`` (or, for a table, through ``console``) as ``kind``."""
    FORMATS[kind](reports, out, console)
