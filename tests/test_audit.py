"""lrlab.audit: a catalogue of reported scheduler mistakes, all flagged; correct loops, none.

Each mistake reproduces a bug users reported; the docstring names the report
(repository and issue or pull-request number).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch.optim.lr_scheduler import (
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    LambdaLR,
    LinearLR,
    OneCycleLR,
    SequentialLR,
)

from lrlab import (
    cosine,
    cosine_restarts,
    from_hf,
    join,
    linear_warmup,
    one_cycle,
    scale,
    to_torch,
    warmup_cosine,
)
from lrlab.audit import FINDINGS, audit

PEAK, W, N = 0.1, 10, 60


def hf_cosine(total: int = N, warmup: int = W):
    """HF's cosine-with-warmup lambda, written out (LambdaLR recipe)."""

    def build(params):
        opt = torch.optim.AdamW(params, lr=PEAK)
        import math

        def factor(t: int) -> float:
            if t < warmup:
                return t / max(1, warmup)
            progress = (t - warmup) / max(1, total - warmup)
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))

        return opt, LambdaLR(opt, factor)

    return build


INTENDED = warmup_cosine(PEAK, N, W)
SHAPE = warmup_cosine(1.0, N, W)  # the same schedule as a factor of each group's rate


def two_groups(params, kind=torch.optim.SGD):
    """The loop's parameters at PEAK and a second group at PEAK / 10 (layer-wise rates)."""
    extra = torch.zeros(1, requires_grad=True)
    return kind([{"params": params}, {"params": [extra], "lr": PEAK / 10}], lr=PEAK)


# ------------------------------------------------------------------ mistakes


def test_stepping_every_micro_batch_over_steps() -> None:
    """huggingface/accelerate#963: the scheduler steps on every micro-batch under accumulation."""
    report = audit(hf_cosine(), N, intended=INTENDED, accumulation=4, step_every="micro_batch")
    # Run four times too fast, HF's cosine also passes its end and climbs back.
    assert report.names == {"over_stepping", "rise_after_end"}


def test_stepping_every_micro_batch_records_what_a_real_loop_applies() -> None:
    """The audit's rates equal those of the loop it describes, written out in full."""
    accumulation, updates = 4, 20
    param = torch.zeros(1, requires_grad=True)
    opt, scheduler = hf_cosine()([param])
    used = []
    opt.register_step_pre_hook(lambda o, a, k: used.append(o.param_groups[0]["lr"]))
    for i in range(accumulation * updates):
        param.sum().backward()
        if (i + 1) % accumulation == 0:
            opt.step()
            opt.zero_grad()
        scheduler.step()
    report = audit(hf_cosine(), updates, accumulation=accumulation, step_every="micro_batch")
    assert report.lrs.tolist() == used
    # The first update already runs accumulation - 1 scheduler steps into the warmup.
    assert used[0] == pytest.approx(PEAK * (accumulation - 1) / W)


def test_sizing_the_schedule_in_micro_batches_under_steps() -> None:
    """huggingface/diffusers#2632: num_training_steps counted micro-batches, not updates."""
    report = audit(hf_cosine(4 * N, 4 * W), N, intended=INTENDED, accumulation=4)
    assert "under_stepping" in report.names


def test_a_per_batch_schedule_stepped_per_epoch_under_steps() -> None:
    """pytorch/pytorch#65417: OneCycleLR stepped once per epoch instead of once per batch."""

    def build(params):
        opt = torch.optim.SGD(params, lr=PEAK, momentum=0.9)
        return opt, OneCycleLR(opt, max_lr=PEAK, total_steps=N)

    report = audit(build, N, intended=one_cycle(PEAK, N), step_every="epoch", steps_per_epoch=6)
    assert report.names == {"under_stepping"}


def test_stepping_once_per_process_over_steps() -> None:
    """huggingface/accelerate#963 (and PR #999): the wrapper steps num_processes times per update,
    which over-steps a schedule already sized in global updates."""
    report = audit(hf_cosine(), N, intended=INTENDED, world_size=2, step_every="process")
    assert report.names == {"over_stepping", "rise_after_end"}


