import math

import numpy as np
import pytest
import torch

from lrlab.tasks import ContextMLP, MarkovTask


def test_default_task_and_entropy_rate():
    task = MarkovTask()
    assert (task.vocab_size, task.order) == (8, 2)
    assert task.transition.shape == (64, 8)
    np.testing.assert_allclose(task.transition.sum(axis=1), 1.0)
    assert 0 < task.entropy_rate < math.log(8)


def test_stationary_distribution_is_invariant():
    task = MarkovTask(vocab_size=5, order=2, seed=3)
    pi = task.stationary
    nxt = (np.arange(25)[:, None] * 5 + np.arange(5)) % 25
    moved = np.bincount(nxt.ravel(), weights=(pi[:, None] * task.transition).ravel(), minlength=25)
    np.testing.assert_allclose(moved, pi, atol=1e-14)
    assert pi.sum() == pytest.approx(1.0)


def test_entropy_rate_matches_empirical_log_loss():
    task = MarkovTask(vocab_size=6, order=1, seed=1)
    seq = task.sample(200, 200, seed=0)
    log_p = np.log(task.transition[seq[:, :-1], seq[:, 1:]])
    assert -log_p.mean() == pytest.approx(task.entropy_rate, abs=0.02)


def test_window_distribution_gives_entropy_rate_for_the_true_model():
    task = MarkovTask(vocab_size=4, order=2, seed=2)
    windows, probs, nxt = task.window_distribution(3)
    assert windows.shape == (64, 3)
    assert probs.sum() == pytest.approx(1.0)
    cross_entropy = -(probs * (nxt * np.log(nxt)).sum(axis=1)).sum()
    assert cross_entropy == pytest.approx(task.entropy_rate, rel=1e-12)


def test_sampling_and_batches_are_deterministic():
    task = MarkovTask()
    np.testing.assert_array_equal(task.sample(4, 20, seed=5), task.sample(4, 20, seed=5))
    assert not np.array_equal(task.sample(4, 20, seed=5), task.sample(4, 20, seed=6))
    a = task.train_batch(123, 8, 36, seed=0)
    task.train_batch(7, 8, 36, seed=0)
    np.testing.assert_array_equal(a, MarkovTask().train_batch(123, 8, 36, seed=0))
    assert a.shape == (8, 36) and a.dtype == np.int64
    assert not np.array_equal(a, task.train_batch(124, 8, 36, seed=0))
    np.testing.assert_array_equal(task.validation_set(), MarkovTask().validation_set())


def test_context_mlp_shapes_parameters_and_variant_independence():
    model = ContextMLP(8, context=3, n_variants=3, seeds=[0, 1, 0])
    assert model.num_parameters() == 8 * 8 + 24 * 64 + 64 + 64 * 8 + 8
    tokens = torch.from_numpy(MarkovTask().sample(2, 10, seed=0)).expand(3, -1, -1)
    assert model(tokens).shape == (3, 2, 7, 8)
    losses = model.loss(tokens)
    assert losses.shape == (3,)
    assert losses[0] == losses[2] and losses[0] != losses[1]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"vocab_size": 1}, "vocab_size must be an integer >= 2, got 1"),
        ({"order": 0}, "order must be an integer >= 1"),
        ({"concentration": 0.0}, r"concentration must be a number in \(0, inf\), got 0\.0"),
        (
            {"vocab_size": 100, "order": 4},
            r"vocab_size must be small enough .* <= 4,194,304, got 100",
        ),
    ],
)
def test_bad_task_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MarkovTask(**kwargs)


def test_bad_sampling_arguments():
    task = MarkovTask()
    with pytest.raises(ValueError, match="length must be an integer >= 2"):
        task.sample(3, 1, seed=0)
    with pytest.raises(ValueError, match="context must be an integer >= 2"):
        task.window_distribution(1)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        task.train_batch(0, 0, 10, seed=0)
    with pytest.raises(ValueError, match="seq_len must be an integer >= 2, got 1"):
        task.train_batch(0, 4, 1, seed=0)
    with pytest.raises(ValueError, match="seeds must have n_variants = 2"):
        ContextMLP(8, n_variants=2, seeds=[0])
    with pytest.raises(AttributeError):
        task.order = 3
