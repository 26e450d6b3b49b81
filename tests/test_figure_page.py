"""House-style figures as a reader sees them: a one-page book in headless Chromium.

A notebook with figures from :mod:`lrlab.viz` is executed (so the figures
leave the kernel as 2x PNGs), built with Jupyter Book and the book's own
figure CSS, and opened at a 1366-px desktop and a 390-px phone width. Each
image must show at its 1x width (or the column's, when narrower) without
distortion, and its smallest text must reach 12 px and 9 px. Needs Chromium
at ``/usr/bin/chromium``; skipped without it.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lrlab import viz

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": 1366, "phone": 390}

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIGURES = [
    "viz.plot_schedules({f'cosine {k}': lrlab.cosine(0.1 * k, 100) for k in range(1, 7)}, 100,"
    " title='six schedules, labelled at their ends')",
    "viz.plot_path_2d(lrlab.problems.Quadratic2D(10.0, 1.0), 0.15, 30)",
    "viz.plot_runs({name: lrlab.train_many([s], 60, seeds=[0, 1], val_every=10)"
    " for name, s in [('constant', lrlab.constant(1e-2)), ('cosine', lrlab.cosine(2e-2, 60))]})",
]


def _notebook(path: Path) -> list[tuple[str, float]]:
    """Write and execute the page's notebook; return each figure's smallest text in points."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Figures"),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nimport lrlab\nfrom lrlab import viz"
        ),
    ]
    for i, code in enumerate(FIGURES):
        cell = nbformat.v4.new_code_cell(
            f"fig = {code}\nsmallest_{i} = min(t.get_fontsize() for t in viz._drawn_texts(fig))\n"
            "plt.show()"
        )
        cell.metadata["mystnb"] = {"image": {"alt": f"figure {i}"}}
        nb.cells.append(cell)
    names = ", ".join(f"smallest_{i}" for i in range(len(FIGURES)))
    nb.cells.append(nbformat.v4.new_code_cell(f"print(*[{names}])"))
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    nbformat.write(nb, path)
    smallest = [float(v) for v in nb.cells[-1].outputs[0]["text"].split()]
    return [(f"figure {i}", pt) for i, pt in enumerate(smallest)]


@pytest.fixture(scope="module")
def page_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[str, float]]]:
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    book = tmp_path_factory.mktemp("figure_page")
    (book / "_config.yml").write_text(
        "title: figures\n"
        "execute:\n  execute_notebooks: 'off'\n"
        "sphinx:\n  config:\n"
        f"    html_static_path: ['{ROOT / 'book' / 'static'}']\n"
        "    html_css_files: [lrlab-figures.css]\n",
        encoding="utf-8",
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: figures\n", encoding="utf-8")
    smallest = _notebook(book / "figures.ipynb")
    cli = Path(sys.executable).with_name("jupyter-book")
    subprocess.run([str(cli), "build", str(book), "-W"], check=True, capture_output=True)
    return book / "_build" / "html", smallest


def _measure(site: Path, width: int) -> dict:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/figures.html")
            page.wait_for_load_state("load")
            found = page.evaluate(
                """() => ({
                  column: document.querySelector('div.cell_output').clientWidth,
                  images: [...document.querySelectorAll('div.cell_output img')].map(i => {
                    const r = i.getBoundingClientRect();
                    return {alt: i.alt, natural: [i.naturalWidth, i.naturalHeight],
                            shown: [r.width, r.height]};
                  }),
                })"""
            )
            browser.close()
    finally:
        server.shutdown()
    return found


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_figures_show_sharp_undistorted_and_readable(page_site, device):
    site, smallest = page_site
    found = _measure(site, VIEWPORTS[device])
    column = found["column"]
    expected_column = viz.DESKTOP_COLUMN_PX if device == "desktop" else viz.PHONE_COLUMN_PX
    assert abs(column - expected_column) <= 2, f"content column {column} px"
    minimum = viz.MIN_DESKTOP_PX if device == "desktop" else viz.MIN_PHONE_PX
    assert len(found["images"]) == len(FIGURES)
    for image, (alt, points) in zip(found["images"], smallest, strict=True):
        (nat_w, nat_h), (shown_w, shown_h) = image["natural"], image["shown"]
        assert image["alt"] == alt
        assert shown_w == pytest.approx(min(nat_w / 2, column), abs=1)  # 2x PNG at 1x size
        assert shown_h / shown_w == pytest.approx(nat_h / nat_w, rel=0.01)  # not squashed
        text_px = points * viz.DPI / 72 * shown_w / (nat_w / 2)
        assert text_px >= minimum, f"{alt}: smallest text {text_px:.1f} px on a {device}"