def test_scheduler_before_optimizer_runs_one_step_ahead() -> None:
    """torch's warning 'Detected call of lr_scheduler.step() before optimizer.step()' in
    torch/optim/lr_scheduler.py; reported by users e.g. in zju3dv/NeuralRecon#51."""
    report = audit(hf_cosine(), N, intended=INTENDED, step_where="before_optimizer")
    assert report.names == {"scheduler_before_optimizer"}
    assert report.lrs[0] == pytest.approx(PEAK / W)
    blind = audit(hf_cosine(), N, step_where="before_optimizer")
    assert "scheduler_before_optimizer" in blind.names


def test_resume_without_scheduler_state_jumps() -> None:
    """pytorch/pytorch#60265: a resumed CosineAnnealingLR does not continue where it stopped."""

    def build(params):
        opt = torch.optim.SGD(params, lr=PEAK)
        return opt, CosineAnnealingLR(opt, T_max=N)

    report = audit(build, N, intended=cosine(PEAK, N), resume_at=25, resume="optimizer_only")
    assert "jump_after_resume" in report.names
    assert report.findings[0].step in (25, 26)


def test_resume_with_scheduler_state_only_keeps_a_stale_rate() -> None:
    """torch-points3d/torch-points3d#630: the optimizer's rate is not restored by the load order
    used, so the first update after the resume runs at the wrong rate."""
    report = audit(hf_cosine(), N, intended=INTENDED, resume_at=30, resume="scheduler_only")
    assert "jump_after_resume" in report.names
    assert report.lrs[30] == pytest.approx(0.0)


def test_a_fresh_scheduler_after_resume_restarts_the_warmup() -> None:
    """lightly-ai/lightly-train#301: scheduler state not saved, the LR resets on resume."""
    report = audit(hf_cosine(), N, intended=INTENDED, resume_at=30, resume="fresh")
    assert "jump_after_resume" in report.names


def test_a_cosine_shorter_than_the_run_climbs_back() -> None:
    """Tencent-Hunyuan/UniRL#223: CosineAnnealingLR(T_max = total - warmup) without the warmup
    reaches zero early and rises again before training ends."""

    def build(params):
        opt = torch.optim.SGD(params, lr=PEAK)
        return opt, CosineAnnealingLR(opt, T_max=N - W)

    assert "rise_after_end" in audit(build, N).names
    assert "rise_after_end" in audit(build, N, intended=INTENDED).names


def test_hf_cosine_run_past_num_training_steps_climbs_back() -> None:
    """huggingface/transformers' cosine lambda has no clamp: a loop longer than
    num_training_steps (Nerogar/OneTrainer#1604 rebuilt a shorter one on resume) climbs back."""
    transformers = pytest.importorskip("transformers")

    def build(params):
        opt = torch.optim.AdamW(params, lr=PEAK)
        return opt, transformers.get_scheduler(
            "cosine", opt, num_warmup_steps=W, num_training_steps=N
        )

    report = audit(build, 2 * N, intended=INTENDED)
    assert "rise_after_end" in report.names
    assert report.findings[0].step > N


def test_a_linear_lambda_past_its_end_goes_negative() -> None:
    """ziqi-jin/finetune-anything#57: a linear LambdaLR decays the rate to negative values."""

    def build(params):
        opt = torch.optim.SGD(params, lr=PEAK)
        return opt, LambdaLR(opt, lambda t: 1 - t / 40)

    assert "negative_lr" in audit(build, N).names


def test_overwriting_the_rate_after_building_the_scheduler_skips_the_warmup() -> None:
    """torch-points3d/torch-points3d#630: optimizer state loaded after the scheduler was built
    overwrites the warmup's first rate with the stored one."""

    def build(params):
        opt = torch.optim.AdamW(params, lr=PEAK)
        sched = LambdaLR(opt, lambda t: min(1.0, t / W))
        for group in opt.param_groups:  # what the stale optimizer state restores
            group["lr"] = PEAK
        return opt, sched

    assert audit(build, N, intended=linear_warmup(PEAK, W)).names == {"unwarmed_first_update"}
    assert audit(build, N).names == {"unwarmed_first_update"}


