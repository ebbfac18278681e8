"""No HTML page grows with the archive: every listing is paginated, at any size."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisite import datafiles
from conftest import run_aisite
from test_plan import CLAIMS, article, make_site

pytestmark = pytest.mark.cli

SMALL_PAGES = (
    "page_size: {claims: 10, verdict: 10, claimant: 10, topic: 10, tag: 10, archive: 10, terms: 10}\n"
    "per_page: 5\n"
)


def write_site(root: Path, count: int) -> Path:
    """`count` articles over 4 years, 3 claims each, every claim by a claimant of its own."""
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(
        "title: Desk\nbase_url: https://example.org/\nsearch: false\n" + SMALL_PAGES
    )
    for n in range(count):
        folder = root / "content" / "articles" / f"s{n}"
        folder.mkdir()
        text = " ".join(f"Claim {n} {k} is said here." for k in range(3))
        (folder / "index.md").write_text(
            f"---\ntitle: Story {n}\ndate: {2021 + n % 4}-0{1 + n % 9}-1{n % 10}\n"
            f"tags: [Tag {n}, Common]\n---\n{text}\n"
        )
        (folder / "claims.yaml").write_text(
            "".join(
                f"- id: c{k}\n  quote: Claim {n} {k} is said\n  claimant: Person {n}-{k}\n"
                f"  verdict: {('accurate', 'misleading', 'inaccurate')[k]}\n  summary: S.\n"
                f"  topics: [Topic {n}, Everything]\n"
                "  evidence: [{title: E, url: 'https://e.org/'}]\n"
                for k in range(3)
            )
        )
    return root


def largest_page(site: Path) -> tuple[int, int]:
    """(bytes of the largest HTML file, number of HTML files) of a built site."""
    sizes = [p.stat().st_size for p in (site / "site").rglob("*.html")]
    return max(sizes), len(sizes)


def test_the_largest_page_does_not_grow_with_the_archive(tmp_path: Path) -> None:
    results = []
    for count in (20, 60):
        site = write_site(tmp_path / f"n{count}", count)
        built = run_aisite("build", "--source", str(site))
        assert built.returncode == 0, built.stderr
        results.append(largest_page(site))
    (small, small_pages), (large, large_pages) = results
    assert large_pages > 2.5 * small_pages  # three times the content: three times the pages
    assert large <= small * 1.05, (small, large)  # ... but no page grew
    assert large < 300_000
    listing = tmp_path / "n60" / "site"
    for paged in ("claims", "verdicts/accurate", "claimants", "topics", "tags", "tags/common",
                  "topics/everything", "archive/2021"):  # fmt: skip
        assert (listing / paged / "page" / "2" / "index.html").is_file(), paged


@pytest.mark.unit
def test_a_sitemap_over_the_limit_becomes_an_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aisite.render import SitePlan

    monkeypatch.setattr(datafiles, "SITEMAP_LIMIT", 10)
    site = make_site(article("old", 1, CLAIMS), article("new", 2))
    outputs = {o.path: o for o in SitePlan(site, tmp_path).outputs()}
    parts = sorted(p for p in outputs if p.startswith("sitemap-"))
    assert len(parts) >= 2
    index = outputs["sitemap.xml"].render()  # type: ignore[misc]
    assert index.count(b"<sitemap><loc>https://example.org/news/sitemap-") == len(parts)
    for part in parts:  # written as it is made, the same bytes
        stream = outputs[part].stream
        assert stream is not None and b"".join(stream()) == outputs[part].render()  # type: ignore[misc]
    urls = sum(outputs[p].render().count(b"<url>") for p in parts)  # type: ignore[misc]
    pages = [p for p in outputs if p.endswith(".html") and p != "404.html"]
    assert urls == len(pages)


@pytest.mark.unit
def test_a_sitemap_is_written_a_thousand_pages_at_a_time_as_one_document() -> None:
    pages = [(f"p{i}/?a=1&b=<{i}>", "2024-01-02T03:04:05" if i % 3 else "") for i in range(2500)]
    pieces = list(datafiles.sitemap_pieces("https://example.org/", pages))
    assert len(pieces) == 6 and max(map(len, pieces)) < 100_000  # 3 of 1,000 pages at most
    lines = [
        f"  <url><loc>https://example.org/p{i}/?a=1&amp;b=&lt;{i}&gt;</loc>"
        + ("<lastmod>2024-01-02</lastmod>" if i % 3 else "")
        + "</url>"
        for i in range(2500)
    ]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    urlset = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    assert b"".join(pieces) == (head + urlset + "\n".join(lines) + "\n</urlset>\n").encode()
    assert datafiles.sitemap("https://example.org/", pages) == b"".join(pieces)
