"""Allow `python -m aisite`."""

import sys

from aisite.cli import main

sys.exit(main())
