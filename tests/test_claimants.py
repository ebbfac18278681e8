"""The claimant registry's lookups and the similarity rules behind 'did you mean' and reuse hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisite.claimants import find, near_miss, parse_claimants
from aisite.config import parse_config
from aisite.errors import Problems
from aisite.parse import parse_article
from aisite.reuse import SIMILAR, hints
from aisite.siteconfig import Claimant

pytestmark = pytest.mark.unit

REGISTRY = (
    Claimant("epoch-ai", "Epoch AI", "Organization", "", "", ()),
    Claimant("john-smith", "John Smith", "Person", "", "", ()),
)


def test_a_claim_names_a_registered_claimant_by_key_or_exact_name() -> None:
    assert find("epoch-ai", REGISTRY) == REGISTRY[0]
    assert find("Epoch AI", REGISTRY) == REGISTRY[0]
    assert find("epoch ai", REGISTRY) is None  # not exact: near_miss reports it


@pytest.mark.parametrize("name", ["Epoch Al", "epoch ai", "Epoch-AI", "EpochAI", "Époch AI"])
def test_misspellings_of_a_registered_name_are_near_misses(name: str) -> None:
    assert near_miss(name, REGISTRY) == REGISTRY[0]


@pytest.mark.parametrize("name", ["Jane Smith", "Epoch Times", "OpenAI", "John"])
def test_different_names_are_free_names(name: str) -> None:
    assert near_miss(name, REGISTRY) is None


def test_registry_entries_keep_their_lines_and_links() -> None:
    problems = Problems()
    text = "- key: a\n  name: A\n  same_as: [https://w.org/a]\n- key: b\n  name: B\n  type: Organization\n"
    entries = parse_claimants(text, problems)
    assert not problems
    assert [(c.key, c.line, c.type, c.same_as) for c in entries] == [
        ("a", 1, "Person", ("https://w.org/a",)),
        ("b", 4, "Organization", ()),
    ]


def _article(slug: str, day: int, quote: str):  # type: ignore[no-untyped-def]
    config, _ = parse_config("content/site.yaml", "title: T\nbase_url: https://e.org/\n")
    assert config is not None
    text = f"---\ntitle: {slug}\ndate: 2025-03-{day:02d}\n---\n{quote}.\n"
    claims = (
        f"- id: c\n  quote: {quote}\n  claimant: X\n  verdict: accurate\n  summary: S.\n"
        "  evidence:\n    - {title: T, url: 'https://e.org/t'}\n"
    )
    article, problems = parse_article(f"a/{slug}.md", slug, text, config, f"{slug}.yaml", claims)
    assert article is not None, problems.items
    return article


def test_reuse_hints_point_later_claims_at_earlier_reviews() -> None:
    first = _article("first", 1, "trained at a fraction of the cost of its rivals")
    close = _article("close", 2, "trained at a fraction of the cost of rivals")
    far = _article("far", 3, "trained at half the cost of its closest rivals in China")
    found = hints([far, close, first])
    assert found == [("close.yaml", 1, found[0][2])]
    assert found[0][2].endswith("review: first/c")


def test_the_reuse_threshold_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "content-format.md").read_text()
    assert f"{SIMILAR:.2f}" in docs or f"{SIMILAR}" in docs
