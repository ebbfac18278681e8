"""Lists the published site against the last build's records, and puts a build's changed files over it, each by a rename, after a journal.

An edit changes a few files of a site of tens of thousands: copying or linking every file into a
new folder to swap it in costs seconds that grow with the archive. Instead the changed files are
written (rendered and validated) into a staging folder beside the site, then a journal names
that folder and the files to delete, then each staged file replaces its published one by
rename (never a torn file) and the deleted files go. A build killed before the journal leaves the
site as it was; one killed after it leaves each file old or new, and the next build (holding
the output's lock) finishes the journal before it reads anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
from array import array
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from stat import S_ISDIR, S_ISREG

from aisite import memory
from aisite.leftovers import remove_leftover
from aisite.pool import Started, can_fork, fork_call

Listing = dict[str, tuple[int, int]]


def journal_of(output: Path) -> Path:
    """The journal of an output folder: beside it, like its lock."""
    return output.parent / f".{output.name}.journal"


def staging_prefix(output: Path) -> str:
    """The start of the name of a staging folder of `output` (followed by pid and token)."""
    return f".{output.name}.staged-"


def files_of(folder: Path, links: list[str] | None = None) -> Listing:
    """Every file below `folder` (and every symbolic link, even to a folder), as POSIX paths,
    with its size and mtime_ns (of the link itself, for a link); the links' paths to `links`."""
    found: Listing = {}
    stack = [(str(folder), "")]
    while stack:
        path, prefix = stack.pop()
        try:
            with os.scandir(path) as listed:
                entries = list(listed)
        except OSError:
            continue  # as os.walk: what cannot be listed is not there (writing it will say why)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
                else:
                    stat = entry.stat(follow_symlinks=False)
                    found[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns)
                    if links is not None and entry.is_symlink():
                        links.append(prefix + entry.name)
            except OSError:
                continue  # gone meanwhile: only this entry is left out
    return found


def record_hash(path: str, key: str) -> bytes:
    """An output's path and key as 16 bytes, by which its record is found (a table of every
    record read whole took 25 MB at 71,000 files; these and their stats, 9.6 MB)."""
    return hashlib.blake2b(
        f"{path}\0{key}".encode("utf-8", "surrogateescape"), digest_size=16
    ).digest()


