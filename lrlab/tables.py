"""Fixed-format text tables for notebook output.

Notebook tables are printed as plain text so that the test suite can compare
every digit the book shows against a fresh execution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def _cell(value: Any, fmt: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return format(value, fmt)


def format_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], formats: str | Sequence[str] = "g"
) -> str:
    """Lay out rows under column headers, numbers right-aligned.

    Parameters
    ----------
    columns : sequence of str
        Column headers.
    rows : iterable of sequences
        One sequence of values per row, as many values as columns.
    formats : str or sequence of str
        Format spec for numbers (e.g. ``".6g"``), one for all columns or one per
        column. Strings are printed as they are; booleans as yes/no.

    Returns
    -------
    str
        The table, one line per row, with a rule under the header.

    Examples
    --------
    >>> print(format_table(["t", "lr"], [[0, 0.1], [10, 0.05]], ["d", ".3f"]))
     t     lr
    --  -----
     0  0.100
    10  0.050
    """
    columns = list(columns)
    fmts = [formats] * len(columns) if isinstance(formats, str) else list(formats)
    if len(fmts) != len(columns):
        raise ValueError(
            f"formats must give one format per column ({len(columns)}), got {len(fmts)}"
        )
    body = []
    for row in rows:
        row = list(row)
        if len(row) != len(columns):
            raise ValueError(f"each row must have {len(columns)} values, got {len(row)}: {row!r}")
        body.append([_cell(v, f) for v, f in zip(row, fmts, strict=True)])
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(line.rstrip() for line in lines)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], formats: str | Sequence[str] = "g"
) -> None:
    """Print :func:`format_table` of the arguments.

    Examples
    --------
    >>> print_table(["x"], [[1.5]])
      x
    ---
    1.5
    """
    print(format_table(columns, rows, formats))
