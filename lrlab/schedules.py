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

import itertools
import math
import numbers
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from lrlab._checks import check_int, check_number

__all__ = [
    "Schedule",
    "as_steps",
    "constant",
    "cosine",
    "cosine_restarts",
    "cyclical",
    "exponential",
    "inverse_sqrt",
    "join",
    "linear_decay",
    "linear_warmup",
    "multistep",
    "one_cycle",
    "polynomial",
    "scale",
    "step_decay",
    "warmup_cosine",
    "with_warmup",
    "wsd",
]

WARMUP_SHAPES = ("linear", "cosine", "1-sqrt")
DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "exponential")
CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
ANNEAL_STRATEGIES = ("cos", "linear")
_INT64_MAX = np.iinfo(np.int64).max


def as_steps(t: Any) -> np.ndarray:
    """Validate steps and return them as an int64 array.

    ``int64`` arrays pass through without a copy; floats are accepted only
    when they hold whole numbers.

    Parameters
    ----------
    t : int or array_like of int
        Optimizer steps, each a non-negative integer.

    Returns
    -------
    numpy.ndarray
        The steps as ``int64`` (0-d for a scalar input).

    Raises
    ------
    ValueError
        If a step is negative, not an integer, or not finite.

    Examples
    --------
    >>> as_steps([0, 1, 2]).tolist()
    [0, 1, 2]
    """
    arr = np.asarray(t)
    kind = arr.dtype.kind
    if kind == "i":
        if arr.size and arr.min() < 0:
            bad = arr[arr < 0].ravel()[0]
            raise ValueError(f"step must be an integer >= 0, got {int(bad)}")
        return arr.astype(np.int64, copy=False)
    if kind == "u":
        if arr.dtype.itemsize == 8 and arr.size and arr.max() > _INT64_MAX:
            raise ValueError(f"step must be an integer in [0, {_INT64_MAX}], got {int(arr.max())}")
        return arr.astype(np.int64)
    if kind == "f":
        bad_mask = ~np.isfinite(arr) | (arr != np.floor(arr)) | (arr < 0)
        if bad_mask.any():
            bad = arr[bad_mask].ravel()[0]
            raise ValueError(f"step must be an integer >= 0, got {float(bad)!r}")
        return arr.astype(np.int64)
    raise ValueError(f"step must be an integer >= 0, got {t!r}")


# ---------------------------------------------------------------- validation


