"""Serve's quick path: a save of an article's text or claims writes its own files first."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from aisite import memory
from aisite.build import build
from aisite.options import Options
from aisite.quick import Quick, quick
from conftest import copy_site

BASIC = Path(__file__).parent / "sites" / "basic"
CLAIMS = "content/articles/chip-rules-explained"

pytestmark = pytest.mark.cli


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """The basic site built as `aisite serve` builds it (keeping its model): source, output."""
    site = copy_site(BASIC, tmp_path / "site")
    shutil.rmtree(site / "expected")
    monkeypatch.setattr(memory, "kept", memory.Memory())
    build(Options(site), tmp_path / "out")
    yield site, tmp_path / "out"


def _body(site: Path, bundle: str, sentence: str) -> None:
    index = site / bundle / "index.md"
    index.write_text(index.read_text() + f"\n{sentence}\n")


def _analysis(site: Path) -> None:
    claims = site / CLAIMS / "claims.yaml"
    text = claims.read_text().replace("  summary: ", "  summary: Now. ", 1)
    claims.write_text(text.replace("is the start.", "is where it starts.", 1))


def _inputs(site: Path) -> dict[Path, tuple[int, int]]:
    """The size and mtime of every file where serve watches (as its watcher names them)."""
    root = site.resolve()
    found = (p for top in ("content", "templates", "static") for p in (root / top).rglob("*"))
    return {p: (p.stat().st_size, p.stat().st_mtime_ns) for p in found if p.is_file()}


@pytest.fixture(params=["walked", "reported"])
def quick_after(
    request: pytest.FixtureRequest, served: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Callable[[], Quick | None]:
    """The quick path after a save made from now on: finding what changed by walking every
    input, or told which files changed as serve's watcher tells it (and walking none)."""
    site, out = served
    if request.param == "walked":
        return lambda: quick(Options(site), out)
    from aisite import quick as module

    before = _inputs(site)

    def walked(*args: object) -> None:
        raise AssertionError("walked every input")

    monkeypatch.setattr(module, "input_walk", walked)

    def told() -> Quick | None:
        after = _inputs(site)
        saved = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        return quick(Options(site), out, saved)

    return told


@pytest.mark.parametrize("save", ["text", "claims", "both", "title"])
def test_an_edit_of_index_or_claims_writes_the_articles_files_as_the_full_build_does(
    served: tuple[Path, Path],
    tmp_path: Path,
    save: str,
    quick_after: Callable[[], Quick | None],
) -> None:
    site, out = served
    if save in ("text", "both"):
        _body(site, CLAIMS, "A sentence about chips, saved just now.")
    if save in ("claims", "both"):
        _analysis(site)
    if save == "title":
        _retitle(site)
    before = _files(out)
    early = quick_after()
    assert early is not None
    assert early.articles == (CLAIMS,)
    after = _files(out)
    changed = sorted(path for path in after if after[path] != before.get(path))
    assert changed == sorted(early.files) and "articles/chip-rules-explained/index.html" in changed
    if save != "text":  # the claim's page shows its summary and analysis, or the title
        assert "articles/chip-rules-explained/claims/restricted-2022/index.html" in changed
    if save == "title":  # the article's share card shows its title
        assert "articles/chip-rules-explained/card.png" in changed
    assert set(early.pages) >= {
        "/articles/chip-rules-explained/",
        "/articles/chip-rules-explained/index.html",
    }
    build(Options(site, use_cache=False, jobs=1), tmp_path / "cold")
    for path in changed:
        assert (out / path).read_bytes() == (tmp_path / "cold" / path).read_bytes(), path
    build(Options(site), out)  # finds the quick path's files current and leaves them
    assert early.current(out) == early.pages
    assert {p: s for p, s in _files(out).items() if p in changed} == {
        p: s for p, s in after.items() if p in changed
    }


def _retitle(site: Path) -> None:
    index = site / CLAIMS / "index.md"
    index.write_text(index.read_text().replace("title: ", "title: Retitled, ", 1))


def _redated(site: Path) -> None:
    index = site / CLAIMS / "index.md"
    index.write_text(index.read_text().replace("date: 2025-08-01T", "date: 2025-08-02T", 1))


def _drafted(site: Path) -> None:
    index = site / CLAIMS / "index.md"
    index.write_text(index.read_text().replace("\n---\n", "\ndraft: true\n---\n", 1))


