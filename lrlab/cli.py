"""``python -m lrlab show "<schedule repr>"``: a quick look at a schedule from the shell.

The schedule is read from its repr without ``eval``: the text is parsed with
:mod:`ast`, and only calls of lrlab's schedule constructors with literal
arguments (numbers, strings, booleans, ``None``, lists, nested schedules) are
accepted. The arguments are bound to the constructor's signature before it
is called, so a wrong argument is reported with the signature it missed; the
constructor then checks the values.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import itertools
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from lrlab import schedules
from lrlab.interop import to_hf
from lrlab.schedules import (
    Schedule,
    cosine,
    cosine_restarts,
    exponential,
    multistep,
    one_cycle,
    polynomial,
    step_decay,
)
from lrlab.tables import format_table

__all__ = ["key_steps", "main", "parse_schedule", "torch_code"]

#: Constructors a spec may call: every schedule family of :mod:`lrlab.schedules`.
CONSTRUCTORS: dict[str, type[Schedule]] = {
    name: getattr(schedules, name)
    for name in schedules.__all__
    if isinstance(getattr(schedules, name), type)
    and issubclass(getattr(schedules, name), Schedule)
    and name != "Schedule"
}


def parse_schedule(text: str) -> Schedule:
    """Build the schedule a repr describes, accepting only lrlab constructors and literals.

    Parameters
    ----------
    text : str
        For example ``"warmup_cosine(peak=0.001, total_steps=1000, warmup_steps=100)"``.

    Returns
    -------
    Schedule

    Raises
    ------
    ValueError
        Naming what is not allowed, or the constructor's own message.

    Examples
    --------
    >>> parse_schedule("cosine(1.0, 10, floor=0.1)")
    cosine(peak=1.0, total_steps=10, floor=0.1)
    >>> parse_schedule("__import__('os')")
    Traceback (most recent call last):
    ...
    ValueError: schedule spec: '__import__' is not an lrlab schedule; use one of ...
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ValueError(f"schedule spec is not a Python call: {error.msg} in {text!r}") from None
    value = _build(tree.body)
    if not isinstance(value, Schedule):
        raise ValueError(f"schedule spec must be a call such as cosine(1e-3, 1000), got {text!r}")
    return value


def _build(node: ast.AST) -> Any:
    if isinstance(node, ast.Constant) and isinstance(
        node.value, (int, float, str, bool, type(None))
    ):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _build(node.operand)
        if isinstance(operand, (int, float)) and not isinstance(operand, bool):
            return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_build(item) for item in node.elts]
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
        if name not in CONSTRUCTORS:
            known = ", ".join(sorted(CONSTRUCTORS))
            raise ValueError(
                f"schedule spec: {name!r} is not an lrlab schedule; use one of {known}"
            )
        if any(kw.arg is None for kw in node.keywords):
            raise ValueError(f"schedule spec: ** arguments are not allowed in {name}(...)")
        args = [_build(arg) for arg in node.args]
        kwargs = {kw.arg: _build(kw.value) for kw in node.keywords if kw.arg is not None}
        signature = _signature(CONSTRUCTORS[name])
        try:
            signature.bind(*args, **kwargs)
        except TypeError as error:
            raise ValueError(f"schedule spec: {name}{signature}: {error}") from None
        return CONSTRUCTORS[name](*args, **kwargs)
    raise ValueError(
        f"schedule spec: only lrlab schedule calls and literal numbers, strings, lists, True, "
        f"False and None are allowed, got {ast.unparse(node)!r}"
    )


def _signature(family: type[Schedule]) -> inspect.Signature:
    """The constructor's parameters as a reader writes them (no annotations)."""
    params = [
        p.replace(annotation=inspect.Parameter.empty)
        for p in inspect.signature(family).parameters.values()
    ]
    return inspect.Signature(params)


