"""Check a built docs site: it names no CDN, and every lifecycle diagram draws as SVG.

Usage: ``python docs/tools/check_site.py SITE_DIR [--chromium PATH]`` (the docs session
runs it after ``mkdocs build``). Two checks, each failing with what it found:

1. Offline by construction: no page loads a script or a stylesheet from another host,
   and no file of the site names a CDN.
2. Drawn in a browser: the site is served on 127.0.0.1 (a real socket, a free port) and
   every page that holds Mermaid blocks (the lifecycle pages) is opened in headless
   Chromium, driven by playwright. Each block must become an ``<svg>`` of a state
   diagram (not mermaid's error picture), with no script error, and no request may
   leave the site's own origin (any that tries is blocked and reported).
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Error, Page, Route

#: Hosts that serve scripts, styles and fonts to other sites.
CDN_HOSTS = (
    "unpkg.com",
    "cdn.jsdelivr.net",
    "cdnjs.cloudflare.com",
    "ajax.googleapis.com",
    "fonts.googleapis.com",
    "fonts.gstatic.com",
    "code.jquery.com",
    "esm.sh",
    "cdn.skypack.dev",
)
_CDN_URL = re.compile(r"https?://(?:[\w-]+\.)*(?:" + "|".join(map(re.escape, CDN_HOSTS)) + r")\b")
_TEXT_SUFFIXES = {".html", ".js", ".css", ".json", ".xml", ".txt", ".map"}
#: The pages that must draw diagrams, relative to the site: at least these.
LIFECYCLE_PAGES = ("lifecycles/index.html",)
#: How long one page may take to draw all its diagrams (a loaded 2-core machine).
DRAW_TIMEOUT_MS = 60_000


class _Assets(HTMLParser):
    """Collect the URLs a page loads as scripts and stylesheets, and count its diagrams."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.diagrams = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.loads.append(values["src"] or "")
        if tag == "link" and "stylesheet" in (values.get("rel") or "") and values.get("href"):
            self.loads.append(values["href"] or "")
        if tag == "div" and "diagram" in (values.get("class") or "").split():
            self.diagrams += 1


def _parse(page: Path) -> _Assets:
    assets = _Assets()
    assets.feed(page.read_text(encoding="utf-8"))
    return assets


def offline_problems(site: Path) -> list[str]:
    """Return what makes the site depend on another host: off-site loads, CDN URLs."""
    problems: list[str] = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in _TEXT_SUFFIXES:
            continue
        where = path.relative_to(site)
        if path.suffix == ".html":
            problems.extend(
                f"{where}: loads {url} from another host"
                for url in _parse(path).loads
                if re.match(r"(?:https?:)?//", url)
            )
        text = path.read_text(encoding="utf-8", errors="replace")
        problems.extend(
            f"{where}: names the CDN URL {match.group()}" for match in _CDN_URL.finditer(text)
        )
    return problems


def diagram_pages(site: Path) -> dict[str, int]:
    """Return each page holding Mermaid blocks, relative to the site, with their count."""
    counts = {
        path.relative_to(site).as_posix(): _parse(path).diagrams for path in site.rglob("*.html")
    }
    return {page: count for page, count in sorted(counts.items()) if count}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  # the base's name
        """Keep the session's output to what the check finds."""


@contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 at a free port; yield its base URL, stop on exit."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


#: Per diagram: whether it holds an <svg>, and mermaid's name for what that svg draws.
_DRAWN = """() => [...document.querySelectorAll("div.diagram")].map((div) => {
    const svg = div.querySelector("svg");
    return svg === null ? null : (svg.getAttribute("aria-roledescription") || "");
})"""


def _drawing_problems(page: Page, url: str, expected: int) -> list[str]:
    page.goto(url, wait_until="load")
    page.wait_for_function(
        """() => [...document.querySelectorAll("div.diagram")]
            .every((div) => div.querySelector("svg") !== null)""",
        timeout=DRAW_TIMEOUT_MS,
    )
    drawn: list[str | None] = page.evaluate(_DRAWN)
    problems = []
    if len(drawn) != expected:
        problems.append(f"{url}: {len(drawn)} diagrams in the browser, {expected} in the HTML")
    problems.extend(
        f"{url}: diagram {number} drew {kind!r}, not a state diagram"
        for number, kind in enumerate(drawn, 1)
        if kind is None or not kind.startswith("stateDiagram")
    )
    return problems


def browser_problems(site: Path, chromium: Path) -> tuple[list[str], int]:
    """Open every diagram page in headless Chromium; return the problems and the SVG count."""
    # Imported here: the static checks above run (and are tested) without playwright.
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  # see above

    pages = diagram_pages(site)
    problems = [f"{page}: no diagram" for page in LIFECYCLE_PAGES if page not in pages]
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        try:
            for relative, expected in pages.items():
                page = browser.new_page()
                errors: list[str] = []

                def script_error(error: Error, errors: list[str] = errors) -> None:
                    errors.append(f"script error: {error.message}")

                def only_the_site(route: Route, errors: list[str] = errors) -> None:
                    if route.request.url.startswith(base):
                        route.continue_()
                    else:
                        errors.append(f"requested {route.request.url}")
                        route.abort()

                page.on("pageerror", script_error)
                page.route("**/*", only_the_site)
                problems.extend(_drawing_problems(page, base + relative, expected))
                problems.extend(f"{relative}: {error}" for error in errors)
                page.close()
        finally:
            browser.close()
    return problems, sum(pages.values())


def main(argv: list[str] | None = None) -> int:
    """Run both checks on the site; print what is wrong and return 1, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs' site_dir)")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = parser.parse_args(argv)
    problems = offline_problems(args.site)
    drawn_problems, drawn = browser_problems(args.site, args.chromium)
    problems.extend(drawn_problems)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    pages = len(diagram_pages(args.site))
    print(f"site check: no CDN; {drawn} diagrams drawn as SVG on {pages} page(s) in Chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
