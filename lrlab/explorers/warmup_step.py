"""Warmup with Adam's second moment (chapter 2) and step decay (chapter 3).

Figure builders, explorers, small experiment drivers and the chapters'
auto-checked exercise answers. Figures follow the house style of
:mod:`lrlab.viz`; explorers are :class:`lrlab.widgets.FrameExplorer` objects.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w
import numpy as np
import torch
from matplotlib.figure import Figure

from lrlab import static_explorer as widgets
from lrlab import viz
from lrlab._checks import check_int, check_number
from lrlab.nqm import NoisyQuadratic
from lrlab.schedules import (
    WARMUP_SHAPES,
    Schedule,
    constant,
    join,
    linear_decay,
    linear_warmup,
    multistep,
    step_decay,
    with_warmup,
)
from lrlab.training import History, train, train_many

#: β₂ values offered by the warmup explorer.
BETA2_CHOICES = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


# ----------------------------------------------------- Adam and RAdam facts


def ema_window(beta2: float) -> float:
    """Effective number of steps an exponential moving average with factor ``beta2`` spans.

    The weights ``(1 − β₂) β₂ᵏ`` of the gradients ``k`` steps back sum to 1
    and fall by ``1/e`` after about ``1 / (1 − β₂)`` steps.

    Parameters
    ----------
    beta2 : float
        Decay factor in the open interval (0, 1).

    Returns
    -------
    float
        ``1 / (1 − β₂)``.

    Examples
    --------
    >>> round(ema_window(0.95), 6)
    20.0
    """
    return 1.0 / (1.0 - check_number("beta2", beta2, 0.0, 1.0, closed=False))


def ma_yarats_warmup(beta2: float) -> int:
    """Ma and Yarats' rule of thumb: warm up linearly over ``2 / (1 − β₂)`` steps.

    Parameters
    ----------
    beta2 : float
        Adam's β₂, in (0, 1).

    Returns
    -------
    int
        ``2 / (1 − β₂)`` rounded to the nearest integer.

    Examples
    --------
    >>> ma_yarats_warmup(0.999), ma_yarats_warmup(0.95)
    (2000, 40)
    """
    return round(2.0 * ema_window(beta2))


def radam_rho(beta2: float, steps: int) -> np.ndarray:
    """RAdam's ``ρₖ = ρ∞ − 2k β₂ᵏ / (1 − β₂ᵏ)`` for its steps ``k = 1 … steps``.

    ``ρ∞ = 2 / (1 − β₂) − 1`` is the length of the simple moving average
    that the exponential one approximates. RAdam counts steps from 1, so its
    step ``k`` is this book's update ``t = k − 1``.

    Parameters
    ----------
    beta2 : float
        Adam's β₂, in (0, 1).
    steps : int
        Number of steps, >= 1.

    Returns
    -------
    numpy.ndarray
        ``ρ₁ … ρ_steps``, shape ``(steps,)``; ``ρ₁ = 1`` for every β₂.

    Examples
    --------
    >>> radam_rho(0.999, 3).round(3).tolist()
    [1.0, 1.999, 2.999]
    """
    beta2 = check_number("beta2", beta2, 0.0, 1.0, closed=False)
    k = np.arange(1, check_int("steps", steps, 1) + 1, dtype=np.float64)
    power = np.float_power(beta2, k)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf - 2.0 * k * power / (1.0 - power)


def radam_rectifier(beta2: float, steps: int, threshold: float = 4.0) -> np.ndarray:
    """RAdam's multiplier of the adaptive step, 0 where ``ρₖ <= threshold``.

    ``rₖ = sqrt((ρₖ − 4)(ρₖ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₖ))`` where
    ``ρₖ > threshold``. The paper's threshold is 4; ``torch.optim.RAdam``
    uses 5. Where it is 0, RAdam takes an un-adapted momentum step instead.

    Parameters
    ----------
    beta2 : float
        Adam's β₂, in (0.6, 1) so that ``ρ∞ > 4``.
    steps : int
        Number of steps ``k = 1 … steps``.
    threshold : float, default 4.0
        Rectify only where ``ρₖ`` exceeds it; at least 4.

    Returns
    -------
    numpy.ndarray
        ``r₁ … r_steps``, each in ``[0, 1)``.

    Examples
    --------
    >>> r = radam_rectifier(0.999, 2000)
    >>> int(np.argmax(r > 0)) + 1, round(float(r[-1]), 3)
    (5, 0.828)
    """
    beta2 = check_number("beta2", beta2, 0.6, 1.0, closed=False)
    threshold = check_number("threshold", threshold, 4.0, math.inf)
    rho = radam_rho(beta2, steps)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    on = rho > threshold
    safe = np.where(on, rho, 5.0)
    r = np.sqrt((safe - 4) * (safe - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * safe))
    return np.where(on, r, 0.0)


def radam_first_step(beta2: float, threshold: float = 4.0) -> int:
    """First RAdam step ``k`` (counting from 1) at which ``ρₖ > threshold``.

    Parameters
    ----------
    beta2 : float
        Adam's β₂; ``ρ∞ = 2/(1 − β₂) − 1`` must exceed ``threshold``.
    threshold : float, default 4.0
        4 in the RAdam paper, 5 in ``torch.optim.RAdam``.

    Returns
    -------
    int

    Examples
    --------
    >>> radam_first_step(0.999), radam_first_step(0.999, threshold=5.0)
    (5, 6)
    """
    beta2 = check_number("beta2", beta2, 0.0, 1.0, closed=False)
    threshold = check_number("threshold", threshold, 4.0, math.inf)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    if rho_inf <= threshold:
        lowest = (threshold - 1.0) / (threshold + 1.0)
        raise ValueError(
            f"beta2 must be in ({lowest:g}, 1) so that rho_inf exceeds "
            f"threshold = {threshold:g}, got {beta2!r}"
        )
    steps = 8
    while True:
        above = np.flatnonzero(radam_rho(beta2, steps) > threshold)
        if above.size:
            return int(above[0]) + 1
        steps *= 2


def adam_uncorrected_first_step(beta1: float = 0.9, beta2: float = 0.999) -> float:
    """Size of Adam's first update, in units of the LR, *without* bias correction.

    After one gradient ``g``, ``m = (1 − β₁) g`` and ``v = (1 − β₂) g²``, so
    ``m / √v = (1 − β₁) / √(1 − β₂) · sign(g)`` (ignoring ε).

    Examples
    --------
    >>> round(adam_uncorrected_first_step(0.9, 0.999), 4)
    3.1623
    """
    beta1 = check_number("beta1", beta1, 0.0, 1.0, closed=False)
    beta2 = check_number("beta2", beta2, 0.0, 1.0, closed=False)
    return (1.0 - beta1) / math.sqrt(1.0 - beta2)


def warmup_lr_deficit(warmup_steps: int) -> float:
    """Steps at full LR that a linear warmup from 0 gives up: ``(w + 1) / 2``.

    Over its ``w`` steps the warmup spends ``Σₜ peak · t / w = peak (w − 1) / 2``
    of learning rate, against ``peak · w`` at full LR from the start.

    Examples
    --------
    >>> warmup_lr_deficit(1000)
    500.5
    """
    w_steps = check_int("warmup_steps", warmup_steps, 1)
    return (w_steps + 1) / 2


# ------------------------------------------------------- warmup explorer


def warmup_figure(
    peak: float = 1e-3, warmup_steps: int = 1000, beta2: float = 0.999, shape: str = "linear"
) -> Figure:
    """A warmup next to the two β₂-based rules: Ma & Yarats' and RAdam's rectifier.

    Three lines over updates ``t = 0 … steps − 1`` with
    ``steps = max(3 · warmup_steps, 4 / (1 − β₂))``: ``"your warmup"``,
    ``linear_warmup(peak, warmup_steps, shape=shape)``; ``"Ma & Yarats"``, a
    linear warmup over ``2 / (1 − β₂)`` steps; and ``"RAdam"``, ``peak`` times
    RAdam's rectifier at its step ``k = t + 1`` (threshold 4).

    Parameters
    ----------
    peak : float
        Peak learning rate, in (0, 1].
    warmup_steps : int
        Length of your warmup, >= 1.
    beta2 : float
        Adam's β₂, in (0.6, 1).
    shape : {"linear", "cosine", "1-sqrt"}
        Shape of your warmup.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = warmup_figure(1e-3, 100, 0.95)
    >>> [line.get_label()[:5] for line in fig.axes[0].lines]
    ['your ', 'Ma & ', 'RAdam']
    """
    peak = check_number("peak", peak, 0.0, 1.0)
    warmup_steps = check_int("warmup_steps", warmup_steps, 1)
    beta2 = check_number("beta2", beta2, 0.6, 1.0, closed=False)
    if shape not in WARMUP_SHAPES:
        raise ValueError(f"shape must be one of {', '.join(WARMUP_SHAPES)}, got {shape!r}")
    steps = max(3 * warmup_steps, round(4 * ema_window(beta2)))
    rule = ma_yarats_warmup(beta2)
    fig = viz.plot_schedules(
        {
            f"your warmup: {shape}, {warmup_steps} steps": linear_warmup(
                peak, warmup_steps, shape=shape
            ),
            f"Ma & Yarats: linear, 2/(1−β₂) = {rule} steps": linear_warmup(peak, rule),
            "RAdam: peak × rectifier r(t + 1)": lambda t: peak * radam_rectifier(beta2, t.size),
        },
        steps,
        title=f"Warmup for Adam with β₂ = {beta2:g} (averages ≈ {ema_window(beta2):.0f} steps)",
    )
    ax = fig.axes[0]
    ax.lines[2].set_linestyle("--")
    ax.set_ylim(0, 1.08 * peak)
    return fig


def warmup_explorer(
    peak: float = 1e-3, warmup_steps: int = 1000, beta2: float = 0.999, shape: str = "linear"
) -> widgets.FrameExplorer:
    """Sliders over :func:`warmup_figure`: peak, warmup length, β₂ and shape.

    Parameters
    ----------
    peak, warmup_steps, beta2, shape
        Initial values; ``beta2`` must be one of :data:`BETA2_CHOICES`.

    Returns
    -------
    Explorer
        Controls ``peak``, ``warmup_steps``, ``beta2`` and ``shape``.

    Examples
    --------
    >>> ex = warmup_explorer(warmup_steps=200)
    >>> ex.controls["beta2"].value = 0.95
    >>> ex.figure.axes[0].lines[1].get_label()
    'Ma & Yarats: linear, 2/(1−β₂) = 40 steps'
    """
    if beta2 not in BETA2_CHOICES:
        choices = ", ".join(f"{b:g}" for b in BETA2_CHOICES)
        raise ValueError(f"beta2 must be one of {choices}, got {beta2!r}")
    peak = check_number("peak", peak, 1e-4, 1e-2)
    warmup_steps = check_int("warmup_steps", warmup_steps, 1, 4000)
    if shape not in WARMUP_SHAPES:
        raise ValueError(f"shape must be one of {', '.join(WARMUP_SHAPES)}, got {shape!r}")
    controls = {
        "peak": widgets.slider("peak LR", peak, 1e-4, 1e-2, 1e-4),
        "warmup_steps": widgets.slider("warmup steps", warmup_steps, 1, 4000, 1, integer=True),
        "beta2": w.SelectionSlider(
            options=list(BETA2_CHOICES),
            value=beta2,
            description="Adam β₂",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        ),
        "shape": w.Dropdown(
            options=list(WARMUP_SHAPES), value=shape, description="shape", layout=w.Layout()
        ),
    }
    return widgets.FrameExplorer(warmup_figure, controls)


# ------------------------------------------------ the warmup × peak LR grid


def warmup_then_decay(peak: float, warmup_steps: int, total_steps: int) -> Schedule:
    """Linear warmup from 0 over ``warmup_steps``, then linear decay to 0 at ``total_steps``.

    ``warmup_steps = 0`` gives a plain linear decay from ``peak``.

    Examples
    --------
    >>> s = warmup_then_decay(1.0, 2, 6)
    >>> s([0, 1, 2, 4, 6]).tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    total_steps = check_int("total_steps", total_steps, 2)
    warmup_steps = check_int("warmup_steps", warmup_steps, 0, total_steps - 1)
    if warmup_steps == 0:
        return linear_decay(peak, 0.0, total_steps)
    return with_warmup(linear_decay(peak, 0.0, total_steps - warmup_steps), warmup_steps)


