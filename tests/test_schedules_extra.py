"""The families other frameworks' schedules need: closed forms, torch parity, reprs, bad input.

``shift``, ``clip``, ``product``, ``exponential_rate``, ``inverse_time``,
``cosine_cycles`` and ``phases`` live in :mod:`lrlab.schedules` with the rest.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrlab
from lrlab import (
    clip,
    constant,
    cosine,
    cosine_cycles,
    cosine_restarts,
    exponential,
    exponential_rate,
    inverse_time,
    linear_decay,
    multistep,
    one_cycle,
    phases,
    product,
    shift,
    step_decay,
)
from lrlab.torch_adapter import torch_lr_sequence

EXAMPLES = [
    shift(cosine(1.0, 10, past_end="continue"), 3),
    clip(exponential(1.0, 0.5), low=0.1, high=0.9),
    product([multistep(1.0, [2, 5], 0.1), exponential(0.3, 0.9)]),
    exponential_rate(0.1, 0.96, 10, staircase=True),
    inverse_time(0.05, 10, 0.96, power=0.5),
    cosine_cycles(1.0, 7, 2, floor=0.01, decay=0.8, decay_of="amplitude", cycles=3),
    phases([(0.004, 0.1), (0.1, 1e-6)], [0.25, 0.75], 40, shape="linear"),
]


@pytest.mark.parametrize("schedule", EXAMPLES, ids=repr)
def test_repr_round_trips_and_values_are_float64(schedule: lrlab.Schedule) -> None:
    rebuilt = eval(repr(schedule), vars(lrlab))
    assert rebuilt == schedule
    t = np.arange(60)
    out = schedule(t)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [schedule(int(k)) for k in t])
    assert np.all(out >= 0)


def test_shift_advances_and_shortens_the_run() -> None:
    base = linear_decay(1.0, 0.0, 10)
    s = shift(base, 4)
    np.testing.assert_array_equal(s(np.arange(20)), base(np.arange(4, 24)))
    assert s.total_steps == 6
    assert shift(exponential(1.0, 0.5), 2).total_steps is None


def test_clip_bounds_both_sides() -> None:
    s = clip(exponential_rate(1.0, 2.0, 1), high=5.0)
    assert s([0, 1, 2, 3, 9]).tolist() == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_product_matches_torch_chained_scheduler() -> None:
    """``ChainedScheduler`` multiplies its schedulers' factors step by step."""
    sched = torch.optim.lr_scheduler

    def make(opt: torch.optim.Optimizer) -> sched.ChainedScheduler:
        return sched.ChainedScheduler(
            [sched.MultiStepLR(opt, [3, 7], 0.1), sched.ExponentialLR(opt, 0.9)]
        )

    ours = product([multistep(1.0, [3, 7], 0.1), exponential(0.5, 0.9)])
    np.testing.assert_allclose(torch_lr_sequence(make, 0.5, 12), ours(np.arange(12)), rtol=1e-15)


def test_exponential_rate_staircase_equals_step_decay() -> None:
    t = np.arange(100)
    np.testing.assert_array_equal(
        exponential_rate(0.1, 0.5, 7, staircase=True)(t), step_decay(0.1, 7, 0.5)(t)
    )


def test_inverse_time_closed_form() -> None:
    t = np.arange(50)
    np.testing.assert_allclose(inverse_time(2.0, 5, 0.5)(t), 2.0 / (1 + 0.5 * t / 5), rtol=1e-15)
    np.testing.assert_allclose(
        inverse_time(2.0, 5, 1.0, power=0.5)(t), 2.0 / np.sqrt(1 + t / 5), rtol=1e-15
    )


def test_cosine_cycles_without_decay_equals_cosine_restarts() -> None:
    t = np.arange(400)
    np.testing.assert_allclose(
        cosine_cycles(0.1, 10, 2, floor=0.001)(t),
        cosine_restarts(0.1, 10, 2, 0.001)(t),
        rtol=1e-15,
    )


def test_cosine_cycles_peaks_and_limit() -> None:
    peak = cosine_cycles(1.0, 10, floor=0.2, decay=0.5, cycles=3)
    amp = cosine_cycles(1.0, 10, floor=0.2, decay=0.5, decay_of="amplitude", cycles=3)
    assert peak([0, 10, 20]).tolist() == [1.0, 0.5, 0.25]
    np.testing.assert_allclose(amp([0, 10, 20]), [1.0, 0.6, 0.4], rtol=1e-15)
    assert peak.total_steps == 30
    assert peak([30, 1000]).tolist() == [0.2, 0.2]


