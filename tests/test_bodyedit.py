"""An edit of articles' bodies alone: written without reading the archive, byte-identical to a cold build, anything else left to the full build."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from aisite import bodyedit, inplace, load
from aisite.build import Report, build
from aisite.cache import Cache
from aisite.errors import ContentError
from aisite.options import Options
from conftest import copy_site

pytestmark = pytest.mark.cli

BASIC = Path(__file__).parent / "sites" / "basic"
FAST = "bodies edited"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _site(tmp_path: Path, count: int = 12) -> Path:
    """The basic site with `count` more articles over two years, two tags between them."""
    site = copy_site(BASIC, tmp_path / "site")
    shutil.rmtree(site / "expected")
    for n in range(count):
        folder = site / "content" / "articles" / f"more-{n:02d}"
        folder.mkdir()
        tag = ("Open models", "Chips")[n % 2]
        (folder / "index.md").write_text(
            f"---\ntitle: More {n}\ndate: {2023 + n % 2}-0{1 + n % 9}-1{n % 10}\n"
            f"summary: Number {n}.\ntags: [{tag}]\n---\n"
            f"Paragraph {n} about open weights and chips.\n\nAnother paragraph.\n"
        )
    return site


def _build(site: Path, output: Path) -> Report:
    return build(Options(site, jobs=1), output)


def _built(tmp_path: Path) -> tuple[Path, Path]:
    """A site of two articles more than the basic one, built: the site and its output."""
    site = _site(tmp_path, count=2)
    output = tmp_path / "out"
    _build(site, output)
    return site, output


def _cold(site: Path, output: Path) -> dict[str, bytes]:
    build(Options(site, use_cache=False, jobs=1), output)
    return tree(output)


def _append(site: Path, name: str, text: str) -> Path:
    index = site / "content" / "articles" / name / "index.md"
    index.write_text(index.read_text() + text)
    return index


def test_a_body_edit_loads_only_what_its_outputs_show_and_equals_a_cold_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path)
    output = tmp_path / "out"
    first = _build(site, output)
    assert FAST not in first.timings
    loaded: list[Any] = []
    real = load.load_site

    def counted(*args: Any, **kwargs: Any) -> Any:
        parsed, problems = real(*args, **kwargs)
        loaded.append(len(parsed.articles))
        return parsed, problems

    monkeypatch.setattr(load, "load_site", counted)
    # An old article (in no feed of five items), the newest one (in the site's feeds), then two
    # of different years at once.
    cases = [
        (["more-00"], set()),
        (["open-models-week"], {"feed.xml", "atom.xml", "feed.json"}),
        (["more-03", "more-10"], set()),
    ]
    for names, feeds in cases:
        before = tree(output)
        for name in names:
            _append(site, name, f"\nA sentence added to {name}.\n")
        loaded.clear()
        report = _build(site, output)
        assert FAST in report.timings, names
        assert len(loaded) == 1, loaded
        if names == ["more-00"]:  # its neighbours and its year's part of the search index
            assert loaded[0] < first.articles, loaded
        after = tree(output)
        assert after == _cold(site, tmp_path / f"cold-{names[0]}")
        changed = {p for p in after if before.get(p) != after[p]}
        assert {p for p in changed if p.endswith(".html")} == {
            f"articles/{n}/index.html" for n in names
        }, changed
        assert feeds <= changed, changed
        assert any(p.startswith("pagefind/") for p in changed), changed
        assert report.stats.files == len(after) - 1  # all but the folder's marker
        assert report.stats.files - report.stats.unchanged == len(changed)
    # Then nothing changed, as the next build finds.
    assert _build(site, output).nothing_changed


@pytest.mark.parametrize(
    "change",
    ["title", "claims", "new-file", "renamed", "new-folder", "draft", "site", "reused", "reusing"],
)
def test_other_changes_go_to_the_full_build(tmp_path: Path, change: str) -> None:
    site = _site(tmp_path, count=4)
    articles = site / "content" / "articles"
    reuse = "- id: again\n  review: chip-rules-explained/restricted-2022\n  quote: open weights\n"
    (articles / "more-02" / "claims.yaml").write_text(reuse)
    (articles / "more-03" / "notes.txt").write_text("notes")
    output = tmp_path / "out"
    _build(site, output)
    index = _append(site, "more-01", "\nA sentence.\n")  # a body edit besides each change
    if change == "title":
        index.write_text(index.read_text().replace("title: More 1", "title: More one"))
    elif change == "claims":
        claims = articles / "chip-rules-explained" / "claims.yaml"
        claims.write_text(claims.read_text() + "\n")
    elif change == "new-file":
        (articles / "more-01" / "notes.txt").write_text("notes")
    elif change == "renamed":  # as many files as before, but not the same
        (articles / "more-03" / "notes.txt").rename(articles / "more-03" / "notes2.txt")
    elif change == "new-folder":  # the same files, and an empty folder more
        (articles / "more-03" / "empty").mkdir()
    elif change == "draft":
        _append(site, "unfinished-draft", "\nMore draft.\n")
    elif change == "site":
        config = site / "content" / "site.yaml"
        config.write_text(config.read_text().replace("description: ", "description: New. ", 1))
    elif change == "reused":  # its review is shown in another article too
        _append(site, "chip-rules-explained", "\nA sentence.\n")
    else:  # it shows another article's review
        _append(site, "more-02", "\nA sentence.\n")
    report = _build(site, output)
    assert FAST not in report.timings
    assert tree(output) == _cold(site, tmp_path / "cold")


def test_a_body_edit_that_loses_a_quote_is_reported_and_the_site_kept(tmp_path: Path) -> None:
    site, output = _built(tmp_path)
    published = tree(output)
    index = site / "content" / "articles" / "chip-rules-explained" / "index.md"
    index.write_text(index.read_text().replace("protect nothing", "do little"))
    with pytest.raises(ContentError) as caught:
        _build(site, output)
    assert any("claims.yaml" in str(p.path) for p in caught.value.problems), caught.value
    assert tree(output) == published


def test_an_edit_leaves_a_file_changed_by_hand_to_the_next_build_with_nothing_to_do(
    tmp_path: Path,
) -> None:
    # The edit lists no folder: a file it does not make, changed by hand, stays so until the
    # next build that checks the folder (one with nothing to do), which puts it right.
    site, output = _built(tmp_path)
    by_hand = output / "articles" / "more-00" / "index.html"
    by_hand.write_text("changed by hand")
    _append(site, "more-01", "\nA sentence.\n")
    assert FAST in _build(site, output).timings
    cold = _cold(site, tmp_path / "cold")
    assert tree(output) == {**cold, "articles/more-00/index.html": b"changed by hand"}
    report = _build(site, output)
    assert not report.nothing_changed and FAST not in report.timings
    assert tree(output) == cold
    assert _build(site, output).nothing_changed


@pytest.mark.parametrize("how", ["made anew", "its top folder changed"])
def test_an_edit_into_a_folder_not_as_the_last_build_left_it_is_a_full_build(
    tmp_path: Path, how: str
) -> None:
    site, output = _built(tmp_path)
    if how == "made anew":
        shutil.rmtree(output)
    else:
        (output / "robots.txt").unlink()
    _append(site, "more-01", "\nA sentence.\n")
    assert FAST not in _build(site, output).timings
    assert tree(output) == _cold(site, tmp_path / "cold")


def test_the_rows_an_edit_needs_are_those_of_the_last_full_build_into_the_same_folder(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path, count=2)
    one, two = tmp_path / "one", tmp_path / "two"
    _build(site, one)
    _append(site, "more-00", "\nA sentence.\n")
    assert FAST not in _build(site, two).timings  # none of its own yet
    _append(site, "more-00", "\nAnother sentence.\n")
    assert FAST in _build(site, two).timings
    _build(site, one)  # two edits since its build, and the cache pruned between: either way
    cold = _cold(site, tmp_path / "cold")
    assert tree(one) == cold
    assert tree(two) == cold


def test_an_edit_indexes_again_every_part_that_holds_its_records(tmp_path: Path) -> None:
    # The article in 2024, one of its claims reviewed in 2025: the claim's record is in the
    # 2025 part of the search index, its article's in 2024's; both parts are made again.
    site = copy_site(BASIC, tmp_path / "site")
    shutil.rmtree(site / "expected")
    articles = site / "content" / "articles"
    for name, before, after in (
        ("chip-rules-explained", "date: 2025-08-01T10:00:00+01:00", "date: 2024-12-30T10:00:00Z"),
        ("open-models-week", "date: 2025-07-20", "date: 2024-12-01"),
    ):
        index = articles / name / "index.md"
        index.write_text(index.read_text().replace(before, after))
    output = tmp_path / "out"
    _build(site, output)
    parts = {p.parent.name for p in (output / "pagefind").glob("*/pagefind-entry.json")}
    assert {"2024", "2025"} <= parts, parts
    index = articles / "chip-rules-explained" / "index.md"
    index.write_text(index.read_text().replace("code is highlighted", "code is highlighted!"))
    assert FAST in _build(site, output).timings
    assert tree(output) == _cold(site, tmp_path / "cold")


def test_a_build_showing_drafts_keeps_nothing_for_an_edit(tmp_path: Path) -> None:
    # A draft may give a tag its name in a feed the draft is not in: no edit can tell.
    site = _site(tmp_path, count=3)
    output = tmp_path / "out"
    build(Options(site, drafts=True, jobs=1), output)
    _append(site, "more-00", "\nA sentence.\n")
    report = build(Options(site, drafts=True, jobs=1), output)
    assert FAST not in report.timings
    build(Options(site, drafts=True, use_cache=False, jobs=1), tmp_path / "cold")
    assert tree(output) == tree(tmp_path / "cold")


def test_an_edit_leaves_no_more_search_bundles_or_texts_in_the_cache(tmp_path: Path) -> None:
    site = _site(tmp_path, count=4)
    output = tmp_path / "out"
    first = _build(site, output)
    search = site / ".aisite-cache" / "search"
    bundles = sorted(p.name for p in search.iterdir())
    for n in range(3):
        _append(site, "more-00", f"\nSentence {n}.\n")
        assert FAST in _build(site, output).timings
    assert len(list(search.iterdir())) == len(bundles)
    with sqlite3.connect(site / ".aisite-cache" / "cache.sqlite") as db:
        (texts,) = db.execute("SELECT count(*) FROM texts").fetchone()
    assert texts == first.articles  # one rendering of each article, its last


@pytest.mark.parametrize("edited", [True, False])
def test_no_build_writes_through_a_folder_put_in_as_a_link(tmp_path: Path, edited: bool) -> None:
    # The link goes; the files below it are made again (as they were, they seemed present).
    site, output = _built(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    shutil.move(output / "articles" / "more-01", elsewhere)
    (output / "articles" / "more-01").symlink_to(elsewhere)
    kept = tree(elsewhere)
    if edited:
        _append(site, "more-01", "\nA sentence.\n")
    report = _build(site, output)
    assert FAST not in report.timings and not report.nothing_changed
    assert tree(elsewhere) == kept
    assert not (output / "articles" / "more-01").is_symlink()
    assert tree(output) == _cold(site, tmp_path / "cold")


@pytest.mark.parametrize("again", [False, True])
def test_an_edit_killed_once_its_files_are_in_place_is_followed_by_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, again: bool
) -> None:
    # Its records and the folder's digest were not kept: the next build makes them anew,
    # and drops what the killed edit put in place that the site no longer has.
    site, output = _built(tmp_path)
    _append(site, "more-01", "\nA sentence about chips.\n")
    put = bodyedit.put

    def killed(*args: Any) -> list[str]:
        put(*args)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(bodyedit, "put", killed)
        with pytest.raises(KeyboardInterrupt):
            _build(site, output)
    cache = Cache(site, output)
    assert cache.manifest() is None  # dropped before the files were put in place
    cache.close()
    if again:  # another text: another part of the search index
        _append(site, "more-01", "\nOpen weights, again.\n")
    assert FAST not in _build(site, output).timings
    assert tree(output) == _cold(site, tmp_path / "cold")
    assert _build(site, output).nothing_changed


def test_an_edit_after_a_build_killed_while_putting_its_files_is_a_full_build(
    tmp_path: Path,
) -> None:
    # recover() finishes what the killed build journaled, whose records were not kept.
    site, output = _built(tmp_path)
    staging = output.parent / f"{inplace.staging_prefix(output)}killed"
    staging.mkdir()
    page = staging / "articles" / "more-00" / "index.html"  # below the top folder
    page.parent.mkdir(parents=True)
    page.write_text("from a build that was killed\n")
    inplace.journal_of(output).write_text(json.dumps({"staging": staging.name, "delete": []}))
    _append(site, "more-01", "\nA sentence.\n")
    assert FAST not in _build(site, output).timings
    assert tree(output) == _cold(site, tmp_path / "cold")
