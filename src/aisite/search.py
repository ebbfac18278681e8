"""Search with no server: a Pagefind index per year (or months) of articles, claims and pages; the search page."""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from weakref import WeakKeyDictionary

from aisite import memory, urls
from aisite.catalog import ClaimEntry
from aisite.keys import digest
from aisite.model import Article
from aisite.plan import Output, PageSpec, Planned
from aisite.pool import Started, can_fork, fork_call
from aisite.searchbundle import Record, bundle_files, make_bundles, prune, read_manifest
from aisite.searchrecords import article_record, claim_record, filter_counts, page_record

if TYPE_CHECKING:
    from aisite.render import SitePlan

T = TypeVar("T")
PAGES = "pages"  # the part of the index for standalone pages, which have no date
# Records in a part of the index, at most (on average): a year with more is split into parts of
# a few months. An edit indexes its part again (Pagefind takes about 1 ms a record); the search
# page merges the parts into one Pagefind instance (one WebAssembly module, however many parts).
PART_RECORDS = 800
# What an article's record counts for: its whole text, where a claim's holds its quote and
# analysis. Pagefind's memory follows a part's text, and is the peak of a build without claims
# once articles' Markdown is not held (at 5,000 of the benchmark's articles, parts of about 230
# articles: 110 MB; about 150: 90 MB).
ARTICLE_RECORDS = 4
SPLITS = (1, 2, 3, 4, 6, 12)  # parts a year may have: each of 12 / n months


def _splits(weights: Iterable[tuple[int, int]]) -> dict[int, int]:
    """The parts of each year, from (year, records) pairs: the fewest (of SPLITS) with
    PART_RECORDS records or fewer each."""
    counts: Counter[int] = Counter()
    for year, weight in weights:
        counts[year] += weight
    return {
        year: next((n for n in SPLITS if count <= n * PART_RECORDS), SPLITS[-1])
        for year, count in counts.items()
    }


def _weight(article: bool) -> int:
    """What a record counts for where parts are sized."""
    return ARTICLE_RECORDS if article else 1


def _part(year: int, month: int, splits: dict[int, int]) -> str:
    """A dated record's part: its year (`2024`), or the first month of its span (`2024-05`)."""
    if splits[year] == 1:
        return f"{year:04d}"
    months = 12 // splits[year]
    return f"{year:04d}-{(month - 1) // months * months + 1:02d}"


def _ordered(parts: dict[str, T]) -> dict[str, T]:
    """Newest part first, pages last."""
    return dict(sorted(parts.items(), key=lambda item: (item[0] != PAGES, item[0]), reverse=True))


def shards(found: list[Record]) -> dict[str, list[Record]]:
    """Records by part of the index (the part of a record without a date is `pages`)."""
    dated = [(r, int(r.sort["date"][:4]), int(r.sort["date"][5:7])) for r in found if r.sort]
    splits = _splits((year, _weight(r.meta.get("kind") == "article")) for r, year, _ in dated)
    parts: dict[str, list[Record]] = {}
    for record, year, month in dated:
        parts.setdefault(_part(year, month, splits), []).append(record)
    for record in found:
        if not record.sort:
            parts.setdefault(PAGES, []).append(record)
    return _ordered(parts)


def search_page(plan: SitePlan) -> Iterator[Planned]:
    """The search page: its bundles (their names are known before indexing) and the counts of
    every filter's values (asking Pagefind for them would load every part's filter files)."""
    config, t = plan.config, plan.strings
    if not config.search:
        return
    indexing = _indexing(plan)
    yield PageSpec(
        url=urls.search(),
        template="search.html",
        origin="search page",
        kind="search",
        title=t("title.search"),
        description=t("description.search", site=config.title),
        context={
            "bundles": [urls.search_bundle(f"{name}/") for name in indexing.names],
            "counts": filter_counts(plan),
        },
    )


def search_files(plan: SitePlan) -> Iterator[Planned]:
    """The index bundle of each year (made again only where records changed). Planned last:
    every other output is planned and written while a worker indexes, and the bundles the
    cache holds already are listed before waiting for it."""
    if not plan.config.search:
        return
    indexing = _indexing(plan)
    # A server's: the files of the bundles it listed (a bundle's folder is named by the hash of
    # its records, and one made again, after a prune, holds the same bytes).
    kept, used = memory.table("bundles"), {}
    for name, folder in indexing.ready().items():
        key = f"{name}|{folder}"
        found = kept.get(key) if kept is not None else None
        used[key] = found if found is not None else bundle_listed(folder)
    for name, folder in indexing.folders().items():
        yield from _bundle(name, folder, used.get(f"{name}|{folder}") or bundle_listed(folder))
    if kept is not None:
        kept.clear()
        kept.update(used)


def bundle_listed(folder: Path) -> list[tuple[str, str]]:
    """A bundle's files, each with its key: the hash of its bytes (an edit changes a few of a
    bundle's files: the others are left unread); a bundle without a manifest keys its files
    by its folder, named by the hash of its records and never changed after."""
    listed = read_manifest(folder)
    if listed is None:
        listed = [(relative, f"{folder.name}:{relative}") for relative in bundle_files(folder)]
    return listed


def _bundle(name: str, folder: Path, listed: list[tuple[str, str]]) -> Iterator[Output]:
    """The files of one part's bundle, as they are planned (not held: a part has hundreds)."""
    for relative, key in listed:
        path = urls.search_bundle(f"{name}/{relative}")
        yield Output(path, "search index", copy_from=f"{folder}/{relative}", key=key)


