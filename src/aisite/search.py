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
from aisite.model import Article, Page
from aisite.plaintext import text_of
from aisite.plan import Output, PageSpec, Planned
from aisite.pool import Started, can_fork, fork_call
from aisite.searchbundle import Record, bundle_files, make_bundles, prune, read_manifest

if TYPE_CHECKING:
    from aisite.render import SitePlan

T = TypeVar("T")
PAGES = "pages"  # the part of the index for standalone pages, which have no date
# Records in a part of the index, at most (on average): a year with more is split into parts of
# a few months. An edit indexes its part again (Pagefind takes about 1 ms a record); the search
# page merges the parts into one Pagefind instance (one WebAssembly module, however many parts).
PART_RECORDS = 800
SPLITS = (1, 2, 3, 4, 6, 12)  # parts a year may have: each of 12 / n months


def _article_filters(article: Article) -> dict[str, list[str]]:
    return {
        "type": ["Analysis"],
        "tag": [t.name for t in article.tags],
        "year": [str(article.date.year)],
    }


def _article(article: Article) -> Record:
    return Record(
        url=article.url,
        title=article.title,
        content=" ".join((article.summary, article.search_text)),
        meta={"kind": "article", "date": article.date.date().isoformat()},
        filters=_article_filters(article),
        sort={"date": article.date.date().isoformat()},
    )


def _claim_filters(entry: ClaimEntry) -> dict[str, list[str]]:
    claim, when = entry.claim, (entry.claim.reviewed or entry.article.date)
    return {
        "type": ["Claim review"],
        "verdict": [claim.verdict.label],
        "claimant": [claim.claimant.name],
        "topic": [t.name for t in claim.topics],
        "tag": [t.name for t in entry.article.tags],
        "year": [str(when.year)],
    }


def _claim(entry: ClaimEntry) -> Record:
    claim, when = entry.claim, (entry.claim.reviewed or entry.article.date)
    return Record(
        url=entry.url,
        title=f"“{claim.text}”",
        content=" ".join((claim.text, claim.claimant.name, claim.summary, claim.analysis_text)),
        meta={
            "kind": "claim",
            "date": when.date().isoformat(),
            "verdict": claim.verdict.label,
            "verdict_key": claim.verdict.key,
            "claimant": claim.claimant.name,
            "article": entry.article.title,
        },
        filters=_claim_filters(entry),
        sort={"date": when.date().isoformat()},
    )


def _page_filters() -> dict[str, list[str]]:
    return {"type": ["Page"]}


def _page(page: Page) -> Record:
    return Record(
        url=page.url,
        title=page.title,
        content=" ".join((page.summary, text_of(page.body_html))),
        meta={"kind": "page"},
        filters=_page_filters(),
        sort={},
    )


def records(plan: SitePlan) -> list[Record]:
    """Everything a reader can search: articles, claim pages and standalone pages."""
    return [
        *(_article(a) for a in plan.site.articles),
        *(_claim(e) for e in plan.catalog.claims),
        *(_page(p) for p in plan.site.pages),
    ]


def _splits(years: Iterable[int]) -> dict[int, int]:
    """The parts of each year: the fewest (of SPLITS) with PART_RECORDS records or fewer each."""
    counts = Counter(years)
    return {
        year: next((n for n in SPLITS if count <= n * PART_RECORDS), SPLITS[-1])
        for year, count in counts.items()
    }


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
    splits = _splits(year for _, year, _ in dated)
    parts: dict[str, list[Record]] = {}
    for record, year, month in dated:
        parts.setdefault(_part(year, month, splits), []).append(record)
    for record in found:
        if not record.sort:
            parts.setdefault(PAGES, []).append(record)
    return _ordered(parts)


def filter_counts(plan: SitePlan) -> dict[str, dict[str, int]]:
    """How many records have each value of each filter (the search page lists them): the counts
    of _article_filters, _claim_filters and _page_filters, counted in bulk (a record at a time
    took 0.3 s of every edit at 5,000 articles). A filter without values is left out."""
    articles, claims = plan.site.articles, plan.catalog.claims
    when = [e.claim.reviewed or e.article.date for e in claims]
    kinds = {"Analysis": len(articles), "Claim review": len(claims), "Page": len(plan.site.pages)}
    counts = {
        "type": Counter({kind: n for kind, n in kinds.items() if n}),
        "verdict": Counter(e.claim.verdict.label for e in claims),
        "claimant": Counter(e.claim.claimant.name for e in claims),
        "topic": Counter(t.name for e in claims for t in e.claim.topics),
        "tag": Counter(t.name for a in articles for t in a.tags)
        + Counter(t.name for e in claims for t in e.article.tags),
        "year": Counter(str(a.date.year) for a in articles) + Counter(str(w.year) for w in when),
    }
    return {name: dict(sorted(found.items())) for name, found in sorted(counts.items()) if found}


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
            "bundles": [urls.search_bundle(f"{name}/") for name in indexing.parts],
            "counts": filter_counts(plan),
        },
    )


