"""Train the tiny Markov-chain language model under any schedule.

:func:`train` runs one model with a real ``torch.optim`` optimizer, recording
the applied learning rate, the loss, the gradient norm and the
update-to-weight ratio of every step, plus the exact population loss every
``val_every`` steps. Checkpoints taken along the way can be branched with
another schedule. :func:`train_many` trains many variants (schedules × seeds)
in one batched model. :func:`adam_trace` reads Adam's moments from the
optimizer state, and :func:`lr_range_test` runs Smith's LR range test.
"""

from __future__ import annotations

import copy
import functools
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure

from lrlab._checks import (
    MAX_LR,
    check_choice,
    check_instance,
    check_int,
    check_int_sequence,
    check_number,
    check_positive,
    shown,
)
from lrlab.schedules import MAX_STEP, Schedule
from lrlab.tasks import DTYPE, ContextMLP, MarkovTask
from lrlab.viz import PALETTE, new_figure

OPTIMIZERS = ("adamw", "sgd")
# Seeds are int64 (torch's generator and NumPy's both take them).
MAX_SEED = 2**63 - 1
# torch's thread pool crashes the interpreter for absurd thread counts
# (10**6); far more threads than any CPU has is refused instead.
MAX_THREADS = 256


def _schedule(schedule: Any, name: str = "schedule") -> Schedule:
    return check_instance(name, schedule, Schedule, "an lrlab Schedule (e.g. lrlab.constant(1e-3))")


def _steps(schedule: Schedule, steps: Any, low: int = 1) -> int:
    """A run length the schedule defines: at most ``schedule.max_steps`` updates."""
    limit = schedule.max_steps
    if limit is not None and low <= limit:
        steps_int = check_int("steps", steps, low, MAX_STEP)
        if steps_int > limit:
            raise ValueError(
                f"steps must be an integer in [{low}, schedule.max_steps] = [{low}, {limit}] "
                f"(a run may not use {schedule!r} past its end), got {steps_int}"
            )
        return steps_int
    return check_int("steps", steps, low, MAX_STEP if limit is None else limit)


@contextmanager
def _torch_settings(threads: int) -> Iterator[None]:
    """Fix the thread count and deterministic algorithms, restoring both afterwards."""
    old_threads = torch.get_num_threads()
    old_deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_deterministic)


@dataclass(frozen=True)
class TrainConfig:
    """Everything except the schedule and length that defines a run.

    Built by :func:`train`; see its parameters.
    """

    seed: int = 0
    optimizer: str = "adamw"
    task: MarkovTask = field(default_factory=MarkovTask)
    context: int | None = None
    embed_dim: int = 8
    hidden: int = 64
    batch_size: int = 8
    seq_len: int = 36
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    momentum: float = 0.9
    eps: float = 1e-8
    clip_grad: float | None = None
    val_every: int = 50
    diverge_above: float | None = None
    threads: int = 1
    corpus_size: int | None = None
    corpus_seed: int = 0

    def __post_init__(self) -> None:
        def keep(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        keep("seed", check_int("seed", self.seed, 0, MAX_SEED))
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_instance("task", self.task, MarkovTask, "a MarkovTask")
        ctx = self.task.order + 1 if self.context is None else self.context
        keep("context", check_int("context", ctx, self.task.order))
        for name in ("embed_dim", "hidden", "batch_size", "val_every"):
            keep(name, check_int(name, getattr(self, name), 1))
        keep("threads", check_int("threads", self.threads, 1, MAX_THREADS))
        keep("seq_len", check_int("seq_len", self.seq_len, self.context_size + 1))
        keep("weight_decay", check_number("weight_decay", self.weight_decay, 0.0, math.inf))
        keep("eps", check_number("eps", self.eps, 0.0, math.inf))
        # torch's own rules for momentum and Adam's betas: 0 <= value < 1
        keep("momentum", check_number("momentum", self.momentum, 0.0, 1.0, "[)"))
        betas = self.betas
        pair = isinstance(betas, tuple | list) and len(betas) == 2
        if not pair:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {shown(betas)}")
        keep(
            "betas",
            tuple(check_number(f"betas[{i}]", b, 0.0, 1.0, "[)") for i, b in enumerate(betas)),
        )
        if self.clip_grad is not None:
            keep("clip_grad", check_positive("clip_grad", self.clip_grad))
        if self.diverge_above is not None and self.diverge_above != math.inf:
            keep("diverge_above", check_positive("diverge_above", self.diverge_above))
        if self.corpus_size is not None:
            keep("corpus_size", check_int("corpus_size", self.corpus_size, self.batch_size))
        keep("corpus_seed", check_int("corpus_seed", self.corpus_seed, 0))

    @property
    def context_size(self) -> int:
        """The model's window length (``context``, which defaults to ``order + 1``)."""
        return self.task.order + 1 if self.context is None else self.context

    def corpus(self) -> np.ndarray | None:
        """The fixed training corpus (finite-data mode), or None for fresh data."""
        if self.corpus_size is None:
            return None
        return self.task.corpus(self.corpus_size, self.seq_len, self.corpus_seed)

    def batch(self, step: int, seed: int) -> np.ndarray:
        """Training tokens of update ``step`` for data-order ``seed``."""
        corpus = self.corpus()
        if corpus is None:
            return self.task.train_batch(step, self.batch_size, self.seq_len, seed)
        return corpus[self.task.corpus_rows(step, self.batch_size, len(corpus), seed)]

    @property
    def loss_limit(self) -> float:
        """Training loss above which a run counts as diverged."""
        if self.diverge_above is not None:
            return float(self.diverge_above)
        return 2.0 * math.log(self.task.vocab_size)


@dataclass
class History:
    """Per-step record of a training run.

    Per-step arrays have length ``steps``; entries after a divergence are NaN.

    Attributes
    ----------
    lr : numpy.ndarray
        Learning rate applied at each update.
    loss : numpy.ndarray
        Training loss (nats/token) of the batch of each update.
    grad_norm : numpy.ndarray
        Global gradient norm before clipping.
    update_ratio : numpy.ndarray
        ``‖θₜ₊₁ − θₜ‖ / ‖θₜ‖`` over all parameters.
    val_steps : numpy.ndarray
        Number of updates done when the validation loss was measured.
    val_loss : numpy.ndarray
        Exact expected loss on fresh text from the chain (population loss):
        the test loss.
    entropy_rate : float
        The task's entropy rate, the best achievable loss.
    diverged : bool
        Whether the run stopped early.
    diverged_at : int or None
        The update whose loss was non-finite or above the limit.
    checkpoints : dict of int to Checkpoint
        Checkpoints taken, keyed by the number of updates done.
    missed_checkpoints : list of int
        Checkpoints asked for but not taken because the run diverged first.
    train_loss : numpy.ndarray
        Finite-data mode (``corpus_size``): the exact mean loss over the whole
        training corpus at each of ``val_steps``; empty when training on
        fresh data.
    """

    lr: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    update_ratio: np.ndarray
    val_steps: np.ndarray
    val_loss: np.ndarray
    entropy_rate: float
    diverged: bool = False
    diverged_at: int | None = None
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict, repr=False)
    missed_checkpoints: list[int] = field(default_factory=list)
    train_loss: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def excess_loss(self) -> np.ndarray:
        """Training loss minus the entropy rate (noisy: one batch per step)."""
        return self.loss - self.entropy_rate

    @property
    def val_excess(self) -> np.ndarray:
        """Exact population loss minus the entropy rate; never negative."""
        return self.val_loss - self.entropy_rate

    @property
    def train_excess(self) -> np.ndarray:
        """Corpus loss minus the entropy rate; negative once the model memorises its corpus."""
        return self.train_loss - self.entropy_rate

    @property
    def final_excess(self) -> float:
        """Excess population loss at the end of the run (``inf`` if it diverged)."""
        if self.diverged or not np.isfinite(self.val_loss[-1]):
            return math.inf
        return float(self.val_excess[-1])


