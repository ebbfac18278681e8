"""Writes a planned site: a new folder swapped in whole, or changed files put in place."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from aisite import interrupt, memory
from aisite.cache import Cache
from aisite.errors import ContentError, Problem
from aisite.inplace import Present, apply, journal_of, staging_prefix
from aisite.integrity import listing_of
from aisite.interrupt import uninterrupted
from aisite.outputcheck import MARKER, MARKER_TEXT, check_paths
from aisite.plan import Output
from aisite.pool import can_fork, fork_map
from aisite.swap import clean_leftovers, swap
from aisite.urls import is_feed


@dataclass
class Stats:
    """What a write produced."""

    files: int = 0
    pages: int = 0
    feeds: int = 0
    unchanged: int = 0
    listing: dict[str, Any] = field(default_factory=dict)  # integrity.listing() of the result


PARALLEL_MIN = 400  # outputs to make before a process pool pays for itself


@dataclass(frozen=True)
class _Job:
    """What every worker needs; inherited by forked workers, never pickled."""

    planned: list[Output]
    tmp: Path
    output: Path
    known: Cache | None
    in_place: bool  # tmp is a staging folder for changed files only (inplace.py)


_job: _Job | None = None
_made: set[Path] = set()  # folders already made in this process


Made = tuple[int, bool, int, int, list[Problem]]


def _make(index: int) -> Made:
    """Make one output: (index, unchanged, size, mtime_ns, problems).

    A new file goes into the temporary folder. An unchanged one is left where it is when
    writing in place, else hard-linked into the new folder from the published site.
    """
    assert _job is not None
    item = _job.planned[index]
    known = _job.known
    previous_name = os.path.join(_job.output, item.path)
    # (In place, outputs with the same inputs never get here: see _plan.)
    same_inputs = bool(
        not _job.in_place
        and item.key
        and known
        and known.output_unchanged(item.path, item.key, previous_name)
    )
    if not _job.tmp.is_dir():
        raise RuntimeError("the build's temporary folder is gone")
    target = _job.tmp / item.path
    previous = Path(previous_name)
    if not _job.in_place:
        _folder(target.parent)
    # Same inputs as the file already published: keep it (and its mtime) without rendering.
    unchanged = same_inputs and _link(previous, target)
    if not unchanged:
        try:
            data = _copied(item) if item.copy_from else item.render()  # type: ignore[misc]
        except ContentError as err:
            # Every worker goes on, so that one build reports every broken template and page.
            return index, False, 0, 0, err.problems
        unchanged = _same(previous, data) if _job.in_place else _reuse(previous, data, target)
        if not unchanged:
            _folder(target.parent)
            target.write_bytes(data)
    # A staged file keeps its size and mtime when renamed into place.
    stat = (previous if unchanged and _job.in_place else target).stat()
    return index, unchanged, stat.st_size, stat.st_mtime_ns, []


def _copied(item: Output) -> bytes:
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


def _plan(
    outputs: Iterable[Output],
    present: dict[str, tuple[int, int]],
    known: dict[str, tuple[str, int, int]],
    planned: list[Output],
) -> list[Made]:
    """Add the outputs to `planned` and return those published already from the same inputs
    and untouched since (a rebuild leaves them). Checked as they come."""
    found: list[Made] = []
    for item in outputs:
        entry = known.get(item.path)
        if entry and item.key and entry[0] == item.key and present.get(item.path) == entry[1:]:
            found.append((len(planned), True, entry[1], entry[2], []))
        planned.append(item)
    return found


def _making(
    kept: list[Made],
    start: int,
    planned: list[Output],
    cache: Cache | None,
    workers: int,
    progress: Callable[[int, int], None] | None,
    more: bool = False,
) -> list[Made]:
    """Make planned[start:] but the kept ones (across forked workers when there are many)."""
    left = {index for index, *_ in kept}
    todo = [index for index in range(start, len(planned)) if index not in left]
    fresh = sum(
        1 for i in todo if not (planned[i].key and cache and planned[i].path in cache.outputs)
    )
    made: Iterable[Made] = map(_make, todo)
    if workers > 1 and fresh >= PARALLEL_MIN and can_fork():
        made = fork_map(lambda k: _make(todo[k]), len(todo), workers, 32, ordered=False)
    return list(_collect(chain(kept, made), planned, progress, start, more))


def _planned_last(
    outputs: Iterable[Output],
    listed: dict[str, tuple[int, int]],
    known: dict[str, tuple[str, int, int]],
    planned: list[Output],
    results: list[Made],
) -> list[Made] | None:
    """Plan and check the outputs planned last: their kept ones, or None after the others' problems
    (the build fails); a problem of these is raised with those, all at once."""
    found = [p for *_, got in results for p in got]
    try:
        with memory.held():
            kept = _plan(outputs, listed, known, planned)
        check_paths(planned)
    except ContentError as err:
        raise ContentError([*found, *err.problems]) from None
    return None if found else kept


def _folder(folder: Path) -> None:
    if folder not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(folder)


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
    """Write every output: a first build into a fresh folder swapped in for `output`; a rebuild
    into a staging folder of the changed files, then put in place (inplace.apply). The caller
    holds the output's lock, has run inplace.recover and calls gc.unfreeze() when it is done
    with the plan (build.py does all three). `published` is called once the files are in
    place. `last`: outputs planned once the others are made (the search index, which a worker
    makes meanwhile); nothing is published before they are planned, checked and made too."""
    global _job
    in_place = bool(cache and cache.outputs) and (output / MARKER).is_file()
    # What the folder holds now (read before planning, while the search index is being made):
    # unchanged outputs are found in it, the rest deleted.
    if present is None:
        present = Present(output, early=False)
    listed = present.get() if in_place else {}
    present.cancel()
    known = cache.outputs if in_place and cache else {}
    planned: list[Output] = []
    with memory.held():
        kept = _plan(outputs, listed, known, planned)
    check_paths(planned)
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
    written: dict[str, tuple[str, int, int]] = {}
    _job = _Job(planned, tmp, output, cache, in_place)
    _made.clear()
    try:
        results = _making(kept, 0, planned, cache, workers, progress, last is not None)
        start = len(planned)  # workers forked above saw the list as it was; those below, whole
        if last and (also := _planned_last(last(), listed, known, planned, results)) is not None:
            results += _making(also, start, planned, cache, workers, progress)
        problems = [p for *_, found in results for p in found]
        if problems:
            raise ContentError(problems)
        stats.files = len(results)
        for index, unchanged, size, mtime, _ in results:
            path, key = planned[index].path, planned[index].key
            stats.unchanged += unchanged
            if key:
                written[path] = (key, size, mtime)
        paths = [item.path for item in planned]
        stats.pages = sum(path.endswith(".html") for path in paths)
        stats.feeds = sum(is_feed(path) for path in paths if not path.endswith(".html"))
        if in_place:
            if not _same(output / MARKER, MARKER_TEXT):
                _folder(tmp)
                (tmp / MARKER).write_bytes(MARKER_TEXT)  # put in place with the rest
            keep = {item.path for item in planned} | {MARKER}
            gone = [path for path in listed if path not in keep]
            with uninterrupted():  # each file old or new; a kill -9 is finished by recover()
                apply(output, tmp, gone)
                interrupt.state.published = True
        else:
            if not _reuse(output / MARKER, MARKER_TEXT, tmp / MARKER):
                (tmp / MARKER).write_bytes(MARKER_TEXT)
            # The site is either the old one or the new one, and we know which.
            with uninterrupted():
                swap(tmp, output)
                interrupt.state.published = True
        if published:
            published()  # a server's reload: the files are in place, the rest is bookkeeping
    finally:
        _job = None
        # A staging folder a journal names is the next build's to finish (inplace.recover).
        if tmp.exists() and not journal_of(output).exists():
            shutil.rmtree(tmp, ignore_errors=True)
    # The folder now holds the planned files and the marker, so its listing needs no walk.
    marker = (output / MARKER).stat()
    files = [(planned[i].path, size, mtime) for i, _, size, mtime, _ in results]
    files.append((MARKER, marker.st_size, marker.st_mtime_ns))
    stats.listing = listing_of(files)
    memory.keep_listing(str(output), {path: (size, mtime) for path, size, mtime in files})
    if cache:
        cache.save_outputs(written, written)
    return stats


def _collect(
    results: Iterable[Made],
    planned: list[Output],
    progress: Callable[[int, int], None] | None,
    start: int = 0,
    more: bool = False,
) -> Iterator[Made]:
    """Results as they come, counted; `more`: outputs follow (the total is one more, not done)."""
    for done, result in enumerate(results, start + 1):
        if progress:
            progress(done, len(planned) + more)
        yield result


def _link(previous: Path, target: Path) -> bool:
    try:
        os.link(previous, target)
    except OSError:
        return False
    return True


def _same(previous: Path, data: bytes) -> bool:
    """The published file already holds exactly `data`."""
    try:
        return previous.stat().st_size == len(data) and previous.read_bytes() == data
    except OSError:
        return False


def _reuse(previous: Path, data: bytes, target: Path) -> bool:
    """Hard-link an identical file of the previous build, so its mtime is kept."""
    return _same(previous, data) and _link(previous, target)
