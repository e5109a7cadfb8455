"""``clickfunnels_orders.dask.rollup`` on a real two-process ``distributed.LocalCluster``.

The fold is checked against ``rollup.compute`` over the same objects parsed in this
process. The cluster starts once for the module (a couple of seconds).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.bag
import distributed
import pytest

from clickfunnels_orders import (
    Fulfillment,
    FulfillmentLine,
    FulfillmentStatus,
    Invoice,
    InvoiceStatus,
    OverFulfilledLineError,
    OverReleaseError,
    PayloadError,
    Restock,
    RestockStatus,
)
from clickfunnels_orders.dask import kind_of_payload, partial_of_payloads, rollup
from clickfunnels_orders.rollup import combine, compute
from test_rollup_books import invoice, line, shipment


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    """Yield a client of a local cluster of two single-threaded worker processes."""
    cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]  # unannotated in distributed
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    )
    with cluster, distributed.Client(cluster) as connected:  # type: ignore[no-untyped-call]  # ditto
        yield connected


def book_payloads(seed: int = 7) -> list[dict[str, Any]]:
    """Return the payloads of 60 invoices, their fulfillments and restocks, shuffled together.

    Some fulfillments ship lines of several invoices, some are cancelled or restocked,
    and some invoices are unpaid, so the partitions hold lines of each other's invoices.
    Fulfillments carry their ``fulfillment_number``, as the API writes it; restocks of
    what some counted fulfillments shipped come in their webhook envelopes.
    """
    rng = random.Random(seed)  # noqa: S311  because the book only needs to be varied
    invoices = [
        invoice(
            n,
            n // 4,
            *(line(n * 10 + k, n, rng.randint(1, 3)) for k in range(3)),
            status=InvoiceStatus.UNPAID if n % 7 == 0 else InvoiceStatus.PAID,
        )
        for n in range(1, 61)
    ]
    statuses = [FulfillmentStatus.FULFILLED] * 3 + [
        FulfillmentStatus.CANCELLED,
        FulfillmentStatus.RESTOCKED,
    ]
    fulfillments = [
        shipment(n, (n * 10, 1), ((n % 60 + 1) * 10 + 1, 1), status=statuses[n % 5])
        for n in range(1, 61)
    ]
    restocks = [
        restock(
            n, (n * 10, 1), status=RestockStatus.CANCELLED if n % 4 else RestockStatus.RESTOCKED
        )
        for n in range(1, 61)
        if statuses[n % 5] is FulfillmentStatus.FULFILLED
    ]
    payloads = [inv.to_api() for inv in invoices]
    payloads += [ful.to_api() | {"fulfillment_number": ful.id} for ful in fulfillments]
    payloads += [in_envelope(one) for one in restocks]
    rng.shuffle(payloads)
    return payloads


def restock(
    restock_id: int, *lines: tuple[int, int], status: RestockStatus = RestockStatus.RESTOCKED
) -> Restock:
    """Return a restock releasing ``(line item id, quantity)`` pairs."""
    return Restock(
        id=restock_id,
        lines=tuple(FulfillmentLine(key, quantity) for key, quantity in lines),
        status=status,
    )


def in_envelope(one: Restock) -> dict[str, Any]:
    """Return a restock's payload in the webhook envelope that names its kind."""
    return {
        "event_id": f"restock-{one.id}",
        "event_type": "orders/invoices/restock.created",
        "subject_type": "Orders::Invoices::Restock",
        "data": one.to_api(),
    }


def parsed(
    payloads: list[dict[str, Any]],
) -> tuple[list[Invoice], list[Fulfillment | Restock]]:
    """Return the entities of ``payloads`` parsed in this process."""
    invoices = [Invoice.from_api(p) for p in payloads if "line_items" in p]
    fulfillments: list[Fulfillment | Restock] = [
        Fulfillment.from_api(p) for p in payloads if "included_invoices_line_items" in p
    ]
    fulfillments += [Restock.from_api(p["data"]) for p in payloads if "subject_type" in p]
    return invoices, fulfillments


def test_the_dask_fold_equals_compute_over_the_same_objects(client: distributed.Client) -> None:
    """Payloads spread over eight partitions fold into the rollup compute gives."""
    payloads = book_payloads()
    bag = dask.bag.from_sequence(payloads, npartitions=8)  # type: ignore[no-untyped-call]  # unannotated in dask
    result = rollup(bag, split_every=3)
    assert result == compute(*parsed(payloads))
    assert result.rows()


