"""Search with no server: a Pagefind index per year of articles, claims and pages; the search page."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from aisite import urls
from aisite.cache import digest
from aisite.catalog import ClaimEntry
from aisite.model import Article, Page
from aisite.plaintext import text_of
from aisite.plan import Output, PageSpec, Planned
from aisite.searchbundle import Service as _Service
from aisite.searchbundle import canonicalise

if TYPE_CHECKING:
    from pagefind.index import PagefindIndex

    from aisite.render import SitePlan

BATCH = 500  # records in flight to the indexer at once
KEEP = 4  # search bundles kept in the cache per part (build, serve with drafts, ...)
PAGES = "pages"  # the part of the index for standalone pages, which have no date


@dataclass(frozen=True)
class Record:
    """One search result: a page's URL (from the site root), its text, and what it is filtered by."""

    url: str
    title: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


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


def search_files(plan: SitePlan) -> Iterator[Planned]:
    """The search page and an index bundle per year (made again only where records changed)."""
    config, t = plan.config, plan.strings
    if not config.search:
        return
    parts = _parts(plan)
    yield PageSpec(
        url=urls.search(),
        template="search.html",
        origin="search page",
        kind="search",
        title=t("title.search"),
        description=t("description.search", site=config.title),
        context={"bundles": [urls.search_bundle(f"{name}/") for name in parts]},
    )
    language = config.language.split("-")[0].lower()
    # A record is made from its article, claim or page and the site's settings (claimant names,
    # verdict labels), whose fingerprints stand for it: records are made only for parts to index.
    keys = {
        name: digest("search", language, plan.site.fingerprint, *(i for i, _ in part))
        for name, part in parts.items()
    }
    made = lambda name: [make() for _, make in parts[name]]  # noqa: E731
    folders = _bundles(plan.cache_dir, keys, made, language)
    for name, folder in folders.items():
        for relative in _files(folder):
            # A bundle's folder is named by the hash of its records and never changes after.
            key = digest("bundle", folder.name, relative)
            path = urls.search_bundle(f"{name}/{relative}")
            yield Output(path, "search index", copy_from=f"{folder}/{relative}", key=key)


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


def _files(folder: Path) -> list[str]:
    """The files below a folder, as sorted relative paths."""
    found: list[str] = []
    for parent, _, names in os.walk(folder):
        base = os.path.relpath(parent, folder).replace(os.sep, "/")
        found.extend(name if base == "." else f"{base}/{name}" for name in names)
    return sorted(found)


def _bundles(
    cache: Path | None,
    keys: dict[str, str],
    records_of: Callable[[str], list[Record]],
    language: str,
) -> dict[str, Path]:
    """The folder of each part's canonical bundle, indexing only the parts not cached."""
    if not keys:
        return {}  # nothing to search yet: the page says so
    if cache is None:
        root = Path(tempfile.mkdtemp(prefix="aisite-search-"))
        atexit.register(shutil.rmtree, root, True)
    else:
        root = cache / "search"
    folders = {name: root / key for name, key in keys.items()}
    todo: dict[Path, list[Record]] = {}  # folder being built -> its records
    done: dict[Path, Path] = {}  # folder being built -> the bundle's folder
    for name, folder in folders.items():
        if (folder / "pagefind-entry.json").is_file():
            folder.touch()  # most recently used
        else:
            building = root / f".{folder.name}.tmp"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            todo[building], done[building] = records_of(name), folder
    if todo:
        asyncio.run(_index(todo, language))
        for building, folder in done.items():
            canonicalise(building)
            building.rename(folder)
    bundles = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime_ns, reverse=True)  # fmt: skip
    used = set(folders.values())
    for old in [b for b in bundles if b not in used][KEEP * len(folders) :]:
        shutil.rmtree(old, ignore_errors=True)
    return folders


async def _index(todo: dict[Path, list[Record]], language: str) -> None:
    from pagefind.index import IndexConfig

    async with _Service() as service:
        for output, found in todo.items():
            index = await service.create_index(IndexConfig(force_language=language))
            await _fill(index, found, output, language)
            await index.delete_index()  # Pagefind holds an index until told: one at a time


async def _fill(index: PagefindIndex, found: list[Record], output: Path, language: str) -> None:
    for start in range(0, len(found), BATCH):
        await asyncio.gather(
            *(
                index.add_custom_record(
                    url=r.url,
                    content=r.content,
                    language=language,
                    meta={"title": r.title, **r.meta},
                    filters=r.filters,
                    sort=r.sort,
                )
                for r in found[start : start + BATCH]
            )
        )
    for file in await index.get_files():
        target = output / file["path"]
        if output.resolve() not in target.resolve().parents:
            raise RuntimeError(f"Pagefind returned a file outside its bundle: {file['path']}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file["content"])
