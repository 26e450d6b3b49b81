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

Two further exact computations build on the same model:

- :meth:`NoisyQuadratic.averaged_loss`: SGD that takes its gradient at an
  interpolation ``y = (1 − β) z + β x`` of its iterate ``z`` and a running
  average ``x`` of the iterates. It covers schedule-free SGD (Defazio et al.
  2024, arXiv 2405.15682; averaging weights from :func:`schedule_free_weights`)
  and plain SGD with an exponential or uniform (SWA) average of its iterates
  (``β = 0``). Every update is linear in ``(z, x)``, so the three second
  moments ``E[z²]``, ``E[zx]``, ``E[x²]`` of each coordinate follow an exact
  recursion.
- :func:`optimal_schedule`: the learning rates of all ``T`` updates chosen to
  minimise the final expected loss, by gradient descent on the closed form of
  the recursion (its gradient from torch's autograd).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrlab._checks import check_choice, check_int, check_number, check_vector, shown
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


def _weights_matrix(weights: Any, k: int, n_steps: int) -> np.ndarray:
    """Averaging weights as a (K, T) float64 array with entries in [0, 1]."""
    try:
        arr = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"weights must be an array of numbers in [0, 1], got {weights!r}") from exc
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (k, arr.size))
    if arr.shape != (k, n_steps):
        raise ValueError(
            f"weights must have shape ({n_steps},) or ({k}, {n_steps}), one per update, "
            f"got shape {np.shape(weights)}"
        )
    if not np.all((arr >= 0) & (arr <= 1)):
        bad = arr[~((arr >= 0) & (arr <= 1))].ravel()[0]
        raise ValueError(f"weights must be numbers in [0, 1], got {float(bad)!r}")
    return arr


