"""Chapters 4 and 5: figure builders, explorers and exercise answers follow the formulas."""

import math

import numpy as np
import pytest

import lrlab
from lrlab import exercises
from lrlab.explorers import cosine_cyclical as cc


@pytest.fixture(scope="module")
def nqm():
    return lrlab.NoisyQuadratic.standard(dim=20)


# ------------------------------------------------------------ chapter 4


def test_time_at_lr_linear_is_uniform_and_cosine_is_arcsine():
    steps = 10_000
    lin = cc.time_at_lr(lrlab.linear_decay(1.0, 0.0, steps), steps, 0.0, 1.0, 5)
    np.testing.assert_allclose(lin, 0.2, atol=2e-4)
    cos = cc.time_at_lr(lrlab.cosine(1.0, steps), steps, 0.0, 1.0, 5)
    exact = [cc.arcsine_fraction(i / 5, (i + 1) / 5) for i in range(5)]
    np.testing.assert_allclose(cos, exact, atol=2e-4)
    assert cos.sum() == pytest.approx(1.0)
    assert cos[0] > cos[2] < cos[4]


def test_time_at_lr_counts_the_peak_in_the_top_band():
    shares = cc.time_at_lr(lrlab.constant(2.0), 7, 0.0, 2.0, 4)
    assert shares.tolist() == [0.0, 0.0, 0.0, 1.0]


def test_arcsine_fraction_is_symmetric_and_sums_to_one():
    assert cc.arcsine_fraction(0.0, 1.0) == pytest.approx(1.0)
    assert cc.arcsine_fraction(0.0, 0.2) == pytest.approx(cc.arcsine_fraction(0.8, 1.0))
    assert cc.arcsine_fraction(0.3, 0.3) == 0.0


def test_plot_time_at_lr_draws_the_shares():
    sched = {"cosine": lrlab.cosine(1.0, 100), "linear": lrlab.linear_decay(1.0, 0.0, 100)}
    fig = cc.plot_time_at_lr(sched, 100, 0.0, 1.0, 4)
    ax_lr, ax_bar = fig.axes
    np.testing.assert_array_equal(ax_lr.lines[0].get_ydata(), sched["cosine"](np.arange(100)))
    for container, s in zip(ax_bar.containers, sched.values(), strict=True):
        heights = [bar.get_height() for bar in container]
        np.testing.assert_allclose(heights, 100 * cc.time_at_lr(s, 100, 0.0, 1.0, 4))
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


def test_sgdr_explorer_follows_the_formula_after_moving_sliders(nqm):
    ex = cc.sgdr_explorer(nqm, steps=120, peak=0.5, period=20, period_mult=2)
    ex.controls["peak"].value = 1.0
    ex.controls["period"].value = 30
    ex.controls["period_mult"].value = 1
    ex.controls["floor_frac"].value = 0.25
    peak = ex.values["peak"]
    expected = lrlab.cosine_restarts(peak, 30, 1, 0.25 * peak)
    t = np.arange(121)
    ax_lr, ax_loss = ex.figure.axes
    restart_line, cosine_line = ax_lr.lines[:2]
    np.testing.assert_allclose(restart_line.get_ydata(), expected(t))
    np.testing.assert_allclose(cosine_line.get_ydata(), lrlab.cosine(peak, 120, 0.25 * peak)(t))
    np.testing.assert_allclose(
        ax_loss.lines[0].get_ydata(), nqm.expected_loss(expected, steps=120), rtol=1e-12
    )
    restarts = [ln.get_xdata()[0] for ln in ax_lr.lines[2:]]
    assert restarts == [30, 60, 90, 120]


def test_plot_runs_draws_the_mean_excess_loss():
    hs = lrlab.train_many([lrlab.constant(1e-2)], 40, seeds=[0, 1], val_every=10)
    fig = cc.plot_runs({"constant": hs}, from_step=20)
    line = fig.axes[1].lines[0]
    assert line.get_xdata().tolist() == [20, 30, 40]
    mean = (hs[0].val_excess + hs[1].val_excess)[2:] / 2
    np.testing.assert_allclose(line.get_ydata(), mean)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), hs[0].lr)


