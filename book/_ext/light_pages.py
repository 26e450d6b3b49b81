"""Sphinx extension: pages without what only a live kernel can use, and without duplicates.

- Notebooks lose their ipywidgets state and widget views before rendering:
  widgets are live only in Jupyter, and the book's explorers draw their own
  controls (``book/static/lrlab-explorer.js``), so no widget JavaScript loads.
- An explorer's stored figure (the PNG of its starting values) stays in the
  page for print and the PDF, but loads only on demand (``loading="lazy"``,
  and ``lrlab-book.css`` hides it on screen): the page draws the explorer's
  figure itself, for every combination of controls.
- A script tag that a page would include twice (sphinx-thebe's configuration,
  which declares ``const`` names and fails the second time) is kept once.
- The theme's ``fontawesome.js`` (1.5 MB; it replaces icon elements by SVG
  for custom icons) is replaced by a stub: the book's icons come from the
  theme's icon font, which its style sheet already loads.
- The theme loads the search index (0.12 MB) and Sphinx's search tools on every
  page for search-as-you-type, which the book leaves off; only the search page,
  which loads its own, keeps them.
- Figures are stored as palette PNGs: 256 colours, no dithering, the size the
  notebook gave them. A house-style figure (lines, text, a few colours on
  white) looks the same and weighs about a third.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from docutils import nodes
from PIL import Image
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FONTAWESOME_STUB = (
    "/* LR Lab: the theme's icons come from its icon font (pydata-sphinx-theme.css); "
    "the SVG replacement script is not needed. */\n"
)


def strip_live_outputs(text: str) -> str:
    """The notebook JSON without widget state and widget views.

    Examples
    --------
    >>> nb = {"metadata": {"widgets": {}}, "cells": [{"cell_type": "code", "outputs": [
    ...     {"output_type": "display_data", "data": {"image/png": "..."},
    ...      "metadata": {"lrlab": {"explorer": "figure"}}},
    ...     {"output_type": "display_data", "data": {WIDGET_VIEW: {}, "text/plain": "VBox()"}},
    ...     {"output_type": "display_data",
    ...      "data": {"text/html": "<div class=\\"lrlab-explorer-spec\\">"}}]}]}
    >>> out = json.loads(strip_live_outputs(json.dumps(nb)))
    >>> "widgets" in out["metadata"], len(out["cells"][0]["outputs"])
    (False, 2)
    """
    nb = json.loads(text)
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        outputs = cell.get("outputs")
        if not outputs:
            continue
        cell["outputs"] = [out for out in outputs if WIDGET_VIEW not in out.get("data", {})]
    return json.dumps(nb, ensure_ascii=False)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if Path(app.env.doc2path(docname)).suffix == ".ipynb":
        source[0] = strip_live_outputs(source[0])


def _lazy_explorer_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Mark the stored figure of every explorer's cell output to load only on demand."""
    for output in doctree.findall(nodes.container):
        if "cell_output" not in output.get("classes", []):
            continue
        raw = "".join(n.astext() for n in output.findall(nodes.raw))
        if "lrlab-explorer-spec" not in raw:
            continue
        for image in output.findall(nodes.image):
            image["loading"] = "lazy"
            image["classes"].append("lrlab-explorer-figure")


def _unique_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    kept = []
    for script in scripts:
        # The same inline script comes once with filename None and once with "".
        name = getattr(script, "filename", script) or ""
        attributes = getattr(script, "attributes", {})
        key = (str(name), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def _stub_fontawesome(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "scripts" / "fontawesome.js"
    if target.exists():
        target.write_text(FONTAWESOME_STUB, encoding="utf-8")
    stale_map = target.with_name("fontawesome.js.map")
    if stale_map.exists():
        stale_map.unlink()


#: The theme's eager search scripts, as its layout writes them (relative paths vary by page).
SEARCH_SCRIPTS = re.compile(
    r'[ \t]*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
    r'searchindex\.js)(?:\?[^"]*)?"></script>\n?'
)


def _drop_search_scripts(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        if page.name == "search.html":
            continue
        text = page.read_text(encoding="utf-8")
        lighter = SEARCH_SCRIPTS.sub("", text)
        if lighter != text:
            page.write_text(lighter, encoding="utf-8")


def palette_png(path: Path) -> bool:
    """Rewrite a PNG with at most 256 colours; ``False`` if it already has a palette.

    Examples
    --------
    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "x.png"
    >>> Image.new("RGBA", (4, 2), (255, 255, 255, 255)).save(f)
    >>> palette_png(f), Image.open(f).mode, Image.open(f).size, palette_png(f)
    (True, 'P', (4, 2), False)
    """
    with Image.open(path) as image:
        if image.mode in ("P", "L", "1"):
            return False
        image.load()
    opaque = image.mode != "RGBA" or image.getextrema()[3][0] == 255
    if opaque:
        # Median cut keeps the few exact colours of lines and text.
        rgb = image.convert("RGB")
        small = rgb.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    else:
        small = image.quantize(256, Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    partial = path.with_suffix(".png.part")
    small.save(partial, "PNG", compress_level=9)
    partial.replace(path)
    return True


def _compact_images(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    images = sorted((Path(app.outdir) / "_images").glob("*.png"))
    if not images:
        return
    with ProcessPoolExecutor(max_workers=min(len(images), os.cpu_count() or 1)) as pool:
        done = sum(pool.map(palette_png, images))
    if done:
        logger.info(f"lrlab: {done} figure(s) stored as palette PNGs")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("source-read", _source_read)
    app.connect("doctree-resolved", _lazy_explorer_figures)
    app.connect("html-page-context", _unique_scripts)
    app.connect("build-finished", _stub_fontawesome)
    app.connect("build-finished", _drop_search_scripts)
    app.connect("build-finished", _compact_images)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