def schedule_free_weights(lr: Any, r: float = 0.0, weight_lr_power: float = 2.0) -> np.ndarray:
    """The averaging weights ``c_{t+1}`` that schedule-free optimizers use.

    As in the ``schedulefree`` package (1.4.1): update ``t`` (from 0) adds an
    iterate with weight ``w_t = (t + 1)**r · max(α_0 … α_t)**weight_lr_power``
    and ``c_{t+1} = w_t / (w_0 + … + w_t)``. With the defaults the average is
    uniform once the learning rate stops rising, and iterates of a warmup
    count in proportion to the square of their learning rate (Defazio et al.
    2024, eq. 23). A zero total weight gives ``c = 0`` (the package does the same).

    Parameters
    ----------
    lr : array_like
        Learning rates ``α_t`` of the updates, ``(T,)`` or ``(K, T)``, >= 0.
    r : float, default 0.0
        Power of the polynomial weighting ``(t + 1)**r``, >= 0.
    weight_lr_power : float, default 2.0
        Power of the learning rate in the weights, >= 0.

    Returns
    -------
    numpy.ndarray
        The weights ``c_1 … c_T``, same shape as ``lr``.

    Examples
    --------
    >>> schedule_free_weights([1.0, 1.0, 1.0, 1.0]).tolist()
    [1.0, 0.5, 0.3333333333333333, 0.25]
    >>> schedule_free_weights([0.5, 1.0]).tolist()  # warmup: weights 0.25 and 1
    [1.0, 0.8]
    """
    rates, single = _lr_matrix(lr, None)
    r = check_number("r", r, 0.0, math.inf)
    power = check_number("weight_lr_power", weight_lr_power, 0.0, math.inf)
    steps = np.arange(1, rates.shape[1] + 1, dtype=np.float64)
    w = np.float_power(steps, r) * np.float_power(np.maximum.accumulate(rates, axis=1), power)
    total = np.cumsum(w, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)
    return c[0] if single else c


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

    def averaged_loss(
        self,
        lr: Any,
        weights: Any,
        beta: float = 0.0,
        steps: int | None = None,
        point: str = "x",
    ) -> np.ndarray:
        """Exact expected loss of SGD with iterate averaging (and schedule-free SGD).

        Three sequences per coordinate: the SGD iterate ``z``, its running
        average ``x`` and the point ``y`` where the gradient is taken::

            y_t     = (1 − β) z_t + β x_t
            z_{t+1} = z_t − α_t (h y_t + ξ_t)
            x_{t+1} = (1 − c_{t+1}) x_t + c_{t+1} z_{t+1}

        starting from ``z_0 = x_0 = θ_0``. With ``β = 0`` the gradient is taken
        at ``z`` (plain SGD) and ``x`` is an average of its iterates: constant
        ``c`` gives an exponential moving average, ``c = 1/(n + 1)`` a uniform
        one (SWA). With the weights of :func:`schedule_free_weights` and
        ``β > 0`` it is schedule-free SGD. The map ``(z, x) → (z', x')`` is
        linear, so the second moments ``E[z²]``, ``E[zx]``, ``E[x²]`` of every
        coordinate follow an exact recursion, iterated here.

        Parameters
        ----------
        lr : array_like, Schedule or list of Schedule
            Learning rates ``α_t``, as in :meth:`expected_loss`.
        weights : array_like
            Averaging weights ``c_{t+1}`` in ``[0, 1]``, one per update: shape
            ``(T,)`` (shared by every run) or ``(K, T)``.
        beta : float, default 0.0
            Interpolation ``β`` in ``[0, 1]``: 0 takes the gradient at ``z``,
            1 at the average ``x``.
        steps : int, optional
            Number of updates; required with a schedule.
        point : {"x", "y", "z"}, default "x"
            Which sequence's loss to return: the average ``x`` (where
            schedule-free evaluates), the gradient point ``y`` or the SGD
            iterate ``z``.

        Returns
        -------
        numpy.ndarray
            Shape ``(T + 1,)`` for one run, ``(K, T + 1)`` for ``K`` runs: the
            expected loss at ``point`` before update 0, after update 0, ….

        Examples
        --------
        >>> nqm = NoisyQuadratic.standard(dim=20)
        >>> rates = [0.5] * 100
        >>> plain = nqm.expected_loss(rates)
        >>> bool(abs(nqm.averaged_loss(rates, [1.0] * 100)[-1] - plain[-1]) < 1e-12)
        True
        >>> swa = nqm.averaged_loss(rates, 1 / np.arange(1, 101))
        >>> bool(swa[-1] < plain[-1])
        True
        """
        rates, single = _lr_matrix(lr, steps)
        k, n_steps = rates.shape
        c = _weights_matrix(weights, k, n_steps)
        beta = check_number("beta", beta, 0.0, 1.0)
        check_choice("point", point, ("x", "y", "z"))
        noise = (self.c / self.batch_size)[None, :]
        h = self.h[None, :]
        zz = np.tile(self._u0, (k, 1))
        zx, xx = zz.copy(), zz.copy()
        point_weights = {
            "x": (0.0, 0.0, 1.0),
            "y": ((1 - beta) ** 2, 2 * beta * (1 - beta), beta**2),
        }
        wz, wzx, wx = point_weights.get(point, (1.0, 0.0, 0.0))
        out = np.empty((k, n_steps + 1))

        def loss() -> np.ndarray:
            return 0.5 * ((wz * zz + wzx * zx + wx * xx) @ self.h)

        out[:, 0] = loss()
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(n_steps):
                a = rates[:, t : t + 1]
                ct = c[:, t : t + 1]
                # (z', x') = M (z, x) − α ξ (1, c), with M = [[m11, m12], [c m11, m22]].
                m11 = 1 - a * h * (1 - beta)
                m12 = -a * h * beta
                m21 = ct * m11
                m22 = (1 - ct) + ct * m12
                kick = a**2 * noise
                zz, zx, xx = (
                    m11**2 * zz + 2 * m11 * m12 * zx + m12**2 * xx + kick,
                    m11 * m21 * zz + (m11 * m22 + m12 * m21) * zx + m12 * m22 * xx + ct * kick,
                    m21**2 * zz + 2 * m21 * m22 * zx + m22**2 * xx + ct**2 * kick,
                )
                out[:, t + 1] = loss()
        return out[0] if single else out

    def simulate_averaged(
        self,
        lr: Any,
        weights: Any,
        beta: float = 0.0,
        n_runs: int = 1000,
        seed: int = 0,
        steps: int | None = None,
        point: str = "x",
    ) -> np.ndarray:
        """Monte-Carlo version of :meth:`averaged_loss`: the mean loss over sampled runs.

        Parameters
        ----------
        lr, weights, beta, steps, point
            As in :meth:`averaged_loss`.
        n_runs : int, default 1000
            Number of independent runs averaged.
        seed : int, default 0
            Seed of the NumPy random generator.

        Returns
        -------
        numpy.ndarray
            Mean loss at ``point``, same shape as :meth:`averaged_loss` returns.

        Examples
        --------
        >>> nqm = NoisyQuadratic.standard(dim=10)
        >>> nqm.simulate_averaged([0.1] * 5, [1.0] * 5, n_runs=10).shape
        (6,)
        """
        n_runs = check_int("n_runs", n_runs, 1)
        seed = check_int("seed", seed, 0)
        rates, single = _lr_matrix(lr, steps)
        k, n_steps = rates.shape
        c = _weights_matrix(weights, k, n_steps)
        beta = check_number("beta", beta, 0.0, 1.0)
        check_choice("point", point, ("x", "y", "z"))
        rng = np.random.default_rng(seed)
        noise_sd = np.sqrt(self.c / self.batch_size)
        out = np.empty((k, n_steps + 1))

        def loss(z: np.ndarray, x: np.ndarray) -> float:
            theta = {"x": x, "y": (1 - beta) * z + beta * x, "z": z}[point]
            return float(np.mean(0.5 * (theta**2) @ self.h))

        with np.errstate(over="ignore", invalid="ignore"):
            for i in range(k):
                z = self.theta0 + np.sqrt(self.var0) * rng.standard_normal((n_runs, self.dim))
                x = z.copy()
                out[i, 0] = loss(z, x)
                for t in range(n_steps):
                    y = (1 - beta) * z + beta * x
                    grad = self.h * y + noise_sd * rng.standard_normal((n_runs, self.dim))
                    z = z - rates[i, t] * grad
                    x = (1 - c[i, t]) * x + c[i, t] * z
                    out[i, t + 1] = loss(z, x)
        return out[0] if single else out

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


