"""The readable text of a fetched page, normalised as anchoring does, to look for a passage in."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from aisite.anchor import BLOCK_TAGS
from aisite.normalise import normalise

# Elements whose content a reader never sees as text.
HIDDEN = frozenset(["script", "style", "noscript", "template", "svg"])
BREAKS = BLOCK_TAGS | {"br", "article", "main", "header", "footer", "nav", "aside", "body"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


class _TextParser(HTMLParser):
    """Collects text outside hidden elements; block elements separate words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML document, normalised (NFC, straight quotes, single spaces)."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    return normalise("".join(parser.parts))


def decode(body: bytes, charset: str | None) -> str:
    """Bytes to text: the header's charset, else a <meta charset>, else UTF-8."""
    if not charset:
        found = _META_CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii") if found else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _kind(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def searchable(content_type: str) -> bool:
    """True for HTML and other text; PDFs, images and the like are not searched."""
    kind = _kind(content_type)
    return kind in ("", "application/xhtml+xml") or kind.startswith("text/")


def page_text(body: bytes, content_type: str, charset: str | None) -> str | None:
    """The searchable text of a response, or None when its type cannot be searched (PDF, images)."""
    kind = _kind(content_type)
    if kind in ("text/html", "application/xhtml+xml", ""):
        return html_text(decode(body, charset))
    if kind.startswith("text/"):
        return normalise(decode(body, charset))
    return None


def has_passage(text: str, quote: str) -> bool:
    """True when the normalised quote occurs in the normalised text."""
    return normalise(quote) in text