def _claim_renamed(site: Path) -> None:
    claims = site / CLAIMS / "claims.yaml"
    claims.write_text(claims.read_text().replace("id: restricted-2022", "id: restricted", 1))


def _claims_edited(
    site: Path, edit: Callable[[list[dict[str, object]]], None], bundle: str = CLAIMS
) -> None:
    claims = site / bundle / "claims.yaml"
    entries = yaml.safe_load(claims.read_text())
    edit(entries)
    claims.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True))


def _verdict(site: Path) -> None:
    _claims_edited(site, lambda claims: claims[0].update(verdict="false"))


def _claim_removed(site: Path) -> None:
    _claims_edited(site, lambda claims: claims.pop())


def _claimant(site: Path) -> None:
    _claims_edited(site, lambda claims: claims[1].update(claimant="Some critics"))


def _two_kinds(site: Path) -> None:
    _body(site, CLAIMS, "A sentence.")
    (site / "static" / "new.txt").write_text("a new file\n")


def _template(site: Path) -> None:
    _body(site, CLAIMS, "A sentence.")
    page = site / "content" / "pages" / "about.md"
    page.write_text(page.read_text() + "\nMore about us.\n")


def _draft(site: Path) -> None:
    _body(site, "content/articles/unfinished-draft", "Left out of the site: no files.")


def _cut_short(site: Path) -> None:
    index = site / CLAIMS / "index.md"
    text = index.read_text()
    index.write_text(text[: text.index("\n---\n", 4)])  # front matter never closed


def _unquoted(site: Path) -> None:
    index = site / CLAIMS / "index.md"
    text = index.read_text()
    body = text.index("\n---\n", 4) + 5
    index.write_text(text[:body] + "A text that quotes none of its claims.\n")


@pytest.mark.parametrize(
    "save",
    [
        _redated,
        _drafted,
        _claim_renamed,
        _claim_removed,
        _verdict,
        _claimant,
        _two_kinds,
        _template,
        _draft,
        _cut_short,
        _unquoted,
    ],
    ids=[
        "date",
        "made a draft",
        "claim renamed",
        "claim removed",
        "verdict",
        "claimant",
        "new file",
        "page",
        "draft",
        "cut short",
        "unquoted",
    ],
)
def test_any_other_save_is_left_to_the_full_build(
    served: tuple[Path, Path],
    save: Callable[[Path], None],
    quick_after: Callable[[], Quick | None],
) -> None:
    site, out = served
    save(site)
    before = _files(out)
    assert quick_after() is None
    assert _files(out) == before


def test_a_file_that_came_and_went_is_no_change(served: tuple[Path, Path]) -> None:
    # An editor's save by a file written beside the text and renamed over it: both named.
    site, out = served
    index = (site / CLAIMS / "index.md").resolve()
    beside = index.with_name("index.md.saving")
    beside.write_text(index.read_text() + "\nA sentence saved by renaming.\n")
    beside.replace(index)
    early = quick(Options(site), out, {beside, index})
    assert early is not None and early.articles == (CLAIMS,)


def _told(site: Path, out: Path, change: Callable[[], set[Path]]) -> Quick | None:
    """The quick path after `change`, told the paths it returns (as a watcher names them)."""
    _body(site, CLAIMS, "A sentence saved with it.")
    return quick(Options(site), out, {(site / CLAIMS / "index.md").resolve(), *change()})


def test_a_folder_that_went_or_a_file_that_went_is_left_to_the_full_build(
    served: tuple[Path, Path], tmp_path: Path
) -> None:
    site, out = served
    root = site.resolve()
    others = sorted(p for p in (root / "content/articles").iterdir() if p.name != CLAIMS[17:])
    folder, other = others[0], others[1]

    def folder_gone() -> set[Path]:
        folder.rename(tmp_path / "moved-away")
        return {folder}  # a folder moved out of the tree: the watcher names the folder only

    def file_gone() -> set[Path]:
        (other / "index.md").unlink()
        return {other / "index.md"}

    before = _files(out)
    assert _told(site, out, folder_gone) is None
    assert _told(site, out, file_gone) is None
    assert _files(out) == before


