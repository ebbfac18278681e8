"""Temporary folders an interrupted build left beside the output: removed, or reported once."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import TracebackType
from typing import Any


def remove_leftover(leftover: Path) -> bool:
    """Remove a leftover folder; when it cannot go (another user's), say so in one line."""
    if leftover.is_symlink():
        leftover.unlink(missing_ok=True)
        return True
    failed: list[OSError] = []

    def note(func: Any, path: str, info: tuple[type, BaseException, TracebackType]) -> None:
        error = info[1]
        # Another build's background deleter may be removing the same tree: not a problem.
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            failed.append(error)

    shutil.rmtree(leftover, onerror=note)
    if failed:
        why = failed[0].strerror or str(failed[0])
        print(
            f"aisite: warning: cannot remove {leftover}, left by an earlier build ({why}); "
            "remove it yourself (it may belong to a build run as another user, such as root)",
            file=sys.stderr,
        )
        return False
    return True