def test_one_max_lr_for_every_group_overwrites_layer_wise_rates() -> None:
    """katsura-jp/pytorch-cosine-annealing-with-warmup#11: "if you have an optimizer with
    multiple groups with different learning rates, all of their learning rate values will get
    overridden by the max_lr"; torch's OneCycleLR does the same with a single max_lr
    (pytorch/pytorch#73305 asks for it to be read from each group)."""

    def build(params):
        opt = two_groups(params)
        return opt, OneCycleLR(opt, max_lr=PEAK, total_steps=N, cycle_momentum=False)

    wanted = [one_cycle(PEAK, N), one_cycle(PEAK / 10, N)]
    report = audit(build, N, intended=wanted)
    assert report.names == {"differs_from_intended"}
    assert report.findings[0].group == 1
    assert "group 1" in str(report)
    assert "NO" in report.table(group=1) and "NO" not in report.table()
    # OneCycleLR also set both groups' initial_lr, so one intended schedule fits them both
    assert audit(build, N, intended=wanted[0]).ok


# ------------------------------------------------------------ correct loops


def correct_builds():
    def lrlab_build(params):
        opt = torch.optim.AdamW(params, lr=PEAK)
        return opt, to_torch(INTENDED, opt)

    def sequential(params):
        opt = torch.optim.SGD(params, lr=PEAK)
        warm = LinearLR(opt, start_factor=1e-8, end_factor=1.0, total_iters=W)
        return opt, SequentialLR(opt, [warm, CosineAnnealingLR(opt, T_max=N - W)], [W])

    def onecycle(params):
        opt = torch.optim.SGD(params, lr=PEAK, momentum=0.9)
        return opt, OneCycleLR(opt, max_lr=PEAK, total_steps=N)

    def restarts(params):
        opt = torch.optim.SGD(params, lr=PEAK)
        return opt, CosineAnnealingWarmRestarts(opt, T_0=15)

    def one_schedule_per_group(params):
        opt = two_groups(params)
        return opt, to_torch([INTENDED, scale(INTENDED, 0.1)], opt)

    def one_factor_for_all_groups(params):
        opt = two_groups(params)
        return opt, to_torch(SHAPE, opt, groups="factor")

    def lambda_lr_over_groups(params):
        opt = two_groups(params, torch.optim.AdamW)
        return opt, LambdaLR(opt, SHAPE)

    sequential_intended = join(
        [linear_warmup(PEAK, W, start=PEAK * 1e-8), cosine(PEAK, N - W)], [W]
    )
    return [
        ("to_torch", lrlab_build, INTENDED, {}),
        ("LambdaLR recipe", hf_cosine(), INTENDED, {}),
        ("LambdaLR, accumulation stepped per update", hf_cosine(), INTENDED, {"accumulation": 4}),
        ("to_torch resumed from state dicts", lrlab_build, INTENDED, {"resume_at": 30}),
        ("LambdaLR resumed from state dicts", hf_cosine(), INTENDED, {"resume_at": 30}),
        ("SequentialLR", sequential, sequential_intended, {}),
        ("OneCycleLR", onecycle, one_cycle(PEAK, N), {}),
        ("warm restarts", restarts, cosine_restarts(PEAK, 15), {}),
        (
            "two parameter groups, one schedule each",
            one_schedule_per_group,
            [INTENDED, scale(INTENDED, 0.1)],
            {},
        ),
        (
            "two parameter groups, groups='factor'",
            one_factor_for_all_groups,
            SHAPE,
            {"groups": "factor"},
        ),
        ("two parameter groups, LambdaLR", lambda_lr_over_groups, SHAPE, {"groups": "factor"}),
        (
            "per-epoch schedule stepped per epoch",
            restarts,
            None,
            {"step_every": "epoch", "steps_per_epoch": 3},
        ),
    ]


@pytest.mark.parametrize(
    ("label", "build", "intended", "loop"), correct_builds(), ids=[c[0] for c in correct_builds()]
)
@pytest.mark.parametrize("with_intended", [True, False], ids=["intended", "blind"])
def test_correct_loops_raise_no_alarm(label, build, intended, loop, with_intended) -> None:
    report = audit(build, N, intended=intended if with_intended else None, **loop)
    assert report.ok, str(report)


