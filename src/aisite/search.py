"""Search with no server: a Pagefind index per year of articles, claims and pages; the search page."""

from __future__ import annotations

import atexit
import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from aisite import urls
from aisite.cache import digest
from aisite.catalog import ClaimEntry
from aisite.model import Article, Page
from aisite.plaintext import text_of
from aisite.plan import Output, PageSpec, Planned
from aisite.pool import Started, can_fork, fork_call
from aisite.searchbundle import Record, bundle_files, make_bundles, prune, read_manifest

if TYPE_CHECKING:
    from aisite.render import SitePlan

PAGES = "pages"  # the part of the index for standalone pages, which have no date


def _article(article: Article) -> Record:
    return Record(
        url=article.url,
        title=article.title,
        content=" ".join((article.summary, article.search_text)),
        meta={"kind": "article", "date": article.date.date().isoformat()},
        filters={
            "type": ["Analysis"],
            "tag": [t.name for t in article.tags],
            "year": [str(article.date.year)],
        },
        sort={"date": article.date.date().isoformat()},
    )


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
        filters={
            "type": ["Claim review"],
            "verdict": [claim.verdict.label],
            "claimant": [claim.claimant.name],
            "topic": [t.name for t in claim.topics],
            "tag": [t.name for t in entry.article.tags],
            "year": [str(when.year)],
        },
        sort={"date": when.date().isoformat()},
    )


def _page(page: Page) -> Record:
    return Record(
        url=page.url,
        title=page.title,
        content=" ".join((page.summary, text_of(page.body_html))),
        meta={"kind": "page"},
        filters={"type": ["Page"]},
        sort={},
    )


def records(plan: SitePlan) -> list[Record]:
    """Everything a reader can search: articles, claim pages and standalone pages."""
    return [
        *(_article(a) for a in plan.site.articles),
        *(_claim(e) for e in plan.catalog.claims),
        *(_page(p) for p in plan.site.pages),
    ]


def shard_of(record: Record) -> str:
    """The part of the index a record is in: the year of its date, or `pages` (no date)."""
    return record.sort["date"][:4] if "date" in record.sort else PAGES


def shards(found: list[Record]) -> dict[str, list[Record]]:
    """Records by part of the index: newest year first, pages last."""
    parts: dict[str, list[Record]] = {}
    for record in found:
        parts.setdefault(shard_of(record), []).append(record)
    return dict(sorted(parts.items(), key=lambda item: (item[0] != PAGES, item[0]), reverse=True))


def search_page(plan: SitePlan) -> Iterator[Planned]:
    """The search page, which loads a bundle per year (its names are known before indexing)."""
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
        context={"bundles": [urls.search_bundle(f"{name}/") for name in indexing.parts]},
    )


def search_files(plan: SitePlan) -> Iterator[Planned]:
    """The index bundle of each year (made again only where records changed). Planned last:
    every other output is planned while a worker indexes, and the bundles the cache holds
    already are listed before waiting for it."""
    if not plan.config.search:
        return
    indexing = _indexing(plan)
    listed = {name: list(_bundle(name, folder)) for name, folder in indexing.ready().items()}
    for name, folder in indexing.folders().items():
        yield from listed[name] if name in listed else _bundle(name, folder)


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
    found: dict[str, Part] = {}
    for article in plan.site.articles:
        item = (f"a{article.fingerprint}", partial(_article, article))
        found.setdefault(f"{article.date.year:04d}", []).append(item)
    for entry in plan.catalog.claims:
        when = entry.claim.reviewed or entry.article.date
        item = (f"c{entry.claim.fingerprint}", partial(_claim, entry))
        found.setdefault(f"{when.year:04d}", []).append(item)
    for page in plan.site.pages:
        found.setdefault(PAGES, []).append((f"p{page.fingerprint}", partial(_page, page)))
    return dict(sorted(found.items(), key=lambda item: (item[0] != PAGES, item[0]), reverse=True))
