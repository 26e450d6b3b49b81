"""Translations from other frameworks, checked against their own test values and source formulas.

Expected values are transcribed from each project's test suite (file and
commit named in each test); the ``*_source`` references re-state each
project's formula from its source file, and are compared well past the end
of the run, where conventions differ most.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lrlab import (
    constant,
    cosine,
    from_fastai,
    from_hf,
    from_keras,
    from_optax,
    from_timm,
    join,
    linear_decay,
    linear_warmup,
    polynomial,
    to_hf,
    warmup_cosine,
    wsd,
)

T = np.arange(0, 41)

# ------------------------------------------------------------- Hugging Face


def test_hf_matches_transformers_test_values() -> None:
    """tests/optimization/test_optimization.py, huggingface/transformers @ 74714520aed8.

    ``ScheduleInitTest.test_schedulers``: lr 10, 2 warmup steps, 10 training
    steps, tolerance 1e-2 as there.
    """
    common = {"num_warmup_steps": 2, "num_training_steps": 10}
    cases = {
        ("constant", ()): ({}, [10.0] * 10),
        ("constant_with_warmup", ()): (
            {"num_warmup_steps": 4},
            [0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
        ),
        ("linear", ()): (common, [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25]),
        ("cosine", ()): (common, [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38]),
        ("cosine_with_restarts", ()): (
            {**common, "num_cycles": 2},
            [0.0, 5.0, 10.0, 8.53, 5.0, 1.46, 10.0, 8.53, 5.0, 1.46],
        ),
        ("polynomial", ()): (
            {**common, "power": 2.0, "lr_end": 1e-7},
            [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156],
        ),
        ("inverse_sqrt", ()): (
            {"num_warmup_steps": 2},
            [0.0, 5.0, 10.0, 8.165, 7.071, 6.325, 5.774, 5.345, 5.0, 4.714],
        ),
    }
    for (name, _), (kwargs, expected) in cases.items():
        got = from_hf(name, 10.0, **kwargs)(np.arange(10))
        np.testing.assert_allclose(got, expected, atol=1e-2, err_msg=name)


HF_CASES = [
    ("constant", {}),
    ("constant_with_warmup", {"num_warmup_steps": 7}),
    ("linear", {"num_warmup_steps": 5, "num_training_steps": 30}),
    ("linear", {"num_warmup_steps": 0, "num_training_steps": 30}),
    ("cosine", {"num_warmup_steps": 5, "num_training_steps": 25}),
    ("cosine", {"num_warmup_steps": 4, "num_training_steps": 24, "num_cycles": 1.0}),
    ("cosine_with_restarts", {"num_warmup_steps": 3, "num_training_steps": 27, "num_cycles": 3}),
    ("polynomial", {"num_warmup_steps": 3, "num_training_steps": 20, "power": 2.0, "lr_end": 1e-4}),
    ("inverse_sqrt", {"num_warmup_steps": 6}),
    ("inverse_sqrt", {"num_warmup_steps": 6, "timescale": 11}),
    ("cosine_with_min_lr", {"num_warmup_steps": 5, "num_training_steps": 25, "min_lr": 1e-4}),
    ("cosine_with_min_lr", {"num_warmup_steps": 0, "num_training_steps": 25, "min_lr_rate": 0.1}),
    (
        "cosine_warmup_with_min_lr",
        {"num_warmup_steps": 5, "num_training_steps": 25, "min_lr_rate": 0.1},
    ),
    (
        "cosine_warmup_with_min_lr",
        {
            "num_warmup_steps": 5,
            "num_training_steps": 25,
            "min_lr_rate": 0.1,
            "warmup_lr_rate": 0.2,
        },
    ),
    (
        "cosine_warmup_with_min_lr",
        {"num_warmup_steps": 1, "num_training_steps": 25, "min_lr": 1e-4, "warmup_lr_rate": 0.2},
    ),
    (
        "cosine_warmup_with_min_lr",
        {"num_warmup_steps": 0, "num_training_steps": 25, "min_lr_rate": 0.0},
    ),
    (
        "warmup_stable_decay",
        {"num_warmup_steps": 5, "num_training_steps": 30, "num_decay_steps": 10},
    ),
    (
        "warmup_stable_decay",
        {
            "num_warmup_steps": 4,
            "num_training_steps": 30,
            "num_decay_steps": 8,
            "warmup_type": "1-sqrt",
            "decay_type": "linear",
            "min_lr_ratio": 0.1,
        },
    ),
    (
        "warmup_stable_decay",
        {
            "num_warmup_steps": 4,
            "num_stable_steps": 3,
            "num_decay_steps": 8,
            "warmup_type": "cosine",
            "decay_type": "1-sqrt",
            "min_lr_ratio": 0.05,
        },
    ),
]


@pytest.mark.parametrize(("name", "kwargs"), HF_CASES, ids=lambda v: str(v)[:60])
def test_hf_matches_get_scheduler_far_past_the_end(name: str, kwargs: dict) -> None:
    transformers = pytest.importorskip("transformers")
    import torch

    from lrlab.torch_adapter import torch_lr_sequence

    lr = 1e-3
    w = kwargs.get("num_warmup_steps")
    n = kwargs.get("num_training_steps")
    specific = {
        k: v for k, v in kwargs.items() if k not in ("num_warmup_steps", "num_training_steps")
    }

    def make(opt: torch.optim.Optimizer):
        return transformers.get_scheduler(
            name, opt, num_warmup_steps=w, num_training_steps=n, scheduler_specific_kwargs=specific
        )

    steps = 3 * (n or 30)
    theirs = torch_lr_sequence(make, lr, steps)
    ours = from_hf(name, lr, **kwargs)(np.arange(steps))
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-18)


def test_hf_cosine_climbs_back_after_num_training_steps() -> None:
    s = from_hf("cosine", 1.0, num_warmup_steps=10, num_training_steps=110)
    assert s(110) == 0.0
    assert s(210) == pytest.approx(1.0)


def test_hf_wsd_warms_up_from_min_lr_ratio() -> None:
    s = from_hf(
        "warmup_stable_decay",
        1.0,
        num_warmup_steps=10,
        num_training_steps=100,
        num_decay_steps=20,
        min_lr_ratio=0.1,
    )
    assert s(0) == pytest.approx(0.1)


def test_hf_rate_variant_runs_one_step_ahead() -> None:
    plain = from_hf(
        "cosine_with_min_lr", 1.0, num_warmup_steps=5, num_training_steps=25, min_lr_rate=0.1
    )
    ahead = from_hf(
        "cosine_warmup_with_min_lr", 1.0, num_warmup_steps=5, num_training_steps=25, min_lr_rate=0.1
    )
    np.testing.assert_allclose(ahead(np.arange(5, 40)), plain(np.arange(6, 41)), rtol=1e-15)
    assert ahead(0) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "schedule",
    [
        constant(0.1),
        linear_warmup(0.1, 7),
        warmup_cosine(0.1, 40, 8),
        warmup_cosine(0.1, 40, 8, floor=0.01),
        join([linear_warmup(0.1, 5), linear_decay(0.1, 0.0, 30)], [5]),
        join([linear_warmup(0.1, 5), polynomial(0.1, 30, 2.0, 0.001)], [5]),
        cosine(0.1, 30),
        wsd(0.1, 40, 5, 10, 0.01, "cosine", start=0.01),
        wsd(0.1, 40, 0, 10, 0.0, "1-sqrt"),
    ],
    ids=repr,
)
def test_to_hf_round_trips_up_to_the_end(schedule) -> None:
    name, kwargs = to_hf(schedule)
    back = from_hf(
        name, schedule(kwargs.get("num_warmup_steps", 0)) if name != "constant" else 0.1, **kwargs
    )
    end = kwargs.get("num_training_steps", 40)
    t = np.arange(end + 1)
    np.testing.assert_allclose(back(t), schedule(t), rtol=1e-13, atol=1e-18)


def test_to_hf_says_none_when_nothing_matches() -> None:
    assert to_hf(wsd(0.1, 40, 5, 10, 0.01, start=0.0)) is None
    assert to_hf(linear_warmup(0.1, 5, start=0.01)) is None


# --------------------------------------------------------------------- timm


def timm_source(name: str, lr: float, t: int, **kw) -> float:
    """timm/scheduler/{cosine,step,multistep,poly}_lr.py @ 31a85de79aad (``_get_lr``).

    Epoch 0 runs at the constructor's value: ``warmup_lr_init`` with a warmup,
    the base rate otherwise.
    """
    w, init = kw.get("warmup_t", 0), kw.get("warmup_lr_init", 0.0)
    prefix = kw.get("warmup_prefix", name in ("step", "multistep"))
    if t == 0 and not w:
        return lr
    if t < w:
        return init + t * ((lr - init) / w)
    if prefix:
        t -= w
    if name == "step":
        return lr * kw.get("decay_rate", 1.0) ** (t // kw["decay_t"])
    if name == "multistep":
        import bisect

        return lr * kw.get("decay_rate", 1.0) ** bisect.bisect_right(kw["decay_t"], t + 1)
    n, lo = kw["t_initial"], kw.get("lr_min", 0.0)
    if name == "poly":
        i = t // n
        return lo + (lr - lo) * (1 - (t - n * i) / n) ** kw.get("power", 0.5) if i < 1 else lo
    mul = kw.get("cycle_mul", 1)
    if mul != 1:
        i = math.floor(math.log(1 - t / n * (1 - mul), mul))
        t_i = mul**i * n
        t_curr = t - (1 - mul**i) / (1 - mul) * n
    else:
        i, t_i, t_curr = t // n, n, t - n * (t // n)
    top = lr * kw.get("cycle_decay", 1.0) ** i
    if i < kw.get("cycle_limit", 1):
        return lo + 0.5 * (top - lo) * (1 + math.cos(math.pi * t_curr / t_i))
    return lo


TIMM_CASES = [
    ("cosine", {"t_initial": 30, "lr_min": 1e-3}),
    ("cosine", {"t_initial": 20, "warmup_t": 5, "warmup_lr_init": 1e-3}),
    ("cosine", {"t_initial": 20, "warmup_t": 5, "warmup_lr_init": 1e-3, "warmup_prefix": True}),
    ("cosine", {"t_initial": 8, "cycle_decay": 0.5, "cycle_limit": 3, "lr_min": 1e-3}),
    ("cosine", {"t_initial": 4, "cycle_mul": 2, "cycle_limit": 3}),
    ("step", {"decay_t": 7, "decay_rate": 0.5, "warmup_t": 3, "warmup_lr_init": 1e-3}),
    ("multistep", {"decay_t": [10, 20, 30], "decay_rate": 0.5}),
    ("multistep", {"decay_t": [1, 5], "decay_rate": 0.5}),
    ("multistep", {"decay_t": [0, 5], "decay_rate": 0.5, "warmup_t": 2, "warmup_lr_init": 0.01}),
    ("poly", {"t_initial": 25, "power": 2.0, "lr_min": 1e-3, "warmup_t": 4}),
]
TIMM_CLASS = {
    "cosine": "CosineLRScheduler",
    "step": "StepLRScheduler",
    "multistep": "MultiStepLRScheduler",
    "poly": "PolyLRScheduler",
}


@pytest.mark.parametrize(("name", "kwargs"), TIMM_CASES, ids=str)
def test_timm_matches_its_source_past_the_end(name: str, kwargs: dict) -> None:
    ours = from_timm(TIMM_CLASS[name], 0.1, **kwargs)
    expected = [timm_source(name, 0.1, int(t), **kwargs) for t in T]
    np.testing.assert_allclose(ours(T), expected, rtol=1e-13, atol=1e-18)


def test_timm_matches_its_test_values() -> None:
    """tests/test_scheduler.py, huggingface/pytorch-image-models @ 31a85de79aad (rel 1e-5)."""
    cos = from_timm("CosineLRScheduler", 0.1, t_initial=100, lr_min=0.001)
    assert cos(0) == pytest.approx(0.1, rel=1e-5)
    mid = 0.001 + 0.5 * (0.1 - 0.001) * (1 + math.cos(math.pi * 0.5))
    assert cos(50) == pytest.approx(mid, rel=1e-2)
    assert cos(100) == pytest.approx(0.001, rel=1e-5)
    step = from_timm("StepLRScheduler", 0.1, decay_t=10, decay_rate=0.5)
    assert step([9, 10, 20]).tolist() == pytest.approx([0.1, 0.05, 0.025], rel=1e-5)
    multi = from_timm("MultiStepLRScheduler", 0.1, decay_t=[10, 20, 30], decay_rate=0.5)
    assert multi([8, 11, 21, 31]).tolist() == pytest.approx([0.1, 0.05, 0.025, 0.0125], rel=1e-5)
    poly = from_timm("PolyLRScheduler", 0.1, t_initial=100, lr_min=0.001, power=1.0)
    assert poly([0, 100]).tolist() == pytest.approx([0.1, 0.001], rel=1e-5)
    warm = from_timm(
        "CosineLRScheduler",
        0.1,
        t_initial=100,
        warmup_t=5,
        warmup_lr_init=0.001,
        warmup_prefix=True,
    )
    assert warm(0) == pytest.approx(0.001, rel=1e-5)
    assert np.all(np.diff(warm(np.arange(5))) > 0)
    assert warm(5) == pytest.approx(0.1, rel=1e-5)


def test_timm_multistep_decays_one_step_before_the_milestone() -> None:
    s = from_timm("MultiStepLRScheduler", 1.0, decay_t=[10], decay_rate=0.1)
    assert s([8, 9]).tolist() == pytest.approx([1.0, 0.1])


# -------------------------------------------------------------------- optax


def test_optax_matches_its_test_values() -> None:
    """optax/schedules/_schedule_test.py, google-deepmind/optax @ 682d3123a3c6 (atol 1e-3)."""
    check = lambda s, n, expected: np.testing.assert_allclose(  # noqa: E731
        s(np.arange(n)), expected, atol=1e-3
    )
    check(
        from_optax(
            "polynomial_schedule", init_value=10.0, end_value=20.0, power=1, transition_steps=10
        ),
        15,
        list(range(10, 20)) + [20] * 5,
    )
    check(
        from_optax(
            "polynomial_schedule", init_value=25.0, end_value=10.0, power=2, transition_steps=10
        ),
        15,
        [10.0 + 15.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 5,
    )
    check(
        from_optax(
            "polynomial_schedule",
            init_value=30.0,
            end_value=10.0,
            power=2,
            transition_steps=10,
            transition_begin=4,
        ),
        20,
        [30.0] * 4 + [10.0 + 20.0 * (1.0 - n / 10) ** 2 for n in range(10)] + [10] * 6,
    )
    check(
        from_optax(
            "piecewise_constant_schedule", init_value=0.1, boundaries_and_scales={3: 2.0, 6: 0.5}
        ),
        10,
        [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1],
    )
    for staircase in (False, True):
        for begin in (0, 5):
            p = np.arange(15) / 2
            p = np.floor(p) if staircase else p
            check(
                from_optax(
                    "exponential_decay",
                    init_value=1.0,
                    transition_steps=2,
                    decay_rate=2.0,
                    transition_begin=begin,
                    staircase=staircase,
                ),
                15 + begin,
                [1.0] * begin + list(np.power(2.0, p)),
            )
        for rate, end in ((0.2, 0.1), (1.0, 0.1), (2.0, 3.0)):
            p = np.arange(11) / 2
            p = np.floor(p) if staircase else p
            expected = np.array([1.0] * 3 + list(np.power(rate, p)))
            expected = np.maximum(expected, end) if rate < 1 else np.minimum(expected, end)
            check(
                from_optax(
                    "exponential_decay",
                    init_value=1.0,
                    transition_steps=2,
                    decay_rate=rate,
                    transition_begin=3,
                    staircase=staircase,
                    end_value=end,
                ),
                14,
                expected,
            )
    check(
        from_optax("exponential_decay", init_value=32.0, transition_steps=1, decay_rate=0.5),
        5,
        [32, 16, 8, 4, 2],
    )
    fractions = np.array([0.0, 0.2, 0.4, 0.6, 0.8] + [1.0] * 7)
    check(
        from_optax("cosine_decay_schedule", init_value=0.1, decay_steps=5, alpha=0.1),
        12,
        0.1 * (0.9 * (0.5 + 0.5 * np.cos(np.pi * fractions)) + 0.1),
    )
    for init, peak, end in ((10, 0.5, 1e-4), (5, 3, 0.0)):
        s = from_optax(
            "warmup_cosine_decay_schedule",
            init_value=init,
            peak_value=peak,
            warmup_steps=100,
            decay_steps=1000,
            end_value=end,
        )
        np.testing.assert_allclose([s(0), s(100)], [init, peak])
        np.testing.assert_allclose(s(1000), end, rtol=1e-3)
    for lr0, lr1, lr2 in ((1.6, 0.8, 0.4), (1.6, 1.6, 1.6)):
        s = from_optax(
            "sgdr_schedule",
            cosine_kwargs=[
                {
                    "decay_steps": int(n),
                    "peak_value": v,
                    "init_value": 0,
                    "end_value": 0.0,
                    "warmup_steps": 500,
                }
                for n, v in zip((2e3, 3e3, 5e3), (lr0, lr1, lr2), strict=True)
            ],
        )
        np.testing.assert_allclose([s(500), s(2500), s(5500)], [lr0, lr1, lr2])
    check(
        from_optax(
            "piecewise_interpolate_schedule",
            interpolate_type="linear",
            init_value=200.0,
            boundaries_and_scales={5: 1.5, 10: 0.25},
        ),
        13,
        [200.0, 220.0, 240.0, 260.0, 280.0, 300.0, 255.0, 210.0, 165.0, 120.0, 75.0, 75.0, 75.0],
    )
    check(
        from_optax(
            "piecewise_interpolate_schedule",
            interpolate_type="cosine",
            init_value=400.0,
            boundaries_and_scales={5: 1.2, 3: 0.6, 7: 1.0},
        ),
        9,
        [400.0, 360.0, 280.0, 240.0, 264.0, 288.0, 288.0, 288.0, 288.0],
    )
    check(
        from_optax(
            "linear_onecycle_schedule",
            transition_steps=10,
            peak_value=1000,
            pct_start=0.3,
            pct_final=0.7,
            div_factor=10.0,
            final_div_factor=100.0,
        ),
        12,
        [100.0, 400.0, 700.0, 1000.0, 775.0, 550.0, 325.0, 100.0, 67.0, 34.0, 1.0, 1.0],
    )
    check(
        from_optax(
            "cosine_onecycle_schedule",
            transition_steps=5,
            peak_value=1000.0,
            pct_start=0.4,
            div_factor=10.0,
            final_div_factor=100.0,
        ),
        7,
        [100.0, 550.0, 1000.0, 750.25, 250.75, 1.0, 1.0],
    )


def test_optax_onecycle_peaks_at_int_pct_times_steps() -> None:
    s = from_optax("cosine_onecycle_schedule", transition_steps=100, peak_value=1.0, pct_start=0.25)
    assert int(np.argmax(s(np.arange(100)))) == 25


# -------------------------------------------------------------------- Keras


def test_keras_matches_its_test_values() -> None:
    """keras/src/optimizers/schedules/learning_rate_schedule_test.py @ ac2ee342b119 (1e-6)."""
    close = lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)  # noqa: E731
    close(
        from_keras("ExponentialDecay", initial_learning_rate=0.05, decay_steps=10, decay_rate=0.96)(
            5
        ),
        0.05 * 0.96 ** (5.0 / 10.0),
    )
    stair = from_keras(
        "ExponentialDecay",
        initial_learning_rate=0.1,
        decay_steps=3,
        decay_rate=0.96,
        staircase=True,
    )
    close(stair([1, 2, 100]), [0.1, 0.1, 0.1 * 0.96 ** (100 // 3)])
    pcd = from_keras(
        "PiecewiseConstantDecay", boundaries=[100, 110, 120], values=[1.0, 0.1, 0.01, 0.001]
    )
    close(pcd([0, 100, 105, 110, 120, 999]), [1.0, 1.0, 0.1, 0.1, 0.01, 0.001])
    pcd = from_keras("PiecewiseConstantDecay", boundaries=[1, 2, 3], values=[0.4, 0.5, 0.6, 0.7])
    close(pcd([0, 1, 2, 3, 4]), [0.4, 0.4, 0.5, 0.6, 0.7])
    for power in (1.0, 0.5):
        poly = lambda end, p=power: from_keras(  # noqa: E731
            "PolynomialDecay",
            initial_learning_rate=0.05,
            decay_steps=10,
            end_learning_rate=end,
            power=p,
        )
        close(poly(0.0)(5), 0.05 * 0.5**power)
        close(poly(0.001)([10, 15]), [0.001, 0.001])
        close(poly(0.001)(5), (0.05 - 0.001) * 0.5**power + 0.001)
    itd = from_keras("InverseTimeDecay", initial_learning_rate=0.1, decay_steps=10, decay_rate=0.96)
    close(itd(np.arange(11)), [0.1 / (1 + i / 10 * 0.96) for i in range(11)])
    itd = from_keras(
        "InverseTimeDecay",
        initial_learning_rate=0.1,
        decay_steps=10,
        decay_rate=0.96,
        staircase=True,
    )
    close(itd(np.arange(11)), [0.1 / (1 + 0.96 * (i // 10)) for i in range(11)])

    def np_cosine(step, decay_steps, alpha=0.0):
        step = min(step, decay_steps)
        return (1.0 - alpha) * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps)) + alpha

    steps = list(range(0, 1500, 250))
    close(
        from_keras("CosineDecay", initial_learning_rate=1.0, decay_steps=1000)(steps),
        [np_cosine(s, 1000) for s in steps],
    )
    close(
        from_keras("CosineDecay", initial_learning_rate=1.0, decay_steps=1000, alpha=0.1)(steps),
        [np_cosine(s, 1000, 0.1) for s in steps],
    )
    warm = from_keras(
        "CosineDecay",
        initial_learning_rate=0.0,
        decay_steps=10,
        warmup_target=10.0,
        warmup_steps=1500,
    )
    close(warm(steps), [s / 1500 * 10.0 for s in steps])
    warm = from_keras(
        "CosineDecay",
        initial_learning_rate=0.0,
        decay_steps=1000,
        warmup_target=10.0,
        warmup_steps=2000,
    )
    steps = list(range(0, 3000, 250))
    close(
        warm(steps),
        [s / 2000 * 10.0 if s < 2001 else 10.0 * np_cosine(s - 2000, 1000) for s in steps],
    )

    def np_restarts(step, decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
        fac = 1.0
        while step >= decay_steps:
            step -= decay_steps
            decay_steps *= t_mul
            fac *= m_mul
        return (1.0 - alpha) * fac * 0.5 * (1.0 + math.cos(math.pi * step / decay_steps)) + alpha

    steps = list(range(0, 1500, 250))
    for extra in ({}, {"alpha": 0.1}, {"m_mul": 0.9}, {"t_mul": 1.0}):
        s = from_keras(
            "CosineDecayRestarts", initial_learning_rate=1.0, first_decay_steps=1000, **extra
        )
        close(s(steps), [np_restarts(k, 1000, **extra) for k in steps])


def keras_restarts_source(lr, first, t_mul, m_mul, alpha, step):
    """CosineDecayRestarts.__call__, keras learning_rate_schedule.py @ c559fa8cd50f."""
    fraction = step / first
    if t_mul == 1.0:
        i = math.floor(fraction)
        fraction -= i
    else:
        i = math.floor(math.log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul))
        fraction = (fraction - (1.0 - t_mul**i) / (1.0 - t_mul)) / t_mul**i
    return lr * ((1 - alpha) * 0.5 * m_mul**i * (1.0 + math.cos(math.pi * fraction)) + alpha)


def test_keras_restarts_match_source_far_past_the_first_cycles() -> None:
    s = from_keras(
        "CosineDecayRestarts",
        initial_learning_rate=0.5,
        first_decay_steps=6,
        t_mul=2.0,
        m_mul=0.7,
        alpha=0.05,
    )
    t = np.arange(0, 200)
    expected = [keras_restarts_source(0.5, 6, 2.0, 0.7, 0.05, int(k)) for k in t]
    np.testing.assert_allclose(s(t), expected, rtol=1e-12)


def test_keras_piecewise_keeps_the_old_value_at_the_boundary() -> None:
    s = from_keras("PiecewiseConstantDecay", boundaries=[10], values=[1.0, 0.1])
    assert s([10, 11]).tolist() == [1.0, 0.1]


# ------------------------------------------------------------------- fastai


def fastai_sched_cos(start: float, end: float, pos: float) -> float:
    """sched_cos, fastai/callback/schedule.py @ 510888788cac."""
    return start + (1 + math.cos(math.pi * (1 - pos))) * (end - start) / 2


def fastai_combined_cos(pct: float, start: float, middle: float, end: float, pos: float) -> float:
    """combine_scheds([pct, 1 - pct], [SchedCos(start, middle), SchedCos(middle, end)])."""
    if pos < pct:
        return fastai_sched_cos(start, middle, pos / pct)
    return fastai_sched_cos(middle, end, (pos - pct) / (1 - pct))


def test_fastai_matches_its_test_values() -> None:
    """nbs/14_callback.schedule.ipynb, fastai/fastai @ f051b1ce9bc7 (``fit_one_cycle(2)``).

    ``test_close(lrs, [combined_cos(0.25, 1e-2/25, 1e-2, 1e-7)(i/20) for i in range(20)])``
    with the synthetic learner's 10 batches per epoch.
    """
    s = from_fastai("fit_one_cycle", lr_max=1e-2, n_epoch=2, steps_per_epoch=10)
    expected = [fastai_combined_cos(0.25, 1e-2 / 25, 1e-2, 1e-7, i / 20) for i in range(20)]
    np.testing.assert_allclose(s(np.arange(20)), expected, rtol=1e-14)
    assert s(19) > 1e-7
    assert s(20) == pytest.approx(1e-7)


def test_fastai_flat_cos_and_sgdr() -> None:
    flat = from_fastai("fit_flat_cos", lr=0.1, n_epoch=4, steps_per_epoch=5)
    assert flat(np.arange(15)).tolist() == [0.1] * 15
    sgdr = from_fastai("fit_sgdr", lr_max=0.1, n_cycles=3, cycle_len=1, steps_per_epoch=4)
    assert sgdr.total_steps == 28
    assert sgdr([0, 4, 12]).tolist() == [0.1, 0.1, 0.1]


# -------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: from_hf("cosin", 1.0, 1, 10), "HF lr_scheduler_type name must be one of"),
        (lambda: from_hf("cosine", 1.0, 1, None), "num_training_steps must be given"),
        (lambda: from_hf("cosine", 1.0, 2, 11, num_cycles=1.0), "must be a whole number of steps"),
        (lambda: from_hf("linear", 1.0, 2, 10, power=2), "got unknown ['power']"),
        (lambda: from_hf("reduce_lr_on_plateau", 1.0), "follows the loss"),
        (
            lambda: from_hf("cosine_with_min_lr", 1.0, 1, 10),
            "exactly one of min_lr and min_lr_rate",
        ),
        (lambda: from_hf("polynomial", 1.0, 1, 10, lr_end=2.0), "lr_end must be below lr"),
        (lambda: from_hf("linear", 0.0, 1, 10), "lr must be a number in (0, 1e+300], got 0.0"),
        (
            lambda: from_timm("StepLRScheduler", 1e305, decay_t=3),
            "lr must be a number in (0, 1e+300], got 1e+305",
        ),
        (lambda: to_hf(None), "schedule must be an lrlab Schedule, got None"),
        (lambda: from_hf("warmup_stable_decay", 1.0, 1, num_decay_steps=3), "or num_stable_steps"),
        (
            lambda: from_hf("warmup_stable_decay", 1.0, 1, 10, num_decay_steps=3, num_cycles=1),
            "num_cycles must be 0.5",
        ),
        (
            lambda: from_timm("CosineLRScheduler", 0.1, t_initial=5, k_decay=2.0),
            "k_decay must be 1.0",
        ),
        (lambda: from_timm("CosineLRScheduler", 0.1, t_initial=5, cycle_mul=1.5), "cycle_mul"),
        (lambda: from_timm("TanhLRScheduler", 0.1), "timm scheduler name must be one of"),
        (
            lambda: from_optax(
                "cosine_decay_schedule", init_value=1.0, decay_steps=5, exponent=2.0
            ),
            "exponent must be 1.0",
        ),
        (
            lambda: from_keras(
                "PolynomialDecay", initial_learning_rate=1.0, decay_steps=5, cycle=True
            ),
            "cycle must be False",
        ),
        (
            lambda: from_keras("PiecewiseConstantDecay", boundaries=[1], values=[1.0]),
            "values must hold len(boundaries) + 1 = 2 numbers, got 1",
        ),
        (
            lambda: from_fastai(
                "fit_sgdr", lr_max=0.1, n_cycles=2, cycle_len=1, steps_per_epoch=2, cycle_mult=1
            ),
            "cycle_mult must be an integer >= 2, got 1",
        ),
    ],
)
def test_bad_translations_are_named(call, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()
