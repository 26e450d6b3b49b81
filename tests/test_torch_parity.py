"""Parity with PyTorch's own schedulers, stepped 10,000 times.

Where torch computes a closed form on every step (CyclicLR, OneCycleLR,
CosineAnnealingWarmRestarts) lrlab must agree to the last bit, with one
documented exception: where torch's ``base + (peak - base)`` rounds one unit
above the peak, lrlab gives the peak itself (so no value ever exceeds it);
those steps are listed and the difference asserted exactly. Where torch
multiplies the previous rate by a factor (StepLR, MultiStepLR, ExponentialLR,
PolynomialLR, CosineAnnealingLR, LinearLR) rounding piles up on torch's side,
and the bound is a relative difference of 1e-12.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as tl

from lrlab import (
    cosine,
    cosine_restarts,
    cyclical,
    exponential,
    linear_decay,
    linear_warmup,
    multistep,
    one_cycle,
    polynomial,
    step_decay,
    warmup_cosine,
)

N = 10_000
STEPS = np.arange(N + 1)


def stepped(
    make: Callable[[torch.optim.Optimizer], tl.LRScheduler],
    lr: float = 1.0,
    n: int = N,
    adam: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Learning rate and momentum (or beta1) held after 0, 1, ..., n scheduler steps."""
    param = torch.zeros(1, requires_grad=True)
    if adam:
        opt: torch.optim.Optimizer = torch.optim.Adam([param], lr=lr)
    else:
        opt = torch.optim.SGD([param], lr=lr, momentum=0.9)
    group = opt.param_groups[0]
    scheduler = make(opt)
    lrs, moms = [group["lr"]], []
    key = (lambda g: g["betas"][0]) if adam else (lambda g: g["momentum"])
    moms.append(key(group))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(n):
            scheduler.step()
            lrs.append(group["lr"])
            moms.append(key(group))
    return np.array(lrs, dtype=np.float64), np.array(moms, dtype=np.float64)


def assert_equal_but_clipped_at_peak(
    ours: np.ndarray, theirs: np.ndarray, peak: float, where: list[int]
) -> None:
    """Bit-equal, except at steps ``where``: torch one unit above ``peak``, lrlab at ``peak``."""
    over = np.flatnonzero(theirs > peak)
    assert over.tolist() == where
    assert np.all(theirs[over] == np.nextafter(peak, math.inf))
    assert np.all(ours[over] == peak)
    keep = np.ones(ours.shape, dtype=bool)
    keep[over] = False
    assert np.array_equal(ours[keep], theirs[keep])


