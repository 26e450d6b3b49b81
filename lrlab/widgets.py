"""Explorers: controls and figures declared once, live in Jupyter and in the static book.

An :class:`Explorer` is a declaration: controls (:class:`Slider`,
:class:`IntSlider`, :class:`LogSlider`, :class:`Choice`, :class:`Toggle`)
and one or more :class:`Panel` objects, each a list of series (:class:`Line`,
:class:`Band`, :class:`VLines`, :class:`HLines`). A series draws the output
of a *source*:

- a closed-form model of :mod:`lrlab.explorer_models` whose parameters are
  bound to controls by small Python expressions (:class:`E`): a schedule of
  any lrlab family or combinator (:func:`schedule`, drawn with
  :func:`lr_curve`), the noisy quadratic model (:func:`nqm_loss`,
  :func:`nqm_floor`), gradient descent on quadratics (:func:`gd_1d`,
  :func:`gd_2d`, :func:`quadratic_contours`), Adam's moments
  (:func:`adam_state`), RAdam's rectifier (:func:`radam`), a schedule's phase
  boundaries (:func:`phase_marks`);
- or a precomputed :class:`Table` over the full product of at most three
  controls, for figures of real training runs.

The same declaration drives matplotlib in a kernel (:meth:`Explorer.show`
displays the figure and ipywidgets controls; moving a control recomputes with
lrlab and redraws) and the book's page, where ``book/static/lrlab-models.js``
computes the models for any combination of controls and
``book/static/lrlab-explorer.js`` draws an SVG. Every argument is checked
when the explorer is built, and so is every combination of controls: a
combination lrlab refuses is an error here, not a broken page.

Examples
--------
>>> ex = Explorer(
...     controls=[Slider("peak", 0.5, 0.1, 1.0, 0.1), IntSlider("T", 100, 50, 200, 50)],
...     panels=[Panel([Line(lr_curve(schedule("cosine", E("peak"), E("T")), E("T")))],
...                   title="cosine to 0 over {T} steps", xlabel="step t", ylabel="learning rate")],
... )
>>> ex.set(T=150)
>>> data = ex.evaluate()
>>> data["panels"][0]["title"], float(data["panels"][0]["series"][0]["y"][75])
('cosine to 0 over 150 steps', 0.25)
"""

from __future__ import annotations

import functools
import inspect
import itertools
import json
import keyword
import math
import os
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML, display
from matplotlib.figure import Figure

from lrlab import _expr, explorer_models, problems, viz
from lrlab._checks import check_bool, check_choice, check_int, check_number

#: Set to ``1`` in the environment of a kernel whose outputs the book will show
#: (``scripts/execute_notebooks.py`` does): :meth:`Explorer.show` then also
#: computes every cell of the explorer's tables for the page. A live kernel
#: leaves it unset and computes only what it draws.
PAGE_DATA_ENV = "LRLAB_PAGE_DATA"
#: Most positions a slider may have (each is written into the page) ...
MAX_POSITIONS = 4001
#: ... and an integer slider, whose positions the page counts itself.
MAX_INT_POSITIONS = 1_000_001
#: Most controls a table may range over, and most cells it may have.
MAX_TABLE_CONTROLS = 3
MAX_TABLE_CELLS = 1000
#: Largest page data of one explorer, in bytes of JSON.
MAX_PAGE_BYTES = 1_500_000
#: Random combinations of controls checked, on top of every corner of the control space.
CHECK_SAMPLES = 32
#: Corners checked at most (the rest are sampled).
CHECK_CORNERS = 256
#: Line styles a series may use.
DASHES = ("-", "--", ":", "-.", "none")
#: Markers a series may use.
MARKERS = ("o", "s", "^", "v", "D", "*", "x", "+", ".")
#: Fraction of the data range added on each side of an axis (matplotlib's default margin).
MARGIN = 0.05
_NAME_HELP = "a Python identifier that is not a keyword"


def _name(kind: str, value: Any) -> str:
    if (
        not isinstance(value, str)
        or not value.isidentifier()
        or keyword.iskeyword(value)
        or value in ("True", "False", "None")
    ):
        raise ValueError(f"{kind} must be {_NAME_HELP}, got {value!r}")
    return value


def _ident(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not value.isidentifier():
        raise ValueError(f"{kind} must be a Python identifier, got {value!r}")
    return value


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {value!r}")
    return value


def _clean(value: float) -> float:
    """A slider position written with 12 significant digits, so 0.1 + 2 * 0.1 reads 0.3."""
    return float(f"{value:.12g}")


# ------------------------------------------------------------------ expressions


class E:
    """An expression over the explorer's names, evaluated alike in Python and in the page.

    Python syntax: numbers, strings, ``+ - * / // % **``, comparisons,
    ``and``/``or``/``not``, ``a if c else b`` and the functions ``abs min max
    round int float floor ceil sqrt exp log log10`` (and ``first``/``last``
    of a named series, in labels). Names are controls, constants, derived
    values and (in labels) named series.

    Parameters
    ----------
    text : str
        The expression, e.g. ``"max(1, round(decay_frac * T))"``.

    Examples
    --------
    >>> E("peak * floor_frac")
    E('peak * floor_frac')
    """

    def __init__(self, text: str) -> None:
        self.text = _text("E", text)

    def __repr__(self) -> str:
        return f"E({self.text!r})"


class _Sched:
    def __init__(self, family: str, args: dict[str, Any]) -> None:
        self.family, self.args = family, args


class _Pick:
    def __init__(self, key: E, cases: dict[Any, Any]) -> None:
        self.key, self.cases = key, cases


def schedule(family: Any, *args: Any, **kwargs: Any) -> _Sched:
    """An lrlab schedule whose parameters may be expressions (:class:`E`).

    Parameters
    ----------
    family : str or lrlab schedule class
        Any family or combinator of :mod:`lrlab.schedules` (``"wsd"`` or
        ``lrlab.wsd``); combinators take other :func:`schedule` values.
    *args, **kwargs
        Its parameters, as for the lrlab call; defaults are filled in.

    Returns
    -------
    schedule value
        For :func:`lr_curve`, :func:`nqm_loss` and the other sources.

    Examples
    --------
    >>> s = schedule("with_warmup", schedule("cosine", E("peak"), 90), 10)
    >>> s.family, s.args["warmup_steps"], s.args["shape"]
    ('with_warmup', 10, 'linear')
    """
    name = getattr(family, "__name__", family)
    check_choice("family", name, tuple(explorer_models.FAMILIES))
    signature = _signature(name)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as exc:
        raise ValueError(f"schedule({name!r}, ...): {exc}") from None
    bound.apply_defaults()
    return _Sched(name, dict(bound.arguments))


@functools.cache
def _signature(family: str) -> inspect.Signature:
    return inspect.signature(explorer_models.FAMILIES[family])


def pick(key: E, cases: Mapping[Any, Any]) -> _Pick:
    """One of several values (numbers, expressions, schedules), chosen by ``key``.

    Parameters
    ----------
    key : E
        An expression, typically a :class:`Choice` control.
    cases : mapping
        Value of ``key`` to the value to use; every value ``key`` can take
        must be there.

    Examples
    --------
    >>> flat, down = schedule("constant", 1.0), schedule("cosine", 1.0, 9)
    >>> p = pick(E("shape"), {"flat": flat, "down": down})
    >>> sorted(p.cases)
    ['down', 'flat']
    """
    if not isinstance(key, E):
        raise ValueError(f"key must be an expression E(...), got {key!r}")
    if not isinstance(cases, Mapping) or not cases:
        raise ValueError(
            f"cases must be a non-empty mapping of key values to values, got {cases!r}"
        )
    return _Pick(key, dict(cases))


# ------------------------------------------------------------------ controls


class _Control:
    kind = ""

    def __init__(self, name: str, label: str | None) -> None:
        self.name = _name("name", name)
        self.label = _text("label", label if label is not None else name)
        self.runs = _expr.tex_runs(self.label)
        self.positions: Sequence[Any] = []
        self.index = 0

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.runs, "kind": self.kind, "value": self.index}

    def readout(self, k: int) -> str:
        return _expr.format_value(self.positions[k], "")


def _position(name: str, value: float, positions: list[float], rule: str) -> int:
    k = int(np.argmin([abs(p - value) for p in positions]))
    if abs(positions[k] - value) > 1e-9 * max(1.0, abs(value)):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    return k


class _NumberControl(_Control):
    """A control over a list of numbers, each shown with the control's format."""

    fmt = ""

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "values": [["f", v] for v in self.positions], "fmt": self.fmt}

    def readout(self, k: int) -> str:
        return _expr.format_value(self.positions[k], self.fmt)


