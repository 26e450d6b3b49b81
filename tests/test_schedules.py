"""Unit tests for lrlab.schedules: values, types, reprs and past-the-end choices."""

from __future__ import annotations

import copy
import math
import pickle

import numpy as np
import pytest

import lrlab
from lrlab import (
    Schedule,
    constant,
    cosine,
    cosine_restarts,
    cyclical,
    exponential,
    inverse_sqrt,
    join,
    linear_decay,
    linear_warmup,
    multistep,
    one_cycle,
    polynomial,
    scale,
    step_decay,
    warmup_cosine,
    with_warmup,
    wsd,
)
from lrlab.schedules import as_steps

EXAMPLES: list[Schedule] = [
    constant(0.1),
    linear_warmup(1e-3, 1000),
    linear_warmup(1e-3, 100, start=1e-4, shape="cosine"),
    linear_warmup(1e-3, 100, shape="1-sqrt"),
    step_decay(0.1, 10, 0.5),
    multistep(0.1, [30, 60, 60, 80], 0.1),
    exponential(0.1, 0.99),
    linear_decay(1e-3, 1e-5, 100),
    polynomial(1e-3, 100, power=2.0, end=1e-5),
    cosine(1e-3, 100, 1e-5),
    cosine(1e-3, 100, past_end="continue"),
    cosine_restarts(0.1, 50, 2, 0.001),
    cyclical(0.001, 0.01, 20, 30, mode="triangular2"),
    cyclical(0.001, 0.01, 20, mode="exp_range", gamma=0.999, cycle_momentum=False),
    one_cycle(1e-3, 100),
    one_cycle(1e-3, 100, anneal="linear", three_phase=True, base_momentum=0.8),
    warmup_cosine(3e-4, 100, 10, 3e-5),
    warmup_cosine(3e-4, 100, 0, start=0.0, warmup_shape="cosine"),
    wsd(3e-4, 100, 10, 20, 3e-5, decay="1-sqrt"),
    wsd(3e-4, 100, 0, 20, 3e-5, decay="exponential", start=1e-5),
    inverse_sqrt(512, 40),
    join([linear_warmup(1.0, 10), cosine(1.0, 50)], [10]),
    with_warmup(step_decay(0.1, 10, 0.5), 5, shape="cosine"),
    scale(one_cycle(1.0, 100), 0.01),
]
IDS = [type(s).__name__ for s in EXAMPLES]


# ------------------------------------------------------------ the contract


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_repr_round_trips(schedule: Schedule) -> None:
    rebuilt = eval(repr(schedule), vars(lrlab))
    assert rebuilt == schedule
    assert hash(rebuilt) == hash(schedule)
    assert repr(rebuilt) == repr(schedule)


def test_repr_reads_like_the_call() -> None:
    assert repr(cosine(peak=0.001, total_steps=100)) == (
        "cosine(peak=0.001, total_steps=100, floor=0.0)"
    )
    assert (
        repr(multistep(0.1, (30, 60), 0.1))
        == "multistep(start=0.1, milestones=[30, 60], gamma=0.1)"
    )
    assert "past_end='continue'" in repr(cosine(1.0, 10, past_end="continue"))


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_int_gives_float_and_array_gives_float64(schedule: Schedule) -> None:
    value = schedule(3)
    assert type(value) is float
    steps = np.arange(12, dtype=np.int32).reshape(3, 4)
    values = schedule(steps)
    assert values.dtype == np.float64
    assert values.shape == (3, 4)
    assert values[0, 3] == value
    assert schedule(np.int64(3)) == value
    assert schedule(np.array(3)) == value
    assert schedule(np.array([], dtype=np.int64)).shape == (0,)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_strided_and_transposed_steps(schedule: Schedule) -> None:
    grid = np.arange(60).reshape(6, 10)
    for steps in (grid[:, ::3], grid.T, np.arange(90)[::-7]):
        want = np.vectorize(schedule, otypes=[float])(steps)
        assert np.array_equal(schedule(steps), want)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_pickles_and_copies(schedule: Schedule) -> None:
    steps = np.arange(101)
    for twin in (pickle.loads(pickle.dumps(schedule)), copy.deepcopy(schedule)):
        assert twin == schedule
        assert np.array_equal(twin(steps), schedule(steps))
        if schedule.momentum is not None:
            assert np.array_equal(twin.momentum(steps), schedule.momentum(steps))


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_is_immutable(schedule: Schedule) -> None:
    with pytest.raises(AttributeError):
        schedule.total_steps = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del schedule.total_steps


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_does_not_modify_the_input(schedule: Schedule) -> None:
    steps = np.arange(100)
    schedule(steps)
    assert np.array_equal(steps, np.arange(100))


