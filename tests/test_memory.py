"""What a build's processes hold: no memory the build freed, no answer or text it is done with."""

from __future__ import annotations

import gc
import hashlib
import os
import subprocess
import sys
import tracemalloc
import weakref
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from aisite import integrity, making, memory, units
from aisite import write as writer
from aisite.build import build, build_now
from aisite.cache import Cache
from aisite.claimmodel import CLAIM_TYPES, STANCES, Term
from aisite.content import render_content
from aisite.keys import PackedKeys, digest
from aisite.load import load_site
from aisite.options import Options
from aisite.plan import Output
from aisite.pool import fork_call, fork_map
from aisite.reader import Walk
from aisite.siteconfig import CLAIMANT_TYPES as KINDS
from conftest import REPO, copy_site

T = TypeVar("T")


def _traced(call: Callable[[], T]) -> tuple[T, int]:
    """What `call` returns, and the peak of the memory traced while it ran."""
    tracemalloc.start()
    try:
        return call(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _resident_mb(status: str = "/proc/self/status") -> float:
    line = next(line for line in Path(status).read_text().splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


@pytest.mark.unit
@pytest.mark.parametrize("start", ["fork_map", "fork_call"])
def test_a_worker_does_not_start_with_the_memory_its_parent_freed(start: str) -> None:
    # About 110 MB of text with long-lived strings between its pieces, then freed: the C heap
    # keeps the pages, which a forked worker would count again.
    kept, freed = [], []
    for n in range(110_000):
        freed.append("x" * (700 + n % 600))
        if n % 4 == 0:
            kept.append(str(n) * 20)
    del freed
    before = _resident_mb()
    if start == "fork_map":
        [at_start] = list(fork_map(lambda _: _resident_mb(), 1, 1, 1))
    else:
        at_start = fork_call(_resident_mb).result()
    assert before - at_start > 60, (before, at_start)
    assert len(kept) == 27_500


def _pieces(count: int, size: int = 1 << 20) -> Callable[[], Iterator[bytes]]:
    return lambda: (bytes([65 + n % 26]) * size for n in range(count))


def _published(tmp_path: Path) -> Path:
    """A published claims.json of three pieces, its mtime long ago; the new folder beside it."""
    (tmp_path / "site").mkdir(), (tmp_path / "new").mkdir()
    published = tmp_path / "site" / "claims.json"
    published.write_bytes(b"".join(_pieces(3, 1000)()))
    os.utime(published, ns=(10**18, 10**18))
    return published


def _make(item: Output, tmp_path: Path, in_place: bool) -> making.Made:
    making.start(making.Job([item], tmp_path / "new", tmp_path / "site", None, in_place))
    try:
        return making.make(0)
    finally:
        making.start(None)


@pytest.mark.unit
def test_a_streamed_output_is_written_a_piece_at_a_time(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    _, peak = _traced(
        lambda: _make(Output("claims.json", "claims", stream=_pieces(40)), tmp_path, False)
    )
    assert (tmp_path / "new" / "claims.json").read_bytes() == b"".join(_pieces(40)())
    assert peak < 4 << 20, peak  # 40 MB written, never more than a piece or two held


@pytest.mark.unit
@pytest.mark.parametrize("in_place", [False, True], ids=["new folder", "in place"])
@pytest.mark.parametrize("changed", [False, True], ids=["same bytes", "other bytes"])
def test_a_streamed_output_keeps_the_published_file_when_its_bytes_are_the_same(
    tmp_path: Path, in_place: bool, changed: bool
) -> None:
    published = _published(tmp_path)
    item = Output("claims.json", "claims", stream=_pieces(4 if changed else 3, 1000))
    _, unchanged, size, mtime, problems = _make(item, tmp_path, in_place)
    assert problems == [] and unchanged is not changed and size == (4000 if changed else 3000)
    assert (mtime == 10**18) is not changed
    staged = tmp_path / "new" / "claims.json"
    if changed:
        assert staged.read_bytes() == b"".join(_pieces(4, 1000)())
    elif in_place:
        assert not staged.exists()  # the published file stays as it is
    else:
        assert staged.stat().st_ino == published.stat().st_ino  # linked: its mtime kept


@pytest.mark.unit
def test_a_streamed_output_is_made_once_where_files_cannot_be_linked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = _published(tmp_path)
    made: list[int] = []

    def counted() -> Iterator[bytes]:
        made.append(1)
        return iter(_pieces(3, 1000)())

    monkeypatch.setattr(making, "_link", lambda previous, target: False)
    _, unchanged, _, mtime, _ = _make(Output("claims.json", "c", stream=counted), tmp_path, False)
    assert unchanged and mtime == 10**18 and made == [1]
    assert (tmp_path / "new" / "claims.json").read_bytes() == published.read_bytes()


@pytest.mark.unit
@pytest.mark.parametrize("count", [0, 1, 4097])
def test_a_listing_is_the_sum_of_its_entries_hashes_so_an_edit_works_it_out(count: int) -> None:
    # The digest is the sum (mod 2**128) of each entry's 16-byte BLAKE2b, whatever the order:
    # an edit subtracts the entries of the files it replaced and adds theirs now.
    files = [(f"articles/a{n * 7919 % 10007}/index.html", n, 10**18 + n) for n in range(count)]

    def hashed(path: str, size: int, mtime: int) -> int:
        data = f"{path}\0{size}\0{mtime}".encode()
        return int.from_bytes(hashlib.blake2b(data, digest_size=16).digest(), "big")

    whole = sum(hashed(*file) for file in files) % 2**128
    listed = integrity.listing_of(files)
    assert listed == {"count": count, "digest": f"{whole:032x}"}
    assert integrity.listing_of(reversed(files)) == listed
    gone, added = files[: count // 2], [("feed.xml", 7, 10**18), ("search/x.pf", 3, 10**18)]
    after = integrity.listing_of(files[count // 2 :] + added)
    assert integrity.moved(listed, gone, added) == after != listed
    assert integrity.moved(listed) == listed
    for older in ({"count": count, "digest": "0" * 64}, {"digest": f"{whole:032x}"}, {}):
        assert integrity.moved(older, gone, added) is None  # a manifest of an older kind


def _recorded(count: int) -> tuple[list[str], list[str]]:
    paths = [f"articles/a{n:06d}/claims/c{n % 7}/index.html" for n in range(count)]
    return paths, [hashlib.sha256(p.encode()).hexdigest()[:32] for p in paths]


@pytest.mark.unit
def test_the_cache_records_every_output_without_a_table_of_them(tmp_path: Path) -> None:
    from aisite.cache import Cache

    paths, keys = _recorded(100_000)
    cache = Cache(tmp_path, tmp_path / "site")
    try:

        def rows() -> Iterator[tuple[str, str, int, int, bool]]:
            # Each key a string of its own, as the writer's packed keys give them back.
            made = (k.encode().decode() for k in keys)
            return ((p, k, 1000, 10**18, False) for p, k in zip(paths, made, strict=True))

        _, peak = _traced(lambda: cache.save_outputs(rows))
        assert cache.outputs == {p: (k, 1000, 10**18) for p, k in zip(paths, keys, strict=True)}
        assert sorted(cache.changed) == sorted(keys)
        # A table of them (path -> (key, size, mtime)) alone is about 11 MB; with the keys recorded
        # anew held as strings, this peaked at 17.8 MB.
        assert peak < 3 << 20, peak
        names = {*keys[:500], *(f"gone{n}" for n in range(500)), "ab12.4242.tmp"}
        unused, peak = _traced(lambda: cache.unused(names))
        assert unused == {*(f"gone{n}" for n in range(500)), "ab12.4242.tmp"}
        assert peak < 1 << 20, peak  # the set of every key would be 12 MB
    finally:
        cache.close()


@pytest.mark.unit
def test_a_rebuild_reads_the_records_it_asks_for_not_a_table_of_them(tmp_path: Path) -> None:
    from aisite.cache import Cache

    paths, keys = _recorded(30_000)
    (tmp_path / "site").mkdir()  # the records of a folder that is gone are dropped
    first = Cache(tmp_path, tmp_path / "site")
    try:
        first.save_outputs(
            lambda: ((p, k, 7, n, False) for n, (p, k) in enumerate(zip(paths, keys, strict=True)))
        )
    finally:
        first.close()
    cache = Cache(tmp_path, tmp_path / "site")
    try:
        asked = [*paths[::29], "not/recorded.html", *paths[:1200]]  # more than one query's worth
        found, peak = _traced(lambda: cache.recorded(asked))
        wanted = set(asked)
        assert found == {p: (keys[n], 7, n) for n, p in enumerate(paths) if p in wanted}
        assert cache.has_outputs()
        assert cache._outputs is None  # no table of every record was made
        assert peak < 1 << 20, peak  # a table of them is 8.8 MB
    finally:
        cache.close()
    assert not Cache(tmp_path, tmp_path / "other").has_outputs()


@pytest.mark.unit
def test_an_image_store_is_pruned_of_nothing_when_the_keys_cannot_all_be_read(
    tmp_path: Path,
) -> None:
    import sqlite3

    from aisite.cache import Cache
    from aisite.images import ImageStore

    paths, keys = _recorded(10)
    store = ImageStore(tmp_path / "store")
    assert store.folder is not None
    for name in [*keys[:3], "unused"]:
        (store.folder / name[:2]).mkdir(parents=True, exist_ok=True)
        (store.folder / name[:2] / name).write_bytes(b"png")
    cache = Cache(tmp_path, tmp_path / "site")
    try:
        cache.save_outputs(lambda: ((p, k, 3, 1, False) for p, k in zip(paths, keys, strict=True)))
        assert cache.db is not None
        real = cache.db

        class Failing:  # the table read fails after a few keys
            def execute(self, sql: str, *args: object) -> Iterator[tuple[str]]:
                yield from list(real.execute(sql, *args))[:2]
                raise sqlite3.OperationalError("disk I/O error")

            def close(self) -> None:
                real.close()

        cache.db = Failing()  # type: ignore[assignment]
        assert store.prune(keys, cache.unused) == 0
        assert cache.db is None  # given up, with its one warning
    finally:
        cache.close()
    left = {p.name for p in (tmp_path / "store").rglob("*") if p.is_file()}
    assert left == {*keys[:3], "unused"}


@pytest.mark.cli
def test_a_rebuild_outside_a_server_never_reads_every_record_or_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aisite.build import build
    from aisite.cache import Cache
    from aisite.options import Options
    from conftest import SITES, copy_site

    site = copy_site(SITES / "basic", tmp_path / "site")
    out = tmp_path / "out"
    build(Options(site), out)
    tables: list[int] = []
    real = Cache.outputs.fget
    assert real is not None
    monkeypatch.setattr(Cache, "outputs", property(lambda c: tables.append(1) or real(c)))
    monkeypatch.setattr(units, "LOOKED_UP", 1)  # each article's units looked up alone
    found: list[int] = []
    look_up = units.Units.look_up
    monkeypatch.setattr(
        units.Units, "look_up", lambda u, s: look_up(u, s) or found.append(len(u.found))
    )
    asked: list[int] = []  # how many units each lookup asked for
    rows, every = Cache.unit_rows, Cache.units
    monkeypatch.setattr(Cache, "unit_rows", lambda c, s: asked.append(len(s)) or rows(c, s))
    monkeypatch.setattr(Cache, "units", lambda c: asked.append(-1) or every(c))  # all of them
    (site / "static").mkdir(exist_ok=True)
    (site / "static" / "extra.txt").write_text("a file no page shows", encoding="utf-8")
    report = build(Options(site), out)  # every article's units are as the last build left them
    assert report.articles > 1 and report.stats.unchanged < report.stats.files
    assert len(found) == 3 * report.articles and sum(found) == 3 * report.articles, found
    index = next((site / "content" / "articles").glob("*/index.md"))
    index.write_text(index.read_text() + "\nOne more sentence.\n", encoding="utf-8")
    report = build(Options(site), out)
    assert 0 < report.stats.files - report.stats.unchanged < report.stats.files / 4
    assert tables == []  # each batch's records were read from the cache as it was planned
    assert asked and set(asked) == {1}  # the units of the article being planned, never all


@pytest.mark.cli
@pytest.mark.parametrize("warm", [False, True], ids=["parsed now", "from the cache"])
def test_the_model_holds_a_value_named_again_once(tmp_path: Path, warm: bool) -> None:
    source = tmp_path / "src"
    copy_site(REPO / "content", source / "content")  # the repository's own: 20 claims, a registry
    options = Options(source, now=build_now(), jobs=1)
    if warm:
        build(options, tmp_path / "out")
    cache = Cache(source, tmp_path / "out")
    try:
        parsed, problems = load_site(options, cache)
        site = render_content(parsed, problems, cache)
    finally:
        cache.close()
    claims = [claim for article in site.articles for claim in article.claims]
    # Tags, topics and claimants: one Term a name (20 claims name one registered claimant).
    terms = [term for article in site.articles for term in article.tags]
    terms += [claim.claimant for claim in claims] + [t for c in claims for t in c.topics]
    first: dict[Term, Term] = {}
    assert all(first.setdefault(term, term) is term for term in terms)
    assert len(first) < len(terms) - 20
    # A word of a fixed set: the member itself.
    words = [(e.stance, STANCES) for claim in claims for e in claim.evidence]
    words += [(c.type, CLAIM_TYPES) for c in claims] + [(c.claimant_type, KINDS) for c in claims]
    assert all(any(word is member for member in members) for word, members in words)
    # The quote as found is the quote as written, held once; a mark is its claim's own id.
    same = [claim for claim in claims if claim.matched == claim.quote]
    assert len(same) > 10 and all(claim.matched is claim.quote for claim in same)
    for article in site.articles:
        ids = [claim.id for claim in article.claims] + [reuse.id for reuse in article.reuses]
        assert article.marks and all(any(m is i for i in ids) for m in article.marks)


@pytest.mark.unit
def test_output_keys_are_held_packed_and_given_back_as_they_were() -> None:
    digests = [digest(str(n)) for n in range(40)]
    others: list[str | None] = [
        None,
        "",
        "A" * 32,
        "g" * 32,
        "ab",
        digests[0][:31],
        digests[1] + "0",
    ]
    # Hex of other lengths, whose lengths add up to two digests': never packed out of step.
    odd = ["ab" * 8, "cd" * 24]
    batches = [digests[:20], [*digests[20:30], *others], digests[30:], [], [None], odd]
    packed = PackedKeys()
    for batch in batches:
        packed.extend(batch)
    expected = [key for batch in batches for key in batch]
    assert len(packed) == len(expected) and list(packed) == expected == list(packed)
    assert len(packed._bytes) == 16 * len(expected)
    assert len(packed._other) == len(others) + 1 + len(odd)  # all but the digests


@pytest.mark.cli
def test_a_build_process_whose_worker_indexes_loads_no_asyncio_or_ssl(tmp_path: Path) -> None:
    # Pagefind's client runs on asyncio, which loads ssl: 10 MB of the build's own process.
    source = copy_site(REPO / "tests" / "sites" / "basic", tmp_path / "src")
    code = (
        "import sys; from aisite.cli import main; "
        f"status = main(['build', '-q', '-j', '2', '--source', {str(source)!r}]); "
        "print(status, *(name in sys.modules for name in ('asyncio', 'ssl', 'urllib.request')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert found.stdout.split() == ["0", "False", "False", "False"], found.stderr
    assert any((source / "site").glob("pagefind/*/pagefind-entry.json"))  # indexed, in a worker


@pytest.mark.cli
@pytest.mark.parametrize("serving", [False, True], ids=["a build", "a server's build"])
def test_the_walk_of_the_inputs_is_let_go_once_the_content_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, serving: bool
) -> None:
    # Its paths were 7 MB at 5,000 articles, held to the end of the write; a server keeps them.
    from aisite import build as building

    walks: list[weakref.ref[Walk]] = []
    alive: list[bool] = []
    walk, write = building.input_walk, writer.write_site

    def walked(*args: Any) -> Walk:
        found = walk(*args)
        walks.append(weakref.ref(found))
        return found

    def writing(*args: Any, **kwargs: Any) -> Any:
        gc.collect()
        alive.append(walks[-1]() is not None)
        return write(*args, **kwargs)

    monkeypatch.setattr(building, "input_walk", walked)
    monkeypatch.setattr(writer, "write_site", writing)  # imported by a build from there
    monkeypatch.setattr(memory, "kept", None)  # put back as it was after the test
    if serving:
        memory.remember()
    source = copy_site(REPO / "tests" / "sites" / "basic", tmp_path / "src")
    build(Options(source, now=build_now(), jobs=1), tmp_path / "out")
    assert alive == [serving]


@pytest.mark.unit
def test_what_is_kept_of_a_claims_json_is_written_a_line_at_a_time(tmp_path: Path) -> None:
    from aisite.cache import Cache

    count = 50_000
    keys = [f"{hashlib.sha256(str(n).encode()).hexdigest()[:32]} c{n % 9}" for n in range(count)]
    lengths = array("q", range(1000, 1000 + count))
    cache = Cache(tmp_path, tmp_path / "site")
    try:

        def kept() -> tuple[Iterator[tuple[str, str]], list[str], array[int]]:
            pairs = (
                (f"article-{n:06d}/c{n % 9}", ("accurate", "false")[n % 2]) for n in range(count)
            )
            return pairs, keys, lengths

        _, peak = _traced(lambda: cache.keep_published("k" * 32, kept))
        found = cache.published("k" * 32)
        assert found is not None
        assert list(found[0].items())[:2] == [
            ("article-000000/c0", "accurate"),
            ("article-000001/c1", "false"),
        ]
        assert found[1] == keys and found[2] == lengths
    finally:
        cache.close()
    # The row is about 3.5 MB; made with its verdicts as a dict, its parts' lines and their
    # joins, the same row peaked at 19.7 MB.
    size = sum(len(k) + 1 for k in keys) + count * (len("article-000000/c0\naccurate\n") + 6)
    assert peak < 1.5 * size, (peak, size)


@pytest.mark.unit
def test_the_image_store_is_pruned_by_the_names_it_holds_not_their_paths(tmp_path: Path) -> None:
    from aisite.images import ImageStore

    store = ImageStore(tmp_path)
    assert store.folder is not None
    names = [hashlib.sha256(str(n).encode()).hexdigest()[:32] for n in range(20_000)]
    for name in names:
        (store.folder / name[:2]).mkdir(parents=True, exist_ok=True)
        (store.folder / name[:2] / name).write_bytes(b"")
    asked: list[set[str]] = []

    def unused(found: set[str]) -> set[str]:
        asked.append(found)
        return {names[0], names[1]}

    removed, peak = _traced(lambda: store.prune(names[:5000], unused))
    assert removed == 2 and asked == [set(names)]
    assert not (store.folder / names[0][:2] / names[0]).exists()
    # Pruned by the names alone it peaked at 4.3 MB; with each file's path as well, 6.2 MB.
    assert peak < 5.2e6, peak
