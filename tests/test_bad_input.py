"""Bad input: each is a ValueError naming the parameter, the value and the valid range."""

from __future__ import annotations

import re

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


def raises(message: str):
    return pytest.raises(ValueError, match=re.escape(message))


# ------------------------------------------------------------------- steps


def test_negative_step() -> None:
    with raises("step must be an integer in [0, 2**53], got -1"):
        cosine(1.0, 10)(-1)


def test_negative_step_inside_an_array() -> None:
    with raises("step must be an integer in [0, 2**53], got -3"):
        cosine(1.0, 10)(np.array([0, 1, -3]))


def test_non_integer_step() -> None:
    with raises("step must be an integer in [0, 2**53], got 1.5"):
        constant(0.1)(1.5)


def test_nan_step() -> None:
    with raises("step must be an integer in [0, 2**53], got nan"):
        constant(0.1)(np.array([0.0, np.nan]))


def test_step_of_wrong_type() -> None:
    with raises("step must be an integer in [0, 2**53], got '3'"):
        constant(0.1)("3")


def test_boolean_step() -> None:
    with raises("step must be an integer in [0, 2**53], got True"):
        constant(0.1)(True)


def test_uint64_step_too_large() -> None:
    with raises("step must be an integer in [0, 2**53], got 18446744073709551615"):
        constant(0.1)(np.array([2**64 - 1], dtype=np.uint64))


def test_step_past_one_cycle() -> None:
    with raises("step must be in [0, total_steps] = [0, 10] for one_cycle"):
        one_cycle(1.0, 10, pct_start=0.5)(11)


# --------------------------------------------------------- learning rates


def test_nan_learning_rate() -> None:
    with raises("peak must be a learning rate in [0, 1e+300], got nan"):
        cosine(float("nan"), 10)


def test_infinite_learning_rate() -> None:
    with raises("lr must be a learning rate in [0, 1e+300], got inf"):
        constant(float("inf"))


def test_negative_learning_rate() -> None:
    with raises("start must be a learning rate in [0, 1e+300], got -0.1"):
        step_decay(-0.1, 10, 0.5)


def test_learning_rate_of_wrong_type() -> None:
    with raises("lr must be a learning rate in [0, 1e+300], got '0.1'"):
        constant("0.1")


def test_floor_above_peak() -> None:
    with raises("floor must be in [0, peak] = [0, 0.001], got 0.01"):
        cosine(0.001, 100, floor=0.01)


def test_floor_above_peak_in_wsd() -> None:
    with raises("floor must be in [0, peak] = [0, 0.001], got 0.002"):
        wsd(0.001, 100, 10, 10, floor=0.002)


def test_end_above_start() -> None:
    with raises("end must be in [0, start] = [0, 0.1], got 0.2"):
        linear_decay(0.1, 0.2, 100)


def test_end_above_start_in_polynomial() -> None:
    with raises("end must be in [0, start] = [0, 0.1], got 0.5"):
        polynomial(0.1, 100, end=0.5)


def test_warmup_start_above_peak() -> None:
    with raises("start must be in [0, peak] = [0, 0.1], got 0.2"):
        linear_warmup(0.1, 10, start=0.2)


def test_cyclical_base_above_peak() -> None:
    with raises("base must be in [0, peak] = [0, 0.01], got 0.1"):
        cyclical(0.1, 0.01, 10)


def test_exponential_decay_needs_positive_floor() -> None:
    with raises("floor must be in (0, peak] = (0, 0.001] for decay='exponential', got 0.0"):
        wsd(0.001, 100, 10, 10, decay="exponential")


def test_momentum_out_of_range() -> None:
    with raises("max_momentum must be a number in [0, 1], got 1.5"):
        one_cycle(1.0, 100, max_momentum=1.5)


def test_base_momentum_above_max_momentum() -> None:
    with raises("base_momentum must be in [0, max_momentum] = [0, 0.9], got 0.95"):
        cyclical(0.1, 1.0, 10, base_momentum=0.95)


# ------------------------------------------------------------------ lengths


def test_total_steps_zero() -> None:
    with raises("total_steps must be an integer in [1, 2**53], got 0"):
        cosine(1.0, 0)


def test_total_steps_negative() -> None:
    with raises("total_steps must be an integer in [1, 2**53], got -5"):
        linear_decay(1.0, 0.0, -5)


def test_total_steps_not_an_integer() -> None:
    with raises("total_steps must be an integer in [1, 2**53], got 10.5"):
        polynomial(1.0, 10.5)


def test_one_cycle_total_steps_too_small() -> None:
    with raises("total_steps must be an integer in [2, 2**53], got 1"):
        one_cycle(1.0, 1)


def test_warmup_longer_than_the_run() -> None:
    with raises("warmup_steps must be an integer in [0, 99], got 150"):
        warmup_cosine(1.0, 100, 150)


def test_warmup_as_long_as_the_run() -> None:
    with raises("warmup_steps must be an integer in [0, 99], got 100"):
        wsd(1.0, 100, 100, 1)


def test_warmup_plus_decay_longer_than_the_run() -> None:
    with raises(
        "warmup_steps + decay_steps must be in [1, total_steps] = [1, 100], got 30 + 80 = 110"
    ):
        wsd(1.0, 100, 30, 80)


def test_decay_steps_zero() -> None:
    with raises("decay_steps must be an integer in [1, 100], got 0"):
        wsd(1.0, 100, 10, 0)


def test_zero_warmup_for_linear_warmup() -> None:
    with raises("warmup_steps must be an integer in [1, 2**53], got 0"):
        linear_warmup(1.0, 0)


def test_zero_step_size() -> None:
    with raises("step_size must be an integer in [1, 2**53], got 0"):
        step_decay(1.0, 0, 0.5)


