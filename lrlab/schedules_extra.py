"""Schedule families and combinators that other frameworks need and lrlab's core lacked.

Each one exists because a peer framework has it and :mod:`lrlab.interop`
needs it to translate that framework's schedule exactly:

- :class:`shift` runs a schedule ahead in time (timm's cosine that does not
  restart after its warmup; HF's ``cosine_warmup_with_min_lr``, one step ahead);
- :class:`clip` bounds a schedule (optax's ``end_value``);
- :class:`product` multiplies schedules (torch's ``ChainedScheduler``);
- :class:`exponential_rate` decays by ``rate`` every ``decay_steps`` (Keras and
  optax ``exponential_decay``, continuous or staircase);
- :class:`inverse_time` is ``start / (1 + rate t / decay_steps) ** power``
  (Keras ``InverseTimeDecay``; HF ``inverse_sqrt`` with ``power=0.5``);
- :class:`cosine_cycles` is SGDR with a per-cycle peak multiplier and a cycle
  limit (timm ``CosineLRScheduler``, Keras ``CosineDecayRestarts``);
- :class:`phases` anneals between values over fractions of the run (fastai's
  ``combine_scheds``, behind ``fit_one_cycle``, ``fit_flat_cos``, ``fit_sgdr``).

They follow :mod:`lrlab.schedules`: immutable, vectorised, validated, and
their repr is a call that rebuilds them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from lrlab._checks import check_int, check_number
from lrlab.schedules import Schedule

__all__ = [
    "clip",
    "cosine_cycles",
    "exponential_rate",
    "inverse_time",
    "phases",
    "product",
    "shift",
]

_DECAY_OF = ("peak", "amplitude")
_PHASE_SHAPES = ("cos", "linear")


def _schedule(name: str, value: Any) -> Schedule:
    if not isinstance(value, Schedule):
        raise ValueError(f"{name} must be an lrlab Schedule, got {value!r}")
    return value


def _rate(name: str, value: Any) -> float:
    return check_number(name, value, 0.0, math.inf)


def _count(name: str, value: Any, low: int) -> int:
    """:func:`check_int` that also takes a whole float such as ``1e4``."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_int(name, value, low)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _unit(name: str, value: Any) -> float:
    """A number in ``(0, 1]``."""
    number = check_number(name, value, 0.0, 1.0)
    if number == 0.0:
        raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
    return number


