"""The book's other editions: student notebooks, the teacher's pack and the PDF.

The solution-free checks read the chapters listed in ``_toc.yml`` with a scanner
of their own (simpler than the one in ``scripts/make_handouts.py``), so a marker
the script misreads shows up as solution text left in a student notebook.
"""

from __future__ import annotations

import builtins
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import editions  # noqa: E402
import make_handouts  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
#: Solution lines shorter than this are too generic to be evidence of a leak.
MIN_LINE = 20


# --- a small notebook with every solution form ----------------------------------------


def _notebook(*cells: tuple[str, str] | tuple[str, str, list[str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source, *tags in cells:
        make = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        cell = make(source)
        if tags:
            cell.metadata["tags"] = tags[0]
        if kind == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="stored output\n")]
        nb.cells.append(cell)
    return nb


TRICKY = _notebook(
    ("code", "# install on Colab", ["remove-cell"]),
    ("md", "# 7. A test chapter\n\nSome text."),
    ("code", "import numpy as np\nfrom lrlab.exercises import check"),
    (
        "md",
        "## Exercises\n\n:::{exercise} First one\n:label: ex-a\n\nQuestion A?\n:::\n\n"
        "::::{solution} ex-a\n:class: dropdown\n\nSECRET directive text.\n\n"
        ":::{note}\nSECRET nested note.\n:::\n\n```python\nSECRET_CODE_BLOCK = 1\n```\n"
        "::::\n\nText after the first solution.",
    ),
    ("code", 'answer = None\ncheck("max-stable-lr", answer, a=5)'),
    (
        "md",
        ":::{exercise} Second one\n:label: ex-b\n\nQuestion B?\n:::\n\n"
        ":::{solution-start} ex-b\n:class: dropdown\n:::\n\nSECRET gated text.",
    ),
    ("code", "SECRET_GATED_CODE = 2"),
    ("md", "SECRET more gated text.\n\n```text\n:::{solution-end}\n```"),
    ("code", "SECRET_GATED_ASSERT = 3", ["remove-cell"]),
    (
        "md",
        ":::{solution-end}\n:::\n\n```{exercise} Third one\n:label: ex-c\n\nQuestion C?\n```\n\n"
        "```{solution} ex-c\n:class: dropdown\nSECRET backtick solution.\n```",
    ),
    ("code", "SECRET_TAGGED = 4", ["solution"]),
    # a hidden check on a solution's result cannot run without the solution
    ("code", "assert SECRET_GATED_CODE == 2", ["remove-cell"]),
    ("md", "## Summary\n\nThe end."),
)


@pytest.fixture
def tricky(tmp_path: Path) -> make_handouts.Chapter:
    path = tmp_path / "07_test.ipynb"
    nbformat.write(TRICKY, path)
    return make_handouts.split_chapter(path)


def _text(nb: nbformat.NotebookNode) -> str:
    return json.dumps(nb, ensure_ascii=False)


def test_every_solution_form_is_removed(tricky: make_handouts.Chapter) -> None:
    text = _text(tricky.student)
    assert "SECRET" not in text
    assert "{solution" not in text
    for kept in ("Question A?", "Question B?", "Question C?", "Text after the first solution."):
        assert kept in text
    assert "## Summary" in text and "# install on Colab" in text
    assert all(not c.get("outputs") for c in tricky.student.cells if c.cell_type == "code")


def test_check_cells_stay_and_the_student_switch_follows_the_import(tricky) -> None:
    sources = [c.source for c in tricky.student.cells if c.cell_type == "code"]
    switch = sources.index(make_handouts.STUDENT_CELL_SOURCE)
    assert "from lrlab.exercises import check" in sources[switch - 1]
    assert any(s.startswith("answer = None") for s in sources[switch:])
    nbformat.validate(tricky.student)


def test_solutions_are_collected_with_their_exercise(tricky) -> None:
    by_label = {e.label: e for e in tricky.exercises}
    assert [e.title for e in tricky.exercises] == ["First one", "Second one", "Third one"]
    first = "".join(p for p in by_label["ex-a"].solution if isinstance(p, str))
    assert "SECRET directive text." in first and "SECRET_CODE_BLOCK" in first
    assert ":class:" not in first
    gated = by_label["ex-b"].solution
    assert [p.source for p in gated if not isinstance(p, str)] == [
        "SECRET_GATED_CODE = 2",
        "SECRET_GATED_ASSERT = 3",
    ]
    assert ":::{solution-end}" in "".join(p for p in gated if isinstance(p, str))
    third = by_label["ex-c"].solution
    assert "SECRET backtick solution." in third[0]
    assert third[-1].source == "SECRET_TAGGED = 4"


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            [("md", ":::{solution-start} ex-x\n:::\n\ntext")],
            r"\{solution-start\} ex-x has no \{solution-end\}",
        ),
        ([("md", ":::{solution-end}\n:::")], r"\{solution-end\} without a \{solution-start\}"),
        ([("md", ":::{solution} ex-x\ntext")], r"a \{solution\} directive is not closed"),
    ],
)
def test_unpaired_markers_name_the_notebook(tmp_path, cells, message) -> None:
    path = tmp_path / "broken.ipynb"
    nbformat.write(_notebook(*cells), path)
    with pytest.raises(make_handouts.HandoutError, match=rf"broken\.ipynb: {message}"):
        make_handouts.split_chapter(path)


