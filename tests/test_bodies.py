"""Articles' large text stays in the cache until a page, feed or search record uses it."""

from __future__ import annotations

import sqlite3
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from aisite import bodies, cachedb, content, memory, rendered
from aisite.build import build, build_now
from aisite.cache import Cache
from aisite.content import render_content
from aisite.errors import Problems
from aisite.load import load_site
from aisite.model import ArticleText, Site
from aisite.options import Options
from conftest import aisite, copy_site

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus

pytestmark = pytest.mark.cli

BASIC = Path(__file__).parent / "sites" / "basic"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _texts(site: Site) -> list[tuple[str, ...]]:
    """Every large text of every article and claim."""
    found = []
    for article in site.articles:
        found.append(
            (article.body_html, article.toc_html, article.analysis_html, article.search_text)
        )
        found += [(c.analysis_html, c.analysis_text) for c in article.claims]
    return found


@pytest.mark.parametrize("warm", [False, True], ids=["rendered now", "from the cache"])
def test_bodies_are_read_when_used_and_equal_what_rendering_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    source = copy_site(BASIC, tmp_path / "src")
    options = Options(source, now=build_now(), jobs=1)
    if warm:
        build(options, tmp_path / "out")
    reads: list[str] = []
    read = bodies.Texts.read

    def counted(self: bodies.Texts, key: str, origin: str) -> bodies.Body:
        reads.append(origin)
        return read(self, key, origin)

    monkeypatch.setattr(bodies.Texts, "read", counted)
    cache = Cache(source, tmp_path / "out")
    try:
        parsed, problems = load_site(options, cache)
        lazy = render_content(parsed, problems, cache)
        assert reads == []  # the model holds no body: a build decodes only those it shows
        held = render_content(load_site(options)[0], Problems())  # no cache: rendered, held
        assert _texts(lazy) == _texts(held)
        assert sorted(set(reads)) == sorted(a.path for a in lazy.articles)
    finally:
        cache.close()


DAMAGE = {"garbage": "{[", "wrong shape": "[1]", "no claims": '["", "", "", "", {}]'}


@pytest.mark.parametrize("damage", ["gone", *DAMAGE])
def test_a_body_the_cache_lost_or_damaged_is_a_miss(tmp_path: Path, damage: str) -> None:
    source = copy_site(BASIC, tmp_path / "src")
    output = tmp_path / "site"
    assert aisite("build", "--source", str(source), "--output", str(output)).returncode == 0
    db = sqlite3.connect(source / ".aisite-cache" / "cache.sqlite")
    with db:
        if damage == "gone":
            db.execute("DELETE FROM texts")
        else:
            db.execute("UPDATE texts SET value = ?", (DAMAGE[damage],))
    db.close()
    index = source / "content" / "articles" / "open-models-week" / "index.md"
    index.write_text(index.read_text() + "\nOne more sentence.\n")
    result = aisite("build", "--source", str(source), "--output", str(output))
    assert result.returncode == 0, result.stderr
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    if damage == "gone":  # a rendering without its body is not taken from the cache at all
        assert warned == []
    else:  # read when a page needed it: the build is made again without the cache
        assert warned == [
            f"aisite: warning: the cache in {source / '.aisite-cache'} cannot be used (an "
            "article's rendered text is damaged or gone); building again without reading it"
        ]
    reference = tmp_path / "reference"
    cold = aisite("build", "--source", str(source), "--output", str(reference), "--clean")
    assert cold.returncode == 0, cold.stderr
    assert tree(output) == tree(reference)
    again = aisite("build", "--source", str(source), "--output", str(output), "-v")
    assert again.returncode == 0 and "warning" not in again.stderr  # the rows were made anew


def test_a_build_again_after_a_damaged_body_reads_none_back(tmp_path: Path) -> None:
    # --clean leaves each body to the cache as it is written, as a cold build does; one that
    # reads back damaged is built again holding every text (Options.hold_texts), which never
    # depends on reading back what it wrote.
    source = copy_site(BASIC, tmp_path / "src")
    output, reference = tmp_path / "site", tmp_path / "reference"
    assert aisite("build", "--source", str(source), "--output", str(output)).returncode == 0
    assert aisite("build", "--source", str(source), "--output", str(reference)).returncode == 0
    db = sqlite3.connect(source / ".aisite-cache" / "cache.sqlite")
    with db:  # every body written from now on reads back as garbage
        db.execute(
            "CREATE TRIGGER spoil AFTER INSERT ON texts BEGIN "
            "UPDATE texts SET value = '{[' WHERE key = NEW.key; END"
        )
    db.close()
    result = aisite("build", "--source", str(source), "--output", str(output), "--clean")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"aisite: warning: the cache in {source / '.aisite-cache'} cannot be used (an "
        "article's rendered text is damaged or gone); building again without reading it"
    ]
    assert tree(output) == tree(reference)


