"""What learning rate did each optimizer update really use? Run the loop and see.

:func:`audit` builds the user's optimizer and scheduler on a dummy parameter,
runs the training loop they describe (gradient accumulation, where
``scheduler.step()`` is called, a save and resume, several processes'
bookkeeping), records the learning rate every ``optimizer.step()`` used, and
names what looks wrong. Any torch ``LRScheduler`` works, Hugging Face's
``get_scheduler`` included, since only the optimizer is observed. Every
parameter group is read; what each should follow is said as for
:func:`lrlab.to_torch` (one schedule per group, or one schedule with
``groups="same"`` or ``"factor"``).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure

from lrlab._checks import check_choice, check_int
from lrlab.schedules import Schedule, scale
from lrlab.tables import format_table
from lrlab.torch_adapter import GROUP_MODES, group_schedules, initial_lrs
from lrlab.viz import plot_curves

__all__ = ["FINDINGS", "AuditReport", "Finding", "audit"]

#: Every finding :func:`audit` can report, with what it means.
FINDINGS = {
    "negative_lr": "an update ran with a negative learning rate",
    "rise_after_end": "the learning rate climbs back after the decay has ended",
    "unwarmed_first_update": "the first update skipped the warmup",
    "scheduler_before_optimizer": "scheduler.step() runs before optimizer.step(): one step ahead",
    "over_stepping": "the scheduler advances several steps per optimizer update",
    "under_stepping": "the scheduler advances less than once per optimizer update",
    "jump_after_resume": "after the resume the rates differ from an uninterrupted run",
    "differs_from_intended": "the rates differ from the intended schedule",
}

STEP_WHERE = ("after_optimizer", "before_optimizer")
STEP_EVERY = ("update", "micro_batch", "process", "epoch")
RESUME = ("state_dict", "optimizer_only", "scheduler_only", "fresh")

Build = Callable[[list[torch.Tensor]], tuple[torch.optim.Optimizer, Any]]


@dataclass(frozen=True)
class Finding:
    """One named problem: what, from which update on, in which group, and in words.

    Attributes
    ----------
    name : str
        A key of :data:`FINDINGS`.
    step : int
        First optimizer update where it shows.
    message : str
        What was seen, with numbers.
    group : int
        The parameter group it was seen in (the first, if several show it).
    """

    name: str
    step: int
    message: str
    group: int = 0


@dataclass(frozen=True)
class AuditReport:
    """What :func:`audit` found.

    Attributes
    ----------
    lrs : numpy.ndarray
        Learning rate of group 0 used by each optimizer update.
    group_lrs : numpy.ndarray
        Shape ``(updates, groups)``: every group's rate at every update.
    scheduler_calls : numpy.ndarray
        ``scheduler.step()`` calls made before each update (cumulative).
    intended : Schedule or None
        The rates group 0 should use.
    findings : tuple of Finding
    resume_at : int or None
    warnings : tuple of str
        torch's scheduler warnings raised during the run.
    group_intended : tuple of Schedule
        The rates each group should use (empty without ``intended``); with
        ``groups="factor"`` group ``g``'s is ``scale(intended, initial_lr_g)``.
    """

    lrs: np.ndarray
    group_lrs: np.ndarray
    scheduler_calls: np.ndarray
    intended: Schedule | None
    findings: tuple[Finding, ...]
    resume_at: int | None = None
    warnings: tuple[str, ...] = field(default=())
    group_intended: tuple[Schedule, ...] = field(default=())

    @property
    def names(self) -> set[str]:
        """The names of the findings (empty when nothing is wrong)."""
        return {f.name for f in self.findings}

    @property
    def ok(self) -> bool:
        """True when there is no finding."""
        return not self.findings

    def _group(self, group: int) -> tuple[np.ndarray, Schedule | None]:
        """Rates used by ``group`` and the schedule it should follow."""
        g = check_int("group", group, 0, self.group_lrs.shape[1] - 1)
        return self.group_lrs[:, g], self.group_intended[g] if self.group_intended else None

    def key_steps(self, group: int = 0) -> list[int]:
        """Updates worth a row: the first two, every change of trend, the resume, the end.

        Parameters
        ----------
        group : int, default 0
            The parameter group whose rates are read.

        Returns
        -------
        list of int
        """
        lrs, intended = self._group(group)
        n = len(lrs)
        marks = {0, min(1, n - 1), n - 1}
        d = np.sign(np.diff(lrs))
        for t in np.flatnonzero(d[1:] != d[:-1]) + 1:
            marks.add(int(t))
        if intended is not None and intended.total_steps is not None:
            marks.add(min(intended.total_steps, n - 1))
        if self.resume_at is not None:
            marks.update({self.resume_at - 1, self.resume_at})
        return sorted(m for m in marks if 0 <= m < n)[:24]

    def table(self, steps: Sequence[int] | None = None, group: int = 0) -> str:
        """The rates at ``steps`` (default :meth:`key_steps`), beside the intended ones.

        Parameters
        ----------
        steps : sequence of int, optional
        group : int, default 0
            The parameter group shown.

        Returns
        -------
        str
        """
        lrs, intended = self._group(group)
        rows = []
        for t in self.key_steps(group) if steps is None else steps:
            row: list[Any] = [t, int(self.scheduler_calls[t]), f"{lrs[t]:.4g}"]
            if intended is not None:
                want = float(intended(t))
                row += [f"{want:.4g}", "yes" if _close(lrs[t], want) else "NO"]
            rows.append(row)
        columns = ["update", "sched calls", "lr used"]
        if intended is not None:
            columns += ["intended", "match"]
        return format_table(columns, rows)

    def plot(self, title: str = "", group: int = 0) -> Figure:
        """Rates used against update, with the intended schedule if given.

        Parameters
        ----------
        title : str, optional
        group : int, default 0
            The parameter group drawn.

        Returns
        -------
        Figure
        """
        lrs, intended = self._group(group)
        t = np.arange(len(lrs))
        curves = {"used by the loop": lrs}
        if intended is not None:
            curves["intended"] = intended(t)
        return plot_curves(t, curves, "optimizer update t", "learning rate", title=title)

    def __str__(self) -> str:
        head = "no findings" if self.ok else "findings:"
        lines = [head]
        for f in self.findings:
            where = f"group {f.group}, " if f.group else ""
            lines.append(f"- {f.name} ({where}from update {f.step}): {f.message}")
        shown = {0, *(f.group for f in self.findings)}
        tables = [
            (f"group {g}:\n" if len(shown) > 1 else "") + self.table(group=g) for g in sorted(shown)
        ]
        return "\n".join([*lines, "", "\n\n".join(tables)])


def _close(a: Any, b: Any) -> bool:
    return bool(np.allclose(a, b, rtol=1e-6, atol=1e-15))


def _run(
    build: Build,
    updates: int,
    accumulation: int,
    step_where: str,
    calls_per_update: Callable[[int], int],
    per_micro_batch: bool,
    resume_at: int | None,
    resume: str,
) -> tuple[np.ndarray, np.ndarray, list[str], list[float]]:
    params = [torch.zeros(1, requires_grad=True)]
    optimizer, scheduler = build(params)
    bases = initial_lrs(optimizer)
    used: list[list[float]] = []
    calls = np.zeros(updates, dtype=np.int64)
    count = [0]

    def attach(opt: torch.optim.Optimizer) -> None:
        opt.register_step_pre_hook(
            lambda o, args, kwargs: used.append([float(g["lr"]) for g in o.param_groups])
        )

    def sched_step() -> None:
        scheduler.step()
        count[0] += 1

    attach(optimizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for u in range(updates):
            if u == resume_at:
                optimizer, scheduler = _resume(build, params, optimizer, scheduler, resume)
                attach(optimizer)
            for m in range(accumulation):
                params[0].sum().backward()
                last = m == accumulation - 1
                if not last:
                    # A scheduler stepped on every micro-batch has already moved
                    # before the update of its first batch.
                    if per_micro_batch:
                        sched_step()
                    continue
                if step_where == "before_optimizer":
                    for _ in range(calls_per_update(u)):
                        sched_step()
                calls[u] = count[0]
                optimizer.step()
                optimizer.zero_grad()
                if step_where == "after_optimizer":
                    for _ in range(calls_per_update(u)):
                        sched_step()
    notes = [str(w.message) for w in caught if "lr_scheduler" in str(w.message)]
    return np.array(used), calls, notes, bases


def _resume(
    build: Build, params: list[torch.Tensor], optimizer: Any, scheduler: Any, how: str
) -> tuple[torch.optim.Optimizer, Any]:
    """A new process: build again and restore what the checkpoint holds."""
    opt_state = copy.deepcopy(optimizer.state_dict())
    sched_state = copy.deepcopy(scheduler.state_dict())
    new_opt, new_sched = build(params)
    if how in ("state_dict", "optimizer_only"):
        new_opt.load_state_dict(opt_state)
    if how in ("state_dict", "scheduler_only"):
        new_sched.load_state_dict(sched_state)
    return new_opt, new_sched


def audit(
    build: Build,
    updates: int,
    *,
    intended: Schedule | Sequence[Schedule] | None = None,
    groups: str | None = None,
    accumulation: int = 1,
    step_where: str = "after_optimizer",
    step_every: str = "update",
    steps_per_epoch: int = 1,
    world_size: int = 1,
    resume_at: int | None = None,
    resume: str = "state_dict",
) -> AuditReport:
    """Run a training loop on a dummy parameter and report the learning rates it used.

    Parameters
    ----------
    build : callable
        ``build(params)`` returns ``(optimizer, scheduler)`` for a list of
        tensors, exactly as the training script builds them.
    updates : int
        Optimizer updates to run, >= 2.
    intended : Schedule or sequence of Schedule, optional
        The lrlab schedule the loop should follow (value at update ``t``), or
        one per parameter group, as :func:`lrlab.to_torch` takes them.
    groups : {"same", "factor"}, optional
        How one intended schedule applies to parameter groups that start from
        different learning rates, as in :func:`lrlab.to_torch`: ``"same"``,
        every group follows it; ``"factor"``, group ``g`` should use
        ``initial_lr_g * intended(t)`` (``LambdaLR``), with ``initial_lr_g``
        the rate torch recorded when the scheduler was built.
    accumulation : int, default 1
        Micro-batches per optimizer update (gradient accumulation).
    step_where : {"after_optimizer", "before_optimizer"}
        Where ``scheduler.step()`` sits relative to ``optimizer.step()``.
    step_every : {"update", "micro_batch", "process", "epoch"}
        How often it is called: once per update; once per micro-batch
        (``accumulation`` times per update); once per process
        (``world_size`` times per update, as a wrapper that compensates for
        sharded data does); once every ``steps_per_epoch`` updates.
    steps_per_epoch : int, default 1
        Updates per epoch, for ``step_every="epoch"``.
    world_size : int, default 1
        Number of processes whose bookkeeping is simulated.
    resume_at : int, optional
        Save after this many updates, then continue in a rebuilt optimizer
        and scheduler, as a new process would.
    resume : {"state_dict", "optimizer_only", "scheduler_only", "fresh"}
        What the resume restores: both state dicts (optimizer first), only
        one of them, or nothing.

    Returns
    -------
    AuditReport

    Examples
    --------
    >>> import torch
    >>> from torch.optim.lr_scheduler import LambdaLR
    >>> from lrlab import linear_warmup
    >>> def build(params):
    ...     opt = torch.optim.SGD(params, lr=1.0)
    ...     return opt, LambdaLR(opt, lambda t: min(1.0, t / 4))
    >>> audit(build, 8, intended=linear_warmup(1.0, 4)).ok
    True
    >>> audit(build, 8, intended=linear_warmup(1.0, 4), accumulation=2,
    ...       step_every="micro_batch").names
    {'over_stepping'}
    """
    updates = check_int("updates", updates, 2)
    accumulation = check_int("accumulation", accumulation, 1)
    world_size = check_int("world_size", world_size, 1)
    steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, 1)
    step_where = check_choice("step_where", step_where, STEP_WHERE)
    step_every = check_choice("step_every", step_every, STEP_EVERY)
    resume = check_choice("resume", resume, RESUME)
    if resume_at is not None:
        resume_at = check_int("resume_at", resume_at, 1, updates - 1)

    # Calls at the update itself; with step_every="micro_batch" the other
    # accumulation - 1 calls come after the earlier micro-batches of the update.
    per = {"update": 1, "micro_batch": 1, "process": world_size}

    def calls_per_update(u: int) -> int:
        if step_every == "epoch":
            return 1 if (u + 1) % steps_per_epoch == 0 else 0
        return per[step_every]

    per_micro = step_every == "micro_batch"
    args = (build, updates, accumulation, step_where, calls_per_update, per_micro)
    group_lrs, calls, notes, bases = _run(*args, resume_at, resume)
    wanted = _intended_rates(intended, bases, groups)
    reference = None
    if resume_at is not None:
        reference = _run(*args, None, resume)[0]
    factors = {accumulation, world_size, accumulation * world_size, steps_per_epoch}
    findings: list[Finding] = []
    for g in range(group_lrs.shape[1]):
        for found in _diagnose(
            group_lrs[:, g],
            calls,
            wanted[g] if wanted else None,
            None if reference is None else reference[:, g],
            resume_at,
            notes,
            factors,
        ):
            # A mistake every group shows is reported once, for the first group.
            if found.name not in {f.name for f in findings}:
                findings.append(Finding(found.name, found.step, found.message, g))
    return AuditReport(
        group_lrs[:, 0],
        group_lrs,
        calls,
        wanted[0] if wanted else None,
        tuple(findings),
        resume_at,
        tuple(notes),
        tuple(wanted),
    )


def _intended_rates(
    intended: Schedule | Sequence[Schedule] | None, bases: list[float], groups: str | None
) -> list[Schedule]:
    """The rates each group should use, by to_torch's rules (empty without ``intended``)."""
    if intended is None:
        if groups is not None:
            check_choice("groups", groups, GROUP_MODES)
        return []
    schedules, mode = group_schedules(intended, bases, groups, name="intended")
    if mode == "factor":
        return [scale(s, base) for s, base in zip(schedules, bases, strict=True)]
    return schedules


