"""The planner: asks every registered producer for its outputs and renders page specs with the theme."""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Literal

from markupsafe import Markup

from aisite import __version__, urls
from aisite.assets import Asset, theme_assets
from aisite.catalog import Catalog, VerdictCount
from aisite.charts import Bar, bar_chart
from aisite.claimmodel import Claim
from aisite.i18n import Strings
from aisite.images import ImageStore
from aisite.imgtags import img_tag
from aisite.jsonld import script_json
from aisite.keys import digest
from aisite.model import Article, Site
from aisite.navigation import check_menu, menu, menu_targets
from aisite.openrecords import Earlier
from aisite.plan import Alternate, Output, PageMeta, PageSpec, content_key
from aisite.registry import OUTPUTS
from aisite.siteconfig import Rating
from aisite.theme import Theme
from aisite.units import Lookup, Units

Part = Literal["first", "last", "all"]  # of SitePlan.outputs()


def root_for(url: str) -> str:
    """The relative prefix from a page's folder back to the site root."""
    return "../" * url.count("/")


class SitePlan:
    """Plans every output of a site; what all pages share is computed once here."""

    def __init__(
        self,
        site: Site,
        site_root: Path,
        cache_dir: Path | None = None,
        units: Lookup | Mapping[str, str] | None = None,
        whole: bool = True,
        store: Callable[[list[tuple[str, str]]], None] | None = None,
    ) -> None:
        """`whole`: the whole site will be planned (False: one article's outputs). `store`:
        where the units planned afresh go as they are made (units.Units)."""
        self.site = site
        self.cache_dir = cache_dir  # where derived files (the search index) may be kept
        self.units = Units(units, whole, store)  # per-article outputs earlier builds planned
        self.images = ImageStore(cache_dir)
        self.config = site.config
        self.catalog = Catalog(site)
        if whole:
            self.catalog.complete()
        self.strings = Strings(site.config.language)
        self.theme = Theme(site_root, self.strings)
        self.assets: tuple[Asset, ...] = theme_assets(self.theme, self.config)
        self.sitemap: list[tuple[str, str]] = []
        # The paths menu links may lead to, and those of them outputs() planned so far (a set of
        # every planned path held 2 MB at 5,000 articles).
        self._wanted = menu_targets(site.config)
        self._paths: set[str] = set()
        self._first_done = False  # outputs("first") was planned to its end
        methodology = site.page("methodology")
        self.methodology_url = methodology.url if methodology else ""
        self.menu = menu(site, self.strings)
        # The published claims.json, for claims.json to copy its unchanged records (build.py).
        self.earlier_claims: Earlier | None = None
        # Each record's length in the claims.json written now, for the cache to keep (build.py).
        self.claims_lengths: array[int] = array("q")
        # And each record's key, when the records were matched with the published file's.
        self.claims_keys: list[str] = []
        # Everything every page shows: configuration, theme, assets, the standard pages in `nav`.
        self.key = digest(
            site.fingerprint,
            self.theme.fingerprint(),
            *(a.data for a in self.assets),
            *(p.fingerprint for p in site.pages),
        )

    def outputs(self, part: Part = "all") -> Iterator[Output]:
        """Every file of the site, in a stable order: each registered producer's in turn.
        `part` "first": all but the last producer (the search index, which a worker may still
        be making); "last", once "first" is done: that one's, then the menu is checked (as
        after "all")."""
        if part == "last":
            assert self._first_done, "outputs('last') plans what follows outputs('first')"
        else:
            self.sitemap.clear()
            self._paths = set()
        self._first_done = False
        producers = OUTPUTS[:-1] if part == "first" else OUTPUTS[-1:] if part == "last" else OUTPUTS
        for _, produce in producers:
            for item in produce(self):
                output = self.page(item) if isinstance(item, PageSpec) else item
                if output.path in self._wanted:
                    self._paths.add(output.path)
                yield output
        if part == "first":
            self._first_done = True
        else:
            check_menu(self.config, self._paths)

    def asset_url(self, role: str) -> str:
        """The published path of a theme asset by role (stylesheet, script, favicon)."""
        return next(a.path for a in self.assets if a.role == role)

    def copy(self, path: str, origin: str, source: str) -> Output:
        """A copied file, keyed by its source's path, size and modification time."""
        stat = os.stat(source)
        key = digest("copy", source, str(stat.st_size), str(stat.st_mtime_ns))
        return Output(path, origin, copy_from=source, key=key)

    def page(self, spec: PageSpec, listed: bool = True) -> Output:
        """The output of a page spec; its key covers the spec and every object in its context.
        `listed`: also put it in the sitemap (when it belongs there)."""
        if listed and spec.in_sitemap and not spec.draft:
            self.sitemap.append((spec.url, spec.modified or spec.published))
        path = urls.file_path(spec.url)
        key = digest(
            self.key,
            spec.template,
            spec.url,
            spec.kind,
            spec.title,
            spec.description,
            repr(spec.crumbs),
            spec.og_type,
            spec.published,
            spec.modified,
            repr(spec.feeds),
            repr(spec.pagination),
            spec.ld.__qualname__ if spec.ld else "",
            repr((spec.image, spec.image_alt, spec.noindex, spec.draft)),
            content_key(spec.context),
        )
        render = lambda: self._render(spec, path)  # noqa: E731
        return Output(path, spec.origin, render=render, key=key, line=spec.line)

    def _render(self, spec: PageSpec, path: str) -> bytes:
        not_found = spec.kind == "404"
        meta = PageMeta(
            url=spec.url,
            title=spec.title,
            description=spec.description or self.config.description or spec.title,
            kind=spec.kind,
            root=self.config.base_path if not_found else root_for(spec.url),
            canonical=self.config.base_url + ("" if not_found else spec.url),
            breadcrumbs=spec.crumbs,
            og_type=spec.og_type,
            published=spec.published,
            modified=spec.modified,
            jsonld=(script_json(spec.ld(self.config, spec.context)),) if spec.ld else (),
            prev_url=spec.pagination.prev_url if spec.pagination else None,
            next_url=spec.pagination.next_url if spec.pagination else None,
            image=self.config.base_url + spec.image if spec.image else "",
            image_alt=spec.image_alt,
            noindex=spec.noindex or spec.draft,
            draft=spec.draft,
        )
        context = self._common(meta, spec.feeds)
        context.update(spec.context)
        return self.theme.render(spec.template, path, context).encode()

    def figures_chart(self, claim: Claim) -> str:
        """Bars of the figures a claim compares, or '' when it has none."""
        figures = claim.figures
        if not figures:
            return ""
        t = self.strings
        percent = all(f.unit == "%" for f in figures)
        bars = [Bar(f.label, f.value, t.number(f.value, f.unit), "figure") for f in figures]
        items = t("chart.separator").join(
            t("chart.item", label=b.label, value=b.shown) for b in bars
        )
        title = t("chart.figures", items=items)
        return bar_chart(bars, f"figures-{claim.id}", title, 100 if percent else None)

    def verdict_chart(self, counts: tuple[VerdictCount, ...], chart_id: str) -> str:
        """Bars of claims per verdict."""
        return verdict_chart(self.strings, counts, chart_id)

    def site_feeds(self) -> tuple[Alternate, ...]:
        """The site-wide feeds every page advertises."""
        t, title = self.strings, self.config.title
        return (
            Alternate(urls.FEED_RSS, "application/rss+xml", t("feed.title_rss", site=title)),
            Alternate(urls.FEED_ATOM, "application/atom+xml", t("feed.title_atom", site=title)),
            Alternate(urls.FEED_JSON, "application/feed+json", t("feed.title_json", site=title)),
        )

    def _common(self, meta: PageMeta, feeds: tuple[Alternate, ...]) -> dict[str, Any]:
        root = meta.root

        def url(target: str) -> str:
            if target.startswith(("http://", "https://", "mailto:", "#")):
                return target
            return (root + target) or "./"

        def url_for(kind: str, *args: str | int) -> str:
            return url(urls.url_for(kind, *args))

        base = self.config.base_url
        abs_url: Callable[[str], str] = lambda target: base + target  # noqa: E731
        # Nothing here refers to the plan: Jinja's imported macros and a page's context refer
        # to each other, and such a cycle, which only a full collection frees, held the plan and
        # every claim's entry in a server until it ran (1.6 s at 20,000 articles).
        return {
            "site": self.config,
            "page": meta,
            "url": url,
            "url_for": url_for,
            "abs_url": abs_url,
            "nav": tuple(
                p for p in self.site.pages if p.slug in ("about", "methodology", "corrections")
            ),
            "menu": self.menu,
            "picture": lambda article, lazy=False, sizes="": Markup(
                img_tag(
                    article.cover,
                    article.image_alt,
                    lazy,
                    prefix="" if meta.url == article.url else url(article.url),
                    sizes=sizes,
                )
            ),
            "methodology_url": self.methodology_url,
            "stylesheet": self.asset_url("stylesheet"),
            "script": self.asset_url("script"),
            "search_script": self.asset_url("search_script"),
            "favicon": self.asset_url("favicon"),
            "feeds": tuple((f.url, f.type, f.title) for f in (*self.site_feeds(), *feeds)),
            "generator": f"aisite {__version__}",
            "verdict_chart": partial(verdict_chart, self.strings),
            "verdict_counts": partial(article_counts, self.config.ratings),
            "format_number": self.strings.number,
            "t": self.strings,
        }


def verdict_chart(strings: Strings, counts: tuple[VerdictCount, ...], chart_id: str) -> str:
    """Bars of claims per verdict."""
    t = strings
    bars = [
        Bar(c.rating.label, c.count, t.number(c.count), f"verdict-{c.rating.key}") for c in counts
    ]
    items = t("chart.separator").join(t("chart.item", label=b.label, value=b.shown) for b in bars)
    return bar_chart(bars, chart_id, t("chart.verdicts", items=items))


def article_counts(ratings: tuple[Rating, ...], article: Article) -> tuple[VerdictCount, ...]:
    """An article's claims per verdict, in scale order, without zero counts."""
    counts = Counter(claim.verdict.key for claim in article.claims)
    return tuple(VerdictCount(r, counts[r.key]) for r in ratings if counts[r.key])
