"""A built site (tests/sites/basic): contract paths, feeds read by real parsers and a real reader, JSON-LD, open data."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest
import yaml

from browser_support import require_program
from conftest import SITES

pytestmark = pytest.mark.cli

BASIC = SITES / "basic"
BASE = "https://example.com/news/"
SYSTEM_PATH = "/usr/bin:/bin"  # newsboat runs with a clean environment
ARTICLE = "chip-rules-explained"
CLAIMS_YAML = BASIC / "content" / "articles" / ARTICLE / "claims.yaml"
RATINGS = yaml.safe_load((BASIC / "content" / "site.yaml").read_text(encoding="utf-8"))["ratings"]


class Head(HTMLParser):
    """Collects <link>, <meta> and JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []
        self.metas: list[dict[str, str | None]] = []
        self.ld: list[str] = []
        self.lang: str | None = None
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        elif tag == "link":
            self.links.append(values)
        elif tag == "meta":
            self.metas.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_ld = True
            self.ld.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.ld[-1] += data


def head(path: Path) -> Head:
    parser = Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_contract_path_exists(basic_site: Path) -> None:
    claims = yaml.safe_load(CLAIMS_YAML.read_text(encoding="utf-8"))
    expected = [
        "index.html",
        f"articles/{ARTICLE}/index.html",
        "claims/index.html",
        "page/2/index.html",
        "verdicts/index.html",
        "verdicts/half-true/index.html",
        "claimants/index.html",
        "claimants/critics/index.html",
        "tags/export-controls/index.html",
        "tags/export-controls/feed.xml",
        "topics/index.html",
        "topics/export-controls/index.html",
        "about/index.html",
        "methodology/index.html",
        "corrections/index.html",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "claims.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "tags/index.html",
    ] + [f"articles/{ARTICLE}/claims/{c['id']}/index.html" for c in claims]
    missing = [p for p in expected if not (basic_site / p).is_file()]
    assert not missing
    assert len(list(basic_site.glob("style.*.css"))) == 1


def aliases() -> dict[str, str]:
    """Each redirect page of the test site (from the articles' aliases) and the URL it points to."""
    found = {}
    for index in sorted((BASIC / "content" / "articles").glob("*/index.md")):
        front = yaml.safe_load(index.read_text(encoding="utf-8").split("---\n")[1])
        for alias in front.get("aliases", []):
            found[alias + "index.html" if alias.endswith("/") else alias] = (
                BASE + f"articles/{index.parent.name}/"
            )
    return found


def test_redirect_pages_point_to_their_article_and_stay_unindexed(basic_site: Path) -> None:
    redirects = aliases()
    assert len(redirects) == 2
    for name, target in redirects.items():
        h = head(basic_site / name)
        assert [lnk["href"] for lnk in h.links if lnk.get("rel") == "canonical"] == [target]
        assert {"name": "robots", "content": "noindex"} in h.metas, name
        assert any(m.get("http-equiv") == "refresh" for m in h.metas), name


