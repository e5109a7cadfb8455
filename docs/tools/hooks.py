"""MkDocs hooks of the docs site (``hooks:`` in mkdocs.yml).

Before the build, refuse to go on without the vendored mermaid (the diagrams would not
draw, and the theme would fetch mermaid from a CDN instead). On each page, show the
docstrings' Sphinx roles (``:class:`Change```) as the plain code they name. After the
build, take the theme's CDN fallbacks out of its script bundle, so the site names no
CDN script at all.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: Where the docs session puts mermaid's ``dist/mermaid.min.js`` (not committed).
VENDORED_MERMAID = Path("javascripts") / "vendor" / "mermaid.min.js"
#: A script URL on a CDN host, as the theme's bundle names its fallbacks.
_CDN_SCRIPT = re.compile(r'"https://unpkg\.com/[^"]*"')
#: A Sphinx role before a code span, as mkdocstrings renders ``:class:`Change```.
_ROLE = re.compile(r":(?:attr|class|data|exc|func|meth|mod|obj):(?=<code>)")
#: An empty script: what a fallback loads instead.
_INERT = '"data:text/javascript,"'


def on_pre_build(config: Any, **_: Any) -> None:
    """Fail the build, saying how to get it, when the vendored mermaid is missing."""
    # Imported here: the other hooks run (and are tested) without mkdocs.
    from mkdocs.exceptions import PluginError  # noqa: PLC0415  # see above

    if not (Path(config["docs_dir"]) / VENDORED_MERMAID).is_file():
        msg = (
            f"docs/{VENDORED_MERMAID.as_posix()} is missing: `nox -s docs` brings it from the"
            " npm registry's mermaid package"
        )
        raise PluginError(msg)


def on_page_content(html: str, **_: Any) -> str:
    """Drop the Sphinx role before each code span of the page (the docstrings use them)."""
    return _ROLE.sub("", html)


def on_post_build(config: Any, **_: Any) -> None:
    """Replace the theme bundle's CDN fallback scripts by an empty one; drop its source maps.

    The theme loads mermaid from unpkg for ``pre.mermaid`` blocks (ours are
    ``div.diagram``, drawn by ``javascripts/diagrams.js``) and a ResizeObserver polyfill
    for browsers without one (none that runs mermaid 11): neither loader runs here.
    """
    scripts = Path(config["site_dir"]) / "assets" / "javascripts"
    for bundle in scripts.glob("bundle.*.min.js"):
        text = bundle.read_text(encoding="utf-8")
        bundle.write_text(_CDN_SCRIPT.sub(_INERT, text), encoding="utf-8")
    for source_map in scripts.glob("**/*.map"):
        source_map.unlink()
