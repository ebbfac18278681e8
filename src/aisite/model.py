"""The content model: parsed and rendered articles, pages and the site; frozen."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from aisite.claimmodel import Claim, ClaimText, ParsedClaim, ParsedReuse, Reuse, Term, shallow
from aisite.siteconfig import Frozen, SiteConfig

if TYPE_CHECKING:
    from aisite.bodies import BodyRef  # held, not used: the model imports nothing else of aisite

PageKind = Literal[
    "home", "article", "claim", "page", "tags", "tag", "claimants", "claimant", "topics", "topic",
    "claims", "verdicts", "verdict", "404", "archive", "search", "redirect",
]  # fmt: skip


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
class Variant:
    """One published size of a bundle image."""

    width: int
    height: int
    path: str  # inside the bundle, e.g. 'cover-480w.jpg'


@dataclass(frozen=True)
class Picture:
    """A bundle image as published: metadata stripped, resized to a few widths."""

    source: str  # the file on disk
    path: str  # inside the bundle, e.g. 'cover.jpg' (published there at full size)
    hash: str  # of the file's bytes: keys the image cache
    width: int
    height: int
    variants: tuple[Variant, ...]  # narrowest first; the last one is the full size

    @property
    def srcset(self) -> str:
        """The srcset value, relative to the article's folder."""
        return ", ".join(f"{v.path} {v.width}w" for v in self.variants)


@dataclass(frozen=True)
class ArticleMeta:
    """An article's identity and front matter: what both stages share."""

    slug: str
    path: str
    url: str
    fingerprint: str  # hash of index.md and claims.yaml: keys the caches
    title: str
    date: datetime
    updated: datetime | None
    summary: str
    authors: tuple[str, ...]
    tags: tuple[Term, ...]
    draft: bool
    source: Source | None
    corrections: tuple[Correction, ...]
    claims_path: str
    files: tuple[str, ...]  # the bundle's other files, as site paths: articles/<slug>/x.png
    claims_updated: datetime | None  # the latest `updates` date of its claims
    image: str = field(default="", kw_only=True)  # a bundle path or an https URL
    image_alt: str = field(default="", kw_only=True)
    image_line: int = field(default=0, kw_only=True)
    aliases: tuple[tuple[str, int], ...] = field(default=(), kw_only=True)  # (old path, line)
    extra: Frozen = field(default_factory=Frozen, kw_only=True)
    pictures: tuple[Picture, ...] = field(default=(), kw_only=True)  # the bundle's images
    # Hash of the front matter and claims.yaml without the body: keys what claims.json shows.
    meta_fingerprint: str = field(default="", kw_only=True)

    @property
    def cover(self) -> Picture | None:
        """The cover image when it is a file of the bundle."""
        return next((p for p in self.pictures if p.path == self.image), None)

    @property
    def modified(self) -> datetime:
        """The latest of date, updated, correction and claim update dates."""
        dates = [
            self.date,
            *([self.updated] if self.updated else []),
            *(c.date for c in self.corrections),
            *([self.claims_updated] if self.claims_updated else []),
        ]
        return max(dates)


@dataclass(frozen=True)
class MarkdownText:
    """An article's Markdown text: held as parsed, else read again from its index.md where it
    is rendered (mdsource.py) and checked by its digest; the loaded model holds none of it."""

    key: str  # the text's digest
    chars: int  # its length: index.md's text, as read, ends with it
    held: str | None = field(default=None, compare=False, repr=False)


_META = tuple(f.name for f in fields(ArticleMeta))  # fields() is slow to call per article


@dataclass(frozen=True)
class ParsedArticle(ArticleMeta):
    """An article bundle as read: Markdown not yet rendered, quotes not yet anchored."""

    body: MarkdownText
    analysis_md: str
    claims: tuple[ParsedClaim, ...]
    reuses: tuple[ParsedReuse, ...] = ()
    body_line: int = field(default=1, kw_only=True)  # of index.md where the body starts


