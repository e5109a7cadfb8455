"""The fulfillment rollup: ``compute``, ``FulfillmentRollup``, ``merge`` and ``Tracker``.

One example test per rule of API.md section 5 (and per choice ``docs/rollup.md``
documents), then Hypothesis properties: ``compute`` agrees with a plain statement of
the rules, the tracker with ``compute``, and ``merge`` of shards with the whole.
"""

from __future__ import annotations

import doctest
import pickle
import runpy
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

from clickfunnels_orders import (
    DuplicateIdError,
    DuplicateLineItemError,
    FulfillmentConflictError,
    FulfillmentStatus,
    InvoiceFulfillmentStatus,
    InvoiceStatus,
    LineItemFulfillmentStatus,
    OrderFulfillmentStatus,
    OrdersError,
    OverFulfilledLineError,
    OverFulfillmentError,
    UnknownInvoiceError,
    UnknownLineItemError,
    rollup,
)
from clickfunnels_orders.rollup import FulfillmentRollup, Tracker, compute, merge
from test_rollup_books import (
    invoice,
    line,
    shipment,
    two_orders,
)

ROOT = Path(__file__).resolve().parent.parent
L = LineItemFulfillmentStatus
IS = InvoiceFulfillmentStatus
OS = OrderFulfillmentStatus
CANCELLED = FulfillmentStatus.CANCELLED
RESTOCKED = FulfillmentStatus.RESTOCKED

# -- compute: what counts -------------------------------------------------------------------


def test_only_fulfilled_fulfillments_count() -> None:
    """Cancelled and restocked fulfillments count as nothing."""
    result = compute(
        two_orders(),
        [
            shipment(1, (11, 1)),
            shipment(2, (11, 1), status=CANCELLED),
            shipment(3, (21, 3), status=RESTOCKED),
        ],
    )
    assert result.fulfilled_quantity(11) == 1
    assert result.fulfilled_quantity(21) == 0
    assert result.fulfillment_ids == frozenset({1})


def test_lines_of_uncounted_fulfillments_are_not_checked() -> None:
    """A cancelled fulfillment may name unknown lines and any quantity: it is not checked."""
    result = compute(two_orders(), [shipment(1, (999, 50), (11, 2), status=CANCELLED)])
    assert result == compute(two_orders(), [])


def test_a_line_naming_no_known_line_item_is_refused() -> None:
    """A counted line naming no invoice line item raises UnknownLineItemError, a KeyError."""
    with pytest.raises(UnknownLineItemError) as caught:
        compute(two_orders(), [shipment(1, (11, 1)), shipment(2, (12, 1), (999, 1))])
    assert isinstance(caught.value, KeyError)
    assert isinstance(caught.value, OrdersError)
    assert (caught.value.fulfillment_id, caught.value.line_item_id) == (2, 999)
    assert "fulfillment 2" in str(caught.value)
    assert "999" in str(caught.value)


def test_counted_quantities_above_a_line_items_quantity_are_refused() -> None:
    """OverFulfillmentError names the first fulfillment that goes over, and what is left."""
    with pytest.raises(OverFulfillmentError) as caught:
        compute(two_orders(), [shipment(1, (21, 2)), shipment(2, (11, 1)), shipment(3, (21, 2))])
    error = caught.value
    assert (error.fulfillment_id, error.line_item_id) == (3, 21)
    assert (error.quantity, error.already, error.requested, error.available) == (3, 2, 2, 1)
    assert "at most 1 more" in str(error)


def test_a_line_item_id_repeated_across_invoices_is_refused() -> None:
    """Line-item ids are unique across the invoices of one rollup (a ValueError)."""
    invoices = [invoice(1, "A", line(7, 1)), invoice(2, "B", line(7, 2))]
    with pytest.raises(DuplicateLineItemError) as caught:
        compute(invoices, [])
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, OrdersError)
    assert caught.value.line_item_id == 7
    assert caught.value.invoice_ids == (1, 2)
    with pytest.raises(DuplicateLineItemError):
        Tracker(invoices)


