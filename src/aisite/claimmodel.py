"""The claim model: parsed and rendered claims, their evidence, figures, appearances and updates; frozen."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, get_args

from aisite.siteconfig import ClaimantType, Rating

if TYPE_CHECKING:
    from aisite.bodies import BodyRef  # held, not used: the model imports nothing else of aisite

ClaimType = Literal["statistic", "quote", "prediction", "comparison", "policy", "fact", "opinion"]
Stance = Literal["supports", "contradicts", "context"]
CLAIM_TYPES: tuple[ClaimType, ...] = get_args(ClaimType)
STANCES: tuple[Stance, ...] = get_args(Stance)


@dataclass(frozen=True)
class Term:
    """A tag, topic or claimant: a display name and its URL slug."""

    name: str
    slug: str


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
        # By position (a claim's fields begin with its parsed claim's): 1.2 µs sooner a claim.
        values: list[Any] = [getattr(parsed, name) for name in _names(ParsedClaim)]
        # The quote as found is most often the quote as written: one string held, not two.
        matched = parsed.quote if text.matched == parsed.quote else text.matched
        values += [matched, text.context_before, text.context_after, body]
        return cls(*values)


_NAMES: dict[type, tuple[str, ...]] = {}  # field names by dataclass (fields() is slow)


def _names(kind: type) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def shallow(obj: object) -> dict[str, Any]:
    """A dataclass's fields by name, not copied (dataclasses.asdict copies deeply)."""
    return {name: getattr(obj, name) for name in _names(type(obj))}
