"""Derived indexes over a site: claims by verdict, claimant and topic; tags; corrections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from aisite import urls
from aisite.model import Article, Claim, Correction, Rating, Site, Term


@dataclass(frozen=True)
class ClaimEntry:
    """A claim with the article it belongs to."""

    claim: Claim
    article: Article

    @property
    def url(self) -> str:
        """Path of the claim page relative to the site root."""
        return self.claim.url


@dataclass(frozen=True)
class Group:
    """A term (tag, topic, claimant) and what falls under it."""

    term: Term
    url: str
    articles: tuple[Article, ...] = ()
    claims: tuple[ClaimEntry, ...] = ()


@dataclass(frozen=True)
class VerdictCount:
    """How many claims got one rating."""

    rating: Rating
    count: int


class Catalog:
    """All derived lists a site's templates and feeds need, in stable order."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.claims = tuple(
            sorted(
                (ClaimEntry(c, a) for a in site.articles for c in a.claims),
                key=lambda e: (
                    -_ts(e.claim.reviewed or e.article.date),
                    -_ts(e.article.date),
                    e.article.slug,
                    _pos(e),
                ),
            )
        )
        self.tags = tuple(
            Group(t, urls.tag(t.slug), articles=m)
            for t, m in _collect((t, a) for a in site.articles for t in a.tags)
        )
        self.topics = tuple(
            Group(t, urls.topic(t.slug), claims=m)
            for t, m in _collect((t, e) for e in self.claims for t in e.claim.topics)
        )
        self.claimants = tuple(
            Group(t, urls.claimant(t.slug), claims=m)
            for t, m in _collect((e.claim.claimant, e) for e in self.claims)
        )
        self._position = {a.path: i for i, a in enumerate(site.articles)}
        self.corrections: tuple[tuple[Article, Correction], ...] = tuple(
            sorted(
                ((a, c) for a in site.articles for c in a.corrections),
                key=lambda ac: (-_ts(ac[1].date), ac[0].slug),
            )
        )

    def verdict_counts(
        self, entries: tuple[ClaimEntry, ...] | None = None
    ) -> tuple[VerdictCount, ...]:
        """Claims per rating, in scale order, including zero counts."""
        entries = self.claims if entries is None else entries
        counts: dict[str, int] = defaultdict(int)
        for entry in entries:
            counts[entry.claim.verdict.key] += 1
        return tuple(VerdictCount(r, counts[r.key]) for r in self.site.config.ratings)

    def by_verdict(self, key: str) -> tuple[ClaimEntry, ...]:
        """Claims with one rating."""
        return tuple(e for e in self.claims if e.claim.verdict.key == key)

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """The previous (older) and next (newer) article."""
        articles = self.site.articles
        index = self._position[article.path]
        older = articles[index + 1] if index + 1 < len(articles) else None
        newer = articles[index - 1] if index > 0 else None
        return older, newer


def _ts(value: datetime) -> float:
    return value.timestamp()


def _pos(entry: ClaimEntry) -> int:
    return entry.article.claims.index(entry.claim)


T = TypeVar("T")


def _collect(pairs: Iterable[tuple[Term, T]]) -> list[tuple[Term, tuple[T, ...]]]:
    """Members per slug, first-seen name kept, duplicates dropped, sorted by slug."""
    names: dict[str, str] = {}
    members: dict[str, dict[int, T]] = defaultdict(dict)
    for term, member in pairs:
        names.setdefault(term.slug, term.name)
        members[term.slug].setdefault(id(member), member)
    return [(Term(names[s], s), tuple(members[s].values())) for s in sorted(names)]
