"""to_torch: a real torch LR scheduler that follows an lrlab schedule exactly."""

from __future__ import annotations

import io
import math
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

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
from lrlab.torch_adapter import ScheduleLR, group_schedules

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
ROOT = Path(__file__).resolve().parents[1]


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
    with pytest.raises(ValueError, match=r"schedule\[1\] must be an lrlab Schedule, got 0\.1"):
        to_torch([slow, 0.1], opt)
    with pytest.raises(ValueError, match=r"schedules\[1\] must be an lrlab Schedule, got 0\.1"):
        ScheduleLR(opt, [slow, 0.1])


def test_group_schedules_follows_the_to_torch_rules() -> None:
    s = cosine(1.0, 10)
    assert group_schedules(s, [0.1, 0.1], None) == ([s, s], "same")
    assert group_schedules(s, [0.1, 0.01], "factor") == ([s, s], "factor")
    assert group_schedules([s, s], [0.1, 0.01], None) == ([s, s], "same")
    with pytest.raises(ValueError, match=r"^groups must be 'same' .*got None$"):
        group_schedules(s, [0.1, 0.01], None)
    with pytest.raises(ValueError, match=r"^intended must hold one schedule per parameter group"):
        group_schedules([s], [0.1, 0.01], None, name="intended")
    with pytest.raises(ValueError, match=r"^groups must be one of 'same', 'factor', got 'ratio'$"):
        group_schedules(s, [0.1], "ratio")


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
    with pytest.raises(
        ValueError, match=r"state_dict\['schedule_reprs'\] must be \['cosine.*got \['cosine"
    ):
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


# ------------------------------------------------------- parameter groups


def two_groups(lrs=(1e-3, 1e-4), kind: str = "sgd") -> torch.optim.Optimizer:
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "adam":
        return torch.optim.AdamW(groups)
    return torch.optim.SGD(groups, momentum=0.9)


def group_lrs(opt: torch.optim.Optimizer) -> list[float]:
    return [g["lr"] for g in opt.param_groups]


def test_one_schedule_over_groups_with_different_rates_must_say_how() -> None:
    # used to leave both groups at 1e-3 without a word
    with pytest.raises(ValueError, match=r"groups must be 'same' .* or 'factor'") as info:
        to_torch(cosine(1e-3, 10), two_groups())
    assert "[0.0001, 0.001]" in str(info.value)
    assert "one schedule per group" in str(info.value)


def test_groups_same_replaces_every_rate() -> None:
    opt = two_groups()
    s = cosine(1e-3, 10)
    sched = to_torch(s, opt, groups="same")
    assert group_lrs(opt) == [s(0), s(0)]
    train_steps(opt, sched, 4)
    assert group_lrs(opt) == [s(4), s(4)]


def test_groups_factor_keeps_each_groups_ratio_like_lambda_lr() -> None:
    s = warmup_cosine(1.0, 100, 10, 0.01)
    ours_opt, torch_opt = two_groups(), two_groups()
    ours = to_torch(s, ours_opt, groups="factor")
    theirs = tl.LambdaLR(torch_opt, lambda t: s(t))
    for _ in range(120):
        assert group_lrs(ours_opt) == group_lrs(torch_opt)
        train_steps(ours_opt, ours, 1)
        train_steps(torch_opt, theirs, 1)
    assert group_lrs(ours_opt) == [1e-3 * s(120), 1e-4 * s(120)]


def test_one_schedule_per_group_and_equal_rates_need_no_mode() -> None:
    opt = two_groups((0.5, 0.5))
    sched = to_torch(cosine(0.1, 10), opt)
    assert group_lrs(opt) == [0.1, 0.1]
    opt = two_groups()
    slow, fast = cosine(1e-4, 10), cosine(1e-3, 10)
    sched = to_torch([slow, fast], opt)
    train_steps(opt, sched, 3)
    assert group_lrs(opt) == [slow(3), fast(3)]


# ------------------------------------------------------------ start_step