def final_loss_torch(nqm: NoisyQuadratic, lr: Any) -> Any:
    """Final expected loss of a learning-rate sequence, differentiable in the rates.

    The recursion ``uᵢ ← (1 − αₜ hᵢ)² uᵢ + αₜ² cᵢ / B`` unrolls to a closed form:
    with ``Pₜ,ᵢ = Π_{s ≥ t} (1 − α_s hᵢ)²`` (the product over the updates from
    ``t`` to the end),
    ``u_T,ᵢ = P₀,ᵢ u₀,ᵢ + Σₜ αₜ² cᵢ / B · Pₜ₊₁,ᵢ``, and the loss is
    ``½ Σᵢ hᵢ u_T,ᵢ``. Written with torch operations, so autograd gives the
    gradient with respect to every ``αₜ``.

    Parameters
    ----------
    nqm : NoisyQuadratic
        The model.
    lr : torch.Tensor
        ``(T,)`` float64 learning rates.

    Returns
    -------
    torch.Tensor
        The expected loss after the ``T`` updates (a 0-d tensor).

    Examples
    --------
    >>> import torch
    >>> nqm = NoisyQuadratic.standard(dim=10)
    >>> rates = torch.full((50,), 0.3, dtype=torch.float64)
    >>> exact = nqm.expected_loss(rates.numpy())[-1]
    >>> bool(abs(float(final_loss_torch(nqm, rates)) - exact) < 1e-12)
    True
    """
    import torch

    h = torch.tensor(nqm.h)
    noise = torch.tensor(nqm.c / nqm.batch_size)
    u0 = torch.tensor(nqm._u0)
    if lr.numel() == 0:
        return 0.5 * (h * u0).sum()
    factors = (1 - lr[:, None] * h) ** 2
    # from_t[t] = product of the factors of updates t … T−1.
    from_t = torch.flip(torch.cumprod(torch.flip(factors, [0]), dim=0), [0])
    after = torch.cat([from_t[1:], torch.ones((1, h.numel()), dtype=factors.dtype)])
    u = from_t[0] * u0 + (lr[:, None] ** 2 * after).sum(dim=0) * noise
    return 0.5 * (h * u).sum()


