"""Turns a rendered Site into planned outputs: HTML pages and assets (writes nothing)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from aisite import __version__, feeds, jsonld
from aisite.cache import digest
from aisite.catalog import Catalog, ClaimEntry, VerdictCount
from aisite.charts import Bar, bar_chart, format_number
from aisite.config import Rating
from aisite.markup import pygments_css
from aisite.model import Article, Site
from aisite.theme import Theme, fingerprint


@dataclass(frozen=True)
class Output:
    """One file of the site: made by `render`, or copied from `copy_from`."""

    path: str
    origin: str
    render: Callable[[], bytes] | None = None
    copy_from: str | None = None
    key: str | None = None  # hash of everything the bytes depend on; None: always made


@dataclass(frozen=True)
class PageMeta:
    """What every HTML template knows about the page being rendered."""

    url: str
    title: str
    description: str
    kind: str
    root: str
    canonical: str
    breadcrumbs: tuple[tuple[str, str], ...] = ()
    og_type: str = "website"
    published: str = ""
    modified: str = ""
    jsonld: tuple[str, ...] = field(default=())


def root_for(url: str) -> str:
    """The relative prefix from a page's folder back to the site root."""
    return "../" * url.count("/")


class SitePlan:
    """Plans every output of a site."""

    def __init__(self, site: Site, site_root: Path) -> None:
        self.site = site
        self.config = site.config
        self.catalog = Catalog(site)
        self.theme = Theme(site_root)
        css = self.theme.asset("style.css") + b"\n" + self._generated_css().encode()
        js = self.theme.asset("aisite.js")
        self.assets = {
            "stylesheet": (fingerprint("style.css", css), css),
            "script": (fingerprint("aisite.js", js), js),
            "favicon": ("favicon.svg", self.theme.asset("favicon.svg")),
        }
        self.sitemap: list[tuple[str, str]] = []
        methodology = site.page("methodology")
        self.methodology_url = methodology.url if methodology else ""
        # Templates may show anything of the standard pages they receive as `nav`.
        nav = [p.fingerprint for p in site.pages]
        # Everything every page shows: configuration, theme, assets, the navigation.
        self.key = digest(site.fingerprint, self.theme.fingerprint(), css, js, *nav)
        self._corrections_key = digest(*(a.fingerprint for a, _ in self.catalog.corrections))

    def _generated_css(self) -> str:
        rules = [f".verdict-{r.key}{{--verdict:{r.color}}}" for r in self.config.ratings]
        return "/* verdict colours from site.yaml */\n" + "\n".join(rules) + "\n" + pygments_css()

    def outputs(self) -> Iterator[Output]:
        """Every file of the site, in a stable order."""
        self.sitemap.clear()
        yield from self._assets()
        yield from self._index_pages()
        for article in self.site.articles:
            yield from self._article(article)
        for page in self.site.pages:
            yield self._html(
                page.url,
                "page.html",
                page.path,
                {
                    "content_page": page,
                    "corrections_log": self.catalog.corrections
                    if page.slug == "corrections"
                    else (),
                },
                title=page.title,
                description=page.summary,
                kind="page",
                deps=(
                    page.fingerprint,
                    self._corrections_key if page.slug == "corrections" else "",
                ),
            )
        yield from self._taxonomies()
        yield from self._claim_indexes()
        yield self._html(
            "404.html", "404.html", "404", {}, title="Page not found", kind="404", deps=()
        )
        yield from feeds.outputs(self.site, self.catalog, self.key)
        pages = tuple(self.sitemap)
        yield Output(
            "sitemap.xml", "sitemap", render=partial(feeds.sitemap, self.config.base_url, pages)
        )

    def _assets(self) -> Iterator[Output]:
        for name, data in self.assets.values():
            yield Output(name, "aisite theme", render=partial(bytes, data))
        for static in self.site.static:
            yield _copy(static.output, static.origin, static.source)

    def _index_pages(self) -> Iterator[Output]:
        articles = self.site.articles
        per = self.config.per_page
        total = max(1, math.ceil(len(articles) / per))
        for number in range(1, total + 1):
            url = "" if number == 1 else f"page/{number}/"
            chunk = articles[(number - 1) * per : number * per]
            pagination = {
                "number": number,
                "total": total,
                "prev_url": ("" if number == 2 else f"page/{number - 1}/") if number > 1 else None,
                "next_url": f"page/{number + 1}/" if number < total else None,
            }
            title = self.config.title if number == 1 else f"{self.config.title} – page {number}"
            yield self._html(
                url,
                "index.html",
                "home page",
                {"articles": chunk, "pagination": pagination},
                title=title,
                description=self.config.description,
                kind="home",
                deps=(str(total), *(a.fingerprint for a in chunk)),
            )

    def _article(self, article: Article) -> Iterator[Output]:
        entries = tuple(ClaimEntry(c, article) for c in article.claims)
        older, newer = self.catalog.neighbours(article)
        crumbs = (("Home", ""), (article.title, article.url))
        yield self._html(
            article.url,
            "article.html",
            article.path,
            {
                "article": article,
                "entries": entries,
                "scorecard": self.catalog.verdict_counts(entries),
                "older": older,
                "newer": newer,
            },
            title=article.title,
            description=article.summary,
            kind="article",
            crumbs=crumbs,
            og_type="article",
            published=article.date.isoformat(),
            modified=article.modified.isoformat(),
            ld=partial(jsonld.article_ld, self.config, article),
            deps=(article.fingerprint, *_brief(older), *_brief(newer)),
        )
        for entry in entries:
            claim = entry.claim
            yield self._html(
                entry.url,
                "claim.html",
                f"{article.claims_path}:{claim.line}",
                partial(self._claim_context, entry),
                title=f"{claim.claimant.name}: “{_clip(claim.text)}” – {claim.verdict.label}",
                description=claim.summary,
                kind="claim",
                crumbs=(
                    *crumbs,
                    ("Claims", article.url + "#claims"),
                    (f"“{_clip(claim.text, 60)}”", entry.url),
                ),
                og_type="article",
                published=(claim.reviewed or article.date).isoformat(),
                ld=partial(jsonld.claim_review_ld, self.config, entry),
                deps=(article.fingerprint,),
            )
        for source, relative in article.files:
            origin = f"{Path(article.path).parent.as_posix()}/{relative}"
            yield _copy(article.url + relative, origin, source)

    def _claim_context(self, entry: ClaimEntry) -> dict[str, Any]:
        return {
            "entry": entry,
            "claim": entry.claim,
            "article": entry.article,
            "chart": self._figures_chart(entry),
        }

    def _figures_chart(self, entry: ClaimEntry) -> str:
        figures = entry.claim.figures
        if not figures:
            return ""
        percent = all(f.unit == "%" for f in figures)
        bars = [Bar(f.label, f.value, format_number(f.value, f.unit), "figure") for f in figures]
        title = "Figures in the claim: " + "; ".join(f"{b.label} {b.shown}" for b in bars)
        return bar_chart(bars, f"figures-{entry.claim.id}", title, 100 if percent else None)

    def verdict_chart(self, counts: tuple[Any, ...], chart_id: str) -> str:
        """Bars of claims per verdict."""
        bars = [
            Bar(c.rating.label, c.count, str(c.count), f"verdict-{c.rating.key}") for c in counts
        ]
        title = "Claims by verdict: " + "; ".join(f"{b.label} {b.shown}" for b in bars)
        return bar_chart(bars, chart_id, title)

    def _article_counts(self, article: Article) -> tuple[VerdictCount, ...]:
        """An article's claims per verdict, in scale order, without zero counts."""
        entries = tuple(ClaimEntry(c, article) for c in article.claims)
        return tuple(c for c in self.catalog.verdict_counts(entries) if c.count)

    def _taxonomies(self) -> Iterator[Output]:
        yield self._html(
            "tags/",
            "tags.html",
            "tags index",
            {"groups": self.catalog.tags},
            title="Tags",
            description=f"Articles of {self.config.title} by tag.",
            kind="tags",
            deps=tuple(
                f"{g.term.name}|{'|'.join(a.fingerprint for a in g.articles)}"
                for g in self.catalog.tags
            ),
        )
        for group in self.catalog.tags:
            yield self._html(
                f"tags/{group.term.slug}/",
                "tag.html",
                f"tag '{group.term.name}'",
                {"group": group},
                title=f"Tag: {group.term.name}",
                description=f"Articles tagged {group.term.name}.",
                kind="tag",
                feed=(
                    f"tags/{group.term.slug}/feed.xml",
                    f"{self.config.title} – {group.term.name}",
                ),
                deps=(group.term.name, *(a.fingerprint for a in group.articles)),
            )
        for kind, groups, label in (
            ("claimant", self.catalog.claimants, "Claimants"),
            ("topic", self.catalog.topics, "Topics"),
        ):
            yield self._html(
                f"{kind}s/",
                f"{kind}s.html",
                f"{kind}s index",
                {"groups": groups},
                title=label,
                description=f"Claims reviewed by {self.config.title}, by {kind}.",
                kind=f"{kind}s",
                deps=tuple(f"{g.term.name}|{'|'.join(_entries_key(g.claims))}" for g in groups),
            )
            for group in groups:
                counts = self.catalog.verdict_counts(group.claims)
                yield self._html(
                    f"{kind}s/{group.term.slug}/",
                    f"{kind}.html",
                    f"{kind} '{group.term.name}'",
                    {"group": group, "counts": counts},
                    title=f"{label[:-1]}: {group.term.name}",
                    description=f"{len(group.claims)} claim(s) reviewed: {group.term.name}.",
                    kind=kind,
                    deps=(group.term.name, *_entries_key(group.claims)),
                )

    def _claim_indexes(self) -> Iterator[Output]:
        counts = self.catalog.verdict_counts()
        yield self._html(
            "claims/",
            "claims.html",
            "claims index",
            lambda: {
                "entries": self.catalog.claims,
                "counts": counts,
                "chart": self.verdict_chart(counts, "verdict-chart"),
            },
            title="All claims",
            description=f"Every claim reviewed by {self.config.title}, newest first.",
            kind="claims",
            deps=_entries_key(self.catalog.claims),
        )
        yield self._html(
            "verdicts/",
            "verdicts.html",
            "verdicts index",
            {"counts": counts},
            title="Verdicts",
            description="The rating scale and the claims under each verdict.",
            kind="verdicts",
            deps=tuple(str(c.count) for c in counts),
        )
        for rating in self.config.ratings:
            yield self._verdict(rating)

    def _verdict(self, rating: Rating) -> Output:
        entries = self.catalog.by_verdict(rating.key)
        return self._html(
            f"verdicts/{rating.key}/",
            "verdict.html",
            f"verdict '{rating.key}' of site.yaml",
            {"rating": rating, "entries": entries},
            title=f"Verdict: {rating.label}",
            description=rating.description,
            kind="verdict",
            deps=_entries_key(entries),
        )

    def _html(
        self,
        url: str,
        template: str,
        origin: str,
        extra: dict[str, Any] | Callable[[], dict[str, Any]],
        *,
        title: str,
        kind: str,
        description: str = "",
        crumbs: tuple[tuple[str, str], ...] = (),
        og_type: str = "website",
        published: str = "",
        modified: str = "",
        ld: Callable[[], dict[str, Any]] | None = None,
        feed: tuple[str, str] | None = None,
        deps: tuple[str, ...] | None = None,
    ) -> Output:
        path = url if url.endswith(".html") else url + "index.html"
        if kind != "404":
            self.sitemap.append((url, modified or published))
        root = self.config.base_path if kind == "404" else root_for(url)

        def render() -> bytes:
            meta = PageMeta(
                url=url,
                title=title,
                description=description or self.config.description or title,
                kind=kind,
                root=root,
                canonical=self.config.base_url + (url if kind != "404" else ""),
                breadcrumbs=crumbs,
                og_type=og_type,
                published=published,
                modified=modified,
                jsonld=(jsonld.script_json(ld()),) if ld else (),
            )
            context = self._common(meta, feed)
            context.update(extra() if callable(extra) else extra)
            return self.theme.render(template, path, context).encode()

        key = None if deps is None else digest(self.key, template, url, *deps)
        return Output(path, origin, render=render, key=key)

    def _common(self, meta: PageMeta, feed: tuple[str, str] | None) -> dict[str, Any]:
        root = meta.root

        def url(target: str) -> str:
            if target.startswith(("http://", "https://", "mailto:", "#")):
                return target
            return (root + target) or "./"

        alternates = [
            ("feed.xml", "application/rss+xml", f"{self.config.title} (RSS)"),
            ("atom.xml", "application/atom+xml", f"{self.config.title} (Atom)"),
            ("feed.json", "application/feed+json", f"{self.config.title} (JSON Feed)"),
        ]
        if feed:
            alternates.append((feed[0], "application/rss+xml", feed[1]))
        return {
            "site": self.config,
            "page": meta,
            "url": url,
            "abs_url": lambda target: self.config.base_url + target,
            "nav": tuple(
                p for p in self.site.pages if p.slug in ("about", "methodology", "corrections")
            ),
            "methodology_url": self.methodology_url,
            "stylesheet": self.assets["stylesheet"][0],
            "script": self.assets["script"][0],
            "favicon": self.assets["favicon"][0],
            "feeds": alternates,
            "generator": f"aisite {__version__}",
            "verdict_chart": self.verdict_chart,
            "verdict_counts": self._article_counts,
            "format_number": format_number,
        }


def _brief(article: Article | None) -> tuple[str, ...]:
    # The whole neighbour: a site's own template may show more of it than the title.
    return (article.fingerprint,) if article else ("",)


def _entries_key(entries: tuple[ClaimEntry, ...]) -> tuple[str, ...]:
    return tuple(f"{e.article.fingerprint}#{e.claim.id}" for e in entries)


def _copy(path: str, origin: str, source: str) -> Output:
    """A copied file, keyed by its source's path, size and modification time."""
    stat = os.stat(source)
    return Output(
        path,
        origin,
        copy_from=source,
        key=digest("copy", source, str(stat.st_size), str(stat.st_mtime_ns)),
    )


def _clip(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
