"""The command line, ``clickfunnels-orders`` (and ``python -m clickfunnels_orders``).

Needs the ``cli`` extra (``pip install "clickfunnels-orders[cli]"``: click and rich).
Without it, :func:`main` says so and exits with status 2 instead of a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

#: The packages of the ``cli`` extra.
_EXTRA = frozenset({"click", "rich"})


def main() -> None:
    """Run the command line (the console script's entry point)."""
    try:
        from clickfunnels_orders.cli._commands import main as commands  # noqa: PLC0415  because a missing extra must be reported, not raised at import
    except ModuleNotFoundError as error:
        if error.name not in _EXTRA:
            raise
        sys.stderr.write(
            f"clickfunnels-orders: the command line needs {error.name}: install it with"
            ' python -m pip install "clickfunnels-orders[cli]"\n'
        )
        sys.exit(2)
    commands(prog_name="clickfunnels-orders")
