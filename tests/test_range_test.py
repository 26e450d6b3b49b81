"""The LR range test follows fastai's rules exactly.

The ``fastai_*`` functions below are fastai 2.8's code (``fastai/callback/
schedule.py``: ``valley``, ``minimum``, ``steep``, the trim in ``lr_find``;
``fastai/learner.py``: ``AvgSmoothLoss``; ``LRFinder``'s sweep and stop),
transcribed with its operations and order, on torch tensors as fastai uses
them. lrlab's implementation is independent (NumPy, vectorised); the tests
compare the two on fixed and random curves.
"""

import math

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lrlab.training import RangeTest, lr_range_test, plot_range_test, suggest_lrs
from lrlab.viz import check_text_sizes

matplotlib.use("Agg")

LRS = np.geomspace(1e-7, 10, 801)
X = np.log10(LRS)
# Falls fastest at lr = 1e-3, reaches its minimum near 0.3, then blows up.
CURVE = 3 - np.tanh(X + 3) + np.exp(3 * (X - 0.5))


# ------------------------------------------------- fastai's code, transcribed


def fastai_valley(lrs, losses, num_it):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def fastai_minimum(lrs, losses, num_it):
    lr_min = lrs[losses.argmin()].item()
    return lr_min / 10


def fastai_steep(lrs, losses, num_it):
    grads = (losses[1:] - losses[:-1]) / (lrs[1:].log() - lrs[:-1].log())
    return lrs[grads.argmin()].item()


