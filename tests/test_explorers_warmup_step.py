"""Chapters 2 and 3: warmup and step-decay figure builders, explorers, drivers and answers."""

import math

import numpy as np
import pytest
import torch

import lrlab
from lrlab.exercises import expected
from lrlab.explorers import warmup_step as ws


def _line(fig, label_start, ax=0):
    (line,) = [ln for ln in fig.axes[ax].lines if ln.get_label().startswith(label_start)]
    return line


# --------------------------------------------------------------- Adam / RAdam


@pytest.mark.parametrize(("beta2", "window", "rule"), [(0.999, 1000, 2000), (0.95, 20, 40)])
def test_ema_window_and_ma_yarats_rule(beta2, window, rule):
    assert ws.ema_window(beta2) == pytest.approx(window)
    assert ws.ma_yarats_warmup(beta2) == rule


def test_radam_rho_follows_formula_and_approaches_rho_inf():
    beta2 = 0.99
    rho = ws.radam_rho(beta2, 5000)
    k = np.arange(1, 5001)
    rho_inf = 2 / (1 - beta2) - 1
    np.testing.assert_allclose(rho, rho_inf - 2 * k * beta2**k / (1 - beta2**k))
    assert rho[0] == pytest.approx(1.0)
    assert np.all(np.diff(rho[:1000]) > 0)
    assert rho[-1] == pytest.approx(rho_inf, rel=1e-6)


@pytest.mark.parametrize("beta2", [0.95, 0.999])
def test_rectifier_matches_torch_radam(beta2):
    # With beta1 = 0 and a constant gradient, torch's RAdam moves by lr * r_k once rho_k > 5.
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.RAdam([param], lr=1.0, betas=(0.0, beta2))
    moves = []
    for _ in range(12):
        param.grad = torch.ones(1, dtype=torch.float64)
        before = float(param.detach())
        opt.step()
        moves.append(before - float(param.detach()))
    r = ws.radam_rectifier(beta2, 12, threshold=5.0)
    on = r > 0
    np.testing.assert_allclose(np.array(moves)[on], r[on], rtol=1e-6)
    np.testing.assert_allclose(np.array(moves)[~on], 1.0)
    assert ws.radam_first_step(beta2, threshold=5.0) == int(np.argmax(on)) + 1


def test_adam_first_update_moves_by_lr_with_bias_correction():
    param = torch.nn.Parameter(torch.zeros(3))
    opt = torch.optim.Adam([param], lr=0.01)
    param.grad = torch.tensor([1e-4, 1.0, -30.0])
    opt.step()
    # |g| / (|g| + eps) with eps = 1e-8: 0.9999 for the smallest gradient.
    np.testing.assert_allclose(param.detach().numpy(), [-0.01, -0.01, 0.01], rtol=2e-4)
    assert ws.adam_uncorrected_first_step(0.9, 0.999) == pytest.approx(0.1 / math.sqrt(0.001))


def test_registered_answers():
    assert expected("warmup-lr-deficit", warmup_steps=1000) == 500.5
    assert expected("radam-first-step", beta2=0.999) == 5
    assert expected("step-decay-lr-sum", start=0.1, gamma=0.5, step_size=10, epochs=50) == (
        pytest.approx(sum(0.1 * 0.5 ** (t // 10) for t in range(50)))
    )
    assert expected("multistep-lr", start=0.1, milestones=[30, 30, 60], gamma=0.1, t=59) == (
        pytest.approx(1e-3)
    )
    assert expected("plateau-first-reduction", metrics=[3, 2, 2, 2, 2, 2], patience=3) == 5


# ---------------------------------------------------------- warmup explorer


def test_warmup_explorer_default_follows_formulas():
    ex = ws.warmup_explorer()
    fig = ex.figure
    yours = _line(fig, "your warmup")
    t = yours.get_xdata()
    assert t[-1] == 3999  # max(3 * 1000, 4 / (1 - 0.999)) steps
    np.testing.assert_allclose(yours.get_ydata(), np.minimum(t / 1000, 1) * 1e-3)
    rule = _line(fig, "Ma & Yarats")
    np.testing.assert_allclose(rule.get_ydata(), np.minimum(t / 2000, 1) * 1e-3)
    radam = _line(fig, "RAdam")
    np.testing.assert_allclose(radam.get_ydata(), 1e-3 * ws.radam_rectifier(0.999, t.size))
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()


@pytest.mark.parametrize(
    ("peak", "warmup", "beta2", "shape"),
    [(3e-3, 200, 0.95, "cosine"), (1e-4, 4000, 0.99, "1-sqrt"), (5e-3, 1, 0.9, "linear")],
)
def test_warmup_explorer_sliders_redraw(peak, warmup, beta2, shape):
    ex = ws.warmup_explorer()
    ex.controls["peak"].value = peak
    ex.controls["warmup_steps"].value = warmup
    ex.controls["beta2"].value = beta2
    ex.controls["shape"].value = shape
    yours = _line(ex.figure, "your warmup")
    t = yours.get_xdata()
    assert t.size == max(3 * warmup, round(4 / (1 - beta2)))
    expected_lr = lrlab.linear_warmup(ex.controls["peak"].value, warmup, shape=shape)(t)
    np.testing.assert_allclose(yours.get_ydata(), expected_lr)
    rule = _line(ex.figure, "Ma & Yarats")
    assert f"= {round(2 / (1 - beta2))} steps" in rule.get_label()


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"peak": -1e-3}, "peak"),
        ({"warmup_steps": 0}, "warmup_steps"),
        ({"beta2": 0.5}, "beta2"),
        ({"beta2": 1.0}, "beta2"),
        ({"shape": "step"}, "shape"),
    ],
)
def test_warmup_figure_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name) as info:
        ws.warmup_figure(**kwargs)
    assert repr(next(iter(kwargs.values()))) in str(info.value)


