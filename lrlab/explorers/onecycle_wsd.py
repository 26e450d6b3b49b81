"""Figures, explorers and exercise answers for the 1cycle and warmup-stable-decay chapters.

The 1cycle part follows the exact semantics of torch's ``OneCycleLR`` through
:class:`lrlab.one_cycle`; the WSD part builds on :class:`lrlab.wsd`, the
noisy quadratic model and checkpoint branching of the tiny language model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter, MaxNLocator

from lrlab import schedules, training
from lrlab._checks import check_int, check_number
from lrlab.nqm import NoisyQuadratic
from lrlab.static_explorer import FrameExplorer as Explorer
from lrlab.static_explorer import slider
from lrlab.viz import PALETTE, new_figure

__all__ = [
    "branch_wsd",
    "excess_table_rows",
    "nqm_bias_variance",
    "one_cycle_explorer",
    "one_cycle_phase_ends",
    "plot_branches",
    "plot_excess",
    "plot_one_cycle",
    "plot_wsd_nqm",
    "plot_wsd_shapes",
    "train_per_seed",
    "wsd_explorer",
]

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
    n = check_int("total_steps", total_steps, 2)
    pct = check_number("pct_start", pct_start, 0.0, 1.0, closed=False)
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
    check_int("total_steps", total_steps, 100, 5000)
    check_number("pct_start", pct_start, 0.05, 0.45)
    check_number("div_factor", div_factor, 1.0, 1000.0)
    check_number("final_div_factor", final_div_factor, 1.0, 1e5)
    if anneal not in schedules.ANNEAL_STRATEGIES:
        valid = ", ".join(repr(name) for name in schedules.ANNEAL_STRATEGIES)
        raise ValueError(f"anneal must be one of {valid}, got {anneal!r}")
    style = {"description_width": "initial"}
    controls = {
        "total_steps": slider("total steps T", total_steps, 100, 5000, 100, integer=True),
        "pct_start": slider("pct_start", pct_start, 0.05, 0.45, 0.01),
        "div_factor": slider("div_factor", div_factor, 1.0, 1000.0, 0.1, log=True),
        "final_div_factor": slider("final_div_factor", final_div_factor, 1.0, 1e5, 0.1, log=True),
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


# -------------------------------------------------------------------- WSD


def nqm_bias_variance(
    nqm: NoisyQuadratic, schedule_list: Sequence[schedules.Schedule], steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split the NQM's exact expected loss into its bias and variance parts.

    The bias part, ``½ Σᵢ hᵢ E[θᵢ]²``, is the loss of the same model without
    gradient noise; the variance part, ``½ Σᵢ hᵢ Var[θᵢ]``, is the loss of the
    same model started at its minimum. They add up to
    :meth:`NoisyQuadratic.expected_loss`.

    Parameters
    ----------
    nqm : NoisyQuadratic
        The model (its ``var0`` counts as variance).
    schedule_list : sequence of Schedule
        The schedules, each evaluated at steps ``0 .. steps - 1``.
    steps : int
        Number of updates, >= 1.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Bias and variance, each of shape ``(len(schedule_list), steps + 1)``.

    Raises
    ------
    ValueError
        If ``steps`` is not an integer >= 1 or ``schedule_list`` is empty.

    Examples
    --------
    >>> from lrlab import constant
    >>> nqm = NoisyQuadratic.standard(dim=10)
    >>> bias, var = nqm_bias_variance(nqm, [constant(0.5)], 20)
    >>> bool(np.allclose(bias + var, nqm.expected_loss(constant(0.5), steps=20)))
    True
    """
    steps = check_int("steps", steps, 1)
    schedule_list = list(schedule_list)
    if not schedule_list:
        raise ValueError("schedule_list must hold at least one schedule, got []")
    mean_only = NoisyQuadratic(h=nqm.h, c=np.zeros_like(nqm.c), theta0=nqm.theta0)
    noise_only = NoisyQuadratic(
        h=nqm.h, c=nqm.c, batch_size=nqm.batch_size, theta0=0.0, var0=nqm.var0
    )
    bias = mean_only.expected_loss(schedule_list, steps=steps)
    variance = noise_only.expected_loss(schedule_list, steps=steps)
    return bias, variance