def test_glued_values_are_formatted_as_the_book_does() -> None:
    cites = make_handouts._Citations(ROOT / "book" / "references.bib")
    text = make_handouts.plain_markdown(
        "{glue:text}`x:.2f` and {glue:text}`n` per {cite}`zhang2019nqm`, see {ref}`this <ex-1>`",
        {"x": "0.123456", "n": "7"},
        cites,
    )
    assert text == "0.12 and 7 per (Zhang et al. 2019), see this"


# --- the real chapters -----------------------------------------------------------------


@pytest.fixture(scope="module")
def handouts() -> Iterator[Path]:
    out = Path(tempfile.mkdtemp(prefix="lrlab-handouts-"))
    try:
        make_handouts.build(out)
        yield out
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _solution_lines(nb: nbformat.NotebookNode) -> tuple[set[str], set[str]]:
    """Lines inside solutions, and lines outside them, by plain scanning."""
    inside: set[str] = set()
    outside: set[str] = set()
    gated = False
    for cell in nb.cells:
        in_directive = False
        for line in cell.source.splitlines():
            line = line.strip()
            if "{solution-start}" in line:
                gated = True
            elif "{solution-end}" in line:
                gated = False
            elif re.match(r"^(:{3,}|`{3,})\{solution\}", line):
                in_directive = True
            elif in_directive and re.fullmatch(r":{3,}|`{3,}", line):
                in_directive = False
            elif cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
                inside.add(line)
            else:
                (inside if gated or in_directive else outside).add(line)
    return inside, outside


@pytest.mark.parametrize("path", editions.notebooks(), ids=lambda p: p.stem)
def test_student_notebook_has_no_solution_text(handouts: Path, path: Path) -> None:
    chapter = nbformat.read(path, as_version=4)
    student = nbformat.read(handouts / editions.STUDENT_DIR / path.name, as_version=4)
    inside, outside = _solution_lines(chapter)
    text = "\n".join(c.source for c in student.cells)
    leaked = [line for line in inside - outside if len(line) >= MIN_LINE and line in text]
    assert not leaked, f"{path.name}: solution text in the student notebook: {leaked[:3]}"
    assert "{solution" not in text
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    assert "widgets" not in student.metadata
    # every exercise and every check cell outside the solutions is handed out
    exercises = re.findall(r"\{exercise\}.*", "\n".join(c.source for c in chapter.cells))
    assert re.findall(r"\{exercise\}.*", text) == exercises
    checks = [c.source for c in chapter.cells if c.cell_type == "code" and "answer = " in c.source]
    assert all(source in text for source in checks)


def _names(sources: list[str]) -> tuple[set[str], set[str]]:
    """Names the cells bind and global names they read."""
    bound: set[str] = set()
    read: set[str] = set()
    for source in sources:
        b, r = make_handouts._names(source)
        bound |= b
        read |= r
    return bound, read


def test_a_parameter_is_not_a_name_read_from_another_cell() -> None:
    source = "def f(three, *rest, k=1):\n    g = [three for _ in rest]\n    return g, k, h\n"
    bound, read = make_handouts._names(source)
    assert bound == {"f"}
    assert read == {"h"}
    kept = [{"cell_type": "code", "source": source}]
    solution = "three = 3\n"
    cells = [nbformat.from_dict(c) for c in kept]
    assert make_handouts._without_dependents(cells, [solution]) == cells


