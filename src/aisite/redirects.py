"""Redirect pages: each alias of an article, a small page sending readers and crawlers on to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aisite import urls
from aisite.plan import PageSpec, Planned

if TYPE_CHECKING:
    from aisite.render import SitePlan


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
