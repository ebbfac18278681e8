"""The walk of the inputs, shared with a worker for a big folder: the same as one process's."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aisite import pool, reader
from aisite.errors import ContentError, Problem
from aisite.reader import Walk, builtin_theme, input_walk
from conftest import SITES, copy_site

pytestmark = pytest.mark.unit
ARTICLES = "content/articles"


def _site(tmp_path: Path, count: int) -> Path:
    """The basic site with `count` more articles (copies of one), the last ones odd."""
    site = copy_site(SITES / "basic", tmp_path / "site")
    source = site / ARTICLES / "open-models-week"
    for n in range(count):
        shutil.copytree(source, site / ARTICLES / f"z{n:03d}-copy")
    last = site / ARTICLES / f"z{count - 1:03d}-copy"
    (last / "notes.md~").write_text("an editor's backup\n")
    (last / "nested" / "deeper").mkdir(parents=True)
    (last / "nested" / "deeper" / "image.txt").write_text("a file two folders down\n")
    return site


def _walked(site: Path, workers: int = 2) -> tuple[Walk | None, list[Problem]]:
    try:
        return input_walk(site, builtin_theme(), workers), []
    except ContentError as err:
        return None, err.problems


def _shared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Folders of 4 entries or more are shared; the number of workers forked, counted."""
    forked: list[int] = []
    fork_call = pool.fork_call

    def counted(func: object) -> object:
        forked.append(1)
        return fork_call(func)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "SHARE_AT", 4)
    monkeypatch.setattr(reader, "fork_call", counted)
    return forked


def test_a_shared_walk_finds_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, 9)
    alone, problems = _walked(site)
    assert alone is not None and not problems
    forked = _shared(monkeypatch)
    shared, problems = _walked(site)
    assert forked == [1] and shared is not None and not problems  # one worker, for one folder
    assert list(shared.stats.items()) == list(alone.stats.items())  # in the same order
    assert shared.folders == alone.folders
    last = f"{site.resolve()}/{ARTICLES}/z008-copy"
    assert f"{last}/nested/deeper/image.txt" in shared.stats  # the worker's half, all of it
    assert f"{last}/notes.md~" not in shared.stats


def test_a_shared_walk_reports_the_workers_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, 9)
    outside = tmp_path / "outside.txt"
    outside.write_text("not the site's\n")
    os.symlink(outside, site / ARTICLES / "z008-copy" / "link.txt")  # in the worker's half
    os.symlink("loop-b", site / ARTICLES / "z007-copy" / "loop-a")
    os.symlink("loop-a", site / ARTICLES / "z007-copy" / "loop-b")
    _, alone = _walked(site)
    assert len(alone) == 3
    forked = _shared(monkeypatch)
    _, shared = _walked(site)
    assert forked == [1] and sorted(shared) == sorted(alone)


@pytest.mark.parametrize(
    "name",
    [".hidden", "notes.md~", "#notes.md#", "4913", "a.kate-swp", "a.md___jb_tmp___",
     "a.md___jb_old___", "~$about.md", "index.md", "claims.yaml", "a00001-x", "4914", "#one",
     "~x", "x.kate-swp2", "jb___", "~", "#", ".", "4", "p", "_", "", "a~\n", "a.kate-swp\n",
     "a___jb_tmp___\n", "x\n", "~$\n", "#a#\n", "a~\n\n"],
)  # fmt: skip
def test_editor_temp_is_the_pattern(name: str) -> None:
    # editor_temp looks at a name's first and last characters before the pattern: never a
    # different answer (names each of those characters begins or ends, matched or not; $
    # matches before a last newline, which Linux allows in a name).
    assert reader.editor_temp(name) is (reader.EDITOR_TEMP.search(name) is not None)


def _refused(func: object) -> object:
    raise OSError("no process to spare")


def _dies(func: object) -> object:
    return pool.fork_call(lambda: os._exit(1))  # killed before it sends anything


def test_a_walk_for_one_worker_is_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, 9)
    alone, _ = _walked(site)
    forked = _shared(monkeypatch)
    one, _ = _walked(site, workers=1)  # --jobs 1, or one core: no worker
    assert forked == [] and one is not None and alone is not None and one.stats == alone.stats


@pytest.mark.parametrize("fork", [_refused, _dies], ids=["fork refused", "worker died"])
def test_a_walk_without_its_worker_is_finished_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: Callable[[object], object]
) -> None:
    site = _site(tmp_path, 9)
    alone, _ = _walked(site)
    forked = _shared(monkeypatch)
    monkeypatch.setattr(reader, "fork_call", lambda func: forked.append(1) or fork(func))
    walked, problems = _walked(site)
    assert forked == [1] and walked is not None and alone is not None and not problems
    assert list(walked.stats.items()) == list(alone.stats.items())
    assert walked.folders == alone.folders
