"""The 1cycle and WSD chapters' figures, explorers, helpers and exercise answers."""

import matplotlib
import numpy as np
import pytest
import torch

import lrlab
from lrlab.exercises import expected, is_correct
from lrlab.explorers import onecycle_wsd as ow

matplotlib.use("Agg")


# ----------------------------------------------------------------- 1cycle


@pytest.mark.parametrize(
    ("total", "pct", "three", "ends"),
    [
        (10_000, 0.3, False, (2999.0, 9999.0)),
        (10_000, 0.45, True, (4499.0, 8998.0, 9999.0)),
        (1000, 0.33, False, (329.0, 999.0)),
    ],
)
def test_phase_ends_follow_torch(total, pct, three, ends):
    assert ow.one_cycle_phase_ends(total, pct, three) == ends


def test_phase_ends_hold_the_extreme_values():
    for three in (False, True):
        s = lrlab.one_cycle(1e-3, 10_000, pct_start=0.3, three_phase=three, anneal="linear")
        first = int(ow.one_cycle_phase_ends(10_000, 0.3, three)[0])
        assert s(first) == 1e-3
        assert s(first - 1) < 1e-3 and s(first + 1) < 1e-3


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"total_steps": 1, "pct_start": 0.3}, r"total_steps must be an integer >= 2, got 1"),
        ({"total_steps": 10.5, "pct_start": 0.3}, r"total_steps must be an integer >= 2, got 10.5"),
        (
            {"total_steps": 100, "pct_start": 1.0},
            r"pct_start must be a number in \(0, 1\), got 1.0",
        ),
        ({"total_steps": 100, "pct_start": "0.3"}, r"pct_start must be a number in .*got '0.3'"),
    ],
)
def test_phase_ends_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ow.one_cycle_phase_ends(**kwargs)


def test_plot_one_cycle_draws_lr_and_momentum():
    fig = ow.plot_one_cycle(2e-3, 500, pct_start=0.4, div_factor=10, final_div_factor=50)
    s = lrlab.one_cycle(2e-3, 500, pct_start=0.4, div_factor=10, final_div_factor=50)
    t = np.arange(500)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), s(t))
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), s.momentum(t))
    phase_lines = [ln for ln in fig.axes[0].lines[1:]]
    assert [ln.get_xdata()[0] for ln in phase_lines] == [199.0]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_plot_one_cycle_rejects_what_one_cycle_rejects():
    with pytest.raises(ValueError, match="pct_start"):
        ow.plot_one_cycle(total_steps=100, pct_start=0.6, three_phase=True)


@pytest.fixture
def cycle_explorer():
    return ow.one_cycle_explorer()


def test_explorer_default_is_torch_default_cycle(cycle_explorer):
    fig = cycle_explorer.figure
    s = lrlab.one_cycle(1.0, 1000)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), s(np.arange(1000)))
    assert fig.axes[0].get_yscale() == "log"


@pytest.mark.parametrize(
    "values",
    [
        {"total_steps": 400, "pct_start": 0.2, "anneal": "linear"},
        {"three_phase": True, "pct_start": 0.45, "div_factor": 10.0, "final_div_factor": 100.0},
        {"logy": False, "final_div_factor": 1.0},
    ],
)
def test_moving_controls_redraws_with_the_formula(cycle_explorer, values):
    for name, value in values.items():
        cycle_explorer.controls[name].value = value
    v = cycle_explorer.values
    s = lrlab.one_cycle(
        1.0,
        v["total_steps"],
        pct_start=v["pct_start"],
        div_factor=v["div_factor"],
        final_div_factor=v["final_div_factor"],
        anneal=v["anneal"],
        three_phase=v["three_phase"],
    )
    t = np.arange(v["total_steps"])
    lr_line, m_line = cycle_explorer.figure.axes[0].lines[0], cycle_explorer.figure.axes[1].lines[0]
    np.testing.assert_array_equal(lr_line.get_ydata(), s(t))
    np.testing.assert_array_equal(m_line.get_ydata(), s.momentum(t))
    assert cycle_explorer.figure.axes[0].get_yscale() == ("log" if v["logy"] else "linear")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"total_steps": 50}, r"total_steps must be an integer in \[100, 5000\], got 50"),
        ({"pct_start": 0.6}, r"pct_start must be a number in \[0.05, 0.45\], got 0.6"),
        ({"div_factor": 0.5}, r"div_factor must be a number in \[1, 1000\], got 0.5"),
        (
            {"final_div_factor": 1e6},
            r"final_div_factor must be a number in \[1, 100000\], got 1000000.0",
        ),
        ({"anneal": "cosine"}, r"anneal must be one of 'cos', 'linear', got 'cosine'"),
    ],
)
def test_explorer_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ow.one_cycle_explorer(**kwargs)


# ------------------------------------------------------- training helpers


