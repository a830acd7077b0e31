"""``python -m asyncbolt`` = the ``asyncbolt`` command."""

import sys

from asyncbolt.tools.cli import main

sys.exit(main())