def max_rel_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest relative difference; where torch gives exactly 0 we must too."""
    zero = theirs == 0
    assert np.array_equal(ours[zero], theirs[zero])
    if zero.all():
        return 0.0
    return float(np.max(np.abs(ours[~zero] - theirs[~zero]) / np.abs(theirs[~zero])))


# ----------------------------------------------------------- bit-exact families


@pytest.mark.parametrize(
    ("base", "peak", "up", "down", "mode", "gamma", "over"),
    [
        # 0.001 + (0.01 - 0.001) is 0.010000000000000002 in float64
        (0.001, 0.01, 2000, None, "triangular", 1.0, [2000, 6000, 10000]),
        (0.001, 0.01, 700, 300, "triangular", 1.0, [700]),
        (1e-4, 0.1, 500, 1500, "triangular2", 1.0, []),
        (0.001, 0.01, 2000, None, "exp_range", 0.99994, []),
        (0.01, 0.5, 333, 77, "exp_range", 0.9997, []),
    ],
)
def test_cyclic_lr_bit_exact(base, peak, up, down, mode, gamma, over) -> None:
    ours = cyclical(base, peak, up, down, mode=mode, gamma=gamma)
    lrs, moms = stepped(lambda o: tl.CyclicLR(o, base, peak, up, down, mode=mode, gamma=gamma))
    assert_equal_but_clipped_at_peak(ours(STEPS), lrs, peak, over)
    assert np.array_equal(ours.momentum(STEPS), moms)


def test_cyclic_lr_beta1_bit_exact() -> None:
    ours = cyclical(0.001, 0.01, 250, 750, base_momentum=0.85, max_momentum=0.95)
    make = lambda o: tl.CyclicLR(  # noqa: E731
        o, 0.001, 0.01, 250, 750, base_momentum=0.85, max_momentum=0.95
    )
    lrs, betas = stepped(make, adam=True)
    assert_equal_but_clipped_at_peak(
        ours(STEPS), lrs, 0.01, [250, 1250, 2250, 3250, 4250, 5250, 6250, 7250, 8250, 9250]
    )
    assert np.array_equal(ours.momentum(STEPS), betas)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"anneal": "linear"},
        {"pct_start": 0.25, "div_factor": 10.0, "final_div_factor": 100.0},
        {"three_phase": True},
        {"three_phase": True, "anneal": "linear", "pct_start": 0.45},
        {"pct_start": 0.3333, "base_momentum": 0.8, "max_momentum": 0.99},
    ],
    ids=["default", "linear", "factors", "three", "three-linear", "odd-pct"],
)
def test_one_cycle_bit_exact(kwargs) -> None:
    ours = one_cycle(0.01, N, **kwargs)
    torch_kwargs = {
        "pct_start": ours.pct_start,
        "div_factor": ours.div_factor,
        "final_div_factor": ours.final_div_factor,
        "anneal_strategy": ours.anneal,
        "three_phase": ours.three_phase,
        "base_momentum": ours.base_momentum,
        "max_momentum": ours.max_momentum,
    }
    lrs, moms = stepped(lambda o: tl.OneCycleLR(o, 0.01, total_steps=N, **torch_kwargs))
    assert np.array_equal(ours(STEPS), lrs)
    assert np.array_equal(ours.momentum(STEPS), moms)


def test_one_cycle_beta1_bit_exact() -> None:
    ours = one_cycle(3e-3, 2000, pct_start=0.1)
    lrs, betas = stepped(
        lambda o: tl.OneCycleLR(o, 3e-3, total_steps=2000, pct_start=0.1), n=2000, adam=True
    )
    assert np.array_equal(ours(STEPS[:2001]), lrs)
    assert np.array_equal(ours.momentum(STEPS[:2001]), betas)


def test_one_cycle_raises_past_the_end_like_torch() -> None:
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=1.0, momentum=0.9)
    scheduler = tl.OneCycleLR(opt, 1.0, total_steps=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(20):
            scheduler.step()
        assert opt.param_groups[0]["lr"] == one_cycle(1.0, 20)(20)
        with pytest.raises(ValueError, match="Tried to step 21 times"):
            scheduler.step()
    with pytest.raises(ValueError, match="got 21"):
        one_cycle(1.0, 20)(21)


@pytest.mark.parametrize(
    ("period", "mult", "floor"),
    [(10, 1, 0.0), (997, 1, 0.01), (50, 2, 0.0), (1, 3, 0.0), (7, 3, 0.001), (1, 10, 0.0)],
)
def test_cosine_warm_restarts_bit_exact(period, mult, floor) -> None:
    ours = cosine_restarts(0.1, period, mult, floor)
    lrs, _ = stepped(lambda o: tl.CosineAnnealingWarmRestarts(o, period, mult, floor), lr=0.1)
    assert np.array_equal(ours(STEPS), lrs)


def test_cosine_warm_restarts_logarithm_lands_in_the_wrong_cycle() -> None:
    # step(epoch) finds the cycle with int(log(121 * 2 + 1, 3)); log(243, 3) < 5 in floats
    assert int(math.log(243, 3)) == 4
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=1.0)
    scheduler = tl.CosineAnnealingWarmRestarts(opt, T_0=1, T_mult=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        scheduler.step(121)
    assert opt.param_groups[0]["lr"] == 0.0  # the end of cycle 4, not the restart
    lrs, _ = stepped(lambda o: tl.CosineAnnealingWarmRestarts(o, 1, 3), n=121)
    assert lrs[121] == 1.0  # stepping one at a time gets the restart right
    assert cosine_restarts(1.0, 1, 3)(121) == 1.0


# ----------------------------------------- families torch computes recursively


@pytest.mark.parametrize(("size", "gamma"), [(7, 0.99), (100, 0.5), (1, 0.9995), (30, 1.001)])
def test_step_lr(size, gamma) -> None:
    lrs, _ = stepped(lambda o: tl.StepLR(o, size, gamma), lr=0.1)
    assert max_rel_diff(step_decay(0.1, size, gamma)(STEPS), lrs) <= 1e-12


@pytest.mark.parametrize(
    ("milestones", "gamma"),
    [([30, 60, 80], 0.1), ([0, 100, 100, 5000], 0.5), ([1, 2, 3, 9999], 0.9)],
)
def test_multistep_lr(milestones, gamma) -> None:
    lrs, _ = stepped(lambda o: tl.MultiStepLR(o, milestones, gamma), lr=0.1)
    assert max_rel_diff(multistep(0.1, milestones, gamma)(STEPS), lrs) <= 1e-12


@pytest.mark.parametrize("gamma", [0.9995, 0.999, 1.0001])
def test_exponential_lr(gamma) -> None:
    lrs, _ = stepped(lambda o: tl.ExponentialLR(o, gamma), lr=0.1)
    assert max_rel_diff(exponential(0.1, gamma)(STEPS), lrs) <= 1e-12


@pytest.mark.parametrize(("total", "power"), [(N, 1.0), (9000, 2.0), (5000, 0.5), (3000, 3.0)])
def test_polynomial_lr(total, power) -> None:
    lrs, _ = stepped(lambda o: tl.PolynomialLR(o, total, power), lr=0.1)
    assert max_rel_diff(polynomial(0.1, total, power)(STEPS), lrs) <= 1e-12


@pytest.mark.parametrize(("total", "floor"), [(N, 0.0), (N, 1e-3), (7919, 1e-5), (N, 0.05)])
def test_cosine_annealing_lr_over_the_run(total, floor) -> None:
    lrs, _ = stepped(lambda o: tl.CosineAnnealingLR(o, total, floor), lr=0.1)
    ours = cosine(0.1, total, floor)(STEPS)
    assert max_rel_diff(ours[: total + 1], lrs[: total + 1]) <= 1e-12


def test_cosine_annealing_lr_climbs_back_after_the_run() -> None:
    total, floor = 2500, 1e-3
    lrs, _ = stepped(lambda o: tl.CosineAnnealingLR(o, total, floor), lr=0.1)
    ours = cosine(0.1, total, floor, past_end="continue")(STEPS)
    assert lrs[2 * total] == pytest.approx(0.1, rel=1e-12)
    assert max_rel_diff(ours[: total + 1], lrs[: total + 1]) <= 1e-12
    # on the way back up torch's recursion starts from the floor and drifts
    # further (1.5e-12 here); its closed form agrees bit for bit, see below
    assert max_rel_diff(ours, lrs) <= 1e-11
    held = cosine(0.1, total, floor)(STEPS)
    assert np.all(held[total:] == held[total])


def test_cosine_closed_form_bit_exact() -> None:
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=0.1)
    scheduler = tl.CosineAnnealingLR(opt, 300, 1e-4)
    ours = cosine(0.1, 300, 1e-4, past_end="continue")
    for t in range(0, 1000, 7):
        scheduler.last_epoch = t
        assert scheduler._get_closed_form_lr()[0] == ours(t)


def test_sequential_linear_then_cosine() -> None:
    peak, start_factor, warm, total, floor = 0.1, 0.01, 500, N, 1e-3

    def make(opt):
        warmup = tl.LinearLR(opt, start_factor=start_factor, total_iters=warm)
        decay = tl.CosineAnnealingLR(opt, total - warm, floor)
        return tl.SequentialLR(opt, [warmup, decay], milestones=[warm])

    lrs, _ = stepped(make, lr=peak)
    ours = warmup_cosine(peak, total, warm, floor, start=peak * start_factor)
    assert max_rel_diff(ours(STEPS), lrs) <= 1e-12


def test_linear_lr_as_warmup_and_as_decay() -> None:
    lrs, _ = stepped(lambda o: tl.LinearLR(o, start_factor=0.1, total_iters=1000), lr=0.01)
    assert max_rel_diff(linear_warmup(0.01, 1000, start=0.001)(STEPS), lrs) <= 1e-12
    lrs, _ = stepped(
        lambda o: tl.LinearLR(o, start_factor=1.0, end_factor=0.01, total_iters=8000), lr=0.1
    )
    assert max_rel_diff(linear_decay(0.1, 0.001, 8000)(STEPS), lrs) <= 1e-12


def test_linear_lr_cannot_start_at_zero() -> None:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        tl.LinearLR(opt, start_factor=0.0)
    assert linear_warmup(0.1, 10)(0) == 0.0
