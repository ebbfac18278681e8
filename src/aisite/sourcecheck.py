"""`aisite check --sources`: every evidence link fetched (or taken from the cache) and reported."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aisite.cachedb import FOLDER
from aisite.errors import Problem
from aisite.model import Site
from aisite.normalise import normalise
from aisite.sources import Fetcher, Outcome, Settings, Sleep, client

CACHE_FILE = "sources.json"
CACHE_VERSION = 1


@dataclass(frozen=True)
class Citation:
    """One place the site cites a URL: an evidence item's url or its archived_url."""

    path: str
    line: int
    claim: str
    url: str
    quote: str = ""
    archive: bool = False  # this is the item's archived_url
    has_archive: bool = False  # the item also links an archived copy


@dataclass
class SourceReport:
    """What a check found: problems to print and the counts for the summary line."""

    findings: list[Problem] = field(default_factory=list)
    checked: int = 0
    cached: int = 0
    moved: int = 0
    dead: int = 0
    missing: int = 0
    unchecked: int = 0

    def summary(self) -> str:
        """The closing line."""
        passages = "passage" if self.missing == 1 else "passages"
        return (
            f"Sources: {self.checked} checked ({self.cached} from the cache), {self.moved} moved, "
            f"{self.dead} dead, {self.missing} {passages} missing, "
            f"{self.unchecked} could not be checked."
        )


def citations(site: Site) -> Iterator[Citation]:
    """Every evidence url and archived_url of the site, in content order."""
    for article in site.articles:
        for claim in article.claims:
            for e in claim.evidence:
                path = article.claims_path
                yield Citation(path, e.line, claim.id, e.url, e.quote, False, bool(e.archived_url))
                if e.archived_url:
                    yield Citation(path, e.archived_line, claim.id, e.archived_url, archive=True)


class OutcomeCache:
    """Outcomes by URL in .aisite-cache/sources.json, trusted for `max_age` seconds."""

    def __init__(self, root: Path, max_age: float, now: float) -> None:
        self.path = root / FOLDER / CACHE_FILE
        self.max_age, self.now = max_age, now
        self.entries: dict[str, Any] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == CACHE_VERSION:
                self.entries = dict(data["entries"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.entries = {}

    def get(self, url: str, quotes: set[str]) -> Outcome | None:
        """A fresh enough outcome that answers for these quotes, or None."""
        entry = self.entries.get(url)
        if not isinstance(entry, dict) or self.now - float(entry.get("at", 0)) >= self.max_age:
            return None
        try:
            outcome = Outcome.from_json(dict(entry["outcome"]))
        except (KeyError, TypeError, ValueError):
            return None
        return outcome if outcome.covers(quotes) else None

    def save(self, fresh: dict[str, Outcome], cited: set[str]) -> None:
        """Keep the cited URLs' entries and add this run's lasting outcomes (not failures)."""
        entries = {url: e for url, e in self.entries.items() if url in cited}
        for url, outcome in fresh.items():
            if outcome.state != "failed":
                entries[url] = {"at": self.now, "outcome": outcome.to_json()}
        try:
            self.path.parent.mkdir(exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            text = json.dumps({"version": CACHE_VERSION, "entries": entries}, indent=1)
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(self.path)
        except OSError:
            pass  # a cache that cannot be written only costs the next run time


def run(
    site: Site,
    root: Path,
    settings: Settings,
    max_age: float,
    progress: Callable[[int, int], None] | None,
) -> int:
    """Check, print the findings (stderr) and the summary (stdout); 1 when a source is dead."""
    report = asyncio.run(check_sources(site, root, settings, max_age, progress))
    for finding in report.findings:
        print(finding, file=sys.stderr)
    print(report.summary())
    return 1 if report.dead else 0


async def check_sources(
    site: Site,
    root: Path,
    settings: Settings,
    max_age: float,
    progress: Callable[[int, int], None] | None = None,
    sleep: Sleep = asyncio.sleep,
) -> SourceReport:
    """Check every cited URL once; report each citation's problems at its line."""
    cited = list(citations(site))
    quotes: dict[str, set[str]] = {}
    for c in cited:
        quotes.setdefault(c.url, set())
        if c.quote and not c.archive:
            quotes[c.url].add(normalise(c.quote))
    cache = OutcomeCache(root, max_age, time.time())
    outcomes: dict[str, Outcome] = {}
    for url, wanted in quotes.items():
        known = cache.get(url, wanted)
        if known is not None:
            outcomes[url] = known
    report = SourceReport(checked=len(quotes), cached=len(outcomes))
    todo = [url for url in quotes if url not in outcomes]
    fresh: dict[str, Outcome] = {}
    if todo:
        async with client(settings) as http:
            fetcher = Fetcher(http, settings, sleep)

            async def one(url: str) -> None:
                fresh[url] = await fetcher.check(url, quotes[url])
                if progress:
                    progress(len(fresh), len(todo))

            await asyncio.gather(*(one(url) for url in todo))
    outcomes.update(fresh)
    cache.save(fresh, set(quotes))
    for outcome in outcomes.values():
        report.moved += outcome.state == "ok" and bool(outcome.moved_to)
        report.dead += outcome.state == "dead"
        report.unchecked += outcome.state in ("failed", "refused")
    for c in cited:
        report.findings.extend(findings(c, outcomes[c.url], report))
    report.findings.sort()
    return report


def findings(c: Citation, outcome: Outcome, report: SourceReport) -> Iterator[Problem]:
    """What one citation's outcome means for the editors."""
    what = "archived copy" if c.archive else "link"
    claim = f"claim '{c.claim}'"
    if outcome.state == "ok" and outcome.moved_to:
        first = outcome.hops[0][0]
        message = f"warning: {claim}: {c.url} has moved permanently ({first}) to {outcome.moved_to}"
        yield Problem(c.path, c.line, message, "update the url")
    elif outcome.state == "ok" and outcome.hops and not c.archive:
        status, final = outcome.hops[0][0], outcome.hops[-1][1]
        yield Problem(c.path, c.line, f"note: {claim}: {c.url} redirects ({status}) to {final}")
    if outcome.state == "dead":
        hint = "" if c.archive else _dead_hint(c)
        yield Problem(c.path, c.line, f"{claim}: dead {what} {c.url} ({outcome.detail})", hint)
    elif outcome.state == "failed":
        yield Problem(
            c.path, c.line, f"warning: {claim}: could not check {c.url} ({outcome.detail})"
        )
    elif outcome.state == "refused":
        message = f"warning: {claim}: {c.url} answered {outcome.detail}"
        yield Problem(
            c.path, c.line, message, "the site may refuse automated checks; try a browser"
        )
    elif c.quote and not c.archive:
        if not outcome.searched:
            kind = {"application/pdf": "a PDF", "": "not text"}.get(
                outcome.content_type, outcome.content_type
            )
            yield Problem(c.path, c.line, f"note: {claim}: passage not checked: {c.url} is {kind}")
        elif not outcome.passages.get(normalise(c.quote), False):
            report.missing += 1
            message = f"warning: {claim}: the passage “{_clip(c.quote)}” is no longer at {c.url}"
            hint = "the archived copy keeps the page as you read it" if c.has_archive else ""
            yield Problem(c.path, c.line, message, hint)


def _dead_hint(c: Citation) -> str:
    if c.has_archive:
        return "readers still have the archived copy; find where the page went"
    return "find where the page went, or link an archived copy with archived_url"


def _clip(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
