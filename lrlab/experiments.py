"""The evidence protocol: tuned, seeded, paired comparisons of schedules.

A claim such as "cosine ends below constant" is only as good as the
experiment behind it. :func:`compare` runs the experiment the book trusts:

1. **Tune each arm's peak.** Every arm is a function ``peak -> Schedule``.
   Its peak is tried on a geometric grid (default 5 points, factor 2,
   around ``centre``), on tuning seeds. When the best value sits on an edge
   of the grid, the grid grows by one point on that side and the new points
   run, round after round, until the best value is interior, or the next
   point diverges (a diverged run is worse than any finite one, so the best
   becomes interior), or ``max_extend`` points have been added on that side
   (the result then flags the arm with ``at_edge``).
2. **Evaluate the tuned peaks on paired seeds.** Each arm runs once per
   evaluation seed at its tuned peak; seed ``s`` gives every arm the same
   initial weights and data order, so differences between arms are paired.
   The evaluation seeds are disjoint from the tuning seeds by default: the
   tuned peak was picked because it did well on the tuning seeds, and
   re-using them would bias the comparison towards arms whose grid happened
   to fit their noise.
3. **Report paired differences** with Student-t 95 % intervals over the
   per-seed differences (and over log-ratios, for metrics such as excess
   loss that span orders of magnitude), and the sentence a chapter may state.

Every round of runs is one call of a *runner*: a callable
``(schedules, seeds) -> values`` returning a ``(len(schedules), len(seeds))``
array of the metric (lower is better). :func:`train_runner` trains the tiny
language model with :func:`lrlab.train_many` (every variant of a round in one
batched model); :func:`nqm_runner` computes the noisy quadratic model's exact
expected loss (noise-free: one "seed", exact differences). Any other callable
works too; give it an attribute ``noise_free = True`` if its values do not
depend on the seed.

Diverged runs have the metric ``inf``. While tuning, a grid point whose runs
diverged on any tuning seed scores ``inf``. At evaluation, an arm that
diverges on some seeds keeps ``inf`` values; intervals involving it are
undefined (NaN), :meth:`Comparison.separated` is then false, and the
sentence says how many seeds diverged instead of quoting a difference.

Cost: a comparison of two arms over 600 steps of the tiny language model
(5-point grids, one grid extension, 5 evaluation seeds) is 22 runs in 4
batched rounds, about 6 s of CPU time; each further round costs about a
second whatever its size, each further run a fraction of a second
(``benchmarks/bench_experiments.py``). On the noisy quadratic model a
comparison takes milliseconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from lrlab import tables
from lrlab._checks import check_int, check_number
from lrlab.nqm import NoisyQuadratic
from lrlab.schedules import Schedule
from lrlab.training import History, _config, train_many

#: An arm: a function from a peak learning rate to the schedule it runs.
Arm = Callable[[float], Schedule]
#: A metric of one run (a History, or an NQM loss curve): lower is better.
Metric = Callable[[Any], float]

# Two-sided confidence level of every interval.
LEVEL = 0.95


# ---------------------------------------------------------------- formatting


def sig(value: float, digits: int = 3) -> str:
    """``value`` rounded to ``digits`` significant digits, as printed in the book.

    Parameters
    ----------
    value : float
        Number to show.
    digits : int, default 3
        Significant digits, >= 1.

    Returns
    -------
    str
        ``format(value, f".{digits}g")``; ``inf``, ``-inf`` and ``nan`` as such.

    Examples
    --------
    >>> sig(0.0123456), sig(123456.0), sig(-2.5e-6, 2)
    ('0.0123', '1.23e+05', '-2.5e-06')
    """
    digits = check_int("digits", digits, 1)
    return format(float(value), f".{digits}g")


# ------------------------------------------------------------------ metrics


def _final(run: Any) -> float:
    if isinstance(run, History):
        return run.final_excess
    return float(np.asarray(run)[-1])


def _best(run: Any) -> float:
    if isinstance(run, History):
        return float(np.min(run.val_excess)) if run.val_excess.size else math.inf
    return float(np.min(np.asarray(run)))


def at_step(step: int) -> Metric:
    """Metric: the value after ``step`` updates (a stopping point before the end).

    For a training run this is the excess population loss measured at
    ``step``, which must be one of the run's evaluation steps (a multiple of
    ``val_every``, or the last step); for an NQM curve it is the expected
    loss after ``step`` updates.

    Parameters
    ----------
    step : int
        Number of updates done, >= 0.

    Returns
    -------
    callable
        Run -> float.

    Examples
    --------
    >>> at_step(2)(np.array([3.0, 2.0, 1.0, 0.5]))
    1.0
    """
    step = check_int("step", step, 0)

    def value(run: Any) -> float:
        if isinstance(run, History):
            where = np.flatnonzero(run.val_steps == step)
            if where.size == 0:
                if run.diverged:
                    return math.inf
                raise ValueError(
                    f"step must be an evaluation step of the run, got {step}; "
                    f"measured at {run.val_steps.tolist()}"
                )
            return float(run.val_excess[where[0]])
        curve = np.asarray(run)
        if step >= curve.size:
            raise ValueError(f"step must be <= {curve.size - 1} for this curve, got {step}")
        return float(curve[step])

    value.__name__ = f"value after {step} updates"
    return value


#: Named metrics: ``"final"`` (value at the end of the run) and ``"best"``
#: (lowest value over the evaluation steps).
METRICS: dict[str, Metric] = {"final": _final, "best": _best}


def _metric(metric: str | Metric) -> Metric:
    if isinstance(metric, str):
        if metric not in METRICS:
            raise ValueError(
                f"metric must be one of {sorted(METRICS)} or a callable, got {metric!r}"
            )
        return METRICS[metric]
    if not callable(metric):
        raise ValueError(f"metric must be one of {sorted(METRICS)} or a callable, got {metric!r}")
    return metric


def _score(metric: Metric, run: Any) -> float:
    """The metric of one run; a diverged or non-finite run scores ``inf``."""
    if isinstance(run, History) and run.diverged:
        return math.inf
    value = float(metric(run))
    return value if math.isfinite(value) else math.inf


# ------------------------------------------------------------------ runners


@dataclass(frozen=True)
class Outcome:
    """What a runner returns for one round: the metric and, optionally, the runs.

    Attributes
    ----------
    values : numpy.ndarray
        ``(n_schedules, n_seeds)`` metric values, ``inf`` for a diverged run.
    runs : list of list, optional
        ``runs[i][j]``: the run of schedule ``i`` with seed ``j`` (a
        :class:`lrlab.History`, an NQM loss curve, ...), kept so that
        figures can show the evaluated runs without training them again.
    """

    values: np.ndarray
    runs: list[list[Any]] | None = None


@dataclass(frozen=True)
class TrainRunner:
    """Runner that trains the tiny language model: one batched call per round.

    Build it with :func:`train_runner`.
    """

    steps: int
    metric: Metric
    metric_label: str
    optimizer: str = "adamw"
    options: Mapping[str, Any] = field(default_factory=dict)
    noise_free: bool = False
    unit: str = "nats"

    def __call__(self, schedules: Sequence[Schedule], seeds: Sequence[int]) -> Outcome:
        hists = train_many(list(schedules), self.steps, list(seeds), self.optimizer, **self.options)
        n = len(seeds)
        runs = [hists[i * n : (i + 1) * n] for i in range(len(schedules))]
        values = np.array([[_score(self.metric, h) for h in row] for row in runs])
        return Outcome(values.reshape(len(schedules), n), runs)


def train_runner(
    steps: int,
    metric: str | Metric = "final",
    optimizer: str = "adamw",
    *,
    label: str | None = None,
    **options: Any,
) -> TrainRunner:
    """Runner for :func:`compare` that trains the tiny language model.

    Every round of the protocol is one :func:`lrlab.train_many` call, so all
    grid points and seeds of a round train in one batched model.

    Parameters
    ----------
    steps : int
        Updates per run, >= 1.
    metric : {"final", "best"} or callable, default "final"
        ``"final"``: excess population (test) loss at the end of the run;
        ``"best"``: its minimum over the evaluation steps; a callable maps
        a :class:`lrlab.History` to a float (e.g. :func:`at_step`). A
        diverged run scores ``inf`` whatever the metric.
    optimizer : {"adamw", "sgd"}, default "adamw"
        Update rule.
    label : str, optional
        Name of the metric in tables and sentences (default: "final excess
        loss", "lowest excess loss" or the callable's name).
    **options
        Training options, as in :func:`lrlab.train` (``weight_decay``,
        ``task``, ``batch_size``, ``val_every``, ...).

    Returns
    -------
    TrainRunner

    Examples
    --------
    >>> from lrlab import constant
    >>> runner = train_runner(20, val_every=10)
    >>> out = runner([constant(1e-2), constant(3e-2)], [0, 1])
    >>> out.values.shape, len(out.runs[1])
    ((2, 2), 2)
    """
    steps = check_int("steps", steps, 1)
    _config(0, optimizer, dict(options))  # reject bad options now, not after a round
    if label is None:
        names = {"final": "final excess loss", "best": "lowest excess loss"}
        label = names.get(metric, getattr(metric, "__name__", "metric"))  # type: ignore[arg-type]
    return TrainRunner(steps, _metric(metric), str(label), optimizer, dict(options))


@dataclass(frozen=True)
class NQMRunner:
    """Runner on the noisy quadratic model's exact expected loss (noise-free).

    Build it with :func:`nqm_runner`.
    """

    nqm: NoisyQuadratic
    steps: int
    metric: Metric
    metric_label: str
    noise_free: bool = True
    unit: str = ""

    def __call__(self, schedules: Sequence[Schedule], seeds: Sequence[int]) -> Outcome:
        with np.errstate(over="ignore", invalid="ignore"):
            curves = self.nqm.expected_loss(list(schedules), steps=self.steps)
        curves = np.where(np.isfinite(curves), curves, np.inf)
        values = np.array([_score(self.metric, c) for c in curves])
        # The model is exact: every seed gets the same value.
        return Outcome(np.repeat(values[:, None], len(seeds), axis=1), [[c] for c in curves])


def nqm_runner(
    nqm: NoisyQuadratic, steps: int, metric: str | Metric = "final", *, label: str | None = None
) -> NQMRunner:
    """Runner for :func:`compare` on the noisy quadratic model (exact, noise-free).

    Parameters
    ----------
    nqm : NoisyQuadratic
        The model.
    steps : int
        Updates per run, >= 1.
    metric : {"final", "best"} or callable, default "final"
        Applied to the expected-loss curve (length ``steps + 1``).
    label : str, optional
        Name of the metric in tables and sentences.

    Returns
    -------
    NQMRunner

    Examples
    --------
    >>> from lrlab import constant
    >>> runner = nqm_runner(NoisyQuadratic.standard(dim=10), 50)
    >>> runner([constant(0.1), constant(0.2)], [0]).values.shape
    (2, 1)
    """
    if not isinstance(nqm, NoisyQuadratic):
        raise ValueError(f"nqm must be a NoisyQuadratic, got {nqm!r}")
    steps = check_int("steps", steps, 1)
    if label is None:
        names = {"final": "final expected loss", "best": "lowest expected loss"}
        label = names.get(metric, getattr(metric, "__name__", "metric"))  # type: ignore[arg-type]
    return NQMRunner(nqm, steps, _metric(metric), str(label))


# ---------------------------------------------------------------- intervals


def _t_quantile(df: int) -> float:
    from scipy import stats  # type: ignore[import-untyped]  # only intervals need it

    return float(stats.t.ppf(0.5 + LEVEL / 2, df))


@dataclass(frozen=True)
class Interval:
    """A paired estimate with its 95 % Student-t interval.

    Attributes
    ----------
    estimate : float
        Mean of the paired differences (or the ratio, for :meth:`Comparison.ratio`).
    lo, hi : float
        Ends of the 95 % interval (``estimate`` for a noise-free runner;
        NaN when a run diverged or fewer than two seeds were paired).
    n : int
        Number of paired seeds.

    Examples
    --------
    >>> iv = Interval(0.5, 0.25, 0.75, 5)
    >>> iv.excludes(0.0), iv.half_width
    (True, 0.25)
    """

    estimate: float
    lo: float
    hi: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width (``y`` in ``x ± y``)."""
        return (self.hi - self.lo) / 2

    def excludes(self, value: float) -> bool:
        """Whether ``value`` lies outside the interval (False when it is undefined)."""
        return bool(self.lo > value or self.hi < value)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval (False when it is undefined)."""
        return bool(self.lo <= value <= self.hi)


def _side(ratio: float) -> str:
    return "lower" if ratio < 1 else "higher"


def paired_interval(diffs: Any, noise_free: bool = False) -> Interval:
    """Student-t 95 % interval of the mean of paired differences.

    Parameters
    ----------
    diffs : array_like
        One difference per seed.
    noise_free : bool, default False
        The values are exact (the interval is the single point).

    Returns
    -------
    Interval
        NaN ends when a difference is not finite or, for noisy values,
        there are fewer than two.

    Examples
    --------
    >>> iv = paired_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> round(iv.estimate, 3), round(iv.lo, 3), round(iv.hi, 3)
    (3.0, 1.037, 4.963)
    """
    d = np.asarray(diffs, dtype=np.float64).ravel()
    n = int(d.size)
    if n == 0:
        raise ValueError("diffs must hold at least one value, got none")
    with np.errstate(invalid="ignore"):
        mean = float(d.mean())
    if not np.all(np.isfinite(d)):
        return Interval(mean, math.nan, math.nan, n)
    if noise_free:
        return Interval(mean, mean, mean, n)
    if n < 2:
        return Interval(mean, math.nan, math.nan, n)
    half = _t_quantile(n - 1) * float(d.std(ddof=1)) / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)


# ------------------------------------------------------------------- result


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare` or :func:`compare_fixed`.

    Attributes
    ----------
    arms : tuple of str
        Arm names, in the order given.
    metric_label : str
        What was measured (e.g. "final excess loss").
    unit : str
        Unit of the metric ("nats", or "" for the NQM).
    grids : dict of str to numpy.ndarray
        Peaks tried for each arm while tuning, increasing (empty for
        :func:`compare_fixed`).
    grid_scores : dict of str to numpy.ndarray
        Mean metric over the tuning seeds at each peak tried (``inf`` where a
        run diverged).
    peaks : dict of str to float
        Peak each arm was evaluated at.
    at_edge : dict of str to bool
        Whether the best peak still sat on an edge of the grid when the
        extension cap was reached (the true optimum may lie beyond).
    seeds : tuple of int
        Evaluation seeds (paired across arms).
    tune_seeds : tuple of int
        Tuning seeds.
    values : dict of str to numpy.ndarray
        Metric of each evaluation seed at the arm's peak.
    runs : dict of str to list
        The evaluated runs per seed (Histories, NQM curves), if the runner
        returned them.
    noise_free : bool
        The runner is exact (NQM): one seed, exact differences.
    n_runs : int
        Runs done in total (tuning and evaluation): the cost.
    n_rounds : int
        Runner calls (batched rounds).
    seconds : float
        Wall time of the whole protocol (not printed in tables: it varies).
    """

    arms: tuple[str, ...]
    metric_label: str
    unit: str
    grids: dict[str, np.ndarray]
    grid_scores: dict[str, np.ndarray]
    peaks: dict[str, float]
    at_edge: dict[str, bool]
    seeds: tuple[int, ...]
    tune_seeds: tuple[int, ...]
    values: dict[str, np.ndarray]
    runs: dict[str, list[Any]] = field(repr=False)
    noise_free: bool
    n_runs: int
    n_rounds: int
    seconds: float = field(compare=False)

    def _arm(self, name: str) -> str:
        if name not in self.arms:
            raise ValueError(f"arm must be one of {list(self.arms)}, got {name!r}")
        return name

    def mean(self, arm: str) -> float:
        """Mean metric of ``arm`` over the evaluation seeds (``inf`` if any diverged)."""
        return float(np.mean(self.values[self._arm(arm)]))

    def diverged(self, arm: str) -> int:
        """Number of evaluation seeds on which ``arm`` diverged."""
        return int(np.sum(~np.isfinite(self.values[self._arm(arm)])))

    def difference(self, a: str, b: str) -> Interval:
        """Paired difference ``a − b`` of the metric, with its 95 % interval.

        Negative means ``a`` ends lower (better) than ``b``.
        """
        return paired_interval(
            self.values[self._arm(a)] - self.values[self._arm(b)], self.noise_free
        )

    def ratio(self, a: str, b: str) -> Interval:
        """Ratio ``a / b`` of the metric (geometric mean over seeds) with its 95 % interval.

        The interval is the Student-t interval of the per-seed log-ratios,
        exponentiated; it needs positive values (excess losses are).
        """
        va, vb = self.values[self._arm(a)], self.values[self._arm(b)]
        if np.any(va <= 0) or np.any(vb <= 0):
            raise ValueError(f"ratio needs positive values; {a!r} or {b!r} has a value <= 0")
        with np.errstate(invalid="ignore"):
            logs = paired_interval(np.log(va) - np.log(vb), self.noise_free)
        return Interval(math.exp(logs.estimate), math.exp(logs.lo), math.exp(logs.hi), logs.n)

    def separated(self, a: str, b: str) -> bool:
        """Whether the 95 % interval of ``a − b`` excludes 0 (False if it is undefined)."""
        return self.difference(a, b).excludes(0.0)

    def best(self) -> str:
        """The arm with the lowest mean metric."""
        return min(self.arms, key=self.mean)

    def remeasure(self, metric: str | Metric, label: str | None = None) -> Comparison:
        """The same evaluated runs scored with another metric (no new training).

        Use it for the value at other stopping points (:func:`at_step`) or
        the best value over the run. The peaks stay those tuned for the
        original metric, and ``grid_scores`` keep the original metric.

        Parameters
        ----------
        metric : {"final", "best"} or callable
            As in :func:`train_runner`.
        label : str, optional
            Name of the new metric (default: the callable's name).

        Returns
        -------
        Comparison

        Examples
        --------
        >>> from lrlab import NoisyQuadratic, constant
        >>> runner = nqm_runner(NoisyQuadratic.standard(10), 50)
        >>> res = compare_fixed({"c": constant}, 0.1, runner=runner)
        >>> half = res.remeasure(at_step(25))
        >>> half.metric_label, bool(half.mean("c") > res.mean("c"))
        ('value after 25 updates', True)
        """
        if any(len(self.runs[arm]) != len(self.seeds) for arm in self.arms):
            raise ValueError("remeasure needs the runs, and this runner did not return them")
        score = _metric(metric)
        values = {}
        for arm in self.arms:
            v = np.array([_score(score, run) for run in self.runs[arm]])
            v.setflags(write=False)
            values[arm] = v
        if label is None and isinstance(metric, str):
            # "final excess loss" -> "lowest excess loss", and back.
            quantity = self.metric_label.split(" ", 1)[-1]
            label = {"final": "final ", "best": "lowest "}[metric] + quantity
        elif label is None:
            label = getattr(metric, "__name__", "metric")
        return replace(self, values=values, metric_label=str(label))

    def _unit(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def sentence(self, a: str, b: str, relative: bool = False) -> str:
        """The claim about ``a`` against ``b`` that this evidence supports.

        Parameters
        ----------
        a, b : str
            Arm names.
        relative : bool, default False
            Also state the ratio ``a / b`` as a percentage change.

        Returns
        -------
        str
            "A ends x ± y below B (...)" when the interval excludes 0, "A and
            B are within seed noise (...)" when it does not; for a noise-free
            runner the exact difference; numbers to 3 significant digits.
        """
        d = self.difference(a, b)
        n = len(self.seeds)
        what = self.metric_label
        if self.diverged(a) or self.diverged(b):
            parts = [
                f"{name} diverged on {self.diverged(name)} of {n} seeds"
                for name in (a, b)
                if self.diverged(name)
            ]
            return "; ".join(parts) + f" at its tuned peak, so {what} is not compared"
        side = "below" if d.estimate < 0 else "above"
        verb = "ends" if what.startswith("final") else "is"
        rel = ""
        if relative:
            r = self.ratio(a, b)
            pct = 100 * (r.estimate - 1)
            rel = f", {sig(abs(pct), 3)} % {_side(r.estimate)}"
            if not self.noise_free and (r.hi < 1 or r.lo > 1):
                ends = sorted(abs(100 * (x - 1)) for x in (r.lo, r.hi))
                rel += f" (interval {sig(ends[0], 3)} % to {sig(ends[1], 3)} %)"
            elif not self.noise_free:  # the ratio's interval straddles 1
                lo, hi = (f"{sig(abs(100 * (x - 1)))} % {_side(x)}" for x in (r.lo, r.hi))
                rel += f" (interval {lo} to {hi})"
        if self.noise_free:
            if d.estimate == 0:
                return f"{a} and {b} are equal ({what}, exact)"
            size = sig(abs(d.estimate))
            return (
                f"{a} {verb} {size}{self._unit()} {side} {b}{rel} ({what}, exact: noise-free model)"
            )
        if d.excludes(0.0):
            size = f"{sig(abs(d.estimate))} ± {sig(d.half_width, 2)}"
            return (
                f"{a} {verb} {size}{self._unit()} {side} {b}{rel} "
                f"({what}, 95 % interval, {n} paired seeds)"
            )
        return (
            f"{a} and {b} are within seed noise ({what}: difference {sig(d.estimate)}"
            f"{self._unit()}, 95 % interval [{sig(d.lo)}, {sig(d.hi)}], {n} paired seeds)"
        )

    def table(self) -> str:
        """Fixed-format table: per arm its peak, mean, per-seed range and divergences.

        Numbers to 3 significant digits; the wall time is left out (it varies
        by machine).
        """
        rows = []
        for arm in self.arms:
            v = self.values[arm]
            fin = v[np.isfinite(v)]
            peak = "-" if math.isnan(self.peaks[arm]) else sig(self.peaks[arm])
            peak += " (edge)" if self.at_edge[arm] else ""
            lo, hi = (sig(fin.min()), sig(fin.max())) if fin.size else ("-", "-")
            rows.append([arm, peak, sig(self.mean(arm)), lo, hi, f"{self.diverged(arm)}/{v.size}"])
        unit = f" ({self.unit})" if self.unit else ""
        columns = ["arm", "peak", f"mean {self.metric_label}{unit}", "min", "max", "diverged"]
        return tables.format_table(columns, rows)

    def grid_table(self) -> str:
        """Fixed-format table of every peak tried and its mean tuning metric, per arm."""
        rows = []
        for arm in self.arms:
            for peak, score in zip(self.grids[arm], self.grid_scores[arm], strict=True):
                mark = "<- tuned" if peak == self.peaks[arm] else ""
                rows.append([arm, sig(peak), sig(score), mark])
        return tables.format_table(["arm", "peak", f"tuning {self.metric_label}", ""], rows)

    def cost(self) -> str:
        """How much the evidence cost: runs, batched rounds and wall time."""
        return f"{self.n_runs} runs in {self.n_rounds} batched rounds, {self.seconds:.2g} s"


# ---------------------------------------------------------------- protocol


def _check_arms(arms: Any) -> dict[str, Any]:
    if not isinstance(arms, Mapping) or not arms:
        raise ValueError(
            f"arms must be a non-empty mapping of name to peak -> Schedule, got {arms!r}"
        )
    for name, arm in arms.items():
        if not isinstance(name, str) or not callable(arm):
            raise ValueError(f"arms must map str names to callables, got {name!r}: {arm!r}")
    return dict(arms)


def _schedule(arms: Mapping[str, Arm], name: str, peak: float) -> Schedule:
    sched = arms[name](peak)
    if not isinstance(sched, Schedule):
        raise ValueError(
            f"arms[{name!r}] must return an lrlab Schedule for a peak, got {sched!r} for {peak!r}"
        )
    return sched


def _fixed(schedule: Schedule) -> Arm:
    """An arm that ignores the peak and runs ``schedule``."""

    def arm(_peak: float) -> Schedule:
        return schedule

    return arm


def _check_seeds(name: str, seeds: Any, low: int = 1) -> tuple[int, ...]:
    if isinstance(seeds, int | np.integer) or not isinstance(seeds, Sequence | range):
        raise ValueError(f"{name} must be a sequence of integers, got {seeds!r}")
    out = tuple(check_int(name, s, 0) for s in seeds)
    if len(out) < low or len(set(out)) != len(out):
        raise ValueError(f"{name} must hold at least {low} distinct integers, got {list(seeds)!r}")
    return out


def _resolve_runner(runner: Any, steps: Any, options: dict[str, Any]) -> Any:
    if runner is None:
        if steps is None:
            raise ValueError("steps is required when no runner is given, got steps=None")
        return train_runner(steps, **options)
    if steps is not None or options:
        raise ValueError(
            "give either a runner or steps and training options, not both; "
            f"got steps={steps!r} and options {sorted(options)} with a runner"
        )
    if not callable(runner):
        raise ValueError(f"runner must be callable (schedules, seeds) -> values, got {runner!r}")
    return runner


class _Rounds:
    """Calls the runner, checks its output, counts runs and rounds."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.n_runs = 0
        self.n_rounds = 0

    def __call__(self, schedules: list[Schedule], seeds: tuple[int, ...]) -> Outcome:
        out = self.runner(schedules, list(seeds))
        if not isinstance(out, Outcome):
            out = Outcome(np.asarray(out, dtype=np.float64))
        values = np.asarray(out.values, dtype=np.float64)
        if values.shape != (len(schedules), len(seeds)):
            raise ValueError(
                f"runner must return values of shape (schedules, seeds) = "
                f"{(len(schedules), len(seeds))}, got {values.shape}"
            )
        values = np.where(np.isnan(values), np.inf, values)
        self.n_runs += values.size
        self.n_rounds += 1
        return Outcome(values, out.runs)


def _initial_grid(centre: float, points: int, factor: float) -> list[float]:
    offsets = np.arange(points) - (points - 1) / 2
    return [float(centre * factor**k) for k in offsets]


def _tune(
    arms: Mapping[str, Arm],
    rounds: _Rounds,
    centres: Mapping[str, float],
    points: int,
    factor: float,
    tune_seeds: tuple[int, ...],
    max_extend: int,
) -> tuple[dict[str, dict[float, float]], dict[str, bool]]:
    tried: dict[str, dict[float, float]] = {name: {} for name in arms}
    added = {name: {"down": 0, "up": 0} for name in arms}
    pending = {name: _initial_grid(centres[name], points, factor) for name in arms}
    at_edge = dict.fromkeys(arms, False)
    while any(pending.values()):
        jobs = [(name, p) for name, peaks in pending.items() for p in peaks]
        out = rounds([_schedule(arms, name, p) for name, p in jobs], tune_seeds)
        for (name, peak), row in zip(jobs, out.values, strict=True):
            tried[name][peak] = float(np.mean(row))  # inf if any tuning seed diverged
        pending = {name: [] for name in arms}
        for name, scores in tried.items():
            peaks = sorted(scores)
            values = [scores[p] for p in peaks]
            best = int(np.argmin(values))
            if math.isinf(values[best]):
                side = "down"  # every peak diverged: look lower
            elif best == len(peaks) - 1:
                side = "up"
            elif best == 0:
                side = "down"
            else:
                at_edge[name] = False
                continue
            if added[name][side] >= max_extend:
                at_edge[name] = True
                continue
            added[name][side] += 1
            pending[name] = [peaks[-1] * factor if side == "up" else peaks[0] / factor]
    return tried, at_edge


def _evaluate(
    arms: Mapping[str, Arm],
    rounds: _Rounds,
    peaks: Mapping[str, float],
    seeds: tuple[int, ...],
) -> tuple[dict[str, np.ndarray], dict[str, list[Any]]]:
    names = list(arms)
    out = rounds([_schedule(arms, name, peaks[name]) for name in names], seeds)
    values = {name: out.values[i].copy() for i, name in enumerate(names)}
    runs = {
        name: (list(out.runs[i]) if out.runs is not None else []) for i, name in enumerate(names)
    }
    for v in values.values():
        v.setflags(write=False)
    return values, runs


def _label(runner: Any) -> tuple[str, str, bool]:
    return (
        str(getattr(runner, "metric_label", "metric")),
        str(getattr(runner, "unit", "")),
        bool(getattr(runner, "noise_free", False)),
    )


def compare(
    arms: Mapping[str, Arm],
    steps: int | None = None,
    *,
    runner: Any = None,
    centre: float | Mapping[str, float] = 1e-2,
    points: int = 5,
    factor: float = 2.0,
    seeds: Sequence[int] = range(5),
    tune_seeds: Sequence[int] = (100,),
    max_extend: int = 6,
    **options: Any,
) -> Comparison:
    """Compare schedules fairly: tune each arm's peak, then evaluate on paired seeds.

    Parameters
    ----------
    arms : mapping of str to callable
        Arm name -> function ``peak -> Schedule`` (e.g.
        ``lambda peak: lrlab.warmup_cosine(peak, 600, 30)``).
    steps : int, optional
        Updates per run for the default runner (the tiny language model,
        :func:`train_runner`); leave out when ``runner`` is given.
    runner : callable, optional
        ``(schedules, seeds) -> values`` of shape ``(schedules, seeds)`` or
        an :class:`Outcome` (see :func:`train_runner`, :func:`nqm_runner`).
    centre : float or mapping of str to float, default 1e-2
        Middle of the starting grid, for all arms or per arm.
    points : int, default 5
        Points of the starting grid, >= 3.
    factor : float, default 2.0
        Ratio of neighbouring peaks, > 1.
    seeds : sequence of int, default range(5)
        Evaluation seeds, paired across arms (>= 2 distinct for a noisy
        runner; a noise-free runner uses only the first).
    tune_seeds : sequence of int, default (100,)
        Seeds averaged while tuning, disjoint from ``seeds`` by default. One
        seed is enough to place a peak on a ×2 grid in most cases and halves
        the cost of tuning; add seeds when runs near the best peak sometimes
        diverge (the evaluation then shows it as diverged seeds).
    max_extend : int, default 6
        Most grid points added on each side of the starting grid (the range
        can grow by ``factor ** max_extend`` each way).
    **options
        Training options for the default runner, as in :func:`lrlab.train`.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from lrlab import NoisyQuadratic, constant, cosine
    >>> arms = {"cosine": lambda p: cosine(p, 200), "constant": constant}
    >>> res = compare(arms, runner=nqm_runner(NoisyQuadratic.standard(dim=20), 200), centre=0.1)
    >>> res.separated("cosine", "constant"), res.best()
    (True, 'cosine')
    """
    arms = _check_arms(arms)
    for name, arm in arms.items():
        if isinstance(arm, Schedule):
            raise ValueError(
                f"arms[{name!r}] is a fixed Schedule, but compare tunes each arm's peak: give a "
                "function peak -> Schedule (e.g. lambda peak: lrlab.cosine(peak, T)), "
                "or use compare_fixed"
            )
    runner = _resolve_runner(runner, steps, options)
    points = check_int("points", points, 3)
    factor = check_number("factor", factor, 1.0, math.inf, closed=False)
    max_extend = check_int("max_extend", max_extend, 0)
    if isinstance(centre, Mapping):
        missing = sorted(set(arms) - set(centre))
        if missing:
            raise ValueError(f"centre must give a value for every arm, missing {missing}")
        centres = {
            name: check_number("centre", centre[name], 0.0, math.inf, closed=False) for name in arms
        }
    else:
        value = check_number("centre", centre, 0.0, math.inf, closed=False)
        centres = dict.fromkeys(arms, value)
    label, unit, noise_free = _label(runner)
    eval_seeds = _check_seeds("seeds", seeds, 1 if noise_free else 2)
    tuning = _check_seeds("tune_seeds", tune_seeds, 1)
    if noise_free:
        eval_seeds, tuning = eval_seeds[:1], eval_seeds[:1]
    start = time.perf_counter()
    rounds = _Rounds(runner)
    tried, at_edge = _tune(arms, rounds, centres, points, factor, tuning, max_extend)
    grids = {name: np.array(sorted(t)) for name, t in tried.items()}
    scores = {name: np.array([tried[name][p] for p in grids[name]]) for name in arms}
    peaks = {name: float(grids[name][int(np.argmin(scores[name]))]) for name in arms}
    values, runs = _evaluate(arms, rounds, peaks, eval_seeds)
    return Comparison(
        arms=tuple(arms),
        metric_label=label,
        unit=unit,
        grids=grids,
        grid_scores=scores,
        peaks=peaks,
        at_edge=at_edge,
        seeds=eval_seeds,
        tune_seeds=tuning,
        values=values,
        runs=runs,
        noise_free=noise_free,
        n_runs=rounds.n_runs,
        n_rounds=rounds.n_rounds,
        seconds=time.perf_counter() - start,
    )


def compare_fixed(
    arms: Mapping[str, Arm | Schedule],
    peak: float | Mapping[str, float] | None = None,
    steps: int | None = None,
    *,
    runner: Any = None,
    seeds: Sequence[int] = range(5),
    **options: Any,
) -> Comparison:
    """Evaluate every arm at a given peak, or fixed schedules, on paired seeds (no tuning).

    With one shared peak for all arms this is the comparison the protocol
    warns against: an arm whose best peak lies elsewhere looks worse than
    it is. Put it next to :func:`compare` to show the difference. With
    fixed schedules it measures given recipes (e.g. a published one) with
    the same paired seeds and intervals.

    Parameters
    ----------
    arms : mapping of str to callable or Schedule
        As in :func:`compare`; a Schedule is run as it is (its peak shows
        as NaN).
    peak : float or mapping of str to float, optional
        The peak of every arm, or one per arm; needed unless every arm is
        a Schedule.
    steps, runner, seeds, **options
        As in :func:`compare`.

    Returns
    -------
    Comparison
        With empty grids.

    Examples
    --------
    >>> from lrlab import NoisyQuadratic, constant, cosine
    >>> arms = {"cosine": lambda p: cosine(p, 200), "constant": constant}
    >>> res_runner = nqm_runner(NoisyQuadratic.standard(dim=20), 200)
    >>> res = compare_fixed(arms, 0.1, runner=res_runner)
    >>> res.peaks
    {'cosine': 0.1, 'constant': 0.1}
    >>> fixed = compare_fixed({"a": constant(0.1), "b": cosine(0.2, 200)}, runner=res_runner)
    >>> fixed.best()
    'b'
    """
    arms = _check_arms(arms)
    runner = _resolve_runner(runner, steps, options)
    given = {name: arm for name, arm in arms.items() if isinstance(arm, Schedule)}
    arms = {name: _fixed(given[name]) if name in given else arm for name, arm in arms.items()}
    if peak is None:
        if len(given) < len(arms):
            tuned = sorted(set(arms) - set(given))
            raise ValueError(f"peak is required unless every arm is a Schedule; not: {tuned}")
        peaks = dict.fromkeys(arms, math.nan)
    elif isinstance(peak, Mapping):
        missing = sorted(set(arms) - set(peak))
        if missing:
            raise ValueError(f"peak must give a value for every arm, missing {missing}")
        peaks = {name: check_number("peak", peak[name], 0.0, math.inf) for name in arms}
    else:
        peaks = dict.fromkeys(arms, check_number("peak", peak, 0.0, math.inf))
    peaks.update(dict.fromkeys(given, math.nan))
    label, unit, noise_free = _label(runner)
    eval_seeds = _check_seeds("seeds", seeds, 1 if noise_free else 2)
    if noise_free:
        eval_seeds = eval_seeds[:1]
    start = time.perf_counter()
    rounds = _Rounds(runner)
    values, runs = _evaluate(arms, rounds, peaks, eval_seeds)
    empty = {name: np.zeros(0) for name in arms}
    return Comparison(
        arms=tuple(arms),
        metric_label=label,
        unit=unit,
        grids=empty,
        grid_scores=dict(empty),
        peaks=peaks,
        at_edge=dict.fromkeys(arms, False),
        seeds=eval_seeds,
        tune_seeds=(),
        values=values,
        runs=runs,
        noise_free=noise_free,
        n_runs=rounds.n_runs,
        n_rounds=rounds.n_rounds,
        seconds=time.perf_counter() - start,
    )
