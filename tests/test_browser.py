"""The rendered book in a real browser: headless Chromium driven by Playwright.

Every page of the built book is loaded from a local server at a desktop width (1366 px)
and a phone width (390 px). On every page: no console error, no failed
request, no horizontal overflow on the phone, math typeset, images loaded,
alt text on every figure, internal links that resolve; chapter pages weigh at
most 2.5 MB. On every explorer: every ordered pair of controls combines (set
A, then B: A keeps its value and the figure is lrlab's figure for both), the
figure equals lrlab's at three random combinations, and each input redraws
within 16 ms (median) and 50 ms (max), timed over sweeps of every control
(best of two, after a warm-up). Dark mode treats explorers like figures,
and a solution's title opens the solution.

The book is built into a temporary folder unless ``_build/html`` is at least
as new as its sources. Needs Chromium at ``/usr/bin/chromium``
(``sudo apt-get install chromium``); without it these tests are skipped.
"""

from __future__ import annotations

import functools
import http.server
import random
import re
import shutil
import statistics
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

from lrlab import widgets
from tests import node

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
DESKTOP, PHONE = 1366, 390
MAX_PAGE_BYTES = 2_500_000
MEDIAN_MS, MAX_MS = 16.0, 50.0
RANDOM_COMBINATIONS = 3
BOUND = 1e-12
SKIPPED = (
    "Skipped the browser test (tests/test_browser.py): {why}. "
    "To enable it: sudo apt-get install chromium, then make test."
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
    configuration, table of contents, bibliography and the book's extensions
    (whose changes rebuild all pages); and the book's scripts and styles must
    be the current ones.
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
    shared = [
        ROOT / "_toc.yml",
        ROOT / "_config.yml",
        book / "references.bib",
        *book.glob("_ext/*.py"),
    ]
    if any(path.stat().st_mtime > oldest for path in shared if path.exists()):
        return False
    return all(
        (html / "_static" / f.name).is_file()
        and (html / "_static" / f.name).read_bytes() == f.read_bytes()
        for f in (book / "static").glob("*")
    )


def _jupyter_book(source: Path, out: Path) -> Path:
    command = [
        Path(sys.executable).parent / "jupyter-book",
        "build",
        str(source),
        "-W",
        "--keep-going",
    ]
    result = subprocess.run(
        [*command, "--path-output", str(out)], cwd=source, capture_output=True, text=True
    )
    assert result.returncode == 0, f"the book does not build:\n{result.stdout[-4000:]}"
    return out / "_build" / "html"


def _needs_browser() -> None:
    if not CHROMIUM.exists():
        _skip(f"Chromium is not installed at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("the Python package playwright is missing (pip install -r requirements.txt)")
    if not (ROOT / ".jsdeps" / "static").exists():
        _skip("the bundled MathJax is missing; run make book once")


@pytest.fixture(scope="module")
def site() -> Iterator[Path]:
    """The built book: ``_build/html`` when fresh, else a new build in a temporary folder."""
    _needs_browser()
    built = ROOT / "_build" / "html"
    if _fresh(built):
        yield built
        return
    out = Path(tempfile.mkdtemp(prefix="lrlab-book-"))
    try:
        yield _jupyter_book(ROOT, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return


def _serve(site: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


@dataclass
class Page:
    """What one page showed in the browser."""

    path: str
    math: int = 0
    typeset: int = 0
    bytes: int = 0
    overflow: int = 0
    broken_images: list[str] = field(default_factory=list)
    missing_alt: list[str] = field(default_factory=list)
    explorers: int = 0
    live: int = 0
    links: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    timings: dict[int, list[float]] = field(default_factory=dict)
    dark: tuple[str, str] | None = None


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
  const svgs = Array.from(article.querySelectorAll(
    "svg[role=img], .lrlab-view svg, .lrlab-explore svg"))
    .filter(s => s.getAttribute("aria-hidden") !== "true");
  const resources = performance.getEntriesByType("resource")
    .concat(performance.getEntriesByType("navigation"));
  return {
    math: maths.length,
    typeset: maths.filter(m => m.querySelector("mjx-container")).length,
    bytes: resources.reduce((n, e) => n + e.decodedBodySize, 0),
    // An explorer's stored figure is for print only: hidden and lazy, it is never loaded.
    broken: images.filter(i => !i.classList.contains("lrlab-explorer-figure"))
      .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    noAlt: images.filter(i => !(i.getAttribute("alt") || "").trim()).map(i => i.src).concat(
      svgs.filter(s => !svgName(s)).map(s => s.outerHTML.slice(0, 160))),
    explorers: document.querySelectorAll("div.lrlab-explorer-spec").length,
    live: document.querySelectorAll(".lrlab-explore svg[aria-label]").length,
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.href),
  };
}"""

_READY = """() => Promise.all([
  window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : null,
  document.fonts ? document.fonts.ready : null,
]).then(() => true)"""

# ------------------------------------------------------------------ explorers

# Set control i of explorer e to position k through the page's own input element,
# the way a reader does; returns the control positions afterwards.
_SET = """([e, i, k]) => {
  const el = document.querySelectorAll(".lrlab-explore")[e];
  const input = el.querySelectorAll(".lrlab-input input, .lrlab-input select")[i];
  const kind = el.lrlab.spec.controls[i].kind;
  if (kind === "toggle") {
    if (input.checked !== (k === 1)) input.click();
  } else {
    input.value = String(k);
    input.dispatchEvent(new Event(kind === "choice" ? "change" : "input", { bubbles: true }));
  }
  return el.lrlab.positions.slice();
}"""

_CLEAR = """e => {
  const state = document.querySelectorAll('.lrlab-explore')[e].lrlab;
  state.clearCaches();
  state.timings.length = 0;
}"""
_TIMINGS = "e => document.querySelectorAll('.lrlab-explore')[e].lrlab.timings.slice()"

_SHOWN = """([e]) => {
  const el = document.querySelectorAll(".lrlab-explore")[e];
  const M = window.lrlabModels;
  const arr = a => a === undefined ? undefined
    : Array.from(a, v => Number.isFinite(v) ? v : String(v));
  const d = el.lrlab.data;
  const inputs = Array.from(el.querySelectorAll(".lrlab-input input, .lrlab-input select"))
    .map(x => x.type === "checkbox" ? (x.checked ? 1 : 0) : Number(x.value));
  return {
    inputs: inputs,
    positions: el.lrlab.positions.slice(),
    paths: el.querySelectorAll("svg path").length,
    alt: M.runsText(d.alt),
    panels: d.panels.map(p => ({
      title: M.runsText(p.title), xlabel: M.runsText(p.xlabel), ylabel: M.runsText(p.ylabel),
      logx: p.logx, logy: p.logy,
      series: p.series.map(s => ({
        visible: s.visible, label: s.label ? M.runsText(s.label) : null,
        x: arr(s.x), y: arr(s.y), low: arr(s.low), high: arr(s.high), at: arr(s.at),
      })),
    })),
  };
}"""


def _agrees(spec: dict[str, Any], positions: list[int], shown: dict[str, Any]) -> str | None:
    """None if the page shows lrlab's figure for these positions, else what differs."""
    if shown["positions"] != positions or shown["inputs"] != positions:
        return f"controls show {shown['inputs']} (state {shown['positions']}), expected {positions}"
    expected = widgets.evaluate_spec(spec, positions)
    if shown["alt"] != expected["alt"]:
        return f"alt text {shown['alt']!r}, lrlab {expected['alt']!r}"
    for n, (p, q) in enumerate(zip(expected["panels"], shown["panels"], strict=True)):
        for key in ("title", "xlabel", "ylabel", "logx", "logy"):
            if q[key] != p[key]:
                return f"panel {n + 1} {key}: page {q[key]!r}, lrlab {p[key]!r}"
        for m, (s, t) in enumerate(zip(p["series"], q["series"], strict=True)):
            if (t["visible"], t["label"]) != (s["visible"], s["label"]):
                shown_label, lrlab_label = t["label"], s["label"]
                return f"panel {n + 1} series {m + 1}: label {shown_label!r}, lrlab {lrlab_label!r}"
            for key in ("x", "y", "low", "high", "at"):
                if key in s:
                    _, error = node.errors(s[key], t[key])
                    if error > BOUND:
                        return (
                            f"panel {n + 1} series {m + 1} {key}: differs from lrlab by {error:.3g}"
                        )
    return None


class _Explorer:
    """Drives explorer ``e`` of the open page through its own input elements."""

    def __init__(self, tab: Any, e: int, seed: int) -> None:
        self.tab, self.e = tab, e
        self.spec = tab.evaluate(
            f"() => document.querySelectorAll('.lrlab-explore')[{e}].lrlab.spec"
        )
        self.sizes = [widgets._control_count(c) for c in self.spec["controls"]]
        self.default = [c["value"] for c in self.spec["controls"]]
        self.current = list(self.default)
        self.rng = random.Random(seed)

    def other(self, i: int, avoid: int) -> int:
        return self.rng.choice([k for k in range(self.sizes[i]) if k != avoid])

    def set_one(self, i: int, k: int) -> None:
        self.current[:] = self.tab.evaluate(_SET, [self.e, i, k])

    def set_to(self, state: list[int]) -> None:
        for i, k in enumerate(state):
            if self.current[i] != k:
                self.set_one(i, k)

    def check(self, state: list[int]) -> str | None:
        return _agrees(self.spec, state, self.tab.evaluate(_SHOWN, [self.e]))


def _check_explorers(tab: Any, report: Page, seed: int) -> None:
    """Ordered pairs of controls, random combinations and redraw times of every explorer."""
    count = tab.evaluate("() => document.querySelectorAll('.lrlab-explore').length")
    for e in range(count):
        ex = _Explorer(tab, e, seed * 100 + e)
        where = f"explorer {e + 1}"
        n = len(ex.sizes)
        for a, b in ((a, b) for a in range(n) for b in range(n) if a != b):
            ex.set_to(ex.default)
            state = list(ex.default)
            state[a] = ex.other(a, ex.default[a])
            ex.set_one(a, state[a])
            state[b] = ex.other(b, ex.default[b])
            ex.set_one(b, state[b])
            problem = ex.check(state)
            if problem:
                names = ex.spec["controls"][a]["name"], ex.spec["controls"][b]["name"]
                report.checks.append(f"{where}: set {names[0]}, then {names[1]}: {problem}")
        for _ in range(RANDOM_COMBINATIONS):
            state = [ex.rng.randrange(size) for size in ex.sizes]
            ex.set_to(state)
            problem = ex.check(state)
            if problem:
                report.checks.append(f"{where}: at random controls {state}: {problem}")
        report.timings[e] = _time_redraws(tab, ex)
        ex.set_to(ex.default)


def _time_redraws(tab: Any, ex: _Explorer) -> list[float]:
    """Redraw times, from input event to laid-out figure, of every control swept across its range.

    Each control goes to its ends, a third and two thirds of the way, and back.
    The sweep runs three times with the computed models forgotten before each:
    the first warms the browser's compiler up, and each event's time is the
    better of the other two, which discounts the moments another process on the
    machine held the CPU.
    """
    events = []
    for i, size in enumerate(ex.sizes):
        previous = ex.default[i]
        for k in (0, size - 1, size // 3, (2 * size) // 3, ex.default[i]):
            if k != previous:
                events.append((i, k))
                previous = k
    passes = []
    for _ in range(3):
        ex.set_to(ex.default)
        tab.evaluate(_CLEAR, ex.e)
        for i, k in events:
            ex.set_one(i, k)
        passes.append(tab.evaluate(_TIMINGS, ex.e))
    assert len(passes[1]) == len(passes[2]) == len(events)
    return [min(a, b) for a, b in zip(passes[1], passes[2], strict=True)]


def _dark(tab: Any) -> tuple[str, str] | None:
    """The CSS filter of a figure and of an explorer in dark mode (None if the page lacks one)."""
    return tab.evaluate(
        """() => {
      document.documentElement.dataset.theme = "dark";
      const img = document.querySelector(".cell_output img:not(.lrlab-explorer-figure)");
      const svg = document.querySelector(".lrlab-explore svg, .lrlab-view svg");
      const out = img && svg ? [getComputedStyle(img).filter, getComputedStyle(svg).filter] : null;
      document.documentElement.dataset.theme = "light";
      return out;
    }"""
    )


def _visit(tab: Any, base: str, path: str, report: Page, cdp: Any, requests: list[str]) -> None:
    failed: list[str] = []
    errors: list[str] = []

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda err: errors.append(err.stack or str(err)))
    tab.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    tab.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} (HTTP {r.status})"))
    for width in (DESKTOP, PHONE):
        tab.set_viewport_size({"width": width, "height": 900})
        tab.goto(base + path, wait_until="load")
        tab.evaluate(_READY)
        tab.wait_for_timeout(300)
        if width == PHONE:
            report.overflow = tab.evaluate(
                "() => document.documentElement.scrollWidth - window.innerWidth"
            )
            continue
        found = tab.evaluate(_INSPECT)
        report.math, report.typeset = found["math"], found["typeset"]
        report.bytes = found["bytes"]
        report.broken_images, report.missing_alt = found["broken"], found["noAlt"]
        report.explorers, report.live = found["explorers"], found["live"]
        report.links = found["links"]
        report.dark = _dark(tab)
        if report.live:
            _check_explorers(tab, report, seed=len(path))
    tab.remove_listener("console", on_console)
    report.errors = errors
    report.failed = failed


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    """Load every page of the book once and record what the checks need."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, Page] = {}
    profile = tempfile.mkdtemp(prefix="lrlab-chromium-")
    servers = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=FLAGS, headless=True
            )
            browser.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
            base, server = _serve(site)
            servers.append(server)
            for path in _pages(site):
                tab = browser.new_page()
                cdp = browser.new_cdp_session(tab)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                report = Page(path)
                _visit(tab, base, path, report, cdp, [])
                seen[report.path] = report
                tab.close()
            browser.close()
    finally:
        for server in servers:
            server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    return seen


def _chapter(path: str) -> bool:
    return re.fullmatch(r"book/\d\d_[^/]+\.html", path) is not None


# ------------------------------------------------------------------ tests


def test_no_console_error_and_no_failed_request_on_any_page(pages: dict[str, Page]) -> None:
    problems = [f"{p.path}: console: {e[:300]}" for p in pages.values() for e in p.errors]
    problems += [f"{p.path}: request failed: {f}" for p in pages.values() for f in p.failed]
    assert not problems, "\n".join(problems)


def test_no_page_is_wider_than_a_phone(pages: dict[str, Page]) -> None:
    wide = [
        f"{p.path}: {p.overflow} px too wide at {PHONE} px"
        for p in pages.values()
        if p.overflow > 0
    ]
    assert not wide, "\n".join(wide)


def test_chapter_pages_are_light(pages: dict[str, Page]) -> None:
    """At most 2.5 MB, uncompressed, with everything the page loads."""
    print("\npage weight (uncompressed, with everything it loads):")
    chapters = sorted((p for p in pages.values() if _chapter(p.path)), key=lambda p: p.path)
    for page in chapters:
        print(f"  {page.path}: {page.bytes / 1e6:.2f} MB")
    heavy = [f"{p.path}: {p.bytes / 1e6:.2f} MB" for p in chapters if p.bytes > MAX_PAGE_BYTES]
    assert not heavy, f"pages above {MAX_PAGE_BYTES / 1e6} MB:\n" + "\n".join(heavy)


def test_every_chapter_has_an_explorer_that_starts(pages: dict[str, Page]) -> None:
    chapters = [p for p in pages.values() if _chapter(p.path)]
    assert chapters, "no chapter pages were built"
    problems = []
    for page in chapters:
        if page.explorers == 0:
            notebook = page.path.removesuffix(".html") + ".ipynb"
            problems.append(
                f"{page.path}: no explorer carries page data; store it with "
                f"python scripts/execute_notebooks.py {notebook}"
            )
        elif page.live != page.explorers:
            problems.append(f"{page.path}: {page.explorers - page.live} explorer(s) did not start")
    assert not problems, "\n".join(problems)


def test_every_pair_of_controls_combines_and_the_figure_is_lrlabs(pages: dict[str, Page]) -> None:
    checked = [p for p in pages.values() if p.live]
    assert checked, "no explorer started on any page"
    problems = [f"{p.path}: {c}" for p in checked for c in p.checks]
    assert not problems, "\n".join(problems[:40])


def test_redraws_are_fast(pages: dict[str, Page]) -> None:
    slow = []
    everything: list[float] = []
    print(f"\nredraw per input event (median / max, ms; budget {MEDIAN_MS:g} / {MAX_MS:g}):")
    for page in pages.values():
        for e, times in page.timings.items():
            if not times:
                continue
            everything += times
            median, worst = statistics.median(times), max(times)
            events = len(times)
            print(
                f"  {page.path} explorer {e + 1}: {median:.1f} / {worst:.1f} over {events} events"
            )
            if median > MEDIAN_MS or worst > MAX_MS:
                slow.append(
                    f"{page.path} explorer {e + 1}: median {median:.1f} ms, max {worst:.1f} ms"
                )
    if everything:
        median, worst = statistics.median(everything), max(everything)
        print(f"  all explorers: {median:.1f} / {worst:.1f} over {len(everything)} events")
    assert not slow, "\n".join(slow)


def test_dark_mode_treats_explorers_like_figures(pages: dict[str, Page]) -> None:
    compared = [p for p in pages.values() if p.dark is not None]
    assert compared, "no page has both a figure and an explorer"
    unlike = [
        f"{p.path}: figure {p.dark[0]!r}, explorer {p.dark[1]!r}"
        for p in compared
        if p.dark[0] != p.dark[1]
    ]
    assert not unlike, "\n".join(unlike)


def test_math_is_typeset_on_every_page(pages: dict[str, Page]) -> None:
    raw = [
        f"{p.path}: {p.math - p.typeset} of {p.math}" for p in pages.values() if p.typeset < p.math
    ]
    assert not raw, "math left as raw TeX:\n" + "\n".join(raw)
    assert any(p.math for p in pages.values() if _chapter(p.path)), "no chapter shows any math"


def test_no_broken_images(pages: dict[str, Page]) -> None:
    broken = [f"{p.path}: {src}" for p in pages.values() for src in p.broken_images]
    assert not broken, "\n".join(broken)


def test_every_figure_has_alt_text(pages: dict[str, Page]) -> None:
    missing = [f"{p.path}: {what}" for p in pages.values() for what in p.missing_alt]
    assert not missing, "\n".join(missing)


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


def test_a_solution_title_opens_the_solution(site: Path) -> None:
    from playwright.sync_api import sync_playwright

    chapter = next(p for p in _pages(site) if _chapter(p) and "solution" in (site / p).read_text())
    base, server = _serve(site)
    profile = tempfile.mkdtemp(prefix="lrlab-chromium-")
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), args=FLAGS, headless=True
            )
            tab = browser.new_page()
            tab.goto(base + chapter, wait_until="load")
            solution = tab.locator(".solution.dropdown").first
            assert "toggle-hidden" in (solution.get_attribute("class") or "")
            url = tab.url
            solution.locator(".admonition-title a").first.click()
            tab.wait_for_timeout(200)
            assert "toggle-hidden" not in (solution.get_attribute("class") or "")
            assert tab.url == url, "clicking the title jumped away instead of opening the solution"
            browser.close()
    finally:
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
