"""``python -m lrlab show``: key steps, plot, torch code, HF kwargs, safe parsing, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import lrlab
from lrlab.cli import CONSTRUCTORS, main, parse_schedule, torch_code
from lrlab.torch_adapter import torch_lr_sequence

ROOT = Path(__file__).resolve().parents[1]


def test_module_runs_from_a_fresh_interpreter(tmp_path: Path) -> None:
    out = tmp_path / "s.png"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-m", "lrlab", "show", "warmup_cosine(1e-3, 100, 10)", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.splitlines()[0]
        == "warmup_cosine(peak=0.001, total_steps=100, warmup_steps=10, floor=0.0)"
    )
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[3:-1]}
    assert rows["10"] == "0.001" and rows["100"] == "0"
    assert out.stat().st_size > 1000


def test_show_prints_key_steps(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "multistep(0.1, [30, 60], 0.1)", "--steps", "90"]) == 0
    lines = capsys.readouterr().out.splitlines()
    steps = [int(line.split()[0]) for line in lines[3:]]
    assert {0, 30, 60, 89} <= set(steps)


@pytest.mark.parametrize(
    "spec",
    [
        "step_decay(0.1, 7, 0.5)",
        "multistep(0.1, [5, 9], 0.1)",
        "exponential(0.1, 0.9)",
        "cosine(0.1, 12, 0.01, past_end='continue')",
        "polynomial(0.1, 15, power=2.0)",
        "cosine_restarts(0.1, 5, 2, 0.001)",
        "one_cycle(0.1, 40, cycle_momentum=False)",
        "wsd(0.1, 40, 5, 10, 0.01)",
    ],
)
def test_torch_code_reproduces_the_schedule(spec: str) -> None:
    schedule = parse_schedule(spec)
    code = torch_code(schedule)
    lr = float(code.split("lr=")[1].split("\n")[0]) if "lr=" in code.split("\n")[1] else schedule(0)

    def make(optimizer: torch.optim.Optimizer):
        space: dict = {"optimizer": optimizer}
        exec(code, space)  # the code under test is ours, printed for the reader
        return space["scheduler"]

    steps = 40
    got = torch_lr_sequence(make, lr, steps)
    np.testing.assert_allclose(got, schedule(np.arange(steps)), rtol=1e-12, atol=1e-18)


def test_hf_flag_prints_type_and_kwargs(capsys: pytest.CaptureFixture[str]) -> None:
    main(["show", "warmup_cosine(3e-4, 1000, 100, 3e-5)", "--hf"])
    out = capsys.readouterr().out
    assert 'lr_scheduler_type="cosine_with_min_lr"' in out
    assert "min_lr_rate=0.1" in out and "climbs back" in out
    main(["show", "cyclical(0.001, 0.01, 20)", "--hf"])
    assert "no Hugging Face lr_scheduler_type" in capsys.readouterr().out


def test_every_public_family_can_be_parsed() -> None:
    families = {
        name
        for name in lrlab.schedules.__all__
        if isinstance(getattr(lrlab.schedules, name), type) and name != "Schedule"
    }
    assert set(CONSTRUCTORS) == families


def test_parsed_reprs_round_trip() -> None:
    for schedule in (
        lrlab.join([lrlab.linear_warmup(1.0, 5), lrlab.cosine(1.0, 20)], [5]),
        lrlab.phases([(0.1, 1.0), (1.0, 0.0)], [0.25, 0.75], 8),
        lrlab.shift(lrlab.cosine(1.0, 10, past_end="continue"), 1),
        lrlab.cosine_cycles(1.0, 5, decay=0.5, cycles=2),
    ):
        assert parse_schedule(repr(schedule)) == schedule


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("__import__('os').system('true')", "is not an lrlab schedule"),
        ("open('x')", "'open' is not an lrlab schedule"),
        ("cosine(1.0, 10", "schedule spec is not a Python call"),
        ("cosine(1.0, total_steps=1e400 * 0)", "only lrlab schedule calls and literal"),
        ("cosine(peak=1.0, **{'total_steps': 3})", "** arguments are not allowed"),
        ("cosine(1.0, 0)", "total_steps must be an integer in [1, 2**53], got 0"),
        ("cosine(1.0, 10, wrong=1)", "unexpected keyword argument 'wrong'"),
        (
            "cosine(1.0)",
            "cosine(peak, total_steps, floor=0.0, *, past_end='hold'): "
            "missing a required argument: 'total_steps'",
        ),
        ("cosine(1.0, 10, peak=2.0)", "multiple values for argument 'peak'"),
        ("constant(0.1, 0.2)", "constant(lr): too many positional arguments"),
        ("shift(cosine(1.0, 10), -1)", "steps must be an integer in [0, 2**53], got -1"),
        ("phases([[0.1]], [1.0], 10)", "pairs[0] must be a (start, end) pair"),
        ("cosine(1.0, 1" + "0" * 5000 + ")", "schedule spec is not a Python call"),
        ("cosine(" * 300 + ")" * 300, "too many nested parentheses"),
        ("cosine(*[1.0, 10])", "only lrlab schedule calls"),
        ("lrlab.cosine(1.0, 10)", "'lrlab.cosine' is not an lrlab schedule"),
        ("0.1", "must be a call such as"),
        ("cosine(1.0, 10).momentum", "only lrlab schedule calls"),
    ],
)
def test_bad_specs_get_clear_errors(
    spec: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", spec]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
