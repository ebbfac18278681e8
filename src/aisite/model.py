"""The content model: frozen dataclasses, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aisite.config import Rating, SiteConfig

CLAIM_TYPES = ("statistic", "quote", "prediction", "comparison", "policy", "fact", "opinion")
CLAIMANT_TYPES = ("Person", "Organization")
STANCES = ("supports", "contradicts", "context")


@dataclass(frozen=True)
class Term:
    """A tag, topic or claimant: a display name and its URL slug."""

    name: str
    slug: str


@dataclass(frozen=True)
class Source:
    """The news item an article analyses."""

    title: str
    publisher: str
    url: str
    published: datetime | None


@dataclass(frozen=True)
class Correction:
    """A dated correction note."""

    date: datetime
    text: str


@dataclass(frozen=True)
class Evidence:
    """A document that bears on a claim."""

    title: str
    url: str
    publisher: str
    published: datetime | None
    archived_url: str
    stance: str


@dataclass(frozen=True)
class Figure:
    """A number a claim compares."""

    label: str
    value: float
    unit: str


@dataclass(frozen=True)
class Claim:
    """A claim quoted from an article, and its review."""

    id: str
    line: int
    quote: str
    prefix: str
    suffix: str
    claimant: Term
    claimant_type: str
    type: str
    verdict: Rating
    summary: str
    analysis_md: str
    evidence: tuple[Evidence, ...]
    figures: tuple[Figure, ...]
    topics: tuple[Term, ...]
    reviewed: datetime | None
    analysis_html: str = ""
    matched: str = ""
    context_before: str = ""
    context_after: str = ""

    @property
    def text(self) -> str:
        """The quote as it stands in the article (original quotes and dashes)."""
        return self.matched or self.quote


@dataclass(frozen=True)
class Article:
    """One analysed article (a bundle under content/articles/<slug>/)."""

    slug: str
    path: str
    title: str
    date: datetime
    updated: datetime | None
    summary: str
    authors: tuple[str, ...]
    tags: tuple[Term, ...]
    draft: bool
    source: Source | None
    analysis_md: str
    corrections: tuple[Correction, ...]
    body_md: str
    files: tuple[tuple[str, str], ...] = ()  # (source path, path inside the bundle)
    fingerprint: str = ""  # hash of index.md and claims.yaml: keys the caches
    claims: tuple[Claim, ...] = ()
    claims_path: str = ""
    body_html: str = ""
    analysis_html: str = ""
    toc_html: str = ""

    @property
    def url(self) -> str:
        """Path of the article page relative to the site root."""
        return f"articles/{self.slug}/"

    @property
    def modified(self) -> datetime:
        """The latest of date, updated and correction dates."""
        dates = [
            self.date,
            *([self.updated] if self.updated else []),
            *(c.date for c in self.corrections),
        ]
        return max(dates)


@dataclass(frozen=True)
class Page:
    """A standalone page from content/pages/<slug>.md."""

    slug: str
    path: str
    title: str
    summary: str
    body_md: str
    body_html: str = ""
    fingerprint: str = ""

    @property
    def url(self) -> str:
        """Path of the page relative to the site root."""
        return f"{self.slug}/"


@dataclass(frozen=True)
class StaticFile:
    """A file copied as is: source path on disk, output path in the site, path shown in messages."""

    source: str
    output: str
    origin: str


@dataclass(frozen=True)
class Site:
    """Everything one build publishes."""

    config: SiteConfig
    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    static: tuple[StaticFile, ...]
    skipped_drafts: tuple[str, ...] = ()
    skipped_future: tuple[str, ...] = ()
    fingerprint: str = ""  # hash of site.yaml and the base URL in use
    next_future: datetime | None = None  # date of the earliest article left out as future

    def page(self, slug: str) -> Page | None:
        """A standalone page by slug."""
        return next((p for p in self.pages if p.slug == slug), None)
