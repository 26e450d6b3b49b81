"""Re-execute chapter notebooks in place, storing their outputs for the book.

Usage: python scripts/execute_notebooks.py book/01_constant_lr.ipynb [...]

The book renders these stored outputs, and `make test` re-executes the notebooks
with nbval and compares against them, so run this after changing `lrlab`.
The kernel runs with LRLAB_PAGE_DATA=1, so explorers also store the data the
page needs (every cell of their tables); widget state is not stored, since
widgets are live only in Jupyter.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, timeout: int = 600) -> float:
    """Execute one notebook in its own folder and write it back; return seconds taken."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=False,
        record_timing=False,
    )
    start = time.perf_counter()
    # The kernel inherits this environment (see lrlab.widgets.PAGE_DATA_ENV).
    os.environ["LRLAB_PAGE_DATA"] = "1"
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        seconds = execute(Path(name))
        print(f"{name}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
