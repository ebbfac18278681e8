"""An article's Markdown is read again from its file where it is rendered, never held by the model."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

import pytest

from aisite import content
from aisite.build import build, build_now
from aisite.cache import Cache
from aisite.errors import ContentError
from aisite.load import load_site
from aisite.mdsource import markdown_of
from aisite.model import ParsedArticle
from aisite.options import Options
from aisite.retry import CHANGED
from conftest import copy_site

pytestmark = pytest.mark.cli

BASIC = Path(__file__).parent / "sites" / "basic"
ARTICLE = "content/articles/open-models-week/index.md"
SENTENCE = "A sentence only this article's Markdown has."


def _site(tmp_path: Path) -> Path:
    source = copy_site(BASIC, tmp_path / "src")
    index = source / ARTICLE
    index.write_text(index.read_text() + f"\n{SENTENCE}\n")
    return source


def _page(output: Path) -> str:
    return (output / "articles" / "open-models-week" / "index.html").read_text()


def test_the_loaded_model_and_the_parsed_cache_hold_no_markdown_text(tmp_path: Path) -> None:
    source = _site(tmp_path)
    options = Options(source, now=build_now(), jobs=1)
    cache = Cache(source, tmp_path / "out")
    try:
        parsed, problems = load_site(options, cache)
    finally:
        cache.close()
    assert not problems.items and parsed.articles
    assert [a.path for a in parsed.articles if a.body.held is not None] == []
    article = next(a for a in parsed.articles if a.path == ARTICLE)
    assert markdown_of(article, source).endswith(f"\n{SENTENCE}\n")  # read again, as parsed
    db = sqlite3.connect(source / ".aisite-cache" / "cache.sqlite")
    rows = [value for (value,) in db.execute("SELECT value FROM articles")]
    db.close()
    assert [r for r in rows if f'"{ARTICLE}"' in r] and not [r for r in rows if SENTENCE in r]


def _saving(monkeypatch: pytest.MonkeyPatch, source: Path, times: int) -> Path:
    """Renders that save the article's file again just before reading it, `times` times in all
    (counted in a folder: forked workers render too); the folder is returned."""
    saves = source.parent / "saves"
    saves.mkdir()
    read = content.markdown_of

    def saved_first(article: ParsedArticle, root: Path) -> str:
        if article.path == ARTICLE:
            number = len(list(saves.iterdir()))
            if number < times:
                with contextlib.suppress(FileExistsError):  # another worker's, at once
                    (saves / str(number)).touch(exist_ok=False)
                    index = source / ARTICLE
                    index.write_text(index.read_text() + f"\nSaved while rendering, {number}.\n")
        return read(article, root)

    monkeypatch.setattr(content, "markdown_of", saved_first)
    return saves


@pytest.mark.parametrize("jobs", [1, 2], ids=["in process", "forked workers"])
def test_a_text_saved_while_the_site_is_built_is_built_again_as_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], jobs: int
) -> None:
    source = _site(tmp_path)
    if jobs > 1:  # enough articles for the Markdown to be rendered by forked workers
        for n in range(content.PARALLEL_MIN):
            bundle = source / f"content/articles/note-{n}"
            bundle.mkdir()
            text = f"---\ntitle: Note {n}\ndate: 2025-06-{1 + n % 28:02d}\n---\nNote {n}.\n"
            (bundle / "index.md").write_text(text)
    saves = _saving(monkeypatch, source, 1)
    build(Options(source, jobs=jobs), tmp_path / "out")
    assert len(list(saves.iterdir())) == 1
    warned = capsys.readouterr().err.splitlines()
    assert warned == [f"aisite: warning: {ARTICLE} {CHANGED}; building again"]
    assert "Saved while rendering, 0." in _page(tmp_path / "out")


def test_a_text_that_keeps_changing_is_reported_with_the_other_problems_the_site_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _site(tmp_path)
    output = tmp_path / "out"
    build(Options(source, jobs=1), output)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    other = source / "content/articles/chip-rules-explained/index.md"
    other.write_text(other.read_text().replace("title:", "titel:", 1))
    index = source / ARTICLE
    index.write_text(index.read_text() + "\nAn edit to build.\n")  # rendered again
    saves = _saving(monkeypatch, source, 10)
    with pytest.raises(ContentError) as raised:
        build(Options(source, jobs=1), output)
    # Saved again before each read: each build made again from the files as they are then.
    assert len(list(saves.iterdir())) == 3
    found = [(p.path, p.line, p.message) for p in raised.value.problems]
    assert (ARTICLE, 0, CHANGED) in found
    assert [p for p in found if p[0] == other.relative_to(source).as_posix()]  # not hidden
    assert (
        capsys.readouterr().err.splitlines()
        == [f"aisite: warning: {ARTICLE} {CHANGED}; building again"] * 2
    )
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before


def test_a_text_changed_under_its_size_and_mtime_is_parsed_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The parsed cache is keyed by each file's size and mtime: a text changed under the same
    # ones is not the text its cached parse measured, and the build says so and parses it.
    source = _site(tmp_path)
    output = tmp_path / "out"
    build(Options(source, jobs=1), output)
    index = source / ARTICLE
    stat = index.stat()
    index.write_text(index.read_text().replace("only this", "just this"))
    os.utime(index, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    db = sqlite3.connect(source / ".aisite-cache" / "cache.sqlite")
    with db:  # its rendering gone too, else the stale one is shown (as for any such change)
        db.execute("DELETE FROM rendered")
    db.close()
    build(Options(source, jobs=1), output)
    assert capsys.readouterr().err.splitlines() == [
        f"aisite: warning: {ARTICLE} {CHANGED}; building again",
        f"aisite: warning: {ARTICLE} is not the text the cache parsed under its size and "
        "modification time; building again without reading the cache",
    ]
    assert "just this" in _page(output) and "only this" not in _page(output)


@pytest.mark.parametrize("swap", ["fifo", "too large", "gone"])
def test_a_file_the_reader_would_refuse_is_not_read_again(tmp_path: Path, swap: str) -> None:
    from aisite.reader import MAX_FILE_BYTES

    source = _site(tmp_path)
    parsed, _ = load_site(Options(source, now=build_now(), use_cache=False))
    article = next(a for a in parsed.articles if a.path == ARTICLE)
    index = source / ARTICLE
    text = index.read_text()
    index.unlink()
    if swap == "fifo":  # reading it would wait for a writer forever
        os.mkfifo(index)
    elif swap == "too large":  # ends with the text parsed: only its size is wrong
        index.write_text(" " * MAX_FILE_BYTES + text)
    with pytest.raises(ContentError) as raised:
        markdown_of(article, source)
    assert [(p.path, p.message) for p in raised.value.problems] == [(ARTICLE, CHANGED)]
