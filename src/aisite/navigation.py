"""How readers find their way: the site menu, and redirect pages from an article's old paths."""

from __future__ import annotations

from collections.abc import Iterator, Set
from typing import TYPE_CHECKING

from aisite import urls
from aisite.errors import Problems
from aisite.i18n import Strings
from aisite.model import Site
from aisite.plan import PageSpec, Planned
from aisite.siteconfig import MenuItem, SiteConfig

if TYPE_CHECKING:
    from aisite.render import SitePlan

# The default order: generated listings, then the standard pages, then every other page.
LISTINGS = (("nav.claims", urls.claims), ("nav.verdicts", urls.verdicts), ("nav.tags", urls.tags))
STANDARD = ("methodology", "corrections", "about")


def menu(site: Site, t: Strings) -> tuple[MenuItem, ...]:
    """The links of the site navigation, in order."""
    if site.config.menu is not None:
        return site.config.menu
    pages = site.pages
    items = [MenuItem(t(key), make()) for key, make in LISTINGS]
    by_slug = {p.slug: p for p in pages}
    items += [MenuItem(t(f"nav.{slug}"), by_slug[slug].url) for slug in STANDARD if slug in by_slug]
    items += [MenuItem(p.title, p.url) for p in pages if p.slug not in STANDARD]
    return tuple(items)


def _target(url: str) -> str | None:
    """The file a menu link leads to, or None for a link out of the site."""
    if url.startswith(("http://", "https://", "mailto:")):
        return None
    return urls.file_path(url.split("#", 1)[0])


def menu_targets(config: SiteConfig) -> set[str]:
    """The paths that menu links inside the site may lead to."""
    targets = {_target(item.url) for item in config.menu or ()} - {None}
    return {path for target in targets if target for path in (target, target + "/index.html")}


def check_menu(config: SiteConfig, paths: Set[str]) -> None:
    """Every menu link inside the site leads to a file the build writes (`paths`: the planned
    paths, or those of them in menu_targets)."""
    problems = Problems()
    for item in config.menu or ():
        target = _target(item.url)
        if target is None:
            continue
        if target not in paths and target + "/index.html" not in paths:
            hint = "a path such as 'about/'; the build writes no page there"
            message = f"menu links to '{item.url}', which the site does not have"
            problems.add("content/site.yaml", item.line, message, hint)
    problems.raise_if_any()


def redirect_pages(plan: SitePlan) -> Iterator[Planned]:
    """A page at every alias; out of the sitemap and feeds, and checked for collisions."""
    for article in plan.site.articles:
        for alias, line in article.aliases:
            yield PageSpec(
                url=urls.redirect(alias),
                template="redirect.html",
                origin=article.path,
                line=line,
                kind="redirect",
                title=article.title,
                context={"target": article.url, "target_title": article.title},
                in_sitemap=False,
                noindex=True,
            )