def _choice(name: str, value: Any, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        valid = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {valid}, got {value!r}")
    return value


class shift(Schedule):
    """Run ``schedule`` ``steps`` updates ahead: ``s(t) = schedule(t + steps)``.

    Parameters
    ----------
    schedule : Schedule
        The schedule to advance.
    steps : int
        How far ahead, >= 0.

    Examples
    --------
    >>> from lrlab import linear_decay
    >>> shift(linear_decay(1.0, 0.0, 4), 1)([0, 3]).tolist()
    [0.75, 0.0]
    """

    schedule: Schedule
    steps: int

    _fields = ("schedule", "steps")

    def __init__(self, schedule: Schedule, steps: int) -> None:
        inner = _schedule("schedule", schedule)
        ahead = _count("steps", steps, 0)
        total = inner.total_steps
        self._set(
            schedule=inner,
            steps=ahead,
            total_steps=None if total is None else max(total - ahead, 1),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.schedule._eval(t + self.steps)


class clip(Schedule):
    """Bound a schedule: ``min(max(schedule(t), low), high)``.

    Parameters
    ----------
    schedule : Schedule
        The schedule to bound.
    low : float, default 0.0
        Lower bound, finite and >= 0.
    high : float, optional
        Upper bound, >= ``low``; ``None`` for none.

    Examples
    --------
    >>> from lrlab import exponential
    >>> clip(exponential(1.0, 0.5), low=0.2)([0, 1, 2, 3]).tolist()
    [1.0, 0.5, 0.25, 0.2]
    """

    schedule: Schedule
    low: float
    high: float | None

    _fields = ("schedule", "low", "high")

    def __init__(self, schedule: Schedule, low: float = 0.0, high: float | None = None) -> None:
        low_f = _rate("low", low)
        high_f = None if high is None else check_number("high", high, low_f, math.inf)
        inner = _schedule("schedule", schedule)
        self._set(schedule=inner, low=low_f, high=high_f, total_steps=inner.total_steps)

    def _eval(self, t: np.ndarray) -> np.ndarray:
        out = np.maximum(self.schedule._eval(t), self.low)
        if self.high is not None:
            np.minimum(out, self.high, out=out)
        return out


class product(Schedule):
    """Multiply schedules step by step, like torch's ``ChainedScheduler``.

    Write all but one factor with a start of 1.0 so the product keeps the
    other's scale. ``total_steps`` is the longest of the factors' (``None`` if
    every factor is open-ended).

    Parameters
    ----------
    schedules : sequence of Schedule
        At least two schedules.

    Examples
    --------
    >>> from lrlab import exponential, multistep
    >>> s = product([multistep(0.1, [2], 10.0), exponential(1.0, 0.5)])
    >>> s([0, 1, 2, 3]).tolist()
    [0.1, 0.05, 0.25, 0.125]
    """

    schedules: tuple[Schedule, ...]

    _fields = ("schedules",)

    def __init__(self, schedules: Sequence[Schedule]) -> None:
        parts = tuple(schedules) if isinstance(schedules, Sequence) else ()
        if len(parts) < 2 or not all(isinstance(part, Schedule) for part in parts):
            raise ValueError(
                f"schedules must be a sequence of at least two Schedule objects, got {schedules!r}"
            )
        ends = [part.total_steps for part in parts if part.total_steps is not None]
        self._set(schedules=parts, total_steps=max(ends) if ends else None)

    def _eval(self, t: np.ndarray) -> np.ndarray:
        out = self.schedules[0]._eval(t).copy()
        for part in self.schedules[1:]:
            out *= part._eval(t)
        return out


class exponential_rate(Schedule):
    """Multiply by ``rate`` every ``decay_steps`` steps: ``start * rate ** (t / decay_steps)``.

    With ``staircase=True`` the exponent is ``t // decay_steps``. This is
    Keras's ``ExponentialDecay`` and optax's ``exponential_decay`` (computed in
    their operation order); ``rate > 1`` grows. Open-ended.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``, finite and >= 0.
    rate : float
        Factor per ``decay_steps`` steps, > 0.
    decay_steps : int
        Steps per factor of ``rate``, >= 1.
    staircase : bool, default False

    Examples
    --------
    >>> exponential_rate(0.1, 0.5, 10)([0, 10, 20]).tolist()
    [0.1, 0.05, 0.025]
    >>> exponential_rate(0.1, 0.5, 10, staircase=True)(19)
    0.05
    """

    start: float
    rate: float
    decay_steps: int
    staircase: bool

    _fields = ("start", "rate", "decay_steps")
    _extras: ClassVar[dict[str, Any]] = {"staircase": False}

    def __init__(
        self, start: float, rate: float, decay_steps: int, staircase: bool = False
    ) -> None:
        self._set(
            start=_rate("start", start),
            rate=check_number("rate", rate, 0.0, math.inf, closed=False),
            decay_steps=_count("decay_steps", decay_steps, 1),
            staircase=_flag("staircase", staircase),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.start * np.float_power(self.rate, p)


class inverse_time(Schedule):
    """Inverse-time decay: ``start / (1 + rate * t / decay_steps) ** power``.

    ``power=1`` is Keras's ``InverseTimeDecay``; ``rate=1, power=0.5`` is the
    decay of Hugging Face's ``inverse_sqrt`` with ``decay_steps`` its
    ``timescale``. With ``staircase=True`` the step enters as
    ``t // decay_steps``. Open-ended.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``, finite and >= 0.
    decay_steps : int
        Time scale of the decay, >= 1.
    rate : float, default 1.0
        Finite and >= 0.
    power : float, default 1.0
        Finite and > 0.
    staircase : bool, default False

    Examples
    --------
    >>> inverse_time(1.0, 10, rate=1.0)([0, 10, 30]).tolist()
    [1.0, 0.5, 0.25]
    >>> inverse_time(1.0, 10, power=0.5)(30)
    0.5
    """

    start: float
    decay_steps: int
    rate: float
    power: float
    staircase: bool

    _fields = ("start", "decay_steps", "rate")
    _extras: ClassVar[dict[str, Any]] = {"power": 1.0, "staircase": False}

    def __init__(
        self,
        start: float,
        decay_steps: int,
        rate: float = 1.0,
        power: float = 1.0,
        staircase: bool = False,
    ) -> None:
        self._set(
            start=_rate("start", start),
            decay_steps=_count("decay_steps", decay_steps, 1),
            rate=_rate("rate", rate),
            power=check_number("power", power, 0.0, math.inf, closed=False),
            staircase=_flag("staircase", staircase),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        denominator = 1.0 + self.rate * p
        if self.power != 1.0:
            denominator = np.float_power(denominator, self.power)
        return self.start / denominator


class cosine_cycles(Schedule):
    """Cosine cycles (SGDR) whose peak shrinks by ``decay`` each cycle, for ``cycles`` cycles.

    Cycle ``i`` lasts ``period * period_mult ** i`` steps and anneals by a
    half cosine from its peak to ``floor``; the next cycle restarts at its own
    peak. ``decay_of`` says what ``decay ** i`` multiplies: ``"peak"`` gives
    the peak ``peak * decay ** i`` (timm's ``cycle_decay``); ``"amplitude"``
    gives ``floor + (peak - floor) * decay ** i`` (Keras's ``m_mul``). After
    ``cycles`` cycles the rate holds ``floor``; ``cycles=None`` never stops.
    Cycle starts come from integer arithmetic, never a logarithm.

    Parameters
    ----------
    peak : float
        Peak of the first cycle, finite and >= 0.
    period : int
        Length of the first cycle, >= 1.
    period_mult : int, default 1
        Growth factor of the cycle length, an integer >= 1.
    floor : float, default 0.0
        Lowest rate, in ``[0, peak]``.
    decay : float, default 1.0
        Per-cycle factor, in ``(0, 1]``.
    decay_of : {"peak", "amplitude"}, default "peak"
    cycles : int, optional
        Number of cycles, >= 1; ``None`` for no limit.

    Examples
    --------
    >>> s = cosine_cycles(1.0, period=10, decay=0.5, cycles=2)
    >>> s([0, 5, 10, 20, 25]).tolist()
    [1.0, 0.5, 0.5, 0.0, 0.0]
    """

    peak: float
    period: int
    period_mult: int
    floor: float
    decay: float
    decay_of: str
    cycles: int | None

    _fields = ("peak", "period", "period_mult", "floor", "decay", "decay_of", "cycles")

    def __init__(
        self,
        peak: float,
        period: int,
        period_mult: int = 1,
        floor: float = 0.0,
        decay: float = 1.0,
        decay_of: str = "peak",
        cycles: int | None = None,
    ) -> None:
        peak_f = _rate("peak", peak)
        period_i = _count("period", period, 1)
        mult = _count("period_mult", period_mult, 1)
        n_cycles = None if cycles is None else _count("cycles", cycles, 1)
        total = None
        if n_cycles is not None:
            total = sum(period_i * mult**i for i in range(n_cycles))
        self._set(
            peak=peak_f,
            period=period_i,
            period_mult=mult,
            floor=check_number("floor", floor, 0.0, peak_f),
            decay=_unit("decay", decay),
            decay_of=_choice("decay_of", decay_of, _DECAY_OF),
            cycles=n_cycles,
            total_steps=total,
        )

    def _cycle_of(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cycle index, position inside it and its length, by integer arithmetic."""
        if self.period_mult == 1:
            return (
                np.asarray(t // self.period),
                np.asarray(t % self.period),
                np.full(t.shape, self.period),
            )
        top = int(t.max()) if t.size else 0
        starts, lengths = [0], [self.period]
        while starts[-1] + lengths[-1] <= top:
            starts.append(starts[-1] + lengths[-1])
            lengths.append(lengths[-1] * self.period_mult)
        index = np.searchsorted(np.array(starts), t, side="right") - 1
        offsets = np.asarray(t - np.array(starts)[index])
        return index, offsets, np.array(lengths)[index]

    def _eval(self, t: np.ndarray) -> np.ndarray:
        index, k, length = self._cycle_of(t)
        factor = np.float_power(self.decay, index)
        if self.decay_of == "peak":
            height = self.peak * factor - self.floor
        else:
            height = (self.peak - self.floor) * factor
        out = self.floor + 0.5 * height * (1.0 + np.cos(np.pi * k / length))
        if self.cycles is not None:
            out[index >= self.cycles] = self.floor
        return out


class phases(Schedule):
    """Anneal from ``start_i`` to ``end_i`` over fraction ``fractions[i]`` of the run.

    With ``x`` the position inside phase ``i`` (0 at its start, 1 at its end)
    and the position in the run ``t / total_steps``, the rate is
    ``start + (1 + cos(pi (1 - x))) (end - start) / 2`` for ``shape="cos"``
    and ``start + x (end - start)`` for ``"linear"``: fastai's ``SchedCos`` and
    ``SchedLin`` under ``combine_scheds``. Phases may jump (fastai's
    ``fit_sgdr``). From ``total_steps`` on, the last ``end`` is held (fastai
    itself never evaluates a position of 1).

    Parameters
    ----------
    pairs : sequence of (float, float)
        ``(start, end)`` learning rates of each phase, finite and >= 0.
    fractions : sequence of float
        Share of the run of each phase, each > 0, summing to 1.
    total_steps : int
        Number of updates in the run, >= 1.
    shape : {"cos", "linear"}, default "cos"

    Examples
    --------
    >>> s = phases([(0.1, 1.0), (1.0, 0.0)], [0.25, 0.75], total_steps=8)
    >>> s([0, 1, 2, 5, 8]).tolist()
    [0.1, 0.55, 1.0, 0.5, 0.0]
    """

    pairs: tuple[tuple[float, float], ...]
    fractions: tuple[float, ...]
    shape: str
    _marks: np.ndarray
    _starts: np.ndarray
    _ends: np.ndarray

    _fields = ("pairs", "fractions", "total_steps", "shape")

    def __init__(
        self,
        pairs: Sequence[tuple[float, float]],
        fractions: Sequence[float],
        total_steps: int,
        shape: str = "cos",
    ) -> None:
        if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence) or not pairs:
            raise ValueError(f"pairs must be a non-empty sequence of (start, end), got {pairs!r}")
        clean = []
        for pair in pairs:
            if not isinstance(pair, Sequence) or len(pair) != 2:
                raise ValueError(f"pairs must hold (start, end) pairs, got {pair!r}")
            clean.append((_rate("start", pair[0]), _rate("end", pair[1])))
        shares = tuple(_unit("fractions", f) for f in _numbers("fractions", fractions))
        if len(shares) != len(clean):
            raise ValueError(
                f"fractions must give one share per pair ({len(clean)}), got {len(shares)}"
            )
        if abs(math.fsum(shares) - 1.0) > 1e-12:
            raise ValueError(f"fractions must sum to 1, got {list(shares)!r} (sum {sum(shares)!r})")
        marks = np.concatenate([[0.0], np.cumsum(shares)])
        self._set(
            pairs=tuple(clean),
            fractions=shares,
            total_steps=_count("total_steps", total_steps, 1),
            shape=_choice("shape", shape, _PHASE_SHAPES),
            _marks=marks,
            _starts=np.array([a for a, _ in clean]),
            _ends=np.array([b for _, b in clean]),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        pos = t / self.total_steps
        last = len(self.pairs) - 1
        index = np.minimum(np.searchsorted(self._marks, pos, side="right") - 1, last)
        x = (pos - self._marks[index]) / (self._marks[index + 1] - self._marks[index])
        start, end = self._starts[index], self._ends[index]
        if self.shape == "cos":
            out = start + (1 + np.cos(np.pi * (1 - x))) * (end - start) / 2
        else:
            out = start + x * (end - start)
        return np.where(t >= self.total_steps, self._ends[-1], out)


def _numbers(name: str, values: Any) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a sequence of numbers, got {values!r}")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"{name} must be a sequence of numbers, got {values!r}")
    return tuple(values)
