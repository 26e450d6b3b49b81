"""Every bad input of the hardening pass is refused by name; what slipped through before.

Each entry of ``BAD`` is one bad input: calling it must raise ``ValueError``
whose message starts with ``NAME must be`` and ends with ``, got VALUE``.
Entries marked with an item number reproduce that line of the report they
came from; the rest probe the same rule from other sides.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lrlab import (
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
from lrlab._checks import MAX_LR

SHAPE = re.compile(r"^(?P<name>[\w.\[\]]+) must be .+, got .+$", re.DOTALL)

BAD: list[tuple[str, Callable[[], Any], str]] = [
    # item 3: float steps >= 2**63 used to wrap to INT64_MIN
    ("3 warmup_cosine(1e20)", lambda: warmup_cosine(1.0, 100, 10)(1e20), "step"),
    ("3 cosine(1e20)", lambda: cosine(1.0, 10)(1e20), "step"),
    ("3 one_cycle(1e20)", lambda: one_cycle(1.0, 100)(1e20), "step"),
    ("3 float array 2**63", lambda: cosine(1.0, 10)(np.array([1.0, 2.0**63])), "step"),
    ("3 int 2**63", lambda: constant(0.1)(2**63), "step"),
    ("3 int64 above 2**53", lambda: constant(0.1)(np.array([2**53 + 1])), "step"),
    ("3 uint64 2**64 - 1", lambda: constant(0.1)(np.array([2**64 - 1], dtype=np.uint64)), "step"),
    ("3 float -inf", lambda: constant(0.1)(-math.inf), "step"),
    # item 8: booleans read by truthiness
    ("8 three_phase='False'", lambda: one_cycle(0.1, 100, three_phase="False"), "three_phase"),
    ("8 cycle_momentum='no'", lambda: one_cycle(0.1, 100, cycle_momentum="no"), "cycle_momentum"),
    ("8 cycle_momentum=1", lambda: cyclical(0.1, 1.0, 10, cycle_momentum=1), "cycle_momentum"),
    ("8 three_phase=None", lambda: one_cycle(0.1, 100, three_phase=None), "three_phase"),
    # item 10: OverflowError instead of ValueError
    ("10 step_size 2**63", lambda: step_decay(0.1, 2**63, 0.5), "step_size"),
    ("10 milestone 2**64", lambda: multistep(0.1, [2**64], 0.5), "milestones[0]"),
    ("10 milestone 2**63", lambda: multistep(0.1, [10, 2**63], 0.5), "milestones[1]"),
    ("10 lr 2**1100", lambda: constant(2**1100), "lr"),
    ("10 gamma 2**1100", lambda: exponential(1.0, 2**1100), "gamma"),
    ("10 total_steps 2**63", lambda: cosine(1.0, 2**63), "total_steps"),
    ("10 total_steps 1e300", lambda: cosine(1.0, 1e300), "total_steps"),
    ("10 period_mult 2**64", lambda: cosine_restarts(1.0, 10, 2**64), "period_mult"),
    ("10 d_model 2**70", lambda: inverse_sqrt(2**70, 10), "d_model"),
    ("10 boundary 2**64", lambda: join([constant(1.0), constant(0.5)], [2**64]), "boundaries[0]"),
    ("10 cycle_starts 2**63", lambda: cosine_restarts(1.0, 10).cycle_starts(2**63), "up_to"),
    ("10 step_size_up 2**63", lambda: cyclical(0.1, 1.0, 2**63), "step_size_up"),
    # item 11: join of a single schedule
    ("11 join(cosine, [])", lambda: join(cosine(0.1, 10), []), "schedules"),
    ("11 join('ab', [])", lambda: join("ab", []), "schedules"),
    ("11 join boundaries=3", lambda: join([constant(1.0), constant(0.5)], 3), "boundaries"),
    # item 12: booleans are not numbers
    ("12 lr=True", lambda: constant(True), "lr"),
    ("12 total_steps=True", lambda: cosine(1.0, True), "total_steps"),
    ("12 gamma=np.True_", lambda: exponential(1.0, np.True_), "gamma"),
    ("12 milestones=[True]", lambda: multistep(0.1, [True], 0.5), "milestones[0]"),
    ("12 milestones 2-D", lambda: multistep(0.1, np.array([[30, 60]]), 0.5), "milestones"),
    ("12 milestones float", lambda: multistep(0.1, np.array([30.5]), 0.5), "milestones[0]"),
    # item 14: huge-but-legal values that overflowed inside formulas
    ("14 cosine(1e308)", lambda: cosine(1e308, 100), "peak"),
    ("14 wsd floor too small", lambda: wsd(1e10, 100, 0, 10, 1e-300, "exponential"), "floor"),
    ("14 exponential overflow", lambda: exponential(1.0, 2.0)(2000), "step"),
    ("14 step_decay overflow", lambda: step_decay(1.0, 1, 1e10)(40), "step"),
    ("14 multistep overflow", lambda: multistep(1.0, [1] * 40, 1e10)(5), "step"),
    ("14 scale overflow", lambda: scale(constant(1e300), 1e10)(0), "step"),
    ("14 scale inf", lambda: scale(constant(1.0), math.inf), "factor"),
    # peak stays the highest rate
    ("one_cycle div_factor < 1", lambda: one_cycle(1.0, 100, div_factor=0.5), "div_factor"),
    (
        "one_cycle final_div < 1",
        lambda: one_cycle(1.0, 100, final_div_factor=0.1),
        "final_div_factor",
    ),
    ("cyclical gamma > 1", lambda: cyclical(0.1, 1.0, 10, mode="exp_range", gamma=1.01), "gamma"),
    # item 2: a one_cycle piece may not run past its end inside join
    (
        "2 join past one_cycle",
        lambda: join([one_cycle(1.0, 100), constant(0.1)], [101]),
        "boundaries[0]",
    ),
    # unknown names and other types
    ("shape=None", lambda: linear_warmup(1.0, 10, shape=None), "shape"),
    ("past_end=True", lambda: cosine(1.0, 10, past_end=True), "past_end"),
    ("warmup_shape=1", lambda: warmup_cosine(1.0, 10, 2, warmup_shape=1), "warmup_shape"),
    ("scale of a float", lambda: scale(0.5, 2.0), "schedule"),
    ("power nan", lambda: polynomial(1.0, 10, power=math.nan), "power"),
    ("end nan", lambda: linear_decay(1.0, math.nan, 10), "end"),
    ("floor -0.1", lambda: cosine(1.0, 10, -0.1), "floor"),
    ("start None", lambda: with_warmup(constant(1.0), 10, start=None), "start"),
]


@pytest.mark.parametrize(("label", "call", "name"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_by_name(label: str, call: Callable[[], Any], name: str) -> None:
    with pytest.raises(ValueError) as info:
        call()
    match = SHAPE.match(str(info.value))
    assert match is not None, str(info.value)
    assert match["name"] == name, str(info.value)


# ------------------------------------------------- what used to slip through, now right


def test_2_one_cycle_value_at_T_is_torch_extrapolation_and_no_run_may_use_it() -> None:
    s = one_cycle(1e-2, 100, pct_start=0.50499, anneal="linear", three_phase=True)
    assert s.max_steps == 100
    assert s(100) < 0  # what torch's OneCycleLR holds after 100 steps, too
    assert s(np.arange(100)).min() >= 0
    assert join([one_cycle(1.0, 100), constant(0.1)], [100]).max_steps is None
    assert with_warmup(s, 10).max_steps == 110
    assert scale(s, 2.0).max_steps == 100
    assert s.momentum.max_steps == 100


def test_8_numpy_booleans_are_booleans() -> None:
    assert one_cycle(0.1, 100, three_phase=np.True_).three_phase is True


def test_12_numpy_numbers_and_integer_arrays_are_accepted() -> None:
    assert multistep(0.1, np.array([30, 60]), 0.1) == multistep(0.1, [30, 60], 0.1)
    assert cosine(np.float32(0.5), np.int16(10)) == cosine(0.5, 10)
    assert repr(constant(np.float64(0.1))) == "constant(lr=0.1)"
    assert type(cosine(1.0, np.int64(10)).total_steps) is int


def test_14_the_peak_is_never_exceeded() -> None:
    assert cosine(0.9, 100, 0.3)(0) == 0.9
    assert cyclical(0.001, 0.01, 2000)(2000) == 0.01
    assert polynomial(0.9, 100, 1.0, 0.3)(0) == 0.9


def test_14_largest_learning_rate_stays_finite() -> None:
    top = MAX_LR
    for s in (
        cosine(top, 100, top / 3),
        warmup_cosine(top, 100, 10, top / 7),
        wsd(top, 100, 10, 50),
    ):
        values = s(np.arange(101))
        assert np.isfinite(values).all() and values.max() == top


def test_steps_up_to_2_53_work() -> None:
    big = 2**53
    assert cosine(1.0, big)(big) == 0.0
    assert cosine_restarts(1.0, 3, 2**40)(big) <= 1.0
    assert step_decay(1.0, big, 0.5)(big) == 0.5
    assert cyclical(0.1, 1.0, big, big)(big) == 1.0


# ----------------------------------------------------------- training and tasks

from lrlab import MarkovTask, lr_range_test, suggest_lrs, train, train_many  # noqa: E402
from lrlab.training import TrainConfig  # noqa: E402

TRAIN_BAD: list[tuple[str, Callable[[], Any], str]] = [
    # item 2: steps beyond what the schedule defines
    (
        "2 train past one_cycle",
        lambda: train(
            one_cycle(1e-2, 100, pct_start=0.50499, anneal="linear", three_phase=True),
            101,
            optimizer="sgd",
        ),
        "steps",
    ),
    ("2 train_many past one_cycle", lambda: train_many([one_cycle(0.1, 10)], 11), "steps"),
    ("2 branch past one_cycle", lambda: branch_past_the_end(), "steps"),
    # item 5: optimizer settings
    ("5 betas (0.9, 1.0)", lambda: train_many([constant(0.1)], 5, betas=(0.9, 1.0)), "betas[1]"),
    ("5 betas (1.5, 0.999)", lambda: train(constant(0.1), 5, betas=(1.5, 0.999)), "betas[0]"),
    ("5 TrainConfig betas (2, 3)", lambda: TrainConfig(betas=(2, 3)), "betas[0]"),
    ("5 betas of three", lambda: TrainConfig(betas=(0.9, 0.99, 0.999)), "betas"),
    ("5 momentum 5.0", lambda: train(constant(0.1), 5, optimizer="sgd", momentum=5.0), "momentum"),
    ("5 momentum -0.1", lambda: TrainConfig(momentum=-0.1), "momentum"),
    ("5 eps nan", lambda: TrainConfig(eps=math.nan), "eps"),
    # item 6: the size guard counts the transition table
    ("6 MarkovTask(1000, 2)", lambda: MarkovTask(vocab_size=1000, order=2), "vocab_size"),
    ("6 MarkovTask(2, 40)", lambda: MarkovTask(vocab_size=2, order=40), "vocab_size"),
    # item 7: absurd thread counts
    ("7 threads 10**6", lambda: train(constant(0.1), 5, threads=10**6), "threads"),
    ("7 threads 2**63", lambda: train(constant(0.1), 5, threads=2**63), "threads"),
    ("7 threads 0", lambda: TrainConfig(threads=0), "threads"),
    # item 11: messages that named the wrong thing
    ("11 range test end inf", lambda: lr_range_test(end=math.inf), "end"),
    ("11 range test end < start", lambda: lr_range_test(start=1.0, end=0.5), "end"),
    (
        "11 suggest_lrs NaN",
        lambda: suggest_lrs([1e-3, 1e-2, 1e-1], [1.0, math.nan, 2.0]),
        "smoothed",
    ),
    # item 12: booleans are not numbers
    ("12 weight_decay True", lambda: TrainConfig(weight_decay=True), "weight_decay"),
    ("12 momentum True", lambda: TrainConfig(momentum=True), "momentum"),
    ("12 concentration True", lambda: MarkovTask(concentration=True), "concentration"),
    ("12 range test start True", lambda: lr_range_test(start=True), "start"),
    ("12 seeds [True]", lambda: train_many([constant(0.1)], 5, seeds=[True]), "seeds[0]"),
    ("12 seeds 2-D", lambda: train_many([constant(0.1)], 5, seeds=np.zeros((1, 1), int)), "seeds"),
    ("12 seed 2**64", lambda: train(constant(0.1), 5, seed=2**64), "seed"),
    ("12 checkpoints 'x'", lambda: train(constant(0.1), 5, checkpoints="x"), "checkpoints"),
    ("12 optimizer None", lambda: train(constant(0.1), 5, optimizer=None), "optimizer"),
    ("12 task None", lambda: TrainConfig(task=None), "task"),
]


def branch_past_the_end() -> None:
    h = train(one_cycle(0.01, 20), 20, checkpoints=[10], val_every=10)
    h.checkpoints[10].branch(one_cycle(0.01, 20), 21)


@pytest.mark.parametrize(("label", "call", "name"), TRAIN_BAD, ids=[b[0] for b in TRAIN_BAD])
def test_bad_training_input_is_refused_by_name(
    label: str, call: Callable[[], Any], name: str
) -> None:
    test_bad_input_is_refused_by_name(label, call, name)


def test_2_a_one_cycle_run_uses_every_defined_step_and_no_more() -> None:
    s = one_cycle(1e-2, 100, pct_start=0.50499, anneal="linear", three_phase=True)
    h = train(s, 100, optimizer="sgd", val_every=100)
    assert h.lr.tolist() == s(np.arange(100)).tolist()
    assert h.lr.min() >= 0


def test_12_numpy_numbers_for_options_and_seeds() -> None:
    config = TrainConfig(weight_decay=np.float32(0.1), momentum=np.float64(0.5), seed=np.int64(3))
    assert (config.weight_decay, config.momentum, config.seed) == (
        float(np.float32(0.1)),
        0.5,
        3,
    )
    assert type(config.seed) is int
    assert MarkovTask(concentration=np.float32(0.5)).concentration == 0.5
    hs = train_many([constant(0.01)], 4, seeds=np.array([0, 1]), val_every=4)
    assert len(hs) == 2


def test_13_checkpoints_after_a_divergence_are_reported() -> None:
    h = train(constant(10.0), 30, checkpoints=[0, 20])
    assert h.diverged and h.diverged_at < 20
    assert list(h.checkpoints) == [0]
    assert h.missed_checkpoints == [20]
    assert train(constant(1e-3), 10, checkpoints=[5], val_every=5).missed_checkpoints == []
