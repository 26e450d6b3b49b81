"""Legacy: precomputed explorer frames, so a page with no kernel can still answer its sliders.

Superseded by :class:`lrlab.widgets.Explorer`, whose page computes every combination
of controls itself. Kept, with :class:`FrameExplorer`, until every chapter uses it.

An :class:`~lrlab.widgets.Explorer` calls its own ``draw`` function on a grid of
slider values and reads back what matplotlib was asked to draw: line data,
colours, labels, scales, limits and ticks. The book's JavaScript
(``book/static/lrlab-explorer.js``) redraws those frames as SVG when a slider
moves. Every number therefore comes from ``lrlab`` through the same figure
builder the notebook shows, rounded to :data:`DIGITS` significant digits.

The grid includes the current value of every control. When the full product
of a few levels per slider fits in ``max_frames``, every combination is drawn;
otherwise each control is varied on its own around the current values (a
"star"), and the page snaps the other controls back to the nearest drawn frame.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.collections import Collection, PathCollection
from matplotlib.colors import to_hex, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.path import Path

from lrlab import viz
from lrlab._checks import check_int

#: Upper bound on the number of figures drawn for one explorer.
MAX_FRAMES = 150
#: The full product grid is used only if every slider gets at least this many levels.
PRODUCT_MIN_LEVELS = 5
#: Significant digits kept for every number sent to the page.
DIGITS = 7
#: Lines with more points than this are simplified to within :data:`PIXEL_TOLERANCE`.
SIMPLIFY_ABOVE = 300
#: Largest distance, in pixels of the drawn figure, between a simplified and the true curve.
PIXEL_TOLERANCE = 0.25
#: Pixels per inch of the page figure (matplotlib's default ``figure.dpi``).
DPI = 100
#: Slider positions considered per control before sampling.
MAX_POSITIONS = 1001

_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "Delta": "Δ",
    "epsilon": "ε",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "infty": "∞",
    "times": "×",
    "cdot": "·",
    "approx": "≈",
    "leq": "≤",
    "geq": "≥",
    "to": "→",
    "minus": "−",
}
_SUPER = str.maketrans("0123456789-+−.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁻·")
_SUB = str.maketrans("0123456789-+aeiotxnmk", "₀₁₂₃₄₅₆₇₈₉₋₊ₐₑᵢₒₜₓₙₘₖ")


def plain_text(text: str) -> str:
    r"""Matplotlib mathtext (``$...$``) as plain Unicode text for the page.

    Parameters
    ----------
    text : str
        A label, title or tick label, possibly with ``$...$`` parts.

    Returns
    -------
    str
        Greek letters and common symbols as characters, simple sub- and
        superscripts as Unicode sub- and superscript characters.

    Examples
    --------
    >>> plain_text(r"$\mathdefault{10^{-3}}$")
    '10⁻³'
    >>> plain_text("iterate $x_t$, rate $\\eta$")
    'iterate xₜ, rate η'
    """

    def math(match: re.Match[str]) -> str:
        body = match.group(1)
        body = re.sub(r"\\(?:mathdefault|mathrm|mathit|mathbf|text)\b", "", body)
        body = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(1)), body)

        def script(m: re.Match[str]) -> str:
            inner = m.group(2) or m.group(3)
            table = _SUPER if m.group(1) == "^" else _SUB
            shifted = inner.translate(table)
            unchanged = any(a == b for a, b in zip(inner, shifted, strict=True) if a != " ")
            if unchanged:
                return ("^" if m.group(1) == "^" else "_") + inner
            return shifted

        body = re.sub(r"([\^_])(?:\{([^{}]*)\}|(.))", script, body)
        return body.replace("{", "").replace("}", "")

    return re.sub(r"\$([^$]*)\$", math, text)


# ------------------------------------------------------------------ controls


def _positions(control: w.Widget) -> tuple[str, list[Any], list[str], int] | None:
    """Kind, every value the control can take (capped), their labels, index of the current one."""
    if isinstance(control, w.Checkbox | w.ToggleButton):
        values = [False, True]
        return "checkbox", values, ["off", "on"], values.index(bool(control.value))
    if isinstance(control, w.widgets.widget_selection._Selection):
        values = list(control._options_values)
        labels = [str(label) for label in control._options_labels]
        kind = "range" if isinstance(control, w.SelectionSlider) else "select"
        return kind, values, labels, control.index if control.index is not None else 0
    if isinstance(control, w.FloatLogSlider):
        count = round((control.max - control.min) / control.step) + 1
        exponents = np.linspace(control.min, control.max, min(count, MAX_POSITIONS))
        values = [float(f"{control.base**e:.12g}") for e in exponents]
    elif isinstance(control, w.IntSlider):
        values = list(range(control.min, control.max + 1, control.step))
        if len(values) > MAX_POSITIONS:
            picks = np.linspace(0, len(values) - 1, MAX_POSITIONS).round().astype(int)
            values = [values[i] for i in picks]
    elif isinstance(control, w.FloatSlider):
        count = math.floor((control.max - control.min) / control.step + 1e-9) + 1
        if count > MAX_POSITIONS:
            grid = np.linspace(control.min, control.max, MAX_POSITIONS)
        else:
            grid = control.min + control.step * np.arange(count)
        values = [float(f"{v:.12g}") for v in grid]
    else:
        return None
    current = control.value
    nearest = int(np.argmin([abs(v - current) for v in values]))
    values[nearest] = current
    labels = [str(v) if isinstance(v, int) else f"{v:.4g}" for v in values]
    return "range", values, labels, nearest


def _sample(n_positions: int, current: int, count: int) -> list[int]:
    """``count`` evenly spread positions out of ``n_positions``, always including ``current``."""
    if count >= n_positions:
        return list(range(n_positions))
    picks = np.linspace(0, n_positions - 1, count).round().astype(int)
    picks[np.argmin(np.abs(picks - current))] = current
    return sorted(set(picks.tolist()))


def plan_grid(
    sizes: Sequence[int], current: Sequence[int], sliders: Sequence[bool], max_frames: int
) -> tuple[list[list[int]], list[tuple[int, ...]]]:
    """Choose the slider positions to draw and the combinations (frames) to draw them in.

    Parameters
    ----------
    sizes : sequence of int
        Number of positions of each control.
    current : sequence of int
        Position of each control's current value (always drawn).
    sliders : sequence of bool
        Whether a control is a slider (sampled) rather than a choice (all options kept
        in the product grid).
    max_frames : int
        Upper bound on the number of frames.

    Returns
    -------
    levels : list of list of int
        For each control, the sorted positions that appear in some frame.
    frames : list of tuple of int
        Each frame as one index into ``levels[i]`` per control; the first frame is
        the current values.

    Examples
    --------
    >>> levels, frames = plan_grid([11, 3], [5, 0], [True, False], 15)
    >>> levels
    [[0, 2, 5, 8, 10], [0, 1, 2]]
    >>> len(frames), frames[0]
    (15, (2, 0))
    """
    n = len(sizes)
    choices = math.prod(
        size for size, is_slider in zip(sizes, sliders, strict=True) if not is_slider
    )
    n_sliders = sum(sliders)
    per_slider = math.floor((max_frames / choices) ** (1 / n_sliders) + 1e-9) if n_sliders else 1
    product_fits = choices <= max_frames and all(
        size <= per_slider or per_slider >= PRODUCT_MIN_LEVELS
        for size, is_slider in zip(sizes, sliders, strict=True)
        if is_slider
    )
    if product_fits:
        counts = [
            min(size, per_slider) if s else size for size, s in zip(sizes, sliders, strict=True)
        ]
        grow = True
        while grow:
            grow = False
            for i in range(n):
                if counts[i] < sizes[i]:
                    bigger = [*counts[:i], counts[i] + 1, *counts[i + 1 :]]
                    if math.prod(bigger) <= max_frames:
                        counts, grow = bigger, True
        levels = [_sample(sizes[i], current[i], counts[i]) for i in range(n)]
        base = tuple(levels[i].index(current[i]) for i in range(n))
        grid = np.indices([len(level) for level in levels]).reshape(n, -1).T
        others = [tuple(int(k) for k in row) for row in grid if tuple(row) != base]
        return levels, [base, *others]
    counts = [1] * n
    budget = max_frames - 1
    grow = True
    while grow:
        grow = False
        for i in sorted(range(n), key=lambda i: counts[i]):
            if counts[i] < sizes[i] and budget > 0:
                counts[i] += 1
                budget -= 1
                grow = True
    levels = [_sample(sizes[i], current[i], counts[i]) for i in range(n)]
    base = tuple(levels[i].index(current[i]) for i in range(n))
    frames = [base]
    for i in range(n):
        for k in range(len(levels[i])):
            if k != base[i]:
                frames.append((*base[:i], k, *base[i + 1 :]))
    return levels, frames


# ------------------------------------------------------------------ figures


def _number(value: float) -> float | int | None:
    if not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return float(f"{value:.{DIGITS}g}")


def _round(values: Any) -> list[float | int | None]:
    """Numbers to :data:`DIGITS` significant digits (whole numbers as ints); NaN, inf: ``None``."""
    flat = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan).ravel().tolist()
    return [_number(v) for v in flat]


def _axis_values(values: np.ndarray) -> Any:
    """Evenly spaced values as ``{"start", "step", "n"}``, others as a list of numbers."""
    values = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan)
    if values.size >= 3 and np.all(np.isfinite(values)):
        step = (values[-1] - values[0]) / (values.size - 1)
        even = values[0] + step * np.arange(values.size)
        if step != 0 and np.allclose(values, even, rtol=1e-12, atol=abs(step) * 1e-9):
            return {"start": _round(values[0])[0], "step": _round(step)[0], "n": int(values.size)}
    return _round(values)


def expand(values: Any) -> np.ndarray:
    """The inverse of the page encoding of one coordinate array (``None`` becomes NaN).

    Examples
    --------
    >>> expand({"start": 0, "step": 2, "n": 3}).tolist()
    [0.0, 2.0, 4.0]
    >>> expand([1.5, None]).tolist()
    [1.5, nan]
    """
    if isinstance(values, dict):
        return values["start"] + values["step"] * np.arange(values["n"], dtype=float)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _simplify(u: np.ndarray, v: np.ndarray, tolerance: float) -> np.ndarray:
    """Indices kept by Ramer-Douglas-Peucker, run by run; points off a log scale are all kept."""
    finite = np.isfinite(u) & np.isfinite(v)
    keep = ~finite
    edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(int), [0]])))
    for lo, hi in zip(edges[::2], edges[1::2], strict=True):
        stack = [(int(lo), int(hi) - 1)]
        keep[lo] = keep[hi - 1] = True
        while stack:
            a, b = stack.pop()
            if b - a < 2:
                continue
            du, dv = u[b] - u[a], v[b] - v[a]
            norm = math.hypot(du, dv)
            pu, pv = u[a + 1 : b] - u[a], v[a + 1 : b] - v[a]
            dist = np.abs(pu * dv - pv * du) / norm if norm > 0 else np.hypot(pu, pv)
            worst = int(np.argmax(dist))
            if dist[worst] > tolerance:
                keep[a + 1 + worst] = True
                stack += [(a, a + 1 + worst), (a + 1 + worst, b)]
    return np.flatnonzero(keep)


def _to_pixels(
    values: np.ndarray, limits: tuple[float, float], log: bool, size: float
) -> np.ndarray:
    lo, hi = limits
    with np.errstate(divide="ignore", invalid="ignore"):
        if log:
            values, lo, hi = np.log10(values), math.log10(lo), math.log10(hi)
        return (values - lo) / (hi - lo) * size


def _colour(value: Any) -> str | None:
    rgba = to_rgba_array(value)
    if rgba.size == 0 or rgba[0, 3] == 0:
        return None
    return to_hex(rgba[0], keep_alpha=bool(rgba[0, 3] < 1))


def _ticks(axis: Any, limits: tuple[float, float]) -> dict[str, Any]:
    lo, hi = sorted(limits)
    slack = (hi - lo) * 1e-9

    def pick(locs: np.ndarray, formatter: Any) -> list[list[Any]]:
        locs = np.asarray([x for x in locs if lo - slack <= x <= hi + slack], dtype=float)
        labels = formatter.format_ticks(locs) if locs.size else []
        return [[v, plain_text(t)] for v, t in zip(_round(locs), labels, strict=True)]

    major = pick(axis.get_majorticklocs(), axis.get_major_formatter())
    offset = plain_text(axis.get_major_formatter().get_offset())
    minor = pick(axis.get_minorticklocs(), axis.get_minor_formatter())
    return {"major": major, "minor": minor, "offset": offset}


def _drawn(style: Any) -> bool:
    """Whether a line style or marker draws anything (matplotlib spells "nothing" several ways)."""
    return style not in ("None", "none", "", " ", None)


def _dashes(line: Line2D) -> list[float]:
    """Dash pattern in page pixels (empty for a solid line)."""
    if line.get_linestyle() == "-" or not _drawn(line.get_linestyle()):
        return []
    return [round(d * DPI / 72, 2) for d in (line._dash_pattern[1] or [])]


def _line(line: Line2D, ax: Axes, pixels: tuple[float, float]) -> dict[str, Any] | None:
    if not line.get_visible():
        return None
    x = np.ma.filled(np.ma.asarray(line.get_xdata(), dtype=float), np.nan)
    y = np.ma.filled(np.ma.asarray(line.get_ydata(), dtype=float), np.nan)
    frac = line.get_transform() != ax.transData
    if frac:
        xy = ax.transAxes.inverted().transform(
            line.get_transform().transform(np.column_stack([x, y]))
        )
        x, y = xy[:, 0], xy[:, 1]
    marker = line.get_marker()
    has_marker = _drawn(marker)
    if x.size > SIMPLIFY_ABOVE and not has_marker and not frac:
        u = _to_pixels(x, ax.get_xlim(), ax.get_xscale() == "log", pixels[0])
        v = _to_pixels(y, ax.get_ylim(), ax.get_yscale() == "log", pixels[1])
        kept = _simplify(u, v, PIXEL_TOLERANCE)
        x, y = x[kept], y[kept]
    data: dict[str, Any] = {
        "x": _axis_values(x),
        "y": _round(y),
        "color": _colour(line.get_color()),
        "width": round(line.get_linewidth() * DPI / 72, 2),
        "dash": _dashes(line),
        "z": line.get_zorder(),
    }
    if not _drawn(line.get_linestyle()):
        data["width"] = 0
    if frac:
        data["frac"] = True
    if has_marker:
        data["marker"] = str(marker)
        data["size"] = round(line.get_markersize() * DPI / 72, 2)
        data["fill"] = _colour(line.get_markerfacecolor())
        data["edge"] = _colour(line.get_markeredgecolor())
    if line.get_alpha() is not None:
        data["alpha"] = line.get_alpha()
    return data


def _collection(coll: Collection, ax: Axes, pixels: tuple[float, float]) -> dict[str, Any] | None:
    if not coll.get_visible():
        return None
    if isinstance(coll, PathCollection) and len(coll.get_offsets()):
        offsets = np.asarray(coll.get_offsets(), dtype=float)
        frac = coll.get_offset_transform() != ax.transData
        if frac:
            offsets = ax.transAxes.inverted().transform(
                coll.get_offset_transform().transform(offsets)
            )
        sizes = coll.get_sizes()
        return {
            "points": _round(offsets),
            "radius": _round(np.sqrt(sizes / math.pi) * DPI / 72),
            "fill": [_colour(c) for c in coll.get_facecolors()],
            "frac": bool(frac),
            "z": coll.get_zorder(),
        }
    frac = coll.get_transform() != ax.transData
    to_frac = ax.transAxes.inverted()
    xscale, yscale = ax.get_xscale() == "log", ax.get_yscale() == "log"
    pieces = []
    for path in coll.get_paths():
        vertices, codes = path.vertices, path.codes
        if frac:
            vertices = to_frac.transform(coll.get_transform().transform(vertices))
        starts = [0] if codes is None else [int(i) for i in np.flatnonzero(codes == Path.MOVETO)]
        starts = sorted({0, *starts})
        for a, b in zip(starts, [*starts[1:], len(vertices)], strict=True):
            run = vertices[a:b]
            closed = codes is not None and codes[b - 1] == Path.CLOSEPOLY
            if closed:
                run = run[:-1]
            if len(run) < 2:
                continue
            if frac:
                u, v = run[:, 0] * pixels[0], run[:, 1] * pixels[1]
            else:
                u = _to_pixels(run[:, 0], ax.get_xlim(), xscale, pixels[0])
                v = _to_pixels(run[:, 1], ax.get_ylim(), yscale, pixels[1])
            kept = _simplify(u, v, PIXEL_TOLERANCE)
            pieces.append({"xy": _round(run[kept]), "closed": bool(closed)})
    if not pieces:
        return None
    edges = [_colour(c) for c in coll.get_edgecolors()] or [None]
    faces = [_colour(c) for c in coll.get_facecolors()] or [None]
    widths = [round(float(lw) * DPI / 72, 2) for lw in coll.get_linewidths()] or [1.0]
    return {
        "paths": pieces,
        "edge": edges,
        "face": faces,
        "width": widths,
        "frac": bool(frac),
        "z": coll.get_zorder(),
    }


def _texts(ax: Axes) -> list[dict[str, Any]]:
    out = []
    to_frac = ax.transAxes.inverted()
    for text in ax.texts:
        if not text.get_visible() or not text.get_text():
            continue
        x, y = to_frac.transform(text.get_transform().transform(text.get_position()))
        out.append(
            {
                "text": plain_text(text.get_text()),
                "at": _round([x, y]),
                "size": round(text.get_fontsize() * DPI / 72, 2),
                "color": _colour(text.get_color()),
                "ha": text.get_horizontalalignment(),
                "va": text.get_verticalalignment(),
            }
        )
    return out


def _legend(ax: Axes) -> list[dict[str, Any]] | None:
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return None
    entries = []
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
        entry: dict[str, Any] = {"label": plain_text(text.get_text())}
        if isinstance(handle, Line2D):
            entry["color"] = _colour(handle.get_color())
            solid = _drawn(handle.get_linestyle())
            entry["width"] = round(handle.get_linewidth() * DPI / 72, 2) if solid else 0
            entry["dash"] = _dashes(handle)
            marker = handle.get_marker()
            if _drawn(marker):
                entry["marker"] = str(marker)
                entry["fill"] = _colour(handle.get_markerfacecolor())
        elif handle is not None:
            face = getattr(handle, "get_facecolor", lambda: None)()
            entry["color"] = _colour(face if face is not None else "#777777")
            entry["patch"] = True
        entries.append(entry)
    return entries


def _legend_style(ax: Axes) -> dict[str, Any]:
    legend = ax.get_legend()
    if legend is None:
        return {}
    texts = legend.get_texts()
    size = texts[0].get_fontsize() if texts else 10.0
    return {
        "legend_title": plain_text(legend.get_title().get_text()),
        "legend_size": round(size * DPI / 72, 2),
        "legend_frame": bool(legend.get_frame_on()),
    }


def axes_data(ax: Axes, pixels: tuple[float, float]) -> dict[str, Any]:
    """What the page needs to redraw one matplotlib Axes.

    Parameters
    ----------
    ax : Axes
        The axes, after the figure builder has drawn into it.
    pixels : (float, float)
        Its width and height on the page, used to simplify long curves.

    Returns
    -------
    dict
        Limits, scales, ticks, labels, titles, spines, grid, lines, collections,
        texts and legend entries, with numbers rounded to :data:`DIGITS` digits.

    Examples
    --------
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1, 2], [3, 1, 2], label="loss")
    >>> data = axes_data(ax, (400, 300))
    >>> data["lines"][0]["y"], data["lines"][0]["x"]
    ([3, 1, 2], {'start': 0, 'step': 1, 'n': 3})
    >>> plt.close(fig)
    """
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    style = ax.xaxis._major_tick_kw
    grid_on = style.get("gridOn") or ax.yaxis._major_tick_kw.get("gridOn")
    tick_size = FontProperties(size=style.get("labelsize", rcParams["xtick.labelsize"]))
    lines = [_line(line, ax, pixels) for line in ax.get_lines()]
    collections = [_collection(c, ax, pixels) for c in ax.collections]
    return {
        "xlim": _round(xlim),
        "ylim": _round(ylim),
        "xlog": ax.get_xscale() == "log",
        "ylog": ax.get_yscale() == "log",
        "xticks": _ticks(ax.xaxis, xlim),
        "yticks": _ticks(ax.yaxis, ylim),
        "xlabel": plain_text(ax.get_xlabel()),
        "ylabel": plain_text(ax.get_ylabel()),
        "title": plain_text(ax.get_title()),
        "title_left": plain_text(ax.get_title("left")),
        "title_right": plain_text(ax.get_title("right")),
        "title_size": round(ax.title.get_fontsize() * DPI / 72, 2),
        "label_size": round(ax.xaxis.label.get_fontsize() * DPI / 72, 2),
        "tick_size": round(tick_size.get_size_in_points() * DPI / 72, 2),
        "face": _colour(ax.get_facecolor()) or "#ffffff",
        "spines": sorted(name for name, spine in ax.spines.items() if spine.get_visible()),
        "grid": {
            "color": _colour(style.get("grid_color", rcParams["grid.color"])),
            "width": round(style.get("grid_linewidth", rcParams["grid.linewidth"]) * DPI / 72, 2),
        }
        if grid_on
        else None,
        "lines": [line for line in lines if line is not None],
        "collections": [c for c in collections if c is not None],
        "texts": _texts(ax),
        "legend": _legend(ax),
        **_legend_style(ax),
    }


def figure_data(fig: Figure, boxes: Sequence[Sequence[float]] | None = None) -> dict[str, Any]:
    """What the page needs to redraw a figure: its size, axes boxes and each axes' data.

    Parameters
    ----------
    fig : Figure
        A figure from a ``draw`` function.
    boxes : sequence of [left, bottom, width, height], optional
        Axes positions in figure fractions, to reuse one layout across frames;
        by default, or if their number differs, laid out from ``fig`` itself.

    Returns
    -------
    dict
        ``width`` and ``height`` in pixels, ``face`` colour, ``title`` (the
        suptitle), ``boxes`` and ``axes`` (one :func:`axes_data` per axes).

    Examples
    --------
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> figure_data(fig)["width"], len(figure_data(fig)["axes"])
    (400, 1)
    >>> plt.close(fig)
    """
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    if boxes is None or len(boxes) != len(axes):
        fig.draw_without_rendering()
        boxes = [[round(v, 4) for v in ax.get_position().bounds] for ax in axes]
    width, height = (float(v) * DPI for v in fig.get_size_inches())
    suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
    return {
        "width": round(width),
        "height": round(height),
        "face": _colour(fig.get_facecolor()) or "#ffffff",
        "title": plain_text(suptitle),
        "boxes": [list(box) for box in boxes],
        "axes": [
            axes_data(ax, (box[2] * width, box[3] * height))
            for ax, box in zip(axes, boxes, strict=True)
        ],
    }


# ------------------------------------------------------------------ frames


def _plain_value(value: Any) -> Any:
    """A control value as JSON can carry it: NumPy scalars unwrapped, other objects by name."""
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _split(
    items: list[dict[str, Any]], nested: tuple[str, ...] = ()
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Move keys equal in every item to ``common``; split lists under ``nested`` item-wise."""
    common: dict[str, Any] = {}
    rest: list[dict[str, Any]] = [dict(item) for item in items]
    for key in items[0]:
        values = [item.get(key) for item in items]
        if all(key in item and v == values[0] for item, v in zip(items, values, strict=True)):
            common[key] = values[0]
            for item in rest:
                del item[key]
        elif key in nested and all(
            isinstance(v, list) and len(v) == len(values[0]) for v in values
        ):
            parts = [_split([v[i] for v in values]) for i in range(len(values[0]))]
            common[key] = [part[0] for part in parts]
            for f, item in enumerate(rest):
                item[key] = [part[1][f] for part in parts]
    return common, rest


