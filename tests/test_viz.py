"""The house figure style: sizes on the page, colours and dashes, direct labels, builders."""

from __future__ import annotations

import io
import itertools
import struct

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from IPython.core.pylabtools import print_figure

import lrlab
from lrlab import viz
from lrlab.problems import Quadratic2D


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_importing_lrlab_applies_the_style():
    assert mpl.rcParams["figure.facecolor"] == "white"
    assert mpl.rcParams["figure.dpi"] == viz.DPI
    assert mpl.rcParams["xtick.labelsize"] == viz.SMALLEST_PT
    styles = list(itertools.islice(mpl.rcParams["axes.prop_cycle"], 7))
    assert styles == [viz.series_style(i) for i in range(7)]


def test_no_two_series_share_colour_and_dash():
    pairs = [tuple(sorted((k, str(v)) for k, v in viz.series_style(i).items())) for i in range(49)]
    assert len(set(pairs)) == 49
    assert len(set(viz.SERIES_COLOURS)) == len(viz.SERIES_COLOURS)
    assert len({str(d) for d in viz.DASHES}) == len(viz.DASHES)
    assert "#F0E442" not in viz.SERIES_COLOURS  # too pale for a line on white


def test_image_width_is_the_width_a_notebook_shows():
    for fig in (viz.new_figure()[0], viz.plot_runs(runs_of(2, 2))):
        retina = print_figure(fig, fmt="retina", bbox_inches="tight")
        width, _ = png_size(retina)
        assert viz.image_width_px(fig) == pytest.approx(width / 2, abs=2)


def test_text_sizes_follow_the_column():
    fig, (ax,) = viz.new_figure()
    ax.set_xlabel("label")
    width = viz.image_width_px(fig)
    wide = dict(viz.text_sizes(fig, 2 * width))
    narrow = dict(viz.text_sizes(fig, width / 2))
    assert wide["label"] == pytest.approx(viz.LABEL_PT * viz.DPI / 72)
    assert narrow["label"] == pytest.approx(wide["label"] / 2)


def test_tick_labels_outside_the_view_do_not_count():
    fig, (ax,) = viz.new_figure()
    ax.plot([0, 1], [10, 20])
    ax.set_xlim(0.2, 0.8)
    fig.canvas.draw()
    shown = [t for t, _ in viz.text_sizes(fig, 1000)]
    assert "0.0" not in shown and "0.4" in shown


def test_check_names_every_offending_text():
    fig, (ax,) = viz.new_figure(width=12.0)  # shrinks to half size on a desktop
    ax.set_xlabel("step t")
    with pytest.raises(ValueError, match=r"the image is \d+ px wide. .*'step t' 11.3/5.3 px"):
        viz.check_text_sizes(fig)
    small, _ = viz.new_figure()
    small.axes[0].set_title("fine")
    viz.check_text_sizes(small)


def test_check_works_on_a_figure_pyplot_has_closed():
    # a notebook closes each figure after showing it; a hidden cell checks it afterwards
    fig, (ax,) = viz.new_figure()
    ax.set_xlabel("step t")
    width = viz.image_width_px(fig)
    plt.close(fig)
    assert viz.image_width_px(fig) == pytest.approx(width)
    viz.check_text_sizes(fig)


def overlaps(a, b):
    return not (a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0)


