"""Print the whole book to one PDF from the built HTML, with headless Chromium.

Usage: python scripts/build_pdf.py [--html DIR] [--out PATH]   (after ``jupyter-book build``)

The pages listed in ``_toc.yml`` are joined into one HTML document
(``_build/pdf/book.html``): a title page, a table of contents, every page's
article in reading order, and an appendix with the solutions to the exercises.
Chromium prints that one document, so links between pages become links inside
the PDF. Printing page by page and merging the PDFs would leave every link to
another page pointing at an HTML file.

How the static pages are turned into print:

- Math is typeset by the book's own MathJax before printing.
- An explorer's cell output carries a ``div.lrlab-explorer-spec`` block (written
  by ``lrlab.widgets``); of that output only its ``<img>`` is printed: the
  figure lrlab drew at the explorer's starting values. No page script runs, so
  the explorer JavaScript is never involved.
- Solutions (sphinx-exercise ``div.solution``) move to the appendix; each
  exercise keeps a link to its solution, which links back.
- Navigation, launch buttons and controls are not part of the articles;
  ``book/static/lrlab-print.css`` hides what is left (header links, copy buttons).

Chromium cannot number pages in a table of contents, so the document is printed
twice: the first print's named destinations tell on which page each chapter and
solution starts, and the second print carries those numbers. The title page is
printed on its own and put in front with pypdf, which also writes the bookmarks
(every page and its sections) and page labels matching the printed numbers.
Before printing, the layout is checked at the width of the printed text: an
element wider than the page, or clipped by its box, stops the build.

``--html`` prints another build (the tests print one made in a temporary folder).
"""

from __future__ import annotations

import argparse
import html
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup, Tag
from editions import EDITIONS, HTML, PDF_NAME, ROOT, documents
from pypdf import PdfReader, PdfWriter

# pypdf warns that Chromium's PDFs declare one object too few in their trailer; harmless.
logging.getLogger("pypdf").setLevel(logging.ERROR)

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PRINT_CSS = ROOT / "book" / "static" / "lrlab-print.css"
#: A4 paper and its margins, in millimetres.
PAPER = (210, 297)
MARGIN = {"top": 16, "bottom": 18, "left": 16, "right": 16}
PAGE = {
    "width": f"{PAPER[0]}mm",
    "height": f"{PAPER[1]}mm",
    "margin": {side: f"{mm}mm" for side, mm in MARGIN.items()},
}
#: Width of the printed text in CSS pixels (96 per inch), for the overflow check.
TEXT_WIDTH_PX = round((PAPER[0] - MARGIN["left"] - MARGIN["right"]) * 96 / 25.4)
FOOTER = (
    '<div style="width:100%;font-size:8pt;color:#555;text-align:center;'
    'font-family:sans-serif"><span class="pageNumber"></span></div>'
)
#: Stand-in for a page number in the first print: as wide as a three-digit number.
PLACEHOLDER = "000"


@dataclass
class Chapter:
    """One page of the book, cut out of its HTML and ready to join the others."""

    name: str
    part: str
    anchor: str
    title: str
    title_html: str
    body: Tag
    solutions: list[Tag] = field(default_factory=list)


def anchor_of(name: str) -> str:
    """The id a page's content gets in the joined document.

    Examples
    --------
    >>> anchor_of("book/01_constant_lr")
    'book-01_constant_lr'
    """
    return name.replace("/", "-")


def _file_url(path: Path) -> str:
    return path.resolve().as_uri()


def _target(name: str, href: str, names: set[str]) -> str | None:
    """Where a link of page ``name`` points in the joined document.

    ``"#id"`` for a page of the book (``None`` for files outside it), the href
    itself for links leaving the book.
    """
    url = urlsplit(href)
    if url.scheme or url.netloc:
        return href
    page = name
    if url.path:
        joined = PurePosixPath(name).parent / unquote(url.path)
        parts: list[str] = []
        for part in joined.parts:
            if part == "..":
                if parts:
                    parts.pop()
            elif part != ".":
                parts.append(part)
        page = "/".join(parts).removesuffix(".html")
        if page not in names:
            return None
    fragment = unquote(url.fragment)
    return f"#{anchor_of(page)}--{fragment}" if fragment else f"#{anchor_of(page)}"