@dataclass
class Compared:
    """What an output folder holds, against the last build's records of its files: only those
    that differ are listed (every file's size and mtime took 73 MB at 283,000 files); the
    others by their record_hash, size and mtime, when they were read with their keys."""

    other: Listing  # files with no record, or not of the recorded size and mtime
    missing: set[str]  # recorded files the folder does not hold
    complete: bool  # compared with the records (else `other` is every file)
    links: list[str]  # symbolic links (in `other`), never a build's: put there by hand
    hashes: bytes = b""  # the record_hash of each file the folder holds as recorded
    sizes: array[int] = field(default_factory=lambda: array("q"))  # and its size, mtime_ns
    mtimes: array[int] = field(default_factory=lambda: array("q"))
    # Made from `hashes` when first asked: each hash's position.
    _found: dict[bytes, int] | None = field(default=None, init=False, repr=False, compare=False)

    def as_recorded(self, path: str, key: str) -> tuple[int, int] | None:
        """The size and mtime_ns of `path` when the folder holds it as the last build recorded
        it, with this key: then it needs no making (reading its record took 2.3 µs, this 0.7)."""
        if self._found is None:
            self._found = {self.hashes[n : n + 16]: n // 16 for n in range(0, len(self.hashes), 16)}
        at = self._found.get(record_hash(path, key))
        return None if at is None else (self.sizes[at], self.mtimes[at])

    def take(self, path: str) -> tuple[int, int] | None:
        """The size and mtime_ns of a file the build makes, if `other` lists it; taken out of
        `other`, where what is left is not made."""
        return self.other.pop(path, None)


def compare(output: Path, records: tuple[Path, str] | None) -> Compared:
    """The folder's files against the records (the cache's database and the folder's scope in
    it) of the build that wrote them; every file when they cannot be read."""
    links: list[str] = []
    files = files_of(output, links)
    if records is None:
        return Compared(files, set(), False, links)
    same: list[str] = []
    missing: set[str] = set()
    hashes, sizes, mtimes = bytearray(), array("q"), array("q")
    try:
        with contextlib.closing(sqlite3.connect(records[0])) as db:
            query = "SELECT path, key, size, mtime FROM outputs WHERE folder = ?"
            for path, key, size, mtime in db.execute(query, (records[1],)):
                now = files.get(path)
                if now is None:
                    missing.add(path)
                elif now == (size, mtime):
                    same.append(path)
                    hashes += record_hash(str(path), str(key))
                    sizes.append(size)
                    mtimes.append(mtime)
    except (sqlite3.Error, TypeError, OverflowError):  # a damaged record: every file listed
        return Compared(files, set(), False, links)
    for path in same:
        del files[path]
    return Compared(files, missing, True, links, bytes(hashes), sizes, mtimes)


class Present:
    """What an output folder holds: the listing a server kept, else compared with `records` by
    compare(); with `early`, in a forked worker begun now (0.5 s for 70,000 files, while the
    build reads the content)."""

    def __init__(self, output: Path, early: bool, records: tuple[Path, str] | None = None) -> None:
        self.output, self.records = output, records
        self.kept = memory.take_listing(str(output))
        self.started: Started[Compared] | None = None
        if self.kept is None and early and can_fork():
            with contextlib.suppress(OSError):  # no process to spare: listed when asked for
                self.started = fork_call(partial(compare, output, records))

    def get(self) -> Compared:
        """The folder's files (waiting for the worker, if one lists them)."""
        if self.kept is not None:
            return Compared(self.kept, set(), False, [])
        if self.started is not None:
            found, self.started = self.started.result(), None
            return found
        return compare(self.output, self.records)

    def cancel(self) -> None:
        """Stop the worker if its listing was never asked for (the build ended early)."""
        if self.started is not None:
            self.started.cancel()


def apply(output: Path, staging: Path, delete: list[str]) -> None:
    """Journal, then replace each staged file and delete each file gone from the site."""
    journal = journal_of(output)
    temporary = journal.with_name(journal.name + ".tmp")
    temporary.write_text(json.dumps({"staging": staging.name, "delete": sorted(delete)}))
    os.replace(temporary, journal)
    _replay(output, staging, delete)
    journal.unlink()


def put(output: Path, files: list[tuple[str, bytes]], delete: list[str]) -> list[str]:
    """Stage the files (path, bytes) the folder does not hold as they are, then journal and put
    them in place, and delete `delete` (bodyedit.py's write); the paths written."""
    from aisite import interrupt
    from aisite.making import same

    staging = output.parent / f"{staging_prefix(output)}{os.getpid()}-{secrets.token_hex(4)}"
    written: list[str] = []
    try:
        staging.mkdir()
        for path, data in files:
            if not same(output / path, data):
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                written.append(path)
        interrupt.check()  # a stop while staging: nothing is published
        with interrupt.uninterrupted():  # each file old or new; a kill -9 is finished by recover()
            apply(output, staging, delete)
            interrupt.state.published = True
    finally:
        # A staging folder a journal names is the next build's to finish (recover()).
        if not journal_of(output).exists():
            shutil.rmtree(staging, ignore_errors=True)
    return written


def plain(output: Path, paths: list[str]) -> bool:
    """True when none of these paths of the folder, nor any folder above them, is anything but
    a file or a folder (put() would write through a link put there by hand, or fail on it)."""
    folders = {str(folder) for path in paths for folder in PurePosixPath(path).parents}
    kinds = [*((folder, S_ISDIR) for folder in sorted(folders)), *((p, S_ISREG) for p in paths)]
    for path, kind in kinds:
        try:
            mode = os.lstat(output / path).st_mode
        except FileNotFoundError:
            continue  # made when the files are put in place
        except OSError:
            return False
        if not kind(mode):
            return False
    return True


def recover(output: Path) -> bool:
    """Finish what a killed build journaled, remove staging folders nobody will use; True if any.

    A journal that cannot be read, or names anything but a staging folder of this output, is
    dropped: the next build repairs the site anyway (every file it finds differs from what
    the cache recorded), the journal only lets it finish sooner.
    """
    journal = journal_of(output)
    done = False
    if journal.is_file():
        try:
            record = json.loads(journal.read_text())
            name, delete = str(record["staging"]), [str(p) for p in record["delete"]]
        except (OSError, ValueError, TypeError, KeyError):
            name, delete = "", []
        if name.startswith(staging_prefix(output)) and name == Path(name).name:
            _replay(output, output.parent / name, [p for p in delete if _inside(p)])
            done = True
        journal.unlink()
    for leftover in output.parent.glob(staging_prefix(output) + "*"):
        remove_leftover(leftover)
    return done


def _inside(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts


def _replay(output: Path, staging: Path, delete: list[str]) -> None:
    # Deletions first: a path that turns from file to folder (or back) is free when replaced.
    for path in delete:
        target = output / path
        try:
            target.unlink()
        except FileNotFoundError:
            pass  # gone already (a replay): its folders may be left
        except (IsADirectoryError, NotADirectoryError):
            continue  # (a replay) replaced by a folder, or under a file now
        folder = target.parent
        while folder != output:
            try:
                folder.rmdir()  # only when the deletion left it empty
            except OSError:
                break
            folder = folder.parent
    if staging.is_dir():
        for path in files_of(staging):
            target = output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir() and not target.is_symlink():  # a folder put there by hand
                shutil.rmtree(target)
            os.replace(staging / path, target)
        shutil.rmtree(staging, ignore_errors=True)
