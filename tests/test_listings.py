"""Paginated listings, the date archive and the claim feeds of a generated site, read by others' tools."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import feedparser
import pytest

from browser_support import require_program
from conftest import run_aisite
from test_search import write_site

pytestmark = pytest.mark.cli
BASE = "https://example.org/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("listings") / "site", search=False, claims=36)
    config = site / "content" / "site.yaml"
    config.write_text(
        config.read_text()
        + "feed: {items: 5}\npage_size: {claims: 10, verdict: 4, claimant: 2, archive: 2}\n"
    )
    result = run_aisite("build", "--source", str(site))
    assert result.returncode == 0, result.stderr
    return site / "site"


def test_claims_listing_pages_link_to_each_other(built: Path) -> None:
    first = (built / "claims" / "index.html").read_text()
    second = (built / "claims" / "page" / "2" / "index.html").read_text()
    last = (built / "claims" / "page" / "4" / "index.html").read_text()
    assert not (built / "claims" / "page" / "5").exists()  # 36 claims, 10 a page
    assert '<link rel="next" href="../claims/page/2/">' in first and 'rel="prev"' not in first
    assert '<link rel="prev" href="../../../claims/">' in second
    assert '<link rel="next" href="../../../claims/page/3/">' in second
    assert "<title>All claims – page 2 of 4 – Desk</title>" in second
    assert 'rel="next"' not in last
    # Counts and the chart of the whole listing on page 1 only.
    assert 'class="counts"' in first and 'class="counts"' not in second
    assert first.count('class="claim-row ') == 10 and last.count('class="claim-row ') == 6


def test_the_archive_groups_years_and_months(built: Path) -> None:
    archive = (built / "archive" / "index.html").read_text()
    years = re.findall(
        r'<a href="\.\./archive/(\d{4})/">(\d{4})</a> <span class="count">(\d+) article', archive
    )
    assert [y for y, _, _ in years] == ["2025", "2024", "2023", "2022", "2021", "2020"]
    assert sum(int(n) for _, _, n in years) == 12
    year = (built / "archive" / "2025" / "index.html").read_text()
    assert re.search(r'<h2 id="month-3" class="section-title">March</h2>', year)
    assert '<a href="../../">AI' not in year  # links go to articles, relative to this page
    assert re.search(r'<a href="\.\./\.\./articles/story-\d+/">Story \d+</a>', year)
    footer = (built / "index.html").read_text()
    assert '<a href="archive/">Archive</a>' in footer
    assert (built / "archive" / "2025" / "page" / "2" / "index.html").exists() is False
    assert "Archive: 2025" in year


def test_claim_feeds_are_valid_and_filtered(built: Path) -> None:
    everything = feedparser.parse((built / "claims" / "feed.xml").read_bytes())
    assert not everything.bozo and len(everything.entries) == 5  # feed.items
    entry = everything.entries[0]
    assert re.fullmatch(
        r"(Accurate|Misleading|Inaccurate|Needs context|Unverifiable): “Sentence \d+-\d says”",
        entry.title,
    )
    assert entry.link.startswith(BASE + "articles/story-") and entry.link.endswith("/")
    assert entry.id == entry.link and entry.summary.startswith("S ")
    verdict = feedparser.parse((built / "verdicts" / "misleading" / "feed.xml").read_bytes())
    assert verdict.entries and all(e.title.startswith("Misleading: ") for e in verdict.entries)
    claimant = feedparser.parse((built / "claimants" / "ana" / "feed.xml").read_bytes())
    assert claimant.feed.title == "Desk – claims by Ana" and claimant.entries
    page = (built / "claimants" / "ana" / "index.html").read_text()
    assert (
        '<link rel="alternate" type="application/rss+xml" title="Desk – claims by Ana" href="../../claimants/ana/feed.xml">'
        in page
    )


def test_newsboat_reads_a_claim_feed(built: Path, tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text(f"file://{built / 'verdicts' / 'misleading' / 'feed.xml'}\n")
    cache = tmp_path / "cache.db"
    newsboat = require_program("newsboat", "newsboat (apt-get install newsboat)", "/usr/bin:/bin")
    result = subprocess.run(
        [newsboat, "-u", str(urls), "-c", str(cache), "-x", "reload", "print-unread"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    count = len(
        feedparser.parse((built / "verdicts" / "misleading" / "feed.xml").read_bytes()).entries
    )
    assert result.stdout.strip() == f"{count} unread articles"
    with sqlite3.connect(cache) as db:
        titles = [row[0] for row in db.execute("select title from rss_item")]
    assert titles and all(t.startswith("Misleading: “Sentence ") for t in titles)