def test_an_invoice_or_fulfillment_given_twice_is_refused() -> None:
    """Compute takes one version of each invoice and of each fulfillment."""
    first = invoice(1, "A", line(11, 1))
    with pytest.raises(DuplicateIdError, match="invoice id"):
        compute([first, invoice(1, "A")], [])
    with pytest.raises(DuplicateIdError, match="fulfillment id"):
        compute([first], [shipment(5, (11, 1)), shipment(5, (11, 1), status=CANCELLED)])
    with pytest.raises(DuplicateIdError, match="invoice id"):
        Tracker([first, first])


def test_a_fulfillment_covering_lines_of_two_orders_counts_toward_each() -> None:
    """Each fulfillment line counts toward its own line item, whatever order it belongs to."""
    result = compute(two_orders(), [shipment(1, (11, 2), (12, 1), (21, 1))])
    assert result.order_status("A") is OS.FULFILLED
    assert result.order_status("B") is OS.PARTIALLY_FULFILLED
    assert result.remaining("A") == {}
    assert result.remaining("B") == {21: 2}


def test_repeated_lines_within_one_fulfillment_are_summed() -> None:
    """Two lines of one fulfillment naming the same line item add up."""
    result = compute(two_orders(), [shipment(1, (21, 1), (21, 2))])
    assert result.fulfilled_quantity(21) == 3
    assert result.line_item_status(21) is L.FULFILLED


def test_compute_accepts_any_iterables_and_hashable_ids() -> None:
    """Generators work as inputs, and ids may be strings or tuples."""
    invoices = [invoice("inv-1", ("ord", 1), line("x", "inv-1", 2))]
    result = compute(iter(invoices), (f for f in [shipment("f", ("x", 1))]))
    assert result.order_status(("ord", 1)) is OS.PARTIALLY_FULFILLED


# -- line status ----------------------------------------------------------------------------


def test_a_line_status_follows_its_fulfilled_quantity() -> None:
    """Nothing is unfulfilled, some is partially_fulfilled, all of it is fulfilled."""
    result = compute(two_orders(), [shipment(1, (11, 1)), shipment(2, (12, 1))])
    assert result.line_item_status(21) is L.UNFULFILLED
    assert result.line_item_status(11) is L.PARTIALLY_FULFILLED
    assert result.line_item_status(12) is L.FULFILLED


def test_ignored_and_complete_lines_keep_their_status() -> None:
    """An ignored line stays ignored when shipped; a complete one stays complete with 0."""
    invoices = [
        invoice(1, "A", line(1, 1, 2, status=L.IGNORED), line(2, 1, 2, status=L.COMPLETE)),
    ]
    result = compute(invoices, [shipment(1, (1, 2))])
    assert result.line_item_status(1) is L.IGNORED
    assert result.fulfilled_quantity(1) == 2
    assert result.line_item_status(2) is L.COMPLETE
    assert result.fulfilled_quantity(2) == 0


# -- required lines, invoice and order status -----------------------------------------------


def test_lines_that_need_no_fulfillment_do_not_count_but_show_their_status() -> None:
    """A line with fulfillment_required false is not required; it still shows its status."""
    invoices = [invoice(1, "A", line(1, 1, 1), line(2, 1, 1, required=False))]
    result = compute(invoices, [shipment(1, (1, 1))])
    assert result.invoice_status(1) is IS.COMPLETE
    assert result.order_status("A") is OS.FULFILLED
    assert result.line_item_status(2) is L.UNFULFILLED
    assert result.remaining("A") == {}


def test_ignored_lines_are_not_required() -> None:
    """An invoice whose only other line is ignored is complete once that line ships."""
    invoices = [invoice(1, "A", line(1, 1, 1), line(2, 1, 3, status=L.IGNORED))]
    assert compute(invoices, [shipment(1, (1, 1))]).invoice_status(1) is IS.COMPLETE