class Indexing:
    """A plan's search bundles: made when asked for, or begun in a worker before planning."""

    def __init__(self, plan: SitePlan) -> None:
        parts = _parts(plan)
        self.names = tuple(parts)  # newest first, `pages` last
        language = language_of(plan)
        # A record is made from its article, claim or page and the site's settings (claimant
        # names, verdict labels), whose fingerprints stand for it: records are made only for
        # the parts to index.
        keys = {name: part_key(plan, (i for i, _ in part)) for name, part in parts.items()}
        if plan.cache_dir is not None:
            root = plan.cache_dir / "search"
        else:
            root = Path(tempfile.mkdtemp(prefix="aisite-search-"))
            atexit.register(shutil.rmtree, root, True)
        made = lambda name: [make() for _, make in parts[name]]  # noqa: E731
        self._make: Callable[[], dict[str, Path]] | None
        self._make = partial(make_bundles, root, keys, made, language)
        self._folders = {name: root / key for name, key in keys.items()}
        self._used = set(self._folders.values())
        self._root = root
        self._started: Started[dict[str, Path]] | None = None
        self._made: dict[str, Path] | None = None

    def start(self) -> None:
        """Index in a forked worker: Pagefind works while the pages are planned and written
        (and this process lets each record's maker go: 5 MB at 5,000 articles with claims)."""
        if can_fork() and self._make is not None:
            with contextlib.suppress(OSError):  # no process to spare: made when asked for
                self._started = fork_call(self._make)
                self._make = None

    def ready(self) -> dict[str, Path]:
        """The parts whose bundle the cache holds already (complete: made and then renamed)."""
        return {n: f for n, f in self._folders.items() if (f / "pagefind-entry.json").is_file()}

    def folders(self) -> dict[str, Path]:
        """Each part's bundle folder, once made (older bundles pruned while a worker makes them)."""
        if self._made is None:
            if self._started is None:
                assert self._make is not None  # let go only once a worker makes them
                self._made = self._make()
                prune(self._root, self._used)
            else:
                prune(self._root, self._used)
                self._made = self._started.result()
        return self._made


_indexings: WeakKeyDictionary[SitePlan, Indexing] = WeakKeyDictionary()


def _indexing(plan: SitePlan) -> Indexing:
    """The plan's indexing: begun by start_indexing, or made now (kept for search_files)."""
    found = _indexings.get(plan)
    if found is None:
        _indexings[plan] = found = Indexing(plan)
    return found


def start_indexing(plan: SitePlan, workers: int) -> None:
    """Begin a plan's search bundles now (given a worker to spare); search_files takes them."""
    if plan.config.search and workers > 1:
        _indexings[plan] = indexing = Indexing(plan)
        indexing.start()


def stop_indexing(plan: SitePlan) -> None:
    """Forget a plan's indexing; stop its worker if planning never took the result (it ended
    early)."""
    indexing = _indexings.pop(plan, None)
    if indexing is not None and indexing._started is not None:
        indexing._started.cancel()


Part = list[tuple[str, Callable[[], Record]]]


def _dated(plan: SitePlan) -> Iterator[tuple[datetime, str, Article | ClaimEntry]]:
    """Every dated record as (date, fingerprint, its article or claim)."""
    for article in plan.site.articles:
        yield article.date, f"a{article.fingerprint}", article
    for entry in plan.catalog.claims:
        yield entry.claim.reviewed or entry.article.date, f"c{entry.claim.fingerprint}", entry


def _months(plan: SitePlan) -> Iterator[tuple[str, str, Article | ClaimEntry]]:
    """Every dated record as (its part, fingerprint, its article or claim): read twice, the
    years' sizes first (every record held at once took 25 MB at 20,000 articles)."""
    splits = _splits((when.year, _weight(key[0] == "a")) for when, key, _ in _dated(plan))
    named: dict[tuple[int, int], str] = {}  # each month's part, worked out once (90,000 records)
    for when, key, shown in _dated(plan):
        month = when.year, when.month
        yield named.get(month) or named.setdefault(month, _part(*month, splits)), key, shown


def _parts(plan: SitePlan) -> dict[str, Part]:
    """Each part's records as (fingerprint, how to make it), in the order of
    searchrecords.records() and shards()."""
    found: dict[str, Part] = {}
    for part, key, shown in _months(plan):
        make = (
            partial(article_record, shown)
            if isinstance(shown, Article)
            else partial(claim_record, shown)
        )
        found.setdefault(part, []).append((key, make))
    for page in plan.site.pages:
        found.setdefault(PAGES, []).append((f"p{page.fingerprint}", partial(page_record, page)))
    return _ordered(found)


def members(plan: SitePlan) -> dict[str, list[tuple[str, str]]]:
    """Each dated part's records as (fingerprint, its article's path), in _parts' order."""
    found: dict[str, list[tuple[str, str]]] = {}
    for part, key, shown in _months(plan):
        path = shown.path if isinstance(shown, Article) else shown.article.path
        found.setdefault(part, []).append((key, path))
    return found


def part_key(plan: SitePlan, keys: Iterable[str]) -> str:
    """The key of a part with records of these fingerprints (its bundle's folder name)."""
    return digest("search", language_of(plan), plan.site.fingerprint, *keys)


def language_of(plan: SitePlan) -> str:
    """The language Pagefind indexes the site in."""
    return plan.config.language.split("-")[0].lower()
