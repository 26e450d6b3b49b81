"""Drive a torch optimizer with an ``lrlab`` schedule.

``to_torch(schedule, optimizer)`` returns a genuine
``torch.optim.lr_scheduler.LRScheduler``: after its construction the
optimizer holds ``schedule(0)``, and after ``t`` calls of ``step()`` it holds
``schedule(t)``, exactly. Schedules that carry a ``momentum`` schedule
(``one_cycle``, ``cyclical``) also set each group's ``momentum`` (SGD, RMSprop)
or the first Adam beta, as torch's ``OneCycleLR`` and ``CyclicLR`` do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from lrlab._checks import check_int
from lrlab.schedules import Schedule

__all__ = ["ScheduleLR", "to_torch", "torch_lr_sequence"]


class ScheduleLR(LRScheduler):
    """A torch LR scheduler that reads its values from ``lrlab`` schedules.

    Use :func:`to_torch` to build one. The state dict holds only plain
    numbers and the schedules' reprs, so it survives ``torch.save`` and
    ``torch.load(weights_only=True)``; loading it into a scheduler built with
    different schedules raises ``ValueError``.

    Parameters
    ----------
    optimizer : torch.optim.Optimizer
        The optimizer to drive.
    schedules : sequence of Schedule
        One schedule per parameter group.
    cycle_momentum : bool, default True
        Also set the momentum or beta1 of each group whose schedule has a
        ``momentum`` schedule.

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
    ) -> None:
        schedules = list(schedules)
        if len(schedules) != len(optimizer.param_groups):
            raise ValueError(
                f"schedules must hold one schedule per parameter group "
                f"({len(optimizer.param_groups)}), got {len(schedules)}"
            )
        for schedule in schedules:
            if not isinstance(schedule, Schedule):
                raise ValueError(f"schedule must be an lrlab Schedule, got {schedule!r}")
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

    def get_lr(self) -> list[float]:
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
        return [schedule(t) for schedule in self.schedules]

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's position, as plain Python values.

        Returns
        -------
        dict
            ``last_epoch``, ``_step_count``, ``base_lrs``, ``_last_lr`` and
            the schedules' reprs.
        """
        return {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "base_lrs": list(self.base_lrs),
            "_last_lr": list(self._last_lr),
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
            If the state was saved for different schedules.
        """
        saved = list(state_dict["schedule_reprs"])
        if saved != self.schedule_reprs:
            raise ValueError(
                f"state_dict was saved for schedules {saved}, "
                f"but this scheduler runs {self.schedule_reprs}"
            )
        self.last_epoch = int(state_dict["last_epoch"])
        self._step_count = int(state_dict["_step_count"])
        self.base_lrs = list(state_dict["base_lrs"])
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            if isinstance(group["lr"], Tensor):
                group["lr"].fill_(lr)
            else:
                group["lr"] = lr
        self._last_lr = list(values)


def to_torch(
    schedule: Schedule | Sequence[Schedule],
    optimizer: Optimizer,
    *,
    cycle_momentum: bool = True,
) -> ScheduleLR:
    """Wrap a schedule as a real ``torch.optim.lr_scheduler.LRScheduler``.

    Parameters
    ----------
    schedule : Schedule or sequence of Schedule
        One schedule for every parameter group, or one per group.
    optimizer : torch.optim.Optimizer
        The optimizer whose learning rates (and momentum) it sets.
    cycle_momentum : bool, default True
        Follow ``schedule.momentum`` when it exists (``one_cycle``,
        ``cyclical``), writing ``momentum`` or Adam's beta1 like torch's
        ``OneCycleLR`` does.

    Returns
    -------
    ScheduleLR
        The scheduler. Call ``step()`` after each ``optimizer.step()``.

    Examples
    --------
    >>> import torch
    >>> from lrlab import warmup_cosine
    >>> opt = torch.optim.AdamW([torch.zeros(1, requires_grad=True)])
    >>> sched = to_torch(warmup_cosine(1e-3, total_steps=100, warmup_steps=10), opt)
    >>> opt.param_groups[0]["lr"]
    0.0
    """
    if isinstance(schedule, Schedule):
        schedules = [schedule] * len(optimizer.param_groups)
    else:
        schedules = list(schedule)
    return ScheduleLR(optimizer, schedules, cycle_momentum=cycle_momentum)


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