def _real(name: str, value: Any, rule: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be {rule}, got {number!r}")
    return number


def _lr(name: str, value: Any) -> float:
    rule = "a finite learning rate >= 0"
    number = _real(name, value, rule)
    if number < 0:
        raise ValueError(f"{name} must be {rule}, got {number!r}")
    return number


def _positive(name: str, value: Any) -> float:
    rule = "a finite number > 0"
    number = _real(name, value, rule)
    if number <= 0:
        raise ValueError(f"{name} must be {rule}, got {number!r}")
    return number


def _count(name: str, value: Any, low: int = 1, high: int | None = None) -> int:
    """:func:`check_int` that also takes a float holding a whole number (``1e4``)."""
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        number = float(value)
        if number.is_integer():
            value = int(number)
    return check_int(name, value, low, high)


def _choice(name: str, value: Any, options: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in options:
        valid = ", ".join(repr(option) for option in options)
        raise ValueError(f"{name} must be one of {valid}, got {value!r}")
    return value


def _not_above(name: str, value: float, bound_name: str, bound: float) -> float:
    if value > bound:
        raise ValueError(f"{name} must be in [0, {bound_name}] = [0, {bound!r}], got {value!r}")
    return value


def _fraction(name: str, value: Any) -> float:
    rule = "a number in the open interval (0, 1)"
    number = _real(name, value, rule)
    if not 0.0 < number < 1.0:
        raise ValueError(f"{name} must be {rule}, got {number!r}")
    return number


# ------------------------------------------------------------- shape helpers


def _steps_into(t: np.ndarray, offset: int, length: int | None) -> np.ndarray:
    """``t - offset`` clipped to ``[0, length]``, as a new float64 array (exact)."""
    x = np.subtract(t, offset, dtype=np.float64)
    np.maximum(x, 0.0, out=x)
    if length is not None:
        np.minimum(x, length, out=x)
    return x


def _cos_anneal(hi: float, lo: float, k: np.ndarray, n: float | np.ndarray) -> np.ndarray:
    """``lo + (hi - lo) * (1 + cos(pi * k / n)) / 2`` in torch's operation order.

    ``k`` holds whole numbers; a float64 ``k`` is overwritten with the result.
    ``n`` is one length or one per element of ``k``.
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
    return x


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
    return start + (peak - start) * _rise(t / steps, shape)


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
    return out


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

    Subclasses set their parameters once in ``__init__`` (through
    :meth:`_set`) and implement :meth:`_eval`, which receives validated
    ``int64`` steps (an array with at least one dimension) and returns float64
    learning rates of the same shape.
    Instances are immutable, compare equal when their parameters are equal,
    and their repr is a call that rebuilds them.

    Attributes
    ----------
    total_steps : int or None
        Length of the run the schedule was built for, or ``None`` when it is
        open-ended.
    momentum : Schedule or None
        The momentum (or Adam beta1) schedule that goes with this one, for
        ``one_cycle`` and ``cyclical``; ``None`` otherwise.

    Examples
    --------
    >>> from lrlab import constant
    >>> constant(0.1)(3)
    0.1
    """

    _fields: ClassVar[tuple[str, ...]] = ()
    _extras: ClassVar[dict[str, Any]] = {}
    total_steps: int | None = None
    momentum: Schedule | None = None

    def __call__(self, t: Any) -> Any:
        steps = as_steps(t)
        if steps.ndim == 0:
            return float(self._eval(steps.reshape(1))[0])
        return np.asarray(self._eval(steps), dtype=np.float64)

    def _eval(self, t: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _key(self) -> tuple[Any, ...]:
        names = self._fields + tuple(self._extras)
        return tuple(getattr(self, name) for name in names)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __repr__(self) -> str:
        parts = [f"{name}={_show(getattr(self, name))}" for name in self._fields]
        for name, default in self._extras.items():
            value = getattr(self, name)
            if value != default:
                parts.append(f"{name}={_show(value)}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return repr(value)


class _Momentum(Schedule):
    """The momentum schedule that belongs to a cyclical or one-cycle schedule."""

    def __init__(self, parent: Schedule) -> None:
        self._set(parent=parent, total_steps=parent.total_steps)

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.parent._momentum(t)

    def _key(self) -> tuple[Any, ...]:
        return (self.parent,)

    def __repr__(self) -> str:
        return f"{self.parent!r}.momentum"


# ----------------------------------------------------------------- families


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

    _fields = ("lr",)

    def __init__(self, lr: float) -> None:
        self._set(lr=_lr("lr", lr))

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return np.full(t.shape, self.lr)


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

    _fields = ("peak", "warmup_steps", "start", "shape")

    def __init__(
        self, peak: float, warmup_steps: int, start: float = 0.0, shape: str = "linear"
    ) -> None:
        peak = _lr("peak", peak)
        self._set(
            peak=peak,
            warmup_steps=_count("warmup_steps", warmup_steps, 1),
            start=_not_above("start", _lr("start", start), "peak", peak),
            shape=_choice("shape", shape, WARMUP_SHAPES),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w = self.warmup_steps
        rising = _warmup_values(np.minimum(t, w), self.start, self.peak, w, self.shape)
        return np.where(t < w, rising, self.peak)


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

    _fields = ("start", "step_size", "gamma")

    def __init__(self, start: float, step_size: int, gamma: float) -> None:
        self._set(
            start=_lr("start", start),
            step_size=_count("step_size", step_size, 1),
            gamma=_positive("gamma", gamma),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.start * np.float_power(self.gamma, t // self.step_size)


class multistep(Schedule):
    """Multiply by ``gamma`` at each milestone, like torch's ``MultiStepLR``.

    ``s(t) = start * gamma ** (number of milestones <= t)``. A milestone
    listed twice counts twice, as in torch. Open-ended.

    Parameters
    ----------
    start : float
        Learning rate at ``t = 0`` (before any milestone).
    milestones : sequence of int
        Non-decreasing steps (>= 0) at which the drops happen.
    gamma : float
        Factor applied at each milestone, > 0.

    Examples
    --------
    >>> multistep(0.1, [30, 60, 80], 0.1)([29, 30, 60, 89]).tolist()
    [0.1, 0.010000000000000002, 0.0010000000000000002, 0.00010000000000000003]
    """

    _fields = ("start", "milestones", "gamma")

    def __init__(self, start: float, milestones: Sequence[int], gamma: float) -> None:
        if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Sequence):
            raise ValueError(
                f"milestones must be a sequence of non-decreasing integers >= 0, got {milestones!r}"
            )
        marks = tuple(_count("milestones", m, 0) for m in milestones)
        if any(b < a for a, b in itertools.pairwise(marks)):
            raise ValueError(
                f"milestones must be a sequence of non-decreasing integers >= 0, "
                f"got {list(marks)!r}"
            )
        self._set(
            start=_lr("start", start),
            milestones=marks,
            gamma=_positive("gamma", gamma),
            _marks=np.array(marks, dtype=np.int64),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        passed = np.searchsorted(self._marks, t, side="right")
        return self.start * np.float_power(self.gamma, passed)


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

    _fields = ("start", "gamma")

    def __init__(self, start: float, gamma: float) -> None:
        self._set(start=_lr("start", start), gamma=_positive("gamma", gamma))

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.start * np.float_power(self.gamma, t)


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

    _fields = ("start", "end", "total_steps")

    def __init__(self, start: float, end: float, total_steps: int) -> None:
        start = _lr("start", start)
        self._set(
            start=start,
            end=_not_above("end", _lr("end", end), "start", start),
            total_steps=_count("total_steps", total_steps, 1),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        k = _steps_into(t, 0, self.total_steps)
        return _decay_values(k, self.total_steps, self.start, self.end, "linear")


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

    _fields = ("start", "total_steps", "power", "end")

    def __init__(
        self, start: float, total_steps: int, power: float = 1.0, end: float = 0.0
    ) -> None:
        start = _lr("start", start)
        power_f = _real("power", power, "a finite number >= 0")
        if power_f < 0:
            raise ValueError(f"power must be a finite number >= 0, got {power_f!r}")
        self._set(
            start=start,
            total_steps=_count("total_steps", total_steps, 1),
            power=power_f,
            end=_not_above("end", _lr("end", end), "start", start),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        n = self.total_steps
        base = np.minimum(t, n) / n
        np.subtract(1.0, base, out=base)
        out = np.float_power(base, self.power, out=base)
        out *= self.start - self.end
        out += self.end
        return out


class cosine(Schedule):
    """Cosine annealing from ``peak`` to ``floor``, like torch's ``CosineAnnealingLR``.

    ``s(t) = floor + (peak - floor) * (1 + cos(pi * t / T)) / 2`` for
    ``0 <= t <= T = total_steps``. What happens afterwards is chosen by
    ``past_end``: ``"hold"`` (default) stays at ``floor``; ``"continue"``
    keeps the formula going, which climbs back to ``peak`` at ``2 T`` and
    repeats -- exactly what ``CosineAnnealingLR`` does if you keep stepping it.

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

    _fields = ("peak", "total_steps", "floor")
    _extras: ClassVar[dict[str, Any]] = {"past_end": "hold"}

    def __init__(
        self, peak: float, total_steps: int, floor: float = 0.0, *, past_end: str = "hold"
    ) -> None:
        peak = _lr("peak", peak)
        self._set(
            peak=peak,
            total_steps=_count("total_steps", total_steps, 1),
            floor=_not_above("floor", _lr("floor", floor), "peak", peak),
            past_end=_choice("past_end", past_end, ("hold", "continue")),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        end = self.total_steps if self.past_end == "hold" else None
        return _cos_anneal(self.peak, self.floor, _steps_into(t, 0, end), self.total_steps)


class cosine_restarts(Schedule):
    """Cosine annealing with warm restarts (SGDR), like ``CosineAnnealingWarmRestarts``.

    Cycle ``i`` lasts ``period * period_mult ** i`` steps; inside a cycle the
    rate follows a cosine from ``peak`` towards ``floor`` and jumps back to
    ``peak`` at the next cycle. The cycle of a step is found with integer
    arithmetic, so it is exact where torch's ``step(epoch)`` (which takes a
    logarithm) can land in the wrong cycle. Open-ended.

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

    _fields = ("peak", "period", "period_mult", "floor")

    def __init__(self, peak: float, period: int, period_mult: int = 1, floor: float = 0.0) -> None:
        peak = _lr("peak", peak)
        self._set(
            peak=peak,
            period=_count("period", period, 1),
            period_mult=_count("period_mult", period_mult, 1),
            floor=_not_above("floor", _lr("floor", floor), "peak", peak),
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
        starts, _ = self._cycles(_count("up_to", up_to, 0))
        return starts

    def _cycles(self, up_to: int) -> tuple[np.ndarray, np.ndarray]:
        starts = [0]
        lengths = [self.period]
        nxt = self.period
        while nxt <= up_to:
            starts.append(nxt)
            lengths.append(lengths[-1] * self.period_mult)
            nxt += lengths[-1]
        return np.array(starts, dtype=np.int64), np.array(lengths, dtype=np.int64)

    def _eval(self, t: np.ndarray) -> np.ndarray:
        if self.period_mult == 1:
            return _cos_anneal(self.peak, self.floor, t % self.period, self.period)
        starts, lengths = self._cycles(int(t.max()) if t.size else 0)
        cycle = np.searchsorted(starts, t, side="right") - 1
        return _cos_anneal(self.peak, self.floor, t - starts[cycle], lengths[cycle])


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
        Per-step factor for ``exp_range``, > 0.
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

    _fields = ("base", "peak", "step_size_up", "step_size_down", "mode", "gamma")
    _extras: ClassVar[dict[str, Any]] = {
        "cycle_momentum": True,
        "base_momentum": 0.8,
        "max_momentum": 0.9,
    }

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
        peak = _lr("peak", peak)
        base = _not_above("base", _lr("base", base), "peak", peak)
        up = _count("step_size_up", step_size_up, 1)
        down = up if step_size_down is None else _count("step_size_down", step_size_down, 1)
        high_m = check_number("max_momentum", max_momentum, 0.0, 1.0)
        low_m = check_number("base_momentum", base_momentum, 0.0, 1.0)
        _not_above("base_momentum", low_m, "max_momentum", high_m)
        self._set(
            base=base,
            peak=peak,
            step_size_up=up,
            step_size_down=down,
            mode=_choice("mode", mode, CYCLIC_MODES),
            gamma=_positive("gamma", gamma),
            cycle_momentum=bool(cycle_momentum),
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
        return self.base + height * factor

    def _momentum(self, t: np.ndarray) -> np.ndarray:
        position, factor = self._shape(t)
        height = (self.max_momentum - self.base_momentum) * position
        return self.max_momentum - height * factor


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
    ``ValueError``, just as torch raises "Tried to step ... times".

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
        Start value is ``peak / div_factor``.
    final_div_factor : float, default 1e4
        Final value is ``peak / div_factor / final_div_factor``.
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

    _fields = (
        "peak",
        "total_steps",
        "pct_start",
        "div_factor",
        "final_div_factor",
        "anneal",
        "three_phase",
    )
    _extras: ClassVar[dict[str, Any]] = {
        "cycle_momentum": True,
        "base_momentum": 0.85,
        "max_momentum": 0.95,
    }

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
        peak = _lr("peak", peak)
        n = _count("total_steps", total_steps, 2)
        pct = _fraction("pct_start", pct_start)
        div = _positive("div_factor", div_factor)
        final_div = _positive("final_div_factor", final_div_factor)
        high_m = check_number("max_momentum", max_momentum, 0.0, 1.0)
        low_m = check_number("base_momentum", base_momentum, 0.0, 1.0)
        _not_above("base_momentum", low_m, "max_momentum", high_m)
        first_end = float(pct * n) - 1
        if first_end <= 0:
            raise ValueError(
                f"pct_start must be in ({1 / n!r}, 1) so that pct_start * total_steps > 1 "
                f"(total_steps = {n}), got {pct!r}"
            )
        initial = peak / div
        low = initial / final_div
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
            anneal=_choice("anneal", anneal, ANNEAL_STRATEGIES),
            three_phase=bool(three_phase),
            cycle_momentum=bool(cycle_momentum),
            base_momentum=low_m,
            max_momentum=high_m,
            initial_lr=initial,
            min_lr=low,
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
        return self._anneal(self._lr_table, phase, pct)

    def _momentum(self, t: np.ndarray) -> np.ndarray:
        phase, pct = self._phase_pct(t)
        return self._anneal(self._m_table, phase, pct)


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

    _fields = ("peak", "total_steps", "warmup_steps", "floor")
    _extras: ClassVar[dict[str, Any]] = {"start": 0.0, "warmup_shape": "linear"}

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
        peak = _lr("peak", peak)
        n = _count("total_steps", total_steps, 1)
        self._set(
            peak=peak,
            total_steps=n,
            warmup_steps=_count("warmup_steps", warmup_steps, 0, n - 1),
            floor=_not_above("floor", _lr("floor", floor), "peak", peak),
            start=_not_above("start", _lr("start", start), "peak", peak),
            warmup_shape=_choice("warmup_shape", warmup_shape, WARMUP_SHAPES),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w, n = self.warmup_steps, self.total_steps
        out = _cos_anneal(self.peak, self.floor, _steps_into(t, w, n - w), n - w)
        return _overwrite_warmup(out, t, self.start, self.peak, w, self.warmup_shape)


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

    _fields = ("peak", "total_steps", "warmup_steps", "decay_steps", "floor", "decay")
    _extras: ClassVar[dict[str, Any]] = {"start": 0.0, "warmup_shape": "linear"}

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
        peak = _lr("peak", peak)
        n = _count("total_steps", total_steps, 1)
        w = _count("warmup_steps", warmup_steps, 0, n - 1)
        d = _count("decay_steps", decay_steps, 1, n)
        if w + d > n:
            raise ValueError(
                f"warmup_steps + decay_steps must be in [1, total_steps] = [1, {n}], "
                f"got {w} + {d} = {w + d}"
            )
        floor = _not_above("floor", _lr("floor", floor), "peak", peak)
        decay = _choice("decay", decay, DECAY_SHAPES)
        if decay == "exponential" and not 0 < floor:
            raise ValueError(
                f"floor must be in (0, peak] = (0, {peak!r}] for decay='exponential', got {floor!r}"
            )
        self._set(
            peak=peak,
            total_steps=n,
            warmup_steps=w,
            decay_steps=d,
            floor=floor,
            decay=decay,
            start=_not_above("start", _lr("start", start), "peak", peak),
            warmup_shape=_choice("warmup_shape", warmup_shape, WARMUP_SHAPES),
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w, d, n = self.warmup_steps, self.decay_steps, self.total_steps
        out = _decay_values(_steps_into(t, n - d, d), d, self.peak, self.floor, self.decay)
        return _overwrite_warmup(out, t, self.start, self.peak, w, self.warmup_shape)


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

    _fields = ("d_model", "warmup_steps")

    def __init__(self, d_model: int, warmup_steps: int) -> None:
        self._set(
            d_model=_count("d_model", d_model, 1),
            warmup_steps=_count("warmup_steps", warmup_steps, 1),
        )
        self._set(peak=self.d_model**-0.5 / math.sqrt(self.warmup_steps))

    def _eval(self, t: np.ndarray) -> np.ndarray:
        w = self.warmup_steps
        scale_ = self.d_model**-0.5
        rising = t * (scale_ * w**-1.5)
        falling = scale_ / np.sqrt(np.maximum(t, w))
        return np.where(t < w, rising, falling)


# -------------------------------------------------------------- combinators


class join(Schedule):
    """Run schedules one after another, each restarted at its own step 0.

    Schedule ``i`` covers ``[boundaries[i-1], boundaries[i])`` and is called
    with ``t - boundaries[i-1]``, like torch's ``SequentialLR``. The last one
    runs forever, so ``total_steps`` is ``boundaries[-1]`` plus its own
    ``total_steps`` (``None`` if that is ``None``). A piece that refuses steps
    past its end (``one_cycle``) raises here too if its segment is longer
    than its ``total_steps + 1``. The result has no ``momentum`` schedule.

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

    _fields = ("schedules", "boundaries")

    def __init__(self, schedules: Sequence[Schedule], boundaries: Sequence[int]) -> None:
        parts = tuple(schedules)
        if not parts or not all(isinstance(part, Schedule) for part in parts):
            raise ValueError(
                f"schedules must be a non-empty sequence of Schedule objects, got {schedules!r}"
            )
        marks = tuple(_count("boundaries", b, 1) for b in boundaries)
        if len(marks) != len(parts) - 1:
            raise ValueError(
                f"boundaries must hold len(schedules) - 1 = {len(parts) - 1} steps, "
                f"got {len(marks)}: {list(marks)!r}"
            )
        if any(b <= a for a, b in itertools.pairwise(marks)):
            raise ValueError(
                f"boundaries must be strictly increasing integers >= 1, got {list(marks)!r}"
            )
        last = parts[-1].total_steps
        offsets = (0, *marks)
        self._set(
            schedules=parts,
            boundaries=marks,
            total_steps=None if last is None else offsets[-1] + last,
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

    _fields = ("schedule", "warmup_steps", "start", "shape")

    def __init__(
        self, schedule: Schedule, warmup_steps: int, start: float = 0.0, shape: str = "linear"
    ) -> None:
        if not isinstance(schedule, Schedule):
            raise ValueError(f"schedule must be a Schedule object, got {schedule!r}")
        w = _count("warmup_steps", warmup_steps, 1)
        start_lr = _lr("start", start)
        shape = _choice("shape", shape, WARMUP_SHAPES)
        peak = schedule(0)
        _not_above("start", start_lr, "schedule(0)", peak)
        inner = join([linear_warmup(peak, w, start_lr, shape), schedule], [w])
        self._set(
            schedule=schedule,
            warmup_steps=w,
            start=start_lr,
            shape=shape,
            total_steps=inner.total_steps,
            _inner=inner,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self._inner._eval(t)


class scale(Schedule):
    """Multiply a schedule by a constant ``factor``; its momentum is unchanged.

    Parameters
    ----------
    schedule : Schedule
        The schedule to scale.
    factor : float
        Multiplier, finite and >= 0.

    Examples
    --------
    >>> scale(inverse_sqrt(512, 4000), 2.0)(4000) == 2 * inverse_sqrt(512, 4000)(4000)
    True
    """

    _fields = ("schedule", "factor")

    def __init__(self, schedule: Schedule, factor: float) -> None:
        if not isinstance(schedule, Schedule):
            raise ValueError(f"schedule must be a Schedule object, got {schedule!r}")
        self._set(
            schedule=schedule,
            factor=_lr("factor", factor),
            total_steps=schedule.total_steps,
            momentum=schedule.momentum,
        )

    def _eval(self, t: np.ndarray) -> np.ndarray:
        return self.schedule._eval(t) * self.factor
