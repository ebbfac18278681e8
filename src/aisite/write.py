"""Writes a planned site a batch at a time: a new folder swapped in whole, or changed files put in place."""

from __future__ import annotations

import os
import secrets
import shutil
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import chain, islice
from pathlib import Path

from aisite import interrupt, making, memory
from aisite.cache import Cache
from aisite.errors import ContentError, Problem
from aisite.inplace import Compared, Present, apply, files_of, journal_of, staging_prefix
from aisite.integrity import Stats, listing_of
from aisite.interrupt import uninterrupted
from aisite.keys import PackedKeys
from aisite.making import Made
from aisite.outputcheck import MARKER, MARKER_TEXT, PathCheck
from aisite.plan import Output
from aisite.pool import can_fork, fork_map
from aisite.swap import clean_leftovers, swap
from aisite.urls import is_feed

PARALLEL_MIN = 400  # outputs to make before a process pool pays for itself
# Outputs planned, then made, at a time: the plan of the whole site is never held (at 5,000
# articles it took 90 MB), only a path and a key of each output once it is made.
BATCH = 8192


def _plan(
    outputs: Iterable[Output], present: Compared, known: Mapping[str, tuple[str, int, int]]
) -> list[Made]:
    """Those of a batch published already from the same inputs and untouched since (a rebuild
    leaves them): found in `present` when it was compared with the records, else in `known`.
    The others' paths are taken out of `present` (Compared.take): what is left is not made."""
    found: list[Made] = []
    for index, item in enumerate(outputs):
        if present.complete:
            now = present.as_recorded(item.path, item.key) if item.key else None
            if now is None:
                present.take(item.path)
            else:
                found.append((index, True, now[0], now[1], []))
            continue
        entry = known.get(item.path)
        now = present.take(item.path)
        if entry and item.key and entry[0] == item.key and now == entry[1:]:
            found.append((index, True, entry[1], entry[2], []))
    return found


