"""Feeds: RSS, Atom and JSON Feed of the site, of each tag, and of the claims."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

from feedgen.feed import FeedGenerator

from aisite import __version__, urls
from aisite.catalog import ClaimEntry
from aisite.claimmodel import ClaimUpdate
from aisite.i18n import Strings
from aisite.keys import digest
from aisite.markup import absolutize
from aisite.model import Article, Site
from aisite.plan import Output, Planned

if TYPE_CHECKING:
    from aisite.render import SitePlan

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def feed_files(plan: SitePlan) -> Iterator[Planned]:
    """RSS, Atom and JSON Feed of the newest articles, and an RSS feed per tag."""
    site, key, t = plan.site, plan.key, plan.strings
    # Drafts (built with --drafts, to preview) never reach a feed reader.
    items = [a for a in site.articles if not a.draft][: site.config.feed.items]
    shown = [a.fingerprint for a in items]
    yield Output(
        urls.FEED_RSS,
        "feeds",
        partial(rss, site, t, items, urls.FEED_RSS, ""),
        key=digest(key, "rss", *shown),
    )
    yield Output(
        urls.FEED_ATOM, "feeds", partial(atom, site, t, items), key=digest(key, "atom", *shown)
    )
    yield Output(
        urls.FEED_JSON,
        "feeds",
        partial(json_feed, site, t, items),
        key=digest(key, "json", *shown),
    )
    for group in plan.catalog.tags:
        path = urls.tag_feed(group.term.slug)
        chosen = [a for a in group.articles if not a.draft][: site.config.feed.items]
        make = partial(rss, site, t, chosen, path, group.term.name)
        tag_key = digest(key, path, group.term.name, *(a.fingerprint for a in chosen))
        yield Output(path, f"tag '{group.term.name}'", render=make, key=tag_key)


def claim_feed_files(plan: SitePlan) -> Iterator[Planned]:
    """RSS of the newest claim reviews: all of them, per verdict and per claimant."""
    site, catalog, t = plan.site, plan.catalog, plan.strings
    limit, title = site.config.feed.items, site.config.title
    feeds = [
        (urls.claims_feed(), urls.claims(), t("feed.claims", site=title), catalog.claims),
        *(
            (
                urls.verdict_feed(r.key),
                urls.verdict(r.key),
                t("feed.verdict", site=title, label=r.label),
                catalog.by_verdict(r.key),
            )
            for r in site.config.ratings
        ),
        *(
            (
                urls.claimant_feed(g.term.slug),
                g.url,
                t("feed.claimant", site=title, name=g.term.name),
                g.claims,
            )
            for g in catalog.claimants
        ),
    ]
    for path, page, feed_title, entries in feeds:
        chosen = [e for e in entries if not e.article.draft][:limit]  # no drafts in feeds
        key = digest(plan.key, path, feed_title, *(e.claim.fingerprint for e in chosen))
        make = partial(claim_rss, site, t, chosen, path, page, feed_title)
        yield Output(path, feed_title, render=make, key=key)


def claim_rss(
    site: Site,
    t: Strings,
    entries: Sequence[ClaimEntry],
    path: str,
    page: str,
    title: str,
) -> bytes:
    """RSS 2.0 of claim reviews: the verdict in each title, the summary as description."""
    config = site.config
    fg = FeedGenerator()
    fg.id(config.base_url + path)
    fg.title(title)
    fg.link(href=config.base_url + path, rel="self")
    fg.link(href=config.base_url + page, rel="alternate")
    fg.description(title)
    fg.language(config.language)
    fg.generator("aisite", __version__)
    when = max((_reviewed(e) for e in entries), default=EPOCH)
    fg.lastBuildDate(when)
    for entry in entries:
        claim, url = entry.claim, config.base_url + entry.url
        item = fg.add_entry(order="append")
        item.guid(url, permalink=True)
        item.title(t("feed.claim_title", verdict=claim.verdict.label, quote=claim.text))
        item.link(href=url)
        item.published(_reviewed(entry))
        item.description(" ".join([claim.summary, *(_update_text(t, u) for u in claim.updates)]))
        item.category(term=claim.verdict.label, label=claim.verdict.label)
    return bytes(fg.rss_str(pretty=True))


def _reviewed(entry: ClaimEntry) -> datetime:
    return entry.claim.reviewed or entry.article.date


def newest(articles: Sequence[Article]) -> datetime:
    """The newest content date: stands in for 'now' so builds are reproducible."""
    return max((a.modified for a in articles), default=EPOCH)


def item_html(site: Site, t: Strings, article: Article) -> str:
    """An article's feed content: the claims and verdicts, analysis, then the text; absolute URLs."""
    base = site.config.base_url
    parts = []
    if article.claims:
        parts.append(f"<h2>{escape(t('feed.claims_reviewed'))}</h2><ul>")
        for claim in article.claims:
            parts.append(
                f"<li><strong>{escape(claim.verdict.label)}</strong>: “{escape(claim.text)}” "
                f"({escape(claim.claimant.name)}). {escape(claim.summary)} "
                f'<a href="{escape(base + claim.url)}">{escape(t("feed.full_review"))}</a>'
                + "".join(_update_html(t, u) for u in claim.updates)
                + "</li>"
            )
        parts.append("</ul>")
    if site.config.feed.full_content:
        if article.analysis_html:
            parts.append(f"<h2>{escape(t('feed.our_analysis'))}</h2>{article.analysis_html}")
        parts.append(f"<h2>{escape(t('feed.the_article'))}</h2>{article.body_html}")
    else:
        parts.insert(0, f"<p>{escape(article.summary)}</p>")
        parts.append(
            f'<p><a href="{escape(base + article.url)}">{escape(t("feed.read_analysis"))}</a></p>'
        )
    return absolutize("".join(parts), base + article.url)


