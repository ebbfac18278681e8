"""The repository's own analysis: complete, faithful to the story, and built on real evidence."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from conftest import REPO

ARTICLE = REPO / "content" / "articles" / "china-races-to-outpace-us-in-ai-leadership"
SEED = Path(__file__).parent / "data" / "seed-article.txt"


def story_paragraphs() -> list[str]:
    """The story's paragraphs: the seed text without its title line and page furniture."""
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [line for line in lines[1:] if not line.startswith("Post a Comment")]


def body_paragraphs() -> list[str]:
    text = (ARTICLE / "index.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    return [re.sub(r"^#+ ", "", block.strip()) for block in body.split("\n\n") if block.strip()]


def test_article_text_matches_the_story_paragraph_by_paragraph() -> None:
    assert body_paragraphs() == story_paragraphs()


def test_claims_cover_the_story_with_real_evidence_and_varied_verdicts() -> None:
    claims = yaml.safe_load((ARTICLE / "claims.yaml").read_text(encoding="utf-8"))
    site = yaml.safe_load((REPO / "content" / "site.yaml").read_text(encoding="utf-8"))
    assert len(claims) >= 12
    assert len({c["verdict"] for c in claims}) >= 3
    assert {c["verdict"] for c in claims} <= {r["key"] for r in site["ratings"]}
    for claim in claims:
        assert claim["evidence"], claim["id"]
        assert all(e["url"].startswith("https://") for e in claim["evidence"]), claim["id"]
        assert claim.get("analysis", "").strip(), claim["id"]
    quoted = " ".join(c["quote"] for c in claims)
    for name in ("Nunlist", "Brad Smith", "Li Qiang", "Grace Shao", "DeepSeek", "Zhipu"):
        assert name in quoted or any(name in c["claimant"] for c in claims), name
    assert any(c.get("figures") for c in claims)


def test_rating_scale_has_five_or_six_levels() -> None:
    site = yaml.safe_load((REPO / "content" / "site.yaml").read_text(encoding="utf-8"))
    assert 5 <= len(site["ratings"]) <= 6
    assert site["base_url"] == "https://example.org/"


def test_standard_pages_exist() -> None:
    for name in ("about", "methodology", "corrections"):
        assert (REPO / "content" / "pages" / f"{name}.md").is_file(), name