@pytest.mark.parametrize("schedule", SCHEDULES, ids=IDS)
def test_start_step_k_holds_s_k_then_s_k_plus_j(schedule: Schedule) -> None:
    k = 37
    opt = make_optimizer()
    sched = to_torch(schedule, opt, start_step=k)
    assert opt.param_groups[0]["lr"] == schedule(k)
    assert sched.last_epoch == k and sched.get_last_lr() == [schedule(k)]
    seen = train_steps(opt, sched, 50)
    assert [lr for lr, _ in seen] == schedule(np.arange(k, k + 50)).tolist()
    if schedule.momentum is not None:
        assert [m for _, m in seen] == schedule.momentum(np.arange(k, k + 50)).tolist()


def test_start_step_cannot_pass_one_cycle_end() -> None:
    assert to_torch(one_cycle(0.01, 10), make_optimizer(), start_step=10).last_epoch == 10
    with pytest.raises(ValueError, match=r"start_step must be an integer in \[0, 10\], got 11"):
        to_torch(one_cycle(0.01, 10), make_optimizer(), start_step=11)


# --------------------------------------------- across processes, weights_only=True

RUNNER = r"""
import sys, torch, lrlab
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)
mode, path, k, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
main = lrlab.wsd(0.05, 600, 20, 200, 0.005)  # the long run
a = torch.linspace(-1, 1, 6, dtype=torch.float64, requires_grad=True)
b = torch.linspace(2, 3, 4, dtype=torch.float64, requires_grad=True)

def build():
    return torch.optim.SGD([{"params": [a], "lr": 1.0}, {"params": [b], "lr": 0.1}], momentum=0.9)

def run(opt, sched, steps):
    lrs = []
    for _ in range(steps):
        lrs.append([g["lr"] for g in opt.param_groups])
        opt.zero_grad()
        ((a - 0.3) ** 4).sum().add(((b * a[:4]) ** 2).sum()).backward()
        opt.step()
        sched.step()
    return lrs

opt = build()
if mode == "save":          # k updates of the long run, then a checkpoint
    sched = lrlab.to_torch(main, opt, groups="factor")
    run(opt, sched, k)
    torch.save({"a": a.detach(), "b": b.detach(), "opt": opt.state_dict(),
                "sched": sched.state_dict()}, path)
else:
    saved = torch.load(path, weights_only=True)
    with torch.no_grad():
        a.copy_(saved["a"]); b.copy_(saved["b"])
    opt.load_state_dict(saved["opt"])
    if mode == "resume":     # the long run goes on
        sched = lrlab.to_torch(main, opt, groups="factor")
        sched.load_state_dict(saved["sched"])
    else:                    # a cooldown branches off at step k, decaying over n steps
        cooldown = lrlab.wsd(0.05, k + n, 20, n, 0.005)
        sched = lrlab.to_torch(cooldown, opt, groups="factor", start_step=k)
    lrs = run(opt, sched, n)
    lrs = torch.tensor(lrs, dtype=torch.float64)
    torch.save({"a": a.detach(), "b": b.detach(), "lrs": lrs}, path + "." + mode)
"""


def run_in_fresh_process(tmp_path, *args: str) -> None:
    script = tmp_path / "runner.py"
    script.write_text(RUNNER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, str(script), *args], check=True, env=env, timeout=300)


def test_resume_and_branch_in_fresh_processes_are_exact(tmp_path) -> None:
    k, n = 300, 150  # the long run decays from step 400, the branch from 300
    path = str(tmp_path / "ckpt.pt")
    run_in_fresh_process(tmp_path, "save", path, str(k), str(n))
    run_in_fresh_process(tmp_path, "resume", path, str(k), str(n))
    run_in_fresh_process(tmp_path, "branch", path, str(k), str(n))
    straight = tmp_path / "straight"
    run_in_fresh_process(tmp_path, "save", str(straight), str(k + n), "0")
    resumed = torch.load(path + ".resume", weights_only=True)
    whole = torch.load(straight, weights_only=True)
    assert torch.equal(resumed["a"], whole["a"]) and torch.equal(resumed["b"], whole["b"])
    main = wsd(0.05, 600, 20, 200, 0.005)
    want = np.outer(main(np.arange(k, k + n)), [1.0, 0.1])
    assert np.array_equal(resumed["lrs"].numpy(), want)
    branched = torch.load(path + ".branch", weights_only=True)
    cooldown = wsd(0.05, k + n, 20, n, 0.005)
    assert cooldown(k) == main(k) == 0.05  # the branch starts where the stable phase is
    want = np.outer(cooldown(np.arange(k, k + n)), [1.0, 0.1])
    assert np.array_equal(branched["lrs"].numpy(), want)
    assert not torch.equal(branched["a"], resumed["a"])


