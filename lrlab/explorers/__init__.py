"""Chapter-specific figure builders and explorers, one module per topic (being retired).

Each module builds on the house style of :mod:`lrlab.viz` and the static-safe,
the legacy :class:`lrlab.static_explorer.FrameExplorer`. The exercises' answer keys live in
:mod:`lrlab.exercises`, shared figures in :mod:`lrlab.viz` and the comparison
protocol in :mod:`lrlab.experiments`. Importing this package imports them all.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
