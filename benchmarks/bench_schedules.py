"""How fast are lrlab schedules? Prints figures; asserts nothing about time.

For warmup_cosine, one_cycle and wsd over 1,000,000 steps it prints the
median time of lrlab's vectorised call, of a hand-written NumPy expression of
the same formula, and of stepping the equivalent torch scheduler. Stepping
torch a million times is slow, so that figure is measured on the first
100,000 steps and multiplied by 10 (the per-step cost is flat).

Run: ``python benchmarks/bench_schedules.py``.
"""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import torch
from torch.optim import lr_scheduler as tl

import lrlab

N = 1_000_000
TORCH_STEPS = 100_000
REPEATS = 9
PEAK, FLOOR, WARMUP, DECAY = 3e-4, 3e-5, 20_000, 200_000


def median_seconds(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_seconds(make: Callable[[torch.optim.Optimizer], tl.LRScheduler]) -> float:
    """Seconds to step the scheduler N times, extrapolated from TORCH_STEPS steps."""
    times = []
    for _ in range(3):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=PEAK, momentum=0.9)
        scheduler = make(opt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            start = time.perf_counter()
            for _ in range(TORCH_STEPS):
                scheduler.step()
            times.append(time.perf_counter() - start)
    return statistics.median(times) * (N / TORCH_STEPS)


def numpy_warmup_cosine(t: np.ndarray) -> np.ndarray:
    decay = FLOOR + (PEAK - FLOOR) * (1 + np.cos(np.pi * (t - WARMUP) / (N - WARMUP))) / 2
    return np.where(t < WARMUP, PEAK * t / WARMUP, decay)


def numpy_one_cycle(t: np.ndarray) -> np.ndarray:
    initial = PEAK / 25.0
    low = initial / 1e4
    top = float(0.3 * N) - 1
    up = PEAK + (initial - PEAK) / 2.0 * (np.cos(np.pi * (t / top)) + 1)
    down = low + (PEAK - low) / 2.0 * (np.cos(np.pi * ((t - top) / (N - 1 - top))) + 1)
    return np.where(t <= top, up, down)


def numpy_wsd(t: np.ndarray) -> np.ndarray:
    cool = FLOOR + (PEAK - FLOOR) * (1 - (t - (N - DECAY)) / DECAY)
    return np.where(t < WARMUP, PEAK * t / WARMUP, np.where(t < N - DECAY, PEAK, cool))


def torch_warmup_cosine(opt: torch.optim.Optimizer) -> tl.LRScheduler:
    # LinearLR cannot start at 0, so the timed warmup starts at PEAK * 1e-8
    warm = tl.LinearLR(opt, start_factor=1e-8, total_iters=WARMUP)
    decay = tl.CosineAnnealingLR(opt, N - WARMUP, FLOOR)
    return tl.SequentialLR(opt, [warm, decay], milestones=[WARMUP])


def torch_one_cycle(opt: torch.optim.Optimizer) -> tl.LRScheduler:
    return tl.OneCycleLR(opt, PEAK, total_steps=N)


def torch_wsd(opt: torch.optim.Optimizer) -> tl.LRScheduler:
    warm = tl.LinearLR(opt, start_factor=1e-8, total_iters=WARMUP)
    stable = tl.ConstantLR(opt, factor=1.0, total_iters=0)
    cool = tl.LinearLR(opt, start_factor=1.0, end_factor=FLOOR / PEAK, total_iters=DECAY)
    return tl.SequentialLR(opt, [warm, stable, cool], milestones=[WARMUP, N - DECAY])


CASES = [
    (
        "warmup_cosine",
        lrlab.warmup_cosine(PEAK, N, WARMUP, FLOOR),
        numpy_warmup_cosine,
        torch_warmup_cosine,
    ),
    ("one_cycle", lrlab.one_cycle(PEAK, N), numpy_one_cycle, torch_one_cycle),
    ("wsd", lrlab.wsd(PEAK, N, WARMUP, DECAY, FLOOR), numpy_wsd, torch_wsd),
]


def main() -> None:
    torch.set_num_threads(1)
    t = np.arange(N)
    print(
        f"{N:,} steps; medians of {REPEATS} runs; "
        f"torch timed on {TORCH_STEPS:,} steps x {N // TORCH_STEPS}"
    )
    header = (
        f"{'schedule':<14}{'lrlab ms':>10}{'numpy ms':>10}{'torch s':>9}"
        f"{'torch/lrlab':>13}{'lrlab/numpy':>13}{'max rel diff':>14}"
    )
    print(header)
    print("-" * len(header))
    for name, schedule, by_hand, make_torch in CASES:
        ours = median_seconds(lambda s=schedule: s(t))
        hand = median_seconds(lambda f=by_hand: f(t))
        stepped = torch_seconds(make_torch)
        a, b = schedule(t), by_hand(t)
        diff = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
        print(
            f"{name:<14}{ours * 1e3:>10.2f}{hand * 1e3:>10.2f}{stepped:>9.2f}"
            f"{stepped / ours:>12.0f}x{ours / hand:>12.2f}x{diff:>14.1e}"
        )
    print("targets: torch/lrlab >= 100x, lrlab/numpy <= 3x")


if __name__ == "__main__":
    main()
