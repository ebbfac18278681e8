"""Checks every internal link and #fragment of a built site."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        for name in ("href", "src"):
            value = values.get(name)
            if value is not None and not (tag == "link" and values.get("rel") == "canonical"):
                self.links.append(value)


def check_links(site: Path, base_path: str = "/") -> list[tuple[str, str, str]]:
    """Broken internal links as (page, link, reason); external links are not fetched."""
    pages: dict[str, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = parser
    problems = []
    for name, page in pages.items():
        page_url = base_path + name
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            target = urlsplit(urljoin(page_url, link))
            target_path = unquote(target.path)
            if not target_path.startswith(base_path):
                problems.append((name, link, "outside the site"))
                continue
            rel = target_path[len(base_path) :]
            if rel == "" or rel.endswith("/"):
                rel += "index.html"
            file = site / rel
            if not file.is_file():
                problems.append((name, link, f"no such file: {rel}"))
                continue
            if target.fragment and rel.endswith(".html"):
                ids = pages[rel].ids if rel in pages else set()
                if unquote(target.fragment) not in ids:
                    problems.append((name, link, f"no id '{target.fragment}' in {rel}"))
    return problems
