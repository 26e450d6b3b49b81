"""Chapters 08 and 09: decay families, Hugging Face transcriptions, explorers, exercise answers."""

import math

import numpy as np
import pytest
from torch.optim.lr_scheduler import ExponentialLR, LambdaLR, PolynomialLR

import lrlab
from lrlab.exercises import expected, is_correct
from lrlab.explorers import decay_guide as dg

# ------------------------------------------------------------------ chapter 08


@pytest.mark.parametrize("power", [0.5, 1.0, 2.0, 3.0])
@pytest.mark.parametrize("warmup", [0, 10])
def test_hf_polynomial_matches_lrlab(power, warmup):
    lr, end, total = 1e-3, 1e-5, 100
    kw = dict(num_warmup_steps=warmup, num_training_steps=total, lr_end=end, power=power)
    hf = dg.torch_lr_sequence(
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
        dg.torch_lr_sequence(lambda opt: PolynomialLR(opt, total_iters=10, power=2.0), 1.0, 15),
        lrlab.polynomial(1.0, 10, power=2.0)(np.arange(15)),
        atol=1e-15,
    )
    np.testing.assert_allclose(
        dg.torch_lr_sequence(lambda opt: ExponentialLR(opt, gamma=0.9), 0.1, 30),
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
        (lambda: dg.torch_lr_sequence(PolynomialLR, 1.0, 0), "steps"),
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