def export(
    draw: Callable[..., Figure],
    controls: Mapping[str, w.Widget],
    max_frames: int = MAX_FRAMES,
) -> dict[str, Any]:
    """Draw an explorer on a grid of control values and collect the page data.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> Figure``, as given to :class:`lrlab.widgets.Explorer`.
    controls : mapping of name to widget
        The explorer's controls; their current values are the first frame.
    max_frames : int
        Upper bound on the number of figures drawn.

    Returns
    -------
    dict
        ``controls`` (name, label, kind, values, labels, index of the current
        value), ``frames`` (one index per control into its ``values``), the
        figure's ``width``, ``height``, ``face`` and ``boxes``, and the drawn data
        split into ``common`` (equal in every frame) and ``figures`` (the rest,
        one per frame).

    Examples
    --------
    >>> from lrlab import viz
    >>> data = export(lambda n: viz.plot_gd_1d([0.5], n), {"n": w.IntSlider(3, min=1, max=8)})
    >>> data["controls"][0]["values"], data["frames"][0]
    ([1, 2, 3, 4, 5, 6, 7, 8], [2])
    """
    names, specs, sizes, current, sliders = [], [], [], [], []
    for name, control in controls.items():
        found = _positions(control)
        if found is None:
            continue
        kind, values, labels, index = found
        names.append(name)
        specs.append((control, kind, values, labels))
        sizes.append(len(values))
        current.append(index)
        sliders.append(kind == "range" and not isinstance(control, w.SelectionSlider))
    levels, frames = plan_grid(sizes, current, sliders, max_frames)
    fixed = {name: c.value for name, c in controls.items() if name not in names}
    figures: list[dict[str, Any]] = []
    boxes = None
    for frame in frames:
        values = dict(fixed)
        for name, (_, _, options, _), level, k in zip(names, specs, levels, frame, strict=True):
            values[name] = options[level[k]]
        fig = draw(**values)
        plt.close(fig)
        data = figure_data(fig, boxes)
        boxes = data["boxes"]
        figures.append(data)
    common, rest = _split(figures)
    if len({len(f["axes"]) for f in figures}) > 1:
        axes_common, axes_rest = [], [{"axes": f["axes"]} for f in figures]
    elif "axes" in common:
        axes_common, axes_rest = common["axes"], [{} for _ in frames]
    else:
        pieces = [
            _split([f["axes"][a] for f in rest], nested=("lines", "collections", "texts"))
            for a in range(len(figures[0]["axes"]))
        ]
        axes_common = [piece[0] for piece in pieces]
        axes_rest = [{"axes": [piece[1][f] for piece in pieces]} for f in range(len(frames))]
    for item, extra in zip(rest, axes_rest, strict=True):
        item.pop("axes", None)
        item.update(extra)
    common["axes"] = axes_common
    return {
        "version": 1,
        "controls": [
            {
                "name": name,
                "label": plain_text(control.description or name),
                "kind": kind,
                "values": [_plain_value(options[i]) for i in level],
                "labels": [labels[i] for i in level],
                "index": frames[0][n],
            }
            for n, (name, (control, kind, options, labels), level) in enumerate(
                zip(names, specs, levels, strict=True)
            )
        ],
        "frames": [list(frame) for frame in frames],
        "common": common,
        "figures": rest,
    }


