"""Legacy frame explorers: the data embedded for the page is lrlab's own numbers, on a grid."""

import json
import re

import ipywidgets as w
import numpy as np
import pytest

import lrlab
from lrlab import problems, static_explorer, viz, widgets
from lrlab.static_explorer import expand, frame_figure

RTOL = 10.0 ** (1 - static_explorer.DIGITS)


def _values(data, frame):
    """The control values a frame was drawn with."""
    return {
        c["name"]: c["values"][k]
        for c, k in zip(data["controls"], data["frames"][frame], strict=True)
    }


@pytest.fixture(scope="module")
def cosine():
    ex = widgets.schedule_explorer(
        lambda peak, total: lrlab.cosine(peak, total),
        {
            "peak": widgets.slider("peak", 1e-3, 1e-4, 1e-2, 1e-4),
            "total": widgets.slider("T", 50, 10, 200, 10, integer=True),
        },
        steps=120,
    )
    return ex, ex.page_data()


@pytest.fixture(scope="module")
def valley():
    problem = problems.Quadratic2D(10.0, 1.0)
    limit = problem.max_stable_lr
    controls = {
        "lr": widgets.slider("learning rate η", 0.15, limit / 40, 1.25 * limit, limit / 80),
        "steps": widgets.slider("steps", 20, 1, 100, 1, integer=True),
    }
    ex = static_explorer.FrameExplorer(
        lambda lr, steps: viz.plot_path_2d(problem, lr, steps), controls
    )
    return problem, ex, ex.page_data()


def test_cosine_frames_are_the_schedule_at_the_frame_values(cosine):
    _, data = cosine
    t = np.arange(120)
    for f in range(len(data["frames"])):
        values = _values(data, f)
        (line,) = frame_figure(data, f)["axes"][0]["lines"]
        np.testing.assert_array_equal(expand(line["x"]), t)
        expected = lrlab.cosine(values["peak"], values["total"])(t)
        np.testing.assert_allclose(expand(line["y"]), expected, rtol=RTOL, atol=0)


def test_grid_starts_at_the_defaults_and_samples_the_whole_range(cosine):
    ex, data = cosine
    assert _values(data, 0) == ex.values
    for control in data["controls"]:
        assert ex.values[control["name"]] in control["values"]
        widget = ex.controls[control["name"]]
        assert min(control["values"]) == widget.min and max(control["values"]) == widget.max
    combos = {tuple(frame) for frame in data["frames"]}
    assert len(combos) == len(data["frames"]) <= static_explorer.MAX_FRAMES
    sizes = [len(c["values"]) for c in data["controls"]]
    assert len(combos) == np.prod(sizes), "two sliders: every combination is drawn"


def test_valley_paths_and_losses_are_gd_path(valley):
    problem, _, data = valley
    for f in range(len(data["frames"])):
        values = _values(data, f)
        fig = frame_figure(data, f)
        path = problem.gd_path(values["lr"], values["steps"], start=(-1.0, 1.5))
        line = fig["axes"][0]["lines"][0]
        shown = np.column_stack([expand(line["x"]), expand(line["y"])])
        np.testing.assert_allclose(shown, np.clip(path, -2.0, 2.0), rtol=RTOL, atol=1e-12)
        (loss,) = fig["axes"][1]["lines"]
        expected = np.maximum(problem.loss(path[:, 0], path[:, 1]), 1e-300)
        np.testing.assert_allclose(expand(loss["y"]), expected, rtol=RTOL, atol=0)
        assert fig["axes"][1]["ylog"]


def test_valley_contours_are_sent_once_and_the_page_data_is_small(valley):
    _, ex, data = valley
    assert data["common"]["axes"][0]["collections"], "the contours do not change with the sliders"
    assert all("collections" not in fig["axes"][0] for fig in data["figures"])
    size = len(static_explorer.to_html(data).encode())
    assert size < 500_000, f"{size} bytes"
    assert len(data["frames"]) <= ex.page_frames
    titles = {frame_figure(data, f)["axes"][0]["title"] for f in range(len(data["frames"]))}
    assert "η = 0.15   (stable below 2/h_x = 0.2)" in titles


