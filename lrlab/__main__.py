"""``python -m lrlab show ...``: see :mod:`lrlab.cli`."""

import sys

from lrlab.cli import main

sys.exit(main())
