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


def rounded(value: Any, fmt: str = ".4g") -> float | int:
    """``value`` as a reader sees it: formatted with ``fmt``, then read back.

    Glue this instead of a raw float. A glued number is stored in the notebook
    and compared exactly by the test suite, and the last bits of a computed
    float can differ from one CPU to another; the rounded number does not.

    Parameters
    ----------
    value : float or int
        The computed number.
    fmt : str, default ".4g"
        The format spec the prose uses for it (``".4f"``, ``".2e"``, ``"d"``, ``","`` …).

    Returns
    -------
    float or int
        An int for integer formats (``"d"``, ``","``), a float otherwise.

    Examples
    --------
    >>> rounded(0.020277529249244308, ".4f")
    0.0203
    >>> rounded(300000, ",")
    300000
    """
    text = format(value, fmt).replace(",", "").replace("_", "")
    if fmt.endswith("%"):
        return float(text[:-1] + "e-2")
    if fmt.endswith(("d", ",")):
        return int(text)
    return float(text)


def agreement(a: Any, b: Any, rtol: float = 0.0) -> str:
    """How closely two computations agree, as a statement true on every machine.

    With ``rtol = 0`` the two must be bitwise equal and the answer is
    ``"exact"``; otherwise the largest relative difference must be at most
    ``rtol`` and the answer is the bound, e.g. ``"≤ 1e-15"``. A raw ulp-level
    difference is never printed: it depends on the CPU's vector instructions.

    Parameters
    ----------
    a, b : array_like
        The two results, of equal shape.
    rtol : float, default 0.0
        Largest allowed ``|a - b| / max(|b|, tiny)``, >= 0.

    Returns
    -------
    str

    Raises
    ------
    AssertionError
        If the results differ by more than ``rtol``: the claim the table makes
        would be false.

    Examples
    --------
    >>> agreement([1.0, 2.0], [1.0, 2.0])
    'exact'
    >>> agreement([1.0], [1.0 + 2e-16], rtol=1e-15)
    '≤ 1e-15'
    """
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"a and b must have the same shape, got {x.shape} and {y.shape}")
    if not rtol >= 0:
        raise ValueError(f"rtol must be a number >= 0, got {rtol!r}")
    same = (x == y) | (np.isnan(x) & np.isnan(y))
    if rtol == 0:
        if not same.all():
            raise AssertionError("the two results are not bitwise equal")
        return "exact"
    scale = np.maximum(np.abs(y), np.finfo(np.float64).tiny)
    worst = float(np.max(np.where(same, 0.0, np.abs(x - y) / scale), initial=0.0))
    if not worst <= rtol:
        raise AssertionError(f"the two results differ by {worst:.3g} relative, more than {rtol:g}")
    return f"≤ {rtol:.0e}".replace("e-0", "e-")