def test_total_steps_attribute() -> None:
    assert constant(0.1).total_steps is None
    assert cosine(1.0, 100).total_steps == 100
    assert one_cycle(1.0, 100).total_steps == 100
    assert wsd(1.0, 100, 10, 20).total_steps == 100
    assert cosine_restarts(1.0, 10).total_steps is None
    assert join([constant(1.0), cosine(1.0, 50)], [10]).total_steps == 60
    assert join([cosine(1.0, 50), constant(1.0)], [10]).total_steps is None
    assert with_warmup(cosine(1.0, 50), 10).total_steps == 60
    assert scale(cosine(1.0, 50), 2.0).total_steps == 50


def test_momentum_attribute() -> None:
    assert constant(0.1).momentum is None
    assert one_cycle(1.0, 100, cycle_momentum=False).momentum is None
    assert cyclical(0.1, 1.0, 10, cycle_momentum=False).momentum is None
    m = one_cycle(1.0, 100).momentum
    assert isinstance(m, Schedule)
    assert m.total_steps == 100
    assert eval(repr(m), vars(lrlab)) == m
    assert scale(one_cycle(1.0, 100), 0.5).momentum == m


def test_as_steps_accepts_whole_floats_and_keeps_int64_without_copy() -> None:
    steps = np.arange(5)
    assert as_steps(steps) is steps
    assert as_steps(np.array([0.0, 2.0])).tolist() == [0, 2]
    assert as_steps(np.array([1, 2], dtype=np.uint8)).dtype == np.int64


def test_step_counts_accept_whole_floats_as_ints() -> None:
    s = wsd(1.0, 1e4, warmup_steps=np.float64(100.0), decay_steps=2000.0)
    assert s == wsd(1.0, 10_000, 100, 2000)
    assert type(s.total_steps) is int and type(s.warmup_steps) is int
    assert type(multistep(0.1, [30.0, 60], 0.5).milestones[0]) is int


# ------------------------------------------------------ values, by family


def test_constant() -> None:
    assert constant(0.01)(10**9) == 0.01


def test_linear_warmup_table_from_chapter_2() -> None:
    s = linear_warmup(1e-3, 1000)
    got = s([0, 100, 250, 500, 750, 1000, 2000]).tolist()
    want = [0.0, 1e-4, 2.5e-4, 5e-4, 7.5e-4, 1e-3, 1e-3]
    assert got == pytest.approx(want, rel=1e-15, abs=0)


@pytest.mark.parametrize(
    ("shape", "rise"),
    [
        ("linear", lambda x: x),
        ("cosine", lambda x: (1 - math.cos(math.pi * x)) / 2),
        ("1-sqrt", lambda x: 1 - math.sqrt(1 - x)),
    ],
)
def test_linear_warmup_shapes(shape, rise) -> None:
    s = linear_warmup(2.0, 10, start=1.0, shape=shape)
    for t in range(11):
        assert s(t) == pytest.approx(1.0 + rise(t / 10), rel=1e-15)
    assert s(10) == 2.0


def test_step_decay_table_from_chapter_3() -> None:
    s = step_decay(0.1, 10, 0.5)
    assert s([0, 10, 20, 30, 40]).tolist() == [0.1, 0.05, 0.025, 0.0125, 0.00625]
    total = s(np.arange(50)).sum()
    closed = 10 * 0.1 * (1 - 0.5**5) / (1 - 0.5)
    assert total == pytest.approx(closed, rel=1e-14)


