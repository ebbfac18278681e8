"""Embedded iframes: which hosts may stay, what each kept iframe gets, what feeds show instead."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")

# What every kept iframe gets: loaded when near the viewport, scripts for the player or chart
# but no access to this site (it is cross-origin), popups for its "open in" links, and only
# the origin of this site sent along.
EMBED_OPEN = (
    '<iframe loading="lazy" sandbox="allow-scripts allow-same-origin allow-popups" '
    'referrerpolicy="strict-origin-when-cross-origin" '
)
_IFRAME = re.compile(r"<iframe\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")


def embed_host(src: str) -> str:
    """The host of an https embed URL ('' for anything else)."""
    parts = urlsplit(_URL_NOISE.sub("", src))
    return (parts.hostname or "") if parts.scheme.lower() == "https" else ""


def check_iframes(raw: str, embeds: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """Problems of the <iframe> tags in a piece of author HTML: (what to find it by, message, hint)."""
    found = []
    for tag in _IFRAME.findall(raw):
        attrs = {k.lower(): html.unescape(v.strip("\"'")) for k, v in _ATTR.findall(tag)}
        src = attrs.get("src", "")
        host = embed_host(src)
        if not src:
            hint = "only https pages on a host listed in 'embeds' of site.yaml can be embedded"
            found.append((tag, "an <iframe> without a src", hint))
        elif host not in embeds:
            shown = host or src
            hint = (
                f"add '{host}' to 'embeds' in site.yaml if you trust it"
                if host
                else "embeds must use https"
            )
            found.append(
                (src, f"<iframe> from '{shown}', which is not in 'embeds' of site.yaml", hint)
            )
        elif not attrs.get("title", "").strip():
            hint = 'e.g. title="Video: the minister\'s statement"; screen readers announce it'
            found.append((src, "an embedded <iframe> needs a title saying what it shows", hint))
    return found


def embed_links(fragment: str) -> str:
    """Each kept iframe of sanitised HTML as a link to what it shows (feed readers run no embeds)."""
    return _EMBED.sub(_embed_link, fragment)


_EMBED = re.compile(r"<iframe\b([^>]*)>\s*</iframe>")


def _embed_link(match: re.Match[str]) -> str:
    attrs = dict(_ATTR.findall(match.group(1)))
    src, title = attrs.get("src", "").strip("\"'"), attrs.get("title", "").strip("\"'")
    return f'<p><a href="{src}">{title or src}</a></p>' if src else ""