def test_the_dask_fold_reads_json_lines_shards(client: distributed.Client, tmp_path: Path) -> None:
    """``read_text(...).map(json.loads)`` over JSON Lines files is the bag it folds."""
    payloads = book_payloads(seed=11)
    for index in range(3):
        lines = [json.dumps(p) for p in payloads[index::3]]
        (tmp_path / f"shard-{index}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    files = str(tmp_path / "*.jsonl")
    bag = dask.bag.read_text(files).map(json.loads)  # type: ignore[no-untyped-call]  # unannotated in dask
    assert rollup(bag) == compute(*parsed(payloads))


def test_the_dask_fold_refuses_what_compute_refuses(client: distributed.Client) -> None:
    """Two partitions that together over-fulfill a line raise the library's error."""
    payloads = [
        invoice(1, "A", line(11, 1, 2)).to_api(),
        shipment(1, (11, 2)).to_api(),
        shipment(2, (11, 1)).to_api(),
    ]
    bag = dask.bag.from_sequence(payloads, npartitions=3)  # type: ignore[no-untyped-call]  # unannotated in dask
    with pytest.raises(OverFulfilledLineError):
        rollup(bag)


def test_a_partition_parses_invoices_and_fulfillments_by_their_keys() -> None:
    """Invoices are told by line_items and total_amount, fulfillments by their lines."""
    payloads = book_payloads()
    assert combine([partial_of_payloads(payloads)]) == compute(*parsed(payloads))


def test_the_fold_releases_restocks_of_any_partition(client: distributed.Client) -> None:
    """Restocks in their envelopes fold in wherever they are, as compute releases them."""
    payloads = book_payloads(seed=3)
    invoices, entities = parsed(payloads)
    assert any(isinstance(one, Restock) and one.counts for one in entities)
    bag = dask.bag.from_sequence(payloads, npartitions=5)  # type: ignore[no-untyped-call]  # unannotated in dask
    result = rollup(bag)
    assert result == compute(invoices, entities)
    assert result != compute(invoices, [one for one in entities if isinstance(one, Fulfillment)])


def test_the_fold_refuses_a_restock_of_more_than_was_shipped(client: distributed.Client) -> None:
    """Releasing more than any partition shipped raises the library's OverReleaseError."""
    payloads = [
        invoice(1, "A", line(11, 1, 2)).to_api(),
        shipment(1, (11, 1)).to_api(),
        in_envelope(restock(1, (11, 1))),
        in_envelope(restock(2, (11, 1))),
    ]
    bag = dask.bag.from_sequence(payloads, npartitions=4)  # type: ignore[no-untyped-call]  # unannotated in dask
    with pytest.raises(OverReleaseError):
        rollup(bag)


def test_how_a_payload_is_told_a_fulfillment_or_a_restock() -> None:
    """Fulfilled or with a fulfillment's own field: a fulfillment; an envelope names a restock."""
    restocked = shipment(1, (11, 1), status=FulfillmentStatus.RESTOCKED).to_api()
    assert kind_of_payload(shipment(1, (11, 1)).to_api())[0] is Fulfillment
    assert kind_of_payload(restocked | {"contact_id": 7})[0] is Fulfillment
    with_line_parent = restocked | {
        "included_invoices_line_items": [
            {"quantity": 1, "invoices_line_item_id": 11, "fulfillment_id": 1}
        ]
    }
    assert kind_of_payload(with_line_parent)[0] is Fulfillment
    wrapped = in_envelope(restock(3, (11, 1)))
    assert kind_of_payload(wrapped) == (Restock, wrapped["data"])
    assert kind_of_payload(invoice(1, "A", line(11, 1)).to_api())[0] is Invoice


def test_a_payload_that_may_be_a_fulfillment_or_a_restock_is_refused() -> None:
    """A bare restocked or cancelled object with lines and no fulfillment field is ambiguous."""
    for status in ("restocked", "cancelled"):
        bare = restock(3, (11, 1)).to_api() | {"status": status}
        with pytest.raises(PayloadError, match="fulfillment or a restock"):
            partial_of_payloads([bare])
    with pytest.raises(PayloadError, match="subject_type"):
        kind_of_payload({"subject_type": "Contact", "data": {}})


def test_a_payload_that_is_neither_is_refused_naming_what_was_expected() -> None:
    """A dict of another kind raises PayloadError saying which keys tell the kinds apart."""
    with pytest.raises(PayloadError, match="included_invoices_line_items"):
        partial_of_payloads([{"id": 1, "name": "a contact"}])
    with pytest.raises(PayloadError):
        partial_of_payloads(["not a dict"])  # type: ignore[list-item]  # the point of the test
