"""Edits put changed files in place (no new folder); a journal lets the next build finish a killed one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from aisite import inplace, integrity, write
from aisite.build import build
from aisite.options import Options
from conftest import SITES, aisite, copy_site
from test_incremental import tree

pytestmark = pytest.mark.cli


def _edited(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The basic site built (cache on), then an article edited and another removed; the clean
    build of the edited site as reference."""
    site = copy_site(SITES / "basic", tmp_path / "site")
    shutil.rmtree(site / "expected")
    out = tmp_path / "out"
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    index = site / "content" / "articles" / "open-models-week" / "index.md"
    index.write_text(index.read_text().replace("week", "fortnight"))
    shutil.rmtree(site / "content" / "articles" / "chip-rules-explained")
    reference = tmp_path / "reference"
    build(Options(site, use_cache=False), reference)
    return site, out, reference


def test_an_edit_rewrites_only_what_changed_in_the_same_folder(tmp_path: Path) -> None:
    site, out, reference = _edited(tmp_path)
    folder = out.stat().st_ino
    old = tree(out)
    before = {p: (out / p).stat().st_mtime_ns for p in old}
    result = aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_ino == folder  # not a new folder swapped in
    new = tree(out)
    assert new == tree(reference)  # the removed article's pages are gone too
    same = [p for p in new if old.get(p) == new[p]]
    touched = [p for p in same if (out / p).stat().st_mtime_ns != before[p]]
    assert same and not touched, touched  # a file whose bytes did not change is not rewritten
    # The listing recorded for the no-change check is the folder's (computed, not walked).
    again = aisite("build", "-v", "--source", str(site), "--output", str(out))
    assert "nothing changed" in again.stdout, again.stdout
    assert not list(tmp_path.glob(".out.staged-*")) and not (tmp_path / ".out.journal").exists()
    # The records are a clean build's: the removed article's outputs' records are gone too.
    clean = tmp_path / "clean"
    assert aisite("build", "--source", str(site), "--output", str(clean)).returncode == 0
    assert _records(site, out) == _records(site, clean) != {}


def _records(site: Path, out: Path) -> dict[str, str]:
    """Each output's key as the cache recorded it for the folder `out`, by its path."""
    with sqlite3.connect(site / ".aisite-cache" / "cache.sqlite") as db:
        query = "SELECT path, key FROM outputs WHERE folder = ?"
        return dict(db.execute(query, (str(out.resolve()),)).fetchall())


def test_a_build_killed_while_putting_files_in_place_is_finished_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out, reference = _edited(tmp_path)
    old = tree(out)

    def killed(output: Path, staging: Path, delete: list[str]) -> None:
        # As kill -9 right after the first file went in place: no finally blocks run.
        first = sorted(inplace.files_of(staging))[0]
        (staging / first).replace(output / first)
        raise RuntimeError("killed")

    with monkeypatch.context() as patch:
        patch.setattr(inplace, "_replay", killed)
        patch.setattr(write.shutil, "rmtree", lambda *args, **kwargs: None)
        with pytest.raises(RuntimeError, match="killed"):
            build(Options(site), out)
    assert (tmp_path / ".out.journal").is_file()
    now, new = tree(out), tree(reference)
    assert now != old and now != new  # a mix, and every file whole:
    assert all(now[p] in (old.get(p), new.get(p)) for p in now)
    result = aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert tree(out) == new
    assert not list(tmp_path.glob(".out.staged-*")) and not (tmp_path / ".out.journal").exists()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("before", "after"),
    [("docs", "docs/readme.txt"), ("docs/readme.txt", "docs")],
    ids=["file-to-folder", "folder-to-file"],
)
def test_a_journal_replayed_twice_ends_the_same(tmp_path: Path, before: str, after: str) -> None:
    output = tmp_path / "out"
    (output / before).parent.mkdir(parents=True, exist_ok=True)
    (output / before).write_text("old")
    staging = tmp_path / (inplace.staging_prefix(output) + "1-a")
    (staging / after).parent.mkdir(parents=True, exist_ok=True)
    (staging / after).write_text("new")
    journal = inplace.journal_of(output)
    journal.write_text(json.dumps({"staging": staging.name, "delete": [before]}))
    saved = tmp_path / "saved"
    shutil.copytree(staging, saved)
    assert inplace.recover(output)  # the whole journal, as a build killed after writing it
    # Killed again before the journal was removed: the next build replays it once more.
    shutil.copytree(saved, staging)
    journal.write_text(json.dumps({"staging": staging.name, "delete": [before]}))
    assert inplace.recover(output)
    assert (output / after).read_text() == "new" and not journal.exists()
    assert not staging.exists()