@dataclass(frozen=True)
class Checkpoint:
    """Model and optimizer state after ``step`` updates, and the history so far.

    Examples
    --------
    >>> from lrlab import constant
    >>> h = train(constant(1e-2), 20, checkpoints=[10], val_every=10)
    >>> branch = h.checkpoints[10].branch(constant(1e-3), 20)
    >>> bool((branch.lr[10:] == 1e-3).all())
    True
    """

    step: int
    config: TrainConfig
    model_state: dict[str, torch.Tensor] = field(repr=False)
    optimizer_state: dict[str, Any] = field(repr=False)
    history: History = field(repr=False)

    def branch(self, schedule: Schedule, steps: int, checkpoints: Sequence[int] = ()) -> History:
        """Continue this run with another schedule up to ``steps`` updates in total.

        Update ``t`` (for ``t >= self.step``) uses ``schedule(t)``; the
        returned history covers the whole run from step 0. Branching with the
        original schedule reproduces the uninterrupted run exactly.

        Parameters
        ----------
        schedule : Schedule
            Schedule of the continuation, evaluated at the global step.
        steps : int
            Total number of updates, at least ``self.step``.
        checkpoints : sequence of int
            Further checkpoints to take.

        Returns
        -------
        History
        """
        _schedule(schedule)
        steps = _steps(schedule, steps, max(self.step, 1))
        return _train(schedule, steps, self.config, checkpoints, resume=self)


