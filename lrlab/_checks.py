"""Argument checks shared by the modules: a clear ValueError or the cleaned value.

Every message names the parameter, the value given and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from typing import Any


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]`` (no upper bound when ``high`` is None).

    Examples
    --------
    >>> check_int("steps", 3, 1)
    3
    >>> check_int("steps", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer >= 1, got 0
    """
    allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def check_number(name: str, value: Any, low: float, high: float, closed: bool = True) -> float:
    """``value`` as a finite float in ``[low, high]`` (``(low, high)`` when not ``closed``).

    ``high = math.inf`` leaves only the lower bound; infinity itself is refused,
    and the message shows the interval open at ``inf``.

    Examples
    --------
    >>> check_number("pct", 0.3, 0, 1, closed=False)
    0.3
    >>> check_number("pct", 1, 0, 1, closed=False)
    Traceback (most recent call last):
    ...
    ValueError: pct must be a number in (0, 1), got 1
    >>> check_number("peak", math.inf, 0, math.inf)
    Traceback (most recent call last):
    ...
    ValueError: peak must be a number in [0, inf), got inf
    """
    left, right = ("[", "]") if closed else ("(", ")")
    if high == math.inf:
        right = ")"
    interval = f"{left}{low:g}, {high:g}{right}"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    number = float(value) if ok else math.nan
    inside = low <= number <= high if closed else low < number < high
    if not (ok and math.isfinite(number) and inside):
        raise ValueError(f"{name} must be a number in {interval}, got {value!r}")
    return number