@settings(max_examples=50, deadline=None)
@given(
    fractions=st.lists(st.integers(1, 9), min_size=1, max_size=4),
    total=st.integers(1, 200),
)
def test_phases_hits_every_phase_start(fractions: list[int], total: int) -> None:
    shares = [f / sum(fractions) for f in fractions]
    shares[-1] = 1.0 - math.fsum(shares[:-1])
    pairs = [(float(i + 1), float(i + 2)) for i in range(len(shares))]
    s = phases(pairs, shares, total)
    assert s(0) == 1.0
    assert s(total) == pairs[-1][1]
    assert np.all(np.diff(s(np.arange(total + 1))) >= -1e-12)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: shift(constant(1.0), -1), "steps must be an integer in [0, 2**53], got -1"),
        (
            lambda: shift(one_cycle(1.0, 10), 10),
            "steps must be an integer in [0, 9], got 10",
        ),
        (lambda: shift(1.0, 1), "schedule must be an lrlab Schedule, got 1.0"),
        (
            lambda: clip(constant(1.0), low=-1),
            "low must be a learning rate in [0, 1e+300], got -1",
        ),
        (lambda: clip(constant(1.0), high=math.inf), "high must be a learning rate in"),
        (lambda: clip(constant(1.0), 0.5, 0.1), "low must be in [0, high] = [0, 0.1], got 0.5"),
        (lambda: product([constant(1.0)]), "at least two Schedule objects"),
        (lambda: product(constant(1.0)), "schedules must be a sequence of at least two"),
        (
            lambda: product([constant(1.0), abs]),
            "schedules[1] must be an lrlab Schedule, got <built-in function abs>",
        ),
        (lambda: exponential_rate(1.0, 0.0, 5), "rate must be a number in (0, inf), got 0.0"),
        (
            lambda: exponential_rate(1.0, 0.5, 0),
            "decay_steps must be an integer in [1, 2**53], got 0",
        ),
        (lambda: exponential_rate(2e300, 0.5, 1), "start must be a learning rate in"),
        (lambda: exponential_rate(1.0, 0.5, 5, staircase=1), "staircase must be True or False"),
        (lambda: inverse_time(1.0, 5, power=0), "power must be a number in (0, inf), got 0"),
        (lambda: cosine_cycles(1.0, 10, decay=0), "decay must be a number in (0, 1], got 0"),
        (
            lambda: cosine_cycles(1.0, 10, floor=2.0),
            "floor must be in [0, peak] = [0, 1.0], got 2.0",
        ),
        (lambda: cosine_cycles(1.0, 10, decay_of="x"), "decay_of must be one of 'peak'"),
        (
            lambda: cosine_cycles(1.0, 10, cycles=0),
            "cycles must be an integer in [1, 2**53], got 0",
        ),
        (
            lambda: cosine_cycles(1.0, 2**51, cycles=5),
            "cycles must be an integer in [1, 4] so that the last cycle ends by step 2**53",
        ),
        (
            lambda: cosine_cycles(1.0, 2**50, 2, cycles=4),
            "cycles must be an integer in [1, 3] so that the last cycle ends by step 2**53",
        ),
        (lambda: cosine_cycles(1.0, 10, period_mult=1.5), "period_mult must be an integer"),
        (
            lambda: phases([(1.0, 0.0)], [0.5], 10),
            "fractions must be shares that sum to 1, got [0.5]",
        ),
        (
            lambda: phases([(1.0, 0.0)], [0.5, 0.5], 10),
            "fractions must be one share per pair (1), got [0.5, 0.5]",
        ),
        (
            lambda: phases([(1.0,)], [1.0], 10),
            "pairs[0] must be a (start, end) pair of learning rates, got (1.0,)",
        ),
        (
            lambda: phases([(1.0, -0.5)], [1.0], 10),
            "pairs[0][1] must be a learning rate in [0, 1e+300], got -0.5",
        ),
        (
            lambda: phases([(1.0, 0.0), (0.0, 1.0)], [1.5, -0.5], 10),
            "fractions[0] must be a number in (0, 1], got 1.5",
        ),
        (lambda: phases([(1.0, 0.0)], 1.0, 10), "fractions must be a sequence of shares"),
        (lambda: phases([(1.0, 0.0)], [1.0], 10, shape="exp"), "shape must be one of 'cos'"),
        (lambda: phases([], [], 10), "pairs must be a non-empty sequence"),
    ],
)
def test_bad_input_is_named(build, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        build()
    # the one message shape of lrlab/_checks.py
    assert re.match(r"^[\w.\[\]]+ must be .+, got .+$", str(info.value), re.DOTALL), info.value


def test_shift_refuses_steps_its_schedule_does_not_have() -> None:
    s = shift(constant(0.1), 5)
    assert s.max_steps == 2**53 - 4
    assert s(2**53 - 5) == 0.1
    with pytest.raises(ValueError, match=re.escape("step must be in [0, 2**53 - steps] = [0, ")):
        s(2**53 - 4)
    assert shift(constant(0.1), 0).max_steps is None


def test_combinators_carry_max_steps_and_momentum() -> None:
    cycle = one_cycle(1.0, 100)
    ahead = shift(cycle, 30)
    assert (ahead.total_steps, ahead.max_steps) == (70, 70)
    np.testing.assert_array_equal(ahead.momentum(np.arange(71)), cycle.momentum(np.arange(30, 101)))
    assert clip(cycle, high=0.5).max_steps == 100
    assert clip(cycle, high=0.5).momentum is cycle.momentum
    both = product([cycle, linear_decay(1.0, 0.0, 300)])
    assert (both.total_steps, both.max_steps, both.momentum) == (300, 100, None)


def test_values_stay_at_or_below_the_peak() -> None:
    """Where the closed form rounds one unit past a bound, the bound is returned.

    Unclipped, ``0.3 + 0.5 * 0.6 * 2`` and ``0.3 + 1.0 * 0.6`` are 0.9000000000000001
    and ``0.9 + 1.0 * (0.3 - 0.9)`` is 0.29999999999999993.
    """
    s = cosine_cycles(0.9, 100, floor=0.3)
    assert cosine(0.9, 100, 0.3)(0) == 0.9  # lrlab's cosine, clipped the same way
    assert s(0) == 0.9
    p = phases([(0.3, 0.9), (0.9, 0.3)], [0.5, 0.5], 100, shape="linear")
    t = np.arange(101)
    assert p(t).max() == 0.9 and p(t).min() == 0.3
