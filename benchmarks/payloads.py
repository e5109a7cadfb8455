"""What does reading and writing the API's JSON cost, against a pydantic model of it?

A plain program; prints ratios measured in one run, never fails. Compares the payload
layer with pydantic v2 models of the same fields that keep unknown keys
(``extra="allow"``), as a user would write them, on the published invoice payload
(``tests/fixtures/clickfunnels/orders_invoice_example.json``: one line) and on the same
invoice with fifty lines:

* ``parse_webhook`` of a delivery's body (bytes) against
  ``EnvelopeModel.model_validate_json`` of the same bytes;
* ``Invoice.from_api(json.loads(text))`` against ``InvoiceModel.model_validate_json(text)``
  (text to object both ways: the decoding is timed with ours);
* ``invoice.to_api()`` against ``model.model_dump(mode="json")``;
* where ``from_api``'s time goes: three parts any reader of this design must do, each
  timed alone against the same pydantic figure (decoding the text; copying and checking
  the JSON the entities carry, exactly what they carry; building the entities from
  values read already), so what is left is the reading itself;
* the memory an invoice read by ``from_api`` retains (``tracemalloc``, once its input
  dicts are dropped) against the memory of the decoded dict itself; the pydantic model's
  figure is printed for information.

Before timing, it checks that the payload layer is lossless on both payloads
(``Invoice.from_api(payload).to_api() == payload``) and that a parsed delivery's data
writes back to JSON.

Targets: each time at most 2x pydantic's; memory at most 1.1x the decoded dict. Timings
are best-of-N with the garbage collector paused, cases timed in turns, so the ratios hold
on a shared, noisy machine.

Run: ``python benchmarks/payloads.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import gc
import json
import timeit
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from pydantic import BaseModel, ConfigDict

from clickfunnels_orders import Invoice, InvoiceLineItem, WebhookEventType, parse_webhook
from clickfunnels_orders._json import freeze_json

#: The published invoice payload, read from the clone the benchmark runs from.
FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests"
    / "fixtures"
    / "clickfunnels"
    / "orders_invoice_example.json"
)
#: The lines of the large invoice.
LINES = 50


class VariantModel(BaseModel):
    """A line's ``products_variant``, unknown keys kept."""

    model_config = ConfigDict(extra="allow")

    id: int
    fulfillment_required: bool | None


class LineModel(BaseModel):
    """An invoice line, unknown keys kept."""

    model_config = ConfigDict(extra="allow")

    id: int
    invoice_id: int
    payment_type: str | None
    quantity: int
    fulfillment_status: str | None
    amount: Decimal
    products_variant: VariantModel


class InvoiceModel(BaseModel):
    """An invoice with the fields the library reads, unknown keys kept."""

    model_config = ConfigDict(extra="allow")

    id: int
    order_id: int
    status: str
    due_amount: Decimal | None
    total_amount: Decimal
    currency: str
    issued_at: dt.datetime | None
    due_at: dt.datetime | None
    paid_at: dt.datetime | None
    payment_processor: str | None
    line_items: list[LineModel]


class EnvelopeModel(BaseModel):
    """A webhook delivery carrying an invoice, unknown keys kept."""

    model_config = ConfigDict(extra="allow")

    event_id: str
    event_type: str
    subject_type: str
    subject_id: int
    created_at: dt.datetime
    page_id: int | None
    funnel_id: int | None
    data: InvoiceModel


def _payloads() -> tuple[dict[str, Any], dict[str, Any]]:
    """The fixture as it is (one line) and the same invoice with ``LINES`` lines."""
    small: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    large = copy.deepcopy(small)
    (line,) = small["line_items"]
    large["line_items"] = [
        {**copy.deepcopy(line), "id": line["id"] + index, "invoice_id": small["id"]}
        for index in range(LINES)
    ]
    # Decimal keeps the fixture's two places: "9.99" x 50 is "499.50".
    large["total_amount"] = str(Decimal(line["amount"]) * LINES)
    if large.get("due_amount") is not None:
        large["due_amount"] = str(Decimal(small["due_amount"]) * LINES)
    return small, large


def _body(invoice: dict[str, Any]) -> bytes:
    """A delivery of ``invoice`` (envelope shape (a)), as the bytes of the request body."""
    envelope = {
        "event_id": "3f1c9a52-7d2e-4b8a-9c61-0e5d4f7a2b13",
        "event_type": WebhookEventType.INVOICE_PAID.value,
        "subject_type": "Orders::Invoice",
        "subject_id": invoice["id"],
        "created_at": "2025-05-14T14:47:56.618Z",
        "page_id": 10,
        "funnel_id": 2,
        "data": invoice,
    }
    return json.dumps(envelope).encode("utf-8")


def _best(funcs: tuple[tuple[Callable[[], object], int], ...], repeat: int) -> tuple[float, ...]:
    """Best time per call of each ``(func, number)``, in seconds, timed in turns."""
    best = [float("inf")] * len(funcs)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for index, (func, number) in enumerate(funcs):
                seconds = timeit.timeit(func, number=number) / number
                best[index] = min(best[index], seconds)
    finally:
        if enabled:
            gc.enable()
    return tuple(best)


