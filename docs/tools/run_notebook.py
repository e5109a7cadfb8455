"""Execute a notebook from top to bottom; fail on the first cell that raises.

Usage: ``python docs/tools/run_notebook.py NOTEBOOK [OUTPUT]`` (the docs session runs
it on ``docs/analyst.ipynb``). The notebook is stored without outputs; that is checked
first, so a notebook saved with them is refused rather than silently re-run. The
executed copy, outputs and all, is written to OUTPUT when one is given (the site
offers it for download).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

#: Seconds one cell may run.
CELL_TIMEOUT = 120


def stored_outputs(notebook: nbformat.NotebookNode) -> list[int]:
    """Return the 1-based numbers of the code cells stored with outputs or counts."""
    return [
        number
        for number, cell in enumerate(notebook.cells, 1)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


def main(argv: list[str] | None = None) -> int:
    """Execute the notebook; print the failing cell's error and return 1, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("output", type=Path, nargs="?")
    args = parser.parse_args(argv)
    notebook = nbformat.read(args.notebook, as_version=4)  # type: ignore[no-untyped-call]  # nbformat's read and write are not annotated
    nbformat.validate(notebook)
    if stored := stored_outputs(notebook):
        print(f"{args.notebook}: cells {stored} hold outputs; clear them", file=sys.stderr)
        return 1
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(args.notebook.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        print(f"{args.notebook}: {error}", file=sys.stderr)
        return 1
    if args.output is not None:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, args.output)  # type: ignore[no-untyped-call]  # as above
    cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    print(f"{args.notebook}: {cells} code cells ran in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
