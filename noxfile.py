"""The project's gates, defined once: ``nox`` runs them all, ``.ci/run`` runs ``nox``.

Sessions: ``tests`` on every Python the classifiers name, against the built wheel;
``coverage`` with its floor; ``lint``; ``types``; smoke runs of ``examples`` and
``benchmarks``; ``docs``, the site built with warnings as errors, its notebook executed
and its diagrams drawn in headless Chromium. A Python that is not installed is reported
as skipped, not failed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import tarfile
import tomllib
from pathlib import Path

import nox

nox.needs_version = ">=2025.5.1"
nox.options.sessions = ["tests", "coverage", "lint", "types", "examples", "benchmarks", "docs"]
nox.options.default_venv_backend = "uv|venv"
# Skip, and say so, rather than fail when a Python is missing (nox would fail on CI).
nox.options.error_on_missing_interpreters = False
# Use the interpreters the machine has; never download one.
nox.options.download_python = "never"

PYPROJECT = tomllib.loads(Path("pyproject.toml").read_text(encoding="utf-8"))
#: Every Python the classifiers name, oldest first: the tests run on each.
PYTHONS = [
    classifier.rsplit(" ", 1)[-1]
    for classifier in PYPROJECT["project"]["classifiers"]
    if classifier.startswith("Programming Language :: Python :: 3.")
]
#: The ``dask`` extra's requirements: the Dask example and the scale benchmark need them.
DASK = PYPROJECT["project"]["optional-dependencies"]["dask"]
#: The Python of the single-run sessions: the oldest supported, the README's.
PYTHON = PYTHONS[0]

#: The docs site's mermaid: the npm registry's package, pinned, checked against npm's
#: integrity hash (``npm view mermaid@VERSION dist.integrity``) before it is used.
MERMAID = "mermaid@11.17.2"
MERMAID_INTEGRITY = (
    "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7"
    "LoaRQxULMa80/qt5gHO73aCleBBg=="
)
#: Where mkdocs.yml expects it (not committed: .gitignore).
MERMAID_JS = Path("docs/javascripts/vendor/mermaid.min.js")
#: Debian's Chromium, which the site check drives (playwright downloads no browser).
CHROMIUM = Path("/usr/bin/chromium")

_wheels: list[Path] = []


def _install(session: nox.Session, *args: str) -> None:
    """Install into the session, with a pip new enough for ``--group`` (pip 25.1+)."""
    if session.venv_backend != "uv":
        session.install("--quiet", "--upgrade", "pip>=25.1")
    session.install(*args)


def _wheel(session: nox.Session) -> str:
    """Return the path of the project's wheel, built once per nox run."""
    if not _wheels:
        # One directory per nox process: .ci/run runs two nox processes side by side.
        out = Path(session.cache_dir) / f"wheel-{os.getpid()}"
        shutil.rmtree(out, ignore_errors=True)
        if session.venv_backend == "uv":
            # nox's own uv: it may sit beside nox rather than in the session.
            session.run("uv", "build", "--wheel", "--quiet", "--out-dir", str(out), external=True)
        else:
            session.run("python", "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), ".")
        _wheels.extend(out.glob("*.whl"))
    (wheel,) = _wheels
    return str(wheel)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite against the installed wheel (not the source tree)."""
    _install(session, _wheel(session), "--group", "tests")
    session.run("python", "-c", "import clickfunnels_orders as p; print('testing', p.__file__)")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=PYTHON)
def coverage(session: nox.Session) -> None:
    """Measure branch coverage of the package; fail under ``fail_under`` in pyproject."""
    _install(session, "-e", ".", "--group", "tests")
    session.env["HYPOTHESIS_PROFILE"] = "coverage"  # fixed examples: a reproducible figure
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "report")


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """Check the code with the pinned ruff: lint rules, then formatting."""
    _install(session, "--group", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=PYTHON)
def types(session: nox.Session) -> None:
    """Type-check everything (``mypy --strict``, files from pyproject) with the pinned mypy."""
    _install(session, "-e", ".", "--group", "types")
    session.run("mypy")


@nox.session(python=PYTHON)
def examples(session: nox.Session) -> None:
    """Run every example against the installed wheel; their output shows only on failure."""
    _install(session, _wheel(session), *DASK)
    for example in sorted(Path("examples").glob("*.py")):
        session.run("python", str(example), silent=True)


@nox.session(python=PYTHON)
def benchmarks(session: nox.Session) -> None:
    """Smoke-run every benchmark (``--quick``); full runs are plain programs, see the README."""
    _install(session, _wheel(session), *DASK, "--group", "benchmarks")
    for benchmark in sorted(Path("benchmarks").glob("*.py")):
        session.run("python", str(benchmark), "--quick")


def _mermaid(session: nox.Session) -> None:
    """Put mermaid's ``dist/mermaid.min.js`` where the site expects it, from the npm registry."""
    cache = Path(session.cache_dir) / "npm"
    tarball = cache / (MERMAID.replace("@", "-") + ".tgz")
    if not tarball.exists():
        cache.mkdir(parents=True, exist_ok=True)
        session.run(
            "npm", "pack", MERMAID, "--silent", "--pack-destination", str(cache), external=True
        )
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != MERMAID_INTEGRITY:
        tarball.unlink()
        session.error(f"{tarball.name}: got sha512-{digest}, expected {MERMAID_INTEGRITY}")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/dist/mermaid.min.js")
        if member is None:
            session.error(f"{tarball.name} holds no package/dist/mermaid.min.js")
        MERMAID_JS.parent.mkdir(parents=True, exist_ok=True)
        MERMAID_JS.write_bytes(member.read())


def _chromium(session: nox.Session) -> None:
    """Install Debian's ``chromium`` when it is missing (CI runs as root)."""
    if CHROMIUM.exists():
        return
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=env)
    session.run("apt-get", "install", "-y", "-qq", "chromium", external=True, env=env)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the site (``mkdocs build --strict``), run its notebook, draw its diagrams."""
    _install(session, _wheel(session), "--group", "docs")
    _mermaid(session)
    _chromium(session)
    session.env["NO_MKDOCS_2_WARNING"] = "1"  # the theme's banner about its successor
    site = Path("site")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site))
    session.run(
        "python", "docs/tools/run_notebook.py", "docs/analyst.ipynb", str(site / "analyst.ipynb")
    )
    session.run("python", "docs/tools/check_site.py", str(site), "--chromium", str(CHROMIUM))