@pytest.mark.parametrize(("period", "mult"), [(50, 2), (1, 3), (7, 1), (10, 4)])
def test_restart_step_matches_the_schedule(period, mult):
    starts = lrlab.cosine_restarts(1.0, period, mult).cycle_starts(100_000)
    for n in range(1, min(len(starts), 6)):
        assert cc.restart_step(period, mult, n) == starts[n]


def test_chapter_4_exercises_are_registered():
    assert exercises.is_correct(
        "cosine-lr-at-step",
        6e-5 + 0.5 * (6e-4 - 6e-5) * (1 + math.sqrt(2) / 2),
        peak=6e-4,
        total_steps=10_000,
        step=2500,
        floor=6e-5,
    )
    assert exercises.is_correct("sgdr-restart-step", 630, period=10, period_mult=2, n=6)
    assert not exercises.is_correct("sgdr-restart-step", 640, period=10, period_mult=2, n=6)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cc.time_at_lr(lrlab.cosine(1.0, 10), 0, 0.0, 1.0), r"steps must be .* got 0"),
        (lambda: cc.time_at_lr(lrlab.cosine(1.0, 10), 10, 0.0, 1.0, 0), r"n_bins .* got 0"),
        (lambda: cc.time_at_lr(lrlab.cosine(1.0, 10), 10, 1.0, 1.0), r"high must be .* got 1.0"),
        (
            lambda: cc.time_at_lr(lrlab.cosine(2.0, 10), 10, 0.0, 1.0),
            r"schedule values must lie in \[low, high\] = \[0.0, 1.0\], got 2.0",
        ),
        (lambda: cc.arcsine_fraction(0.5, 1.5), r"hi must be a number in \[0.5, 1\], got 1.5"),
        (lambda: cc.arcsine_fraction(-0.1, 0.5), r"lo must be a number in \[0, 1\], got -0.1"),
        (lambda: cc.restart_step(0, 2, 1), r"period must be an integer >= 1, got 0"),
        (lambda: cc.restart_step(10, 2, 0), r"n must be an integer >= 1, got 0"),
        (
            lambda: cc.plot_restarts_on_nqm(lrlab.NoisyQuadratic.standard(5), 100, 2.5, 10),
            r"peak must be a number in \(0, 2\), got 2.5",
        ),
        (
            lambda: cc.plot_restarts_on_nqm(lrlab.NoisyQuadratic.standard(5), 100, 0.5, 200),
            r"period must be an integer in \[1, 100\], got 200",
        ),
        (lambda: cc.plot_runs({}), r"runs must map labels to non-empty lists"),
        # Explorer defaults outside their sliders are refused, not clamped.
        (
            lambda: cc.sgdr_explorer(peak=100.0),
            r"peak must be a number in \[0.05, 1.5\], got 100.0",
        ),
        (
            lambda: cc.sgdr_explorer(steps=100, period=200),
            r"period must be an integer in \[10, 100\]",
        ),
        (lambda: cc.sgdr_explorer(floor_frac=0.9), r"floor_frac must be a number in \[0, 0.5\]"),
    ],
)
def test_bad_input_names_parameter_value_and_range(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------ chapter 5


@pytest.mark.parametrize(
    ("mode", "gamma", "up", "down"),
    [("triangular", 1.0, 200, 200), ("triangular2", 1.0, 100, 300), ("exp_range", 0.999, 150, 150)],
)
def test_cyclical_explorer_follows_the_formula_after_moving_sliders(mode, gamma, up, down):
    ex = cc.cyclical_explorer(steps=1200, step_size_up=600, step_size_down=600)
    ex.controls["base"].value = 0.002
    ex.controls["peak"].value = 0.02
    ex.controls["step_size_up"].value = up
    ex.controls["step_size_down"].value = down
    ex.controls["mode"].value = mode
    ex.controls["gamma"].value = gamma
    v = ex.values
    expected = lrlab.cyclical(v["base"], v["peak"], up, down, mode, v["gamma"])
    t = np.arange(1200)
    ax_lr, ax_m = ex.figure.axes
    np.testing.assert_array_equal(ax_lr.lines[0].get_xdata(), t)
    np.testing.assert_allclose(ax_lr.lines[0].get_ydata(), expected(t))
    np.testing.assert_allclose(ax_m.lines[0].get_ydata(), expected.momentum(t))
    marks = [ln.get_xdata()[0] for ln in ax_lr.lines[1:]]
    assert marks == list(range(up + down, 1200, up + down))


def test_cyclical_explorer_draws_a_base_above_the_max_at_the_max():
    ex = cc.cyclical_explorer(steps=300, step_size_up=50, step_size_down=50)
    ex.controls["peak"].value = 0.002
    ex.controls["base"].value = 0.005
    np.testing.assert_allclose(ex.figure.axes[0].lines[0].get_ydata(), ex.values["peak"])


def test_plot_cyclical_matches_smiths_formula():
    fig = cc.plot_cyclical(0.001, 0.01, 2000, steps=12_001)
    lrs = fig.axes[0].lines[0].get_ydata()
    for t in (0, 1000, 2000, 3500, 4000, 6000):
        cycle = math.floor(1 + t / 4000)
        x = abs(t / 2000 - 2 * cycle + 1)
        assert lrs[t] == pytest.approx(0.001 + 0.009 * max(0.0, 1 - x), abs=1e-15)
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)


