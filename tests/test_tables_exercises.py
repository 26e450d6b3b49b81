import numpy as np
import pytest

from lrlab import exercises, problems, tables
from lrlab.tables import format_table


def test_table_alignment_and_formats():
    text = format_table(
        ["η", "regime", "ok"], [[0.5, "one step", True], [1.1, "diverging", False]], ["g", "s", "s"]
    )
    lines = text.splitlines()
    assert lines[0].split() == ["η", "regime", "ok"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].split()[-1] == "yes" and lines[3].split()[-1] == "no"
    assert len({len(line) for line in lines[:2]}) == 1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: format_table(["a", "b"], [[1]]), r"each row must have 2 values, got 1"),
        (
            lambda: format_table(["a"], [[1]], ["g", "g"]),
            r"formats must give one format per column \(1\), got 2",
        ),
        (
            lambda: exercises.check("nope", 1),
            r"exercise must be one of \[.*'max-stable-lr'.*\], got 'nope'",
        ),
    ],
)
def test_bad_input_messages(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_check_verdicts(capsys):
    exercises.check("max-stable-lr", 0.2, a=5)
    exercises.check("max-stable-lr", 0.3, a=5)
    exercises.check("max-stable-lr", None, a=5)
    exercises.check("max-stable-lr", "abc", a=5)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Correct")
    assert "too large" in out[1]
    assert out[2].startswith("No answer yet")
    assert out[3].startswith("Not a number")


def test_steps_exercise_matches_problems():
    t = exercises.expected("steps-to-tolerance", lr=0.01, tol=1e-3)
    assert t == problems.steps_to_tolerance(0.01, 1e-3)
    assert exercises.is_correct("steps-to-tolerance", t, lr=0.01, tol=1e-3)
    assert not exercises.is_correct("steps-to-tolerance", t - 1, lr=0.01, tol=1e-3)
    assert not exercises.is_correct("max-stable-lr", None, a=1)


def test_register_rejects_a_second_answer_for_the_same_id():
    with pytest.raises(ValueError, match=r"exercise 'max-stable-lr' is already registered"):
        exercises.register("max-stable-lr")(lambda: 0.0)


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (0.020277529249244308, ".4f", 0.0203),
        (0.020277410039954757, ".4f", 0.0203),
        (1.51581e-4, ".3g", 1.52e-4),
        (300000, ",", 300000),
        (7, "d", 7),
        (0.0523, ".1%", 0.052),
    ],
)
def test_rounded_is_what_the_reader_sees(value, fmt, expected):
    out = tables.rounded(value, fmt)
    assert out == expected
    assert type(out) is type(expected)
    assert format(out, fmt) == format(value, fmt)


def test_agreement_says_exact_only_for_bitwise_equal_results():
    assert tables.agreement(np.arange(3.0), np.arange(3.0)) == "exact"
    assert tables.agreement([np.nan], [np.nan]) == "exact"
    with pytest.raises(AssertionError, match="not bitwise equal"):
        tables.agreement([1.0], [1.0 + 2**-52])


def test_agreement_states_a_bound_that_holds():
    assert tables.agreement([1.0 + 2**-52], [1.0], rtol=1e-15) == "≤ 1e-15"
    assert tables.agreement([0.0], [0.0], rtol=1e-12) == "≤ 1e-12"
    with pytest.raises(AssertionError, match="more than 1e-15"):
        tables.agreement([1.0 + 1e-14], [1.0], rtol=1e-15)


def test_agreement_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        tables.agreement([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="rtol must be a number >= 0, got -1"):
        tables.agreement([1.0], [1.0], rtol=-1)


@pytest.fixture
def student_edition():
    exercises.student_edition()
    yield
    exercises.student_edition(False)


@pytest.mark.parametrize(
    ("exercise", "params", "low", "high"),
    [
        ("max-stable-lr", {"a": 5}, 0.1, 0.3),
        ("steps-to-tolerance", {"lr": 0.01, "tol": 1e-3}, 396, 398),
    ],
)
def test_student_edition_verdicts_show_no_number(
    capsys, student_edition, exercise, params, low, high
):
    target = exercises.expected(exercise, **params)
    for answer in (target, low, high, "abc", None):
        exercises.check(exercise, answer, **params)
    out = capsys.readouterr().out
    verdicts = out.splitlines()
    assert verdicts[0] == "Correct."
    assert verdicts[1] == verdicts[2] == "Not yet. Check your reasoning and try again."
    assert verdicts[3].startswith("Not a number") and verdicts[4].startswith("No answer yet")
    assert not any(ch.isdigit() for ch in out), out
    assert "large" not in out and "small" not in out


def test_student_edition_can_be_switched_off(capsys):
    exercises.student_edition()
    exercises.student_edition(False)
    exercises.check("max-stable-lr", 0.2, a=5)
    assert capsys.readouterr().out == "Correct: 0.2 is right.\n"