class Slider(_NumberControl):
    """A slider over ``lo, lo + step, …, hi``.

    Parameters
    ----------
    name : str
        The name expressions use.
    value : float
        Initial value, one of the positions.
    lo, hi : float
        Range, ``lo < hi``, a whole number of steps apart.
    step : float
        Distance between positions, > 0.
    label : str, optional
        Shown beside the slider (TeX in ``$...$`` allowed); default ``name``.
    fmt : str, default ".3g"
        Format of the readout (Python format specification).

    Examples
    --------
    >>> Slider("peak", 0.3, 0.1, 0.5, 0.1).positions
    [0.1, 0.2, 0.3, 0.4, 0.5]
    >>> Slider("peak", 0.7, 0.1, 0.5, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: peak must be a number in [0.1, 0.5], got 0.7
    """

    kind = "float"

    def __init__(
        self,
        name: str,
        value: float,
        lo: float,
        hi: float,
        step: float,
        label: str | None = None,
        fmt: str = ".3g",
    ) -> None:
        super().__init__(name, label)
        lo = check_number("lo", lo, -1e300, 1e300)
        hi = check_number("hi", hi, lo, 1e300)
        if hi == lo:
            raise ValueError(f"hi must be a number in ({lo:g}, inf), got {hi!r}")
        step = check_number("step", step, 0.0, hi - lo)
        if step == 0.0:
            raise ValueError(f"step must be a number in (0, {hi - lo:g}], got {step!r}")
        count = (hi - lo) / step
        if abs(count - round(count)) > 1e-9 * max(1.0, count):
            raise ValueError(
                f"hi must be lo plus a whole number of steps ({lo:g} + k · {step:g}), got {hi!r}"
            )
        count = check_int(
            f"the number of positions of {self.name}", round(count) + 1, 2, MAX_POSITIONS
        )
        value = check_number(self.name, value, lo, hi)
        self.fmt = _expr.check_spec(fmt, f"fmt of {self.name}")
        self.positions = [_clean(lo + k * step) for k in range(count)]
        self.index = _position(
            self.name, value, self.positions, f"a position {lo:g} + k · {step:g}"
        )


class LogSlider(Slider):
    """A slider whose positions are evenly spaced in ``log10``: ``per_decade`` per factor of 10.

    Parameters
    ----------
    name : str
        The name expressions use.
    value : float
        Initial value, one of the positions.
    lo, hi : float
        Range, ``0 < lo < hi``, a whole number of steps apart in ``log10``.
    per_decade : int, default 10
        Positions per factor of 10.
    label, fmt
        As for :class:`Slider`.

    Examples
    --------
    >>> LogSlider("f", 0.1, 0.01, 1.0, per_decade=2).positions
    [0.01, 0.0316227766017, 0.1, 0.316227766017, 1.0]
    """

    kind = "log"

    def __init__(
        self,
        name: str,
        value: float,
        lo: float,
        hi: float,
        per_decade: int = 10,
        label: str | None = None,
        fmt: str = ".3g",
    ) -> None:
        _Control.__init__(self, name, label)
        lo = check_number("lo", lo, 0.0, 1e300, closed=False)
        hi = check_number("hi", hi, lo, 1e300)
        if hi == lo:
            raise ValueError(f"hi must be a number in ({lo:g}, inf), got {hi!r}")
        per_decade = check_int("per_decade", per_decade, 1, 1000)
        count = (math.log10(hi) - math.log10(lo)) * per_decade
        if abs(count - round(count)) > 1e-9 * max(1.0, count):
            raise ValueError(
                f"hi must be lo times a whole number of steps of 10^(1/{per_decade}), got {hi!r}"
            )
        count = check_int(
            f"the number of positions of {self.name}", round(count) + 1, 2, MAX_POSITIONS
        )
        value = check_number(self.name, value, lo, hi)
        self.fmt = _expr.check_spec(fmt, f"fmt of {self.name}")
        start = math.log10(lo)
        self.positions = [_clean(10 ** (start + k / per_decade)) for k in range(count)]
        self.positions[0], self.positions[-1] = float(lo), float(hi)
        self.index = _position(
            self.name, value, self.positions, f"a position {lo:g} · 10^(k/{per_decade})"
        )


class ValueSlider(_NumberControl):
    """A slider over a given increasing list of numbers (e.g. 1, 2, 5, 10, 25, …).

    Parameters
    ----------
    name : str
        The name expressions use.
    value : float
        Initial value, one of ``values``.
    values : sequence of float
        At least two finite numbers, strictly increasing.
    label, fmt
        As for :class:`Slider`.

    Examples
    --------
    >>> ValueSlider("div", 25, [1, 10, 25, 100]).index
    2
    >>> ValueSlider("div", 30, [1, 10, 25, 100])
    Traceback (most recent call last):
    ...
    ValueError: div must be one of 1, 10, 25, 100, got 30
    """

    kind = "list"

    def __init__(
        self,
        name: str,
        value: float,
        values: Sequence[float],
        label: str | None = None,
        fmt: str = ".3g",
    ) -> None:
        super().__init__(name, label)
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):
            raise ValueError(f"values must be a sequence of at least two numbers, got {values!r}")
        numbers = [check_number("values", v, -1e300, 1e300) for v in values]
        if len(numbers) < 2 or any(b <= a for a, b in itertools.pairwise(numbers)):
            raise ValueError(
                f"values must be at least two strictly increasing numbers, got {values!r}"
            )
        check_int(f"the number of positions of {self.name}", len(numbers), 2, MAX_POSITIONS)
        self.fmt = _expr.check_spec(fmt, f"fmt of {self.name}")
        self.positions = numbers
        allowed = ", ".join(f"{v:g}" for v in numbers)
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise ValueError(f"{self.name} must be one of {allowed}, got {value!r}")
        matches = [k for k, v in enumerate(numbers) if v == float(value)]
        if not matches:
            raise ValueError(f"{self.name} must be one of {allowed}, got {value!r}")
        self.index = matches[0]


class IntSlider(_Control):
    """A slider over the integers ``lo, lo + step, …, hi``.

    Examples
    --------
    >>> list(IntSlider("steps", 20, 1, 100).positions[:3])
    [1, 2, 3]
    >>> IntSlider("steps", 0, 1, 100)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [1, 100], got 0
    """

    kind = "int"

    def __init__(
        self, name: str, value: int, lo: int, hi: int, step: int = 1, label: str | None = None
    ) -> None:
        super().__init__(name, label)
        lo = check_int("lo", lo, -(2**52), 2**52)
        hi = check_int("hi", hi, lo + 1, 2**52)
        step = check_int("step", step, 1, hi - lo)
        if (hi - lo) % step:
            raise ValueError(
                f"hi must be lo plus a whole number of steps ({lo} + k · {step}), got {hi}"
            )
        count = (hi - lo) // step + 1
        check_int(f"the number of positions of {self.name}", count, 2, MAX_INT_POSITIONS)
        value = check_int(self.name, value, lo, hi)
        if (value - lo) % step:
            raise ValueError(f"{self.name} must be a position {lo} + k · {step}, got {value}")
        self.lo, self.step = lo, step
        self.positions: Sequence[int] = range(lo, hi + 1, step)
        self.index = (value - lo) // step

    def spec(self) -> dict[str, Any]:
        return {**super().spec(), "min": self.lo, "step": self.step, "count": len(self.positions)}


