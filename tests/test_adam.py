"""Adam's moments and RAdam's rectifier against torch's own optimizers."""

import re

import numpy as np
import pytest
import torch

from lrlab.adam import adam_moments, ema_window, radam_rectifier, radam_rho


def _torch_adam(grads, beta1, beta2, eps):
    """exp_avg, exp_avg_sq and the step (learning rate 1) of torch.optim.Adam, step by step."""
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=1.0, betas=(beta1, beta2), eps=eps)
    rows = []
    for g in grads:
        with torch.no_grad():
            p.zero_()
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        state = opt.state[p]
        rows.append([state["exp_avg"].item(), state["exp_avg_sq"].item(), -p.item()])
    return np.array(rows)


@pytest.mark.parametrize("seed", range(20))
def test_moments_and_update_are_torch_adams(seed):
    # torch's vectorised lerp/addcmul may fuse a multiply-add depending on the CPU,
    # so agreement is to a few ulps rather than bit for bit.
    rng = np.random.default_rng(seed)
    beta1 = float(rng.choice([0.0, 0.5, 0.9, rng.uniform(0, 0.999)]))
    beta2 = float(rng.choice([0.9, 0.95, 0.999, rng.uniform(0, 0.9999)]))
    eps = float(rng.choice([0.0, 1e-8, 1e-3]))
    grads = rng.normal(size=30) * 10.0 ** rng.uniform(-4, 2)
    ours = adam_moments(grads, beta1, beta2, eps)
    expected = _torch_adam(grads, beta1, beta2, eps)
    # m and the update pass through 0, where a few ulps of the gradient's size is the scale.
    scale = np.abs(grads).max()
    np.testing.assert_allclose(ours.m, expected[:, 0], rtol=1e-14, atol=1e-15 * scale)
    np.testing.assert_allclose(ours.v, expected[:, 1], rtol=1e-14, atol=0)
    np.testing.assert_allclose(ours.update, expected[:, 2], rtol=1e-14, atol=1e-15)


def test_first_bias_corrected_update_is_the_sign_of_the_gradient():
    a = adam_moments([1e-6, 5.0], eps=0.0)
    assert a.update[0] == pytest.approx(1.0, rel=1e-15)
    np.testing.assert_allclose(a.m_hat[0], 1e-6, rtol=1e-15)
    np.testing.assert_allclose(a.v_hat[0], 1e-12, rtol=1e-15)
    assert a.raw_update[0] == pytest.approx(0.1 / np.sqrt(0.001), rel=1e-12)


def _torch_radam_factors(beta2, steps):
    """rect (0 while torch takes the un-adapted step) of torch.optim.RAdam, read back per step."""
    out = []
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.RAdam([p], lr=1.0, betas=(0.0, beta2), eps=0.0)
    for _ in range(steps):
        with torch.no_grad():
            p.zero_()
        p.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
        # With beta1 = 0 and g = 1: the adaptive step is rect * 1 / sqrt(v_hat) = rect,
        # the un-adapted one is exactly 1 (m_hat = 1).
        out.append(-p.item())
    return np.array(out)


@pytest.mark.parametrize("beta2", [0.9, 0.95, 0.99, 0.999])
def test_rectifier_with_torchs_threshold_is_torch_radams(beta2):
    steps = 60
    torch_steps = _torch_radam_factors(beta2, steps)
    r = radam_rectifier(beta2, steps, threshold=5.0)
    adaptive = r > 0
    np.testing.assert_allclose(torch_steps[adaptive], r[adaptive], rtol=1e-13)
    np.testing.assert_array_equal(torch_steps[~adaptive], 1.0)


def test_rho_and_window_closed_forms():
    assert ema_window(0.999) == pytest.approx(1000.0)
    np.testing.assert_allclose(radam_rho(0.95, 1), [1.0], rtol=1e-12)
    assert radam_rectifier(0.999, 4).tolist() == [0.0, 0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grads": [1.0], "beta1": 1.0}, "beta1 must be a number in [0, 1), got 1.0"),
        ({"grads": [1.0], "beta2": -0.1}, "beta2 must be a number in [0, 1], got -0.1"),
        ({"grads": [], "beta1": 0.9}, "grads must be a non-empty sequence of finite numbers"),
        ({"grads": [np.nan]}, "grads must be a non-empty sequence of finite numbers"),
        ({"grads": [1.0], "eps": -1.0}, "eps must be a number in [0, inf), got -1.0"),
    ],
)
def test_bad_input_is_named(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        adam_moments(**kwargs)