@pytest.mark.parametrize(
    "status",
    [s for s in InvoiceStatus if s not in {InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_REFUNDED}],
)
def test_lines_of_invoices_not_paid_or_partially_refunded_are_not_due(
    status: InvoiceStatus,
) -> None:
    """Only paid and partially-refunded invoices have required lines."""
    result = compute([invoice(1, "A", line(1, 1, 2), status=status)], [])
    assert result.invoice_status(1) is IS.NOT_APPLICABLE
    assert result.order_status("A") is OS.NOT_APPLICABLE
    assert result.remaining("A") == {}
    assert result.line_item_status(1) is L.UNFULFILLED


def test_a_partially_refunded_invoice_is_still_due() -> None:
    """A partially-refunded invoice's lines are required."""
    result = compute([invoice(1, "A", line(1, 1), status=InvoiceStatus.PARTIALLY_REFUNDED)], [])
    assert result.invoice_status(1) is IS.UNFULFILLED
    assert result.remaining("A") == {1: 1}


def test_invoice_status_is_unfulfilled_partial_or_complete_over_required_lines() -> None:
    """Nothing shipped: unfulfilled; some: partial; every required line: complete."""
    invoices = two_orders()
    assert compute(invoices, []).invoice_status(1) is IS.UNFULFILLED
    assert compute(invoices, [shipment(1, (12, 1))]).invoice_status(1) is IS.PARTIAL
    assert compute(invoices, [shipment(1, (11, 1))]).invoice_status(1) is IS.PARTIAL
    assert compute(invoices, [shipment(1, (11, 2), (12, 1))]).invoice_status(1) is IS.COMPLETE


def test_complete_lines_count_as_fulfilled() -> None:
    """A complete line with nothing shipped counts as fulfilled toward invoice and order."""
    invoices = [invoice(1, "A", line(1, 1, 2, status=L.COMPLETE), line(2, 1, 1))]
    assert compute(invoices, []).invoice_status(1) is IS.PARTIAL
    result = compute(invoices, [shipment(1, (2, 1))])
    assert result.invoice_status(1) is IS.COMPLETE
    assert result.order_status("A") is OS.FULFILLED
    assert result.remaining("A") == {}


def test_order_status_spans_the_required_lines_of_all_its_invoices() -> None:
    """A paid invoice fully shipped and an unpaid renewal leave the order fulfilled."""
    invoices = [
        invoice(1, "A", line(1, 1, 1)),
        invoice(2, "A", line(2, 2, 1)),
        invoice(3, "A", line(3, 3, 5), status=InvoiceStatus.UNPAID),
    ]
    assert compute(invoices, [shipment(1, (1, 1))]).order_status("A") is OS.PARTIALLY_FULFILLED
    result = compute(invoices, [shipment(1, (1, 1)), shipment(2, (2, 1))])
    assert result.order_status("A") is OS.FULFILLED
    assert result.remaining("A") == {}


# -- empty and all-cancelled sets -----------------------------------------------------------


def test_an_empty_rollup_answers_not_applicable_for_any_order() -> None:
    """With no invoices, every order is not_applicable, nothing remains, lines are unknown."""
    empty = compute([], [])
    assert empty.order_status("anything") is OS.NOT_APPLICABLE
    assert empty.remaining("anything") == {}
    with pytest.raises(UnknownLineItemError):
        empty.fulfilled_quantity(1)
    assert empty == merge([]) == Tracker().snapshot()