def test_multistep_table_and_repeated_milestones() -> None:
    s = multistep(0.1, [30, 60, 80], 0.1)
    got = s([0, 29, 30, 59, 60, 79, 80, 89])
    want = [0.1, 0.1, 0.01, 0.01, 1e-3, 1e-3, 1e-4, 1e-4]
    assert got == pytest.approx(want, rel=1e-14)
    assert multistep(1.0, [5, 5], 0.5)(5) == 0.25
    assert multistep(1.0, [0], 0.5)(0) == 0.5


def test_exponential_halving() -> None:
    gamma = 0.5 ** (1 / 100)
    assert exponential(1.0, gamma)(100) == pytest.approx(0.5, rel=1e-13)
    assert exponential(1e-7, 1.1)(0) == 1e-7


def test_linear_decay_holds_end() -> None:
    s = linear_decay(1.0, 0.1, 10)
    assert s(0) == 1.0
    assert s(5) == pytest.approx(0.55, rel=1e-15)
    assert s(10) == 0.1
    assert s(10**6) == 0.1


def test_polynomial_table_from_chapter_8() -> None:
    for power, want in [(0.5, math.sqrt(0.5)), (1.0, 0.5), (2.0, 0.25), (3.0, 0.125)]:
        assert polynomial(1e-3, 100, power=power)(50) == pytest.approx(1e-3 * want, rel=1e-15)
    s = polynomial(1.0, 10, power=2.0, end=0.1)
    assert s(10) == 0.1
    assert s(99) == 0.1
    assert s(5) == pytest.approx(0.9 * 0.25 + 0.1, rel=1e-15)


def test_cosine_table_from_chapter_4() -> None:
    s = cosine(1e-3, 100)
    for t in [0, 10, 25, 33, 50, 67, 75, 90, 100]:
        want = 1e-3 * (1 + math.cos(math.pi * t / 100)) / 2
        assert s(t) == pytest.approx(want, rel=1e-15, abs=1e-300)
    assert s(50) == 5e-4
    assert s(33) != pytest.approx(1e-3 * 0.75)


def test_cosine_past_the_end() -> None:
    held = cosine(1.0, 100, floor=0.1)
    assert held([100, 150, 10**7]).tolist() == [held(100)] * 3
    assert held(100) == pytest.approx(0.1, rel=1e-15)
    climbing = cosine(1.0, 100, floor=0.1, past_end="continue")
    assert climbing(150) == pytest.approx(0.55, rel=1e-14)
    assert climbing(200) == 1.0
    assert climbing(300) == pytest.approx(0.1, rel=1e-14)


def test_cosine_and_linear_spend_the_same_sum() -> None:
    t = np.arange(1001)
    c = cosine(1.0, 1000)(t)
    line = linear_decay(1.0, 0.0, 1000)(t)
    assert c.sum() == pytest.approx(line.sum(), rel=1e-12)


def test_cosine_restarts_sgdr_restarts() -> None:
    s = cosine_restarts(1.0, 50, 2)
    assert s.cycle_starts(400).tolist() == [0, 50, 150, 350]
    assert s([0, 50, 150, 350]).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert s(149) == pytest.approx((1 + math.cos(math.pi * 99 / 100)) / 2, rel=1e-15)
    assert cosine_restarts(1.0, 10, floor=0.5)(25) == pytest.approx(0.75, rel=1e-15)


def test_cosine_restarts_uses_integer_cycles() -> None:
    # torch's step(epoch) takes log(243, 3) = 4.999... here and lands one cycle early
    s = cosine_restarts(1.0, period=1, period_mult=3)
    assert 121 in s.cycle_starts(200).tolist()
    assert s(121) == 1.0
    assert s(120) == pytest.approx((1 + math.cos(math.pi * 80 / 81)) / 2, rel=1e-15)


