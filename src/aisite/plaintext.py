"""The plain text of rendered HTML that search indexes: no tags, no claim flags' hidden labels."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = frozenset(["br", "img", "hr", "wbr", "input", "source"])
BREAKS = frozenset(["p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "td", "th", "div"])


class _Text(HTMLParser):
    """The readable text of rendered HTML, without the claim flags' hidden labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            self.skip += tag not in VOID
            return
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("script", "style") or "claim-flag" in classes:
            self.skip = 1
        elif tag in BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    """Plain text of an HTML fragment, white space collapsed."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())