def test_many_cycles_are_not_marked():
    fig = cc.plot_cyclical(0.001, 0.01, 1, steps=1000)
    assert len(fig.axes[0].lines) == 1


def test_cycle_fraction_and_chapter_5_exercises():
    assert cc.cycle_fraction(30, 2000) == 0.0075
    assert cc.cycle_fraction(4000, 1000, 3000) == 1.0
    assert exercises.is_correct(
        "clr-lr-at-step",
        0.0019375,
        base=0.001,
        peak=0.006,
        step_size=2000,
        step=10_500,
        mode="triangular2",
    )
    assert exercises.is_correct(
        "clr-lr-at-step", 0.00325, base=0.001, peak=0.01, step_size=2000, step=3500
    )
    assert exercises.is_correct("clr-cycle-fraction", 0.0225, scheduler_steps=90, step_size_up=2000)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: cc.cycle_fraction(-1, 10), r"scheduler_steps must be an integer >= 0, got -1"),
        (lambda: cc.cycle_fraction(5, 0), r"step_size_up must be an integer >= 1, got 0"),
        (
            lambda: cc.plot_cyclical(0.001, 0.01, 10, steps=0),
            r"steps must be an integer >= 1, got 0",
        ),
        (
            lambda: cc.plot_cyclical(0.02, 0.01, 10),
            r"base must be in \[0, peak\] = \[0, 0.01\], got 0.02",
        ),
        (
            lambda: cc.plot_cyclical(0.001, 0.01, 10, mode="sine"),
            r"mode must be one of .*got 'sine'",
        ),
        # Explorer defaults outside their sliders are refused, not clamped.
        (lambda: cc.cyclical_explorer(base=1.0), r"base must be a number in \[0, 0.01\], got 1.0"),
        (lambda: cc.cyclical_explorer(peak=0.5), r"peak must be a number in \[0.001, 0.05\]"),
        (lambda: cc.cyclical_explorer(gamma=0.9), r"gamma must be a number in \[0.999, 1\]"),
        (lambda: cc.cyclical_explorer(mode="sine"), r"mode must be one of 'triangular'"),
        (lambda: cc.cyclical_explorer(step_size_up=10), r"step_size_up must be an integer in \[50"),
    ],
)
def test_chapter_5_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