def test_cyclical_table_from_chapter_5() -> None:
    base, peak, half = 0.001, 0.01, 2000
    tri = cyclical(base, peak, half)
    tri2 = cyclical(base, peak, half, mode="triangular2")
    exp = cyclical(base, peak, half, mode="exp_range", gamma=0.99994)
    assert tri(3500) == pytest.approx(0.001 + 0.009 * 0.25, rel=1e-12)
    steps = [0, 1000, 2000, 3000, 3500, 4000, 6000]
    heights = [0.0, 0.5, 1.0, 0.5, 0.25, 0.0, 1.0]
    assert tri(steps) == pytest.approx([base + (peak - base) * h for h in heights], rel=1e-12)
    cycle_scale = [1, 1, 1, 1, 1, 1, 0.5]
    want = [base + (peak - base) * h * c for h, c in zip(heights, cycle_scale, strict=True)]
    assert tri2(steps) == pytest.approx(want, rel=1e-12)
    want = [base + (peak - base) * h * 0.99994**t for h, t in zip(heights, steps, strict=True)]
    assert exp(steps) == pytest.approx(want, rel=1e-12)


def test_cyclical_asymmetric_and_momentum() -> None:
    s = cyclical(0.0, 1.0, step_size_up=10, step_size_down=30)
    assert s([0, 5, 10, 25, 40]).tolist() == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0], abs=1e-15)
    m = s.momentum
    assert m([0, 10, 40]).tolist() == pytest.approx([0.9, 0.8, 0.9], abs=1e-15)


def test_one_cycle_table_from_chapter_6() -> None:
    peak, n = 1e-3, 10_000
    initial, low = peak / 10, peak / 10 / 100
    s = one_cycle(peak, n, pct_start=0.3, div_factor=10, final_div_factor=100)
    end1 = float(0.3 * n) - 1  # 2999
    assert s(0) == pytest.approx(initial, rel=1e-14)
    assert s(2999) == peak
    assert s(1500) == pytest.approx(
        low * 0 + initial + (peak - initial) * 0.5 * (1 - math.cos(math.pi * 1500 / end1)),
        rel=1e-14,
    )
    assert s(9999) == pytest.approx(low, rel=1e-14)
    assert s(6000) == pytest.approx(
        low + (peak - low) / 2 * (1 + math.cos(math.pi * (6000 - end1) / (9999 - end1))), rel=1e-14
    )
    lin = one_cycle(peak, n, 0.3, 10, 100, anneal="linear")
    assert lin(1500) == pytest.approx(initial + (peak - initial) * 1500 / 2999, rel=1e-14)
    assert lin(3000) == pytest.approx(peak + (low - peak) / 7000, rel=1e-14)


def test_one_cycle_three_phase_textbook_variant() -> None:
    s = one_cycle(1.0, 10_000, pct_start=0.45, anneal="linear", three_phase=True)
    initial = 1.0 / 25
    assert s(4499) == 1.0
    assert s(8998) == pytest.approx(initial, rel=1e-14)
    assert s(2250) == pytest.approx(initial + (1 - initial) * 2250 / 4499, rel=1e-14)
    assert s(9999) == pytest.approx(initial / 1e4, rel=1e-12)
    m = s.momentum
    assert m([0, 4499, 8998, 9500]).tolist() == pytest.approx([0.95, 0.85, 0.95, 0.95], abs=1e-15)


def test_one_cycle_default_momentum() -> None:
    m = one_cycle(1.0, 1000).momentum
    assert m(0) == 0.95
    assert m(299) == 0.85
    assert m(999) == pytest.approx(0.95, abs=1e-15)


def test_one_cycle_past_the_end() -> None:
    s = one_cycle(1.0, 100)
    assert s(100) > s(99)  # step T extrapolates the cosine, as torch does
    with pytest.raises(
        ValueError, match=r"step must be in \[0, total_steps\] = \[0, 100\].*got 101"
    ):
        s(101)
    with pytest.raises(ValueError, match="got 101"):
        s.momentum(np.array([5, 101]))


