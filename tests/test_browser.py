"""The rendered book in a real browser: headless Chromium driven by Playwright.

Every page of the built HTML is loaded from a local server. On each chapter
page an explorer slider is moved and the figure must change; on every page
the math must be typeset, images must load, widget areas must be filled,
figures must carry alt text and internal links must resolve.

The book is built into a temporary folder unless ``_build/html`` is at least
as new as its sources. Needs Chromium at ``/usr/bin/chromium``
(``sudo apt-get install chromium``); without it these tests are skipped.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAX_PAGE_DATA = 1_000_000
SKIPPED = (
    "Skipped the browser test (tests/test_browser.py): {why}. "
    "To enable it: sudo apt-get install chromium, then make test."
)

pytestmark = pytest.mark.browser


def _skip(why: str) -> None:
    message = SKIPPED.format(why=why)
    warnings.warn(message, UserWarning, stacklevel=2)
    pytest.skip(message)


def _redirect(page: Path) -> bool:
    """Whether a page only forwards the reader to another one (the root ``index.html``)."""
    return 'http-equiv="refresh"' in page.read_text(encoding="utf-8", errors="replace").lower()


def _pages(site: Path) -> list[str]:
    """The book's pages, relative to ``site``: no theme templates, sources or redirects."""
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.glob("**/*.html")
        if not p.relative_to(site).parts[0].startswith("_") and not _redirect(p)
    )


