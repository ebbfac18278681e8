"""The HTML allow-list (tags, attributes, URL schemes) and the nh3 cleaner of all rendered text."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import nh3

from aisite.embeds import EMBED_OPEN, embed_host

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
    ]
)
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "data-claim", "aria-label"},
    "abbr": set(),
    "img": {"src", "alt", "width", "height", "loading"},
    "mark": {"data-claim"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "span": {"aria-hidden"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def _url_filter(element: str, attribute: str, value: str) -> str | None:
    """Drop URLs whose scheme, once browsers drop tabs, newlines and controls, is not allowed."""
    if attribute in ("href", "src", "cite"):
        scheme = _SCHEME.match(_URL_NOISE.sub("", value))
        if scheme and scheme.group(1).lower() not in URL_SCHEMES:
            return None
    return value


def sanitise(fragment: str, base_url: str = "", embeds: tuple[str, ...] = ()) -> str:
    """Keep only allow-listed elements, attributes and URL schemes; resolve URLs against base_url.

    With `embeds`, an <iframe> whose https source is on one of those hosts stays, locked down.
    """

    def urls(element: str, attribute: str, value: str) -> str | None:
        if element == "iframe" and attribute == "src":
            return value if embed_host(value) in embeds else None
        kept = _url_filter(element, attribute, value)
        if kept is not None and base_url and attribute in ("href", "src", "cite"):
            return urljoin(base_url, kept)
        return kept

    tags, attributes = set(ALLOWED_TAGS), {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}
    hidden = {"script", "style", "template", "iframe", "object", "noscript"}
    if embeds:
        tags.add("iframe")
        attributes["iframe"] = {"src", "title", "width", "height", "allowfullscreen"}
        hidden.discard("iframe")
    cleaned = str(
        nh3.clean(
            fragment,
            attribute_filter=urls,
            tags=tags,
            clean_content_tags=hidden,
            attributes=attributes,
            url_schemes=set(URL_SCHEMES),
            link_rel=None,
            filter_style_properties={"text-align"},
        )
    )
    return cleaned.replace("<iframe ", EMBED_OPEN) if embeds else cleaned
