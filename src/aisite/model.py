"""The content model: settings, parsed and rendered articles, claims and pages; frozen."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from aisite.bodies import BodyRef  # held, not used: the model imports nothing of aisite

ClaimType = Literal["statistic", "quote", "prediction", "comparison", "policy", "fact", "opinion"]
ClaimantType = Literal["Person", "Organization"]
Stance = Literal["supports", "contradicts", "context"]
PageKind = Literal[
    "home", "article", "claim", "page", "tags", "tag", "claimants", "claimant", "topics", "topic",
    "claims", "verdicts", "verdict", "404", "archive", "search", "redirect",
]  # fmt: skip
CLAIM_TYPES: tuple[ClaimType, ...] = get_args(ClaimType)
CLAIMANT_TYPES: tuple[ClaimantType, ...] = get_args(ClaimantType)
STANCES: tuple[Stance, ...] = get_args(Stance)


@dataclass(frozen=True)
class Rating:
    """One level of the verdict scale."""

    key: str
    label: str
    value: float | None
    color: str
    description: str


@dataclass(frozen=True)
class Publisher:
    """Who publishes the analyses."""

    name: str
    url: str
    logo: str


@dataclass(frozen=True)
class FeedConfig:
    """Feed settings."""

    items: int
    full_content: bool


@dataclass(frozen=True)
class EvidencePolicy:
    """What every evidence item must have (site.yaml `evidence:`)."""

    require_archive: bool = False
    require_accessed: bool = False


class Frozen(Mapping[str, Any]):
    """Free template data (`extra`): an immutable, hashable mapping of scalars, tuples, Frozen."""

    def __init__(self, items: Iterable[tuple[str, Any]] = ()) -> None:
        self._items = tuple(items)
        self._map = dict(self._items)

    def __getitem__(self, key: str) -> Any:
        return self._map[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frozen) and self._items == other._items

    def __repr__(self) -> str:
        return f"Frozen({dict(self._items)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Frozen, (self._items,))


@dataclass(frozen=True)
class MenuItem:
    """One link of the site navigation: a path inside the site or an absolute URL."""

    title: str
    url: str
    line: int = 0


@dataclass(frozen=True)
class PageSizes:
    """How many items each paginated listing shows per page (site.yaml `page_size:`)."""

    claims: int = 50  # claims/
    verdict: int = 50  # verdicts/<key>/
    claimant: int = 50  # claimants/<slug>/
    topic: int = 50  # topics/<slug>/
    tag: int = 20  # tags/<slug>/ (articles)
    archive: int = 200  # archive/<year>/ (articles)
    terms: int = 300  # tags/, claimants/ and topics/ (names)


@dataclass(frozen=True)
class Claimant:
    """A registered claimant (content/claimants.yaml): who makes claims, and where to learn more."""

    key: str
    name: str
    type: ClaimantType
    description: str
    url: str
    same_as: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class SiteConfig:
    """Validated site configuration (content/site.yaml) and the claimant registry beside it."""

    title: str
    base_url: str
    description: str
    language: str
    timezone: str
    publisher: Publisher
    per_page: int
    feed: FeedConfig
    ratings: tuple[Rating, ...]
    evidence: EvidencePolicy = EvidencePolicy()
    page_size: PageSizes = PageSizes()
    search: bool = True  # build the search index and page
    menu: tuple[MenuItem, ...] | None = None  # None: the default navigation
    embeds: tuple[str, ...] = ()  # hosts whose <iframe> may stay in an article
    extra: Frozen = field(default_factory=Frozen)
    claimants: tuple[Claimant, ...] = ()  # content/claimants.yaml

    @property
    def tz(self) -> ZoneInfo:
        """The site timezone."""
        return ZoneInfo(self.timezone)

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/news/'."""
        return urlsplit(self.base_url).path

    def rating(self, key: str) -> Rating | None:
        """The rating with this key."""
        return next((r for r in self.ratings if r.key == key), None)

    def claimant(self, key: str) -> Claimant | None:
        """The registered claimant with this key."""
        return next((c for c in self.claimants if c.key == key), None)


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
    stance: Stance
    quote: str = ""  # the passage that bears on the claim, as it reads at the source
    accessed: datetime | None = None  # when the editors read it
    link: str = ""  # what readers follow: the url, with a text fragment when there is a quote
    line: int = 0  # of the item in claims.yaml
    archived_line: int = 0  # of its archived_url key