def _wsd_pair(
    peak: float, total_steps: int, decay_frac: float, decay: str, floor_frac: float
) -> tuple[schedules.Schedule, schedules.Schedule]:
    warmup = max(1, round(0.02 * total_steps))
    decay_steps = max(1, round(decay_frac * total_steps))
    floor = peak * floor_frac
    wsd = schedules.wsd(peak, total_steps, warmup, decay_steps, floor, decay)
    return wsd, schedules.warmup_cosine(peak, total_steps, warmup, floor)


def plot_wsd_nqm(
    peak: float = 0.5,
    decay_frac: float = 0.1,
    decay: str = "1-sqrt",
    floor_frac: float = 0.1,
    total_steps: int = 4000,
    nqm: NoisyQuadratic | None = None,
) -> Figure:
    """A WSD schedule and a cosine of the same length, and their exact NQM losses.

    Both warm up linearly over 2 % of the run and end at ``floor_frac * peak``;
    the WSD schedule decays over the last ``decay_frac`` of the run with shape
    ``decay``. The left panel shows the learning rates, the right one the
    expected loss of the noisy quadratic model under each.

    Parameters
    ----------
    peak : float, default 0.5
        Peak learning rate, in (0, 2 / max(h)).
    decay_frac : float, default 0.1
        Fraction of the run spent decaying, in (0, 0.98].
    decay : {"linear", "cosine", "1-sqrt", "exponential"}, default "1-sqrt"
    floor_frac : float, default 0.1
        Final learning rate as a fraction of the peak, in (0, 1].
    total_steps : int, default 4000
        Length of the run, >= 100.
    nqm : NoisyQuadratic, optional
        The model; default ``NoisyQuadratic.standard(dim=1000)``.

    Returns
    -------
    Figure
        ``axes[0].lines`` are the WSD and cosine learning rates,
        ``axes[1].lines`` their expected losses at steps ``0 .. total_steps``.

    Raises
    ------
    ValueError
        If a parameter is outside its range.

    Examples
    --------
    >>> fig = plot_wsd_nqm(total_steps=200, nqm=NoisyQuadratic.standard(dim=20))
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['WSD (1-sqrt, 10 % decay)', 'cosine']
    """
    nqm = nqm or NoisyQuadratic.standard(dim=1000)
    limit = nqm.max_stable_lr()
    check_number("peak", peak, 0.0, limit, closed=False)
    total_steps = check_int("total_steps", total_steps, 100)
    if not 0 < decay_frac <= 0.98:
        raise ValueError(f"decay_frac must be in (0, 0.98], got {decay_frac!r}")
    if not 0 < floor_frac <= 1:
        raise ValueError(f"floor_frac must be in (0, 1], got {floor_frac!r}")
    wsd, cos = _wsd_pair(peak, total_steps, decay_frac, decay, floor_frac)
    label = f"WSD ({decay}, {decay_frac:.0%} decay)".replace("%", " %")
    t = np.arange(total_steps + 1)
    losses = nqm.expected_loss([wsd, cos], steps=total_steps)
    fig, (ax_lr, ax_loss) = new_figure(ncols=2, width=9.5, height=3.6)
    for ax, (y_wsd, y_cos) in ((ax_lr, (wsd(t), cos(t))), (ax_loss, losses)):
        ax.plot(t, y_wsd, color=PALETTE[0], linewidth=1.6, label=label)
        ax.plot(t, y_cos, color=PALETTE[1], linewidth=1.4, linestyle="--", label="cosine")
    ax_lr.set_xlabel("step t")
    ax_lr.set_ylabel("learning rate")
    ax_lr.legend(frameon=False, fontsize="small")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("expected loss (NQM)")
    ax_loss.set_title(
        f"final loss: WSD {losses[0, -1]:.4g}, cosine {losses[1, -1]:.4g}", fontsize=10
    )
    return fig


