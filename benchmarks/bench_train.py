"""Print how long the training lab takes: one run, batched variants, the NQM.

Run with ``python benchmarks/bench_train.py``; figures are medians over a few
repeats (the first call of each kind is a warm-up and is not timed).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

import lrlab


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    steps = 1000
    schedule = lrlab.warmup_cosine(peak=0.03, warmup_steps=50, total_steps=steps)
    task = lrlab.MarkovTask()
    model = lrlab.ContextMLP(task.vocab_size, context=task.order + 1)
    print(
        f"default task: vocab {task.vocab_size}, order {task.order}, "
        f"entropy rate {task.entropy_rate:.4f} nats/token; "
        f"model parameters {model.num_parameters()}"
    )

    one = median_seconds(lambda: lrlab.train(schedule, steps), repeats=3)
    print(f"train, {steps} steps (target <= 10 s): {one:.2f} s")

    peaks = np.geomspace(3e-3, 3e-2, 16)
    schedules = [
        lrlab.warmup_cosine(peak=float(p), warmup_steps=50, total_steps=steps) for p in peaks
    ]
    single = median_seconds(lambda: lrlab.train_many(schedules[:1], steps), repeats=3)
    many = median_seconds(lambda: lrlab.train_many(schedules, steps), repeats=3)
    print(f"train_many, 1 variant x {steps} steps: {single:.2f} s")
    print(f"train_many, 16 variants x {steps} steps: {many:.2f} s")
    print(
        f"16 variants / 1 variant (target <= 4x): {many / single:.2f}x; "
        f"16 variants / train: {many / one:.2f}x"
    )

    nqm = lrlab.NoisyQuadratic.standard(dim=1000)
    nqm_steps = 100_000
    rates = np.outer(np.geomspace(0.1, 1.5, 10), np.linspace(1.0, 0.01, nqm_steps))
    nqm_time = median_seconds(lambda: nqm.expected_loss(rates), repeats=3)
    print(f"NQM, 10 schedules x {nqm_steps} steps x 1000 dims (target <= 2 s): {nqm_time:.2f} s")


if __name__ == "__main__":
    main()
