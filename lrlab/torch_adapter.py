"""Drive a torch optimizer with an ``lrlab`` schedule.

``to_torch(schedule, optimizer)`` returns a genuine
``torch.optim.lr_scheduler.LRScheduler``: after its construction the
optimizer holds ``schedule(0)``, and after ``t`` calls of ``step()`` it holds
``schedule(t)``, exactly. ``start_step=k`` starts at ``schedule(k)`` instead,
so a cooldown can branch off a checkpoint taken at step ``k``. Schedules that
carry a ``momentum`` schedule (``one_cycle``, ``cyclical``) also set each
group's ``momentum`` (SGD, RMSprop) or the first Adam beta, as torch's
``OneCycleLR`` and ``CyclicLR`` do.

Parameter groups with their own learning rates take one schedule each (a
list), or one schedule read as a factor (``groups="factor"``: group ``g``
gets ``initial_lr_g * s(t)``, as ``LambdaLR`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from lrlab._checks import check_bool, check_choice, check_instance, check_int, check_lr, shown
from lrlab.schedules import MAX_STEP, Schedule

__all__ = [
    "GROUP_MODES",
    "ScheduleLR",
    "group_schedules",
    "initial_lrs",
    "to_torch",
    "torch_lr_sequence",
]

GROUP_MODES = ("same", "factor")
_STATE_KEYS = ("last_epoch", "_step_count", "base_lrs", "schedule_reprs")


def initial_lrs(optimizer: Optimizer) -> list[float]:
    """The rate each parameter group started from: torch's ``initial_lr`` once a scheduler set it.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer

    Returns
    -------
    list of float
        One learning rate per parameter group.

    Examples
    --------
    >>> import torch
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    >>> initial_lrs(opt)
    [0.5]
    """
    values = [group.get("initial_lr", group["lr"]) for group in optimizer.param_groups]
    return [float(v.item() if isinstance(v, Tensor) else v) for v in values]


class ScheduleLR(LRScheduler):
    """A torch LR scheduler that reads its values from ``lrlab`` schedules.

    Use :func:`to_torch` to build one. The state dict holds only plain
    numbers and the schedules' reprs, so it survives ``torch.save`` and
    ``torch.load(weights_only=True)``; loading a state dict that is not one
    of these, or that was saved for different schedules, raises ``ValueError``.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to drive.
    schedules : sequence of Schedule
        One schedule per parameter group.
    cycle_momentum : bool, default True
        Also set the momentum or beta1 of each group whose schedule has a
        ``momentum`` schedule.
    groups : {"same", "factor"}, default "same"
        ``"same"``: group ``g`` gets ``schedules[g](t)``. ``"factor"``: it
        gets ``base_lrs[g] * schedules[g](t)``, with ``base_lrs`` the groups'
        initial learning rates (as ``LambdaLR``).
    start_step : int, default 0
        Step the optimizer is set to at construction.

    Examples
    --------
    >>> import torch
    >>> from lrlab import cosine
    >>> opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    >>> sched = ScheduleLR(opt, [cosine(1.0, 10)])
    >>> opt.param_groups[0]["lr"]
    1.0
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedules: Sequence[Schedule],
        cycle_momentum: bool = True,
        groups: str = "same",
        start_step: int = 0,
    ) -> None:
        optimizer = check_instance("optimizer", optimizer, Optimizer, "a torch.optim.Optimizer")
        n_groups = len(optimizer.param_groups)
        if isinstance(schedules, Schedule) or not isinstance(schedules, Sequence):
            raise ValueError(
                f"schedules must be a list of lrlab Schedules, one per parameter group "
                f"({n_groups}), got {shown(schedules)}"
            )
        schedules = list(schedules)
        if len(schedules) != n_groups:
            raise ValueError(
                f"schedules must hold one schedule per parameter group "
                f"({n_groups}), got {len(schedules)}"
            )
        for i, schedule in enumerate(schedules):
            check_instance(f"schedules[{i}]", schedule, Schedule, "an lrlab Schedule")
        self.group_mode = check_choice("groups", groups, GROUP_MODES)
        limits = [s.max_steps for s in schedules if s.max_steps is not None]
        start = check_int("start_step", start_step, 0, min(limits, default=MAX_STEP))
        cycle_momentum = check_bool("cycle_momentum", cycle_momentum)
        momenta = [s.momentum if cycle_momentum else None for s in schedules]
        if any(m is not None for m in momenta):
            defaults = optimizer.defaults
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(
                    "optimizer must have a momentum or betas setting to follow the schedule's "
                    "momentum; pass cycle_momentum=False to leave it alone"
                )
        self.schedules = schedules
        self.momenta = momenta
        self.use_beta1 = "betas" in optimizer.defaults
        self.schedule_reprs = [repr(s) for s in schedules]
        super().__init__(optimizer)
        if start:
            self._move_to(start)

    def get_lr(self) -> list[float | Tensor]:
        """Learning rates for step ``last_epoch``; also sets the momentum.

        Returns
        -------
        list of float
            One learning rate per parameter group.
        """
        t = self.last_epoch
        for group, momentum in zip(self.optimizer.param_groups, self.momenta, strict=True):
            if momentum is None:
                continue
            value = momentum(t)
            if self.use_beta1:
                group["betas"] = (value, *group["betas"][1:])
            else:
                group["momentum"] = value
        values = [schedule(t) for schedule in self.schedules]
        if self.group_mode == "factor":
            return [float(base) * value for base, value in zip(self.base_lrs, values, strict=True)]
        return list(values)

    def _move_to(self, t: int) -> None:
        """Put the optimizer at step ``t``: learning rate and momentum."""
        self.last_epoch = t
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            if isinstance(group["lr"], Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        self._last_lr = list(values)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's position, as plain Python values.

        Returns
        -------
        dict
            ``last_epoch``, ``_step_count``, ``base_lrs``, ``_last_lr``,
            ``groups`` and the schedules' reprs.
        """
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "base_lrs": [float(b) for b in self.base_lrs],
            "_last_lr": [float(v) for v in self._last_lr],
            "groups": self.group_mode,
            "schedule_reprs": list(self.schedule_reprs),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume from :meth:`state_dict` and set the optimizer to that step.

        Parameters
        ----------
        state_dict : dict
            A dict returned by :meth:`state_dict`.

        Raises
        ------
        ValueError
            If it is not such a dict (a missing key, another torch scheduler's
            state, a step that is not a whole number), or was saved for
            different schedules or another ``groups`` mode.
        """
        if not isinstance(state_dict, dict) or any(key not in state_dict for key in _STATE_KEYS):
            got = (
                f"a dict with keys {sorted(state_dict)}"
                if isinstance(state_dict, dict)
                else shown(state_dict)
            )
            raise ValueError(
                f"state_dict must be a dict from ScheduleLR.state_dict() with keys "
                f"{list(_STATE_KEYS)}, got {got}"
            )
        saved = state_dict["schedule_reprs"]
        if not isinstance(saved, list | tuple) or list(saved) != self.schedule_reprs:
            raise ValueError(
                f"state_dict['schedule_reprs'] must be {self.schedule_reprs} (the schedules "
                f"this scheduler runs), got {shown(saved)}"
            )
        mode = state_dict.get("groups", "same")
        if mode != self.group_mode:
            raise ValueError(
                f"state_dict['groups'] must be {self.group_mode!r} (this scheduler's mode), "
                f"got {shown(mode)}"
            )
        limits = [s.max_steps for s in self.schedules if s.max_steps is not None]
        last = check_int(
            "state_dict['last_epoch']",
            state_dict["last_epoch"],
            0,
            min(limits, default=MAX_STEP),
        )
        count = check_int("state_dict['_step_count']", state_dict["_step_count"], 0, MAX_STEP + 1)
        base = state_dict["base_lrs"]
        n_groups = len(self.optimizer.param_groups)
        if not isinstance(base, list | tuple) or len(base) != n_groups:
            raise ValueError(
                f"state_dict['base_lrs'] must be a list of {n_groups} learning rates, one per "
                f"parameter group, got {shown(base)}"
            )
        self.base_lrs = [check_lr(f"state_dict['base_lrs'][{i}]", b) for i, b in enumerate(base)]
        self._step_count = count
        self._move_to(last)


def group_schedules(
    schedule: Schedule | Sequence[Schedule],
    base_lrs: Sequence[float],
    groups: str | None,
    name: str = "schedule",
) -> tuple[list[Schedule], str]:
    """The schedule of each parameter group, and the groups mode, by :func:`to_torch`'s rules.

    A list gives one schedule per group. One schedule drives every group;
    if the groups start from different learning rates (``base_lrs``) that is
    ambiguous, and ``groups`` must say ``"same"`` or ``"factor"``.

    Parameters
    ----------
    schedule : Schedule or sequence of Schedule
    base_lrs : sequence of float
        Each group's initial learning rate.
    groups : {"same", "factor"} or None
    name : str, default "schedule"
        The caller's name for ``schedule``, used in messages.

    Returns
    -------
    tuple of (list of Schedule, str)
        One schedule per group, and the mode (``"same"`` when ``groups`` is None).

    Examples
    --------
    >>> from lrlab import constant
    >>> group_schedules(constant(1.0), [1e-3, 1e-4], "factor")
    ([constant(lr=1.0), constant(lr=1.0)], 'factor')
    """
    n_groups = len(base_lrs)
    if isinstance(schedule, Schedule):
        starts = sorted(set(base_lrs))
        if groups is None and len(starts) > 1:
            raise ValueError(
                f"groups must be 'same' (every group follows the schedule) or 'factor' "
                f"(group g gets its initial lr times the schedule, like LambdaLR) when one "
                f"schedule drives parameter groups with different learning rates {starts}; "
                f"or pass one schedule per group; got None"
            )
        schedules = [schedule] * n_groups
    elif isinstance(schedule, Sequence) and not isinstance(schedule, str | bytes):
        schedules = list(schedule)
        if len(schedules) != n_groups:
            raise ValueError(
                f"{name} must hold one schedule per parameter group ({n_groups}), "
                f"got {len(schedules)}"
            )
        for i, item in enumerate(schedules):
            check_instance(f"{name}[{i}]", item, Schedule, "an lrlab Schedule")
    else:
        raise ValueError(
            f"{name} must be an lrlab Schedule or a list of them, one per parameter group "
            f"({n_groups}), got {shown(schedule)}"
        )
    mode = "same" if groups is None else check_choice("groups", groups, GROUP_MODES)
    return schedules, mode


def to_torch(
    schedule: Schedule | Sequence[Schedule],
    optimizer: Optimizer,
    *,
    start_step: int = 0,
    groups: str | None = None,
    cycle_momentum: bool = True,
) -> ScheduleLR:
    """Wrap a schedule as a real ``torch.optim.lr_scheduler.LRScheduler``.

    After construction the optimizer holds ``schedule(start_step)``, and
    after ``j`` calls of ``step()`` it holds ``schedule(start_step + j)``.

    Parameter groups: with a list, group ``g`` follows ``schedule[g]``. With
    one schedule and groups that all start from the same learning rate,
    every group follows it. With one schedule and groups that start from
    different rates, say what you mean with ``groups``:

    - ``groups="same"``: every group gets ``schedule(t)`` (their own rates
      are replaced);
    - ``groups="factor"``: the schedule is a factor, and group ``g`` gets
      ``initial_lr_g * schedule(t)`` -- build it with ``peak=1.0`` so each
      group keeps its rate at the peak, like ``LambdaLR`` (``initial_lr_g``
      is the group's rate when its first scheduler was attached).

    Parameters
    ----------
    schedule : Schedule or sequence of Schedule
        One schedule for every parameter group, or one per group.
    optimizer : torch.optim.Optimizer
        The optimizer whose learning rates (and momentum) it sets.
    start_step : int, default 0
        Step to start at: branch a cooldown off a checkpoint of step ``k``
        with ``start_step=k`` (after loading the optimizer's state).
    groups : {"same", "factor"}, optional
        How one schedule drives several parameter groups (see above).
    cycle_momentum : bool, default True
        Follow ``schedule.momentum`` when it exists (``one_cycle``,
        ``cyclical``), writing ``momentum`` or Adam's beta1 like torch's
        ``OneCycleLR`` does.

    Returns
    -------
    ScheduleLR
        The scheduler. Call ``step()`` after each ``optimizer.step()``.

    Raises
    ------
    ValueError
        For anything but a schedule or a list of them, or for one schedule
        over groups with different rates and no ``groups`` mode.

    Examples
    --------
    >>> import torch
    >>> from lrlab import warmup_cosine, wsd
    >>> opt = torch.optim.AdamW([torch.zeros(1, requires_grad=True)])
    >>> sched = to_torch(warmup_cosine(1e-3, total_steps=100, warmup_steps=10), opt)
    >>> opt.param_groups[0]["lr"]
    0.0
    >>> cooldown = wsd(1e-3, total_steps=1200, warmup_steps=10, decay_steps=200)
    >>> sched = to_torch(cooldown, opt, start_step=1000)
    >>> opt.param_groups[0]["lr"] == cooldown(1000)
    True
    >>> a, b = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    >>> opt = torch.optim.SGD([{"params": [a], "lr": 1e-3}, {"params": [b], "lr": 1e-4}])
    >>> sched = to_torch(warmup_cosine(1.0, 100, 10), opt, groups="factor")
    >>> [g["lr"] for g in opt.param_groups]
    [0.0, 0.0]
    """
    optimizer = check_instance("optimizer", optimizer, Optimizer, "a torch.optim.Optimizer")
    schedules, mode = group_schedules(schedule, initial_lrs(optimizer), groups)
    return ScheduleLR(
        optimizer, schedules, cycle_momentum=cycle_momentum, groups=mode, start_step=start_step
    )


def torch_lr_sequence(
    make_scheduler: Callable[[Optimizer], Any], lr: float, steps: int
) -> np.ndarray:
    """The learning rate a torch scheduler applies at updates ``0 .. steps - 1``.

    Builds SGD on one parameter with learning rate ``lr``, attaches the
    scheduler, and records ``param_groups[0]["lr"]`` before every
    ``optimizer.step()``, stepping the scheduler after it (the order torch
    asks for).

    Parameters
    ----------
    make_scheduler : callable
        ``make_scheduler(optimizer)`` returns a torch LR scheduler.
    lr : float
        The optimizer's learning rate (the scheduler's base).
    steps : int
        Number of updates, >= 1.

    Returns
    -------
    numpy.ndarray
        float64 learning rates, one per update.

    Examples
    --------
    >>> from torch.optim.lr_scheduler import ExponentialLR
    >>> torch_lr_sequence(lambda opt: ExponentialLR(opt, gamma=0.5), 1.0, 4).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    steps = check_int("steps", steps, 1)
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(opt)
    out = np.empty(steps)
    for t in range(steps):
        out[t] = opt.param_groups[0]["lr"]
        opt.step()
        scheduler.step()
    return out
