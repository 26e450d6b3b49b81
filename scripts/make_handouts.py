"""Write the student notebooks and the teacher's pack from the chapter notebooks.

Usage: python scripts/make_handouts.py [--out DIR]      (default _build/html/editions)

Both editions are generated; never edit them by hand, change the chapter and
run ``make handouts`` again. Every notebook listed in ``_toc.yml`` is handed out.

**Student notebooks** (``student-notebooks/``, also zipped): each chapter with
its worked solutions removed and every output cleared. A solution is whatever
the MyST markers enclose, whatever the chapter says:

- a ``{solution}`` directive, inside one Markdown cell (colon or backtick fence,
  nested fences allowed);
- everything from a ``{solution-start}`` directive to its ``{solution-end}``,
  across cells (the gated form used when a solution runs code);
- any cell tagged ``solution``;
- and any code cell that reads a name only removed cells define (a hidden check
  on a solution's result would stop the student's run with a NameError).

The exercises and their ``check(...)`` cells stay. One cell is added after the
first cell that imports ``lrlab``: it calls ``lrlab.exercises.student_edition()``,
so a check says whether an answer is right but shows no number.

**Teacher's pack** (``teachers-pack/``, also zipped): the course plan, every
exercise with its worked solution, the classroom experiments with the outcome
the chapters stored (tables, figures, spreads across seeds, read from the stored
outputs, never retyped), and the chapter notebooks with their outputs.
"""

from __future__ import annotations

import argparse
import ast
import base64
import builtins
import codecs
import copy
import re
import shutil
import symtable
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import latexcodec  # noqa: F401 - registers the "ulatex" codec for author names
import nbformat
from editions import EDITIONS, ROOT, STUDENT_DIR, TEACHER_DIR, notebooks
from pybtex.database import parse_file

