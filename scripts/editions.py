"""What the PDF and the handouts share: the book's reading order and where editions go.

The chapters are read from ``_toc.yml``, so a chapter added there is printed and
handed out without touching these scripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: The built HTML book.
HTML = ROOT / "_build" / "html"
#: Where ``make pdf`` and ``make handouts`` write, inside the built site so the
#: front page can link to them (``book/intro.md`` links ``../editions/...``).
EDITIONS = HTML / "editions"
PDF_NAME = "lrlab.pdf"
STUDENT_DIR = "student-notebooks"
TEACHER_DIR = "teachers-pack"


@dataclass(frozen=True)
class Document:
    """One entry of the table of contents.

    Attributes
    ----------
    name : str
        Sphinx document name, e.g. ``"book/01_constant_lr"``.
    part : str
        Caption of the part the entry sits in (``""`` for the root page).
    """

    name: str
    part: str

    def source(self, root: Path = ROOT) -> Path:
        """The notebook or Markdown file this document is built from."""
        for suffix in (".ipynb", ".md"):
            path = root / f"{self.name}{suffix}"
            if path.exists():
                return path
        raise FileNotFoundError(f"no .ipynb or .md source for {self.name!r} under {root}")


def _entries(items: list[dict[str, Any]], part: str) -> list[Document]:
    found: list[Document] = []
    for item in items:
        if "file" in item:
            name = str(item["file"]).removesuffix(".ipynb").removesuffix(".md")
            found.append(Document(name, part))
        found.extend(_entries(item.get("sections", []), part))
    return found


def documents(root: Path = ROOT) -> list[Document]:
    """Every page of the book in reading order, read from ``_toc.yml``.

    Examples
    --------
    >>> docs = documents()
    >>> docs[0].part, docs[0].name.endswith("intro")
    ('', True)
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found = [Document(str(toc["root"]).removesuffix(".md"), "")]
    for part in toc.get("parts", []):
        found.extend(_entries(part.get("chapters", []), str(part.get("caption", ""))))
    found.extend(_entries(toc.get("chapters", []), ""))
    return found


def notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks of the book, in reading order."""
    paths = [doc.source(root) for doc in documents(root)]
    return [path for path in paths if path.suffix == ".ipynb"]
