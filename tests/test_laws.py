"""Loss-curve laws: formulas against naive loops, fits that recover known parameters."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import lrlab
from lrlab.laws import (
    Curve,
    MultiPowerLaw,
    TissueLaw,
    convex_bound,
    fit,
    tuned_convex_bound,
)

T, W = 300, 15


def naive_tissue(law, lr, t, warmup=0):
    """Loss after t updates, summing the annealing momentum step by step."""
    s1 = sum(lr[:t])
    m, s2 = 0.0, 0.0
    for i in range(warmup + 1, t):
        m = law.lam * m + (lr[i - 1] - lr[i])
        s2 += m
    return law.L0 + law.A * s1 ** (-law.alpha) - law.C * s2


def naive_mpl(law, lr, t, warmup=0):
    """Loss after t updates, term by term as the multi-power law's README writes it."""
    s1 = sum(lr[:t])
    drop = 0.0
    for k in range(warmup + 1, t):
        area = sum(lr[k:t])
        x = lr[k] ** (-law.gamma) * area
        drop += (lr[k - 1] - lr[k]) * (1 - (law.C * x + 1) ** (-law.beta))
    return law.L0 + law.A * s1 ** (-law.alpha) - law.B * drop


def naive_bound(lr, d, g):
    """Defazio et al.'s last-iterate bound, Schaipp et al.'s Thm. 1, written as nested sums."""
    n = len(lr)
    total = sum(lr)
    value = d**2 / (2 * total) + g**2 * sum(a * a for a in lr) / (2 * total)
    for k in range(n - 1):
        later = sum(lr[k + 1 :])
        from_k = sum(lr[k:])
        value += 0.5 * lr[k] / later * g**2 * sum(a * a for a in lr[k:]) / from_k
    return value


SCHEDULES = {
    "constant": lrlab.linear_warmup(0.03, W),
    "cosine": lrlab.warmup_cosine(0.03, T, W, 0.003),
    "two-stage": lrlab.join([lrlab.linear_warmup(0.03, W), lrlab.constant(0.01)], [150]),
    "wsd": lrlab.wsd(0.03, T, W, 60, 0.0, "1-sqrt"),
}
TISSUE = TissueLaw(L0=1.2, A=0.4, alpha=0.5, C=0.05, lam=0.95)
MPL = MultiPowerLaw(L0=1.2, A=0.4, alpha=0.5, B=1.5, C=2.0, beta=0.6, gamma=0.6)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@pytest.mark.parametrize(("law", "naive"), [(TISSUE, naive_tissue), (MPL, naive_mpl)])
def test_predictions_match_naive_loops(law, naive, name):
    lr = SCHEDULES[name](np.arange(T))
    steps = np.array([2, W, W + 1, 100, 151, 152, 250, T])
    expected = [naive(law, lr.tolist(), int(t), W) for t in steps]
    np.testing.assert_allclose(law.predict(lr, steps, W), expected, rtol=1e-12)
    # a schedule gives the same as its rates
    np.testing.assert_allclose(law.predict(SCHEDULES[name], steps, W), expected, rtol=1e-12)


def test_default_steps_and_no_warmup():
    lr = SCHEDULES["cosine"](np.arange(T))
    out = MPL.predict(lr)
    assert out.shape == (T,)
    assert out[-1] == pytest.approx(naive_mpl(MPL, lr.tolist(), T), rel=1e-12)


def test_lambda_zero_counts_each_drop_once():
    law = TissueLaw(L0=2.0, A=1.0, alpha=0.5, C=1.0, lam=0.0)
    # after the drop of 0.5 at update 2, S2 = 0.5
    np.testing.assert_allclose(
        law.predict([1.0, 1.0, 0.5, 0.5]),
        [3.0, 2 + 2**-0.5, 2 + 2.5**-0.5 - 0.5, 2 + 3**-0.5 - 0.5],
    )


def test_rate_zero_after_a_drop_is_finite():
    lr = np.r_[np.full(20, 0.1), np.zeros(10)]
    assert np.all(np.isfinite(MPL.predict(lr)))
    assert np.all(np.isfinite(TISSUE.predict(lr)))


def test_predict_torch_is_differentiable_in_the_rates():
    lr = torch.tensor(SCHEDULES["cosine"](np.arange(T)), requires_grad=True)
    final = MPL.predict_torch(lr, [T], W)[0]
    final.backward()
    assert lr.grad is not None and torch.isfinite(lr.grad).all()
    assert float(final.detach()) == pytest.approx(
        MPL.predict(lr.detach().numpy(), [T], W)[0], rel=1e-14
    )


def synthetic(law, names, every=10):
    steps = np.arange(W + every, T + 1, every)
    curves = []
    for name in names:
        lr = SCHEDULES[name](np.arange(T))
        curves.append(Curve(lr, steps, law.predict(lr, steps, W), W))
    return curves


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "law", "names"),
    [
        ("tissue", TISSUE, ["constant", "cosine", "two-stage"]),
        ("tissue", TissueLaw(L0=2.0, A=0.5, alpha=0.8, C=0.2, lam=0.7), ["cosine", "wsd"]),
        ("multi-power", MPL, ["constant", "cosine", "two-stage"]),
        (
            "multi-power",
            MultiPowerLaw(L0=3.0, A=0.6, alpha=0.3, B=3.0, C=0.5, beta=1.2, gamma=0.3),
            ["constant", "cosine", "wsd"],
        ),
    ],
)
def test_fit_recovers_known_parameters(kind, law, names):
    got = fit(kind, synthetic(law, names))
    assert type(got) is type(law)
    for name, value in law.params().items():
        assert got.params()[name] == pytest.approx(value, rel=1e-5), name