@dataclass
class WarmupGrid:
    """Final excess loss of every (peak LR, warmup length, seed) run.

    Attributes
    ----------
    peaks, warmups, seeds : tuple
        The grid's axes.
    steps : int
        Updates per run.
    final_excess : numpy.ndarray
        Shape ``(len(peaks), len(warmups), len(seeds))``; ``inf`` for a run
        that blew up.
    diverged_at : numpy.ndarray
        Same shape; the update at which a run blew up, -1 if it did not.
    histories : list of History
        Every run, in the order peak, warmup, seed.
    """

    peaks: tuple[float, ...]
    warmups: tuple[int, ...]
    seeds: tuple[int, ...]
    steps: int
    final_excess: np.ndarray
    diverged_at: np.ndarray
    histories: list[History] = field(repr=False)

    def history(self, peak: float, warmup: int, seed: int) -> History:
        """The run with these settings.

        Examples
        --------
        >>> g = warmup_grid([1e-2], [0], steps=20, seeds=[0])
        >>> g.history(1e-2, 0, 0).lr[0]
        np.float64(0.01)
        """
        i, j, k = self.peaks.index(peak), self.warmups.index(warmup), self.seeds.index(seed)
        return self.histories[(i * len(self.warmups) + j) * len(self.seeds) + k]


