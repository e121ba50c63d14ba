"""``python -m tournament``: the same command line as ``tournament``."""

import sys

from .cli import main

sys.exit(main())
