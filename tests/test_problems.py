import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab import problems


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1])
def test_iteration_matches_closed_form(lr):
    xs = problems.gd_quadratic(lr, 50)
    closed = problems.gd_quadratic_closed_form(lr, np.arange(51))
    np.testing.assert_allclose(xs, closed, rtol=1e-12, atol=1e-12)


def test_half_lr_solves_in_one_step():
    assert problems.gd_quadratic(0.5, 3).tolist() == [0.0, 3.0, 3.0, 3.0]


def test_lr_one_is_a_period_two_orbit():
    assert problems.gd_quadratic(1.0, 4).tolist() == [0.0, 6.0, 0.0, 6.0, 0.0]


@pytest.mark.parametrize(
    ("lr", "expected"),
    [
        (0.01, "creeping"),
        (0.1, "creeping"),
        (0.5, "one step"),
        (0.9, "oscillating, converging"),
        (1.0, "period-2 orbit"),
        (1.1, "diverging"),
    ],
)
def test_regime_labels(lr, expected):
    assert problems.regime(lr) == expected


def test_lr_point_nine_converges():
    assert abs(problems.gd_quadratic(0.9, 200)[-1] - 3.0) < 1e-12


@given(st.floats(0.001, 0.999), st.floats(0.5, 10.0))
@settings(max_examples=60, deadline=None)
def test_regime_follows_stability_limit(frac, curvature):
    lr = frac * problems.max_stable_lr(curvature)
    assert problems.regime(lr, curvature) != "diverging"
    assert problems.regime(lr, curvature) != "period-2 orbit"
    assert problems.regime(1.01 * problems.max_stable_lr(curvature), curvature) == "diverging"


def test_max_stable_lr():
    assert problems.max_stable_lr(2.0) == 1.0
    assert problems.max_stable_lr(0.5) == 4.0


@pytest.mark.parametrize(("lr", "tol"), [(0.01, 1e-3), (0.1, 1e-6), (0.3, 0.5), (0.7, 1e-2)])
def test_steps_to_tolerance_is_the_first_step_within_tolerance(lr, tol):
    t = problems.steps_to_tolerance(lr, tol)
    xs = problems.gd_quadratic_closed_form(lr, np.arange(t + 1))
    errors = np.abs(xs - 3.0)
    assert errors[t] <= tol
    assert np.all(errors[:t] > tol)


def test_steps_to_tolerance_known_value():
    expected = math.ceil(math.log(1e-3 / 3) / math.log(0.98))
    assert problems.steps_to_tolerance(0.01, 1e-3) == expected


def test_quadratic2d_path_matches_iteration():
    q = problems.Quadratic2D(10.0, 1.0)
    path = q.gd_path(0.15, 30, start=(-1.0, 1.5))
    p = np.array([-1.0, 1.5])
    for t in range(30):
        p = p - 0.15 * np.array([10.0, 1.0]) * p
        np.testing.assert_allclose(path[t + 1], p, rtol=1e-12, atol=1e-15)
    assert q.max_stable_lr == 0.2
    assert q.condition_number == 10.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: problems.gd_quadratic(-0.1, 5), r"lr must be a number in \(0, inf\), got -0\.1"),
        (
            lambda: problems.gd_quadratic(float("nan"), 5),
            r"lr must be a number in \(0, inf\), got nan",
        ),
        (lambda: problems.gd_quadratic(0.1, -1), r"steps must be an integer >= 0, got -1"),
        (lambda: problems.gd_quadratic(0.1, 2.5), r"steps must be an integer >= 0, got 2\.5"),
        (lambda: problems.gd_quadratic(0.1, 3, a=0), r"a must be a number in \(0, inf\), got 0"),
        (lambda: problems.gd_quadratic_closed_form(0.1, -2), r"t must be an integer >= 0"),
        (lambda: problems.max_stable_lr(0), r"curvature must be a number in \(0, inf\), got 0"),
        (lambda: problems.regime(0.0), r"lr must be a number in \(0, inf\), got 0\.0"),
        (lambda: problems.steps_to_tolerance(1.0, 1e-3), r"lr must be below the stability limit"),
        (lambda: problems.steps_to_tolerance(0.1, 0), r"tol must be a number in \(0, inf\), got 0"),
        (lambda: problems.Quadratic2D(-1.0, 1.0), r"h_x must be a number in \(0, inf\), got -1\.0"),
        (lambda: problems.gd_quadratic(True, 5), r"lr must be a number in \(0, inf\), got True"),
        (lambda: problems.gd_quadratic(0.1, 5, x0="0"), r"x0 must be a number in \(-inf, inf\)"),
        (lambda: problems.gd_quadratic(0.1, 5, b=math.inf), r"b must be a number in \(-inf, inf"),
        (lambda: problems.gd_quadratic_closed_form(0.1, True), r"t must be an integer >= 0"),
        (lambda: problems.gd_quadratic_closed_form(0.1, 2.0), r"t must be an integer >= 0"),
        (lambda: problems.steps_to_tolerance(0.1, 1e-3, x0=None), r"x0 must be a number in"),
        (lambda: problems.Quadratic2D(1.0, 1.0).gd_path(0.1, True), r"steps must be an integer"),
    ],
)
def test_bad_input_messages(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_numbers_are_accepted():
    assert problems.gd_quadratic(np.float32(0.5), np.int64(2)).tolist() == [0.0, 3.0, 3.0]
    assert problems.gd_quadratic_closed_form(0.25, np.uint8(1)) == 1.5