def _explorer_figures(body: Tag, page: Path) -> None:
    """Keep only the stored figure of every explorer's cell output."""
    for block in body.select(".lrlab-explorer-spec"):
        output = block.find_parent(class_="cell_output")
        figure = None if output is None else output.find("img", recursive=False)
        if figure is None and output is not None:
            # Sphinx links a figure shown below its full size to the full-size file.
            link = output.find("a", class_="image-reference", recursive=False)
            if link is not None and link.find("img", recursive=False) is not None:
                figure = link.find("img", recursive=False)
                link.unwrap()
        if figure is None:
            raise ValueError(
                f"{page}: an explorer's output has no stored <img> to print; the PDF "
                "prints the figure lrlab draws at the explorer's starting values"
            )
        # The page loads this figure only on demand (it draws its own); print loads it now.
        figure.attrs.pop("loading", None)
        for child in list(output.children):
            if isinstance(child, Tag) and child.name != "img":
                child.decompose()


def _strip_controls(body: Tag) -> None:
    for selector in ("script", "a.headerlink", "button", ".toctree-wrapper", "details.above-input"):
        for element in body.select(selector):
            element.decompose()
    # Collapsed outputs and toggles are printed open.
    for details in body.select("details"):
        details["open"] = ""
        summary = details.find("summary")
        if summary is not None:
            summary.decompose()


def _mark_outline(soup: BeautifulSoup, body: Tag, anchor: str) -> None:
    """Mark the page's title and sections for the PDF's bookmarks.

    Chromium writes a named destination only for an element some link points to,
    so each section heading becomes a link to its own section.
    """
    title = body.find("h1")
    if title is not None:
        title["data-outline"] = "1"
        title["data-target"] = anchor
    for heading in body.find_all("h2"):
        section = heading.find_parent("section", id=True)
        if section is None:
            continue
        link = soup.new_tag("a", href=f"#{section['id']}", attrs={"class": "print-self"})
        link.extend(list(heading.contents))
        heading.append(link)
        heading["data-outline"] = "2"
        heading["data-target"] = str(section["id"])


def read_chapter(name: str, part: str, names: set[str], html_root: Path) -> Chapter:
    """Cut the article out of one built page and make its ids and links document-wide."""
    page = html_root / f"{name}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    body = soup.select_one("article.bd-article")
    if body is None:
        raise ValueError(f"{page} has no <article class='bd-article'>: is it a book page?")
    anchor = anchor_of(name)
    _explorer_figures(body, page)
    _strip_controls(body)
    heading = body.find("h1")
    title = heading.get_text(" ", strip=True) if heading else name
    # The contents show the title as the page does, math included (MathJax typesets it).
    title_html = heading.decode_contents() if heading else html.escape(name)
    for element in body.find_all(id=True):
        element["id"] = f"{anchor}--{element['id']}"
    for link in body.find_all("a", href=True):
        target = _target(name, str(link["href"]), names)
        if target is None:
            del link["href"]
        else:
            link["href"] = target
    _mark_outline(soup, body, anchor)
    for image in body.find_all("img", src=True):
        src = urlsplit(str(image["src"]))
        if not src.scheme:
            image["src"] = _file_url(page.parent / unquote(src.path))
    solutions = []
    for solution in body.select("div.solution"):
        classes = [c for c in solution.get("class", []) if c != "dropdown"]
        solution["class"] = [*classes, "print-solution"]
        pointer = soup.new_tag("p", attrs={"class": "print-solution-link"})
        link = soup.new_tag("a", href=f"#{solution['id']}")
        link.string = f"Solution on page {PLACEHOLDER}"
        link["data-page-of"] = str(solution["id"])
        pointer.append(link)
        solution.replace_with(pointer)
        solutions.append(solution)
    body.name = "section"
    body.attrs = {"class": ["print-page"], "id": anchor}
    return Chapter(name, part, anchor, title, title_html, body, solutions)


