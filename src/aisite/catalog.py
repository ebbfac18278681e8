"""Derived indexes over a site: claims by verdict, claimant and topic; tags; corrections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from aisite import urls
from aisite.claimmodel import Claim, Reuse, Term
from aisite.model import Article, Correction, Site
from aisite.siteconfig import Rating


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
class Anchored:
    """A claim as one article's text shows it: reviewed there, or a review reused from another."""

    entry: ClaimEntry  # the review: the claim and the article that reviews it
    anchor: str  # the id of its highlight and card in this article
    text: str  # the quote as it stands in this article
    reused: bool


@dataclass(frozen=True)
class Sighting:
    """Where a claim was made: the story an article here analyses, or an external appearance."""

    title: str
    url: str  # where it appeared ('' when an article of this site analyses an unlinked story)
    publisher: str
    date: datetime | None
    article: Article | None = None  # the article here whose text anchors it
    anchor: str = ""  # the id of its highlight in that article


@dataclass(frozen=True)
class LogItem:
    """One line of the corrections log: an article's correction or an update of a claim review."""

    date: datetime
    article: Article
    text: str
    entry: ClaimEntry | None = None
    previous: Rating | None = None


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
        self._position = {a.path: i for i, a in enumerate(site.articles)}
        reused: dict[str, list[tuple[Article, Reuse]]] = defaultdict(list)
        for article in site.articles:
            for reuse in article.reuses:
                reused[reuse.target_url].append((article, reuse))
        self.reused = {url: tuple(found) for url, found in reused.items()}

    # The lists below are made when first asked for: an article's own pages need none of them
    # (0.1 s at 5,000 articles, most of serve's quick path's plan), the listings all.

    @cached_property
    def claims(self) -> tuple[ClaimEntry, ...]:
        """Every claim: newest review first, then by article date and slug, place in the text."""
        ordered = sorted(
            ((-_ts(c.reviewed or a.date), -_ts(a.date), a.slug, i), a, c)
            for a in self.site.articles
            for i, c in enumerate(a.claims)
        )
        return tuple(ClaimEntry(c, a) for _, a, c in ordered)

    @cached_property
    def tags(self) -> tuple[Group, ...]:
        """Every tag and its articles."""
        return tuple(
            Group(t, urls.tag(t.slug), articles=m)
            for t, m in _collect((t, a) for a in self.site.articles for t in a.tags)
        )

    @cached_property
    def topics(self) -> tuple[Group, ...]:
        """Every topic and its claims."""
        return tuple(
            Group(t, urls.topic(t.slug), claims=m)
            for t, m in _collect((t, e) for e in self.claims for t in e.claim.topics)
        )

    @cached_property
    def claimants(self) -> tuple[Group, ...]:
        """Every claimant and their claims."""
        return tuple(
            Group(t, urls.claimant(t.slug), claims=m)
            for t, m in _collect((e.claim.claimant, e) for e in self.claims)
        )

    @cached_property
    def corrections(self) -> tuple[tuple[Article, Correction], ...]:
        """Every correction with its article, newest first."""
        return tuple(
            sorted(
                ((a, c) for a in self.site.articles for c in a.corrections),
                key=lambda ac: (-_ts(ac[1].date), ac[0].slug),
            )
        )

    @cached_property
    def reviews(self) -> dict[str, ClaimEntry]:
        """Every claim by its page's URL."""
        return {e.claim.url: e for e in self.claims}

    @cached_property
    def log(self) -> tuple[LogItem, ...]:
        """Corrections and claim updates, newest first."""
        return tuple(
            sorted(
                (
                    *(LogItem(c.date, a, c.text) for a, c in self.corrections),
                    *(
                        LogItem(u.date, e.article, u.note, e, u.previous_verdict)
                        for e in self.claims
                        for u in e.claim.updates
                    ),
                ),
                key=lambda item: (-_ts(item.date), item.article.slug, item.text),
            )
        )

    def complete(self) -> None:
        """Make every list now (before forked workers would each make their own)."""
        _ = self.claims, self.tags, self.topics, self.claimants, self.corrections
        _ = self.reviews, self.log

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

    def anchored(self, article: Article) -> tuple[Anchored, ...]:
        """The claims an article's text shows, its own and reused ones, in text order."""
        items = [Anchored(ClaimEntry(c, article), c.id, c.text, False) for c in article.claims]
        items += [
            Anchored(self.reviews[r.target_url], r.id, r.text, True)
            for r in article.reuses
            if r.target_url in self.reviews
        ]
        position = {key: i for i, key in enumerate(article.marks)}
        return tuple(sorted(items, key=lambda a: position.get(a.anchor, -1)))

    def sightings(self, entry: ClaimEntry) -> tuple[Sighting, ...]:
        """Every appearance of a claim (articles here that anchor it, external ones), by date."""
        anchors = [(entry.article, entry.claim.id)]
        anchors += [(a, r.id) for a, r in self.reused.get(entry.url, ())]
        found = [_story(article, anchor) for article, anchor in anchors]
        found += [Sighting(a.title, a.url, a.publisher, a.date) for a in entry.claim.appearances]
        return tuple(sorted(found, key=lambda s: _ts(s.date) if s.date else float("inf")))

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """The previous (older) and next (newer) article."""
        articles = self.site.articles
        index = self._position[article.path]
        older = articles[index + 1] if index + 1 < len(articles) else None
        newer = articles[index - 1] if index > 0 else None
        return older, newer


def _story(article: Article, anchor: str) -> Sighting:
    """The story an article analyses (or the article itself) as the place a claim was made."""
    source = article.source
    if source is None:
        return Sighting(article.title, "", "", article.date, article, anchor)
    date = source.published or article.date
    return Sighting(source.title, source.url, source.publisher, date, article, anchor)


def first_sighting(sightings: tuple[Sighting, ...]) -> Sighting | None:
    """The earliest dated appearance."""
    dated = [s for s in sightings if s.date is not None]
    return min(dated, key=lambda s: _ts(s.date), default=None)  # type: ignore[arg-type]


def _ts(value: datetime) -> float:
    return value.timestamp()


T = TypeVar("T")


def _collect(pairs: Iterable[tuple[Term, T]]) -> list[tuple[Term, tuple[T, ...]]]:
    """Members per slug, first-seen name kept, duplicates dropped, sorted by slug."""
    names: dict[str, str] = {}
    members: dict[str, dict[int, T]] = defaultdict(dict)
    for term, member in pairs:
        names.setdefault(term.slug, term.name)
        members[term.slug].setdefault(id(member), member)
    return [(Term(names[s], s), tuple(members[s].values())) for s in sorted(names)]
