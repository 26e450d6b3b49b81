"""Hypothesis properties of the schedules: bounds, continuity, monotonicity, periodicity."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import lrlab
from lrlab import (
    Schedule,
    clip,
    constant,
    cosine,
    cosine_cycles,
    cosine_restarts,
    cyclical,
    exponential,
    exponential_rate,
    inverse_sqrt,
    inverse_time,
    join,
    linear_decay,
    linear_warmup,
    multistep,
    one_cycle,
    phases,
    polynomial,
    product,
    scale,
    shift,
    step_decay,
    warmup_cosine,
    with_warmup,
    wsd,
)
from lrlab._checks import MAX_LR
from lrlab.cli import parse_schedule
from lrlab.schedules import MAX_STEP

PROPERTY = settings(max_examples=60, deadline=None)
TINY = 1e-12  # relative slack for one or two roundings

lrs = st.floats(1e-7, 10.0)
fractions = st.floats(0.0, 1.0)
lengths = st.integers(1, 3000)


@st.composite
def peak_floor(draw) -> tuple[float, float]:
    peak = draw(lrs)
    return peak, peak * draw(fractions)


@st.composite
def family_schedule(draw, family: type[Schedule]) -> Schedule:
    """A schedule of ``family`` with a random valid configuration."""
    peak, floor = draw(peak_floor())
    n = draw(st.integers(2, 3000))
    w = draw(st.integers(0, n - 1))
    return FAMILIES[family](draw, peak, floor, n, w)


@st.composite
def any_schedule(draw) -> Schedule:
    family = draw(st.sampled_from(sorted(FAMILIES, key=lambda f: f.__name__)))
    return draw(family_schedule(family))


def shares(draw, k: int) -> list[float]:
    """``k`` random shares of a run, each > 0, summing to 1 within a rounding."""
    weights = draw(st.lists(st.integers(1, 9), min_size=k, max_size=k))
    out = [x / sum(weights) for x in weights]
    out[-1] = 1.0 - math.fsum(out[:-1])
    return out


def inner(d, p, f, n, w) -> Schedule:
    """A schedule for the combinators: with a run length, open-ended, with momentum or max_steps."""
    return d(
        st.sampled_from(
            [
                warmup_cosine(p, n, w, f),
                cosine_restarts(p, max(w, 1), 2, f),
                cyclical(f, p, max(w, 1)),
                one_cycle(p, n + 10),
            ]
        )
    )


def some_phases(d, p: float, n: int) -> phases:
    k = d(st.integers(1, 4))
    pairs = [(p * d(fractions), p * d(fractions)) for _ in range(k)]
    return phases(pairs, shares(d, k), n, d(st.sampled_from(lrlab.schedules.ANNEAL_STRATEGIES)))


def some_shift(d, schedule: Schedule, n: int) -> shift:
    limit = n if schedule.max_steps is None else min(n, schedule.max_steps - 1)
    return shift(schedule, d(st.integers(0, limit)))


def some_clip(d, schedule: Schedule, p: float) -> clip:
    low = p * d(fractions)
    return clip(schedule, low, d(st.one_of(st.none(), st.floats(low, p))))


# One strategy per public family: every one is property-tested (tests/test_public_api.py).
FAMILIES = {
    constant: lambda d, p, f, n, w: constant(p),
    linear_warmup: lambda d, p, f, n, w: linear_warmup(
        p, max(w, 1), f, d(st.sampled_from(lrlab.schedules.WARMUP_SHAPES))
    ),
    step_decay: lambda d, p, f, n, w: step_decay(p, max(w, 1), d(st.floats(0.01, 1.0))),
    multistep: lambda d, p, f, n, w: multistep(
        p, sorted(d(st.lists(st.integers(0, n), max_size=5))), 0.5
    ),
    exponential: lambda d, p, f, n, w: exponential(p, d(st.floats(0.99, 1.0))),
    exponential_rate: lambda d, p, f, n, w: exponential_rate(
        p, d(st.floats(0.5, 1.0)), max(w, 1), d(st.booleans())
    ),
    linear_decay: lambda d, p, f, n, w: linear_decay(p, f, n),
    polynomial: lambda d, p, f, n, w: polynomial(p, n, d(st.floats(0.0, 4.0)), f),
    inverse_time: lambda d, p, f, n, w: inverse_time(
        p, max(w, 1), d(st.floats(0.0, 10.0)), d(st.floats(0.1, 2.0)), d(st.booleans())
    ),
    cosine: lambda d, p, f, n, w: cosine(
        p, n, f, past_end=d(st.sampled_from(["hold", "continue"]))
    ),
    cosine_restarts: lambda d, p, f, n, w: cosine_restarts(p, max(w, 1), d(st.integers(1, 4)), f),
    cosine_cycles: lambda d, p, f, n, w: cosine_cycles(
        p,
        max(w, 1),
        d(st.integers(1, 3)),
        f,
        d(st.floats(0.01, 1.0)),
        d(st.sampled_from(lrlab.schedules.DECAY_OF)),
        d(st.one_of(st.none(), st.integers(1, 3))),
    ),
    cyclical: lambda d, p, f, n, w: cyclical(
        f,
        p,
        max(w, 1),
        d(st.integers(1, 500)),
        d(st.sampled_from(lrlab.schedules.CYCLIC_MODES)),
        d(st.floats(0.99, 1.0)),
    ),
    one_cycle: lambda d, p, f, n, w: one_cycle(
        p,
        n + 10,
        d(st.floats(0.1, 0.45)),
        d(st.floats(1.0, 100.0)),
        d(st.floats(1.0, 1e4)),
        d(st.sampled_from(["cos", "linear"])),
        d(st.booleans()),
    ),
    phases: lambda d, p, f, n, w: some_phases(d, p, n),
    warmup_cosine: lambda d, p, f, n, w: warmup_cosine(p, n, w, f),
    wsd: lambda d, p, f, n, w: wsd(
        p,
        n,
        w,
        d(st.integers(1, n - w)),
        max(f, p * 1e-6),
        d(st.sampled_from(lrlab.schedules.DECAY_SHAPES)),
    ),
    inverse_sqrt: lambda d, p, f, n, w: inverse_sqrt(d(st.integers(1, 4096)), max(w, 1)),
    join: lambda d, p, f, n, w: join([linear_warmup(p, max(w, 1)), cosine(p, n, f)], [max(w, 1)]),
    with_warmup: lambda d, p, f, n, w: with_warmup(cosine(p, n, f), max(w, 1), f),
    scale: lambda d, p, f, n, w: scale(cosine(p, n, f), d(st.floats(0.0, 3.0))),
    shift: lambda d, p, f, n, w: some_shift(d, inner(d, p, f, n, w), n),
    clip: lambda d, p, f, n, w: some_clip(d, inner(d, p, f, n, w), p),
    product: lambda d, p, f, n, w: product(
        [inner(d, p, f, n, w), linear_decay(1.0, d(fractions), n)]
    ),
}


def steps_for(schedule: Schedule) -> np.ndarray:
    """Twice the run (6000 steps if open-ended), up to ``max_steps`` (one_cycle's ``T``)."""
    end = schedule.total_steps if schedule.total_steps is not None else 6000
    last = 2 * end if schedule.max_steps is None else min(2 * end, schedule.max_steps)
    return np.arange(last + 1)


# ------------------------------------------------------ general contract


@PROPERTY
@given(any_schedule(), st.data())
def test_vectorised_equals_element_wise(schedule: Schedule, data) -> None:
    t = steps_for(schedule)
    picks = data.draw(st.lists(st.integers(0, int(t[-1])), min_size=1, max_size=40))
    values = schedule(np.array(picks))
    assert values.tolist() == [schedule(p) for p in picks]
    assert schedule(t)[picks].tolist() == values.tolist()


@PROPERTY
@given(any_schedule())
def test_repr_round_trips_with_identical_values(schedule: Schedule) -> None:
    rebuilt = eval(repr(schedule), vars(lrlab))
    assert rebuilt == schedule
    t = steps_for(schedule)
    assert np.array_equal(rebuilt(t), schedule(t))
    # python -m lrlab show reads the same repr without eval
    assert parse_schedule(repr(schedule)) == schedule


@PROPERTY
@given(any_schedule())
def test_values_are_finite_and_non_negative(schedule: Schedule) -> None:
    values = schedule(steps_for(schedule)[:-1])
    assert np.all(np.isfinite(values))
    assert np.all(values >= 0)


# ----------------------------------------------------------------- bounds


@PROPERTY
@given(peak_floor(), lengths, st.integers(0, 2999), st.sampled_from(lrlab.schedules.DECAY_SHAPES))
def test_wsd_bounds_and_exact_ends(pf, n, w, decay) -> None:
    peak, floor = pf
    n = n + w + 1
    d = n - w
    floor = max(floor, peak * 1e-6)
    s = wsd(peak, n, w, d, floor, decay)
    values = s(np.arange(n + 50))
    assert values.min() >= 0 and values.max() <= peak * (1 + TINY)
    assert np.all(values[w:] >= floor * (1 - TINY))
    assert math.isclose(s(n - d), peak, rel_tol=TINY)
    assert s(n) == floor or decay == "cosine"
    assert np.all(values[n:] == values[n])


@PROPERTY
@given(peak_floor(), lengths, st.integers(0, 2999))
def test_warmup_cosine_bounds(pf, n, w) -> None:
    peak, floor = pf
    n = n + w
    s = warmup_cosine(peak, n, w, floor, start=floor)
    values = s(np.arange(2 * n))
    assert np.all(values >= floor * (1 - TINY))
    assert np.all(values <= peak * (1 + TINY))
    assert s(w) == peak or math.isclose(s(w), peak, rel_tol=TINY)


@PROPERTY
@given(
    peak_floor(),
    st.integers(1, 500),
    st.integers(1, 500),
    st.sampled_from(lrlab.schedules.CYCLIC_MODES),
    st.floats(0.999, 1.0),
)
def test_cyclical_bounds(pf, up, down, mode, gamma) -> None:
    peak, base = pf
    s = cyclical(base, peak, up, down, mode, gamma)
    t = np.arange(5 * (up + down) + 1)
    values = s(t)
    assert np.all(values >= base * (1 - TINY))
    assert np.all(values <= peak * (1 + TINY))
    m = s.momentum(t)
    assert np.all((m >= 0.8 - TINY) & (m <= 0.9 + TINY))


@PROPERTY
@given(
    lrs,
    st.integers(20, 5000),
    st.floats(0.1, 0.45),
    st.floats(1.0, 100.0),
    st.sampled_from(["cos", "linear"]),
    st.booleans(),
)
def test_one_cycle_bounds(peak, n, pct, div, anneal, three) -> None:
    s = one_cycle(peak, n, pct, div, 1e4, anneal, three)
    t = np.arange(n)  # step n extrapolates past the last phase, as in torch
    values = s(t)
    low = peak / div / 1e4
    assert np.all(values >= low * (1 - 1e-9))
    assert np.all(values <= peak * (1 + TINY))
    m = s.momentum(t)
    assert np.all((m >= 0.85 - TINY) & (m <= 0.95 + TINY))


@PROPERTY
@given(st.integers(1, 4096), st.integers(1, 5000))
def test_inverse_sqrt_peaks_at_warmup(d_model, w) -> None:
    s = inverse_sqrt(d_model, w)
    values = s(np.arange(3 * w + 1))
    assert int(np.argmax(values)) == w
    assert values.max() == s.peak


# ------------------------------------------------------------- continuity


def max_jump(values: np.ndarray) -> float:
    return float(np.max(np.abs(np.diff(values))))


@PROPERTY
@given(peak_floor(), st.integers(2, 3000), st.integers(1, 2999))
def test_warmup_cosine_has_no_jump_at_the_boundary(pf, n, w) -> None:
    peak, floor = pf
    n = n + w
    s = warmup_cosine(peak, n, w, floor)
    slope = max(peak / w, (peak - floor) * math.pi / 2 / (n - w))
    assert max_jump(s(np.arange(n + 5))) <= slope * (1 + 1e-9) + peak * TINY


@PROPERTY
@given(
    peak_floor(),
    st.integers(1, 1000),
    st.integers(0, 1000),
    st.integers(1, 1000),
    st.sampled_from(["linear", "cosine"]),
)
def test_wsd_has_no_jump_at_the_boundaries(pf, w, stable, d, decay) -> None:
    peak, floor = pf
    n = w + stable + d
    s = wsd(peak, n, w, d, floor, decay)
    slope = max(peak / w, (peak - floor) * math.pi / 2 / d)
    assert max_jump(s(np.arange(n + 5))) <= slope * (1 + 1e-9) + peak * TINY


@PROPERTY
@given(lrs, st.integers(20, 3000), st.floats(0.1, 0.45), st.booleans())
def test_one_cycle_has_no_jump(peak, n, pct, three) -> None:
    s = one_cycle(peak, n, pct, three_phase=three, anneal="linear")
    shortest = float(pct * n) - 1
    assert max_jump(s(np.arange(n))) <= peak / shortest * (1 + 1e-9) + peak * TINY


@PROPERTY
@given(peak_floor(), st.integers(1, 500), st.integers(1, 500))
def test_cyclical_has_no_jump(pf, up, down) -> None:
    peak, base = pf
    s = cyclical(base, peak, up, down)
    slope = (peak - base) / min(up, down)
    assert max_jump(s(np.arange(4 * (up + down)))) <= slope * (1 + 1e-9) + peak * TINY


# ------------------------------------------------------------ monotonicity


def non_increasing(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) <= 0))