class _Writer:
    """Plans and makes a site's outputs a batch at a time; keeps each one's path and key."""

    def __init__(
        self,
        job: making.Job,
        present: Compared,
        known: Callable[[Sequence[str]], Mapping[str, tuple[str, int, int]]],
        workers: int,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.job, self.present, self.known = job, present, known
        self.workers, self.progress = workers, progress
        self.paths: list[str] = []
        self.keys = PackedKeys()
        # What making gave each output, by its index in paths (tuples took 15 MB at 70,000),
        # and whether that is what the last build recorded of it.
        self.unchanged, self.sizes, self.mtimes = bytearray(), array("q"), array("q")
        self.same = bytearray()
        self.made = 0  # outputs made or kept so far
        self.check = PathCheck()
        self.problems: list[Problem] = []  # of making (templates, files gone)

    def write(self, outputs: Iterable[Output], make: bool = True) -> bool:
        """Plan, check and make `outputs` (but those whose path is refused; `make` False: plan
        and check only). False when planning met a problem (kept, reported with the others)."""
        it = iter(outputs)
        while True:
            try:
                with memory.held():  # planned without the cycle collector walking the model
                    batch = list(islice(it, BATCH))
                    # Compared with the records already: none read again.
                    paths = [] if self.present.complete else [item.path for item in batch]
                    known = self.known(paths) if paths else {}
                    kept = _plan(batch, self.present, known)
            except ContentError as err:
                self.problems += err.problems
                return False
            if not batch:
                return True
            refused = self.check.add(batch)
            self.unchanged += bytes(len(batch))
            self.sizes.frombytes(bytes(8 * len(batch)))
            self.mtimes.frombytes(bytes(8 * len(batch)))
            if make:
                self._make(batch, kept, refused)
            at, sizes, mtimes = len(self.paths), self.sizes, self.mtimes
            if self.present.complete:  # those kept are as recorded; the rest are recorded anew
                same = bytearray(len(batch))
                for index, *_ in kept:
                    same[index] = 1
                self.same += same
            else:
                self.same += bytes(
                    known.get(item.path) == (item.key, sizes[at + n], mtimes[at + n])
                    for n, item in enumerate(batch)
                )
            self.paths += [item.path for item in batch]
            self.keys.extend([item.key for item in batch])
            del batch, kept, known  # not held while the next batch is planned

    def _make(self, batch: list[Output], kept: list[Made], refused: set[int]) -> None:
        """Make a batch but its kept and refused outputs (across forked workers when there are
        many)."""
        left = {index for index, *_ in kept} | refused
        todo = [index for index in range(len(batch)) if index not in left]
        cache = self.job.known
        # Outputs to render. In place: every one not kept (a template or setting changed: all
        # pages). Else those the cache has no key of; a file it has one of may be linked.
        fresh = (
            len(todo)
            if self.job.in_place
            else sum(
                1 for i in todo if not (batch[i].key and cache and batch[i].path in cache.outputs)
            )
        )
        making.start(replace(self.job, planned=batch))
        made: Iterable[Made] = map(making.make, todo)
        if self.workers > 1 and fresh >= PARALLEL_MIN and can_fork():
            made = fork_map(
                lambda k: making.make(todo[k]), len(todo), self.workers, 32, ordered=False
            )
        base = len(self.paths)
        for index, unchanged, size, mtime, problems in chain(kept, made):
            at = base + index
            self.unchanged[at], self.sizes[at], self.mtimes[at] = unchanged, size, mtime
            self.made += 1
            self.problems += problems
            if self.progress:
                self.progress(self.made, 0)
        making.start(None, keep_folders=True)  # the batch is not held past its making


def _unmade(
    listed: Compared, made: list[str], same: bytearray, cache: Cache | None, output: Path
) -> tuple[list[str], list[tuple[str, str]] | None]:
    """The files of the folder this build does not make (to delete); and the records of the
    outputs it no longer makes (path, key), when they were read. `same`: by each made path,
    whether it was found as recorded."""
    left = [path for path in listed.other if path != MARKER]  # what _plan did not take out
    if not listed.complete:  # `other` was every file
        return left, None
    here = set(made)
    unmade = _unmade_records(made, here, same, cache) if cache else None
    if unmade is None and cache:
        unmade = cache.recorded_besides(here)
    if unmade is None:  # which recorded files the folder holds is not known: list it
        return [path for path in files_of(output) if path not in here and path != MARKER], None
    held = (path for path, _ in unmade if path not in listed.missing)
    return left + [path for path in held if path not in listed.other], unmade


LOOKED_UP = 10_000  # records read, at most, to find those of outputs no longer made


def _unmade_records(
    made: list[str], here: set[str], same: bytearray, cache: Cache
) -> list[tuple[str, str]] | None:
    """The records of outputs not made again, found without reading every record (0.7 s of an
    edit at 20,000 articles): counted (those found as recorded and those of the rest with a
    record, against all the records), then looked for in the folders of the outputs made anew
    (a search bundle's files are named by their content). None when that cannot tell: more
    than LOOKED_UP outputs made anew or records in their folders, or not all of the records
    not made found there."""
    others = [path for path, found in zip(made, same, strict=True) if not found]
    if len(others) > LOOKED_UP:  # a change that makes everything again: all are read
        return None
    count = cache.recorded_count()
    if count is None:
        return None
    gone = count - sum(same) - len(cache.recorded(others))
    if gone == 0:
        return []
    folders: list[str] = []  # the outermost: a folder's records hold those of its folders
    for folder in sorted({path.rpartition("/")[0] for path in others} - {""}):
        if not (folders and folder.startswith(folders[-1] + "/")):
            folders.append(folder)
    near = cache.recorded_under(folders, LOOKED_UP)
    found = [(path, key) for path, key in (near or {}).items() if path not in here]
    return found if near is not None and len(found) == gone else None


def write_site(
    outputs: Iterable[Output],
    output: Path,
    progress: Callable[[int, int], None] | None = None,
    cache: Cache | None = None,
    workers: int = 1,
    present: Present | None = None,
    published: Callable[[], None] | None = None,
    last: Callable[[], Iterable[Output]] | None = None,
) -> Stats:
    """Write every output, planned and made a batch at a time: a first build into a fresh folder
    swapped in for `output`; a rebuild into a staging folder of the changed files, then put in
    place (inplace.apply). Nothing is published before every output is planned, checked and
    made. The caller holds the output's lock, has run inplace.recover and calls gc.unfreeze()
    when it is done (build.py does all three). `published` is called once the files are in
    place. `last`: outputs planned once the others are made (the search index, which a worker
    makes meanwhile)."""
    records = cache.recorded if cache and cache.has_outputs() else None
    in_place = records is not None and (output / MARKER).is_file()
    # What the folder holds now (read before planning, while the search index is being made):
    # unchanged outputs are found in it, the rest deleted.
    if present is None:
        present = Present(output, early=False)
    listed = present.get() if in_place else Compared({}, set(), False, [])
    present.cancel()
    for link in listed.links:  # a file made, or found unchanged, through one would be elsewhere
        (output / link).unlink(missing_ok=True)
    # The last build's records of each batch, when the folder was not compared with them (a
    # server's table, a folder listed whole; never all at once outside a server).
    known = records or (lambda paths: {})
    prefix = staging_prefix(output) if in_place else f".{output.name}.tmp-"
    tmp = output.parent / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}"
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(output)
        tmp.mkdir()
    except OSError as err:
        message = f"cannot write beside the output folder: {err.strerror or err}"
        raise ContentError([Problem(str(output), 0, message)]) from None
    stats = Stats()
    dropped: list[tuple[str, str]] | None = None  # the records of outputs no longer made
    writer = _Writer(making.Job([], tmp, output, cache, in_place), listed, known, workers, progress)
    try:
        # The last outputs are planned and checked after problems too, reported with them.
        if writer.write(outputs) and last:
            writer.write(last(), make=not (writer.problems or writer.check.problems))
        problems = writer.problems + writer.check.problems
        if problems:
            raise ContentError(problems)
        writer.check = PathCheck()  # every path checked: its entries go (70,000 at 5,000 articles)
        if progress:
            progress(writer.made, writer.made)
        paths, keys, sizes, mtimes = writer.paths, writer.keys, writer.sizes, writer.mtimes
        same = writer.same
        stats.files = len(paths)  # every one made: else there were problems
        stats.unchanged = sum(writer.unchanged)
        stats.pages = sum(path.endswith(".html") for path in paths)
        stats.feeds = sum(is_feed(path) for path in paths if not path.endswith(".html"))
        if in_place:
            if not making.same(output / MARKER, MARKER_TEXT):
                making.folder(tmp)
                (tmp / MARKER).write_bytes(MARKER_TEXT)  # put in place with the rest
            gone, dropped = _unmade(listed, paths, same, cache, output)
            with uninterrupted():  # each file old or new; a kill -9 is finished by recover()
                apply(output, tmp, gone)
                interrupt.state.published = True
        else:
            if not making.reuse(output / MARKER, MARKER_TEXT, tmp / MARKER):
                (tmp / MARKER).write_bytes(MARKER_TEXT)
            # The site is either the old one or the new one, and we know which.
            with uninterrupted():
                swap(tmp, output)
                interrupt.state.published = True
        if published:
            published()  # a server's reload: the files are in place, the rest is bookkeeping
    finally:
        making.start(None)
        # A staging folder a journal names is the next build's to finish (inplace.recover).
        if tmp.exists() and not journal_of(output).exists():
            shutil.rmtree(tmp, ignore_errors=True)
    # The folder now holds the planned files and the marker, so its listing needs no walk.
    marker = (output / MARKER).stat()

    def files() -> Iterable[tuple[str, int, int]]:  # made as read: 70,000 at 5,000 articles
        return chain(
            zip(paths, sizes, mtimes, strict=True), [(MARKER, marker.st_size, marker.st_mtime_ns)]
        )

    stats.listing = listing_of(files())
    if memory.serving():  # a server's: what its folder holds now
        memory.keep_listing(str(output), {path: (size, mtime) for path, size, mtime in files()})
    if cache:

        def recorded() -> Iterator[tuple[str, str, int, int, bool]]:  # those with a key
            rows = zip(paths, keys, sizes, mtimes, same, strict=True)  # (not assets)
            return ((p, k, s, m, bool(r)) for p, k, s, m, r in rows if k)

        if dropped is not None:  # and an output made now without a key: its record goes too
            keyless = [path for path, key in zip(paths, keys, strict=True) if not key]
            dropped += [(path, record[0]) for path, record in cache.recorded(keyless).items()]
        cache.save_outputs(recorded, dropped)
    return stats