def warmup_grid(
    peaks: Sequence[float],
    warmups: Sequence[int],
    steps: int,
    seeds: Sequence[int] = (0, 1),
    **options: Any,
) -> WarmupGrid:
    """Train the tiny LM with AdamW for every peak LR × warmup length × seed, batched.

    Each run uses :func:`warmup_then_decay`; all runs go through one call of
    :func:`lrlab.train_many`.

    Parameters
    ----------
    peaks : sequence of float
        Peak learning rates.
    warmups : sequence of int
        Warmup lengths (0 for none), each < ``steps``.
    steps : int
        Updates per run.
    seeds : sequence of int, default (0, 1)
        Seeds of every cell.
    **options
        Passed to :func:`lrlab.train_many` (e.g. ``betas``).

    Returns
    -------
    WarmupGrid

    Examples
    --------
    >>> g = warmup_grid([1e-2, 3.0], [0, 10], steps=20, seeds=[0])
    >>> g.final_excess.shape, int(g.diverged_at[1, 0, 0])
    ((2, 2, 1), 1)
    """
    peaks, warmups, seeds = tuple(peaks), tuple(warmups), tuple(seeds)
    schedules = [warmup_then_decay(p, wu, steps) for p in peaks for wu in warmups]
    hists = train_many(schedules, steps, seeds=seeds, optimizer="adamw", **options)
    shape = (len(peaks), len(warmups), len(seeds))
    final = np.array([h.final_excess for h in hists]).reshape(shape)
    at = np.array([-1 if h.diverged_at is None else h.diverged_at for h in hists])
    return WarmupGrid(peaks, warmups, seeds, steps, final, at.reshape(shape), hists)


