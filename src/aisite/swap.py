"""Replacing an output folder whole: the atomic exchange, the old tree's removal, leftovers."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from aisite.leftovers import remove_leftover
from aisite.libc import libc


def clean_leftovers(output: Path) -> None:
    """Remove temporary folders an interrupted build left (called holding the output's lock)."""
    for leftover in output.parent.glob(f".{output.name}.tmp-*"):
        # No live build owns one: builds of this folder hold its lock (lock.py) while they write.
        remove_leftover(leftover)


_RENAME_EXCHANGE = 2


def swap(new: Path, output: Path) -> None:
    """Put `new` in place of `output`; the old content ends up in `new` and is removed."""
    if not output.exists():
        os.rename(new, output)
        return
    if _exchange(new, output):
        _remove(new)
        return
    old = output.parent / f".{output.name}.tmp-{os.getpid()}-old{secrets.token_hex(4)}"
    os.rename(output, old)
    os.rename(new, output)
    shutil.rmtree(old, ignore_errors=True)


DETACH_ABOVE = 2000  # files: a larger old tree is deleted by a detached process


def _remove(old: Path) -> None:
    """Delete the previous site; a large one in the background, so the build can end now."""
    count = 0
    for _, _, files in os.walk(old):
        count += len(files)
        if count > DETACH_ABOVE:
            # The deleter renames the tree after its own pid first, so that a build starting
            # meanwhile (clean_leftovers) sees it is in hand and leaves it alone.
            code = (
                "import os, shutil, sys; old = sys.argv[1]; "
                "gone = old.rsplit('.tmp-', 1)[0] + f'.tmp-{os.getpid()}-gone'; "
                "os.rename(old, gone); shutil.rmtree(gone, ignore_errors=True)"
            )
            subprocess.Popen(
                [sys.executable, "-c", code, str(old)],
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            return  # if it is interrupted, the next build's clean_leftovers finishes the job
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    renameat2 = getattr(libc(), "renameat2", None)  # Linux, glibc 2.28 and later
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)
