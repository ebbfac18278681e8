"""Build locks: one build at a time writes an output folder, and one at a time uses a cache.

A lock is fcntl.flock on a file: `.<output name>.lock` beside the output folder, `.lock` in the
cache folder. The kernel drops it when the holder dies, however it dies, in any PID namespace
that shares the file system, so a lock (not a PID) is what proves a build is alive. The lock
files stay: removing one while another build waits on it would let two builds in.
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from aisite.errors import ContentError, Problem


def output_lock(output: Path) -> Path:
    """The lock file of an output folder: beside it, so that it survives the folder's swap."""
    return output.parent / f".{output.name}.lock"


def _open(path: Path) -> int:
    """A descriptor to lock; read-only when another user's lock file cannot be written."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except PermissionError:
        return os.open(path, os.O_RDONLY)


@contextmanager
def holding(path: Path, what: str, wait: bool = True, required: bool = True) -> Iterator[None]:
    """Hold the lock at `path`; when another build has it, wait (saying so once) or fail."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = _open(path)
    except OSError as err:
        if not required:  # e.g. a read-only site folder: then the cache is not written either
            yield
            return
        message = f"cannot create the lock file {path.name}: {err.strerror or err}"
        raise ContentError([Problem(str(path.parent), 0, message)]) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                message = f"another aisite build is writing {what}"
                hint = "run again without --no-wait to wait for it"
                raise ContentError([Problem(what, 0, message, hint)]) from None
            print(
                f"aisite: another build is writing {what}; waiting for it to finish",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def build_locks(output: Path, cache: Path | None, wait: bool = True) -> Iterator[None]:
    """The output folder's lock, then the cache's (always in this order: no deadlock)."""
    with ExitStack() as stack:
        stack.enter_context(holding(output_lock(output), str(output), wait))
        if cache is not None:
            stack.enter_context(holding(cache / ".lock", str(cache), wait, required=False))
        yield
