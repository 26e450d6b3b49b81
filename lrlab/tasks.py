"""A real tiny language-modelling task whose best possible loss is known exactly.

Text is sampled from a fixed random Markov chain of a given order: the next
token depends on the previous ``order`` tokens through a transition table whose
rows are drawn from a symmetric Dirichlet distribution. The chain's entropy
rate, computed from its stationary distribution, is the lowest cross-entropy
any model can reach, so every training run can report its *excess* loss.

The model is a small MLP over a window of previous tokens. Its weights carry a
leading "variant" dimension so that several independent copies train in one
batched forward pass (see :func:`lrlab.train_many`). It computes in float64:
the model is tiny, so double precision costs little, and it keeps the printed
digits of a training run the same on every CPU (float32 results differ in the
sixth or seventh digit between vectorised kernels).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from lrlab._checks import check_int, check_int_sequence, check_positive

#: Floating-point type of every model weight and loss.
DTYPE = torch.float64
# Largest transition table (vocab_size**(order + 1) probabilities): 32 MiB of
# float64, held with its cumulative sums, so a task stays a small object.
MAX_TABLE_ENTRIES = 2**22
# Blocks of training data kept per task; the least recently used goes first.
_CACHED_BLOCKS = 32
# Number of training steps whose batches are generated together.
_BLOCK_STEPS = 100
# Training corpora kept per task (finite-data mode).
_CACHED_CORPORA = 4


class MarkovTask:
    """Text from a random Markov chain of a given order, with its exact entropy rate.

    Parameters
    ----------
    vocab_size : int, default 8
        Number of distinct tokens.
    order : int, default 2
        How many previous tokens the next one depends on.
    concentration : float, default 0.3
        Dirichlet concentration of each transition row: small values give
        peaked, predictable rows (low entropy), large values near-uniform ones.
    seed : int, default 0
        Seed of the transition table and of the validation set.

    Attributes
    ----------
    transition : numpy.ndarray
        ``(vocab_size**order, vocab_size)`` next-token probabilities; row
        ``s`` is the context whose tokens, oldest first, are the base-
        ``vocab_size`` digits of ``s``.
    stationary : numpy.ndarray
        Stationary distribution over contexts.
    entropy_rate : float
        Entropy rate of the chain in nats per token: the best achievable
        expected cross-entropy.

    Examples
    --------
    >>> task = MarkovTask(vocab_size=4, order=1, seed=0)
    >>> 0 < task.entropy_rate < math.log(4)
    True
    >>> task.sample(2, 5, seed=0).shape
    (2, 5)
    """

    def __init__(
        self, vocab_size: int = 8, order: int = 2, concentration: float = 0.3, seed: int = 0
    ) -> None:
        self.vocab_size = check_int("vocab_size", vocab_size, 2)
        self.order = check_int("order", order, 1)
        entries = self.vocab_size ** (self.order + 1)
        if entries > MAX_TABLE_ENTRIES:
            raise ValueError(
                f"vocab_size must be small enough that the transition table's "
                f"vocab_size**(order + 1) entries are <= {MAX_TABLE_ENTRIES:,}, "
                f"got {self.vocab_size} with order = {self.order}: "
                f"{self.vocab_size}**{self.order + 1} = {entries:,}"
            )
        self.concentration = check_positive("concentration", concentration)
        self.seed = check_int("seed", seed, 0)
        n_contexts = self.vocab_size**self.order
        rng = np.random.default_rng([self.seed, 0])
        probs = rng.dirichlet(np.full(self.vocab_size, self.concentration), size=n_contexts)
        self.transition = probs
        self.stationary = self._stationary()
        # math.log and fsum: the entropy rate is the same to the last bit on every CPU
        # (NumPy's vectorised log and BLAS dot products are not).
        row_entropy = [-math.fsum(p * math.log(p) for p in row if p > 0) for row in probs.tolist()]
        self.entropy_rate = math.fsum(
            w * h for w, h in zip(self.stationary.tolist(), row_entropy, strict=True)
        )
        self._cdf = np.cumsum(probs, axis=1)
        self._context_cdf = np.cumsum(self.stationary)
        for arr in (self.transition, self.stationary, self._cdf, self._context_cdf):
            arr.setflags(write=False)
        self._frozen = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError("MarkovTask is immutable")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"MarkovTask(vocab_size={self.vocab_size}, order={self.order}, "
            f"concentration={self.concentration}, seed={self.seed})"
        )

    def _next_context(self) -> np.ndarray:
        n = self.vocab_size**self.order
        return (np.arange(n)[:, None] * self.vocab_size + np.arange(self.vocab_size)) % n

    def _stationary(self) -> np.ndarray:
        n = self.vocab_size**self.order
        nxt = self._next_context().ravel()
        pi = np.full(n, 1.0 / n)
        for _ in range(100_000):
            new = np.bincount(nxt, weights=(pi[:, None] * self.transition).ravel(), minlength=n)
            new = new / new.sum()
            if np.abs(new - pi).sum() < 1e-15:
                return new
            pi = new
        return pi

    def sample(self, n_sequences: int, length: int, seed: int) -> np.ndarray:
        """Sample independent sequences, each starting from the stationary distribution.

        Parameters
        ----------
        n_sequences : int
            Number of sequences.
        length : int
            Tokens per sequence, at least ``order``.
        seed : int
            Seed of the sampling (the same seed gives the same tokens).

        Returns
        -------
        numpy.ndarray
            ``(n_sequences, length)`` int64 tokens.

        Examples
        --------
        >>> MarkovTask().sample(3, 10, seed=1).shape
        (3, 10)
        """
        n_sequences = check_int("n_sequences", n_sequences, 1)
        length = check_int("length", length, self.order)
        return self._sample(n_sequences, length, np.random.default_rng([self.seed, 1, seed]))

    def _sample(self, n: int, length: int, rng: np.random.Generator) -> np.ndarray:
        v, k = self.vocab_size, self.order
        out = np.empty((n, length), dtype=np.int64)
        state = np.searchsorted(self._context_cdf, rng.random(n) * self._context_cdf[-1])
        state = np.minimum(state, v**k - 1)
        for j in range(k):
            out[:, j] = state // v ** (k - 1 - j) % v
        uniforms = rng.random((n, length - k))
        for j in range(k, length):
            cdf = self._cdf[state]
            token = np.minimum((cdf < uniforms[:, j - k, None] * cdf[:, -1:]).sum(axis=1), v - 1)
            out[:, j] = token
            state = (state * v + token) % v**k
        return out

    def train_batch(self, step: int, batch_size: int, seq_len: int, seed: int) -> np.ndarray:
        """The training sequences of one step: a pure function of ``(seed, step)``.

        Batches are generated a block of steps at a time, so resuming at any
        step reproduces exactly the data an uninterrupted run would see.

        Parameters
        ----------
        step : int
            Optimizer step (>= 0).
        batch_size : int
            Sequences per batch, >= 1.
        seq_len : int
            Tokens per sequence, at least ``order``.
        seed : int
            Seed of the data order.

        Returns
        -------
        numpy.ndarray
            ``(batch_size, seq_len)`` int64 tokens.

        Examples
        --------
        >>> task = MarkovTask()
        >>> a = task.train_batch(7, 4, 12, seed=0)
        >>> bool((a == task.train_batch(7, 4, 12, seed=0)).all())
        True
        """
        step = check_int("step", step, 0)
        batch_size = check_int("batch_size", batch_size, 1)
        seq_len = check_int("seq_len", seq_len, self.order)
        block, offset = divmod(step, _BLOCK_STEPS)
        tokens = self._train_block(block, batch_size, seq_len, seed)
        return tokens[offset * batch_size : (offset + 1) * batch_size]

    def _train_block(self, block: int, batch_size: int, seq_len: int, seed: int) -> np.ndarray:
        # Recently used blocks are kept, so runs that interleave several seeds
        # (as batched variants do) do not regenerate their data at every step.
        key = (block, batch_size, seq_len, seed)
        cache = self.__dict__.get("_block_cache")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_block_cache", cache)
        if key in cache:
            cache[key] = cache.pop(key)
            return cache[key]
        rng = np.random.default_rng([self.seed, 2, seed, block])
        tokens = self._sample(_BLOCK_STEPS * batch_size, seq_len, rng)
        cache[key] = tokens
        while len(cache) > _CACHED_BLOCKS:
            del cache[next(iter(cache))]
        return tokens

    def corpus(self, n_sequences: int, seq_len: int, seed: int = 0) -> np.ndarray:
        """A fixed training corpus: ``n_sequences`` sequences sampled once.

        Training on a corpus (``corpus_size`` in :func:`lrlab.train`) repeats
        these sequences epoch after epoch, so a model can fit them better than
        the chain allows (overfit), while the population loss still measures
        how well it predicts fresh text. The corpus depends only on the task
        and ``seed`` (a stream separate from the training batches and the
        validation set).

        Parameters
        ----------
        n_sequences : int
            Number of sequences, >= 1.
        seq_len : int
            Tokens per sequence, at least ``order``.
        seed : int, default 0
            Seed of the corpus (the data seed).

        Returns
        -------
        numpy.ndarray
            ``(n_sequences, seq_len)`` int64 tokens, read-only.

        Examples
        --------
        >>> task = MarkovTask()
        >>> c = task.corpus(16, 12, seed=0)
        >>> c.shape, bool((c == task.corpus(16, 12, seed=0)).all())
        ((16, 12), True)
        """
        n_sequences = check_int("n_sequences", n_sequences, 1)
        seq_len = check_int("seq_len", seq_len, self.order)
        seed = check_int("seed", seed, 0)
        key = ("corpus", n_sequences, seq_len, seed)
        cache = self.__dict__.get("_corpus_cache")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_corpus_cache", cache)
        if key not in cache:
            tokens = self._sample(n_sequences, seq_len, np.random.default_rng([self.seed, 4, seed]))
            tokens.setflags(write=False)
            cache[key] = tokens
            while len(cache) > _CACHED_CORPORA:
                del cache[next(iter(cache))]
        return cache[key]

    def corpus_rows(self, step: int, batch_size: int, n_sequences: int, seed: int) -> np.ndarray:
        """Which corpus sequences update ``step`` trains on: epochs of shuffled rows.

        An epoch is ``n_sequences // batch_size`` updates; each epoch visits
        the corpus in a fresh random order (a pure function of ``seed`` and
        the epoch number), one batch after another. When ``batch_size`` does
        not divide ``n_sequences`` the last, partial batch of each epoch is
        dropped, so every batch has the same size.

        Parameters
        ----------
        step : int
            Optimizer step (>= 0).
        batch_size : int
            Sequences per batch, in ``[1, n_sequences]``.
        n_sequences : int
            Corpus size.
        seed : int
            Seed of the order (the run's seed).

        Returns
        -------
        numpy.ndarray
            ``(batch_size,)`` int64 row indices into the corpus.

        Examples
        --------
        >>> task = MarkovTask()
        >>> rows = [task.corpus_rows(t, 4, 8, seed=0) for t in (0, 1)]
        >>> sorted(np.concatenate(rows).tolist())  # one epoch: every row once
        [0, 1, 2, 3, 4, 5, 6, 7]
        """
        step = check_int("step", step, 0)
        n_sequences = check_int("n_sequences", n_sequences, 1)
        batch_size = check_int("batch_size", batch_size, 1, n_sequences)
        epoch, offset = divmod(step, n_sequences // batch_size)
        order = np.random.default_rng([self.seed, 5, seed, epoch]).permutation(n_sequences)
        return order[offset * batch_size : (offset + 1) * batch_size]

    def validation_set(self, n_sequences: int = 64, seq_len: int = 40) -> np.ndarray:
        """A fixed validation set, the same for every run on this task.

        Parameters
        ----------
        n_sequences : int, default 64
            Number of sequences.
        seq_len : int, default 40
            Tokens per sequence.

        Returns
        -------
        numpy.ndarray
            ``(n_sequences, seq_len)`` int64 tokens.

        Examples
        --------
        >>> MarkovTask().validation_set(8, 20).shape
        (8, 20)
        """
        n_sequences = check_int("n_sequences", n_sequences, 1)
        seq_len = check_int("seq_len", seq_len, self.order)
        return self._sample(n_sequences, seq_len, np.random.default_rng([self.seed, 3]))

    def window_distribution(self, context: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every window of ``context`` tokens, its stationary probability and next-token law.

        This makes the population loss of a model computable exactly:
        ``Σ_w p(w) · CE(next(w), model(w))``, which exceeds the entropy rate
        by the expected KL divergence, so excess loss measured this way is
        never negative.

        Parameters
        ----------
        context : int
            Window length, at least ``order`` (``vocab_size**context`` windows,
            at most 2**20).

        Returns
        -------
        windows : numpy.ndarray
            ``(M, context)`` int64 tokens, oldest first.
        probs : numpy.ndarray
            ``(M,)`` stationary probability of each window (sums to 1).
        next_probs : numpy.ndarray
            ``(M, vocab_size)`` distribution of the token after each window.

        Examples
        --------
        >>> w, p, q = MarkovTask(vocab_size=4, order=1).window_distribution(2)
        >>> w.shape, round(float(p.sum()), 12), q.shape
        ((16, 2), 1.0, (16, 4))
        """
        v, k = self.vocab_size, self.order
        context = check_int("context", context, k)
        if v**context > 2**20:
            raise ValueError(
                f"context must give at most 2**20 windows, got {v}**{context} = {v**context}"
            )
        index = np.arange(v**context)
        windows = np.stack([index // v ** (context - 1 - j) % v for j in range(context)], axis=1)
        first = index // v ** (context - k)
        probs = self.stationary[first].copy()
        for j in range(k, context):
            state = index // v ** (context - j) % v**k
            probs *= self.transition[state, windows[:, j]]
        next_probs = self.transition[index % v**k]
        return windows, probs, next_probs


class ContextMLP(nn.Module):
    """An MLP that predicts each token from the ``context`` tokens before it.

    Token embeddings of the window are concatenated, passed through one
    hidden ReLU layer, then mapped to next-token logits. Every weight has a
    leading dimension of size ``n_variants``: variant ``k`` is an independent
    model, and all of them run in one batched matmul.

    Parameters
    ----------
    vocab_size : int
        Number of distinct tokens.
    context : int, default 3
        Window length (use at least the task's ``order``).
    embed_dim : int, default 8
        Embedding width.
    hidden : int, default 64
        Hidden-layer width.
    n_variants : int, default 1
        Number of independent copies.
    seeds : sequence of int, optional
        Initialisation seed of each variant (default ``0`` for all); a
        variant's initial weights depend only on its own seed.

    Examples
    --------
    >>> model = ContextMLP(16)
    >>> model.num_parameters()
    2768
    >>> model(torch.zeros(1, 2, 10, dtype=torch.long)).shape
    torch.Size([1, 2, 7, 16])
    """

    # registered in __init__; declared so type checkers know they are tensors
    embed: nn.Parameter
    w1: nn.Parameter
    b1: nn.Parameter
    w2: nn.Parameter
    b2: nn.Parameter

    def __init__(
        self,
        vocab_size: int,
        context: int = 3,
        embed_dim: int = 8,
        hidden: int = 64,
        n_variants: int = 1,
        seeds: Any = None,
    ) -> None:
        super().__init__()
        self.vocab_size = check_int("vocab_size", vocab_size, 2)
        self.context = check_int("context", context, 1)
        self.embed_dim = check_int("embed_dim", embed_dim, 1)
        self.hidden = check_int("hidden", hidden, 1)
        self.n_variants = check_int("n_variants", n_variants, 1)
        seeds = (
            [0] * self.n_variants if seeds is None else list(check_int_sequence("seeds", seeds, 0))
        )
        if len(seeds) != self.n_variants:
            raise ValueError(f"seeds must have n_variants = {self.n_variants} entries, got {seeds}")
        weights = [self._init_weights(s) for s in seeds]
        names = ("embed", "w1", "b1", "w2", "b2")
        for i, name in enumerate(names):
            self.register_parameter(name, nn.Parameter(torch.stack([w[i] for w in weights])))

    def _init_weights(self, seed: int) -> tuple[torch.Tensor, ...]:
        gen = torch.Generator().manual_seed(seed)
        fan_in = self.context * self.embed_dim

        def uniform(shape: tuple[int, ...], bound: float) -> torch.Tensor:
            return (torch.rand(shape, generator=gen, dtype=DTYPE) * 2 - 1) * bound

        embed = torch.randn((self.vocab_size, self.embed_dim), generator=gen, dtype=DTYPE)
        w1 = uniform((fan_in, self.hidden), 1 / math.sqrt(fan_in))
        b1 = uniform((self.hidden,), 1 / math.sqrt(fan_in))
        w2 = uniform((self.hidden, self.vocab_size), 1 / math.sqrt(self.hidden))
        b2 = uniform((self.vocab_size,), 1 / math.sqrt(self.hidden))
        return embed, w1, b1, w2, b2

    def num_parameters(self) -> int:
        """Parameters of one variant.

        Examples
        --------
        >>> ContextMLP(16, context=2, embed_dim=4, hidden=8).num_parameters()
        280
        """
        return sum(p[0].numel() for p in self.parameters())

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Next-token logits for every position that has a full window.

        Parameters
        ----------
        tokens : torch.Tensor
            ``(n_variants, batch, seq_len)`` int64 tokens.

        Returns
        -------
        torch.Tensor
            ``(n_variants, batch, seq_len - context, vocab_size)`` logits;
            entry ``[..., i, :]`` predicts token ``i + context``.
        """
        k, b, length = tokens.shape
        n = length - self.context
        one_hot = functional.one_hot(tokens.reshape(k, b * length), self.vocab_size)
        emb = torch.bmm(one_hot.to(self.embed.dtype), self.embed).view(k, b, length, -1)
        window = torch.cat([emb[:, :, j : j + n] for j in range(self.context)], dim=-1)
        x = window.reshape(k, b * n, self.context * self.embed_dim)
        h = functional.relu(torch.baddbmm(self.b1.unsqueeze(1), x, self.w1))
        logits = torch.baddbmm(self.b2.unsqueeze(1), h, self.w2)
        return logits.view(k, b, n, self.vocab_size)

    def loss(self, tokens: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy (nats) of each variant, shape ``(n_variants,)``.

        Parameters
        ----------
        tokens : torch.Tensor
            ``(n_variants, batch, seq_len)`` int64 tokens.

        Returns
        -------
        torch.Tensor
            Per-variant loss.
        """
        logits = self(tokens)
        k = logits.shape[0]
        flat = logits.reshape(k, -1, self.vocab_size)
        targets = tokens[:, :, self.context :].reshape(k, -1, 1)
        per_token = torch.logsumexp(flat, dim=-1) - flat.gather(-1, targets).squeeze(-1)
        return per_token.mean(dim=1)