class _Run:
    """One model, its optimizer and its data: the shared engine of every loop."""

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        task = config.task
        self.model = ContextMLP(
            task.vocab_size,
            context=config.context_size,
            embed_dim=config.embed_dim,
            hidden=config.hidden,
            seeds=[config.seed],
        )
        params = list(self.model.parameters())
        if config.optimizer == "adamw":
            self.optimizer: torch.optim.Optimizer = torch.optim.AdamW(
                params,
                lr=0.0,
                betas=config.betas,
                eps=config.eps,
                weight_decay=config.weight_decay,
                foreach=False,
            )
        else:
            self.optimizer = torch.optim.SGD(
                params,
                lr=0.0,
                momentum=config.momentum,
                weight_decay=config.weight_decay,
                foreach=False,
            )
        self.val = _exact_loss_inputs(task, config.context_size)
        corpus = config.corpus()
        self.corpus = None if corpus is None else torch.from_numpy(corpus.copy())

    def batch(self, step: int) -> torch.Tensor:
        return torch.from_numpy(self.config.batch(step, self.config.seed)).unsqueeze(0)

    def set_hyper(self, lr: float, momentum: float | None) -> None:
        for group in self.optimizer.param_groups:
            group["lr"] = lr
            if momentum is not None:
                if self.config.optimizer == "adamw":
                    group["betas"] = (momentum, group["betas"][1])
                else:
                    group["momentum"] = momentum

    def step(self, t: int) -> tuple[float, float, float]:
        """One update; returns (loss, gradient norm, update ratio)."""
        params = list(self.model.parameters())
        loss = self.model.loss(self.batch(t)).sum()
        value = float(loss.detach())
        if not math.isfinite(value) or value > self.config.loss_limit:
            return value, math.nan, math.nan
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        limit = self.config.clip_grad if self.config.clip_grad is not None else math.inf
        grad_norm = float(torch.nn.utils.clip_grad_norm_(params, limit, foreach=False))
        before = torch.nn.utils.parameters_to_vector(params).detach()
        self.optimizer.step()
        after = torch.nn.utils.parameters_to_vector(params).detach()
        ratio = float(torch.linalg.vector_norm(after - before) / torch.linalg.vector_norm(before))
        return value, grad_norm, ratio

    def val_loss(self) -> float:
        with torch.no_grad():
            return float(_exact_loss(self.model, *self.val)[0])

    def corpus_loss(self) -> float:
        assert self.corpus is not None
        return float(_corpus_loss(self.model, self.corpus)[0])


def _grad(param: torch.Tensor) -> torch.Tensor:
    """A parameter's gradient, which every loop here has just computed."""
    if param.grad is None:
        raise RuntimeError("the gradient is missing after backward()")
    return param.grad


def _total(terms: Iterable[torch.Tensor]) -> torch.Tensor:
    """Left-to-right sum of tensors (the order of Python's ``sum``, so the same bits)."""
    return functools.reduce(operator.add, terms)


def _exact_loss_inputs(task: MarkovTask, context: int) -> tuple[torch.Tensor, ...]:
    windows, probs, next_probs = task.window_distribution(context)
    padded = np.concatenate([windows, np.zeros((len(windows), 1), dtype=np.int64)], axis=1)
    return (
        torch.from_numpy(padded).unsqueeze(0),
        torch.from_numpy(probs),
        torch.from_numpy(next_probs),
    )


def _exact_loss(
    model: ContextMLP, windows: torch.Tensor, probs: torch.Tensor, next_probs: torch.Tensor
) -> torch.Tensor:
    """Expected cross-entropy of each variant under the chain's stationary law."""
    k = model.n_variants
    log_q = torch.log_softmax(model(windows.expand(k, -1, -1))[:, :, 0], dim=-1)
    per_window = -(next_probs * log_q).sum(dim=-1)
    return (per_window * probs).sum(dim=-1)


def population_loss(model: ContextMLP, task: MarkovTask) -> torch.Tensor:
    """Exact expected loss of ``model`` on fresh text from ``task``: its test loss.

    The sum, over every window of ``model.context`` tokens, of the window's
    stationary probability times the cross-entropy between the chain's
    next-token distribution and the model's prediction (nats per token). It
    is the ``val_loss`` every :class:`History` records, with no sampling noise;
    it exceeds ``task.entropy_rate`` by the expected KL divergence.

    Parameters
    ----------
    model : ContextMLP
        The model, with the task's vocabulary and a window of at least
        ``task.order`` tokens.
    task : MarkovTask
        The chain the text comes from.

    Returns
    -------
    torch.Tensor
        Shape ``(model.n_variants,)``: the loss of each variant.

    Examples
    --------
    >>> task = MarkovTask()
    >>> loss = population_loss(ContextMLP(task.vocab_size, context=3), task)
    >>> loss.shape, bool(loss[0] > task.entropy_rate)
    (torch.Size([1]), True)
    """
    check_instance("model", model, ContextMLP, "a ContextMLP")
    check_instance("task", task, MarkovTask, "a MarkovTask")
    if model.vocab_size != task.vocab_size:
        raise ValueError(
            f"model must have vocab_size = task.vocab_size = {task.vocab_size}, "
            f"got {model.vocab_size}"
        )
    with torch.no_grad():
        return _exact_loss(model, *_exact_loss_inputs(task, model.context))


# Tokens per forward pass when scoring a whole corpus: bounds the memory used.
_CORPUS_CHUNK_TOKENS = 2**15