def frame_figure(data: Mapping[str, Any], frame: int) -> dict[str, Any]:
    """One frame's figure data with the common part merged back, as the page sees it.

    Examples
    --------
    >>> from lrlab import viz
    >>> data = export(lambda n: viz.plot_gd_1d([0.5], n), {"n": w.IntSlider(3, min=1, max=8)})
    >>> expand(frame_figure(data, 0)["axes"][0]["lines"][0]["x"]).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    common, own = data["common"], data["figures"][frame]
    merged = {
        **{k: v for k, v in common.items() if k != "axes"},
        **{k: v for k, v in own.items() if k != "axes"},
    }
    axes = []
    own_axes = own.get("axes", [])
    for a in range(max(len(common["axes"]), len(own_axes))):
        shared = common["axes"][a] if a < len(common["axes"]) else {}
        mine = own_axes[a] if a < len(own_axes) else {}
        ax = {**shared, **mine}
        for key in ("lines", "collections", "texts"):
            if isinstance(shared.get(key), list) and isinstance(mine.get(key), list):
                ax[key] = [{**s, **m} for s, m in zip(shared[key], mine[key], strict=True)]
        axes.append(ax)
    merged["axes"] = axes
    return merged


def to_html(data: Mapping[str, Any]) -> str:
    r"""The hidden HTML block that carries ``data`` to the book's JavaScript.

    The block shows nothing by itself (in Jupyter it stays an empty, hidden
    element); the book's ``lrlab-explorer.js`` turns it into sliders and a figure.

    Examples
    --------
    >>> "<\\/script>" in to_html({"a": "</script>"})
    True
    """
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    text = text.replace("</", "<\\/")
    return (
        f'<div class="lrlab-explorer" hidden><script type="application/json">{text}</script></div>'
    )


# ------------------------------------------------------------------ the legacy explorer


class FrameExplorer:
    """Legacy: sliders over a figure builder, with figures precomputed on a grid for the page.

    Superseded by the declarative :class:`lrlab.widgets.Explorer`, whose page computes
    every combination of controls itself; kept until every chapter uses that.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> Figure``, called with the current slider values.
    controls : mapping of name to ipywidgets widget
        One widget per keyword argument of ``draw``.
    page_frames : int, default :data:`MAX_FRAMES`
        Upper bound on the number of figures precomputed for the rendered page, >= 1.

    Attributes
    ----------
    figure : Figure
        The most recently drawn figure (already closed, so it is shown once).

    Examples
    --------
    >>> ex = FrameExplorer(
    ...     lambda n: viz.plot_gd_1d([0.1], n), {"n": w.IntSlider(value=3, min=1, max=9)}
    ... )
    >>> ex.controls["n"].value = 5
    >>> ex.figure.axes[0].lines[0].get_xdata().tolist()
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(
        self,
        draw: Callable[..., Figure],
        controls: Mapping[str, w.ValueWidget],
        page_frames: int = MAX_FRAMES,
    ) -> None:
        self.draw = draw
        self.controls = dict(controls)
        self.page_frames = check_int("page_frames", page_frames, 1)
        self._handle: Any = None
        self.figure = self._render()
        for control in self.controls.values():
            control.observe(self._redraw, names="value")

    @property
    def values(self) -> dict[str, Any]:
        """Current value of every control, by keyword."""
        return {name: control.value for name, control in self.controls.items()}

    def _render(self) -> Figure:
        fig = self.draw(**self.values)
        plt.close(fig)
        return fig

    def _redraw(self, _change: Any = None) -> None:
        self.figure = self._render()
        if self._handle is not None:
            self._handle.update(self.figure)

    def page_data(self) -> dict[str, Any]:
        """The figure drawn on a grid of control values, as embedded in the rendered page.

        Returns
        -------
        dict
            See :func:`lrlab.static_explorer.export`; the first frame is the
            current values.
        """
        return export(self.draw, self.controls, self.page_frames)

    def show(self) -> None:
        """Display the figure (a PNG that stays on a static page), the sliders, the page data.

        The page data is a hidden HTML block: invisible in Jupyter, turned into
        sliders and an SVG figure by the book's JavaScript.
        """
        self._handle = display(self.figure, display_id=True)
        display(w.VBox(list(self.controls.values())))
        display(HTML(to_html(self.page_data())))


