"""Auto-checked exercises: ``check(exercise, answer, **params)`` prints a verdict.

Each exercise's expected answer is computed by ``lrlab`` from the parameters the
notebook passes, so a teacher can change the numbers and the checker follows.
Every answer key lives in this module, one section per chapter, and is built
from the library's general pieces (schedules, problems, torch's own
schedulers), so a chapter can change without breaking its exercises.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from lrlab import problems, schedules
from lrlab._checks import check_int, check_number
from lrlab.nqm import NoisyQuadratic

#: Expected-answer functions by exercise id.
EXERCISES: dict[str, Callable[..., Any]] = {}

# Whether verdicts may show numbers (the answer echoed back, "too large"); the student
# notebooks of ``make handouts`` switch this off with :func:`student_edition`.
_show_values = True


def student_edition(enabled: bool = True) -> None:
    """Make :func:`check` say only whether an answer is right: no number, no direction.

    The book's verdicts repeat the answer and say whether a wrong one is too large
    or too small, which is enough to home in on the expected value by trial. The
    student notebooks call this once, after their imports.

    Parameters
    ----------
    enabled : bool
        ``False`` restores the book's verdicts.

    Examples
    --------
    >>> student_edition()
    >>> check("max-stable-lr", 0.5, a=5)
    Not yet. Check your reasoning and try again.
    >>> student_edition(False)
    """
    global _show_values
    _show_values = not enabled


def register(exercise: str) -> Callable[[Callable[..., float]], Callable[..., float]]:
    """Decorator: register a function computing an exercise's expected answer.

    Examples
    --------
    >>> @register("double")
    ... def _double(x):
    ...     return 2 * x
    >>> expected("double", x=2)
    4
    """

    def add(func: Callable[..., float]) -> Callable[..., float]:
        if exercise in EXERCISES and EXERCISES[exercise] is not func:
            raise ValueError(f"exercise {exercise!r} is already registered")
        EXERCISES[exercise] = func
        return func

    return add


def expected(exercise: str, **params: Any) -> float:
    """The answer to ``exercise`` for these parameters.

    Examples
    --------
    >>> expected("max-stable-lr", a=4.0)
    0.25
    """
    if exercise not in EXERCISES:
        raise ValueError(f"exercise must be one of {sorted(EXERCISES)}, got {exercise!r}")
    return EXERCISES[exercise](**params)


def is_correct(exercise: str, answer: Any, rtol: float = 1e-6, **params: Any) -> bool:
    """Whether ``answer`` matches the expected answer (integers exactly, floats to ``rtol``).

    Examples
    --------
    >>> is_correct("max-stable-lr", 0.2, a=5)
    True
    """
    return _matches(answer, expected(exercise, **params), rtol)


def _matches(answer: Any, target: float, rtol: float) -> bool:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False
    if isinstance(target, int):
        return value == target
    return math.isclose(value, target, rel_tol=rtol, abs_tol=1e-15)


def check(exercise: str, answer: Any, rtol: float = 1e-6, **params: Any) -> None:
    """Compare ``answer`` with the expected answer and print a verdict.

    Parameters
    ----------
    exercise : str
        Exercise id, one of :data:`EXERCISES`.
    answer : number or None
        The student's answer; ``None`` means not answered yet.
    rtol : float
        Relative tolerance for non-integer answers.
    **params
        The exercise's parameters (e.g. ``a=5`` for ``max-stable-lr``).

    See Also
    --------
    student_edition : verdicts without numbers, for the student notebooks.

    Examples
    --------
    >>> check("max-stable-lr", 0.2, a=5)
    Correct: 0.2 is right.
    >>> check("max-stable-lr", 0.5, a=5)
    Not yet: 0.5 is too large. Check your reasoning and try again.
    """
    target = expected(exercise, **params)
    if answer is None:
        print("No answer yet: replace None with your answer and run the cell again.")
    elif _matches(answer, target, rtol):
        print(f"Correct: {answer!r} is right." if _show_values else "Correct.")
    else:
        try:
            direction = "too large" if float(answer) > target else "too small"
        except (TypeError, ValueError):
            if _show_values:
                print(f"Not a number: {answer!r}. Give your answer as a number.")
            else:
                print("Not a number: give your answer as a number.")
            return
        if _show_values:
            print(f"Not yet: {answer!r} is {direction}. Check your reasoning and try again.")
        else:
            print("Not yet. Check your reasoning and try again.")


# ------------------------------------------------------ 01: constant LR


@register("max-stable-lr")
def _max_stable_lr(a: float, b: float = 0.0) -> float:
    # f(x) = a (x - b)**2 has curvature 2a wherever b is.
    return problems.max_stable_lr(2.0 * a)


@register("steps-to-tolerance")
def _steps_to_tolerance(lr: float, tol: float, x0: float = 0.0, b: float = 3.0) -> int:
    return problems.steps_to_tolerance(lr, tol, x0=x0, b=b)


@register("same-contraction-lr")
def _same_contraction_lr(lr: float, curvature: float = 2.0) -> float:
    # |1 - lr h| is the same for lr and 2/h - lr: mirror images about 1/h.
    h = check_number("curvature", curvature, 0.0, math.inf, closed=False)
    lr = check_number("lr", lr, 0.0, problems.max_stable_lr(h), closed=False)
    return problems.max_stable_lr(h) - lr


@register("nqm-floor")
def _nqm_floor(lr: float, h: float, c: float, batch_size: int = 1) -> float:
    # The floor of one coordinate: lr c / (2B (2 - lr h)), from the model itself.
    one = NoisyQuadratic(
        h=np.array([h], dtype=np.float64), c=np.array([c], dtype=np.float64), batch_size=batch_size
    )
    return float(one.floor(lr))


# ------------------------------------------------------ 02: warmup and Adam


@register("radam-first-step")
def _radam_first_step(beta2: float, threshold: float = 4.0) -> int:
    # RAdam's step k (from 1) is rectified once rho_k = rho_inf - 2k b^k / (1 - b^k)
    # exceeds the threshold (4 in the paper, 5 in torch.optim.RAdam).
    beta2 = check_number("beta2", beta2, 0.0, 1.0, closed=False)
    threshold = check_number("threshold", threshold, 4.0, math.inf)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    if rho_inf <= threshold:
        lowest = (threshold - 1.0) / (threshold + 1.0)
        raise ValueError(
            f"beta2 must be in ({lowest:g}, 1) so that rho_inf exceeds "
            f"threshold = {threshold:g}, got {beta2!r}"
        )
    k = 1
    while True:
        power = beta2**k
        if rho_inf - 2.0 * k * power / (1.0 - power) > threshold:
            return k
        k += 1


@register("adam-uncorrected-first-step")
def _adam_uncorrected_first_step(beta1: float = 0.9, beta2: float = 0.999) -> float:
    # One gradient g: m = (1 - b1) g and v = (1 - b2) g^2, so |m| / sqrt(v) is this.
    beta1 = check_number("beta1", beta1, 0.0, 1.0, closed=False)
    beta2 = check_number("beta2", beta2, 0.0, 1.0, closed=False)
    return (1.0 - beta1) / math.sqrt(1.0 - beta2)


@register("warmup-lr-deficit")
def _warmup_lr_deficit(warmup_steps: int) -> float:
    # Steps at full LR given up by a linear warmup from 0: w - sum_t t / w = (w + 1) / 2.
    w = check_int("warmup_steps", warmup_steps, 1)
    ramp = schedules.linear_warmup(1.0, w)(np.arange(w))
    return float(w - math.fsum(ramp))


# ------------------------------------------------------------ 03: step decay


@register("step-decay-lr-sum")
def _step_decay_lr_sum(start: float, gamma: float, step_size: int, epochs: int) -> float:
    epochs = check_int("epochs", epochs, 0)
    lrs = schedules.step_decay(start, step_size, gamma)(np.arange(epochs))
    return math.fsum(lrs)


@register("multistep-lr-sum")
def _multistep_lr_sum(start: float, milestones: Sequence[int], gamma: float, epochs: int) -> float:
    epochs = check_int("epochs", epochs, 0)
    lrs = schedules.multistep(start, milestones, gamma)(np.arange(epochs))
    return math.fsum(lrs)


@register("multistep-lr")
def _multistep_lr(start: float, milestones: Sequence[int], gamma: float, t: int) -> float:
    return float(schedules.multistep(start, milestones, gamma)(check_int("t", t, 0)))


@register("plateau-first-reduction")
def _plateau_first_reduction(
    metrics: Sequence[float], patience: int = 10, threshold: float = 1e-4, cooldown: int = 0
) -> int:
    # torch's own ReduceLROnPlateau (mode "min", relative threshold) decides; -1 if never.
    import torch

    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        dummy, patience=patience, threshold=threshold, cooldown=cooldown
    )
    for epoch, value in enumerate(metrics):
        scheduler.step(float(value))
        if dummy.param_groups[0]["lr"] < 1.0:
            return epoch
    return -1


# ---------------------------------------------------------------- 04: cosine


@register("cosine-lr-at-step")
def _cosine_lr_at_step(peak: float, total_steps: int, step: int, floor: float = 0.0) -> float:
    return float(schedules.cosine(peak, total_steps, floor)(step))


@register("sgdr-restart-step")
def _sgdr_restart_step(period: int, period_mult: int, n: int) -> int:
    # Cycle i lasts period * mult**i steps; restart n starts cycle n.
    period = check_int("period", period, 1)
    period_mult = check_int("period_mult", period_mult, 1)
    n = check_int("n", n, 1)
    return period * sum(period_mult**i for i in range(n))


# ------------------------------------------------------------- 05: cyclical


@register("clr-lr-at-step")
def _clr_lr_at_step(
    base: float,
    peak: float,
    step_size: int,
    step: int,
    mode: str = "triangular",
    gamma: float = 1.0,
) -> float:
    return float(schedules.cyclical(base, peak, step_size, mode=mode, gamma=gamma)(step))


@register("clr-cycle-fraction")
def _clr_cycle_fraction(scheduler_steps: int, step_size_up: int) -> float:
    # A symmetric cycle lasts 2 * step_size_up calls of scheduler.step().
    scheduler_steps = check_int("scheduler_steps", scheduler_steps, 0)
    return scheduler_steps / (2 * check_int("step_size_up", step_size_up, 1))


# --------------------------------------------------------------- 06: 1cycle


@register("one-cycle-peak-step")
def _one_cycle_peak_step(total_steps: int, pct_start: float) -> int:
    cycle = schedules.one_cycle(1.0, total_steps, pct_start=pct_start)
    return int(np.argmax(cycle(np.arange(total_steps))))


@register("one-cycle-total-steps")
def _one_cycle_total_steps(epochs: int, batches_per_epoch: int, accumulation: int) -> int:
    # One optimizer step every `accumulation` batches, plus one for a partial group.
    epochs = check_int("epochs", epochs, 1)
    batches = check_int("batches_per_epoch", batches_per_epoch, 1)
    return epochs * math.ceil(batches / check_int("accumulation", accumulation, 1))


# ------------------------------------------------------------------ 07: WSD


@register("wsd-lr")
def _wsd_lr(
    peak: float,
    total_steps: int,
    warmup_steps: int,
    decay_steps: int,
    decay: str,
    t: int,
    floor: float = 0.0,
) -> float:
    return float(schedules.wsd(peak, total_steps, warmup_steps, decay_steps, floor, decay)(t))


@register("wsd-branch-cost")
def _wsd_branch_cost(lengths: Sequence[int], decay_frac: float) -> int:
    # One stable run to the latest branch point, plus every decay branched off it.
    decays = [round(decay_frac * n) for n in lengths]
    return max(n - d for n, d in zip(lengths, decays, strict=True)) + sum(decays)


@register("wsd-exp-floor")
def _wsd_exp_floor(half_life: int, decay_steps: int) -> float:
    # A cooldown that halves every half_life steps ends at 0.5**(D / H) of the peak,
    # the floor lrlab's exponential cooldown must be given to follow it.
    half_life = check_int("half_life", half_life, 1)
    return 0.5 ** (check_int("decay_steps", decay_steps, 1) / half_life)


# ----------------------------- 08: polynomial, inverse square root, exponential


@register("halving-gamma")
def _halving_gamma(steps: int) -> float:
    # gamma**steps = 1/2.
    return 2.0 ** (-1.0 / check_int("steps", steps, 1))


@register("poly-half-point")
def _poly_half_point(power: float) -> float:
    # (1 - t/T)**p = 1/2 at t/T = 1 - 2**(-1/p).
    power = check_number("power", power, 0.0, math.inf, closed=False)
    return 1.0 - 2.0 ** (-1.0 / power)


@register("invsqrt-fraction-step")
def _invsqrt_fraction_step(warmup_steps: int, fraction: float) -> float:
    # peak * sqrt(w / t) = fraction * peak at t = w / fraction**2.
    w = check_int("warmup_steps", warmup_steps, 1)
    fraction = check_number("fraction", fraction, 0.0, 1.0)
    if fraction == 0.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    return w / fraction**2


# ------------------------------------------------------- 09: decision guide


@register("linear-scaling-lr")
def _linear_scaling_lr(base_lr: float, base_batch: int, batch: int) -> float:
    # Goyal et al.: the LR grows with the batch size.
    base_lr = check_number("base_lr", base_lr, 0.0, math.inf)
    return base_lr * check_int("batch", batch, 1) / check_int("base_batch", base_batch, 1)


@register("sqrt-scaling-lr")
def _sqrt_scaling_lr(base_lr: float, base_batch: int, batch: int) -> float:
    # Square-root rule for Adam-type optimizers (Malladi et al.).
    base_lr = check_number("base_lr", base_lr, 0.0, math.inf)
    ratio = check_int("batch", batch, 1) / check_int("base_batch", base_batch, 1)
    return base_lr * math.sqrt(ratio)


# ------------------------------------------- 10: schedule-free and averaging


@register("sf-average-weight")
def _sf_average_weight(peak: float, warmup_steps: int, step: int) -> float:
    # schedulefree's built-in warmup: update k uses peak * min(1, (k + 1) / warmup_steps),
    # and the average weighs each iterate by the square of the largest rate so far.
    from lrlab.nqm import schedule_free_weights

    peak = check_number("peak", peak, 0.0, math.inf, closed="(]")
    warmup = check_int("warmup_steps", warmup_steps, 1)
    step = check_int("step", step, 0)
    k = np.arange(step + 1)
    return float(schedule_free_weights(peak * np.minimum(1.0, (k + 1) / warmup))[step])


@register("adamw-ema-timescale")
def _adamw_ema_timescale(lr: float, weight_decay: float) -> float:
    # theta <- (1 - lr * wd) theta - lr * u: an EMA of the updates over 1 / (lr * wd) steps.
    lr = check_number("lr", lr, 0.0, math.inf, closed="(]")
    return 1.0 / (lr * check_number("weight_decay", weight_decay, 0.0, math.inf, closed="(]"))


# -------------------------------------- 11: loss-curve laws, optimal schedules


@register("forward-area")
def _forward_area(peak: float, warmup_steps: int, steps: int) -> float:
    # S1 after `steps` updates of lrlab.linear_warmup(peak, warmup_steps).
    warmup = check_int("warmup_steps", warmup_steps, 1)
    steps = check_int("steps", steps, 1)
    rates = schedules.linear_warmup(peak, warmup)(np.arange(steps))
    return math.fsum(rates.tolist())


@register("nqm-1d-optimal-lr")
def _nqm_1d_optimal_lr(h: float, noise: float, u0: float, t: int) -> float:
    # One coordinate: the greedy rate h u / (h^2 u + noise) unrolls to
    # 1 / (h (t + 1) + noise / (h u0)).
    h = check_number("h", h, 0.0, math.inf, closed="(]")
    noise = check_number("noise", noise, 0.0, math.inf)
    u0 = check_number("u0", u0, 0.0, math.inf, closed="(]")
    return 1.0 / (h * (check_int("t", t, 0) + 1) + noise / (h * u0))
