"""The date archive: archive/ lists the years, archive/<year>/ a year's articles by month."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from aisite import urls
from aisite.listings import paginate
from aisite.model import Article
from aisite.plan import PageSpec, Planned

if TYPE_CHECKING:
    from aisite.render import SitePlan


@dataclass(frozen=True)
class Year:
    """One year of the archive: its page and how many articles it has."""

    year: int
    url: str
    count: int


@dataclass(frozen=True)
class Month:
    """The articles of one month on a page of a year (newest first)."""

    month: int
    name: str
    articles: tuple[Article, ...]


def archive_pages(plan: SitePlan) -> Iterator[Planned]:
    """The list of years, then each year's pages, articles grouped by month."""
    t, config = plan.strings, plan.config
    by_year = [
        (year, tuple(items))
        for year, items in groupby(plan.site.articles, key=lambda a: a.date.year)
    ]
    yield PageSpec(
        url=urls.archive(),
        template="archive.html",
        origin="archive",
        kind="archive",
        title=t("title.archive"),
        description=t("description.archive", site=config.title),
        context={"years": tuple(Year(y, urls.archive(y), len(a)) for y, a in by_year)},
    )
    for year, articles in by_year:
        listing = urls.archive(year)
        for pagination, part in paginate(listing, len(articles), config.page_size.archive):
            shown = articles[part]
            months = tuple(
                Month(month, t.month(month), tuple(items))
                for month, items in groupby(shown, key=lambda a: a.date.month)
            )
            title = t("title.archive_year", year=year)
            if pagination.total > 1:
                title = t(
                    "title.paged", title=title, number=pagination.number, total=pagination.total
                )
            yield PageSpec(
                url=urls.paged(listing, pagination.number),
                template="archive_year.html",
                origin=f"archive {year}",
                kind="archive",
                title=title,
                description=t("description.archive_year", site=config.title, year=year),
                context={
                    "year": year,
                    "total": len(articles),
                    "months": months,
                    "pagination": pagination,
                },
                crumbs=((t("title.archive"), urls.archive()), (str(year), listing)),
                pagination=pagination,
            )
