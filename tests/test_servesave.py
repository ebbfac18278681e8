"""What `aisite serve` does between a build and the next save: its records kept in place, the
plan freed as the build ends, a full collection only when due."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aisite import memory
from aisite.cache import Cache

Row = tuple[str, str, int, int, bool]


def _stored(folder: Path, output: Path) -> dict[str, tuple[str, int, int]]:
    """The records of `output` as a new build (not a server's) reads them from the cache."""
    cache = Cache(folder, output)
    try:
        return dict(cache.outputs)
    finally:
        cache.close()


def _records(count: int) -> dict[str, tuple[str, int, int]]:
    return {f"articles/a{n:04d}/index.html": (f"k{n}", 100 + n, 10**18 + n) for n in range(count)}


CHANGES = ["nothing", "keys and files", "new outputs", "outputs gone", "all of them"]


def _changed(table: dict[str, tuple[str, int, int]], change: str) -> None:
    """A build's records after `change` to the outputs of the build before."""
    paths = list(table)
    if change in ("keys and files", "all of them"):
        for path in paths[::7]:
            key, size, mtime = table[path]
            table[path] = (key + "x", size, mtime + 1)
    if change in ("new outputs", "all of them"):
        table.update({f"new/{n}.html": (f"n{n}", 1, 2) for n in range(5)})
    if change in ("outputs gone", "all of them"):
        for path in paths[3::11]:
            del table[path]


@pytest.mark.unit
@pytest.mark.parametrize("gone_known", [False, True], ids=["gone found", "gone told"])
@pytest.mark.parametrize("change", CHANGES)
def test_a_server_records_its_outputs_in_place_as_a_build_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, gone_known: bool
) -> None:
    output = tmp_path / "site"
    output.mkdir()
    before = _records(200)
    after = dict(before)
    _changed(after, change)
    gone = [(path, before[path][0]) for path in before if path not in after]

    def rows(table: dict[str, tuple[str, int, int]]) -> Callable[[], Iterator[Row]]:
        # As write_site gives them: `same` when the record is the last build's.
        return lambda: (
            (path, key, size, mtime, before.get(path) == (key, size, mtime))
            for path, (key, size, mtime) in table.items()
        )

    # A build (not a server) records the same change: what the cache must hold either way.
    reference = tmp_path / "reference"
    reference.mkdir()
    built = Cache(reference, output)
    try:
        built.save_outputs(lambda: ((p, k, s, m, False) for p, (k, s, m) in before.items()))
        built.save_outputs(rows(after), gone if gone_known else None)
        built_changed = sorted(built.changed)
    finally:
        built.close()

    monkeypatch.setattr(memory, "kept", memory.Memory())
    cache = Cache(tmp_path, output)
    try:
        cache.save_outputs(lambda: ((p, k, s, m, False) for p, (k, s, m) in before.items()))
        table = cache.outputs
        assert table == before
        cache.save_outputs(rows(after), gone if gone_known else None)
        assert cache.outputs is table  # updated in place, not made anew
        assert table == after
        assert sorted(cache.changed) == built_changed
        assert memory.take_outputs(cache.scope) is table  # kept for the server's next build
    finally:
        cache.close()
    monkeypatch.setattr(memory, "kept", None)  # read from the cache as a build reads it
    assert _stored(tmp_path, output) == after == _stored(reference, output)