def test_a_saved_file_made_a_link_is_left_to_the_full_build(
    served: tuple[Path, Path], tmp_path: Path
) -> None:
    site, out = served
    index = (site / CLAIMS / "index.md").resolve()
    outside = tmp_path / "outside.md"  # the same article, but outside the site folder
    outside.write_text(index.read_text() + "\nA sentence from outside the site.\n")

    def linked() -> set[Path]:
        index.unlink()
        index.symlink_to(outside)
        return {index}

    before = _files(out)
    assert _told(site, out, linked) is None
    assert _files(out) == before


def test_a_walk_made_of_what_the_watcher_saw_is_not_handed_on(
    served: tuple[Path, Path],
) -> None:
    # The full build after it walks every input: a change no watcher reported is not missed.
    site, out = served
    before = _inputs(site)
    _body(site, CLAIMS, "A sentence.")
    after = _inputs(site)
    saved = {p for p in after if before.get(p) != after[p]}
    reported = quick(Options(site), out, saved)
    assert reported is not None and reported.walk is None
    _body(site, CLAIMS, "Another sentence.")
    walked = quick(Options(site), out)
    assert walked is not None and walked.walk is not None


def test_nothing_is_written_without_a_model_of_the_same_site_and_folder(
    served: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = served
    _body(site, CLAIMS, "A sentence.")
    before = _files(out)
    assert quick(Options(site, drafts=True), out) is None  # asked for another site
    assert quick(Options(site), tmp_path / "elsewhere") is None
    memory.forget_model()  # as a build that failed leaves it
    assert quick(Options(site), out) is None
    monkeypatch.setattr(memory, "kept", None)  # `aisite build`: nothing kept
    assert quick(Options(site), out) is None
    assert _files(out) == before


def test_a_text_saved_back_before_the_build_is_written_again(
    served: tuple[Path, Path], tmp_path: Path
) -> None:
    # The quick path wrote the first save's text; the build after the second save (back to
    # what the last build made) must not take the file for the one that build recorded.
    site, out = served
    index = site / CLAIMS / "index.md"
    text = index.read_text()
    _body(site, CLAIMS, "A sentence that will be taken back.")
    early = quick(Options(site), out)
    assert early is not None and early.files
    index.write_text(text)
    build(Options(site), out)
    build(Options(site, use_cache=False, jobs=1), tmp_path / "cold")
    for path in early.files:
        assert (out / path).read_bytes() == (tmp_path / "cold" / path).read_bytes(), path


def test_the_quick_path_keeps_the_units_the_server_remembers(served: tuple[Path, Path]) -> None:
    site, out = served
    units = memory.table("units")
    assert units
    before = dict(units)
    _body(site, CLAIMS, "A sentence.")
    assert quick(Options(site), out) is not None
    assert memory.table("units") == before  # the next build need not decode them again


def test_a_bug_in_the_quick_path_is_said_and_the_build_goes_on(
    served: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aisite import serve

    site, out = served

    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(serve, "quick", broken)
    assert serve._quick(Options(site), out) is None
    said = capsys.readouterr().err
    assert "RuntimeError: a bug" in said
    assert "aisite: internal error in the quick path (a bug in aisite)" in said


def test_a_reviewed_claims_article_is_written_as_the_full_build_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another article reuses one of its claims: the claim page lists that article among the
    # claim's sightings, which the quick path takes from the last build.
    site = copy_site(Path(__file__).parent / "sites" / "across", tmp_path / "site")
    shutil.rmtree(site / "expected", ignore_errors=True)
    monkeypatch.setattr(memory, "kept", memory.Memory())
    out = tmp_path / "out"
    build(Options(site), out)
    bundle = "content/articles/cost-claims-first"
    _body(site, bundle, "A sentence saved just now.")
    _claims_edited(site, lambda claims: claims[0].update(summary="Edited just now."), bundle)
    early = quick(Options(site), out)
    assert early is not None and early.articles == (bundle,)
    assert "articles/cost-claims-first/claims/fraction-of-cost/index.html" in early.files
    wrote = {path: (out / path).read_bytes() for path in early.files}
    build(Options(site, use_cache=False, jobs=1), tmp_path / "cold")
    for path, data in wrote.items():
        assert data == (tmp_path / "cold" / path).read_bytes(), path
    build(Options(site), out)
    assert early.current(out) == early.pages
