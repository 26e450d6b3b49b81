"""The book's structure: every chapter exists and keeps the chapter contract's checkable parts."""

import re
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def _chapters():
    return [f for f in _toc_files() if re.match(r"book/\d\d_", f)]


def _read(name):
    return nbformat.read(ROOT / f"{name}.ipynb", as_version=4)


def _tags(cell):
    return set(cell.metadata.get("tags", []))


def test_every_toc_entry_exists():
    for name in _toc_files():
        matches = [p for p in (ROOT / f"{name}.md", ROOT / f"{name}.ipynb") if p.exists()]
        assert matches, f"{name} is in _toc.yml but no .md or .ipynb exists"


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(_chapters())
    on_disk = {f"book/{p.stem}" for p in (ROOT / "book").glob("[0-9][0-9]_*.ipynb")}
    assert on_disk == listed


CHAPTERS = _chapters()


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_contract(name):
    nb = _read(name)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert re.search(r"objectives", markdown, re.I), "no learning objectives"
    assert "$$" in markdown, "no displayed formula"
    tables = [
        c for c in code if "print_table" in c.source and "nbval-ignore-output" not in _tags(c)
    ]
    assert tables, "no strictly compared table cell"
    exercises = re.findall(r":label: (ex-[\w-]+)", markdown)
    assert len(exercises) >= 3, "fewer than three exercises"
    for label in exercises:
        assert re.search(rf"\{{solution(-start)?\}} {label}\b", markdown), (
            f"{label} has no solution"
        )
    assert re.search(r"\{solution(-start)?\}[^\n]*\n:class: dropdown", markdown), (
        "solutions not in drop-downs"
    )
    assert any('check("' in c.source for c in code), "no auto-checked exercise"
    assert re.search(r"classroom", markdown, re.I), "no classroom exercise"
    assert any("glue(" in c.source for c in code) and "{glue:" in markdown, "no glued number"
    assert "{cite}" in markdown, "no citation"


@pytest.mark.parametrize("name", CHAPTERS)
def test_ignored_outputs_are_explained(name):
    for cell in _read(name).cells:
        if cell.cell_type != "code" or "nbval-ignore-output" not in _tags(cell):
            continue
        is_widget = ".show()" in cell.source or "explorer" in cell.source.lower()
        assert is_widget or "machine-dependent" in _tags(cell), (
            "nbval-ignore-output on a cell that is neither an explorer nor tagged "
            f"machine-dependent:\n{cell.source}"
        )


@pytest.mark.parametrize("name", CHAPTERS)
def test_stored_outputs_are_complete(name):
    nb = _read(name)
    for cell in nb.cells:
        assert "id" in cell
        if cell.cell_type != "code" or "nbval-skip" in _tags(cell):
            continue
        assert cell.execution_count is not None, f"unexecuted cell:\n{cell.source}"
        for out in cell.outputs:
            assert out.output_type != "error", f"stored error in:\n{cell.source}"
            if "image/png" in out.get("data", {}):
                alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt")
                assert alt, f"figure without alt text in:\n{cell.source}"


def test_exercise_index_lists_every_exercise():
    sys.path.insert(0, str(ROOT / "scripts"))
    import exercise_index

    page = (ROOT / "book" / "exercises.md").read_text(encoding="utf-8")
    assert page == exercise_index.render(), "run: python scripts/exercise_index.py"
    for name in CHAPTERS:
        _, items = exercise_index.exercises(ROOT / f"{name}.ipynb")
        assert items and all(f"<{label}>" in page for label, _, _ in items)


def test_repository_address_is_set_in_one_place_without_placeholders():
    sys.path.insert(0, str(ROOT / "scripts"))
    import colab_cell

    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "example.org" not in config and "example.com" not in config
    url = colab_cell.repository_url()
    assert url == "" or re.fullmatch(r"https://[\w.-]+/[\w.-]+/[\w.-]+", url)
    notebooks = [f for f in _toc_files() if (ROOT / f"{f}.ipynb").exists()]
    for name in notebooks:
        first = _read(name).cells[0]
        assert first.source == colab_cell.cell_source(url), (
            f"{name}: the Colab cell does not match repository.url; run `make notebooks`"
        )
        assert set(first.metadata.get("tags", [])) == {"remove-cell", "nbval-skip"}
