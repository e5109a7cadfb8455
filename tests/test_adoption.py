"""What a new user checks first: the licence, the metadata, the extras and the scripts."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
METADATA = importlib.metadata.metadata("clickfunnels-orders")


def extra(name: str) -> set[str]:
    """The distributions the extra ``name`` adds to the runtime ones."""
    requirements = [
        Requirement(r) for r in importlib.metadata.requires("clickfunnels-orders") or ()
    ]
    return {
        canonicalize_name(r.name)
        for r in requirements
        if r.marker is not None and r.marker.evaluate({"extra": name})
    }


def test_the_licence_is_the_full_mit_text_with_its_holder() -> None:
    """LICENSE grants the MIT permissions and names who holds the copyright."""
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert re.search(r"Copyright \(c\) \d{4} clickfunnels-orders contributors", text)
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_the_metadata_names_the_authors_and_the_licence() -> None:
    """Authors and the MIT licence expression are in the installed metadata."""
    assert METADATA["Author"] == "clickfunnels-orders contributors"
    assert METADATA["License-Expression"] == "MIT"


def test_the_cli_extra_brings_click_and_rich() -> None:
    """The command line's libraries come with the ``cli`` extra and only there."""
    assert extra("cli") == {"click", "rich"}


def test_the_console_script_is_declared() -> None:
    """``clickfunnels-orders`` runs ``clickfunnels_orders.cli:main``."""
    scripts = {
        entry.name: entry.value
        for entry in importlib.metadata.entry_points(group="console_scripts")
        if entry.dist is not None and entry.dist.name == "clickfunnels-orders"
    }
    assert scripts == {"clickfunnels-orders": "clickfunnels_orders.cli:main"}


def test_the_newest_dated_changelog_section_is_the_version() -> None:
    """The newest released section is the package's version, dated; Unreleased sits above it."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\](.*)$", changelog, flags=re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    released, date = headings[1]
    assert released == version
    assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", date)
