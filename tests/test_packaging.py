"""The package's public face and metadata (API.md sections 1-8)."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import subprocess
import sys

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import clickfunnels_orders

DISTRIBUTION = "clickfunnels-orders"

#: Names API.md sections 2-4 and 6-8 make importable from the top level.
TOP_LEVEL = [
    # 2. statuses
    "InvoiceStatus",
    "LineItemFulfillmentStatus",
    "InvoiceFulfillmentStatus",
    "OrderFulfillmentStatus",
    "FulfillmentStatus",
    "ServiceStatus",
    "BillingStatus",
    "OrderType",
    "PaymentProcessor",
    # 3. entities
    "Order",
    "OrderLineItem",
    "Invoice",
    "InvoiceLineItem",
    "Fulfillment",
    "FulfillmentLine",
    "Change",
    # 4. state machines and time rules
    "TimeRules",
    # 6. payloads and webhooks
    "parse_webhook",
    "WebhookEvent",
    # 7. errors
    "OrdersError",
    "InvalidTransitionError",
    "AmountError",
    "OverFulfillmentError",
    "NotFulfillableError",
    "UnknownLineItemError",
    "PayloadError",
    # 8. diagrams
    "diagram",
    # 14. more of the API
    "InvoiceType",
    "RestockStatus",
    "TransactionStatus",
    "Transaction",
    "Restock",
    "Summary",
    "summary",
    "OverReleaseError",
]
#: Section 5 lives in the public submodule ``rollup``.
ROLLUP = ["compute", "merge", "Tracker", "FulfillmentRollup", "partial", "combine", "Partial"]
#: Errors and the builtin each behaves like, as API.md names them.
ERROR_BUILTINS = {
    "InvalidTransitionError": ValueError,
    "AmountError": ValueError,
    "PayloadError": ValueError,
    "UnknownLineItemError": KeyError,
    "OverFulfillmentError": Exception,
    "NotFulfillableError": Exception,
}


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_each_contract_name_is_importable_from_the_top_level(name: str) -> None:
    """Every name of API.md sections 2-8 outside ``rollup`` and ``testing`` is top-level."""
    assert getattr(clickfunnels_orders, name) is not None
    assert name in clickfunnels_orders.__all__


@pytest.mark.parametrize("name", ROLLUP)
def test_each_rollup_name_is_importable_from_the_rollup_module(name: str) -> None:
    """Section 5 lives in the public submodule ``clickfunnels_orders.rollup``."""
    rollup = importlib.import_module("clickfunnels_orders.rollup")
    assert getattr(rollup, name) is not None


@pytest.mark.parametrize(("name", "builtin"), list(ERROR_BUILTINS.items()))
def test_each_named_error_is_an_orders_error_and_its_builtin(name: str, builtin: type) -> None:
    """One base class, each error mixing in the builtin it behaves like."""
    error = getattr(clickfunnels_orders, name)
    assert issubclass(error, clickfunnels_orders.OrdersError)
    assert issubclass(error, builtin)


def test_dunder_all_is_sorted_unique_and_every_name_exists() -> None:
    """``__all__`` is a curated, sorted list of names that all resolve."""
    names = clickfunnels_orders.__all__
    assert list(names) == sorted(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(clickfunnels_orders, name), name


def test_version_comes_from_the_package_metadata() -> None:
    """``__version__`` is the installed distribution's version."""
    assert isinstance(clickfunnels_orders.__version__, str)
    assert clickfunnels_orders.__version__ == importlib.metadata.version(DISTRIBUTION)


def test_the_package_is_typed() -> None:
    """A ``py.typed`` marker ships with the package (PEP 561)."""
    assert (importlib.resources.files("clickfunnels_orders") / "py.typed").is_file()


def requirements() -> list[Requirement]:
    """Return the distribution's declared requirements."""
    return [Requirement(line) for line in importlib.metadata.requires(DISTRIBUTION) or []]


def test_runtime_dependencies_are_exactly_attrs_transitions_dateutil_and_cattrs() -> None:
    """Nothing else is needed at run time."""
    runtime = {canonicalize_name(r.name) for r in requirements() if r.marker is None}
    assert runtime == {"attrs", "transitions", "python-dateutil", "cattrs"}


def test_hypothesis_is_only_an_optional_extra() -> None:
    """The ``testing`` extra brings hypothesis and only it; the core never needs it."""
    testing = {
        canonicalize_name(r.name)
        for r in requirements()
        if r.marker is not None and r.marker.evaluate({"extra": "testing"})
    }
    runtime = {canonicalize_name(r.name) for r in requirements() if r.marker is None}
    assert "hypothesis" in testing
    assert testing - runtime == {"hypothesis"}
    assert "hypothesis" not in runtime


def test_importing_the_package_does_not_import_hypothesis() -> None:
    """Users without the ``testing`` extra can import everything outside ``testing``."""
    code = (
        "import sys, clickfunnels_orders, clickfunnels_orders.rollup; "
        "print('hypothesis' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603  because the command is this interpreter and a literal
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("level", ["DEBUG", "NOTSET"])
def test_importing_the_package_leaves_the_transitions_logger_alone(level: str) -> None:
    """A user's level for the ``transitions`` logger (or its absence) survives the import."""
    code = (
        f"import logging; logging.getLogger('transitions').setLevel(logging.{level}); "
        "import clickfunnels_orders, clickfunnels_orders.rollup; "
        "print(logging.getLevelName(logging.getLogger('transitions').level))"
    )
    result = subprocess.run(  # noqa: S603  because the command is this interpreter and a literal
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == level


def test_the_package_requires_python_3_11_or_later() -> None:
    """``StrEnum`` and ``Self`` need Python 3.11."""
    assert importlib.metadata.metadata(DISTRIBUTION)["Requires-Python"] == ">=3.11"
