"""The shared argument checks: what they accept, and one message shape for what they refuse."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from lrlab._checks import (
    MAX_LR,
    check_at_most,
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_int_sequence,
    check_lr,
    check_number,
    check_sequence,
)

SHAPE = re.compile(r"^(\S+) must be .+, got .+$", re.DOTALL)


def refused(call, name: str) -> str:
    """The message of the ValueError ``call`` raises; it must name ``name`` first."""
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    match = SHAPE.match(message)
    assert match is not None, message
    assert match.group(1) == name, message
    return message


@pytest.mark.parametrize(
    ("value", "want"),
    [(3, 3), (np.int32(3), 3), (np.uint64(3), 3), (3.0, 3), (np.float64(1e4), 10_000)],
)
def test_check_int_accepts_integers_and_whole_floats(value, want) -> None:
    got = check_int("n", value, 0)
    assert got == want and type(got) is int


@pytest.mark.parametrize(
    "value", [True, np.True_, 2.5, math.nan, math.inf, "3", None, -1, 2**70, np.array([1, 2])]
)
def test_check_int_refuses(value) -> None:
    refused(lambda: check_int("n", value, 0, 2**63 - 1), "n")


def test_check_int_shows_numpy_scalars_as_numbers() -> None:
    assert refused(lambda: check_int("n", np.float64(2.5), 0), "n") == (
        "n must be an integer >= 0, got 2.5"
    )


def test_check_number_intervals() -> None:
    assert check_number("m", 0.0, 0, 1, "[)") == 0.0
    assert refused(lambda: check_number("m", 1.0, 0, 1, "[)"), "m") == (
        "m must be a number in [0, 1), got 1.0"
    )
    assert refused(lambda: check_number("m", 0.0, 0, 1, "(]"), "m") == (
        "m must be a number in (0, 1], got 0.0"
    )
    assert check_number("m", np.float32(0.25), 0, 1) == 0.25
    with pytest.raises(ValueError, match="closed must be True, False"):
        check_number("m", 0.5, 0, 1, "[[")


@pytest.mark.parametrize("value", [True, np.bool_(False), "0.1", None, math.nan, -math.inf])
def test_check_number_refuses(value) -> None:
    refused(lambda: check_number("x", value, -10, 10), "x")


def test_check_lr() -> None:
    assert check_lr("lr", np.float32(0.5)) == 0.5
    assert check_lr("lr", 0) == 0.0
    assert check_lr("lr", MAX_LR) == MAX_LR
    for bad in (-1e-9, math.nan, math.inf, 2 * MAX_LR, True, "0.1", 2**1100):
        refused(lambda bad=bad: check_lr("lr", bad), "lr")


def test_check_bool() -> None:
    assert check_bool("flag", np.False_) is False
    for bad in ("False", "True", 0, 1, None, 1.0):
        assert refused(lambda bad=bad: check_bool("flag", bad), "flag").startswith(
            "flag must be True or False"
        )


def test_check_choice() -> None:
    assert check_choice("mode", "a", ("a", "b")) == "a"
    assert refused(lambda: check_choice("mode", ["a"], ("a", "b")), "mode") == (
        "mode must be one of 'a', 'b', got ['a']"
    )


def test_check_instance_and_at_most() -> None:
    assert check_instance("x", 1, int, "an int") == 1
    assert refused(lambda: check_instance("x", "1", int, "an int"), "x") == (
        "x must be an int, got '1'"
    )
    assert check_at_most("end", 0.1, "start", 0.1) == 0.1
    refused(lambda: check_at_most("end", 0.2, "start", 0.1), "end")


def test_check_int_sequence() -> None:
    assert check_int_sequence("s", np.array([0, 1]), 0) == (0, 1)
    assert check_int_sequence("s", range(3), 0) == (0, 1, 2)
    assert check_int_sequence("s", [2.0, np.int8(3)], 0) == (2, 3)
    refused(lambda: check_int_sequence("s", "01", 0), "s")
    refused(lambda: check_int_sequence("s", np.zeros((2, 2), dtype=int), 0), "s")
    refused(lambda: check_int_sequence("s", [], 0, min_len=1), "s")
    refused(lambda: check_int_sequence("s", [0, 1.5], 0), "s[1]")


def test_check_sequence() -> None:
    assert check_sequence("s", [1, "a"], "a list") == (1, "a")
    assert check_sequence("s", np.array([0.5, 0.5]), "shares") == (0.5, 0.5)
    assert check_sequence("s", (1, 2), "a pair", min_len=2, max_len=2) == (1, 2)
    assert refused(lambda: check_sequence("s", (1,), "a pair", min_len=2, max_len=2), "s") == (
        "s must be a pair, got (1,)"
    )
    refused(lambda: check_sequence("s", (1, 2, 3), "a pair", min_len=2, max_len=2), "s")
    refused(lambda: check_sequence("s", "ab", "a list"), "s")
    refused(lambda: check_sequence("s", 3, "a list"), "s")
    refused(lambda: check_sequence("s", np.zeros((2, 2)), "a list"), "s")
    refused(lambda: check_sequence("s", [], "a non-empty list", min_len=1), "s")


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("cos", ("cos", "linear"), "cos"),
        (0.95, (0.9, 0.95), 0.95),
        (np.float64(0.95), (0.9, 0.95), 0.95),
        (2, (1.0, 2.0), 2.0),
        (True, (False, True), True),
    ],
)
def test_choice_accepts_numbers_and_booleans_of_an_explorers_menu(value, options, expected):
    assert check_choice("x", value, options) == expected


@pytest.mark.parametrize(
    ("value", "options"),
    [("1", (1, 2)), (1, ("1", "2")), (True, (1, 0)), (1, (True, False)), (None, ("cos",))],
)
def test_choice_never_takes_a_lookalike(value, options):
    allowed = ", ".join(repr(o) for o in options)
    with pytest.raises(ValueError, match=re.escape(f"x must be one of {allowed}, got {value!r}")):
        check_choice("x", value, options)
