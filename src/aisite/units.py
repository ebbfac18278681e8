"""Outputs planned per article, remembered under a signature of everything they show.

Most files of a site belong to one article: its page, its claims' pages, its images and share
cards. Planning them (building each page's context and hashing it into a cache key) costs more
than an edit's few changed pages. So each article's outputs of one kind are a unit: its
signature hashes the article's fingerprint and the fingerprints of the other articles they show
(neighbours, reused reviews, articles reusing its claims); a unit whose signature an earlier
build into this folder stored is not planned again, its outputs (paths, keys, sitemap entries)
are taken from that build. Units are stored as they are planned, before a build publishes: a
unit is true of its signature, and a remembered output missing from the folder is rendered.
The signature must cover everything the outputs' keys cover: tests/test_units.py plans sites
both ways after edits and compares.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisite import memory
from aisite.keys import digest
from aisite.model import Article
from aisite.plan import Output, PageSpec, Planned, Producer

if TYPE_CHECKING:
    from aisite.render import SitePlan

Row = tuple[str, str, str, int]
STORED_AT = 1000  # units planned afresh, held until they are stored together
LOOKED_UP = 256  # articles whose known units are read from the cache at a time
Decoded = tuple[list[Row], list[tuple[str, str]]]
# The known units (signature -> JSON) of some signatures: the cache's, read when asked.
Lookup = Callable[[Sequence[str]], Mapping[str, str]]


@dataclass(frozen=True)
class PerArticle:
    """A kind of output made per article, and what else than the article those outputs show."""

    name: str
    plan: Callable[[SitePlan, Article], Iterable[Planned]]
    shows: Callable[[SitePlan, Article], Iterable[str]]


class Units:
    """The units earlier builds stored, looked up a few hundred articles at a time (all of them
    as JSON were 43 MB at 20,000 articles), and those this build uses."""

    def __init__(
        self,
        known: Lookup | Mapping[str, str] | None = None,
        whole: bool = True,
        store: Callable[[list[tuple[str, str]]], None] | None = None,
    ) -> None:
        """`known`: the cache's lookup, or a table. `whole`: for a plan of the whole site (else
        the kept table is left alone). `store`: where units planned afresh go as they are
        made, STORED_AT at a time (else held)."""
        table = known if isinstance(known, Mapping) else None
        self._lookup: Lookup = known if callable(known) else lambda s: _some(table or {}, s)
        self.found: Mapping[str, str] = {}  # the known units of the articles being planned
        self.used: dict[str, str] = {}  # planned afresh and not stored yet: their JSON
        self.kept: set[str] = set()  # the signatures of those remembered, or stored
        self._store = store
        # A server's: the units the last build decoded (the same signature, the same JSON);
        # the table is left holding those this build uses. None elsewhere: nothing reads it.
        kept = memory.table("units") if whole else None
        self.previous: dict[str, Decoded] = dict(kept) if kept else {}
        if kept is not None:
            kept.clear()
        self.decoded: dict[str, Decoded] | None = kept
        self.planned = 0  # units planned afresh by this build (the rest were remembered)

    def look_up(self, signatures: Sequence[str]) -> None:
        """Read the known units of these signatures (those outputs() asks for next)."""
        self.found = self._lookup(signatures)

    def add(self, signature: str, text: str) -> None:
        """A unit planned afresh: stored once STORED_AT are held (11 MB of JSON at 5,000
        articles with claims, held to the end of a build before)."""
        self.used[signature] = text
        if self._store is not None and len(self.used) >= STORED_AT:
            self._store(list(self.used.items()))
            self.kept.update(self.used)
            self.used = {}


def _some(table: Mapping[str, str], signatures: Sequence[str]) -> dict[str, str]:
    return {s: table[s] for s in signatures if s in table}


def per_article(unit: PerArticle) -> Producer:
    """A producer that plans `unit` for every article, or takes it from the last build."""

    def produce(plan: SitePlan) -> Iterator[Planned]:
        articles = plan.site.articles
        for start in range(0, len(articles), LOOKED_UP):
            some = articles[start : start + LOOKED_UP]
            signatures = [signature_of(plan, unit, article) for article in some]
            plan.units.look_up(signatures)
            for article, signature in zip(some, signatures, strict=True):
                yield from outputs(plan, unit, article, signature)

    produce.__name__ = produce.__qualname__ = unit.name
    return produce


def signature_of(plan: SitePlan, unit: PerArticle, article: Article) -> str:
    """What an article's outputs of a unit show: the article, and the others named by `shows`."""
    return digest(plan.key, "unit", unit.name, article.fingerprint, *unit.shows(plan, article))


def outputs(plan: SitePlan, unit: PerArticle, article: Article, signature: str) -> list[Output]:
    """One article's outputs of a unit: remembered when its signature is known (looked up with
    Units.look_up), else planned."""
    units = plan.units
    known = units.found.get(signature)
    if known is not None:
        found = units.previous.get(signature) or _decode(known)
        if found is not None:
            rows, sitemap = found
            units.kept.add(signature)
            if units.decoded is not None:
                units.decoded[signature] = found
            plan.sitemap.extend(sitemap)
            return [
                Output(path, origin, render=_again(plan, unit, article, path), key=key, line=line)
                for path, origin, key, line in rows
            ]
    units.planned += 1
    start = len(plan.sitemap)
    made = [plan.page(i) if isinstance(i, PageSpec) else i for i in unit.plan(plan, article)]
    # A copied file's key is its size and mtime, which no signature covers: never remembered.
    if all(o.key is not None and o.copy_from is None for o in made):
        kept = [[o.path, o.origin, o.key, o.line] for o in made]
        units.add(signature, json.dumps([kept, plan.sitemap[start:]], separators=(",", ":")))
        if units.decoded is not None:
            rows = [(o.path, o.origin, o.key or "", o.line) for o in made]
            units.decoded[signature] = rows, list(plan.sitemap[start:])
    return made


def _again(plan: SitePlan, unit: PerArticle, article: Article, path: str) -> Callable[[], bytes]:
    """Render one remembered output (when its file is missing or changed): plan its unit again."""

    def render() -> bytes:
        for item in unit.plan(plan, article):
            output = plan.page(item, listed=False) if isinstance(item, PageSpec) else item
            if output.path == path and output.render is not None:
                return output.render()
        raise RuntimeError(f"{unit.name} of {article.path} no longer plans {path}")

    return render


def _decode(text: str) -> Decoded | None:
    """A remembered unit, or None when the row is not what outputs() stores (a miss)."""
    try:
        data: Any = json.loads(text)
        rows, sitemap = data
        found = [(str(p), str(o), str(k), int(n)) for p, o, k, n in rows]
        listed = [(str(u), str(d)) for u, d in sitemap]
    except (ValueError, TypeError):
        return None
    return found, listed