#: A directive's opening line: the fence, the directive's name and its argument.
DIRECTIVE = re.compile(r"^\s{0,3}(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
#: Any opening fence (directive or code block).
OPENER = re.compile(r"^\s{0,3}(?P<fence>:{3,}|`{3,})(?P<info>\S.*)?$")
#: A directive option line, ``:label: ex-01-limit``.
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
#: A code cell that imports lrlab: the student-edition switch goes after it.
IMPORTS_LRLAB = re.compile(r"^\s*(?:import lrlab\b|from lrlab\b)", re.M)
SOLUTION_TAG = "solution"
#: Outputs of myst-nb's glue() carry this MIME type; they are values, not output.
GLUE_MIME = "application/papermill.record/"
STUDENT_CELL_SOURCE = (
    "# Student edition: a check says whether your answer is right, without showing numbers.\n"
    "import lrlab.exercises\n"
    "\n"
    "lrlab.exercises.student_edition()"
)


class HandoutError(ValueError):
    """A chapter's solution markers do not pair up."""


@dataclass
class Exercise:
    """One exercise of a chapter and its worked solution.

    ``solution`` holds Markdown strings and code cells (with their stored
    outputs), in the order the chapter has them.
    """

    label: str
    title: str
    body: str
    solution: list[Any] = field(default_factory=list)

    @property
    def classroom(self) -> bool:
        """Classroom exercises are named so in their title (as on the Exercises page)."""
        return "classroom" in self.title.lower()


@dataclass
class Chapter:
    """A chapter split into its student edition and its exercises with solutions."""

    path: Path
    title: str
    student: Any
    exercises: list[Exercise]
    glued: dict[str, str]


@dataclass
class _Block:
    fence: str
    code: bool  # a code block: its lines are never fences


class _Splitter:
    """Walks a notebook once, line by line through its Markdown, cell by cell through code."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.mode = "keep"  # keep | solution | gated | start | end | exercise
        self.stack: list[_Block] = []
        self.exercises: dict[str, Exercise] = {}
        self.order: list[str] = []
        self.current: str | None = None  # label of the solution being read
        self.head = False  # reading a directive's option lines
        self.exercise_lines: list[str] = []
        self.exercise_title = ""
        self.gated_code: list[str] = []  # code fences open inside gated solution text

    def _fail(self, message: str) -> HandoutError:
        return HandoutError(f"{self.where}: {message}")

    def _solution(self, label: str) -> Exercise:
        if label not in self.exercises:
            # A solution before (or without) its exercise still belongs somewhere.
            self.exercises[label] = Exercise(label, label, "")
            self.order.append(label)
        return self.exercises[label]

    def _add_text(self, line: str) -> None:
        if self.current is None:
            return
        parts = self._solution(self.current).solution
        if parts and isinstance(parts[-1], str):
            parts[-1] += line + "\n"
        else:
            parts.append(line + "\n")

    def _nest(self, line: str) -> bool:
        """Track fences inside a directive; True when its own closing fence is reached."""
        top = self.stack[-1]
        bare = re.match(r"^\s{0,3}(:{3,}|`{3,})\s*$", line)
        if bare and bare.group(1)[0] == top.fence[0] and len(bare.group(1)) >= len(top.fence):
            self.stack.pop()
            return not self.stack
        opener = OPENER.match(line)
        if opener and not top.code:
            fence = opener.group("fence")
            info = opener.group("info") or ""
            self.stack.append(_Block(fence, fence[0] == "`" and not info.startswith("{")))
        return False

    def markdown(self, source: str) -> str:
        """The part of a Markdown cell students keep."""
        kept: list[str] = []
        for line in source.split("\n"):
            self._line(line, kept)
        directive = {"solution": "solution", "start": "solution-start", "end": "solution-end"}
        if self.mode in (*directive, "exercise"):
            name = directive.get(self.mode, self.mode)
            raise self._fail(f"a {{{name}}} directive is not closed in its cell")
        return _tidy("\n".join(kept))

    def _line(self, line: str, kept: list[str]) -> None:
        if self.mode == "keep":
            found = DIRECTIVE.match(line)
            name = found.group("name") if found else ""
            if name in ("solution", "solution-start"):
                self.mode = "solution" if name == "solution" else "start"
                self.stack = [_Block(found.group("fence"), False)]
                self.current = found.group("arg").strip() or f"unlabelled-{len(self.order)}"
                self._solution(self.current)
                self.head = True
            elif name == "solution-end":
                raise self._fail("{solution-end} without a {solution-start} before it")
            elif name == "exercise":
                self.mode = "exercise"
                self.stack = [_Block(found.group("fence"), False)]
                self.exercise_title = found.group("arg").strip()
                self.exercise_lines = []
                kept.append(line)
            else:
                kept.append(line)
        elif self.mode == "gated":
            found = DIRECTIVE.match(line)
            if found and found.group("name") == "solution-end" and not self.gated_code:
                self.mode = "end"
                self.stack = [_Block(found.group("fence"), False)]
            else:
                self._gated_line(line)
        elif self.mode == "exercise":
            kept.append(line)
            if self._nest(line):
                self._close_exercise()
            else:
                self.exercise_lines.append(line)
        else:  # inside a solution directive, or the head of solution-start / solution-end
            closed = self._nest(line)
            if self.head and not closed and OPTION.match(line):
                return
            self.head = False
            if not closed:
                if self.mode != "end":
                    self._add_text(line)
            elif self.mode == "start":
                self.mode, self.stack, self.gated_code = "gated", [], []
            else:
                self.mode, self.stack, self.current = "keep", [], None

    def _gated_line(self, line: str) -> None:
        # A "{solution-end}" written inside a code block of the solution is only text.
        fence = re.match(r"^\s{0,3}(`{3,})", line)
        if fence and not self.gated_code:
            self.gated_code.append(fence.group(1))
        elif (
            fence
            and line.strip() == fence.group(1)
            and len(fence.group(1)) >= len(self.gated_code[-1])
        ):
            self.gated_code.pop()
        self._add_text(line)

    def _close_exercise(self) -> None:
        self.mode = "keep"
        label = ""
        body: list[str] = []
        head = True
        for line in self.exercise_lines:
            option = OPTION.match(line) if head else None
            if option:
                label = option.group("value").strip() if option.group("key") == "label" else label
                continue
            head = False
            body.append(line)
        label = label or f"exercise-{len(self.order) + 1}"
        exercise = self.exercises.get(label)
        if exercise is None:
            exercise = self.exercises[label] = Exercise(label, "", "")
            self.order.append(label)
        exercise.title = self.exercise_title
        exercise.body = _tidy("\n".join(body))

    def code(self, cell: Any) -> bool:
        """Whether students keep this code cell."""
        if self.mode == "gated":
            self._solution(str(self.current)).solution.append(cell)
            return False
        return True

    def tagged(self, cell: Any) -> None:
        """A cell tagged as a solution belongs to the exercise before it."""
        if self.order:
            part = cell.source + "\n" if cell.cell_type == "markdown" else cell
            self._solution(self.current or self.order[-1]).solution.append(part)

    def finish(self) -> list[Exercise]:
        if self.mode == "gated":
            raise self._fail(f"{{solution-start}} {self.current} has no {{solution-end}}")
        return [self.exercises[label] for label in self.order]


def _tidy(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _glued(nb: Any) -> dict[str, str]:
    """Every value the notebook glued, as the text its stored output shows."""
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            data = output.get("data", {})
            text = data.get(f"{GLUE_MIME}text/plain", data.get("text/plain"))
            if name and text is not None:
                found[name] = text
    return found


def split_chapter(path: Path) -> Chapter:
    """Read a chapter notebook and split it into the student edition and its solutions."""
    nb = nbformat.read(path, as_version=4)
    where = str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    splitter = _Splitter(where)
    cells = []
    removed = []
    for cell in nb.cells:
        if SOLUTION_TAG in cell.get("metadata", {}).get("tags", []):
            splitter.tagged(cell)
            if cell.cell_type == "code":
                removed.append(cell.source)
        elif cell.cell_type == "markdown":
            text = splitter.markdown(cell.source)
            if text.strip():
                kept = copy.deepcopy(cell)
                kept.source = text
                cells.append(kept)
        elif cell.cell_type == "code":
            if splitter.code(cell):
                cells.append(_cleared(cell))
            else:
                removed.append(cell.source)
        else:
            cells.append(copy.deepcopy(cell))
    exercises = splitter.finish()
    cells = _without_dependents(cells, removed)
    heading = _title(nb) or path.stem
    metadata = {k: copy.deepcopy(v) for k, v in nb.metadata.items() if k != "widgets"}
    student = nbformat.v4.new_notebook(metadata=metadata)
    student.cells = _with_student_cells(cells, heading)
    return Chapter(path, heading, student, exercises, _glued(nb))


def _names(source: str) -> tuple[set[str], set[str]]:
    r"""The names a cell binds and the global names it reads.

    A function's parameters and locals are not read from elsewhere: only free
    names inside functions, classes and comprehensions count.

    Examples
    --------
    >>> bound, read = _names("def f(three):\n    return three + k\nx = [y for y in z]")
    >>> sorted(bound), sorted(read)
    (['f', 'x'], ['k', 'z'])
    """
    bound: set[str] = set()
    read: set[str] = set()
    try:
        table = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:  # IPython magics: not Python, and not used by the chapters
        return bound, read

    def visit(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            if scope.get_type() == "module":
                if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace():
                    bound.add(name)
                if symbol.is_referenced():
                    read.add(name)
            elif symbol.is_global() and symbol.is_referenced():
                read.add(name)
            elif symbol.is_declared_global() and symbol.is_assigned():
                bound.add(name)
        for child in scope.get_children():
            visit(child)

    visit(table)
    return bound, read


def _without_dependents(cells: list[Any], removed: list[str]) -> list[Any]:
    """Drop code cells that need what only a removed solution computes.

    A hidden cell after a solution may assert on the solution's results; in the
    student notebook it would stop the run with a NameError.
    """
    orphans = set().union(*(_names(source)[0] for source in removed))
    while True:
        code = [c for c in cells if c.cell_type == "code"]
        bound = set().union(*(_names(c.source)[0] for c in code))
        missing = orphans - bound - set(dir(builtins))
        dropped = [c for c in code if _names(c.source)[1] & missing]
        if not dropped:
            return cells
        cells = [c for c in cells if all(c is not d for d in dropped)]
        orphans |= set().union(*(_names(c.source)[0] for c in dropped))


def _title(nb: Any) -> str:
    """The notebook's first level-1 heading."""
    for cell in nb.cells:
        found = re.search(r"^# (.+)$", cell.source, re.M) if cell.cell_type == "markdown" else None
        if found:
            return found.group(1).strip()
    return ""


def _cleared(cell: Any) -> Any:
    kept = copy.deepcopy(cell)
    kept.outputs = []
    kept.execution_count = None
    kept.metadata.pop("execution", None)
    return kept


def _with_student_cells(cells: list[Any], title: str) -> list[Any]:
    note = nbformat.v4.new_markdown_cell(
        f"*Student edition of “{title}”: the exercises are here without their worked "
        "solutions. An auto-checked exercise tells you whether your answer is right.*"
    )
    note.id = "student-edition-note"
    switch = nbformat.v4.new_code_cell(STUDENT_CELL_SOURCE)
    switch.id = "student-edition-check"
    switch.metadata["tags"] = ["student-edition"]
    out = [note, *cells]
    # After the first import of lrlab; failing that, before the first check.
    for i, cell in enumerate(out):
        if cell.cell_type != "code":
            continue
        if IMPORTS_LRLAB.search(cell.source):
            out.insert(i + 1, switch)
            break
        if "check(" in cell.source:
            out.insert(i, switch)
            break
    return out


# --- the teacher's pack: MyST turned into plain Markdown -------------------------------

ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<text>[^`]*)`")


class _Citations:
    """Author-year labels for ``{cite}`` keys, read from the book's bibliography."""

    def __init__(self, bib: Path) -> None:
        self.entries = parse_file(str(bib)).entries if bib.exists() else {}

    def label(self, key: str) -> str:
        entry = self.entries.get(key)
        if entry is None:
            return key
        people = entry.persons.get("author", [])
        names = [codecs.decode(" ".join(p.last_names), "ulatex") for p in people]
        if not names:
            who = key
        elif len(names) <= 2:
            who = " and ".join(names)
        else:
            who = f"{names[0]} et al."
        # Braces protect capitals in BibTeX; they are not part of the name.
        who = who.replace("{", "").replace("}", "")
        return f"{who} {entry.fields.get('year', '')}".strip()


def plain_markdown(text: str, glued: dict[str, str], cites: _Citations) -> str:
    """MyST roles and directive fences of a solution as Markdown any viewer renders.

    Glued numbers are read from the notebook's stored outputs and formatted as the
    book formats them; citations become author-year; cross-references their text.
    """

    def role(match: re.Match[str]) -> str:
        name, inner = match.group("role"), match.group("text")
        if name.startswith("glue"):
            key, _, spec = inner.partition(":")
            return _format_glued(glued.get(key.strip()), spec) or inner
        if name == "cite" or name.startswith("cite:"):
            return "(" + "; ".join(cites.label(k.strip()) for k in inner.split(",")) + ")"
        if name == "math":
            return f"${inner}$"
        return re.sub(r"\s*<[^>]*>\s*$", "", inner)

    text = ROLE.sub(role, text)
    # Links to other pages of the book do not travel with the pack; their text does.
    text = re.sub(r"\[([^\]]+)\]\((?!https?:|#)[^)]*\)", r"\1", text)
    lines = []
    for line in text.split("\n"):
        found = DIRECTIVE.match(line)
        if found:
            arg = found.group("arg").strip()
            lines.append(f"**{found.group('name').capitalize()}{': ' + arg if arg else ''}**")
        elif re.match(r"^\s{0,3}:{3,}\s*$", line) or OPTION.match(line):
            continue
        else:
            lines.append(line)
    return _tidy("\n".join(lines))


def _format_glued(text: str | None, spec: str) -> str:
    if text is None:
        return ""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text.strip("'\"")
    try:
        return format(value, spec) if spec else str(value)
    except (TypeError, ValueError):
        return str(value)


@dataclass
class _Writer:
    """Collects one Markdown file of the pack and the figures it refers to."""

    folder: Path
    glued: dict[str, str] = field(default_factory=dict)
    cites: _Citations | None = None
    lines: list[str] = field(default_factory=list)
    figures: int = 0

    def text(self, markdown: str) -> None:
        assert self.cites is not None
        self.lines += [plain_markdown(markdown, self.glued, self.cites), ""]

    def cell(self, cell: Any, stem: str) -> bool:
        """The cell's code and what it printed; True if it stored any output."""
        self.lines += ["```python", cell.source.rstrip(), "```", ""]
        shown = False
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") == "stream":
                self.lines += ["```text", output["text"].rstrip("\n"), "```", ""]
                shown = True
            elif "image/png" in data:
                self.figures += 1
                name = f"figures/{stem}-{self.figures}.png"
                (self.folder / name).parent.mkdir(parents=True, exist_ok=True)
                (self.folder / name).write_bytes(base64.b64decode(data["image/png"]))
                alt = output.get("metadata", {}).get("alt", "") or "figure"
                self.lines += [f"![{alt}]({name})", ""]
                shown = True
            elif "text/plain" in data and not any(k.startswith(GLUE_MIME) for k in data):
                self.lines += ["```text", data["text/plain"].rstrip("\n"), "```", ""]
                shown = True
        return shown

    def write(self, name: str) -> None:
        (self.folder / name).write_text(_tidy("\n".join(self.lines)) + "\n", encoding="utf-8")


def _solution(writer: _Writer, exercise: Exercise, stem: str) -> bool:
    shown = False
    for part in exercise.solution:
        if isinstance(part, str):
            writer.text(part)
        else:
            shown = writer.cell(part, stem) or shown
    return shown


def teachers_pack(chapters: list[Chapter], folder: Path) -> None:
    """Write the pack: README, course plan, solutions, classroom experiments, notebooks."""
    cites = _Citations(ROOT / "book" / "references.bib")
    solutions = _Writer(folder, cites=cites)
    classroom = _Writer(folder, cites=cites)
    solutions.lines += ["# Solutions to the exercises", ""]
    classroom.lines += [
        "# Classroom experiments: what the class should find",
        "",
        "Each experiment as the students get it, then the outcome the chapter stored when it",
        "was last executed: its tables and figures, and the spread across seeds where the",
        "experiment uses seeds. Groups' numbers will differ by about that spread.",
        "",
    ]
    number = 0
    for chapter in chapters:
        if not chapter.exercises:
            continue
        for writer in (solutions, classroom):
            writer.glued = chapter.glued
        solutions.lines += [f"## {chapter.title}", ""]
        for exercise in chapter.exercises:
            number += 1
            stem = f"{chapter.path.stem}-{exercise.label}"
            solutions.lines += [f"### Exercise {number}: {exercise.title}", ""]
            solutions.text(exercise.body)
            solutions.lines += ["**Solution.**", ""]
            _solution(solutions, exercise, stem)
            if exercise.classroom:
                classroom.lines += [f"## {exercise.title}", "", f"*{chapter.title}*", ""]
                classroom.text(exercise.body)
                classroom.lines += ["**What the class should find.**", ""]
                if not _solution(classroom, exercise, f"class-{stem}"):
                    classroom.lines += [
                        "*The chapter stores no run of this experiment: the outcome above",
                        "is described, not computed. Run the solution's code to get numbers.*",
                        "",
                    ]
    solutions.write("solutions.md")
    classroom.write("classroom_experiments.md")
    plan = (ROOT / "book" / "course_plan.md").read_text(encoding="utf-8")
    names = {chapter.path.name for chapter in chapters}
    # Links to chapters open the teacher's copy of the notebook; other pages become text.
    plan = re.sub(
        r"\[([^\]]+)\]\((?!https?:)([^)#]+)(#[^)]*)?\)",
        lambda m: f"[{m.group(1)}](notebooks/{m.group(2)})" if m.group(2) in names else m.group(1),
        plan,
    )
    plan = re.sub(r'<a href="(?!https?:)[^"]*">(.*?)</a>', r"\1", plan, flags=re.S)
    (folder / "course_plan.md").write_text(plan, encoding="utf-8")
    (folder / "notebooks").mkdir(exist_ok=True)
    for chapter in chapters:
        shutil.copy2(chapter.path, folder / "notebooks" / chapter.path.name)
    (folder / "README.md").write_text(README.format(count=number), encoding="utf-8")


README = """# LR Lab: the teacher's pack

Generated from the chapter notebooks by `make handouts`; do not edit, regenerate.

- `course_plan.md`: five two-hour sessions, with the question, exercises and
  classroom experiment of each.
- `solutions.md`: all {count} exercises with their worked solutions and the output
  of the solutions' code.
- `classroom_experiments.md`: each classroom experiment with the outcome the chapter
  computed: tables, figures and the spread across seeds.
- `notebooks/`: the chapters with solutions and stored outputs, as in the book.

The students' notebooks (`student-notebooks.zip`) are the same chapters without
the solutions. Their auto-checked exercises call `lrlab.exercises.check`, which in
the student edition says only "Correct." or "Not yet.": no number, and no hint
whether an answer is too large or too small.
"""


def _zip(folder: Path, archive: Path) -> None:
    """A zip of ``folder`` whose bytes depend only on its files (fixed dates, sorted)."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}")
            info.date_time = (2026, 1, 1, 0, 0, 0)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, path.read_bytes())


def build(out: Path) -> tuple[int, int]:
    """Write both editions under ``out``; return the number of notebooks and exercises."""
    chapters = [split_chapter(path) for path in notebooks()]
    student_dir, teacher_dir = out / STUDENT_DIR, out / TEACHER_DIR
    for folder in (student_dir, teacher_dir):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for chapter in chapters:
        nbformat.validate(chapter.student)
        nbformat.write(chapter.student, student_dir / chapter.path.name)
    teachers_pack(chapters, teacher_dir)
    for folder in (student_dir, teacher_dir):
        _zip(folder, out / f"{folder.name}.zip")
    return len(chapters), sum(len(c.exercises) for c in chapters)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EDITIONS)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        count, exercises = build(args.out)
    except HandoutError as error:
        print(f"make handouts: {error}")
        return 1
    seconds = time.perf_counter() - start
    print(
        f"Wrote {count} student notebooks and the teacher's pack ({exercises} exercises) "
        f"to {args.out} in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
