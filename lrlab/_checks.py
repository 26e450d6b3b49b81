"""Argument checks shared by the modules: a clear ValueError or the cleaned value.

Every message names the parameter, the value given and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np


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


def _same(value: Any, option: Any) -> bool:
    """Whether ``value`` is ``option``: strings, booleans and numbers never stand for each other."""
    if isinstance(option, str) or isinstance(option, bool):
        return type(value) is type(option) and value == option
    if isinstance(option, numbers.Real):
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        return real and value == option
    return bool(value == option)


def check_choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """``value`` if it is one of ``options`` (compared by type and value), else a ValueError.

    A boolean is not taken for the number 1 or 0, nor a number for its string.

    Examples
    --------
    >>> check_choice("mode", "triangular", ("triangular", "exp_range"))
    'triangular'
    >>> check_choice("mode", "linear", ("triangular", "exp_range"))
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'triangular', 'exp_range', got 'linear'
    """
    for option in options:
        if _same(value, option):
            return option
    allowed = ", ".join(repr(option) for option in options)
    raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False`` (NumPy booleans too), else a ValueError.

    Strings such as ``"False"`` are refused instead of being read by truthiness.

    Examples
    --------
    >>> check_bool("logy", False)
    False
    >>> check_bool("logy", "False")
    Traceback (most recent call last):
    ...
    ValueError: logy must be True or False, got 'False'
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {value!r}")