def plot_warmup_grid(grid: WarmupGrid) -> Figure:
    """Mean final excess loss against peak LR, one line per warmup length.

    A cell where every seed blew up is drawn as a cross at the top of the
    axes; a cell where some seeds blew up is averaged over the others.

    Examples
    --------
    >>> g = warmup_grid([1e-2, 3.0], [0], steps=20, seeds=[0])
    >>> fig = plot_warmup_grid(g)
    >>> fig.axes[0].get_xscale(), [line.get_label() for line in fig.axes[0].lines]
    ('log', ['no warmup', 'no warmup: blew up'])
    """
    fig, (ax,) = viz.new_figure()
    finite = np.where(np.isfinite(grid.final_excess), grid.final_excess, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of a cell where all blew up
        mean = np.nanmean(finite, axis=2)
    top = float(np.nanmax(mean)) * 3 if np.isfinite(mean).any() else 1.0
    peaks = np.array(grid.peaks)
    for j, (wu, color) in enumerate(zip(grid.warmups, viz.PALETTE, strict=False)):
        label = "no warmup" if wu == 0 else f"warmup {wu} steps"
        ax.plot(peaks, mean[:, j], marker="o", color=color, label=label)
        blew = np.isnan(mean[:, j])
        if blew.any():
            ax.plot(
                peaks[blew],
                np.full(blew.sum(), top),
                marker="x",
                markersize=10,
                linestyle="none",
                color=color,
                label=f"{label}: blew up",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("peak learning rate (log scale)")
    ax.set_ylabel("final excess loss (nats/token)")
    ax.set_title(f"AdamW, {grid.steps} steps, mean of {len(grid.seeds)} seeds")
    ax.legend(frameon=False, fontsize="small")
    return fig


# ------------------------------------------------------------- step decay


def step_decay_lr_sum(start: float, gamma: float, step_size: int, epochs: int) -> float:
    """Sum of ``start · γ^⌊t/S⌋`` over ``t = 0 … epochs − 1``, in closed form.

    With ``n = ⌊epochs / S⌋`` full plateaus and ``r = epochs − nS`` epochs
    left over: ``start · S · (1 − γⁿ) / (1 − γ) + r · start · γⁿ``.

    Parameters
    ----------
    start : float
        Learning rate of the first plateau, >= 0.
    gamma : float
        Factor per drop, > 0.
    step_size : int
        Epochs per plateau, >= 1.
    epochs : int
        Number of epochs summed, >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> step_decay_lr_sum(0.1, 0.5, 10, 50)
    1.9375
    """
    start = check_number("start", start, 0.0, math.inf)
    gamma = check_number("gamma", gamma, 0.0, math.inf, closed=False)
    step_size = check_int("step_size", step_size, 1)
    epochs = check_int("epochs", epochs, 0)
    n, rest = divmod(epochs, step_size)
    plateaus = n if gamma == 1.0 else (1.0 - gamma**n) / (1.0 - gamma)
    return start * step_size * plateaus + rest * start * gamma**n


def multistep_lr(start: float, milestones: Sequence[int], gamma: float, t: int) -> float:
    """Learning rate of ``MultiStepLR`` at step ``t``: ``start · γ^(milestones ≤ t)``.

    A milestone listed twice counts twice (see :class:`lrlab.multistep`).

    Examples
    --------
    >>> multistep_lr(0.1, [30, 30, 60], 0.1, 30)
    0.0010000000000000002
    """
    return float(multistep(start, milestones, gamma)(check_int("t", t, 0)))


def step_decay_figure(
    start: float = 1.0,
    gamma: float = 0.3,
    step_size: int = 400,
    steps: int = 2000,
    nqm: NoisyQuadratic | None = None,
) -> Figure:
    """Step decay and what it does on the noisy quadratic model.

    Left: the learning rate ``start · γ^⌊t/S⌋`` (line ``"step decay"``).
    Right: the NQM's exact expected loss under it (line ``"step decay"``),
    under a constant ``start`` (line ``"constant"``), and the floor
    ``L∞(η)`` of each plateau's LR drawn over that plateau (line ``"floor"``).

    Parameters
    ----------
    start : float
        First learning rate, in (0, max_stable_lr) of the NQM.
    gamma : float
        Factor per drop, in (0, 1].
    step_size : int
        Updates per plateau, in [1, steps].
    steps : int
        Number of updates shown.
    nqm : NoisyQuadratic, optional
        Default ``NoisyQuadratic.standard(dim=100)``.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = step_decay_figure(1.0, 0.5, 10, steps=30)
    >>> fig.axes[0].lines[0].get_ydata()[[0, 10, 29]].tolist()
    [1.0, 0.5, 0.25]
    """
    nqm = nqm or NoisyQuadratic.standard(dim=100)
    steps = check_int("steps", steps, 2)
    limit = nqm.max_stable_lr()
    start = check_number("start", start, 0.0, limit, closed=False)
    gamma = check_number("gamma", gamma, 0.0, 1.0)
    if gamma == 0.0:
        raise ValueError(f"gamma must be a number in (0, 1], got {gamma!r}")
    step_size = check_int("step_size", step_size, 1, steps)
    schedule = step_decay(start, step_size, gamma)
    t = np.arange(steps)
    lrs = schedule(t)
    fig, (ax_lr, ax_loss) = viz.new_figure(ncols=2, width=10.0, height=3.8)
    ax_lr.step(t, lrs, where="post", color=viz.PALETTE[0], label="step decay")
    ax_lr.set_yscale("log")
    ax_lr.set_xlabel("step t")
    ax_lr.set_ylabel("learning rate (log scale)")
    ax_lr.set_title(f"η₀ = {start:g}, ×{gamma:g} every {step_size} steps", fontsize=10)
    losses = nqm.expected_loss([lrs, np.full(steps, start)])
    x = np.arange(steps + 1)
    ax_loss.plot(x, losses[0], color=viz.PALETTE[0], label="step decay")
    ax_loss.plot(x, losses[1], color=viz.PALETTE[1], label=f"constant {start:g}")
    floors = np.asarray(nqm.floor(lrs), dtype=np.float64)
    ax_loss.plot(t + 1, floors, color="black", linestyle=":", linewidth=1.0, label="floor")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("expected loss (NQM, log scale)")
    ax_loss.set_title(f"final loss {losses[0, -1]:.4f} vs {losses[1, -1]:.4f}", fontsize=10)
    ax_loss.legend(frameon=False, fontsize="small")
    return fig


def step_decay_explorer(
    start: float = 1.0,
    gamma: float = 0.3,
    step_size: int = 400,
    steps: int = 2000,
    nqm: NoisyQuadratic | None = None,
) -> widgets.FrameExplorer:
    """Sliders for η₀, γ and the step size over :func:`step_decay_figure`.

    Returns
    -------
    Explorer
        Controls ``start``, ``gamma`` and ``step_size``.

    Examples
    --------
    >>> ex = step_decay_explorer(steps=100, step_size=20)
    >>> ex.controls["gamma"].value = 0.5
    >>> float(ex.figure.axes[0].lines[0].get_ydata()[20])
    0.5
    """
    nqm = nqm or NoisyQuadratic.standard(dim=100)
    steps = check_int("steps", steps, 40)
    top = min(1.5, 0.95 * nqm.max_stable_lr())
    start = check_number("start", start, 0.05, top)
    gamma = check_number("gamma", gamma, 0.05, 1.0)
    step_size = check_int("step_size", step_size, steps // 40, steps)
    controls = {
        "start": widgets.slider("initial LR η₀", start, 0.05, top, 0.05),
        "gamma": widgets.slider("factor γ", gamma, 0.05, 1.0, 0.05),
        "step_size": widgets.slider(
            "steps per plateau",
            step_size,
            steps // 40,
            steps,
            steps // 40,
            integer=True,
        ),
    }
    return widgets.FrameExplorer(
        lambda start, gamma, step_size: step_decay_figure(start, gamma, step_size, steps, nqm),
        controls,
        page_frames=60,
    )


# ----------------------------------------------------- ReduceLROnPlateau


@dataclass
class PlateauRun:
    """A training run driven by ``torch.optim.lr_scheduler.ReduceLROnPlateau``.

    Attributes
    ----------
    history : History
        The whole run, as from :func:`lrlab.train`.
    records : list of dict
        One per epoch: ``epoch``, ``val_loss`` (the metric fed to the
        scheduler), ``best``, ``bad_epochs``, ``cooldown`` (the scheduler's
        counters after the call) and ``lr`` (the LR of the next epoch).
    """

    history: History
    records: list[dict[str, float]]


def plateau_run(
    start: float,
    epochs: int,
    steps_per_epoch: int,
    factor: float = 0.1,
    patience: int = 10,
    threshold: float = 1e-4,
    cooldown: int = 0,
    min_lr: float = 0.0,
    seed: int = 0,
    optimizer: str = "sgd",
    **options: Any,
) -> PlateauRun:
    """Train the tiny LM, letting ``ReduceLROnPlateau`` set the LR after every epoch.

    Each epoch is ``steps_per_epoch`` updates at a constant LR; at its end the
    exact population loss goes to ``scheduler.step(metric)`` of a real torch
    ``ReduceLROnPlateau``, and the next epoch continues from a checkpoint
    with the LR the scheduler chose. (:func:`lrlab.train` takes a fixed
    schedule, so the run is built from checkpoint branches.)

    Parameters
    ----------
    start : float
        Initial learning rate, > 0.
    epochs : int
        Number of epochs, >= 1.
    steps_per_epoch : int
        Updates per epoch, >= 1.
    factor, patience, threshold, cooldown, min_lr
        As in ``ReduceLROnPlateau`` (mode ``"min"``, relative threshold).
    seed : int
        Seed of the run.
    optimizer : {"sgd", "adamw"}
        Update rule.
    **options
        Passed to :func:`lrlab.train`.

    Returns
    -------
    PlateauRun

    Examples
    --------
    >>> run = plateau_run(0.3, epochs=3, steps_per_epoch=5, patience=0, threshold=0.5)
    >>> [r["lr"] for r in run.records]
    [0.3, 0.03, 0.003]
    """
    start = check_number("start", start, 0.0, math.inf, closed=False)
    epochs = check_int("epochs", epochs, 1)
    steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, 1)
    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=start)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        dummy,
        factor=factor,
        patience=patience,
        threshold=threshold,
        cooldown=cooldown,
        min_lr=min_lr,
    )
    options = {**options, "val_every": steps_per_epoch}
    lrs = np.full(epochs, start)
    history = None
    records = []
    for epoch in range(epochs):
        end = (epoch + 1) * steps_per_epoch
        schedule = _piecewise(lrs[: epoch + 1], steps_per_epoch)
        if history is None:
            history = train(
                schedule, end, seed=seed, optimizer=optimizer, checkpoints=[end], **options
            )
        else:
            history = history.checkpoints[epoch * steps_per_epoch].branch(
                schedule, end, checkpoints=[end]
            )
        metric = float(history.val_loss[-1])
        scheduler.step(metric)
        lr = float(dummy.param_groups[0]["lr"])
        if epoch + 1 < epochs:
            lrs[epoch + 1] = lr
        records.append(
            {
                "epoch": epoch,
                "val_loss": metric,
                "best": float(scheduler.best),
                "bad_epochs": scheduler.num_bad_epochs,
                "cooldown": scheduler.cooldown_counter,
                "lr": lr,
            }
        )
        if history.diverged:
            break
    return PlateauRun(history, records)


