import json
import math
import subprocess
import sys

import numpy as np
import pytest
import torch

import lrlab
from lrlab.training import adam_trace, train, train_many

FIELDS = ("lr", "loss", "grad_norm", "update_ratio", "val_steps", "val_loss")


def same(a, b):
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS)


def test_applied_lr_equals_schedule_and_history_shapes():
    s = lrlab.warmup_cosine(peak=0.02, warmup_steps=10, total_steps=60)
    h = train(s, 60, val_every=20)
    assert h.lr.tolist() == [s(t) for t in range(60)]
    for name in ("loss", "grad_norm", "update_ratio"):
        assert getattr(h, name).shape == (60,)
        assert np.isfinite(getattr(h, name)).all()
    assert h.val_steps.tolist() == [0, 20, 40, 60]
    assert h.update_ratio[0] == 0.0  # warmup starts at LR 0
    assert not h.diverged and h.diverged_at is None


def test_same_seed_same_numbers_in_process():
    a = train(lrlab.constant(0.01), 40, seed=3)
    b = train(lrlab.constant(0.01), 40, seed=3)
    c = train(lrlab.constant(0.01), 40, seed=4)
    assert same(a, b)
    assert not np.array_equal(a.loss, c.loss)


@pytest.mark.slow
def test_same_numbers_across_processes():
    code = (
        "import json, lrlab; h = lrlab.train(lrlab.constant(0.01), 30, seed=1, optimizer='sgd');"
        "print(json.dumps([h.loss.tolist(), h.val_loss.tolist()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loss, val = json.loads(out.stdout)
    h = train(lrlab.constant(0.01), 30, seed=1, optimizer="sgd")
    assert loss == h.loss.tolist() and val == h.val_loss.tolist()


def test_excess_loss_non_negative_and_falling():
    h = train(lrlab.warmup_cosine(peak=0.03, warmup_steps=20, total_steps=300), 300)
    assert np.all(h.val_excess >= 0)
    assert h.val_excess[-1] < 0.5 * h.val_excess[0]
    assert h.final_excess == h.val_excess[-1]
    noise = 3 * h.loss[-50:].std()
    assert h.excess_loss[-50:].mean() > -noise
    assert h.excess_loss[-50:].mean() < h.excess_loss[:50].mean()


@pytest.mark.parametrize("optimizer", ["adamw", "sgd"])
def test_divergence_stops_the_run(optimizer):
    h = train(lrlab.constant(1e4), 50, optimizer=optimizer)
    assert h.diverged and h.diverged_at is not None and h.diverged_at < 50
    after = h.diverged_at + 1
    assert np.isnan(h.loss[after:]).all() and np.isnan(h.lr[after:]).all()
    assert h.final_excess == math.inf


def test_branch_with_same_schedule_equals_uninterrupted_run():
    s = lrlab.constant(0.02)
    full = train(s, 80, checkpoints=[30, 80], val_every=20, clip_grad=1.0)
    assert set(full.checkpoints) == {30, 80}
    assert same(full.checkpoints[30].branch(s, 80), full)
    sgd = train(lrlab.one_cycle(peak=0.1, total_steps=60), 60, optimizer="sgd", checkpoints=[25])
    assert same(sgd.checkpoints[25].branch(lrlab.one_cycle(peak=0.1, total_steps=60), 60), sgd)


def test_branch_with_another_schedule():
    full = train(lrlab.constant(0.02), 60, checkpoints=[40])
    decay_schedule = lrlab.linear_decay(start=0.02, end=0.0, total_steps=60)
    decay = full.checkpoints[40].branch(decay_schedule, 60)
    np.testing.assert_array_equal(decay.loss[:41], full.loss[:41])
    assert decay.lr[40:].tolist() == [decay_schedule(t) for t in range(40, 60)]
    assert not np.array_equal(decay.loss[41:], full.loss[41:])


def test_momentum_schedule_drives_beta1():
    s = lrlab.one_cycle(peak=0.01, total_steps=20)
    tr = adam_trace(s, steps=3)
    assert tr.lr.tolist() == [s(0), s(1), s(2)]
    h = train(s, 20)
    assert not h.diverged


def test_adam_first_update_is_sign_of_gradient():
    tr = adam_trace(lrlab.constant(1e-3), steps=4)
    assert tr.names == ["embed", "w1", "b1", "w2", "b2"]
    np.testing.assert_allclose(tr.update_over_lr[0], 1.0, atol=1e-3)
    assert np.all(tr.update_over_lr[1:] < 1.0)
    assert np.all(tr.exp_avg_sq > 0)


def test_train_many_matches_single_runs():
    schedules = [lrlab.constant(0.01), lrlab.one_cycle(peak=0.05, total_steps=40)]
    for optimizer in ("adamw", "sgd"):
        many = train_many(schedules, 40, seeds=[0, 2], optimizer=optimizer, weight_decay=0.01)
        assert len(many) == 4
        for h, (s, seed) in zip(many, [(s, d) for s in schedules for d in (0, 2)], strict=True):
            one = train(s, 40, seed=seed, optimizer=optimizer, weight_decay=0.01)
            np.testing.assert_array_equal(h.lr, one.lr)
            np.testing.assert_allclose(h.loss, one.loss, rtol=1e-4)
            np.testing.assert_allclose(h.val_loss, one.val_loss, rtol=1e-4)
            np.testing.assert_allclose(h.grad_norm, one.grad_norm, rtol=1e-3)


def test_train_many_handles_divergence_per_variant():
    ok, bad = train_many([lrlab.constant(0.01), lrlab.constant(1e4)], 30, clip_grad=1.0)
    assert not ok.diverged and np.isfinite(ok.loss).all()
    assert bad.diverged and bad.diverged_at < 30


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: train(lrlab.constant(0.1), 0),
            r"steps must be an integer in \[1, 2\*\*53\], got 0",
        ),
        (
            lambda: train(lrlab.constant(0.1), -5),
            r"steps must be an integer in \[1, 2\*\*53\], got -5",
        ),
        (lambda: train(0.1, 10), r"schedule must be an lrlab Schedule .*, got 0\.1"),
        (
            lambda: train(lrlab.constant(0.1), 10, optimizer="adam"),
            "optimizer must be one of 'adamw', 'sgd', got 'adam'",
        ),
        (
            lambda: train(lrlab.constant(0.1), 10, lr=3),
            "options must be among .*, got unknown option 'lr'",
        ),
        (
            lambda: train(lrlab.constant(0.1), 10, checkpoints=[11]),
            r"checkpoints\[0\] must be an integer in \[0, 10\], got 11",
        ),
        (
            lambda: train(lrlab.constant(0.1), 10, clip_grad=0),
            r"clip_grad must be a number in \(0, inf\), got 0",
        ),
        (lambda: train(lrlab.constant(0.1), 10, seq_len=3), "seq_len must be an integer >= 4"),
        (lambda: train_many([lrlab.constant(0.1), "x"], 5), "schedules\\[1\\] must be"),
        (lambda: train_many(lrlab.constant(0.1), 5), "schedules must be a non-empty list"),
        (
            lambda: train_many([lrlab.constant(0.1)], 5, seeds=3),
            r"seeds must be a sequence of integers in \[0, 2\*\*63 - 1\] \(at least 1\), got 3",
        ),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_population_loss_is_the_validation_loss_of_a_run():
    task = lrlab.MarkovTask()
    h = train(lrlab.constant(1e-2), 20, val_every=10, checkpoints=[10])
    model = lrlab.ContextMLP(task.vocab_size, context=3)
    assert lrlab.population_loss(model, task).tolist() == [h.val_loss[0]]
    model.load_state_dict(h.checkpoints[10].model_state)
    assert lrlab.population_loss(model, task).tolist() == [h.val_loss[1]]