class Choice(_Control):
    """A drop-down menu of values (strings, numbers or booleans).

    Parameters
    ----------
    name : str
        The name expressions use.
    value
        Initial value, one of ``options``.
    options : sequence
        At least two distinct values.
    label : str, optional
        Shown beside the menu; default ``name``.
    labels : sequence of str, optional
        What the menu shows for each option; default ``str(option)``.

    Examples
    --------
    >>> Choice("mode", "triangular", ["triangular", "exp_range"]).index
    0
    >>> Choice("mode", "linear", ["triangular", "exp_range"])
    Traceback (most recent call last):
    ...
    ValueError: mode must be one of 'triangular', 'exp_range', got 'linear'
    """

    kind = "choice"

    def __init__(
        self,
        name: str,
        value: Any,
        options: Sequence[Any],
        label: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        super().__init__(name, label)
        if isinstance(options, str | bytes) or not isinstance(options, Sequence):
            raise ValueError(f"options must be a sequence of at least two values, got {options!r}")
        self.positions = [o.item() if isinstance(o, np.generic) else o for o in options]
        trees = [_literal_tree(o, f"options of {self.name}") for o in self.positions]
        if len(self.positions) < 2 or len({json.dumps(t) for t in trees}) < len(trees):
            raise ValueError(f"options must be at least two distinct values, got {options!r}")
        chosen = check_choice(self.name, value, self.positions)
        self.index = next(k for k, o in enumerate(self.positions) if o is chosen or o == chosen)
        shown = [str(o) for o in self.positions] if labels is None else list(labels)
        if len(shown) != len(self.positions) or not all(isinstance(s, str) for s in shown):
            raise ValueError(f"labels must be one string per option, got {labels!r}")
        self.labels = shown

    def spec(self) -> dict[str, Any]:
        trees = [_literal_tree(o, self.name) for o in self.positions]
        return {**super().spec(), "values": trees, "labels": self.labels}

    def readout(self, k: int) -> str:
        return self.labels[k]


class Toggle(_Control):
    """A check box: ``False`` or ``True``.

    Examples
    --------
    >>> Toggle("logy", True).positions
    [False, True]
    """

    kind = "toggle"

    def __init__(self, name: str, value: bool, label: str | None = None) -> None:
        super().__init__(name, label)
        self.positions = [False, True]
        self.index = int(check_bool(self.name, value))


Control = Slider | LogSlider | ValueSlider | IntSlider | Choice | Toggle


# ------------------------------------------------------------------ sources


class _Source:
    outputs: tuple[str, ...] = ()

    def default_x(self, y: str) -> str:
        raise NotImplementedError


class _Model(_Source):
    def __init__(self, name: str, params: dict[str, Any]) -> None:
        model = explorer_models.MODELS[name]
        unknown = sorted(set(params) - set(model.params))
        if unknown:
            raise ValueError(
                f"{name} has no parameter {unknown[0]!r}; it takes {', '.join(model.params)}"
            )
        missing = [
            p for p, d in model.params.items() if d is explorer_models.REQUIRED and p not in params
        ]
        if missing:
            raise ValueError(f"{name} needs the parameter {missing[0]!r}")
        self.name = name
        self.params = {p: params.get(p, d) for p, d in model.params.items()}
        self.outputs = model.outputs
        self.x = model.x

    def default_x(self, y: str) -> str:
        return self.x.get(y, self.outputs[0])


def model(name: str, **params: Any) -> _Source:
    """Any model of :data:`lrlab.explorer_models.MODELS` as a source.

    Examples
    --------
    >>> model("gd_1d", lr=E("lr"), steps=10).params["b"]
    3.0
    """
    check_choice("model", name, tuple(explorer_models.MODELS))
    return _Model(name, params)


def lr_curve(schedule: Any, steps: Any) -> _Source:
    """A schedule at steps ``0 … steps − 1``: outputs ``t``, ``lr`` and ``momentum`` (if any).

    Examples
    --------
    >>> lr_curve(schedule("constant", 0.1), 10).outputs
    ('t', 'lr', 'momentum')
    """
    return _Model("schedule", {"schedule": schedule, "steps": steps})


def nqm_loss(
    schedule: Any, steps: Any, dim: Any = 100, batch_size: Any = 1, theta0: Any = 1.0
) -> _Source:
    """Exact expected loss of the standard noisy quadratic model: outputs ``t``, ``loss``.

    See :func:`lrlab.explorer_models.nqm_loss`.

    Examples
    --------
    >>> nqm_loss(schedule("constant", 0.5), 100).params["dim"]
    100
    """
    params = {"schedule": schedule, "steps": steps, "dim": dim}
    return _Model("nqm", {**params, "batch_size": batch_size, "theta0": theta0})


def nqm_floor(schedule: Any, steps: Any, dim: Any = 100, batch_size: Any = 1) -> _Source:
    """The NQM noise floor of each update's LR: outputs ``t``, ``floor``.

    See :func:`lrlab.explorer_models.nqm_floor`.

    Examples
    --------
    >>> nqm_floor(schedule("constant", 0.5), 100).outputs
    ('t', 'floor')
    """
    params = {"schedule": schedule, "steps": steps, "dim": dim, "batch_size": batch_size}
    return _Model("nqm_floor", params)


def gd_1d(lr: Any, steps: Any, x0: Any = 0.0, a: Any = 1.0, b: Any = 3.0) -> _Source:
    """Gradient descent on ``a (x − b)²``: outputs ``t``, ``x``, ``loss``.

    Examples
    --------
    >>> gd_1d(E("lr"), 50).outputs
    ('t', 'x', 'loss')
    """
    return _Model("gd_1d", {"lr": lr, "steps": steps, "x0": x0, "a": a, "b": b})


def gd_2d(
    lr: Any, steps: Any, h_x: Any = 10.0, h_y: Any = 1.0, x0: Any = -1.0, y0: Any = 1.5
) -> _Source:
    """Gradient descent on ``(h_x x² + h_y y²) / 2``: outputs ``t``, ``x``, ``y``, ``loss``.

    ``Line(src, y="y")`` draws the path (x against y), ``Line(src, y="loss")``
    the loss against ``t``.

    Examples
    --------
    >>> gd_2d(E("lr"), 20).default_x("y"), gd_2d(E("lr"), 20).default_x("loss")
    ('x', 't')
    """
    params = {"lr": lr, "steps": steps, "h_x": h_x, "h_y": h_y, "x0": x0, "y0": y0}
    return _Model("gd_2d", params)


def quadratic_contours(
    h_x: Any, h_y: Any, top: Any, ratio: Any, count: Any, points: Any = 121
) -> _Source:
    """Level sets of ``(h_x x² + h_y y²) / 2`` at ``top · ratioᵏ``: outputs ``x``, ``y``.

    Examples
    --------
    >>> quadratic_contours(10.0, 1.0, 2.0, 0.5, 9).outputs
    ('x', 'y')
    """
    params = {"h_x": h_x, "h_y": h_y, "top": top, "ratio": ratio, "count": count}
    return _Model("quadratic_contours", {**params, "points": points})


def adam_state(
    beta1: Any, beta2: Any, steps: Any, grad_mean: Any = 1.0, grad_flip: Any = 0.0, eps: Any = 1e-8
) -> _Source:
    """Adam's moments for ``g_k = grad_mean + grad_flip · (−1)^(k+1)``, ``k = 1 … steps``.

    Outputs ``k``, ``grad``, ``m``, ``v``, ``bias1``, ``bias2``, ``m_hat``,
    ``v_hat``, ``update``, ``raw_update`` (see :class:`lrlab.adam.AdamMoments`).

    Examples
    --------
    >>> adam_state(0.9, E("beta2"), 100).default_x("update")
    'k'
    """
    params = {"beta1": beta1, "beta2": beta2, "steps": steps, "grad_mean": grad_mean}
    return _Model("adam", {**params, "grad_flip": grad_flip, "eps": eps})


def radam(beta2: Any, steps: Any, threshold: Any = 4.0) -> _Source:
    """RAdam's ``ρₖ`` and rectifier, ``k = 1 … steps``: outputs ``k``, ``rho``, ``rectifier``.

    Examples
    --------
    >>> radam(E("beta2"), 100).outputs
    ('k', 'rho', 'rectifier')
    """
    return _Model("radam", {"beta2": beta2, "steps": steps, "threshold": threshold})


def phase_marks(schedule: Any, steps: Any) -> _Source:
    """Where a schedule changes phase, in ``(0, steps]``: output ``x``, for :class:`VLines`.

    Examples
    --------
    >>> phase_marks(schedule("cosine_restarts", 1.0, 50, 2), 400).outputs
    ('x',)
    """
    return _Model("phase_marks", {"schedule": schedule, "steps": steps})


class Table(_Source):
    """Precomputed numbers over the full product of at most three controls.

    For figures of real training runs: ``compute`` is called with the values
    of the ``over`` controls and returns named 1-D arrays. In a kernel it is
    called for the drawn combination only (and remembered); for the book
    page (when :data:`PAGE_DATA_ENV` is set) for every combination.

    Parameters
    ----------
    name : str
        Identifies the table.
    over : sequence of str
        The controls it depends on, at most :data:`MAX_TABLE_CONTROLS`.
    compute : callable
        ``compute(**values) -> mapping of output name to 1-D array``; every
        cell must have the same outputs; NaN is allowed, infinities are not.
    outputs : sequence of str
        The output names.

    Examples
    --------
    >>> t = Table("runs", ["peak"], lambda peak: {"t": [0, 1], "loss": [1.0, peak]}, ["t", "loss"])
    >>> t.cell({"peak": 0.5})["loss"].tolist()
    [1.0, 0.5]
    """

    def __init__(
        self,
        name: str,
        over: Sequence[str],
        compute: Callable[..., Mapping[str, Any]],
        outputs: Sequence[str],
    ) -> None:
        self.name = _ident("name", name)
        if isinstance(over, str) or len(over) > MAX_TABLE_CONTROLS:
            raise ValueError(
                f"over must be a sequence of at most {MAX_TABLE_CONTROLS} control names, "
                f"got {over!r}"
            )
        self.over = tuple(_name("over", o) for o in over)
        if not callable(compute):
            raise ValueError(f"compute must be callable, got {compute!r}")
        self.compute = compute
        self.outputs = tuple(_ident("outputs", o) for o in outputs)
        if not self.outputs:
            raise ValueError("outputs must name at least one output, got []")
        self._cells: dict[tuple, dict[str, np.ndarray]] = {}

    def default_x(self, y: str) -> str:
        return self.outputs[0]

    def cell(self, values: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """The outputs for these control values, computed once."""
        key = tuple(json.dumps(_literal_tree(values[o], o)) for o in self.over)
        if key not in self._cells:
            got = self.compute(**{o: values[o] for o in self.over})
            missing = [o for o in self.outputs if o not in got]
            if missing:
                raise ValueError(f"table {self.name}: compute gave no {missing[0]!r}")
            cell = {}
            for o in self.outputs:
                arr = np.asarray(got[o], dtype=np.float64)
                if arr.ndim != 1 or np.isinf(arr).any():
                    raise ValueError(
                        f"table {self.name}: {o} must be a 1-D array of finite numbers or NaN, "
                        f"got shape {arr.shape}"
                    )
                cell[o] = arr
            self._cells[key] = cell
        return self._cells[key]


def data(name: str, **arrays: Any) -> Table:
    """Fixed numbers (a reference point, a published curve): a table over no control.

    Examples
    --------
    >>> data("minimum", x=[0.0], y=[0.0]).cell({})["x"].tolist()
    [0.0]
    """
    fixed = {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}
    return Table(name, (), lambda: fixed, tuple(fixed))


# ------------------------------------------------------------------ series


class _Series:
    kind = ""

    def __init__(self, source: Any, y: str | None, visible: Any) -> None:
        if not isinstance(source, _Source):
            raise ValueError(f"source must be a model source or a Table, got {source!r}")
        self.source = source
        self.y = y if y is not None else _main_output(source)
        if self.y not in source.outputs:
            raise ValueError(f"y must be one of {', '.join(source.outputs)}, got {self.y!r}")
        self.visible = visible


def _main_output(source: _Source) -> str:
    outs = [o for o in source.outputs if o not in ("t", "k")]
    return outs[0] if outs else source.outputs[0]


#: matplotlib's named dash patterns (on/off lengths in points, before scaling by the width).
_NAMED_DASHES = {"-": [], "--": [3.7, 1.6], ":": [1.0, 1.65], "-.": [6.4, 1.6, 1.0, 1.6]}


def _dash(dash: Any) -> Any:
    """A dash for the page: ``"none"``, ``[]`` (solid) or on/off lengths in points.

    Named styles and matplotlib's ``(offset, (on, off, ...))`` tuples are
    accepted; ``None`` leaves the house style's dash of the series.
    """
    if dash is None:
        return None
    if isinstance(dash, str):
        if dash == "none":
            return "none"
        return list(_NAMED_DASHES[check_choice("dash", dash, DASHES)])
    ok = isinstance(dash, tuple) and len(dash) == 2 and isinstance(dash[1], tuple | list)
    lengths = list(dash[1]) if ok else []
    if not ok or len(lengths) < 2 or len(lengths) % 2:
        raise ValueError(
            f"dash must be one of {', '.join(repr(d) for d in DASHES)} or "
            f"(offset, (on, off, ...)), got {dash!r}"
        )
    return [check_number("dash", v, 0.0, 100.0, closed="(]") for v in lengths]


def _style(color: Any, dash: Any, width: Any) -> dict[str, Any]:
    if color is not None and not (isinstance(color, str) and color.startswith("#")):
        raise ValueError(f"color must be a '#rrggbb' colour, got {color!r}")
    if color is not None and (
        len(color) != 7 or not all(c in "0123456789abcdefABCDEF" for c in color[1:])
    ):
        raise ValueError(f"color must be a '#rrggbb' colour, got {color!r}")
    house = viz.BOOK_STYLE["lines.linewidth"]
    return {
        "color": color,
        "dash": _dash(dash),
        "width": house if width is None else check_number("width", width, 0.0, 20.0),
    }


def _matplotlib_dash(dash: Any) -> Any:
    if dash == "none":
        return "none"
    return "-" if not dash else (0, tuple(dash))


class Line(_Series):
    """A line (or markers) of one output against another.

    Parameters
    ----------
    source : source
        A model source or a :class:`Table`.
    y : str, optional
        The output drawn vertically; default the source's main output.
    x : str, optional
        The output drawn horizontally; default the one that goes with ``y``.
    label : str, optional
        Legend entry, a template (``{expr:spec}`` fields, ``$TeX$``).
    color : str, optional
        ``"#rrggbb"``; default the house style's colour of the series
        (:func:`lrlab.viz.series_style`, counting the panel's lines and bands).
    dash : {"-", "--", ":", "-.", "none"} or (offset, (on, off, ...)), optional
        Default the house style's dash of the series (solid for the first).
    width : float, optional
        Line width in points; default the house style's.
    marker : str, optional
        One of :data:`MARKERS`.
    marker_size : float, default 3
    steps : bool, default False
        Draw as a staircase, each value held until the next ``x``.
    name : str, optional
        Makes the ``y`` values available to label templates (``last(name)``).
    visible : bool or E, optional
        Whether to draw it (an expression may hide it for some controls).
    x_shift, y_scale : float or E, optional
        Draw ``x + x_shift`` against ``y · y_scale`` (e.g. RAdam's steps
        ``k = t + 1`` against the update ``t``, a rectifier times the peak).

    Examples
    --------
    >>> Line(gd_1d(0.1, 5), y="x", marker="o").style["marker"]
    'o'
    """

    kind = "line"

    def __init__(
        self,
        source: Any,
        y: str | None = None,
        x: str | None = None,
        label: str | None = None,
        color: str | None = None,
        dash: Any = None,
        width: float | None = None,
        marker: str | None = None,
        marker_size: float = 3.0,
        steps: bool = False,
        name: str | None = None,
        visible: Any = None,
        x_shift: Any = None,
        y_scale: Any = None,
    ) -> None:
        super().__init__(source, y, visible)
        self.x_shift, self.y_scale = x_shift, y_scale
        self.x = x if x is not None else source.default_x(self.y)
        if self.x not in source.outputs:
            raise ValueError(f"x must be one of {', '.join(source.outputs)}, got {self.x!r}")
        self.label = None if label is None else _text("label", label)
        self.style = _style(color, dash, width)
        self.style["marker"] = None if marker is None else check_choice("marker", marker, MARKERS)
        self.style["marker_size"] = check_number("marker_size", marker_size, 0.0, 50.0)
        self.style["steps"] = check_bool("steps", steps)
        self.name = None if name is None else _name("name", name)


class Band(_Series):
    """A shaded band between two outputs (e.g. the lowest and highest seed).

    Examples
    --------
    >>> t = Table("r", [], lambda: {"t": [0, 1], "lo": [0, 0], "hi": [1, 2]}, ["t", "lo", "hi"])
    >>> Band(t, "lo", "hi").x
    't'
    """

    kind = "band"

    def __init__(
        self,
        source: Any,
        low: str,
        high: str,
        x: str | None = None,
        label: str | None = None,
        color: str | None = None,
        alpha: float = 0.2,
        visible: Any = None,
    ) -> None:
        super().__init__(source, low, visible)
        if high not in source.outputs:
            raise ValueError(f"high must be one of {', '.join(source.outputs)}, got {high!r}")
        self.low, self.high = low, high
        self.x = x if x is not None else source.default_x(low)
        self.label = None if label is None else _text("label", label)
        self.style = _style(color, "-", 0.0)
        self.style["alpha"] = check_number("alpha", alpha, 0.0, 1.0)
        self.name = None


class VLines(_Series):
    """Vertical guide lines at the values of one output (phase ends, restarts).

    Parameters
    ----------
    source : source
        Typically :func:`phase_marks`.
    y : str, default "x"
        The output holding the positions.
    max_count : int, optional
        Draw none when there are more (a dense comb hides the curve).

    Examples
    --------
    >>> VLines(phase_marks(schedule("constant", 1.0), 10), max_count=30).max_count
    30
    """

    kind = "vlines"

    def __init__(
        self,
        source: Any,
        y: str = "x",
        color: str = "#777777",
        dash: str = ":",
        width: float = 0.9,
        max_count: int | None = None,
        visible: Any = None,
    ) -> None:
        super().__init__(source, y, visible)
        self.style = _style(color, dash, width)
        self.max_count = None if max_count is None else check_int("max_count", max_count, 0)
        self.label = None
        self.name = None
        self.x = self.y


class HLines(VLines):
    """Horizontal guide lines at the values of one output.

    Examples
    --------
    >>> HLines(data("floor", y=[0.1]), y="y").kind
    'hlines'
    """

    kind = "hlines"


Series = Line | Band | VLines | HLines


class Panel:
    """One axes of the figure: its series, titles, scales and limits.

    Parameters
    ----------
    series : sequence of series
        Drawn in order (later on top).
    title, xlabel, ylabel : str
        Templates: ``{expr:spec}`` fields over the explorer's names and
        named series, ``$TeX$`` parts.
    logx, logy : bool or E, default False
        Logarithmic axes (an expression, e.g. a :class:`Toggle`).
    xlim, ylim : pair of (float, E or None)
        Fixed limits; ``None`` leaves a side to the data (plus 5 %).
    aspect : {None, "equal"}
        ``"equal"`` keeps one unit the same length on both axes.
    legend : bool, optional
        Draw a legend of the labelled series; default when any is labelled.

    Examples
    --------
    >>> Panel([Line(gd_1d(0.1, 5))], ylim=(0, None)).ylim
    (0, None)
    """

    def __init__(
        self,
        series: Sequence[Any],
        title: str = "",
        xlabel: str = "",
        ylabel: str = "",
        logx: Any = False,
        logy: Any = False,
        xlim: Sequence[Any] = (None, None),
        ylim: Sequence[Any] = (None, None),
        aspect: str | None = None,
        legend: bool | None = None,
    ) -> None:
        series = list(series)
        if not series or not all(isinstance(s, Line | Band | VLines) for s in series):
            raise ValueError(
                f"series must be a non-empty list of Line, Band, VLines or HLines, got {series!r}"
            )
        self.series = series
        self.title, self.xlabel, self.ylabel = (
            _text("title", title),
            _text("xlabel", xlabel),
            _text("ylabel", ylabel),
        )
        self.logx, self.logy = logx, logy
        for name, lim in (("xlim", xlim), ("ylim", ylim)):
            if isinstance(lim, str) or len(lim) != 2:
                raise ValueError(f"{name} must be a pair (low, high), got {lim!r}")
        self.xlim, self.ylim = tuple(xlim), tuple(ylim)
        self.aspect = None if aspect is None else check_choice("aspect", aspect, ("equal",))
        self.legend = None if legend is None else check_bool("legend", legend)


# ------------------------------------------------------------------ compiling


def _literal_tree(value: Any, where: str) -> list:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} must be finite, got {value!r}")
        return ["f", value]
    if isinstance(value, str):
        return ["s", value]
    raise ValueError(f"{where} must be a number, string or boolean, got {value!r}")


def _tree(value: Any, names: set[str], where: str) -> list:
    """A parameter as a value tree of :mod:`lrlab.explorer_models`."""
    if isinstance(value, E):
        return _expr.parse(value.text, names, where)
    if value is None:
        return ["none"]
    if isinstance(value, list | tuple):
        return ["list", *(_tree(v, names, f"{where}[{i}]") for i, v in enumerate(value))]
    if isinstance(value, _Sched):
        args = [[k, _tree(v, names, f"{where}.{k}")] for k, v in value.args.items()]
        return ["sched", value.family, args]
    if isinstance(value, _Pick):
        cases = [
            [_literal_tree(k, f"{where} case"), _tree(v, names, f"{where}[{k!r}]")]
            for k, v in value.cases.items()
        ]
        return ["pick", _expr.parse(value.key.text, names, where), cases]
    return _literal_tree(value, where)


def _flag_tree(value: Any, names: set[str], where: str) -> list:
    if isinstance(value, E):
        return _expr.parse(value.text, names, where)
    return ["b", check_bool(where, value)]


def _limit_tree(value: Any, names: set[str], where: str) -> list | None:
    if value is None:
        return None
    if isinstance(value, E):
        return _expr.parse(value.text, names, where)
    return ["f", check_number(where, value, -1e300, 1e300)]


# ------------------------------------------------------------------ evaluation


def _control_value(control: Mapping[str, Any], k: int) -> Any:
    kind = control["kind"]
    if kind == "int":
        return control["min"] + k * control["step"]
    if kind == "toggle":
        return k == 1
    return control["values"][k][1]


def _control_count(control: Mapping[str, Any]) -> int:
    if control["kind"] == "int":
        return control["count"]
    if control["kind"] == "toggle":
        return 2
    return len(control["values"])


def _environment(spec: Mapping[str, Any], positions: Sequence[int]) -> dict[str, Any]:
    env: dict[str, Any] = {name: tree[1] for name, tree in spec["constants"].items()}
    for control, k in zip(spec["controls"], positions, strict=True):
        env[control["name"]] = _control_value(control, k)
    for name, tree in spec["derived"]:
        env[name] = _expr.evaluate(tree, env)
    return env


def _same_literal(a: Sequence[Any], b: Sequence[Any]) -> bool:
    """Whether two literal trees are equal as the page compares them: numbers by value.

    A spec read back from the page has been through JavaScript, which writes the
    float 1.0 as 1: the Python type of a number does not say which position it is.
    """
    if a[0] in ("i", "f") and b[0] in ("i", "f"):
        return bool(a[1] == b[1])
    return list(a) == list(b)


def _json_cell(table: Mapping[str, Any], env: Mapping[str, Any]) -> dict[str, np.ndarray]:
    index = 0
    for name, values in zip(table["over"], table["values"], strict=True):
        key = _literal_tree(env[name], name)
        found = [j for j, v in enumerate(values) if _same_literal(v, key)]
        if not found:
            raise ValueError(f"table {table['name']} has no entry for {name} = {env[name]!r}")
        index = index * len(values) + found[0]
    out = {}
    for name in table["outputs"]:
        raw = table["shared"][name] if name in table["shared"] else table["cells"][index][name]
        out[name] = np.array([np.nan if v is None else v for v in raw], dtype=np.float64)
    return out


def evaluate_spec(
    spec: Mapping[str, Any],
    positions: Sequence[int],
    tables: Mapping[str, Callable[[Mapping[str, Any]], dict[str, np.ndarray]]] | None = None,
) -> dict[str, Any]:
    """What an explorer shows for these control positions, computed by lrlab.

    This is the kernel's side of what ``evaluateExplorer`` in
    ``book/static/lrlab-models.js`` computes in the page.

    Parameters
    ----------
    spec : mapping
        :attr:`Explorer.spec` (or the JSON the page carries).
    positions : sequence of int
        The position of every control.
    tables : mapping, optional
        Table name to a function of the control values giving its outputs;
        by default the table data in ``spec``.

    Returns
    -------
    dict
        ``env`` (every name's value, series included), ``alt`` and
        ``panels``: per panel its page texts (``title``, ``xlabel``,
        ``ylabel``), ``logx``, ``logy``, ``xlim``, ``ylim`` and ``series``,
        each with ``kind``, ``visible``, ``label`` and its numbers (``x``,
        ``y``; ``x``, ``low``, ``high``; or ``at``).
    """
    env = _environment(spec, positions)
    sources = []
    for src in spec["sources"]:
        if src[0] == "table":
            if tables is not None:
                sources.append(tables[src[1]](env))
            else:
                sources.append(_json_cell(spec["tables"][src[1]], env))
            continue
        params = {name: explorer_models.evaluate_value(tree, env) for name, tree in src[2]}
        sources.append(explorer_models.compute(src[1], params))
    full = dict(env)
    for panel in spec["panels"]:
        for s in panel["series"]:
            if s.get("name"):
                full[s["name"]] = sources[s["source"]][s["y"]]
    panels = []
    for panel in spec["panels"]:
        out_series = []
        for s in panel["series"]:
            d = sources[s["source"]]
            shown = True if s["visible"] is None else bool(_expr.evaluate(s["visible"], full))
            item: dict[str, Any] = {
                "kind": s["kind"],
                "visible": shown,
                "label": None if s["label"] is None else page_text(s["label"], full),
            }
            if s["kind"] == "band":
                item.update(x=d[s["x"]], low=d[s["low"]], high=d[s["high"]])
            elif s["kind"] in ("vlines", "hlines"):
                at = np.asarray(d[s["y"]], dtype=np.float64)
                too_many = s["max_count"] is not None and at.size > s["max_count"]
                item["at"] = at[:0] if too_many else at
            else:
                if s["y"] not in d:
                    raise ValueError(f"the model gives no {s['y']!r} for these controls")
                x, y = d[s["x"]], d[s["y"]]
                if s["x_shift"] is not None:
                    x = x + float(_expr.evaluate(s["x_shift"], full))
                if s["y_scale"] is not None:
                    y = y * float(_expr.evaluate(s["y_scale"], full))
                item.update(x=x, y=y)
            out_series.append(item)

        def limit(pair: Sequence[Any]) -> list[float | None]:
            return [None if t is None else float(_expr.evaluate(t, full)) for t in pair]

        panels.append(
            {
                "title": page_text(panel["title"], full),
                "xlabel": page_text(panel["xlabel"], full),
                "ylabel": page_text(panel["ylabel"], full),
                "logx": bool(_expr.evaluate(panel["logx"], full)),
                "logy": bool(_expr.evaluate(panel["logy"], full)),
                "xlim": limit(panel["xlim"]),
                "ylim": limit(panel["ylim"]),
                "series": out_series,
            }
        )
    return {"env": full, "alt": page_text(spec["alt"], full), "panels": panels}


def page_text(parts: list, env: Mapping[str, Any]) -> str:
    """A parsed template as the page shows it (TeX as Unicode), fields formatted.

    Examples
    --------
    >>> page_text(_expr.parse_template(r"$\\eta$ = {lr:.2f}", {"lr"}, "t"), {"lr": 0.5})
    'η = 0.50'
    """
    out = []
    for part in parts:
        if part[0] == "t":
            out.append("".join(text for text, _ in part[1]))
        else:
            out.append(_expr.format_value(_expr.evaluate(part[1], env), part[2]))
    return "".join(out)


def auto_limits(
    arrays: Sequence[np.ndarray], log: bool, fixed: Sequence[float | None] = (None, None)
) -> tuple[float, float]:
    """Axis limits: the finite data range plus :data:`MARGIN` on each side (in log10 on a log axis).

    The page computes the same (``limits`` in ``lrlab-explorer.js``).

    Examples
    --------
    >>> auto_limits([np.array([0.0, 10.0])], log=False)
    (-0.5, 10.5)
    >>> auto_limits([np.array([1.0, 100.0])], log=True, fixed=(None, 1000.0))
    (0.7943282347242815, 1000.0)
    """
    values = np.concatenate([np.ravel(a) for a in arrays]) if arrays else np.zeros(0)
    values = values[np.isfinite(values)]
    if log:
        values = values[values > 0]
        values = np.log10(values)
    if values.size:
        lo, hi = float(values.min()), float(values.max())
    else:
        lo, hi = (-1.0, 1.0) if log else (0.0, 1.0)
    if hi == lo:
        pad = abs(lo) * MARGIN if lo != 0 else 1.0
        lo, hi = lo - pad, hi + pad
    span = hi - lo
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    if log:
        lo, hi = 10.0**lo, 10.0**hi
    return (lo if fixed[0] is None else fixed[0], hi if fixed[1] is None else fixed[1])


# ------------------------------------------------------------------ the explorer


class Explorer:
    """Controls and panels declared once: live in a kernel, live in the static page.

    Parameters
    ----------
    controls : sequence of controls
        :class:`Slider`, :class:`LogSlider`, :class:`IntSlider`,
        :class:`Choice` and :class:`Toggle`, shown in this order.
    panels : sequence of Panel
        Side by side (stacked on a narrow page).
    constants : mapping of str to number, string or bool, optional
        Fixed names for expressions (``{"T": 4000}``).
    derived : mapping of str to E or str, optional
        Names computed from controls and constants, in order
        (``{"warmup": "max(1, round(0.02 * T))"}``).
    alt : str
        Text alternative of the figure, a template; say what it shows.
    width : float, optional
        Figure width in inches; default 4.8 per panel, at most 10.
    height : float, default 3.6
        Figure height in inches.

    Attributes
    ----------
    spec : dict
        The declaration as the page's JavaScript reads it.
    positions : list of int
        The current position of every control.
    figure : Figure
        The matplotlib figure of the current values.

    Raises
    ------
    ValueError
        For a bad argument, an unknown name in an expression, or a
        combination of controls lrlab refuses (every corner of the controls
        and :data:`CHECK_SAMPLES` random combinations are checked).

    Examples
    --------
    >>> ex = Explorer(
    ...     controls=[Slider("lr", 0.1, 0.05, 0.95, 0.05, label="η")],
    ...     panels=[Panel([Line(gd_1d(E("lr"), 20), y="x")], title="η = {lr:g}")],
    ... )
    >>> ex.values
    {'lr': 0.1}
    >>> ex.set(lr=0.5)
    >>> ex.figure.axes[0].lines[0].get_ydata()[:3].tolist()
    [0.0, 3.0, 3.0]
    """

    def __init__(
        self,
        controls: Sequence[Any],
        panels: Sequence[Panel],
        constants: Mapping[str, Any] | None = None,
        derived: Mapping[str, Any] | None = None,
        alt: str = "",
        width: float | None = None,
        height: float = 3.6,
    ) -> None:
        controls = list(controls)
        if not controls or not all(isinstance(c, _Control) for c in controls):
            raise ValueError(
                "controls must be a non-empty list of Slider, LogSlider, IntSlider, Choice "
                f"or Toggle, got {controls!r}"
            )
        panels = list(panels)
        if not panels or not all(isinstance(p, Panel) for p in panels):
            raise ValueError(f"panels must be a non-empty list of Panel, got {panels!r}")
        self.controls = controls
        self.panels = panels
        names: dict[str, str] = {}

        def claim(name: str, what: str) -> None:
            if name in names:
                raise ValueError(f"the name {name!r} is used twice ({names[name]} and {what})")
            names[name] = what

        constants_json = {}
        for name, value in (constants or {}).items():
            claim(_name("constant name", name), "a constant")
            constants_json[name] = _literal_tree(value, f"constant {name}")
        for c in controls:
            claim(c.name, "a control")
        derived_json = []
        for name, value in (derived or {}).items():
            text = value.text if isinstance(value, E) else _text(f"derived {name}", value)
            tree = _expr.parse(text, set(names), f"derived {name}")
            claim(_name("derived name", name), "a derived value")
            derived_json.append([name, tree])
        value_names = set(names)
        series_names = set()
        for panel in panels:
            for s in panel.series:
                if s.name is not None:
                    claim(s.name, "a series")
                    series_names.add(s.name)
        label_names = value_names | series_names
        sources: list[_Source] = []
        for panel in panels:
            for s in panel.series:
                if all(s.source is not other for other in sources):
                    sources.append(s.source)
        tables = [s for s in sources if isinstance(s, Table)]
        for table in tables:
            for o in table.over:
                if o not in {c.name for c in controls}:
                    raise ValueError(f"table {table.name}: over names no control {o!r}")
        control_by_name = {c.name: c for c in controls}
        for table in tables:
            cells = math.prod(len(control_by_name[o].positions) for o in table.over)
            check_int(f"the number of cells of table {table.name}", cells, 1, MAX_TABLE_CELLS)
        self.tables = {t.name: t for t in tables}
        if len(self.tables) != len(tables):
            raise ValueError("two tables have the same name")
        spec_sources: list[list[Any]] = []
        for src in sources:
            if isinstance(src, Table):
                spec_sources.append(["table", src.name])
            elif isinstance(src, _Model):
                params = [
                    [p, _tree(v, value_names, f"{src.name}.{p}")] for p, v in src.params.items()
                ]
                spec_sources.append(["model", src.name, params])
        spec_panels = []
        for i, panel in enumerate(panels):
            series_json = []
            data_series = 0
            for s in panel.series:
                style = dict(s.style)
                if s.kind in ("line", "band"):
                    house = viz.series_style(data_series)
                    data_series += 1
                    if style["color"] is None:
                        style["color"] = house["color"]
                    if style["dash"] is None:
                        style["dash"] = _dash(house["linestyle"])
                where = f"panel {i + 1} series"
                series_json.append(
                    {
                        "kind": s.kind,
                        "source": next(k for k, src in enumerate(sources) if src is s.source),
                        "x": s.x,
                        "y": s.y,
                        "low": getattr(s, "low", None),
                        "high": getattr(s, "high", None),
                        "name": s.name,
                        "label": None
                        if s.label is None
                        else _expr.parse_template(s.label, label_names, f"{where} label"),
                        "visible": None
                        if s.visible is None
                        else _flag_tree(s.visible, label_names, f"{where} visible"),
                        "max_count": getattr(s, "max_count", None),
                        "x_shift": _limit_tree(
                            getattr(s, "x_shift", None), value_names, f"{where} x_shift"
                        ),
                        "y_scale": _limit_tree(
                            getattr(s, "y_scale", None), value_names, f"{where} y_scale"
                        ),
                        "style": style,
                    }
                )
            spec_panels.append(
                {
                    "title": _expr.parse_template(panel.title, label_names, f"panel {i + 1} title"),
                    "xlabel": _expr.parse_template(
                        panel.xlabel, label_names, f"panel {i + 1} xlabel"
                    ),
                    "ylabel": _expr.parse_template(
                        panel.ylabel, label_names, f"panel {i + 1} ylabel"
                    ),
                    "logx": _flag_tree(panel.logx, label_names, f"panel {i + 1} logx"),
                    "logy": _flag_tree(panel.logy, label_names, f"panel {i + 1} logy"),
                    "xlim": [
                        _limit_tree(v, label_names, f"panel {i + 1} xlim") for v in panel.xlim
                    ],
                    "ylim": [
                        _limit_tree(v, label_names, f"panel {i + 1} ylim") for v in panel.ylim
                    ],
                    "aspect": panel.aspect,
                    "legend": panel.legend,
                    "series": series_json,
                }
            )
        self.width = (
            min(10.0, 4.8 * len(panels))
            if width is None
            else check_number("width", width, 2.0, 20.0)
        )
        self.height = check_number("height", height, 1.5, 12.0)
        self.spec: dict[str, Any] = {
            "version": 2,
            "alt": _expr.parse_template(_text("alt", alt), label_names, "alt"),
            "controls": [c.spec() for c in controls],
            "constants": constants_json,
            "derived": derived_json,
            "sources": spec_sources,
            "tables": {},
            "panels": spec_panels,
            "size": [self.width, self.height],
        }
        self.positions = [c.index for c in controls]
        self._check_combinations()
        self._handle: Any = None
        self._widgets: list[w.Widget] | None = None
        self.figure = self._render()

    # -------------------------------------------------------------- values

    @property
    def values(self) -> dict[str, Any]:
        """The value of every control, by name."""
        return {c.name: c.positions[k] for c, k in zip(self.controls, self.positions, strict=True)}

    def set(self, **values: Any) -> None:
        """Set controls by value (each must be one of its positions) and redraw.

        Examples
        --------
        >>> ex = Explorer([Toggle("logy", False)], [Panel([Line(gd_1d(0.1, 5))], logy=E("logy"))])
        >>> ex.set(logy=True)
        >>> ex.figure.axes[0].get_yscale()
        'log'
        """
        for name, value in values.items():
            i, k = self._position_of(name, value)
            self.positions[i] = k
            if self._widgets is not None:
                self._widgets[i].value = _widget_value(self.controls[i], k)
        self._redraw()

    def _position_of(self, name: str, value: Any) -> tuple[int, int]:
        """Index of the control ``name`` and the position of ``value`` on it."""
        by_name = {c.name: i for i, c in enumerate(self.controls)}
        if name not in by_name:
            raise ValueError(f"name must be one of {', '.join(by_name)}, got {name!r}")
        i = by_name[name]
        control = self.controls[i]
        if control.kind in ("float", "log", "list"):
            number = check_number(name, value, -1e300, 1e300)
            return i, _position(name, number, control.positions, "a position of its slider")
        if control.kind == "toggle":
            return i, int(check_bool(name, value))
        if isinstance(control, IntSlider):
            last = control.positions[-1]
            number = check_int(name, value, control.lo, last)
            if (number - control.lo) % control.step:
                raise ValueError(
                    f"{name} must be a position {control.lo} + k · {control.step}, got {value}"
                )
            return i, (number - control.lo) // control.step
        chosen = check_choice(name, value, control.positions)
        return i, next(j for j, o in enumerate(control.positions) if o is chosen or o == chosen)

    def evaluate(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What the figure shows, computed by lrlab (see :func:`evaluate_spec`).

        Parameters
        ----------
        values : mapping, optional
            Control values to use instead of the current ones.
        """
        positions = list(self.positions)
        for name, value in (values or {}).items():
            i, k = self._position_of(name, value)
            positions[i] = k
        lookups = {name: table.cell for name, table in self.tables.items()}
        return evaluate_spec(self.spec, positions, lookups)

    # -------------------------------------------------------------- checks

    def _check_combinations(self) -> None:
        """Build every model's parameters at the corners and at random combinations."""
        counts = [len(c.positions) for c in self.controls]
        ends = [
            range(n) if c.kind in ("choice", "toggle") else (0, n - 1)
            for c, n in zip(self.controls, counts, strict=True)
        ]
        combos = list(itertools.islice(itertools.product(*ends), CHECK_CORNERS))
        rng = random.Random(0)
        combos += [tuple(rng.randrange(n) for n in counts) for _ in range(CHECK_SAMPLES)]
        combos.append(tuple(self.positions))
        for combo in combos:
            env = _environment(self.spec, combo)
            where = ", ".join(
                f"{c.name}={c.positions[k]!r}" for c, k in zip(self.controls, combo, strict=True)
            )
            for src in self.spec["sources"]:
                if src[0] != "model":
                    continue
                try:
                    params = {
                        name: explorer_models.evaluate_value(tree, env) for name, tree in src[2]
                    }
                    _check_model(src[1], params)
                except (ValueError, ZeroDivisionError, TypeError, OverflowError) as exc:
                    raise ValueError(
                        f"the {src[1]} model cannot be drawn at {where}: {exc}. Every combination "
                        "of controls must work: narrow a range or derive the parameter differently"
                    ) from None

    # -------------------------------------------------------------- drawing

    def _render(self) -> Figure:
        result = self.evaluate()
        env = result["env"]
        fig, axes = viz.new_figure(ncols=len(self.panels), width=self.width, height=self.height)
        for ax, panel, spec_panel, shown in zip(
            axes, self.panels, self.spec["panels"], result["panels"], strict=True
        ):
            x_data, y_data = [], []
            for s, js, d in zip(panel.series, spec_panel["series"], shown["series"], strict=True):
                if not d["visible"]:
                    continue
                st = js["style"]
                label = None if s.label is None else _render_text(s.label, js["label"], env)
                if d["kind"] == "line":
                    ax.plot(
                        d["x"],
                        d["y"],
                        color=st["color"],
                        linestyle=_matplotlib_dash(st["dash"]),
                        linewidth=st["width"],
                        marker=st["marker"] or "",
                        markersize=st["marker_size"],
                        drawstyle="steps-post" if st["steps"] else "default",
                        label=label,
                    )
                    x_data.append(d["x"])
                    y_data.append(d["y"])
                elif d["kind"] == "band":
                    ax.fill_between(
                        d["x"],
                        d["low"],
                        d["high"],
                        color=st["color"],
                        alpha=st["alpha"],
                        lw=0,
                        label=label,
                    )
                    x_data.append(d["x"])
                    y_data += [d["low"], d["high"]]
                else:
                    guide = ax.axvline if d["kind"] == "vlines" else ax.axhline
                    for at in d["at"]:
                        guide(
                            at,
                            color=st["color"],
                            linestyle=_matplotlib_dash(st["dash"]),
                            linewidth=st["width"],
                        )
            if shown["logx"]:
                ax.set_xscale("log")
            if shown["logy"]:
                ax.set_yscale("log")
            ax.set_xlim(*auto_limits(x_data, shown["logx"], shown["xlim"]))
            ax.set_ylim(*auto_limits(y_data, shown["logy"], shown["ylim"]))
            if panel.aspect == "equal":
                ax.set_aspect("equal")
            ax.set_xlabel(_render_text(panel.xlabel, spec_panel["xlabel"], env))
            ax.set_ylabel(_render_text(panel.ylabel, spec_panel["ylabel"], env))
            title = _render_text(panel.title, spec_panel["title"], env)
            if title:
                ax.set_title(title)
            labelled = any(d["label"] and d["visible"] for d in shown["series"])
            if labelled and panel.legend is not False:
                viz.legend(ax)
        plt.close(fig)
        return fig

    def _redraw(self, _change: Any = None) -> None:
        self.figure = self._render()
        if self._handle is not None:
            self._handle.update(self.figure, metadata=_FIGURE_METADATA)

    # -------------------------------------------------------------- page

    def page_data(self, tables: bool = True) -> dict[str, Any]:
        """The declaration with its tables filled in, as the page's JavaScript reads it.

        Parameters
        ----------
        tables : bool, default True
            Compute every cell of every table (only tables over no control
            otherwise, and the page then says its data is missing).

        Returns
        -------
        dict
            :attr:`spec` with ``tables`` filled: for each table its
            ``over`` controls, their ``values``, ``outputs``, the outputs
            equal in every cell (``shared``) and one entry per cell
            (``cells``), NaN written as ``null``.
        """
        out = dict(self.spec)
        out["tables"] = {}
        missing = []
        by_name = {c.name: c for c in self.controls}
        for name, table in self.tables.items():
            if table.over and not tables:
                missing.append(name)
                continue
            grids = [by_name[o].positions for o in table.over]
            cells = [
                table.cell(dict(zip(table.over, combo, strict=True)))
                for combo in itertools.product(*grids)
            ]
            shared = {
                o: _numbers(cells[0][o])
                for o in table.outputs
                if all(np.array_equal(c[o], cells[0][o], equal_nan=True) for c in cells)
            }
            out["tables"][name] = {
                "name": name,
                "over": list(table.over),
                "values": [
                    [_literal_tree(v, o) for v in grid]
                    for o, grid in zip(table.over, grids, strict=True)
                ],
                "outputs": list(table.outputs),
                "shared": shared,
                "cells": [
                    {o: _numbers(c[o]) for o in table.outputs if o not in shared} for c in cells
                ],
            }
        if missing:
            out["missing"] = missing
        return out

    def page_html(self, tables: bool = True) -> str:
        """The hidden HTML block that carries :meth:`page_data` to the book's JavaScript.

        Raises
        ------
        ValueError
            If the data exceeds :data:`MAX_PAGE_BYTES`.

        Examples
        --------
        >>> ex = Explorer([Slider("lr", 0.1, 0.05, 0.95, 0.05)], [Panel([Line(gd_1d(E("lr"), 9))])])
        >>> ex.page_html().startswith('<div class="lrlab-explorer-spec" hidden>')
        True
        """
        text = json.dumps(
            self.page_data(tables), separators=(",", ":"), allow_nan=False, ensure_ascii=False
        )
        size = len(text.encode())
        if size > MAX_PAGE_BYTES:
            raise ValueError(
                f"the explorer's page data must be at most {MAX_PAGE_BYTES} bytes, got {size}: "
                "draw fewer points or give a table fewer cells"
            )
        text = text.replace("</", "<\\/")
        return (
            '<div class="lrlab-explorer-spec" hidden>'
            f'<script type="application/json">{text}</script></div>'
        )

    def widgets(self) -> list[w.Widget]:
        """The ipywidgets controls, created once and wired to redraw the figure."""
        if self._widgets is None:
            self._widgets = [
                _widget(c, k) for c, k in zip(self.controls, self.positions, strict=True)
            ]
            for i, widget in enumerate(self._widgets):
                widget.observe(lambda change, i=i: self._moved(i, change["new"]), names="value")
        return self._widgets

    def _moved(self, i: int, new: Any) -> None:
        control = self.controls[i]
        k = (new - control.lo) // control.step if isinstance(control, IntSlider) else int(new)
        if self.positions[i] != k:
            self.positions[i] = k
            self._redraw()

    def show(self) -> None:
        """Display the figure, the controls and the page data.

        In Jupyter the controls are live ipywidgets and each move redraws the
        figure with lrlab. The page data is a hidden block that the book's
        JavaScript turns into controls and an SVG figure; its tables are
        computed only when :data:`PAGE_DATA_ENV` is set.
        """
        self._handle = display(self.figure, display_id=True, metadata=_FIGURE_METADATA)
        display(w.VBox(self.widgets(), layout=w.Layout(width="100%")))
        display(HTML(self.page_html(tables=bool(os.environ.get(PAGE_DATA_ENV)))))


#: Marks the explorer's figure output, which the book replaces by the page's own drawing.
_FIGURE_METADATA = {"lrlab": {"explorer": "figure"}}


def _numbers(values: np.ndarray) -> list[float | None]:
    return [
        None if math.isnan(v) else float(v) for v in np.asarray(values, dtype=np.float64).tolist()
    ]


def _render_text(source: str, parts: list, env: Mapping[str, Any]) -> str:
    return _expr.render_template(parts, source, env)


def _check_model(name: str, params: Mapping[str, Any]) -> None:
    """The model's parameter checks, without computing the whole model."""
    sched = params.get("schedule")
    if name in ("schedule", "nqm", "nqm_floor", "phase_marks"):
        steps = check_int("steps", params["steps"], 1)
        if not isinstance(sched, explorer_models.schedules.Schedule):
            raise ValueError(f"schedule must be an lrlab schedule, got {sched!r}")
        sched(np.array([0, steps - 1]))
        if sched.momentum is not None:
            sched.momentum(np.array([0, steps - 1]))
        if name in ("nqm", "nqm_floor"):
            explorer_models._nqm(params["dim"], params["batch_size"], params.get("theta0", 1.0))
        return
    if name == "adam":
        explorer_models.compute(
            name, {**params, "steps": min(check_int("steps", params["steps"], 1, 100_000), 2)}
        )
        return
    explorer_models.compute(name, params)


def _widget_value(control: _Control, k: int) -> Any:
    if control.kind == "toggle":
        return bool(k)
    return control.positions[k] if isinstance(control, IntSlider) else k


def _widget(control: _Control, k: int) -> w.Widget:
    common = {
        "description": control.label,
        "style": {"description_width": "initial"},
        "layout": w.Layout(width="100%", max_width="32em"),
    }
    if control.kind == "toggle":
        return w.Checkbox(value=bool(k), description=control.label, indent=False)
    if isinstance(control, Choice):
        options = [(label, j) for j, label in enumerate(control.labels)]
        return w.Dropdown(options=options, value=k, **common)
    if isinstance(control, IntSlider):
        lo, hi = control.positions[0], control.positions[-1]
        value = control.positions[k]
        slider = w.IntSlider(value=value, min=lo, max=hi, step=control.step, **common)
        slider.continuous_update = False
        return slider
    options = [(control.readout(j), j) for j in range(len(control.positions))]
    return w.SelectionSlider(options=options, value=k, continuous_update=False, **common)


def gd_valley_explorer(
    problem: problems.Quadratic2D | None = None,
    lr: float = 0.15,
    steps: int = 20,
    start: tuple[float, float] = (-1.0, 1.5),
) -> Explorer:
    """Learning rate and step count -> gradient-descent path on a 2-D quadratic valley.

    Parameters
    ----------
    problem : Quadratic2D, optional
        The valley; default ``Quadratic2D(h_x=10, h_y=1)``.
    lr : float
        Initial learning rate, in ``[limit / 40, 1.25 · limit]`` in steps of
        ``limit / 80``, where ``limit = problem.max_stable_lr``.
    steps : int
        Initial number of steps, in [1, 100].
    start : (float, float), default (-1.0, 1.5)
        Starting point ``(x₀, y₀)``, anywhere but the minimum.

    Returns
    -------
    Explorer
        Controls ``lr`` and ``steps``; the path on the contours (left) and
        the loss per step (right).

    Examples
    --------
    >>> ex = gd_valley_explorer()
    >>> [c.name for c in ex.controls]
    ['lr', 'steps']
    >>> gd_valley_explorer(lr=100.0)
    Traceback (most recent call last):
    ...
    ValueError: lr must be a number in [0.005, 0.25], got 100.0
    """
    problem = problem or problems.Quadratic2D(10.0, 1.0)
    limit = problem.max_stable_lr
    x0, y0 = (check_number(f"start[{i}]", v, -math.inf, math.inf) for i, v in enumerate(start))
    if x0 == 0.0 and y0 == 0.0:
        raise ValueError(f"start must be a point other than the minimum (0, 0), got {start!r}")
    start = (x0, y0)
    span = max(2.0, max(abs(v) for v in start) * 1.3)
    level = float(problem.loss(start[0], start[1]))
    path = gd_2d(E("lr"), E("steps"), problem.h_x, problem.h_y, start[0], start[1])
    contours = quadratic_contours(problem.h_x, problem.h_y, 2.0 * level, (1e-3 / 2.0) ** (1 / 8), 9)
    minimum = data("minimum", x=[0.0], y=[0.0])
    return Explorer(
        controls=[
            Slider("lr", lr, limit / 40, 1.25 * limit, limit / 80, label="learning rate η"),
            IntSlider("steps", steps, 1, 100, label="steps"),
        ],
        constants={"limit": limit, "x0": start[0], "y0": start[1]},
        panels=[
            Panel(
                [
                    Line(contours, y="y", color="#999999", width=0.7),
                    Line(path, y="y", color=viz.PALETTE[3], dash="-", marker="o", label="path"),
                    Line(
                        minimum,
                        y="y",
                        color="#000000",
                        dash="none",
                        marker="*",
                        marker_size=12,
                        label="minimum",
                    ),
                ],
                title="η = {lr:.3g}   (stable below 2/$h_x$ = {limit:.3g})",
                xlabel="x (steep direction)",
                ylabel="y (flat direction)",
                xlim=(-span, span),
                ylim=(-span, span),
                aspect="equal",
                legend=False,
            ),
            Panel(
                [Line(path, y="loss", color=viz.PALETTE[0], name="loss")],
                title="loss after {steps} steps: {last(loss):.3g}",
                xlabel="step t",
                ylabel="loss f(x, y)",
                logy=True,
            ),
        ],
        alt="Gradient descent with learning rate {lr:.3g} for {steps} steps from ({x0:g}, {y0:g}) "
        "on a valley 10 times steeper across than along: the path on the contours and the loss "
        "per step.",
        width=9.0,
        height=3.8,
    )


__all__ = [
    "DASHES",
    "MARKERS",
    "PAGE_DATA_ENV",
    "Band",
    "Choice",
    "E",
    "Explorer",
    "HLines",
    "IntSlider",
    "Line",
    "LogSlider",
    "Panel",
    "Slider",
    "Table",
    "Toggle",
    "VLines",
    "ValueSlider",
    "adam_state",
    "auto_limits",
    "data",
    "evaluate_spec",
    "gd_1d",
    "gd_2d",
    "gd_valley_explorer",
    "lr_curve",
    "model",
    "nqm_floor",
    "nqm_loss",
    "page_text",
    "phase_marks",
    "pick",
    "quadratic_contours",
    "radam",
    "schedule",
]