@pytest.mark.cli
def test_a_save_in_serve_writes_its_own_pages_with_the_collector_out_of_the_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import watchfiles

    from aisite import serve as module
    from conftest import copy_site

    site = copy_site(Path(__file__).parent / "sites" / "basic", tmp_path / "site")
    index = site / "content" / "articles" / "chip-rules-explained" / "index.md"
    calls: list[str] = []

    def watch(root: Path, stop_event: threading.Event, **_: Any) -> Iterator[set[Any]]:
        yield set()  # the watcher is set up
        for n in range(2):
            index.write_text(index.read_text() + f"\nA sentence saved just now ({n}).\n")
            yield {(watchfiles.Change.modified, str(index))}
        raise KeyboardInterrupt  # as Ctrl-C stops a server

    def traced(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            # The quick path with what the server keeps out of the collector's reach.
            frozen = name == "quick" and gc.get_freeze_count() > 0
            found = function(*args, **kwargs)
            calls.append(f"{name}{' (frozen)' if frozen else ''}")
            return found

        return call

    monkeypatch.setattr(watchfiles, "watch", watch)
    monkeypatch.setattr(module, "build", traced("build", module.build))
    monkeypatch.setattr(module, "_quick", traced("quick", module._quick))
    monkeypatch.setattr(module, "settle", traced("settle", module.settle))
    monkeypatch.setattr(module, "rest", traced("rest", module.rest))
    monkeypatch.setattr(memory, "kept", None)
    try:
        assert module.serve(site, "127.0.0.1", 0, True, False, lambda line: None) == 0
    finally:
        gc.unfreeze()
        memory.kept = None
    # Nothing collected between a build and the next save's own pages but by rest(), when due.
    save = ["quick (frozen)", "build", "rest"]
    assert calls == ["build", "settle", *save, *save]


@pytest.mark.unit
def test_a_server_collects_only_once_what_it_holds_has_grown_by_a_quarter() -> None:
    full: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    held: list[list[object]] = []
    gc.callbacks.append(seen)
    gc.disable()  # no collection of Python's own while the test grows the heap: only rest()'s
    try:
        memory.settle()
        assert full and abs(memory.settled - sys.getallocatedblocks()) < 1000
        baseline = memory.settled
        full.clear()
        held.append([[n] for n in range(baseline // 20)])
        grown = sys.getallocatedblocks() - baseline
        assert baseline // 20 < grown < baseline // 4  # more, not a quarter more
        memory.rest()
        assert not full and memory.settled == baseline
        held.append([[n] for n in range(baseline // 10)])
        assert sys.getallocatedblocks() > baseline * 5 // 4
        memory.rest()
        assert full and memory.settled > baseline * 5 // 4
        assert abs(memory.settled - sys.getallocatedblocks()) < 1000
        full.clear()
        for _ in range(memory.REST_MOST - 1):  # little garbage, many builds: at most so many
            memory.rest()
        assert not full
        memory.rest()
        assert full and memory.rested == 0
        full.clear()
        held.clear()  # what is held shrinks: the quarter counts from there
        memory.rest()
        assert not full and memory.settled < baseline * 5 // 4
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()
        gc.enable()


@pytest.mark.unit
@pytest.mark.parametrize("whole", [False, True], ids=["an article's pages", "every page"])
def test_a_plan_is_freed_when_the_build_lets_go_of_it_not_left_to_the_collector(
    whole: bool,
) -> None:
    import weakref

    from aisite.content import render_content
    from aisite.load import load_site
    from aisite.options import Options
    from aisite.plan import PageSpec
    from aisite.registry import UNITS
    from aisite.render import SitePlan

    folder = Path(__file__).parent / "sites" / "basic"
    parsed, problems = load_site(Options(folder))
    site = render_content(parsed, problems)
    gc.collect()
    gc.disable()
    try:
        plan = SitePlan(site, folder, whole=whole)
        freed = weakref.ref(plan)
        if whole:  # the listings, home, archive, feeds, data files and cards too
            pages = [o.data() for o in plan.outputs("first") if o.render is not None]
        else:
            pages = [
                plan.page(item, listed=False).data()
                for article in site.articles
                for unit in UNITS
                for item in unit.plan(plan, article)
                if isinstance(item, PageSpec)
            ]
        assert len(pages) > 2 * len(site.articles)  # articles' pages, their claims' pages, ...
        del plan
        # Jinja's macros and a page's context refer to each other: nothing in it may hold the plan.
        assert freed() is None
    finally:
        gc.enable()


@pytest.mark.unit
def test_a_server_that_cannot_count_its_memory_blocks_collects_after_every_build(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    full: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    gc.callbacks.append(seen)
    try:
        monkeypatch.setattr(sys, "getallocatedblocks", lambda: 0)  # as with PYTHONMALLOC=malloc
        memory.settle()
        for _ in range(3):
            full.clear()
            memory.rest()
            assert full
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()
