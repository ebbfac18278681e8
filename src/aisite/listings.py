"""Paginated listings: claims, verdicts, tags, claimants and topics, each page of a bounded size."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from aisite import urls
from aisite.catalog import Group
from aisite.claimmodel import Term
from aisite.plan import Alternate, PageSpec, Pagination, Planned
from aisite.siteconfig import Rating

if TYPE_CHECKING:
    from aisite.render import SitePlan

RSS = "application/rss+xml"


@dataclass(frozen=True)
class TermCount:
    """A tag, claimant or topic in a list of them: its page and how many items it has."""

    term: Term
    url: str
    count: int


def _counted(groups: tuple[Group, ...]) -> tuple[TermCount, ...]:
    return tuple(TermCount(g.term, g.url, len(g.articles) + len(g.claims)) for g in groups)


def paginate(listing: str, count: int, per_page: int) -> Iterator[tuple[Pagination, slice]]:
    """The pages of a listing of `count` items: their position and the slice each shows."""
    total = max(1, math.ceil(count / per_page))
    for number in range(1, total + 1):
        yield (
            Pagination(
                number,
                total,
                urls.paged(listing, number - 1) if number > 1 else None,
                urls.paged(listing, number + 1) if number < total else None,
            ),
            slice((number - 1) * per_page, number * per_page),
        )


def listing(
    plan: SitePlan, first: PageSpec, name: str, items: Sequence[object], per_page: int
) -> Iterator[PageSpec]:
    """`first` and its numbered pages, each showing `per_page` of `items` as `name`."""
    for pagination, part in paginate(first.url, len(items), per_page):
        number = pagination.number
        title = first.title
        if pagination.total > 1:
            title = plan.strings(
                "title.paged", title=first.title, number=number, total=pagination.total
            )
        yield replace(
            first,
            url=urls.paged(first.url, number),
            title=title,
            context={**first.context, name: tuple(items[part]), "pagination": pagination},
            pagination=pagination,
        )


def taxonomy_pages(plan: SitePlan) -> Iterator[Planned]:
    """Tags, claimants and topics: a list of each, and the pages of each term."""
    config, catalog, t = plan.config, plan.catalog, plan.strings
    first = PageSpec(
        url=urls.tags(),
        template="tags.html",
        origin="tags index",
        kind="tags",
        title=t("title.tags"),
        description=t("description.tags", site=config.title),
        context={"total": len(catalog.tags)},
    )
    yield from listing(plan, first, "groups", _counted(catalog.tags), config.page_size.terms)
    for group in catalog.tags:
        name = group.term.name
        first = PageSpec(
            url=group.url,
            template="tag.html",
            origin=f"tag '{name}'",
            kind="tag",
            title=t("title.tag", name=name),
            description=t("description.tag", name=name),
            context={"term": group.term, "total": len(group.articles)},
            feeds=(
                Alternate(
                    urls.tag_feed(group.term.slug), RSS, t("feed.tag", site=config.title, name=name)
                ),
            ),
        )
        yield from listing(plan, first, "articles", group.articles, config.page_size.tag)
    yield from _claim_groups(plan, "claimant", catalog.claimants, config.page_size.claimant)
    yield from _claim_groups(plan, "topic", catalog.topics, config.page_size.topic)


def _claim_groups(
    plan: SitePlan, kind: str, groups: tuple[Group, ...], per_page: int
) -> Iterator[Planned]:
    t = plan.strings
    first = PageSpec(
        url=urls.claimants() if kind == "claimant" else urls.topics(),
        template=f"{kind}s.html",
        origin=f"{kind}s index",
        kind="claimants" if kind == "claimant" else "topics",
        title=t(f"title.{kind}s"),
        description=t(f"description.{kind}s", site=plan.config.title),
        context={"total": len(groups)},
    )
    yield from listing(plan, first, "groups", _counted(groups), plan.config.page_size.terms)
    for group in groups:
        name = group.term.name
        counts = plan.catalog.verdict_counts(group.claims)
        feeds: tuple[Alternate, ...] = ()
        if kind == "claimant":
            title = t("feed.claimant", site=plan.config.title, name=name)
            feeds = (Alternate(urls.claimant_feed(group.term.slug), RSS, title),)
        first = PageSpec(
            url=group.url,
            template=f"{kind}.html",
            origin=f"{kind} '{name}'",
            kind="claimant" if kind == "claimant" else "topic",
            title=t(f"title.{kind}", name=name),
            description=t.plural("description.group", len(group.claims), name=name),
            context={
                "term": group.term,
                "total": len(group.claims),
                "counts": counts,
                "chart": plan.verdict_chart(counts, f"{kind}-chart"),
                # A registered claimant's entry in content/claimants.yaml, or None.
                "claimant": plan.config.claimant(group.term.slug) if kind == "claimant" else None,
            },
            feeds=feeds,
        )
        yield from listing(plan, first, "entries", group.claims, per_page)


def claim_listings(plan: SitePlan) -> Iterator[Planned]:
    """All claims, the rating scale, and the claims under each verdict."""
    config, catalog, t = plan.config, plan.catalog, plan.strings
    counts = catalog.verdict_counts()
    first = PageSpec(
        url=urls.claims(),
        template="claims.html",
        origin="claims index",
        kind="claims",
        title=t("title.claims"),
        description=t("description.claims", site=config.title),
        context={
            "total": len(catalog.claims),
            "counts": counts,
            "chart": plan.verdict_chart(counts, "verdict-chart"),
        },
        feeds=(Alternate(urls.claims_feed(), RSS, t("feed.claims", site=config.title)),),
    )
    yield from listing(plan, first, "entries", catalog.claims, config.page_size.claims)
    yield PageSpec(
        url=urls.verdicts(),
        template="verdicts.html",
        origin="verdicts index",
        kind="verdicts",
        title=t("title.verdicts"),
        description=t("description.verdicts"),
        context={"counts": counts},
    )
    for rating in config.ratings:
        yield from _verdict(plan, rating)


def _verdict(plan: SitePlan, rating: Rating) -> Iterator[PageSpec]:
    t, site = plan.strings, plan.config.title
    entries = plan.catalog.by_verdict(rating.key)
    first = PageSpec(
        url=urls.verdict(rating.key),
        template="verdict.html",
        origin=f"verdict '{rating.key}' of site.yaml",
        kind="verdict",
        title=t("title.verdict", label=rating.label),
        description=rating.description,
        context={"rating": rating, "total": len(entries)},
        feeds=(
            Alternate(
                urls.verdict_feed(rating.key), RSS, t("feed.verdict", site=site, label=rating.label)
            ),
        ),
    )
    yield from listing(plan, first, "entries", entries, plan.config.page_size.verdict)