def test_zero_cycle_half() -> None:
    with raises("step_size_up must be an integer in [1, 2**53], got 0"):
        cyclical(0.1, 1.0, 0)


def test_zero_period() -> None:
    with raises("period must be an integer in [1, 2**53], got 0"):
        cosine_restarts(1.0, 0)


def test_inverse_sqrt_zero_warmup() -> None:
    with raises("warmup_steps must be an integer in [1, 2**53], got 0"):
        inverse_sqrt(512, 0)


def test_inverse_sqrt_bad_width() -> None:
    with raises("d_model must be an integer in [1, 2**53], got 0"):
        inverse_sqrt(0, 4000)


def test_negative_milestone() -> None:
    with raises("milestones[0] must be an integer in [0, 2**53], got -1"):
        multistep(1.0, [-1, 5], 0.1)


def test_decreasing_milestones() -> None:
    with raises(
        "milestones must be a sequence of non-decreasing integers in [0, 2**53], got [60, 30]"
    ):
        multistep(1.0, [60, 30], 0.1)


def test_milestones_not_a_sequence() -> None:
    with raises("milestones must be a sequence of integers in [0, 2**53], got 30"):
        multistep(1.0, 30, 0.1)


# ---------------------------------------------------------- factors, powers


def test_pct_start_above_one() -> None:
    with raises("pct_start must be a number in (0, 1), got 1.5"):
        one_cycle(1.0, 100, pct_start=1.5)


def test_pct_start_zero() -> None:
    with raises("pct_start must be a number in (0, 1), got 0.0"):
        one_cycle(1.0, 100, pct_start=0.0)


def test_pct_start_too_small_for_the_run() -> None:
    with raises("pct_start must be in (0.1, 1) so that pct_start * total_steps > 1"):
        one_cycle(1.0, 10, pct_start=0.1)


def test_pct_start_too_large_for_three_phases() -> None:
    with raises("pct_start must be below (total_steps + 1) / (2 * total_steps) = 0.505"):
        one_cycle(1.0, 100, pct_start=0.6, three_phase=True)


def test_gamma_zero() -> None:
    with raises("gamma must be a number in (0, inf), got 0.0"):
        exponential(1.0, 0.0)


def test_gamma_negative() -> None:
    with raises("gamma must be a number in (0, inf), got -0.5"):
        multistep(1.0, [10], -0.5)


def test_gamma_zero_in_cyclical() -> None:
    with raises("gamma must be a number in (0, 1], got 0.0"):
        cyclical(0.1, 1.0, 10, mode="exp_range", gamma=0.0)


def test_div_factor_zero() -> None:
    with raises("div_factor must be a number in [1, inf), got 0"):
        one_cycle(1.0, 100, div_factor=0)


def test_negative_power() -> None:
    with raises("power must be a number in [0, inf), got -1"):
        polynomial(1.0, 100, power=-1)


def test_period_mult_below_one() -> None:
    with raises("period_mult must be an integer in [1, 2**53], got 0"):
        cosine_restarts(1.0, 10, period_mult=0)


def test_period_mult_not_an_integer() -> None:
    with raises("period_mult must be an integer in [1, 2**53], got 1.5"):
        cosine_restarts(1.0, 10, period_mult=1.5)


def test_negative_scale_factor() -> None:
    with raises("factor must be a number in [0, inf), got -2"):
        scale(constant(1.0), -2)


# ------------------------------------------------------------ unknown names


def test_unknown_mode() -> None:
    with raises("mode must be one of 'triangular', 'triangular2', 'exp_range', got 'sine'"):
        cyclical(0.1, 1.0, 10, mode="sine")


def test_unknown_warmup_shape() -> None:
    with raises("shape must be one of 'linear', 'cosine', '1-sqrt', got 'exp'"):
        linear_warmup(1.0, 10, shape="exp")


def test_unknown_decay() -> None:
    with raises("decay must be one of 'linear', 'cosine', '1-sqrt', 'exponential', got 'sqrt'"):
        wsd(1.0, 100, 10, 10, decay="sqrt")


def test_unknown_anneal() -> None:
    with raises("anneal must be one of 'cos', 'linear', got 'cosine'"):
        one_cycle(1.0, 100, anneal="cosine")


def test_unknown_past_end() -> None:
    with raises("past_end must be one of 'hold', 'continue', got 'repeat'"):
        cosine(1.0, 100, past_end="repeat")


# --------------------------------------------------------------------- join


def test_join_boundaries_not_increasing() -> None:
    with raises("boundaries must be strictly increasing integers >= 1, got [20, 10]"):
        join([constant(1.0), constant(0.5), constant(0.1)], [20, 10])


def test_join_boundaries_repeated() -> None:
    with raises("boundaries must be strictly increasing integers >= 1, got [10, 10]"):
        join([constant(1.0), constant(0.5), constant(0.1)], [10, 10])


def test_join_boundaries_do_not_match_the_schedules() -> None:
    with raises("boundaries must hold len(schedules) - 1 = 1 steps, got 2: [10, 20]"):
        join([constant(1.0), constant(0.5)], [10, 20])


def test_join_boundary_at_zero() -> None:
    with raises("boundaries[0] must be an integer in [1, 2**53], got 0"):
        join([constant(1.0), constant(0.5)], [0])


def test_join_needs_schedules() -> None:
    with raises("schedules must be a non-empty sequence of Schedule objects, got []"):
        join([], [])


def test_join_rejects_plain_functions() -> None:
    with raises("schedules must be a non-empty sequence of Schedule objects"):
        join([constant(1.0), abs], [10])


def test_with_warmup_needs_a_schedule() -> None:
    with raises("schedule must be an lrlab Schedule, got 0.1"):
        with_warmup(0.1, 10)
