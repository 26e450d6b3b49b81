"""Print what the evidence protocol costs: a typical comparison on the tiny LM and on the NQM.

Run with ``python benchmarks/bench_experiments.py``. Each line gives the runs
the protocol needed (tuning rounds plus the paired evaluation), the number
of batched ``train_many`` calls and the wall time of one comparison.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import lrlab
from lrlab.experiments import Comparison


def show(title: str, run: Callable[[], Comparison]) -> Comparison:
    cpu = time.process_time()
    res = run()
    cpu = time.process_time() - cpu
    print(f"{title}: {res.cost()} (CPU time {cpu:.1f} s)")
    for arm in res.arms:
        grid = res.grids[arm]
        tried = f"{grid.size} peaks tried ({grid[0]:.3g} .. {grid[-1]:.3g})"
        print(f"  {arm}: {tried}, tuned {res.peaks[arm]:.3g}")
    first, second = res.arms[:2]
    print(f"  {res.sentence(first, second)}")
    return res


def main() -> None:
    print("Wall time depends on what else the machine runs; CPU time is this process's.")
    steps, warmup = 600, 30
    lrlab.train_many([lrlab.constant(1e-3)], 10)  # warm-up, not timed
    two = {
        "warmup + cosine": lambda p: lrlab.warmup_cosine(p, steps, warmup),
        "constant": lrlab.constant,
    }
    show(f"tiny LM, 2 arms, {steps} steps, 5 seeds", lambda: lrlab.compare(two, steps))
    three = two | {"cosine, no warmup": lambda p: lrlab.cosine(p, steps)}
    show(f"tiny LM, 3 arms, {steps} steps, 5 seeds", lambda: lrlab.compare(three, steps))

    nqm = lrlab.NoisyQuadratic.standard(dim=100)
    nqm_steps = 2000
    arms = {
        "cosine": lambda p: lrlab.cosine(p, nqm_steps),
        "constant": lrlab.constant,
        "linear decay": lambda p: lrlab.linear_decay(p, 0.0, nqm_steps),
    }
    runner = lrlab.nqm_runner(nqm, nqm_steps)
    show(
        f"NQM (100 dims), 3 arms, {nqm_steps} steps",
        lambda: lrlab.compare(arms, runner=runner, centre=0.1),
    )


if __name__ == "__main__":
    main()