@pytest.mark.unit
@pytest.mark.parametrize("text", ["", "{", '{"staging": "", "delete": []}', '{"staging": "."}'])
def test_a_journal_that_is_not_ours_is_dropped_and_nothing_is_touched(
    tmp_path: Path, text: str
) -> None:
    output = tmp_path / "site" / "out"
    (output / "index.html").parent.mkdir(parents=True)
    (output / "index.html").write_text("page")
    (tmp_path / "site" / "content.md").write_text("keep me")
    inplace.journal_of(output).write_text(text)
    assert not inplace.recover(output)
    assert (tmp_path / "site" / "content.md").read_text() == "keep me"
    assert (output / "index.html").read_text() == "page"
    assert not inplace.journal_of(output).exists()


def test_a_link_to_a_folder_put_in_the_site_is_removed(tmp_path: Path) -> None:
    site, out, reference = _edited(tmp_path)
    (out / "stale-link").symlink_to(tmp_path)
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    assert not (out / "stale-link").is_symlink() and tree(out) == tree(reference)
    again = aisite("build", "-v", "--source", str(site), "--output", str(out))
    assert "nothing changed" in again.stdout


def test_an_edit_lists_the_output_folder_in_a_worker_while_it_reads_the_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The listing of the published folder (0.5 s at 5,000 articles) is begun before the content
    # is read; it must be the folder's files as they are, and an edit built with it is exact.
    site, out, reference = _edited(tmp_path)
    (out / "stray.txt").write_text("put there by hand")
    early = inplace.Present(out, early=True)
    assert early.started is not None  # a worker lists it
    listed = early.get()
    assert listed.other == inplace.files_of(out) and not listed.complete
    assert "stray.txt" in listed.other
    pids: list[int] = []
    start = inplace.Present.__init__

    def recorded(self: inplace.Present, output: Path, early: bool, records: Any) -> None:
        start(self, output, early, records)
        pids.append(self.started.pid if self.started else 0)

    monkeypatch.setattr(inplace.Present, "__init__", recorded)
    build(Options(site, jobs=2), out)
    assert pids and pids[0] > 0  # the build listed its folder early, in a worker
    assert tree(out) == tree(reference)  # the stray file is gone: it was in the listing


def test_a_no_change_build_lists_its_folder_in_workers_as_one_process_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The no-change check lists the output folder in workers, a share of its folders each,
    # while the inputs are walked: the digest must be listing()'s, whatever the share.
    out = tmp_path / "big"
    for n in range(120):
        folder = out / "articles" / f"a{n}" / "claims" / f"c{n % 3}"
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(f"claim {n}")
        (folder.parent.parent / "index.html").write_text(f"article {n}")
    (out / "index.html").write_text("home")
    alone = integrity.listing(out)
    for workers in (1, 2, 3, 7):
        shared = integrity.SharedListing(out, workers)
        assert len(shared.folders) > 100  # the article folders, to take a few at a time
        assert len(shared.started) == workers - 1  # and this process, when it asks
        assert shared() == alone
    cancelled = integrity.SharedListing(out, 3)
    cancelled.cancel()  # the inputs changed: the workers are stopped and reaped
    for worker in cancelled.started:
        with pytest.raises(ChildProcessError):
            os.waitpid(worker.pid, os.WNOHANG)
    parent, share = os.getpid(), integrity.SharedListing._share

    def dies(self: integrity.SharedListing) -> list[str]:
        if os.getpid() != parent:  # a worker killed once it has taken some folders
            self.taken.value += 50
            os.kill(os.getpid(), signal.SIGKILL)
        return share(self)

    with monkeypatch.context() as patched:
        patched.setattr(integrity.SharedListing, "_share", dies)
        died = integrity.SharedListing(out, 2)
        assert died() == alone  # what it took is unknown: all listed here

    def dies_locked(self: integrity.SharedListing) -> list[str]:
        if os.getpid() != parent:  # killed while it holds the shared counter's lock
            self.taken.get_lock().acquire()
            os.kill(os.getpid(), signal.SIGKILL)
        return share(self)

    with monkeypatch.context() as patched:
        patched.setattr(integrity.SharedListing, "_share", dies_locked)
        patched.setattr(integrity.SharedListing, "WAIT", 0.5)
        locked = integrity.SharedListing(out, 2)
        time.sleep(0.2)  # the worker takes the lock before this process asks
        assert locked() == alone  # not waiting for ever: listed here
    forks = 0
    fork_call = integrity.fork_call

    def second_fails(func: Any) -> Any:
        nonlocal forks
        forks += 1
        if forks > 1:
            raise OSError(11, "Resource temporarily unavailable")
        return fork_call(func)

    monkeypatch.setattr(integrity, "fork_call", second_fails)
    short = integrity.SharedListing(out, 3)  # one worker, not two: the rest is listed here
    assert len(short.started) == 1 and short() == alone
    monkeypatch.undo()
    deep = out / "articles" / "a77" / "claims" / "c2" / "index.html"
    deep.write_text("claim 77, edited by hand")
    assert integrity.SharedListing(out, 2)() == integrity.listing(out) != alone
    assert integrity.SharedListing(tmp_path / "gone", 2)() == integrity.listing(tmp_path / "gone")
    # A build with nothing to do: listed that way; a file changed by hand is seen and repaired.
    site, built, _ = _edited(tmp_path)
    made: list[Path] = []
    start = integrity.SharedListing.__init__

    def recorded(self: integrity.SharedListing, output: Path, workers: int) -> None:
        start(self, output, workers)
        made.append(output)

    build(Options(site, jobs=2), built)  # the edits
    monkeypatch.setattr(integrity.SharedListing, "__init__", recorded)
    assert build(Options(site, jobs=2), built).nothing_changed
    page = built / "index.html"
    page.write_text(page.read_text() + "<!-- by hand -->")
    assert not build(Options(site, jobs=2), built).nothing_changed
    assert made == [built.resolve()] * 2
    assert "by hand" not in page.read_text()