def _retained(decode: Callable[[], object], read: Callable[[Any], object], count: int) -> int:
    """Bytes still held by ``count`` results of ``read``, each of its own decoded input.

    The inputs are decoded first; once read, they are dropped, so what counts is all the
    results keep alive: their own allocations and any part of their input they hold.
    """
    gc.collect()
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        inputs = [decode() for _ in range(count)]
        results = [read(item) for item in inputs]
        del inputs
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del results
    return held - start


def _keep(item: object) -> object:
    """The decoded dict itself: the baseline of the memory case."""
    return item


def _measure(payload: dict[str, Any], number: int, repeat: int, count: int) -> list[str]:
    """Time and measure the four cases on ``payload``; return the report's lines."""
    text = json.dumps(payload)
    body = _body(payload)
    label = f"{len(payload['line_items'])} line" + ("s" if len(payload["line_items"]) > 1 else "")

    invoice = Invoice.from_api(payload)
    model = InvoiceModel.model_validate_json(text)
    assert invoice.to_api() == payload  # noqa: S101  because a wrong benchmark is worse than none
    event = parse_webhook(body)
    assert isinstance(event.data, Invoice)  # noqa: S101  ditto
    assert json.loads(json.dumps(event.data.to_api())) == payload  # noqa: S101  ditto
    envelope = EnvelopeModel.model_validate_json(body)
    assert envelope.data.total_amount == event.data.total_amount == model.total_amount  # noqa: S101  ditto
    assert len(model.line_items) == len(invoice.line_items) == len(payload["line_items"])  # noqa: S101  ditto

    def ours_webhook() -> object:
        return parse_webhook(body)

    def theirs_webhook() -> object:
        return EnvelopeModel.model_validate_json(body)

    def ours_read() -> object:
        return Invoice.from_api(json.loads(text))

    def theirs_read() -> object:
        return InvoiceModel.model_validate_json(text)

    def ours_write() -> object:
        return invoice.to_api()

    def theirs_write() -> object:
        return model.model_dump(mode="json")

    times = _best(
        (
            (ours_webhook, number),
            (theirs_webhook, number),
            (ours_read, number),
            (theirs_read, number),
            (ours_write, number),
            (theirs_write, number),
        ),
        repeat,
    )
    names = (f"parse_webhook, {label}", f"Invoice.from_api, {label}", f"invoice.to_api, {label}")
    lines = [
        f"  {name:26} ours {ours * 1e6:9.2f} us / pydantic {theirs * 1e6:9.2f} us "
        f"= {ours / theirs:5.2f}x (target <= 2x)"
        for name, ours, theirs in zip(names, times[::2], times[1::2], strict=True)
    ]

    lines.insert(2, _floor(invoice, text, times[3], number, repeat))  # under from_api's

    def decode() -> object:
        return json.loads(text)

    floor = _retained(decode, _keep, count)
    entity = _retained(decode, Invoice.from_api, count)
    pydantic = _retained(decode, InvoiceModel.model_validate, count)
    lines.append(
        f"  {'memory, ' + label:26} entity {entity / count:9.0f} B / decoded dict "
        f"{floor / count:9.0f} B = {entity / floor:5.2f}x (target <= 1.1x)"
    )
    lines.append(
        f"  {'':26} pydantic {pydantic / count:7.0f} B / decoded dict "
        f"{floor / count:9.0f} B = {pydantic / floor:5.2f}x (for information)"
    )
    return lines


def _init_kwargs(entity: attrs.AttrsInstance) -> dict[str, Any]:
    """The arguments that build ``entity`` again, taken from its fields."""
    return {f.name: getattr(entity, f.name) for f in attrs.fields(type(entity)) if f.init}


def _floor(invoice: Invoice, text: str, theirs: float, number: int, repeat: int) -> str:
    """The parts of ``from_api`` no reader of this design avoids, each against pydantic.

    Decoding the text; the copy and check of every value the entities carry (their
    ``extra``, as plain dicts: exactly what ``from_api`` copies and checks); building the
    entities from values read already (their validators and invariants).
    """
    carried = [dict(invoice.extra.items())]
    carried.extend(dict(line.extra.items()) for line in invoice.line_items)
    line_kwargs = [_init_kwargs(line) for line in invoice.line_items]
    invoice_kwargs = _init_kwargs(invoice)

    def decode() -> object:
        return json.loads(text)

    def check_carried() -> object:
        return [freeze_json(fields) for fields in carried]

    def build() -> object:
        built = [InvoiceLineItem(**kwargs) for kwargs in line_kwargs]
        return Invoice(**invoice_kwargs), built

    parts = _best(((decode, number), (check_carried, number), (build, number)), repeat)
    shares = [part / theirs for part in parts]
    return (
        f"  {'':26} of which decode {shares[0]:.2f}x + carried JSON {shares[1]:.2f}x"
        f" + entities {shares[2]:.2f}x = {sum(shares):.2f}x (the rest is reading)"
    )


def main() -> None:
    """Measure every case on both payloads and print their ratios against pydantic's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    options = parser.parse_args()
    number, repeat, count = (20, 3, 20) if options.quick else (1_000, 9, 200)

    small, large = _payloads()
    report = [
        *_measure(small, number, repeat, count),
        *_measure(large, max(1, number // LINES * 2), repeat, count),
    ]
    print("payloads benchmark (best of", repeat, "runs, GC paused, cases in turns)")
    for line in report:
        print(line)


if __name__ == "__main__":
    main()
