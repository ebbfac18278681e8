"""The HTML pages of a site's own content, declared as page specs: home, articles, claims, pages, 404."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from aisite import jsonld, urls
from aisite.catalog import ClaimEntry
from aisite.listings import listing
from aisite.model import Article
from aisite.plan import PageSpec, Planned, identity
from aisite.siteconfig import SiteConfig
from aisite.units import PerArticle, per_article

if TYPE_CHECKING:
    from aisite.render import SitePlan


def home_pages(plan: SitePlan) -> Iterator[Planned]:
    """The home page and its numbered pages, newest articles first."""
    config = plan.config
    yield from listing(
        plan,
        PageSpec(
            url=urls.home(),
            template="index.html",
            origin="home page",
            kind="home",
            title=config.title,
            description=config.description,
            context={},
        ),
        "articles",
        plan.site.articles,
        config.per_page,
    )


def _article_ld(config: SiteConfig, context: Mapping[str, Any]) -> dict[str, Any]:
    return jsonld.article_ld(config, context["article"])


def _claim_ld(config: SiteConfig, context: Mapping[str, Any]) -> dict[str, Any]:
    return jsonld.claim_review_ld(config, context["entry"], context["sightings"])


def _article_outputs(plan: SitePlan, article: Article) -> Iterator[Planned]:
    """An article's page and its claims' pages."""
    t = plan.strings
    entries = tuple(ClaimEntry(c, article) for c in article.claims)
    anchored = plan.catalog.anchored(article)
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
            "anchored": anchored,
            "scorecard": plan.catalog.verdict_counts(tuple(a.entry for a in anchored)),
            "older": older,
            "newer": newer,
        },
        crumbs=crumbs,
        og_type="article",
        published=article.date.isoformat(),
        modified=article.modified.isoformat(),
        ld=_article_ld,
        image=urls.share_image(article.url),
        image_alt=t("card.article_alt", title=article.title, site=plan.config.title),
        draft=article.draft,
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
                "sightings": plan.catalog.sightings(entry),
            },
            crumbs=(
                *crumbs,
                (t("crumb.claims"), article.url + "#claims"),
                (t("crumb.quote", quote=clip(claim.text, 60)), entry.url),
            ),
            og_type="article",
            published=(claim.reviewed or article.date).isoformat(),
            modified=claim.modified.isoformat() if claim.modified else "",
            ld=_claim_ld,
            image=urls.share_image(claim.url),
            image_alt=t(
                "card.claim_alt",
                verdict=claim.verdict.label,
                quote=claim.text,
                claimant=claim.claimant.name,
            ),
            draft=article.draft,
        )


def _article_shows(plan: SitePlan, article: Article) -> Iterator[str]:
    """What an article's pages show: the article, and every other article in their contexts."""
    catalog = plan.catalog
    yield identity(article)
    for other in catalog.neighbours(article):
        yield identity(other) if other else "-"
    for reuse in article.reuses:  # the reviews its text anchors (`anchored`)
        review = catalog.reviews.get(reuse.target_url)
        yield identity(review.article) if review else "-"
    for claim in article.claims:  # the articles that reuse its claims (`sightings`)
        yield "|".join(identity(a) for a, _ in catalog.reused.get(claim.url, ()))


ARTICLE = PerArticle("articles", _article_outputs, _article_shows)
article_pages = per_article(ARTICLE)


def bundle_files(plan: SitePlan) -> Iterator[Planned]:
    """The files of each article's bundle besides index.md, claims.yaml and its images."""
    root = plan.theme.site_root.resolve()
    for article in plan.site.articles:
        folder = article.path.rpartition("/")[0]
        for path in article.files:
            origin = f"{folder}/{path.removeprefix(article.url)}"
            yield plan.copy(path, origin, str(root / origin))


def standalone_pages(plan: SitePlan) -> Iterator[Planned]:
    """Pages from content/pages/; the corrections page also lists every correction."""
    for page in plan.site.pages:
        log = plan.catalog.log if page.slug == "corrections" else ()
        yield PageSpec(
            url=page.url,
            template="page.html",
            origin=page.path,
            kind="page",
            title=page.title,
            description=page.summary,
            context={"content_page": page, "corrections_log": log},
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
