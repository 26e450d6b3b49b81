"""to_torch: a real torch LR scheduler that follows an lrlab schedule exactly."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as tl

from lrlab import (
    Schedule,
    constant,
    cosine,
    cosine_restarts,
    cyclical,
    join,
    one_cycle,
    to_torch,
    warmup_cosine,
    with_warmup,
    wsd,
)
from lrlab.torch_adapter import ScheduleLR

SCHEDULES = [
    warmup_cosine(1e-3, 300, 30, 1e-5),
    wsd(1e-3, 300, 10, 60, 1e-5, decay="1-sqrt"),
    one_cycle(0.01, 300, three_phase=True),
    cyclical(0.001, 0.01, 20, 40, mode="triangular2"),
    cosine_restarts(0.1, 10, 2),
    join([constant(0.1), cosine(0.05, 100)], [50]),
    with_warmup(cosine(0.1, 200), 20),
]
IDS = [type(s).__name__ for s in SCHEDULES]


def make_optimizer(kind: str = "sgd", groups: int = 1) -> torch.optim.Optimizer:
    params = [{"params": [torch.zeros(2, requires_grad=True)]} for _ in range(groups)]
    if kind == "adam":
        return torch.optim.AdamW(params, lr=0.5)
    if kind == "adagrad":
        return torch.optim.Adagrad(params, lr=0.5)
    return torch.optim.SGD(params, lr=0.5, momentum=0.5)


def train_steps(opt: torch.optim.Optimizer, scheduler: tl.LRScheduler, n: int) -> list[tuple]:
    """Run n updates with zero gradients; record (lr, momentum) before each update."""
    seen = []
    for _ in range(n):
        group = opt.param_groups[0]
        seen.append((group["lr"], group.get("momentum", group.get("betas", (None,))[0])))
        for group in opt.param_groups:
            for p in group["params"]:
                p.grad = torch.zeros_like(p)
        opt.step()
        scheduler.step()
    return seen


def test_is_a_real_torch_scheduler() -> None:
    opt = make_optimizer()
    scheduler = to_torch(cosine(0.1, 10), opt)
    assert isinstance(scheduler, tl.LRScheduler)
    assert isinstance(scheduler, ScheduleLR)
    assert scheduler.get_last_lr() == [0.1]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=IDS)
def test_optimizer_holds_schedule_t_after_t_steps(schedule: Schedule) -> None:
    opt = make_optimizer()
    scheduler = to_torch(schedule, opt)
    n = 300
    seen = train_steps(opt, scheduler, n)
    assert [lr for lr, _ in seen] == schedule(np.arange(n)).tolist()
    assert opt.param_groups[0]["lr"] == schedule(n)
    assert scheduler.get_last_lr() == [schedule(n)]
    if schedule.momentum is not None:
        assert [m for _, m in seen] == schedule.momentum(np.arange(n)).tolist()


@pytest.mark.parametrize("schedule", [one_cycle(0.01, 500), cyclical(0.001, 0.01, 50)])
def test_beta1_follows_the_momentum_schedule(schedule: Schedule) -> None:
    opt = make_optimizer("adam")
    scheduler = to_torch(schedule, opt)
    seen = train_steps(opt, scheduler, 400)
    assert [b for _, b in seen] == schedule.momentum(np.arange(400)).tolist()
    assert opt.param_groups[0]["betas"][1] == 0.999


def test_matches_one_cycle_lr_on_the_same_optimizer_setup() -> None:
    ours_opt, torch_opt = make_optimizer(), make_optimizer()
    ours = to_torch(one_cycle(0.01, 200, anneal="linear"), ours_opt)
    theirs = tl.OneCycleLR(torch_opt, 0.01, total_steps=200, anneal_strategy="linear")
    assert train_steps(ours_opt, ours, 200) == train_steps(torch_opt, theirs, 200)


def test_cycle_momentum_off_leaves_momentum_alone() -> None:
    opt = make_optimizer()
    scheduler = to_torch(one_cycle(0.01, 100), opt, cycle_momentum=False)
    seen = train_steps(opt, scheduler, 50)
    assert {m for _, m in seen} == {0.5}


def test_momentum_needs_an_optimizer_with_momentum() -> None:
    with pytest.raises(ValueError, match="optimizer must have a momentum or betas setting"):
        to_torch(one_cycle(0.01, 100), make_optimizer("adagrad"))
    scheduler = to_torch(one_cycle(0.01, 100), make_optimizer("adagrad"), cycle_momentum=False)
    assert scheduler.get_last_lr() == [one_cycle(0.01, 100)(0)]


def test_one_schedule_per_parameter_group() -> None:
    opt = make_optimizer(groups=2)
    slow, fast = cosine(0.01, 100), cosine(0.1, 100)
    scheduler = to_torch([slow, fast], opt)
    for _ in range(10):
        opt.step()
        scheduler.step()
    assert [g["lr"] for g in opt.param_groups] == [slow(10), fast(10)]
    with pytest.raises(ValueError, match=r"one schedule per parameter group \(2\), got 3"):
        to_torch([slow, fast, slow], opt)
    with pytest.raises(ValueError, match=r"schedule must be an lrlab Schedule, got 0\.1"):
        to_torch([slow, 0.1], opt)


@pytest.mark.parametrize("schedule", SCHEDULES, ids=IDS)
def test_resume_from_state_dict(schedule: Schedule) -> None:
    n, k = 120, 47
    opt = make_optimizer()
    straight = train_steps(opt, to_torch(schedule, opt), n)

    opt = make_optimizer()
    scheduler = to_torch(schedule, opt)
    first = train_steps(opt, scheduler, k)
    buffer = io.BytesIO()
    torch.save({"scheduler": scheduler.state_dict(), "optimizer": opt.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)

    opt = make_optimizer()
    scheduler = to_torch(schedule, opt)
    opt.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    assert opt.param_groups[0]["lr"] == schedule(k)
    assert first + train_steps(opt, scheduler, n - k) == straight


def test_resume_without_the_optimizer_state_still_sets_the_rate() -> None:
    schedule = one_cycle(0.01, 100)
    opt = make_optimizer()
    scheduler = to_torch(schedule, opt)
    train_steps(opt, scheduler, 30)
    state = scheduler.state_dict()
    opt = make_optimizer()
    scheduler = to_torch(schedule, opt)
    scheduler.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == schedule(30)
    assert opt.param_groups[0]["momentum"] == schedule.momentum(30)
    assert scheduler.last_epoch == 30


def test_loading_state_of_another_schedule_fails() -> None:
    opt = make_optimizer()
    state = to_torch(cosine(0.1, 100), opt).state_dict()
    other = to_torch(cosine(0.1, 200), make_optimizer())
    with pytest.raises(ValueError, match=r"state_dict was saved for schedules \['cosine"):
        other.load_state_dict(state)


def test_no_warning_in_the_normal_loop() -> None:
    opt = make_optimizer()
    scheduler = to_torch(cosine(0.1, 10), opt)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train_steps(opt, scheduler, 10)


def test_stepping_one_cycle_past_its_end_raises() -> None:
    opt = make_optimizer()
    scheduler = to_torch(one_cycle(0.01, 10), opt)
    train_steps(opt, scheduler, 10)
    with pytest.raises(ValueError, match="got 11"):
        scheduler.step()