def fastai_suggestions(recorded_lrs, recorded_losses, num_it, dtype=torch.float64):
    """``Learner.lr_find`` after the sweep: trim, cut at the first NaN, suggest."""
    lrs = torch.tensor(list(recorded_lrs)[num_it // 10 : -5], dtype=dtype)
    losses = torch.tensor(list(recorded_losses)[num_it // 10 : -5], dtype=dtype)
    nan_idxs = torch.nonzero(torch.isnan(losses.view(-1)))
    if len(nan_idxs) > 0:
        drop_idx = min(nan_idxs)
        lrs = lrs[:drop_idx]
        losses = losses[:drop_idx]
    return {
        "steepest": fastai_steep(lrs, losses, num_it),
        "minimum_tenth": fastai_minimum(lrs, losses, num_it),
        "valley": fastai_valley(lrs, losses, num_it),
    }


def fastai_sweep(raw_losses, start_lr, end_lr, num_it, beta=0.98):
    """``LRFinder`` with the ``Recorder``: the LR, the smoothed loss and the stop.

    ``raw_losses[i]`` is the loss of batch ``i`` (a real sweep trains on it).
    Returns the recorded lrs and smoothed losses.
    """
    lrs, recorded = [], []
    val, count, best_loss = torch.tensor(0.0, dtype=torch.float64), 0, float("inf")
    for train_iter in range(num_it):
        lr = start_lr * (end_lr / start_lr) ** (train_iter / num_it)  # SchedExp at iter/num_it
        count += 1
        val = torch.lerp(torch.tensor(raw_losses[train_iter], dtype=torch.float64), val, beta)
        smooth_loss = float(val / (1 - beta**count))
        lrs.append(lr)
        recorded.append(smooth_loss)
        if smooth_loss < best_loss:
            best_loss = smooth_loss
        if smooth_loss > 4 * best_loss:
            break
    return lrs, recorded


# ------------------------------------------------------------- suggestions


def test_suggestions_match_fastai_on_a_smooth_curve():
    assert suggest_lrs(LRS, CURVE) == fastai_suggestions(LRS, CURVE, LRS.size)
    # num_it sets the first trim; the last five recorded points always go.
    assert suggest_lrs(LRS, CURVE, num_it=2000) == fastai_suggestions(LRS, CURVE, 2000)


def test_suggestions_on_known_answers():
    s = suggest_lrs(LRS, CURVE)
    assert s["steepest"] == pytest.approx(1e-3, rel=0.03)
    assert s["minimum_tenth"] == pytest.approx(LRS[np.argmin(CURVE)] / 10)
    # The curve falls from the first kept point to its minimum: fastai's valley
    # starts one point before the descent's first index (80 - 1) and steps
    # int(d/3) + int(d/6) of the d points to the minimum.
    first, low = LRS.size // 10, int(np.argmin(CURVE))
    d = low - first + 1
    assert s["valley"] == LRS[first - 1 + int(d / 3) + int(d / 3 / 2)]


def test_valley_quirks_kept():
    lrs = np.geomspace(1e-3, 1, 12)  # the trim keeps points 1 to 6
    # Nothing decreases: fastai's loop never moves its ends off 0.
    assert suggest_lrs(lrs, np.arange(12.0))["valley"] == lrs[1]
    # The longest descent is the first two kept points: the index is -1,
    # which fastai reads as the last kept point.
    loss = np.array([0.0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    assert suggest_lrs(lrs, loss)["valley"] == lrs[6] == fastai_suggestions(lrs, loss, 12)["valley"]


def test_a_nan_cuts_the_curve_after_the_trim():
    loss = CURVE.copy()
    loss[500:] = np.nan
    assert suggest_lrs(LRS, loss) == fastai_suggestions(LRS, loss, LRS.size)
    assert suggest_lrs(LRS, loss)["minimum_tenth"] == LRS[499] / 10


curves = st.integers(8, 60).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.floats(0.5, 5.0), min_size=n, max_size=n),
        st.integers(n, 3 * n),
        st.integers(0, n),
    )
)


@settings(max_examples=300, deadline=None)
@given(curves)
def test_suggestions_match_fastai_on_random_curves(case):
    n, values, num_it, nan_from = case
    lrs = np.geomspace(1e-6, 1.0, n)
    # Slopes divide by differences of log(lr): compare where torch's log
    # (fastai's) rounds like math.log (lrlab's), so ties break alike.
    logs = torch.tensor(lrs, dtype=torch.float64).log().numpy()
    assume(logs.tolist() == [math.log(x) for x in lrs])
    loss = np.array(values)
    loss[nan_from:] = np.nan
    try:
        theirs = fastai_suggestions(lrs, loss, num_it)
    except (IndexError, RuntimeError):  # fastai fails on fewer than 2 points ...
        with pytest.raises(ValueError, match="at least 2 points"):  # ... lrlab says why
            suggest_lrs(lrs, loss, num_it=num_it)
        return
    assert suggest_lrs(lrs, loss, num_it=num_it) == theirs


def test_float32_as_fastai_stores_it_gives_the_same_picks_here():
    # fastai's tensors are float32; on a curve without near-ties the picks agree.
    ours = suggest_lrs(LRS, CURVE)
    theirs = fastai_suggestions(LRS, CURVE, LRS.size, dtype=torch.float32)
    for name in ours:
        assert ours[name] == pytest.approx(theirs[name], rel=1e-6)


def test_bad_suggestion_input():
    with pytest.raises(ValueError, match="equal length"):
        suggest_lrs([1e-3, 1e-2, 1e-1], [1.0, 2.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        suggest_lrs([1e-1, 1e-2, 1e-3], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"num_it must be an integer in \[7, "):
        suggest_lrs(np.geomspace(1e-3, 1, 7), np.ones(7), num_it=6)
    with pytest.raises(
        ValueError, match=r"at least 2 points left after fastai's trim .* got 1 left of 6"
    ):
        suggest_lrs(np.geomspace(1e-3, 1, 6), np.ones(6))


# ------------------------------------------------------------------ the sweep


def test_range_test_is_fastais_lr_finder_on_the_task():
    rt = lr_range_test(start=1e-4, end=100.0, steps=200, optimizer="sgd")
    assert rt.stopped_early and rt.lr.size < 200 and rt.steps == 200
    lrs, smoothed = fastai_sweep(rt.loss, 1e-4, 100.0, 200)
    assert len(lrs) == rt.lr.size  # the same stop: the 4x update is recorded
    np.testing.assert_allclose(rt.lr, lrs, rtol=1e-15)
    np.testing.assert_allclose(rt.smoothed, smoothed, rtol=1e-13)
    assert rt.smoothed[-1] > 4 * rt.smoothed.min()
    assert rt.suggestions == fastai_suggestions(rt.lr, rt.smoothed, 200)
    again = lr_range_test(start=1e-4, end=100.0, steps=200, optimizer="sgd")
    np.testing.assert_array_equal(rt.loss, again.loss)


def test_a_full_sweep_never_reaches_end():
    rt = lr_range_test(start=1e-7, end=10.0, steps=100)
    assert not rt.stopped_early and rt.lr.size == 100
    assert rt.lr[-1] == pytest.approx(10 ** (-7 + 8 * 0.99), rel=1e-14)
    assert rt.smoothed[0] == rt.loss[0]  # bias correction: the first value is the loss
    _, smoothed = fastai_sweep(rt.loss, 1e-7, 10.0, 100)
    np.testing.assert_allclose(rt.smoothed, smoothed, rtol=1e-13)
    assert rt.suggestions == fastai_suggestions(rt.lr, rt.smoothed, 100)


def test_a_nan_loss_gives_fastais_suggestions(monkeypatch):
    # A loss that turns NaN at update 60 of 80: fastai records NaN to the end
    # of the sweep and cuts there; lrlab stops at once.
    from lrlab import training

    original = training._Run.step

    def step(self, t):
        loss, g, r = original(self, t)
        return (math.nan, math.nan, math.nan) if t >= 60 else (loss, g, r)

    monkeypatch.setattr(training._Run, "step", step)
    rt = lr_range_test(start=1e-6, end=1e-2, steps=80)
    assert rt.stopped_early and rt.lr.size == 60
    raw = list(rt.loss) + [math.nan] * 20
    lrs, smoothed = fastai_sweep(raw, 1e-6, 1e-2, 80)
    assert len(smoothed) == 80 and np.isnan(smoothed[60:]).all()
    assert rt.suggestions == fastai_suggestions(lrs, smoothed, 80)


def test_plot_is_white_with_labelled_log_axis():
    rt = RangeTest(LRS, CURVE, CURVE, False, suggest_lrs(LRS, CURVE), steps=LRS.size)
    fig = plot_range_test(rt)
    ax = fig.axes[0]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel()
    names = [t.get_text().split(":")[0] for t in ax.get_legend().get_texts()]
    assert names == ["loss of each batch", "smoothed loss", "steepest", "minimum_tenth", "valley"]
    assert len({line.get_marker() for line in ax.get_lines()[2:]}) == 3
    check_text_sizes(fig)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"start": 1.0, "end": 0.1},
            r"end must be in \(start, 1e\+300\] = \(1\.0, 1e\+300\], got 0\.1",
        ),
        # used to blame start
        ({"end": float("inf")}, r"end must be a number in \(0, 1e\+300\], got inf"),
        ({"start": np.float32(0.5), "end": True}, "end must be a number in"),
        ({"steps": 6}, r"steps must be an integer in \[7, 2\*\*53\], got 6"),
        ({"smoothing": 1.0}, r"smoothing must be a number in \[0, 1\), got 1\.0"),
        ({"stop_factor": 1.0}, r"stop_factor must be a number in \(1, inf\), got 1\.0"),
        ({"optimizer": "lion"}, "optimizer must be one of 'adamw', 'sgd', got 'lion'"),
    ],
)
def test_bad_range_test_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lr_range_test(**kwargs)


def test_start_too_large_is_named():
    with pytest.raises(
        ValueError, match=r"start must be small enough .*, got 1\.0: the sweep stopped after"
    ):
        lr_range_test(start=1.0, end=100.0, steps=10)
