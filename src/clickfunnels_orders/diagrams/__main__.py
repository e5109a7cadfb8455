"""``python -m clickfunnels_orders.diagrams``: print the lifecycles page, or one diagram.

A module of its own, so that running it does not re-run the package the library's face
has already imported (``runpy`` warns when it would).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from clickfunnels_orders.diagrams import DIAGRAM_CLASSES, diagram, lifecycles_page


def main(argv: Sequence[str] | None = None) -> int:
    """Print what the arguments ask for; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m clickfunnels_orders.diagrams",
        description=(
            "Print docs/lifecycles.md, generated from the machines; or, given ENTITY, that"
            " entity's Mermaid state diagram."
        ),
    )
    parser.add_argument(
        "entity",
        nargs="?",
        choices=sorted(DIAGRAM_CLASSES),
        metavar="ENTITY",
        help=f"one of {', '.join(sorted(DIAGRAM_CLASSES))} (default: the whole page)",
    )
    parser.add_argument(
        "--set-status", action="store_true", help="also draw the external set_status edges"
    )
    options = parser.parse_args(argv)
    if options.entity is None:
        if options.set_status:
            parser.error("--set-status needs an ENTITY")
        sys.stdout.write(lifecycles_page())
    else:
        sys.stdout.write(diagram(DIAGRAM_CLASSES[options.entity], set_status=options.set_status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