def test_an_invoice_without_required_lines_is_not_applicable() -> None:
    """No line items, or only ignored and not-required ones: not_applicable, not complete."""
    invoices = [
        invoice(1, "A"),
        invoice(2, "B", line(1, 2, status=L.IGNORED), line(2, 2, required=False)),
    ]
    result = compute(invoices, [])
    assert result.invoice_status(1) is IS.NOT_APPLICABLE
    assert result.invoice_status(2) is IS.NOT_APPLICABLE
    assert result.order_status("A") is OS.NOT_APPLICABLE
    assert result.order_status("B") is OS.NOT_APPLICABLE


def test_all_cancelled_fulfillments_leave_every_line_unfulfilled() -> None:
    """Every fulfillment cancelled or restocked is the same as none: unfulfilled, not shipped."""
    cancelled = [
        shipment(1, (11, 2), (12, 1), status=CANCELLED),
        shipment(2, (21, 3), status=RESTOCKED),
    ]
    result = compute(two_orders(), cancelled)
    assert result == compute(two_orders(), [])
    assert result.order_status("A") is OS.UNFULFILLED
    assert result.order_status("B") is OS.UNFULFILLED
    assert result.remaining("A") == {11: 2, 12: 1}
    assert all(result.line_item_status(key) is L.UNFULFILLED for key in (11, 12, 21))


# -- queries: unknown ids, remaining --------------------------------------------------------


def test_queries_about_unknown_ids() -> None:
    """Unknown line items and invoices raise KeyErrors; an unknown order is not_applicable."""
    result = compute(two_orders(), [])
    with pytest.raises(UnknownLineItemError):
        result.line_item_status(404)
    with pytest.raises(UnknownInvoiceError) as caught:
        result.invoice_status(404)
    assert isinstance(caught.value, KeyError)
    assert caught.value.invoice_id == 404
    assert "invoice 404" in str(caught.value)
    assert result.order_status("Z") is OS.NOT_APPLICABLE
    assert result.remaining("Z") == {}


def test_remaining_lists_what_is_left_of_required_lines() -> None:
    """Remaining leaves out shipped, complete, ignored and not-required lines."""
    invoices = [
        invoice(
            1,
            "A",
            line(1, 1, 3),
            line(2, 1, 1),
            line(3, 1, 2, status=L.COMPLETE),
            line(4, 1, 2, status=L.IGNORED),
            line(5, 1, 2, required=False),
        ),
    ]
    result = compute(invoices, [shipment(1, (1, 1), (2, 1))])
    assert result.remaining("A") == {1: 2}


# -- apply ----------------------------------------------------------------------------------


def test_apply_moves_line_statuses_through_the_machine_without_history() -> None:
    """Apply gives each line its rolled-up status; derived moves add no history."""
    invoices = two_orders()
    result = compute(invoices, [shipment(1, (11, 1), (12, 1))])
    applied = result.apply(invoices[0])
    assert [item.fulfillment_status for item in applied.line_items] == [
        L.PARTIALLY_FULFILLED,
        L.FULFILLED,
    ]
    assert all(item.history == () for item in applied.line_items)
    assert applied.status is invoices[0].status
    assert result.apply(applied) == applied


def test_apply_leaves_ignored_and_complete_lines_and_returns_an_unmoved_invoice_as_is() -> None:
    """Ignored and complete lines stay; an invoice with nothing to move comes back as is."""
    inv = invoice(1, "A", line(1, 1, 2, status=L.IGNORED), line(2, 1, 2, status=L.COMPLETE))
    result = compute([inv], [shipment(1, (1, 1))])
    assert result.apply(inv) is inv


def test_apply_can_bring_a_stale_invoice_down_when_its_fulfillments_are_cancelled() -> None:
    """An invoice showing fulfilled goes back to unfulfilled once its shipment is cancelled."""
    invoices = two_orders()
    shipped = compute(invoices, [shipment(1, (21, 3))]).apply(invoices[1])
    assert shipped.line_items[0].fulfillment_status is L.FULFILLED
    cancelled = compute(invoices, [shipment(1, (21, 3), status=CANCELLED)]).apply(shipped)
    assert cancelled.line_items[0].fulfillment_status is L.UNFULFILLED


