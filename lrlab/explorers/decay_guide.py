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
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
import numpy as np
from matplotlib.figure import Figure

import lrlab
from lrlab._checks import check_int, check_number
from lrlab.nqm import NoisyQuadratic
from lrlab.schedules import Schedule
from lrlab.static_explorer import FrameExplorer as Explorer
from lrlab.static_explorer import slider
from lrlab.viz import PALETTE, new_figure

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


def hf_linear_factor(step: int, *, num_warmup_steps: int, num_training_steps: int) -> float:
    """The factor of ``transformers``' ``get_linear_schedule_with_warmup`` (type ``"linear"``).

    Linear warmup from 0, then a straight line to 0 at ``num_training_steps``,
    clipped at 0 afterwards: ``max(0, (T - step) / max(1, T - w))``.

    Parameters
    ----------
    step : int
        The scheduler's step, from 0.
    num_warmup_steps, num_training_steps : int
        Warmup length ``w`` and the step ``T`` at which the rate reaches 0.

    Returns
    -------
    float
        Multiplier of the optimizer's learning rate.

    Examples
    --------
    >>> hf_linear_factor(55, num_warmup_steps=10, num_training_steps=100)
    0.5
    """
    if step < num_warmup_steps:
        return float(step) / float(max(1, num_warmup_steps))
    return max(
        0.0, float(num_training_steps - step) / float(max(1, num_training_steps - num_warmup_steps))
    )


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
    steps = check_int("steps", steps, 1)
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
    gamma = check_number("gamma", gamma, 0.0, 1.0, closed=False)
    return math.log(2.0) / -math.log(gamma)


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
    power = check_number("power", power, 0.0, math.inf)
    if power == 0.0:
        raise ValueError(f"power must be > 0 (a power of 0 never decays), got {power!r}")
    return 1.0 - 2.0 ** (-1.0 / power)


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
    warmup_steps = check_int("warmup_steps", warmup_steps, 1)
    fraction = check_number("fraction", fraction, 0.0, 1.0)
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
    peak = check_number("peak", peak, 0.0, math.inf)
    total_steps = check_int("total_steps", total_steps, 1)
    power = check_number("power", power, 0.0, 8.0)
    half_life_steps = check_int("half_life_steps", half_life_steps, 1)
    warmup_steps = check_int("warmup_steps", warmup_steps, 1)
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
    check_number("power", power, 0.25, 5.0)
    check_int("half_life_steps", half_life_steps, 20, 2000)
    check_int("warmup_steps", warmup_steps, 1, 500)
    check_number("peak", peak, 0.05, 1.5)
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
    steps = check_int("steps", steps, 1)
    out = {}
    for p in powers:
        losses = final_losses(
            nqm, [lrlab.polynomial(float(pk), steps, power=p) for pk in peaks], steps
        )
        best = int(np.argmin(losses))
        out[p] = (float(peaks[best]), float(losses[best]))
    return out


# ---------------------------------------------------------------- chapter 09

#: The families raced in chapter 09, in the order they are tabulated.
RACE_FAMILIES = (
    "constant",
    "step (÷10 ×3)",
    "exponential to 1 %",
    "linear to 0",
    "cosine to 10 %",
    "polynomial p = 2",
    "inverse sqrt",
    "WSD (20 %, 1-sqrt)",
    "SGDR (3 cycles)",
    "triangular2",
    "1cycle",
)


