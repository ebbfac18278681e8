"""Claims across stories in Chromium: a registered claimant's track record, a claim with updates
and appearances, an article reusing a review. axe-core, phone and desktop, light and dark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import serve
from conftest import copy_site, run_aisite
from test_browser import OVERFLOW_JS, browse, format_violations, run_axe, shot

pytestmark = pytest.mark.browser

ACROSS = Path(__file__).parent / "sites" / "across"
PAGES = {
    "claimant-registered": "claimants/deep-lab/",
    "claim-updated": "articles/cost-claims-first/claims/fraction-of-cost/",
    "article-reusing": "articles/cost-claims-again/",
    "corrections-log": "corrections/",
}


@pytest.fixture(scope="module")
def across(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("across-browser")
    source, out = copy_site(ACROSS, folder / "source"), folder / "site"
    result = run_aisite("build", "--source", str(source), "--output", str(out))
    assert result.returncode == 0, result.stderr
    with serve(out) as origin:
        yield origin


@pytest.mark.parametrize(("width", "dark"), [(375, False), (375, True), (1280, False)])
@pytest.mark.parametrize("name", list(PAGES))
def test_page(name: str, width: int, dark: bool, chromium: Any, across: str) -> None:
    with browse(chromium, across, width, dark=dark) as (page, watcher, blocked):
        page.goto(f"{across}/{PAGES[name]}", wait_until="load")
        shot(page, f"{name}-{width}" + ("-dark" if dark else ""))
        violations = run_axe(page)
        overflow = page.evaluate(OVERFLOW_JS)
        problems = list(watcher.problems)
    problems += [f"request to a third party: {url}" for url in blocked]
    if violations:
        problems.append("axe-core violations:\n" + format_violations(violations))
    if width <= 400 and overflow["scrollWidth"] > overflow["clientWidth"]:
        problems.append(f"horizontal scrolling at {width}px: {', '.join(overflow['wide'])}")
    assert not problems, (
        f"/{PAGES[name]} ({width}px, {'dark' if dark else 'light'}):\n" + "\n".join(problems)
    )


def test_the_record_reads_without_colour(chromium: Any, across: str) -> None:
    """The track record is a chart with a text title and a table: counts readable as text."""
    with browse(chromium, across, 375) as (page, _, _):
        page.goto(f"{across}/{PAGES['claimant-registered']}", wait_until="load")
        title = page.locator("#claimant-chart title").text_content() or ""
        assert "Misleading 1" in title, title
        rows = page.locator("table.counts tbody tr").all_inner_texts()
        assert any(r.split() == ["Verdict:", "Misleading", "1"] for r in rows), rows


def test_a_reused_highlight_opens_its_card_and_leads_to_the_review(
    chromium: Any, across: str
) -> None:
    with browse(chromium, across, 375) as (page, watcher, _):
        page.goto(f"{across}/{PAGES['article-reusing']}", wait_until="load")
        page.locator("mark.claim#claim-fraction-again").click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for(state="visible", timeout=3000)
        assert "Only the final training run was counted." in dialog.inner_text()
        dialog.get_by_role("link", name="Read the full review").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/" + PAGES["claim-updated"]), page.url
        problems = list(watcher.problems)
    assert not problems, "\n".join(problems)
