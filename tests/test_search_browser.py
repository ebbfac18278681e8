"""Search in Chromium: the header box, results with verdicts, filters, the keyboard, axe.

The test site (tests/sites/basic) is built for the root of its host and served there; the search
for "rules" finds its article and three claim reviews, one per verdict True, Half true, Unproven.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser_support import WIDTHS, format_violations, run_axe, serve
from conftest import EPOCH, SITES, copy_site, run_aisite
from test_browser import BASE_PATH, browse, shot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tests/sites/basic built for https://example.com/ and served at the root of 127.0.0.1."""
    folder = tmp_path_factory.mktemp("search")
    source, out = copy_site(SITES / "basic", folder / "source"), folder / "site"
    args = ("--base-url", "https://example.com/", "--source", str(source))
    result = run_aisite("build", *args, "--output", str(out), env=EPOCH)  # see conftest.built
    assert result.returncode == 0, result.stderr
    with serve(out) as origin:
        yield origin


def _results(page: Any) -> list[str]:
    page.wait_for_function(
        "/result|could not load/.test(document.getElementById('search-status').textContent)"
    )
    status = page.locator("#search-status").inner_text()
    assert "result" in status, status
    return page.locator(".search-title").all_inner_texts()


def _all_shown(page: Any) -> None:
    """Press "Show more results" until every result is on the page (the list is aria-busy
    while a batch loads; the button is hidden once the last one is in)."""
    idle = "!document.getElementById('search-results').hasAttribute('aria-busy')"
    page.wait_for_function(idle)
    while page.locator("#search-more").is_visible():
        page.click("#search-more")
        page.wait_for_function(idle)


def test_search_from_the_header_then_filter(chromium: Any, site_origin: str) -> None:
    with browse(chromium, site_origin, 1280) as (page, watcher, blocked):
        page.goto(f"{site_origin}/", wait_until="networkidle")
        page.fill("#site-search-q", "rules")
        page.press("#site-search-q", "Enter")
        page.wait_for_url("**/search/?q=rules")
        titles = _results(page)
        assert len(titles) == 4 and "Chip rules, explained" in titles, titles
        claim = "“the rules protect nothing”"
        item = page.locator(".search-result", has_text=claim)
        assert item.locator(".badge").inner_text().replace("\n", " ") == "Verdict: Unproven"
        # Each page finishes loading (its icon too) before the next navigation aborts it.
        page.wait_for_load_state("networkidle")
        item.locator("a").click()
        page.wait_for_url("**/claims/protect-nothing/")
        page.wait_for_load_state("networkidle")
        page.go_back()
        _results(page)
        page.click(".search-options summary")
        page.select_option("#search-verdict", "Unproven")
        page.click(".search-row button")
        page.wait_for_url("**/search/?q=rules&verdict=Unproven")
        filtered = _results(page)
        verdicts = set(page.locator(".search-verdict .badge").all_inner_texts())
        assert filtered == [claim]
        assert {v.replace("\n", " ") for v in verdicts} == {"Verdict: Unproven"}
        problems = list(watcher.problems)
    assert not problems and not blocked, problems + blocked


def test_search_with_the_keyboard_only(chromium: Any, site_origin: str) -> None:
    with browse(chromium, site_origin, 375) as (page, watcher, _blocked):
        page.goto(f"{site_origin}/", wait_until="networkidle")
        for _ in range(30):  # Tab until the header's search box has focus
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "site-search-q":
                break
        page.keyboard.type("rules")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=rules")
        assert _results(page)
        page.focus("#search-q")
        page.keyboard.press("Tab")  # the Search button
        page.keyboard.press("Tab")  # the "Filters and order" toggle
        assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "search-verdict"
        while page.evaluate("document.getElementById('search-verdict').value") != "Half true":
            page.keyboard.press("ArrowDown")
        for _ in range(10):  # on through the other filters to the Apply button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.className") == "search-apply":
                break
        page.keyboard.press("Enter")
        page.wait_for_url("**/search/?q=rules&verdict=Half+true")
        assert len(_results(page)) == 1
        assert set(page.locator(".search-verdict .badge").all_inner_texts()) == {
            "Verdict:\nHalf true"
        }
        assert not watcher.problems


