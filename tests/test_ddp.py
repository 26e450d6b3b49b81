"""DistributedDataParallel on 2 CPU processes (gloo): to_torch gives every rank the same rates.

Rank 0 saves a checkpoint after ``K`` updates; a second launch resumes from it.
Every rank records the rate of every update; the sequences must be identical
across ranks and equal to the schedule (the single-process run).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

from lrlab import to_torch, warmup_cosine
from lrlab.torch_adapter import torch_lr_sequence

SCHEDULE = warmup_cosine(0.05, total_steps=24, warmup_steps=4, floor=0.005)
UPDATES, K, WORLD = 24, 10, 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker(rank: int, port: int, folder: str, start: int, stop: int) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    torch.manual_seed(0)
    model = DistributedDataParallel(torch.nn.Linear(3, 1, dtype=torch.float64))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    sched = to_torch(SCHEDULE, opt)
    checkpoint = Path(folder) / "ckpt.pt"
    if start:
        state = torch.load(checkpoint, weights_only=True)
        model.module.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
    seen = []
    g = torch.Generator().manual_seed(rank)
    for t in range(start, stop):
        x = torch.randn(4, 3, generator=g, dtype=torch.float64)
        loss = model(x).pow(2).mean()
        loss.backward()
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        opt.zero_grad()
        sched.step()
        if t + 1 == K and rank == 0 and not start:
            state = {
                "model": model.module.state_dict(),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
            }
            torch.save(state, checkpoint)
        if t + 1 == K:
            dist.barrier()
    np.save(Path(folder) / f"lrs_{start}_{rank}.npy", np.array(seen))
    dist.destroy_process_group()


@pytest.mark.slow
def test_two_gloo_processes_follow_the_schedule_and_resume(tmp_path: Path) -> None:
    mp.spawn(_worker, args=(_free_port(), str(tmp_path), 0, K), nprocs=WORLD, join=True)
    mp.spawn(_worker, args=(_free_port(), str(tmp_path), K, UPDATES), nprocs=WORLD, join=True)
    runs = [
        np.concatenate(
            [np.load(tmp_path / f"lrs_0_{r}.npy"), np.load(tmp_path / f"lrs_{K}_{r}.npy")]
        )
        for r in range(WORLD)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    single = torch_lr_sequence(lambda opt: to_torch(SCHEDULE, opt), 0.05, UPDATES)
    np.testing.assert_array_equal(runs[0], single)
    np.testing.assert_array_equal(runs[0], SCHEDULE(np.arange(UPDATES)))
