"""Chapters 08 and 09: decay families, Hugging Face transcriptions, explorers, exercise answers."""

import math

import numpy as np
import pytest
from torch.optim.lr_scheduler import ExponentialLR, LambdaLR, PolynomialLR

import lrlab
from lrlab.exercises import expected, is_correct
from lrlab.explorers import decay_guide as dg
from lrlab.torch_adapter import torch_lr_sequence

# ------------------------------------------------------------------ chapter 08


@pytest.mark.parametrize("power", [0.5, 1.0, 2.0, 3.0])
@pytest.mark.parametrize("warmup", [0, 10])
def test_hf_polynomial_matches_lrlab(power, warmup):
    lr, end, total = 1e-3, 1e-5, 100
    kw = dict(num_warmup_steps=warmup, num_training_steps=total, lr_end=end, power=power)
    hf = torch_lr_sequence(
        lambda opt: LambdaLR(opt, lambda t: dg.hf_polynomial_factor(t, lr_init=lr, **kw)), lr, 150
    )
    ours = lrlab.polynomial(lr, total - warmup, power=power, end=end)
    if warmup:
        ours = lrlab.with_warmup(ours, warmup)
    np.testing.assert_allclose(hf, ours(np.arange(150)), rtol=1e-14, atol=1e-20)


def test_hf_inverse_sqrt_is_the_transformer_schedule_rescaled():
    noam = lrlab.inverse_sqrt(512, 4000)
    t = np.arange(0, 50_000, 7)
    hf = np.array([dg.hf_inverse_sqrt_factor(int(s), num_warmup_steps=4000) for s in t])
    np.testing.assert_allclose(hf * noam.peak, noam(t), rtol=1e-14, atol=1e-20)
    assert math.isclose(dg.hf_inverse_sqrt_factor(5, num_warmup_steps=0), (1 + 5e-4) ** -0.5)


def test_torch_lr_sequence_follows_the_built_ins():
    np.testing.assert_allclose(
        torch_lr_sequence(lambda opt: PolynomialLR(opt, total_iters=10, power=2.0), 1.0, 15),
        lrlab.polynomial(1.0, 10, power=2.0)(np.arange(15)),
        atol=1e-15,
    )
    np.testing.assert_allclose(
        torch_lr_sequence(lambda opt: ExponentialLR(opt, gamma=0.9), 0.1, 30),
        lrlab.exponential(0.1, 0.9)(np.arange(30)),
        rtol=1e-14,
    )


def test_closed_forms():
    for n in [1, 7, 100, 4321]:
        assert math.isclose(dg.halving_gamma(n) ** n, 0.5, rel_tol=1e-12)
        assert math.isclose(dg.half_life(dg.halving_gamma(n)), n, rel_tol=1e-9)
    for p in [0.25, 0.5, 1.0, 2.0, 3.0]:
        frac = dg.poly_half_point(p)
        assert math.isclose(
            lrlab.polynomial(1.0, 10**6, power=p)(round(frac * 10**6)), 0.5, rel_tol=1e-5
        )
    noam = lrlab.inverse_sqrt(512, 4000)
    for frac in [1.0, 0.5, 0.25, 0.1]:
        step = dg.invsqrt_fraction_step(4000, frac)
        assert math.isclose(noam(round(step)) / noam.peak, frac, rel_tol=1e-12)


def test_scaled_inverse_sqrt_peaks_where_asked():
    s = dg.scaled_inverse_sqrt(0.3, 25)
    t = np.arange(1000)
    assert int(np.argmax(s(t))) == 25
    assert math.isclose(s(25), 0.3, rel_tol=1e-14)
    assert s(0) == 0.0


