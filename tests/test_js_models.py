"""The page's models (book/static/lrlab-models.js) against lrlab, on random configurations.

Every schedule family and combinator, and every model an explorer can draw,
is computed by lrlab and by the page's JavaScript under Node for at least
10,000 random valid configurations, at steps on both sides of every phase
boundary. The two agree to 1e-12 relative. For the families whose formula
takes a cosine the bound is relative to ``max(|value|, 1e-3 · the largest
value)``: NumPy's ``cos`` (the C library's) and the browser's ``Math.cos``
each round the last bit their own way (neither is correctly rounded in every
case), and near the end of a cosine decay to 0 that last bit is a large part
of a tiny value. The printed table gives both errors for every model.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from lrlab import _expr, explorer_models, widgets
from tests import node

CONFIGS = 10_000
BOUND = 1e-12
#: Families computed with a cosine somewhere (see the module docstring).
COSINE = {
    "cosine",
    "cosine_restarts",
    "warmup_cosine",
    "one_cycle",
    "wsd",
    "join",
    "with_warmup",
    "scale",
    "linear_warmup",
}

pytestmark = pytest.mark.slow


def _lr(rng: random.Random) -> float:
    return rng.choice([0.0, 1.0, 0.1, 3e-4]) if rng.random() < 0.05 else 10 ** rng.uniform(-6, 1)


def _count(rng: random.Random, low: int, high: int) -> int:
    return round(10 ** rng.uniform(math.log10(low), math.log10(high)))


def _below(rng: random.Random, peak: float) -> float:
    r = rng.random()
    if r < 0.3:
        return 0.0
    if r < 0.4:
        return peak
    return peak * rng.random() ** 3


def _momenta(rng: random.Random) -> dict[str, Any]:
    a, b = sorted([rng.random(), rng.random()])
    return {"cycle_momentum": rng.random() < 0.7, "base_momentum": a, "max_momentum": b}


def _family_args(family: str, rng: random.Random) -> dict[str, Any]:
    """Random arguments of one family (lrlab may still refuse a few; those are redrawn)."""
    if family == "constant":
        return {"lr": _lr(rng)}
    if family == "linear_warmup":
        peak = _lr(rng)
        shape = rng.choice(["linear", "cosine", "1-sqrt"])
        return {
            "peak": peak,
            "warmup_steps": _count(rng, 1, 100_000),
            "start": _below(rng, peak),
            "shape": shape,
        }
    if family == "step_decay":
        return {
            "start": _lr(rng),
            "step_size": _count(rng, 1, 10_000),
            "gamma": rng.uniform(0.01, 1.5),
        }
    if family == "multistep":
        marks = sorted(rng.randrange(0, 100_000) for _ in range(rng.randrange(0, 6)))
        if marks and rng.random() < 0.2:
            marks.append(marks[-1])
        return {"start": _lr(rng), "milestones": marks, "gamma": rng.uniform(0.01, 1.5)}
    if family == "exponential":
        gamma = rng.uniform(0.99, 1.001) if rng.random() < 0.5 else rng.uniform(0.01, 1.0)
        return {"start": _lr(rng), "gamma": gamma}
    if family == "linear_decay":
        start = _lr(rng)
        return {"start": start, "end": _below(rng, start), "total_steps": _count(rng, 1, 100_000)}
    if family == "polynomial":
        start = _lr(rng)
        power = rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, rng.uniform(0, 6)])
        return {
            "start": start,
            "total_steps": _count(rng, 1, 100_000),
            "power": power,
            "end": _below(rng, start),
        }
    if family == "cosine":
        peak = _lr(rng)
        return {
            "peak": peak,
            "total_steps": _count(rng, 1, 300_000),
            "floor": _below(rng, peak),
            "past_end": rng.choice(["hold", "continue"]),
        }
    if family == "cosine_restarts":
        peak = _lr(rng)
        return {
            "peak": peak,
            "period": _count(rng, 1, 2000),
            "period_mult": rng.randrange(1, 5),
            "floor": _below(rng, peak),
        }
    if family == "cyclical":
        peak = _lr(rng)
        down = None if rng.random() < 0.3 else _count(rng, 1, 5000)
        mode = rng.choice(["triangular", "triangular2", "exp_range"])
        gamma = (
            rng.uniform(0.999, 1.0)
            if mode == "exp_range"
            else rng.choice([1.0, rng.uniform(0.5, 1.0)])
        )
        return {
            "base": _below(rng, peak),
            "peak": peak,
            "step_size_up": _count(rng, 1, 5000),
            "step_size_down": down,
            "mode": mode,
            "gamma": gamma,
            **_momenta(rng),
        }
    if family == "one_cycle":
        n = _count(rng, 2, 100_000)
        three = rng.random() < 0.4
        high = (n + 1) / (2 * n) if three else 1.0
        low = 1.0 / n
        pct = rng.choice([0.3, 0.25, 0.45, rng.uniform(low, high)])
        return {
            "peak": _lr(rng),
            "total_steps": n,
            "pct_start": pct,
            "div_factor": 10 ** rng.uniform(0, 3),
            "final_div_factor": 10 ** rng.uniform(0, 5),
            "anneal": rng.choice(["cos", "linear"]),
            "three_phase": three,
            **{k: v for k, v in _momenta(rng).items()},
        }
    if family == "warmup_cosine":
        peak = _lr(rng)
        n = _count(rng, 1, 300_000)
        return {
            "peak": peak,
            "total_steps": n,
            "warmup_steps": rng.randrange(0, n),
            "floor": _below(rng, peak),
            "start": _below(rng, peak),
            "warmup_shape": rng.choice(["linear", "cosine", "1-sqrt"]),
        }
    if family == "wsd":
        peak = _lr(rng)
        n = _count(rng, 1, 300_000)
        w = rng.randrange(0, n)
        d = rng.randrange(1, n - w + 1)
        decay = rng.choice(["linear", "cosine", "1-sqrt", "exponential"])
        floor = _below(rng, peak)
        if decay == "exponential" and floor == 0:
            floor = peak * 10 ** rng.uniform(-4, 0)
        return {
            "peak": peak,
            "total_steps": n,
            "warmup_steps": w,
            "decay_steps": d,
            "floor": floor,
            "decay": decay,
            "start": _below(rng, peak),
            "warmup_shape": rng.choice(["linear", "cosine", "1-sqrt"]),
        }
    if family == "inverse_sqrt":
        return {"d_model": _count(rng, 1, 8192), "warmup_steps": _count(rng, 1, 100_000)}
    if family == "exponential_rate":
        return {
            "start": _lr(rng),
            "rate": rng.choice([0.5, 0.96, rng.uniform(0.01, 1.0), rng.uniform(1.0, 1.01)]),
            "decay_steps": _count(rng, 1, 10_000),
            "staircase": rng.random() < 0.5,
        }
    if family == "inverse_time":
        return {
            "start": _lr(rng),
            "decay_steps": _count(rng, 1, 10_000),
            "rate": rng.choice([0.0, 1.0, rng.uniform(0, 10)]),
            "power": rng.choice([1.0, 0.5, rng.uniform(0.1, 3)]),
            "staircase": rng.random() < 0.5,
        }
    if family == "cosine_cycles":
        peak = _lr(rng)
        return {
            "peak": peak,
            "period": _count(rng, 1, 2000),
            "period_mult": rng.randrange(1, 4),
            "floor": _below(rng, peak),
            "decay": rng.choice([1.0, 0.5, rng.uniform(0.01, 1.0)]),
            "decay_of": rng.choice(["peak", "amplitude"]),
            "cycles": rng.choice([None, rng.randrange(1, 8)]),
        }
    if family == "phases":
        count = rng.randrange(1, 5)
        shares = [rng.random() + 0.05 for _ in range(count)]
        total = sum(shares)
        fractions = [v / total for v in shares]
        fractions[-1] = 1.0 - sum(fractions[:-1])
        return {
            "pairs": [(_lr(rng), _lr(rng)) for _ in range(count)],
            "fractions": fractions,
            "total_steps": _count(rng, 1, 100_000),
            "shape": rng.choice(["cos", "linear"]),
        }
    combinators = ("join", "with_warmup", "scale", "shift", "clip", "product")
    simple = [f for f in explorer_models.FAMILIES if f not in combinators]
    if family == "join":
        parts = [_random_sched(rng.choice(simple), rng) for _ in range(rng.randrange(1, 4))]
        marks = sorted(rng.sample(range(1, 200_000), len(parts) - 1))
        return {"schedules": parts, "boundaries": marks}
    if family == "with_warmup":
        return {
            "schedule": _random_sched(rng.choice(simple), rng),
            "warmup_steps": _count(rng, 1, 50_000),
            "start": 0.0,
            "shape": rng.choice(["linear", "cosine", "1-sqrt"]),
        }
    if family == "shift":
        inner = _random_sched(rng.choice([*simple, "join", "with_warmup"]), rng)
        return {"schedule": inner, "steps": rng.choice([0, 1, _count(rng, 1, 50_000)])}
    if family == "clip":
        inner = _random_sched(rng.choice([*simple, "join", "with_warmup"]), rng)
        low = rng.choice([0.0, 10 ** rng.uniform(-6, 0)])
        high = rng.choice([None, low + 10 ** rng.uniform(-6, 0)])
        return {"schedule": inner, "low": low, "high": high}
    if family == "product":
        parts = [_random_sched(rng.choice(simple), rng) for _ in range(rng.randrange(2, 4))]
        return {"schedules": parts}
    inner = _random_sched(rng.choice([*simple, "join", "with_warmup"]), rng)
    return {"schedule": inner, "factor": rng.choice([0.0, 1.0, rng.uniform(0, 10)])}


def _random_sched(family: str, rng: random.Random) -> Any:
    while True:
        args = _family_args(family, rng)
        if family == "with_warmup" and rng.random() < 0.5:
            args["start"] = 0.0
        spec = widgets.schedule(family, **args)
        try:
            explorer_models.evaluate_value(widgets._tree(spec, set(), family), {})
        except ValueError:
            continue
        return spec


def _probe_steps(s: Any, rng: random.Random) -> list[int]:
    """Steps on both sides of every phase boundary, the ends, and a few at random."""
    horizon = s.total_steps or 200_000
    marks = explorer_models.phase_marks(s, min(horizon + 2, 20_000))["x"].tolist()
    if len(marks) > 8:
        marks = [*marks[:3], *rng.sample(marks[3:-2], 3), *marks[-2:]]
    points = {0, 1, 2, horizon - 1, horizon, horizon + 1, 2 * horizon, 10**6, 2**40}
    for m in [*marks, horizon]:
        base = math.floor(m)
        points |= {base - 1, base, base + 1, base + 2}
    points |= {rng.randrange(0, horizon + 1) for _ in range(6)}
    steps = sorted(p for p in points if p >= 0)
    try:
        s(np.array(steps))
    except ValueError:  # one_cycle (alone or inside a combinator) refuses steps past its end
        return [t for t in steps if _defined(s, t)]
    return steps


def _defined(s: Any, t: int) -> bool:
    try:
        s(t)
    except ValueError:
        return False
    return True


def _schedule_cases(family: str, count: int, seed: int) -> tuple[list[dict], list[Any]]:
    rng = random.Random(seed)
    cases, expected = [], []
    for _ in range(count):
        spec = _random_sched(family, rng)
        tree = widgets._tree(spec, set(), family)
        s = explorer_models.evaluate_value(tree, {})
        steps = _probe_steps(s, rng)
        t = np.array(steps)
        has_momentum = s.momentum is not None
        cases.append({"tree": tree, "steps": steps, "momentum": has_momentum})
        expected.append({"lr": s(t), **({"momentum": s.momentum(t)} if has_momentum else {})})
    return cases, expected


REPORT: dict[str, tuple[int, float, float, float]] = {}


def _check(name: str, expected: list[dict], results: list[Any], ms: float, cosine: bool) -> None:
    worst_pure = worst_scaled = 0.0
    problems = []
    for i, (want, got) in enumerate(zip(expected, results, strict=True)):
        if isinstance(got, dict) and "error" in got:
            problems.append(f"case {i}: JavaScript raised {got['error']}")
            continue
        for key, values in want.items():
            pure, scaled = node.errors(values, got[key])
            worst_pure, worst_scaled = max(worst_pure, pure), max(worst_scaled, scaled)
            bad = scaled > BOUND or (not cosine and pure > BOUND)
            if bad and len(problems) < 5:
                problems.append(f"case {i} {key}: relative error {pure:.3g}, scaled {scaled:.3g}")
    REPORT[name] = (len(expected), worst_pure, worst_scaled, ms)
    print(
        f"\n{name:20s} {len(expected):6d} configs  max relative error {worst_pure:.2e}  "
        f"scaled {worst_scaled:.2e}  node {ms:.0f} ms"
    )
    assert not problems, f"{name}: the page disagrees with lrlab:\n" + "\n".join(problems)


@pytest.mark.parametrize("family", list(explorer_models.FAMILIES))
def test_every_schedule_family_agrees_with_lrlab(family: str) -> None:
    cases, expected = _schedule_cases(family, CONFIGS, seed=sum(map(ord, family)))
    assert len(cases) >= CONFIGS
    results, ms = node.run({"kind": "schedule", "cases": cases})
    _check(family, expected, results, ms, cosine=family in COSINE)


def _model_case(name: str, params: dict[str, Any]) -> tuple[dict, dict]:
    trees = [[k, widgets._tree(v, set(), f"{name}.{k}")] for k, v in params.items()]
    values = {k: explorer_models.evaluate_value(t, {}) for k, t in trees}
    out = explorer_models.compute(name, values)
    return {"name": name, "params": trees}, {k: np.asarray(v, dtype=float) for k, v in out.items()}


def _any_schedule(rng: random.Random, total: int) -> Any:
    while True:
        family = rng.choice(list(explorer_models.FAMILIES))
        spec = _random_sched(family, rng)
        s = explorer_models.evaluate_value(widgets._tree(spec, set(), "s"), {})
        try:
            s(np.array([0, total - 1]))
        except ValueError:
            continue
        return spec


MODEL_PARAMS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "schedule": lambda rng: (lambda n: {"schedule": _any_schedule(rng, n), "steps": n})(
        _count(rng, 1, 300)
    ),
    "nqm": lambda rng: (
        lambda n: {
            "schedule": widgets.schedule(
                "scale", _any_schedule(rng, n), 10 ** rng.uniform(-4, 0.35)
            ),
            "steps": n,
            "dim": _count(rng, 1, 64),
            "batch_size": rng.randrange(1, 9),
            "theta0": rng.uniform(-3, 3),
        }
    )(_count(rng, 1, 120)),
    "nqm_floor": lambda rng: (
        lambda n: {
            "schedule": widgets.schedule(
                "scale", _any_schedule(rng, n), 10 ** rng.uniform(-4, 0.4)
            ),
            "steps": n,
            "dim": _count(rng, 1, 64),
            "batch_size": rng.randrange(1, 9),
        }
    )(_count(rng, 1, 60)),
    "gd_1d": lambda rng: {
        "lr": 10 ** rng.uniform(-3, 0.2),
        "steps": rng.randrange(0, 150),
        "x0": rng.uniform(-5, 5),
        "a": 10 ** rng.uniform(-1, 1),
        "b": rng.uniform(-5, 5),
    },
    "gd_2d": lambda rng: {
        "lr": 10 ** rng.uniform(-3, 0),
        "steps": rng.randrange(0, 150),
        "h_x": 10 ** rng.uniform(-1, 2),
        "h_y": 10 ** rng.uniform(-1, 2),
        "x0": rng.uniform(-3, 3),
        "y0": rng.uniform(-3, 3),
    },
    "quadratic_contours": lambda rng: {
        "h_x": 10 ** rng.uniform(-1, 2),
        "h_y": 10 ** rng.uniform(-1, 2),
        "top": 10 ** rng.uniform(-3, 2),
        "ratio": 10 ** rng.uniform(-1, 0),
        "count": rng.randrange(1, 10),
        "points": rng.randrange(3, 80),
    },
    "adam": lambda rng: {
        "beta1": rng.choice([0.0, 0.9, rng.random() * 0.999]),
        "beta2": rng.choice([0.95, 0.999, rng.uniform(0.5, 0.99999)]),
        "steps": rng.randrange(1, 150),
        "grad_mean": rng.uniform(-3, 3),
        "grad_flip": rng.uniform(-3, 3),
        "eps": rng.choice([0.0, 1e-8, 1e-3]),
    },
    "radam": lambda rng: {
        "beta2": rng.choice([0.9, 0.95, 0.999, rng.uniform(0.61, 0.99999)]),
        "steps": rng.randrange(1, 400),
        "threshold": rng.choice([4.0, 5.0, rng.uniform(4, 50)]),
    },
    "phase_marks": lambda rng: (lambda n: {"schedule": _any_schedule(rng, n), "steps": n})(
        _count(rng, 1, 300_000)
    ),
}


def _contours_agree(case: dict, got: dict) -> tuple[float, float]:
    """The page's contour points lie on lrlab's level sets (the angle's cos/sin may round apart)."""
    p = {k: explorer_models.evaluate_value(t, {}) for k, t in case["params"]}
    x, y = node.numbers(got["x"]), node.numbers(got["y"])
    levels = np.array([p["top"] * p["ratio"] ** k for k in range(p["count"])])
    level = np.repeat(levels, p["points"] + 1)[: x.size]
    from lrlab.problems import Quadratic2D

    finite = np.isfinite(x)
    loss = Quadratic2D(p["h_x"], p["h_y"]).loss(x[finite], y[finite])
    err = float(np.max(np.abs(loss - level[finite]) / level[finite]))
    return err, err


@pytest.mark.parametrize("name", list(MODEL_PARAMS))
def test_every_model_agrees_with_lrlab(name: str) -> None:
    rng = random.Random(sum(map(ord, name)))
    cases, expected = [], []
    while len(cases) < CONFIGS:
        try:
            case, want = _model_case(name, MODEL_PARAMS[name](rng))
        except ValueError:
            continue
        cases.append(case)
        expected.append(want)
    results, ms = node.run({"kind": "model", "cases": cases})
    if name == "quadratic_contours":
        worst = max(_contours_agree(c, r)[0] for c, r in zip(cases, results, strict=True))
        REPORT[name] = (len(cases), worst, worst, ms)
        print(f"\n{name:20s} {len(cases):6d} configs  max relative error of the level {worst:.2e}")
        assert worst <= BOUND
        for want, got in zip(expected, results, strict=True):
            assert len(got["x"]) == want["x"].size
        return
    cosine = name in ("schedule", "phase_marks")
    _check(name, expected, results, ms, cosine=cosine)


# ------------------------------------------------------------------ expressions and formats


def _random_value(rng: random.Random) -> Any:
    kind = rng.random()
    if kind < 0.3:
        return rng.randrange(-(10**6), 10**6)
    if kind < 0.4:
        return rng.choice([0.5, 1.5, 2.5, -0.5, 0.125, 0.0, -0.0, 1e16, 1e-5, 123456.789])
    if kind < 0.9:
        return rng.uniform(-1, 1) * 10 ** rng.uniform(-12, 18)
    return rng.choice([True, False])


SPECS = [
    "",
    ".0f",
    ".1f",
    ".2f",
    ".3f",
    ".6f",
    ".0e",
    ".2e",
    ".1g",
    ".3g",
    ".4g",
    ".6g",
    ".12g",
    ".0%",
    ".1%",
    "g",
    "e",
    "f",
    "%",
    "+.2f",
    " .3g",
    ",.0f",
    ",.2f",
    "d",
    ",d",
    "+d",
]


def test_numbers_are_formatted_as_python_formats_them() -> None:
    rng = random.Random(7)
    cases, expected = [], []
    while len(cases) < 20_000:
        value, spec = _random_value(rng), rng.choice(SPECS)
        try:
            want = _expr.format_value(value, spec)
        except ValueError:
            continue
        cases.append([widgets._literal_tree(value, "v"), spec])
        expected.append(want)
    results, _ = node.run({"kind": "format", "cases": cases})
    wrong = [(c, e, r) for c, e, r in zip(cases, expected, results, strict=True) if e != r]
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, e.g. {wrong[:5]}"


EXPRESSIONS = [
    "a + b",
    "a - b",
    "a * b",
    "a / b",
    "a // b",
    "a % b",
    "a ** 2",
    "-a",
    "abs(a)",
    "round(a)",
    "round(a / 3)",
    "int(a)",
    "floor(a)",
    "ceil(a)",
    "min(a, b)",
    "max(a, b, 1)",
    "a if a > b else b",
    "a < b <= 3",
    "not a",
    "a and b",
    "a or b",
    "float(a)",
    "max(1, round(a * b))",
    "2 ** (-1 / b)",
    "sqrt(abs(a))",
    "log10(abs(a) + 1)",
    "a // 1",
    "a % 1.5",
    "(a + b) * (a - b) / 7",
    "a == b",
    "a != 2",
]


def test_expressions_evaluate_as_python_evaluates_them() -> None:
    rng = random.Random(11)
    cases, expected = [], []
    while len(cases) < 20_000:
        text = rng.choice(EXPRESSIONS)
        env = {"a": _random_value(rng), "b": _random_value(rng)}
        if rng.random() < 0.5:
            env = {
                k: (
                    v
                    if isinstance(v, bool)
                    else round(v)
                    if isinstance(v, float) and abs(v) < 1e9
                    else v
                )
                for k, v in env.items()
            }
        tree = _expr.parse(text, {"a", "b"}, "test")
        try:
            want = _expr.evaluate(tree, env)
        except (ZeroDivisionError, ValueError, OverflowError):
            continue
        if isinstance(want, float) and not math.isfinite(want):
            continue
        if isinstance(want, int) and not isinstance(want, bool) and abs(want) > 2**53:
            continue
        cases.append([tree, {k: widgets._literal_tree(v, k) for k, v in env.items()}])
        expected.append(
            widgets._literal_tree(want, "result") if not isinstance(want, float) else ["f", want]
        )
    results, _ = node.run({"kind": "expr", "cases": cases})
    wrong = []
    for case, want, got in zip(cases, expected, results, strict=True):
        # JSON writes a whole float without its ".0"; the tag says it is a float.
        same = got == want or (
            want[0] == "f"
            and got[0] == "f"
            and not isinstance(got[1], str)
            and abs(float(got[1]) - want[1]) <= 1e-15 * abs(want[1])
        )
        if not same:
            wrong.append((case, want, got))
    assert not wrong, f"{len(wrong)} of {len(cases)} differ, e.g. {wrong[:3]}"
