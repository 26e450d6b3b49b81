"""Figures, explorers and exercise answers for the cosine and cyclical chapters.

Chapter 4 (cosine annealing and warm restarts): how long a schedule spends at
each learning rate (:func:`time_at_lr`, :func:`plot_time_at_lr`), the
continuous-time answer for a cosine (:func:`arcsine_fraction`), and warm
restarts against a single cosine on the noisy quadratic model
(:func:`plot_restarts_on_nqm`, :func:`sgdr_explorer`). :func:`plot_runs`
draws real training runs of the tiny task, learning rate and excess loss.

Chapter 5 (cyclical learning rates): the triangle wave and its momentum
(:func:`plot_cyclical`, :func:`cyclical_explorer`) and how much of a cycle a
number of scheduler steps covers (:func:`cycle_fraction`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

import lrlab
from lrlab._checks import check_choice, check_int, check_number
from lrlab.nqm import NoisyQuadratic
from lrlab.schedules import CYCLIC_MODES, Schedule
from lrlab.static_explorer import FrameExplorer as Explorer
from lrlab.static_explorer import slider
from lrlab.viz import PALETTE, new_figure
from lrlab.viz import plot_runs as plot_runs  # shared by chapters 4 and 5

#: Cycle boundaries are marked only when there are at most this many.
MAX_MARKS = 30
#: Figures each explorer of these chapters precomputes for the rendered page.
PAGE_FRAMES = 60

__all__ = [
    "MAX_MARKS",
    "PAGE_FRAMES",
    "arcsine_fraction",
    "cycle_fraction",
    "cyclical_explorer",
    "plot_cyclical",
    "plot_restarts_on_nqm",
    "plot_runs",
    "plot_time_at_lr",
    "restart_step",
    "sgdr_explorer",
    "time_at_lr",
]


# ------------------------------------------------------ chapter 4: cosine


def time_at_lr(
    schedule: Schedule, steps: int, low: float, high: float, n_bins: int = 5
) -> np.ndarray:
    """Fraction of updates ``0 .. steps - 1`` spent in each band of learning rates.

    ``[low, high]`` is cut into ``n_bins`` bands of equal width (the last one
    includes ``high``); entry ``i`` is the fraction of updates whose learning
    rate lies in band ``i``, counted from the lowest band.

    Parameters
    ----------
    schedule : Schedule
        The schedule, evaluated at every update.
    steps : int
        Number of updates, >= 1.
    low, high : float
        Range of learning rates, ``low < high``; every ``schedule(t)`` must lie in it.
    n_bins : int, default 5
        Number of bands, >= 1.

    Returns
    -------
    numpy.ndarray
        ``n_bins`` fractions that sum to 1.

    Raises
    ------
    ValueError
        For a bad parameter, or a learning rate outside ``[low, high]``.

    Examples
    --------
    >>> time_at_lr(lrlab.linear_decay(1.0, 0.0, 100), 100, 0.0, 1.0, 4).tolist()
    [0.24, 0.25, 0.25, 0.26]
    """
    steps = check_int("steps", steps, 1)
    n_bins = check_int("n_bins", n_bins, 1)
    low = check_number("low", low, 0.0, math.inf)
    high = check_number("high", high, low, math.inf)
    if high == low:
        raise ValueError(f"high must be in ({low!r}, inf), got {high!r}")
    lrs = schedule(np.arange(steps))
    outside = (lrs < low) | (lrs > high)
    if outside.any():
        raise ValueError(
            f"schedule values must lie in [low, high] = [{low!r}, {high!r}], "
            f"got {float(lrs[outside][0])!r}"
        )
    band = np.minimum(((lrs - low) / (high - low) * n_bins).astype(np.int64), n_bins - 1)
    return np.bincount(band, minlength=n_bins) / steps


def arcsine_fraction(lo: float, hi: float) -> float:
    """Share of a long cosine decay spent with its relative height in ``[lo, hi]``.

    The relative height is ``(s - floor) / (peak - floor)``. In continuous
    time it equals ``(1 + cos(pi u)) / 2`` at ``u = t / T``, so the share of
    time between heights ``lo`` and ``hi`` is
    ``(arccos(2 lo - 1) - arccos(2 hi - 1)) / pi`` -- the arcsine law.

    Parameters
    ----------
    lo, hi : float
        Relative heights, ``0 <= lo <= hi <= 1``.

    Returns
    -------
    float

    Examples
    --------
    >>> round(arcsine_fraction(0.0, 0.5), 12)
    0.5
    >>> round(arcsine_fraction(0.9, 1.0), 4)
    0.2048
    """
    lo = check_number("lo", lo, 0.0, 1.0)
    hi = check_number("hi", hi, lo, 1.0)
    return (math.acos(2 * lo - 1) - math.acos(2 * hi - 1)) / math.pi


def plot_time_at_lr(
    schedules: Mapping[str, Schedule], steps: int, low: float, high: float, n_bins: int = 5
) -> Figure:
    """The schedules (left) and the percentage of updates they spend in each LR band (right).

    Parameters
    ----------
    schedules : mapping of label to Schedule
        Schedules to compare, all within ``[low, high]``.
    steps, low, high, n_bins
        As in :func:`time_at_lr`.

    Returns
    -------
    Figure
        The right axes holds one bar container per schedule, heights in percent.

    Examples
    --------
    >>> fig = plot_time_at_lr({"linear": lrlab.linear_decay(1.0, 0.0, 10)}, 10, 0.0, 1.0, 2)
    >>> [float(bar.get_height()) for bar in fig.axes[1].containers[0]]
    [40.0, 60.0]
    """
    fractions = {label: time_at_lr(s, steps, low, high, n_bins) for label, s in schedules.items()}
    fig, (ax_lr, ax_bar) = new_figure(ncols=2, width=10.0, height=3.8)
    t = np.arange(steps)
    for label, s in schedules.items():
        ax_lr.plot(t, s(t), label=label, linewidth=1.6)
    ax_lr.set_xlabel("step t")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title("The schedules", fontsize=10)
    ax_lr.legend(frameon=False)
    edges = np.linspace(low, high, n_bins + 1)
    centres = np.arange(n_bins)
    width = 0.8 / len(schedules)
    for i, (label, frac) in enumerate(fractions.items()):
        offset = (i - (len(schedules) - 1) / 2) * width
        ax_bar.bar(centres + offset, 100 * frac, width=width, label=label, color=PALETTE[i])
    rel = (edges - low) / (high - low)
    ax_bar.set_xticks(centres, [f"{a:.2g}–{b:.2g}" for a, b in itertools.pairwise(rel)])
    ax_bar.set_xlabel(f"band, as a fraction of the range [{low:.3g}, {high:.3g}]")
    ax_bar.set_ylabel("share of the updates (%)")
    ax_bar.set_title(f"Where the {steps} updates go", fontsize=10)
    ax_bar.legend(frameon=False)
    return fig


def plot_restarts_on_nqm(
    nqm: NoisyQuadratic,
    steps: int,
    peak: float,
    period: int,
    period_mult: int = 1,
    floor: float = 0.0,
) -> Figure:
    """Warm restarts against one cosine of the same length, on the noisy quadratic model.

    Left: the learning rate of ``cosine_restarts(peak, period, period_mult,
    floor)`` (line ``"warm restarts"``) and of ``cosine(peak, steps, floor)``
    (line ``"one cosine"``). Right: the exact expected loss of both, on a log
    scale, with the restarts marked by dotted lines (when there are at most
    :data:`MAX_MARKS`).

    Parameters
    ----------
    nqm : NoisyQuadratic
        The model.
    steps : int
        Number of updates, >= 2.
    peak : float
        Learning rate at every (re)start, in ``(0, nqm.max_stable_lr())``.
    period : int
        First cycle length, in ``[1, steps]``.
    period_mult : int, default 1
        Growth factor of the cycle length, >= 1.
    floor : float, default 0.0
        Lowest learning rate, in ``[0, peak]``.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_restarts_on_nqm(NoisyQuadratic.standard(dim=10), 20, 0.5, 5)
    >>> [line.get_label() for line in fig.axes[0].lines[:2]]
    ['warm restarts', 'one cosine']
    """
    steps = check_int("steps", steps, 2)
    limit = nqm.max_stable_lr()
    peak = check_number("peak", peak, 0.0, limit, closed=False)
    period = check_int("period", period, 1, steps)
    period_mult = check_int("period_mult", period_mult, 1)
    floor = check_number("floor", floor, 0.0, peak)
    restarts = lrlab.cosine_restarts(peak, period, period_mult, floor)
    schedules = {"warm restarts": restarts, "one cosine": lrlab.cosine(peak, steps, floor)}
    t = np.arange(steps + 1)
    losses = nqm.expected_loss(list(schedules.values()), steps=steps)
    starts = restarts.cycle_starts(steps)[1:]
    fig, (ax_lr, ax_loss) = new_figure(ncols=2, width=10.0, height=3.8)
    for (label, s), loss in zip(schedules.items(), losses, strict=True):
        ax_lr.plot(t, s(t), label=label, linewidth=1.6)
        ax_loss.plot(t, loss, label=label, linewidth=1.6)
    for ax in (ax_lr, ax_loss):
        if len(starts) <= MAX_MARKS:
            for start in starts:
                ax.axvline(start, color="#777777", linestyle=":", linewidth=0.9)
        ax.set_xlabel("step t")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title(
        f"peak {peak:.3g}, T₀ = {period}, T_mult = {period_mult}, floor {floor:.3g}", fontsize=10
    )
    ax_lr.legend(frameon=False)
    ax_loss.set_yscale("log")
    ax_loss.set_ylabel("expected loss (NQM)")
    ax_loss.set_title(
        f"after {steps} steps: restarts {losses[0, -1]:.3g}, one cosine {losses[1, -1]:.3g}",
        fontsize=10,
    )
    return fig


def sgdr_explorer(
    nqm: NoisyQuadratic | None = None,
    steps: int = 1750,
    peak: float = 0.5,
    period: int = 250,
    period_mult: int = 2,
    floor_frac: float = 0.0,
    page_frames: int = PAGE_FRAMES,
) -> Explorer:
    """Sliders over warm restarts -> :func:`plot_restarts_on_nqm`.

    Parameters
    ----------
    nqm : NoisyQuadratic, optional
        Default ``NoisyQuadratic.standard(dim=100)``.
    steps : int, default 1750
        Length of the run (fixed).
    peak, period, period_mult : float, int, int
        Initial slider values.
    floor_frac : float, default 0.0
        Initial floor as a fraction of the peak.
    page_frames : int, default :data:`PAGE_FRAMES`
        Figures precomputed for the rendered page.

    Returns
    -------
    Explorer
        Controls ``peak``, ``period``, ``period_mult`` and ``floor_frac``.

    Examples
    --------
    >>> ex = sgdr_explorer(steps=100, period=20)
    >>> sorted(ex.controls)
    ['floor_frac', 'peak', 'period', 'period_mult']
    """
    nqm = nqm or NoisyQuadratic.standard(dim=100)
    steps = check_int("steps", steps, 2)
    limit = nqm.max_stable_lr()
    # Refused, never clamped: a default outside its slider would be drawn somewhere else.
    peak = check_number("peak", peak, limit / 40, 0.75 * limit)
    period = check_int("period", period, min(10, steps), steps)
    period_mult = check_int("period_mult", period_mult, 1, 4)
    floor_frac = check_number("floor_frac", floor_frac, 0.0, 0.5)
    controls = {
        "peak": slider("peak η_max", peak, limit / 40, 0.75 * limit, limit / 40),
        "period": slider("first cycle T₀", period, min(10, steps), steps, 1, integer=True),
        "period_mult": slider("T_mult", period_mult, 1, 4, 1, integer=True),
        "floor_frac": slider("floor / peak", floor_frac, 0.0, 0.5, 0.05),
    }

    def draw(peak: float, period: int, period_mult: int, floor_frac: float) -> Figure:
        return plot_restarts_on_nqm(nqm, steps, peak, period, period_mult, floor_frac * peak)

    return Explorer(draw, controls, page_frames=page_frames)


def restart_step(period: int, period_mult: int, n: int) -> int:
    """Step at which restart ``n`` happens (cycle ``n`` begins), by integer arithmetic.

    Cycle ``i`` lasts ``period * period_mult ** i`` steps, so restart ``n`` is
    at ``period * (1 + period_mult + ... + period_mult ** (n - 1))``.

    Parameters
    ----------
    period : int
        First cycle length, >= 1.
    period_mult : int
        Growth factor, >= 1.
    n : int
        Which restart, >= 1.

    Returns
    -------
    int

    Examples
    --------
    >>> [restart_step(50, 2, n) for n in (1, 2, 3)]
    [50, 150, 350]
    """
    period = check_int("period", period, 1)
    period_mult = check_int("period_mult", period_mult, 1)
    n = check_int("n", n, 1)
    return period * sum(period_mult**i for i in range(n))


# ----------------------------------------------------- chapter 5: cyclical


def plot_cyclical(
    base: float,
    peak: float,
    step_size_up: int,
    step_size_down: int | None = None,
    mode: str = "triangular",
    gamma: float = 1.0,
    steps: int = 10_000,
) -> Figure:
    """A cyclical schedule (left) and the momentum that cycles against it (right).

    Both panels are ``lrlab.cyclical(base, peak, step_size_up, step_size_down,
    mode, gamma)`` and its ``momentum`` (torch's defaults 0.8 to 0.9) over
    ``0 .. steps - 1``, with the cycle boundaries marked (when there are at
    most :data:`MAX_MARKS`).

    Parameters
    ----------
    base, peak, step_size_up, step_size_down, mode, gamma
        As in :class:`lrlab.cyclical`.
    steps : int, default 10_000
        Number of updates shown, >= 1.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_cyclical(0.001, 0.01, 5, steps=11)
    >>> [round(float(v), 4) for v in fig.axes[0].lines[0].get_ydata()[:3]]
    [0.001, 0.0028, 0.0046]
    """
    steps = check_int("steps", steps, 1)
    schedule = lrlab.cyclical(base, peak, step_size_up, step_size_down, mode, gamma)
    t = np.arange(steps)
    period = schedule.step_size_up + schedule.step_size_down
    fig, (ax_lr, ax_m) = new_figure(ncols=2, width=10.0, height=3.6)
    ax_lr.plot(t, schedule(t), color=PALETTE[0], linewidth=1.4)
    ax_m.plot(t, schedule.momentum(t), color=PALETTE[3], linewidth=1.4)
    starts = range(period, steps, period)
    for ax in (ax_lr, ax_m):
        if len(starts) <= MAX_MARKS:
            for start in starts:
                ax.axvline(start, color="#777777", linestyle=":", linewidth=0.9)
        ax.set_xlabel("step t")
    ax_lr.set_ylabel("learning rate")
    down = schedule.step_size_down
    ax_lr.set_title(f"{mode}: {base:.3g} → {peak:.3g}, up {step_size_up}, down {down}", fontsize=10)
    ax_m.set_ylabel("momentum (Adam: β₁)")
    ax_m.set_title("momentum cycles the other way", fontsize=10)
    return fig


def cyclical_explorer(
    base: float = 0.001,
    peak: float = 0.01,
    step_size_up: int = 2000,
    step_size_down: int = 2000,
    mode: str = "triangular",
    gamma: float = 0.99994,
    steps: int = 12_000,
    page_frames: int = PAGE_FRAMES,
) -> Explorer:
    """Sliders over a cyclical schedule -> :func:`plot_cyclical`.

    Parameters
    ----------
    base, peak, step_size_up, step_size_down, mode, gamma
        Initial values of the controls (``gamma`` is used by ``exp_range`` only).
    steps : int, default 12_000
        Number of updates shown (fixed).
    page_frames : int, default :data:`PAGE_FRAMES`
        Figures precomputed for the rendered page.

    Returns
    -------
    Explorer
        Controls ``base``, ``peak``, ``step_size_up``, ``step_size_down``
        (from 50), ``mode`` (a drop-down) and ``gamma``. A base set above the
        max is drawn at the max, so every slider position gives a figure.

    Examples
    --------
    >>> ex = cyclical_explorer(steps=400, step_size_up=50, step_size_down=50)
    >>> ex.controls["mode"].value = "triangular2"
    >>> round(float(ex.figure.axes[0].lines[0].get_ydata()[150]), 6)
    0.0055
    """
    steps = check_int("steps", steps, 1)
    low = min(50, steps)
    # Refused, never clamped: a default outside its slider would be drawn somewhere else.
    base = check_number("base", base, 0.0, 0.01)
    peak = check_number("peak", peak, 0.001, 0.05)
    step_size_up = check_int("step_size_up", step_size_up, low, steps)
    step_size_down = check_int("step_size_down", step_size_down, low, steps)
    mode = check_choice("mode", mode, CYCLIC_MODES)
    gamma = check_number("gamma", gamma, 0.999, 1.0)
    gamma_slider = slider("γ (exp_range)", gamma, 0.9990, 1.0, 0.00001)
    gamma_slider.readout_format = ".5f"
    controls = {
        "base": slider("base LR", base, 0.0, 0.01, 0.0005),
        "peak": slider("max LR", peak, 0.001, 0.05, 0.0005),
        "step_size_up": slider("steps up", step_size_up, low, steps, 1, integer=True),
        "step_size_down": slider("steps down", step_size_down, low, steps, 1, integer=True),
        "mode": w.Dropdown(options=list(CYCLIC_MODES), value=mode, description="mode"),
        "gamma": gamma_slider,
    }

    def draw(**values: Any) -> Figure:
        values["base"] = min(values["base"], values["peak"])
        return plot_cyclical(**values, steps=steps)

    return Explorer(draw, controls, page_frames=page_frames)


def cycle_fraction(
    scheduler_steps: int, step_size_up: int, step_size_down: int | None = None
) -> float:
    """Fraction of one cycle that ``scheduler_steps`` calls of ``step()`` cover.

    A cycle lasts ``step_size_up + step_size_down`` scheduler steps. Stepping
    once per epoch instead of once per batch divides the distance travelled
    along the cycle by the number of batches per epoch.

    Parameters
    ----------
    scheduler_steps : int
        Number of ``scheduler.step()`` calls, >= 0.
    step_size_up : int
        Steps of the rising half, >= 1.
    step_size_down : int, optional
        Steps of the falling half, >= 1; defaults to ``step_size_up``.

    Returns
    -------
    float

    Examples
    --------
    >>> cycle_fraction(30, 2000)
    0.0075
    """
    scheduler_steps = check_int("scheduler_steps", scheduler_steps, 0)
    up = check_int("step_size_up", step_size_up, 1)
    down = up if step_size_down is None else check_int("step_size_down", step_size_down, 1)
    return scheduler_steps / (up + down)