def test_warmup_explorer_rejects_values_the_sliders_cannot_show():
    with pytest.raises(ValueError, match=r"beta2 must be one of 0.9, .*0.999, got 0.97"):
        ws.warmup_explorer(beta2=0.97)
    with pytest.raises(ValueError, match=r"peak must be a number in \[0.0001, 0.01\], got 0.5"):
        ws.warmup_explorer(peak=0.5)
    with pytest.raises(ValueError, match=r"warmup_steps must be an integer in \[1, 4000\], got 0"):
        ws.warmup_explorer(warmup_steps=0)
    with pytest.raises(ValueError, match=r"step_size must be an integer in \[50, 2000\], got 10"):
        ws.step_decay_explorer(step_size=10)
    with pytest.raises(ValueError, match=r"start must be a number in \[0.05, 1.5\], got 1.9"):
        ws.step_decay_explorer(start=1.9)


@pytest.mark.parametrize(
    ("func", "kwargs", "message"),
    [
        (ws.radam_rho, {"beta2": 0.99, "steps": 0}, r"steps must be an integer >= 1, got 0"),
        (ws.radam_rectifier, {"beta2": 0.5, "steps": 3}, r"beta2 must be a number in \(0.6, 1\)"),
        (ws.radam_rectifier, {"beta2": 0.9, "steps": 3, "threshold": 3}, r"threshold .* got 3"),
        (ws.radam_first_step, {"beta2": 0.55}, r"beta2 must be in \(0.6, 1\).*got 0.55"),
        (ws.warmup_lr_deficit, {"warmup_steps": 0}, r"warmup_steps must be an integer >= 1"),
        (ws.ema_window, {"beta2": 1}, r"beta2 must be a number in \(0, 1\), got 1"),
    ],
)
def test_helpers_bad_input(func, kwargs, message):
    with pytest.raises(ValueError, match=message):
        func(**kwargs)


# ---------------------------------------------------------------- warmup grid


def test_warmup_then_decay_and_grid():
    s = ws.warmup_then_decay(0.2, 10, 50)
    t = np.arange(51)
    np.testing.assert_allclose(s(t)[:10], 0.2 * t[:10] / 10)
    np.testing.assert_allclose(s(t)[10:], 0.2 * (50 - t[10:]) / 40)
    with pytest.raises(ValueError, match=r"warmup_steps must be an integer in \[0, 49\], got 50"):
        ws.warmup_then_decay(0.2, 50, 50)
    grid = ws.warmup_grid([1e-2, 5.0], [0, 5], steps=15, seeds=[0, 1])
    assert grid.final_excess.shape == (2, 2, 2)
    assert np.all(np.isfinite(grid.final_excess[0]))
    assert np.all(grid.diverged_at[1, 0] == 1)  # 5.0 without warmup: blown up after update 0
    h = grid.history(1e-2, 5, 1)
    np.testing.assert_allclose(h.lr, ws.warmup_then_decay(1e-2, 5, 15)(np.arange(15)))
    fig = ws.plot_warmup_grid(grid)
    (line,) = [ln for ln in fig.axes[0].lines if ln.get_label() == "warmup 5 steps"]
    np.testing.assert_allclose(line.get_ydata()[0], grid.final_excess[0, 1].mean())


# ----------------------------------------------------------------- step decay


