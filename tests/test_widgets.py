"""Explorers are tested without a browser: set slider values, check the drawn data."""

import numpy as np
import pytest

import lrlab
from lrlab import problems, viz, widgets


@pytest.fixture
def explorer():
    return widgets.gd_valley_explorer(problems.Quadratic2D(10.0, 1.0), lr=0.15, steps=20)


def _path_line(fig):
    (line,) = [ln for ln in fig.axes[0].lines if ln.get_label() == "path"]
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def test_default_figure_follows_formula(explorer):
    expected = problems.Quadratic2D(10.0, 1.0).gd_path(0.15, 20, start=(-1.0, 1.5))
    np.testing.assert_allclose(_path_line(explorer.figure), expected)


@pytest.mark.parametrize(("lr", "steps"), [(0.05, 7), (0.19, 40), (0.1, 1)])
def test_moving_sliders_redraws_with_new_values(explorer, lr, steps):
    explorer.controls["lr"].value = lr
    explorer.controls["steps"].value = steps
    path = _path_line(explorer.figure)
    assert path.shape == (steps + 1, 2)
    lr_shown = explorer.controls["lr"].value
    expected = problems.Quadratic2D(10.0, 1.0).gd_path(lr_shown, steps, start=(-1.0, 1.5))
    np.testing.assert_allclose(path, expected)
    loss_line = explorer.figure.axes[1].lines[0]
    np.testing.assert_allclose(
        loss_line.get_ydata(), problems.Quadratic2D(10.0, 1.0).loss(*expected.T)
    )


def test_divergent_path_is_clipped_to_the_view(explorer):
    explorer.controls["lr"].value = 0.24
    explorer.controls["steps"].value = 60
    path = _path_line(explorer.figure)
    assert np.all(np.isfinite(path))
    assert np.abs(path).max() <= explorer.figure.axes[0].get_xlim()[1] + 1e-12


def test_figures_are_white_and_labelled(explorer):
    fig = explorer.figure
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_show_displays_figure_then_sliders(explorer, monkeypatch):
    shown = []

    class Handle:
        def update(self, obj):
            shown.append(("update", obj))

    def fake_display(obj, display_id=False):
        shown.append(("display", obj))
        return Handle() if display_id else None

    monkeypatch.setattr(widgets, "display", fake_display)
    explorer.show()
    assert shown[0] == ("display", explorer.figure)
    explorer.controls["steps"].value = 5
    assert shown[-1] == ("update", explorer.figure)


def test_schedule_explorer_draws_the_schedule_for_the_slider_values():
    ex = widgets.schedule_explorer(
        lambda peak, total: lrlab.cosine(peak, total),
        {
            "peak": widgets.slider("peak", 1e-3, 1e-4, 1e-2, 1e-4),
            "total": widgets.slider("T", 50, 10, 200, 10, integer=True),
        },
        steps=120,
    )
    ex.controls["peak"].value = 5e-3
    ex.controls["total"].value = 100
    (line,) = ex.figure.axes[0].lines
    t = np.arange(120)
    np.testing.assert_array_equal(line.get_xdata(), t)
    np.testing.assert_array_equal(line.get_ydata(), lrlab.cosine(ex.values["peak"], 100)(t))


def test_page_frames_must_be_positive():
    with pytest.raises(ValueError, match="page_frames must be an integer >= 1, got 0"):
        widgets.Explorer(
            lambda n: viz.plot_gd_1d([0.1], n),
            {"n": widgets.slider("n", 3, 1, 9, 1, integer=True)},
            page_frames=0,
        )
