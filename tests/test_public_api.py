"""Every public schedule family is exported, property-tested and documented; the versions agree."""

import inspect
import re
from pathlib import Path

import yaml

import lrlab
from lrlab import schedules, schedules_extra

ROOT = Path(__file__).resolve().parents[1]


def _families():
    found = {}
    for module in (schedules, schedules_extra):
        for name in module.__all__:
            obj = getattr(module, name)
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
        if name in schedules.__all__:
            assert name in members, f"{name} missing from book/api.md"
    assert "automodule:: lrlab.schedules_extra" in page


def test_one_version_number():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1)
    assert lrlab.__version__ == version
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(version)}\b", changelog, re.M)