def _head(html_root: Path, first: str) -> str:
    """Stylesheets and the MathJax set-up of the book's pages, as absolute URLs."""
    page = html_root / f"{first}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    lines = []
    for link in soup.select('link[rel="stylesheet"]'):
        href = urlsplit(str(link["href"]))
        if PurePosixPath(href.path).name == PRINT_CSS.name:
            continue  # the current source copy is linked below
        lines.append(f'<link rel="stylesheet" href="{_file_url(page.parent / href.path)}">')
    lines.append(f'<link rel="stylesheet" href="{_file_url(PRINT_CSS)}">')
    for script in soup.select("script"):
        text = script.string or ""
        src = str(script.get("src", ""))
        if text.lstrip().startswith("window.MathJax"):
            lines.append(f"<script>{text}</script>")
        elif "mathjax" in src.lower():
            url = _file_url(page.parent / urlsplit(src).path)
            lines.append(f'<script defer src="{url}"></script>')
    return "\n".join(lines)


def _config() -> tuple[str, str, str, str]:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    # One version number, in pyproject.toml (tomllib is Python 3.11+, the book needs 3.10).
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version\s*=\s*"([^"]+)"', pyproject, re.M)
    version = found.group(1) if found else ""
    url = str(config.get("repository", {}).get("url", ""))
    return str(config["title"]), str(config.get("author", "")), version, url


def _title_page() -> str:
    title, author, version, url = _config()
    main, _, sub = title.partition(":")
    source = f'<p class="print-source">{html.escape(url)}</p>' if url else ""
    return f"""
<section class="print-title-page" id="print-title">
  <h1 class="print-title">{html.escape(main)}</h1>
  <p class="print-subtitle">{html.escape(sub.strip())}</p>
  <p class="print-author">{html.escape(author)}</p>
  <p class="print-version">Version {html.escape(version)}</p>
  <p class="print-note">Printed from the HTML book. The explorers appear at their
  starting values; move their sliders in the HTML book or in the notebooks.</p>
  {source}
</section>"""


def _toc(chapters: list[Chapter], appendix: list[Chapter]) -> str:
    rows = [
        '<nav class="print-toc" id="print-toc"><h1 data-outline="1" data-target="print-toc">'
        '<a class="print-self" href="#print-toc">Contents</a></h1>'
    ]
    part = None
    for chapter in chapters:
        if chapter.part != part:
            part = chapter.part
            if part:
                rows.append(f'<p class="print-toc-part">{html.escape(part)}</p>')
        rows.append(_toc_row(chapter.anchor, chapter.title_html))
    if any(c.solutions for c in appendix):
        rows.append('<p class="print-toc-part">Appendix</p>')
        rows.append(_toc_row("print-solutions", "Solutions to the exercises"))
    rows.append("</nav>")
    return "\n".join(rows)


def _toc_row(anchor: str, title_html: str) -> str:
    return (
        f'<a class="print-toc-row" href="#{anchor}"><span class="print-toc-title">'
        f'{title_html}</span><span class="print-toc-page" data-page-of="{anchor}">'
        f"{PLACEHOLDER}</span></a>"
    )


def _appendix(chapters: list[Chapter]) -> str:
    parts = ['<section class="print-page print-appendix" id="print-solutions">']
    parts.append(
        '<h1 data-outline="1" data-target="print-solutions">Solutions to the exercises</h1>'
    )
    for chapter in chapters:
        if not chapter.solutions:
            continue
        # Bookmarked at its first solution, which the chapter links to.
        first = html.escape(str(chapter.solutions[0]["id"]))
        parts.append(
            f'<h2 data-outline="2" data-target="{first}"><a href="#{chapter.anchor}">'
            f"{chapter.title_html}</a></h2>"
        )
        parts.extend(str(solution) for solution in chapter.solutions)
    parts.append("</section>")
    return "\n".join(parts)