def test_an_edit_reads_the_bodies_of_what_it_shows_not_of_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus.generate(60, tmp_path / "corpus", claims_ratio=1.0)
    source = tmp_path / "corpus" / "aisite"
    options, output = Options(source, jobs=1), tmp_path / "out"
    build(options, output)
    reads: list[str] = []
    read = bodies.Texts.read
    monkeypatch.setattr(bodies.Texts, "read", lambda t, k, o: reads.append(o) or read(t, k, o))
    articles = sorted((source / "content" / "articles").iterdir())
    index = articles[0] / "index.md"
    index.write_text(index.read_text() + "\nOne more sentence.\n")
    build(options, output)
    # Its page and claim pages, the feeds that carry it, its year's search records: not all.
    assert 0 < len(set(reads)) < len(articles) / 2, sorted(set(reads))


@pytest.mark.parametrize(
    "kind", ["cold", "--clean", "held"], ids=["cold", "--clean", "again after a damaged body"]
)
def test_a_cold_build_leaves_each_body_to_the_cache_as_it_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # Every article's rendered text, held until the last was rendered, was 77 MB at 5,000
    # (by a --clean build until the twentieth round).
    count = 60  # rendered by forked workers (content.PARALLEL_MIN)
    corpus.generate(count, tmp_path / "corpus", claims_ratio=1.0)
    source = tmp_path / "corpus" / "aisite"
    made: list[weakref.ref[object]] = []  # each rendered text, and its body
    decode, body_of = rendered.text_from_json, rendered.body_of

    def decoded(data: dict[str, object]) -> tuple[ArticleText, list[object]]:
        text, found = decode(data)
        made.append(weakref.ref(text))
        return text, found  # type: ignore[return-value]

    def bodied(text: ArticleText) -> bodies.Body:
        body = body_of(text)
        made.append(weakref.ref(body))
        return body

    render = content.render_articles
    alive: list[int] = []

    def watched(*args: object) -> Iterator[dict[str, object]]:
        for data in render(*args):  # type: ignore[arg-type]
            alive.append(sum(ref() is not None for ref in made))  # before this one's are made
            yield data

    monkeypatch.setattr(rendered, "text_from_json", decoded)
    monkeypatch.setattr(rendered, "body_of", bodied)
    monkeypatch.setattr(content, "render_articles", watched)
    options = Options(source, jobs=2, clean=kind != "cold", hold_texts=kind == "held")
    build(options, tmp_path / "out")
    assert content.PARALLEL_MIN <= len(alive) == count
    if kind == "held":  # reads nothing back from the cache: holds every text and body
        assert alive == [2 * n for n in range(count)]
    else:  # only the text and body being stored (the loop's variables) are still alive
        assert max(alive) == 2


def _fills_up(source: Path) -> None:
    """A cold build's cache that stores one article's body, then is full."""
    cachedb.CacheDB(source).close()  # its tables made, empty
    db = sqlite3.connect(source / ".aisite-cache" / "cache.sqlite")
    with db:
        db.execute(
            "CREATE TRIGGER full AFTER INSERT ON texts WHEN (SELECT count(*) FROM texts) > 1 "
            "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
        )
    db.close()


def test_a_cache_that_fails_after_bodies_were_left_to_it_renders_those_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus.generate(6, tmp_path / "corpus", claims_ratio=1.0)
    source = tmp_path / "corpus" / "aisite"
    reference = tmp_path / "reference"
    build(Options(source, jobs=1, use_cache=False), reference)
    _fills_up(source)
    render, asked = content.render_articles, []

    def counted(articles: list[object], *args: object) -> Iterator[dict[str, object]]:
        asked.append(len(articles))
        return render(articles, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(content, "render_articles", counted)
    build(Options(source, jobs=1), tmp_path / "out")
    assert tree(tmp_path / "out") == tree(reference)
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warned) == 1 and "database or disk is full" in warned[0], warned
    # The two left to the cache (the second's body was being written when it failed); the rest
    # were held once it had.
    assert asked == [6, 2]


def test_a_server_keeps_every_rendering_when_its_cache_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "kept", None)  # put back as it was after the test
    memory.remember()
    corpus.generate(6, tmp_path / "corpus", claims_ratio=1.0)
    source = tmp_path / "corpus" / "aisite"
    _fills_up(source)
    build(Options(source, jobs=1), tmp_path / "out")
    kept = memory.table("rendered")
    assert kept is not None and len(kept) == 6
