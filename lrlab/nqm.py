"""The noisy quadratic model (NQM) of Zhang et al. (2019, arXiv 1907.04164).

SGD on the loss ``L(θ) = ½ Σᵢ hᵢ θᵢ²`` with gradient noise of variance
``cᵢ / B`` per coordinate. For any learning-rate sequence ``αₜ`` the mean and
variance of every coordinate follow exact recursions::

    E[θᵢ]ₜ₊₁   = (1 − αₜ hᵢ) E[θᵢ]ₜ
    Var[θᵢ]ₜ₊₁ = (1 − αₜ hᵢ)² Var[θᵢ]ₜ + αₜ² cᵢ / B
    E[L]ₜ      = ½ Σᵢ hᵢ (E[θᵢ]ₜ² + Var[θᵢ]ₜ)

so the expected loss of a schedule is computed exactly, without sampling.
Adding the two recursions gives one for the second moment
``uᵢ = E[θᵢ]² + Var[θᵢ]``, ``uᵢ ← (1 − αₜ hᵢ)² uᵢ + αₜ² cᵢ / B``, which is
what :meth:`NoisyQuadratic.expected_loss` iterates, many schedules at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab._checks import check_int, check_vector, shown
from lrlab.schedules import Schedule

# Elements of one chunk buffer (steps × schedules × dimensions): about 4 MB.
_CHUNK_ELEMENTS = 500_000
_MAX_CHUNK_STEPS = 64


def _lr_matrix(lr: Any, steps: int | None) -> tuple[np.ndarray, bool]:
    """Return learning rates as a (K, T) float64 array and whether the input was 1-D."""
    if isinstance(lr, Schedule) or (
        isinstance(lr, Sequence) and len(lr) > 0 and all(isinstance(s, Schedule) for s in lr)
    ):
        if steps is None:
            raise ValueError("steps must be an integer >= 0 when lr is a schedule, got None")
        t = np.arange(check_int("steps", steps, 0))
        if isinstance(lr, Schedule):
            return np.asarray(lr(t), dtype=np.float64)[None, :], True
        return np.stack([np.asarray(s(t), dtype=np.float64) for s in lr]), False
    if steps is not None:
        raise ValueError(
            f"steps must be None when lr is an array of rates (it is for schedules), "
            f"got {shown(steps)}"
        )
    try:
        arr = np.asarray(lr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"lr must be a Schedule, a list of Schedules, or a 1-D/2-D array of rates, got {lr!r}"
        ) from exc
    if arr.ndim not in (1, 2):
        raise ValueError(f"lr must be a 1-D (T,) or 2-D (K, T) array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        bad = arr[~np.isfinite(arr) | (arr < 0)].ravel()[0]
        raise ValueError(f"lr must contain finite learning rates >= 0, got {float(bad)!r}")
    return np.atleast_2d(arr), arr.ndim == 1


@dataclass(frozen=True, eq=False)
class NoisyQuadratic:
    """A noisy quadratic model: curvatures ``h``, gradient-noise scales ``c``.

    Parameters
    ----------
    h : array_like
        Curvature of each coordinate, all > 0.
    c : array_like
        Gradient-noise variance of each coordinate at batch size 1, all >= 0.
    batch_size : int, default 1
        Batch size ``B``; the noise variance is ``c / B``.
    theta0 : float or array_like, default 1.0
        Initial mean of every coordinate (a scalar applies to all).
    var0 : float or array_like, default 0.0
        Initial variance of every coordinate.

    Examples
    --------
    >>> nqm = NoisyQuadratic.standard(dim=10)
    >>> float(nqm.expected_loss([0.0])[0]) == 0.5 * float(nqm.h.sum())
    True
    """

    h: np.ndarray
    c: np.ndarray
    batch_size: int = 1
    theta0: np.ndarray | float = 1.0
    var0: np.ndarray | float = 0.0
    _u0: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        h = check_vector("h", self.h)
        if np.any(h <= 0):
            raise ValueError(f"h must be > 0 in every coordinate, got min(h) = {h.min()!r}")
        c = check_vector("c", self.c, h.size)
        if np.any(c < 0):
            raise ValueError(f"c must be >= 0 in every coordinate, got min(c) = {c.min()!r}")
        b = check_int("batch_size", self.batch_size, 1)
        theta0 = check_vector("theta0", self.theta0, h.size)
        var0 = check_vector("var0", self.var0, h.size)
        if np.any(var0 < 0):
            raise ValueError(f"var0 must be >= 0, got min(var0) = {var0.min()!r}")
        u0 = theta0**2 + var0
        u0.setflags(write=False)
        for name, value in [("h", h), ("c", c), ("batch_size", b), ("theta0", theta0)]:
            object.__setattr__(self, name, value)
        object.__setattr__(self, "var0", var0)
        object.__setattr__(self, "_u0", u0)

    @classmethod
    def standard(cls, dim: int = 1000, batch_size: int = 1, theta0: float = 1.0) -> NoisyQuadratic:
        """The common choice ``hᵢ = cᵢ = 1/i`` for ``i = 1 … dim``.

        Parameters
        ----------
        dim : int, default 1000
            Number of coordinates.
        batch_size : int, default 1
            Batch size ``B``.
        theta0 : float, default 1.0
            Initial value of every coordinate.

        Returns
        -------
        NoisyQuadratic

        Examples
        --------
        >>> NoisyQuadratic.standard(dim=3).h.tolist()
        [1.0, 0.5, 0.3333333333333333]
        """
        h = 1.0 / np.arange(1, check_int("dim", dim, 1) + 1)
        return cls(h=h, c=h.copy(), batch_size=batch_size, theta0=theta0)

    @property
    def dim(self) -> int:
        """Number of coordinates."""
        return int(self.h.size)

    def max_stable_lr(self) -> float:
        """Largest constant LR for which the loss does not blow up: ``2 / max(h)``.

        Examples
        --------
        >>> NoisyQuadratic.standard(dim=5).max_stable_lr()
        2.0
        """
        return float(2.0 / self.h.max())

    def floor(self, lr: Any) -> Any:
        """Steady-state expected loss of a constant LR: ``Σᵢ α cᵢ / (2B(2 − α hᵢ))``.

        Parameters
        ----------
        lr : float or array_like
            Constant learning rate(s) ``α >= 0``.

        Returns
        -------
        float or numpy.ndarray
            The floor for each ``α`` (``inf`` where ``α >= max_stable_lr()``),
            a float for a scalar input.

        Examples
        --------
        >>> nqm = NoisyQuadratic.standard(dim=100)
        >>> round(nqm.floor(0.2) / nqm.floor(0.1), 2)  # nearly proportional to α
        2.03
        """
        a = np.asarray(lr, dtype=np.float64)
        if not np.all(np.isfinite(a)) or np.any(a < 0):
            raise ValueError(f"lr must be finite and >= 0, got {lr!r}")
        flat = a.reshape(-1, 1)
        with np.errstate(divide="ignore"):
            terms = flat * self.c / (2.0 * self.batch_size * (2.0 - flat * self.h))
            out = terms.sum(axis=1)
        out[flat[:, 0] >= self.max_stable_lr()] = np.inf
        out = out.reshape(a.shape)
        return float(out) if out.ndim == 0 else out

    def expected_loss(self, lr: Any, steps: int | None = None) -> np.ndarray:
        """Exact expected loss along one or many learning-rate sequences.

        Parameters
        ----------
        lr : array_like, Schedule or list of Schedule
            ``(T,)`` rates for one run or ``(K, T)`` for ``K`` runs at once;
            ``lr[..., t]`` is used by update ``t``. A schedule (or a list of
            schedules) is evaluated at steps ``0 … steps − 1``.
        steps : int, optional
            Number of updates ``T``; required with a schedule, not allowed
            with an array.

        Returns
        -------
        numpy.ndarray
            Shape ``(T + 1,)`` for one run, ``(K, T + 1)`` for ``K`` runs:
            the loss before update 0, after update 0, …, after update
            ``T − 1``. An unstable LR gives values that grow to ``inf``.

        Examples
        --------
        >>> from lrlab import constant
        >>> nqm = NoisyQuadratic.standard(dim=50)
        >>> nqm.expected_loss(constant(0.5), steps=3).shape
        (4,)
        >>> nqm.expected_loss([[0.1] * 5, [0.2] * 5]).shape
        (2, 6)
        """
        rates, single = _lr_matrix(lr, steps)
        out = self._second_moment_losses(rates)
        return out[0] if single else out

    def _second_moment_losses(self, rates: np.ndarray) -> np.ndarray:
        k, n_steps = rates.shape
        dim = self.dim
        noisy = self.c > 0
        # Iterate w = u / s with s = c / B (1 where c = 0), so the noise term of
        # every coordinate becomes the per-schedule scalar α² (masked where c = 0).
        scale = np.where(noisy, self.c / self.batch_size, 1.0)
        weights = 0.5 * self.h * scale
        out = np.empty((n_steps + 1, k))
        out[0] = 0.5 * float(self.h @ self._u0)
        chunk = int(np.clip(_CHUNK_ELEMENTS // (k * dim), 1, _MAX_CHUNK_STEPS))
        # Row 0 holds the state entering a chunk; rows 1..n the states after each update.
        w = np.empty((chunk + 1, k, dim))
        w[0] = self._u0 / scale
        factors = np.empty((chunk, k, dim))
        noise = None if noisy.all() else np.empty((chunk, k, dim))
        # One matmul gives every 1 − α h of the chunk: [1, α] @ [[1 …], [−h …]].
        coeffs = np.ones((chunk, k, 2))
        basis = np.stack([np.ones(dim), -self.h])
        rates_t = np.ascontiguousarray(rates.T)
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, n_steps, chunk):
                n = min(chunk, n_steps - start)
                alpha = rates_t[start : start + n]
                coeffs[:n, :, 1] = alpha
                f = factors[:n]
                np.matmul(coeffs[:n], basis, out=f)
                np.square(f, out=f)
                add = np.square(alpha)[:, :, None]
                if noise is not None:
                    add = np.multiply(add, noisy, out=noise[:n])
                for t in range(n):
                    np.multiply(w[t], f[t], out=w[t + 1])
                    np.add(w[t + 1], add[t], out=w[t + 1])
                np.matmul(w[1 : n + 1], weights, out=out[start + 1 : start + n + 1])
                w[0] = w[n]
        return np.ascontiguousarray(out.T)

    def simulate(
        self, lr: Any, n_runs: int = 1000, seed: int = 0, steps: int | None = None
    ) -> np.ndarray:
        """Monte-Carlo SGD with Gaussian gradient noise: the mean loss over runs.

        Each run starts from ``θ ~ N(theta0, var0)`` and applies
        ``θ ← θ − αₜ (h θ + ξ)`` with ``ξ ~ N(0, c / B)``; the result estimates
        :meth:`expected_loss` and converges to it as ``n_runs`` grows.

        Parameters
        ----------
        lr : array_like, Schedule or list of Schedule
            As in :meth:`expected_loss`.
        n_runs : int, default 1000
            Number of independent SGD runs averaged.
        seed : int, default 0
            Seed of the NumPy random generator.
        steps : int, optional
            Number of updates; required with a schedule.

        Returns
        -------
        numpy.ndarray
            Mean loss, same shape as :meth:`expected_loss` returns.

        Examples
        --------
        >>> nqm = NoisyQuadratic.standard(dim=20)
        >>> nqm.simulate([0.1] * 10, n_runs=100).shape
        (11,)
        """
        n_runs = check_int("n_runs", n_runs, 1)
        seed = check_int("seed", seed, 0)
        rates, single = _lr_matrix(lr, steps)
        rng = np.random.default_rng(seed)
        noise_sd = np.sqrt(self.c / self.batch_size)
        out = np.empty((rates.shape[0], rates.shape[1] + 1))
        with np.errstate(over="ignore", invalid="ignore"):
            for i, row in enumerate(rates):
                theta = self.theta0 + np.sqrt(self.var0) * rng.standard_normal((n_runs, self.dim))
                out[i, 0] = np.mean(0.5 * (theta**2) @ self.h)
                for t, alpha in enumerate(row):
                    grad = self.h * theta + noise_sd * rng.standard_normal((n_runs, self.dim))
                    theta -= alpha * grad
                    out[i, t + 1] = np.mean(0.5 * (theta**2) @ self.h)
        return out[0] if single else out
