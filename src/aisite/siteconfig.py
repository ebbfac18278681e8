"""The site's settings as the model holds them: verdict scale, publisher, feeds, menus, claimants; frozen."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ClaimantType = Literal["Person", "Organization"]
CLAIMANT_TYPES: tuple[ClaimantType, ...] = get_args(ClaimantType)


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