def test_exercise_answers_are_registered():
    assert is_correct("halving-gamma", 2 ** (-1 / 500), steps=500)
    assert not is_correct("halving-gamma", 0.998, steps=500)
    assert expected("invsqrt-fraction-step", warmup_steps=4000, fraction=0.25) == 64_000
    assert is_correct("poly-half-point", 1 - 2**-0.5, power=2.0)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: dg.halving_gamma(0), "steps"),
        (lambda: dg.halving_gamma(2.5), "steps"),
        (lambda: dg.half_life(1.0), "gamma"),
        (lambda: dg.half_life(1.5), "gamma"),
        (lambda: dg.poly_half_point(0.0), "power"),
        (lambda: dg.poly_half_point(-1.0), "power"),
        (lambda: dg.invsqrt_fraction_step(0, 0.5), "warmup_steps"),
        (lambda: dg.invsqrt_fraction_step(100, 1.5), "fraction"),
        (lambda: dg.decay_families(0.5, 100, 9.0, 10, 10), "power"),
        (lambda: dg.decay_families(0.5, 100, 2.0, 0, 10), "half_life_steps"),
        (lambda: dg.decay_explorer(power=6.0), "power"),
        (lambda: dg.decay_explorer(peak=2.5), "peak"),
        (lambda: dg.decay_explorer(half_life_steps=5), "half_life_steps"),
        (lambda: dg.decay_explorer(warmup_steps=float("nan")), "warmup_steps"),
        (lambda: torch_lr_sequence(PolynomialLR, 1.0, 0), "steps"),
    ],
)
def test_bad_input_names_parameter_value_and_range(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be") as err:
        call()
    message = str(err.value)
    assert "got" in message
    assert "[" in message or "(" in message or ">=" in message


@pytest.fixture(scope="module")
def decay_ex():
    return dg.decay_explorer(
        power=2.0, half_life_steps=300, warmup_steps=10, peak=0.5, total_steps=400
    )


def test_decay_explorer_default_figure_follows_the_formulas(decay_ex):
    ax, ax_loss = decay_ex.figure.axes
    t = np.arange(400)
    lines = ax.lines
    assert len(lines) == 3
    np.testing.assert_array_equal(lines[0].get_ydata(), lrlab.polynomial(0.5, 400, power=2.0)(t))
    np.testing.assert_allclose(lines[1].get_ydata(), 0.5 * 0.5 ** (t / 300), rtol=1e-12)
    np.testing.assert_allclose(lines[2].get_ydata(), dg.scaled_inverse_sqrt(0.5, 10)(t))
    nqm = dg.standard_nqm()
    np.testing.assert_allclose(
        ax_loss.lines[0].get_ydata(),
        nqm.expected_loss(lrlab.polynomial(0.5, 400, power=2.0), steps=400),
    )
    assert decay_ex.figure.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    for axis in decay_ex.figure.axes:
        assert axis.get_xlabel() and axis.get_ylabel()


@pytest.mark.parametrize(
    ("power", "half_life", "warmup", "peak"),
    [(0.5, 40, 1, 0.1), (3.0, 1000, 200, 1.2), (1.0, 20, 500, 0.05)],
)
def test_decay_explorer_redraws_with_slider_values(decay_ex, power, half_life, warmup, peak):
    decay_ex.controls["power"].value = power
    decay_ex.controls["half_life_steps"].value = half_life
    decay_ex.controls["warmup_steps"].value = warmup
    decay_ex.controls["peak"].value = peak
    v = decay_ex.values
    t = np.arange(400)
    lines = decay_ex.figure.axes[0].lines
    np.testing.assert_array_equal(
        lines[0].get_ydata(), lrlab.polynomial(v["peak"], 400, power=v["power"])(t)
    )
    np.testing.assert_allclose(
        lines[1].get_ydata(), v["peak"] * 0.5 ** (t / v["half_life_steps"]), rtol=1e-12
    )
    np.testing.assert_allclose(
        lines[2].get_ydata(), dg.scaled_inverse_sqrt(v["peak"], v["warmup_steps"])(t)
    )
    final = [float(line.get_label()) for line in decay_ex.figure.axes[1].lines]
    expected_final = dg.final_losses(
        dg.standard_nqm(),
        list(dg.decay_families(v["peak"], 400, v["power"], half_life, warmup).values()),
        400,
    )
    np.testing.assert_allclose(final, expected_final, rtol=1e-3)


def test_tuning_curves_mark_the_best_point():
    peaks = np.array([0.1, 0.2, 0.4])
    fig = dg.plot_tuning_curves(
        peaks, {"a": np.array([3.0, 1.0, 2.0])}, "loss", errors={"a": np.zeros(3)}
    )
    marker = fig.axes[0].lines[-1]
    assert marker.get_xdata()[0] == 0.2 and marker.get_ydata()[0] == 1.0
    assert fig.axes[0].get_xscale() == "log"


def test_race_of_powers_picks_the_lowest_final_loss():
    nqm = dg.standard_nqm()
    peaks = np.array([0.05, 0.2, 0.8])
    res = dg.race_of_powers(nqm, [1.0, 3.0], peaks, 300)
    for p, (peak, loss) in res.items():
        losses = [
            nqm.expected_loss(lrlab.polynomial(pk, 300, power=p), steps=300)[-1] for pk in peaks
        ]
        assert loss == pytest.approx(min(losses), rel=1e-12)
        assert peak == peaks[int(np.argmin(losses))]
    with pytest.raises(ValueError, match=r"^steps must be an integer >= 1, got 0"):
        dg.race_of_powers(nqm, [1.0], peaks, 0)


# ------------------------------------------------------------------ chapter 09


@pytest.mark.parametrize("family", dg.RACE_FAMILIES)
def test_race_schedules_peak_and_end(family):
    s = dg.race_schedule(family, 0.1, 400, 36)
    t = np.arange(400)
    lr = s(t)
    assert lr.max() == pytest.approx(0.1, rel=1e-9)
    assert np.all(lr >= 0)
    if family not in ("1cycle", "triangular2"):
        assert s(0) == 0.0 and s(36) == pytest.approx(0.1)
    if family not in ("constant", "inverse sqrt", "cosine to 10 %", "triangular2"):
        assert lr[-1] < 0.1 * 0.02  # decays to a low floor


def test_race_schedule_formulas():
    assert dg.race_schedule("cosine to 10 %", 0.1, 400, 36)(400) == pytest.approx(0.01)
    s = dg.race_schedule("SGDR (3 cycles)", 1.0, 400, 36)
    np.testing.assert_array_equal(s(np.array([36, 36 + 52, 36 + 156])), [1.0, 1.0, 1.0])
    step = dg.race_schedule("step (÷10 ×3)", 1.0, 400, 36)
    assert step(399) == pytest.approx(1e-3)


def test_run_race_shapes_and_order():
    r = dg.run_race(["constant", "linear to 0"], [0.01, 0.03], [0, 1], 20, 2, val_every=10)
    assert r.excess.shape == (2, 2, 2)
    assert r.val_excess.shape == (2, 2, 2, 3)
    single = lrlab.train(dg.race_schedule("linear to 0", 0.03, 20, 2), 20, seed=1, val_every=10)
    assert r.excess[1, 1, 1] == pytest.approx(single.final_excess, rel=1e-4)
    np.testing.assert_array_equal(r.mean, r.excess.mean(axis=2))
    assert r.best_peak_index().shape == (2,)
    fig = dg.plot_race(r)
    assert len(fig.axes[1].lines) == 2
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_scaling_rules():
    assert dg.linear_scaling_lr(0.1, 256, 8192) == pytest.approx(3.2)
    assert dg.sqrt_scaling_lr(3e-4, 512, 2048) == pytest.approx(6e-4)
    assert is_correct("linear-scaling-lr", 3.2, base_lr=0.1, base_batch=256, batch=8192)
    assert is_correct("sqrt-scaling-lr", 6e-4, base_lr=3e-4, base_batch=512, batch=2048)
    out = dg.batch_scaling_nqm(0.05, 320, [1, 2, 64])
    assert out["steps"].tolist() == [320, 160, 5]
    assert math.isinf(out["linear"][2])
    nqm2 = lrlab.NoisyQuadratic.standard(dim=100, batch_size=2)
    assert out["linear"][1] == pytest.approx(nqm2.expected_loss(lrlab.constant(0.1), steps=160)[-1])


def test_hf_linear_matches_lrlab():
    ours = lrlab.with_warmup(lrlab.linear_decay(1.0, 0.0, 90), 10)
    t = np.arange(130)
    hf = [dg.hf_linear_factor(int(s), num_warmup_steps=10, num_training_steps=100) for s in t]
    np.testing.assert_allclose(hf, ours(t), atol=1e-15)


@pytest.fixture(scope="module")
def picker():
    return dg.schedule_picker(family="cosine to 10 %", peak=0.25, warmup_steps=40, total_steps=800)


def test_picker_draws_the_chosen_family_and_the_reference(picker):
    t = np.arange(800)
    chosen, reference = picker.figure.axes[0].lines
    np.testing.assert_array_equal(
        chosen.get_ydata(), dg.race_schedule("cosine to 10 %", 0.25, 800, 40)(t)
    )
    np.testing.assert_array_equal(
        reference.get_ydata(), dg.race_schedule("linear to 0", 0.25, 800, 40)(t)
    )


@pytest.mark.parametrize(
    ("family", "peak", "warmup"), [("1cycle", 0.5, 10), ("SGDR (3 cycles)", 1.2, 300)]
)
def test_picker_follows_its_controls(picker, family, peak, warmup):
    picker.controls["family"].value = family
    picker.controls["peak"].value = peak
    picker.controls["warmup_steps"].value = warmup
    v = picker.values
    t = np.arange(800)
    line = picker.figure.axes[0].lines[0]
    np.testing.assert_allclose(
        line.get_ydata(), dg.race_schedule(family, v["peak"], 800, warmup)(t)
    )
    loss = picker.figure.axes[1].lines[0].get_ydata()
    expected_loss = dg.standard_nqm().expected_loss(
        dg.race_schedule(family, v["peak"], 800, warmup), steps=800
    )
    np.testing.assert_allclose(loss, expected_loss)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: dg.race_schedule("cosine", 0.1, 100, 10), "family"),
        (lambda: dg.race_schedule("constant", 0.0, 100, 10), "peak"),
        (lambda: dg.race_schedule("constant", 0.1, 100, 60), "warmup_steps"),
        (lambda: dg.race_schedule("constant", 0.1, 1, 1), "total_steps"),
        (lambda: dg.schedule_picker(peak=3.0), "peak"),
        (lambda: dg.schedule_picker(warmup_steps=0), "warmup_steps"),
        (lambda: dg.schedule_picker(family="nope"), "family"),
        (lambda: dg.linear_scaling_lr(0.1, 0, 10), "base_batch"),
        (lambda: dg.sqrt_scaling_lr(-1.0, 1, 10), "base_lr"),
        (lambda: dg.batch_scaling_nqm(0.05, 100, [3]), "factors"),
    ],
)
def test_chapter_09_bad_input(call, name):
    with pytest.raises(ValueError, match=rf"^{name} must be") as err:
        call()
    assert "got" in str(err.value)
