"""Figures in the book's house style: parameters in, matplotlib Figure out.

Importing this module applies the style (:func:`use_book_style`):

* **Sized for the page.** The book's content column is 757 px wide on a
  1366-px desktop and 358 px on a 390-px phone (measured in headless
  Chromium). A figure is :data:`WIDTH` inches at :data:`DPI` pixels per inch,
  so it shows at its own size on a desktop and shrinks to the column on a
  phone; the smallest text (:data:`SMALLEST_PT` points: ticks, legends,
  direct labels) then renders at >= 12 px on the desktop and >= 9 px on the
  phone. :func:`check_text_sizes` verifies a finished figure.
* **Crisp.** In a notebook, figures are sent as PNG at twice the pixel
  density ("retina"), with their size at 1x in the output metadata, which
  Jupyter and the built book both honour. PNG rather than SVG because nbval
  compares SVG outputs as text, and an SVG's path coordinates carry
  floating-point digits that may differ between machines.
* **Readable for everyone.** White face; the Okabe-Ito colour-blind-safe
  colours, each series with its own colour *and* its own dash pattern
  (:func:`series_style`); a legend for up to four lines and direct labels at
  the line ends beyond (:func:`legend`, :func:`label_lines`).

Alt text stays with the notebook cell (``mystnb.image.alt`` metadata), which
the book turns into the image's ``alt`` attribute.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from lrlab import problems
from lrlab._checks import check_int, check_number

if TYPE_CHECKING:  # the training module imports this one
    from lrlab.experiments import Comparison
    from lrlab.training import History

#: Okabe & Ito's colour-blind-safe palette, black last.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Colours of data series, in order: the palette without its yellow, which
#: is too pale for a thin line on white.
SERIES_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#000000",
)
#: Dash patterns of data series, in order (matplotlib on/off lengths in points).
DASHES: tuple[Any, ...] = (
    "-",
    (0, (5.0, 2.0)),
    (0, (1.0, 1.6)),
    (0, (7.0, 2.0, 1.5, 2.0)),
    (0, (10.0, 3.0)),
    (0, (4.0, 1.5, 1.0, 1.5, 1.0, 1.5)),
    (0, (2.0, 3.5)),
)

#: Content-column width of the built book, in CSS pixels, on a 1366-px desktop.
DESKTOP_COLUMN_PX = 757
#: Content-column width of the built book, in CSS pixels, on a 390-px phone.
PHONE_COLUMN_PX = 358
#: Smallest text allowed on the desktop and on the phone, in CSS pixels.
MIN_DESKTOP_PX = 12.0
MIN_PHONE_PX = 9.0
#: Pixels per inch of a figure at 1x (matplotlib's default; the static
#: explorers draw at the same density).
DPI = 100
#: Default figure size in inches: 640 px wide, within the desktop column.
WIDTH = 6.4
HEIGHT = 4.0
#: Smallest font size in points (ticks, legends, direct labels). At 6.4 in
#: plus the 0.1-in margins of a tight bounding box (660 px), a phone shows
#: it at 12.5 * 100/72 * 358/660 = 9.4 px; a desktop at 17.4 px.
SMALLEST_PT = 12.5
#: Font size of axis labels and titles, in points.
LABEL_PT = 13.0
TITLE_PT = 13.5

#: The rcParams of the house style (see :func:`use_book_style`).
BOOK_STYLE: dict[str, Any] = {
    "figure.figsize": (WIDTH, HEIGHT),
    "figure.dpi": DPI,
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "figure.constrained_layout.use": True,
    "savefig.facecolor": "white",
    "savefig.dpi": 2 * DPI,
    "axes.facecolor": "white",
    "axes.prop_cycle": cycler(color=SERIES_COLOURS) + cycler(linestyle=DASHES),
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": TITLE_PT,
    "axes.labelsize": LABEL_PT,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.8,
    "font.size": SMALLEST_PT,
    "xtick.labelsize": SMALLEST_PT,
    "ytick.labelsize": SMALLEST_PT,
    "legend.fontsize": SMALLEST_PT,
    "legend.title_fontsize": SMALLEST_PT,
    "legend.frameon": False,
    "figure.titlesize": TITLE_PT,
    # Log axes label 0.001 to 1000 in decimals (0.3, not 3 × 10⁻¹).
    "axes.formatter.min_exponent": 3,
    "lines.linewidth": 2.0,
    "lines.markersize": 6.0,
    # Same ids in every SVG export, should anyone save one.
    "svg.hashsalt": "lrlab",
}


def use_book_style() -> None:
    """Apply the house style: rcParams, and 2x PNG figures in a notebook.

    Called when :mod:`lrlab.viz` is imported (``import lrlab`` does), so a
    chapter needs no set-up cell. Outside IPython only the rcParams change.

    Examples
    --------
    >>> use_book_style()
    >>> plt.rcParams["figure.figsize"], plt.rcParams["xtick.labelsize"]
    ([6.4, 4.0], 12.5)
    """
    rc: Any = mpl.rcParams  # typed with literal keys; the style is a plain dict
    rc.update(BOOK_STYLE)
    _retina_in_notebooks()


def _retina_in_notebooks() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.config import InlineBackend

    config = InlineBackend.instance()
    # Kept in the inline backend's configuration, so it survives the backend
    # being activated later (which re-applies the configured formats) ...
    config.figure_formats = {"retina"}
    # ... and applied now, in case it was activated already.
    select_figure_formats(shell, {"retina"}, **config.print_figure_kwargs)


def series_style(i: int) -> dict[str, Any]:
    """Colour and dash of data series ``i``: no two of the first 49 share both.

    Series 0-6 take colour ``i`` and dash ``i`` (as the default property
    cycle does); later series shift the dash against the colour.

    Parameters
    ----------
    i : int
        Series index, >= 0.

    Returns
    -------
    dict
        ``{"color": ..., "linestyle": ...}`` for ``Axes.plot``.

    Examples
    --------
    >>> series_style(0)
    {'color': '#0072B2', 'linestyle': '-'}
    >>> series_style(7)["color"] == series_style(0)["color"], series_style(7)["linestyle"]
    (True, (0, (5.0, 2.0)))
    """
    i = check_int("i", i, 0)
    n = len(SERIES_COLOURS)
    return {"color": SERIES_COLOURS[i % n], "linestyle": DASHES[(i + i // n) % n]}


def new_figure(
    ncols: int = 1,
    width: float = WIDTH,
    height: float = HEIGHT,
    *,
    nrows: int = 1,
    sharex: bool = False,
    height_ratios: Sequence[float] | None = None,
) -> tuple[Figure, list[Axes]]:
    """A white figure in the house style with a grid of axes.

    Stack panels in rows rather than side by side where possible: a row of
    panels leaves each one half the width on a phone.

    Parameters
    ----------
    ncols, nrows : int
        Grid of axes.
    width, height : float
        Figure size in inches (default 6.4 × 4.0). Wider figures shrink on
        the page and their text with them; check with :func:`check_text_sizes`.
    sharex : bool
        Share the x axis between panels.
    height_ratios : sequence of float, optional
        Relative heights of the rows.

    Returns
    -------
    (Figure, list of Axes)
        Axes in row-major order.

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> fig.get_facecolor()[:3]
    (1.0, 1.0, 1.0)
    >>> len(new_figure(nrows=2, sharex=True)[1])
    2
    """
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(width, height),
        squeeze=False,
        sharex=sharex,
        gridspec_kw=None if height_ratios is None else {"height_ratios": list(height_ratios)},
        facecolor="white",
        layout="constrained",
    )
    return fig, [ax for row in axes for ax in row]


# ----------------------------------------------------------------- labelling


def _labelled(ax: Axes) -> list[Line2D]:
    return [line for line in ax.get_lines() if not str(line.get_label()).startswith("_")]


def label_lines(
    ax: Axes,
    lines: Sequence[Line2D] | None = None,
    labels: Sequence[str] | None = None,
    fontsize: float = SMALLEST_PT,
) -> list[Text]:
    """Write each line's label just right of its last point, in its colour.

    Labels that would overlap are pushed apart vertically, keeping their
    order, so each stays as close to its line's end as the others allow.

    Parameters
    ----------
    ax : Axes
        Axes holding the lines.
    lines : sequence of Line2D, optional
        Lines to label (default: every line with a label not starting "_").
    labels : sequence of str, optional
        Texts, one per line (default: the lines' labels).
    fontsize : float
        Font size in points.

    Returns
    -------
    list of Text
        The labels, in the order of ``lines``.

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> for k in range(6):
    ...     _ = ax.plot([0, 1], [0, 1 + 0.01 * k], label=f"line {k}")
    >>> texts = label_lines(ax)
    >>> texts[5].get_text(), texts[5].get_color() == ax.lines[5].get_color()
    ('line 5', True)
    """
    lines = _labelled(ax) if lines is None else list(lines)
    labels = [str(line.get_label()) for line in lines] if labels is None else list(labels)
    if len(labels) != len(lines):
        raise ValueError(f"labels must give one text per line ({len(lines)}), got {len(labels)}")
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    fig.canvas.draw()  # settle the layout, so data map to their final positions
    ends = []
    for line in lines:
        x = np.asarray(line.get_xdata(), dtype=np.float64)
        y = np.asarray(line.get_ydata(), dtype=np.float64)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if ok.size == 0:
            raise ValueError(f"line {line.get_label()!r} has no finite point to label")
        ends.append((x[ok[-1]], y[ok[-1]]))
    # Positions in points from the axes' bottom edge: the offsets are in points.
    to_points = 72.0 / fig.dpi
    bottom = ax.transAxes.transform((0.0, 0.0))[1]
    wanted = np.array([(ax.transData.transform(e)[1] - bottom) * to_points for e in ends])
    height = (ax.transAxes.transform((0.0, 1.0))[1] - bottom) * to_points
    placed = _spread(wanted, gap=1.15 * fontsize, low=0.0, high=height)
    texts: list[Text] = []
    for line, label, (x_end, y_end), want, got in zip(
        lines, labels, ends, wanted, placed, strict=True
    ):
        text = ax.annotate(
            label,
            xy=(x_end, y_end),
            xytext=(4.0, got - want),
            textcoords="offset points",
            color=line.get_color(),
            fontsize=fontsize,
            va="center",
            ha="left",
            annotation_clip=False,
        )
        texts.append(text)
    return texts


def _spread(wanted: np.ndarray, gap: float, low: float, high: float) -> np.ndarray:
    """Positions as close to ``wanted`` as possible, at least ``gap`` apart, order kept.

    Neighbours are pushed apart upwards; a stack that then sticks out above
    ``high`` is pushed back down (as far as ``low`` allows while it fits).

    Examples
    --------
    >>> _spread(np.array([5.0, 0.0, 1.0]), gap=2.0, low=0.0, high=10.0).tolist()
    [5.0, 0.0, 2.0]
    >>> _spread(np.array([10.0, 10.0]), gap=2.0, low=0.0, high=10.0).tolist()
    [8.0, 10.0]
    """
    order = np.argsort(wanted, kind="stable")
    y = wanted[order].astype(np.float64)
    for i in range(1, y.size):
        y[i] = max(y[i], y[i - 1] + gap)
    if y.size:
        y[-1] = min(y[-1], max(high, low + gap * (y.size - 1)))
        for i in range(y.size - 2, -1, -1):
            y[i] = min(y[i], y[i + 1] - gap)
    out = np.empty_like(y)
    out[order] = y
    return out


def legend(ax: Axes, max_entries: int = 4, **kwargs: Any) -> None:
    """Name the lines: a legend for up to ``max_entries`` lines, direct labels beyond.

    Parameters
    ----------
    ax : Axes
        Axes holding labelled lines.
    max_entries : int, default 4
        Largest number of lines a legend is used for.
    **kwargs
        Passed to ``Axes.legend``.

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> for k in range(5):
    ...     _ = ax.plot([0, 1], [k, k], label=f"k = {k}")
    >>> legend(ax)
    >>> ax.get_legend() is None, len(ax.texts)
    (True, 5)
    """
    lines = _labelled(ax)
    if len(lines) > max_entries:
        label_lines(ax, lines)
    elif lines:
        ax.legend(**kwargs)


# ------------------------------------------------------------- text sizes


def fontsize_px(points: float, dpi: float = DPI) -> float:
    """Height in pixels of a font of ``points`` points at ``dpi`` pixels per inch.

    Examples
    --------
    >>> fontsize_px(72)
    100.0
    """
    return points * dpi / 72.0


def image_width_px(fig: Figure) -> float:
    """Width at 1x, in pixels, of the image a notebook shows for ``fig``.

    Notebooks save figures with a tight bounding box (the figure's drawn
    extent plus ``savefig.pad_inches`` on each side), so this can differ
    from the figure's nominal width.

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> 600 < image_width_px(fig) <= 660
    True
    """
    if not hasattr(fig.canvas, "get_renderer"):
        # pyplot leaves a closed figure (as a notebook does after showing it) a bare
        # canvas that cannot draw; give it one that can, so it can still be checked.
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    pad = float(mpl.rcParams["savefig.pad_inches"])
    return float((bbox.width + 2 * pad) * fig.dpi)


def text_sizes(fig: Figure, column_px: float) -> list[tuple[str, float]]:
    """Every visible text of ``fig`` and its height in CSS pixels in a column ``column_px`` wide.

    The image is shown at its own width, or shrunk to the column when wider.

    Parameters
    ----------
    fig : Figure
        A finished figure.
    column_px : float
        Width of the page's content column in CSS pixels.

    Returns
    -------
    list of (str, float)
        Text and its font size in CSS pixels, smallest first.

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> _ = ax.set_xlabel("step t")
    >>> dict(text_sizes(fig, 2000))["step t"] == fontsize_px(LABEL_PT)
    True
    """
    column_px = check_number("column_px", column_px, 0.0, math.inf, closed=False)
    width = image_width_px(fig)
    shrink = min(1.0, column_px / width)
    found = [
        (t.get_text(), fontsize_px(float(t.get_fontsize()), fig.dpi) * shrink)
        for t in _drawn_texts(fig)
    ]
    return sorted(found, key=lambda item: item[1])


def _drawn_texts(fig: Figure) -> list[Text]:
    """The figure's visible, non-empty texts (call after drawing the figure)."""
    texts = []
    for text in fig.findobj(Text):
        assert isinstance(text, Text)
        if text.get_visible() and text.get_text().strip() and _drawn(text):
            texts.append(text)
    return texts


def _drawn(text: Text) -> bool:
    """Whether a text is drawn: tick labels outside the view limits are not."""
    axes = text.axes
    if axes is None:
        return True
    for axis in (axes.xaxis, axes.yaxis):
        ticks = axis.get_major_ticks() + axis.get_minor_ticks()
        for tick in ticks:
            if text in (tick.label1, tick.label2):
                lo, hi = sorted(axis.get_view_interval())
                loc = tick.get_loc()
                return bool(lo <= loc <= hi) if loc is not None else False
    return True


def check_text_sizes(
    fig: Figure,
    desktop_px: float = DESKTOP_COLUMN_PX,
    phone_px: float = PHONE_COLUMN_PX,
    min_desktop: float = MIN_DESKTOP_PX,
    min_phone: float = MIN_PHONE_PX,
) -> None:
    """Raise ValueError naming every text too small to read on a desktop or a phone.

    Call it on a finished figure, e.g. in a hidden notebook cell or a test.

    Parameters
    ----------
    fig : Figure
        The figure as it will be shown.
    desktop_px, phone_px : float
        Content-column widths (default: the book's, measured).
    min_desktop, min_phone : float
        Smallest text allowed, in CSS pixels.

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> _ = ax.set_title("fine")
    >>> check_text_sizes(fig)
    >>> _ = ax.text(0.5, 0.5, "tiny", fontsize=6)
    >>> try:
    ...     check_text_sizes(fig)
    ... except ValueError as err:
    ...     print(str(err).split("sizes: ")[1])
    'tiny' 8.3/4.6 px
    """
    width = image_width_px(fig)
    to_desktop, to_phone = min(1.0, desktop_px / width), min(1.0, phone_px / width)
    bad: dict[tuple[str, float, float], None] = {}
    for text in _drawn_texts(fig):
        size = fontsize_px(float(text.get_fontsize()), fig.dpi)
        if size * to_desktop < min_desktop or size * to_phone < min_phone:
            bad[(text.get_text(), round(size * to_desktop, 1), round(size * to_phone, 1))] = None
    if bad:
        listed = ", ".join(f"{text!r} {big:g}/{small:g} px" for text, big, small in bad)
        raise ValueError(
            f"figure text too small for a {desktop_px:g}-px desktop column "
            f"(>= {min_desktop:g} px) and a {phone_px:g}-px phone column (>= {min_phone:g} px); "
            f"the image is {width:.0f} px wide. Desktop/phone sizes: {listed}"
        )


# ------------------------------------------------------------------ builders


def plot_curves(
    x: np.ndarray,
    curves: Mapping[str, np.ndarray],
    xlabel: str,
    ylabel: str,
    title: str = "",
    logy: bool = False,
) -> Figure:
    """Several labelled curves over a shared x axis.

    Parameters
    ----------
    x : numpy.ndarray
        Shared x values.
    curves : mapping of label to y values
        One line per entry, in the house series order.
    xlabel, ylabel : str
        Axis labels (with units).
    title : str
        Optional title.
    logy : bool
        Logarithmic y axis.

    Returns
    -------
    Figure
        A legend for up to four curves, direct labels for more.

    Examples
    --------
    >>> fig = plot_curves(np.arange(3), {"a": np.ones(3)}, "step", "loss")
    >>> fig.axes[0].get_xlabel()
    'step'
    """
    fig, (ax,) = new_figure()
    for i, (label, y) in enumerate(curves.items()):
        ax.plot(x, y, label=label, **series_style(i))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        legend(ax)
    return fig


def plot_schedules(
    schedules: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    steps: int,
    title: str = "",
    logy: bool = False,
    ylabel: str = "learning rate",
) -> Figure:
    """Learning rate against step for several schedules over steps ``0 .. steps - 1``.

    Parameters
    ----------
    schedules : mapping of label to schedule
        Anything callable on an integer array of steps (an ``lrlab`` schedule).
    steps : int
        Number of optimizer updates shown.
    title : str
        Optional title.
    logy : bool
        Logarithmic y axis.
    ylabel : str
        y-axis label.

    Returns
    -------
    Figure
        One line per schedule, labelled with its key, in the house series order.

    Examples
    --------
    >>> from lrlab import cosine
    >>> fig = plot_schedules({"cosine": cosine(1e-3, 100)}, 100)
    >>> float(fig.axes[0].lines[0].get_ydata()[0])
    0.001
    """
    t = np.arange(steps)
    return plot_curves(
        t,
        {label: s(t) for label, s in schedules.items()},
        xlabel="step t",
        ylabel=ylabel,
        title=title,
        logy=logy,
    )


def plot_gd_1d(lrs: Sequence[float], steps: int, x0: float = 0.0, b: float = 3.0) -> Figure:
    """Iterates of gradient descent on ``(x - b)**2`` for several learning rates.

    Parameters
    ----------
    lrs : sequence of float
        Learning rates, one line each.
    steps : int
        Number of updates drawn.
    x0 : float
        Starting point.
    b : float
        Minimiser, drawn as a thin black line.

    Returns
    -------
    Figure
        One line per learning rate (``x_0 … x_steps``), then the minimum.

    Examples
    --------
    >>> len(plot_gd_1d([0.1, 0.9], 10).axes[0].lines)
    3
    """
    fig, (ax,) = new_figure()
    t = np.arange(steps + 1)
    for i, lr in enumerate(lrs):
        xs = problems.gd_quadratic(lr, steps, x0=x0, b=b)
        ax.plot(t, xs, marker="o", markersize=4, label=f"η = {lr:g}", **series_style(i))
    ax.axhline(b, color="black", linewidth=1.0, label=f"minimum x = {b:g}")
    ax.set_xlabel("step t")
    ax.set_ylabel("iterate $x_t$")
    legend(ax)
    return fig


def plot_path_2d(
    problem: problems.Quadratic2D,
    lr: float,
    steps: int,
    start: tuple[float, float] = (-1.0, 1.5),
) -> Figure:
    """Gradient-descent path on the contours of a 2-D quadratic, with the loss per step.

    The top panel shows the path over level sets; the bottom panel the loss
    on a log scale. The path is the line labelled ``"path"``.

    Parameters
    ----------
    problem : Quadratic2D
        The valley.
    lr : float
        Constant learning rate.
    steps : int
        Number of updates.
    start : (float, float)
        Starting point.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_path_2d(problems.Quadratic2D(10.0, 1.0), 0.15, 5)
    >>> fig.axes[0].lines[0].get_xdata().shape
    (6,)
    """
    path = problem.gd_path(lr, steps, start=start)
    fig, (ax, ax_loss) = new_figure(nrows=2, height=7.0, height_ratios=[1.4, 1.0])
    span = max(2.0, float(np.abs(start).max()) * 1.3)
    grid = np.linspace(-span, span, 201)
    gx, gy = np.meshgrid(grid, grid)
    levels = problem.loss(np.array(start[0]), np.array(start[1])) * np.geomspace(1e-3, 2.0, 9)
    ax.contour(gx, gy, problem.loss(gx, gy), levels=levels, colors="#999999", linewidths=0.8)
    shown = np.clip(path, -span, span)
    ax.plot(shown[:, 0], shown[:, 1], marker="o", markersize=4, color=PALETTE[3], label="path")
    ax.plot([0], [0], marker="*", markersize=14, color="black", linestyle="none", label="minimum")
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_xlabel("x (steep direction)")
    ax.set_ylabel("y (flat direction)")
    limit = problem.max_stable_lr
    ax.set_title(f"η = {lr:.3g}   (stable below 2/h_x = {limit:.3g})")
    losses = problem.loss(path[:, 0], path[:, 1])
    ax_loss.semilogy(np.arange(steps + 1), np.maximum(losses, 1e-300), color=PALETTE[0])
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("loss f(x, y)")
    ax_loss.set_title(f"loss after {steps} steps: {losses[-1]:.3g}")
    return fig


def _check_runs(runs: Mapping[str, Sequence[History]]) -> None:
    if not runs or any(len(hs) == 0 for hs in runs.values()):
        raise ValueError(f"runs must map labels to non-empty lists of histories, got {runs!r}")
    for label, hs in runs.items():
        if any(h.diverged or h.val_steps.shape != hs[0].val_steps.shape for h in hs):
            raise ValueError(
                f"runs[{label!r}] must hold histories measured at the same steps "
                "(none diverged), got differing val_steps"
            )


def _band(ax: Axes, x: np.ndarray, per_seed: np.ndarray, i: int, label: str) -> Line2D:
    """Mean over seeds as a line, the range from lowest to highest seed as a band."""
    style = series_style(i)
    (line,) = ax.plot(x, per_seed.mean(axis=0), label=label, **style)
    if len(per_seed) > 1:
        lo, hi = per_seed.min(axis=0), per_seed.max(axis=0)
        ax.fill_between(x, lo, hi, color=style["color"], alpha=0.2, linewidth=0)
    return line


def plot_runs(runs: Mapping[str, Sequence[History]], title: str = "", from_step: int = 0) -> Figure:
    """Training runs over seeds: learning rate (top) and excess population loss (bottom).

    The bottom panel shows, per schedule, the mean over seeds of the exact
    excess loss on a log scale, with a band from the lowest to the highest
    seed, from the first measurement at or after ``from_step``.

    Parameters
    ----------
    runs : mapping of label to list of History
        Histories of one schedule with different seeds, none diverged, all
        measured at the same steps (e.g. ``Comparison.runs``).
    title : str
        Title of the figure.
    from_step : int, default 0
        First step shown in the loss panel, >= 0.

    Returns
    -------
    Figure
        Line ``i`` of each panel belongs to the ``i``-th schedule.

    Examples
    --------
    >>> from lrlab import constant, train
    >>> h = train(constant(1e-2), 20, val_every=10)
    >>> fig = plot_runs({"constant": [h]})
    >>> fig.axes[1].lines[0].get_ydata().shape
    (3,)
    """
    _check_runs(runs)
    from_step = check_int("from_step", from_step, 0)
    fig, (ax_lr, ax_loss) = new_figure(nrows=2, height=5.6, sharex=True, height_ratios=[1, 2])
    for i, (label, hs) in enumerate(runs.items()):
        ax_lr.plot(np.arange(hs[0].lr.size), hs[0].lr, label=label, **series_style(i))
        keep = hs[0].val_steps >= from_step
        excess = np.array([h.val_excess[keep] for h in hs])
        _band(ax_loss, hs[0].val_steps[keep], excess, i, label)
    ax_lr.set_ylabel("learning rate")
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("excess loss (nats)")
    ax_loss.set_yscale("log")
    legend(ax_loss)
    if title:
        ax_lr.set_title(title)
    return fig


def plot_train_test(runs: Mapping[str, Sequence[History]], title: str = "") -> Figure:
    """Finite-data runs: loss on the training corpus and on fresh text (the test loss).

    Each schedule has one colour; its test loss is solid and its training
    loss dashed, each the mean over seeds with a band from the lowest to the
    highest seed, and named at its end. A dotted line marks the entropy rate, the best loss on
    fresh text; a model below it on the corpus has memorised the corpus.

    Parameters
    ----------
    runs : mapping of label to list of History
        Histories trained with ``corpus_size`` (finite-data mode).
    title : str
        Title of the figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> from lrlab import constant, train
    >>> h = train(constant(1e-2), 20, val_every=10, corpus_size=16)
    >>> [line.get_label() for line in plot_train_test({"c": [h]}).axes[0].lines][:2]
    ['c, test', 'c, train']
    """
    _check_runs(runs)
    for label, hs in runs.items():
        if any(h.train_loss.size != h.val_steps.size for h in hs):
            raise ValueError(
                f"runs[{label!r}] must be trained on a corpus (corpus_size=...) "
                "to have a train loss"
            )
    fig, (ax,) = new_figure()
    for i, (label, hs) in enumerate(runs.items()):
        colour = series_style(i)["color"]
        x = hs[0].val_steps
        for kind, values, dash in (
            ("test", np.array([h.val_loss for h in hs]), "-"),
            ("train", np.array([h.train_loss for h in hs]), (0, (5.0, 2.0))),
        ):
            ax.plot(x, values.mean(axis=0), color=colour, linestyle=dash, label=f"{label}, {kind}")
            if len(hs) > 1:
                ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=colour, alpha=0.15)
    first = next(iter(runs.values()))[0]
    ax.axhline(first.entropy_rate, color="black", linestyle=":", linewidth=1.2, label="_entropy")
    ax.annotate(
        "entropy rate",
        xy=(0.0, first.entropy_rate),
        xycoords=("axes fraction", "data"),
        xytext=(4.0, 3.0),
        textcoords="offset points",
        va="bottom",
        fontsize=SMALLEST_PT,
    )
    ax.set_xlabel("step t")
    ax.set_ylabel("loss (nats per token)")
    # Train and test lines of one schedule end far apart: name each at its end.
    label_lines(ax)
    if title:
        ax.set_title(title)
    return fig


