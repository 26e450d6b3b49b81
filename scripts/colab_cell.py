"""The first cell of every chapter: installs lrlab on Google Colab, does nothing elsewhere.

The repository address lives in one place, ``repository.url`` in ``_config.yml``.
When it is set, the cell installs lrlab from that repository; when it is empty,
the cell says how to install lrlab by hand (and the book shows no launch
buttons). ``make notebooks`` rewrites the cell in every chapter, and the
book-structure test checks that every chapter carries the current one.

Usage: python scripts/colab_cell.py book/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
TAGS = ["remove-cell", "nbval-skip"]


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The repository address set in ``_config.yml`` ('' when unset)."""
    data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    return str((data.get("repository") or {}).get("url") or "").strip()


def cell_source(url: str) -> str:
    """Source of the Colab cell for this repository address."""
    if url:
        return (
            "# Runs only on Google Colab: installs lrlab there. Elsewhere it does nothing.\n"
            "import subprocess\n"
            "import sys\n"
            "\n"
            'if "google.colab" in sys.modules:\n'
            "    subprocess.run(\n"
            f'        [sys.executable, "-m", "pip", "install", "-q", "lrlab @ git+{url}"],\n'
            "        check=True,\n"
            "    )"
        )
    return (
        "# Runs only on Google Colab, which does not have lrlab: it says how to install it.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    print(\n"
        '        "This chapter imports lrlab. Build a wheel from the LR Lab sources with "\n'
        '        "`python -m pip wheel --no-deps -w dist .`, upload it to Colab, and run "\n'
        '        "`!pip install lrlab-*.whl` in a cell."\n'
        "    )"
    )


def sync(path: Path, url: str) -> bool:
    """Make the first cell of the notebook at ``path`` the Colab cell; True if it changed."""
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    if first.cell_type != "code" or first.metadata.get("tags") != TAGS:
        raise ValueError(f"{path}: the first cell must be the Colab cell tagged {TAGS}")
    source = cell_source(url)
    if first.source == source:
        return False
    first.source = source
    nbformat.write(nb, path)
    return True


def main(paths: list[str]) -> int:
    url = repository_url()
    for name in paths:
        if sync(Path(name), url):
            print(f"{name}: Colab cell updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