def test_fit_from_a_given_start_and_noisy_curves():
    rng = np.random.default_rng(0)
    curves = synthetic(MPL, ["constant", "cosine", "two-stage"])
    noisy = [
        Curve(c.lr, c.steps, c.loss * np.exp(rng.normal(0, 1e-4, c.loss.size)), W) for c in curves
    ]
    got = fit("multi-power", noisy, start=MPL.params())
    held_out = SCHEDULES["wsd"](np.arange(T))
    np.testing.assert_allclose(
        got.predict(held_out, [T], W), MPL.predict(held_out, [T], W), rtol=1e-3
    )


def test_curve_mean_of_histories():
    runs = lrlab.train_many([lrlab.constant(0.02)], 40, seeds=[0, 1], val_every=20)
    curve = Curve.mean_of(runs)
    np.testing.assert_allclose(curve.loss, (runs[0].val_loss + runs[1].val_loss) / 2)
    assert curve.steps.tolist() == [0, 20, 40] and curve.total_steps == 40
    other = lrlab.train_many([lrlab.constant(0.02)], 40, seeds=[0], val_every=10)
    with pytest.raises(ValueError, match="runs must be finished runs measured at the same steps"):
        Curve.mean_of([runs[0], other[0]])


# ------------------------------------------------------------- convex bound


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(1e-3, 2.0), min_size=1, max_size=40), st.floats(0.1, 5), st.floats(0.1, 5)
)
def test_convex_bound_matches_nested_sums(rates, d, g):
    assert convex_bound(rates, d, g) == pytest.approx(naive_bound(rates, d, g), rel=1e-10)


def test_convex_bound_cooldown_and_tuning():
    n = 400
    constant = np.ones(n)
    cooldown = lrlab.wsd(1.0, n, 1, n // 5, 0.0, "linear")(np.arange(n))
    b_const = tuned_convex_bound(constant)[1]
    f_cool, b_cool = tuned_convex_bound(cooldown)
    assert b_cool < b_const  # the bound rewards a cooldown
    assert convex_bound(f_cool * cooldown) == pytest.approx(b_cool, rel=1e-12)
    for scale in (0.5, 0.9, 1.1, 2.0):
        assert convex_bound(scale * f_cool * cooldown) > b_cool
    # a schedule that ends on zero-rate updates is refused
    with pytest.raises(ValueError, match="lr must end with a rate > 0"):
        convex_bound([1.0, 0.0])
    assert convex_bound(lrlab.constant(0.1), steps=10) == pytest.approx(
        naive_bound([0.1] * 10, 1, 1), rel=1e-12
    )


# -------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: Curve([0.1, -0.1], [1], [1.0]),
            "lr must be a non-empty 1-D array of finite rates",
        ),
        (lambda: Curve([0.1], [2], [1.0]), r"steps must lie in \[0, 1\]"),
        (lambda: Curve([0.1], [1.5], [1.0]), "steps must be a non-empty 1-D array of integers"),
        (lambda: Curve([0.1], [1], [0.0]), "loss must be > 0 at every step"),
        (lambda: Curve([0.1], [1], [1.0, 2.0]), "loss must be a non-empty 1-D array"),
        (lambda: Curve([0.1], [1], [1.0], warmup_steps=2), "warmup_steps must be an integer"),
        (lambda: MPL.predict([0.1, 0.1], [3]), r"steps must lie in \[1, 2\]"),
        (lambda: MPL.predict(lrlab.constant(0.1)), "steps must be given when lr is a schedule"),
        (lambda: TissueLaw(1.0, 1.0, 0.5, 1.0, lam=1.0), r"lam must be"),
        (lambda: MultiPowerLaw(1.0, -1.0, 0.5, 1, 1, 1, 1), "A must be > 0, got -1.0"),
        (
            lambda: fit("power", synthetic(MPL, ["cosine"])),
            "law must be one of 'tissue', 'multi-power'",
        ),
        (lambda: fit("tissue", []), "curves must be a non-empty list of Curve"),
        (
            lambda: fit("tissue", synthetic(TISSUE, ["cosine"]), start={"L0": 1.0}),
            "start must give",
        ),
        (lambda: fit("tissue", [Curve([0.1, 0.1], [1], [1.0], 1)]), "after its warmup"),
        (lambda: convex_bound([0.1], D=0.0), "D must be"),
        (lambda: convex_bound(lrlab.constant(0.1)), "steps must be given"),
    ],
)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.slow
def test_fitted_parameters_are_plain_floats():
    got = fit("tissue", synthetic(TISSUE, ["cosine", "two-stage"]))
    assert all(isinstance(v, float) and math.isfinite(v) for v in got.params().values())