def test_warmup_cosine_tables_from_chapter_4() -> None:
    s = warmup_cosine(3e-4, 300_000, 2000)
    assert s(0) == 0.0
    assert s(1000) == pytest.approx(1.5e-4, rel=1e-15)
    assert s(2000) == 3e-4
    assert s(150_000) == pytest.approx(1.5e-4 * (1 + math.cos(math.pi * 148 / 298)), rel=1e-13)
    assert s(299_999) == pytest.approx(3e-4 * (1 + math.cos(math.pi * 297_999 / 298_000)) / 2)
    assert s(300_000) == 0.0
    assert s(400_000) == 0.0
    s2 = warmup_cosine(1.5e-4, 2_000_000, 2000, floor=1.5e-5)
    want = 1.5e-5 + 1.35e-4 * (1 + math.cos(math.pi * 498_000 / 1_998_000)) / 2
    assert s2(500_000) == pytest.approx(want, rel=1e-14)


def test_wsd_table_from_chapter_7() -> None:
    s = wsd(3e-4, 300_000, 6000, 30_000, floor=3e-5, decay="cosine")
    assert s(0) == 0.0
    assert s(1000) == pytest.approx(5e-5, rel=1e-14)
    assert s([6000, 150_000, 270_000]).tolist() == [3e-4, 3e-4, 3e-4]
    assert s(272_000) < 3e-4
    want = 3e-5 + 2.7e-4 * (1 + math.cos(math.pi * 2000 / 30_000)) / 2
    assert s(272_000) == pytest.approx(want, rel=1e-14)
    assert s(300_000) == pytest.approx(3e-5, rel=1e-14)
    assert s(10**7) == s(300_000)


@pytest.mark.parametrize(
    ("decay", "fall"),
    [
        ("linear", lambda x: 1 - x),
        ("cosine", lambda x: (1 + math.cos(math.pi * x)) / 2),
        ("1-sqrt", lambda x: 1 - math.sqrt(x)),
    ],
)
def test_wsd_decay_shapes(decay, fall) -> None:
    s = wsd(1.0, 100, 0, 40, floor=0.1, decay=decay)
    for k in range(41):
        assert s(60 + k) == pytest.approx(0.1 + 0.9 * fall(k / 40), rel=1e-14)


def test_wsd_exponential_decay() -> None:
    s = wsd(1.0, 100, 0, 40, floor=0.01, decay="exponential")
    assert s(60) == 1.0
    assert s(80) == pytest.approx(0.1, rel=1e-14)
    assert s(100) == pytest.approx(0.01, rel=1e-14)


def test_inverse_sqrt_transformer_values() -> None:
    s = inverse_sqrt(512, 4000)
    assert s(0) == 0.0
    assert s(4000) == pytest.approx((512 * 4000) ** -0.5, rel=1e-15)
    assert s.peak == s(4000)
    assert s(16_000) == pytest.approx(s(4000) / 2, rel=1e-15)
    t = np.arange(1, 20_000)
    assert np.argmax(s(t)) + 1 == 4000


def test_join_restarts_each_piece() -> None:
    s = join([constant(1.0), step_decay(0.5, 2, 0.5), constant(0.01)], [3, 7])
    want = [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.01, 0.01]
    assert s(np.arange(9)).tolist() == want
    assert s(np.arange(9).reshape(3, 3)).tolist() == [want[:3], want[3:6], want[6:]]
    assert join([constant(0.3)], [])(5) == 0.3


def test_with_warmup_and_scale() -> None:
    s = with_warmup(cosine(1.0, 10), warmup_steps=4)
    assert s([0, 2, 4, 9, 14]).tolist() == pytest.approx([0.0, 0.5, 1.0, 0.5, 0.0], abs=1e-15)
    doubled = scale(cosine(1.0, 10), 2.0)
    assert doubled(5) == 1.0


@pytest.mark.parametrize("decay", ["linear", "cosine", "1-sqrt", "exponential"])
def test_wsd_stable_phase_holds_the_peak_exactly(decay):
    s = wsd(0.02, 1000, 100, 200, floor=0.002, decay=decay)
    stable = s(np.arange(100, 801))
    assert np.all(stable == 0.02)
    assert s(800) == linear_warmup(0.02, 100)(800)
