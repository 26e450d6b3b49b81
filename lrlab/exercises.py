"""Auto-checked exercises: ``check(exercise, answer, **params)`` prints a verdict.

Each exercise's expected answer is computed by ``lrlab`` from the parameters the
notebook passes, so a teacher can change the numbers and the checker follows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lrlab import problems


def _max_stable_lr(a: float, b: float = 0.0) -> float:
    # f(x) = a (x - b)**2 has curvature 2a wherever b is.
    return problems.max_stable_lr(2.0 * a)


def _steps_to_tolerance(lr: float, tol: float, x0: float = 0.0, b: float = 3.0) -> int:
    return problems.steps_to_tolerance(lr, tol, x0=x0, b=b)


#: Expected-answer functions by exercise id.
EXERCISES: dict[str, Callable[..., float]] = {
    "max-stable-lr": _max_stable_lr,
    "steps-to-tolerance": _steps_to_tolerance,
}

# Whether verdicts may show numbers (the answer echoed back, "too large"); the student
# notebooks of ``make handouts`` switch this off with :func:`student_edition`.
_show_values = True


def student_edition(enabled: bool = True) -> None:
    """Make :func:`check` say only whether an answer is right: no number, no direction.

    The book's verdicts repeat the answer and say whether a wrong one is too large
    or too small, which is enough to home in on the expected value by trial. The
    student notebooks call this once, after their imports.

    Parameters
    ----------
    enabled : bool
        ``False`` restores the book's verdicts.

    Examples
    --------
    >>> student_edition()
    >>> check("max-stable-lr", 0.5, a=5)
    Not yet. Check your reasoning and try again.
    >>> student_edition(False)
    """
    global _show_values
    _show_values = not enabled


def register(exercise: str) -> Callable[[Callable[..., float]], Callable[..., float]]:
    """Decorator: register a function computing an exercise's expected answer.

    Examples
    --------
    >>> @register("double")
    ... def _double(x):
    ...     return 2 * x
    >>> expected("double", x=2)
    4
    """

    def add(func: Callable[..., float]) -> Callable[..., float]:
        if exercise in EXERCISES and EXERCISES[exercise] is not func:
            raise ValueError(f"exercise {exercise!r} is already registered")
        EXERCISES[exercise] = func
        return func

    return add


def expected(exercise: str, **params: Any) -> float:
    """The answer to ``exercise`` for these parameters.

    Examples
    --------
    >>> expected("max-stable-lr", a=4.0)
    0.25
    """
    import lrlab.explorers  # noqa: F401 - registers the chapters' exercises

    if exercise not in EXERCISES:
        raise ValueError(f"exercise must be one of {sorted(EXERCISES)}, got {exercise!r}")
    return EXERCISES[exercise](**params)


def is_correct(exercise: str, answer: Any, rtol: float = 1e-6, **params: Any) -> bool:
    """Whether ``answer`` matches the expected answer (integers exactly, floats to ``rtol``).

    Examples
    --------
    >>> is_correct("max-stable-lr", 0.2, a=5)
    True
    """
    return _matches(answer, expected(exercise, **params), rtol)


def _matches(answer: Any, target: float, rtol: float) -> bool:
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False
    if isinstance(target, int):
        return value == target
    return math.isclose(value, target, rel_tol=rtol, abs_tol=1e-15)


def check(exercise: str, answer: Any, rtol: float = 1e-6, **params: Any) -> None:
    """Compare ``answer`` with the expected answer and print a verdict.

    Parameters
    ----------
    exercise : str
        Exercise id, one of :data:`EXERCISES`.
    answer : number or None
        The student's answer; ``None`` means not answered yet.
    rtol : float
        Relative tolerance for non-integer answers.
    **params
        The exercise's parameters (e.g. ``a=5`` for ``max-stable-lr``).

    See Also
    --------
    student_edition : verdicts without numbers, for the student notebooks.

    Examples
    --------
    >>> check("max-stable-lr", 0.2, a=5)
    Correct: 0.2 is right.
    >>> check("max-stable-lr", 0.5, a=5)
    Not yet: 0.5 is too large. Check your reasoning and try again.
    """
    target = expected(exercise, **params)
    if answer is None:
        print("No answer yet: replace None with your answer and run the cell again.")
    elif _matches(answer, target, rtol):
        print(f"Correct: {answer!r} is right." if _show_values else "Correct.")
    else:
        try:
            direction = "too large" if float(answer) > target else "too small"
        except (TypeError, ValueError):
            if _show_values:
                print(f"Not a number: {answer!r}. Give your answer as a number.")
            else:
                print("Not a number: give your answer as a number.")
            return
        if _show_values:
            print(f"Not yet: {answer!r} is {direction}. Check your reasoning and try again.")
        else:
            print("Not yet. Check your reasoning and try again.")
