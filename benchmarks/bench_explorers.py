"""Print what an explorer costs in a live kernel and when the book stores it.

Run with ``python benchmarks/bench_explorers.py``. For three explorers of the
kinds the chapters use (gradient descent on a valley; a schedule and its exact
NQM loss over 1,750 updates; four schedules side by side) it prints the median
of five trials of:

- *build*: declaring the explorer (every corner of its controls checked);
- *show*: what ``show()`` does in a live kernel — the figure drawn and encoded
  as the notebook's 2x PNG, and the controls created — without the page data;
- *move*: one control moved, the figure recomputed and encoded again;
- *page data*: the tables the stored page needs (only when the book stores it).

The page's own redraw times are measured in Chromium by tests/test_browser.py.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator

import matplotlib

matplotlib.use("Agg")

from IPython.core.pylabtools import print_figure

import lrlab
from lrlab import widgets
from lrlab.widgets import (
    E,
    Explorer,
    IntSlider,
    Line,
    Panel,
    Slider,
    lr_curve,
    nqm_loss,
    schedule,
)

TRIALS = 5


def valley() -> Explorer:
    return widgets.gd_valley_explorer()


def schedule_and_nqm() -> Explorer:
    cos = schedule("warmup_cosine", E("peak"), E("T"), E("warmup"))
    return Explorer(
        controls=[
            Slider("peak", 0.25, 0.05, 1.5, 0.05, label="peak"),
            IntSlider("warmup", 50, 0, 500, label="warmup"),
        ],
        constants={"T": 1750},
        panels=[
            Panel([Line(lr_curve(cos, E("T + 1")), label="schedule")], title="peak {peak:.3g}"),
            Panel([Line(nqm_loss(cos, E("T")), label="loss")], title="NQM", logy=True),
        ],
        alt="A warmup-cosine schedule and its expected NQM loss.",
    )


def four_schedules() -> Explorer:
    lines = [
        Line(lr_curve(schedule("cosine", E("peak"), 1000), 1001), label="cosine"),
        Line(lr_curve(schedule("linear_decay", E("peak"), 0.0, 1000), 1001), label="linear"),
        Line(lr_curve(schedule("wsd", E("peak"), 1000, 0, E("decay")), 1001), label="WSD"),
        Line(lr_curve(schedule("constant", E("peak")), 1001), label="constant"),
    ]
    return Explorer(
        controls=[
            Slider("peak", 0.1, 0.05, 1.0, 0.05, label="peak"),
            IntSlider("decay", 200, 10, 1000, step=10, label="decay"),
        ],
        panels=[Panel(lines, title="four schedules")],
        alt="Four schedules with the same peak.",
    )


def median_ms(action: Callable[[], object]) -> float:
    times = []
    for _ in range(TRIALS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main() -> None:
    print(f"median of {TRIALS} trials, wall time in ms (depends on what else the machine runs)")
    print(f"{'explorer':<22}{'build':>8}{'show':>8}{'move':>8}{'page data':>11}")
    for make in (valley, schedule_and_nqm, four_schedules):
        make()  # warm-up: imports, caches
        build = median_ms(make)
        ex = make()

        def show(ex: Explorer = ex) -> None:
            print_figure(ex.figure, "retina", bbox_inches="tight")
            ex.widgets()
            ex._widgets = None  # the controls are created afresh each trial

        name = ex.controls[0].name
        first, last = ex.controls[0].positions[0], ex.controls[0].positions[-1]
        flip = iter([first, last] * TRIALS)

        def move(ex: Explorer = ex, name: str = name, flip: Iterator[int] = flip) -> None:
            ex.set(**{name: next(flip)})
            print_figure(ex.figure, "retina", bbox_inches="tight")

        page = median_ms(lambda ex=ex: ex.page_html(tables=True))
        print(
            f"{make.__name__:<22}{build:8.0f}{median_ms(show):8.0f}{median_ms(move):8.0f}"
            f"{page:11.0f}"
        )
    print(f"lrlab {lrlab.__version__}")


if __name__ == "__main__":
    main()
