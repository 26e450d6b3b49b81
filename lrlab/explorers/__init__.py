"""Chapter-specific figure builders, explorers and exercise answers, one module per topic.

Each module builds on the house style of :mod:`lrlab.viz` and the static-safe
:class:`lrlab.static_explorer.FrameExplorer`, and registers its auto-checked exercises with
:func:`lrlab.exercises.register`. Importing this package imports them all.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