def key_steps(schedule: Schedule, steps: int) -> list[int]:
    """Steps worth printing: 0, phase boundaries, changes of direction and the end.

    Parameters
    ----------
    schedule : Schedule
    steps : int
        Length of the run shown.

    Returns
    -------
    list of int

    Examples
    --------
    >>> from lrlab import warmup_cosine
    >>> key_steps(warmup_cosine(1.0, 100, 10), 101)
    [0, 5, 10, 55, 100]
    """
    marks = {0, steps - 1}
    for name in ("warmup_steps", "total_steps", "period"):
        value = getattr(schedule, name, None)
        if isinstance(value, int):
            marks.add(value)
    decay_steps = getattr(schedule, "decay_steps", None)
    if isinstance(decay_steps, int) and isinstance(schedule.total_steps, int):
        marks.add(schedule.total_steps - decay_steps)
    for name in ("boundaries", "milestones"):
        marks.update(int(v) for v in getattr(schedule, name, ()))
    t = np.arange(steps)
    trend = np.sign(np.round(np.diff(schedule(t)), 15))
    marks.update(int(k) + 1 for k in np.flatnonzero(trend[1:] != trend[:-1]))
    inner = sorted(m for m in marks if 0 <= m < steps)
    middles = {(a + b) // 2 for a, b in itertools.pairwise(inner) if b - a > 2}
    return sorted(set(inner) | middles)[:20]


def torch_code(schedule: Schedule) -> str:
    """PyTorch code that reproduces ``schedule``: a built-in scheduler where one is exact.

    Parameters
    ----------
    schedule : Schedule

    Returns
    -------
    str
        Lines that expect an ``optimizer`` whose ``lr`` is the schedule's
        value at step 0 (or its peak for one_cycle and cyclical).

    Examples
    --------
    >>> from lrlab import step_decay
    >>> print(torch_code(step_decay(0.1, 30, 0.1)))
    from torch.optim.lr_scheduler import StepLR
    # optimizer built with lr=0.1
    scheduler = StepLR(optimizer, step_size=30, gamma=0.1)
    """
    builtin = None
    if isinstance(schedule, step_decay):
        builtin = (
            "StepLR",
            schedule.start,
            f"step_size={schedule.step_size}, gamma={schedule.gamma!r}",
        )
    elif isinstance(schedule, multistep):
        builtin = (
            "MultiStepLR",
            schedule.start,
            f"milestones={list(schedule.milestones)}, gamma={schedule.gamma!r}",
        )
    elif isinstance(schedule, exponential):
        builtin = ("ExponentialLR", schedule.start, f"gamma={schedule.gamma!r}")
    elif isinstance(schedule, cosine) and schedule.past_end == "continue":
        builtin = (
            "CosineAnnealingLR",
            schedule.peak,
            f"T_max={schedule.total_steps}, eta_min={schedule.floor!r}",
        )
    elif isinstance(schedule, polynomial) and schedule.end == 0:
        builtin = (
            "PolynomialLR",
            schedule.start,
            f"total_iters={schedule.total_steps}, power={schedule.power!r}",
        )
    elif isinstance(schedule, cosine_restarts):
        builtin = (
            "CosineAnnealingWarmRestarts",
            schedule.peak,
            f"T_0={schedule.period}, T_mult={schedule.period_mult}, eta_min={schedule.floor!r}",
        )
    elif isinstance(schedule, one_cycle):
        s = schedule
        builtin = (
            "OneCycleLR",
            s.peak,
            f"max_lr={s.peak!r}, total_steps={s.total_steps}, pct_start={s.pct_start!r}, "
            f"div_factor={s.div_factor!r}, final_div_factor={s.final_div_factor!r}, "
            f"anneal_strategy={s.anneal!r}, three_phase={s.three_phase}, "
            f"cycle_momentum={s.cycle_momentum}, base_momentum={s.base_momentum!r}, "
            f"max_momentum={s.max_momentum!r}",
        )
    if builtin is not None:
        name, lr, args = builtin
        return "\n".join(
            [
                f"from torch.optim.lr_scheduler import {name}",
                f"# optimizer built with lr={lr!r}",
                f"scheduler = {name}(optimizer, {args})",
            ]
        )
    names = sorted({n.id for n in ast.walk(ast.parse(repr(schedule))) if isinstance(n, ast.Name)})
    return "\n".join(
        [
            f"from lrlab import {', '.join([*names, 'to_torch'])}",
            "# no built-in torch scheduler is exact here; lrlab's adapter is",
            f"scheduler = to_torch({schedule!r}, optimizer)",
        ]
    )


def _show(args: argparse.Namespace) -> int:
    schedule = parse_schedule(args.spec)
    steps = args.steps if args.steps is not None else (schedule.total_steps or 99) + 1
    if steps < 1:
        raise ValueError(f"--steps must be an integer >= 1, got {steps}")
    print(repr(schedule))
    rows = [[t, f"{schedule(t):.4g}"] for t in key_steps(schedule, steps)]
    print(format_table(["step", "lr"], rows))
    if args.out:
        from lrlab.viz import plot_schedules

        plot_schedules({repr(schedule)[:60]: schedule}, steps).savefig(args.out, dpi=150)
        print(f"plot written to {args.out}")
    if args.torch:
        print()
        print(torch_code(schedule))
    if args.hf:
        print()
        match = to_hf(schedule)
        if match is None:
            print("no Hugging Face lr_scheduler_type reproduces this schedule")
        else:
            name, kwargs = match
            print(f'lr_scheduler_type="{name}"')
            for key, value in kwargs.items():
                print(f"{key}={value!r}")
            if name in ("cosine", "cosine_with_min_lr"):
                print("# HF's cosine climbs back after num_training_steps; lrlab's holds its floor")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m lrlab``; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on a bad spec or argument.
    """
    parser = argparse.ArgumentParser(prog="python -m lrlab")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print a schedule at its key steps, plot it, translate it")
    show.add_argument("spec", help='a schedule repr, e.g. "cosine(1e-3, 1000)"')
    show.add_argument("--steps", type=int, help="length of the run shown (default total_steps + 1)")
    show.add_argument("--out", help="write a plot to this file (.png, .svg)")
    show.add_argument("--torch", action="store_true", help="print PyTorch code reproducing it")
    show.add_argument("--hf", action="store_true", help="print the matching Hugging Face type")
    args = parser.parse_args(argv)
    try:
        return _show(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
