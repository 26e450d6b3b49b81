"""Finite-data mode: a fixed corpus that epochs repeat, with train and test loss recorded."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional

import lrlab
from lrlab.tasks import ContextMLP, MarkovTask
from lrlab.training import TrainConfig, train, train_many

FIELDS = ("lr", "loss", "grad_norm", "update_ratio", "val_steps", "val_loss", "train_loss")


def same(a, b):
    return all(np.array_equal(getattr(a, f), getattr(b, f), equal_nan=True) for f in FIELDS)


def test_corpus_is_fixed_by_task_and_data_seed():
    task = MarkovTask()
    c = task.corpus(20, 12, seed=3)
    assert c.shape == (20, 12) and c.dtype == np.int64
    assert np.array_equal(c, MarkovTask().corpus(20, 12, seed=3))
    assert not np.array_equal(c, task.corpus(20, 12, seed=4))
    assert not np.array_equal(c, MarkovTask(seed=1).corpus(20, 12, seed=3))
    assert not c.flags.writeable
    # Sequences follow the chain: every transition has positive probability.
    v, k = task.vocab_size, task.order
    for row in c:
        for j in range(k, len(row)):
            state = sum(int(row[j - k + i]) * v ** (k - 1 - i) for i in range(k))
            assert task.transition[state, row[j]] > 0


def test_epochs_visit_every_row_once_in_a_new_order():
    task = MarkovTask()
    n, b = 10, 4  # 2 updates per epoch; the last 2 rows of each order are dropped
    epochs = [
        np.concatenate([task.corpus_rows(e * 2 + i, b, n, seed=0) for i in range(2)])
        for e in range(3)
    ]
    for rows in epochs:
        assert rows.size == 8 and np.unique(rows).size == 8 and rows.max() < n
    assert not np.array_equal(epochs[0], epochs[1])
    assert np.array_equal(task.corpus_rows(5, b, n, seed=0), epochs[2][4:])
    assert not np.array_equal(task.corpus_rows(0, b, n, seed=1), epochs[0][:4])


def test_config_batches_come_from_the_corpus():
    config = TrainConfig(corpus_size=24, seq_len=12, batch_size=8)
    corpus = config.corpus()
    rows = MarkovTask().corpus_rows(4, 8, 24, seed=2)
    assert np.array_equal(config.batch(4, 2), corpus[rows])
    assert TrainConfig().corpus() is None


def independent_corpus_loss(seed, corpus, context=3):
    """Mean next-token cross-entropy over the corpus, with torch's own cross_entropy."""
    model = ContextMLP(8, context=context, seeds=[seed])
    with torch.no_grad():
        logits = model(torch.from_numpy(np.array(corpus)).unsqueeze(0))[0]
        targets = torch.from_numpy(np.array(corpus[:, context:]))
        return float(functional.cross_entropy(logits.reshape(-1, 8), targets.reshape(-1)))


def test_train_loss_is_the_exact_corpus_loss():
    h = train(lrlab.constant(1e-2), 20, seed=5, corpus_size=16, val_every=10)
    assert h.train_loss.shape == h.val_steps.shape == (3,)
    corpus = MarkovTask().corpus(16, 36, seed=0)
    assert h.train_loss[0] == pytest.approx(independent_corpus_loss(5, corpus), rel=1e-12)
    assert np.array_equal(h.train_excess, h.train_loss - h.entropy_rate)
    assert train(lrlab.constant(1e-2), 10).train_loss.size == 0


def test_train_and_test_loss_separate_on_a_small_corpus():
    h = train(lrlab.constant(1e-2), 600, corpus_size=16, val_every=100)
    # The model memorises 16 sequences: below the entropy rate on them,
    # far above it on fresh text.
    assert h.train_excess[-1] < -0.3
    assert h.val_excess[-1] > 0.5
    assert h.val_excess[-1] > h.val_excess.min()  # test loss rises again: overfitting


@pytest.mark.slow
def test_a_large_corpus_does_not_separate():
    fresh = train(lrlab.constant(1e-2), 600, val_every=100)
    big = train(lrlab.constant(1e-2), 600, corpus_size=2048, val_every=100)
    assert abs(big.train_excess[-1] - big.val_excess[-1]) < 0.05
    assert big.val_excess[-1] < 2 * fresh.val_excess[-1]


def test_branching_in_finite_data_mode_is_exact():
    s = lrlab.cosine(2e-2, 60)
    full = train(s, 60, corpus_size=16, val_every=10, checkpoints=[37])
    resumed = full.checkpoints[37].branch(s, 60)
    assert same(full, resumed)
    assert full.checkpoints[37].history.train_loss.size == 4


def test_train_many_supports_finite_data():
    schedules = [lrlab.constant(1e-2), lrlab.cosine(3e-2, 40)]
    many = train_many(schedules, 40, seeds=[0, 1], corpus_size=16, val_every=20)
    for i, (s, seed) in enumerate([(s, seed) for s in schedules for seed in (0, 1)]):
        one = train(s, 40, seed=seed, corpus_size=16, val_every=20)
        np.testing.assert_allclose(many[i].train_loss, one.train_loss, rtol=1e-10)
        np.testing.assert_allclose(many[i].val_loss, one.val_loss, rtol=1e-10)
        np.testing.assert_allclose(many[i].loss, one.loss, rtol=1e-10)


def test_protocol_runs_in_finite_data_mode():
    runner = lrlab.train_runner(20, corpus_size=16, val_every=10)
    out = runner([lrlab.constant(1e-2)], [0, 1])
    assert out.values.tolist() == [[h.final_excess for h in out.runs[0]]]
    assert out.runs[0][0].train_loss.size == 3


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"corpus_size": 4}, "corpus_size must be an integer >= 8, got 4"),
        ({"corpus_size": 2.5}, "corpus_size must be an integer >= 8, got 2.5"),
        ({"corpus_seed": -1}, "corpus_seed must be an integer >= 0, got -1"),
    ],
)
def test_bad_finite_data_options(options, match):
    with pytest.raises(ValueError, match=match):
        train(lrlab.constant(1e-2), 5, **options)


def test_bad_corpus_arguments():
    task = MarkovTask()
    with pytest.raises(ValueError, match="n_sequences must be an integer >= 1, got 0"):
        task.corpus(0, 10)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 4\], got 5"):
        task.corpus_rows(0, 5, 4, seed=0)