@pytest.mark.parametrize("dark", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_search_results_page_is_accessible(
    chromium: Any, site_origin: str, width: int, dark: bool
) -> None:
    with browse(chromium, site_origin, width, dark=dark) as (page, watcher, blocked):
        page.goto(f"{site_origin}/search/?q=rules&sort=newest", wait_until="load")
        _results(page)
        shot(page, f"search-results-{width}" + ("-dark" if dark else ""))
        violations = run_axe(page)
        problems = list(watcher.problems)
    assert not violations, format_violations(violations)
    assert not problems and not blocked, problems + blocked


def test_search_without_javascript_says_so(chromium: Any, site_origin: str) -> None:
    with browse(chromium, site_origin, 375, javascript=False) as (page, _watcher, _blocked):
        page.goto(f"{site_origin}/search/?q=rules", wait_until="load")
        notice = page.locator("noscript").first.inner_text()
        assert "Search needs JavaScript" in notice
        links = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    assert "../claims/" in links and "../archive/" in links


def test_search_works_on_a_site_below_a_path(chromium: Any, basic_site: Path) -> None:
    with serve(basic_site, BASE_PATH) as origin:
        site = origin + BASE_PATH.rstrip("/")
        with browse(chromium, site, 1280) as (page, watcher, blocked):
            page.goto(f"{site}/search/?q=rules", wait_until="load")
            assert len(_results(page)) == 4
            links = page.eval_on_selector_all(".search-title a", "els => els.map(e => e.href)")
            problems = list(watcher.problems)
    # Each result links to its page below the path (the path once: not /news/news/...).
    assert sorted(links) == sorted(
        f"{site}/articles/chip-rules-explained/{part}"
        for part in (
            "",
            *(
                f"claims/{c}/"
                for c in ("protect-nothing", "federal-register-term", "restricted-2022")
            ),
        )
    ), links
    assert not problems and not blocked, problems + blocked


def test_search_across_years_in_date_order(chromium: Any, tmp_path: Path) -> None:
    from test_search import write_site

    site = write_site(tmp_path / "site")  # eight stories over 2020-2025: a bundle per year
    assert run_aisite("build", "--source", str(site), env=EPOCH).returncode == 0
    with serve(site / "site") as origin, browse(chromium, origin, 1280) as (page, watcher, blocked):

        def dates(query: str) -> list[str]:
            page.goto(f"{origin}/search/{query}", wait_until="load")
            _results(page)
            _all_shown(page)
            return [t.split(" · ")[-1] for t in page.locator(".search-meta").all_inner_texts()]

        newest = dates("?q=chips&type=Analysis&sort=newest")
        oldest = dates("?q=chips&type=Analysis&sort=oldest")
        years = page.locator("#search-year option").all_inner_texts()
        problems = list(watcher.problems)
    assert len(newest) == 8 and newest == sorted(newest, reverse=True), newest
    assert oldest == list(reversed(newest))
    # Counts summed over the bundles: an article and its three claims a story, two in 2020, 2021.
    counts = [f"{y} ({8 if y < 2022 else 4})" for y in range(2025, 2019, -1)]
    assert years == ["Any", *counts], years
    assert not problems and not blocked, problems + blocked


def test_search_across_parts_of_a_busy_year_in_date_order(chromium: Any, tmp_path: Path) -> None:
    # A year with more records than a part holds is split into months; the parts are merged
    # into one Pagefind instance, whose own order for several parts is by score: the date
    # order must still run across the parts, whichever way, and leave no result out.
    from test_search import write_site

    dates = [f"2024-{m:02d}-{1 + m:02d}" for m in range(1, 13)] + ["2023-05-05", "2023-06-06"]
    site = write_site(tmp_path / "site", claims=3 * len(dates), dates=dates)
    pages = site / "content" / "pages"
    pages.mkdir()
    (pages / "about.md").write_text("---\ntitle: About\n---\nEvery sentence is checked.\n")
    small = (  # parts of a story's records at most (search.ARTICLE_RECORDS) and its 3 claims'
        "import sys, aisite.search as s; s.PART_RECORDS = s.ARTICLE_RECORDS + 3; "
        "from aisite.cli import run; sys.exit(run())"
    )
    command = [sys.executable, "-c", small, "build", "-q", "--source", str(site)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    parts = sorted(p.name for p in (site / "site" / "pagefind").iterdir())
    # 2024: 12 parts' records, a part a month; 2023: 2 parts' records in two halves, both
    # stories in the first.
    assert parts == ["2023-01", *(f"2024-{m:02d}" for m in range(1, 13)), "pages"], parts
    with serve(site / "site") as origin, browse(chromium, origin, 1280) as (page, watcher, blocked):

        def listed(query: str) -> list[tuple[str, str]]:
            page.goto(f"{origin}/search/{query}", wait_until="load")
            _results(page)
            _all_shown(page)
            statuses.append(page.locator("#search-status").inner_text())
            titles = page.locator(".search-title").all_inner_texts()
            metas = page.locator(".search-meta").all_inner_texts()
            return [(m.split(" · ")[-1], t) for m, t in zip(metas, titles, strict=True)]

        statuses: list[str] = []
        newest = listed("?q=sentence&sort=newest")
        oldest = listed("?q=sentence&sort=oldest")
        best = listed("?q=sentence")
        problems = list(watcher.problems)
    # Every story and its three claims; the page (no date) only where the order is best match.
    assert len(newest) == 4 * len(dates), newest
    assert [d for d, _ in newest] == sorted((d for d, _ in newest), reverse=True)
    assert [d for d, _ in oldest] == sorted(d for d, _ in oldest)
    assert sorted(oldest) == sorted(newest) == sorted(r for r in best if r[1] != "About")
    assert ("Page", "About") in best and len(best) == len(newest) + 1
    assert statuses == [
        f"{n} results for “sentence”." for n in (len(newest), len(newest), len(best))
    ]
    assert not problems and not blocked, problems + blocked