def search_files(plan: SitePlan) -> Iterator[Planned]:
    """The index bundle of each year (made again only where records changed). Planned last:
    every other output is planned while a worker indexes, and the bundles the cache holds
    already are listed before waiting for it."""
    if not plan.config.search:
        return
    indexing = _indexing(plan)
    # A server's: the files of the bundles it listed (a bundle's folder is named by the hash of
    # its records, and one made again, after a prune, holds the same bytes).
    kept, used = memory.table("bundles"), {}
    for name, folder in indexing.ready().items():
        key = f"{name}|{folder}"
        found = kept.get(key) if kept is not None else None
        used[key] = found if found is not None else list(_bundle(name, folder))
    for name, folder in indexing.folders().items():
        yield from used.get(f"{name}|{folder}") or _bundle(name, folder)
    if kept is not None:
        kept.clear()
        kept.update(used)


def _bundle(name: str, folder: Path) -> Iterator[Output]:
    """The files of one part's bundle, each keyed by the hash of its bytes (an edit changes a
    few of a bundle's files: the others are left unread); a bundle without a manifest keys
    its files by its folder, named by the hash of its records and never changed after."""
    listed = read_manifest(folder)
    if listed is None:
        listed = [(relative, f"{folder.name}:{relative}") for relative in bundle_files(folder)]
    for relative, key in listed:
        path = urls.search_bundle(f"{name}/{relative}")
        yield Output(path, "search index", copy_from=f"{folder}/{relative}", key=key)


class Indexing:
    """A plan's search bundles: made when asked for, or begun in a worker before planning."""

    def __init__(self, plan: SitePlan) -> None:
        self.parts = parts = _parts(plan)
        language = plan.config.language.split("-")[0].lower()
        # A record is made from its article, claim or page and the site's settings (claimant
        # names, verdict labels), whose fingerprints stand for it: records are made only for
        # the parts to index.
        keys = {
            name: digest("search", language, plan.site.fingerprint, *(i for i, _ in part))
            for name, part in parts.items()
        }
        if plan.cache_dir is not None:
            root = plan.cache_dir / "search"
        else:
            root = Path(tempfile.mkdtemp(prefix="aisite-search-"))
            atexit.register(shutil.rmtree, root, True)
        made = lambda name: [make() for _, make in parts[name]]  # noqa: E731
        self._make = partial(make_bundles, root, keys, made, language)
        self._folders = {name: root / key for name, key in keys.items()}
        self._used = set(self._folders.values())
        self._root = root
        self._started: Started[dict[str, Path]] | None = None
        self._made: dict[str, Path] | None = None

    def start(self) -> None:
        """Index in a forked worker: Pagefind works while this process plans the pages."""
        if can_fork():
            with contextlib.suppress(OSError):  # no process to spare: made when asked for
                self._started = fork_call(self._make)

    def ready(self) -> dict[str, Path]:
        """The parts whose bundle the cache holds already (complete: made and then renamed)."""
        return {n: f for n, f in self._folders.items() if (f / "pagefind-entry.json").is_file()}

    def folders(self) -> dict[str, Path]:
        """Each part's bundle folder, once made (older bundles pruned while a worker makes them)."""
        if self._made is None:
            if self._started is None:
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


def _parts(plan: SitePlan) -> dict[str, Part]:
    """Each part's records as (fingerprint, how to make it), in the order of records() and shards()."""
    dated: list[tuple[datetime, str, Callable[[], Record]]] = []
    for article in plan.site.articles:
        dated.append((article.date, f"a{article.fingerprint}", partial(_article, article)))
    for entry in plan.catalog.claims:
        when = entry.claim.reviewed or entry.article.date
        dated.append((when, f"c{entry.claim.fingerprint}", partial(_claim, entry)))
    splits = _splits(when.year for when, _, _ in dated)
    found: dict[str, Part] = {}
    for when, key, make in dated:
        found.setdefault(_part(when.year, when.month, splits), []).append((key, make))
    for page in plan.site.pages:
        found.setdefault(PAGES, []).append((f"p{page.fingerprint}", partial(_page, page)))
    return _ordered(found)
