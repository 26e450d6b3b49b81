"""The chapter explorers written in the declarative API (CONVERSIONS.md).

Every code block of CONVERSIONS.md is run as a chapter cell would run it.
Each explorer must draw what the explorer it replaces drew (same numbers at
the default controls), build and show within half a second, and compute the
same figure in the page (lrlab-models.js under Node) as lrlab does in a
kernel, at random combinations of its controls: every number to 1e-12, every
title, label and legend entry character for character.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrlab import problems, widgets
from tests import node

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "CONVERSIONS.md").read_text(), re.S)
NAMES = ["01", "02", "03", "04", "05", "06", "07", "08", "09"]
STATES = 12
BOUND = 1e-12


def _run(block: str, monkeypatch: pytest.MonkeyPatch) -> tuple[widgets.Explorer, float]:
    """Run a block as a cell (with the chapter's ``valley``); the explorer and its show() time."""
    shown: list[Any] = []
    monkeypatch.setattr(widgets, "display", lambda *a, **k: shown.append(a[0]))
    namespace: dict[str, Any] = {"valley": problems.Quadratic2D(10.0, 1.0)}
    start = time.perf_counter()
    exec(compile(block, "<cell>", "exec"), namespace)
    elapsed = time.perf_counter() - start
    assert len(shown) == 3, "show() displays the figure, the controls and the page data"
    return namespace["explorer"], elapsed


def test_one_block_per_chapter() -> None:
    assert len(BLOCKS) == len(NAMES)


@pytest.fixture(scope="module")
def explorers() -> dict[str, widgets.Explorer]:
    # Built and shown twice: the better time discounts moments another process held the CPU.
    with pytest.MonkeyPatch.context() as mp:
        built = {}
        for name, block in zip(NAMES, BLOCKS, strict=True):
            built[name], first = _run(block, mp)
            _, second = _run(block, mp)
            seconds = min(first, second)
            print(f"\nchapter {name}: explorer built and shown in {seconds:.2f} s")
            assert seconds <= 0.5, f"chapter {name}: show() took {seconds:.2f} s"
    return built


def _old(name: str) -> Any:
    """The explorer each conversion replaces, at the chapter's arguments."""
    from lrlab.explorers import cosine_cyclical as cc
    from lrlab.explorers import onecycle_wsd as ow
    from lrlab.nqm import NoisyQuadratic

    nqm = NoisyQuadratic.standard(dim=100, batch_size=1)
    return {
        "04": lambda: cc.plot_restarts_on_nqm(nqm, 1750, 0.5, 250, 2, 0.0),
        "05": lambda: cc.plot_cyclical(0.001, 0.01, 2000, 2000, "triangular", 0.99994, 12_000),
        "06": lambda: ow.plot_one_cycle(1.0, 1000, 0.3, 25.0, 1e4, "cos", False, True),
        "07": lambda: ow.plot_wsd_nqm(0.5, 0.1, "1-sqrt", 0.1, 4000, nqm),
    }[name]()


# Chapters 2 and 3 draw their explorers on their own pages now, chapters 8 and 9 their
# families with their own code (chapter 9 checks its explorer against them): no old
# explorer of theirs is left to compare with.
@pytest.mark.parametrize("name", NAMES[3:7])
def test_each_conversion_draws_what_the_old_explorer_drew(
    explorers: dict[str, widgets.Explorer], name: str
) -> None:
    old = _old(name)
    new = explorers[name].evaluate()
    for ax, panel in zip(old.axes, new["panels"], strict=True):
        # Guides (axvline) span the axes in axes coordinates; the curves are the data.
        curves = [line for line in ax.lines if line.get_transform() == ax.transData]
        drawn = [s for s in panel["series"] if s["kind"] == "line"]
        assert len(curves) == len(drawn)
        for line, series in zip(curves, drawn, strict=True):
            np.testing.assert_array_equal(line.get_xdata(), series["x"])
            np.testing.assert_allclose(line.get_ydata(), series["y"], rtol=1e-13, atol=0)


def _states(ex: widgets.Explorer, count: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    sizes = [len(c.positions) for c in ex.controls]
    states = [list(ex.positions), [0] * len(sizes), [n - 1 for n in sizes]]
    states += [[rng.randrange(n) for n in sizes] for _ in range(count)]
    return states


def _compare(py: dict[str, Any], js: dict[str, Any], where: str) -> float:
    worst = 0.0
    assert js["alt"] == py["alt"], where
    for p, q in zip(py["panels"], js["panels"], strict=True):
        for key in ("title", "xlabel", "ylabel", "logx", "logy"):
            assert q[key] == p[key], f"{where}: {key}"
        for s, t in zip(p["series"], q["series"], strict=True):
            assert t["visible"] == s["visible"] and t["label"] == s["label"], where
            for key in ("x", "y", "low", "high", "at"):
                if key in s:
                    _, scaled = node.errors(s[key], t[key])
                    worst = max(worst, scaled)
                    assert scaled <= BOUND, f"{where}: {key} differs by {scaled:.3g}"
    return worst


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_the_page_computes_what_lrlab_computes(
    explorers: dict[str, widgets.Explorer], name: str
) -> None:
    ex = explorers[name]
    states = _states(ex, STATES, seed=int(name))
    results, ms = node.run({"kind": "explorer", "spec": ex.page_data(), "states": states})
    worst = 0.0
    for state, js in zip(states, results, strict=True):
        assert "error" not in js, js
        py = widgets.evaluate_spec(ex.spec, state, {n: t.cell for n, t in ex.tables.items()})
        worst = max(worst, _compare(py, js, f"chapter {name} at {state}"))
    print(
        f"\nchapter {name}: {len(states)} states, largest difference {worst:.2e}, node {ms:.0f} ms"
    )