def _diagnose(
    lrs: np.ndarray,
    calls: np.ndarray,
    intended: Schedule | None,
    reference: np.ndarray | None,
    resume_at: int | None,
    notes: list[str],
    factors: set[int],
) -> list[Finding]:
    found: list[Finding] = []
    n = len(lrs)
    t = np.arange(n)

    def add(name: str, step: int, message: str) -> None:
        if name not in {f.name for f in found}:
            found.append(Finding(name, int(step), message))

    if np.any(lrs < 0):
        k = int(np.argmax(lrs < 0))
        add("negative_lr", k, f"update {k} used lr = {lrs[k]:.4g}")

    if reference is not None and resume_at is not None:
        bad = np.flatnonzero(~np.isclose(lrs, reference, rtol=1e-12, atol=0))
        if bad.size:
            k = int(bad[0])
            add(
                "jump_after_resume",
                k,
                f"update {k} used {lrs[k]:.4g} where the uninterrupted run used {reference[k]:.4g}",
            )

    per_update = np.diff(np.append(calls, calls[-1] + (calls[-1] - calls[-2])))
    want = None if intended is None else intended(t)
    if intended is not None and want is not None and not _close(lrs, want):
        _explain(
            lrs,
            want,
            intended,
            per_update,
            factors,
            add,
            resume_at,
            "jump_after_resume" in {f.name for f in found},
        )
    elif want is None:
        if np.max(per_update) > 1:
            k = int(np.argmax(per_update > 1))
            add(
                "over_stepping", k, f"scheduler.step() ran {int(per_update[k])} times at update {k}"
            )
        if any("before `optimizer.step()`" in note for note in notes) and np.max(per_update) <= 1:
            add("scheduler_before_optimizer", 0, "torch warned: " + notes[0][:80])
        if n >= 3 and lrs[0] > lrs[1] and lrs[1] < lrs[2]:
            add(
                "unwarmed_first_update",
                0,
                f"update 0 used {lrs[0]:.4g}, then the rate rises from {lrs[1]:.4g}",
            )

    rise = _rise_after_decay(lrs, want)
    if rise is not None:
        add(
            "rise_after_end",
            rise,
            f"the rate climbs from {lrs[rise - 1]:.4g} at update {rise - 1} to {lrs[-1]:.4g}",
        )
    return found