@pytest.mark.parametrize("path", editions.notebooks(), ids=lambda p: p.stem)
def test_student_notebook_needs_nothing_only_a_solution_defines(handouts, path) -> None:
    chapter = nbformat.read(path, as_version=4)
    student = nbformat.read(handouts / editions.STUDENT_DIR / path.name, as_version=4)
    kept = [c.source for c in student.cells if c.cell_type == "code"]
    removed = [c.source for c in chapter.cells if c.cell_type == "code" and c.source not in kept]
    kept_bound, kept_read = _names(kept)
    removed_bound, _ = _names(removed)
    missing = (kept_read & removed_bound) - kept_bound - set(dir(builtins))
    assert not missing, f"{path.name}: student cells read names only solutions define: {missing}"


def test_every_notebook_in_the_table_of_contents_is_handed_out(handouts: Path) -> None:
    names = sorted(p.name for p in (handouts / editions.STUDENT_DIR).glob("*.ipynb"))
    assert names == sorted(p.name for p in editions.notebooks())
    assert (handouts / f"{editions.STUDENT_DIR}.zip").stat().st_size > 0


def test_teachers_pack_has_every_solution_and_the_stored_classroom_outcomes(handouts) -> None:
    pack = handouts / editions.TEACHER_DIR
    solutions = (pack / "solutions.md").read_text(encoding="utf-8")
    classroom = (pack / "classroom_experiments.md").read_text(encoding="utf-8")
    assert (pack / "course_plan.md").exists() and (pack / "README.md").exists()
    for path in editions.notebooks():
        assert (pack / "notebooks" / path.name).read_bytes() == path.read_bytes()
        for exercise in make_handouts.split_chapter(path).exercises:
            assert f": {exercise.title}\n" in solutions
            if not exercise.classroom:
                continue
            assert f"## {exercise.title}\n" in classroom
            # the outcome is the chapter's stored output, copied, not retyped
            for part in exercise.solution:
                for output in getattr(part, "outputs", []):
                    if output.get("output_type") == "stream":
                        assert output["text"].rstrip("\n") in classroom
    assert "{glue" not in solutions + classroom and "{cite}" not in solutions + classroom


@pytest.mark.slow
@pytest.mark.parametrize("path", editions.notebooks(), ids=lambda p: p.stem)
def test_student_notebook_runs_to_its_first_exercise(handouts: Path, path: Path) -> None:
    """Run every cell up to the first exercise's check; the verdict shows no number."""
    from nbclient import NotebookClient

    nb = nbformat.read(handouts / editions.STUDENT_DIR / path.name, as_version=4)
    first = next(
        (i for i, c in enumerate(nb.cells) if "{exercise}" in c.source),
        len(nb.cells),
    )
    check = next(
        (i for i in range(first, len(nb.cells)) if "check(" in nb.cells[i].source),
        first - 1,
    )
    nb.cells = nb.cells[: check + 1]
    folder = handouts / editions.STUDENT_DIR
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(folder)}}).execute()
    if check >= first:
        verdict = "".join(o.get("text", "") for o in nb.cells[check].outputs)
        assert verdict.startswith("No answer yet"), verdict
        assert not re.search(r"\d", verdict), verdict


@pytest.mark.parametrize("page", ["book/intro.md", "book/course_plan.md"])
def test_front_page_and_course_plan_link_the_files_the_scripts_write(page: str) -> None:
    source = ROOT / page
    # Built pages sit in the site as their source sits in the repository.
    built = editions.HTML / Path(page).with_suffix(".html")
    folder = Path(os.path.relpath(editions.EDITIONS, built.parent)).as_posix()
    written = {
        f"{folder}/{editions.PDF_NAME}",
        f"{folder}/{editions.STUDENT_DIR}.zip",
        f"{folder}/{editions.TEACHER_DIR}.zip",
    }
    links = set(re.findall(r'href="([^"]*editions/[^"]*)"', source.read_text(encoding="utf-8")))
    assert links == written


# --- the PDF ---------------------------------------------------------------------------


def _skip(why: str) -> None:
    message = f"Skipped the PDF test: {why}. To enable it: sudo apt-get install chromium."
    warnings.warn(message, UserWarning, stacklevel=2)
    pytest.skip(message)


