"""Argument checks shared by every module: the cleaned value, or a clear ValueError.

Every message has one shape, ``NAME must be ALLOWED, got VALUE``: the
parameter, what it may be, and the value given. The rules are the same
everywhere:

- NumPy integer and float scalars count as numbers, and a float holding a
  whole number (``1e4``, ``np.float64(100.0)``) counts as an integer;
- booleans are never numbers, and only ``True``/``False`` (or NumPy's) are
  booleans: the string ``"False"`` is refused;
- sequences of integers may be lists, tuples, ranges or 1-D NumPy arrays.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "MAX_LR",
    "check_at_most",
    "check_bool",
    "check_choice",
    "check_instance",
    "check_int",
    "check_int_sequence",
    "check_lr",
    "check_number",
    "check_positive",
    "check_sequence",
    "check_vector",
    "shown",
]

# Largest learning rate accepted. Schedule formulas form intermediates up to
# twice a learning rate (``(peak - floor) * (1 + cos)``), so any bound well below
# half the largest float64 keeps every intermediate finite; 1e300 is round.
MAX_LR = 1e300

_INTERVALS = {True: "[]", False: "()", "[]": "[]", "[)": "[)", "(]": "(]", "()": "()"}


def shown(value: Any) -> str:
    """``repr`` of a value as a reader would type it (NumPy scalars as plain numbers).

    Examples
    --------
    >>> shown(np.float64(0.5)), shown("x")
    ('0.5', "'x'")
    """
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def _as_float(value: Any) -> float:
    """``value`` as a float, or NaN if it is not a real number (or too large for a float)."""
    if _is_bool(value) or not isinstance(value, numbers.Real):
        return math.nan
    try:
        return float(value)
    except OverflowError:
        return math.nan


def _as_int(value: Any) -> int | None:
    """``value`` as an int if it is an integer or a float holding a whole number."""
    if _is_bool(value):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    number = _as_float(value)
    if math.isfinite(number) and number.is_integer():
        return int(number)
    return None


def _int_text(n: int) -> str:
    """An integer bound as a reader takes it in: ``2**53`` rather than 9007199254740992."""
    if n >= 2**32 and n & (n - 1) == 0:
        return f"2**{n.bit_length() - 1}"
    if n >= 2**32 and (n + 1) & n == 0:
        return f"2**{n.bit_length()} - 1"
    return str(n)


def check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """``value`` as an int in ``[low, high]`` (no upper bound when ``high`` is None).

    Examples
    --------
    >>> check_int("steps", 3, 1), check_int("steps", 1e4, 1), check_int("steps", np.int32(3), 1)
    (3, 10000, 3)
    >>> check_int("steps", 0, 1)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer >= 1, got 0
    >>> check_int("steps", True, 1, 2**53)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [1, 2**53], got True
    """
    allowed = f">= {low}" if high is None else f"in [{low}, {_int_text(high)}]"
    number = _as_int(value)
    if number is None or number < low or (high is not None and number > high):
        raise ValueError(f"{name} must be an integer {allowed}, got {shown(value)}")
    return number


def check_number(
    name: str, value: Any, low: float, high: float, closed: bool | str = True
) -> float:
    """``value`` as a finite float between ``low`` and ``high``.

    ``closed`` says which ends belong to the interval: ``True`` (``"[]"``),
    ``False`` (``"()"``), ``"[)"`` or ``"(]"``. ``high = math.inf`` leaves only
    the lower bound; infinity itself is refused, and the message shows the
    interval open at ``inf``.

    Examples
    --------
    >>> check_number("pct", 0.3, 0, 1, closed=False)
    0.3
    >>> check_number("pct", 1, 0, 1, closed=False)
    Traceback (most recent call last):
    ...
    ValueError: pct must be a number in (0, 1), got 1
    >>> check_number("momentum", np.float32(0.5), 0, 1, "[)")
    0.5
    >>> check_number("peak", math.inf, 0, math.inf)
    Traceback (most recent call last):
    ...
    ValueError: peak must be a number in [0, inf), got inf
    """
    if closed not in _INTERVALS:
        raise ValueError(f"closed must be True, False, '[]', '[)', '(]' or '()', got {closed!r}")
    left, right = _INTERVALS[closed][0], _INTERVALS[closed][1]
    if high == math.inf:
        right = ")"
    if low == -math.inf:
        left = "("
    number = _as_float(value)
    above = low < number if left == "(" else low <= number
    below = number < high if right == ")" else number <= high
    if not (math.isfinite(number) and above and below):
        interval = f"{left}{low:g}, {high:g}{right}"
        raise ValueError(f"{name} must be a number in {interval}, got {shown(value)}")
    return number


def check_positive(name: str, value: Any) -> float:
    """``value`` as a finite float > 0.

    Examples
    --------
    >>> check_positive("gamma", 0)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be a number in (0, inf), got 0
    """
    return check_number(name, value, 0.0, math.inf, closed=False)


def check_vector(name: str, value: Any, dim: int | None = None) -> np.ndarray:
    """``value`` as a read-only, finite, non-empty 1-D float64 array.

    With ``dim`` a scalar is repeated ``dim`` times, and the length must be ``dim``.

    Examples
    --------
    >>> check_vector("h", [1, 2]).tolist(), check_vector("theta0", 0.5, dim=2).tolist()
    ([1.0, 2.0], [0.5, 0.5])
    >>> check_vector("h", [1.0, float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: h must be a non-empty 1-D array of finite numbers, got [1.0, nan]
    """
    allowed = "a non-empty 1-D array of finite numbers"
    if dim is not None:
        allowed += f" with {dim} entries (one per coordinate), or one number"
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        arr = np.array([np.nan])
    if isinstance(value, bool | np.bool_) or (
        isinstance(value, np.ndarray | list | tuple) and np.asarray(value).dtype.kind == "b"
    ):
        arr = np.array([np.nan])
    if dim is not None and arr.ndim == 0:
        arr = np.full(dim, float(arr))
    ok = arr.ndim == 1 and arr.size > 0 and (dim is None or arr.size == dim)
    if not (ok and np.all(np.isfinite(arr))):
        raise ValueError(f"{name} must be {allowed}, got {shown(value)}")
    arr.setflags(write=False)
    return arr


def check_lr(name: str, value: Any) -> float:
    """``value`` as a learning rate: a float in ``[0, MAX_LR]``.

    Examples
    --------
    >>> check_lr("peak", 3e-4)
    0.0003
    >>> check_lr("peak", -1)
    Traceback (most recent call last):
    ...
    ValueError: peak must be a learning rate in [0, 1e+300], got -1
    """
    number = _as_float(value)
    if not 0.0 <= number <= MAX_LR:
        raise ValueError(f"{name} must be a learning rate in [0, {MAX_LR:g}], got {shown(value)}")
    return number


def check_at_most(name: str, value: float, bound_name: str, bound: float) -> float:
    """``value`` if it does not exceed ``bound`` (another parameter, named in the message).

    Examples
    --------
    >>> check_at_most("end", 0.002, "start", 0.001)
    Traceback (most recent call last):
    ...
    ValueError: end must be in [0, start] = [0, 0.001], got 0.002
    """
    if value > bound:
        raise ValueError(f"{name} must be in [0, {bound_name}] = [0, {bound!r}], got {value!r}")
    return value


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False`` (a NumPy boolean becomes a ``bool``).

    Examples
    --------
    >>> check_bool("three_phase", np.True_)
    True
    >>> check_bool("three_phase", "False")
    Traceback (most recent call last):
    ...
    ValueError: three_phase must be True or False, got 'False'
    """
    if not _is_bool(value):
        raise ValueError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def _same(value: Any, option: Any) -> bool:
    """Whether ``value`` is ``option``: strings, booleans and numbers never stand for each other."""
    if isinstance(option, str) or _is_bool(option):
        return type(value) is type(option) and value == option
    if isinstance(option, numbers.Real):
        return not _is_bool(value) and isinstance(value, numbers.Real) and value == option
    return bool(value == option)


def check_choice(name: str, value: Any, options: Sequence[Any]) -> Any:
    """``value`` if it is one of ``options``: strings, or numbers and booleans (an explorer's menu).

    A string matches only a string, a boolean only a boolean, and a number any
    equal number (NumPy's too), never a boolean or a string.

    Examples
    --------
    >>> check_choice("anneal", "cosine", ("cos", "linear"))
    Traceback (most recent call last):
    ...
    ValueError: anneal must be one of 'cos', 'linear', got 'cosine'
    >>> check_choice("beta2", np.float64(0.95), (0.9, 0.95))
    0.95
    """
    for option in options:
        if _same(value, option):
            return option
    valid = ", ".join(repr(option) for option in options)
    raise ValueError(f"{name} must be one of {valid}, got {shown(value)}")


def check_instance(name: str, value: Any, kind: type, allowed: str) -> Any:
    """``value`` if it is an instance of ``kind``; ``allowed`` describes it in the message.

    Examples
    --------
    >>> check_instance("task", None, dict, "a dict")
    Traceback (most recent call last):
    ...
    ValueError: task must be a dict, got None
    """
    if not isinstance(value, kind):
        raise ValueError(f"{name} must be {allowed}, got {shown(value)}")
    return value


def check_sequence(
    name: str, value: Any, allowed: str, *, min_len: int = 0, max_len: int | None = None
) -> tuple[Any, ...]:
    """The items of a list, tuple, range or 1-D NumPy array, as a tuple.

    ``allowed`` describes the sequence in the message; its length must be in
    ``[min_len, max_len]``. The items themselves are the caller's to check.

    Examples
    --------
    >>> check_sequence("pairs[0]", [0.1, 1.0], "a (start, end) pair", min_len=2, max_len=2)
    (0.1, 1.0)
    >>> check_sequence("schedules", "cosine", "a sequence of Schedule objects")
    Traceback (most recent call last):
    ...
    ValueError: schedules must be a sequence of Schedule objects, got 'cosine'
    """
    if isinstance(value, np.ndarray):
        ok = value.ndim == 1
        items: tuple[Any, ...] = tuple(value.tolist()) if ok else ()
    else:
        ok = isinstance(value, Sequence) and not isinstance(value, str | bytes)
        items = tuple(value) if ok else ()
    if not ok or len(items) < min_len or (max_len is not None and len(items) > max_len):
        raise ValueError(f"{name} must be {allowed}, got {shown(value)}")
    return items


def check_int_sequence(
    name: str, value: Any, low: int, high: int | None = None, *, min_len: int = 0
) -> tuple[int, ...]:
    """A list, tuple, range or 1-D NumPy array of integers in ``[low, high]``, as a tuple.

    Examples
    --------
    >>> check_int_sequence("milestones", np.array([30, 60]), 0)
    (30, 60)
    >>> check_int_sequence("seeds", 3, 0, min_len=1)
    Traceback (most recent call last):
    ...
    ValueError: seeds must be a sequence of integers >= 0 (at least 1), got 3
    >>> check_int_sequence("seeds", [0, -1], 0)
    Traceback (most recent call last):
    ...
    ValueError: seeds[1] must be an integer >= 0, got -1
    """
    allowed = f">= {low}" if high is None else f"in [{low}, {_int_text(high)}]"
    what = f"a sequence of integers {allowed}" + (f" (at least {min_len})" if min_len else "")
    items = check_sequence(name, value, what, min_len=min_len)
    return tuple(check_int(f"{name}[{i}]", item, low, high) for i, item in enumerate(items))
