"""The documentation stays true to the code."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import runpy
from pathlib import Path
from types import ModuleType

import pytest

import clickfunnels_orders
from clickfunnels_orders.diagrams import DIAGRAM_CLASSES, lifecycles_page

ROOT = Path(__file__).resolve().parent.parent


def test_lifecycles_page_is_generated_from_the_current_machines() -> None:
    """docs/lifecycles.md equals what the machines generate today."""
    committed = (ROOT / "docs" / "lifecycles.md").read_text(encoding="utf-8")
    assert committed == lifecycles_page(), (
        "regenerate with: python -m clickfunnels_orders.diagrams > docs/lifecycles.md"
    )


def test_checkout_example_ends_with_a_fulfilled_order(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's main job takes an order from checkout to paid and fulfilled."""
    runpy.run_path(str(ROOT / "examples" / "checkout.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "paid the rest -> paid" in out
    assert "order 2: service completed, billing paid" in out
    assert "both shirts shipped: order fulfilled" in out


def _tool(name: str) -> ModuleType:
    """Import one of the docs session's scripts (docs/tools/NAME.py) as a module."""
    path = ROOT / "docs" / "tools" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"docs_tools_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _referenced_modules() -> list[str]:
    """The modules the API reference pages document (their ``::: module`` lines)."""
    return [
        line.removeprefix(":::").strip()
        for page in sorted((ROOT / "docs" / "reference").glob("*.md"))
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(":::")
    ]


def test_the_analyst_notebook_is_stored_without_outputs() -> None:
    """docs/analyst.ipynb keeps only its source: the docs session executes it."""
    notebook = json.loads((ROOT / "docs" / "analyst.ipynb").read_text(encoding="utf-8"))
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code
    assert [(cell["outputs"], cell["execution_count"]) for cell in code] == [([], None)] * len(code)


def test_the_api_reference_has_one_page_per_module_each_curated_by_all() -> None:
    """Every reference page documents one module, and every such module has an ``__all__``."""
    modules = _referenced_modules()
    assert (
        len(modules) == len(set(modules)) == len(list((ROOT / "docs/reference").glob("*.md"))) - 1
    )
    for name in modules:
        assert isinstance(importlib.import_module(name).__all__, list), name


def test_the_api_reference_documents_every_top_level_name() -> None:
    """Each name ``clickfunnels_orders`` exports is exported by a module the reference shows."""
    documented = {
        name for module in _referenced_modules() for name in importlib.import_module(module).__all__
    }
    exported = set(clickfunnels_orders.__all__) - {"__version__"}
    assert exported - documented == set()


def test_every_page_is_in_the_site_navigation() -> None:
    """mkdocs.yml's nav names every Markdown page of docs/, and only pages that exist."""
    nav = set(
        re.findall(
            r"([\w/-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE
        )
    )
    pages = {path.relative_to(ROOT / "docs").as_posix() for path in (ROOT / "docs").rglob("*.md")}
    assert nav == pages


def test_the_site_check_finds_scripts_from_another_host_and_cdn_urls(tmp_path: Path) -> None:
    """A page loading a CDN script, and a bundle naming one, are both reported."""
    check = _tool("check_site")
    cdn_script = "https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.min.js"
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text(
        f'<script src="{cdn_script}"></script>'
        '<link rel="stylesheet" href="//example.org/x.css"><script src="../local.js"></script>',
        encoding="utf-8",
    )
    (tmp_path / "bundle.js").write_text('load("https://unpkg.com/polyfill")', encoding="utf-8")
    problems = check.offline_problems(tmp_path)
    assert problems == [
        "bundle.js: names the CDN URL https://unpkg.com",
        f"page/index.html: loads {cdn_script} from another host",
        "page/index.html: loads //example.org/x.css from another host",
        "page/index.html: names the CDN URL https://cdn.jsdelivr.net",
    ]


def test_the_site_check_passes_a_site_that_names_no_other_host(tmp_path: Path) -> None:
    """Local scripts and links to documentation hosts are not CDN loads."""
    (tmp_path / "index.html").write_text(
        '<script src="javascripts/vendor/mermaid.min.js"></script>'
        '<a href="https://peps.python.org/pep-0735/">PEP 735</a>'
        '<div class="diagram">stateDiagram-v2</div><div class="diagram">x</div>',
        encoding="utf-8",
    )
    check = _tool("check_site")
    assert check.offline_problems(tmp_path) == []
    assert check.diagram_pages(tmp_path) == {"index.html": 2}


def test_the_lifecycles_page_renders_its_mermaid_blocks_as_diagrams() -> None:
    """The lifecycle page has a Mermaid block per diagram, which the site draws as div.diagram."""
    page = (ROOT / "docs" / "lifecycles.md").read_text(encoding="utf-8")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    script = (ROOT / "docs" / "javascripts" / "diagrams.js").read_text(encoding="utf-8")
    assert page.count("```mermaid\nstateDiagram-v2\n") >= len(DIAGRAM_CLASSES)
    assert "class: diagram" in config
    assert "fence_div_format" in config
    assert 'querySelector: "div.diagram"' in script


def test_the_hooks_take_the_theme_cdn_fallbacks_out_and_its_source_maps(tmp_path: Path) -> None:
    """After the build, the bundle loads an empty script instead of unpkg's, and has no map."""
    hooks = _tool("hooks")
    scripts = tmp_path / "assets" / "javascripts"
    scripts.mkdir(parents=True)
    bundle = scripts / "bundle.abc123.min.js"
    bundle.write_text(
        'a=_t("https://unpkg.com/mermaid@11/dist/mermaid.min.js");b="https://api.github.com/x"',
        encoding="utf-8",
    )
    (scripts / "bundle.abc123.min.js.map").write_text("{}", encoding="utf-8")
    hooks.on_post_build({"site_dir": str(tmp_path)})
    assert bundle.read_text(encoding="utf-8") == (
        'a=_t("data:text/javascript,");b="https://api.github.com/x"'
    )
    assert sorted(path.name for path in scripts.iterdir()) == [bundle.name]


def test_the_hooks_show_docstring_roles_as_plain_code() -> None:
    """``:class:`Change``` in a docstring shows as the code span ``Change``."""
    hooks = _tool("hooks")
    html = "see :class:<code>Change</code> and :meth:<code>pay</code>; a:b:<code>c</code>"
    assert (
        hooks.on_page_content(html)
        == "see <code>Change</code> and <code>pay</code>; a:b:<code>c</code>"
    )