def test_step_decay_sum_closed_form_matches_summation():
    for start, gamma, size, epochs in [(0.1, 0.5, 10, 50), (0.3, 0.1, 7, 23), (1.0, 1.0, 3, 10)]:
        brute = float(lrlab.step_decay(start, size, gamma)(np.arange(epochs)).sum())
        assert ws.step_decay_lr_sum(start, gamma, size, epochs) == pytest.approx(brute)


def test_step_decay_explorer_default_follows_formula():
    nqm = lrlab.NoisyQuadratic.standard(dim=100)
    ex = ws.step_decay_explorer(nqm=nqm)
    fig = ex.figure
    t = np.arange(2000)
    lrs = 1.0 * 0.3 ** (t // 400)
    np.testing.assert_allclose(_line(fig, "step decay", 0).get_ydata(), lrs)
    np.testing.assert_allclose(_line(fig, "step decay", 1).get_ydata(), nqm.expected_loss(lrs))
    np.testing.assert_allclose(
        _line(fig, "constant", 1).get_ydata(), nqm.expected_loss(np.full(2000, 1.0))
    )
    np.testing.assert_allclose(_line(fig, "floor", 1).get_ydata(), nqm.floor(lrs))
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


@pytest.mark.parametrize(("start", "gamma", "size"), [(0.5, 0.5, 100), (1.5, 0.1, 950)])
def test_step_decay_explorer_sliders_redraw(start, gamma, size):
    ex = ws.step_decay_explorer()
    ex.controls["start"].value = start
    ex.controls["gamma"].value = gamma
    ex.controls["step_size"].value = size
    v = ex.values
    t = np.arange(2000)
    expected_lr = lrlab.step_decay(v["start"], v["step_size"], v["gamma"])(t)
    np.testing.assert_allclose(_line(ex.figure, "step decay", 0).get_ydata(), expected_lr)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 2.5}, r"start must be a number in \(0, 2\), got 2.5"),
        ({"gamma": 0.0}, r"gamma must be a number in \(0, 1\], got 0.0"),
        ({"gamma": 1.5}, r"gamma must be a number in \[0, 1\], got 1.5"),
        ({"step_size": 0}, r"step_size must be an integer in \[1, 2000\], got 0"),
    ],
)
def test_step_decay_figure_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ws.step_decay_figure(**kwargs)


def test_multistep_lr_counts_repeated_milestones():
    assert ws.multistep_lr(0.1, [30, 30, 60], 0.1, 29) == 0.1
    assert ws.multistep_lr(0.1, [30, 30, 60], 0.1, 30) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="t must be an integer >= 0, got -1"):
        ws.multistep_lr(0.1, [30], 0.1, -1)


# ------------------------------------------------------------ plateau driver


def test_plateau_run_follows_torch_state_machine():
    run = ws.plateau_run(0.5, epochs=6, steps_per_epoch=5, factor=0.5, patience=1, cooldown=1)
    h = run.history
    assert h.lr.shape == (30,)
    lrs_by_epoch = [r["lr"] for r in run.records]
    # The LR each epoch trained with is the one the scheduler chose after the previous epoch.
    np.testing.assert_allclose(h.lr[5::5], lrs_by_epoch[:-1])
    np.testing.assert_allclose(h.lr[:5], 0.5)
    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(dummy, factor=0.5, patience=1, cooldown=1)
    for record in run.records:
        sched.step(record["val_loss"])
        assert dummy.param_groups[0]["lr"] == record["lr"]
        assert sched.num_bad_epochs == record["bad_epochs"]
        assert sched.cooldown_counter == record["cooldown"]


def test_plateau_first_reduction():
    assert ws.plateau_first_reduction([1.0, 0.9, 0.9, 0.9, 0.9], patience=2) == 4
    assert ws.plateau_first_reduction([1.0, 0.9, 0.8], patience=2) == -1
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        ws.plateau_run(0.1, epochs=0, steps_per_epoch=5)


def test_plot_plateau_shows_metric_best_and_lr_used():
    run = ws.plateau_run(0.4, epochs=4, steps_per_epoch=5, factor=0.5, patience=0, threshold=0.5)
    fig = ws.plot_plateau(run)
    np.testing.assert_allclose(
        _line(fig, "validation loss").get_ydata(), [r["val_loss"] for r in run.records]
    )
    np.testing.assert_allclose(_line(fig, "best").get_ydata(), [r["best"] for r in run.records])
    np.testing.assert_allclose(
        _line(fig, "learning rate", 1).get_ydata(), run.history.lr[::5], rtol=0, atol=0
    )
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()