def _explain(
    lrs: np.ndarray,
    want: np.ndarray,
    intended: Schedule,
    per_update: np.ndarray,
    factors: set[int],
    add: Callable[[str, int, str], None],
    resume_at: int | None,
    resumed_badly: bool,
) -> None:
    n = len(lrs)
    t = np.arange(n)
    first = int(np.flatnonzero(~np.isclose(lrs, want, rtol=1e-6, atol=1e-15))[0])
    if _close(lrs, _values(intended, t + 1)):
        add(
            "scheduler_before_optimizer",
            0,
            f"update t used the intended rate of update t + 1 (update 0: {lrs[0]:.4g} "
            f"instead of {want[0]:.4g})",
        )
        return
    for r in sorted(f for f in factors if f > 1):
        if _close(lrs, _values(intended, r * t)):
            add("over_stepping", first, f"update t used the intended rate of update {r} t")
            return
        if _close(lrs, _values(intended, t // r)) or _close(
            lrs[r * t[: (n - 1) // r + 1]], want[: (n - 1) // r + 1]
        ):
            add("under_stepping", first, f"the schedule runs {r} times too slowly")
            return
    if first == 0 and n > 1 and _close(lrs[1:], want[1:]):
        add(
            "unwarmed_first_update",
            0,
            f"update 0 used {lrs[0]:.4g} instead of the warmup's {want[0]:.4g}",
        )
        return
    if resumed_badly and resume_at is not None and _close(lrs[:resume_at], want[:resume_at]):
        return
    if np.max(per_update) > 1:
        add(
            "over_stepping",
            first,
            f"scheduler.step() ran {int(np.max(per_update))} times per update",
        )
        return
    add(
        "differs_from_intended",
        first,
        f"update {first} used {lrs[first]:.4g} instead of {want[first]:.4g}",
    )


def _values(schedule: Schedule, steps: np.ndarray) -> np.ndarray:
    """The schedule at ``steps``, NaN everywhere if it refuses some (one_cycle past its end)."""
    try:
        return np.asarray(schedule(steps))
    except ValueError:
        return np.full(steps.shape, np.nan)


def _rise_after_decay(lrs: np.ndarray, want: np.ndarray | None) -> int | None:
    """First update of a rise lasting >= 2 updates after the rate had decayed from its peak.

    A one-update jump (a warm restart) is no finding, nor is a rise the
    intended schedule has too.
    """
    d = np.diff(lrs)
    top = float(np.max(np.abs(lrs))) or 1.0
    up = d > 1e-9 * top
    for k in range(1, len(d)):
        if not (up[k] and up[k - 1]):
            continue
        start = k - 1  # lrs rises from update start onwards
        peak = int(np.argmax(lrs[: start + 1]))
        if peak >= start or lrs[start] > np.min(lrs[peak : start + 1]):
            continue
        if start < 2 or not lrs[start - 2] > lrs[start - 1] > lrs[start]:
            continue  # a one-update drop is a skipped warmup, not a decay that ended
        if want is not None and np.any(np.diff(want[start : start + 3]) > 1e-9 * top):
            continue
        return start + 1
    return None