def joined_document(html_root: Path = HTML) -> str:
    """The whole book as one HTML document, with page numbers still to fill in."""
    docs = documents()
    names = {doc.name for doc in docs}
    missing = [doc.name for doc in docs if not (html_root / f"{doc.name}.html").exists()]
    if missing:
        raise FileNotFoundError(
            f"pages not built: {', '.join(missing)}; run `make book` before `make pdf`"
        )
    chapters = [read_chapter(doc.name, doc.part, names, html_root) for doc in docs]
    body = [_title_page(), _toc(chapters, chapters)]
    body.extend(str(chapter.body) for chapter in chapters)
    body.append(_appendix(chapters))
    title = html.escape(_config()[0])
    return (
        f'<!DOCTYPE html>\n<html lang="en" data-theme="light"><head><meta charset="utf-8">'
        f"<title>{title}</title>\n{_head(html_root, docs[0].name)}\n</head>\n"
        f'<body class="print-book">\n' + "\n".join(body) + "\n</body></html>\n"
    )


def _check_links(document: str) -> list[str]:
    """Internal links of the joined document whose target id does not exist."""
    ids = set(re.findall(r'\bid="([^"]+)"', document))
    targets = re.findall(r'href="#([^"]+)"', document)
    return sorted({html.unescape(t) for t in targets} - {html.unescape(i) for i in ids})


# Bookmark titles as a reader sees them: typeset math by its text, not its TeX.
_OUTLINE = """() => Array.from(document.querySelectorAll("[data-outline]")).map(h => {
  const copy = h.cloneNode(true);
  copy.querySelectorAll("mjx-container").forEach(m => {
    const mml = m.querySelector("mjx-assistive-mml");
    m.replaceWith(mml ? mml.textContent : "");
  });
  const title = copy.textContent.replace(/\\s+/g, " ").trim();
  return [Number(h.dataset.outline), h.dataset.target, title];
})"""

_WAIT_FOR_MATH = """async () => {
  await MathJax.startup.promise;
  await document.fonts.ready;
  const pending = Array.from(document.images).filter(img => !img.complete);
  await Promise.all(pending.map(img => new Promise(done => { img.onload = img.onerror = done; })));
  const raw = Array.from(document.querySelectorAll(".math"))
    .filter(m => !m.querySelector("mjx-container"));
  const broken = Array.from(document.images)
    .filter(img => img.naturalWidth === 0).map(img => img.src);
  return {raw: raw.map(m => m.textContent.slice(0, 80)), broken};
}"""


_OVERFLOW = """() => {
  const right = document.body.getBoundingClientRect().right + 1;
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  const bad = [];
  for (const el of document.body.querySelectorAll("*")) {
    // MathJax's copy of each formula for screen readers is clipped to nothing on purpose.
    if (el.closest("mjx-assistive-mml")) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const clipped = getComputedStyle(el).overflowX !== "visible" && el.clientWidth > 0
      && el.scrollWidth > el.clientWidth + 1;
    if (box.right > right || clipped) {
      const page = el.closest(".print-page");
      const text = el.textContent.trim().slice(0, 60);
      bad.push(`${page ? page.id : "front matter"}: <${name(el)}> "${text}"`);
    }
  }
  return bad;
}"""


def _fill_pages(page: object, numbers: dict[str, int]) -> None:
    page.evaluate(  # type: ignore[attr-defined]
        """numbers => {
          for (const el of document.querySelectorAll("[data-page-of]")) {
            const n = numbers[el.dataset.pageOf];
            const text = n === undefined ? "" : String(n);
            if (el.tagName === "A") el.textContent = "Solution on page " + text;
            else el.textContent = text;
          }
        }""",
        numbers,
    )


def _destinations(pdf: Path) -> dict[str, int]:
    """Page number (1-based, as printed) of every named destination in ``pdf``."""
    reader = PdfReader(pdf)
    index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    found = {}
    for name, dest in reader.named_destinations.items():
        ref = dest.get("/Page")
        idnum = getattr(ref, "idnum", None)
        if idnum in index:
            found[name.lstrip("/")] = index[idnum] + 1
    return found