def test_the_folder_is_compared_with_the_last_builds_records_where_it_is_listed(
    tmp_path: Path,
) -> None:
    # Only what differs from the records crosses from the worker: the rest is as recorded.
    from aisite.cache import Cache

    site = copy_site(SITES / "basic", tmp_path / "site")
    out = tmp_path / "out"
    build(Options(site), out)
    cache = Cache(site, out)
    try:
        records = cache.records_at()
        recorded = [path for path, _ in cache.recorded_besides(()) or ()]
        assert records is not None and recorded
        unrecorded = set(inplace.files_of(out)) - set(recorded)  # the marker, assets, ...
        assert len(unrecorded) < 10 < len(recorded)
        first = inplace.compare(out, records)
        assert first.complete and not first.missing and set(first.other) == unrecorded
        page, card, gone = [p for p in recorded if p.endswith((".html", ".png"))][:3]
        table = cache.recorded(recorded)
    finally:
        cache.close()
    # Each file held as recorded is found by its path and key, with its recorded stat.
    assert all(
        first.as_recorded(p, key) == (size, mtime) for p, (key, size, mtime) in table.items()
    )
    assert first.as_recorded(page, table[card][0]) is None  # another output's key
    assert first.as_recorded("new.html", table[page][0]) is None
    (out / page).write_text("changed by hand")
    (out / gone).unlink()
    (out / "stray.txt").write_text("put there by hand")
    found = inplace.compare(out, records)
    assert found.complete and found.missing == {gone}
    assert set(found.other) == {*unrecorded, page, "stray.txt"}
    assert found.as_recorded(card, table[card][0]) == table[card][1:]
    assert found.as_recorded(page, table[page][0]) is None  # not as recorded: made again
    assert found.as_recorded(gone, table[gone][0]) is None
    assert found.take(card) is None  # held as recorded: not in `other`
    assert found.take(gone) is None and found.take("new.html") is None
    assert found.take(page) == (15, (out / page).stat().st_mtime_ns)
    assert set(found.other) == {*unrecorded, "stray.txt"}  # left: not made here
    # Records that cannot be read: every file is listed, as without a cache.
    (tmp_path / "bad.sqlite").write_text("not a database")
    unread = inplace.compare(out, (tmp_path / "bad.sqlite", records[1]))
    assert not unread.complete and unread.other == inplace.files_of(out)


@pytest.mark.parametrize("records", ["read", "unread after comparing", "unread by the worker"])
def test_an_edit_deletes_the_files_it_no_longer_makes_and_repairs_those_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: str
) -> None:
    import sqlite3
    import types

    from aisite.cache import Cache

    site, out, reference = _edited(tmp_path)
    pages = [p for p in tree(reference) if p.endswith(".html") and p != "index.html"]
    (out / pages[0]).write_text("changed by hand")
    (out / pages[1]).unlink()
    (out / "stray.txt").write_text("put there by hand")
    complete: list[bool] = []
    get = inplace.Present.get
    monkeypatch.setattr(
        inplace.Present, "get", lambda p: complete.append(get(p).complete) or get(p)
    )
    if records == "unread after comparing":  # which recorded files it holds: listed again
        monkeypatch.setattr(Cache, "recorded_besides", lambda self, made: None)
    if records == "unread by the worker":  # every file listed, as without a cache

        def refused(*args: object) -> None:
            raise sqlite3.OperationalError("unable to open database file")

        monkeypatch.setattr(
            inplace, "sqlite3", types.SimpleNamespace(connect=refused, Error=sqlite3.Error)
        )
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    assert tree(out) == tree(reference)
    # The build handed the worker the records (else it lists every file, as in a server).
    assert complete == [records != "unread by the worker"]


