"""Development sessions: ``nox`` runs tests, lint and types; ``nox -s benchmarks`` measures."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "types"]
nox.options.default_venv_backend = "venv"


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def types(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python="3.11")
def benchmarks(session: nox.Session) -> None:
    session.install(".")
    session.run("python", "benchmarks/events.py", *session.posargs)
    session.run("python", "benchmarks/rollup.py", *session.posargs)


@nox.session(python="3.11")
def examples(session: nox.Session) -> None:
    session.install(".")
    session.run("python", "examples/checkout.py")