def test_train_per_seed_matches_train_many():
    schedules = [lrlab.one_cycle(2e-2, 60), lrlab.constant(1e-2)]
    runs = ow.train_per_seed(schedules, 60, seeds=[0, 1], val_every=20)
    mixed = lrlab.train_many(schedules, 60, seeds=[0, 1], val_every=20)
    for i in range(2):
        for j in range(2):
            np.testing.assert_array_equal(runs[i][j].val_loss, mixed[2 * i + j].val_loss)
            np.testing.assert_array_equal(runs[i][j].lr, mixed[2 * i + j].lr)


def test_train_per_seed_bad_input():
    with pytest.raises(ValueError, match=r"seeds must hold at least one seed, got \[\]"):
        ow.train_per_seed([lrlab.constant(1e-2)], 10, seeds=[])


def test_excess_rows_and_plot():
    runs = ow.train_per_seed([lrlab.constant(1e-2)], 30, seeds=[0, 1], val_every=10)
    (row,) = ow.excess_table_rows({"c": runs[0]})
    finals = [h.final_excess for h in runs[0]]
    assert row == ["c", pytest.approx(np.mean(finals)), min(finals), max(finals)]
    fig = ow.plot_excess({"c": runs[0]})
    line = fig.axes[0].lines[0]
    np.testing.assert_allclose(line.get_ydata(), np.mean([h.val_excess for h in runs[0]], axis=0))
    assert fig.axes[0].get_yscale() == "log"


# -------------------------------------------------------------- exercises


def test_peak_step_exercise_matches_torch():
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=0.1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=2500, pct_start=0.25)
    lrs = []
    for _ in range(2500):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert expected("one-cycle-peak-step", total_steps=2500, pct_start=0.25) == int(np.argmax(lrs))
    assert is_correct("one-cycle-peak-step", 624, total_steps=2500, pct_start=0.25)
    assert not is_correct("one-cycle-peak-step", 625, total_steps=2500, pct_start=0.25)


def test_total_steps_exercise_counts_the_loop():
    def count(epochs, batches, accumulation):
        return sum(
            1
            for _ in range(epochs)
            for i in range(batches)
            if (i + 1) % accumulation == 0 or i + 1 == batches
        )

    for args in [(10, 391, 4), (3, 400, 4), (2, 7, 1), (5, 10, 3)]:
        assert expected(
            "one-cycle-total-steps", epochs=args[0], batches_per_epoch=args[1], accumulation=args[2]
        ) == count(*args)


# -------------------------------------------------------------------- WSD


SMALL_NQM = lrlab.NoisyQuadratic.standard(dim=50)


def test_bias_and_variance_add_up_to_the_expected_loss():
    schedules = [lrlab.wsd(0.5, 300, 6, 30, 0.05, "1-sqrt"), lrlab.constant(0.2)]
    bias, variance = ow.nqm_bias_variance(SMALL_NQM, schedules, 300)
    np.testing.assert_allclose(bias + variance, SMALL_NQM.expected_loss(schedules, steps=300))
    noiseless = lrlab.NoisyQuadratic(h=SMALL_NQM.h, c=np.zeros(50))
    np.testing.assert_allclose(bias, noiseless.expected_loss(schedules, steps=300))
    assert variance[:, 0].tolist() == [0.0, 0.0]
    # A constant LR's variance settles on the closed-form floor.
    assert variance[1, -1] == pytest.approx(SMALL_NQM.floor(0.2), rel=1e-2)


@pytest.mark.parametrize(
    ("steps", "schedules", "match"),
    [
        (0, [lrlab.constant(0.1)], r"steps must be an integer >= 1, got 0"),
        (10, [], r"schedule_list must hold at least one schedule, got \[\]"),
    ],
)
def test_bias_variance_bad_input(steps, schedules, match):
    with pytest.raises(ValueError, match=match):
        ow.nqm_bias_variance(SMALL_NQM, schedules, steps)


def test_plot_wsd_nqm_follows_the_formulas():
    fig = ow.plot_wsd_nqm(0.4, 0.2, "linear", 0.01, total_steps=500, nqm=SMALL_NQM)
    wsd = lrlab.wsd(0.4, 500, 10, 100, 0.004, "linear")
    cos = lrlab.warmup_cosine(0.4, 500, 10, 0.004)
    t = np.arange(501)
    lr_wsd, lr_cos = fig.axes[0].lines
    np.testing.assert_array_equal(lr_wsd.get_ydata(), wsd(t))
    np.testing.assert_array_equal(lr_cos.get_ydata(), cos(t))
    loss_wsd, loss_cos = fig.axes[1].lines
    np.testing.assert_allclose(loss_wsd.get_ydata(), SMALL_NQM.expected_loss(wsd, steps=500))
    np.testing.assert_allclose(loss_cos.get_ydata(), SMALL_NQM.expected_loss(cos, steps=500))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"peak": 2.5}, r"peak must be a number in \(0, 2\), got 2.5"),
        ({"decay_frac": 0.0}, r"decay_frac must be in \(0, 0.98\], got 0.0"),
        ({"floor_frac": 0.0}, r"floor_frac must be in \(0, 1\], got 0.0"),
        ({"total_steps": 50}, r"total_steps must be an integer >= 100, got 50"),
        ({"decay": "step"}, r"decay must be one of"),
    ],
)
def test_plot_wsd_nqm_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ow.plot_wsd_nqm(**{"nqm": SMALL_NQM, "total_steps": 200, **kwargs})


