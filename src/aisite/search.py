"""Search with no server: a Pagefind index of articles, claims and pages, and the search page."""

from __future__ import annotations

import asyncio
import atexit
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

from aisite import urls
from aisite.cache import digest
from aisite.catalog import ClaimEntry
from aisite.model import Article, Page
from aisite.plan import PageSpec, Planned
from aisite.searchbundle import Service as _Service
from aisite.searchbundle import canonicalise

if TYPE_CHECKING:
    from aisite.render import SitePlan

VOID = frozenset(["br", "img", "hr", "wbr", "input", "source"])
BREAKS = frozenset(["p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "td", "th", "div"])
BATCH = 500  # records in flight to the indexer at once
KEEP = 4  # search bundles kept in the cache (build, serve with drafts, ...)


@dataclass(frozen=True)
class Record:
    """One search result: a page's URL (from the site root), its text, and what it is filtered by."""

    url: str
    title: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


class _Text(HTMLParser):
    """The readable text of rendered HTML, without the claim flags' hidden labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            self.skip += tag not in VOID
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("script", "style") or "claim-flag" in classes:
            self.skip = 1
        elif tag in BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """Plain text of an HTML fragment, white space collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


def _article(article: Article) -> Record:
    return Record(
        url=article.url,
        title=article.title,
        content=" ".join(
            (article.summary, text_of(article.analysis_html), text_of(article.body_html))
        ),
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
        content=" ".join(
            (claim.text, claim.claimant.name, claim.summary, text_of(claim.analysis_html))
        ),
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


def search_files(plan: SitePlan) -> Iterator[Planned]:
    """The search page and the index bundle (made again only when what is searchable changed)."""
    config, t = plan.config, plan.strings
    if not config.search:
        return
    yield PageSpec(
        url=urls.search(),
        template="search.html",
        origin="search page",
        kind="search",
        title=t("title.search"),
        description=t("description.search", site=config.title),
        context={"bundle": urls.search_bundle()},
    )
    found = records(plan)
    language = config.language.split("-")[0].lower()
    key = digest("search", language, *(json.dumps(asdict(r), sort_keys=True) for r in found))
    folder = _bundle(plan.cache_dir, key, found, language)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        yield plan.copy(urls.search_bundle(relative), "search index", str(path))


def _bundle(cache: Path | None, key: str, found: list[Record], language: str) -> Path:
    """The folder holding the canonical bundle for `key`, indexing only when it is not cached."""
    if cache is None:
        root = Path(tempfile.mkdtemp(prefix="aisite-search-"))
        atexit.register(shutil.rmtree, root, True)
    else:
        root = cache / "search"
    folder = root / key
    if (folder / "pagefind-entry.json").is_file():
        folder.touch()  # most recently used
        return folder
    building = root / f".{key}.tmp"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    asyncio.run(_index(found, building, language))
    canonicalise(building)
    building.rename(folder)
    bundles = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime_ns, reverse=True)  # fmt: skip
    for old in bundles[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
    return folder


async def _index(found: list[Record], output: Path, language: str) -> None:
    from pagefind.index import IndexConfig

    async with _Service() as service:
        index = await service.create_index(IndexConfig(force_language=language))
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
