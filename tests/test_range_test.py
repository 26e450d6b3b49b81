import matplotlib
import numpy as np
import pytest

from lrlab.training import RangeTest, lr_range_test, plot_range_test, suggest_lrs

matplotlib.use("Agg")

LRS = np.geomspace(1e-7, 10, 801)
X = np.log10(LRS)
# Falls fastest at lr = 1e-3, reaches its minimum near 0.3, then blows up.
CURVE = 3 - np.tanh(X + 3) + np.exp(3 * (X - 0.5))


def test_suggestions_on_a_curve_with_known_answers():
    s = suggest_lrs(LRS, CURVE)
    assert s["steepest"] == pytest.approx(1e-3, rel=0.03)
    lowest = LRS[np.argmin(CURVE)]
    assert s["minimum_tenth"] == pytest.approx(lowest / 10)
    # The descent starts (10% of the drop) at x = -3 - atanh(0.8) and ends at the minimum.
    start = -3 - np.arctanh(0.8)
    assert np.log10(s["valley"]) == pytest.approx((start + np.log10(lowest)) / 2, abs=0.02)


def test_valley_ignores_a_bump():
    bumped = CURVE + 0.05 * np.exp(-(((X + 2.0) / 0.05) ** 2))
    assert suggest_lrs(LRS, bumped)["valley"] == pytest.approx(
        suggest_lrs(LRS, CURVE)["valley"], rel=0.1
    )


def test_bad_suggestion_input():
    with pytest.raises(ValueError, match="equal length"):
        suggest_lrs([1e-3, 1e-2, 1e-1], [1.0, 2.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        suggest_lrs([1e-1, 1e-2, 1e-3], [1.0, 2.0, 3.0])


def test_range_test_on_the_task_stops_at_divergence():
    rt = lr_range_test(start=1e-4, end=100.0, steps=200, optimizer="sgd")
    assert rt.stopped_early
    assert rt.lr.size < 200
    assert rt.smoothed[-1] > 4 * rt.smoothed.min()
    np.testing.assert_allclose(rt.lr, 1e-4 * 1e6 ** (np.arange(rt.lr.size) / 199))
    # Bias correction: the first smoothed value is the first loss itself.
    assert rt.smoothed[0] == pytest.approx(rt.loss[0])
    assert 1e-4 <= rt.suggestions["steepest"] < rt.lr[-1]
    again = lr_range_test(start=1e-4, end=100.0, steps=200, optimizer="sgd")
    np.testing.assert_array_equal(rt.loss, again.loss)


def test_plot_is_white_with_labelled_log_axis():
    rt = RangeTest(LRS, CURVE, CURVE, False, suggest_lrs(LRS, CURVE))
    fig = plot_range_test(rt)
    ax = fig.axes[0]
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.get_lines()) == 5


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
        ({"steps": 2}, r"steps must be an integer in \[3, 2\*\*53\], got 2"),
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
        ValueError, match=r"start must be small enough .*, got 1\.0: the loss blew up after"
    ):
        lr_range_test(start=1.0, end=100.0, steps=10)
