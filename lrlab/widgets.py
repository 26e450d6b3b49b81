"""Explorers: sliders wired to a figure builder, safe to render without a kernel.

The figure is displayed as an ordinary PNG output through a display handle and
redrawn in place when a slider moves, so a static page (no kernel) still shows
the default figure, and a live notebook updates it. :meth:`Explorer.show` also
emits a hidden HTML block with the figure drawn on a grid of slider values
(:mod:`lrlab.static_explorer`), which the book's JavaScript turns into sliders
that respond in the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
from IPython.display import HTML, display
from matplotlib.figure import Figure

from lrlab import problems, static_explorer, viz
from lrlab._checks import check_int


class Explorer:
    """Sliders over the keyword arguments of a figure builder.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> Figure``, called with the current slider values.
    controls : mapping of name to ipywidgets widget
        One widget per keyword argument of ``draw``.
    page_frames : int, default :data:`lrlab.static_explorer.MAX_FRAMES`
        Upper bound on the number of figures precomputed for the rendered page, >= 1.

    Attributes
    ----------
    figure : Figure
        The most recently drawn figure (already closed, so it is shown once).

    Examples
    --------
    >>> ex = Explorer(lambda n: viz.plot_gd_1d([0.1], n), {"n": w.IntSlider(value=3, min=1, max=9)})
    >>> ex.controls["n"].value = 5
    >>> ex.figure.axes[0].lines[0].get_xdata().tolist()
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(
        self,
        draw: Callable[..., Figure],
        controls: Mapping[str, w.ValueWidget],
        page_frames: int = static_explorer.MAX_FRAMES,
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
        return static_explorer.export(self.draw, self.controls, self.page_frames)

    def show(self) -> None:
        """Display the figure (a PNG that stays on a static page), the sliders, the page data.

        The page data is a hidden HTML block: invisible in Jupyter, turned into
        sliders and an SVG figure by the book's JavaScript.
        """
        self._handle = display(self.figure, display_id=True)
        display(w.VBox(list(self.controls.values())))
        display(HTML(static_explorer.to_html(self.page_data())))


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


def gd_valley_explorer(
    problem: problems.Quadratic2D | None = None, lr: float = 0.15, steps: int = 20
) -> Explorer:
    """Learning rate and step count -> gradient-descent path on a 2-D quadratic valley.

    Parameters
    ----------
    problem : Quadratic2D, optional
        The valley; default ``Quadratic2D(h_x=10, h_y=1)``.
    lr : float
        Initial learning-rate slider value.
    steps : int
        Initial number-of-steps slider value.

    Returns
    -------
    Explorer
        Controls ``lr`` (up to 1.25 times the stability limit) and ``steps``.

    Examples
    --------
    >>> ex = gd_valley_explorer()
    >>> sorted(ex.controls)
    ['lr', 'steps']
    """
    problem = problem or problems.Quadratic2D(10.0, 1.0)
    limit = problem.max_stable_lr
    controls = {
        "lr": slider("learning rate η", lr, limit / 40, 1.25 * limit, limit / 80),
        "steps": slider("steps", steps, 1, 100, 1, integer=True),
    }
    return Explorer(lambda lr, steps: viz.plot_path_2d(problem, lr, steps), controls)


def schedule_explorer(
    make: Callable[..., Any],
    controls: Mapping[str, w.ValueWidget],
    steps: int,
    title: Callable[..., str] | None = None,
    logy: bool = False,
) -> Explorer:
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
    Explorer
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

    return Explorer(draw, controls)