def non_decreasing(values: np.ndarray) -> bool:
    return bool(np.all(np.diff(values) >= 0))


@PROPERTY
@given(peak_floor(), lengths, st.floats(0.0, 4.0))
def test_decays_are_monotone(pf, n, power) -> None:
    peak, floor = pf
    t = np.arange(n + 20)
    assert non_increasing(cosine(peak, n, floor)(t))
    assert non_increasing(linear_decay(peak, floor, n)(t))
    assert non_increasing(polynomial(peak, n, power, floor)(t))
    assert non_increasing(step_decay(peak, max(n // 7, 1), 0.5)(t))
    assert non_increasing(exponential(peak, 0.999)(t))
    assert non_increasing(exponential_rate(peak, 0.5, max(n // 7, 1))(t))
    assert non_increasing(exponential_rate(peak, 0.5, max(n // 7, 1), staircase=True)(t))
    assert non_increasing(inverse_time(peak, max(n // 7, 1), 1.0, power)(t) if power else t[:0])


@PROPERTY
@given(peak_floor(), lengths, st.integers(1, 2000), st.sampled_from(lrlab.schedules.DECAY_SHAPES))
def test_warmup_rises_and_decay_falls(pf, n, w, decay) -> None:
    peak, floor = pf
    floor = max(floor, peak * 1e-6)
    n = n + w
    s = warmup_cosine(peak, n, w, floor)
    values = s(np.arange(n + 10))
    assert non_decreasing(values[: w + 1])
    assert non_increasing(values[w:])
    s = wsd(peak, n, w, n - w, floor, decay)
    values = s(np.arange(n + 10))
    assert non_decreasing(values[: w + 1])
    assert non_increasing(values[w:])


@PROPERTY
@given(lrs, st.integers(20, 3000), st.floats(0.1, 0.45), st.sampled_from(["cos", "linear"]))
def test_one_cycle_rises_then_falls(peak, n, pct, anneal) -> None:
    s = one_cycle(peak, n, pct, anneal=anneal)
    top = math.floor(float(pct * n) - 1)
    values = s(np.arange(n))
    assert non_decreasing(values[: top + 1])
    assert non_increasing(values[top + 1 :])
    momentum = s.momentum(np.arange(n))
    assert non_increasing(momentum[: top + 1])
    assert non_decreasing(momentum[top + 1 :])


@PROPERTY
@given(st.integers(1, 4096), st.integers(1, 3000))
def test_inverse_sqrt_rises_then_falls(d_model, w) -> None:
    values = inverse_sqrt(d_model, w)(np.arange(4 * w))
    assert non_decreasing(values[: w + 1])
    assert non_increasing(values[w:])


# ------------------------------------------------------------- periodicity


@PROPERTY
@given(peak_floor(), st.integers(1, 500), st.integers(1, 500), st.integers(1, 5))
def test_triangular_is_periodic(pf, up, down, shift) -> None:
    peak, base = pf
    s = cyclical(base, peak, up, down)
    length = up + down
    t = np.arange(length + 1)
    np.testing.assert_allclose(s(t + shift * length), s(t), rtol=1e-9, atol=peak * 1e-12)
    m = s.momentum
    np.testing.assert_allclose(m(t + shift * length), m(t), rtol=1e-9)


@PROPERTY
@given(peak_floor(), st.integers(1, 500), st.integers(1, 500))
def test_triangular2_halves_each_cycle(pf, up, down) -> None:
    peak, base = pf
    s = cyclical(base, peak, up, down, mode="triangular2")
    t = np.arange(up + down)
    first = s(t) - base
    second = s(t + up + down) - base
    np.testing.assert_allclose(second, first / 2, rtol=1e-9, atol=peak * 1e-12)


@PROPERTY
@given(peak_floor(), st.integers(1, 1000), st.integers(1, 5))
def test_restarts_repeat_exactly(pf, period, shift) -> None:
    peak, floor = pf
    s = cosine_restarts(peak, period, 1, floor)
    t = np.arange(period)
    assert np.array_equal(s(t + shift * period), s(t))
    assert np.array_equal(s(t), cosine(peak, period, floor)(t))


@PROPERTY
@given(peak_floor(), st.integers(1, 200), st.integers(2, 4), st.integers(0, 4))
def test_restart_cycles_are_stretched_copies(pf, period, mult, cycle) -> None:
    peak, floor = pf
    s = cosine_restarts(peak, period, mult, floor)
    start = period * (mult**cycle - 1) // (mult - 1)
    length = period * mult**cycle
    assert start in s.cycle_starts(start).tolist()
    k = np.arange(length)
    np.testing.assert_allclose(s(start + k), cosine(peak, length, floor)(k), rtol=1e-12)
    assert math.isclose(s(start + length), peak, rel_tol=TINY)


@PROPERTY
@given(peak_floor(), st.integers(1, 1000), st.integers(1, 3))
def test_cosine_continue_has_period_two_total(pf, n, shift) -> None:
    peak, floor = pf
    s = cosine(peak, n, floor, past_end="continue")
    t = np.arange(2 * n)
    np.testing.assert_allclose(s(t + 2 * n * shift), s(t), rtol=1e-9, atol=peak * 1e-12)


@PROPERTY
@given(st.lists(st.integers(1, 200), min_size=1, max_size=4), lrs)
def test_join_restarts_every_piece(gaps, peak) -> None:
    bounds = np.cumsum(gaps).tolist()
    parts = [cosine(peak, g + 5) for g in [*gaps, 50]]
    s = join(parts, bounds)
    starts = [0, *bounds]
    for part, start in zip(parts, starts, strict=True):
        assert s(start) == part(0)
    t = np.arange(starts[-1] + 60)
    piece = np.searchsorted(bounds, t, side="right")
    want = [parts[i](int(x - starts[i])) for x, i in zip(t, piece, strict=True)]
    assert s(t).tolist() == want


@PROPERTY
@given(peak_floor(), st.integers(1, 500), st.integers(1, 5))
def test_cosine_cycles_without_decay_repeat_exactly(pf, period, shift_) -> None:
    peak, floor = pf
    s = cosine_cycles(peak, period, floor=floor)
    t = np.arange(period)
    assert np.array_equal(s(t + shift_ * period), s(t))
    assert np.array_equal(s(t), cosine(peak, period, floor)(t))


@PROPERTY
@given(
    peak_floor(),
    st.integers(1, 200),
    st.integers(1, 3),
    st.floats(0.01, 1.0),
    st.integers(0, 4),
)
def test_cosine_cycles_shrink_by_decay_each_cycle(pf, period, mult, decay, cycle) -> None:
    peak, floor = pf
    start = period * cycle if mult == 1 else period * (mult**cycle - 1) // (mult - 1)
    length = period * mult**cycle
    k = np.arange(length)
    half = (1 + np.cos(np.pi * k / length)) / 2  # the cosine's shape, from 1 down to 0
    amp = cosine_cycles(peak, period, mult, floor, decay, decay_of="amplitude")
    want = floor + (peak - floor) * decay**cycle * half
    np.testing.assert_allclose(amp(start + k), want, rtol=1e-9, atol=peak * 1e-12)
    top = cosine_cycles(peak, period, mult, floor, decay, decay_of="peak")
    want = floor + (peak * decay**cycle - floor) * half
    np.testing.assert_allclose(top(start + k), want, rtol=1e-9, atol=peak * 1e-12)
    assert non_increasing(top(np.arange(period)))


@PROPERTY
@given(lrs, st.lists(st.floats(0.0, 1.0), min_size=2, max_size=5), st.integers(1, 3000), st.data())
def test_chained_phases_have_no_jump(peak, levels, n, data) -> None:
    """Phases that start where the previous one ended move by at most their steepest slope."""
    k = len(levels) - 1
    cut = shares(data.draw, k)
    pairs = [(peak * a, peak * b) for a, b in itertools.pairwise(levels)]
    shape = data.draw(st.sampled_from(lrlab.schedules.ANNEAL_STRATEGIES))
    s = phases(pairs, cut, n, shape)
    factor = math.pi / 2 if shape == "cos" else 1.0
    slope = max(factor * abs(b - a) / (c * n) for (a, b), c in zip(pairs, cut, strict=True))
    assert max_jump(s(np.arange(n + 2))) <= slope * (1 + 1e-9) + peak * TINY


@PROPERTY
@given(any_schedule(), st.data())
def test_shift_clip_and_product_follow_their_definitions(schedule, data) -> None:
    t = steps_for(schedule)[:-1]
    k = data.draw(st.integers(0, len(t) - 1))
    assert np.array_equal(shift(schedule, k)(t[: len(t) - k]), schedule(t[k:]))
    values = schedule(t)
    low, high = sorted(data.draw(st.lists(st.floats(0.0, 10.0), min_size=2, max_size=2)))
    assert np.array_equal(clip(schedule, low, high)(t), np.clip(values, low, high))
    other = data.draw(any_schedule())
    u = t[t < steps_for(other)[-1]]
    assert np.array_equal(product([schedule, other])(u), schedule(u) * other(u))


# ------------------------------------------- 0 <= s(t) <= peak, everywhere a run can go

BOUND = settings(max_examples=150, deadline=None)
any_lr = st.one_of(lrs, st.floats(0.0, MAX_LR))
counts = st.one_of(st.integers(1, 5000), st.integers(1, MAX_STEP))
shrink = st.one_of(st.floats(0.0, 1.0), st.just(1.0), st.just(0.0))


@st.composite
def usable_steps(draw, schedule: Schedule, marks: tuple[int, ...] = ()) -> np.ndarray:
    """Phase boundaries (and their neighbours) plus random steps, all a run may use."""
    last = MAX_STEP if schedule.max_steps is None else schedule.max_steps - 1
    near = {m + d for m in (0, *marks) for d in (-1, 0, 1)}
    picks = draw(st.lists(st.integers(0, last), max_size=30))
    picks += draw(st.lists(st.integers(0, min(last, 10_000)), max_size=30))
    return np.array(sorted({t for t in (*near, last, *picks) if 0 <= t <= last}))


def assert_within(schedule: Schedule, steps: np.ndarray, top: float) -> None:
    values = schedule(steps)
    assert values.min() >= 0.0, schedule
    assert values.max() <= top, (schedule, float(values.max()), top)
    if schedule.momentum is not None:
        m = schedule.momentum(steps)
        assert m.min() >= 0.0 and m.max() <= 1.0


@BOUND
@given(any_lr, st.data())
def test_bound_constant(lr, data) -> None:
    s = constant(lr)
    assert_within(s, data.draw(usable_steps(s)), lr)


@BOUND
@given(any_lr, shrink, counts, st.sampled_from(lrlab.schedules.WARMUP_SHAPES), st.data())
def test_bound_linear_warmup(peak, u, w, shape, data) -> None:
    s = linear_warmup(peak, w, peak * u, shape)
    assert_within(s, data.draw(usable_steps(s, (w,))), peak)


@BOUND
@given(any_lr, counts, st.floats(1e-300, 1.0), st.data())
def test_bound_step_decay(start, size, gamma, data) -> None:
    s = step_decay(start, size, gamma)
    assert_within(s, data.draw(usable_steps(s, (size,))), start)


@BOUND
@given(any_lr, st.lists(st.integers(0, MAX_STEP), max_size=5), st.floats(1e-300, 1.0), st.data())
def test_bound_multistep(start, marks, gamma, data) -> None:
    s = multistep(start, sorted(marks), gamma)
    assert_within(s, data.draw(usable_steps(s, tuple(marks))), start)


@BOUND
@given(any_lr, st.floats(1e-300, 1.0), st.data())
def test_bound_exponential(start, gamma, data) -> None:
    s = exponential(start, gamma)
    assert_within(s, data.draw(usable_steps(s)), start)


@BOUND
@given(any_lr, shrink, counts, st.data())
def test_bound_linear_decay(start, u, n, data) -> None:
    s = linear_decay(start, start * u, n)
    assert_within(s, data.draw(usable_steps(s, (n,))), start)


@BOUND
@given(any_lr, counts, st.floats(0.0, 1e6), shrink, st.data())
def test_bound_polynomial(start, n, power, u, data) -> None:
    s = polynomial(start, n, power, start * u)
    assert_within(s, data.draw(usable_steps(s, (n,))), start)


@BOUND
@given(any_lr, counts, shrink, st.sampled_from(["hold", "continue"]), st.data())
def test_bound_cosine(peak, n, u, past_end, data) -> None:
    s = cosine(peak, n, peak * u, past_end=past_end)
    assert_within(s, data.draw(usable_steps(s, (n, 2 * n))), peak)


@BOUND
@given(any_lr, counts, st.one_of(st.integers(1, 4), st.integers(1, MAX_STEP)), shrink, st.data())
def test_bound_cosine_restarts(peak, period, mult, u, data) -> None:
    s = cosine_restarts(peak, period, mult, peak * u)
    assert_within(s, data.draw(usable_steps(s, tuple(s.cycle_starts(10**6)[:5]))), peak)


@BOUND
@given(
    any_lr,
    shrink,
    counts,
    counts,
    st.sampled_from(lrlab.schedules.CYCLIC_MODES),
    st.floats(1e-300, 1.0),
    st.data(),
)
def test_bound_cyclical(peak, u, up, down, mode, gamma, data) -> None:
    s = cyclical(peak * u, peak, up, down, mode, gamma)
    assert_within(s, data.draw(usable_steps(s, (up, up + down, 2 * up + down))), peak)


@BOUND
@given(
    any_lr,
    st.one_of(st.integers(2, 5000), st.integers(2, MAX_STEP)),
    st.floats(0.0, 1.0, exclude_min=True, exclude_max=True),
    st.floats(1.0, 1e300),
    st.floats(1.0, 1e300),
    st.sampled_from(["cos", "linear"]),
    st.booleans(),
    st.data(),
)
def test_bound_one_cycle(peak, n, pct, div, final_div, anneal, three, data) -> None:
    try:
        s = one_cycle(peak, n, pct, div, final_div, anneal, three)
    except ValueError as err:  # pct_start outside the range this total_steps allows
        assert str(err).startswith("pct_start must be")
        return
    assert s.max_steps == n
    top = math.floor(float(pct * n) - 1)
    assert_within(s, data.draw(usable_steps(s, (top, top + 1, n - 1))), peak)


@BOUND
@given(any_lr, counts, st.data(), shrink, shrink)
def test_bound_warmup_cosine(peak, n, data, u, v) -> None:
    w = data.draw(st.integers(0, n - 1))
    s = warmup_cosine(peak, n, w, peak * u, start=peak * v)
    assert_within(s, data.draw(usable_steps(s, (w, n))), peak)


@BOUND
@given(any_lr, counts, st.data(), shrink, st.sampled_from(lrlab.schedules.DECAY_SHAPES))
def test_bound_wsd(peak, n, data, u, decay) -> None:
    # an exponential decay needs 0 < floor <= peak, which peak = 0 does not allow
    assume(peak > 0 or decay != "exponential")
    w = data.draw(st.integers(0, n - 1))
    d = data.draw(st.integers(1, n - w))
    floor = peak * u
    if decay == "exponential" and not (floor > 0 and math.isfinite(peak / floor)):
        floor = peak
    s = wsd(peak, n, w, d, floor, decay)
    assert_within(s, data.draw(usable_steps(s, (w, n - d, n))), peak)


@BOUND
@given(counts, counts, st.data())
def test_bound_inverse_sqrt(d_model, w, data) -> None:
    s = inverse_sqrt(d_model, w)
    assert s.peak <= (1 + 1e-15) / math.sqrt(d_model * w)
    assert_within(s, data.draw(usable_steps(s, (w,))), s.peak)


@BOUND
@given(any_schedule(), st.integers(1, 5000), st.floats(0.0, 3.0))
def test_bound_combinators(schedule, warmup, factor) -> None:
    steps = steps_for(schedule)[:-1]
    top = float(schedule(steps).max())
    assert_within(scale(schedule, factor), steps, top * factor)
    assert_within(with_warmup(schedule, warmup), steps, max(top, schedule(0)))


@BOUND
@given(any_lr, st.floats(1e-300, 1.0), counts, st.booleans(), st.data())
def test_bound_exponential_rate(start, rate, n, staircase, data) -> None:
    s = exponential_rate(start, rate, n, staircase)
    assert_within(s, data.draw(usable_steps(s, (n,))), start)


@BOUND
@given(any_lr, counts, st.floats(0.0, 1e300), st.floats(0.0, 1e300, exclude_min=True), st.data())
def test_bound_inverse_time(start, n, rate, power, data) -> None:
    staircase = data.draw(st.booleans())
    s = inverse_time(start, n, rate, power, staircase)
    assert_within(s, data.draw(usable_steps(s, (n,))), start)


@BOUND
@given(
    any_lr,
    counts,
    st.one_of(st.integers(1, 4), st.integers(1, MAX_STEP)),
    shrink,
    st.floats(0.0, 1.0, exclude_min=True),
    st.sampled_from(lrlab.schedules.DECAY_OF),
    st.one_of(st.none(), st.integers(1, 5), st.integers(1, MAX_STEP)),
    st.data(),
)
def test_bound_cosine_cycles(peak, period, mult, u, decay, decay_of, cycles, data) -> None:
    try:
        s = cosine_cycles(peak, period, mult, peak * u, decay, decay_of, cycles)
    except ValueError as err:  # cycles that end after step 2**53
        assert str(err).startswith("cycles must be an integer in [1, ")
        return
    starts = tuple(cosine_restarts(peak, period, mult).cycle_starts(10**6)[:5])
    ends = () if s.total_steps is None else (s.total_steps,)
    assert_within(s, data.draw(usable_steps(s, starts + ends)), peak)


@BOUND
@given(
    st.lists(st.tuples(any_lr, any_lr), min_size=1, max_size=4),
    counts,
    st.sampled_from(lrlab.schedules.ANNEAL_STRATEGIES),
    st.data(),
)
def test_bound_phases(pairs, n, shape, data) -> None:
    cut = shares(data.draw, len(pairs))
    s = phases(pairs, cut, n, shape)
    marks = tuple(math.ceil(x * n) for x in np.cumsum(cut))
    steps = data.draw(usable_steps(s, marks))
    assert_within(s, steps, max(max(pair) for pair in pairs))
    assert s(steps).min() >= min(min(pair) for pair in pairs)


@BOUND
@given(any_schedule(), st.data(), shrink, shrink)
def test_bound_shift_clip_product(schedule, data, u, v) -> None:
    steps = steps_for(schedule)[:-1]
    top = float(schedule(steps).max())
    k = data.draw(st.integers(0, len(steps) - 1))
    assert_within(shift(schedule, k), steps[: len(steps) - k], top)
    high = top * v
    bounded = clip(schedule, high * u, high)
    assert_within(bounded, steps, high)
    assert bounded(steps).min() >= high * u
    assert_within(product([schedule, linear_decay(1.0, u, len(steps))]), steps, top)


@PROPERTY
@given(any_lr, st.floats(1.0, 1e300, exclude_min=True), counts, st.integers(0, MAX_STEP))
def test_growing_exponential_rate_is_finite_or_refuses_the_step(start, rate, n, t) -> None:
    s = exponential_rate(start, rate, n)
    try:
        value = s(t)
    except ValueError as err:
        assert str(err).startswith(f"step must be one where {s!r} stays below")
        return
    assert start <= value < math.inf


@PROPERTY
@given(
    st.sampled_from([step_decay, multistep, exponential]),
    any_lr,
    st.floats(1.0, 1e300, exclude_min=True),
    st.integers(0, MAX_STEP),
)
def test_growing_schedules_are_finite_or_refuse_the_step(family, start, gamma, t) -> None:
    s = (
        family(start, [1], gamma)
        if family is multistep
        else family(start, *([1] * (family is step_decay)), gamma)
    )
    try:
        value = s(t)
    except ValueError as err:
        assert str(err).startswith(f"step must be one where {s!r} stays below")
        return
    assert start <= value < math.inf