def test_every_page_has_title_description_canonical_lang_and_feed_discovery(
    basic_site: Path,
) -> None:
    redirects = aliases()
    for page in sorted(basic_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        h = head(page)
        name = page.relative_to(basic_site).as_posix()
        if name in redirects:
            continue  # checked above
        assert re.search(r"<title>[^<]+</title>", text), name
        assert h.lang == "en-GB", name
        assert any(m.get("name") == "description" and m.get("content") for m in h.metas), name
        canonical = [lnk["href"] for lnk in h.links if lnk.get("rel") == "canonical"]
        assert len(canonical) == 1 and str(canonical[0]).startswith(BASE), name
        types = {lnk.get("type") for lnk in h.links if lnk.get("rel") == "alternate"}
        assert {"application/rss+xml", "application/atom+xml", "application/feed+json"} <= types, (
            name
        )


def _absolute_urls_only(html: str) -> list[str]:
    return [
        u
        for u in re.findall(r'(?:href|src)="([^"]*)"', html)
        if not u.startswith(("https://", "http://", "mailto:"))
    ]


def test_rss_follows_the_rules(basic_site: Path) -> None:
    raw = (basic_site / "feed.xml").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title and feed.feed.link == BASE and feed.feed.description
    channel = ET.fromstring(raw).find("channel")
    assert channel is not None
    self_links = channel.findall("{http://www.w3.org/2005/Atom}link")
    assert [lnk.get("rel") for lnk in self_links] == ["self"] and self_links[0].get(
        "href"
    ) == BASE + "feed.xml"
    last_build = parsedate_to_datetime(channel.findtext("lastBuildDate") or "")
    items = channel.findall("item")
    assert [i.findtext("link") for i in items] == [
        BASE + f"articles/{ARTICLE}/",
        BASE + "articles/open-models-week/",
    ]
    newest = max(parsedate_to_datetime(i.findtext("pubDate") or "") for i in items)
    assert last_build >= newest
    for item in items:
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true"
        assert guid.text == item.findtext("link")
        content = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
        assert _absolute_urls_only(content) == []
    # The article with claims carries them, each with its verdict and a link to its review.
    with_claims, without = (
        i.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or "" for i in items
    )
    assert "Claims reviewed" in with_claims and "Claims reviewed" not in without
    labels = {r["key"]: r["label"] for r in RATINGS}
    for claim in yaml.safe_load(CLAIMS_YAML.read_text(encoding="utf-8")):
        review = BASE + f"articles/{ARTICLE}/claims/{claim['id']}/"
        assert f"<strong>{labels[claim['verdict']]}</strong>" in with_claims, claim["id"]
        assert f'<a href="{review}">Full review</a>' in with_claims, claim["id"]


def test_atom_and_json_feed(basic_site: Path) -> None:
    atom = feedparser.parse((basic_site / "atom.xml").read_bytes())
    assert not atom.bozo and atom.version == "atom10"
    assert any(
        lnk.get("rel") == "self" and lnk["href"] == BASE + "atom.xml" for lnk in atom.feed.links
    )
    newest_first = [BASE + f"articles/{ARTICLE}/", BASE + "articles/open-models-week/"]
    assert [e.id for e in atom.entries] == newest_first
    data = json.loads((basic_site / "feed.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == BASE + "feed.json"
    assert [i["id"] for i in data["items"]] == [i["url"] for i in data["items"]] == newest_first
    item = data["items"][0]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", item["date_published"])
    assert _absolute_urls_only(item["content_html"]) == []


def test_tag_feed_parses(basic_site: Path) -> None:
    feed = feedparser.parse((basic_site / "tags" / "export-controls" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == [BASE + f"articles/{ARTICLE}/"]


def test_a_real_feed_reader_reads_the_feed(basic_site: Path, tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text(f"file://{basic_site / 'feed.xml'}\n")
    cache = tmp_path / "cache.db"
    newsboat = require_program("newsboat", "newsboat (apt-get install newsboat)", SYSTEM_PATH)
    result = subprocess.run(
        [newsboat, "-u", str(urls), "-c", str(cache), "-x", "reload", "print-unread"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": SYSTEM_PATH},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 unread articles"
    with sqlite3.connect(cache) as db:
        rows = db.execute("select title, url, content from rss_item order by url").fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("Chip rules, explained", BASE + f"articles/{ARTICLE}/"),
        ("Open models week", BASE + "articles/open-models-week/"),
    ]
    assert any("Claims reviewed" in r[2] for r in rows if r[1].endswith(f"/{ARTICLE}/"))


def test_sitemap_and_robots(basic_site: Path) -> None:
    tree = ET.fromstring((basic_site / "sitemap.xml").read_bytes())
    locs = {e.text for e in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    redirects = aliases()
    pages = {
        BASE + p.relative_to(basic_site).as_posix().removesuffix("index.html")
        for p in basic_site.rglob("index.html")
        if p.relative_to(basic_site).as_posix() not in redirects
    }
    assert pages - locs == set()
    assert not any(BASE + name.removesuffix("index.html") in locs for name in redirects)
    assert (basic_site / "robots.txt").read_text().strip().endswith(f"Sitemap: {BASE}sitemap.xml")


def _ld(path: Path) -> list[dict[str, Any]]:
    return [json.loads(block) for block in head(path).ld]


def test_claim_pages_have_exactly_one_claim_review(basic_site: Path) -> None:
    claims = yaml.safe_load(CLAIMS_YAML.read_text(encoding="utf-8"))
    for claim in claims:
        page = basic_site / "articles" / ARTICLE / "claims" / claim["id"] / "index.html"
        blocks = [b for b in _ld(page) if b.get("@type") == "ClaimReview"]
        assert len(blocks) == 1, claim["id"]
        review = blocks[0]
        assert review["@context"] == "https://schema.org"
        assert review["url"] == BASE + f"articles/{ARTICLE}/claims/{claim['id']}/"
        assert review["claimReviewed"] == claim["quote"]
        assert review["author"] == {
            "@type": "Organization",
            "name": "Test Desk",
            "url": "https://example.com/",
        }
        # Reviewed on the claim's own date, else when the article was last updated.
        assert review["datePublished"] == str(claim.get("reviewed", "2025-08-03"))
        rating = review["reviewRating"]
        (scale,) = (r for r in RATINGS if r["key"] == claim["verdict"])
        assert rating["@type"] == "Rating" and rating["alternateName"] == scale["label"]
        if "value" in scale:
            values = [r["value"] for r in RATINGS if "value" in r]
            assert rating["ratingValue"] == scale["value"]
            assert (rating["worstRating"], rating["bestRating"]) == (min(values), max(values))
        else:
            assert "ratingValue" not in rating
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["author"] == {
            "@type": claim.get("claimant_type", "Person"),
            "name": claim["claimant"],
        }
        # The claim appeared in the story the article analyses (its source), first and only there.
        story = {
            "@type": "CreativeWork",
            "url": "https://example.net/story",
            "headline": "Chip rules story",
            "publisher": {"@type": "Organization", "name": "Example Wire"},
            "datePublished": "2025-07-31",
        }
        assert item["appearance"] == [story] and item["firstAppearance"] == story
        assert item["datePublished"] == "2025-07-31"


def test_article_json_ld(basic_site: Path) -> None:
    (data,) = _ld(basic_site / "articles" / ARTICLE / "index.html")
    assert data["@type"] == "AnalysisNewsArticle"
    assert data["headline"] == "Chip rules, explained"
    assert data["datePublished"].startswith("2025-08-01T10:00:00")
    assert data["dateModified"].startswith("2025-08-03")
    assert data["publisher"]["name"] == "Test Desk"
    assert data["isBasedOn"]["headline"] == "Chip rules story"


def test_claims_json_round_trips_to_claims_yaml(basic_site: Path) -> None:
    data = json.loads((basic_site / "claims.json").read_text(encoding="utf-8"))
    source = yaml.safe_load(CLAIMS_YAML.read_text(encoding="utf-8"))
    records = {r["id"]: r for r in data["claims"]}
    assert set(records) == {c["id"] for c in source}
    simple = (
        "quote",
        "prefix",
        "suffix",
        "claimant",
        "claimant_type",
        "type",
        "verdict",
        "summary",
    )
    for claim in source:
        record = records[claim["id"]]
        for key in simple:
            if key in claim:
                assert record[key] == str(claim[key]).strip(), (claim["id"], key)
        assert record["analysis"] == str(claim.get("analysis", "")).strip()
        assert [e["url"] for e in record["evidence"]] == [e["url"] for e in claim["evidence"]]
        assert [e["title"] for e in record["evidence"]] == [e["title"] for e in claim["evidence"]]
        assert [(f["label"], f["value"]) for f in record["figures"]] == [
            (f["label"], f["value"]) for f in claim.get("figures", [])
        ]
        assert record["topics"] == claim.get("topics", [])
        assert record["claim_url"] == BASE + f"articles/{ARTICLE}/claims/{claim['id']}/"
        (scale,) = (r for r in RATINGS if r["key"] == claim["verdict"])
        assert record["verdict_label"] == scale["label"]
        assert record["verdict_value"] == scale.get("value")


def test_article_page_marks_every_claim(basic_site: Path) -> None:
    html = (basic_site / "articles" / ARTICLE / "index.html").read_text(encoding="utf-8")
    for claim in yaml.safe_load(CLAIMS_YAML.read_text(encoding="utf-8")):
        assert f'id="claim-{claim["id"]}"' in html
        assert f'id="review-{claim["id"]}"' in html
        assert f'href="#review-{claim["id"]}"' in html


def test_internal_links_resolve(basic_site: Path) -> None:
    from aisite.links import check_links

    assert check_links(basic_site, "/news/") == []


def test_stylesheet_carries_the_verdict_colours_of_site_yaml(basic_site: Path) -> None:
    (css,) = basic_site.glob("style.*.css")
    text = css.read_text(encoding="utf-8")
    for rating in RATINGS:
        assert f".verdict-{rating['key']}{{--verdict:{rating['color']}}}" in text, rating["key"]
