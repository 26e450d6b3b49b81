"""Shared pytest set-up for the unit tests and the library's docstring examples."""

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every figure a test or docstring example opened."""
    yield
    plt.close("all")
