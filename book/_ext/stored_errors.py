"""Sphinx extension: a notebook stored with an error output fails the strict build.

The book renders the outputs stored in the notebooks (it does not execute them),
so a cell that raised when the notebook was last executed would otherwise be
published as a traceback. This extension reports each such cell as a build
warning carrying the cell's source and traceback; with ``-W`` the build fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def stored_errors(path: Path) -> list[str]:
    """Describe every error output stored in the notebook at ``path``.

    Examples
    --------
    >>> import tempfile
    >>> nb = {"cells": [{"cell_type": "code", "source": "1/0", "outputs": [
    ...     {"output_type": "error", "ename": "ZeroDivisionError",
    ...      "evalue": "division by zero", "traceback": ["Traceback ..."]}]}]}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False) as f:
    ...     json.dump(nb, f)
    >>> stored_errors(Path(f.name))[0].splitlines()[0]
    'cell 1 raised ZeroDivisionError: division by zero'
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(nb.get("cells", []), start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            source = "".join(cell.get("source", ""))
            trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
            found.append(
                f"cell {index} raised {out.get('ename')}: {out.get('evalue')}\n"
                f"--- cell source ---\n{source}\n--- traceback ---\n{trace}"
            )
    return found


def _check(app: Sphinx, docname: str, _source: list[str]) -> None:
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return
    for message in stored_errors(path):
        logger.warning(
            "stored notebook output is an error (re-run `make notebooks`): %s",
            message,
            location=docname,
        )


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _check)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
