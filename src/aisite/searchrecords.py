"""What readers search: the Pagefind record, with its filters, of an article, a claim and a page."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from aisite.catalog import ClaimEntry
from aisite.model import Article, Page
from aisite.plaintext import text_of
from aisite.searchbundle import Record

if TYPE_CHECKING:
    from aisite.render import SitePlan


def _article_filters(article: Article) -> dict[str, list[str]]:
    return {
        "type": ["Analysis"],
        "tag": [t.name for t in article.tags],
        "year": [str(article.date.year)],
    }


def article_record(article: Article) -> Record:
    """An article's record: its summary and text, filtered by tags and year."""
    return Record(
        url=article.url,
        title=article.title,
        content=" ".join((article.summary, article.search_text)),
        meta={"kind": "article", "date": article.date.date().isoformat()},
        filters=_article_filters(article),
        sort={"date": article.date.date().isoformat()},
    )


def _claim_filters(entry: ClaimEntry) -> dict[str, list[str]]:
    claim, when = entry.claim, (entry.claim.reviewed or entry.article.date)
    return {
        "type": ["Claim review"],
        "verdict": [claim.verdict.label],
        "claimant": [claim.claimant.name],
        "topic": [t.name for t in claim.topics],
        "tag": [t.name for t in entry.article.tags],
        "year": [str(when.year)],
    }


def claim_record(entry: ClaimEntry) -> Record:
    """A claim's record: quote, claimant, summary and analysis, filtered by verdict and more."""
    claim, when = entry.claim, (entry.claim.reviewed or entry.article.date)
    return Record(
        url=entry.url,
        title=f"“{claim.text}”",
        content=" ".join((claim.text, claim.claimant.name, claim.summary, claim.analysis_text)),
        meta={
            "kind": "claim",
            "date": when.date().isoformat(),
            "verdict": claim.verdict.label,
            "verdict_key": claim.verdict.key,
            "claimant": claim.claimant.name,
            "article": entry.article.title,
        },
        filters=_claim_filters(entry),
        sort={"date": when.date().isoformat()},
    )


def _page_filters() -> dict[str, list[str]]:
    return {"type": ["Page"]}


def page_record(page: Page) -> Record:
    """A standalone page's record."""
    return Record(
        url=page.url,
        title=page.title,
        content=" ".join((page.summary, text_of(page.body_html))),
        meta={"kind": "page"},
        filters=_page_filters(),
        sort={},
    )


def records(plan: SitePlan) -> list[Record]:
    """Everything a reader can search: articles, claim pages and standalone pages."""
    return [
        *(article_record(a) for a in plan.site.articles),
        *(claim_record(e) for e in plan.catalog.claims),
        *(page_record(p) for p in plan.site.pages),
    ]


def filter_counts(plan: SitePlan) -> dict[str, dict[str, int]]:
    """How many records have each value of each filter (the search page lists them): the
    filters above, counted in bulk (a record at a time took 0.3 s of every edit at 5,000
    articles). A filter without values is left out."""
    articles, claims = plan.site.articles, plan.catalog.claims
    when = [e.claim.reviewed or e.article.date for e in claims]
    kinds = {"Analysis": len(articles), "Claim review": len(claims), "Page": len(plan.site.pages)}
    counts = {
        "type": Counter({kind: n for kind, n in kinds.items() if n}),
        "verdict": Counter(e.claim.verdict.label for e in claims),
        "claimant": Counter(e.claim.claimant.name for e in claims),
        "topic": Counter(t.name for e in claims for t in e.claim.topics),
        "tag": Counter(t.name for a in articles for t in a.tags)
        + Counter(t.name for e in claims for t in e.article.tags),
        "year": Counter(str(a.date.year) for a in articles) + Counter(str(w.year) for w in when),
    }
    return {name: dict(sorted(found.items())) for name, found in sorted(counts.items()) if found}
