"""The HTML pages of a site, declared as page specs: home, articles, claims, listings, 404."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisite import jsonld, urls
from aisite.catalog import ClaimEntry, Group
from aisite.model import Rating, SiteConfig
from aisite.plan import Alternate, PageSpec, Planned

if TYPE_CHECKING:
    from aisite.render import SitePlan


@dataclass(frozen=True)
class Pagination:
    """Where a page stands in a paginated listing."""

    number: int
    total: int
    prev_url: str | None
    next_url: str | None


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


def home_pages(plan: SitePlan) -> Iterator[Planned]:
    """The home page and its numbered pages, newest articles first."""
    config, t = plan.config, plan.strings
    for pagination, part in paginate(urls.home(), len(plan.site.articles), config.per_page):
        number = pagination.number
        yield PageSpec(
            url=urls.paged(urls.home(), number),
            template="index.html",
            origin="home page",
            kind="home",
            title=config.title
            if number == 1
            else t("title.paged", title=config.title, number=number),
            description=config.description,
            context={"articles": plan.site.articles[part], "pagination": pagination},
        )


def _article_ld(config: SiteConfig, context: Mapping[str, Any]) -> dict[str, Any]:
    return jsonld.article_ld(config, context["article"])


def _claim_ld(config: SiteConfig, context: Mapping[str, Any]) -> dict[str, Any]:
    return jsonld.claim_review_ld(config, context["entry"])


def article_pages(plan: SitePlan) -> Iterator[Planned]:
    """Each article's page, its claims' pages, and the files of its bundle."""
    t = plan.strings
    for article in plan.site.articles:
        entries = tuple(ClaimEntry(c, article) for c in article.claims)
        older, newer = plan.catalog.neighbours(article)
        crumbs = ((t("home"), urls.home()), (article.title, article.url))
        yield PageSpec(
            url=article.url,
            template="article.html",
            origin=article.path,
            kind="article",
            title=article.title,
            description=article.summary,
            context={
                "article": article,
                "entries": entries,
                "scorecard": plan.catalog.verdict_counts(entries),
                "older": older,
                "newer": newer,
            },
            crumbs=crumbs,
            og_type="article",
            published=article.date.isoformat(),
            modified=article.modified.isoformat(),
            ld=_article_ld,
        )
        for entry in entries:
            claim = entry.claim
            yield PageSpec(
                url=entry.url,
                template="claim.html",
                origin=f"{article.claims_path}:{claim.line}",
                kind="claim",
                title=t(
                    "title.claim",
                    claimant=claim.claimant.name,
                    quote=clip(claim.text),
                    verdict=claim.verdict.label,
                ),
                description=claim.summary,
                context={
                    "entry": entry,
                    "claim": claim,
                    "article": article,
                    "chart": plan.figures_chart(claim),
                },
                crumbs=(
                    *crumbs,
                    (t("crumb.claims"), article.url + "#claims"),
                    (t("crumb.quote", quote=clip(claim.text, 60)), entry.url),
                ),
                og_type="article",
                published=(claim.reviewed or article.date).isoformat(),
                ld=_claim_ld,
            )
        folder = article.path.rpartition("/")[0]
        for source, relative in article.files:
            yield plan.copy(
                urls.article_file(article.slug, relative), f"{folder}/{relative}", source
            )


def standalone_pages(plan: SitePlan) -> Iterator[Planned]:
    """Pages from content/pages/; the corrections page also lists every correction."""
    for page in plan.site.pages:
        log = plan.catalog.corrections if page.slug == "corrections" else ()
        yield PageSpec(
            url=page.url,
            template="page.html",
            origin=page.path,
            kind="page",
            title=page.title,
            description=page.summary,
            context={"content_page": page, "corrections_log": log},
        )


def taxonomy_pages(plan: SitePlan) -> Iterator[Planned]:
    """Tags, claimants and topics: a list of each, and a page per term."""
    config, catalog, t = plan.config, plan.catalog, plan.strings
    yield PageSpec(
        url=urls.tags(),
        template="tags.html",
        origin="tags index",
        kind="tags",
        title=t("title.tags"),
        description=t("description.tags", site=config.title),
        context={"groups": catalog.tags},
    )
    for group in catalog.tags:
        name = group.term.name
        yield PageSpec(
            url=group.url,
            template="tag.html",
            origin=f"tag '{name}'",
            kind="tag",
            title=t("title.tag", name=name),
            description=t("description.tag", name=name),
            context={"group": group},
            feeds=(
                Alternate(
                    urls.tag_feed(group.term.slug),
                    "application/rss+xml",
                    t("feed.tag", site=config.title, name=name),
                ),
            ),
        )
    yield from _claim_groups(plan, "claimant", catalog.claimants)
    yield from _claim_groups(plan, "topic", catalog.topics)


def _claim_groups(plan: SitePlan, kind: str, groups: tuple[Group, ...]) -> Iterator[Planned]:
    t = plan.strings
    yield PageSpec(
        url=urls.claimants() if kind == "claimant" else urls.topics(),
        template=f"{kind}s.html",
        origin=f"{kind}s index",
        kind="claimants" if kind == "claimant" else "topics",
        title=t(f"title.{kind}s"),
        description=t(f"description.{kind}s", site=plan.config.title),
        context={"groups": groups},
    )
    for group in groups:
        name = group.term.name
        yield PageSpec(
            url=group.url,
            template=f"{kind}.html",
            origin=f"{kind} '{name}'",
            kind="claimant" if kind == "claimant" else "topic",
            title=t(f"title.{kind}", name=name),
            description=t.plural("description.group", len(group.claims), name=name),
            context={"group": group, "counts": plan.catalog.verdict_counts(group.claims)},
        )


def claim_listings(plan: SitePlan) -> Iterator[Planned]:
    """All claims, the rating scale, and the claims under each verdict."""
    config, catalog, t = plan.config, plan.catalog, plan.strings
    counts = catalog.verdict_counts()
    yield PageSpec(
        url=urls.claims(),
        template="claims.html",
        origin="claims index",
        kind="claims",
        title=t("title.claims"),
        description=t("description.claims", site=config.title),
        context={
            "entries": catalog.claims,
            "counts": counts,
            "chart": plan.verdict_chart(counts, "verdict-chart"),
        },
    )
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
        yield _verdict(plan, rating)


def _verdict(plan: SitePlan, rating: Rating) -> PageSpec:
    return PageSpec(
        url=urls.verdict(rating.key),
        template="verdict.html",
        origin=f"verdict '{rating.key}' of site.yaml",
        kind="verdict",
        title=plan.strings("title.verdict", label=rating.label),
        description=rating.description,
        context={"rating": rating, "entries": plan.catalog.by_verdict(rating.key)},
    )


def not_found(plan: SitePlan) -> Iterator[Planned]:
    """The page a web server shows for a missing path."""
    yield PageSpec(
        url=urls.NOT_FOUND,
        template="404.html",
        origin="404",
        kind="404",
        title=plan.strings("title.404"),
        context={},
        in_sitemap=False,
    )


def clip(text: str, limit: int = 70) -> str:
    """Text cut on a character limit with an ellipsis, for titles and breadcrumbs."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