def test_population_loss_is_the_expected_cross_entropy_on_fresh_text():
    # A Monte-Carlo estimate from sampled text agrees with the exact sum over windows.
    task = lrlab.MarkovTask()
    model = lrlab.ContextMLP(task.vocab_size, context=3, n_variants=2, seeds=[0, 1])
    exact = lrlab.population_loss(model, task).numpy()
    tokens = torch.from_numpy(task.sample(4000, 40, seed=7)).unsqueeze(0).expand(2, -1, -1)
    with torch.no_grad():
        sampled = model.loss(tokens).numpy()
    np.testing.assert_allclose(sampled, exact, rtol=5e-3)
    assert exact.shape == (2,) and exact[0] != exact[1]


@pytest.mark.parametrize(
    ("model", "task", "match"),
    [
        (
            lrlab.ContextMLP(16),
            lrlab.MarkovTask(),
            "model must have vocab_size = task.vocab_size = 8, got 16",
        ),
        ("model", lrlab.MarkovTask(), r"model must be a ContextMLP"),
        (lrlab.ContextMLP(8), "task", r"task must be a MarkovTask"),
        (lrlab.ContextMLP(8, context=1), lrlab.MarkovTask(), r"context must be an integer >= 2"),
    ],
)
def test_population_loss_bad_input(model, task, match):
    with pytest.raises(ValueError, match=match):
        lrlab.population_loss(model, task)
