"""``python -m asyncbolt`` = the ``asyncbolt`` command."""

import sys

from .cli import main

sys.exit(main())