def _corpus_loss(model: ContextMLP, corpus: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each variant over every predicted token of the corpus."""
    k = model.n_variants
    n, length = corpus.shape
    rows = max(1, _CORPUS_CHUNK_TOKENS // (k * length))
    total = torch.zeros(k, dtype=DTYPE)
    with torch.no_grad():
        for start in range(0, n, rows):
            chunk = corpus[start : start + rows]
            total += model.loss(chunk.unsqueeze(0).expand(k, -1, -1)) * len(chunk)
    return total / n


def _empty_history(steps: int, entropy_rate: float) -> History:
    nan = np.full(steps, np.nan)
    return History(
        lr=nan.copy(),
        loss=nan.copy(),
        grad_norm=nan.copy(),
        update_ratio=nan.copy(),
        val_steps=np.zeros(0, dtype=np.int64),
        val_loss=np.zeros(0),
        entropy_rate=entropy_rate,
    )


def _val_schedule(steps: int, every: int) -> np.ndarray:
    return np.unique(np.append(np.arange(0, steps + 1, every), steps))


def _train(
    schedule: Schedule,
    steps: int,
    config: TrainConfig,
    checkpoints: Sequence[int],
    resume: Checkpoint | None = None,
    on_step: Callable[[int, _Run], None] | None = None,
) -> History:
    marks = sorted(set(check_int_sequence("checkpoints", checkpoints, 0, steps)))
    momentum = schedule.momentum
    with _torch_settings(config.threads):
        run = _Run(config)
        hist = _empty_history(steps, config.task.entropy_rate)
        start = 0
        if resume is not None:
            start = resume.step
            run.model.load_state_dict(resume.model_state)
            run.optimizer.load_state_dict(copy.deepcopy(resume.optimizer_state))
            prev = resume.history
            for name in ("lr", "loss", "grad_norm", "update_ratio"):
                getattr(hist, name)[:start] = getattr(prev, name)[:start]
            keep = prev.val_steps < start
            hist.val_steps, hist.val_loss = prev.val_steps[keep], prev.val_loss[keep]
            # train_loss is empty unless the run trains on a corpus.
            hist.train_loss = prev.train_loss[keep] if prev.train_loss.size else prev.train_loss
        val_at = set(_val_schedule(steps, config.val_every).tolist())
        val_steps, val_loss = list(hist.val_steps), list(hist.val_loss)
        train_loss = list(hist.train_loss)
        for t in range(start, steps + 1):
            if t in marks:
                hist.checkpoints[t] = _checkpoint(run, t, hist, val_steps, val_loss, train_loss)
            if t in val_at:
                val_steps.append(t)
                val_loss.append(run.val_loss())
                if run.corpus is not None:
                    train_loss.append(run.corpus_loss())
            if t == steps:
                break
            lr = float(schedule(t))
            run.set_hyper(lr, None if momentum is None else float(momentum(t)))
            loss, grad_norm, ratio = run.step(t)
            hist.lr[t], hist.loss[t] = lr, loss
            if math.isnan(grad_norm):
                hist.diverged, hist.diverged_at = True, t
                break
            hist.grad_norm[t], hist.update_ratio[t] = grad_norm, ratio
            if on_step is not None:
                on_step(t, run)
        hist.val_steps = np.array(val_steps, dtype=np.int64)
        hist.val_loss = np.array(val_loss, dtype=np.float64)
        hist.train_loss = np.array(train_loss, dtype=np.float64)
        hist.missed_checkpoints = [m for m in marks if m >= start and m not in hist.checkpoints]
    return hist


def _checkpoint(
    run: _Run,
    t: int,
    hist: History,
    val_steps: list[int],
    val_loss: list[float],
    train_loss: list[float],
) -> Checkpoint:
    snapshot = copy.deepcopy(hist)
    snapshot.checkpoints = {}
    snapshot.val_steps = np.array(val_steps, dtype=np.int64)
    snapshot.val_loss = np.array(val_loss, dtype=np.float64)
    snapshot.train_loss = np.array(train_loss, dtype=np.float64)
    return Checkpoint(
        step=t,
        config=run.config,
        model_state=copy.deepcopy(run.model.state_dict()),
        optimizer_state=copy.deepcopy(run.optimizer.state_dict()),
        history=snapshot,
    )


def train(
    schedule: Schedule,
    steps: int,
    seed: int = 0,
    optimizer: str = "adamw",
    *,
    checkpoints: Sequence[int] = (),
    **options: Any,
) -> History:
    """Train the tiny language model with ``schedule`` for ``steps`` updates.

    Update ``t`` uses exactly ``schedule(t)`` (and ``schedule.momentum(t)`` as
    SGD momentum or Adam β₁ when the schedule has one, as ``one_cycle`` and
    ``cyclical`` do). A loss that is NaN, infinite or above the limit stops the
    run and marks it diverged. The same arguments give identical numbers in
    every process: threads are fixed, deterministic algorithms are on, and
    the initial weights and data depend only on ``seed``.

    Parameters
    ----------
    schedule : Schedule
        Learning-rate schedule.
    steps : int
        Number of optimizer updates, >= 1.
    seed : int, default 0
        Seed of the initial weights and of the training data order.
    optimizer : {"adamw", "sgd"}, default "adamw"
        ``torch.optim.AdamW`` or ``torch.optim.SGD`` (with momentum).
    checkpoints : sequence of int, default ()
        Numbers of updates after which to save a :class:`Checkpoint`.
    **options
        Fields of :class:`TrainConfig`: ``task`` (default ``MarkovTask()``),
        ``context`` (default ``order + 1``), ``embed_dim`` (8), ``hidden``
        (64), ``batch_size`` (8 sequences), ``seq_len`` (36 tokens),
        ``weight_decay`` (0), ``betas`` ((0.9, 0.999)), ``momentum`` (0.9,
        SGD), ``eps`` (1e-8), ``clip_grad`` (None: no clipping),
        ``val_every`` (50), ``diverge_above`` (default ``2 ln(vocab_size)``),
        ``threads`` (1), ``corpus_size`` (None: fresh text at every step;
        an int: finite-data mode, see below), ``corpus_seed`` (0).

    Finite-data mode
        With ``corpus_size = n`` the model trains on a fixed corpus of ``n``
        sequences (:meth:`MarkovTask.corpus`, drawn once with
        ``corpus_seed``), visited in a new shuffled order every epoch of
        ``n // batch_size`` updates (:meth:`MarkovTask.corpus_rows`, ordered
        by ``seed``). It can then overfit: ``History.train_loss`` records the
        exact loss on the whole corpus at every validation step, next to the
        population (test) loss ``val_loss``. Scoring the corpus costs about
        ``n / batch_size`` forward passes per validation step.

    Returns
    -------
    History

    Examples
    --------
    >>> from lrlab import constant
    >>> h = train(constant(1e-2), steps=100)
    >>> h.lr.shape, bool(h.val_excess[-1] < h.val_excess[0])
    ((100,), True)
    """
    _schedule(schedule)
    steps = _steps(schedule, steps)
    config = _config(seed, optimizer, options)
    return _train(schedule, steps, config, checkpoints)


def _config(seed: Any, optimizer: Any, options: dict[str, Any]) -> TrainConfig:
    check_choice("optimizer", optimizer, OPTIMIZERS)
    known = set(TrainConfig.__dataclass_fields__) - {"seed", "optimizer"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(
            f"options must be among {', '.join(sorted(known))}, got unknown option {unknown[0]!r}"
        )
    return TrainConfig(seed=seed, optimizer=optimizer, **options)


@dataclass
class AdamTrace:
    """Adam's state, step by step, for every parameter tensor.

    Arrays have shape ``(steps, n_tensors)`` and hold means over each
    tensor's entries, read from ``optimizer.state`` after each update.

    Attributes
    ----------
    names : list of str
        Parameter tensor names.
    lr : numpy.ndarray
        Learning rate of each update, shape ``(steps,)``.
    grad : numpy.ndarray
        Mean ``|g|``.
    exp_avg : numpy.ndarray
        Mean ``|m|`` (first moment).
    exp_avg_sq : numpy.ndarray
        Mean ``v`` (second moment).
    update_over_lr : numpy.ndarray
        Mean ``|m̂ / (√v̂ + ε)|``, the bias-corrected update size divided by
        the learning rate (without weight decay).
    """

    names: list[str]
    lr: np.ndarray
    grad: np.ndarray
    exp_avg: np.ndarray
    exp_avg_sq: np.ndarray
    update_over_lr: np.ndarray


def adam_trace(schedule: Schedule, steps: int = 20, seed: int = 0, **options: Any) -> AdamTrace:
    """Train with AdamW and record its moments and update sizes per tensor.

    Parameters
    ----------
    schedule : Schedule
        Learning-rate schedule.
    steps : int, default 20
        Number of updates.
    seed : int, default 0
        Seed, as in :func:`train`.
    **options
        As in :func:`train`.

    Returns
    -------
    AdamTrace

    Examples
    --------
    >>> from lrlab import constant
    >>> tr = adam_trace(constant(1e-3), steps=3)
    >>> round(float(tr.update_over_lr[0, 0]), 3)  # first update: m̂/√v̂ = g/|g|
    1.0
    """
    _schedule(schedule)
    steps = _steps(schedule, steps)
    config = _config(seed, "adamw", options)
    names = [name for name, _ in ContextMLP(2).named_parameters()]
    shape = (steps, len(names))
    trace = AdamTrace(
        names=names,
        lr=np.full(steps, np.nan),
        grad=np.full(shape, np.nan),
        exp_avg=np.full(shape, np.nan),
        exp_avg_sq=np.full(shape, np.nan),
        update_over_lr=np.full(shape, np.nan),
    )

    def record(t: int, run: _Run) -> None:
        group = run.optimizer.param_groups[0]
        beta1, beta2 = group["betas"]
        trace.lr[t] = group["lr"]
        for i, p in enumerate(run.model.parameters()):
            state = run.optimizer.state[p]
            n = float(state["step"])
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m_hat = m / (1 - beta1**n)
            v_hat = v / (1 - beta2**n)
            trace.grad[t, i] = float(_grad(p).abs().mean())
            trace.exp_avg[t, i] = float(m.abs().mean())
            trace.exp_avg_sq[t, i] = float(v.mean())
            trace.update_over_lr[t, i] = float((m_hat / (v_hat.sqrt() + group["eps"])).abs().mean())

    _train(schedule, steps, config, (), on_step=record)
    return trace


def train_many(
    schedules: Sequence[Schedule],
    steps: int,
    seeds: Sequence[int] = (0,),
    optimizer: str = "adamw",
    **options: Any,
) -> list[History]:
    """Train one variant per (schedule, seed) pair, all in one batched model.

    The variants share nothing but the forward pass: each has its own
    weights (initialised from its seed), data stream, learning rate, momentum
    and divergence flag. The optimizer is AdamW or SGD with momentum written
    over the stacked weights so that every variant gets its own learning
    rate; it follows ``torch.optim`` step for step, so a variant matches
    :func:`train` with the same arguments up to float rounding.

    Parameters
    ----------
    schedules : sequence of Schedule
        One schedule per family, peak LR, …
    steps : int
        Number of updates, >= 1.
    seeds : sequence of int, default (0,)
        Seeds; every schedule runs with every seed.
    optimizer : {"adamw", "sgd"}, default "adamw"
        Update rule.
    **options
        As in :func:`train` (``threads`` defaults to 1).

    Returns
    -------
    list of History
        In the order ``[(s0, seed0), (s0, seed1), …, (s1, seed0), …]``.

    Examples
    --------
    >>> from lrlab import constant
    >>> hs = train_many([constant(1e-2), constant(3e-2)], steps=50, seeds=[0, 1])
    >>> len(hs), float(hs[3].lr[0])
    (4, 0.03)
    """
    if isinstance(schedules, Schedule) or not isinstance(schedules, Sequence) or not schedules:
        raise ValueError(f"schedules must be a non-empty list of Schedules, got {schedules!r}")
    for i, s in enumerate(schedules):
        _schedule(s, f"schedules[{i}]")
    steps = min((_steps(s, steps) for s in schedules), default=1)
    seeds = list(check_int_sequence("seeds", seeds, 0, MAX_SEED, min_len=1))
    config = _config(seeds[0], optimizer, options)
    pairs = [(s, seed) for s in schedules for seed in seeds]
    with _torch_settings(config.threads):
        return _BatchedRun(config, pairs).run(steps)


class _BatchedRun:
    """K independent variants of the model trained in lock-step."""

    def __init__(self, config: TrainConfig, pairs: list[tuple[Schedule, int]]) -> None:
        self.config = config
        self.schedules = [s for s, _ in pairs]
        self.seeds = [seed for _, seed in pairs]
        task = config.task
        self.k = len(pairs)
        self.model = ContextMLP(
            task.vocab_size,
            context=config.context_size,
            embed_dim=config.embed_dim,
            hidden=config.hidden,
            n_variants=self.k,
            seeds=self.seeds,
        )
        self.params = list(self.model.parameters())
        self.state1 = [torch.zeros_like(p) for p in self.params]
        self.state2 = [torch.zeros_like(p) for p in self.params]
        self.val = _exact_loss_inputs(task, config.context_size)
        self.unique_seeds = sorted(set(self.seeds))
        self.seed_row = torch.tensor([self.unique_seeds.index(s) for s in self.seeds])
        corpus = config.corpus()
        self.corpus = None if corpus is None else torch.from_numpy(corpus.copy())

    def batch(self, t: int) -> torch.Tensor:
        tokens = np.stack([self.config.batch(t, s) for s in self.unique_seeds])
        return torch.from_numpy(tokens)[self.seed_row]

    def _per_variant(self, values: np.ndarray, p: torch.Tensor) -> torch.Tensor:
        return torch.from_numpy(values).to(p.dtype).view(-1, *([1] * (p.dim() - 1)))

    def update(self, t: int, lr: np.ndarray, mom: np.ndarray, grads: list[torch.Tensor]) -> None:
        c = self.config
        if c.optimizer == "adamw":
            beta2 = c.betas[1]
            n = t + 1
            step_size = lr / (1 - mom**n)
            bc2_sqrt = math.sqrt(1 - beta2**n)
            for p, g, m, v in zip(self.params, grads, self.state1, self.state2, strict=True):
                p.mul_(self._per_variant(1 - lr * c.weight_decay, p))
                m.lerp_(g, self._per_variant(1 - mom, p))
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                denom = (v.sqrt() / bc2_sqrt).add_(c.eps)
                p.sub_(self._per_variant(step_size, p) * m / denom)
        else:
            for p, g, buf in zip(self.params, grads, self.state1, strict=True):
                if c.weight_decay:
                    g = g.add(p, alpha=c.weight_decay)
                if t == 0:
                    buf.copy_(g)
                else:
                    buf.mul_(self._per_variant(mom, p)).add_(g)
                p.sub_(self._per_variant(lr, p) * buf)

    def run(self, steps: int) -> list[History]:
        c = self.config
        k = self.k
        hists = [_empty_history(steps, c.task.entropy_rate) for _ in range(k)]
        alive = np.ones(k, dtype=bool)
        fixed = c.betas[0] if c.optimizer == "adamw" else c.momentum
        val_at = set(_val_schedule(steps, c.val_every).tolist())
        val_steps: list[int] = []
        val_loss: list[np.ndarray] = []
        train_loss: list[np.ndarray] = []
        dims = [tuple(range(1, p.dim())) for p in self.params]
        every = np.arange(steps)
        lr_table = np.stack([s(every) for s in self.schedules])
        mom_table = np.stack(
            [
                np.full(steps, fixed) if s.momentum is None else s.momentum(every)
                for s in self.schedules
            ]
        )
        record = {name: np.full((k, steps), np.nan) for name in ("lr", "loss", "grad", "ratio")}
        for t in range(steps + 1):
            if t in val_at:
                with torch.no_grad():
                    exact = _exact_loss(self.model, *self.val).numpy()
                val_steps.append(t)
                val_loss.append(np.where(alive, exact, np.nan))
                if self.corpus is not None:
                    on_corpus = _corpus_loss(self.model, self.corpus).numpy()
                    train_loss.append(np.where(alive, on_corpus, np.nan))
            if t == steps or not alive.any():
                break
            lr, mom = lr_table[:, t], mom_table[:, t]
            losses = self.model.loss(self.batch(t))
            values = losses.detach().double().numpy()
            bad = alive & (~np.isfinite(values) | (values > c.loss_limit))
            for j in np.flatnonzero(bad):
                record["lr"][j, t], record["loss"][j, t] = lr[j], values[j]
                hists[j].diverged, hists[j].diverged_at = True, t
            alive &= ~bad
            mask = torch.from_numpy(alive)
            for p in self.params:
                p.grad = None
            torch.where(mask, losses, 0.0).sum().backward()
            with torch.no_grad():
                grads = [torch.nan_to_num(_grad(p)) for p in self.params]
                sq = _total(g.square().sum(dim=d) for g, d in zip(grads, dims, strict=True))
                norms = sq.sqrt()
                if c.clip_grad is not None:
                    coef = (c.clip_grad / (norms + 1e-6)).clamp(max=1.0)
                    grads = [g * coef.view(-1, *([1] * (g.dim() - 1))) for g in grads]
                before = [p.detach().clone() for p in self.params]
                self.update(t, np.where(alive, lr, 0.0), mom, grads)
                pairs = zip(self.params, before, dims, strict=True)
                moved = _total((p - b).square().sum(dim=d) for p, b, d in pairs)
                size = _total(b.square().sum(dim=d) for b, d in zip(before, dims, strict=True))
                ratio = (moved.sqrt() / size.sqrt()).double().numpy()
            record["lr"][alive, t] = lr[alive]
            record["loss"][alive, t] = values[alive]
            record["grad"][alive, t] = norms.double().numpy()[alive]
            record["ratio"][alive, t] = ratio[alive]
        steps_arr = np.array(val_steps, dtype=np.int64)
        losses_arr = np.array(val_loss).reshape(len(val_steps), k)
        for i, h in enumerate(hists):
            h.lr[:], h.loss[:] = record["lr"][i], record["loss"][i]
            h.grad_norm[:], h.update_ratio[:] = record["grad"][i], record["ratio"][i]
            keep = np.isfinite(losses_arr[:, i]) | (steps_arr == 0)
            h.val_steps, h.val_loss = steps_arr[keep], losses_arr[keep, i]
            if self.corpus is not None:
                h.train_loss = np.array(train_loss).reshape(len(val_steps), k)[keep, i]
        return hists


def suggest_lrs(lr: Any, smoothed: Any) -> dict[str, float]:
    """Three classic picks from an LR range-test curve.

    * ``steepest``: where the smoothed loss falls fastest per decade of LR
      (searched up to the minimum);
    * ``minimum_tenth``: the LR at the minimum of the smoothed loss, / 10;
    * ``valley``: halfway along the descent, taken as the longest decreasing
      subsequence of the curve once the loss has fallen by a tenth of its
      total drop (so a long, nearly flat start does not count).

    Parameters
    ----------
    lr : array_like
        Increasing learning rates tried, > 0.
    smoothed : array_like
        Smoothed loss at each learning rate.

    Returns
    -------
    dict
        ``{"steepest": …, "minimum_tenth": …, "valley": …}``.

    Examples
    --------
    >>> lrs = np.geomspace(1e-5, 1.0, 51)
    >>> loss = -np.tanh(np.log10(lrs) + 3) + np.exp(2 * np.log10(lrs))
    >>> float(suggest_lrs(lrs, loss)["steepest"])
    0.001
    """
    lr = np.asarray(lr, dtype=np.float64)
    loss = np.asarray(smoothed, dtype=np.float64)
    if lr.ndim != 1 or lr.shape != loss.shape or lr.size < 3:
        raise ValueError(
            f"lr and smoothed must be 1-D arrays of equal length >= 3, "
            f"got shapes {lr.shape} and {loss.shape}"
        )
    if not np.all(np.isfinite(lr)) or np.any(lr <= 0) or np.any(np.diff(lr) <= 0):
        raise ValueError(f"lr must be finite, positive and strictly increasing, got {lr!r}")
    finite = np.isfinite(loss)
    if finite.sum() < 3:
        raise ValueError(
            f"smoothed must be an array with at least 3 finite losses, "
            f"got {int(finite.sum())} finite of {loss.size}"
        )
    lr, loss = lr[finite], loss[finite]
    lowest = int(np.argmin(loss))
    slope = np.gradient(loss, np.log10(lr))
    steepest = int(np.argmin(slope[: lowest + 1]))
    first = int(np.argmax(loss <= loss[0] - 0.1 * (loss[0] - loss[lowest])))
    n = loss.size
    length = np.ones(n, dtype=np.int64)
    previous = np.full(n, -1)
    for i in range(first + 1, n):
        higher = first + np.flatnonzero(loss[first:i] > loss[i])
        if higher.size:
            j = higher[np.argmax(length[higher])]
            length[i], previous[i] = length[j] + 1, j
    end = int(np.argmax(length))
    start = end
    while previous[start] >= 0:
        start = int(previous[start])
    return {
        "steepest": float(lr[steepest]),
        "minimum_tenth": float(lr[lowest] / 10),
        "valley": float(lr[(start + end) // 2]),
    }


@dataclass
class RangeTest:
    """Result of :func:`lr_range_test`.

    Attributes
    ----------
    lr : numpy.ndarray
        Learning rates tried, one per update, up to the stop.
    loss : numpy.ndarray
        Training loss of each update.
    smoothed : numpy.ndarray
        Bias-corrected exponential moving average of the loss.
    stopped_early : bool
        Whether the sweep stopped because the loss blew up.
    suggestions : dict of str to float
        See :func:`suggest_lrs`.
    """

    lr: np.ndarray
    loss: np.ndarray
    smoothed: np.ndarray
    stopped_early: bool
    suggestions: dict[str, float]

    def plot(self) -> Figure:
        """The smoothed loss against the LR, with the suggestions marked.

        Returns
        -------
        matplotlib.figure.Figure
        """
        return plot_range_test(self)


def lr_range_test(
    start: float = 1e-7,
    end: float = 10.0,
    steps: int = 300,
    seed: int = 0,
    optimizer: str = "adamw",
    smoothing: float = 0.98,
    stop_factor: float = 4.0,
    **options: Any,
) -> RangeTest:
    """Smith's LR range test: raise the LR exponentially until the loss blows up.

    Update ``t`` uses ``start · (end / start) ** (t / (steps − 1))``. The loss
    is smoothed with a bias-corrected exponential moving average; the sweep
    stops once the smoothed loss exceeds ``stop_factor`` times its best value
    or the loss is not finite.

    Parameters
    ----------
    start, end : float, default 1e-7, 10.0
        First and last learning rate, ``0 < start < end``.
    steps : int, default 300
        Number of updates of the full sweep, >= 3.
    seed : int, default 0
        Seed, as in :func:`train`.
    optimizer : {"adamw", "sgd"}, default "adamw"
        Update rule.
    smoothing : float, default 0.98
        EMA factor ``β`` in ``[0, 1)``.
    stop_factor : float, default 4.0
        Stop when the smoothed loss exceeds this multiple of its best value.
    **options
        As in :func:`train`.

    Returns
    -------
    RangeTest

    Raises
    ------
    ValueError
        For bad arguments, or when the loss blows up before three learning
        rates have been tried (``start`` too large).

    Examples
    --------
    >>> rt = lr_range_test(steps=100)
    >>> rt.lr.size <= 100, 1e-7 < rt.suggestions["valley"] < 10
    (True, True)
    """
    start = check_number("start", start, 0.0, MAX_LR, "(]")
    end = check_number("end", end, 0.0, MAX_LR, "(]")
    if not start < end:
        raise ValueError(
            f"end must be in (start, {MAX_LR:g}] = ({start!r}, {MAX_LR:g}], got {end!r}"
        )
    steps = check_int("steps", steps, 3, MAX_STEP)
    smoothing = check_number("smoothing", smoothing, 0.0, 1.0, "[)")
    stop_factor = check_number("stop_factor", stop_factor, 1.0, math.inf, "()")
    config = _config(seed, optimizer, {"diverge_above": math.inf, **options})
    sweep = [start * (end / start) ** (t / (steps - 1)) for t in range(steps)]
    lrs, losses, smooth = [], [], []
    average, best, stopped = 0.0, math.inf, False
    with _torch_settings(config.threads):
        run = _Run(config)
        for t, lr in enumerate(sweep):
            run.set_hyper(lr, None)
            loss, _, _ = run.step(t)
            if not math.isfinite(loss):
                stopped = True
                break
            average = smoothing * average + (1 - smoothing) * loss
            value = average / (1 - smoothing ** (t + 1))
            lrs.append(lr)
            losses.append(loss)
            smooth.append(value)
            best = min(best, value)
            if value > stop_factor * best:
                stopped = True
                break
    if len(lrs) < 3:
        raise ValueError(
            f"start must be small enough for 3 updates before the loss blows up (lower it), "
            f"got {start!r}: the loss blew up after {len(lrs)} update(s)"
        )
    lr_arr, smooth_arr = np.array(lrs), np.array(smooth)
    return RangeTest(
        lr=lr_arr,
        loss=np.array(losses),
        smoothed=smooth_arr,
        stopped_early=stopped,
        suggestions=suggest_lrs(lr_arr, smooth_arr),
    )


def plot_range_test(result: RangeTest) -> Figure:
    """Plot a range test: raw and smoothed loss on a log LR axis, suggestions marked.

    Parameters
    ----------
    result : RangeTest
        Output of :func:`lr_range_test`.

    Returns
    -------
    matplotlib.figure.Figure
        White figure with labelled axes.

    Examples
    --------
    >>> lrs = np.geomspace(1e-4, 1, 20)
    >>> rt = RangeTest(lrs, -np.log(lrs), -np.log(lrs), False, suggest_lrs(lrs, -np.log(lrs)))
    >>> plot_range_test(rt).axes[0].get_xscale()
    'log'
    """
    fig, (ax,) = new_figure()
    ax.plot(result.lr, result.loss, color=PALETTE[5], alpha=0.6, linewidth=1.0, label="loss")
    ax.plot(result.lr, result.smoothed, color=PALETTE[0], label="smoothed loss")
    markers = {"steepest": "--", "minimum_tenth": ":", "valley": "-."}
    for (name, value), color in zip(result.suggestions.items(), PALETTE[1:4], strict=True):
        ax.axvline(value, color=color, linestyle=markers[name], label=f"{name}: {value:.2g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss (nats/token)")
    ax.set_title("LR range test")
    ax.legend()
    return fig
