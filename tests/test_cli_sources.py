"""Reading exports record by record: arrays and JSON Lines, cut into chunks anywhere."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickfunnels_orders.cli import _sources
from clickfunnels_orders.cli._sources import Problem, Record, read_records

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
RECORDS = st.lists(st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=4), max_size=6)


def read(text: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> list[Record | Problem]:
    """Read ``text`` with the reader's chunks made ``chunk`` bytes long."""
    monkeypatch.setattr(_sources, "_CHUNK", chunk)
    return list(read_records(io.BytesIO(text.encode("utf-8"))))


@given(
    records=RECORDS, chunk=st.integers(min_value=1, max_value=40), indent=st.sampled_from([None, 2])
)
def test_an_array_reads_back_whatever_the_chunk_size(
    records: list[dict[str, Any]], chunk: int, indent: int | None
) -> None:
    """Records straddling chunk boundaries are decoded whole, numbered from 1."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        got = read(json.dumps(records, indent=indent), chunk, monkeypatch)
    assert got == [Record(n, value) for n, value in enumerate(records, start=1)]


@given(records=RECORDS, chunk=st.integers(min_value=1, max_value=40))
def test_json_lines_read_back_whatever_the_chunk_size(
    records: list[dict[str, Any]], chunk: int
) -> None:
    """Each line is one record, numbered by its line; blank lines count but yield nothing."""
    text = "\n\n".join(json.dumps(r) for r in records)
    with pytest.MonkeyPatch.context() as monkeypatch:
        got = read(text, chunk, monkeypatch)
    assert got == [Record(2 * n + 1, value) for n, value in enumerate(records)]


def test_numbers_are_exact_decimals_even_across_a_chunk_boundary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A number cut by a chunk boundary is read whole, as an exact ``Decimal``."""
    got = read('[{"a": 12345.678901234567890}, 1234567]', 5, monkeypatch)
    assert got == [Record(1, {"a": Decimal("12345.678901234567890")}), Record(2, 1234567)]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[{"a": 1}] x', Problem(2, "", "unexpected text after the closing ']'")),
        ('[{"a": 1} {"b": 2}]', Problem(2, "", "expected ',' or ']' between records")),
        ('[{"a": 1},', Problem(2, "", "the array is not closed: expected ']'")),
        ("[", Problem(1, "", "the array is not closed: expected ']'")),
    ],
    ids=["text after", "no comma", "unclosed after a comma", "only a bracket"],
)
def test_a_broken_array_ends_with_a_problem_at_the_record_it_reached(
    text: str, problem: Problem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records before the break are kept; the problem names the next position."""
    got = read(text, 3, monkeypatch)
    assert got[-1] == problem
    assert all(isinstance(item, Record) for item in got[:-1])


def test_an_empty_file_holds_no_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing to read is no records and no problems."""
    assert read("", 4, monkeypatch) == []
    assert read("  \n \n", 4, monkeypatch) == []


def test_progress_is_told_every_byte_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """``advance`` adds up to the size of the file."""
    monkeypatch.setattr(_sources, "_CHUNK", 4)
    text = '[{"a": "ünïcode"}, {"b": 2}]'.encode()
    told: list[int] = []
    list(read_records(io.BytesIO(text), advance=told.append))
    assert sum(told) == len(text)
