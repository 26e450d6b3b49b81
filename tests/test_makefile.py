"""The Makefile's own checks speak for themselves."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_python_check_names_a_missing_python_without_the_shells_error_text() -> None:
    # used to print "... is /bin/bash: line 2: python9: command not found / not installed"
    done = subprocess.run(
        ["make", "-s", "python-check", "PYTHON=python-that-does-not-exist"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    first = done.stdout.splitlines()[0]
    assert first == (
        "LR Lab needs Python 3.10 or newer, but 'python-that-does-not-exist' is not installed."
    )
    assert "bash" not in done.stdout and "command not found" not in done.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_python_check_shows_the_version_of_an_old_python(tmp_path) -> None:
    old = tmp_path / "python3.8"
    old.write_text('#!/bin/sh\necho "Python 3.8.10"\nexit 1\n')
    old.chmod(0o755)
    done = subprocess.run(
        ["make", "-s", "python-check", f"PYTHON={old}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert done.stdout.splitlines()[0].endswith(f"but '{old}' is Python 3.8.10.")