def test_resume_in_factor_mode_without_optimizer_state() -> None:
    s = one_cycle(1.0, 100)
    opt = two_groups()
    sched = to_torch(s, opt, groups="factor")
    train_steps(opt, sched, 30)
    state = sched.state_dict()
    assert state["groups"] == "factor" and state["base_lrs"] == [1e-3, 1e-4]
    opt = two_groups((5.0, 5.0))
    sched = to_torch(s, opt, groups="factor")
    sched.load_state_dict(state)
    assert group_lrs(opt) == [1e-3 * s(30), 1e-4 * s(30)]
    with pytest.raises(ValueError, match=r"state_dict\['groups'\] must be 'same'"):
        to_torch(s, two_groups(), groups="same").load_state_dict(state)


# ------------------------------------------------------ state dict validation


def saved_state(**changes: Any) -> dict[str, Any]:
    state = to_torch(cosine(0.1, 100), make_optimizer()).state_dict()
    state.update(changes)
    return state


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (
            {k: v for k, v in saved_state().items() if k != "last_epoch"},
            "state_dict must be a dict",
        ),
        (tl.CosineAnnealingLR(make_optimizer(), 100).state_dict(), "state_dict must be a dict"),
        ([("last_epoch", 3)], "state_dict must be a dict from ScheduleLR.state_dict()"),
        (saved_state(last_epoch=5.7), r"state_dict\['last_epoch'\] must be an integer"),
        (saved_state(last_epoch=True), r"state_dict\['last_epoch'\] must be an integer"),
        (saved_state(last_epoch=-1), r"state_dict\['last_epoch'\] must be an integer"),
        (saved_state(_step_count="3"), r"state_dict\['_step_count'\] must be an integer"),
        (saved_state(base_lrs=[0.5, 0.5]), r"state_dict\['base_lrs'\] must be a list of 1"),
        (saved_state(base_lrs=[math.nan]), r"state_dict\['base_lrs'\]\[0\] must be a learning"),
        (saved_state(schedule_reprs="cosine"), r"state_dict\['schedule_reprs'\] must be"),
    ],
    ids=[
        "missing key",
        "torch scheduler",
        "not a dict",
        "last_epoch 5.7",
        "last_epoch True",
        "last_epoch -1",
        "step count str",
        "base_lrs length",
        "base_lrs nan",
        "reprs str",
    ],
)
def test_bad_state_dicts_are_refused_by_name(state, message) -> None:
    opt = make_optimizer()
    sched = to_torch(cosine(0.1, 100), opt)
    with pytest.raises(ValueError, match=message):
        sched.load_state_dict(state)
    assert sched.last_epoch == 0 and opt.param_groups[0]["lr"] == 0.1  # left as it was


def test_whole_float_last_epoch_is_a_step() -> None:
    opt = make_optimizer()
    sched = to_torch(cosine(0.1, 100), opt)
    sched.load_state_dict(saved_state(last_epoch=5.0))
    assert sched.last_epoch == 5 and opt.param_groups[0]["lr"] == cosine(0.1, 100)(5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: to_torch(None, make_optimizer()), "schedule must be an lrlab Schedule or a list"),
        (lambda: to_torch("cosine", make_optimizer()), "schedule must be an lrlab Schedule or a"),
        (lambda: to_torch(cosine(0.1, 10), None), "optimizer must be a torch.optim.Optimizer"),
        (lambda: to_torch(cosine(0.1, 10), make_optimizer(), groups="relative"), "groups must be"),
        (lambda: to_torch(cosine(0.1, 10), make_optimizer(), start_step=-1), "start_step must"),
        (lambda: to_torch(cosine(0.1, 10), make_optimizer(), start_step=1.5), "start_step must"),
        (
            lambda: to_torch(one_cycle(0.1, 10), make_optimizer(), cycle_momentum="yes"),
            "cycle_momentum must be True or False",
        ),
    ],
    ids=["None", "str", "no optimizer", "unknown groups", "start -1", "start 1.5", "cycle str"],
)
def test_bad_arguments_are_refused_by_name(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()
