"""Sphinx extension: launch and repository buttons only when a repository is set.

The repository address lives in one place, ``repository.url`` in
``_config.yml``. Without it there is nowhere for Binder, a JupyterHub or Colab
to fetch the notebooks from, so the book shows no launch buttons (rather than
buttons that lead to a page that does not exist); with it, the repository and
issue buttons appear as well.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def configure_buttons(theme_options: dict[str, Any]) -> dict[str, Any]:
    """Theme options with the buttons that the repository address allows.

    Examples
    --------
    >>> configure_buttons({"repository_url": "", "launch_buttons": {"colab_url": "x"}})
    {'repository_url': '', 'use_repository_button': False, 'use_issues_button': False}
    >>> opts = configure_buttons({"repository_url": "https://example.org/r", "launch_buttons": {}})
    >>> opts["use_repository_button"], opts["use_issues_button"]
    (True, True)
    """
    options = dict(theme_options)
    has_repository = bool(str(options.get("repository_url") or "").strip())
    if not has_repository:
        options.pop("launch_buttons", None)
    options["use_repository_button"] = has_repository
    options["use_issues_button"] = has_repository
    return options


def _config_inited(app: Sphinx, config: Config) -> None:
    config.html_theme_options = configure_buttons(config.html_theme_options)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _config_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
