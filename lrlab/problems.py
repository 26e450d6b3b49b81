"""Small optimisation problems whose behaviour under gradient descent is known exactly.

- :func:`gd_quadratic` / :func:`gd_quadratic_closed_form`: gradient descent on
  ``f(x) = a (x - b)**2`` by iteration and by its closed form.
- :func:`regime`: which of the five behaviours a learning rate produces.
- :class:`Quadratic2D`: an ill-conditioned 2-D quadratic, for paths on contours.

The noisy quadratic model lives in :mod:`lrlab.nqm`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrlab._checks import check_int, check_number, check_positive


def _real(name: str, value: Any) -> float:
    return check_number(name, value, -math.inf, math.inf)


def gd_quadratic(
    lr: float, steps: int, x0: float = 0.0, a: float = 1.0, b: float = 3.0
) -> np.ndarray:
    """Run gradient descent on ``f(x) = a (x - b)**2`` and return every iterate.

    Each update is ``x <- x - lr * f'(x)`` with ``f'(x) = 2 a (x - b)``.

    Parameters
    ----------
    lr : float
        Constant learning rate, > 0.
    steps : int
        Number of updates, >= 0.
    x0 : float
        Starting point.
    a, b : float
        Curvature factor (> 0) and minimiser of the quadratic.

    Returns
    -------
    numpy.ndarray
        ``steps + 1`` iterates ``x_0, x_1, ..., x_steps``.

    Examples
    --------
    >>> gd_quadratic(0.5, 2).tolist()
    [0.0, 3.0, 3.0]
    """
    lr, a = check_positive("lr", lr), check_positive("a", a)
    x0, b = _real("x0", x0), _real("b", b)
    steps = check_int("steps", steps, 0)
    xs = np.empty(steps + 1)
    x = x0
    xs[0] = x
    for t in range(steps):
        x = x - lr * (2.0 * a * (x - b))
        xs[t + 1] = x
    return xs


def gd_quadratic_closed_form(
    lr: float, t: Any, x0: float = 0.0, a: float = 1.0, b: float = 3.0
) -> Any:
    """Closed form of :func:`gd_quadratic`: ``x_t = b + (x0 - b) (1 - 2 a lr)**t``.

    Parameters
    ----------
    lr : float
        Constant learning rate, > 0.
    t : int or array_like of int
        Number of updates taken.
    x0, a, b : float
        As in :func:`gd_quadratic`.

    Returns
    -------
    float or numpy.ndarray
        The iterate after ``t`` updates.

    Examples
    --------
    >>> gd_quadratic_closed_form(0.25, 1)
    1.5
    """
    lr, a = check_positive("lr", lr), check_positive("a", a)
    x0, b = _real("x0", x0), _real("b", b)
    steps = np.asarray(t)
    if isinstance(t, bool | np.bool_) or steps.dtype.kind not in "iu" or np.any(steps < 0):
        raise ValueError(f"t must be an integer >= 0 (or an array of them), got {t!r}")
    # float_power rounds the same on every CPU; ** on arrays uses vector kernels that do not.
    out = b + (x0 - b) * np.float_power(1.0 - 2.0 * a * lr, steps)
    return float(out) if steps.ndim == 0 else out


def max_stable_lr(curvature: float) -> float:
    """Largest learning rate for which gradient descent converges: ``2 / curvature``.

    Gradient descent on a quadratic with curvature (second derivative) ``L``
    multiplies the error by ``1 - lr * L`` each step, which shrinks the error
    exactly when ``0 < lr < 2 / L``.

    Parameters
    ----------
    curvature : float
        The largest second derivative ``L`` of the loss, > 0.

    Returns
    -------
    float
        ``2 / curvature`` (not itself stable: it gives a period-2 orbit).

    Examples
    --------
    >>> max_stable_lr(2.0)
    1.0
    """
    return 2.0 / check_positive("curvature", curvature)


REGIMES = ("creeping", "one step", "oscillating, converging", "period-2 orbit", "diverging")


def regime(lr: float, curvature: float = 2.0) -> str:
    """Name the behaviour of gradient descent with this learning rate on a quadratic.

    With ``r = 1 - lr * curvature`` the error is multiplied by ``r`` each step:
    ``0 < r < 1`` creeping, ``r = 0`` one step, ``-1 < r < 0`` oscillating but
    converging, ``r = -1`` a period-2 orbit, ``r < -1`` diverging. Ties are decided
    exactly, in the arithmetic of the factor ``r``.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    curvature : float
        Second derivative of the quadratic (2 for ``(x - 3)**2``).

    Returns
    -------
    str
        One of :data:`REGIMES`.

    Examples
    --------
    >>> regime(0.9)
    'oscillating, converging'
    """
    r = 1.0 - check_positive("lr", lr) * check_positive("curvature", curvature)
    if r > 0:
        return REGIMES[0]
    if r == 0:
        return REGIMES[1]
    if r > -1:
        return REGIMES[2]
    if r == -1:
        return REGIMES[3]
    return REGIMES[4]


def steps_to_tolerance(
    lr: float, tol: float, x0: float = 0.0, a: float = 1.0, b: float = 3.0
) -> int:
    """Fewest updates after which ``|x_t - b| <= tol`` for gradient descent on ``a (x - b)**2``.

    Parameters
    ----------
    lr : float
        Learning rate, in ``(0, 1/a)`` (must converge).
    tol : float
        Tolerance, > 0.
    x0, a, b : float
        As in :func:`gd_quadratic`.

    Returns
    -------
    int
        The smallest ``t`` with ``|x0 - b| * |1 - 2 a lr|**t <= tol``.

    Examples
    --------
    >>> steps_to_tolerance(0.25, 0.75)
    2
    """
    lr, tol, a = check_positive("lr", lr), check_positive("tol", tol), check_positive("a", a)
    x0, b = _real("x0", x0), _real("b", b)
    r = abs(1.0 - 2.0 * a * lr)
    if r >= 1:
        raise ValueError(f"lr must be below the stability limit 1/a = {1 / a!r}, got {lr!r}")
    e0 = abs(x0 - b)
    if e0 <= tol:
        return 0
    if r == 0:
        return 1
    t = max(math.ceil(math.log(tol / e0) / math.log(r)) - 1, 0)
    while e0 * r**t > tol:
        t += 1
    return t


@dataclass(frozen=True)
class Quadratic2D:
    """An axis-aligned 2-D quadratic ``f(x, y) = (h_x x**2 + h_y y**2) / 2``.

    With ``h_x >> h_y`` it is a narrow valley: the steep direction caps the stable
    learning rate (``2 / h_x``) while the flat direction sets the speed.

    Parameters
    ----------
    h_x, h_y : float
        Curvatures along x and y, > 0.

    Examples
    --------
    >>> Quadratic2D(10.0, 1.0).condition_number
    10.0
    """

    h_x: float = 10.0
    h_y: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "h_x", check_positive("h_x", self.h_x))
        object.__setattr__(self, "h_y", check_positive("h_y", self.h_y))

    @property
    def condition_number(self) -> float:
        """Ratio of the largest to the smallest curvature."""
        return max(self.h_x, self.h_y) / min(self.h_x, self.h_y)

    @property
    def max_stable_lr(self) -> float:
        """``2 / max(h_x, h_y)``: the largest curvature caps the learning rate."""
        return max_stable_lr(max(self.h_x, self.h_y))

    def loss(self, x: Any, y: Any) -> Any:
        """The loss at ``(x, y)``; works elementwise on arrays."""
        return 0.5 * (self.h_x * np.asarray(x) ** 2 + self.h_y * np.asarray(y) ** 2)

    def gd_path(
        self, lr: float, steps: int, start: tuple[float, float] = (-1.0, 1.0)
    ) -> np.ndarray:
        """Gradient-descent iterates from ``start``: an array of shape ``(steps + 1, 2)``.

        Examples
        --------
        >>> Quadratic2D(2.0, 1.0).gd_path(0.5, 1, start=(1.0, 1.0)).tolist()
        [[1.0, 1.0], [0.0, 0.5]]
        """
        lr = check_positive("lr", lr)
        steps = check_int("steps", steps, 0)
        factors = np.array([1.0 - lr * self.h_x, 1.0 - lr * self.h_y])
        powers = np.float_power(factors[None, :], np.arange(steps + 1)[:, None])
        return powers * np.asarray(start, dtype=np.float64)[None, :]
