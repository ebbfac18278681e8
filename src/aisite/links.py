"""Checks every internal link and #fragment of a built site."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from aisite import urls
from aisite.errors import Problem
from aisite.model import Site


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
    return link_report(site, base_path)[0]


def link_report(site: Path, base_path: str = "/") -> tuple[list[tuple[str, str, str]], int]:
    """Broken internal links as (page, link, reason), and how many internal links were checked."""
    checked = 0
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
            checked += 1
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
    return problems, checked


def link_problems(site: Site, root: Path, built: Path) -> tuple[list[Problem], int]:
    """Broken links of a built site as problems at the line that writes them; links checked."""
    broken, checked = link_report(built, site.config.base_path)
    sources: dict[str, list[str]] = {}
    for article in site.articles:
        sources[urls.file_path(article.url)] = [article.path, article.claims_path]
        for claim in article.claims:
            sources[urls.file_path(urls.claim(article.slug, claim.id))] = [article.claims_path]
    for standalone in site.pages:
        sources[urls.file_path(standalone.url)] = [standalone.path]
    templates = sorted(p.relative_to(root).as_posix() for p in (root / "templates").rglob("*.html"))
    problems = []
    for page, link, why in broken:
        own = [c for c in sources.get(page, []) if c]
        path, line = _locate(root, [*own, *templates], link)
        shown = path or (own[0] if own else page)  # not found in any file: the page it is on
        problems.append(Problem(shown, line, f"broken link '{link}' ({why})"))
    return problems, checked


def _locate(root: Path, candidates: list[str], link: str) -> tuple[str, int]:
    """The first file and line that write `link`, or ('', 0)."""
    for name in candidates:
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for written in (link, html.escape(link)):
            index = text.find(written)
            if index >= 0:
                return name, text.count("\n", 0, index) + 1
    return "", 0