def test_apply_refuses_an_invoice_with_unknown_lines() -> None:
    """Applying to an invoice holding a line item the rollup never saw raises."""
    with pytest.raises(UnknownLineItemError):
        compute(two_orders(), []).apply(invoice(9, "A", line(99, 9)))


# -- the value ------------------------------------------------------------------------------


def test_a_rollup_is_a_frozen_attrs_value() -> None:
    """It is an attrs class, refuses assignment, and its mappings are read-only."""
    result = compute(two_orders(), [shipment(1, (11, 1))])
    assert attrs.has(FulfillmentRollup)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.fulfillment_ids = frozenset()  # type: ignore[misc]  # the point of the test
    with pytest.raises(TypeError):
        result.fulfilled[11] = 2  # type: ignore[index]  # the point of the test
    with pytest.raises(AttributeError):
        result.order_ids.add("C")  # type: ignore[attr-defined]  # the point of the test


def test_rollups_compare_and_hash_by_value() -> None:
    """Two computations over equal inputs are equal and hash alike, in any input order."""
    fulfillments = [shipment(1, (11, 1)), shipment(2, (21, 2))]
    first = compute(two_orders(), fulfillments)
    second = compute(list(reversed(two_orders())), list(reversed(fulfillments)))
    assert first == second
    assert hash(first) == hash(second)
    assert first != compute(two_orders(), fulfillments[:1])
    assert len({first, second}) == 1


def test_a_rollup_pickles_without_its_lookup_caches() -> None:
    """A pickled rollup comes back equal; the caches built by queries are not shipped."""
    result = compute(two_orders(), [shipment(1, (11, 1))])
    result.order_status("A")
    result.fulfilled_quantity(11)
    restored = pickle.loads(pickle.dumps(result))  # noqa: S301  because we pickled it just above
    assert set(restored.__dict__) == {"_source", "_fulfilled", "_fulfillment_ids"}
    assert restored == result
    assert restored.order_status("A") is OS.PARTIALLY_FULFILLED


def test_a_rollup_renders_briefly_in_a_repl_and_a_notebook() -> None:
    """Its repr counts instead of dumping; its HTML lists orders with their status."""
    result = compute(two_orders(), [shipment(1, (11, 2), (12, 1))])
    assert repr(result) == (
        "FulfillmentRollup(invoices=2, line_items=3, fulfilled_line_items=2, fulfillments=1)"
    )
    html = result._repr_html_()
    assert "<table>" in html
    assert "fulfilled" in html
    assert "unfulfilled" in html


def test_a_rollup_notebook_rendering_summarises_many_orders() -> None:
    """Past twenty orders, the HTML says how many more there are."""
    invoices = [invoice(n, n, line(n, n)) for n in range(25)]
    assert "and 5 more orders" in compute(invoices, [])._repr_html_()


# -- merge ----------------------------------------------------------------------------------


def test_merging_rollups_of_disjoint_fulfillments_gives_the_rollup_of_the_union() -> None:
    """Shards that each hold the invoices they need merge into the whole."""
    invoices = two_orders()
    a = [shipment(1, (11, 1), (21, 1))]
    b = [shipment(2, (11, 1)), shipment(3, (12, 1), status=CANCELLED)]
    c = [shipment(4, (21, 2))]
    parts = [compute(invoices, a), compute(invoices[:1], b), compute(invoices[1:], c)]
    assert merge(parts) == compute(invoices, a + b + c)


def test_merge_of_nothing_is_the_empty_rollup_and_of_one_part_is_that_part() -> None:
    """merge([]) is the identity of merging; merge([x]) is x."""
    part = compute(two_orders(), [shipment(1, (11, 1))])
    assert merge([]) == compute([], [])
    assert merge([part]) == part
    assert merge([part, merge([])]) == part