def _update_text(t: Strings, update: ClaimUpdate) -> str:
    """An update of a review, as feeds say it: date, note and the earlier verdict."""
    previous = update.previous_verdict
    text = t("feed.updated", date=t.date(update.date), note=update.note)
    if previous is not None:
        text += " " + t("feed.previous_verdict", label=previous.label)
    return text


def _update_html(t: Strings, update: ClaimUpdate) -> str:
    """An update of a review inside an article's feed item."""
    return f" <em>{escape(_update_text(t, update))}</em>"


def _generator(
    site: Site, t: Strings, path: str, tag: str, articles: Sequence[Article]
) -> FeedGenerator:
    config = site.config
    fg = FeedGenerator()
    fg.id(config.base_url)
    fg.title(t("feed.tag", site=config.title, name=tag) if tag else config.title)
    # feedgen takes the RSS <link> from the last link given: self first, then alternate.
    fg.link(href=config.base_url + path, rel="self")
    fg.link(href=config.base_url, rel="alternate")
    fg.description(config.description or config.title)
    fg.subtitle(config.description or config.title)
    fg.language(config.language)
    fg.author({"name": config.publisher.name, "uri": config.publisher.url})
    fg.generator("aisite", __version__)
    when = newest(articles)
    fg.lastBuildDate(when)
    fg.updated(when)
    for article in articles:
        url = config.base_url + article.url
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.title(article.title)
        entry.link(href=url)
        entry.published(article.date)
        entry.updated(article.modified)
        entry.description(article.summary)
        entry.summary(article.summary)
        for term in article.tags:
            entry.category(term=term.name, label=term.name)
        for name in article.authors:
            entry.author({"name": name})
        entry.content(
            item_html(site, t, article), type="html" if path == urls.FEED_ATOM else "CDATA"
        )
    return fg


def rss(site: Site, t: Strings, articles: Sequence[Article], path: str, tag: str) -> bytes:
    """RSS 2.0."""
    return bytes(_generator(site, t, path, tag, articles).rss_str(pretty=True))


def atom(site: Site, t: Strings, articles: Sequence[Article]) -> bytes:
    """Atom 1.0."""
    return bytes(_generator(site, t, urls.FEED_ATOM, "", articles).atom_str(pretty=True))


def json_feed(site: Site, t: Strings, articles: Sequence[Article]) -> bytes:
    """JSON Feed 1.1."""
    config = site.config
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": config.title,
        "home_page_url": config.base_url,
        "feed_url": config.base_url + urls.FEED_JSON,
        "description": config.description or config.title,
        "language": config.language,
        "authors": [{"name": config.publisher.name, "url": config.publisher.url}],
        "items": [],
    }
    for article in articles:
        url = config.base_url + article.url
        item: dict[str, Any] = {
            "id": url,
            "url": url,
            "title": article.title,
            "content_html": item_html(site, t, article),
            "summary": article.summary,
            "date_published": article.date.isoformat(),
            "date_modified": article.modified.isoformat(),
        }
        if article.tags:
            item["tags"] = [t.name for t in article.tags]
        if article.authors:
            item["authors"] = [{"name": n} for n in article.authors]
        if article.source and article.source.url:
            item["external_url"] = article.source.url
        feed["items"].append(item)
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode()
