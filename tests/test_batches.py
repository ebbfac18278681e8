"""A site is planned and written a batch of outputs at a time (write.BATCH): the same site, the
same problems, and never the whole plan held."""

from __future__ import annotations

import gc
import shutil
import sqlite3
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from aisite import making, urls, write
from aisite.outputcheck import PathCheck
from aisite.plan import Output
from aisite.render import Part, SitePlan
from conftest import aisite, copy_site

pytestmark = pytest.mark.cli

SITES = Path(__file__).parent / "sites"
INVALID = Path(__file__).parent / "invalid"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _keys(site: Path, out: Path) -> dict[str, str]:
    """Each output's key as the build cache recorded it for the output folder `out`."""
    with sqlite3.connect(site / ".aisite-cache" / "cache.sqlite") as db:
        rows = db.execute("SELECT path, key FROM outputs WHERE folder = ?", (str(out.resolve()),))
        return dict(rows.fetchall())


def _build(site: Path, out: Path, *options: str) -> None:
    result = aisite("build", *options, "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr


def test_small_batches_across_workers_write_the_site_one_batch_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(SITES / "basic", tmp_path / "site")
    shutil.rmtree(site / "expected")
    whole = tmp_path / "whole"
    _build(site, whole, "-j", "1")
    monkeypatch.setattr(write, "BATCH", 5)
    monkeypatch.setattr(write, "PARALLEL_MIN", 1)  # a pool of workers for every batch
    pools: list[int] = []
    real_map = write.fork_map

    def counted(*args: object, **kwargs: object) -> object:
        pools.append(1)
        return real_map(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "fork_map", counted)
    batched = tmp_path / "batched"
    _build(site, batched, "-j", "2")
    assert tree(batched) == tree(whole)
    assert _keys(site, batched) == _keys(site, whole) != {}  # each file's key, by its path
    assert len(pools) > len(tree(whole)) // 5 // 2  # a pool per batch: many batches
    # An edit, rebuilt in place a batch at a time: the same as a cold build of the edited site.
    article = next((site / "content" / "articles").glob("*/index.md"))
    article.write_text(article.read_text() + "\nA sentence added later.\n")
    _build(site, batched, "-j", "2")
    cold = tmp_path / "cold"
    _build(site, cold, "-j", "1", "--clean")
    assert tree(batched) == tree(cold) != tree(whole)


def test_the_plan_of_the_whole_site_is_never_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each output is let go once its batch is made: while a batch is planned, only its own
    outputs are alive (and the one the planner yielded last)."""
    monkeypatch.setattr(write, "BATCH", 5)
    refs: list[weakref.ref[Output]] = []
    alive: list[int] = []
    real = SitePlan.outputs

    def outputs(self: SitePlan, part: Part = "all") -> Iterator[Output]:
        for output in real(self, part):
            refs.append(weakref.ref(output))
            count = sum(ref() is not None for ref in refs)
            if count > 5 + 1:  # garbage in a cycle is not held: the collector is off meanwhile
                gc.collect()
                count = sum(ref() is not None for ref in refs)
            alive.append(count)
            yield output

    monkeypatch.setattr(SitePlan, "outputs", outputs)
    _build(copy_site(SITES / "basic", tmp_path / "basic"), tmp_path / "out", "-j", "1")
    assert len(refs) > 10 * 5  # many batches
    assert max(alive) <= 5 + 1


@pytest.mark.parametrize(
    "case",
    [
        "alias-collides-with-page",
        "static-collides-with-generated",
        "static-names-differ-only-in-case",
    ],
)
def test_paths_written_twice_are_refused_across_batches(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same report as from one batch (tests/invalid/), whichever batches the two are in."""
    monkeypatch.setattr(write, "BATCH", 2)
    out = tmp_path / "site"
    source = copy_site(INVALID / case, tmp_path / case)
    result = aisite("build", "--source", str(source), "--output", str(out))
    assert result.returncode == 1
    assert result.stderr == (source / "expected.txt").read_text(encoding="utf-8")
    assert not out.exists()


def test_every_broken_page_of_every_batch_is_reported_and_nothing_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(SITES / "basic", tmp_path / "site")
    out = tmp_path / "out"
    _build(site, out)
    published = tree(out)
    (site / "templates").mkdir(exist_ok=True)
    broken = '{% extends "base.html" %}{% block main %}{{ nope.x }}{% endblock %}\n'
    (site / "templates" / "claim.html").write_text(broken)
    whole = aisite("build", "--source", str(site), "--output", str(out))
    monkeypatch.setattr(write, "BATCH", 3)
    batched = aisite("build", "--source", str(site), "--output", str(out))
    assert whole.returncode == batched.returncode == 1
    assert batched.stderr == whole.stderr
    assert batched.stderr.count("templates/claim.html:1: template error") > 1
    assert tree(out) == published


def test_a_rebuild_that_changes_every_page_renders_across_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template of every page, changed: the pages are rendered by a pool of workers, as in
    a first build (a rebuild used to count only new paths, so it rendered them in one process)."""
    site = copy_site(SITES / "basic", tmp_path / "site")
    out = tmp_path / "out"
    _build(site, out, "-j", "2")
    # Between the files an edit of one article changes (37 in this site) and its pages (57).
    monkeypatch.setattr(write, "PARALLEL_MIN", 45)
    pools: list[int] = []
    real_map = write.fork_map

    def counted(func: object, count: int, *args: object, **kwargs: object) -> object:
        pools.append(count)
        return real_map(func, count, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(write, "fork_map", counted)
    article = next((site / "content" / "articles").glob("*/index.md"))
    article.write_text(article.read_text() + "\nA sentence added later.\n")
    _build(site, out, "-j", "2")
    assert pools == []  # an edit of one article: its few files, in this process
    theme = Path(__file__).resolve().parents[1] / "templates"
    (site / "templates").mkdir(exist_ok=True)
    base = (theme / "base.html").read_text()
    (site / "templates" / "base.html").write_text(base.replace("</body>", "<!-- new -->\n</body>"))
    _build(site, out, "-j", "2")
    assert pools and sum(pools) >= 45  # the template of every page: a pool
    cold = tmp_path / "cold"
    _build(site, cold, "-j", "1", "--clean")
    assert tree(out) == tree(cold)


def test_the_same_problems_whatever_the_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paths written twice and a broken template, together: one report, whichever batch each
    is in, and the search index's files are not made after a problem."""
    site = tmp_path / "site"
    shutil.copytree(INVALID / "alias-collides-with-page", site)
    (site / "expected.txt").unlink()
    (site / "templates").mkdir()
    broken = '{% extends "base.html" %}{% block main %}{{ nope.x }}{% endblock %}\n'
    (site / "templates" / "article.html").write_text(broken)
    made: list[str] = []
    real_make = making.make

    def make(index: int) -> making.Made:
        assert making.job is not None
        made.append(making.job.planned[index].path)
        return real_make(index)

    monkeypatch.setattr(making, "make", make)
    reports = []
    for size in (8192, 2):
        monkeypatch.setattr(write, "BATCH", size)
        result = aisite("build", "-j", "1", "--source", str(site), "--output", str(tmp_path / "o"))
        assert result.returncode == 1
        reports.append(result.stderr)
    assert reports[0] == reports[1]
    assert "would be written twice" in reports[0] and "template error" in reports[0]
    assert made and not [path for path in made if path.startswith(urls.search_bundle())]
    made.clear()
    (site / "templates" / "article.html").unlink()  # paths written twice, and nothing else
    result = aisite("build", "-j", "1", "--source", str(site), "--output", str(tmp_path / "o"))
    assert result.returncode == 1
    assert made and not [path for path in made if path.startswith(urls.search_bundle())]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("path", ["a/./b.html", "a//b.html", "a/b.html/", "./a/b.html", "a/../b"])
def test_a_path_spelled_with_empty_or_dot_names_is_refused(path: str) -> None:
    check = PathCheck()
    assert check.add([Output("a/b.html", "one"), Output("b", "one")]) == set()
    assert check.add([Output("c.html", "two"), Output(path, "two")]) == {1}
    assert [str(p) for p in check.problems] == [
        f"two: refusing to write '{path}' outside the output folder"
    ]


def test_a_file_where_a_folder_is_made_is_refused_once_in_either_order() -> None:
    folder_first = PathCheck()
    assert folder_first.add([Output("a/b.html", "page b"), Output("a/c.html", "page c")]) == set()
    assert folder_first.add([Output("A", "static/A")]) == {0}  # one name where case is ignored
    file_first = PathCheck()
    assert file_first.add([Output("a", "static/a")]) == set()
    assert file_first.add([Output("a/b.html", "page b"), Output("a/c.html", "page c")]) == {0, 1}
    assert [str(p) for p in folder_first.problems] == [
        "static/A: output 'A' would be both a file (by static/A) and a folder (holding"
        " 'a/b.html', by page b) (rename one of them)"
    ]
    assert [str(p) for p in file_first.problems] == [
        "static/a: output 'a' would be both a file (by static/a) and a folder (holding"
        " 'a/b.html', by page b) (rename one of them)"
    ]


@pytest.mark.parametrize(
    ("first", "again"),
    [("old.html", "old.html"), ("Old.html", "old.html"), ("café.html", "café.html")],
    ids=["plain path", "case-folded", "its own key, not plain"],
)
def test_a_path_a_line_asked_for_is_reported_at_that_line_when_met_again(
    first: str, again: str
) -> None:
    check = PathCheck()
    assert check.add([Output(first, "content/articles/x/index.md", line=4)]) == set()
    assert check.add([Output(again, "generated page")]) == {0}
    (problem,) = check.problems
    assert str(problem).startswith(f"content/articles/x/index.md:4: output '{again}'")


def test_a_file_where_a_case_folded_path_made_a_folder_names_that_path() -> None:
    check = PathCheck()
    assert check.add([Output("A/b.html", "page b")]) == set()
    assert check.add([Output("a", "static/a")]) == {0}
    assert [str(p) for p in check.problems] == [
        "static/a: output 'a' would be both a file (by static/a) and a folder (holding"
        " 'A/b.html', by page b) (rename one of them)"
    ]
