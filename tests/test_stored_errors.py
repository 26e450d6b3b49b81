"""A notebook stored with an error output must fail the strict book build."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from stored_errors import stored_errors  # noqa: E402


def _notebook(tmp_path, outputs):
    path = tmp_path / "nb.ipynb"
    cell = {"cell_type": "code", "source": ["x = 1\n", "1 / 0"], "outputs": outputs}
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": "# t"}, cell]}))
    return path


def test_error_output_is_reported_with_source_and_traceback(tmp_path):
    error = {
        "output_type": "error",
        "ename": "ZeroDivisionError",
        "evalue": "division by zero",
        "traceback": ["\x1b[31mZeroDivisionError\x1b[0m: division by zero"],
    }
    (message,) = stored_errors(_notebook(tmp_path, [error]))
    assert message.startswith("cell 2 raised ZeroDivisionError: division by zero")
    assert "x = 1\n1 / 0" in message
    assert "\x1b" not in message


def test_clean_notebook_has_nothing_to_report(tmp_path):
    assert stored_errors(_notebook(tmp_path, [{"output_type": "stream", "text": "ok"}])) == []


def test_the_book_notebooks_have_no_stored_errors():
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        assert stored_errors(path) == [], path.name