def test_merge_refuses_parts_holding_different_versions_of_one_invoice() -> None:
    """Parts must hold the same version of every invoice they share."""
    paid = invoice(1, "A", line(1, 1, 2))
    refunded = invoice(1, "A", line(1, 1, 2), status=InvoiceStatus.REFUNDED)
    with pytest.raises(FulfillmentConflictError) as caught:
        merge([compute([paid], []), compute([refunded], [])])
    assert caught.value.invoice_id == 1
    assert isinstance(caught.value, ValueError)


def test_merge_refuses_a_fulfillment_counted_by_two_parts() -> None:
    """A fulfillment counted in two parts would count twice: refused."""
    invoices = two_orders()
    part = compute(invoices, [shipment(1, (21, 1))])
    with pytest.raises(FulfillmentConflictError) as caught:
        merge([part, part])
    assert caught.value.fulfillment_id == 1


def test_merge_refuses_parts_that_together_over_fulfill_a_line() -> None:
    """Two parts shipping 2 each of a line of 3 raise OverFulfilledLineError."""
    invoices = two_orders()
    with pytest.raises(OverFulfillmentError) as caught:
        merge(
            [compute(invoices, [shipment(1, (21, 2))]), compute(invoices, [shipment(2, (21, 2))])]
        )
    assert isinstance(caught.value, OverFulfilledLineError)
    assert (caught.value.line_item_id, caught.value.fulfilled, caught.value.quantity) == (21, 4, 3)
    assert caught.value.fulfillment_id is None


def test_merge_refuses_one_line_item_id_in_invoices_of_two_parts() -> None:
    """Different invoices holding the same line-item id in two parts are refused."""
    with pytest.raises(DuplicateLineItemError):
        merge(
            [compute([invoice(1, "A", line(5, 1))], []), compute([invoice(2, "B", line(5, 2))], [])]
        )


# -- documentation and example --------------------------------------------------------------


def test_the_rollup_page_examples_run() -> None:
    """docs/rollup.md's examples are executed and hold."""
    outcome = doctest.testfile(
        str(ROOT / "docs" / "rollup.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert outcome.attempted > 10
    assert outcome.failed == 0


def test_the_dask_example_folds_its_shards_into_the_single_compute(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """examples/rollup_dask.py, run small, folds its JSON Lines shards into the whole."""
    namespace = runpy.run_path(str(ROOT / "examples" / "rollup_dask.py"))
    namespace["main"](["--line-items", "2000", "--shards", "4", "--workers", "2"])
    out = capsys.readouterr().out
    assert "dask rollup == single compute: True" in out


def test_the_rollup_module_exports_the_contract() -> None:
    """The rollup package exports sections 5, 13 and 14's names, and its row type."""
    assert rollup.__all__ == [
        "FulfillmentRollup",
        "LineItemRow",
        "Partial",
        "Tracker",
        "combine",
        "compute",
        "merge",
        "partial",
    ]
    assert rollup.FulfillmentRollup is FulfillmentRollup
    assert rollup.Tracker is Tracker


@pytest.mark.parametrize(
    "name", ["FulfillmentRollup", "LineItemRow", "Tracker", "compute", "merge"]
)
def test_each_rollup_name_says_truly_where_it_is_defined(name: str) -> None:
    """No ``__module__`` is patched: each public name lives in the private module it names."""
    public = getattr(rollup, name)
    assert public.__module__.startswith("clickfunnels_orders.rollup._")
    assert getattr(sys.modules[public.__module__], public.__qualname__) is public


def test_importing_the_package_makes_the_rollup_submodule_an_attribute() -> None:
    """``import clickfunnels_orders`` alone is enough to reach ``clickfunnels_orders.rollup``."""
    code = "import clickfunnels_orders; print(clickfunnels_orders.rollup.compute.__name__)"
    result = subprocess.run(  # noqa: S603  because the command is this interpreter and a literal
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "compute"
