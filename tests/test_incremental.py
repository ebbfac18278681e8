"""Incremental builds are correct before they are fast: after any edits, byte-identical to a cold build."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import random
import shutil
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aisite import (
    bodies,
    cache,
    content,
    images,
    inplace,
    interrupt,
    load,
    media,
    memory,
    model,
    pool,
    search,
    units,
    write,
)
from aisite.build import build
from aisite.cards import ArticleCard, ClaimCard
from aisite.errors import ContentError
from aisite.options import Options
from aisite.quick import quick
from conftest import aisite, copy_site

pytestmark = pytest.mark.cli

BASIC = Path(__file__).parent / "sites" / "basic"
WORDS = ["chips", "export", "model", "open", "weights", "rules", "China", "policy", "data", "cost"]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _article(rng: random.Random, title: str, tag: str) -> str:
    body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(30)) + "." for _ in range(3))
    day = rng.randint(1, 28)
    return f"---\ntitle: {title}\ndate: 2025-06-{day:02d}\ntags: [{tag}]\n---\n{body}\n"


ACTIONS = [
    "add",
    "edit",
    "rename",
    "delete",
    "retitle",
    "page",
    "template",
    "config",
    "static",
    "show-field",
    "summary",
    "claim-body",
    "claim-front",
    "claim-summary",
    "second-claims",
    "revert",  # the step before undone: its inputs, and so its search bundles, come back
]
CLAIMS_BUNDLE = "chip-rules-explained"  # the one article with claims (never renamed or deleted)
THEME = Path(__file__).resolve().parents[1] / "templates"
# Template edits that start showing fields no built-in template shows on these pages.
SHOWN_FIELDS = {
    "tag.html": '{% for a in articles %}<p class="x">{{ a.summary }} {{ a.authors | join(", ") }}'
    " {{ a.updated }} {{ a.body_html | length }}</p>{% endfor %}",
    "index.html": '{% for a in articles %}<p class="x">{{ a.authors | join(", ") }} '
    "{{ a.tags | map(attribute='slug') | join(' ') }}</p>{% endfor %}",
    "article.html": '{% if newer %}<p class="x">{{ newer.summary }} {{ newer.date }}</p>{% endif %}'
    '{% if older %}<p class="x">{{ older.authors | join(", ") }}</p>{% endif %}',
}


def _mutate(site: Path, rng: random.Random, step: int, order: list[str]) -> str:
    articles = site / "content" / "articles"
    bundles = sorted(
        p for p in articles.iterdir() if p.is_dir() and not (p / "claims.yaml").exists()
    )
    # Every kind of change once, in a random order, then random ones.
    action = order[step] if step < len(order) else rng.choice(order)
    if action == "add" or not bundles:
        folder = articles / f"added-{step}"
        folder.mkdir()
        (folder / "index.md").write_text(
            _article(rng, f"Added {step}", rng.choice(["Open models", "New tag"]))
        )
    elif action == "edit":
        index = rng.choice(bundles) / "index.md"
        index.write_text(index.read_text() + f"\nAn added sentence {step}.\n")
    elif action == "rename":
        old = rng.choice(bundles)
        old.rename(articles / f"renamed-{step}")
    elif action == "delete" and len(bundles) > 1:
        shutil.rmtree(rng.choice(bundles))
    elif action == "retitle":
        index = rng.choice(bundles) / "index.md"
        text = index.read_text()
        index.write_text(text.replace("title: ", f"title: Retitled {step} ", 1))
    elif action == "page":
        page = site / "content" / "pages" / "methodology.md"
        page.write_text(
            page.read_text().replace("title: Methodology", f"title: Methodology {step}")
        )
    elif action == "template":
        templates = site / "templates"
        templates.mkdir(exist_ok=True)
        (templates / "404.html").write_text(
            '{% extends "base.html" %}\n{% block main %}<h1>Lost '
            + str(step)
            + "</h1>{% endblock %}\n"
        )
    elif action == "config":
        config = site / "content" / "site.yaml"
        config.write_text(
            config.read_text().replace("description: ", f"description: Step {step}. ", 1)
        )
    elif action == "show-field":
        name = rng.choice(sorted(SHOWN_FIELDS))
        templates = site / "templates"
        templates.mkdir(exist_ok=True)
        text = (THEME / name).read_text()
        (templates / name).write_text(
            text.replace("{% endblock %}", SHOWN_FIELDS[name] + "{% endblock %}", 1)
        )
    elif action == "summary":
        index = rng.choice(bundles) / "index.md"
        text = index.read_text()
        lines = [line for line in text.split("\n") if not line.startswith(("summary:", "authors:"))]
        extra = f"summary: Summary {step}\nauthors: [Writer {step}]"
        index.write_text("\n".join([lines[0], extra, *lines[1:]]))
    elif action.startswith("claim-"):
        # claims.json shows claims.yaml and the article's front matter, not its body.
        bundle = articles / CLAIMS_BUNDLE
        index, claims = bundle / "index.md", bundle / "claims.yaml"
        if action == "claim-body":
            index.write_text(index.read_text() + f"\nA sentence about chips {step}.\n")
        elif action == "claim-front":
            text = index.read_text().replace("title: ", f"title: Step {step} ", 1)
            text = text.replace("  title: ", f"  title: Story {step} ", 1)  # the story's title
            index.write_text(text.replace("updated: 2025-08-0", "updated: 2025-08-1", 1))
        else:
            text = claims.read_text()
            claims.write_text(text.replace("  summary: ", f"  summary: Step {step}. ", 1))
    elif action == "second-claims":
        # Claims in a second article: claims.json copies its records when the first one's change.
        bundle = rng.choice(bundles)
        index = bundle / "index.md"
        index.write_text(index.read_text() + f"\nThe agency said rule {step} was new.\n")
        (bundle / "claims.yaml").write_text(
            f'- id: added-{step}\n  quote: "rule {step} was new"\n  claimant: The agency\n'
            '  type: fact\n  verdict: "true"\n  summary: It was.\n'
            '  evidence: [{title: Notice, url: "https://example.org/notice"}]\n'
            # Listed before the first article's claims or after them (newest review first).
            f"  reviewed: {rng.choice(['2025-05-01', '2025-09-01'])}\n"
        )
    elif action == "static":
        (site / "static" / f"file-{step}.txt").write_text(f"static {step}\n")
    return action  # "revert": the caller puts back the files as they were before the last step


class Drawn:
    """Images and cards the reference builds made, kept by everything they are made from: each
    is made once, not at every step. Not by the cache's keys, which are what the test checks."""

    def __init__(self) -> None:
        self.made: dict[tuple[object, ...], bytes] = {}

    def _once(self, key: tuple[object, ...], make: Callable[[], bytes]) -> bytes:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    @contextlib.contextmanager
    def reused(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        """While a reference builds: the same inputs give the bytes made for them before."""
        encode, article, claim = images.encode, media.draw_article, media.draw_claim

        def encoded(data: bytes, width: int, kind: str) -> bytes:
            key = ("image", hashlib.sha256(data).digest(), width, kind)
            return self._once(key, lambda: encode(data, width, kind))

        def drawn_article(card: ArticleCard) -> bytes:
            cover = hashlib.sha256(Path(card.cover).read_bytes()).digest() if card.cover else b""
            return self._once(("article", card, cover), lambda: article(card))

        def drawn_claim(card: ClaimCard) -> bytes:
            return self._once(("claim", card), lambda: claim(card))

        with monkeypatch.context() as patch:
            patch.setattr(images, "encode", encoded)
            patch.setattr(media, "draw_article", drawn_article)
            patch.setattr(media, "draw_claim", drawn_claim)
            yield


INPUTS = ("content", "templates", "static")


def _inputs(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for top in INPUTS
        for p in sorted((site / top).rglob("*"))
        if p.is_file()
    }


def _put_back(site: Path, files: dict[str, bytes]) -> None:
    for top in INPUTS:
        shutil.rmtree(site / top, ignore_errors=True)
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)


