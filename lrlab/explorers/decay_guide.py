"""Polynomial, inverse-square-root and exponential decay; the decision guide (chapters 08, 09).

Chapter 08 needs the Hugging Face formulas written out (so the book can
compare with them without installing ``transformers``), a helper that records
the learning rate a torch scheduler applies at every update, closed forms for
half-lives and crossovers, and an explorer that races the three families on
the noisy quadratic model. Chapter 09 needs the schedule race on the tiny
language model, the batch-size scaling rules on the noisy quadratic model,
and a "schedule picker" explorer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure

import lrlab
from lrlab.exercises import register
from lrlab.nqm import NoisyQuadratic
from lrlab.schedules import Schedule
from lrlab.viz import PALETTE, new_figure
from lrlab.widgets import Explorer, slider


def _check_range(name: str, value: Any, lo: float, hi: float) -> float:
    """``value`` as a float, or a ValueError naming the parameter, the value and the range."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and lo <= number <= hi):
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}], got {value!r}")
    return number


def _check_int(name: str, value: Any, lo: int, hi: int | None = None) -> int:
    rule = f"an integer >= {lo}" if hi is None else f"an integer in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------- chapter 08


def hf_polynomial_factor(
    step: int,
    *,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float,
    power: float,
    lr_init: float,
) -> float:
    """The factor of ``transformers``' ``get_polynomial_decay_schedule_with_warmup``.

    A line-by-line transcription of the library's ``LambdaLR`` multiplier:
    linear warmup from 0, then ``(lr_init - lr_end) * remaining**power +
    lr_end`` divided by ``lr_init`` (``LambdaLR`` multiplies it back), and
    ``lr_end / lr_init`` past ``num_training_steps``. Note that the library
    reads ``lr_init`` from ``optimizer.defaults["lr"]`` and refuses
    ``lr_end >= lr_init``.

    Parameters
    ----------
    step : int
        The scheduler's step (``last_epoch``), from 0.
    num_warmup_steps, num_training_steps : int
        Warmup length and the step at which ``lr_end`` is reached.
    lr_end : float
        Final learning rate (absolute, not a fraction).
    power : float
        Exponent of the decay.
    lr_init : float
        The optimizer's learning rate.

    Returns
    -------
    float
        Multiplier of ``lr_init`` at this step.

    Examples
    --------
    >>> kw = dict(num_warmup_steps=0, num_training_steps=100, lr_end=0.0, power=2.0, lr_init=1e-3)
    >>> hf_polynomial_factor(50, **kw)
    0.25
    """
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    if step > num_training_steps:
        return lr_end / lr_init
    lr_range = lr_init - lr_end
    decay_steps = num_training_steps - num_warmup_steps
    pct_remaining = 1 - (step - num_warmup_steps) / decay_steps
    decay = lr_range * pct_remaining**power + lr_end
    return decay / lr_init


def hf_inverse_sqrt_factor(
    step: int, *, num_warmup_steps: int, timescale: int | None = None
) -> float:
    """The factor of ``transformers``' ``get_inverse_sqrt_schedule``.

    Linear warmup from 0 over ``num_warmup_steps``, then
    ``1 / sqrt((step + shift) / timescale)`` with ``shift = timescale -
    num_warmup_steps``; ``timescale`` defaults to ``num_warmup_steps`` (or
    10,000 without warmup), which makes it ``sqrt(num_warmup_steps / step)``.

    Parameters
    ----------
    step : int
        The scheduler's step, from 0.
    num_warmup_steps : int
        Warmup length.
    timescale : int, optional
        Decay time scale.

    Returns
    -------
    float
        Multiplier of the optimizer's learning rate.

    Examples
    --------
    >>> hf_inverse_sqrt_factor(16_000, num_warmup_steps=4000)
    0.5
    """
    if timescale is None:
        timescale = num_warmup_steps or 10_000
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    shift = timescale - num_warmup_steps
    return 1.0 / math.sqrt((step + shift) / timescale)


