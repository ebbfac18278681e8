"""Search in Chromium: the header box, results with verdicts, filters, the keyboard, axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser_support import WIDTHS, format_violations, run_axe
from test_browser import browse, shot
from test_browser import site_origin as site_origin  # the served default site (a fixture)

pytestmark = pytest.mark.browser


def _results(page: Any) -> list[str]:
    page.wait_for_function(
        "document.getElementById('search-status').textContent.includes('result')"
    )
    return page.locator(".search-title").all_inner_texts()


def test_search_from_the_header_then_filter(chromium: Any, site_origin: str) -> None:
    with browse(chromium, site_origin, 1280) as (page, watcher, blocked):
        page.goto(f"{site_origin}/", wait_until="load")
        page.fill("#site-search-q", "DeepSeek")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/search/?q=DeepSeek")
        titles = _results(page)
        claim = next(t for t in titles if t.startswith("“Chinese start-up DeepSeek made waves"))
        item = page.locator(".search-result", has_text=claim[:40])
        assert item.locator(".badge").inner_text().replace("\n", " ") == "Verdict: Needs context"
        item.locator("a").click()
        page.wait_for_url("**/claims/deepseek-fraction-of-cost/")
        page.go_back()
        _results(page)
        page.click(".search-options summary")
        page.select_option("#search-verdict", "Needs context")
        page.click(".search-row button")
        page.wait_for_url("**/search/?q=DeepSeek&verdict=Needs+context")
        filtered = _results(page)
        verdicts = set(page.locator(".search-verdict .badge").all_inner_texts())
        assert filtered and len(filtered) < len(titles)
        assert {v.replace("\n", " ") for v in verdicts} == {"Verdict: Needs context"}
        problems = list(watcher.problems)
    assert not problems and not blocked, problems + blocked


def test_search_with_the_keyboard_only(chromium: Any, site_origin: str) -> None:
    with browse(chromium, site_origin, 375) as (page, watcher, _blocked):
        page.goto(f"{site_origin}/", wait_until="load")
        for _ in range(30):  # Tab until the header's search box has focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "site-search-q":
                break
        page.keyboard.type("DeepSeek")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=DeepSeek")
        assert _results(page)
        page.focus("#search-q")
        page.keyboard.press("Tab")  # the Search button
        page.keyboard.press("Tab")  # the "Filters and order" toggle
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "search-verdict"
        while page.evaluate("document.getElementById('search-verdict').value") != "Unverifiable":
            page.keyboard.press("ArrowDown")
        for _ in range(10):  # on through the other filters to the Apply button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.className") == "search-apply":
                break
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=DeepSeek&verdict=Unverifiable")
        assert _results(page)
        assert set(page.locator(".search-verdict .badge").all_inner_texts()) == {
            "Verdict:\nUnverifiable"
        }
        assert not watcher.problems


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_search_results_page_is_accessible(
    chromium: Any, site_origin: str, width: int, dark: bool
) -> None:
    with browse(chromium, site_origin, width, dark=dark) as (page, watcher, blocked):
        page.goto(f"{site_origin}/search/?q=DeepSeek&sort=newest", wait_until="load")
        _results(page)
        shot(page, f"search-results-{width}" + ("-dark" if dark else ""))
        violations = run_axe(page)
        problems = list(watcher.problems)
    assert not violations, format_violations(violations)
    assert not problems and not blocked, problems + blocked


def test_search_without_javascript_says_so(
    chromium: Any, site_origin: str, default_site: Path
) -> None:
    with browse(chromium, site_origin, 375, javascript=False) as (page, _watcher, _blocked):
        page.goto(f"{site_origin}/search/?q=DeepSeek", wait_until="load")
        notice = page.locator("noscript").first.inner_text()
        assert "Search needs JavaScript" in notice
        links = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    assert "../claims/" in links and "../archive/" in links
