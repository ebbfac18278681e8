"""The repository's own content/: complete, faithful to the story, built on real evidence, and clean.

The only tests that read content/; every test of aisite's code uses a site under tests/sites/.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, aisite

pytestmark = pytest.mark.content

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


@pytest.mark.unit
def test_article_text_matches_the_story_paragraph_by_paragraph() -> None:
    assert body_paragraphs() == story_paragraphs()


@pytest.mark.unit
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


@pytest.mark.unit
def test_rating_scale_has_five_or_six_levels() -> None:
    site = yaml.safe_load((REPO / "content" / "site.yaml").read_text(encoding="utf-8"))
    assert 5 <= len(site["ratings"]) <= 6
    assert site["base_url"] == "https://example.org/"


@pytest.mark.unit
def test_standard_pages_exist() -> None:
    for name in ("about", "methodology", "corrections"):
        assert (REPO / "content" / "pages" / f"{name}.md").is_file(), name


CONTENT = REPO / "content"


def _day(value: object) -> dt.date:
    """A YAML date or datetime as a calendar day."""
    if isinstance(value, dt.datetime):
        return value.date()
    assert isinstance(value, dt.date), value
    return value


def _front(article: Path) -> dict[str, Any]:
    text = (article / "index.md").read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert isinstance(data, dict)
    return data


def _claims(article: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((article / "claims.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def _articles() -> list[Path]:
    return sorted(p for p in (CONTENT / "articles").iterdir() if (p / "index.md").is_file())


def _reviewed_claims() -> list[tuple[Path, dict[str, Any]]]:
    """Every claim that carries its own review (not a `review:` reuse), with its article."""
    return [(a, c) for a in _articles() for c in _claims(a) if "review" not in c]


def _review_day(article: Path, claim: dict[str, Any]) -> dt.date:
    """The claim's review date: its own, else the article's updated, else its date."""
    front = _front(article)
    return _day(claim.get("reviewed", front.get("updated", front["date"])))


def _last_day(article: Path, claim: dict[str, Any]) -> dt.date:
    """The day of the claim's review or of its latest update, whichever is later."""
    days = [_review_day(article, claim)] + [_day(u["date"]) for u in claim.get("updates", [])]
    return max(days)


@pytest.mark.unit
def test_dates_are_consistent() -> None:
    """Story before analysis, analysis before its reviews, no evidence dated after the review."""
    for article in _articles():
        front = _front(article)
        published = _day(front["date"])
        assert _day(front.get("updated", published)) >= published, article.name
        story = front.get("source", {}).get("published")
        assert story is None or _day(story) <= published, article.name
    for article, claim in _reviewed_claims():
        reviewed = _review_day(article, claim)
        assert reviewed >= _day(_front(article)["date"]), claim["id"]
        assert all(_day(u["date"]) >= reviewed for u in claim.get("updates", [])), claim["id"]
        last = _last_day(article, claim)
        for item in claim["evidence"]:
            for key in ("published", "accessed"):
                if key in item:
                    assert _day(item[key]) <= last, (claim["id"], item["url"], key)


@pytest.mark.unit
def test_every_claim_is_sourced_from_a_checked_copy() -> None:
    """Each review rests on at least one source read on a stated day; a shown quote was read."""
    for _article, claim in _reviewed_claims():
        assert claim.get("analysis", "").strip() and claim["summary"].strip(), claim["id"]
        evidence = claim["evidence"]
        assert any("accessed" in item for item in evidence), claim["id"]
        for item in evidence:
            assert item["url"].startswith("https://"), (claim["id"], item["url"])
            assert "quote" not in item or "accessed" in item, (claim["id"], item["url"])


@pytest.mark.unit
def test_archives_present_where_promised() -> None:
    """With require_archive every source has an archived copy; without it the analysis says why."""
    site = yaml.safe_load((CONTENT / "site.yaml").read_text(encoding="utf-8"))
    required = site.get("evidence", {}).get("require_archive", False)
    for article in _articles():
        claims = [c for c in _claims(article) if "review" not in c]
        missing = [e["url"] for c in claims for e in c["evidence"] if "archived_url" not in e]
        if required:
            assert not missing, (article.name, missing)
        elif missing:
            analysis = " ".join(_front(article).get("analysis", "").split())
            assert "Archived copies could not be" in analysis, article.name
    archives = [e for _a, c in _reviewed_claims() for e in c["evidence"] if "archived_url" in e]
    assert all(e["archived_url"].startswith("https://") for e in archives)


@pytest.mark.unit
def test_claimants_are_registered_or_explained() -> None:
    """The story's own claims name a registered claimant; no placeholder author remains."""
    registry = yaml.safe_load((CONTENT / "claimants.yaml").read_text(encoding="utf-8"))
    names = {entry["name"] for entry in registry} | {entry["key"] for entry in registry}
    claimants = {c["claimant"] for _a, c in _reviewed_claims()}
    assert "Unnamed author of the article" not in claimants
    assert "Unidentified publisher of the story" in claimants
    free = claimants - names
    assert free <= {"Unnamed foreign delegates"}, free


@pytest.mark.unit
def test_the_afp_report_is_the_first_appearance() -> None:
    """Where a claim lists where else it appeared, the AFP wire report comes first by date."""
    for _article, claim in _reviewed_claims():
        dated = [a for a in claim.get("appearances", []) if "date" in a]
        if dated:
            first = min(dated, key=lambda a: _day(a["date"]))
            assert "AFP" in first["publisher"], claim["id"]


@pytest.mark.unit
def test_the_explainer_reuses_at_least_three_reviews() -> None:
    """The second piece quotes reviewed claims through `review:`, never reviews they postdate."""
    reviewed = {(a.name, c["id"]): (a, c) for a, c in _reviewed_claims()}
    explainer = CONTENT / "articles" / "what-deepseeks-training-cost-includes"
    reuses = _claims(explainer)
    assert len(reuses) >= 3
    published = _day(_front(explainer)["date"])
    for item in reuses:
        assert set(item) <= {"id", "quote", "prefix", "suffix", "review"}, item["id"]
        slug, claim_id = item["review"].split("/")
        article, claim = reviewed[(slug, claim_id)]
        assert _last_day(article, claim) <= published, item["review"]


@pytest.mark.cli
def test_the_site_checks_clean_and_every_internal_link_resolves() -> None:
    result = aisite("check", "--links", "--source", str(REPO))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No problems: ") and result.stderr == ""