def torch_lr_sequence(
    make_scheduler: Callable[[torch.optim.Optimizer], Any], lr: float, steps: int
) -> np.ndarray:
    """The learning rate a torch scheduler applies at updates ``0 .. steps - 1``.

    Builds SGD on one parameter with learning rate ``lr``, attaches the
    scheduler, and records ``param_groups[0]["lr"]`` before every
    ``optimizer.step()``, stepping the scheduler after it (the order torch
    asks for).

    Parameters
    ----------
    make_scheduler : callable
        ``make_scheduler(optimizer)`` returns a torch LR scheduler.
    lr : float
        The optimizer's learning rate (the scheduler's base).
    steps : int
        Number of updates, >= 1.

    Returns
    -------
    numpy.ndarray
        float64 learning rates, one per update.

    Examples
    --------
    >>> from torch.optim.lr_scheduler import ExponentialLR
    >>> torch_lr_sequence(lambda opt: ExponentialLR(opt, gamma=0.5), 1.0, 4).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    steps = _check_int("steps", steps, 1)
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(opt)
    out = np.empty(steps)
    for t in range(steps):
        out[t] = opt.param_groups[0]["lr"]
        opt.step()
        scheduler.step()
    return out


@register("halving-gamma")
def halving_gamma(steps: int) -> float:
    """The per-step factor ``γ`` of exponential decay that halves the LR every ``steps`` steps.

    ``γ ** steps = 1/2``, so ``γ = 2 ** (-1 / steps)``.

    Parameters
    ----------
    steps : int
        Half-life in steps, >= 1.

    Returns
    -------
    float

    Examples
    --------
    >>> halving_gamma(1)
    0.5
    >>> round(halving_gamma(100) ** 100, 12)
    0.5
    """
    steps = _check_int("steps", steps, 1)
    return 2.0 ** (-1.0 / steps)


def half_life(gamma: float) -> float:
    """Steps for exponential decay with factor ``gamma`` to halve the LR: ``ln 2 / -ln γ``.

    Parameters
    ----------
    gamma : float
        Per-step factor in (0, 1).

    Returns
    -------
    float
        Half-life in steps (not rounded).

    Examples
    --------
    >>> round(half_life(0.5), 12)
    1.0
    >>> round(half_life(0.99), 2)
    68.97
    """
    gamma = _check_range("gamma", gamma, 0.0, 1.0)
    if gamma in (0.0, 1.0):
        raise ValueError(f"gamma must be in the open interval (0, 1), got {gamma!r}")
    return math.log(2.0) / -math.log(gamma)


@register("poly-half-point")
def poly_half_point(power: float) -> float:
    """Fraction of the run at which polynomial decay to 0 has halved: ``1 - 2 ** (-1/p)``.

    Parameters
    ----------
    power : float
        Exponent ``p`` > 0.

    Returns
    -------
    float
        ``t / T`` where ``(1 - t/T) ** p = 1/2``.

    Examples
    --------
    >>> poly_half_point(1.0)
    0.5
    >>> round(poly_half_point(2.0), 4)
    0.2929
    """
    power = _check_range("power", power, 0.0, math.inf)
    if power == 0.0:
        raise ValueError(f"power must be > 0 (a power of 0 never decays), got {power!r}")
    return 1.0 - 2.0 ** (-1.0 / power)


@register("invsqrt-fraction-step")
def invsqrt_fraction_step(warmup_steps: int, fraction: float) -> float:
    """Step after the peak at which inverse-square-root decay is ``fraction`` of its peak.

    After the peak at ``t = w`` the schedule is ``peak * sqrt(w / t)``, so
    it equals ``fraction * peak`` at ``t = w / fraction**2``.

    Parameters
    ----------
    warmup_steps : int
        Step of the peak ``w``, >= 1.
    fraction : float
        In (0, 1].

    Returns
    -------
    float

    Examples
    --------
    >>> invsqrt_fraction_step(4000, 0.5)
    16000.0
    """
    warmup_steps = _check_int("warmup_steps", warmup_steps, 1)
    fraction = _check_range("fraction", fraction, 0.0, 1.0)
    if fraction == 0.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    return warmup_steps / fraction**2


def scaled_inverse_sqrt(peak: float, warmup_steps: int) -> Schedule:
    """Inverse-square-root schedule rescaled so that its peak (at ``warmup_steps``) is ``peak``.

    The Transformer formula's ``d_model ** -0.5`` only sets the height; this
    keeps the shape and chooses the height directly.

    Parameters
    ----------
    peak : float
        Learning rate at ``t = warmup_steps``, >= 0.
    warmup_steps : int
        Step of the peak, >= 1.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> s = scaled_inverse_sqrt(0.5, 10)
    >>> round(s(10), 12), round(s(40), 12)
    (0.5, 0.25)
    """
    base = lrlab.inverse_sqrt(1, warmup_steps)
    return lrlab.scale(base, peak / base.peak)


def decay_families(
    peak: float, total_steps: int, power: float, half_life_steps: int, warmup_steps: int
) -> dict[str, Schedule]:
    """The three chapter-08 families with one peak, keyed by a label showing their parameter.

    Parameters
    ----------
    peak : float
        Starting (or, for inverse square root, peak) learning rate.
    total_steps : int
        Length of the polynomial decay ``T``.
    power : float
        Polynomial exponent ``p``, in [0, 8].
    half_life_steps : int
        Steps for the exponential decay to halve, >= 1.
    warmup_steps : int
        Step of the inverse-square-root peak, >= 1.

    Returns
    -------
    dict of str to Schedule

    Examples
    --------
    >>> fams = decay_families(0.5, 100, 2.0, 25, 10)
    >>> [round(s(50), 6) for s in fams.values()]
    [0.125, 0.125, 0.223607]
    """
    peak = _check_range("peak", peak, 0.0, math.inf)
    total_steps = _check_int("total_steps", total_steps, 1)
    power = _check_range("power", power, 0.0, 8.0)
    half_life_steps = _check_int("half_life_steps", half_life_steps, 1)
    warmup_steps = _check_int("warmup_steps", warmup_steps, 1)
    return {
        f"polynomial, p = {power:g}": lrlab.polynomial(peak, total_steps, power=power),
        f"exponential, half-life {half_life_steps}": lrlab.exponential(
            peak, halving_gamma(half_life_steps)
        ),
        f"inverse sqrt, w = {warmup_steps}": scaled_inverse_sqrt(peak, warmup_steps),
    }


def standard_nqm() -> NoisyQuadratic:
    """The book's noisy quadratic model: ``h_i = c_i = 1/i``, 100 coordinates, ``B = 1``.

    Examples
    --------
    >>> standard_nqm().dim
    100
    """
    return NoisyQuadratic.standard(dim=100, batch_size=1)


def plot_decay_families(
    power: float = 2.0,
    half_life_steps: int = 300,
    warmup_steps: int = 10,
    peak: float = 0.5,
    total_steps: int = 2000,
    nqm: NoisyQuadratic | None = None,
) -> Figure:
    """Polynomial, exponential and inverse-sqrt decay side by side, and their NQM loss.

    Left: the three schedules over ``total_steps`` updates (log scale).
    Right: the exact expected loss of the noisy quadratic model under each,
    with the final value in the legend.

    Parameters
    ----------
    power, half_life_steps, warmup_steps, peak, total_steps
        As in :func:`decay_families`.
    nqm : NoisyQuadratic, optional
        Default :func:`standard_nqm`.

    Returns
    -------
    Figure
        Axis 0 holds one line per schedule (``s(t)`` for ``t = 0 .. T - 1``);
        axis 1 holds the matching loss curves (``T + 1`` points).

    Examples
    --------
    >>> fig = plot_decay_families(total_steps=100)
    >>> len(fig.axes[0].lines), len(fig.axes[1].lines[0].get_ydata())
    (3, 101)
    """
    nqm = nqm or standard_nqm()
    families = decay_families(peak, total_steps, power, half_life_steps, warmup_steps)
    t = np.arange(total_steps)
    losses = nqm.expected_loss(list(families.values()), steps=total_steps)
    fig, (ax, ax_loss) = new_figure(ncols=2, width=10.0, height=3.8)
    for (label, schedule), loss, color in zip(families.items(), losses, PALETTE, strict=False):
        ax.plot(t, schedule(t), color=color, linewidth=1.6, label=label)
        ax_loss.plot(
            np.arange(total_steps + 1), loss, color=color, linewidth=1.6, label=f"{loss[-1]:.4f}"
        )
    ax.set_yscale("log")
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate (log scale)")
    ax.set_title(f"three decays from η₀ = {peak:g}", fontsize=10)
    ax.legend(frameon=False, fontsize="small")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("expected loss (NQM, log scale)")
    ax_loss.set_title(f"noisy quadratic model: loss after {total_steps} steps", fontsize=10)
    ax_loss.legend(frameon=False, fontsize="small", title="final loss")
    return fig


def decay_explorer(
    power: float = 2.0,
    half_life_steps: int = 300,
    warmup_steps: int = 10,
    peak: float = 0.5,
    total_steps: int = 2000,
    nqm: NoisyQuadratic | None = None,
) -> Explorer:
    """Sliders over the three families' parameters -> :func:`plot_decay_families`.

    Parameters
    ----------
    power : float
        Initial polynomial exponent, in [0.25, 5].
    half_life_steps : int
        Initial exponential half-life, in [20, 2000].
    warmup_steps : int
        Initial inverse-sqrt warmup, in [1, 500].
    peak : float
        Initial peak learning rate, in [0.05, 1.5] (the NQM is stable below 2).
    total_steps : int
        Run length (fixed).
    nqm : NoisyQuadratic, optional
        Default :func:`standard_nqm`.

    Returns
    -------
    Explorer
        Controls ``power``, ``half_life_steps``, ``warmup_steps`` and ``peak``.

    Examples
    --------
    >>> ex = decay_explorer(total_steps=200)
    >>> sorted(ex.controls)
    ['half_life_steps', 'peak', 'power', 'warmup_steps']
    """
    _check_range("power", power, 0.25, 5.0)
    _check_int("half_life_steps", half_life_steps, 20, 2000)
    _check_int("warmup_steps", warmup_steps, 1, 500)
    _check_range("peak", peak, 0.05, 1.5)
    nqm = nqm or standard_nqm()
    controls = {
        "power": slider("polynomial power p", power, 0.25, 5.0, 0.25),
        "half_life_steps": slider("exponential half-life", half_life_steps, 20, 2000, 20, True),
        "warmup_steps": slider("inverse-sqrt warmup w", warmup_steps, 1, 500, 1, True),
        "peak": slider("peak η₀", peak, 0.05, 1.5, 0.05),
    }
    return Explorer(
        lambda **values: plot_decay_families(total_steps=total_steps, nqm=nqm, **values),
        controls,
    )


def final_losses(nqm: NoisyQuadratic, schedules: Sequence[Schedule], steps: int) -> np.ndarray:
    """Exact expected NQM loss after ``steps`` updates, one value per schedule.

    Examples
    --------
    >>> final_losses(standard_nqm(), [lrlab.constant(0.1), lrlab.constant(0.2)], 50).shape
    (2,)
    """
    return nqm.expected_loss(list(schedules), steps=steps)[:, -1]


def plot_tuning_curves(
    peaks: np.ndarray,
    losses: Mapping[str, np.ndarray],
    ylabel: str,
    title: str = "",
    errors: Mapping[str, np.ndarray] | None = None,
) -> Figure:
    """Final loss against peak learning rate, one line per schedule, best point circled.

    Parameters
    ----------
    peaks : numpy.ndarray
        Peak learning rates tried (log x axis).
    losses : mapping of label to array
        Final loss at each peak.
    ylabel : str
        y-axis label.
    title : str
        Optional title.
    errors : mapping of label to array, optional
        Half-width of an error bar at each point (e.g. the spread over seeds).

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_tuning_curves(np.array([0.1, 0.2]), {"a": np.array([2.0, 1.0])}, "loss")
    >>> fig.axes[0].get_xscale()
    'log'
    """
    fig, (ax,) = new_figure(width=7.0, height=4.0)
    for (label, y), color in zip(losses.items(), PALETTE * 2, strict=False):
        y = np.asarray(y, dtype=float)
        if errors is not None:
            ax.errorbar(
                peaks, y, yerr=errors[label], color=color, linewidth=1.4, capsize=2, label=label
            )
        else:
            ax.plot(peaks, y, color=color, linewidth=1.4, marker="o", markersize=3, label=label)
        best = int(np.nanargmin(y))
        ax.plot(peaks[best], y[best], marker="o", markersize=9, color=color, fillstyle="none")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("peak learning rate η₀ (log scale)")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize="small", ncols=2)
    return fig


def race_of_powers(
    nqm: NoisyQuadratic, powers: Sequence[float], peaks: np.ndarray, steps: int
) -> dict[float, tuple[float, float]]:
    """Tune the peak of polynomial decay to 0 for each power on the NQM.

    Parameters
    ----------
    nqm : NoisyQuadratic
        The model.
    powers : sequence of float
        Powers ``p`` to race.
    peaks : numpy.ndarray
        Peak learning rates to try for each power.
    steps : int
        Run length ``T`` (the decay reaches 0 at ``T``).

    Returns
    -------
    dict of float to (float, float)
        For each power, the best peak and the expected loss it reaches.

    Examples
    --------
    >>> res = race_of_powers(standard_nqm(), [1.0], np.array([0.1, 0.2]), 100)
    >>> sorted(res)
    [1.0]
    """
    steps = _check_int("steps", steps, 1)
    out = {}
    for p in powers:
        losses = final_losses(
            nqm, [lrlab.polynomial(float(pk), steps, power=p) for pk in peaks], steps
        )
        best = int(np.argmin(losses))
        out[p] = (float(peaks[best]), float(losses[best]))
    return out
