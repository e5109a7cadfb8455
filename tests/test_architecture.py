"""The layout keeps its promises: the core imports no edge, no import circles, small files.

Read from the source itself (every ``import`` statement, at module level or inside a
function), so a lazy import cannot hide a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import clickfunnels_orders

PACKAGE = "clickfunnels_orders"
ROOT = Path(clickfunnels_orders.__file__).parent

#: The pure core: no I/O, no clock, and no knowledge of the edge.
CORE = (
    "_json",
    "_spelling",
    "_values",
    "display",
    "entities",
    "errors",
    "machines",
    "rollup",
    "statuses",
    "timing",
    "webhook_types",
)
#: Everything else imports the core, never the other way round.
EDGE = (
    "__main__",
    "access",
    "analytics",
    "cli",
    "dask",
    "diagrams",
    "endpoint",
    "events",
    "payloads",
    "replica",
    "store",
    "testing",
    "webhooks",
)
MAX_LINES = 600


def modules() -> Iterator[tuple[str, Path]]:
    """Every module of the package, by dotted name."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join((PACKAGE, *parts)), path


KNOWN = frozenset(module for module, _ in modules())


def imported(name: str, path: Path) -> set[str]:
    """The package modules that ``name`` imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from package import submodule`` imports the submodule; ``from module
                # import name`` imports the module (a package's face, for a package).
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in KNOWN else base)
    return {module for module in found if module in KNOWN and module != name}


def top(module: str) -> str:
    """The top-level part of the package a module belongs to (``payloads``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def graph() -> dict[str, set[str]]:
    """Each module and the package modules it imports."""
    return {name: imported(name, path) for name, path in modules()}


def test_every_module_is_either_core_or_edge() -> None:
    """A new module is placed on purpose: the lists above name every part of the package."""
    parts = {top(name) for name, _ in modules()} - {""}
    assert parts <= set(CORE) | set(EDGE), sorted(parts - set(CORE) - set(EDGE))


@pytest.mark.parametrize("part", CORE)
def test_the_core_imports_nothing_from_the_edge(part: str) -> None:
    """No core module imports an edge module, not even lazily inside a function."""
    offending = {
        (name, dependency)
        for name, dependencies in graph().items()
        if top(name) == part
        for dependency in dependencies
        if top(dependency) in EDGE
    }
    assert not offending


def test_there_are_no_import_circles_between_modules() -> None:
    """The module graph has no cycle, lazy imports included (the package's face aside)."""
    edges = graph()
    # The top-level __init__ re-exports the whole library; nothing inside imports it.
    del edges[PACKAGE]
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dependency in sorted(edges[node] - {PACKAGE}):
            if state.get(dependency) == 1:
                cycle = [*stack[stack.index(dependency) :], dependency]
                pytest.fail(" -> ".join(cycle))
            if dependency not in state:
                visit(dependency)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


@pytest.mark.parametrize(("name", "path"), list(modules()), ids=[n for n, _ in modules()])
def test_no_source_file_is_over_600_lines(name: str, path: Path) -> None:
    """A module that grows past 600 lines is several concepts and wants cutting."""
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES, name


def test_the_entities_reach_the_payload_layer_only_through_the_codec_seam() -> None:
    """from_api / to_api go through the codec the payload package installs."""
    from clickfunnels_orders.entities import _codec  # noqa: PLC0415  because the test is about it
    from clickfunnels_orders.payloads import _PayloadCodec  # noqa: PLC0415  ditto

    assert isinstance(_codec.installed_codec(), _PayloadCodec)
