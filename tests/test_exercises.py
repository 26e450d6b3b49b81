"""Every chapter's answer keys live in lrlab.exercises, checked against hand-worked values."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from lrlab import exercises

# The answer to each chapter exercise, worked by hand from its parameters.
WORKED = [
    ("max-stable-lr", {"a": 5, "b": -2}, 0.2),
    ("steps-to-tolerance", {"lr": 0.01, "tol": 1e-3}, 397),  # 3 * 0.98**t <= 1e-3
    ("same-contraction-lr", {"lr": 0.3, "curvature": 2.0}, 0.7),  # |1 - 2 lr| = 0.4
    ("same-contraction-lr", {"lr": 0.05, "curvature": 10.0}, 0.15),
    ("nqm-floor", {"lr": 0.1, "h": 1.0, "c": 1.0, "batch_size": 4}, 0.1 / (2 * 4 * 1.9)),
    ("nqm-floor", {"lr": 0.5, "h": 2.0, "c": 3.0}, 0.5 * 3.0 / (2 * 1 * (2 - 0.5 * 2.0))),
    ("radam-first-step", {"beta2": 0.999}, 5),
    ("radam-first-step", {"beta2": 0.999, "threshold": 5.0}, 6),
    ("adam-uncorrected-first-step", {"beta1": 0.9, "beta2": 0.999}, 0.1 / math.sqrt(0.001)),
    ("warmup-lr-deficit", {"warmup_steps": 1000}, 500.5),
    ("step-decay-lr-sum", {"start": 0.2, "gamma": 0.1, "step_size": 30, "epochs": 90}, 6.66),
    ("step-decay-lr-sum", {"start": 0.1, "gamma": 0.5, "step_size": 10, "epochs": 50}, 1.9375),
    ("multistep-lr", {"start": 0.1, "milestones": [30, 30, 60], "gamma": 0.1, "t": 45}, 1e-3),
    # 30/60/80 of 90 epochs from 0.2: 0.2 * (30 + 30 * 0.1 + 20 * 0.01 + 10 * 0.001).
    (
        "multistep-lr-sum",
        {"start": 0.2, "milestones": [30, 60, 80], "gamma": 0.1, "epochs": 90},
        6.642,
    ),
    ("multistep-lr-sum", {"start": 1.0, "milestones": [2, 2], "gamma": 0.5, "epochs": 4}, 2.5),
    ("plateau-first-reduction", {"metrics": [1.0, 0.9, 0.9, 0.9, 0.9], "patience": 2}, 4),
    ("plateau-first-reduction", {"metrics": [3.0, 2.0, 1.0], "patience": 2}, -1),
    ("cosine-lr-at-step", {"peak": 0.1, "total_steps": 100, "step": 50}, 0.05),
    ("cosine-lr-at-step", {"peak": 1.0, "total_steps": 4, "step": 1, "floor": 0.0}, 0.85355339),
    ("sgdr-restart-step", {"period": 10, "period_mult": 2, "n": 6}, 630),
    ("clr-lr-at-step", {"base": 0.001, "peak": 0.006, "step_size": 2000, "step": 1000}, 0.0035),
    ("clr-cycle-fraction", {"scheduler_steps": 90, "step_size_up": 2000}, 0.0225),
    ("one-cycle-peak-step", {"total_steps": 2500, "pct_start": 0.25}, 624),
    ("one-cycle-total-steps", {"epochs": 10, "batches_per_epoch": 391, "accumulation": 4}, 980),
    (
        "wsd-lr",
        {
            "peak": 1.0,
            "total_steps": 100,
            "warmup_steps": 10,
            "decay_steps": 20,
            "decay": "linear",
            "t": 90,
        },
        0.5,
    ),
    (
        "wsd-branch-cost",
        {"lengths": [10_000, 20_000, 40_000, 80_000], "decay_frac": 0.1},
        72_000 + 15_000,
    ),
    ("wsd-exp-floor", {"half_life": 5000, "decay_steps": 12_000}, 0.5**2.4),
    ("wsd-exp-floor", {"half_life": 100, "decay_steps": 100}, 0.5),
    ("halving-gamma", {"steps": 500}, 0.5 ** (1 / 500)),
    ("poly-half-point", {"power": 2.0}, 1 - 2 ** (-1 / 2)),
    ("invsqrt-fraction-step", {"warmup_steps": 4000, "fraction": 0.25}, 64_000.0),
    ("invsqrt-fraction-step", {"warmup_steps": 4000, "fraction": 1.0}, 4000.0),
    ("linear-scaling-lr", {"base_lr": 0.1, "base_batch": 256, "batch": 8192}, 3.2),
    ("sqrt-scaling-lr", {"base_lr": 3e-4, "base_batch": 512, "batch": 2048}, 6e-4),
    # weights 1/16, 4/16, 9/16, 1, 1, 1 over the first six updates (warmup of 4)
    ("sf-average-weight", {"peak": 0.5, "warmup_steps": 4, "step": 5}, 1 / (30 / 16 + 2)),
    ("sf-average-weight", {"peak": 0.5, "warmup_steps": 1, "step": 9}, 0.1),
    ("adamw-ema-timescale", {"lr": 1e-3, "weight_decay": 0.1}, 10_000.0),
    ("forward-area", {"peak": 0.1, "warmup_steps": 10, "steps": 30}, 0.1 * 4.5 + 0.1 * 20),
    ("nqm-1d-optimal-lr", {"h": 1.0, "noise": 1.0, "u0": 4.0, "t": 0}, 0.8),
    ("nqm-1d-optimal-lr", {"h": 0.5, "noise": 2.0, "u0": 1.0, "t": 3}, 1 / 6),
]


@pytest.mark.parametrize(("exercise", "params", "answer"), WORKED, ids=[w[0] for w in WORKED])
def test_answer_keys_match_hand_worked_answers(exercise, params, answer):
    assert exercises.is_correct(exercise, answer, **params)
    if isinstance(answer, int):
        assert exercises.expected(exercise, **params) == answer
        assert not exercises.is_correct(exercise, answer + 1, **params)
    else:
        assert not exercises.is_correct(exercise, answer * 1.001 + 1e-9, **params)


def test_every_chapter_key_is_registered():
    assert {w[0] for w in WORKED} <= set(exercises.EXERCISES)


@pytest.mark.slow
def test_every_key_is_registered_in_a_fresh_process():
    code = "import lrlab.exercises as e; print(' '.join(sorted(e.EXERCISES)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(out.stdout.split()) == {w[0] for w in WORKED}


@pytest.mark.parametrize(
    ("exercise", "params", "message"),
    [
        ("same-contraction-lr", {"lr": 1.0, "curvature": 2.0}, r"lr must be a number in \(0, 1\)"),
        ("same-contraction-lr", {"lr": 0.1, "curvature": 0.0}, r"curvature must be a number in"),
        ("nqm-floor", {"lr": 0.1, "h": -1.0, "c": 1.0}, r"h must be > 0"),
        ("nqm-floor", {"lr": -0.1, "h": 1.0, "c": 1.0}, r"lr must be finite and >= 0"),
        ("radam-first-step", {"beta2": 0.5}, r"beta2 must be in \(0.6, 1\)"),
        (
            "multistep-lr-sum",
            {"start": 0.1, "milestones": [3], "gamma": 0.1, "epochs": -1},
            "epochs",
        ),
        ("wsd-exp-floor", {"half_life": 0, "decay_steps": 10}, "half_life must be an integer"),
        ("wsd-exp-floor", {"half_life": 10, "decay_steps": 0}, "decay_steps must be an integer"),
        ("halving-gamma", {"steps": 0}, "steps must be an integer >= 1, got 0"),
        ("poly-half-point", {"power": 0.0}, r"power must be a number in \(0, inf\), got 0.0"),
        ("invsqrt-fraction-step", {"warmup_steps": 10, "fraction": 0.0}, r"fraction must be in"),
        ("clr-cycle-fraction", {"scheduler_steps": -1, "step_size_up": 2}, "scheduler_steps"),
        ("linear-scaling-lr", {"base_lr": 0.1, "base_batch": 0, "batch": 2}, "base_batch"),
    ],
)
def test_answer_keys_reject_bad_parameters(exercise, params, message):
    with pytest.raises(ValueError, match=message):
        exercises.expected(exercise, **params)
