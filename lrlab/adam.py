"""Adam's moment estimates, its bias correction and RAdam's rectifier, in closed form.

For a given gradient sequence ``g_1, g_2, …`` Adam (Kingma & Ba, arXiv
1412.6980) keeps two exponential moving averages,
``m_k = β₁ m_{k−1} + (1 − β₁) g_k`` and ``v_k = β₂ v_{k−1} + (1 − β₂) g_k²``,
starting from 0, and divides each by its bias correction ``1 − βᵏ``.
:func:`adam_moments` follows ``torch.optim.Adam`` operation by operation, so
its numbers are torch's for a float64 parameter. RAdam (Liu et al., arXiv
1908.03265) multiplies the adaptive step by a rectifier that is 0 while the
variance of ``v`` is not yet tractable (:func:`radam_rectifier`).

Steps count from 1 here, as in both papers and in torch's optimizer state:
``k = 1`` is the first update, which the book calls update ``t = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrlab._checks import check_int, check_number


def ema_window(beta: float) -> float:
    """Number of steps an exponential moving average with factor ``beta`` spans: ``1 / (1 − β)``.

    The weights ``(1 − β) βʲ`` of the values ``j`` steps back sum to 1 and
    fall by ``1/e`` after about ``1 / (1 − β)`` steps.

    Parameters
    ----------
    beta : float
        Decay factor, in the open interval (0, 1).

    Returns
    -------
    float

    Examples
    --------
    >>> round(ema_window(0.95), 6)
    20.0
    """
    return 1.0 / (1.0 - check_number("beta", beta, 0.0, 1.0, closed=False))


@dataclass(frozen=True)
class AdamMoments:
    """Adam's state after each step ``k = 1 … steps`` for one scalar parameter.

    Attributes
    ----------
    grad : numpy.ndarray
        The gradients ``g_k``.
    m, v : numpy.ndarray
        First and second moment estimates (``exp_avg``, ``exp_avg_sq``).
    bias1, bias2 : numpy.ndarray
        Bias corrections ``1 − β₁ᵏ`` and ``1 − β₂ᵏ``.
    m_hat, v_hat : numpy.ndarray
        ``m / (1 − β₁ᵏ)`` and ``v / (1 − β₂ᵏ)``.
    update : numpy.ndarray
        The step with learning rate 1, as torch computes it:
        ``(1 / (1 − β₁ᵏ)) · (m / (√v / √(1 − β₂ᵏ) + ε))``.
    raw_update : numpy.ndarray
        The same without bias correction: ``m / (√v + ε)``.
    """

    grad: np.ndarray
    m: np.ndarray
    v: np.ndarray
    bias1: np.ndarray
    bias2: np.ndarray
    m_hat: np.ndarray
    v_hat: np.ndarray
    update: np.ndarray
    raw_update: np.ndarray


def adam_moments(
    grads: Any, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
) -> AdamMoments:
    """Adam's moments and update for a sequence of gradients of one parameter.

    Operation by operation as ``torch.optim.Adam`` for a float64 parameter:
    ``m ← m + (1 − β₁)(g − m)`` (torch's ``lerp``), ``v ← β₂ v + (1 − β₂) g g``,
    then the bias corrections ``1 − βᵏ`` with Python's ``**``.

    Parameters
    ----------
    grads : array_like
        Gradients ``g_1 … g_K``, finite, at least one.
    beta1, beta2 : float, default 0.9, 0.999
        Decay factors, each in [0, 1).
    eps : float, default 1e-8
        Added to ``√v̂``, >= 0.

    Returns
    -------
    AdamMoments

    Examples
    --------
    >>> a = adam_moments([2.0, -2.0, 2.0])
    >>> round(float(a.update[0]), 6)  # the first update is sign(g) times the LR
    1.0
    >>> round(float(a.raw_update[0]), 4)  # without bias correction: (1 − β₁) / √(1 − β₂)
    3.1623
    """
    beta1 = check_number("beta1", beta1, 0.0, 1.0)
    beta2 = check_number("beta2", beta2, 0.0, 1.0)
    if beta1 == 1.0 or beta2 == 1.0:
        name, value = ("beta1", beta1) if beta1 == 1.0 else ("beta2", beta2)
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    eps = check_number("eps", eps, 0.0, math.inf)
    g = np.array(grads, dtype=np.float64).ravel()
    if g.size == 0 or not np.all(np.isfinite(g)):
        raise ValueError(f"grads must be a non-empty sequence of finite numbers, got {grads!r}")
    n = g.size
    m, v = np.empty(n), np.empty(n)
    bias1, bias2 = np.empty(n), np.empty(n)
    update, raw = np.empty(n), np.empty(n)
    weight = 1.0 - beta1
    m_k = v_k = 0.0
    for k in range(n):
        # torch's lerp takes the form that is exact at the nearer end of [m, g].
        diff = g[k] - m_k
        m_k = m_k + weight * diff if weight < 0.5 else g[k] - diff * (1.0 - weight)
        v_k = v_k * beta2 + (1.0 - beta2) * g[k] * g[k]
        step = float(k + 1)
        b1 = 1.0 - beta1**step
        b2 = 1.0 - beta2**step
        denom = math.sqrt(v_k) / b2**0.5 + eps
        m[k], v[k], bias1[k], bias2[k] = m_k, v_k, b1, b2
        update[k] = (1.0 / b1) * (m_k / denom)
        raw[k] = m_k / (math.sqrt(v_k) + eps)
    return AdamMoments(g, m, v, bias1, bias2, m / bias1, v / bias2, update, raw)


def radam_rho(beta2: float, steps: int) -> np.ndarray:
    """RAdam's ``ρₖ = ρ∞ − 2k β₂ᵏ / (1 − β₂ᵏ)`` for ``k = 1 … steps``.

    ``ρ∞ = 2 / (1 − β₂) − 1`` is the length of the simple moving average
    that the exponential one approximates.

    Parameters
    ----------
    beta2 : float
        Adam's β₂, in (0, 1).
    steps : int
        Number of steps, >= 1.

    Returns
    -------
    numpy.ndarray
        ``ρ₁ … ρ_steps``; ``ρ₁ = 1`` for every β₂.

    Examples
    --------
    >>> radam_rho(0.999, 3).round(3).tolist()
    [1.0, 1.999, 2.999]
    """
    beta2 = check_number("beta2", beta2, 0.0, 1.0, closed=False)
    k = np.arange(1, check_int("steps", steps, 1) + 1, dtype=np.float64)
    power = np.float_power(beta2, k)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf - 2.0 * k * power / (1.0 - power)


def radam_rectifier(beta2: float, steps: int, threshold: float = 4.0) -> np.ndarray:
    """RAdam's multiplier of the adaptive step, 0 where ``ρₖ <= threshold``.

    ``rₖ = √((ρₖ − 4)(ρₖ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₖ))`` where
    ``ρₖ > threshold``. The paper's threshold is 4; ``torch.optim.RAdam``
    uses 5. Where it is 0, RAdam takes an un-adapted momentum step instead.

    Parameters
    ----------
    beta2 : float
        Adam's β₂, in (0.6, 1) so that ``ρ∞ > 4``.
    steps : int
        Number of steps ``k = 1 … steps``.
    threshold : float, default 4.0
        Rectify only where ``ρₖ`` exceeds it; at least 4.

    Returns
    -------
    numpy.ndarray
        ``r₁ … r_steps``, each in ``[0, 1)``.

    Examples
    --------
    >>> r = radam_rectifier(0.999, 2000)
    >>> int(np.argmax(r > 0)) + 1, round(float(r[-1]), 3)
    (5, 0.828)
    """
    beta2 = check_number("beta2", beta2, 0.6, 1.0, closed=False)
    threshold = check_number("threshold", threshold, 4.0, math.inf)
    rho = radam_rho(beta2, steps)
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    on = rho > threshold
    safe = np.where(on, rho, 5.0)
    r = np.sqrt((safe - 4) * (safe - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * safe))
    return np.where(on, r, 0.0)


__all__ = ["AdamMoments", "adam_moments", "ema_window", "radam_rectifier", "radam_rho"]