@pytest.mark.parametrize("kind", ["empty folder", "folder of files", "link to the same bytes"])
def test_a_file_replaced_by_hand_with_a_folder_or_a_link_is_made_again(
    tmp_path: Path, kind: str
) -> None:
    site, out, reference = _edited(tmp_path)
    made = tree(reference)
    kept = [p for p, data in made.items() if (out / p).is_file() and (out / p).read_bytes() == data]
    feed = next(p for p in kept if p.endswith("feed.xml"))  # written as a stream; unchanged
    page = next(p for p in kept if p.endswith(".html"))  # by the edit, as the other
    for n, path in enumerate((feed, page)):
        copy = tmp_path / f"copy-{n}"
        shutil.copy2(out / path, copy)
        (out / path).unlink()
        if kind == "link to the same bytes":  # kept, the site would show what it points to
            (out / path).symlink_to(copy)
        else:
            (out / path).mkdir()
            if kind == "folder of files":
                (out / path / "inside.txt").write_text("put there by hand")
    for _ in range(2):  # and a build after it has nothing to mend
        assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
        assert tree(out) == made
        assert not any((out / path).is_symlink() for path in (feed, page))


def test_the_record_of_an_output_made_without_a_key_now_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # robots.txt is made every time (no key); recorded once as if it had one, the record goes.
    from aisite import datafiles
    from aisite.plan import Output

    def keyed(path: str, origin: str, render: Any = None, **rest: Any) -> Output:
        return Output(path, origin, render, **({"key": "a key"} if path == "robots.txt" else rest))

    site = copy_site(SITES / "basic", tmp_path / "site")
    out = tmp_path / "out"
    with monkeypatch.context() as patched:
        patched.setattr(datafiles, "Output", keyed)
        build(Options(site), out)
    assert _records(site, out)["robots.txt"] == "a key"
    index = site / "content" / "articles" / "open-models-week" / "index.md"
    index.write_text(index.read_text().replace("week", "fortnight"))
    build(Options(site), out)
    clean = tmp_path / "clean"
    build(Options(site), clean)
    assert "robots.txt" not in _records(site, out) and _records(site, out) == _records(site, clean)


def test_an_edit_counts_the_records_it_makes_again_instead_of_reading_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aisite.cache import Cache

    site = copy_site(SITES / "basic", tmp_path / "site")
    shutil.rmtree(site / "expected")
    out = tmp_path / "out"
    build(Options(site, jobs=1), out)
    read: list[int] = []
    besides = Cache.recorded_besides
    monkeypatch.setattr(
        Cache, "recorded_besides", lambda self, made: read.append(1) or besides(self, made)
    )

    def edit_and_compare(what: str) -> None:
        """The edited site built again, read against a clean build of it, file by file."""
        build(Options(site, jobs=1), out)
        reference = tmp_path / f"reference-{what}"
        build(Options(site, use_cache=False, jobs=1), reference)
        assert tree(out) == tree(reference), what
        cache = Cache(site, out)
        try:  # every output with a key recorded, and no other
            recorded = cache.recorded(sorted(tree(out)))
            assert cache.recorded_count() == len(recorded) > 10
        finally:
            cache.close()

    articles = site / "content" / "articles"
    index = articles / "open-models-week" / "index.md"
    index.write_text(index.read_text().replace("week", "fortnight"))
    # Its search bundle's files are named by their content: those it drops are found beside
    # the new ones, counted.
    edit_and_compare("text")
    assert read == []
    shutil.rmtree(articles / "chip-rules-explained")
    edit_and_compare("article removed")  # its outputs' records read, to delete their files
    assert read == [1]
    (articles / "open-models-week").rename(articles / "open-models-fortnight")
    index = articles / "open-models-fortnight" / "index.md"
    edit_and_compare("article renamed")  # as many outputs, another path: read again
    assert read == [1, 1]
    monkeypatch.setattr(write, "LOOKED_UP", 3)  # more outputs made anew than it looks up
    index.write_text(index.read_text().replace("fortnight", "month"))
    edit_and_compare("text, folders too full")
    assert read == [1, 1, 1]