@pytest.mark.parametrize("logy", [False, True])
def test_direct_labels_do_not_overlap_and_keep_order(logy):
    fig, (ax,) = viz.new_figure()
    x = np.linspace(0, 1, 50)
    ends = [1.0, 1.01, 1.02, 1.5, 3.0, 3.05, 0.98, 2.0]
    for k, end in enumerate(ends):
        ax.plot(x, 1 + (end - 1) * x, label=f"series {k}", **viz.series_style(k))
    if logy:
        ax.set_yscale("log")
    texts = viz.label_lines(ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlaps(a, b)
    centres = [b.y0 + b.y1 for b in boxes]
    assert np.argsort(centres, kind="stable").tolist() == np.argsort(ends, kind="stable").tolist()
    for line, text in zip(ax.lines, texts, strict=True):
        assert text.get_color() == line.get_color()
        assert text.get_text() == line.get_label()
    viz.check_text_sizes(fig)


def test_legend_for_four_lines_labels_beyond():
    for n, has_legend in ((4, True), (5, False)):
        _, (ax,) = viz.new_figure()
        for k in range(n):
            ax.plot([0, 1], [k, k], label=f"k = {k}")
        viz.legend(ax)
        assert (ax.get_legend() is not None) == has_legend
        assert len(ax.texts) == (0 if has_legend else n)


def test_label_lines_bad_input():
    _, (ax,) = viz.new_figure()
    ax.plot([np.nan], [np.nan], label="empty")
    with pytest.raises(ValueError, match="line 'empty' has no finite point to label"):
        viz.label_lines(ax)
    with pytest.raises(ValueError, match=r"labels must give one text per line \(1\), got 2"):
        viz.label_lines(ax, labels=["a", "b"])


def runs_of(n_labels, n_seeds, corpus=False):
    options = {"corpus_size": 16} if corpus else {}
    hs = lrlab.train_many(
        [lrlab.cosine(1e-2 * (k + 1), 40) for k in range(n_labels)],
        40,
        seeds=list(range(n_seeds)),
        val_every=10,
        **options,
    )
    return {f"schedule {k}": hs[k * n_seeds : (k + 1) * n_seeds] for k in range(n_labels)}


def test_plot_runs_draws_mean_and_seed_range():
    runs = runs_of(2, 3)
    fig = viz.plot_runs(runs, title="two schedules", from_step=10)
    ax_lr, ax_loss = fig.axes
    excess = np.array([h.val_excess[1:] for h in runs["schedule 1"]])
    np.testing.assert_allclose(ax_loss.lines[1].get_ydata(), excess.mean(axis=0))
    band = ax_loss.collections[1].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(excess.min()) and band.max() == pytest.approx(excess.max())
    assert ax_lr.get_shared_x_axes().joined(ax_lr, ax_loss)


def test_plot_train_test_needs_a_corpus():
    with pytest.raises(ValueError, match="must be trained on a corpus"):
        viz.plot_train_test(runs_of(1, 1))
    fig = viz.plot_train_test(runs_of(2, 2, corpus=True))
    styles = {line.get_label(): line.get_linestyle() for line in fig.axes[0].lines}
    assert styles["schedule 0, test"] == "-" and styles["schedule 0, train"] == "--"


def builders():
    nqm = lrlab.NoisyQuadratic.standard(dim=20)
    arms = {f"peak x{k}": lambda p, k=k: lrlab.cosine(p * k, 100) for k in (1, 2, 3)}
    comparison = lrlab.compare(arms, runner=lrlab.nqm_runner(nqm, 100), centre=0.2)
    lrs = np.geomspace(1e-4, 1, 30)
    range_test = lrlab.RangeTest(lrs, 1 / lrs, 1 / lrs, False, lrlab.suggest_lrs(lrs, -np.log(lrs)))
    schedules = {f"cosine {k}": lrlab.cosine(0.1 * k, 100) for k in range(1, 8)}
    return {
        "plot_curves": lambda: viz.plot_curves(
            np.arange(5), {f"curve {k}": np.arange(5) * k for k in range(6)}, "step t", "value"
        ),
        "plot_schedules": lambda: viz.plot_schedules(schedules, 100, title="seven schedules"),
        "plot_gd_1d": lambda: viz.plot_gd_1d([0.1, 0.5, 0.9, 1.0], 20),
        "plot_path_2d": lambda: viz.plot_path_2d(Quadratic2D(10.0, 1.0), 0.15, 30),
        "plot_runs": lambda: viz.plot_runs(runs_of(5, 2), title="five schedules, two seeds"),
        "plot_train_test": lambda: viz.plot_train_test(runs_of(2, 2, corpus=True), title="t"),
        "plot_tuning": lambda: viz.plot_tuning(comparison, title="tuning"),
        "plot_range_test": lambda: lrlab.plot_range_test(range_test),
    }


@pytest.mark.parametrize("name", list(builders()))
def test_every_builder_is_readable_on_desktop_and_phone(name):
    fig = builders()[name]()
    viz.check_text_sizes(fig)
    sizes = [size for _, size in viz.text_sizes(fig, viz.DESKTOP_COLUMN_PX)]
    assert min(sizes) >= viz.MIN_DESKTOP_PX
    assert fig.get_facecolor()[:3] == (1.0, 1.0, 1.0)


@pytest.mark.slow
def test_figures_are_sent_as_2x_png_in_a_notebook():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import matplotlib.pyplot as plt\nimport lrlab"),
        nbformat.v4.new_code_cell("fig, ax = plt.subplots()\nax.plot([0, 1])\nplt.show()"),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (out,) = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    import base64

    width, height = png_size(base64.b64decode(out["data"]["image/png"]))
    meta = out["metadata"]["image/png"]
    assert (meta["width"], meta["height"]) == (width // 2, height // 2)
    assert 600 <= meta["width"] <= 660
    assert "image/svg+xml" not in out["data"]


def test_style_is_reapplied_on_demand():
    with mpl.rc_context({"font.size": 5.0}):
        viz.use_book_style()
        assert mpl.rcParams["font.size"] == viz.SMALLEST_PT
    buf = io.BytesIO()
    viz.new_figure()[0].savefig(buf, format="png")
    assert png_size(buf.getvalue())[0] == int(viz.WIDTH * 2 * viz.DPI)
