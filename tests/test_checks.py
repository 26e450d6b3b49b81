"""The shared argument checkers: one message shape, no truthiness, no type coercion."""

import re

import numpy as np
import pytest

from lrlab._checks import check_bool, check_choice


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
def test_choice_accepts_its_options(value, options, expected):
    assert check_choice("x", value, options) == expected


@pytest.mark.parametrize(
    ("value", "options"),
    [
        ("1", (1, 2)),
        (1, ("1", "2")),
        (True, (1, 0)),
        (1, (True, False)),
        ("COS", ("cos",)),
        (None, ("cos",)),
    ],
)
def test_choice_refuses_lookalikes(value, options):
    allowed = ", ".join(repr(o) for o in options)
    with pytest.raises(ValueError, match=re.escape(f"x must be one of {allowed}, got {value!r}")):
        check_choice("x", value, options)


def test_bool_takes_booleans_only():
    assert check_bool("logy", np.bool_(True)) is True
    for bad in ("False", 0, 1, None, 1.0):
        with pytest.raises(ValueError, match=re.escape(f"logy must be True or False, got {bad!r}")):
            check_bool("logy", bad)