@dataclass(frozen=True)
class ArticleText:
    """What rendering an article produces; cached as plain data."""

    body_html: str
    toc_html: str
    analysis_html: str
    summary: str
    search_text: str  # the analysis and the body as plain text, for the search index
    claims: tuple[ClaimText, ...]  # in the order the quotes appear in the text
    reused: tuple[ClaimText, ...] = ()  # the reused claims' quotes as found, in text order
    marks: tuple[str, ...] = ()  # the ids of claims and reuses highlighted, in text order


@dataclass(frozen=True)
class Article(ArticleMeta):
    """A rendered article: HTML body with its claims anchored and highlighted.

    Its large text (`body`: the HTML and the search text) may stay in the cache until a page,
    a feed or the search index asks for it."""

    claims: tuple[Claim, ...]
    body: BodyRef = field(compare=False, repr=False)
    reuses: tuple[Reuse, ...] = ()
    marks: tuple[str, ...] = ()  # the ids of claims and reuses highlighted, in text order

    @property
    def body_html(self) -> str:
        """The text as HTML, claims highlighted."""
        return self.body.get().body_html

    @property
    def toc_html(self) -> str:
        """The table of contents as HTML ('' when the text has too few headings)."""
        return self.body.get().toc_html

    @property
    def analysis_html(self) -> str:
        """The site's analysis of the story as HTML."""
        return self.body.get().analysis_html

    @property
    def search_text(self) -> str:
        """The analysis and the text as plain text, for the search index."""
        return self.body.get().search_text

    @classmethod
    def of(cls, parsed: ParsedArticle, text: ArticleText, body: BodyRef) -> Article:
        """The rendered article from what was parsed and what rendering produced (the large
        parts of which `body` holds or reads)."""
        by_id = {c.id: c for c in parsed.claims}
        reuses = {r.id: r for r in parsed.reuses}
        meta = {name: getattr(parsed, name) for name in _META}
        meta["summary"] = text.summary
        ids = {key: key for key in (*by_id, *reuses)}
        return cls(
            **meta,
            body=body,
            claims=tuple(Claim.of(by_id[t.id], t, body) for t in text.claims),
            reuses=tuple(
                Reuse(
                    **shallow(reuses[t.id]),
                    matched=t.matched,
                    context_before=t.context_before,
                    context_after=t.context_after,
                )
                for t in text.reused
            ),
            # The claims' own ids (a decoded or forked rendering's are copies of them).
            marks=tuple([ids.get(mark, mark) for mark in text.marks]),
        )


@dataclass(frozen=True)
class PageInfo:
    """A standalone page's identity (content/pages/<slug>.md)."""

    slug: str
    path: str
    url: str
    fingerprint: str
    title: str
    summary: str


@dataclass(frozen=True)
class ParsedPage(PageInfo):
    """A standalone page as read."""

    body_md: str
    body_line: int = 1


@dataclass(frozen=True)
class Page(PageInfo):
    """A standalone page, rendered."""

    body_html: str


@dataclass(frozen=True)
class StaticFile:
    """A file copied as is: source path on disk, output path in the site, path shown in messages."""

    source: str
    output: str
    origin: str


@dataclass(frozen=True)
class SiteInfo:
    """What a site is besides its articles and pages."""

    config: SiteConfig
    static: tuple[StaticFile, ...]
    skipped_drafts: tuple[str, ...]
    skipped_future: tuple[str, ...]
    fingerprint: str  # hash of site.yaml and the base URL in use
    next_future: datetime | None  # date of the earliest article left out as future


@dataclass(frozen=True)
class ParsedSite(SiteInfo):
    """Everything one build reads, before Markdown is rendered."""

    articles: tuple[ParsedArticle, ...]
    pages: tuple[ParsedPage, ...]
    root: str = ""  # the site folder: articles' Markdown texts are read again from it


@dataclass(frozen=True)
class Site(SiteInfo):
    """Everything one build publishes."""

    articles: tuple[Article, ...]
    pages: tuple[Page, ...]

    def page(self, slug: str) -> Page | None:
        """A standalone page by slug."""
        return next((p for p in self.pages if p.slug == slug), None)


# Objects whose fingerprint stands for all their content (cache keys need not look inside).
Fingerprinted = ArticleMeta | PageInfo | ParsedClaim