def slider(
    description: str,
    value: float,
    lo: float,
    hi: float,
    step: float,
    integer: bool = False,
    log: bool = False,
) -> w.ValueWidget:
    """A slider in the book's style (updates on release, wide enough to read).

    Parameters
    ----------
    description : str
        Label shown to the left.
    value, lo, hi : float
        Initial value and range (values, also for a log slider).
    step : float
        Increment; for a log slider, the increment of ``log10`` of the value.
    integer : bool
        An ``IntSlider`` instead of a ``FloatSlider``.
    log : bool
        A ``FloatLogSlider`` (base 10) from ``lo`` to ``hi``.

    Examples
    --------
    >>> slider("steps", 10, 1, 100, 1, integer=True).value
    10
    >>> s = slider("div_factor", 25.0, 1.0, 1000.0, 0.1, log=True)
    >>> (s.min, s.max, s.value)
    (0.0, 3.0, 25.0)
    """
    common = {
        "description": description,
        "continuous_update": False,
        "style": {"description_width": "initial"},
        "layout": w.Layout(width="420px"),
    }
    if log:
        bounds = {"min": math.log10(lo), "max": math.log10(hi)}
        return w.FloatLogSlider(value=value, base=10, step=step, **bounds, **common)
    cls = w.IntSlider if integer else w.FloatSlider
    return cls(value=value, min=lo, max=hi, step=step, **common)


