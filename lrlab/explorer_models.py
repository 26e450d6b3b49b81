"""The closed-form models an explorer can draw, computed by lrlab.

Each model is a named function of a few parameters that returns named arrays
(for example ``"t"`` and ``"loss"``). :mod:`lrlab.widgets` calls these in a
kernel; ``book/static/lrlab-models.js`` implements the same names in the
page, operation for operation, and ``tests/test_js_models.py`` checks the two
against each other on random configurations. Everything here is a thin call
into the library (:mod:`lrlab.schedules`, :mod:`lrlab.nqm`,
:mod:`lrlab.problems`, :mod:`lrlab.adam`), so the page's numbers are
lrlab's numbers.

Model parameters are *value trees*: an expression tree of :mod:`lrlab._expr`
(``["f", 0.5]``, ``["n", "peak"]``, …), or ``["list", item, …]``,
``["sched", family, [[name, value], …]]`` for a schedule, ``["pick", key,
[[case, value], …]]`` to choose among values by a key, and ``["none"]``.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrlab import _expr, adam, problems, schedules
from lrlab._checks import check_int, check_number
from lrlab.nqm import NoisyQuadratic

#: Schedule families and combinators a ``["sched", ...]`` value may name.
FAMILIES: dict[str, type[schedules.Schedule]] = {
    name: getattr(schedules, name)
    for name in (
        "constant",
        "linear_warmup",
        "step_decay",
        "multistep",
        "exponential",
        "exponential_rate",
        "linear_decay",
        "polynomial",
        "cosine",
        "cosine_restarts",
        "cosine_cycles",
        "cyclical",
        "one_cycle",
        "phases",
        "warmup_cosine",
        "wsd",
        "inverse_sqrt",
        "inverse_time",
        "join",
        "with_warmup",
        "scale",
        "shift",
        "clip",
        "product",
    )
}


def family_parameters(family: str) -> list[inspect.Parameter]:
    """The parameters of a schedule family, in the order of its signature.

    Examples
    --------
    >>> [p.name for p in family_parameters("cosine")]
    ['peak', 'total_steps', 'floor', 'past_end']
    """
    return list(inspect.signature(FAMILIES[family]).parameters.values())


# ------------------------------------------------------------------ value trees


def evaluate_value(tree: list, env: Mapping[str, Any]) -> Any:
    """The Python value of a value tree: numbers, strings, lists, lrlab schedules.

    Examples
    --------
    >>> tree = ["sched", "cosine", [["peak", ["n", "p"]], ["total_steps", ["i", 10]],
    ...         ["floor", ["f", 0.0]], ["past_end", ["s", "hold"]]]]
    >>> evaluate_value(tree, {"p": 1.0})
    cosine(peak=1.0, total_steps=10, floor=0.0)
    """
    kind = tree[0]
    if kind == "none":
        return None
    if kind == "list":
        return [evaluate_value(item, env) for item in tree[1:]]
    if kind == "sched":
        family = FAMILIES[tree[1]]
        args = {name: evaluate_value(value, env) for name, value in tree[2]}
        return family(**args)
    if kind == "pick":
        key = _expr.evaluate(tree[1], env)
        for case, value in tree[2]:
            if _same_key(key, _expr.evaluate(case, env)):
                return evaluate_value(value, env)
        cases = ", ".join(repr(_expr.evaluate(case, env)) for case, _ in tree[2])
        raise ValueError(f"no case for {key!r} among {cases}")
    return _expr.evaluate(tree, env)


def _same_key(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    return bool(a == b)


def value_names(tree: list) -> set[str]:
    """Every name a value tree uses.

    Examples
    --------
    >>> sorted(value_names(["list", ["n", "a"], ["+", ["n", "b"], ["i", 1]]]))
    ['a', 'b']
    """
    kind = tree[0]
    if kind == "none":
        return set()
    if kind == "list":
        return set().union(*(value_names(item) for item in tree[1:]))
    if kind == "sched":
        return set().union(*(value_names(value) for _, value in tree[2]))
    if kind == "pick":
        found = _expr.names_in(tree[1])
        for case, value in tree[2]:
            found |= _expr.names_in(case) | value_names(value)
        return found
    return _expr.names_in(tree)


# ------------------------------------------------------------------ models


@dataclass(frozen=True)
class Model:
    """A named closed-form model: parameters in, named arrays out.

    Attributes
    ----------
    name : str
        The name a series uses.
    params : dict of str to object
        Parameter names and defaults (``inspect.Parameter.empty`` if required).
    outputs : tuple of str
        Names of the arrays it returns.
    x : dict of str to str
        For each output drawn as ``y``, the output drawn as ``x`` by default.
    compute : callable
        ``compute(**params) -> dict of str to numpy.ndarray``.
    """

    name: str
    params: dict[str, Any]
    outputs: tuple[str, ...]
    x: dict[str, str]
    compute: Callable[..., dict[str, np.ndarray]]


MODELS: dict[str, Model] = {}
REQUIRED = inspect.Parameter.empty


def _model(name: str, outputs: tuple[str, ...], x: dict[str, str]) -> Callable:
    def register(fn: Callable[..., dict[str, np.ndarray]]) -> Callable[..., dict[str, np.ndarray]]:
        params = {p.name: p.default for p in inspect.signature(fn).parameters.values()}
        MODELS[name] = Model(name, params, outputs, x, fn)
        return fn

    return register


def _schedule(name: str, value: Any) -> schedules.Schedule:
    if not isinstance(value, schedules.Schedule):
        raise ValueError(f"{name} must be an lrlab schedule, got {value!r}")
    return value


@_model("schedule", ("t", "lr", "momentum"), {"lr": "t", "momentum": "t"})
def schedule_values(schedule: Any, steps: int) -> dict[str, np.ndarray]:
    """Learning rate (and momentum, if the schedule has one) at steps ``0 … steps − 1``.

    Examples
    --------
    >>> schedule_values(schedules.linear_warmup(1.0, 2), 3)["lr"].tolist()
    [0.0, 0.5, 1.0]
    """
    s = _schedule("schedule", schedule)
    t = np.arange(check_int("steps", steps, 1))
    out = {"t": t, "lr": s(t)}
    if s.momentum is not None:
        out["momentum"] = s.momentum(t)
    return out


def _nqm(dim: int, batch_size: int, theta0: float) -> NoisyQuadratic:
    return _standard_nqm(
        check_int("dim", dim, 1, 10_000),
        check_int("batch_size", batch_size, 1),
        check_number("theta0", theta0, -1e6, 1e6),
    )


@functools.lru_cache(maxsize=16)
def _standard_nqm(dim: int, batch_size: int, theta0: float) -> NoisyQuadratic:
    """One model per setting: an explorer asks for the same one at every redraw."""
    return NoisyQuadratic.standard(dim=dim, batch_size=batch_size, theta0=theta0)


@_model("nqm", ("t", "loss"), {"loss": "t"})
def nqm_loss(
    schedule: Any, steps: int, dim: int = 100, batch_size: int = 1, theta0: float = 1.0
) -> dict[str, np.ndarray]:
    """Exact expected loss of the standard noisy quadratic model (``hᵢ = cᵢ = 1/i``).

    ``loss[t]`` is the loss after ``t`` updates, ``t = 0 … steps``
    (:meth:`lrlab.NoisyQuadratic.expected_loss`).

    Examples
    --------
    >>> out = nqm_loss(schedules.constant(0.5), 3, dim=2)
    >>> out["t"].tolist(), round(float(out["loss"][0]), 6)
    ([0, 1, 2, 3], 0.75)
    """
    s = _schedule("schedule", schedule)
    steps = check_int("steps", steps, 1)
    loss = _nqm(dim, batch_size, theta0).expected_loss(s, steps=steps)
    return {"t": np.arange(steps + 1), "loss": loss}


@_model("nqm_floor", ("t", "floor"), {"floor": "t"})
def nqm_floor(
    schedule: Any, steps: int, dim: int = 100, batch_size: int = 1
) -> dict[str, np.ndarray]:
    """The NQM's noise floor of the LR used at each update, drawn after that update.

    ``floor[i]`` is :meth:`lrlab.NoisyQuadratic.floor` of ``schedule(i)``, at
    ``t = i + 1`` (``inf`` for an unstable LR).

    Examples
    --------
    >>> nqm_floor(schedules.constant(0.1), 2, dim=1)["t"].tolist()
    [1, 2]
    """
    s = _schedule("schedule", schedule)
    t = np.arange(check_int("steps", steps, 1))
    floor = np.asarray(_nqm(dim, batch_size, 1.0).floor(s(t)), dtype=np.float64)
    return {"t": t + 1, "floor": floor}


@_model("gd_1d", ("t", "x", "loss"), {"x": "t", "loss": "t"})
def gd_1d(
    lr: float, steps: int, x0: float = 0.0, a: float = 1.0, b: float = 3.0
) -> dict[str, np.ndarray]:
    """Gradient descent on ``a (x − b)²``: iterates and loss after ``t = 0 … steps`` updates.

    Examples
    --------
    >>> gd_1d(0.5, 2)["x"].tolist()
    [0.0, 3.0, 3.0]
    """
    xs = problems.gd_quadratic(lr, steps, x0=x0, a=a, b=b)
    return {"t": np.arange(xs.size), "x": xs, "loss": a * (xs - b) ** 2}


@_model("gd_2d", ("t", "x", "y", "loss"), {"y": "x", "loss": "t"})
def gd_2d(
    lr: float,
    steps: int,
    h_x: float = 10.0,
    h_y: float = 1.0,
    x0: float = -1.0,
    y0: float = 1.5,
) -> dict[str, np.ndarray]:
    """Gradient descent on ``(h_x x² + h_y y²) / 2``: the path and its loss.

    Examples
    --------
    >>> out = gd_2d(0.1, 1, x0=1.0, y0=1.0)
    >>> out["x"].tolist(), out["y"].tolist()
    ([1.0, 0.0], [1.0, 0.9])
    """
    problem = problems.Quadratic2D(h_x, h_y)
    path = problem.gd_path(lr, steps, start=(x0, y0))
    x, y = path[:, 0], path[:, 1]
    return {"t": np.arange(path.shape[0]), "x": x, "y": y, "loss": problem.loss(x, y)}


@_model("quadratic_contours", ("x", "y"), {"y": "x"})
def quadratic_contours(
    h_x: float, h_y: float, top: float, ratio: float, count: int, points: int = 121
) -> dict[str, np.ndarray]:
    """Level sets of ``(h_x x² + h_y y²) / 2``: ellipses at ``top · ratioᵏ``, ``k < count``.

    The ellipses follow one another in ``x`` and ``y``, each closed and
    separated by a NaN. The point ``j`` of level ``L`` is at angle
    ``θ = 2π j / (points − 1)``: ``(√(2L/h_x) cos θ, √(2L/h_y) sin θ)``.

    Examples
    --------
    >>> out = quadratic_contours(2.0, 1.0, 1.0, 0.5, 1, points=5)
    >>> out["x"][:3].round(12).tolist()
    [1.0, 0.0, -1.0]
    """
    problem = problems.Quadratic2D(h_x, h_y)
    top = check_number("top", top, 0.0, math.inf, closed=False)
    ratio = check_number("ratio", ratio, 0.0, math.inf, closed=False)
    count = check_int("count", count, 1, 50)
    points = check_int("points", points, 3, 2000)
    theta = 2 * math.pi * np.arange(points) / (points - 1)
    xs, ys = [], []
    for k in range(count):
        level = top * ratio**k
        xs += [np.sqrt(2 * level / problem.h_x) * np.cos(theta), [np.nan]]
        ys += [np.sqrt(2 * level / problem.h_y) * np.sin(theta), [np.nan]]
    return {"x": np.concatenate(xs)[:-1], "y": np.concatenate(ys)[:-1]}


@_model(
    "adam",
    ("k", "grad", "m", "v", "bias1", "bias2", "m_hat", "v_hat", "update", "raw_update"),
    {
        name: "k"
        for name in ("grad", "m", "v", "bias1", "bias2", "m_hat", "v_hat", "update", "raw_update")
    },
)
def adam_model(
    beta1: float,
    beta2: float,
    steps: int,
    grad_mean: float = 1.0,
    grad_flip: float = 0.0,
    eps: float = 1e-8,
) -> dict[str, np.ndarray]:
    """Adam's moments for the gradients ``g_k = grad_mean + grad_flip · (−1)^(k+1)``.

    A constant signal plus a component that flips sign every step; steps
    ``k = 1 … steps`` (see :func:`lrlab.adam.adam_moments`).

    Examples
    --------
    >>> adam_model(0.9, 0.999, 3, grad_mean=0.0, grad_flip=2.0)["grad"].tolist()
    [2.0, -2.0, 2.0]
    """
    steps = check_int("steps", steps, 1, 100_000)
    grad_mean = check_number("grad_mean", grad_mean, -1e6, 1e6)
    grad_flip = check_number("grad_flip", grad_flip, -1e6, 1e6)
    k = np.arange(1, steps + 1)
    grads = grad_mean + grad_flip * np.where(k % 2 == 1, 1.0, -1.0)
    a = adam.adam_moments(grads, beta1, beta2, eps)
    return {
        "k": k,
        "grad": a.grad,
        "m": a.m,
        "v": a.v,
        "bias1": a.bias1,
        "bias2": a.bias2,
        "m_hat": a.m_hat,
        "v_hat": a.v_hat,
        "update": a.update,
        "raw_update": a.raw_update,
    }


@_model("radam", ("k", "rho", "rectifier"), {"rho": "k", "rectifier": "k"})
def radam_model(beta2: float, steps: int, threshold: float = 4.0) -> dict[str, np.ndarray]:
    """RAdam's ``ρₖ`` and rectifier ``rₖ`` for ``k = 1 … steps`` (:mod:`lrlab.adam`).

    Examples
    --------
    >>> radam_model(0.999, 6)["rectifier"][:4].tolist()
    [0.0, 0.0, 0.0, 0.0]
    """
    return {
        "k": np.arange(1, check_int("steps", steps, 1) + 1),
        "rho": adam.radam_rho(beta2, steps),
        "rectifier": adam.radam_rectifier(beta2, steps, threshold),
    }


@_model("phase_marks", ("x",), {})
def phase_marks(schedule: Any, steps: int) -> dict[str, np.ndarray]:
    """Steps in ``(0, steps]`` where a schedule changes phase, for dotted guide lines.

    one_cycle: the ends of its rising (and middle) phase, ``float(pct · T) − 1``
    and ``2 pct T − 2``; cosine_restarts and cosine_cycles: every restart (and
    the end of the last cycle); cyclical: every new cycle; phases, warmups,
    wsd, step decays and joins: their boundaries. A scaled, clipped or shifted
    schedule has its inner schedule's marks, a product its factors'; other
    families have none.

    Examples
    --------
    >>> phase_marks(schedules.cosine_restarts(1.0, 50, 2), 400)["x"].tolist()
    [50.0, 150.0, 350.0]
    >>> phase_marks(schedules.one_cycle(1.0, 100), 100)["x"].tolist()
    [29.0]
    """
    s = _schedule("schedule", schedule)
    steps = check_int("steps", steps, 1)
    marks = [m for m in _marks(s, steps) if 0 < m <= steps]
    return {"x": np.array(sorted(set(marks)), dtype=np.float64)}


def _marks(s: schedules.Schedule, steps: int) -> list[float]:
    if isinstance(s, schedules.one_cycle):
        n, pct = s.total_steps, s.pct_start
        ends = [float(pct * n) - 1]
        if s.three_phase:
            ends.append(float(2 * pct * n) - 2)
        return ends
    if isinstance(s, schedules.cosine_restarts):
        return [float(v) for v in s.cycle_starts(steps)]
    if isinstance(s, schedules.cyclical):
        period = s.step_size_up + s.step_size_down
        return [float(v) for v in range(period, steps + 1, period)]
    if isinstance(s, schedules.step_decay):
        return [float(v) for v in range(s.step_size, steps + 1, s.step_size)]
    if isinstance(s, schedules.multistep):
        return [float(v) for v in s.milestones]
    if isinstance(s, schedules.linear_warmup | schedules.warmup_cosine):
        return [float(s.warmup_steps)]
    if isinstance(s, schedules.wsd):
        return [float(s.warmup_steps), float(s.total_steps - s.decay_steps)]
    if isinstance(s, schedules.cosine_cycles):
        starts = _cycle_starts_after_first(s, steps)
        end = [] if s.total_steps is None else [float(s.total_steps)]
        return [float(v) for v in starts] + end
    if isinstance(s, schedules.phases):
        bounds = np.cumsum(s.fractions)[:-1] * s.total_steps
        return [float(v) for v in bounds]
    if isinstance(s, schedules.scale | schedules.clip):
        return _marks(s.schedule, steps)
    if isinstance(s, schedules.shift):
        return [m - s.steps for m in _marks(s.schedule, steps + s.steps)]
    if isinstance(s, schedules.product):
        return [m for part in s.schedules for m in _marks(part, steps)]
    if isinstance(s, schedules.with_warmup):
        inner = _marks(s.schedule, max(steps - s.warmup_steps, 1))
        return [float(s.warmup_steps)] + [s.warmup_steps + m for m in inner]
    if isinstance(s, schedules.join):
        out = [float(b) for b in s.boundaries]
        for part, offset in zip(s.schedules, (0, *s.boundaries), strict=True):
            out += [offset + m for m in _marks(part, max(steps - offset, 1))]
        return out
    return []


def _cycle_starts_after_first(s: schedules.cosine_cycles, steps: int) -> list[int]:
    """Starts of the cycles after the first that begin by ``steps`` (and before the last ends)."""
    starts = schedules.cosine_restarts(1.0, s.period, s.period_mult).cycle_starts(steps)
    limit = len(starts) if s.cycles is None else s.cycles
    return [int(v) for v in starts[1:limit]]


def compute(name: str, params: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Run model ``name`` with already evaluated parameters.

    Examples
    --------
    >>> compute("gd_1d", {"lr": 0.25, "steps": 1})["x"].tolist()
    [0.0, 1.5]
    """
    return MODELS[name].compute(**params)


__all__ = [
    "FAMILIES",
    "MODELS",
    "Model",
    "compute",
    "evaluate_value",
    "family_parameters",
    "value_names",
]
