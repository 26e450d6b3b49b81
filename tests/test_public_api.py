"""Every public schedule family is exported, property-tested and documented; the versions agree."""

import inspect
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from test_schedule_properties import FAMILIES, family_schedule

import lrlab
from lrlab import schedules

ROOT = Path(__file__).resolve().parents[1]


def _families():
    found = {}
    for name in schedules.__all__:
        obj = getattr(schedules, name)
        if inspect.isclass(obj) and issubclass(obj, schedules.Schedule):
            if obj is not schedules.Schedule:
                found[name] = obj
    return found


def test_every_family_is_exported_from_lrlab():
    for name, cls in _families().items():
        assert getattr(lrlab, name, None) is cls, f"lrlab.{name} is not exported"


def test_every_family_is_in_the_api_reference():
    page = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    listed = re.search(r"automodule:: lrlab.schedules\n\s+:members: ([^\n]+)", page)
    assert listed, "the schedules section lists its members"
    members = {m.strip() for m in listed.group(1).split(",")}
    for name in _families():
        assert name in members, f"{name} missing from book/api.md"


def test_every_family_has_a_property_strategy():
    """CONTRIBUTING.md, step 4: a strategy in FAMILIES puts a family under the property tests."""
    missing = sorted(name for name, cls in _families().items() if cls not in FAMILIES)
    assert not missing, f"no strategy in tests/test_schedule_properties.py FAMILIES: {missing}"
    assert set(FAMILIES) <= set(_families().values())


@pytest.mark.parametrize("name", sorted(_families()))
def test_each_strategy_draws_its_own_family(name):
    family = _families()[name]

    @settings(max_examples=5, deadline=None)
    @given(st.data())
    def draws(data):
        assert type(data.draw(family_schedule(family))) is family

    draws()


def test_one_version_number():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert lrlab.__version__ == version
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)}\b", changelog, re.M)
