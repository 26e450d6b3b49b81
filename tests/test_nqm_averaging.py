"""Exact NQM recursions for averaged and schedule-free SGD, and the optimal schedule."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrlab.nqm import NoisyQuadratic, final_loss_torch, optimal_schedule, schedule_free_weights
from lrlab.schedules import constant, linear_decay


def moments_by_matrices(nqm, rates, weights, beta):
    """Mean and covariance of (z, x) per coordinate, pushed through the 2x2 update matrix."""
    noise = nqm.c / nqm.batch_size
    mean = np.stack([nqm.theta0, nqm.theta0], axis=1)  # (dim, 2)
    cov = np.stack([np.full((2, 2), v) for v in nqm.var0])  # (dim, 2, 2)
    out = {"x": [], "y": [], "z": []}

    def record():
        second = cov + mean[:, :, None] * mean[:, None, :]
        out["z"].append(0.5 * nqm.h @ second[:, 0, 0])
        out["x"].append(0.5 * nqm.h @ second[:, 1, 1])
        yy = (
            (1 - beta) ** 2 * second[:, 0, 0]
            + 2 * beta * (1 - beta) * second[:, 0, 1]
            + beta**2 * second[:, 1, 1]
        )
        out["y"].append(0.5 * nqm.h @ yy)

    record()
    for a, c in zip(rates, weights, strict=True):
        new_mean, new_cov = np.empty_like(mean), np.empty_like(cov)
        for i, h in enumerate(nqm.h):
            step = np.array([[1 - a * h * (1 - beta), -a * h * beta], [0.0, 1.0]])
            average = np.array([[1.0, 0.0], [c, 1 - c]])
            m = average @ step
            v = np.array([-a, -a * c])
            new_mean[i] = m @ mean[i]
            new_cov[i] = m @ cov[i] @ m.T + noise[i] * np.outer(v, v)
        mean, cov = new_mean, new_cov
        record()
    return {k: np.array(v) for k, v in out.items()}


@pytest.fixture
def small():
    h = np.array([2.0, 1.0, 0.3, 0.05])
    return NoisyQuadratic(
        h=h, c=[0.5, 1.0, 0.0, 2.0], batch_size=2, theta0=[1, -2, 0.5, 3], var0=0.1
    )


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("point", ["x", "y", "z"])
def test_recursion_matches_the_update_matrices(small, beta, point):
    rng = np.random.default_rng(0)
    rates = rng.uniform(0, 0.9, size=60)
    weights = schedule_free_weights(rates)
    expected = moments_by_matrices(small, rates, weights, beta)[point]
    got = small.averaged_loss(rates, weights, beta, point=point)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_no_averaging_is_plain_sgd():
    q = NoisyQuadratic.standard(dim=30)
    rates = np.linspace(1.0, 0.01, 200)
    plain = q.expected_loss(rates)
    np.testing.assert_allclose(q.averaged_loss(rates, np.ones(200)), plain, rtol=1e-12)
    # the gradient point is z when beta = 0, whatever the average does
    swa = 1 / np.arange(1, 201)
    np.testing.assert_allclose(q.averaged_loss(rates, swa, point="z"), plain, rtol=1e-12)
    np.testing.assert_allclose(q.averaged_loss(rates, swa, point="y"), plain, rtol=1e-12)


@pytest.mark.parametrize("point", ["x", "y", "z"])
def test_recursion_matches_monte_carlo(point):
    q = NoisyQuadratic.standard(dim=20, batch_size=2)
    rates = np.concatenate([np.linspace(0.05, 1.0, 20), np.full(60, 1.0)])
    weights = schedule_free_weights(rates)
    exact = q.averaged_loss(rates, weights, beta=0.9, point=point)
    sim = q.simulate_averaged(rates, weights, beta=0.9, n_runs=4000, seed=2, point=point)
    np.testing.assert_allclose(sim, exact, rtol=0.06)


def test_many_runs_at_once_and_schedules():
    q = NoisyQuadratic.standard(dim=15)
    rates = np.stack([np.full(50, 0.4), np.linspace(0.8, 0.1, 50)])
    weights = schedule_free_weights(rates)
    both = q.averaged_loss(rates, weights, 0.9)
    assert both.shape == (2, 51)
    for row, w, curve in zip(rates, weights, both, strict=True):
        np.testing.assert_allclose(q.averaged_loss(row, w, 0.9), curve, rtol=1e-13)
    by_schedule = q.averaged_loss(constant(0.4), weights[0], 0.9, steps=50)
    np.testing.assert_allclose(by_schedule, both[0], rtol=1e-13)
    # one row of weights is shared by every run
    shared = q.averaged_loss(rates, np.full(50, 0.1))
    assert shared.shape == (2, 51)


def test_ema_averages_away_noise_at_a_constant_rate():
    q = NoisyQuadratic.standard(dim=50)
    rates = np.full(3000, 0.5)
    plain = q.expected_loss(rates)[-1]
    ema = q.averaged_loss(rates, np.full(3000, 0.01))[-1]
    assert ema < plain / 5


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.5), min_size=1, max_size=30),
    st.floats(0.0, 1.0),
)
def test_losses_are_nonnegative_and_full_weight_copies_z(rates, beta):
    q = NoisyQuadratic.standard(dim=5)
    weights = np.ones(len(rates))
    x = q.averaged_loss(rates, weights, beta)
    z = q.averaged_loss(rates, weights, beta, point="z")
    assert np.all(x >= 0)
    np.testing.assert_allclose(x[1:], z[1:], rtol=1e-12, atol=1e-300)


# ----------------------------------------------------------------- schedulefree


def test_weights_match_the_schedulefree_package():
    schedulefree = pytest.importorskip("schedulefree")
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(5, dtype=torch.float64))
    h = torch.tensor([2.0, 1.0, 0.5, 0.2, 0.1], dtype=torch.float64)
    opt = schedulefree.SGDScheduleFreeReference([p], lr=0.3, momentum=0.9, warmup_steps=7)
    rng = np.random.default_rng(0)
    noise = torch.from_numpy(rng.standard_normal((25, 5)))
    # The documented recursion with lrlab's weights, step by step.
    rates = np.array([0.3 * min(1.0, (k + 1) / 7) for k in range(25)])
    weights = schedule_free_weights(rates)
    z = x = p.detach().clone()
    for k in range(25):
        y = 0.1 * z + 0.9 * x
        grad = h * y + noise[k]
        p.grad = (h * p.detach() + noise[k]).clone()
        opt.step()
        z = z - rates[k] * grad
        x = (1 - weights[k]) * x + weights[k] * z
        state = opt.state[p]
        np.testing.assert_allclose(state["z"].numpy(), z.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(state["x"].numpy(), x.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(p.detach().numpy(), (0.1 * z + 0.9 * x).numpy(), rtol=1e-12)


def test_weights_rules():
    assert schedule_free_weights([0.0, 0.0, 1.0]).tolist() == [0.0, 0.0, 1.0]
    uniform = schedule_free_weights(np.full(6, 0.2))
    np.testing.assert_allclose(uniform, 1 / np.arange(1, 7), rtol=1e-15)
    # the running maximum: a decaying rate keeps the peak's weight
    np.testing.assert_allclose(schedule_free_weights([1.0, 0.5, 0.25]), [1, 1 / 2, 1 / 3])
    # polynomial weighting (t + 1)**r
    np.testing.assert_allclose(schedule_free_weights([1.0, 1.0], r=1.0), [1.0, 2 / 3])
    np.testing.assert_allclose(
        schedule_free_weights([1.0, 1.0], weight_lr_power=0.0), schedule_free_weights([3.0, 2.0])
    )
    assert schedule_free_weights(np.ones((2, 3))).shape == (2, 3)


# ----------------------------------------------------------- optimal schedules


def test_differentiable_final_loss_matches_the_recursion():
    q = NoisyQuadratic(
        h=[1.5, 0.4, 0.01], c=[1.0, 0.0, 3.0], batch_size=3, theta0=[1, 2, 3], var0=0.2
    )
    rng = np.random.default_rng(4)
    rates = rng.uniform(0, 1.3, 400)
    value = final_loss_torch(q, torch.from_numpy(rates))
    assert float(value) == pytest.approx(q.expected_loss(rates)[-1], rel=1e-12)
    assert float(final_loss_torch(q, torch.zeros(0, dtype=torch.float64))) == pytest.approx(
        q.expected_loss([])[0], rel=1e-15
    )


@pytest.mark.parametrize(("h", "c", "theta0", "batch"), [(1.0, 1.0, 2.0, 1), (0.5, 2.0, 1.5, 2)])
def test_one_coordinate_optimum_is_the_closed_form(h, c, theta0, batch):
    q = NoisyQuadratic(h=[h], c=[c], theta0=theta0, batch_size=batch)
    steps = 60
    got = optimal_schedule(q, steps)
    closed = 1 / (h * (np.arange(steps) + 1) + (c / batch) / (h * theta0**2))
    np.testing.assert_allclose(got, closed, rtol=1e-5)


def test_optimum_beats_tuned_constant_and_linear_decay():
    q = NoisyQuadratic.standard(dim=40)
    steps = 200
    best = q.expected_loss(optimal_schedule(q, steps))[-1]
    peaks = np.linspace(0.01, 1.99, 199)
    const = q.expected_loss(np.outer(peaks, np.ones(steps)))[:, -1].min()
    linear = q.expected_loss([linear_decay(p, 0.0, steps) for p in peaks], steps=steps)[:, -1].min()
    assert best < linear < const


def test_optimum_respects_max_lr_and_init():
    q = NoisyQuadratic.standard(dim=10)
    rates = optimal_schedule(q, 50, max_lr=0.1, init=np.full(50, 0.05))
    assert rates.max() <= 0.1
    assert rates.max() == pytest.approx(0.1)  # the bound binds on this problem


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda q: q.averaged_loss([0.1, 0.1], [0.5]), r"weights must have shape \(2,\)"),
        (lambda q: q.averaged_loss([0.1], [1.5]), r"weights must be numbers in \[0, 1\], got 1.5"),
        (lambda q: q.averaged_loss([0.1], ["a"]), "weights must be an array of numbers"),
        (lambda q: q.averaged_loss([0.1], [0.5], beta=1.2), "beta must be"),
        (lambda q: q.averaged_loss([0.1], [0.5], point="w"), "point must be one of 'x', 'y', 'z'"),
        (lambda q: q.simulate_averaged([0.1], [0.5], n_runs=0), "n_runs must be an integer >= 1"),
        (lambda q: schedule_free_weights([0.1], r=-1), "r must be"),
        (lambda q: schedule_free_weights([-0.1]), "lr must contain finite learning rates >= 0"),
        (lambda q: optimal_schedule(q, 0), "steps must be an integer >= 1, got 0"),
        (lambda q: optimal_schedule(q, 5, max_lr=0.0), "max_lr must be"),
        (lambda q: optimal_schedule(q, 2, init=[0.1]), "init must be a non-empty 1-D array"),
        (lambda q: optimal_schedule(q, 2, init=[0.1, 5.0]), r"init must hold rates in \(0, max_lr"),
    ],
)
def test_bad_arguments_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call(NoisyQuadratic.standard(dim=3))
