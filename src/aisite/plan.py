"""The output plan: what each file of the site is, how it is made, and what its cache key covers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from aisite.claimmodel import ParsedClaim
from aisite.model import ArticleMeta, PageInfo, PageKind

if TYPE_CHECKING:
    from aisite.render import SitePlan


@dataclass(frozen=True)
class Output:
    """One file of the site: made by `render`, or copied from `copy_from`."""

    path: str
    origin: str
    render: Callable[[], bytes] | None = None
    copy_from: str | None = None
    key: str | None = None  # hash of everything the bytes depend on; None: always made
    line: int = 0  # of `origin`, when one line of it asks for this file (an alias)
    # The same bytes as `render`'s, a piece at a time: the build writes them as they come
    # (claims.json: 34 MB at 5,000 articles, made whole in memory at twice that).
    stream: Callable[[], Iterable[bytes]] | None = None

    def data(self) -> bytes:
        """The file's bytes, rendered or copied (whole: for the few files an edit makes)."""
        if self.render is not None:
            return self.render()
        assert self.copy_from is not None
        with open(self.copy_from, "rb") as file:
            return file.read()


@dataclass(frozen=True)
class Pagination:
    """Where a page stands in a paginated listing."""

    number: int
    total: int
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Alternate:
    """A feed advertised by a page with <link rel="alternate">."""

    url: str
    type: str
    title: str


@dataclass(frozen=True)
class PageSpec:
    """An HTML page: its template, URL and context; the planner renders it and derives its key."""

    url: str
    template: str
    origin: str  # shown in messages: the content file, or what the page lists
    kind: PageKind
    title: str
    context: Mapping[str, object]
    description: str = ""
    crumbs: tuple[tuple[str, str], ...] = ()
    og_type: str = "website"
    published: str = ""
    modified: str = ""
    # JSON-LD made from the same context: a function of (config, context), so the key covers it.
    ld: Callable[[Any, Mapping[str, object]], dict[str, Any]] | None = None
    feeds: tuple[Alternate, ...] = ()
    in_sitemap: bool = True
    pagination: Pagination | None = None
    line: int = 0  # of `origin`
    image: str = ""  # the share image, relative to the site root
    image_alt: str = ""
    noindex: bool = False  # a redirect or a draft: search engines should not list it
    draft: bool = False  # shown with a "Draft" banner


@dataclass(frozen=True)
class PageMeta:
    """What every HTML template knows about the page being rendered, as `page`."""

    url: str
    title: str
    description: str
    kind: PageKind
    root: str
    canonical: str
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    og_type: str = "website"
    published: str = ""
    modified: str = ""
    jsonld: tuple[str, ...] = field(default=())
    prev_url: str | None = None  # the previous and next page of a paginated listing
    next_url: str | None = None
    image: str = ""  # absolute URL of the share image
    image_alt: str = ""
    noindex: bool = False
    draft: bool = False


Planned = Output | PageSpec
# A function that plans one kind of output; the list of them is registry.OUTPUTS.
Producer = Callable[["SitePlan"], Iterable[Planned]]


def identity(article: ArticleMeta) -> str:
    """What stands for all of an article in a cache key: its files' hash, and (which that hash
    leaves out, and a template may list) the names of its bundle's other files."""
    return f"{article.fingerprint}:{'|'.join(article.files)}"


def content_key(value: object) -> str:
    """What a cache key needs to cover `value`: fingerprints of content, values of the rest; its
    parts each prefixed by its length (one string to hash: a part at a time was a third of the
    hashing of an edit's plan)."""
    parts: list[str] = []
    _walk(value, parts)
    return "".join([f"{len(part)}:{part}" for part in parts])


@cache
def _names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names (dataclasses.fields is slow to call for every value)."""
    return tuple(f.name for f in dataclasses.fields(kind))


_KINDS: dict[type, str] = {}


def _kind(kind: type) -> str:
    """How _walk keys a value of this type (decided once per type, as the isinstance chain)."""
    found = _KINDS.get(kind)
    if found is None:
        found = _KINDS[kind] = _classify(kind)
    return found


def _classify(kind: type) -> str:
    if kind is type(None) or issubclass(kind, str | int | float | bool):
        return "scalar"
    if issubclass(kind, ArticleMeta):
        return "article"
    if issubclass(kind, PageInfo | ParsedClaim):
        return "fingerprinted"
    if issubclass(kind, datetime):
        return "datetime"
    if dataclasses.is_dataclass(kind):
        return "dataclass"
    if issubclass(kind, Mapping):
        return "mapping"
    if issubclass(kind, tuple | list):
        return "sequence"
    return "unknown"


def _walk(value: object, parts: list[str]) -> None:
    kind = _kind(type(value))
    if kind == "scalar":
        parts.append(repr(value))
    elif kind == "sequence":
        assert isinstance(value, tuple | list)
        parts.append(f"[{len(value)}")
        for item in value:
            _walk(item, parts)
        parts.append("]")
    elif kind == "dataclass":
        assert dataclasses.is_dataclass(value) and not isinstance(value, type)
        parts.append(type(value).__name__ + "(")
        for name in _names(type(value)):
            _walk(getattr(value, name), parts)
        parts.append(")")
    elif kind == "article":
        assert isinstance(value, ArticleMeta)
        parts.append(f"{type(value).__name__}:{identity(value)}")
    elif kind == "fingerprinted":
        # Everything of these comes from files whose hash is the fingerprint.
        assert isinstance(value, PageInfo | ParsedClaim)
        parts.append(f"{type(value).__name__}:{value.fingerprint}")
    elif kind == "datetime":
        assert isinstance(value, datetime)
        parts.append(value.isoformat())
    elif kind == "mapping":
        assert isinstance(value, Mapping)
        parts.append("{")
        for k in sorted(value):
            parts.append(str(k))
            _walk(value[k], parts)
        parts.append("}")
    else:
        # A value the key cannot see into would make incremental builds stale: refuse it.
        raise TypeError(
            f"cannot derive a cache key from a {type(value).__name__} in a page context"
        )