def test_many_controls_vary_one_at_a_time_around_the_defaults():
    def draw(a, b, c, d, shape, log):
        return viz.plot_curves(
            np.arange(4), {shape: np.array([a, b, c, d]) + 1}, "step", "value", logy=log
        )

    controls = {
        "a": widgets.slider("a", 0.5, 0, 1, 0.01),
        "b": widgets.slider("b", 2, 0, 10, 1, integer=True),
        "c": w.FloatLogSlider(value=1e-2, base=10, min=-4, max=0, step=0.1),
        "d": w.SelectionSlider(options=[1, 2, 4, 8], value=4),
        "shape": w.Dropdown(options=[("linear", "lin"), ("cosine", "cos")], value="cos"),
        "log": w.Checkbox(value=False),
    }
    ex = static_explorer.FrameExplorer(draw, controls, page_frames=60)
    data = ex.page_data()
    frames = np.array(data["frames"])
    assert len(frames) <= 60
    assert all(np.count_nonzero(row != frames[0]) <= 1 for row in frames)
    assert _values(data, 0) == ex.values
    kinds = {c["name"]: c["kind"] for c in data["controls"]}
    assert kinds == {
        "a": "range",
        "b": "range",
        "c": "range",
        "d": "range",
        "shape": "select",
        "log": "checkbox",
    }
    assert {c["name"]: c["labels"] for c in data["controls"]}["shape"] == ["linear", "cosine"]
    for f in range(len(frames)):
        v = _values(data, f)
        (line,) = frame_figure(data, f)["axes"][0]["lines"]
        expected = np.array([v["a"], v["b"], v["c"], v["d"]]) + 1
        np.testing.assert_allclose(expand(line["y"]), expected, rtol=RTOL)
        assert frame_figure(data, f)["axes"][0]["ylog"] is v["log"]


def test_small_product_grid_keeps_every_option():
    levels, frames = static_explorer.plan_grid([101, 3, 2], [40, 1, 0], [True, False, True], 150)
    assert levels[1] == [0, 1, 2] and levels[2] == [0, 1]
    assert 40 in levels[0] and len(frames) == len(levels[0]) * 6 <= 150


def test_long_curves_are_simplified_within_a_fraction_of_a_pixel():
    steps = 5000
    ex = widgets.schedule_explorer(
        lambda gamma: lrlab.step_decay(1.0, 700, gamma),
        {"gamma": widgets.slider("γ", 0.5, 0.1, 0.9, 0.1)},
        steps=steps,
    )
    data = ex.page_data()
    t = np.arange(steps)
    for f in range(len(data["frames"])):
        (line,) = frame_figure(data, f)["axes"][0]["lines"]
        x, y = expand(line["x"]), expand(line["y"])
        assert len(x) < 40, "a step function needs two points per step"
        expected = lrlab.step_decay(1.0, 700, _values(data, f)["gamma"])(t)
        np.testing.assert_array_equal(x, np.round(x))
        np.testing.assert_allclose(y, expected[x.astype(int)], rtol=RTOL)
        np.testing.assert_allclose(np.interp(t, x, y), expected, atol=2e-3)


def test_show_emits_a_hidden_block_with_the_page_data(monkeypatch):
    shown = []
    monkeypatch.setattr(static_explorer, "display", lambda obj, display_id=False: shown.append(obj))
    ex = widgets.schedule_explorer(
        lambda gamma: lrlab.exponential(0.1, gamma),
        {"gamma": widgets.slider("γ", 0.9, 0.5, 0.99, 0.01)},
        steps=50,
    )
    ex.show()
    assert shown[0] is ex.figure and isinstance(shown[1], w.VBox)
    html = shown[2].data
    assert html.startswith('<div class="lrlab-explorer" hidden><script type="application/json">')
    body = re.search(r"<script[^>]*>(.*)</script>", html, re.S).group(1)
    assert json.loads(body) == json.loads(json.dumps(ex.page_data()))


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        (r"$\mathdefault{10^{-3}}$", "10⁻³"),
        (r"$\mathdefault{2\times10^{0}}$", "2×10⁰"),
        ("iterate $x_t$", "iterate xₜ"),
        ("no maths", "no maths"),
    ],
)
def test_tick_and_axis_labels_become_plain_text(tex, plain):
    assert static_explorer.plain_text(tex) == plain


def test_figures_whose_number_of_axes_changes_and_numpy_options():
    def draw(two, scale):
        fig, axes = viz.new_figure(ncols=2 if two else 1)
        for ax in axes:
            ax.plot([0, 1], [0, scale])
            ax.set_xlabel("step")
            ax.set_ylabel("value")
        return fig

    controls = {
        "two": w.Checkbox(value=False),
        "scale": w.Dropdown(options=[("half", np.float64(0.5)), ("one", np.float64(1.0))]),
    }
    data = static_explorer.FrameExplorer(draw, controls).page_data()
    json.dumps(data, allow_nan=False)
    assert {c["name"]: c["values"] for c in data["controls"]}["scale"] == [0.5, 1.0]
    for f in range(len(data["frames"])):
        v = _values(data, f)
        axes = frame_figure(data, f)["axes"]
        assert len(axes) == (2 if v["two"] else 1)
        assert all(expand(ax["lines"][0]["y"]).tolist() == [0, v["scale"]] for ax in axes)