def _fresh(html: Path) -> bool:
    """Whether ``html`` was built after the book's sources last changed.

    Each chapter page must be newer than its notebook or Markdown file (Sphinx
    rewrites only what changed); every page must be newer than the
    configuration, table of contents and bibliography (whose changes rebuild
    all pages); and the explorer script must be the current one.
    """
    pages = [html / page for page in _pages(html)]
    if not (html / "index.html").exists() or not pages:
        return False
    book = ROOT / "book"
    for source in [*book.glob("*.ipynb"), *book.glob("*.md")]:
        page = html / "book" / f"{source.stem}.html"
        if page.exists() and page.stat().st_mtime < source.stat().st_mtime:
            return False
    oldest = min(page.stat().st_mtime for page in pages)
    shared = [ROOT / "_toc.yml", ROOT / "_config.yml", book / "references.bib"]
    if any(path.stat().st_mtime > oldest for path in shared if path.exists()):
        return False
    return all(
        (html / "_static" / js.name).is_file()
        and (html / "_static" / js.name).read_bytes() == js.read_bytes()
        for js in (book / "static").glob("*")
    )


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """The built book: ``_build/html`` when fresh, else a new build in a temporary folder."""
    if not CHROMIUM.exists():
        _skip(f"Chromium is not installed at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("the Python package playwright is missing (pip install -r requirements.txt)")
    built = ROOT / "_build" / "html"
    if _fresh(built):
        yield built
        return
    if not (ROOT / ".jsdeps" / "static").exists():
        _skip("the bundled MathJax and widget JavaScript are missing; run make book once")
    out = Path(tempfile.mkdtemp(prefix="lrlab-book-"))
    try:
        book = [Path(sys.executable).parent / "jupyter-book", "build", ".", "-W", "--keep-going"]
        result = subprocess.run(
            [*book, "--path-output", str(out)], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, f"the book does not build:\n{result.stdout[-4000:]}"
        yield out / "_build" / "html"
    finally:
        shutil.rmtree(out, ignore_errors=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


@dataclass
class Page:
    """What one page showed in the browser."""

    path: str
    math: int = 0
    typeset: int = 0
    broken_images: list[str] = field(default_factory=list)
    missing_alt: list[str] = field(default_factory=list)
    empty_widgets: int = 0
    widgets: int = 0
    explorers: int = 0
    live: int = 0
    page_data: int = 0
    links: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_INSPECT = """() => {
  const article = document.querySelector("article") || document.body;
  const svgName = s => {
    const by = (s.getAttribute("aria-labelledby") || "").split(" ")
      .map(id => document.getElementById(id)).filter(Boolean);
    const title = s.querySelector(":scope > title");
    return (s.getAttribute("aria-label") || by.map(e => e.textContent).join(" ")
      || (title ? title.textContent : "")).trim();
  };
  const maths = Array.from(article.querySelectorAll(".math"));
  const images = Array.from(document.querySelectorAll("img"));
  const svgs = Array.from(article.querySelectorAll("svg[role=img], .lrlab-view svg"))
    .filter(s => s.getAttribute("aria-hidden") !== "true");
  const views = Array.from(document.querySelectorAll(
    "script[type='application/vnd.jupyter.widget-view+json']"));
  const blocks = Array.from(document.querySelectorAll("div.lrlab-explorer"));
  return {
    math: maths.length,
    typeset: maths.filter(m => m.querySelector("mjx-container")).length,
    broken: images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    noAlt: images.filter(i => !(i.getAttribute("alt") || "").trim()).map(i => i.src).concat(
      svgs.filter(s => !svgName(s)).map(s => s.outerHTML.slice(0, 160))),
    widgets: views.length,
    emptyWidgets: views.filter(v => {
      const area = v.previousElementSibling;
      return !(area && area.classList.contains("widget-subarea") && area.childElementCount > 0);
    }).length,
    explorers: blocks.length,
    live: document.querySelectorAll(".lrlab-live .lrlab-view svg[aria-label]").length,
    pageData: blocks.reduce((n, b) => n + new TextEncoder().encode(b.textContent).length, 0),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
  };
}"""

_WIDGETS_DRAWN = """() => Array.from(document.querySelectorAll(
  "script[type='application/vnd.jupyter.widget-view+json']")).every(v => {
    const area = v.previousElementSibling;
    return area && area.classList.contains("widget-subarea") && area.childElementCount > 0;
})"""

_PATHS = (
    "view => Array.from(view.querySelectorAll('svg path')).map(p => p.getAttribute('d')).join()"
)


def _move_sliders(page: Any) -> list[str]:
    """Move the sliders of every explorer in turn until its figure's path data changes.

    Returns a description of each explorer that did not change, or whose PNG
    is still shown or did not pass its alt text on to the SVG figure.
    """
    failures = []
    views = page.locator(".lrlab-view")
    for v in range(views.count()):
        view = views.nth(v)
        sliders = view.locator("input[type=range]")
        changed = False
        for s in range(sliders.count()):
            before = view.evaluate(_PATHS)
            slider = sliders.nth(s)
            top = int(slider.get_attribute("max"))
            slider.fill(str(0 if int(slider.input_value()) == top else top))
            if view.evaluate(_PATHS) != before:
                changed = True
                break
        if not changed:
            failures.append(f"explorer {v + 1}: moving its sliders left the figure unchanged")
        label = view.locator("svg").get_attribute("aria-label") or ""
        png = page.evaluate(
            "v => { const img = v.parentElement.querySelector(':scope > img');"
            " return img ? [img.alt, getComputedStyle(img).display] : null; }",
            view.element_handle(),
        )
        if png is not None and (png[0] != label or png[1] != "none"):
            failures.append(f"explorer {v + 1}: the PNG is shown or its alt text was not carried")
    return failures


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    """Load every page of the book once and record what the checks need."""
    from playwright.sync_api import Error, sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    paths = _pages(site)
    seen: dict[str, Page] = {}
    profile = tempfile.mkdtemp(prefix="lrlab-chromium-")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=FLAGS, headless=True
            )
            browser.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
            tab = browser.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda err: errors.append(err.stack or str(err)))
            tab.on(
                "console",
                lambda msg: msg.type == "error" and errors.append(msg.text),
            )
            for path in paths:
                report = Page(path)
                errors.clear()
                tab.goto(base + path, wait_until="load")
                tab.evaluate(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
                    " ? MathJax.startup.promise.then(() => true) : false"
                )
                try:
                    tab.wait_for_function(_WIDGETS_DRAWN, timeout=8000)
                except Error:
                    pass
                found = tab.evaluate(_INSPECT)
                report.math, report.typeset = found["math"], found["typeset"]
                report.broken_images, report.missing_alt = found["broken"], found["noAlt"]
                report.widgets, report.empty_widgets = found["widgets"], found["emptyWidgets"]
                report.explorers, report.live = found["explorers"], found["live"]
                report.page_data, report.links = found["pageData"], found["links"]
                report.moved = _move_sliders(tab)
                report.errors = list(errors)
                seen[path] = report
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    return seen


def _chapter(path: str) -> bool:
    return re.fullmatch(r"book/\d\d_[^/]+\.html", path) is not None


def test_every_chapter_explorer_responds_to_its_sliders(pages: dict[str, Page]) -> None:
    chapters = [p for p in pages.values() if _chapter(p.path)]
    assert chapters, "no chapter pages were built"
    problems = []
    for page in chapters:
        if page.explorers == 0:
            notebook = page.path.removesuffix(".html") + ".ipynb"
            problems.append(
                f"{page.path}: no explorer carries page data; re-execute it with "
                f"python scripts/execute_notebooks.py {notebook}"
            )
        elif page.live != page.explorers:
            problems.append(f"{page.path}: {page.explorers - page.live} explorer(s) did not start")
        problems += [f"{page.path}: {text}" for text in page.moved]
        if page.page_data > MAX_PAGE_DATA:
            problems.append(f"{page.path}: {page.page_data} bytes of explorer data (> 1 MB)")
    assert not problems, "\n".join(problems)


def test_math_is_typeset_on_every_page(pages: dict[str, Page]) -> None:
    raw = [
        f"{p.path}: {p.math - p.typeset} of {p.math}" for p in pages.values() if p.typeset < p.math
    ]
    assert not raw, "math left as raw TeX:\n" + "\n".join(raw)
    assert any(p.math for p in pages.values() if _chapter(p.path)), "no chapter shows any math"


def test_no_broken_images(pages: dict[str, Page]) -> None:
    broken = [f"{p.path}: {src}" for p in pages.values() for src in p.broken_images]
    assert not broken, "\n".join(broken)


def test_no_empty_widget_areas(pages: dict[str, Page]) -> None:
    empty = [
        f"{p.path}: {p.empty_widgets} of {p.widgets}" for p in pages.values() if p.empty_widgets
    ]
    assert not empty, "widget areas left empty:\n" + "\n".join(empty)


def test_every_figure_has_alt_text(pages: dict[str, Page]) -> None:
    missing = [f"{p.path}: {what}" for p in pages.values() for what in p.missing_alt]
    assert not missing, "\n".join(missing)


def test_the_explorer_script_raises_no_errors(pages: dict[str, Page]) -> None:
    errors = [f"{p.path}: {e}" for p in pages.values() for e in p.errors if "lrlab" in e.lower()]
    assert not errors, "\n".join(errors)


@functools.cache
def _anchors(file: Path) -> frozenset[str]:
    text = file.read_text(encoding="utf-8", errors="replace")
    return frozenset(re.findall(r"""\b(?:id|name)=["']([^"']+)["']""", text))


def test_no_broken_internal_links(pages: dict[str, Page], site: Path) -> None:
    broken = []
    for page in pages.values():
        for link in page.links:
            url = urlsplit(link)
            if url.hostname != "127.0.0.1":
                continue
            # The PDF and the handouts are written after the HTML (make pdf, make handouts);
            # tests/test_editions.py checks that these links name the files written.
            if unquote(url.path).lstrip("/").startswith("editions/"):
                continue
            target = site / unquote(url.path).lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.path}: {url.path} does not exist")
            elif url.fragment and target.suffix == ".html":
                if unquote(url.fragment) not in _anchors(target):
                    broken.append(f"{page.path}: no #{url.fragment} in {url.path}")
    assert not broken, "\n".join(sorted(set(broken)))