def optimal_schedule(
    nqm: NoisyQuadratic,
    steps: int,
    max_lr: float | None = None,
    init: Any = None,
    max_iter: int = 5000,
) -> np.ndarray:
    """The learning rates of ``steps`` updates that minimise the final expected loss.

    All ``T`` rates are free parameters in ``(0, max_lr]``. The variables are
    their logarithms and the objective is the logarithm of
    :func:`final_loss_torch` (the rates and the loss span orders of magnitude;
    their logs are far better scaled), with its gradient from torch's autograd;
    SciPy's L-BFGS-B minimises it within the bound. No shape is assumed:
    whatever shape comes out is the model's answer. For a single coordinate
    the optimum is known in closed form, ``αₜ = 1 / (h (t + 1) + σ² / (h u₀))``
    (each update greedily minimises the next loss, and that is optimal because
    the loss after the remaining updates grows with the current one); the
    tests check it.

    Parameters
    ----------
    nqm : NoisyQuadratic
        The model.
    steps : int
        Number of updates ``T``, >= 1.
    max_lr : float, optional
        Upper bound on every rate (default: the stability limit ``2 / max(h)``).
    init : array_like, optional
        Starting rates in ``(0, max_lr]``, ``(T,)`` (default: ``max_lr / 20``
        everywhere).
    max_iter : int, default 5000
        Most L-BFGS-B iterations.

    Returns
    -------
    numpy.ndarray
        ``(T,)`` rates; ``rates[t]`` is used by update ``t``.

    Examples
    --------
    >>> nqm = NoisyQuadratic.standard(dim=20)
    >>> best = optimal_schedule(nqm, 100)
    >>> constants = np.linspace(0.01, 1.99, 199)
    >>> best_constant = min(nqm.expected_loss([a] * 100)[-1] for a in constants)
    >>> bool(nqm.expected_loss(best)[-1] < best_constant)
    True
    """
    import torch
    from scipy import optimize  # type: ignore[import-untyped]

    steps = check_int("steps", steps, 1)
    if max_lr is None:
        limit = nqm.max_stable_lr()
    else:
        limit = check_number("max_lr", max_lr, 0.0, math.inf, closed="(]")
    max_iter = check_int("max_iter", max_iter, 1)
    if init is None:
        start = np.full(steps, limit / 20)
    else:
        start = np.array(check_vector("init", init, steps))
        if np.any(start <= 0) or np.any(start > limit):
            raise ValueError(f"init must hold rates in (0, max_lr = {limit!r}], got {init!r}")

    def value_and_grad(log_rates: np.ndarray) -> tuple[float, np.ndarray]:
        log_lr = torch.tensor(log_rates, dtype=torch.float64, requires_grad=True)
        value = torch.log(final_loss_torch(nqm, torch.exp(log_lr)))
        value.backward()
        assert log_lr.grad is not None
        return float(value.detach()), log_lr.grad.numpy().copy()

    result = optimize.minimize(
        value_and_grad,
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, math.log(limit))] * steps,
        options={"maxiter": max_iter, "ftol": 1e-12, "gtol": 1e-9, "maxcor": 20},
    )
    return np.minimum(np.exp(result.x), limit)