def print_pdf(document: Path, out: Path) -> tuple[int, float]:
    """Print ``document`` to ``out``; return the page count and seconds taken."""
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    body_pdf = document.with_name("body.pdf")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # Laid out for print at the width of the printed text, so overflow shows before printing.
        page = browser.new_page(viewport={"width": TEXT_WIDTH_PX, "height": 1000})
        page.emulate_media(media="print")
        page.goto(document.as_uri(), wait_until="load")
        state = page.evaluate(_WAIT_FOR_MATH)
        if state["raw"] or state["broken"]:
            raise RuntimeError(
                f"math not typeset: {state['raw'][:5]}; images not loaded: {state['broken'][:5]}"
            )
        overflow = page.evaluate(_OVERFLOW)
        if overflow:
            raise RuntimeError("wider than the page:\n  " + "\n  ".join(overflow[:20]))
        # The title page is printed on its own, so the page numbers start at the contents.
        page.evaluate("document.getElementById('print-title').classList.add('print-hidden')")
        options = dict(
            PAGE,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=FOOTER,
            print_background=True,
        )
        numbers: dict[str, int] = {}
        for _ in range(3):
            page.pdf(path=str(body_pdf), **options)
            found = _destinations(body_pdf)
            if found == numbers:
                break
            numbers = found
            _fill_pages(page, numbers)
        else:
            raise RuntimeError("page numbers did not settle after three prints")
        outline = page.evaluate(_OUTLINE)
        page.evaluate(
            "document.body.classList.add('print-title-only');"
            "document.getElementById('print-title').classList.remove('print-hidden')"
        )
        title_pdf = document.with_name("title.pdf")
        page.pdf(path=str(title_pdf), **dict(PAGE, print_background=True, page_ranges="1"))
        browser.close()
    writer = PdfWriter(clone_from=body_pdf)
    writer.insert_page(PdfReader(title_pdf).pages[0], 0)
    # Page labels match the printed numbers: the title page is "i", then 1, 2, ...
    writer.set_page_label(0, 0, style="/r")
    writer.set_page_label(1, len(writer.pages) - 1, style="/D", start=1)
    writer.add_metadata({"/Title": _config()[0], "/Author": _config()[1]})
    _add_outline(writer, outline, numbers)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages), time.perf_counter() - start


def _add_outline(writer: PdfWriter, outline: list[list[Any]], numbers: dict[str, int]) -> None:
    """Bookmarks for every page of the book and its sections.

    Chromium's own outline (``outline=True``) needs a tagged PDF, which doubles the
    file and, in this version, repeats every heading's text in its bookmark.
    """
    parent = None
    for level, target, title in outline:
        if target not in numbers:
            continue
        # Body page n (from 1) is page n of the final file, after the title page.
        if level == 1:
            parent = writer.add_outline_item(title=title, page_number=numbers[target])
        elif parent is not None:
            writer.add_outline_item(title=title, page_number=numbers[target], parent=parent)
    writer.page_mode = "/UseOutlines"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=HTML, help="the built HTML book")
    parser.add_argument("--out", type=Path, default=EDITIONS / PDF_NAME)
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"make pdf needs Chromium at {CHROMIUM}: sudo apt-get install chromium")
        return 1
    # The joined document and the intermediate prints sit beside the HTML, in _build/pdf.
    work = args.html.parent / "pdf"
    work.mkdir(parents=True, exist_ok=True)
    text = joined_document(args.html)
    broken = _check_links(text)
    if broken:
        print("links to missing targets:\n  " + "\n  ".join(broken))
        return 1
    document = work / "book.html"
    document.write_text(text, encoding="utf-8")
    pages, seconds = print_pdf(document, args.out)
    size = args.out.stat().st_size / 1e6
    print(f"Wrote {args.out}: {pages} pages, {size:.1f} MB in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