@pytest.fixture(scope="module")
def pdf() -> Iterator[tuple[Path, Path]]:
    """The book built into a temporary folder and printed: (the PDF, the HTML)."""
    if not CHROMIUM.exists():
        _skip(f"Chromium is not installed at {CHROMIUM}")
    pytest.importorskip("playwright.sync_api")
    if not (ROOT / ".jsdeps" / "static").exists():
        _skip("the bundled MathJax is missing; run make book once")
    out = Path(tempfile.mkdtemp(prefix="lrlab-pdf-"))
    try:
        bin_dir = Path(sys.executable).parent
        book = [bin_dir / "jupyter-book", "build", ".", "-W", "--keep-going", "--path-output"]
        result = subprocess.run(
            [*book, str(out)], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"the book does not build:\n{result.stdout[-4000:]}"
        html = out / "_build" / "html"
        target = out / "lrlab.pdf"
        script = [sys.executable, str(ROOT / "scripts" / "build_pdf.py")]
        result = subprocess.run(
            [*script, "--html", str(html), "--out", str(target)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"make pdf failed:\n{result.stdout}\n{result.stderr}"
        yield target, html
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _titles() -> list[str]:
    """The first heading of every page in _toc.yml, as the book shows it."""
    titles = []
    for doc in editions.documents():
        source = doc.source()
        if source.suffix == ".ipynb":
            cells = nbformat.read(source, 4).cells
            text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
        else:
            text = source.read_text(encoding="utf-8")
        found = re.search(r"^# (.+)$", text, re.M)
        assert found, f"{source} has no title"
        titles.append(re.sub(r"[`*]", "", found.group(1)).strip())
    return titles


def _squash(text: str) -> str:
    """Text without spaces, its ligatures (the PDF's "ﬁ") spelled out."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("’", "'")


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_has_every_chapter_in_order_with_working_links(pdf) -> None:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    path, html = pdf
    reader = PdfReader(path)
    pages = [_squash(page.extract_text()) for page in reader.pages]
    titles = _titles()
    assert len(titles) + 3 <= len(reader.pages) <= 500, len(reader.pages)
    assert 1e6 < path.stat().st_size < 40e6, path.stat().st_size
    # One bookmark per page of _toc.yml, in order, then the appendix; each opens
    # the page that carries its title.
    bookmarks = [
        (o.title, reader.get_destination_page_number(o))
        for o in reader.outline
        if not isinstance(o, list)
    ]
    expected = ["Contents", *titles, "Solutions to the exercises"]
    assert [_squash(t) for t, _ in bookmarks] == [_squash(t) for t in expected]
    starts = [page for _, page in bookmarks]
    assert starts == sorted(starts)
    for title, page in bookmarks:
        assert _squash(title) in pages[page], f"{title!r} is not on page {page}"
    # The contents give each page's printed number: the page's index in the file,
    # since the title page comes first and the numbering starts after it.
    rows, part = [], ""
    for doc, (title, page) in zip(editions.documents(), bookmarks[1:], strict=False):
        if doc.part != part:
            part = doc.part
            rows.append(part)
        rows.append(f"{title}{page}")
    rows += ["Appendix", f"Solutions to the exercises{bookmarks[-1][1]}"]
    assert _squash("".join(rows)) in pages[1]
    # Internal links point at destinations that exist.
    names = set(reader.named_destinations)
    links = [
        annot.get_object()
        for page in reader.pages
        for annot in page.get("/Annots", [])
        if annot.get_object().get("/Subtype") == "/Link"
    ]
    internal = [a["/Dest"] for a in links if "/Dest" in a]
    assert len(internal) > 100
    assert set(internal) <= names
    # Math is typeset (no TeX source left) and every figure of the site is printed.
    assert not any("\\frac" in page or "\\(" in page for page in pages)
    images = sum(len(page.images) for page in reader.pages)
    figures = 0
    for doc in editions.documents():
        text = (html / f"{doc.name}.html").read_text(encoding="utf-8")
        article = text.split('<article class="bd-article">', 1)[-1].split("</article>", 1)[0]
        figures += article.count("<img ")
    assert images == figures


@pytest.mark.slow
@pytest.mark.browser
def test_no_pdf_page_has_text_wider_than_its_text_area(pdf) -> None:
    import build_pdf
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTChar, LTPage

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    path, _ = pdf
    mm = 72 / 25.4
    left = build_pdf.MARGIN["left"] * mm - 1
    overflow = []

    def chars(item):
        if isinstance(item, LTChar):
            yield item
        elif hasattr(item, "__iter__"):
            for child in item:
                yield from chars(child)

    for number, page in enumerate(extract_pages(path)):
        assert isinstance(page, LTPage)
        right = page.width - build_pdf.MARGIN["right"] * mm + 1
        for char in chars(page):
            if char.get_text().strip() and (char.x0 < left or char.x1 > right):
                overflow.append(f"page {number}: {char.get_text()!r} at x = {char.x1:.1f}")
    assert not overflow, "\n".join(overflow[:20])
