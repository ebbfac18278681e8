"""Allow `python -m aisite`."""

import sys

from aisite.cli import run

sys.exit(run())
