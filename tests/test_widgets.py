"""The declarative explorer in a kernel: controls, figures from lrlab, checks, page data."""

from __future__ import annotations

import json
import re
import time

import ipywidgets as w
import numpy as np
import pytest

import lrlab
from lrlab import _expr, problems, widgets
from lrlab.widgets import (
    Choice,
    E,
    Explorer,
    IntSlider,
    Line,
    LogSlider,
    Panel,
    Slider,
    Table,
    Toggle,
    ValueSlider,
    VLines,
    gd_1d,
    lr_curve,
    nqm_loss,
    phase_marks,
    schedule,
)


def raises(message: str):
    return pytest.raises(ValueError, match=re.escape(message))


@pytest.fixture
def valley():
    return widgets.gd_valley_explorer(problems.Quadratic2D(10.0, 1.0), lr=0.15, steps=20)


def _path_line(fig):
    (line,) = [ln for ln in fig.axes[0].lines if ln.get_label() == "path"]
    return np.column_stack([line.get_xdata(), line.get_ydata()])


def test_default_figure_follows_the_formula(valley):
    expected = problems.Quadratic2D(10.0, 1.0).gd_path(0.15, 20, start=(-1.0, 1.5))
    np.testing.assert_array_equal(_path_line(valley.figure), expected)


def test_the_valley_starts_where_the_chapter_says():
    ex = widgets.gd_valley_explorer(lr=0.18, steps=30, start=(-1.0, 1.0))
    expected = problems.Quadratic2D(10.0, 1.0).gd_path(0.18, 30, start=(-1.0, 1.0))
    np.testing.assert_array_equal(_path_line(ex.figure), expected)
    assert "(-1, 1)" in ex.evaluate()["alt"]


@pytest.mark.parametrize(("lr", "steps"), [(0.05, 7), (0.19, 40), (0.1, 1), (0.25, 100)])
def test_setting_controls_redraws_with_lrlabs_values(valley, lr, steps):
    valley.set(lr=lr, steps=steps)
    problem = problems.Quadratic2D(10.0, 1.0)
    expected = problem.gd_path(lr, steps, start=(-1.0, 1.5))
    np.testing.assert_array_equal(_path_line(valley.figure), expected)
    loss = valley.figure.axes[1].lines[0].get_ydata()
    np.testing.assert_array_equal(loss, problem.loss(*expected.T))
    assert valley.figure.axes[1].get_title() == f"loss after {steps} steps: {loss[-1]:.3g}"


def test_every_combination_is_drawn_not_snapped():
    """Two controls set one after the other both hold (issue 17's "star grid")."""
    ex = Explorer(
        [Slider("peak", 0.5, 0.1, 1.0, 0.1), IntSlider("T", 100, 50, 200, 10)],
        [Panel([Line(lr_curve(schedule("cosine", E("peak"), E("T")), 300))])],
    )
    ex.set(peak=0.3)
    ex.set(T=170)
    assert ex.values == {"peak": 0.3, "T": 170}
    np.testing.assert_array_equal(
        ex.figure.axes[0].lines[0].get_ydata(), lrlab.cosine(0.3, 170)(np.arange(300))
    )


def test_figures_are_white_and_labelled(valley):
    fig = valley.figure
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel()


def test_show_displays_figure_controls_and_page_data(valley, monkeypatch):
    shown = []

    class Handle:
        def update(self, obj, **kwargs):
            shown.append(("update", obj, kwargs))

    def fake_display(obj, display_id=False, metadata=None):
        shown.append(("display", obj, metadata))
        return Handle() if display_id else None

    monkeypatch.setattr(widgets, "display", fake_display)
    start = time.perf_counter()
    valley.show()
    print(f"\nshow() without the kernel's PNG rendering: {time.perf_counter() - start:.3f} s")
    assert shown[0] == ("display", valley.figure, {"lrlab": {"explorer": "figure"}})
    assert isinstance(shown[1][1], w.VBox)
    html = shown[2][1].data
    assert html.startswith(
        '<div class="lrlab-explorer-spec" hidden><script type="application/json">'
    )
    body = re.search(r"<script[^>]*>(.*)</script>", html, re.S).group(1)
    assert json.loads(body) == json.loads(json.dumps(valley.page_data()))
    slider = shown[1][1].children[1]
    slider.value = 35
    assert valley.values["steps"] == 35
    assert shown[-1][0] == "update" and shown[-1][1] is valley.figure


def test_live_controls_hold_exactly_the_pages_positions():
    ex = Explorer(
        [
            Slider("a", 0.3, 0.1, 0.9, 0.1),
            LogSlider("b", 0.01, 1e-3, 1.0, per_decade=3),
            Choice("c", "cos", ["cos", "linear"]),
            Toggle("d", False),
            ValueSlider("e", 25, [1, 25, 100]),
        ],
        [Panel([Line(gd_1d(E("a"), 5))])],
    )
    sliders = ex.widgets()
    sliders[0].value = 6  # positions are 0.1, 0.2, …: the 7th is 0.7, not 0.7000000000000001
    sliders[1].value = 0
    sliders[2].value = 1
    sliders[3].value = True
    assert ex.values == {"a": 0.7, "b": 0.001, "c": "linear", "d": True, "e": 25.0}
    assert [c.name for c in ex.controls] == list(ex.values)


