"""Other frameworks' schedules as lrlab schedules, step for step.

Every translator returns the lrlab schedule whose value at ``t`` is the
learning rate the other framework applies at its update (or epoch) ``t``,
counted from 0 -- the convention of :mod:`lrlab.schedules`:

- Hugging Face (:func:`from_hf`): ``get_scheduler(name, ...)`` is a torch
  ``LambdaLR``, so update ``t`` uses ``lr * lambda(t)``.
- timm (:func:`from_timm`): ``scheduler.step(epoch + 1)`` after each epoch (or
  ``step_update(num_updates)`` after each update) sets the rate of the next
  one, so epoch ``t`` uses ``_get_lr(t)``; ``t`` counts epochs unless
  ``t_in_epochs=False``.
- optax (:func:`from_optax`) and Keras (:func:`from_keras`): update ``t`` calls
  the schedule on its count before incrementing it.
- fastai (:func:`from_fastai`): update ``t`` of ``N`` sets the rate at the
  position ``t / N`` of the run; position 1 is never applied.

Values agree with the frameworks' own formulas to a few units in the last
place (the operations are the same up to their order); fastai is the
exception, see :func:`from_fastai`. Where a framework's schedule is not an
lrlab schedule, the translator raises ``ValueError`` and says why.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from lrlab._checks import MAX_LR, check_instance, check_int, check_number
from lrlab.schedules import (
    Schedule,
    clip,
    constant,
    cosine,
    cosine_cycles,
    cosine_restarts,
    exponential_rate,
    inverse_time,
    join,
    linear_decay,
    linear_warmup,
    multistep,
    phases,
    polynomial,
    shift,
    step_decay,
    warmup_cosine,
    wsd,
)

__all__ = ["HF_TYPES", "from_fastai", "from_hf", "from_keras", "from_optax", "from_timm", "to_hf"]

# ------------------------------------------------------------------ helpers


def _segment(start: float, end: float, steps: int, shape: str = "linear") -> Schedule:
    """From ``start`` at step 0 to ``end`` at ``steps`` (linear or cosine), then ``end``."""
    if start == end:
        return constant(start)
    if start < end:
        warm_shape = "cosine" if shape == "cosine" else "linear"
        return linear_warmup(end, steps, start=start, shape=warm_shape)
    if shape == "cosine":
        return cosine(start, steps, floor=end)
    return linear_decay(start, end, steps)


def _chain(pieces: Sequence[tuple[Schedule, int]]) -> Schedule:
    """Run each ``(schedule, length)`` in turn, skipping empty pieces; the last runs on."""
    kept = [(s, n) for s, n in pieces[:-1] if n > 0] + [(pieces[-1][0], 1)]
    if len(kept) == 1:
        return kept[0][0]
    bounds, at = [], 0
    for _, n in kept[:-1]:
        at += n
        bounds.append(at)
    return join([s for s, _ in kept], bounds)


def _whole(name: str, value: float) -> int:
    """``value`` as an int when it is a whole number, else a ValueError naming it."""
    if not math.isfinite(value) or value <= 0 or value != int(value):
        raise ValueError(
            f"{name} must be a whole number of steps for an lrlab schedule, got {value!r}"
        )
    return int(value)


def _call(table: Mapping[str, Callable[..., Schedule]], kind: str, name: str, kwargs: dict) -> Any:
    if name not in table:
        valid = ", ".join(repr(k) for k in table)
        raise ValueError(f"{kind} name must be one of {valid}, got {name!r}")
    handler = table[name]
    accepted = list(inspect.signature(handler).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise ValueError(f"{kind} {name!r} takes the arguments {accepted}, got unknown {unknown}")
    return handler(**kwargs)


# ------------------------------------------------------------- Hugging Face


def _hf_warmup(lr: float, w: int) -> tuple[Schedule, int]:
    # HF's shared warmup is current_step / max(1, num_warmup_steps): 0 at t = 0.
    return (linear_warmup(lr, w) if w else constant(lr), w)


def _hf_half_period(decay_steps: int, num_cycles: float) -> int:
    """Steps of one half cosine when ``cos(pi * 2 * num_cycles * k / decay_steps)``."""
    cycles = check_number("num_cycles", num_cycles, 0.0, math.inf, closed=False)
    return _whole(
        "(num_training_steps - num_warmup_steps) / (2 * num_cycles)", decay_steps / (2 * cycles)
    )


def _hf_floor_rate(lr: float, min_lr: float | None, min_lr_rate: float | None) -> float:
    if (min_lr is None) == (min_lr_rate is None):
        raise ValueError(
            f"exactly one of min_lr and min_lr_rate must be given, got min_lr={min_lr!r}, "
            f"min_lr_rate={min_lr_rate!r}"
        )
    if min_lr_rate is None:
        # HF divides min_lr by the optimizer's default lr, which is `lr` here.
        return check_number("min_lr", min_lr, 0.0, lr) / lr
    return check_number("min_lr_rate", min_lr_rate, 0.0, 1.0)


def _hf_steps(w: Any, n: Any) -> tuple[int, int]:
    w = check_int("num_warmup_steps", w, 0)
    if n is None:
        raise ValueError("num_training_steps must be given for this scheduler type, got None")
    n = check_int("num_training_steps", n, w + 1)
    return w, n


def _hf_constant(
    lr: float, num_warmup_steps: int | None = None, num_training_steps: int | None = None
) -> Schedule:
    return constant(lr)


def _hf_constant_with_warmup(
    lr: float, num_warmup_steps: int, num_training_steps: int | None = None
) -> Schedule:
    return _hf_warmup(lr, check_int("num_warmup_steps", num_warmup_steps, 0))[0]


def _hf_linear(lr: float, num_warmup_steps: int, num_training_steps: int) -> Schedule:
    w, n = _hf_steps(num_warmup_steps, num_training_steps)
    return _chain([_hf_warmup(lr, w), (linear_decay(lr, 0.0, n - w), 0)])


def _hf_cosine(
    lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: float = 0.5
) -> Schedule:
    w, n = _hf_steps(num_warmup_steps, num_training_steps)
    # No clamp on the progress: past num_training_steps the cosine climbs back.
    half = _hf_half_period(n - w, num_cycles)
    return _chain([_hf_warmup(lr, w), (cosine(lr, half, past_end="continue"), 0)])


def _hf_cosine_with_restarts(
    lr: float, num_warmup_steps: int, num_training_steps: int, num_cycles: int = 1
) -> Schedule:
    w, n = _hf_steps(num_warmup_steps, num_training_steps)
    cycles = check_number("num_cycles", num_cycles, 0.0, math.inf, closed=False)
    period = _whole("(num_training_steps - num_warmup_steps) / num_cycles", (n - w) / cycles)
    return _chain([_hf_warmup(lr, w), (cosine_restarts(lr, period), n - w), (constant(0.0), 0)])


def _hf_polynomial(
    lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    lr_end: float = 1e-7,
    power: float = 1.0,
) -> Schedule:
    w, n = _hf_steps(num_warmup_steps, num_training_steps)
    if not lr_end < lr:
        raise ValueError(f"lr_end must be below lr = {lr!r} (HF raises too), got {lr_end!r}")
    return _chain([_hf_warmup(lr, w), (polynomial(lr, n - w, power, lr_end), 0)])


def _hf_inverse_sqrt(
    lr: float,
    num_warmup_steps: int,
    num_training_steps: int | None = None,
    timescale: int | None = None,
) -> Schedule:
    w = check_int("num_warmup_steps", num_warmup_steps, 0)
    # HF's default: timescale = num_warmup_steps or 10_000.
    scale = (w or 10_000) if timescale is None else check_int("timescale", timescale, 1)
    return _chain([_hf_warmup(lr, w), (inverse_time(lr, scale, 1.0, power=0.5), 0)])


def _hf_cosine_with_min_lr(
    lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
) -> Schedule:
    w, n = _hf_steps(num_warmup_steps, num_training_steps)
    floor = lr * _hf_floor_rate(lr, min_lr, min_lr_rate)
    half = _hf_half_period(n - w, num_cycles)
    return _chain([_hf_warmup(lr, w), (cosine(lr, half, floor, past_end="continue"), 0)])


def _hf_cosine_warmup_with_min_lr(
    lr: float,
    num_warmup_steps: int,
    num_training_steps: int,
    num_cycles: float = 0.5,
    min_lr: float | None = None,
    min_lr_rate: float | None = None,
    warmup_lr_rate: float | None = None,
) -> Schedule:
    w, n = _hf_steps(num_warmup_steps, num_training_steps)
    floor = lr * _hf_floor_rate(lr, min_lr, min_lr_rate)
    half = _hf_half_period(n - w, num_cycles)
    # Its progress is (t - w + 1) / (n - w): the decay runs one step ahead.
    decay = shift(cosine(lr, half, floor, past_end="continue"), 1)
    if warmup_lr_rate is None:
        if w == 0:
            return decay
        # (t + 1) / w: the warmup is one step ahead as well.
        return shift(
            join([linear_warmup(lr, w), cosine(lr, half, floor, past_end="continue")], [w]), 1
        )
    start = lr * check_number("warmup_lr_rate", warmup_lr_rate, 0.0, 1.0)
    # rate + (1 - rate) * t / max(1, w - 1): reaches lr at t = w - 1.
    warm = linear_warmup(lr, w - 1, start=start) if w >= 2 else constant(start)
    return _chain([(warm, w), (decay, 0)])


def _hf_warmup_stable_decay(
    lr: float,
    num_warmup_steps: int,
    num_decay_steps: int,
    num_training_steps: int | None = None,
    num_stable_steps: int | None = None,
    warmup_type: str = "linear",
    decay_type: str = "cosine",
    min_lr_ratio: float = 0.0,
    num_cycles: float = 0.5,
) -> Schedule:
    w = check_int("num_warmup_steps", num_warmup_steps, 0)
    d = check_int("num_decay_steps", num_decay_steps, 1)
    if num_stable_steps is None:
        if num_training_steps is None:
            raise ValueError("num_training_steps or num_stable_steps must be given, got neither")
        s = check_int("num_training_steps", num_training_steps, w + d) - w - d
    else:
        s = check_int("num_stable_steps", num_stable_steps, 0)
    if decay_type == "cosine" and num_cycles != 0.5:
        raise ValueError(
            f"num_cycles must be 0.5 for an lrlab WSD (a half-cosine decay), got {num_cycles!r}"
        )
    floor = lr * check_number("min_lr_ratio", min_lr_ratio, 0.0, 1.0)
    # HF warms up from min_lr_ratio * lr, not from 0, and holds the floor after the decay.
    return wsd(lr, w + s + d, w, d, floor, decay_type, start=floor, warmup_shape=warmup_type)


def _hf_no_schedule(lr: float, **kwargs: Any) -> Schedule:
    raise ValueError(
        "this HF scheduler type follows the loss, not the step: it has no fixed schedule"
    )


_HF: dict[str, Callable[..., Schedule]] = {
    "linear": _hf_linear,
    "cosine": _hf_cosine,
    "cosine_with_restarts": _hf_cosine_with_restarts,
    "polynomial": _hf_polynomial,
    "constant": _hf_constant,
    "constant_with_warmup": _hf_constant_with_warmup,
    "inverse_sqrt": _hf_inverse_sqrt,
    "cosine_with_min_lr": _hf_cosine_with_min_lr,
    "cosine_warmup_with_min_lr": _hf_cosine_warmup_with_min_lr,
    "warmup_stable_decay": _hf_warmup_stable_decay,
}

#: The Hugging Face ``lr_scheduler_type`` names :func:`from_hf` translates.
HF_TYPES = tuple(_HF)


def from_hf(
    name: str,
    lr: float,
    num_warmup_steps: int | None = None,
    num_training_steps: int | None = None,
    **kwargs: Any,
) -> Schedule:
    """The lrlab schedule of Hugging Face's ``get_scheduler(name, ...)``.

    ``kwargs`` are the scheduler-specific arguments, what ``TrainingArguments``
    calls ``lr_scheduler_kwargs``. HF computes ``lr * lambda(t)``; the values
    here agree with it to a few units in the last place.

    Parameters
    ----------
    name : str
        One of :data:`HF_TYPES` (``reduce_lr_on_plateau`` and ``greedy``
        follow the loss and have no fixed schedule).
    lr : float
        The optimizer's learning rate (``learning_rate``), in ``(0, 1e300]``.
    num_warmup_steps, num_training_steps : int, optional
        As given to ``get_scheduler``; HF's ``num_training_steps`` includes
        the warmup.
    **kwargs
        The scheduler-specific keyword arguments.

    Returns
    -------
    Schedule

    Raises
    ------
    ValueError
        For an unknown name or argument, or a schedule lrlab cannot express
        (a cosine whose half period is not a whole number of steps).

    Examples
    --------
    >>> s = from_hf("linear", 10.0, num_warmup_steps=2, num_training_steps=10)
    >>> s([0, 1, 2, 3, 10]).tolist()
    [0.0, 5.0, 10.0, 8.75, 0.0]
    """
    rate = check_number("lr", lr, 0.0, MAX_LR, closed="(]")
    if name in ("reduce_lr_on_plateau", "greedy"):
        return _hf_no_schedule(rate)
    args = dict(kwargs)
    handler = _HF.get(name)
    if handler is not None:
        params = inspect.signature(handler).parameters
        if "num_warmup_steps" in params:
            if num_warmup_steps is None and name != "constant":
                raise ValueError(f"num_warmup_steps must be given for {name!r}, got None")
            args["num_warmup_steps"] = num_warmup_steps
        args["num_training_steps"] = num_training_steps
    return _call({k: _bind_lr(v, rate) for k, v in _HF.items()}, "HF lr_scheduler_type", name, args)


def _bind_lr(handler: Callable[..., Schedule], lr: float) -> Callable[..., Schedule]:
    def bound(**kwargs: Any) -> Schedule:
        return handler(lr, **kwargs)

    params = [p for name, p in inspect.signature(handler).parameters.items() if name != "lr"]
    bound.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return bound


def to_hf(schedule: Schedule) -> tuple[str, dict[str, Any]] | None:
    """The Hugging Face scheduler type and arguments that reproduce ``schedule``, if any.

    Returns ``(name, kwargs)`` with ``num_warmup_steps``,
    ``num_training_steps`` and the scheduler-specific arguments, such that
    ``from_hf(name, peak, **kwargs)`` equals ``schedule`` on
    ``[0, num_training_steps]``. Past that step HF's cosines climb back while
    lrlab's hold their floor. ``None`` when no HF type matches.

    Parameters
    ----------
    schedule : Schedule

    Returns
    -------
    tuple or None

    Examples
    --------
    >>> from lrlab import warmup_cosine
    >>> name, kwargs = to_hf(warmup_cosine(3e-4, total_steps=1000, warmup_steps=100, floor=3e-5))
    >>> name, kwargs["num_training_steps"], kwargs["min_lr_rate"]
    ('cosine_with_min_lr', 1000, 0.1)
    """
    schedule = check_instance("schedule", schedule, Schedule, "an lrlab Schedule")
    if isinstance(schedule, constant):
        return "constant", {}
    if isinstance(schedule, linear_warmup) and schedule.start == 0 and schedule.shape == "linear":
        return "constant_with_warmup", {"num_warmup_steps": schedule.warmup_steps}
    if isinstance(schedule, wsd):
        if schedule.decay == "exponential" or schedule.peak == 0:
            return None
        if schedule.warmup_steps and schedule.start != schedule.floor:
            return None
        return "warmup_stable_decay", {
            "num_warmup_steps": schedule.warmup_steps,
            "num_training_steps": schedule.total_steps,
            "num_decay_steps": schedule.decay_steps,
            "warmup_type": schedule.warmup_shape,
            "decay_type": schedule.decay,
            "min_lr_ratio": schedule.floor / schedule.peak,
        }
    w, body = 0, schedule
    if (
        isinstance(schedule, warmup_cosine)
        and schedule.start == 0
        and schedule.warmup_shape == "linear"
    ):
        w = schedule.warmup_steps
        body = cosine(schedule.peak, schedule.total_steps - w, schedule.floor)
    elif isinstance(schedule, join) and len(schedule.schedules) == 2:
        first, second = schedule.schedules
        if (
            isinstance(first, linear_warmup)
            and first.start == 0
            and first.shape == "linear"
            and first.warmup_steps == schedule.boundaries[0]
        ):
            w, body = first.warmup_steps, second
    return _hf_body(body, w)


def _hf_body(body: Schedule, w: int) -> tuple[str, dict[str, Any]] | None:
    """The HF type of a decay that follows ``w`` warmup steps, if one matches."""
    if not isinstance(body, cosine | linear_decay | polynomial):
        return None
    steps = {"num_warmup_steps": w, "num_training_steps": w + body.total_steps}
    if isinstance(body, cosine) and body.peak > 0:
        if body.floor == 0:
            return "cosine", steps
        return "cosine_with_min_lr", {**steps, "min_lr_rate": body.floor / body.peak}
    if isinstance(body, linear_decay) and body.end == 0:
        return "linear", steps
    if isinstance(body, polynomial) and body.end < body.start:
        return "polynomial", {**steps, "lr_end": body.end, "power": body.power}
    return None


# --------------------------------------------------------------------- timm


def _timm_compose(
    lr: float, main: Schedule, warmup_t: int, warmup_lr_init: float, warmup_prefix: bool
) -> Schedule:
    w = check_int("warmup_t", warmup_t, 0)
    if not w:
        return main
    start = check_number("warmup_lr_init", warmup_lr_init, 0.0, lr)
    # With warmup_prefix the main schedule restarts at 0 after the warmup;
    # without, it runs on the same clock and the warmup covers its first steps.
    after = main if warmup_prefix else shift(main, w)
    return join([linear_warmup(lr, w, start=start), after], [w])


def _timm_cosine(
    lr: float,
    t_initial: int,
    lr_min: float = 0.0,
    cycle_mul: float = 1.0,
    cycle_decay: float = 1.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    k_decay: float = 1.0,
    t_in_epochs: bool = True,
) -> Schedule:
    if k_decay != 1.0:
        raise ValueError(
            f"k_decay must be 1.0 for an lrlab cosine (t**k is not one), got {k_decay!r}"
        )
    mult = _whole("cycle_mul (lrlab counts cycles with integers)", float(cycle_mul))
    main = cosine_cycles(
        lr, t_initial, mult, floor=lr_min, decay=cycle_decay, decay_of="peak", cycles=cycle_limit
    )
    return _timm_compose(lr, main, warmup_t, warmup_lr_init, warmup_prefix)


def _timm_step(
    lr: float,
    decay_t: int,
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
) -> Schedule:
    main = step_decay(lr, decay_t, decay_rate)
    return _timm_compose(lr, main, warmup_t, warmup_lr_init, warmup_prefix)


def _timm_multistep(
    lr: float,
    decay_t: Sequence[int],
    decay_rate: float = 1.0,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = True,
    t_in_epochs: bool = True,
) -> Schedule:
    marks = [check_int("decay_t", m, 0) for m in decay_t]
    # timm counts bisect_right(decay_t, t + 1): milestone m already applies at t = m - 1.
    main: Schedule = multistep(lr, [max(m - 1, 0) for m in marks], decay_rate)
    if not warmup_t and marks and min(marks) <= 1:
        # Update 0 still runs at the base rate the constructor set.
        main = join([constant(lr), shift(main, 1)], [1])
    return _timm_compose(lr, main, warmup_t, warmup_lr_init, warmup_prefix)


def _timm_poly(
    lr: float,
    t_initial: int,
    power: float = 0.5,
    lr_min: float = 0.0,
    cycle_limit: int = 1,
    warmup_t: int = 0,
    warmup_lr_init: float = 0.0,
    warmup_prefix: bool = False,
    k_decay: float = 1.0,
    t_in_epochs: bool = True,
) -> Schedule:
    if cycle_limit != 1 or k_decay != 1.0:
        raise ValueError(
            f"cycle_limit must be 1 and k_decay 1.0 for an lrlab polynomial, "
            f"got cycle_limit={cycle_limit!r}, k_decay={k_decay!r}"
        )
    main = polynomial(lr, t_initial, power, lr_min)
    return _timm_compose(lr, main, warmup_t, warmup_lr_init, warmup_prefix)


_TIMM: dict[str, Callable[..., Schedule]] = {
    "CosineLRScheduler": _timm_cosine,
    "StepLRScheduler": _timm_step,
    "MultiStepLRScheduler": _timm_multistep,
    "PolyLRScheduler": _timm_poly,
}


def from_timm(name: str, lr: float, **kwargs: Any) -> Schedule:
    """The lrlab schedule of a timm scheduler, on timm's own clock.

    timm's loop calls ``scheduler.step(epoch + 1)`` at the end of each epoch
    (``step_update(num_updates)`` after each update with ``t_in_epochs=False``),
    so epoch ``t`` runs at ``_get_lr(t)``: the value here at ``t``.
    ``MultiStepLRScheduler`` counts ``bisect_right(decay_t, t + 1)``, so each
    milestone ``m`` takes effect at ``t = m - 1``.

    Parameters
    ----------
    name : {"CosineLRScheduler", "StepLRScheduler", "MultiStepLRScheduler", "PolyLRScheduler"}
    lr : float
        The optimizer's learning rate, in ``(0, 1e300]``.
    **kwargs
        The scheduler's arguments (noise arguments are not supported).

    Returns
    -------
    Schedule

    Examples
    --------
    >>> from_timm("MultiStepLRScheduler", 0.1, decay_t=[3], decay_rate=0.5)([0, 1, 2, 3]).tolist()
    [0.1, 0.1, 0.05, 0.05]
    """
    rate = check_number("lr", lr, 0.0, MAX_LR, closed="(]")
    return _call(
        {k: _bind_lr(v, rate) for k, v in _TIMM.items()}, "timm scheduler", name, dict(kwargs)
    )


# -------------------------------------------------------------------- optax


def _optax_linear(
    init_value: float, end_value: float, transition_steps: int, transition_begin: int = 0
) -> Schedule:
    return _optax_polynomial(init_value, end_value, 1.0, transition_steps, transition_begin)


def _optax_polynomial(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    if transition_steps <= 0:
        return constant(init_value)
    if end_value > init_value:
        if power != 1:
            raise ValueError(
                f"end_value must be <= init_value for a polynomial with power != 1, "
                f"got {end_value!r} > {init_value!r}"
            )
        body: Schedule = linear_warmup(end_value, transition_steps, start=init_value)
    else:
        body = polynomial(init_value, transition_steps, power, end_value)
    return _chain([(constant(init_value), max(transition_begin, 0)), (body, 0)])


def _optax_piecewise_constant(
    init_value: float, boundaries_and_scales: Mapping[int, float] | None = None
) -> Schedule:
    # optax switches at the boundary itself: t >= b uses the new value.
    values, pieces, previous = init_value, [], 0
    for bound, scale in sorted((boundaries_and_scales or {}).items()):
        b = check_int("boundaries_and_scales key", bound, 0)
        pieces.append((constant(values), b - previous))
        values *= check_number("boundaries_and_scales value", scale, 0.0, math.inf)
        previous = b
    return _chain([*pieces, (constant(values), 0)])


def _optax_exponential(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    if transition_steps <= 0 or decay_rate == 0:
        return constant(init_value)
    body = exponential_rate(init_value, decay_rate, transition_steps, staircase)
    out = _chain([(constant(init_value), max(transition_begin, 0)), (body, 0)])
    if end_value is None:
        return out
    # end_value is a floor when decaying and a ceiling otherwise, over the whole schedule.
    return clip(out, low=end_value) if decay_rate < 1 else clip(out, high=end_value)


def _optax_cosine_decay(
    init_value: float, decay_steps: int, alpha: float = 0.0, exponent: float = 1.0
) -> Schedule:
    if exponent != 1.0:
        raise ValueError(f"exponent must be 1.0 for an lrlab cosine, got {exponent!r}")
    return cosine(init_value, check_int("decay_steps", decay_steps, 1), alpha * init_value)


def _optax_warmup_cosine(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    if exponent != 1.0:
        raise ValueError(f"exponent must be 1.0 for an lrlab cosine, got {exponent!r}")
    w = check_int("warmup_steps", warmup_steps, 0)
    # decay_steps counts the warmup too.
    n = check_int("decay_steps", decay_steps, w + 1)
    if init_value <= peak_value:
        return warmup_cosine(peak_value, n, w, end_value, start=init_value)
    return _chain(
        [(_segment(init_value, peak_value, w), w), (cosine(peak_value, n - w, end_value), 0)]
    )


def _optax_warmup_constant(init_value: float, peak_value: float, warmup_steps: int) -> Schedule:
    return _optax_linear(init_value, peak_value, warmup_steps)


def _optax_warmup_exponential(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    w = check_int("warmup_steps", warmup_steps, 0)
    decay = _optax_exponential(
        peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value
    )
    return _chain([(_optax_linear(init_value, peak_value, w), w), (decay, 0)])


def _optax_piecewise_interpolate(
    interpolate_type: str,
    init_value: float,
    boundaries_and_scales: Mapping[int, float] | None = None,
) -> Schedule:
    if interpolate_type not in ("linear", "cosine"):
        raise ValueError(f"interpolate_type must be 'linear' or 'cosine', got {interpolate_type!r}")
    items = sorted((boundaries_and_scales or {}).items())
    bounds = [0] + [check_int("boundaries_and_scales key", b, 0) for b, _ in items]
    values = [init_value]
    for _, scale in items:
        values.append(
            values[-1] * check_number("boundaries_and_scales value", scale, 0.0, math.inf)
        )
    pieces = [
        (
            _segment(values[i], values[i + 1], bounds[i + 1] - bounds[i], interpolate_type),
            bounds[i + 1] - bounds[i],
        )
        for i in range(len(items))
        if bounds[i + 1] > bounds[i]
    ]
    return _chain([*pieces, (constant(values[-1]), 0)])


def _optax_cosine_onecycle(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    n = check_int("transition_steps", transition_steps, 1)
    # The peak sits at int(pct_start * transition_steps), not torch's pct * T - 1.
    return _optax_piecewise_interpolate(
        "cosine",
        peak_value / div_factor,
        {int(pct_start * n): div_factor, n: 1.0 / (div_factor * final_div_factor)},
    )


def _optax_linear_onecycle(
    transition_steps: int,
    peak_value: float,
    pct_start: float = 0.3,
    pct_final: float = 0.85,
    div_factor: float = 25.0,
    final_div_factor: float = 1e4,
) -> Schedule:
    n = check_int("transition_steps", transition_steps, 1)
    return _optax_piecewise_interpolate(
        "linear",
        peak_value / div_factor,
        {
            int(pct_start * n): div_factor,
            int(pct_final * n): 1.0 / div_factor,
            n: 1.0 / final_div_factor,
        },
    )


def _optax_sgdr(cosine_kwargs: Sequence[Mapping[str, Any]]) -> Schedule:
    pieces = []
    for kwargs in cosine_kwargs:
        pieces.append(
            (_optax_warmup_cosine(**kwargs), check_int("decay_steps", kwargs["decay_steps"], 1))
        )
    return _chain([*pieces[:-1], (pieces[-1][0], 0)])


_OPTAX: dict[str, Callable[..., Schedule]] = {
    "constant_schedule": lambda value: constant(value),
    "linear_schedule": _optax_linear,
    "polynomial_schedule": _optax_polynomial,
    "piecewise_constant_schedule": _optax_piecewise_constant,
    "exponential_decay": _optax_exponential,
    "cosine_decay_schedule": _optax_cosine_decay,
    "warmup_constant_schedule": _optax_warmup_constant,
    "warmup_cosine_decay_schedule": _optax_warmup_cosine,
    "warmup_exponential_decay_schedule": _optax_warmup_exponential,
    "piecewise_interpolate_schedule": _optax_piecewise_interpolate,
    "cosine_onecycle_schedule": _optax_cosine_onecycle,
    "linear_onecycle_schedule": _optax_linear_onecycle,
    "sgdr_schedule": _optax_sgdr,
}


def from_optax(name: str, **kwargs: Any) -> Schedule:
    """The lrlab schedule of ``optax.<name>(**kwargs)``.

    optax calls the schedule on the update count before incrementing it, so
    its value at ``t`` is the rate of update ``t``. Its one-cycle schedules
    peak at ``int(pct_start * transition_steps)``, one step later than torch's
    ``OneCycleLR`` (``pct_start * total_steps - 1``), and its piecewise
    constant switches at the boundary itself.

    Parameters
    ----------
    name : str
        An optax schedule function, e.g. ``"warmup_cosine_decay_schedule"``.
    **kwargs
        Its arguments.

    Returns
    -------
    Schedule

    Examples
    --------
    >>> s = from_optax("cosine_onecycle_schedule", transition_steps=5, peak_value=1000.0,
    ...                pct_start=0.4, div_factor=10.0, final_div_factor=100.0)
    >>> [round(v, 6) for v in s([0, 1, 2, 3, 4, 5, 6]).tolist()]
    [100.0, 550.0, 1000.0, 750.25, 250.75, 1.0, 1.0]
    """
    return _call(_OPTAX, "optax schedule", name, dict(kwargs))


# -------------------------------------------------------------------- Keras


def _keras_exponential(
    initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False
) -> Schedule:
    return exponential_rate(initial_learning_rate, decay_rate, decay_steps, staircase)


def _keras_piecewise(boundaries: Sequence[int], values: Sequence[float]) -> Schedule:
    if len(boundaries) != len(values) - 1:
        raise ValueError(
            f"values must hold len(boundaries) + 1 = {len(boundaries) + 1} numbers, "
            f"got {len(values)}"
        )
    # Keras keeps values[i] while step <= boundaries[i]: the switch is at b + 1.
    pieces, previous = [], 0
    for b, v in zip(boundaries, values[:-1], strict=True):
        switch = check_int("boundaries", b, 0) + 1
        pieces.append((constant(v), switch - previous))
        previous = switch
    return _chain([*pieces, (constant(values[-1]), 0)])


def _keras_polynomial(
    initial_learning_rate: float,
    decay_steps: int,
    end_learning_rate: float = 0.0001,
    power: float = 1.0,
    cycle: bool = False,
) -> Schedule:
    if cycle:
        raise ValueError(
            "cycle must be False: Keras's cycling polynomial stretches its decay to the next "
            "multiple of decay_steps, which no lrlab family does"
        )
    return polynomial(initial_learning_rate, decay_steps, power, end_learning_rate)


def _keras_inverse_time(
    initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False
) -> Schedule:
    return inverse_time(initial_learning_rate, decay_steps, decay_rate, staircase=staircase)


def _keras_cosine(
    initial_learning_rate: float,
    decay_steps: int,
    alpha: float = 0.0,
    warmup_target: float | None = None,
    warmup_steps: int = 0,
) -> Schedule:
    if warmup_target is None:
        return cosine(initial_learning_rate, decay_steps, alpha * initial_learning_rate)
    w = check_int("warmup_steps", warmup_steps, 0)
    d = check_int("decay_steps", decay_steps, 1)
    # decay_steps excludes the warmup; the warmup starts at initial_learning_rate.
    floor = alpha * warmup_target
    if initial_learning_rate <= warmup_target:
        return warmup_cosine(warmup_target, w + d, w, floor, start=initial_learning_rate)
    return _chain(
        [
            (_segment(initial_learning_rate, warmup_target, w), w),
            (cosine(warmup_target, d, floor), 0),
        ]
    )


def _keras_cosine_restarts(
    initial_learning_rate: float,
    first_decay_steps: int,
    t_mul: float = 2.0,
    m_mul: float = 1.0,
    alpha: float = 0.0,
) -> Schedule:
    mult = _whole("t_mul (lrlab counts cycles with integers)", float(t_mul))
    return cosine_cycles(
        initial_learning_rate,
        first_decay_steps,
        mult,
        floor=alpha * initial_learning_rate,
        decay=m_mul,
        decay_of="amplitude",
    )


_KERAS: dict[str, Callable[..., Schedule]] = {
    "ExponentialDecay": _keras_exponential,
    "PiecewiseConstantDecay": _keras_piecewise,
    "PolynomialDecay": _keras_polynomial,
    "InverseTimeDecay": _keras_inverse_time,
    "CosineDecay": _keras_cosine,
    "CosineDecayRestarts": _keras_cosine_restarts,
}


def from_keras(name: str, **kwargs: Any) -> Schedule:
    """The lrlab schedule of ``keras.optimizers.schedules.<name>(**kwargs)``.

    Keras evaluates the schedule at ``optimizer.iterations`` before
    incrementing it. ``PiecewiseConstantDecay`` keeps the old value at the
    boundary step itself; ``CosineDecay``'s ``decay_steps`` excludes the
    warmup, unlike HF's ``num_training_steps``.

    Parameters
    ----------
    name : str
        A Keras schedule class name, e.g. ``"CosineDecay"``.
    **kwargs
        Its arguments (``name=`` is not needed).

    Returns
    -------
    Schedule

    Examples
    --------
    >>> s = from_keras("PiecewiseConstantDecay", boundaries=[1, 2], values=[0.4, 0.5, 0.6])
    >>> s([0, 1, 2, 3]).tolist()
    [0.4, 0.4, 0.5, 0.6]
    """
    return _call(_KERAS, "Keras schedule", name, dict(kwargs))


# ------------------------------------------------------------------- fastai


def _fastai_one_cycle(
    lr_max: float,
    n_epoch: int,
    steps_per_epoch: int,
    div: float = 25.0,
    div_final: float = 1e5,
    pct_start: float = 0.25,
) -> Schedule:
    n = check_int("n_epoch", n_epoch, 1) * check_int("steps_per_epoch", steps_per_epoch, 1)
    pct = check_number("pct_start", pct_start, 0.0, 1.0, closed=False)
    return phases([(lr_max / div, lr_max), (lr_max, lr_max / div_final)], [pct, 1 - pct], n)


def _fastai_flat_cos(
    lr: float, n_epoch: int, steps_per_epoch: int, div_final: float = 1e5, pct_start: float = 0.75
) -> Schedule:
    n = check_int("n_epoch", n_epoch, 1) * check_int("steps_per_epoch", steps_per_epoch, 1)
    pct = check_number("pct_start", pct_start, 0.0, 1.0, closed=False)
    return phases([(lr, lr), (lr, lr / div_final)], [pct, 1 - pct], n)


def _fastai_sgdr(
    lr_max: float, n_cycles: int, cycle_len: int, steps_per_epoch: int, cycle_mult: int = 2
) -> Schedule:
    cycles = check_int("n_cycles", n_cycles, 1)
    length = check_int("cycle_len", cycle_len, 1)
    mult = check_int("cycle_mult", cycle_mult, 2)
    n_epoch = length * (mult**cycles - 1) // (mult - 1)
    shares = [length * mult**i / n_epoch for i in range(cycles)]
    return phases(
        [(lr_max, 0.0)] * cycles, shares, n_epoch * check_int("steps_per_epoch", steps_per_epoch, 1)
    )


_FASTAI: dict[str, Callable[..., Schedule]] = {
    "fit_one_cycle": _fastai_one_cycle,
    "fit_flat_cos": _fastai_flat_cos,
    "fit_sgdr": _fastai_sgdr,
}


def from_fastai(name: str, **kwargs: Any) -> Schedule:
    """The lrlab schedule of fastai's ``Learner.<name>``, per update.

    fastai sets the rate of update ``t`` of ``N = n_epoch * steps_per_epoch``
    at the position ``t / N`` (``ParamScheduler.before_batch``), so the last
    update runs at ``(N - 1) / N`` and the final value (``lr_max /
    div_final``) is never applied. fastai accumulates that position by
    repeated addition and finds the phase in float32 (``combine_scheds``
    works on a tensor), so its rates agree with these to about 1e-6
    relative, not to the last bit.

    Parameters
    ----------
    name : {"fit_one_cycle", "fit_flat_cos", "fit_sgdr"}
    **kwargs
        Its arguments, plus ``steps_per_epoch`` (``len(dls.train)``).

    Returns
    -------
    Schedule

    Examples
    --------
    >>> s = from_fastai("fit_one_cycle", lr_max=1e-2, n_epoch=2, steps_per_epoch=10)
    >>> round(s(0), 12), s(5)
    (0.0004, 0.01)
    """
    return _call(_FASTAI, "fastai schedule", name, dict(kwargs))