@dataclass(frozen=True)
class Figure:
    """A number a claim compares."""

    label: str
    value: float
    unit: str


@dataclass(frozen=True)
class Appearance:
    """Somewhere else the claim was made (claims.yaml `appearances`)."""

    url: str
    title: str
    publisher: str
    date: datetime | None


@dataclass(frozen=True)
class ClaimUpdate:
    """A change to a review after publication (claims.yaml `updates`)."""

    date: datetime
    note: str
    previous_verdict: Rating | None
    line: int = 0


@dataclass(frozen=True)
class ParsedClaim:
    """A claim as claims.yaml states it: the quote to anchor, and its review."""

    id: str
    line: int
    url: str
    fingerprint: str  # the article's fingerprint and the claim id: keys the caches
    quote: str
    prefix: str
    suffix: str
    claimant: Term
    claimant_type: ClaimantType
    type: ClaimType
    verdict: Rating
    summary: str
    analysis_md: str
    evidence: tuple[Evidence, ...]
    figures: tuple[Figure, ...]
    topics: tuple[Term, ...]
    reviewed: datetime | None
    claimant_key: str  # the registry key, or '' for a free name
    appearances: tuple[Appearance, ...]
    updates: tuple[ClaimUpdate, ...]  # oldest first

    @property
    def modified(self) -> datetime | None:
        """The date of the latest update, if any."""
        return self.updates[-1].date if self.updates else None


@dataclass(frozen=True)
class ParsedReuse:
    """A claim reviewed in another article, met again in this one (`review: <article>/<id>`)."""

    id: str
    line: int
    quote: str
    prefix: str
    suffix: str
    ref: str  # '<article slug>/<claim id>'
    verdict: Rating | None = None  # the reviewed claim's, once resolved across articles
    target_url: str = ""  # the reviewed claim's page, once resolved


@dataclass(frozen=True)
class Reuse(ParsedReuse):
    """A reused claim anchored in this article's text."""

    matched: str = ""
    context_before: str = ""
    context_after: str = ""

    @property
    def text(self) -> str:
        """The quote as it stands in this article."""
        return self.matched or self.quote


@dataclass(frozen=True)
class ClaimText:
    """What rendering adds to a claim: its analysis as HTML, the quote as found, its context."""

    id: str
    analysis_html: str
    matched: str
    context_before: str
    context_after: str
    analysis_text: str  # the analysis as plain text, for the search index


@dataclass(frozen=True)
class Claim(ParsedClaim):
    """A claim anchored in its article, with its analysis rendered (held in its article's body)."""

    matched: str
    context_before: str
    context_after: str
    body: BodyRef = field(compare=False, repr=False)

    @property
    def text(self) -> str:
        """The quote as it stands in the article (original quotes and dashes)."""
        return self.matched or self.quote

    @property
    def analysis_html(self) -> str:
        """The analysis as HTML."""
        return self.body.claim(self.id)[0]

    @property
    def analysis_text(self) -> str:
        """The analysis as plain text, for the search index."""
        return self.body.claim(self.id)[1]

    @classmethod
    def of(cls, parsed: ParsedClaim, text: ClaimText, body: BodyRef) -> Claim:
        """The rendered claim from its two halves and its article's body."""
        seen = (text.matched, text.context_before, text.context_after)
        return cls(
            **_shallow(parsed),
            matched=seen[0],
            context_before=seen[1],
            context_after=seen[2],
            body=body,
        )


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
class ParsedArticle(ArticleMeta):
    """An article bundle as read: Markdown not yet rendered, quotes not yet anchored."""

    body_md: str
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
        meta = {f.name: getattr(parsed, f.name) for f in fields(ArticleMeta)}
        meta["summary"] = text.summary
        return cls(
            **meta,
            body=body,
            claims=tuple(Claim.of(by_id[t.id], t, body) for t in text.claims),
            reuses=tuple(
                Reuse(
                    **_shallow(reuses[t.id]),
                    matched=t.matched,
                    context_before=t.context_before,
                    context_after=t.context_after,
                )
                for t in text.reused
            ),
            marks=text.marks,
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


_NAMES: dict[type, tuple[str, ...]] = {}  # field names by dataclass (fields() is slow)


def _shallow(obj: object) -> dict[str, Any]:
    kind = type(obj)
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))  # type: ignore[arg-type]
    return {name: getattr(obj, name) for name in names}
