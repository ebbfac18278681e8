"""What the no-change fast path trusts and reports: the inputs' signature, a well-formed manifest, an output folder as it was left, a write's Stats."""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, MutableSequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import blake2b
from pathlib import Path
from typing import Any

from aisite.keys import digest
from aisite.options import Options
from aisite.outputcheck import MARKER
from aisite.pool import Started, fork_call
from aisite.reader import Walk

STATS = ("files", "pages", "feeds")
# A listing's digest is the sum of its files' entries' hashes: an edit that knows what it
# replaced works out the folder's digest without listing it (283,000 files at 20,000 articles).
MODULUS = 1 << 128
UNREADABLE = "|unreadable"  # how an input's line ends when it could not be stat'ed
Tally = tuple[int, int]  # files listed, the sum of their entries' hashes


@dataclass
class Stats:
    """What a write produced (the manifest keeps STATS of it for the next build to report)."""

    files: int = 0
    pages: int = 0
    feeds: int = 0
    unchanged: int = 0
    listing: dict[str, Any] = field(default_factory=dict)  # listing() of the result


def listing(output: Path) -> dict[str, Any]:
    """The number of files in the output folder and a digest of their paths, sizes and mtimes."""
    prefix = os.path.join(output, "")  # a path under the folder starts with exactly this
    return _result(*_below([prefix[:-1] or prefix], len(prefix)))


def entry(path: str, size: int, mtime: int) -> str:
    """A file's entry, as listing() digests it."""
    return f"{path}\0{size}\0{mtime}"


def _hash(entry: str) -> int:
    return int.from_bytes(
        blake2b(entry.encode("utf-8", "surrogateescape"), digest_size=16).digest()
    )


def _result(count: int, total: int) -> dict[str, Any]:
    return {"count": count, "digest": f"{total % MODULUS:032x}"}


def moved(
    known: dict[str, Any],
    gone: Iterable[tuple[str, int, int]] = (),
    added: Iterable[tuple[str, int, int]] = (),
) -> dict[str, Any] | None:
    """A listing() with these files (path, size, mtime_ns) gone and these added, worked out
    from the digest alone (it is a sum); None when `known` is not a listing() of this kind."""
    digest, count = known.get("digest"), known.get("count")
    if not (isinstance(digest, str) and len(digest) == 32 and type(count) is int):
        return None
    try:
        total = int(digest, 16)
    except ValueError:
        return None
    for path, size, mtime in gone:
        total, count = total - _hash(entry(path, size, mtime)), count - 1
    for path, size, mtime in added:
        total, count = total + _hash(entry(path, size, mtime)), count + 1
    return _result(count, total)


class SharedListing:
    """listing(output), made by forked workers begun now and by this process once it asks for
    the result (70,000 files at 5,000 articles: 0.5 s in one process), each taking a few of the
    output's folders at a time; call it to wait for the listing, or cancel it."""

    CHUNK = 32  # folders taken at a time
    WAIT = 10.0  # seconds: the most the shared counter's lock is ever held is a few instructions

    def __init__(self, output: Path, workers: int) -> None:
        prefix = os.path.join(output, "")
        self.output, self.cut = output, len(prefix)
        self.tally = (0, 0)  # the files of the levels above self.folders: count, sum
        level = [prefix[:-1] or prefix]
        while level and len(level) < 16 * workers:  # down to a level with folders to share
            below: list[str] = []
            for folder in level:
                self.tally = _add(self.tally, _scan(folder, self.cut, below))
            level = below
        self.folders = level
        self.taken = mp.get_context("fork").Value("q", 0)
        self.started: list[Started[Tally]] = []
        try:  # this process takes its share once it asks for the listing
            for _ in range(min(workers - 1, len(level))):
                self.started.append(fork_call(self._share))
        except OSError:  # no process to spare: this process lists what is left
            pass
        except BaseException:  # interrupted while forking: none may be left running
            self.cancel()
            raise

    def _share(self) -> Tally:
        """The files of folders taken CHUNK at a time until none are left (here or in a
        worker): their count and the sum of their entries' hashes."""
        tally = (0, 0)
        lock = self.taken.get_lock()
        while True:
            # A worker killed while holding the lock would hold it for ever: never wait long.
            if not lock.acquire(timeout=self.WAIT):
                raise RuntimeError("a listing worker stopped holding the shared counter")
            try:
                start = self.taken.value
                self.taken.value = start + self.CHUNK
            finally:
                lock.release()
            if start >= len(self.folders):
                return tally
            tally = _add(tally, _below(self.folders[start : start + self.CHUNK], self.cut))

    def __call__(self) -> dict[str, Any]:
        try:
            tally = _add(self.tally, self._share())
            for worker in self.started:
                tally = _add(tally, worker.result())
        except RuntimeError:  # a worker died: what it took is unknown, so list it all here
            self.cancel()
            return listing(self.output)
        return _result(*tally)

    def cancel(self) -> None:
        """Stop and reap the workers (when the listing is not needed)."""
        for worker in self.started:
            worker.cancel()


