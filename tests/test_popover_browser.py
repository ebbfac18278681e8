"""In Chromium: a claim's popover shows the verdict of claims.yaml, whatever the article's HTML fakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser_support import block_foreign, serve
from conftest import run_aisite

pytestmark = pytest.mark.browser


def _fake(gt: str, b: str, c: str, s: str) -> str:
    """A claim card rated Accurate, its reserved names hidden from a naive renaming."""
    return (
        f'<div{gt} class="{c}laim-card verdict-accurate" id="{b}eview-claim">'
        f'<p{gt} class="{c}laim-card-verdict"><span{gt} class="badge verdict-accurate">Accurate</span></p>'
        f'<p{gt} class="{c}laim-card-{s}ummary">FAKE: independent engineers confirmed it.</p>'
        f'<p{gt} class="{c}laim-card-claimant">Claimed by FAKE</p></div>'
    )


# The two ways author HTML slipped past the renaming of reserved ids and classes: a '>' inside
# an attribute value ended the tag early for it; an entity inside a value hid the name.
BYPASSES = {
    "gt-in-attribute": _fake(' title=">"', "r", "c", "s"),
    "entity-in-value": _fake("", "&#114;", "&#99;", "&#115;").replace('"badge', '"&#98;adge'),
}


@pytest.fixture(scope="module")
def faked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("faked")
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    for slug, fake in BYPASSES.items():
        folder = root / "content" / "articles" / slug
        folder.mkdir()
        (folder / "index.md").write_text(
            f"---\ntitle: {slug}\ndate: 2024-01-01\n---\n{fake}\n\n"
            "The minister said the bridge will open next year.\n"
        )
        (folder / "claims.yaml").write_text(
            "- id: claim\n  quote: the bridge will open next year\n  claimant: The minister\n"
            "  verdict: unverifiable\n  summary: No schedule has been published.\n"
            "  evidence:\n    - title: E\n      url: https://example.org/e\n"
        )
    out = root / "site"
    result = run_aisite("build", "--source", str(root), "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("slug", list(BYPASSES))
@pytest.mark.parametrize("trigger", ["a.claim-flag", "mark.claim"])
def test_the_popover_verdict_comes_only_from_claims_yaml(
    faked: Path, chromium: Any, slug: str, trigger: str
) -> None:
    with serve(faked) as origin:
        context = chromium.new_context()
        blocked: list[str] = []
        block_foreign(context, origin, blocked)
        page = context.new_page()
        page.goto(f"{origin}/articles/{slug}/", wait_until="load")
        page.locator(f'{trigger}[data-claim="claim"]').first.click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for(state="visible", timeout=3000)
        text = dialog.inner_text()
        context.close()
    assert "Unverifiable" in text, text
    assert "No schedule has been published." in text
    assert "The minister" in text
    assert "Accurate" not in text and "FAKE" not in text, text