def race_schedule(family: str, peak: float, total_steps: int, warmup_steps: int) -> Schedule:
    """One schedule of the chapter-09 race: ``family`` with this peak, run length and warmup.

    Every family except ``1cycle`` and ``triangular2`` (which have their own
    rising phase) starts with a linear warmup from 0 over ``warmup_steps``;
    the decay then runs over the remaining ``D = total_steps - warmup_steps``
    steps. Momentum cycling is off for the cyclical families, so only the
    learning rate differs between entries.

    Parameters
    ----------
    family : str
        One of :data:`RACE_FAMILIES`.
    peak : float
        Peak learning rate, > 0.
    total_steps : int
        Run length ``T``, >= 2.
    warmup_steps : int
        Warmup length, in [1, T / 2].

    Returns
    -------
    Schedule

    Examples
    --------
    >>> s = race_schedule("linear to 0", 0.1, 100, 10)
    >>> s(0), s(10), s(100)
    (0.0, 0.1, 0.0)
    """
    if family not in RACE_FAMILIES:
        valid = ", ".join(repr(name) for name in RACE_FAMILIES)
        raise ValueError(f"family must be one of {valid}, got {family!r}")
    peak = check_number("peak", peak, 0.0, math.inf, closed=False)
    n = check_int("total_steps", total_steps, 2)
    w = check_int("warmup_steps", warmup_steps, 1, n // 2)
    d = n - w
    if family == "1cycle":
        return lrlab.one_cycle(peak, n, cycle_momentum=False)
    if family == "triangular2":
        return lrlab.cyclical(
            peak / 10, peak, step_size_up=max(n // 6, 1), mode="triangular2", cycle_momentum=False
        )
    if family == "inverse sqrt":
        return scaled_inverse_sqrt(peak, w)
    if family == "cosine to 10 %":
        return lrlab.warmup_cosine(peak, n, w, floor=peak / 10)
    if family == "WSD (20 %, 1-sqrt)":
        return lrlab.wsd(peak, n, w, max(round(0.2 * n), 1), decay="1-sqrt")
    decays: dict[str, Callable[[], Schedule]] = {
        "constant": lambda: lrlab.constant(peak),
        "step (÷10 ×3)": lambda: lrlab.multistep(
            peak, [round(d / 3), round(2 * d / 3), round(8 * d / 9)], 0.1
        ),
        "exponential to 1 %": lambda: lrlab.exponential(peak, 0.01 ** (1 / d)),
        "linear to 0": lambda: lrlab.linear_decay(peak, 0.0, d),
        "polynomial p = 2": lambda: lrlab.polynomial(peak, d, power=2.0),
        "SGDR (3 cycles)": lambda: lrlab.cosine_restarts(peak, max(d // 7, 1), 2),
    }
    return lrlab.with_warmup(decays[family](), w)


@dataclass
class RaceResult:
    """Final excess losses and curves of a schedule race on the tiny language model.

    Attributes
    ----------
    families : list of str
        Schedule families, in the order of the first axis.
    peaks : numpy.ndarray
        Peak learning rates tried (second axis).
    seeds : list of int
        Seeds (third axis).
    excess : numpy.ndarray
        ``(families, peaks, seeds)`` final excess loss in nats/token (``inf``
        for a diverged run).
    val_steps : numpy.ndarray
        Steps at which the validation loss was measured.
    val_excess : numpy.ndarray
        ``(families, peaks, seeds, len(val_steps))`` excess loss along the run
        (NaN after a divergence).
    """

    families: list[str]
    peaks: np.ndarray
    seeds: list[int]
    excess: np.ndarray
    val_steps: np.ndarray
    val_excess: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Mean final excess over seeds, ``(families, peaks)``."""
        return self.excess.mean(axis=2)

    @property
    def half_range(self) -> np.ndarray:
        """Half the spread (max - min) of the final excess over seeds, ``(families, peaks)``."""
        return (self.excess.max(axis=2) - self.excess.min(axis=2)) / 2

    def best_peak_index(self) -> np.ndarray:
        """Index of each family's best peak (lowest mean final excess)."""
        return np.argmin(self.mean, axis=1)


def run_race(
    families: Sequence[str],
    peaks: Sequence[float],
    seeds: Sequence[int],
    total_steps: int,
    warmup_steps: int,
    **options: Any,
) -> RaceResult:
    """Train every (family, peak, seed) on the tiny language model in one batched run.

    Parameters
    ----------
    families : sequence of str
        Names from :data:`RACE_FAMILIES`.
    peaks : sequence of float
        Peak learning rates.
    seeds : sequence of int
        Seeds of the weights and data order.
    total_steps, warmup_steps : int
        As in :func:`race_schedule`.
    **options
        Passed to :func:`lrlab.train_many` (AdamW by default).

    Returns
    -------
    RaceResult

    Examples
    --------
    >>> r = run_race(["constant", "linear to 0"], [0.01], [0], 20, 2, val_every=10)
    >>> r.excess.shape, r.val_steps.tolist()
    ((2, 1, 1), [0, 10, 20])
    """
    peaks_arr = np.asarray(peaks, dtype=float)
    schedules = [
        race_schedule(f, float(p), total_steps, warmup_steps) for f in families for p in peaks_arr
    ]
    histories = lrlab.train_many(schedules, total_steps, seeds=list(seeds), **options)
    shape = (len(families), len(peaks_arr), len(seeds))
    val_steps = histories[0].val_steps
    curves = np.full((*shape, len(val_steps)), np.nan)
    for i, h in enumerate(histories):
        curves[np.unravel_index(i, shape)][: len(h.val_excess)] = h.val_excess
    excess = np.array([h.final_excess for h in histories]).reshape(shape)
    return RaceResult(list(families), peaks_arr, list(seeds), excess, val_steps, curves)


def plot_race(result: RaceResult, title: str = "") -> Figure:
    """The race at a glance: final excess against peak (left), curves at the best peak (right).

    Parameters
    ----------
    result : RaceResult
        Output of :func:`run_race`.
    title : str
        Optional figure title.

    Returns
    -------
    Figure
        Axis 0: one line per family, mean final excess at each peak (log-log)
        with the best peak circled. Axis 1: the seed-mean excess along the
        run at each family's best peak.

    Examples
    --------
    >>> r = RaceResult(["a"], np.array([0.1, 0.2]), [0], np.array([[[2.0], [1.0]]]),
    ...                np.array([0, 5]), np.ones((1, 2, 1, 2)))
    >>> len(plot_race(r).axes)
    2
    """
    fig, (ax, ax_curve) = new_figure(ncols=2, width=12.0, height=5.4)
    colors = (*PALETTE, "#999999", "#882255", "#44AA99")
    styles = ("-", "--", ":", "-.")
    best = result.best_peak_index()
    mean = result.mean
    for i, family in enumerate(result.families):
        color, style = colors[i % len(colors)], styles[i % len(styles)]
        ax.plot(result.peaks, mean[i], color=color, linestyle=style, marker="o", markersize=3)
        ax.plot(
            result.peaks[best[i]],
            mean[i, best[i]],
            marker="o",
            markersize=9,
            color=color,
            fillstyle="none",
        )
        curve = np.nanmean(result.val_excess[i, best[i]], axis=0)
        ax_curve.plot(result.val_steps, curve, color=color, linestyle=style, label=family)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("peak learning rate (log scale)")
    ax.set_ylabel("final excess loss (nats/token, log scale)")
    ax.set_title("final excess against peak (circle = best peak)", fontsize=10)
    ax_curve.set_yscale("log")
    ax_curve.set_xlabel("step t")
    ax_curve.set_ylabel("excess loss (nats/token, log scale)")
    ax_curve.set_title("along the run, each at its best peak (mean over seeds)", fontsize=10)
    ax_curve.legend(frameon=False, fontsize="x-small", ncols=2)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def linear_scaling_lr(base_lr: float, base_batch: int, batch: int) -> float:
    """Linear scaling rule (Goyal et al.): multiply the LR by the batch-size ratio.

    Examples
    --------
    >>> linear_scaling_lr(0.1, 256, 1024)
    0.4
    """
    base_lr = check_number("base_lr", base_lr, 0.0, math.inf)
    base_batch = check_int("base_batch", base_batch, 1)
    batch = check_int("batch", batch, 1)
    return base_lr * batch / base_batch


def sqrt_scaling_lr(base_lr: float, base_batch: int, batch: int) -> float:
    """Square-root scaling rule for Adam-type optimizers (Malladi et al.): LR × √(ratio).

    Examples
    --------
    >>> sqrt_scaling_lr(3e-4, 512, 2048)
    0.0006
    """
    base_lr = check_number("base_lr", base_lr, 0.0, math.inf)
    base_batch = check_int("base_batch", base_batch, 1)
    batch = check_int("batch", batch, 1)
    return base_lr * math.sqrt(batch / base_batch)


def batch_scaling_nqm(
    base_lr: float, base_steps: int, factors: Sequence[int], dim: int = 100
) -> dict[str, np.ndarray]:
    """SGD on the NQM with the batch multiplied by ``k`` and the steps divided by ``k``.

    For each ``k`` the run has batch ``k`` (noise variance ``c / k``) and
    ``base_steps // k`` steps at a constant learning rate chosen by three rules:
    unchanged, ``k`` times (linear) and ``sqrt(k)`` times (square root). The
    same number of examples is seen in every run.

    Parameters
    ----------
    base_lr : float
        Learning rate at batch 1, > 0.
    base_steps : int
        Steps at batch 1, divisible by every factor.
    factors : sequence of int
        Batch multipliers ``k`` >= 1.
    dim : int, default 100
        NQM dimension (``h_i = c_i = 1/i``).

    Returns
    -------
    dict of str to numpy.ndarray
        ``"k"``, ``"steps"``, and the final expected loss for ``"same lr"``,
        ``"linear"``, ``"sqrt"`` (``inf`` when the rate is unstable).

    Examples
    --------
    >>> out = batch_scaling_nqm(0.05, 400, [1, 4])
    >>> out["steps"].tolist(), bool(out["linear"][0] == out["sqrt"][0])
    ([400, 100], True)
    """
    base_lr = check_number("base_lr", base_lr, 0.0, math.inf)
    base_steps = check_int("base_steps", base_steps, 1)
    ks = [check_int("factors", k, 1) for k in factors]
    for k in ks:
        if base_steps % k:
            raise ValueError(f"factors must be divisors of base_steps = {base_steps}, got {k}")
    rules: dict[str, Callable[[int], float]] = {
        "same lr": lambda k: base_lr,
        "linear": lambda k: base_lr * k,
        "sqrt": lambda k: base_lr * math.sqrt(k),
    }
    out: dict[str, np.ndarray] = {
        "k": np.array(ks),
        "steps": np.array([base_steps // k for k in ks]),
    }
    for name, rule in rules.items():
        finals = []
        for k in ks:
            nqm = NoisyQuadratic.standard(dim=dim, batch_size=k)
            lr = rule(k)
            if lr >= nqm.max_stable_lr():
                finals.append(math.inf)
                continue
            finals.append(float(nqm.expected_loss(lrlab.constant(lr), steps=base_steps // k)[-1]))
        out[name] = np.array(finals)
    return out


def plot_schedule_pick(
    family: str = "linear to 0",
    peak: float = 0.25,
    warmup_steps: int = 40,
    total_steps: int = 2000,
    nqm: NoisyQuadratic | None = None,
) -> Figure:
    """One race family against linear decay to 0 with the same peak: schedule and NQM loss.

    Parameters
    ----------
    family : str
        One of :data:`RACE_FAMILIES`.
    peak : float
        Peak learning rate (the NQM is stable below 2).
    warmup_steps : int
        Warmup length.
    total_steps : int
        Run length.
    nqm : NoisyQuadratic, optional
        Default :func:`standard_nqm`.

    Returns
    -------
    Figure
        Axis 0: the chosen schedule (line 0) and the linear reference (line 1)
        over ``t = 0 .. T - 1``. Axis 1: their exact expected NQM loss, final
        value in each label.

    Examples
    --------
    >>> fig = plot_schedule_pick("cosine to 10 %", total_steps=100, warmup_steps=5)
    >>> len(fig.axes[0].lines), len(fig.axes[1].lines[0].get_ydata())
    (2, 101)
    """
    nqm = nqm or standard_nqm()
    chosen = race_schedule(family, peak, total_steps, warmup_steps)
    reference = race_schedule("linear to 0", peak, total_steps, warmup_steps)
    losses = nqm.expected_loss([chosen, reference], steps=total_steps)
    t = np.arange(total_steps)
    fig, (ax, ax_loss) = new_figure(ncols=2, width=10.0, height=3.8)
    labels = (family, "linear to 0 (reference)")
    styles = ("-", "--")
    for schedule, loss, label, color, style in zip(
        (chosen, reference), losses, labels, PALETTE[:2], styles, strict=True
    ):
        ax.plot(t, schedule(t), color=color, linestyle=style, linewidth=1.6, label=label)
        ax_loss.plot(
            np.arange(total_steps + 1),
            loss,
            color=color,
            linestyle=style,
            linewidth=1.6,
            label=f"{label}: {loss[-1]:.4f}",
        )
    ax.set_xlabel("step t")
    ax.set_ylabel("learning rate")
    ax.set_title(f"{family}, peak {peak:g}, warmup {warmup_steps}", fontsize=10)
    ax.legend(frameon=False, fontsize="small")
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("expected loss (NQM, log scale)")
    ax_loss.set_title("noisy quadratic model (final loss in the legend)", fontsize=10)
    ax_loss.legend(frameon=False, fontsize="small")
    return fig


def schedule_picker(
    family: str = "cosine to 10 %",
    peak: float = 0.25,
    warmup_steps: int = 40,
    total_steps: int = 2000,
    nqm: NoisyQuadratic | None = None,
) -> Explorer:
    """A family menu and sliders for peak and warmup -> :func:`plot_schedule_pick`.

    Parameters
    ----------
    family : str
        Initial family, one of :data:`RACE_FAMILIES`.
    peak : float
        Initial peak, in [0.02, 1.5].
    warmup_steps : int
        Initial warmup, in [1, 400].
    total_steps : int
        Run length (fixed), >= 800.
    nqm : NoisyQuadratic, optional
        Default :func:`standard_nqm`.

    Returns
    -------
    Explorer
        Controls ``family`` (a drop-down), ``peak`` and ``warmup_steps``.

    Examples
    --------
    >>> ex = schedule_picker(total_steps=800)
    >>> sorted(ex.controls)
    ['family', 'peak', 'warmup_steps']
    """
    if family not in RACE_FAMILIES:
        valid = ", ".join(repr(name) for name in RACE_FAMILIES)
        raise ValueError(f"family must be one of {valid}, got {family!r}")
    check_number("peak", peak, 0.02, 1.5)
    check_int("warmup_steps", warmup_steps, 1, 400)
    check_int("total_steps", total_steps, 800)
    nqm = nqm or standard_nqm()
    controls = {
        "family": w.Dropdown(
            options=list(RACE_FAMILIES),
            value=family,
            description="family",
            style={"description_width": "initial"},
            layout=w.Layout(width="420px"),
        ),
        "peak": slider("peak η", peak, 0.02, 1.5, 0.01),
        "warmup_steps": slider("warmup steps", warmup_steps, 1, 400, 1, True),
    }
    return Explorer(
        lambda **values: plot_schedule_pick(total_steps=total_steps, nqm=nqm, **values), controls
    )