def _add(one: Tally, other: Tally) -> Tally:
    return one[0] + other[0], one[1] + other[1]


def _below(folders: list[str], cut: int) -> Tally:
    """The files below these folders (paths cut to the output's): count, sum of hashes."""
    tally = (0, 0)
    stack = list(folders)
    while stack:
        tally = _add(tally, _scan(stack.pop(), cut, stack))
    return tally


def _scan(folder: str, cut: int, pending: MutableSequence[str]) -> Tally:
    """One folder's files (count, sum of their entries' hashes); its subfolders to `pending`."""
    count = total = 0
    try:
        with os.scandir(folder) as found:
            for item in found:
                if item.is_dir(follow_symlinks=False):  # known from the listing: no stat
                    pending.append(item.path)
                else:
                    stat = item.stat(follow_symlinks=False)
                    total += _hash(entry(item.path[cut:], stat.st_size, stat.st_mtime_ns))
                    count += 1
    except OSError:
        return count + 1, total + _hash(f"{folder}\0unreadable")
    return count, total


def listing_of(files: Iterable[tuple[str, int, int]]) -> dict[str, Any]:
    """What listing() gives for a folder holding exactly these files (path, size, mtime_ns)."""
    count = total = 0
    for path, size, mtime in files:
        total += _hash(entry(path, size, mtime))
        count += 1
    return _result(count, total)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def well_formed(known: dict[str, Any]) -> bool:
    """True when a manifest read from the cache has every field the fast path uses, typed right."""
    stats = known.get("stats")
    try:
        datetime.fromisoformat(known["since"])
        datetime.fromisoformat(known["until"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        isinstance(known.get("signature"), str)
        and type(known.get("articles")) is int
        and _is_str_list(known.get("drafts"))
        and _is_str_list(known.get("future"))
        and isinstance(stats, dict)
        and set(stats) == set(STATS)
        and all(type(v) is int for v in stats.values())
        and isinstance(known.get("listing"), dict)
    )


def unchanged(
    known: dict[str, Any] | None,
    signature: str,
    now: datetime,
    output: Path,
    listed: Callable[[], dict[str, Any]] | None = None,
) -> bool:
    """True when nothing the site is made from changed and the output is as the build left it
    (`listed`: the output's listing() when it is asked for, if not made here)."""
    return bool(
        known
        and well_formed(known)
        and known["signature"] == signature
        and datetime.fromisoformat(known["since"]) <= now < datetime.fromisoformat(known["until"])
        and known["listing"] == (listed() if listed else listing(output))
    )


def options_key(options: Options) -> str:
    """The options that decide which articles a site shows, and where."""
    return repr((options.drafts, options.future, options.base_url))


def input_lines(walk: Walk) -> list[str]:
    """Every input file's path, size and mtime (found by the loader's safe walk), a line each."""
    return [
        f"{path}{UNREADABLE}" if stat is None else f"{path}|{stat[0]}|{stat[1]}"
        for path, stat in walk.stats.items()
    ]


def input_signature(options: Options, lines: list[str]) -> str:
    """The inputs' lines (input_lines) and the options, as one digest (of the lines joined by
    NUL, which no path holds: a digest of each line took 0.1 s more at 40,000 files)."""
    return digest(options_key(options), "\0".join(lines))


def output_identity(output: Path) -> str:
    """The output folder as the last build left it (a new folder after every real build)."""
    try:
        marker = (output / MARKER).stat()
        folder = output.stat()
    except OSError:
        return "no output"
    return f"{folder.st_ino}|{folder.st_mtime_ns}|{marker.st_ino}|{marker.st_mtime_ns}"
