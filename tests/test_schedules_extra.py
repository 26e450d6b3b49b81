"""Tests for lrlab.schedules_extra: closed forms, torch parity, reprs and bad input."""

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
        (lambda: shift(constant(1.0), -1), "steps must be an integer >= 0, got -1"),
        (lambda: shift(1.0, 1), "schedule must be an lrlab Schedule, got 1.0"),
        (lambda: clip(constant(1.0), low=-1), "low must be a number in [0, inf), got -1"),
        (lambda: clip(constant(1.0), 0.5, 0.1), "high must be a number in [0.5, inf), got 0.1"),
        (lambda: product([constant(1.0)]), "at least two Schedule objects"),
        (lambda: exponential_rate(1.0, 0.0, 5), "rate must be a number in (0, inf), got 0.0"),
        (lambda: exponential_rate(1.0, 0.5, 0), "decay_steps must be an integer >= 1, got 0"),
        (lambda: exponential_rate(1.0, 0.5, 5, staircase=1), "staircase must be True or False"),
        (lambda: inverse_time(1.0, 5, power=0), "power must be a number in (0, inf), got 0"),
        (lambda: cosine_cycles(1.0, 10, decay=0), "decay must be a number in (0, 1], got 0"),
        (lambda: cosine_cycles(1.0, 10, floor=2.0), "floor must be a number in [0, 1], got 2.0"),
        (lambda: cosine_cycles(1.0, 10, decay_of="x"), "decay_of must be one of 'peak'"),
        (lambda: cosine_cycles(1.0, 10, cycles=0), "cycles must be an integer >= 1, got 0"),
        (lambda: phases([(1.0, 0.0)], [0.5], 10), "fractions must sum to 1"),
        (lambda: phases([(1.0, 0.0)], [0.5, 0.5], 10), "one share per pair (1), got 2"),
        (lambda: phases([(1.0,)], [1.0], 10), "pairs must hold (start, end) pairs"),
        (lambda: phases([(1.0, 0.0)], [1.0], 10, shape="exp"), "shape must be one of 'cos'"),
        (lambda: phases([], [], 10), "pairs must be a non-empty sequence"),
    ],
)
def test_bad_input_is_named(build, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        build()