@pytest.mark.parametrize(("seed", "served"), [(2026, False), (7, False), (11, True)])
def test_incremental_builds_equal_cold_builds_after_random_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, served: bool
) -> None:
    # `served`: built in this process as `aisite serve` builds, keeping its model, its
    # articles as loaded and built, its units and search bundles between builds (memory.py).
    site = copy_site(BASIC, tmp_path / "site")
    shutil.rmtree(site / "expected")
    incremental = tmp_path / "incremental"
    rng = random.Random(seed)
    sizes = random.Random(seed + 1)  # of batches: the changes stay those of each seed
    kept = memory.Memory() if served else None
    quickly: list[str] = []  # the steps serve's quick path wrote files for
    edits: list[bool] = []  # whether each build was an edit of bodies alone (not served)

    def build_incremental() -> dict[str, bytes]:
        """Build; served, the quick path first: what it wrote, as it wrote it. In batches of
        a few outputs (the reference: all in one)."""
        with monkeypatch.context() as batches:
            batches.setattr(write, "BATCH", sizes.choice((3, 7, 64)))
            return build_in_batches()

    def build_in_batches() -> dict[str, bytes]:
        if served:
            monkeypatch.setattr(memory, "kept", kept)
            early = quick(Options(site), incremental)
            wrote = (
                {path: (incremental / path).read_bytes() for path in early.files} if early else {}
            )
            build(Options(site), incremental, walk=early.walk if early else None)  # as serve
            if early:
                assert early.current(incremental) == early.pages  # the build kept them
            monkeypatch.setattr(memory, "kept", None)
            return wrote
        result = aisite("build", "-v", "--source", str(site), "--output", str(incremental))
        assert result.returncode == 0, result.stderr
        edits.append("bodies edited" in result.stdout)  # bodyedit.py's path
        return {}

    build_incremental()
    order = ACTIONS[:]
    rng.shuffle(order)
    done = []
    # Every kind of change, then random ones; then a published text edited, undone and redone:
    # inputs (and search bundles) the cache holds already come back.
    steps = [
        *((step, order) for step in range(20)),
        (0, ["claim-body"]),
        (0, ["revert"]),
        (0, ["revert"]),
    ]
    before = _inputs(site)
    drawn = Drawn()
    for step, (index, actions) in enumerate(steps):
        previous, before = before, _inputs(site)
        done.append(_mutate(site, rng, index, actions))
        if done[-1] == "revert":
            _put_back(site, previous)
        wrote = build_incremental()
        # The reference neither reads nor writes the cache, so it shares nothing with the
        # incremental build (a --clean build would leave rendered Markdown for the next step).
        cold = tmp_path / f"cold-{step}"
        with drawn.reused(monkeypatch):
            build(Options(site, use_cache=False, jobs=1), cold)
        assert tree(incremental) == tree(cold), f"differs after {done}"
        for path, data in wrote.items():
            assert data == (cold / path).read_bytes(), f"{path}: quick path after {done}"
        quickly.extend([done[-1]] if wrote else [])
    assert set(ACTIONS) <= set(done), done
    # The claims article's text, claims and title (an "edit" may pick the draft, left out).
    assert not served or {"claim-body", "claim-summary", "claim-front"} <= set(quickly), quickly
    # Only a text edited is an edit of a body alone (bodyedit.py); the claims article's always
    # is one (an "edit" may pick the draft, left to the full build).
    fast = [] if served else list(zip(done, edits[1:], strict=True))
    assert served or all(was for action, was in fast if action == "claim-body"), fast
    assert not any(was for action, was in fast if action not in ("edit", "claim-body")), fast


