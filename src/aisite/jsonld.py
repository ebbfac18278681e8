"""schema.org JSON-LD for articles (AnalysisNewsArticle) and claims (ClaimReview)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aisite.catalog import ClaimEntry, Sighting, first_sighting
from aisite.claimmodel import Claim
from aisite.model import Article
from aisite.siteconfig import SiteConfig


def script_json(data: object) -> str:
    """JSON that is safe inside <script>: '<', '>' and '&' escaped so no text can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, indent=None, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _organization(config: SiteConfig) -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": config.publisher.name}
    if config.publisher.url:
        org["url"] = config.publisher.url
    if config.publisher.logo:
        org["logo"] = {"@type": "ImageObject", "url": _abs(config, config.publisher.logo)}
    return org


def _abs(config: SiteConfig, path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return config.base_url + path.lstrip("/")


def _source(article: Article) -> dict[str, Any] | None:
    source = article.source
    if source is None:
        return None
    item: dict[str, Any] = {"@type": "NewsArticle", "headline": source.title}
    if source.url:
        item["url"] = source.url
    if source.publisher:
        item["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published:
        item["datePublished"] = _day(source.published)
    return item


def article_ld(config: SiteConfig, article: Article) -> dict[str, Any]:
    """AnalysisNewsArticle for an article page."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle",
        "headline": article.title,
        "url": config.base_url + article.url,
        "datePublished": article.date.isoformat(),
        "dateModified": article.modified.isoformat(),
        "description": article.summary,
        "inLanguage": config.language,
        "publisher": _organization(config),
        "author": [{"@type": "Person", "name": n} for n in article.authors]
        or _organization(config),
    }
    if article.tags:
        data["keywords"] = [t.name for t in article.tags]
    based_on = _source(article)
    if based_on:
        data["isBasedOn"] = based_on
    return data


def claim_review_ld(
    config: SiteConfig, entry: ClaimEntry, sightings: tuple[Sighting, ...] = ()
) -> dict[str, Any]:
    """ClaimReview for a claim page: every appearance, the first one, and the latest update."""
    claim, article = entry.claim, entry.article
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": claim.verdict.label}
    values = [r.value for r in config.ratings if r.value is not None]
    if claim.verdict.value is not None and values:
        rating.update(
            ratingValue=_num(claim.verdict.value),
            bestRating=_num(max(values)),
            worstRating=_num(min(values)),
        )
    item: dict[str, Any] = {"@type": "Claim", "author": _claimant(config, claim)}
    first = first_sighting(sightings)
    source = article.source
    published = source.published if source and source.published else article.date
    item["datePublished"] = _day(first.date if first else published)
    item["appearance"] = [_appearance(config, s) for s in sightings] or [
        _appearance(config, Sighting(article.title, "", "", article.date, article))
    ]
    if first is not None:
        item["firstAppearance"] = _appearance(config, first)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": config.base_url + entry.url,
        "claimReviewed": claim.text,
        "datePublished": _day(claim.reviewed or article.date),
    }
    if claim.modified:
        data["dateModified"] = _day(claim.modified)
    data.update(author=_organization(config), reviewRating=rating, itemReviewed=item)
    return data


def _claimant(config: SiteConfig, claim: Claim) -> dict[str, Any]:
    """The claim's author; a registered claimant with its url and sameAs."""
    entry = config.claimant(claim.claimant_key) if claim.claimant_key else None
    author: dict[str, Any] = {"@type": claim.claimant_type, "name": claim.claimant.name}
    if entry is not None:
        if entry.url:
            author["url"] = entry.url
        if entry.same_as:
            author["sameAs"] = list(entry.same_as)
    return author


def _appearance(config: SiteConfig, sighting: Sighting) -> dict[str, Any]:
    """A place the claim was made, as a CreativeWork."""
    url = sighting.url or (config.base_url + sighting.article.url if sighting.article else "")
    work: dict[str, Any] = {"@type": "CreativeWork", "url": url}
    if sighting.title:
        work["headline"] = sighting.title
    if sighting.publisher:
        work["publisher"] = {"@type": "Organization", "name": sighting.publisher}
    if sighting.date:
        work["datePublished"] = _day(sighting.date)
    return work


def _num(value: float) -> int | float:
    return int(value) if value == int(value) else value