def plot_tuning(result: Comparison, title: str = "") -> Figure:
    """Tuning curves of a comparison: mean metric against peak, per arm.

    Each arm's grid is a line on log-log axes, its tuned peak a large
    marker; the evaluation seeds at the tuned peak are small dots.

    Parameters
    ----------
    result : Comparison
        Output of :func:`lrlab.compare`.
    title : str
        Title of the figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> from lrlab import NoisyQuadratic, compare, constant, nqm_runner
    >>> res = compare({"c": constant}, runner=nqm_runner(NoisyQuadratic.standard(10), 50))
    >>> plot_tuning(res).axes[0].get_xscale()
    'log'
    """
    fig, (ax,) = new_figure()
    for i, arm in enumerate(result.arms):
        style = series_style(i)
        grid, scores = result.grids[arm], result.grid_scores[arm]
        finite = np.isfinite(scores)
        ax.plot(grid[finite], scores[finite], marker="o", markersize=5, label=arm, **style)
        if (~finite).any():
            top = np.nanmax(np.where(finite, scores, np.nan)) if finite.any() else 1.0
            ax.plot(grid[~finite], np.full((~finite).sum(), top), "x", color=style["color"])
        peak = result.peaks[arm]
        values = result.values[arm][np.isfinite(result.values[arm])]
        ax.plot(np.full(values.size, peak), values, ".", color=style["color"], alpha=0.6)
        ax.plot([peak], [np.mean(values)] if values.size else [], "D", color=style["color"])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("peak learning rate")
    unit = f" ({result.unit})" if result.unit else ""
    ax.set_ylabel(f"{result.metric_label}{unit}")
    legend(ax)
    if title:
        ax.set_title(title)
    return fig


use_book_style()