def test_wsd_explorer_redraws_with_the_formula():
    ex = ow.wsd_explorer(total_steps=400)
    ex.controls["peak"].value = 0.8
    ex.controls["decay_frac"].value = 0.3
    ex.controls["decay"].value = "exponential"
    ex.controls["floor_frac"].value = 0.01
    v = ex.values
    wsd = lrlab.wsd(
        v["peak"], 400, 8, round(v["decay_frac"] * 400), v["peak"] * v["floor_frac"], "exponential"
    )
    t = np.arange(401)
    np.testing.assert_array_equal(ex.figure.axes[0].lines[0].get_ydata(), wsd(t))
    nqm = lrlab.NoisyQuadratic.standard(dim=1000)
    np.testing.assert_allclose(
        ex.figure.axes[1].lines[0].get_ydata(), nqm.expected_loss(wsd, steps=400)
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"peak": 2.0}, r"peak must be a number in \[0.05, 1.5\], got 2.0"),
        ({"decay_frac": 0.7}, r"decay_frac must be a number in \[0.02, 0.6\], got 0.7"),
        (
            {"decay": "cos"},
            r"decay must be one of 'linear', 'cosine', '1-sqrt', 'exponential', got 'cos'",
        ),
        ({"floor_frac": 0.0001}, r"floor_frac must be a number in \[0.001, 1\], got 0.0001"),
        ({"total_steps": 99}, r"total_steps must be an integer >= 100, got 99"),
    ],
)
def test_wsd_explorer_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ow.wsd_explorer(**kwargs)


def test_plot_wsd_shapes_draws_each_decay():
    fig = ow.plot_wsd_shapes(1.0, 200, 4, 40, floor=0.1)
    t = np.arange(160, 201)
    for line, shape in zip(
        fig.axes[1].lines, ("linear", "cosine", "1-sqrt", "exponential"), strict=True
    ):
        np.testing.assert_array_equal(line.get_ydata(), lrlab.wsd(1.0, 200, 4, 40, 0.1, shape)(t))
    with pytest.raises(ValueError, match="floor must be in"):
        ow.plot_wsd_shapes(1.0, 200, 4, 40, floor=0.0)


@pytest.fixture(scope="module")
def stable_run():
    return lrlab.train(lrlab.linear_warmup(1e-2, 5), 54, checkpoints=[36, 54], val_every=6)


def test_branch_is_the_wsd_run(stable_run):
    branch = ow.branch_wsd(stable_run, 60, 6, 1e-2, 5, 1e-3, "cosine")
    direct = lrlab.train(lrlab.wsd(1e-2, 60, 5, 6, 1e-3, "cosine"), 60, val_every=6)
    np.testing.assert_array_equal(branch.val_loss, direct.val_loss)
    np.testing.assert_allclose(branch.lr, direct.lr, rtol=1e-15, atol=0)


def test_branch_needs_a_checkpoint(stable_run):
    with pytest.raises(ValueError, match=r"one of \[36, 54\], got 60 - 10 = 50"):
        ow.branch_wsd(stable_run, 60, 10, 1e-2, 5)


def test_plot_branches(stable_run):
    branch = ow.branch_wsd(stable_run, 40, 4, 1e-2, 5)
    fig = ow.plot_branches(stable_run, {40: (36, branch)}, {40: 0.5})
    stable_line, branch_line, dots = fig.axes[0].lines
    np.testing.assert_array_equal(stable_line.get_ydata(), stable_run.val_excess)
    assert branch_line.get_xdata().tolist() == [36, 40]
    assert dots.get_xdata().tolist() == [40] and dots.get_ydata().tolist() == [0.5]
    assert fig.axes[0].get_yscale() == "log"


def test_wsd_exercises():
    params = dict(peak=1e-3, total_steps=10_000, warmup_steps=200, decay_steps=2000, decay="1-sqrt")
    assert expected("wsd-lr", t=9000, **params) == pytest.approx(1e-3 * (1 - 0.5**0.5))
    assert expected("wsd-lr", t=5000, **params) == 1e-3
    cost = expected("wsd-branch-cost", lengths=[10_000, 20_000, 40_000, 80_000], decay_frac=0.1)
    assert cost == 87_000
    assert expected("wsd-branch-cost", lengths=[100], decay_frac=0.2) == 100