def _piecewise(lrs: np.ndarray, length: int) -> Schedule:
    """A schedule holding ``lrs[i]`` for updates ``i·length … (i+1)·length − 1``."""
    changes = [0] + [i for i in range(1, len(lrs)) if lrs[i] != lrs[i - 1]]
    pieces = [constant(float(lrs[c])) for c in changes]
    return join(pieces, [c * length for c in changes[1:]])


def plot_plateau(run: PlateauRun) -> Figure:
    """The metric ``ReduceLROnPlateau`` saw, its running best, and the LR it chose.

    Left: the metric of each epoch (line ``"validation loss"``) and the
    scheduler's ``best`` after that epoch (line ``"best"``, which moves only
    on an improvement larger than the threshold). Right: the LR each epoch
    trained with (line ``"learning rate"``, log scale).

    Examples
    --------
    >>> run = plateau_run(0.3, epochs=3, steps_per_epoch=5, patience=0, threshold=0.5)
    >>> plot_plateau(run).axes[1].lines[0].get_ydata().tolist()
    [0.3, 0.3, 0.03]
    """
    epochs = np.array([r["epoch"] for r in run.records])
    fig, (ax_loss, ax_lr) = viz.new_figure(ncols=2, width=10.0, height=3.6)
    ax_loss.plot(
        epochs,
        [r["val_loss"] for r in run.records],
        marker="o",
        markersize=3,
        color=viz.PALETTE[0],
        label="validation loss",
    )
    ax_loss.step(
        epochs, [r["best"] for r in run.records], where="post", color=viz.PALETTE[1], label="best"
    )
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("population loss (nats/token)")
    ax_loss.legend(frameon=False)
    used = [float(run.history.lr[0])] + [r["lr"] for r in run.records[:-1]]
    ax_lr.step(epochs, used, where="post", color=viz.PALETTE[2], label="learning rate")
    ax_lr.set_yscale("log")
    ax_lr.set_xlabel("epoch")
    ax_lr.set_ylabel("learning rate (log scale)")
    return fig


def plateau_first_reduction(
    metrics: Sequence[float], patience: int = 10, threshold: float = 1e-4, cooldown: int = 0
) -> int:
    """Epoch (counting from 0) after whose metric ``ReduceLROnPlateau`` first cuts the LR.

    Runs a real torch ``ReduceLROnPlateau`` (mode ``"min"``, relative
    threshold) on the metric sequence.

    Parameters
    ----------
    metrics : sequence of float
        Metric of each epoch, fed in order.
    patience, threshold, cooldown
        As in ``ReduceLROnPlateau``.

    Returns
    -------
    int
        The epoch index, or -1 if the LR is never cut.

    Examples
    --------
    >>> plateau_first_reduction([1.0, 0.9, 0.9, 0.9, 0.9], patience=2)
    4
    """
    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        dummy, patience=patience, threshold=threshold, cooldown=cooldown
    )
    for epoch, value in enumerate(metrics):
        scheduler.step(float(value))
        if dummy.param_groups[0]["lr"] < 1.0:
            return epoch
    return -1
