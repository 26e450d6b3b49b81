"""Loss-curve laws: a whole training curve predicted from its learning-rate schedule.

Two laws fitted to measured curves, and one bound from convex optimisation:

- :class:`TissueLaw` (Tissue et al. 2024, arXiv 2408.11029):
  ``L(t) = L₀ + A·S₁(t)^(−α) − C·S₂(t)``, with ``S₁`` the area under the
  learning-rate curve (the *forward area*) and ``S₂`` an *annealing area*
  built from the drops of the learning rate. The paper's abstract defines the
  two areas in words; the form of ``S₂`` used here (a momentum-like sum with
  decay factor ``λ``, fitted with the other parameters) is the one that
  independent reimplementations use, not one read in the paper itself.
- :class:`MultiPowerLaw` (Luo et al. 2025, arXiv 2503.12811), in the form of
  the authors' README: ``L(t) = L₀ + A·(S₁(t) + S_W)^(−α) − LD(t)`` with the
  loss drop ``LD(t) = B Σₖ (ηₖ₋₁ − ηₖ)·G(ηₖ^(−γ) Sₖ(t))``,
  ``G(x) = 1 − (C x + 1)^(−β)`` and ``Sₖ(t) = Σ_{τ=k..t} η_τ``.
- :func:`convex_bound` (Schaipp et al. 2025, arXiv 2501.18965, Thm. 1, which
  is the last-iterate bound of Defazio et al. 2023, arXiv 2310.07831, Thm. 10):
  a bound on the suboptimality of SGD's last iterate on a convex Lipschitz
  problem, for any schedule.

Conventions, shared with the rest of lrlab: ``lr[t]`` is the learning rate of
update ``t`` (from 0), and the loss "at step ``t``" is measured after ``t``
updates, so it depends on ``lr[0 … t−1]``. The first ``warmup_steps`` rates
are the warmup: they count in the forward area ``S₁`` (the multi-power law's
``S_W``), while the annealing terms count the drops between consecutive
updates after the warmup (the first post-warmup rate plays the role of
``η₀``). Points measured during the warmup are left out of a fit.

:func:`fit` estimates a law's parameters from one or more :class:`Curve` s by
minimising a Huber loss (δ = 10⁻³) of the log residuals, as the multi-power
law's authors do, with L-BFGS-B and gradients from torch's autograd, from a
few starting points.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from lrlab._checks import check_choice, check_int, check_number, check_vector
from lrlab.schedules import Schedule

#: Threshold of the Huber loss on log residuals used by :func:`fit`.
HUBER_DELTA = 1e-3
# Rates below this count as zero where a law raises a rate to a negative power.
_TINY_LR = 1e-300


# ------------------------------------------------------------------ curves


@dataclass(frozen=True)
class Curve:
    """A measured loss curve: the rates of every update and the loss at some steps.

    Parameters
    ----------
    lr : array_like
        ``(T,)`` learning rates, ``lr[t]`` used by update ``t``; finite, >= 0.
    steps : array_like of int
        Numbers of updates after which the loss was measured, in ``[0, T]``.
    loss : array_like
        The loss measured at each of ``steps``, > 0.
    warmup_steps : int, default 0
        Length of the schedule's warmup (see the module notes).

    Examples
    --------
    >>> c = Curve([0.1, 0.1, 0.1], [1, 3], [2.0, 1.5])
    >>> c.total_steps
    3
    """

    lr: np.ndarray
    steps: np.ndarray
    loss: np.ndarray
    warmup_steps: int = 0

    def __post_init__(self) -> None:
        lr = _rates(self.lr)
        steps = np.asarray(self.steps)
        if steps.ndim != 1 or steps.size == 0 or steps.dtype.kind not in "iu":
            raise ValueError(f"steps must be a non-empty 1-D array of integers, got {self.steps!r}")
        if steps.min() < 0 or steps.max() > lr.size:
            raise ValueError(f"steps must lie in [0, {lr.size}] (the number of rates), got {steps}")
        loss = check_vector("loss", self.loss, steps.size)
        if np.any(loss <= 0):
            raise ValueError(f"loss must be > 0 at every step, got min(loss) = {loss.min()!r}")
        warmup = check_int("warmup_steps", self.warmup_steps, 0, lr.size)
        object.__setattr__(self, "lr", lr)
        object.__setattr__(self, "steps", steps.astype(np.int64))
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "warmup_steps", warmup)

    @property
    def total_steps(self) -> int:
        """Number of updates ``T`` (the length of ``lr``)."""
        return int(self.lr.size)

    @classmethod
    def mean_of(cls, runs: Sequence[Any], warmup_steps: int = 0) -> Curve:
        """The mean population loss of several runs of one schedule (e.g. seeds).

        Parameters
        ----------
        runs : sequence of lrlab.History
            Runs of the same schedule, measured at the same steps.
        warmup_steps : int, default 0
            Length of the schedule's warmup.

        Returns
        -------
        Curve
            ``loss`` is the mean of the runs' ``val_loss`` (nats).
        """
        runs = list(runs)
        if not runs:
            raise ValueError("runs must hold at least one History, got none")
        steps = runs[0].val_steps
        for run in runs:
            if run.diverged or not np.array_equal(run.val_steps, steps):
                raise ValueError(
                    "runs must be finished runs measured at the same steps, "
                    f"got one measured at {run.val_steps.tolist()} (diverged: {run.diverged})"
                )
        loss = np.mean([run.val_loss for run in runs], axis=0)
        return cls(runs[0].lr, steps, loss, warmup_steps)


def _rates(lr: Any, steps: int | None = None) -> np.ndarray:
    """Learning rates as a read-only float64 vector (a schedule is evaluated at 0 … steps−1)."""
    if isinstance(lr, Schedule):
        if steps is None:
            raise ValueError("steps must be given when lr is a schedule, got None")
        return np.asarray(lr(np.arange(steps)), dtype=np.float64)
    try:
        arr = np.array(lr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"lr must be a Schedule or a 1-D array of rates, got {lr!r}") from exc
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"lr must be a non-empty 1-D array of finite rates >= 0, got {lr!r}")
    arr.setflags(write=False)
    return arr


# -------------------------------------------------------------------- laws


@dataclass(frozen=True)
class _Law:
    """Shared machinery: prediction in numpy and torch, parameters as a vector."""

    name: ClassVar[str]
    # Parameters fitted in log space (positive); the others are fitted as they are.
    _log_params: ClassVar[tuple[str, ...]]
    _logit_params: ClassVar[tuple[str, ...]] = ()
    # The two parameters the law is linear in (solved by least squares for a start),
    # and the grid of the other parameters tried for a start.
    _linear: ClassVar[tuple[str, str]]
    _grid: ClassVar[dict[str, tuple[float, ...]]]
    # Range searched by the fit for every parameter but L₀ (whose range comes from the data).
    _bounds: ClassVar[dict[str, tuple[float, float]]]

    def params(self) -> dict[str, float]:
        """The parameters by name.

        Examples
        --------
        >>> TissueLaw(3.0, 0.5, 0.4, 2.0, 0.9).params()["C"]
        2.0
        """
        return {f.name: float(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def predict(self, lr: Any, steps: Any = None, warmup_steps: int = 0) -> np.ndarray:
        """The predicted loss after each of ``steps`` updates.

        Parameters
        ----------
        lr : array_like or Schedule
            Rates of the updates, ``(T,)``; a schedule is evaluated at
            ``0 … max(steps) − 1``.
        steps : array_like of int, optional
            Numbers of updates at which to predict, each in ``[1, T]``
            (default ``1 … T``; required with a schedule).
        warmup_steps : int, default 0
            Length of the warmup.

        Returns
        -------
        numpy.ndarray
            One predicted loss per entry of ``steps``.
        """
        if isinstance(lr, Schedule):
            if steps is None:
                raise ValueError("steps must be given when lr is a schedule, got None")
            at = np.asarray(steps, dtype=np.int64)
            rates = _rates(lr, int(at.max()))
        else:
            rates = _rates(lr)
            at = np.arange(1, rates.size + 1) if steps is None else np.asarray(steps)
        if at.ndim != 1 or at.size == 0 or at.dtype.kind not in "iu":
            raise ValueError(f"steps must be a non-empty 1-D array of integers, got {steps!r}")
        if at.min() < 1 or at.max() > rates.size:
            raise ValueError(f"steps must lie in [1, {rates.size}] (the number of rates), got {at}")
        warmup = check_int("warmup_steps", warmup_steps, 0, rates.size)
        with torch.no_grad():
            out = self.predict_torch(torch.from_numpy(rates.copy()), at, warmup)
        return out.numpy().copy()

    def predict_torch(self, lr: torch.Tensor, steps: Any, warmup_steps: int = 0) -> torch.Tensor:
        """:meth:`predict` on a float64 tensor of rates, differentiable in the rates.

        Use it to optimise a schedule by gradient descent on the predicted loss.
        """
        values = {k: torch.tensor(v, dtype=torch.float64) for k, v in self.params().items()}
        at = torch.as_tensor(np.asarray(steps, dtype=np.int64))
        kind = type(self)
        return kind._formula(values, kind._prepare(lr, at, warmup_steps))

    @classmethod
    def _formula(cls, p: dict[str, torch.Tensor], prep: dict[str, torch.Tensor]) -> torch.Tensor:
        """``L₀ + A·S₁^(−α) − (annealing coefficient) · (annealing term)``."""
        first, second = cls._linear
        power = prep["s1"] ** (-p["alpha"])
        return p["L0"] + p[first] * power - p[second] * cls._anneal(p, prep)

    @staticmethod
    def _prepare(lr: torch.Tensor, steps: torch.Tensor, warmup: int) -> dict[str, torch.Tensor]:
        """What the law needs from the schedule, independent of its parameters."""
        raise NotImplementedError

    @staticmethod
    def _anneal(p: dict[str, torch.Tensor], prep: dict[str, torch.Tensor]) -> torch.Tensor:
        """The annealing term at each step, before its coefficient (C or B)."""
        raise NotImplementedError


def _check_params(law: _Law) -> None:
    for name, value in law.params().items():
        check_number(name, value, -math.inf, math.inf)
        if name in law._log_params and value <= 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")


def _drops(lr: torch.Tensor, steps: torch.Tensor, warmup: int) -> dict[str, torch.Tensor]:
    """The post-warmup drops ``lr[k−1] − lr[k]`` and, per step, which of them happened.

    When the rates are data (no gradient needed), the updates without a drop
    are left out: they add nothing to either law.
    """
    k = torch.arange(warmup + 1, lr.numel())
    drop = lr[k - 1] - lr[k]
    if not lr.requires_grad:
        keep = drop != 0
        k, drop = k[keep], drop[keep]
    area = torch.cumsum(lr, dim=0)
    return {
        "s1": area[steps - 1],
        "k": k,
        "drop": drop,
        "area": area,
        "valid": k[None, :] <= steps[:, None] - 1,
    }


@dataclass(frozen=True)
class TissueLaw(_Law):
    """Tissue et al.'s law: forward area and annealing area.

    ``L(t) = L₀ + A·S₁(t)^(−α) − C·S₂(t)``. ``S₁(t)`` sums the rates of the
    first ``t`` updates. ``S₂(t) = Σᵢ mᵢ`` over the updates ``i < t`` after the
    warmup, with the annealing momentum ``mᵢ = λ mᵢ₋₁ + (ηᵢ₋₁ − ηᵢ)``: a drop
    of the learning rate lowers the loss gradually, over about ``1/(1 − λ)``
    updates, by ``C`` times the drop over ``(1 − λ)``. (Unrolled:
    ``S₂(t) = Σⱼ (ηⱼ₋₁ − ηⱼ)(1 − λ^(t−j)) / (1 − λ)``.)

    Attributes
    ----------
    L0, A, alpha, C : float
        The law's constants.
    lam : float
        Decay factor ``λ`` of the annealing momentum, in ``[0, 1)``.

    Examples
    --------
    >>> law = TissueLaw(L0=2.0, A=1.0, alpha=0.5, C=1.0, lam=0.0)
    >>> law.predict([1.0, 1.0, 0.5, 0.5]).round(4).tolist()  # S₂ = 0.5 after the drop
    [3.0, 2.7071, 2.1325, 2.0774]
    """

    L0: float
    A: float
    alpha: float
    C: float
    lam: float

    name: ClassVar[str] = "Tissue et al."
    _log_params: ClassVar[tuple[str, ...]] = ("A", "alpha", "C")
    _logit_params: ClassVar[tuple[str, ...]] = ("lam",)
    _linear: ClassVar[tuple[str, str]] = ("A", "C")
    _grid: ClassVar[dict[str, tuple[float, ...]]] = {
        "alpha": (0.2, 0.5, 1.0),
        "lam": (0.5, 0.9, 0.97, 0.99),
    }
    _bounds: ClassVar[dict[str, tuple[float, float]]] = {
        "A": (1e-8, 1e8),
        "alpha": (1e-3, 5.0),
        "C": (1e-8, 1e8),
        "lam": (1e-9, 1 - 1e-9),
    }

    def __post_init__(self) -> None:
        _check_params(self)
        check_number("lam", self.lam, 0.0, 1.0, closed="[)")

    @staticmethod
    def _prepare(lr: torch.Tensor, steps: torch.Tensor, warmup: int) -> dict[str, torch.Tensor]:
        prep = _drops(lr, steps, warmup)
        # Updates since drop j when t updates are done (1 where the drop is still ahead).
        since = (steps[:, None] - prep["k"][None, :]).to(lr.dtype)
        prep["since"] = torch.where(prep["valid"], since, torch.ones_like(since))
        return prep

    @staticmethod
    def _anneal(p: dict[str, torch.Tensor], prep: dict[str, torch.Tensor]) -> torch.Tensor:
        lam = p["lam"]
        # (1 − λⁿ) / (1 − λ); λ = 0 gives 1 (log 0 = −inf, exp(−inf) = 0).
        gain = (1 - torch.exp(prep["since"] * torch.log(lam))) / (1 - lam)
        terms = torch.where(prep["valid"], prep["drop"][None, :] * gain, torch.zeros(()))
        return terms.sum(dim=1)


@dataclass(frozen=True)
class MultiPowerLaw(_Law):
    """Luo et al.'s multi-power law.

    ``L(t) = L₀ + A·S₁(t)^(−α) − LD(t)``, where ``S₁(t)`` sums the rates of
    the first ``t`` updates (warmup included: the README's ``S₁ + S_W``) and
    ``LD(t) = B Σₖ (ηₖ₋₁ − ηₖ)·G(ηₖ^(−γ)·Sₖ(t))`` sums over the updates ``k``
    after the warmup, ``Sₖ(t)`` being the sum of the rates of updates
    ``k … t − 1`` and ``G(x) = 1 − (C x + 1)^(−β)``. Each drop of the rate
    lowers the loss by up to ``B`` times the drop, as the learning-rate area
    trained at the lower rate grows.

    Attributes
    ----------
    L0, A, alpha : float
        The power law in the forward area.
    B, C, beta, gamma : float
        The loss-drop term.

    Examples
    --------
    >>> law = MultiPowerLaw(L0=2.0, A=1.0, alpha=0.5, B=1.0, C=1.0, beta=1.0, gamma=1.0)
    >>> law.predict([1.0, 1.0, 0.5, 0.5]).round(4).tolist()
    [3.0, 2.7071, 2.3825, 2.244]
    """

    L0: float
    A: float
    alpha: float
    B: float
    C: float
    beta: float
    gamma: float

    name: ClassVar[str] = "multi-power"
    _log_params: ClassVar[tuple[str, ...]] = ("A", "alpha", "B", "C", "beta", "gamma")
    _linear: ClassVar[tuple[str, str]] = ("A", "B")
    _grid: ClassVar[dict[str, tuple[float, ...]]] = {
        "alpha": (0.2, 0.5, 1.0),
        "C": (0.5, 2.0, 8.0),
        "beta": (0.4, 0.8),
        "gamma": (0.3, 0.6),
    }
    _bounds: ClassVar[dict[str, tuple[float, float]]] = {
        "A": (1e-8, 1e8),
        "alpha": (1e-3, 5.0),
        "B": (1e-8, 1e8),
        "C": (1e-8, 1e8),
        "beta": (1e-3, 10.0),
        "gamma": (1e-4, 3.0),
    }

    def __post_init__(self) -> None:
        _check_params(self)

    @staticmethod
    def _prepare(lr: torch.Tensor, steps: torch.Tensor, warmup: int) -> dict[str, torch.Tensor]:
        prep = _drops(lr, steps, warmup)
        k, valid = prep["k"], prep["valid"]
        # S_k(t): the rates of updates k … t − 1 (0 where the drop is still ahead).
        since = prep["s1"][:, None] - prep["area"][k - 1][None, :]
        prep["since"] = torch.where(valid, since, torch.zeros(()))
        prep["log_lr"] = torch.log(lr[k].clamp(min=_TINY_LR))
        return prep

    @staticmethod
    def _anneal(p: dict[str, torch.Tensor], prep: dict[str, torch.Tensor]) -> torch.Tensor:
        x = torch.exp(-p["gamma"] * prep["log_lr"])[None, :] * prep["since"]
        g = 1 - (p["C"] * x + 1) ** (-p["beta"])
        terms = torch.where(prep["valid"], prep["drop"][None, :] * g, torch.zeros(()))
        return terms.sum(dim=1)


LAWS: dict[str, type[_Law]] = {"tissue": TissueLaw, "multi-power": MultiPowerLaw}


# --------------------------------------------------------------------- fit


def _huber(r: torch.Tensor, delta: float) -> torch.Tensor:
    return torch.where(r.abs() < delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta))


def _to_free(law: type[_Law], values: dict[str, float]) -> np.ndarray:
    out = []
    for name, v in values.items():
        if name in law._log_params:
            out.append(math.log(v))
        elif name in law._logit_params:
            out.append(math.log(v / (1 - v)))
        else:
            out.append(v)
    return np.array(out)


def _from_free(law: type[_Law], names: list[str], free: torch.Tensor) -> dict[str, torch.Tensor]:
    out = {}
    for i, name in enumerate(names):
        if name in law._log_params:
            out[name] = torch.exp(free[i])
        elif name in law._logit_params:
            out[name] = torch.sigmoid(free[i])
        else:
            out[name] = free[i]
    return out


def _starts(
    kind: type[_Law], data: list[tuple[dict[str, torch.Tensor], np.ndarray]], n_best: int = 3
) -> list[dict[str, float]]:
    """Starting points from a grid: for each point of the grid of the nonlinear
    parameters, the two linear ones by least squares; the ``n_best`` best fits."""
    losses = np.exp(np.concatenate([target for _, target in data]))
    lowest = float(losses.min())
    spread = float(np.ptp(losses)) or lowest
    first, second = kind._linear
    anneal_grid = {n: v for n, v in kind._grid.items() if n != "alpha"}
    scored = []
    with torch.no_grad():
        for combo in _product(anneal_grid):
            p = {n: torch.tensor(v, dtype=torch.float64) for n, v in combo.items()}
            anneal = -np.concatenate([kind._anneal(p, prep).numpy() for prep, _ in data])
            for alpha in kind._grid["alpha"]:
                power = np.concatenate([(prep["s1"] ** -alpha).numpy() for prep, _ in data])
                design = np.stack([power, anneal], axis=1)
                for frac in (0.01, 0.03, 0.1, 0.3, 1.0, 3.0):
                    l0 = lowest - frac * spread
                    if l0 <= 0:
                        continue
                    coef, *_ = np.linalg.lstsq(design, losses - l0, rcond=None)
                    coef = np.maximum(coef, 1e-8)
                    pred = l0 + design @ coef
                    if np.any(pred <= 0) or not np.all(np.isfinite(pred)):
                        continue
                    error = float(np.sum((np.log(losses) - np.log(pred)) ** 2))
                    values = combo | {"L0": l0, "alpha": alpha}
                    values |= {first: float(coef[0]), second: float(coef[1])}
                    scored.append((error, values))
    scored.sort(key=lambda item: item[0])
    return [values for _, values in scored[:n_best]]


def _product(grid: dict[str, tuple[float, ...]]) -> list[dict[str, float]]:
    combos: list[dict[str, float]] = [{}]
    for name, values in grid.items():
        combos = [c | {name: v} for c in combos for v in values]
    return combos


def fit(
    law: str,
    curves: Sequence[Curve],
    start: dict[str, float] | None = None,
    max_iter: int = 500,
) -> Any:
    """Fit a loss-curve law to measured curves.

    Minimises ``Σ huber(log L_measured − log L_predicted)`` (threshold
    :data:`HUBER_DELTA`) over every point measured after the warmup with
    SciPy's trust-region least squares (Jacobian from torch's autograd), on
    the parameters (positive ones in log space, ``λ`` in logit space). It
    starts from the three best points of a grid over the nonlinear parameters
    (the two the law is linear in solved by least squares at each), or from
    ``start``, and keeps the best fit.

    Parameters
    ----------
    law : {"tissue", "multi-power"}
        Which law.
    curves : sequence of Curve
        The measured curves (one is enough for some laws; two or three with
        different shapes pin the annealing terms down).
    start : dict of str to float, optional
        One starting point (every parameter by name) instead of the default few.
    max_iter : int, default 500
        Most evaluations of the residuals per start.

    Returns
    -------
    TissueLaw or MultiPowerLaw

    Examples
    --------
    >>> true = TissueLaw(L0=2.0, A=0.5, alpha=0.6, C=3.0, lam=0.9)
    >>> lr = np.r_[np.full(100, 0.05), np.linspace(0.05, 0.0, 100)]
    >>> steps = np.arange(10, 201, 10)
    >>> curve = Curve(lr, steps, true.predict(lr, steps))
    >>> got = fit("tissue", [curve])
    >>> round(got.L0, 4), round(got.alpha, 4)
    (2.0, 0.6)
    """
    from scipy import optimize  # type: ignore[import-untyped]

    check_choice("law", law, tuple(LAWS))
    kind = LAWS[law]
    curves = list(curves)
    if not curves or not all(isinstance(c, Curve) for c in curves):
        raise ValueError(f"curves must be a non-empty list of Curve, got {curves!r}")
    max_iter = check_int("max_iter", max_iter, 1)
    names = [f.name for f in dataclasses.fields(kind)]
    if start is not None and sorted(start) != sorted(names):
        raise ValueError(f"start must give every parameter of the law {names}, got {sorted(start)}")
    data = []
    for c in curves:
        keep = c.steps > c.warmup_steps
        if not keep.any():
            raise ValueError("each curve must have a point measured after its warmup")
        steps = torch.from_numpy(c.steps[keep])
        prep = kind._prepare(torch.from_numpy(c.lr.copy()), steps, c.warmup_steps)
        data.append((prep, np.log(c.loss[keep])))
    target = torch.from_numpy(np.concatenate([d[1] for d in data]))

    def residuals_torch(free: torch.Tensor) -> torch.Tensor:
        p = _from_free(kind, names, free)
        pred = torch.cat([kind._formula(p, prep) for prep, _ in data])
        return target - torch.log(pred.clamp(min=1e-300))

    # Non-finite values (far from any sensible fit) become large finite ones, so the
    # trust region shrinks instead of the solver stopping.
    def residuals(free: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            r = residuals_torch(torch.from_numpy(free)).numpy()
        return np.nan_to_num(r, nan=1e3, posinf=1e3, neginf=-1e3)

    highest = float(max(c.loss.max() for c in curves))
    ranges = kind._bounds | {"L0": (0.0, highest)}
    lower = _to_free(kind, {n: ranges[n][0] for n in names})
    upper = _to_free(kind, {n: ranges[n][1] for n in names})
    best: tuple[float, np.ndarray] | None = None
    for values in [start] if start is not None else _starts(kind, data):
        x0 = np.clip(_to_free(kind, {n: float(values[n]) for n in names}), lower, upper)
        with np.errstate(all="ignore"):
            res = optimize.least_squares(
                residuals,
                x0,
                # Central differences: a residual costs about a millisecond, while
                # forward-mode autograd through these formulas costs ~100 times more.
                jac="3-point",
                bounds=(lower, upper),
                method="trf",
                loss="huber",
                f_scale=HUBER_DELTA,
                x_scale="jac",
                xtol=1e-12,
                ftol=1e-12,
                gtol=1e-12,
                max_nfev=max_iter,
            )
        if np.isfinite(res.cost) and (best is None or res.cost < best[0]):
            best = (float(res.cost), res.x)
    if best is None:
        raise ValueError(f"the {law} law could not be fitted to these curves from any start")
    with torch.no_grad():
        fitted = _from_free(kind, names, torch.from_numpy(best[1]))
    return kind(**{n: float(v) for n, v in fitted.items()})


# ------------------------------------------------------------ convex bound


def convex_bound(lr: Any, D: float = 1.0, G: float = 1.0, steps: int | None = None) -> float:
    """Bound on ``E[f(x_T)] − f*`` for SGD's last iterate on a convex problem.

    For a convex, ``G``-Lipschitz objective with ``‖x₀ − x*‖ <= D`` and rates
    ``η₁ … η_T`` (Defazio et al. 2023, Thm. 10; Schaipp et al. 2025, Thm. 1)::

        D² / (2 Σ η) + G² Σ η² / (2 Σ η)
        + ½ Σ_{k=1}^{T−1} η_k / (Σ_{t>k} η_t) · G² Σ_{t>=k} η_t² / Σ_{t>=k} η_t

    as implemented by Schaipp et al.'s code. Updates with rate 0 add nothing;
    the last rate must be positive.

    Parameters
    ----------
    lr : array_like or Schedule
        Rates of the ``T`` updates (a schedule needs ``steps``).
    D, G : float, default 1.0
        Distance to the solution and Lipschitz constant, > 0.
    steps : int, optional
        ``T`` when ``lr`` is a schedule.

    Returns
    -------
    float

    Examples
    --------
    >>> round(convex_bound([1.0]), 6)  # D²/2 + G²/2
    1.0
    >>> a, b = convex_bound(np.full(100, 0.1)), convex_bound(np.linspace(0.1, 0.001, 100))
    >>> bool(b < a)  # a cooldown lowers the bound
    True
    """
    rates = _rates(lr, steps)
    d = check_number("D", D, 0.0, math.inf, closed="(]")
    g = check_number("G", G, 0.0, math.inf, closed="(]")
    if rates[-1] <= 0:
        raise ValueError(
            f"lr must end with a rate > 0 (the bound divides by it), got {rates[-1]!r}"
        )
    total = math.fsum(rates)
    sq = g**2 * rates**2
    # Sums from update k to the end, and from k + 1 to the end.
    tail = np.cumsum(rates[::-1])[::-1]
    tail_sq = np.cumsum(sq[::-1])[::-1]
    after = tail[1:]
    term3 = 0.5 * float(
        np.sum(rates[:-1] / after * (tail_sq[:-1] / tail[:-1]), where=rates[:-1] > 0)
    )
    return d**2 / (2 * total) + float(sq.sum()) / (2 * total) + term3


def tuned_convex_bound(
    lr: Any, D: float = 1.0, G: float = 1.0, steps: int | None = None
) -> tuple[float, float]:
    """The factor that minimises :func:`convex_bound` of ``factor · lr``, and that bound.

    The bound of ``ρ · lr`` is ``a / ρ + ρ b`` (``a`` the ``D²`` term, ``b`` the
    rest at ``ρ = 1``), so the best factor is ``√(a / b)`` and the bound there
    ``2 √(a b)``: the bound of the schedule's shape with its peak tuned.

    Parameters
    ----------
    lr, D, G, steps
        As in :func:`convex_bound`.

    Returns
    -------
    factor : float
        Multiply ``lr`` by it.
    bound : float
        :func:`convex_bound` at the tuned scale.

    Examples
    --------
    >>> factor, bound = tuned_convex_bound(np.full(100, 1.0))
    >>> round(bound, 6) == round(convex_bound(factor * np.full(100, 1.0)), 6)
    True
    """
    rates = _rates(lr, steps)
    d = check_number("D", D, 0.0, math.inf, closed="(]")
    a = d**2 / (2 * math.fsum(rates))
    b = convex_bound(rates, d, G) - a
    return math.sqrt(a / b), 2 * math.sqrt(a * b)
