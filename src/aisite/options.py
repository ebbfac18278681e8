"""What a build is asked for: its options, apart from the pipeline (a no-change build imports little)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Options:
    """What the build includes and where it looks."""

    source: Path
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    now: datetime | None = None
    clean: bool = False  # ignore (and rebuild) the cache
    # With clean: every article rendered anew and its text held, none read back from the
    # cache: a build made again after a text could not be read (retry.py), which then cannot
    # fail on one again. (A --clean build alone leaves each text to the cache once written.)
    hold_texts: bool = False
    use_cache: bool = True  # False: neither read nor write .aisite-cache/ (temporary builds)
    jobs: int = 0  # worker processes; 0: one per core
    wait: bool = True  # when another build holds the output's lock: wait (else fail at once)
