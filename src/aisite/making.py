"""Makes one planned output in the build's folder: rendered, streamed or copied, or kept when unchanged."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from aisite.cache import Cache
from aisite.errors import ContentError, Problem
from aisite.plan import Output

# (index in the batch, unchanged, size, mtime_ns, problems)
Made = tuple[int, bool, int, int, list[Problem]]


@dataclass(frozen=True)
class Job:
    """What every worker needs; inherited by forked workers, never pickled."""

    planned: list[Output]  # the batch being made
    tmp: Path
    output: Path
    known: Cache | None
    in_place: bool  # tmp is a staging folder for changed files only (inplace.py)


job: Job | None = None  # the batch being made: set before a pool of workers is forked
_folders: set[Path] = set()  # folders already made in this process


def start(new: Job | None, keep_folders: bool = False) -> None:
    """Make `new` the batch to make (None: none; and the build is done with making unless
    `keep_folders`, which keeps the folders this process made known)."""
    global job
    job = new
    if new is None and not keep_folders:
        _folders.clear()


def make(index: int) -> Made:
    """Make one output of the batch.

    A new file goes into the temporary folder. An unchanged one is left where it is when
    writing in place, else hard-linked into the new folder from the published site.
    """
    assert job is not None
    item = job.planned[index]
    known = job.known
    previous_name = os.path.join(job.output, item.path)
    # (In place, outputs with the same inputs never get here: see write.py's _plan.)
    same_inputs = bool(
        not job.in_place
        and item.key
        and known
        and known.output_unchanged(item.path, item.key, previous_name)
    )
    if not job.tmp.is_dir():
        raise RuntimeError("the build's temporary folder is gone")
    target = job.tmp / item.path
    previous = Path(previous_name)
    if not job.in_place:
        folder(target.parent)
    # Same inputs as the file already published: keep it (and its mtime) without rendering.
    unchanged = same_inputs and _link(previous, target)
    if not unchanged:
        try:
            if item.stream is not None:
                unchanged = streamed(item.stream, previous, target, job.in_place)
            else:
                data = copied(item) if item.copy_from else item.render()  # type: ignore[misc]
                unchanged = same(previous, data) if job.in_place else reuse(previous, data, target)
                if not unchanged:
                    folder(target.parent)
                    target.write_bytes(data)
        except ContentError as err:
            # Every worker goes on, so that one build reports every broken template and page.
            return index, False, 0, 0, err.problems
    # A staged file keeps its size and mtime when renamed into place.
    stat = (previous if unchanged and job.in_place else target).stat()
    return index, unchanged, stat.st_size, stat.st_mtime_ns, []


def copied(item: Output) -> bytes:
    """A copied file's bytes; one that went (or cannot be read) since it was planned is a
    problem of its origin, not a crash."""
    assert item.copy_from is not None
    try:
        return Path(item.copy_from).read_bytes()
    except OSError as err:
        why = err.strerror or type(err).__name__
        message = f"cannot read {item.copy_from} ({why})"
        hint = "it changed while the site was being built: build again"
        raise ContentError([Problem(item.origin, item.line, message, hint)]) from None


def folder(path: Path) -> None:
    """Make a folder of the build's folder (once a process)."""
    if path not in _folders:
        path.mkdir(parents=True, exist_ok=True)
        _folders.add(path)


def _link(previous: Path, target: Path) -> bool:
    try:
        os.link(previous, target)
    except OSError:
        return False
    return True


def streamed(
    stream: Callable[[], Iterable[bytes]], previous: Path, target: Path, in_place: bool
) -> bool:
    """Write a stream's pieces to `target` as they come; when the published file holds the same
    bytes, the file written goes and the published one is kept (linked when not in place, or
    copied with its mtime where there are no hard links)."""
    _write(stream, target)
    if not _same_files(previous, target):
        return False
    target.unlink()
    if not in_place and not _link(previous, target):
        shutil.copy2(previous, target)  # no hard links here: a copy, with its mtime
    return True


def _write(stream: Callable[[], Iterable[bytes]], target: Path) -> None:
    folder(target.parent)
    with open(target, "wb") as out:
        for piece in stream():
            out.write(piece)


def _published(path: Path) -> BinaryIO:
    """The published file, opened for reading: a regular file, never a link followed (one put
    in the site by hand is replaced, not kept for the bytes it points to)."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    if not S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise OSError(f"{path} is not a regular file")
    return os.fdopen(handle, "rb")


def _same_files(one: Path, other: Path) -> bool:
    try:
        with _published(one) as first, open(other, "rb") as second:
            if os.fstat(first.fileno()).st_size != os.fstat(second.fileno()).st_size:
                return False
            while True:
                piece = first.read(1 << 20)
                if piece != second.read(1 << 20):
                    return False
                if not piece:
                    return True
    except OSError:
        return False


def same(previous: Path, data: bytes) -> bool:
    """The published file already holds exactly `data`."""
    try:
        with _published(previous) as file:
            return os.fstat(file.fileno()).st_size == len(data) and file.read() == data
    except OSError:
        return False


def reuse(previous: Path, data: bytes, target: Path) -> bool:
    """Hard-link an identical file of the previous build, so its mtime is kept."""
    return same(previous, data) and _link(previous, target)
