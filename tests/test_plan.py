"""Unit tests of the plan, feeds, JSON-LD and catalog on a site made in memory (no folder read)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import feedparser
import pytest

from aisite import urls
from aisite.catalog import Catalog
from aisite.config import parse_config
from aisite.content import render_content
from aisite.errors import Problems
from aisite.feeds import rss
from aisite.i18n import Strings
from aisite.jsonld import article_ld, claim_review_ld
from aisite.model import ParsedArticle, ParsedSite, Site
from aisite.opendata import claim_record, claims_json
from aisite.parse import parse_article, parse_page
from aisite.plan import content_key
from aisite.registry import OUTPUTS
from aisite.render import SitePlan

pytestmark = pytest.mark.unit

CONFIG = "title: Desk\nbase_url: https://example.org/news/\nper_page: 1\nsearch: false\n"
CLAIMS = """\
- id: cost
  quote: cost six million dollars
  claimant: The Lab
  claimant_type: Organization
  verdict: misleading
  summary: Only the final run.
  reviewed: 2025-02-03
  topics: [Costs]
  evidence:
    - {title: Report, url: 'https://e.org/r'}
"""


def article(slug: str, day: int, claims: str = "", summary: str = "") -> ParsedArticle:
    front = f"---\ntitle: Story {slug}\ndate: 2025-02-{day:02d}\ntags: [AI, Chips]\n"
    front += f"summary: {summary}\n" if summary else ""
    text = front + "---\nThe model cost six million dollars to train, they said.\n"
    config = make_config()
    parsed, problems = parse_article(
        f"content/articles/{slug}/index.md",
        slug,
        text,
        config,
        f"content/articles/{slug}/claims.yaml",
        claims or None,
    )
    assert parsed is not None, problems.items
    return parsed


def make_config():  # type: ignore[no-untyped-def]
    config, problems = parse_config("content/site.yaml", CONFIG)
    assert config is not None, problems.items
    return config


def make_site(*articles: ParsedArticle) -> Site:
    page, _ = parse_page(
        "content/pages/methodology.md", "methodology", "---\ntitle: M\n---\nHow.\n"
    )
    assert page is not None
    parsed = ParsedSite(
        config=make_config(),
        static=(),
        skipped_drafts=(),
        skipped_future=(),
        fingerprint="config",
        next_future=None,
        articles=tuple(sorted(articles, key=lambda a: a.date, reverse=True)),
        pages=(page,),
    )
    problems = Problems()
    site = render_content(parsed, problems)
    assert not problems, problems.items
    return site


@pytest.fixture
def site() -> Site:
    return make_site(article("old", 1, CLAIMS), article("new", 2))


def planned(site: Site, root: Path) -> dict[str, str | None]:
    return {o.path: o.key for o in SitePlan(site, root).outputs()}


def test_the_plan_in_two_parts_is_the_plan_whole(site: Site, tmp_path: Path) -> None:
    """A build plans all but the search index, then the index ("first", "last"): the same
    outputs, keys and sitemap as one pass; "last" alone is refused."""
    site = dataclasses.replace(site, config=dataclasses.replace(site.config, search=True))
    whole = SitePlan(site, tmp_path)
    one = [(o.path, o.key) for o in whole.outputs()]
    parts = SitePlan(site, tmp_path)
    first = [(o.path, o.key) for o in parts.outputs("first")]
    last = [(o.path, o.key) for o in parts.outputs("last")]
    assert first + last == one and any(path.startswith("pagefind/") for path, _ in last)
    assert not any(path.startswith("pagefind/") for path, _ in first)
    assert parts.sitemap == whole.sitemap
    with pytest.raises(AssertionError, match="follows"):
        list(SitePlan(site, tmp_path).outputs("last"))


def test_the_plan_has_every_kind_of_output_once(site: Site, tmp_path: Path) -> None:
    paths = planned(site, tmp_path)
    expected = {
        "index.html",
        "page/2/index.html",
        "articles/old/index.html",
        "articles/old/claims/cost/index.html",
        "articles/new/index.html",
        "methodology/index.html",
        "tags/index.html",
        "tags/ai/index.html",
        "tags/ai/feed.xml",
        "claimants/the-lab/index.html",
        "topics/costs/index.html",
        "claims/index.html",
        "verdicts/misleading/index.html",
        "404.html",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "claims.json",
        "sitemap.xml",
        "robots.txt",
        "claims/feed.xml",
        "verdicts/misleading/feed.xml",
        "claimants/the-lab/feed.xml",
        "archive/index.html",
        "archive/2025/index.html",
        "articles/old/card.png",
        "articles/old/claims/cost/card.png",
        "articles/new/card.png",
    }
    assert expected <= set(paths)
    assert [name for name, _ in OUTPUTS] == [
        "assets",
        "home",
        "articles",
        "bundle-files",
        "pages",
        "taxonomies",
        "claim-listings",
        "archive",
        "search",
        "404",
        "images",
        "cards",
        "redirects",
        "feeds",
        "claim-feeds",
        "data",
        "search-index",
    ]


def test_page_keys_follow_the_content_they_show(site: Site, tmp_path: Path) -> None:
    before = planned(site, tmp_path)
    assert before == planned(site, tmp_path)  # stable
    edited = make_site(article("old", 1, CLAIMS), article("new", 2, summary="Changed."))
    after = planned(edited, tmp_path)
    changed = {p for p in before if before[p] != after.get(p)}
    # The edited article, and every page that lists it or shows it as a neighbour.
    assert {"articles/new/index.html", "index.html", "tags/ai/index.html"} <= changed
    assert "articles/old/index.html" in changed  # `newer` is in its context
    assert "articles/old/claims/cost/index.html" not in changed
    assert "verdicts/misleading/index.html" not in changed


def test_the_sitemap_lists_every_page_but_the_404(site: Site, tmp_path: Path) -> None:
    plan = SitePlan(site, tmp_path)
    outputs = {o.path: o for o in plan.outputs()}
    sitemap = outputs["sitemap.xml"].render()  # type: ignore[misc]
    pages = [p for p in outputs if p.endswith(".html") and p != "404.html"]
    assert sitemap.count(b"<url>") == len(pages)
    assert b"https://example.org/news/articles/old/claims/cost/" in sitemap
    assert b"404" not in sitemap


def test_content_key_refuses_what_it_cannot_see() -> None:
    with pytest.raises(TypeError, match="function"):
        content_key({"f": lambda: 1})
    assert content_key({"b": 1, "a": (2, "x")}) == content_key({"a": (2, "x"), "b": 1})


def test_catalog_orders_and_groups(site: Site) -> None:
    catalog = Catalog(site)
    assert [e.claim.id for e in catalog.claims] == ["cost"]
    assert [g.url for g in catalog.tags] == ["tags/ai/", "tags/chips/"]
    assert [a.slug for a in catalog.tags[0].articles] == ["new", "old"]
    assert catalog.claimants[0].url == "claimants/the-lab/"
    counts = {c.rating.key: c.count for c in catalog.verdict_counts()}
    assert counts["misleading"] == 1 and sum(counts.values()) == 1
    older, newer = catalog.neighbours(site.articles[0])
    assert older is not None and older.slug == "old" and newer is None


def test_rss_has_absolute_links_and_the_claims(site: Site) -> None:
    feed = feedparser.parse(rss(site, Strings("en"), site.articles, urls.FEED_RSS, ""))
    assert not feed.bozo
    titles = [e.title for e in feed.entries]
    assert titles == ["Story new", "Story old"]
    content = feed.entries[1].content[0].value
    assert 'href="https://example.org/news/articles/old/claims/cost/"' in content
    assert "Misleading" in content


def test_claims_json_is_the_whole_documents_json_made_a_claim_at_a_time(tmp_path: Path) -> None:
    awkward = CLAIMS.replace(
        "summary: Only the final run.", 'summary: "Two\\nlines, \\"é\\" ]\\n}"'
    )
    second = awkward.replace("id: cost", "id: again").replace("topics: [Costs]", "topics: []")
    second = second.replace("quote: cost six million dollars", "quote: they said")
    site = make_site(article("old", 1, awkward + second), article("new", 2, CLAIMS))
    catalog = Catalog(site)
    for entries in (catalog.claims, catalog.claims[:1], ()):
        made = claims_json(site, catalog, entries)
        whole = json.loads(made)
        # The document json.dumps would write of it, byte for byte, with the claims' records.
        assert made == (json.dumps(whole, ensure_ascii=False, indent=2) + "\n").encode()
        records = [claim_record(site, e, catalog.sightings(e)) for e in entries]
        assert whole["claims"] == json.loads(json.dumps(records))
        assert whole["site"] == site.config.title and len(whole["ratings"]) > 3
    assert len(catalog.claims) == 3 and "\\n" in claims_json(site, catalog, catalog.claims).decode()


def test_the_planned_claims_json_is_written_as_a_stream_of_its_bytes(tmp_path: Path) -> None:
    # The build writes claims.json from its stream (34 MB at 5,000 articles, never whole).
    site = make_site(article("old", 1, CLAIMS), article("new", 2, CLAIMS))
    outputs = {o.path: o for o in SitePlan(site, tmp_path).outputs()}
    planned = outputs["claims.json"]
    assert planned.stream is not None and planned.render is not None
    pieces = list(planned.stream())
    assert len(pieces) > 2 and b"".join(pieces) == planned.render()


def test_claims_json_and_json_ld(site: Site) -> None:
    catalog = Catalog(site)
    data = json.loads(claims_json(site, catalog, catalog.claims))
    (record,) = data["claims"]
    assert record["claim_url"] == "https://example.org/news/articles/old/claims/cost/"
    assert record["verdict_label"] == "Misleading"
    review = claim_review_ld(site.config, catalog.claims[0])
    assert review["@type"] == "ClaimReview" and review["datePublished"] == "2025-02-03"
    assert review["reviewRating"]["ratingValue"] == 2
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "The Lab"}
    analysis = article_ld(site.config, site.articles[0])
    assert analysis["url"] == "https://example.org/news/articles/new/"
    assert analysis["keywords"] == ["AI", "Chips"]