def wsd_explorer(
    peak: float = 0.5,
    decay_frac: float = 0.1,
    decay: str = "1-sqrt",
    floor_frac: float = 0.1,
    total_steps: int = 4000,
    page_frames: int = 60,
) -> Explorer:
    """Sliders over a WSD schedule -> its learning rate and NQM loss, against cosine.

    Parameters
    ----------
    peak : float, default 0.5
        Initial peak, in [0.05, 1.5].
    decay_frac : float, default 0.1
        Initial decay fraction, in [0.02, 0.6].
    decay : {"linear", "cosine", "1-sqrt", "exponential"}, default "1-sqrt"
    floor_frac : float, default 0.1
        Initial floor / peak, in [0.001, 1] (a logarithmic slider).
    total_steps : int, default 4000
        Length of the run (fixed), >= 100.
    page_frames : int, default 60
        Number of figures precomputed for the rendered page.

    Returns
    -------
    Explorer
        Controls ``peak``, ``decay_frac``, ``decay`` and ``floor_frac``; the
        figure is :func:`plot_wsd_nqm`.

    Raises
    ------
    ValueError
        If an initial value is outside its slider's range.

    Examples
    --------
    >>> ex = wsd_explorer(total_steps=200)
    >>> ex.controls["decay_frac"].value = 0.5
    >>> float(ex.figure.axes[0].lines[0].get_ydata()[100])
    0.5
    """
    check_number("peak", peak, 0.05, 1.5)
    check_number("decay_frac", decay_frac, 0.02, 0.6)
    if decay not in schedules.DECAY_SHAPES:
        valid = ", ".join(repr(shape) for shape in schedules.DECAY_SHAPES)
        raise ValueError(f"decay must be one of {valid}, got {decay!r}")
    check_number("floor_frac", floor_frac, 0.001, 1.0)
    total_steps = check_int("total_steps", total_steps, 100)
    nqm = NoisyQuadratic.standard(dim=1000)
    controls = {
        "peak": slider("peak learning rate", peak, 0.05, 1.5, 0.05),
        "decay_frac": slider("decay fraction", decay_frac, 0.02, 0.6, 0.02),
        "decay": w.Dropdown(
            options=list(schedules.DECAY_SHAPES),
            value=decay,
            description="decay shape",
            style={"description_width": "initial"},
        ),
        "floor_frac": slider("floor / peak", floor_frac, 1e-3, 1.0, 0.1, log=True),
    }

    def draw(**values: Any) -> Figure:
        return plot_wsd_nqm(total_steps=total_steps, nqm=nqm, **values)

    return Explorer(draw, controls, page_frames=page_frames)


def plot_wsd_shapes(
    peak: float,
    total_steps: int,
    warmup_steps: int,
    decay_steps: int,
    floor: float = 0.0,
) -> Figure:
    """A WSD schedule over the whole run, and its decay phase in every shape.

    Parameters
    ----------
    peak, total_steps, warmup_steps, decay_steps, floor
        As in :class:`lrlab.wsd` (``floor`` must be > 0 for the exponential shape).

    Returns
    -------
    Figure
        ``axes[0]`` shows the cosine-shaped schedule over ``0 .. total_steps``;
        ``axes[1].lines`` are the decay phase in the shapes of
        ``lrlab.schedules.DECAY_SHAPES``, in that order.

    Raises
    ------
    ValueError
        For any parameter :class:`lrlab.wsd` rejects.

    Examples
    --------
    >>> fig = plot_wsd_shapes(1.0, 100, 2, 10, floor=0.1)
    >>> [line.get_label() for line in fig.axes[1].lines]
    ['linear', 'cosine', '1-sqrt', 'exponential']
    """
    t = np.arange(total_steps + 1)
    fig, (ax_all, ax_decay) = new_figure(ncols=2, width=9.5, height=3.6)
    whole = schedules.wsd(peak, total_steps, warmup_steps, decay_steps, floor, "cosine")
    ax_all.plot(t, whole(t), color=PALETTE[0], linewidth=1.6)
    ax_all.axvspan(total_steps - decay_steps, total_steps, color=PALETTE[1], alpha=0.15, lw=0)
    ax_all.set_xlabel("step t")
    ax_all.set_ylabel("learning rate")
    ax_all.set_title("whole run (decay shaded)", fontsize=10)
    tail = t[total_steps - decay_steps :]
    for shape, color in zip(schedules.DECAY_SHAPES, PALETTE, strict=False):
        schedule = schedules.wsd(peak, total_steps, warmup_steps, decay_steps, floor, shape)
        ax_decay.plot(tail, schedule(tail), color=color, linewidth=1.6, label=shape)
    ax_decay.set_xlabel("step t")
    ax_decay.set_ylabel("learning rate")
    ax_decay.set_title("the decay phase, four shapes", fontsize=10)
    ax_decay.legend(frameon=False, fontsize="small")
    for ax in (ax_all, ax_decay):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))
    return fig


