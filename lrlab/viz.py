"""Figure builders in the book's house style: parameters in, matplotlib Figure out.

House style: white face colour (readable on a dark page), the Okabe-Ito
colour-blind-safe palette, labelled axes with units, a light grid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lrlab import problems

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


def new_figure(
    ncols: int = 1, width: float = 6.4, height: float = 3.6
) -> tuple[Figure, list[Axes]]:
    """A white figure with ``ncols`` side-by-side axes in the house style.

    Parameters
    ----------
    ncols : int
        Number of axes.
    width, height : float
        Figure size in inches.

    Returns
    -------
    (Figure, list of Axes)

    Examples
    --------
    >>> fig, (ax,) = new_figure()
    >>> fig.get_facecolor()[:3]
    (1.0, 1.0, 1.0)
    """
    fig, grid = plt.subplots(1, ncols, figsize=(width, height), facecolor="white", squeeze=False)
    axes = list(grid[0])
    for ax in axes:
        ax.set_facecolor("white")
        ax.set_prop_cycle(color=PALETTE)
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    fig.set_layout_engine("constrained")
    return fig, axes


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
        One line per entry, in the palette's order.
    xlabel, ylabel : str
        Axis labels (with units).
    title : str
        Optional title.
    logy : bool
        Logarithmic y axis.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = plot_curves(np.arange(3), {"a": np.ones(3)}, "step", "loss")
    >>> fig.axes[0].get_xlabel()
    'step'
    """
    fig, (ax,) = new_figure()
    for label, y in curves.items():
        ax.plot(x, y, label=label, linewidth=1.6)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend(frameon=False)
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
        One line per schedule, labelled with its key, in the palette's order.

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
        Minimiser, drawn as a dashed line.

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
    for lr in lrs:
        xs = problems.gd_quadratic(lr, steps, x0=x0, b=b)
        ax.plot(t, xs, marker="o", markersize=3, linewidth=1.2, label=f"η = {lr:g}")
    ax.axhline(b, color="black", linewidth=0.8, linestyle="--", label=f"minimum x = {b:g}")
    ax.set_xlabel("step t")
    ax.set_ylabel("iterate $x_t$")
    ax.legend(frameon=False, ncols=2)
    return fig


def plot_path_2d(
    problem: problems.Quadratic2D,
    lr: float,
    steps: int,
    start: tuple[float, float] = (-1.0, 1.5),
) -> Figure:
    """Gradient-descent path on the contours of a 2-D quadratic, with the loss per step.

    The left panel shows the path over level sets; the right panel shows the
    loss on a log scale. The path is the line labelled ``"path"``.

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
    fig, (ax, ax_loss) = new_figure(ncols=2, width=9.0, height=3.8)
    span = max(2.0, float(np.abs(start).max()) * 1.3)
    grid = np.linspace(-span, span, 201)
    gx, gy = np.meshgrid(grid, grid)
    levels = problem.loss(np.array(start[0]), np.array(start[1])) * np.geomspace(1e-3, 2.0, 9)
    ax.contour(gx, gy, problem.loss(gx, gy), levels=levels, colors="#999999", linewidths=0.7)
    shown = np.clip(path, -span, span)
    ax.plot(shown[:, 0], shown[:, 1], marker="o", markersize=3, color=PALETTE[3], label="path")
    ax.plot([0], [0], marker="*", markersize=12, color="black", linestyle="none", label="minimum")
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_aspect("equal")
    ax.set_xlabel("x (steep direction)")
    ax.set_ylabel("y (flat direction)")
    limit = problem.max_stable_lr
    ax.set_title(f"η = {lr:.3g}   (stable below 2/h_x = {limit:.3g})", fontsize=10)
    losses = problem.loss(path[:, 0], path[:, 1])
    ax_loss.semilogy(np.arange(steps + 1), np.maximum(losses, 1e-300), color=PALETTE[0])
    ax_loss.set_xlabel("step t")
    ax_loss.set_ylabel("loss f(x, y)")
    ax_loss.set_title(f"loss after {steps} steps: {losses[-1]:.3g}", fontsize=10)
    return fig