def test_a_refused_combination_is_an_error_when_the_explorer_is_built():
    with raises("the schedule model cannot be drawn at"):
        Explorer(
            [Slider("base", 0.001, 0.0, 0.02, 0.001), Slider("peak", 0.01, 0.005, 0.05, 0.005)],
            [Panel([Line(lr_curve(schedule("cyclical", E("base"), E("peak"), 50), 200))])],
        )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: widgets.gd_valley_explorer(lr=100.0),
            "lr must be a number in [0.005, 0.25], got 100.0",
        ),
        (
            lambda: widgets.gd_valley_explorer(steps=0),
            "steps must be an integer in [1, 100], got 0",
        ),
        (
            lambda: widgets.gd_valley_explorer(start=(0.0, 0.0)),
            "start must be a point other than the minimum (0, 0), got (0.0, 0.0)",
        ),
        (lambda: Slider("x", 0.15, 0.1, 0.5, 0.1), "x must be a position 0.1 + k · 0.1, got 0.15"),
        (lambda: Slider("x", 0.2, 0.1, 0.55, 0.1), "hi must be lo plus a whole number of steps"),
        (lambda: Slider("x", True, 0.1, 0.5, 0.1), "x must be a number in [0.1, 0.5], got True"),
        (
            lambda: Slider("2x", 0.1, 0.1, 0.5, 0.1),
            "name must be a Python identifier that is not a keyword, got '2x'",
        ),
        (lambda: IntSlider("n", 4, 1, 9, 2), "n must be a position 1 + k · 2, got 4"),
        (lambda: LogSlider("f", 0.0, 0.0, 1.0), "lo must be a number in (0, 1e+300), got 0.0"),
        (
            lambda: Choice("mode", "linear", ["cos", "exp"]),
            "mode must be one of 'cos', 'exp', got 'linear'",
        ),
        (lambda: Choice("mode", "cos", ["cos"]), "options must be at least two distinct values"),
        (lambda: Toggle("logy", "False"), "logy must be True or False, got 'False'"),
        (lambda: ValueSlider("d", 30, [1, 25]), "d must be one of 1, 25, got 30"),
        (lambda: Line(gd_1d(0.1, 5), y="nope"), "y must be one of t, x, loss, got 'nope'"),
        (
            lambda: Line(gd_1d(0.1, 5), dash="dotted"),
            "dash must be one of '-', '--', ':', '-.', 'none', got 'dotted'",
        ),
        (lambda: Line(gd_1d(0.1, 5), color="red"), "color must be a '#rrggbb' colour, got 'red'"),
        (
            lambda: Line(gd_1d(0.1, 5), dash=(0, (5.0,))),
            "dash must be one of '-', '--', ':', '-.', 'none' or (offset, (on, off, ...))",
        ),
        (lambda: schedule("cosinus", 1.0, 10), "family must be one of"),
        (lambda: schedule("cosine", 1.0), "schedule('cosine', ...): missing a required argument"),
        (lambda: widgets.model("gd_1d", lr=0.1), "gd_1d needs the parameter 'steps'"),
        (
            lambda: Table("t", ["a", "b", "c", "d"], dict, ["x"]),
            "over must be a sequence of at most 3",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(build, message):
    with raises(message):
        build()


@pytest.mark.parametrize(
    ("panel", "message"),
    [
        (Panel([Line(gd_1d(E("lr"), 5))], title="{lrr:.2f}"), "unknown name 'lrr'"),
        (Panel([Line(gd_1d(E("lr"), 5))], title="{lr:>8}"), "format spec '>8' is not supported"),
        (Panel([Line(gd_1d(E("lr"), 5))], title=r"$\int x$"), r"cannot draw the TeX command \int"),
        (Panel([Line(gd_1d(E("lr"), 5))], xlim=(E("lr +"), None)), "is not a Python expression"),
        (Panel([Line(gd_1d(E("__import__('os')"), 5))]), "only these functions may be called"),
    ],
)
def test_bad_expressions_and_labels_are_refused_when_built(panel, message):
    with raises(message):
        Explorer([Slider("lr", 0.1, 0.1, 0.5, 0.1)], [panel])


def test_tex_labels_are_typeset_by_matplotlib_and_unicode_in_the_page():
    ex = Explorer(
        [Slider("lr", 0.1, 0.1, 0.5, 0.1)],
        [Panel([Line(gd_1d(E("lr"), 5))], title=r"$\eta_t = \eta_0/\sqrt{t}$, $\frac12$: {lr}")],
    )
    assert ex.figure.axes[0].get_title() == r"$\eta_t = \eta_0/\sqrt{t}$, $\frac12$: 0.1"
    # The page draws the subscripts as subscripts; as plain text they follow the letter.
    assert ex.evaluate()["panels"][0]["title"] == "ηt = η0/√t, ½: 0.1"
    assert _expr.tex_runs("$-x + 1 = a - b$") == [
        ["−", ""],
        ["x", "i"],
        [" + 1 = ", ""],
        ["a", "i"],
        [" − ", ""],
        ["b", "i"],
    ]


def test_tables_are_computed_for_the_drawn_cell_live_and_for_every_cell_for_the_page():
    calls = []

    def runs(peak, warmup):
        calls.append((peak, warmup))
        t = np.arange(5)
        return {"t": t, "loss": peak * (t + warmup), "lo": np.full(5, np.nan)}

    table = Table("runs", ["peak", "warmup"], runs, ["t", "loss", "lo"])
    ex = Explorer(
        [Choice("peak", 0.1, [0.1, 0.3]), IntSlider("warmup", 0, 0, 20, 10), Toggle("logy", False)],
        [Panel([Line(table, y="loss")], logy=E("logy"))],
    )
    assert calls == [(0.1, 0)]
    ex.set(logy=True)
    assert calls == [(0.1, 0)], "a control the table does not range over computes nothing"
    assert "missing" in ex.page_data(tables=False)
    data = ex.page_data()["tables"]["runs"]
    assert len(calls) == 6 and len(data["cells"]) == 6
    assert data["shared"]["t"] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert data["shared"]["lo"] == [None] * 5
    assert data["cells"][5]["loss"] == (0.3 * (np.arange(5) + 20)).tolist()
    ex.set(peak=0.3, warmup=20)
    np.testing.assert_array_equal(ex.figure.axes[0].lines[0].get_ydata(), 0.3 * (np.arange(5) + 20))


def test_a_table_over_whole_number_floats_is_read_from_the_page_json():
    # The page's JSON reaches Python through JavaScript, where 1.0 is 1: a table's
    # cell is found by value, as the page finds it, not by how the number is written.
    table = Table(
        "runs", ["beta"], lambda beta: {"t": [0.0, 1.0], "loss": [beta, 2 * beta]}, ["t", "loss"]
    )
    ex = Explorer([ValueSlider("beta", 0.5, [0.0, 0.5, 1.0])], [Panel([Line(table, y="loss")])])
    page = json.loads(json.dumps(ex.page_data()).replace("1.0]", "1]").replace("0.0]", "0]"))
    assert page["controls"][0]["values"][0] == ["f", 0]
    for k, beta in enumerate([0.0, 0.5, 1.0]):
        shown = widgets.evaluate_spec(page, [k])
        assert shown["panels"][0]["series"][0]["y"].tolist() == [beta, 2 * beta]


def test_a_table_that_gives_infinities_is_refused():
    table = Table("bad", ["a"], lambda a: {"x": [0.0, np.inf]}, ["x"])
    with raises("table bad: x must be a 1-D array of finite numbers or NaN"):
        Explorer([Choice("a", 1, [1, 2])], [Panel([Line(table, y="x", x="x")])])


def test_page_data_is_limited():
    ex = Explorer([Slider("lr", 0.1, 0.1, 0.5, 0.1)], [Panel([Line(gd_1d(E("lr"), 5))])])
    monkey = pytest.MonkeyPatch()
    monkey.setattr(widgets, "MAX_PAGE_BYTES", 100)
    try:
        with raises("the explorer's page data must be at most 100 bytes"):
            ex.page_html()
    finally:
        monkey.undo()


def test_guides_and_limits():
    s = schedule("cosine_restarts", 1.0, 10, 2)
    ex = Explorer(
        [IntSlider("n", 5, 1, 100)],
        [Panel([Line(lr_curve(s, 100)), VLines(phase_marks(s, 100), max_count=5)], ylim=(0, None))],
    )
    (panel,) = ex.evaluate()["panels"]
    assert panel["series"][1]["at"].tolist() == [10.0, 30.0, 70.0]
    assert ex.figure.axes[0].get_ylim() == widgets.auto_limits(
        [lrlab.cosine_restarts(1.0, 10, 2)(np.arange(100))], False, (0.0, None)
    )


def test_nqm_series_is_lrlabs_expected_loss():
    ex = Explorer(
        [Slider("lr", 0.5, 0.1, 1.0, 0.1)],
        [Panel([Line(nqm_loss(schedule("constant", E("lr")), 50, dim=20))])],
    )
    nqm = lrlab.NoisyQuadratic.standard(dim=20)
    np.testing.assert_array_equal(
        ex.evaluate()["panels"][0]["series"][0]["y"],
        nqm.expected_loss(lrlab.constant(0.5), steps=50),
    )