def plot_branches(
    stable: training.History,
    branches: Mapping[int, tuple[int, training.History]],
    baselines: Mapping[int, float],
) -> Figure:
    """One stable run, the decays branched off it, and the final loss of separate runs.

    Parameters
    ----------
    stable : History
        The stable-phase run.
    branches : mapping of run length to (int, History)
        For each total length, the step the branch left the stable run and
        the branched run; it is drawn from that step on.
    baselines : mapping of run length to float
        The final excess loss of a separately trained run of each length.

    Returns
    -------
    Figure
        ``axes[0].lines[0]`` is the stable run, then one line per branch, then
        the baselines as markers (one line).

    Examples
    --------
    >>> from lrlab import linear_warmup, train
    >>> stable = train(linear_warmup(1e-2, 5), 40, checkpoints=[36], val_every=4)
    >>> branch = branch_wsd(stable, 40, 4, 1e-2, 5)
    >>> len(plot_branches(stable, {40: (36, branch)}, {40: 0.5}).axes[0].lines)
    3
    """
    fig, (ax,) = new_figure(width=7.0, height=3.8)
    ax.plot(stable.val_steps, stable.val_excess, color=PALETTE[0], label="stable phase (one run)")
    for i, (start, run) in enumerate(branches.values()):
        keep = run.val_steps >= start
        ax.plot(
            run.val_steps[keep],
            run.val_excess[keep],
            color=PALETTE[3],
            linewidth=1.8,
            label="decays branched off it" if i == 0 else None,
        )
    lengths = list(baselines)
    ax.plot(
        lengths,
        [baselines[n] for n in lengths],
        linestyle="none",
        marker="o",
        color=PALETTE[1],
        label="separate runs, final loss",
    )
    ax.set_yscale("log")
    ax.set_xlabel("step t (= updates spent)")
    ax.set_ylabel("excess loss (nats/token)")
    ax.legend(frameon=False, fontsize="small")
    return fig


def branch_wsd(
    stable: training.History,
    total_steps: int,
    decay_steps: int,
    peak: float,
    warmup_steps: int,
    floor: float = 0.0,
    decay: str = "linear",
) -> training.History:
    """Branch a WSD decay off a stable-phase run: the run as if it had been planned to end.

    The branch starts from the checkpoint ``stable.checkpoints[total_steps -
    decay_steps]`` and follows ``lrlab.wsd(peak, total_steps, warmup_steps,
    decay_steps, floor, decay)`` up to ``total_steps`` updates, evaluated at
    the global step. Because the stable run used the same warmup and peak, the
    result is the WSD run of length ``total_steps``.

    Parameters
    ----------
    stable : History
        A run of ``linear_warmup(peak, warmup_steps)`` with a checkpoint at
        ``total_steps - decay_steps``.
    total_steps, decay_steps, peak, warmup_steps, floor, decay
        As in :class:`lrlab.wsd`.

    Returns
    -------
    History
        The whole run, steps ``0 .. total_steps - 1``.

    Raises
    ------
    ValueError
        If the stable run has no checkpoint at ``total_steps - decay_steps``,
        or for any parameter :class:`lrlab.wsd` rejects.

    Examples
    --------
    >>> from lrlab import linear_warmup, train
    >>> stable = train(linear_warmup(1e-2, 5), 40, checkpoints=[36], val_every=20)
    >>> branch = branch_wsd(stable, 40, 4, 1e-2, 5)
    >>> branch.lr[35:].tolist()
    [0.01, 0.01, 0.0075, 0.005, 0.0025]
    """
    schedule = schedules.wsd(peak, total_steps, warmup_steps, decay_steps, floor, decay)
    start = total_steps - decay_steps
    if start not in stable.checkpoints:
        have = sorted(stable.checkpoints)
        raise ValueError(
            f"total_steps - decay_steps must be a checkpoint of the stable run, one of "
            f"{have}, got {total_steps} - {decay_steps} = {start}"
        )
    return stable.checkpoints[start].branch(schedule, total_steps)
