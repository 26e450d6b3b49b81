"""Learning-rate schedules: immutable, vectorised functions of the optimizer step.

Step convention: ``s(t)`` is the learning rate used by optimizer update ``t``,
counting from 0 -- what a torch optimizer holds after its scheduler is built
(``t = 0``) and after ``t`` calls of ``scheduler.step()``.

Every schedule is a small immutable object. Call it on an ``int`` to get a
``float``, or on an integer NumPy array to get a float64 array of the same
shape. The formulas follow PyTorch's operation order wherever PyTorch has the
same schedule, so the two agree to the last bit where torch computes a closed
form. Integer powers use :func:`numpy.float_power`, which rounds like Python's
``**``; cycle indices come from integer arithmetic, never from a logarithm.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from lrlab._checks import (
    check_at_most,
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_int_sequence,
    check_lr,
    check_number,
    check_positive,
    check_sequence,
    shown,
)

__all__ = [
    "MAX_STEP",
    "Schedule",
    "as_steps",
    "clip",
    "constant",
    "cosine",
    "cosine_cycles",
    "cosine_restarts",
    "cyclical",
    "exponential",
    "exponential_rate",
    "inverse_sqrt",
    "inverse_time",
    "join",
    "linear_decay",
    "linear_warmup",
    "multistep",
    "one_cycle",
    "phases",
    "polynomial",
    "product",
    "scale",
    "shift",
    "step_decay",
    "warmup_cosine",
    "with_warmup",
    "wsd",
]

WARMUP_SHAPES = ("linear", "cosine", "1-sqrt")
DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "exponential")
CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
ANNEAL_STRATEGIES = ("cos", "linear")
DECAY_OF = ("peak", "amplitude")

# Largest step, and largest step count, a schedule accepts: 2**53 is the last
# integer a float64 holds exactly, so every formula computes on exact steps
# (and int64 sums of two of them cannot overflow).
MAX_STEP = 2**53


def as_steps(t: Any) -> np.ndarray:
    """Validate steps and return them as an int64 array.

    ``int64`` arrays pass through without a copy; floats are accepted only
    when they hold whole numbers. Steps go up to :data:`MAX_STEP` (``2**53``).

    Parameters
    ----------
    t : int or array_like of int
        Optimizer steps, each an integer in ``[0, 2**53]``.

    Returns
    -------
    numpy.ndarray
        The steps as ``int64`` (0-d for a scalar input).

    Raises
    ------
    ValueError
        If a step is negative, too large, not an integer, or not finite.

    Examples
    --------
    >>> as_steps([0, 1, 2]).tolist()
    [0, 1, 2]
    """
    arr = np.asarray(t)
    kind = arr.dtype.kind
    if kind in "iuf" and arr.size:
        if kind == "f":
            bad_mask = ~np.isfinite(arr) | (arr != np.floor(arr))
            bad_mask |= (arr < 0) | (arr > MAX_STEP)
        elif arr.min() < 0 or arr.max() > MAX_STEP:
            bad_mask = (arr < 0) | (arr > MAX_STEP)
        else:
            bad_mask = None
        if bad_mask is not None and bad_mask.any():
            _refuse_step(arr[bad_mask].ravel()[0])
    if kind == "i":
        return arr.astype(np.int64, copy=False)
    if kind in "uf":
        return arr.astype(np.int64)
    _refuse_step(t)
    raise AssertionError  # _refuse_step always raises


def _refuse_step(value: Any) -> None:
    raise ValueError(f"step must be an integer in [0, 2**53], got {shown(value)}")


# ---------------------------------------------------------------- validation


# ------------------------------------------------------------- shape helpers


def _steps_into(t: np.ndarray, offset: int, length: int | None) -> np.ndarray:
    """``t - offset`` clipped to ``[0, length]``, as a new float64 array (exact)."""
    x = np.subtract(t, offset, dtype=np.float64)
    np.maximum(x, 0.0, out=x)
    if length is not None:
        np.minimum(x, length, out=x)
    return x


def _cos_anneal(hi: float, lo: float, k: np.ndarray, n: float | np.ndarray) -> np.ndarray:
    """``lo + (hi - lo) * (1 + cos(pi * k / n)) / 2`` in torch's operation order, at most ``hi``.

    ``k`` holds whole numbers; a float64 ``k`` is overwritten with the result.
    ``n`` is one length or one per element of ``k``. With ``lo > 0`` torch's
    order can round one unit above ``hi`` (``cosine(0.9, 100, 0.3)(0)``);
    the result is clipped to ``hi``, the only place it differs from torch.
    """
    if k.dtype == np.float64:
        x = k
        x *= np.pi
    else:
        x = np.multiply(k, np.pi, dtype=np.float64)
    x /= n
    np.cos(x, out=x)
    x += 1.0
    x *= hi - lo
    x /= 2
    x += lo
    return np.minimum(x, hi, out=x)


def _rise(frac: np.ndarray, shape: str) -> np.ndarray:
    """Warmup factor going from 0 to 1 as ``frac`` goes from 0 to 1.

    Each warmup shape is the decay shape of the same name run backwards in time.
    """
    if shape == "linear":
        return frac
    if shape == "cosine":
        return (1.0 - np.cos(np.pi * frac)) / 2
    return 1.0 - np.sqrt(1.0 - frac)


def _warmup_values(t: np.ndarray, start: float, peak: float, steps: int, shape: str) -> np.ndarray:
    values = start + (peak - start) * _rise(t / steps, shape)
    # start + (peak - start) can round one unit above peak
    return np.minimum(values, peak, out=values)


def _overwrite_warmup(
    out: np.ndarray, t: np.ndarray, start: float, peak: float, steps: int, shape: str
) -> np.ndarray:
    """Put warmup values into ``out`` where ``t < steps``; only those steps are computed."""
    if steps:
        warm = t < steps
        if warm.any():
            out[warm] = _warmup_values(t[warm], start, peak, steps, shape)
    return out


def _decay_values(k: np.ndarray, n: int, peak: float, floor: float, shape: str) -> np.ndarray:
    """Value ``k`` steps into an ``n``-step decay from ``peak`` to ``floor``.

    ``k`` is a float64 array of whole numbers in ``[0, n]``; it is overwritten.
    At ``k = 0`` the value is ``peak`` exactly (``floor + (peak - floor)`` can
    round one unit away from it), so a stable phase holds the peak itself.
    """
    at_peak = k == 0
    out = _decay_shape(k, n, peak, floor, shape)
    out[at_peak] = peak
    return np.minimum(out, peak, out=out)


def _decay_shape(k: np.ndarray, n: int, peak: float, floor: float, shape: str) -> np.ndarray:
    if shape == "cosine":
        return _cos_anneal(peak, floor, k, n)
    frac = k
    frac /= n
    if shape == "1-sqrt":
        np.sqrt(frac, out=frac)
    np.subtract(1.0, frac, out=frac)
    if shape == "exponential":
        return floor * np.float_power(peak / floor, frac, out=frac)
    frac *= peak - floor
    frac += floor
    return frac


# --------------------------------------------------------------- base class


class Schedule:
    """Base class of every schedule: call it on a step or an array of steps.

    Each family is a frozen dataclass: its parameters are typed fields, set
    once (validated) in ``__init__``; equality, hashing, pickling and
    :func:`dataclasses.replace` come from the dataclass, and the repr is a
    call that rebuilds the schedule. Subclasses implement :meth:`_eval`,
    which receives validated ``int64`` steps (an array with at least one
    dimension) and returns float64 learning rates of the same shape.

    Attributes
    ----------
    total_steps : int or None
        Length of the run the schedule was built for, or ``None`` when it is
        open-ended.
    max_steps : int or None
        Most updates a run may take with this schedule, so that update
        ``max_steps - 1`` is the last it may use; ``None`` when there is no
        limit. ``one_cycle`` has one: its value at ``total_steps`` is torch's
        extrapolation, which no update uses. The combinators carry it over,
        and ``shift(s, k)`` has one even when ``s`` has none, since ``s`` is
        defined up to step 2**53 only.
    momentum : Schedule or None
        The momentum (or Adam beta1) schedule that goes with this one, for
        ``one_cycle`` and ``cyclical``; ``None`` otherwise.

    Examples
    --------
    >>> from lrlab import constant
    >>> constant(0.1)(3)
    0.1
    """

    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]
    # Fields computed from the parameters are declared
    # ``field(init=False, repr=False, compare=False)``: neither shown nor compared.
    # Fields shown in the repr only when they differ from these defaults.
    _quiet: ClassVar[dict[str, Any]] = {}
    total_steps: int | None = None
    max_steps: int | None = None
    momentum: Schedule | None = None

    def __call__(self, t: Any) -> Any:
        steps = as_steps(t)
        flat = steps.reshape(1) if steps.ndim == 0 else steps
        # Overflow is reported below as a ValueError naming the step, or is
        # harmless (triangular2's 1 / 2**k for a huge cycle number k is 0).
        with np.errstate(over="ignore"):
            values = np.asarray(self._eval(flat), dtype=np.float64)
        if not np.isfinite(values).all():
            bad = int(flat[~np.isfinite(values)].ravel()[0])
            raise ValueError(
                f"step must be one where {self!r} stays below float64's largest value "
                f"({sys.float_info.max:g}), got {bad}"
            )
        return float(values[0]) if steps.ndim == 0 else values

    def _eval(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __repr__(self) -> str:
        parts = []
        for item in dataclasses.fields(self):
            if not item.repr:
                continue
            value = getattr(self, item.name)
            if item.name in self._quiet and value == self._quiet[item.name]:
                continue
            parts.append(f"{item.name}={_show(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return repr(value)


@dataclass(frozen=True, init=False, repr=False)
class _Momentum(Schedule):
    """The momentum schedule that belongs to a cyclical or one-cycle schedule."""

    parent: cyclical | one_cycle
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)

    def __init__(self, parent: cyclical | one_cycle) -> None:
        self._set(parent=parent, total_steps=parent.total_steps, max_steps=parent.max_steps)

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.parent._momentum(t)

    def __repr__(self) -> str:
        return f"{self.parent!r}.momentum"


# ----------------------------------------------------------------- families


@dataclass(frozen=True, init=False, repr=False)
class constant(Schedule):
    """A learning rate that never changes: ``s(t) = lr`` for every step.

    Parameters
    ----------
    lr : float
        The learning rate, finite and >= 0.

    Examples
    --------
    >>> constant(0.01)([0, 5]).tolist()
    [0.01, 0.01]
    """

    lr: float

    def __init__(self, lr: float) -> None:
        self._set(lr=check_lr("lr", lr))

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return np.full(t.shape, self.lr)


@dataclass(frozen=True, init=False, repr=False)
class linear_warmup(Schedule):
    """Rise from ``start`` to ``peak`` over ``warmup_steps`` steps, then hold ``peak``.

    ``s(t) = start + (peak - start) * f(t / warmup_steps)`` for
    ``t < warmup_steps`` and ``peak`` afterwards (open-ended, so
    ``total_steps`` is ``None``). The shape ``f`` is ``linear`` (``x``),
    ``cosine`` (``(1 - cos(pi x)) / 2``) or ``1-sqrt`` (``1 - sqrt(1 - x)``):
    each is the decay of the same name run backwards in time.

    Parameters
    ----------
    peak : float
        Learning rate reached at ``t = warmup_steps`` and held afterwards.
    warmup_steps : int
        Length of the warmup, >= 1.
    start : float, default 0.0
        Learning rate at ``t = 0``, in ``[0, peak]``. With 0 the first update
        does nothing.
    shape : {"linear", "cosine", "1-sqrt"}, default "linear"

    Examples
    --------
    >>> linear_warmup(1e-3, 1000)([0, 250, 1000, 2000]).tolist()
    [0.0, 0.00025, 0.001, 0.001]
    """

    peak: float
    warmup_steps: int
    start: float
    shape: str

    def __init__(
        self, peak: float, warmup_steps: int, start: float = 0.0, shape: str = "linear"
    ) -> None:
        peak = check_lr("peak", peak)
        self._set(
            peak=peak,
            warmup_steps=check_int("warmup_steps", warmup_steps, 1, MAX_STEP),
            start=check_at_most("start", check_lr("start", start), "peak", peak),
            shape=check_choice("shape", shape, WARMUP_SHAPES),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w = self.warmup_steps
        rising = _warmup_values(np.minimum(t, w), self.start, self.peak, w, self.shape)
        return np.where(t < w, rising, self.peak)


@dataclass(frozen=True, init=False, repr=False)
class step_decay(Schedule):
    """Multiply by ``gamma`` every ``step_size`` steps, like torch's ``StepLR``.

    ``s(t) = start * gamma ** (t // step_size)``; open-ended.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``.
    step_size : int
        Steps between drops, >= 1.
    gamma : float
        Factor applied at each drop, > 0 (a value above 1 makes it grow).

    Examples
    --------
    >>> step_decay(0.1, 10, 0.5)([0, 9, 10, 25]).tolist()
    [0.1, 0.1, 0.05, 0.025]
    """

    start: float
    step_size: int
    gamma: float

    def __init__(self, start: float, step_size: int, gamma: float) -> None:
        self._set(
            start=check_lr("start", start),
            step_size=check_int("step_size", step_size, 1, MAX_STEP),
            gamma=check_positive("gamma", gamma),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.start * np.float_power(self.gamma, t // self.step_size)


@dataclass(frozen=True, init=False, repr=False)
class multistep(Schedule):
    """Multiply by ``gamma`` at each milestone, like torch's ``MultiStepLR``.

    ``s(t) = start * gamma ** (number of milestones <= t)``. A milestone
    listed twice counts twice, as in torch. Open-ended.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0`` (before any milestone).
    milestones : sequence of int
        Non-decreasing steps (>= 0) at which the drops happen: a list, a
        tuple or a 1-D integer array.
    gamma : float
        Factor applied at each milestone, > 0.

    Examples
    --------
    >>> multistep(0.1, [30, 60, 80], 0.1)([29, 30, 60, 89]).tolist()
    [0.1, 0.010000000000000002, 0.0010000000000000002, 0.00010000000000000003]
    """

    start: float
    milestones: tuple[int, ...]
    gamma: float
    _marks: np.ndarray = field(init=False, repr=False, compare=False)

    def __init__(self, start: float, milestones: Sequence[int], gamma: float) -> None:
        marks = check_int_sequence("milestones", milestones, 0, MAX_STEP)
        if any(b < a for a, b in itertools.pairwise(marks)):
            raise ValueError(
                f"milestones must be a sequence of non-decreasing integers in [0, 2**53], "
                f"got {list(marks)!r}"
            )
        self._set(
            start=check_lr("start", start),
            milestones=marks,
            gamma=check_positive("gamma", gamma),
            _marks=np.array(marks, dtype=np.int64),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        passed = np.searchsorted(self._marks, t, side="right")
        return self.start * np.float_power(self.gamma, passed)


@dataclass(frozen=True, init=False, repr=False)
class exponential(Schedule):
    """Multiply by ``gamma`` every step, like torch's ``ExponentialLR``.

    ``s(t) = start * gamma ** t``; open-ended. ``gamma > 1`` gives the
    exponential sweep of an LR range test.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``.
    gamma : float
        Factor per step, > 0.

    Examples
    --------
    >>> exponential(1.0, 0.5)([0, 1, 3]).tolist()
    [1.0, 0.5, 0.125]
    """

    start: float
    gamma: float

    def __init__(self, start: float, gamma: float) -> None:
        self._set(start=check_lr("start", start), gamma=check_positive("gamma", gamma))

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.start * np.float_power(self.gamma, t)


@dataclass(frozen=True, init=False, repr=False)
class exponential_rate(Schedule):
    """Multiply by ``rate`` every ``decay_steps`` steps: ``start * rate ** (t / decay_steps)``.

    With ``staircase=True`` the exponent is ``t // decay_steps`` (then it is
    :class:`step_decay`). This is Keras's ``ExponentialDecay`` and optax's
    ``exponential_decay``, computed in their operation order. Open-ended;
    ``rate > 1`` grows, and a step where the value passes float64's range
    raises ``ValueError``.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``.
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

    _quiet: ClassVar[dict[str, Any]] = {"staircase": False}
    start: float
    rate: float
    decay_steps: int
    staircase: bool

    def __init__(
        self, start: float, rate: float, decay_steps: int, staircase: bool = False
    ) -> None:
        self._set(
            start=check_lr("start", start),
            rate=check_positive("rate", rate),
            decay_steps=check_int("decay_steps", decay_steps, 1, MAX_STEP),
            staircase=check_bool("staircase", staircase),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        return self.start * np.float_power(self.rate, p)


@dataclass(frozen=True, init=False, repr=False)
class linear_decay(Schedule):
    """Straight line from ``start`` to ``end`` over ``total_steps``, then hold ``end``.

    ``s(t) = end + (start - end) * (1 - x)`` with ``x = min(t, T) / T`` and
    ``T = total_steps``: monotone, and exactly ``end`` from ``total_steps``
    on (the schedule holds ``end`` afterwards).

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``.
    end : float
        Learning rate at ``t = total_steps``, in ``[0, start]``.
    total_steps : int
        Length of the decay, >= 1.

    Examples
    --------
    >>> linear_decay(1.0, 0.0, 4)([0, 1, 4, 9]).tolist()
    [1.0, 0.75, 0.0, 0.0]
    """

    start: float
    end: float
    total_steps: int

    def __init__(self, start: float, end: float, total_steps: int) -> None:
        start = check_lr("start", start)
        self._set(
            start=start,
            end=check_at_most("end", check_lr("end", end), "start", start),
            total_steps=check_int("total_steps", total_steps, 1, MAX_STEP),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        k = _steps_into(t, 0, self.total_steps)
        return _decay_values(k, self.total_steps, self.start, self.end, "linear")


@dataclass(frozen=True, init=False, repr=False)
class polynomial(Schedule):
    """Polynomial decay, like torch's ``PolynomialLR`` (which has ``end = 0``).

    ``s(t) = (start - end) * (1 - min(t, T) / T) ** power + end`` with
    ``T = total_steps``. Past ``total_steps`` it holds ``end``, as torch does.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``.
    total_steps : int
        Length of the decay, >= 1.
    power : float, default 1.0
        Exponent, >= 0 (1 is a straight line).
    end : float, default 0.0
        Learning rate reached at ``total_steps``, in ``[0, start]``.

    Examples
    --------
    >>> polynomial(1.0, 100, power=2.0)([0, 50, 100, 200]).tolist()
    [1.0, 0.25, 0.0, 0.0]
    """

    start: float
    total_steps: int
    power: float
    end: float

    def __init__(
        self, start: float, total_steps: int, power: float = 1.0, end: float = 0.0
    ) -> None:
        start = check_lr("start", start)
        self._set(
            start=start,
            total_steps=check_int("total_steps", total_steps, 1, MAX_STEP),
            power=check_number("power", power, 0.0, math.inf),
            end=check_at_most("end", check_lr("end", end), "start", start),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        n = self.total_steps
        base = np.minimum(t, n) / n
        np.subtract(1.0, base, out=base)
        out = np.float_power(base, self.power, out=base)
        out *= self.start - self.end
        out += self.end
        # (start - end) + end can round one unit above start
        return np.minimum(out, self.start, out=out)


@dataclass(frozen=True, init=False, repr=False)
class cosine(Schedule):
    """Cosine annealing from ``peak`` to ``floor``, like torch's ``CosineAnnealingLR``.

    ``s(t) = floor + (peak - floor) * (1 + cos(pi * t / T)) / 2`` for
    ``0 <= t <= T = total_steps``. What happens afterwards is chosen by
    ``past_end``: ``"hold"`` (default) stays at ``floor``; ``"continue"``
    keeps the formula going, which climbs back to ``peak`` at ``2 T`` and
    repeats -- exactly what ``CosineAnnealingLR`` does if you keep stepping it.
    No value exceeds ``peak``: where the closed form rounds one unit above it
    (``cosine(0.9, 100, 0.3)(0)`` would be 0.9000000000000001), lrlab gives
    ``peak``.

    Parameters
    ----------
    peak : float
        Learning rate at ``t = 0``.
    total_steps : int
        Steps to reach ``floor``, >= 1 (torch's ``T_max``).
    floor : float, default 0.0
        Lowest learning rate, in ``[0, peak]`` (torch's ``eta_min``).
    past_end : {"hold", "continue"}, default "hold"

    Examples
    --------
    >>> s = cosine(peak=1.0, total_steps=100)
    >>> s([0, 50, 100, 150]).tolist()
    [1.0, 0.5, 0.0, 0.0]
    >>> cosine(1.0, 100, past_end="continue")(200)
    1.0
    """

    _quiet: ClassVar[dict[str, Any]] = {"past_end": "hold"}
    peak: float
    total_steps: int
    floor: float
    past_end: str

    def __init__(
        self, peak: float, total_steps: int, floor: float = 0.0, *, past_end: str = "hold"
    ) -> None:
        peak = check_lr("peak", peak)
        self._set(
            peak=peak,
            total_steps=check_int("total_steps", total_steps, 1, MAX_STEP),
            floor=check_at_most("floor", check_lr("floor", floor), "peak", peak),
            past_end=check_choice("past_end", past_end, ("hold", "continue")),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        end = self.total_steps if self.past_end == "hold" else None
        return _cos_anneal(self.peak, self.floor, _steps_into(t, 0, end), self.total_steps)


@dataclass(frozen=True, init=False, repr=False)
class cosine_restarts(Schedule):
    """Cosine annealing with warm restarts (SGDR), like ``CosineAnnealingWarmRestarts``.

    Cycle ``i`` lasts ``period * period_mult ** i`` steps; inside a cycle the
    rate follows a cosine from ``peak`` towards ``floor`` and jumps back to
    ``peak`` at the next cycle. The cycle of a step is found with integer
    arithmetic, so it is exact where torch's ``step(epoch)`` (which takes a
    logarithm) can land in the wrong cycle. Open-ended. As in :class:`cosine`,
    no value exceeds ``peak``.

    Parameters
    ----------
    peak : float
        Learning rate at the start of every cycle.
    period : int
        Length of the first cycle, >= 1 (torch's ``T_0``).
    period_mult : int, default 1
        Growth factor of the cycle length, an integer >= 1 (torch's ``T_mult``).
    floor : float, default 0.0
        Lowest learning rate, in ``[0, peak]``.

    Examples
    --------
    >>> s = cosine_restarts(1.0, period=50, period_mult=2)
    >>> s([0, 50, 150, 350]).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> s(100)
    0.5
    """

    peak: float
    period: int
    period_mult: int
    floor: float

    def __init__(self, peak: float, period: int, period_mult: int = 1, floor: float = 0.0) -> None:
        peak = check_lr("peak", peak)
        self._set(
            peak=peak,
            period=check_int("period", period, 1, MAX_STEP),
            period_mult=check_int("period_mult", period_mult, 1, MAX_STEP),
            floor=check_at_most("floor", check_lr("floor", floor), "peak", peak),
        )

    def cycle_starts(self, up_to: int) -> np.ndarray:
        """Steps at which a cycle starts, from 0 up to and including ``up_to``.

        Parameters
        ----------
        up_to : int
            Last step of interest.

        Returns
        -------
        numpy.ndarray
            int64 array of cycle starts.

        Examples
        --------
        >>> cosine_restarts(1.0, 50, 2).cycle_starts(400).tolist()
        [0, 50, 150, 350]
        """
        starts, _ = _cycle_table(
            self.period, self.period_mult, check_int("up_to", up_to, 0, MAX_STEP)
        )
        return starts

    def _eval(self, t: np.ndarray) -> np.ndarray:
        if self.period_mult == 1:
            return _cos_anneal(self.peak, self.floor, t % self.period, self.period)
        _, into, length = _cycle_of(t, self.period, self.period_mult)
        return _cos_anneal(self.peak, self.floor, into, length)


def _cycle_table(period: int, mult: int, up_to: int) -> tuple[np.ndarray, np.ndarray]:
    """Starts (int64) and lengths (float64) of the cycles that begin by ``up_to``.

    Cycle ``i`` lasts ``period * mult ** i`` steps. Lengths are float64
    because the last one may pass int64's range (``mult`` up to 2**53);
    below 2**53 they are exact, and dividing by an int64 length converts it
    to float64 all the same.
    """
    starts = [0]
    lengths = [period]
    nxt = period
    while nxt <= up_to:
        starts.append(nxt)
        lengths.append(lengths[-1] * mult)
        nxt += lengths[-1]
    return np.array(starts, dtype=np.int64), np.array(lengths, dtype=np.float64)


def _cycle_of(
    t: np.ndarray, period: int, mult: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | float]:
    """Cycle number, steps into the cycle and cycle length of each step, by integer arithmetic."""
    if mult == 1:
        return t // period, t % period, float(period)
    starts, lengths = _cycle_table(period, mult, int(t.max()) if t.size else 0)
    cycle = np.searchsorted(starts, t, side="right") - 1
    return cycle, t - starts[cycle], lengths[cycle]


@dataclass(frozen=True, init=False, repr=False)
class cosine_cycles(Schedule):
    """Cosine cycles (SGDR) whose peak shrinks by ``decay`` each cycle, for ``cycles`` cycles.

    Cycle ``i`` lasts ``period * period_mult ** i`` steps and anneals by a
    half cosine from its peak to ``floor``; the next cycle restarts at its own
    peak. ``decay_of`` says what ``decay ** i`` multiplies: ``"peak"`` gives
    the peak ``peak * decay ** i`` (timm's ``cycle_decay``; once that is
    below ``floor`` the cycle rises from it to ``floor``); ``"amplitude"``
    gives ``floor + (peak - floor) * decay ** i`` (Keras's ``m_mul``). After
    ``cycles`` cycles (at ``total_steps``) the rate holds ``floor``;
    ``cycles=None`` never stops. Cycle starts come from integer arithmetic,
    never a logarithm. No value exceeds ``peak``. With ``decay=1`` it is
    :class:`cosine_restarts`.

    Parameters
    ----------
    peak : float
        Peak of the first cycle.
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
        Number of cycles, >= 1, all ending by step 2**53; ``None`` for no limit.

    Examples
    --------
    >>> s = cosine_cycles(1.0, period=10, decay=0.5, cycles=2)
    >>> s([0, 5, 10, 20, 25]).tolist()
    [1.0, 0.5, 0.5, 0.0, 0.0]
    >>> s.total_steps
    20
    """

    peak: float
    period: int
    period_mult: int
    floor: float
    decay: float
    decay_of: str
    cycles: int | None
    total_steps: int | None = field(init=False, repr=False, compare=False)

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
        peak = check_lr("peak", peak)
        period = check_int("period", period, 1, MAX_STEP)
        mult = check_int("period_mult", period_mult, 1, MAX_STEP)
        total = None
        if cycles is not None:
            cycles = check_int("cycles", cycles, 1, MAX_STEP)
            total, fit = _cycles_end(period, mult, cycles)
            if total > MAX_STEP:
                raise ValueError(
                    f"cycles must be an integer in [1, {fit}] so that the last cycle ends by "
                    f"step 2**53 (period={period}, period_mult={mult}), got {cycles}"
                )
        self._set(
            peak=peak,
            period=period,
            period_mult=mult,
            floor=check_at_most("floor", check_lr("floor", floor), "peak", peak),
            decay=check_number("decay", decay, 0.0, 1.0, closed="(]"),
            decay_of=check_choice("decay_of", decay_of, DECAY_OF),
            cycles=cycles,
            total_steps=total,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        cycle, into, length = _cycle_of(t, self.period, self.period_mult)
        factor = np.float_power(self.decay, cycle)
        if self.decay_of == "peak":
            height = self.peak * factor - self.floor
        else:
            height = (self.peak - self.floor) * factor
        out = self.floor + 0.5 * height * (1.0 + np.cos(np.pi * into / length))
        if self.cycles is not None:
            out[cycle >= self.cycles] = self.floor
        # floor + (peak - floor) can round one unit above peak
        return np.minimum(out, self.peak, out=out)


def _cycles_end(period: int, mult: int, cycles: int) -> tuple[int, int]:
    """Step at which ``cycles`` cycles end (or 2**53 + 1 if later), and how many end by 2**53.

    The sum stops once it passes 2**53, so a huge ``cycles`` costs nothing.
    """
    if mult == 1:
        fit = MAX_STEP // period
        return (period * cycles if cycles <= fit else MAX_STEP + 1), fit
    end, length, fit = 0, period, 0
    while fit < cycles and end + length <= MAX_STEP:
        end += length
        length *= mult
        fit += 1
    return (end if fit == cycles else MAX_STEP + 1), fit


@dataclass(frozen=True, init=False, repr=False)
class cyclical(Schedule):
    """Cyclical learning rate (Smith 2015), exactly like torch's ``CyclicLR``.

    A triangle wave between ``base`` and ``peak``: up for ``step_size_up``
    steps, down for ``step_size_down``. ``mode`` scales the amplitude:
    ``triangular`` keeps it, ``triangular2`` halves it every cycle,
    ``exp_range`` multiplies it by ``gamma ** t``. Open-ended and periodic
    (for ``triangular``).

    The attribute ``momentum`` is the matching momentum (or Adam beta1)
    schedule, cycling the opposite way between ``max_momentum`` and
    ``base_momentum`` as torch does with ``cycle_momentum=True``; it is
    ``None`` when ``cycle_momentum=False``.

    Every value lies in ``[0, peak]``: where torch's ``base + (peak - base)``
    rounds one unit above ``peak`` (``cyclical(0.001, 0.01, 2000)(2000)`` is
    0.010000000000000002 in ``CyclicLR``), lrlab gives ``peak`` -- the only
    difference from torch.

    Parameters
    ----------
    base : float
        Lowest learning rate (start of every cycle).
    peak : float
        Highest learning rate, >= ``base``.
    step_size_up : int
        Steps from ``base`` up to ``peak``, >= 1.
    step_size_down : int, optional
        Steps back down; defaults to ``step_size_up``.
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
    gamma : float, default 1.0
        Per-step factor for ``exp_range``, in (0, 1], so that ``peak`` stays
        the highest rate (torch also takes a growing ``gamma > 1``).
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float, default 0.8, 0.9
        Momentum at the peak and at the base of the learning rate.

    Examples
    --------
    >>> s = cyclical(0.001, 0.01, step_size_up=2000)
    >>> round(s(3500), 6)
    0.00325
    >>> s.momentum(2000)
    0.8
    """

    _quiet: ClassVar[dict[str, Any]] = {
        "cycle_momentum": True,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
    }
    base: float
    peak: float
    step_size_up: int
    step_size_down: int
    mode: str
    gamma: float
    cycle_momentum: bool
    base_momentum: float
    max_momentum: float
    momentum: Schedule | None = field(init=False, repr=False, compare=False)
    _total: float = field(init=False, repr=False, compare=False)
    _ratio: float = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        base: float,
        peak: float,
        step_size_up: int,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        *,
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
    ) -> None:
        peak = check_lr("peak", peak)
        base = check_at_most("base", check_lr("base", base), "peak", peak)
        up = check_int("step_size_up", step_size_up, 1, MAX_STEP)
        down = (
            up
            if step_size_down is None
            else check_int("step_size_down", step_size_down, 1, MAX_STEP)
        )
        high_m = check_number("max_momentum", max_momentum, 0.0, 1.0)
        low_m = check_number("base_momentum", base_momentum, 0.0, 1.0)
        check_at_most("base_momentum", low_m, "max_momentum", high_m)
        cycle_momentum = check_bool("cycle_momentum", cycle_momentum)
        self._set(
            base=base,
            peak=peak,
            step_size_up=up,
            step_size_down=down,
            mode=check_choice("mode", mode, CYCLIC_MODES),
            gamma=check_number("gamma", gamma, 0.0, 1.0, closed="(]"),
            cycle_momentum=cycle_momentum,
            base_momentum=low_m,
            max_momentum=high_m,
            _total=float(up) + float(down),
        )
        self._set(_ratio=float(up) / self._total)
        self._set(momentum=_Momentum(self) if cycle_momentum else None)

    def _shape(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
        """Position inside the cycle (0..1..0) and the amplitude factor."""
        cycle = t // (self.step_size_up + self.step_size_down) + 1
        x = t / self._total
        x += 1.0
        x -= cycle
        r = self._ratio
        where_up = x <= r
        # torch's two expressions, chosen per element
        up = x / r
        x -= 1
        x /= r - 1
        position = np.where(where_up, up, x)
        if self.mode == "triangular":
            factor: np.ndarray | float = 1.0
        elif self.mode == "triangular2":
            factor = 1 / np.float_power(2.0, cycle - 1)
        else:
            factor = np.float_power(self.gamma, t)
        return position, factor

    def _eval(self, t: np.ndarray) -> np.ndarray:
        position, factor = self._shape(t)
        height = (self.peak - self.base) * position
        values = self.base + height * factor
        # base + (peak - base) can round one unit above peak
        return np.minimum(values, self.peak, out=values)

    def _momentum(self, t: np.ndarray) -> np.ndarray:
        position, factor = self._shape(t)
        height = (self.max_momentum - self.base_momentum) * position
        return self.max_momentum - height * factor


@dataclass(frozen=True, init=False, repr=False)
class one_cycle(Schedule):
    """The 1cycle policy with the exact semantics of torch's ``OneCycleLR``.

    Two phases by default: from ``peak / div_factor`` up to ``peak`` until
    step ``float(pct_start * T) - 1``, then down to
    ``peak / div_factor / final_div_factor`` at step ``T - 1``
    (``T = total_steps``). With ``three_phase=True`` the second phase returns
    to the start value at step ``2 * pct_start * T - 2`` and a third one
    anneals to the minimum. ``anneal`` picks cosine or straight-line pieces.

    Past the end: step ``T`` is allowed and extrapolates the last phase, as
    torch does after ``T`` calls of ``step()``; any later step raises
    ``ValueError``, just as torch raises "Tried to step ... times". A run
    uses updates ``0 .. T - 1`` only (``max_steps = T``), because the value
    at ``T`` can be far off: with ``anneal="linear"`` and a short last phase
    it is negative (``one_cycle(1e-2, 100, 0.50499, anneal="linear",
    three_phase=True)(100)`` is about -0.2, in torch as here).

    Within the run every value lies in ``[0, peak]``: where torch's
    ``initial + (peak - initial)`` rounds one unit above ``peak``, lrlab
    gives ``peak`` -- the only difference from ``OneCycleLR``.

    The attribute ``momentum`` cycles the opposite way (``max_momentum`` ->
    ``base_momentum`` -> ``max_momentum``), exactly like torch's
    ``cycle_momentum=True``; it is ``None`` when ``cycle_momentum=False``.

    Parameters
    ----------
    peak : float
        Highest learning rate (torch's ``max_lr``).
    total_steps : int
        Number of steps in the cycle, >= 2.
    pct_start : float, default 0.3
        Fraction of the steps spent rising, in (0, 1); ``pct_start *
        total_steps`` must exceed 1.
    div_factor : float, default 25.0
        Start value is ``peak / div_factor``; >= 1, so that ``peak`` is the
        highest rate (torch also takes smaller factors).
    final_div_factor : float, default 1e4
        Final value is ``peak / div_factor / final_div_factor``; >= 1.
    anneal : {"cos", "linear"}, default "cos"
    three_phase : bool, default False
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float, default 0.85, 0.95

    Attributes
    ----------
    initial_lr : float
        The start value, ``peak / div_factor``.
    min_lr : float
        The final value, ``initial_lr / final_div_factor``.

    Examples
    --------
    >>> s = one_cycle(1e-3, 10_000, pct_start=0.3, div_factor=10, final_div_factor=100)
    >>> round(s(0), 12), s(2999)
    (0.0001, 0.001)
    >>> s.momentum(2999)
    0.85
    """

    _quiet: ClassVar[dict[str, Any]] = {
        "cycle_momentum": True,
        "base_momentum": 0.85,
        "max_momentum": 0.95,
    }
    peak: float
    total_steps: int
    pct_start: float
    div_factor: float
    final_div_factor: float
    anneal: str
    three_phase: bool
    cycle_momentum: bool
    base_momentum: float
    max_momentum: float
    initial_lr: float = field(init=False, repr=False, compare=False)
    min_lr: float = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)
    momentum: Schedule | None = field(init=False, repr=False, compare=False)
    _inner_ends: np.ndarray = field(init=False, repr=False, compare=False)
    _starts: np.ndarray = field(init=False, repr=False, compare=False)
    _spans: np.ndarray = field(init=False, repr=False, compare=False)
    _lr_table: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)
    _m_table: tuple[np.ndarray, np.ndarray] = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        peak: float,
        total_steps: int,
        pct_start: float = 0.3,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        anneal: str = "cos",
        three_phase: bool = False,
        *,
        cycle_momentum: bool = True,
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
    ) -> None:
        peak = check_lr("peak", peak)
        n = check_int("total_steps", total_steps, 2, MAX_STEP)
        pct = check_number("pct_start", pct_start, 0.0, 1.0, closed=False)
        div = check_number("div_factor", div_factor, 1.0, math.inf)
        final_div = check_number("final_div_factor", final_div_factor, 1.0, math.inf)
        high_m = check_number("max_momentum", max_momentum, 0.0, 1.0)
        low_m = check_number("base_momentum", base_momentum, 0.0, 1.0)
        check_at_most("base_momentum", low_m, "max_momentum", high_m)
        anneal = check_choice("anneal", anneal, ANNEAL_STRATEGIES)
        three_phase = check_bool("three_phase", three_phase)
        cycle_momentum = check_bool("cycle_momentum", cycle_momentum)
        first_end = float(pct * n) - 1
        if first_end <= 0:
            raise ValueError(
                f"pct_start must be in ({1 / n!r}, 1) so that pct_start * total_steps > 1 "
                f"(total_steps = {n}), got {pct!r}"
            )
        initial = peak / div
        low = initial / final_div
        ends: tuple[float, ...]
        lr_pairs: tuple[tuple[float, float], ...]
        m_pairs: tuple[tuple[float, float], ...]
        if three_phase:
            second_end = float(2 * pct * n) - 2
            if second_end >= n - 1:
                raise ValueError(
                    f"pct_start must be below (total_steps + 1) / (2 * total_steps) = "
                    f"{(n + 1) / (2 * n)!r} with three_phase=True, got {pct!r}"
                )
            ends = (first_end, second_end, n - 1)
            lr_pairs = ((initial, peak), (peak, initial), (initial, low))
            m_pairs = ((high_m, low_m), (low_m, high_m), (high_m, high_m))
        else:
            ends = (first_end, n - 1)
            lr_pairs = ((initial, peak), (peak, low))
            m_pairs = ((high_m, low_m), (low_m, high_m))
        starts = (0.0, *ends[:-1])
        self._set(
            peak=peak,
            total_steps=n,
            pct_start=pct,
            div_factor=div,
            final_div_factor=final_div,
            anneal=anneal,
            three_phase=three_phase,
            cycle_momentum=cycle_momentum,
            base_momentum=low_m,
            max_momentum=high_m,
            initial_lr=initial,
            min_lr=low,
            max_steps=n,
            _inner_ends=np.array(ends[:-1]),
            _starts=np.array(starts),
            _spans=np.array([end - start for start, end in zip(starts, ends, strict=True)]),
            _lr_table=_anneal_table(lr_pairs, anneal),
            _m_table=_anneal_table(m_pairs, anneal),
        )
        self._set(momentum=_Momentum(self) if cycle_momentum else None)

    def _phase_pct(self, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if t.size and t.max() > self.total_steps:
            bad = int(t[t > self.total_steps].ravel()[0])
            raise ValueError(
                f"step must be in [0, total_steps] = [0, {self.total_steps}] for one_cycle "
                f"(torch's OneCycleLR raises too), got {bad}"
            )
        phase = np.searchsorted(self._inner_ends, t, side="left")
        pct = t - self._starts[phase]
        pct /= self._spans[phase]
        return phase, pct

    def _anneal(
        self, table: tuple[np.ndarray, np.ndarray], phase: np.ndarray, pct: np.ndarray
    ) -> np.ndarray:
        offset, slope = table
        if self.anneal == "cos":
            pct *= np.pi
            np.cos(pct, out=pct)
            pct += 1
        pct *= slope[phase]
        pct += offset[phase]
        return pct

    def _eval(self, t: np.ndarray) -> np.ndarray:
        phase, pct = self._phase_pct(t)
        values = self._anneal(self._lr_table, phase, pct)
        # initial + (peak - initial) can round one unit above peak
        return np.minimum(values, self.peak, out=values)

    def _momentum(self, t: np.ndarray) -> np.ndarray:
        phase, pct = self._phase_pct(t)
        values = self._anneal(self._m_table, phase, pct)
        # As for the rate, no update's momentum (or beta1) passes max_momentum;
        # step T keeps torch's extrapolation, which rises above it.
        return np.minimum(values, self.max_momentum, out=values, where=t < self.total_steps)


def _anneal_table(
    pairs: Sequence[tuple[float, float]], anneal: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per-phase constants of torch's anneal functions.

    cos: ``end + (start - end) / 2.0 * (cos(pi * pct) + 1)``;
    linear: ``(end - start) * pct + start``. Both are ``offset + slope * y``.
    """
    if anneal == "cos":
        offset = [end for _, end in pairs]
        slope = [(start - end) / 2.0 for start, end in pairs]
    else:
        offset = [start for start, _ in pairs]
        slope = [end - start for start, end in pairs]
    return np.array(offset), np.array(slope)


@dataclass(frozen=True, init=False, repr=False)
class phases(Schedule):
    """Anneal from ``start_i`` to ``end_i`` over fraction ``fractions[i]`` of the run.

    With ``x`` the position inside phase ``i`` (0 at its start, 1 at its end)
    and the position in the run ``t / total_steps``, the rate is
    ``start + (1 + cos(pi (1 - x))) (end - start) / 2`` for ``shape="cos"``
    and ``start + x (end - start)`` for ``"linear"``: fastai's ``SchedCos`` and
    ``SchedLin`` under ``combine_scheds``. Phases may jump (fastai's
    ``fit_sgdr``). Every value lies between its phase's ``start`` and ``end``.
    From ``total_steps`` on, the last ``end`` is held (fastai itself never
    evaluates the position 1).

    Parameters
    ----------
    pairs : sequence of (float, float)
        ``(start, end)`` learning rates of each phase, at least one phase.
    fractions : sequence of float
        Share of the run of each phase, each in ``(0, 1]``, summing to 1.
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
    total_steps: int
    shape: str
    _marks: np.ndarray = field(init=False, repr=False, compare=False)
    _starts: np.ndarray = field(init=False, repr=False, compare=False)
    _ends: np.ndarray = field(init=False, repr=False, compare=False)

    def __init__(
        self,
        pairs: Sequence[tuple[float, float]],
        fractions: Sequence[float],
        total_steps: int,
        shape: str = "cos",
    ) -> None:
        items = check_sequence(
            "pairs", pairs, "a non-empty sequence of (start, end) pairs", min_len=1
        )
        clean = []
        for i, item in enumerate(items):
            start, end = check_sequence(
                f"pairs[{i}]", item, "a (start, end) pair of learning rates", min_len=2, max_len=2
            )
            clean.append((check_lr(f"pairs[{i}][0]", start), check_lr(f"pairs[{i}][1]", end)))
        given = check_sequence("fractions", fractions, "a sequence of shares, one per pair")
        shares = tuple(
            check_number(f"fractions[{i}]", share, 0.0, 1.0, closed="(]")
            for i, share in enumerate(given)
        )
        if len(shares) != len(clean):
            raise ValueError(
                f"fractions must be one share per pair ({len(clean)}), got {list(shares)!r}"
            )
        if abs(math.fsum(shares) - 1.0) > 1e-12:
            raise ValueError(
                f"fractions must be shares that sum to 1, got {list(shares)!r} "
                f"(sum {math.fsum(shares)!r})"
            )
        marks = np.concatenate([[0.0], np.cumsum(shares)])
        # The last phase ends with the run, whatever the shares' rounding.
        marks[-1] = 1.0
        self._set(
            pairs=tuple(clean),
            fractions=shares,
            total_steps=check_int("total_steps", total_steps, 1, MAX_STEP),
            shape=check_choice("shape", shape, ANNEAL_STRATEGIES),
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
        # start + (end - start) can round one unit past end
        np.clip(out, np.minimum(start, end), np.maximum(start, end), out=out)
        return np.where(t >= self.total_steps, self._ends[-1], out)


@dataclass(frozen=True, init=False, repr=False)
class warmup_cosine(Schedule):
    """Warmup to ``peak``, then cosine decay to ``floor`` at ``total_steps``; hold after.

    For ``t < warmup_steps``: ``start + (peak - start) * t / warmup_steps``
    (or another ``warmup_shape``). Then, with ``k = t - warmup_steps`` and
    ``D = total_steps - warmup_steps``,
    ``floor + (peak - floor) * (1 + cos(pi * k / D)) / 2``, which is
    ``SequentialLR(LinearLR, CosineAnnealingLR)`` in torch. Past
    ``total_steps`` it holds ``floor``.

    Parameters
    ----------
    peak : float
        Learning rate at the end of the warmup.
    total_steps : int
        Step at which ``floor`` is reached, >= 1.
    warmup_steps : int
        Length of the warmup, in ``[0, total_steps - 1]``.
    floor : float, default 0.0
        Final learning rate, in ``[0, peak]``.
    start : float, default 0.0
        Learning rate at ``t = 0``, in ``[0, peak]``.
    warmup_shape : {"linear", "cosine", "1-sqrt"}, default "linear"

    Examples
    --------
    >>> s = warmup_cosine(3e-4, total_steps=300_000, warmup_steps=2000)
    >>> s(1000), s(2000), s(300_000)
    (0.00015, 0.0003, 0.0)
    """

    _quiet: ClassVar[dict[str, Any]] = {"start": 0.0, "warmup_shape": "linear"}
    peak: float
    total_steps: int
    warmup_steps: int
    floor: float
    start: float
    warmup_shape: str

    def __init__(
        self,
        peak: float,
        total_steps: int,
        warmup_steps: int,
        floor: float = 0.0,
        *,
        start: float = 0.0,
        warmup_shape: str = "linear",
    ) -> None:
        peak = check_lr("peak", peak)
        n = check_int("total_steps", total_steps, 1, MAX_STEP)
        self._set(
            peak=peak,
            total_steps=n,
            warmup_steps=check_int("warmup_steps", warmup_steps, 0, n - 1),
            floor=check_at_most("floor", check_lr("floor", floor), "peak", peak),
            start=check_at_most("start", check_lr("start", start), "peak", peak),
            warmup_shape=check_choice("warmup_shape", warmup_shape, WARMUP_SHAPES),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w, n = self.warmup_steps, self.total_steps
        out = _cos_anneal(self.peak, self.floor, _steps_into(t, w, n - w), n - w)
        return _overwrite_warmup(out, t, self.start, self.peak, w, self.warmup_shape)


@dataclass(frozen=True, init=False, repr=False)
class wsd(Schedule):
    """Warmup-Stable-Decay: warm up, hold ``peak``, then decay to ``floor``.

    Warmup over ``[0, warmup_steps)`` (linear from ``start`` by default),
    ``peak`` until ``total_steps - decay_steps``, then a decay of shape
    ``decay`` reaching ``floor`` exactly at ``total_steps``; held afterwards.
    With ``k`` steps into the decay and ``x = k / decay_steps``: ``linear``
    ``floor + (peak - floor)(1 - x)``; ``cosine`` ``floor + (peak - floor)(1
    + cos(pi x)) / 2``; ``1-sqrt`` ``floor + (peak - floor)(1 - sqrt(x))``;
    ``exponential`` ``floor (peak / floor) ** (1 - x)`` (needs ``floor >
    0``). Each is monotone and exactly ``floor`` at ``total_steps``.

    Parameters
    ----------
    peak : float
        Learning rate of the stable phase.
    total_steps : int
        Step at which ``floor`` is reached, >= 1.
    warmup_steps : int
        Warmup length, >= 0.
    decay_steps : int
        Decay length, >= 1, with ``warmup_steps + decay_steps <= total_steps``.
    floor : float, default 0.0
        Final learning rate, in ``[0, peak]``.
    decay : {"linear", "cosine", "1-sqrt", "exponential"}, default "linear"
    start : float, default 0.0
        Learning rate at ``t = 0``, in ``[0, peak]``.
    warmup_shape : {"linear", "cosine", "1-sqrt"}, default "linear"

    Examples
    --------
    >>> s = wsd(3e-4, 300_000, 6000, 30_000, floor=3e-5, decay="cosine")
    >>> s(150_000), s(300_000)
    (0.0003, 3e-05)
    """

    _quiet: ClassVar[dict[str, Any]] = {"start": 0.0, "warmup_shape": "linear"}
    peak: float
    total_steps: int
    warmup_steps: int
    decay_steps: int
    floor: float
    decay: str
    start: float
    warmup_shape: str

    def __init__(
        self,
        peak: float,
        total_steps: int,
        warmup_steps: int,
        decay_steps: int,
        floor: float = 0.0,
        decay: str = "linear",
        *,
        start: float = 0.0,
        warmup_shape: str = "linear",
    ) -> None:
        peak = check_lr("peak", peak)
        n = check_int("total_steps", total_steps, 1, MAX_STEP)
        w = check_int("warmup_steps", warmup_steps, 0, n - 1)
        d = check_int("decay_steps", decay_steps, 1, n)
        if w + d > n:
            raise ValueError(
                f"warmup_steps + decay_steps must be in [1, total_steps] = [1, {n}], "
                f"got {w} + {d} = {w + d}"
            )
        floor = check_at_most("floor", check_lr("floor", floor), "peak", peak)
        decay = check_choice("decay", decay, DECAY_SHAPES)
        if decay == "exponential" and not 0 < floor:
            raise ValueError(
                f"floor must be in (0, peak] = (0, {peak!r}] for decay='exponential', got {floor!r}"
            )
        if decay == "exponential" and not math.isfinite(peak / floor):
            # the decay raises peak / floor to a power, which must be a float
            raise ValueError(
                f"floor must be at least peak / {sys.float_info.max:g} = "
                f"{peak / sys.float_info.max:g} for decay='exponential', got {floor!r}"
            )
        self._set(
            peak=peak,
            total_steps=n,
            warmup_steps=w,
            decay_steps=d,
            floor=floor,
            decay=decay,
            start=check_at_most("start", check_lr("start", start), "peak", peak),
            warmup_shape=check_choice("warmup_shape", warmup_shape, WARMUP_SHAPES),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w, d, n = self.warmup_steps, self.decay_steps, self.total_steps
        out = _decay_values(_steps_into(t, n - d, d), d, self.peak, self.floor, self.decay)
        return _overwrite_warmup(out, t, self.start, self.peak, w, self.warmup_shape)


@dataclass(frozen=True, init=False, repr=False)
class inverse_sqrt(Schedule):
    """The Transformer schedule: ``d_model ** -0.5 * min(t ** -0.5, t * w ** -1.5)``.

    Linear rise for ``t < w = warmup_steps``, then decay like ``1 / sqrt(t)``;
    the peak ``(d_model * w) ** -0.5`` is at ``t = w``. The step is used as
    is, so ``s(0) = 0``: update 0 does nothing (the original code counts
    steps from 1). Open-ended.

    Parameters
    ----------
    d_model : int
        Model width, >= 1.
    warmup_steps : int
        Step of the peak, >= 1.

    Attributes
    ----------
    peak : float
        The highest learning rate, ``(d_model * warmup_steps) ** -0.5``.

    Examples
    --------
    >>> s = inverse_sqrt(512, 4000)
    >>> s(16_000) / s(4000)
    0.5
    >>> s.peak == s(4000)
    True
    """

    d_model: int
    warmup_steps: int
    peak: float = field(init=False, repr=False, compare=False)

    def __init__(self, d_model: int, warmup_steps: int) -> None:
        self._set(
            d_model=check_int("d_model", d_model, 1, MAX_STEP),
            warmup_steps=check_int("warmup_steps", warmup_steps, 1, MAX_STEP),
        )
        self._set(peak=self.d_model**-0.5 / math.sqrt(self.warmup_steps))

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w = self.warmup_steps
        scale_ = self.d_model**-0.5
        rising = t * (scale_ * w**-1.5)
        falling = scale_ / np.sqrt(np.maximum(t, w))
        return np.where(t < w, rising, falling)


@dataclass(frozen=True, init=False, repr=False)
class inverse_time(Schedule):
    """Inverse-time decay: ``start / (1 + rate * t / decay_steps) ** power``.

    ``power=1`` is Keras's ``InverseTimeDecay``; ``rate=1, power=0.5`` is the
    decay of Hugging Face's ``inverse_sqrt`` with ``decay_steps`` its
    ``timescale``. With ``staircase=True`` the step enters as
    ``t // decay_steps``. The denominator is at least 1, so ``start`` is the
    highest value. Open-ended.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0``.
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

    _quiet: ClassVar[dict[str, Any]] = {"power": 1.0, "staircase": False}
    start: float
    decay_steps: int
    rate: float
    power: float
    staircase: bool

    def __init__(
        self,
        start: float,
        decay_steps: int,
        rate: float = 1.0,
        power: float = 1.0,
        staircase: bool = False,
    ) -> None:
        self._set(
            start=check_lr("start", start),
            decay_steps=check_int("decay_steps", decay_steps, 1, MAX_STEP),
            rate=check_number("rate", rate, 0.0, math.inf),
            power=check_positive("power", power),
            staircase=check_bool("staircase", staircase),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        p = t // self.decay_steps if self.staircase else t / self.decay_steps
        # A denominator past float64's range is inf, and start / inf is 0.
        denominator = 1.0 + self.rate * p
        if self.power != 1.0:
            denominator = np.float_power(denominator, self.power)
        return self.start / denominator


# -------------------------------------------------------------- combinators


@dataclass(frozen=True, init=False, repr=False)
class join(Schedule):
    """Run schedules one after another, each restarted at its own step 0.

    Schedule ``i`` covers ``[boundaries[i-1], boundaries[i])`` and is called
    with ``t - boundaries[i-1]``, like torch's ``SequentialLR``. The last one
    runs forever, so ``total_steps`` is ``boundaries[-1]`` plus its own
    ``total_steps`` (``None`` if that is ``None``), and likewise for
    ``max_steps``. A piece with a ``max_steps`` (``one_cycle``) may not get
    a longer segment. The result has no ``momentum`` schedule.

    Parameters
    ----------
    schedules : sequence of Schedule
        At least one schedule.
    boundaries : sequence of int
        ``len(schedules) - 1`` strictly increasing steps, the first >= 1.

    Examples
    --------
    >>> s = join([linear_warmup(1.0, 2), cosine(1.0, 4)], [2])
    >>> s([0, 1, 2, 4, 6]).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    schedules: tuple[Schedule, ...]
    boundaries: tuple[int, ...]
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)
    _marks: np.ndarray = field(init=False, repr=False, compare=False)
    _offsets: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __init__(self, schedules: Sequence[Schedule], boundaries: Sequence[int]) -> None:
        ok = isinstance(schedules, Sequence) and not isinstance(schedules, str | bytes)
        parts = tuple(schedules) if ok else ()
        if not parts or not all(isinstance(part, Schedule) for part in parts):
            raise ValueError(
                f"schedules must be a non-empty sequence of Schedule objects, got {schedules!r}"
            )
        marks = check_int_sequence("boundaries", boundaries, 1, MAX_STEP)
        if len(marks) != len(parts) - 1:
            raise ValueError(
                f"boundaries must hold len(schedules) - 1 = {len(parts) - 1} steps, "
                f"got {len(marks)}: {list(marks)!r}"
            )
        if any(b <= a for a, b in itertools.pairwise(marks)):
            raise ValueError(
                f"boundaries must be strictly increasing integers >= 1, got {list(marks)!r}"
            )
        offsets = (0, *marks)
        for i, (part, begin, end) in enumerate(zip(parts, offsets, marks, strict=False)):
            if part.max_steps is not None and end - begin > part.max_steps:
                raise ValueError(
                    f"boundaries[{i}] must be at most {begin} + schedules[{i}].max_steps = "
                    f"{begin + part.max_steps}: a run may not use {part!r} past its end, "
                    f"got {end}"
                )
        last, limit = parts[-1].total_steps, parts[-1].max_steps
        self._set(
            schedules=parts,
            boundaries=marks,
            total_steps=None if last is None else offsets[-1] + last,
            max_steps=None if limit is None else offsets[-1] + limit,
            _marks=np.array(marks, dtype=np.int64),
            _offsets=offsets,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        if len(self.schedules) == 1:
            return self.schedules[0]._eval(t)
        flat = t.ravel()
        piece = np.searchsorted(self._marks, flat, side="right")
        out = np.empty(flat.shape)
        for i, (part, offset) in enumerate(zip(self.schedules, self._offsets, strict=True)):
            mask = piece == i
            if mask.any():
                out[mask] = part._eval(flat[mask] - offset)
        return out.reshape(t.shape)


@dataclass(frozen=True, init=False, repr=False)
class with_warmup(Schedule):
    """Prepend a warmup that rises from ``start`` to ``schedule(0)``.

    The result is ``join([linear_warmup(schedule(0), warmup_steps, start,
    shape), schedule], [warmup_steps])``: the schedule starts, at its own step
    0, right after the warmup.

    Parameters
    ----------
    schedule : Schedule
        The schedule to run after the warmup.
    warmup_steps : int
        Length of the warmup, >= 1.
    start : float, default 0.0
        Learning rate at ``t = 0``.
    shape : {"linear", "cosine", "1-sqrt"}, default "linear"

    Examples
    --------
    >>> s = with_warmup(step_decay(0.1, 10, 0.5), warmup_steps=5)
    >>> s([0, 5, 15]).tolist()
    [0.0, 0.1, 0.05]
    """

    schedule: Schedule
    warmup_steps: int
    start: float
    shape: str
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)
    _inner: join = field(init=False, repr=False, compare=False)

    def __init__(
        self, schedule: Schedule, warmup_steps: int, start: float = 0.0, shape: str = "linear"
    ) -> None:
        schedule = check_instance("schedule", schedule, Schedule, "an lrlab Schedule")
        w = check_int("warmup_steps", warmup_steps, 1, MAX_STEP)
        start_lr = check_lr("start", start)
        shape = check_choice("shape", shape, WARMUP_SHAPES)
        peak = schedule(0)
        check_at_most("start", start_lr, "schedule(0)", peak)
        inner = join([linear_warmup(peak, w, start_lr, shape), schedule], [w])
        self._set(
            schedule=schedule,
            warmup_steps=w,
            start=start_lr,
            shape=shape,
            total_steps=inner.total_steps,
            max_steps=inner.max_steps,
            _inner=inner,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self._inner._eval(t)


@dataclass(frozen=True, init=False, repr=False)
class scale(Schedule):
    """Multiply a schedule by a constant ``factor``; its momentum is unchanged.

    Parameters
    ----------
    schedule : Schedule
        The schedule to scale.
    factor : float
        Multiplier, finite and >= 0. Evaluating a step where the product
        passes float64's range raises ``ValueError``.

    Examples
    --------
    >>> scale(inverse_sqrt(512, 4000), 2.0)(4000) == 2 * inverse_sqrt(512, 4000)(4000)
    True
    """

    schedule: Schedule
    factor: float
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)
    momentum: Schedule | None = field(init=False, repr=False, compare=False)

    def __init__(self, schedule: Schedule, factor: float) -> None:
        schedule = check_instance("schedule", schedule, Schedule, "an lrlab Schedule")
        self._set(
            schedule=schedule,
            factor=check_number("factor", factor, 0.0, math.inf),
            total_steps=schedule.total_steps,
            max_steps=schedule.max_steps,
            momentum=schedule.momentum,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.schedule._eval(t) * self.factor


@dataclass(frozen=True, init=False, repr=False)
class shift(Schedule):
    """Run ``schedule`` ``steps`` updates ahead: ``s(t) = schedule(t + steps)``.

    ``total_steps`` and ``max_steps`` move ``steps`` earlier (``total_steps``
    at least 1); the momentum schedule, if any, is shifted too. Since the
    schedule is defined up to step 2**53, the shifted one is defined up to
    ``2**53 - steps``, and ``max_steps`` says so.

    Parameters
    ----------
    schedule : Schedule
        The schedule to advance.
    steps : int
        How far ahead, >= 0, and less than ``schedule.max_steps`` if it has one.

    Examples
    --------
    >>> shift(linear_decay(1.0, 0.0, 4), 1)([0, 3]).tolist()
    [0.75, 0.0]
    """

    schedule: Schedule
    steps: int
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)
    momentum: Schedule | None = field(init=False, repr=False, compare=False)

    def __init__(self, schedule: Schedule, steps: int) -> None:
        schedule = check_instance("schedule", schedule, Schedule, "an lrlab Schedule")
        limit = MAX_STEP if schedule.max_steps is None else schedule.max_steps - 1
        ahead = check_int("steps", steps, 0, limit)
        total, most = schedule.total_steps, schedule.max_steps
        if most is None and ahead:
            most = MAX_STEP + 1
        self._set(
            schedule=schedule,
            steps=ahead,
            total_steps=None if total is None else max(total - ahead, 1),
            max_steps=None if most is None else most - ahead,
            momentum=None if schedule.momentum is None else shift(schedule.momentum, ahead),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        if t.size and t.max() > MAX_STEP - self.steps:
            bad = int(t[t > MAX_STEP - self.steps].ravel()[0])
            raise ValueError(
                f"step must be in [0, 2**53 - steps] = [0, {MAX_STEP - self.steps}] for "
                f"{self!r}, got {bad}"
            )
        return self.schedule._eval(t + self.steps)


@dataclass(frozen=True, init=False, repr=False)
class clip(Schedule):
    """Bound a schedule: ``min(max(schedule(t), low), high)`` (optax's ``end_value``).

    Its momentum schedule, if any, is unchanged.

    Parameters
    ----------
    schedule : Schedule
        The schedule to bound.
    low : float, default 0.0
        Lower bound, a learning rate.
    high : float, optional
        Upper bound, a learning rate >= ``low``; ``None`` for none.

    Examples
    --------
    >>> clip(exponential(1.0, 0.5), low=0.2)([0, 1, 2, 3]).tolist()
    [1.0, 0.5, 0.25, 0.2]
    """

    schedule: Schedule
    low: float
    high: float | None
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)
    momentum: Schedule | None = field(init=False, repr=False, compare=False)

    def __init__(self, schedule: Schedule, low: float = 0.0, high: float | None = None) -> None:
        schedule = check_instance("schedule", schedule, Schedule, "an lrlab Schedule")
        low = check_lr("low", low)
        if high is not None:
            high = check_lr("high", high)
            check_at_most("low", low, "high", high)
        self._set(
            schedule=schedule,
            low=low,
            high=high,
            total_steps=schedule.total_steps,
            max_steps=schedule.max_steps,
            momentum=schedule.momentum,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        out = np.maximum(self.schedule._eval(t), self.low)
        if self.high is not None:
            np.minimum(out, self.high, out=out)
        return out


@dataclass(frozen=True, init=False, repr=False)
class product(Schedule):
    """Multiply schedules step by step, like torch's ``ChainedScheduler``.

    Write all but one factor with a start of 1.0 so the product keeps the
    other's scale. ``total_steps`` is the longest of the factors' (``None`` if
    every factor is open-ended); ``max_steps`` the shortest. No momentum
    schedule. Evaluating a step where the product passes float64's range
    raises ``ValueError``.

    Parameters
    ----------
    schedules : sequence of Schedule
        At least two schedules.

    Examples
    --------
    >>> s = product([multistep(0.1, [2], 10.0), exponential(1.0, 0.5)])
    >>> s([0, 1, 2, 3]).tolist()
    [0.1, 0.05, 0.25, 0.125]
    """

    schedules: tuple[Schedule, ...]
    total_steps: int | None = field(init=False, repr=False, compare=False)
    max_steps: int | None = field(init=False, repr=False, compare=False)

    def __init__(self, schedules: Sequence[Schedule]) -> None:
        parts = check_sequence(
            "schedules", schedules, "a sequence of at least two Schedule objects", min_len=2
        )
        for i, part in enumerate(parts):
            check_instance(f"schedules[{i}]", part, Schedule, "an lrlab Schedule")
        ends = [part.total_steps for part in parts if part.total_steps is not None]
        limits = [part.max_steps for part in parts if part.max_steps is not None]
        self._set(
            schedules=parts,
            total_steps=max(ends, default=None),
            max_steps=min(limits, default=None),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        out = np.array(self.schedules[0]._eval(t), dtype=np.float64)
        for part in self.schedules[1:]:
            out *= part._eval(t)
        return out