def test_one_schedule_over_layer_wise_rates_is_refused_by_to_torch() -> None:
    """The loop this audit once passed as correct: to_torch(INTENDED, opt) over groups at PEAK
    and PEAK / 10 silently put both groups at INTENDED, and the audit looked at group 0 only.
    to_torch now refuses it, and the audit reads every group."""

    def build(params):
        opt = two_groups(params)
        return opt, to_torch(INTENDED, opt)

    with pytest.raises(ValueError, match=r"groups must be 'same' .* or 'factor'"):
        audit(build, N)

    def same(params):
        opt = two_groups(params)
        return opt, to_torch(INTENDED, opt, groups="same")

    report = audit(same, N, intended=[INTENDED, scale(INTENDED, 0.1)])
    assert report.names == {"differs_from_intended"} and report.findings[0].group == 1
    assert audit(same, N, intended=INTENDED, groups="same").ok


def test_hf_get_scheduler_correct_loop_is_clean() -> None:
    transformers = pytest.importorskip("transformers")

    def build(params):
        opt = torch.optim.AdamW(params, lr=PEAK)
        return opt, transformers.get_scheduler(
            "warmup_stable_decay",
            opt,
            num_warmup_steps=W,
            num_training_steps=N,
            scheduler_specific_kwargs={"num_decay_steps": 20, "min_lr_ratio": 0.1},
        )

    intended = from_hf("warmup_stable_decay", PEAK, W, N, num_decay_steps=20, min_lr_ratio=0.1)
    assert audit(build, N, intended=intended, resume_at=35).ok
    assert audit(build, N).ok


# ------------------------------------------------------------------- report


def test_report_table_plot_and_groups() -> None:
    report = audit(hf_cosine(), N, intended=INTENDED, step_where="before_optimizer")
    table = report.table()
    assert "intended" in table and "NO" in table
    fig = report.plot()
    assert len(fig.axes[0].lines) == 2
    assert report.group_lrs.shape == (N, 1)
    assert "scheduler_before_optimizer" in str(report)
    assert set(FINDINGS) >= report.names


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"updates": 1}, "updates must be an integer >= 2, got 1"),
        ({"accumulation": 0}, "accumulation must be an integer >= 1, got 0"),
        ({"step_where": "never"}, "step_where must be one of 'after_optimizer'"),
        ({"step_every": "batch"}, "step_every must be one of 'update'"),
        ({"resume": "magic"}, "resume must be one of 'state_dict'"),
        ({"resume_at": N}, f"resume_at must be an integer in [1, {N - 1}], got {N}"),
        (
            {"intended": 0.1},
            "intended must be an lrlab Schedule or a list of them, one per parameter group (1), "
            "got 0.1",
        ),
        ({"intended": [INTENDED, INTENDED]}, "intended must hold one schedule per parameter group"),
        ({"intended": INTENDED, "groups": "ratio"}, "groups must be one of 'same', 'factor'"),
    ],
)
def test_bad_audit_arguments_are_named(kwargs, message) -> None:
    args = {"updates": N, **kwargs}
    with pytest.raises(ValueError, match=re.escape(message)):
        audit(hf_cosine(), **args)


def test_one_intended_schedule_over_layer_wise_rates_must_say_how() -> None:
    def build(params):
        opt = two_groups(params)
        return opt, LambdaLR(opt, SHAPE)

    with pytest.raises(ValueError, match=r"^groups must be 'same' .*\[0\.01, 0\.1\]"):
        audit(build, N, intended=INTENDED)
    with pytest.raises(ValueError, match=re.escape("group must be an integer in [0, 1], got 2")):
        audit(build, N, intended=SHAPE, groups="factor").table(group=2)


def test_every_finding_has_a_description() -> None:
    assert all(isinstance(v, str) and v for v in FINDINGS.values())
    assert np.isfinite(audit(hf_cosine(), 5).lrs).all()