def schedule_explorer(
    make: Callable[..., Any],
    controls: Mapping[str, w.ValueWidget],
    steps: int,
    title: Callable[..., str] | None = None,
    logy: bool = False,
) -> FrameExplorer:
    """Sliders over a schedule's parameters -> its learning-rate curve.

    Parameters
    ----------
    make : callable
        ``make(**values)`` returns an ``lrlab`` schedule (e.g. ``lrlab.cosine``).
    controls : mapping of name to widget
        One slider per keyword of ``make``.
    steps : int
        Number of steps drawn, ``0 .. steps - 1``.
    title : callable, optional
        ``title(**values)`` gives the figure title; default: the schedule's repr.
    logy : bool
        Logarithmic learning-rate axis.

    Returns
    -------
    FrameExplorer
        Its figure's single line is ``make(**values)`` evaluated on every step.

    Examples
    --------
    >>> import lrlab
    >>> ex = schedule_explorer(
    ...     lambda gamma: lrlab.exponential(0.1, gamma),
    ...     {"gamma": slider("γ", 0.9, 0.5, 0.99, 0.01)},
    ...     steps=5,
    ... )
    >>> float(ex.figure.axes[0].lines[0].get_ydata()[1])
    0.09000000000000001
    """

    def draw(**values: Any) -> Figure:
        schedule = make(**values)
        label = title(**values) if title else repr(schedule)
        return viz.plot_schedules({label: schedule}, steps, title=label, logy=logy)

    return FrameExplorer(draw, controls)


__all__ = [
    "DIGITS",
    "MAX_FRAMES",
    "FrameExplorer",
    "axes_data",
    "expand",
    "export",
    "figure_data",
    "frame_figure",
    "plain_text",
    "plan_grid",
    "schedule_explorer",
    "slider",
    "to_html",
]