def test_unchanged_outputs_are_not_rewritten(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "site")
    out = tmp_path / "out"
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    second = aisite("build", "--source", str(site), "--output", str(out))
    assert ", 0 changed)" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def _in_worker(log: str, func: Callable[[Any], Any], item: Any) -> Any:
    """One task of a process pool, noting the process that runs it."""
    with open(log, "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\n")
    return func(item)


def _watch_pools(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[int | None]:
    """Note each pool's size, the PID of each worker as it starts and of each task as it runs."""
    sizes: list[int | None] = []
    started, tasks = folder / "started.log", folder / "tasks.log"
    real_map, real_die = pool.fork_map, pool.die_with_parent

    def die(parent: int | None = None) -> None:  # the first thing a new worker does
        with open(started, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")
        real_die(parent)

    def watched(func: Any, count: int, workers: int, chunksize: int, ordered: bool = True) -> Any:
        sizes.append(workers)
        logged = functools.partial(_in_worker, str(tasks), func)
        return real_map(logged, count, workers, chunksize, ordered)

    monkeypatch.setattr(pool, "die_with_parent", die)
    monkeypatch.setattr(content, "fork_map", watched)
    monkeypatch.setattr(write, "fork_map", watched)
    return sizes


def _pids(log: Path) -> list[int]:
    return [int(line) for line in log.read_text().split()] if log.exists() else []


def test_parallel_output_equals_serial_and_comes_from_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "big"
    (site / "content" / "articles").mkdir(parents=True)
    (site / "content" / "site.yaml").write_text("title: Big\nbase_url: https://example.org/\n")
    rng = random.Random(5)
    articles = 40  # several chunks of work for each pool (16 articles, 32 files a chunk)
    for n in range(articles):
        folder = site / "content" / "articles" / f"a-{n}"
        folder.mkdir()
        (folder / "index.md").write_text(_article(rng, f"Article {n}", f"tag {n}"))
    serial, parallel, logs = tmp_path / "serial", tmp_path / "parallel", tmp_path / "logs"
    logs.mkdir()
    # Both pools for any amount of work (in this process), so that the site can stay small.
    monkeypatch.setattr(content, "PARALLEL_MIN", 1)
    monkeypatch.setattr(write, "PARALLEL_MIN", 1)
    sizes = _watch_pools(monkeypatch, logs)
    one = aisite("build", "--clean", "--jobs", "1", "--source", str(site), "--output", str(serial))
    assert one.returncode == 0, one.stderr
    assert sizes == [] and _pids(logs / "tasks.log") == []  # --jobs 1: no pool at all
    two = aisite(
        "build", "--clean", "--jobs", "2", "--source", str(site), "--output", str(parallel)
    )
    assert two.returncode == 0, two.stderr
    assert tree(serial) == tree(parallel)
    # Three pools (Markdown, then writing the site, then its search index once a worker has
    # made it meanwhile) of two workers each: six distinct processes, none of them this one,
    # made every article and every file (all but the folder's marker); a seventh indexed.
    assert sizes == [2, 2, 2]
    workers = _pids(logs / "started.log")
    assert len(set(workers)) == 7 and os.getpid() not in workers
    tasks = _pids(logs / "tasks.log")
    assert set(tasks) <= set(workers)
    assert len(tasks) == articles + len(tree(parallel)) - 1


def test_the_site_is_written_while_its_search_index_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writers start before the build waits for the search index's worker; the index's
    files are planned and written after (a build used to wait for the index, then write)."""
    from aisite import search

    events: list[str] = []
    real_folders = search.Indexing.folders

    def folders(self: search.Indexing) -> dict[str, Path]:
        events.append("search index taken")
        return real_folders(self)

    monkeypatch.setattr(write, "PARALLEL_MIN", 1)
    sizes = _watch_pools(monkeypatch, tmp_path)
    real_map = write.fork_map

    def pool(*args: Any, **kwargs: Any) -> Any:
        events.append(f"{len(sizes)}: writers")
        return real_map(*args, **kwargs)

    monkeypatch.setattr(write, "fork_map", pool)
    monkeypatch.setattr(search.Indexing, "folders", folders)
    site = copy_site(BASIC, tmp_path / "site")
    out = tmp_path / "out"
    assert aisite("build", "-j", "2", "--source", str(site), "--output", str(out)).returncode == 0
    assert events == ["0: writers", "search index taken", "1: writers"]
    assert any(out.glob("pagefind/*/pagefind-entry.json"))  # the index was written too
    cold = tmp_path / "cold"
    assert aisite("build", "-j", "1", "--source", str(site), "--output", str(cold)).returncode == 0
    assert tree(out) == tree(cold)


def test_nothing_changed_is_decided_without_rebuilding(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "site")
    out = tmp_path / "out"
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    again = aisite("build", "-v", "--source", str(site), "--output", str(out))
    assert "nothing changed" in again.stdout and ", 0 changed)" in again.stdout
    (out / "index.html").unlink()  # the output was touched: a real build puts it back
    repaired = aisite("build", "-v", "--source", str(site), "--output", str(out))
    assert "nothing changed" not in repaired.stdout and (out / "index.html").is_file()
    late = aisite(
        "build", "-v", "--source", str(site), "--output", str(out), env={"SOURCE_DATE_EPOCH": "0"}
    )
    assert "nothing changed" not in late.stdout  # 'now' moved before the newest article


def _served_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the basic site, built from now on as `aisite serve` builds (remember())."""
    site = copy_site(BASIC, tmp_path / "site")
    shutil.rmtree(site / "expected")
    monkeypatch.setattr(memory, "kept", memory.Memory())
    return site


def test_a_server_keeps_the_model_between_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `aisite serve` calls remember(): unchanged articles come from memory, not from reading
    # and decoding the cache again, and the output is still exactly a cold build's.
    site = _served_site(tmp_path, monkeypatch)
    read: list[tuple[str, str]] = []
    select = cache.Cache._select

    def counted(self: cache.Cache, table: str, keys: Any, join: str = "") -> Any:
        wanted = list(keys)
        # Not the rows a build keeps of itself: its manifest, claims.json's verdicts.
        read.extend((table, k) for k in wanted if not k.startswith(("manifest:", "verdicts:")))
        return select(self, table, wanted, join)

    monkeypatch.setattr(cache.Cache, "_select", counted)
    bodies_read: list[str] = []
    read_body = bodies.Texts.read
    monkeypatch.setattr(
        bodies.Texts, "read", lambda t, k, o: bodies_read.append(o) or read_body(t, k, o)
    )
    scanned: list[Path] = []  # output folders listed (not the staging folders of each write)
    files_of = inplace.files_of

    def listed(folder: Path, links: list[str] | None = None) -> inplace.Listing:
        if not folder.name.startswith("."):
            scanned.append(folder)
        return files_of(folder, links)

    monkeypatch.setattr(inplace, "files_of", listed)
    made: list[str] = []  # articles placed (load) or built (render_content) again
    placed, built = load.placed, model.Article.of
    monkeypatch.setattr(load, "placed", lambda a, *rest: made.append(a.path) or placed(a, *rest))
    monkeypatch.setattr(
        model.Article, "of", classmethod(lambda c, p, *rest: made.append(p.path) or built(p, *rest))
    )
    decoded: list[object] = []  # remembered units decoded, search bundles' manifests read
    decode, manifest = units._decode, search.read_manifest
    monkeypatch.setattr(units, "_decode", lambda text: decoded.append("unit") or decode(text))
    monkeypatch.setattr(
        search, "read_manifest", lambda folder: decoded.append(folder) or manifest(folder)
    )
    output, options = tmp_path / "out", Options(site, jobs=1)
    kept = memory.kept
    monkeypatch.setattr(memory, "kept", None)
    build(options, tmp_path / "warm")  # a build's cache, from which the server's model comes
    monkeypatch.setattr(memory, "kept", kept)
    build(options, output)
    # The outputs it recorded are kept too: the server's rebuilds never read them back (here
    # they could not: gone from the cache, which would make every rebuild write everything).
    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    with db:
        db.execute("DELETE FROM outputs WHERE folder = ?", (str(output.resolve()),))
    db.close()
    index = site / "content" / "articles" / "open-models-week" / "index.md"
    for step in range(3):
        read.clear()
        bodies_read.clear()
        made.clear()
        decoded.clear()
        if step < 2:
            index.write_text(index.read_text() + f"\nA sentence {step}.\n")
        else:  # an article goes: its files go, as the listing kept in memory says they are there
            shutil.rmtree(site / "content" / "articles" / "chip-rules-explained")
        folder = output.stat().st_ino
        build(options, output)
        assert output.stat().st_ino == folder  # changed files put in place, not a new folder
        # Only the edited article is looked up (and missed); the rest are remembered.
        assert [table for table, _ in read] == ([] if step == 2 else ["articles", "rendered"])
        assert bodies_read == []  # nor is any article's body read again: the server holds them
        # Nor placed in its folder and built again: the rest are the last build's objects.
        assert made == ([] if step == 2 else [str(index.relative_to(site))] * 2)
        # Nor a unit decoded again, nor the files of a search bundle it listed already: only
        # the bundle made for the edit (the part holding the edited or removed article).
        (bundle,) = decoded
        entry = "pagefind-entry.json"
        assert (
            isinstance(bundle, Path)
            and (bundle / entry).read_bytes() == (output / "pagefind" / "2025" / entry).read_bytes()
        )
        with monkeypatch.context() as cold:  # the reference: a build of another process
            cold.setattr(memory, "kept", None)
            build(Options(site, use_cache=False), tmp_path / f"cold-{step}")
        assert tree(output) == tree(tmp_path / f"cold-{step}")
        # Another folder built by the same process (its memory replaced by that build's).
        build(Options(site, jobs=1), tmp_path / f"also-{step}")
        assert tree(tmp_path / f"also-{step}") == tree(output)
    assert scanned == []  # the output folder is the server's own: what it wrote is what it holds
    monkeypatch.setattr(memory, "kept", None)
    index.write_text(index.read_text() + "\nOne more.\n")
    build(options, output)
    assert len(read) > 2  # a build without memory looks up every article
    assert scanned == [output.resolve()]  # and scans the folder it writes


def test_a_server_is_told_the_site_is_published_once_its_files_are_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # serve reloads the browser when `published` is called: after the changed files are in
    # place (never a stale page), before the cache's bookkeeping (not on the way to the page).
    site = _served_site(tmp_path, monkeypatch)
    options, output = Options(site, jobs=1), tmp_path / "out"
    index = site / "content" / "articles" / "open-models-week" / "index.md"
    page = output / "articles" / "open-models-week" / "index.html"
    seen: list[tuple[bool, bool, bool, bool]] = []
    save = cache.Cache.save_manifest
    saved: list[bool] = []
    monkeypatch.setattr(cache.Cache, "save_manifest", lambda c, m: saved.append(True) or save(c, m))

    def published() -> None:
        fresh = page.is_file() and "Fresh words" in page.read_text()
        seen.append((page.is_file(), fresh, interrupt.state.published, bool(saved)))

    monkeypatch.setattr(interrupt.state, "published", False)  # process-wide: from this build
    build(options, output, published=published)
    assert seen == [(True, False, True, False)]  # the new folder swapped in, no bookkeeping yet
    index.write_text(index.read_text() + "\nFresh words here.\n")
    seen.clear()
    saved.clear()
    interrupt.state.published = False
    build(options, output, published=published)
    assert seen == [(True, True, True, False)]  # the edited page in place
    seen.clear()
    assert build(options, output, published=published).nothing_changed
    assert seen == []  # nothing was written: serve publishes after the build returns
    index.write_text(index.read_text().replace("title:", "title: [", 1))
    with pytest.raises(ContentError):
        build(options, output, published=published)
    assert seen == []  # a failed build publishes nothing: the last good site stays


def test_a_server_settles_between_builds_and_frozen_garbage_is_collected_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # serve settles after its first build, then when due (memory.rest): garbage is collected,
    # what is kept is frozen out of the collector's passes, and what it froze is collected once
    # it is garbage, even when the builds between did not unfreeze (nothing changed: the fast
    # path).
    site = _served_site(tmp_path, monkeypatch)
    options, output = Options(site, jobs=1), tmp_path / "out"

    class Cycle:
        other: object = None

    gc.unfreeze()
    try:
        build(options, output)
        assert gc.get_freeze_count() == 0  # a full build unfreezes what it froze
        kept = Cycle()
        kept.other = kept
        gone = weakref.ref(kept)
        memory.settle()
        assert gc.get_freeze_count() > 0
        assert build(options, output).nothing_changed
        del kept
        gc.collect()
        assert gone() is not None  # frozen: the collector does not see it
        memory.settle()
        assert gone() is None
    finally:
        gc.unfreeze()


def test_claims_json_follows_the_body_order_of_two_reuses_of_one_review(tmp_path: Path) -> None:
    # claims.json is keyed without the body: the order of an article's reuses must count.
    site = copy_site(Path(__file__).parent / "sites" / "across", tmp_path / "site")
    shutil.rmtree(site / "expected", ignore_errors=True)
    bundle = site / "content" / "articles" / "cost-claims-again"
    claims = bundle / "claims.yaml"
    claims.write_text(
        claims.read_text()
        + "- id: fraction-third\n  quote: a third time\n  review: cost-claims-first/fraction-of-cost\n"
    )
    index = bundle / "index.md"
    first, second = "Said a third time, too.", "Once again the lab claimed"
    index.write_text(index.read_text().replace(second, f"{first}\n\n{second}", 1))
    output = tmp_path / "out"
    build(Options(site), output)
    text = index.read_text()
    index.write_text(text.replace(f"{first}\n\n", "", 1) + f"\n{first}\n")  # swapped
    build(Options(site), output)
    build(Options(site, use_cache=False), tmp_path / "cold")
    assert (output / "claims.json").read_bytes() == (tmp_path / "cold" / "claims.json").read_bytes()


def test_text_saved_after_the_walk_is_not_cached_under_the_walks_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A build stats every input once, in its walk, and keys parsed articles by those stats. An
    # article saved again between the walk and its reading must not be cached under the old
    # stats: a later build whose files have them again would take the newer text for theirs.
    from aisite.load import load_site
    from aisite.mdsource import markdown_of
    from aisite.reader import builtin_theme, input_walk

    site = copy_site(BASIC, tmp_path / "site")
    cached: list[str] = []
    put = cache.Cache.put_parsed

    def recorded(self: cache.Cache, items: dict[str, Any]) -> None:
        cached.extend(a.path for a in items.values())
        put(self, items)

    monkeypatch.setattr(cache.Cache, "put_parsed", recorded)
    walk = input_walk(site, builtin_theme())  # nothing cached yet: every article is parsed
    index = site / "content" / "articles" / "open-models-week" / "index.md"
    index.write_text(index.read_text() + "\nSaved after the walk.\n")
    parsed, _ = load_site(Options(site), cache.Cache(site, tmp_path / "out"), walk)
    edited = next(a for a in parsed.articles if a.slug == "open-models-week")
    assert "Saved after the walk" in markdown_of(edited, site)  # read as it is now...
    assert len(cached) == 2 and not [p for p in cached if "open-models-week" in p]  # ...not kept


def test_the_loader_finds_every_bundle_and_stat_in_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The walk names files by path strings; the loader looks its Paths up there. A lookup that
    # missed would still load the site right, each bundle's files (or a folder's) looked at
    # again one by one (0.15 s at 5,000 articles): nothing but this test would see it.
    from aisite import load, reader
    from aisite.reader import Reader, builtin_theme, input_walk

    site = copy_site(BASIC, tmp_path / "site")
    build(Options(site), tmp_path / "out")  # every article cached: none is parsed below
    walk = input_walk(site, builtin_theme())
    assert walk.stats and all(isinstance(path, str) for path in walk.stats)
    assert all(isinstance(p, str) for f, files in walk.folders.items() for p in [f, *files])
    expected, _ = load.load_site(Options(site), cache.Cache(site, tmp_path / "out"), walk)

    def looked(*args: object) -> None:
        raise AssertionError(f"looked again: {args}")

    def stat_now(path: Path | str) -> tuple[int, int] | None:
        # A file the walk found has its stat there (an article may have no claims.yaml).
        if Path(path).exists():
            looked(path)
        return None

    listed: list[str] = []
    scan = Reader._scan

    def scanned(self: Reader, folder: str) -> list[os.DirEntry[str]]:
        listed.append(os.path.relpath(folder, self.root))
        return scan(self, folder)

    monkeypatch.setattr(load, "bundle_found", looked)
    monkeypatch.setattr(reader, "stat_now", stat_now)
    monkeypatch.setattr(Reader, "_scan", scanned)
    parsed, problems = load.load_site(Options(site), cache.Cache(site, tmp_path / "out"), walk)
    assert not problems.items and parsed == expected and parsed.articles
    assert not listed  # no folder is listed again: the walk's lists are the loader's
    # And the test can fail: without the walk, the loader looks.
    with pytest.raises(AssertionError, match="looked again"):
        load.load_site(Options(site), cache.Cache(site, tmp_path / "out"))
