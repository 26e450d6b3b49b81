"""Figures, explorers and exercise answers for the 1cycle and warmup-stable-decay chapters.

The 1cycle part follows the exact semantics of torch's ``OneCycleLR`` through
:class:`lrlab.one_cycle`; the WSD part builds on :class:`lrlab.wsd`, the
noisy quadratic model and checkpoint branching of the tiny language model.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

from lrlab import schedules, training
from lrlab.exercises import register
from lrlab.viz import PALETTE, new_figure
from lrlab.widgets import Explorer, slider

__all__ = [
    "excess_table_rows",
    "one_cycle_explorer",
    "one_cycle_phase_ends",
    "plot_excess",
    "plot_one_cycle",
    "train_per_seed",
]


def _int_in(name: str, value: Any, low: int, high: int | None = None) -> int:
    rule = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return int(value)


def _float_in(name: str, value: Any, low: float, high: float) -> float:
    rule = f"a number in ({low!r}, {high!r})"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    number = float(value)
    if not low < number < high:
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return number


# ----------------------------------------------------------------- 1cycle


def one_cycle_phase_ends(
    total_steps: int, pct_start: float, three_phase: bool = False
) -> tuple[float, ...]:
    """The steps at which torch's ``OneCycleLR`` ends each phase.

    The first phase ends at ``float(pct_start * T) - 1``, the middle one of
    the three-phase variant at ``float(2 * pct_start * T) - 2``, and the last
    at ``T - 1``, where ``T = total_steps``. An end that is not a whole number
    is never hit exactly by an update.

    Parameters
    ----------
    total_steps : int
        ``T``, the number of updates of the cycle, >= 2.
    pct_start : float
        Fraction of the cycle spent rising, in (0, 1).
    three_phase : bool, default False
        Whether the schedule has the third (annihilation) phase.

    Returns
    -------
    tuple of float
        Two or three phase ends, increasing.

    Raises
    ------
    ValueError
        If ``total_steps`` is not an integer >= 2 or ``pct_start`` is outside (0, 1).

    Examples
    --------
    >>> one_cycle_phase_ends(10_000, 0.3)
    (2999.0, 9999.0)
    >>> one_cycle_phase_ends(10_000, 0.45, three_phase=True)
    (4499.0, 8998.0, 9999.0)
    """
    n = _int_in("total_steps", total_steps, 2)
    pct = _float_in("pct_start", pct_start, 0.0, 1.0)
    if three_phase:
        return (float(pct * n) - 1, float(2 * pct * n) - 2, float(n - 1))
    return (float(pct * n) - 1, float(n - 1))


def plot_one_cycle(
    peak: float = 1e-3,
    total_steps: int = 10_000,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal: str = "cos",
    three_phase: bool = False,
    logy: bool = False,
) -> Figure:
    """Learning rate and momentum of a 1cycle schedule, phase ends marked.

    Draws ``lrlab.one_cycle(...)`` and its ``momentum`` over steps
    ``0 .. total_steps - 1`` in two panels; dotted vertical lines mark the
    phase ends of :func:`one_cycle_phase_ends`.

    Parameters
    ----------
    peak, total_steps, pct_start, div_factor, final_div_factor, anneal, three_phase
        As in :class:`lrlab.one_cycle` (``peak`` is torch's ``max_lr``).
    logy : bool, default False
        Logarithmic learning-rate axis, which shows how far below the start
        the last phase goes.

    Returns
    -------
    Figure
        ``axes[0].lines[0]`` is the learning rate, ``axes[1].lines[0]`` the momentum.

    Raises
    ------
    ValueError
        For any parameter :class:`lrlab.one_cycle` rejects.

    Examples
    --------
    >>> fig = plot_one_cycle(total_steps=100, div_factor=10, final_div_factor=100)
    >>> round(float(fig.axes[0].lines[0].get_ydata()[0]), 12)
    0.0001
    """
    schedule = schedules.one_cycle(
        peak,
        total_steps,
        pct_start=pct_start,
        div_factor=div_factor,
        final_div_factor=final_div_factor,
        anneal=anneal,
        three_phase=three_phase,
    )
    t = np.arange(total_steps)
    fig, (ax_lr, ax_m) = new_figure(ncols=2, width=9.5, height=3.6)
    ax_lr.plot(t, schedule(t), color=PALETTE[0], linewidth=1.6)
    ax_m.plot(t, schedule.momentum(t), color=PALETTE[3], linewidth=1.6)
    for end in one_cycle_phase_ends(total_steps, pct_start, three_phase)[:-1]:
        for ax in (ax_lr, ax_m):
            ax.axvline(end, color="#777777", linestyle=":", linewidth=1.0)
    ax_lr.set_xlabel("step t")
    ax_lr.set_ylabel("learning rate")
    if logy:
        ax_lr.set_yscale("log")
    kind = "three-phase" if three_phase else "two-phase"
    ax_lr.set_title(
        f"{kind}, {anneal}: start {schedule.initial_lr:.3g}, peak {peak:.3g}, "
        f"end {schedule.min_lr:.3g}",
        fontsize=10,
    )
    ax_m.set_xlabel("step t")
    ax_m.set_ylabel("momentum (SGD) or β₁ (Adam)")
    ax_m.set_title("momentum cycles the other way", fontsize=10)
    return fig


def one_cycle_explorer(
    total_steps: int = 1000,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
    anneal: str = "cos",
    three_phase: bool = False,
    logy: bool = True,
    page_frames: int = 60,
) -> Explorer:
    """Sliders over a 1cycle schedule with peak 1 -> its LR and momentum curves.

    Parameters
    ----------
    total_steps : int, default 1000
        Initial value of the ``T`` slider, in [100, 5000].
    pct_start : float, default 0.3
        Initial rising fraction, in [0.05, 0.45].
    div_factor : float, default 25
        Initial ``peak / start``, in [1, 1000] (a logarithmic slider).
    final_div_factor : float, default 1e4
        Initial ``start / end``, in [1, 1e5] (a logarithmic slider).
    anneal : {"cos", "linear"}, default "cos"
    three_phase : bool, default False
    logy : bool, default True
        Initial state of the log-scale check box.
    page_frames : int, default 60
        Number of figures precomputed for the rendered page (see
        :class:`lrlab.widgets.Explorer`).

    Returns
    -------
    Explorer
        Controls ``total_steps``, ``pct_start``, ``div_factor``,
        ``final_div_factor``, ``anneal``, ``three_phase`` and ``logy``; the
        figure is :func:`plot_one_cycle` with ``peak = 1``.

    Raises
    ------
    ValueError
        If an initial value is outside its slider's range.

    Examples
    --------
    >>> ex = one_cycle_explorer()
    >>> ex.controls["pct_start"].value = 0.25
    >>> int(np.argmax(ex.figure.axes[0].lines[0].get_ydata()))
    249
    """
    _int_in("total_steps", total_steps, 100, 5000)
    if not 0.05 <= pct_start <= 0.45:
        raise ValueError(f"pct_start must be in [0.05, 0.45], got {pct_start!r}")
    if not 1.0 <= div_factor <= 1000.0:
        raise ValueError(f"div_factor must be in [1, 1000], got {div_factor!r}")
    if not 1.0 <= final_div_factor <= 1e5:
        raise ValueError(f"final_div_factor must be in [1, 1e5], got {final_div_factor!r}")
    if anneal not in schedules.ANNEAL_STRATEGIES:
        raise ValueError(f"anneal must be one of 'cos', 'linear', got {anneal!r}")
    style = {"description_width": "initial"}
    layout = w.Layout(width="420px")
    controls = {
        "total_steps": slider("total steps T", total_steps, 100, 5000, 100, integer=True),
        "pct_start": slider("pct_start", pct_start, 0.05, 0.45, 0.01),
        "div_factor": w.FloatLogSlider(
            value=div_factor,
            base=10,
            min=0,
            max=3,
            step=0.1,
            description="div_factor",
            continuous_update=False,
            style=style,
            layout=layout,
        ),
        "final_div_factor": w.FloatLogSlider(
            value=final_div_factor,
            base=10,
            min=0,
            max=5,
            step=0.1,
            description="final_div_factor",
            continuous_update=False,
            style=style,
            layout=layout,
        ),
        "anneal": w.Dropdown(
            options=list(schedules.ANNEAL_STRATEGIES),
            value=anneal,
            description="anneal",
            style=style,
        ),
        "three_phase": w.Checkbox(value=three_phase, description="three_phase"),
        "logy": w.Checkbox(value=logy, description="log-scale learning rate"),
    }

    def draw(**values: Any) -> Figure:
        return plot_one_cycle(peak=1.0, **values)

    return Explorer(draw, controls, page_frames=page_frames)


# ------------------------------------------------------- training helpers


def train_per_seed(
    schedule_list: Sequence[schedules.Schedule],
    steps: int,
    seeds: Sequence[int] = (0, 1, 2),
    **options: Any,
) -> list[list[training.History]]:
    """Train every schedule with every seed; one batched run per seed.

    :func:`lrlab.train_many` batches all variants into one model; calling it
    once per seed keeps each call to a single data stream, which is much
    faster than mixing seeds in one call, and gives the same histories.

    Parameters
    ----------
    schedule_list : sequence of Schedule
        The schedules to compare.
    steps : int
        Number of updates of every run, >= 1.
    seeds : sequence of int, default (0, 1, 2)
        Seeds, at least one.
    **options
        As in :func:`lrlab.train`.

    Returns
    -------
    list of list of History
        ``result[i][j]`` is schedule ``i`` trained with ``seeds[j]``.

    Raises
    ------
    ValueError
        If ``seeds`` is empty, or for any input :func:`lrlab.train_many` rejects.

    Examples
    --------
    >>> from lrlab import constant
    >>> runs = train_per_seed([constant(1e-2), constant(3e-2)], 20, seeds=[0, 1])
    >>> len(runs), len(runs[0]), float(runs[1][0].lr[0])
    (2, 2, 0.03)
    """
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got []")
    per_seed = [
        training.train_many(list(schedule_list), steps, [seed], **options) for seed in seeds
    ]
    return [[runs[i] for runs in per_seed] for i in range(len(schedule_list))]


def excess_table_rows(
    groups: Mapping[str, Sequence[training.History]],
) -> list[list[Any]]:
    """Rows ``[label, mean, min, max]`` of the final excess loss of each group of runs.

    Parameters
    ----------
    groups : mapping of label to sequence of History
        The runs of one schedule over several seeds, by label.

    Returns
    -------
    list of list
        One row per group, ready for :func:`lrlab.tables.print_table`.

    Examples
    --------
    >>> from lrlab import constant
    >>> runs = train_per_seed([constant(1e-2)], 20, seeds=[0])
    >>> excess_table_rows({"constant": runs[0]})[0][0]
    'constant'
    """
    rows = []
    for label, runs in groups.items():
        finals = np.array([run.final_excess for run in runs])
        rows.append([label, float(finals.mean()), float(finals.min()), float(finals.max())])
    return rows


def plot_excess(
    groups: Mapping[str, Sequence[training.History]],
    title: str = "",
    logy: bool = True,
) -> Figure:
    """Exact excess loss against step: the mean over seeds, with the min-max band.

    Parameters
    ----------
    groups : mapping of label to sequence of History
        The runs of one schedule over several seeds, by label; all runs of
        a group share their validation steps.
    title : str
        Optional title.
    logy : bool, default True
        Logarithmic loss axis.

    Returns
    -------
    Figure
        Line ``i`` of ``axes[0]`` is the mean of group ``i``.

    Examples
    --------
    >>> from lrlab import constant
    >>> runs = train_per_seed([constant(1e-2)], 20, seeds=[0, 1], val_every=10)
    >>> plot_excess({"constant": runs[0]}).axes[0].lines[0].get_xdata().tolist()
    [0, 10, 20]
    """
    fig, (ax,) = new_figure(width=7.0, height=3.8)
    for (label, runs), color in zip(groups.items(), PALETTE, strict=False):
        x = runs[0].val_steps
        y = np.array([run.val_excess for run in runs])
        ax.plot(x, y.mean(axis=0), color=color, linewidth=1.6, label=label)
        if len(runs) > 1:
            ax.fill_between(x, y.min(axis=0), y.max(axis=0), color=color, alpha=0.15, lw=0)
    ax.set_xlabel("step t")
    ax.set_ylabel("excess loss (nats/token)")
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize="small")
    return fig


# -------------------------------------------------------------- exercises


@register("one-cycle-peak-step")
def _peak_step(total_steps: int, pct_start: float) -> int:
    """The update that uses the highest learning rate of torch's OneCycleLR."""
    cycle = schedules.one_cycle(1.0, total_steps, pct_start=pct_start)
    return int(np.argmax(cycle(np.arange(total_steps))))


@register("one-cycle-total-steps")
def _total_steps(epochs: int, batches_per_epoch: int, accumulation: int) -> int:
    """Optimizer steps when stepping every ``accumulation`` batches and at each epoch's end."""
    return epochs * math.ceil(batches_per_epoch / accumulation)
