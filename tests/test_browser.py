"""The test site (tests/sites/basic, served at /news/) in a real browser: Debian's Chromium, Playwright.

Every kind of page at phone and desktop widths, light and dark: axe-core finds no accessibility
violations, nothing is logged to the console, every request succeeds and stays on the local
server, phones never scroll sideways. Highlighted claims work by keyboard and without JavaScript.
Screenshots go to test-artifacts/screenshots/. Also: the Nu Html Checker finds no errors.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from browser_support import (
    HEIGHT,
    PAGE_KINDS,
    VNU,
    WIDTHS,
    Watcher,
    block_foreign,
    format_violations,
    page_path,
    require,
    require_program,
    run_axe,
    serve,
)
from conftest import ARTIFACTS

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "screenshots"

# How far the widest element sticks out past the viewport, and which elements those are.
OVERFLOW_JS = """() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 0.5 && r.width > 0) {
            const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + (el.className && typeof el.className === "string"
                   ? "." + el.className.trim().split(/\\s+/).join(".") : "");
            wide.push(name + " right=" + Math.round(r.right));
        }
    }
    return {scrollWidth: root.scrollWidth, clientWidth: width, wide: wide.slice(0, 10)};
}"""


# The site's base_url is https://example.com/news/: it is served below /news/ as it would be.
BASE_PATH = "/news/"
KINDS = list(PAGE_KINDS)


@pytest.fixture(scope="module")
def site_origin(basic_site: Path) -> Iterator[str]:
    """The built test site, served on 127.0.0.1 below BASE_PATH (for this module only)."""
    with serve(basic_site, BASE_PATH) as origin:
        yield origin + BASE_PATH.rstrip("/")


@contextmanager
def browse(
    browser: Any, origin: str, width: int, *, dark: bool = False, javascript: bool = True
) -> Iterator[tuple[Any, Watcher, list[str]]]:
    """A fresh page at a width and colour scheme, watched, with foreign requests blocked."""
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHT.get(width, 900)},
        color_scheme="dark" if dark else "light",
        java_script_enabled=javascript,
        reduced_motion="reduce",
    )
    blocked: list[str] = []
    block_foreign(context, origin, blocked)
    page = context.new_page()
    watcher = Watcher(origin)
    watcher.attach(page)
    try:
        yield page, watcher, blocked
    finally:
        context.close()


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def check_page(
    browser: Any, origin: str, site: Path, kind: str, width: int, *, dark: bool = False
) -> None:
    """Load one page; screenshot it; fail with every problem found."""
    path = page_path(site, kind)
    with browse(browser, origin, width, dark=dark) as (page, watcher, blocked):
        page.goto(f"{origin}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        shot(page, f"{kind}-{width}" + ("-dark" if dark else ""))
        violations = run_axe(page)
        overflow = page.evaluate(OVERFLOW_JS)
        problems = list(watcher.problems)
    problems += [f"request to a third party: {url}" for url in blocked]
    if violations:
        problems.append("axe-core violations:\n" + format_violations(violations))
    if width <= 400 and overflow["scrollWidth"] > overflow["clientWidth"]:
        problems.append(
            f"horizontal scrolling at {width}px: scrollWidth {overflow['scrollWidth']} > "
            f"{overflow['clientWidth']}; too wide: {', '.join(overflow['wide'])}"
        )
    scheme = "dark" if dark else "light"
    assert not problems, f"/{path} ({kind}, {width}px, {scheme}):\n" + "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_page(kind: str, width: int, chromium: Any, site_origin: str, basic_site: Path) -> None:
    check_page(chromium, site_origin, basic_site, kind, width)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_page_dark(
    kind: str, width: int, chromium: Any, site_origin: str, basic_site: Path
) -> None:
    """The same checks with prefers-color-scheme: dark (contrast of the dark palette)."""
    check_page(chromium, site_origin, basic_site, kind, width, dark=True)


def _normal(text: str) -> str:
    text = text.replace("“", "").replace("”", "").replace("’", "'").replace('"', "")
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("width", WIDTHS)
def test_highlight_by_keyboard(
    width: int, chromium: Any, site_origin: str, basic_site: Path
) -> None:
    """Tab to a claim's verdict flag, Enter opens the popover, Escape closes it."""
    path = page_path(basic_site, "article")
    with browse(chromium, site_origin, width) as (page, watcher, _):
        page.goto(f"{site_origin}/{path}", wait_until="load")
        flag_id = None
        for _ in range(400):
            page.keyboard.press("Tab")
            flag_id = page.evaluate(
                "() => document.activeElement.matches('a.claim-flag')"
                " ? document.activeElement.dataset.claim : null"
            )
            if flag_id:
                break
        assert flag_id, "Tab never reached a claim flag (a.claim-flag)"
        card = page.locator(f"#review-{flag_id}")
        verdict = re.sub(r"^Verdict:\s*", "", card.locator(".badge").first.inner_text().strip())
        summary = card.locator(".claim-card-summary").inner_text().strip()

        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        dialog.wait_for(state="visible", timeout=3000)
        assert dialog.count() == 1
        text = dialog.inner_text()
        assert verdict in text, f"popover lacks the verdict {verdict!r}: {text!r}"
        assert _normal(summary) in _normal(text), f"popover lacks the summary: {text!r}"
        assert page.evaluate(
            "() => document.querySelector('[role=dialog]').contains(document.activeElement)"
        ), "focus is not inside the popover"
        violations = run_axe(page)
        assert not violations, "axe-core, popover open:\n" + format_violations(violations)
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"popover off screen: {box}"
        shot(page, f"popover-{width}", full_page=False)

        page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=3000)
        assert page.evaluate(
            "(id) => document.activeElement.matches('a.claim-flag')"
            " && document.activeElement.dataset.claim === id",
            flag_id,
        ), "focus did not return to the flag after Escape"
        problems = list(watcher.problems)
    assert not problems, "\n".join(problems)


def test_highlight_by_pointer(chromium: Any, site_origin: str, basic_site: Path) -> None:
    """Clicking (tapping) the highlighted passage itself opens its popover; a click outside closes."""
    path = page_path(basic_site, "article")
    with browse(chromium, site_origin, 375) as (page, watcher, _):
        page.goto(f"{site_origin}/{path}", wait_until="load")
        mark = page.locator("mark.claim[id^='claim-']").first
        claim_id = mark.get_attribute("data-claim")
        mark.click()
        dialog = page.get_by_role("dialog")
        dialog.wait_for(state="visible", timeout=3000)
        summary = page.locator(f"#review-{claim_id} .claim-card-summary").inner_text()
        assert _normal(summary) in _normal(dialog.inner_text())
        page.locator("h1").click()
        dialog.wait_for(state="detached", timeout=3000)
        problems = list(watcher.problems)
    assert not problems, "\n".join(problems)


def test_highlight_without_javascript(chromium: Any, site_origin: str, basic_site: Path) -> None:
    """Without JavaScript a flag jumps to its claim card, whose link leads to the claim page."""
    path = page_path(basic_site, "article")
    with browse(chromium, site_origin, 375, javascript=False) as (page, watcher, _):
        page.goto(f"{site_origin}/{path}", wait_until="load")
        flag = page.locator("a.claim-flag").first
        claim_id = flag.get_attribute("data-claim")
        flag.click()
        page.wait_for_url(re.compile(r"#review-"))
        fragment = page.url.split("#", 1)[1]
        assert fragment == f"review-{claim_id}", page.url
        card = page.locator(f"#{fragment}")
        assert card.count() == 1, f"no element with id {fragment}"
        assert "claim-card" in (card.get_attribute("class") or "")
        assert page.evaluate(
            "() => { const r = document.querySelector(':target').getBoundingClientRect();"
            " return r.top < innerHeight && r.bottom > 0; }"
        ), "the claim card is not scrolled into view"
        quote = _normal(card.locator(".claim-card-quote").inner_text())
        card.get_by_role("link", name=re.compile("^Full review")).click()
        page.wait_for_load_state("load")
        assert f"/claims/{claim_id}/" in page.url, page.url
        heading = _normal(page.locator("h1").inner_text())
        assert quote in heading, f"claim page h1 {heading!r} lacks the quote {quote!r}"
        problems = list(watcher.problems)
    assert not problems, "\n".join(problems)


def test_skip_link_hidden_until_focused(chromium: Any, site_origin: str) -> None:
    with browse(chromium, site_origin, 375) as (page, _, _):
        page.goto(f"{site_origin}/", wait_until="load")
        skip = page.locator("a.skip-link")
        box = skip.bounding_box()
        assert box is None or box["y"] + box["height"] <= 0 or box["width"] <= 1, (
            f"the skip link shows before it is focused: {box}"
        )
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
        box = skip.bounding_box()
        assert box is not None and box["y"] >= 0 and box["width"] > 20, box
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"


def test_header_and_breadcrumbs_on_a_phone(
    chromium: Any, site_origin: str, basic_site: Path
) -> None:
    """Short nav labels for the standard pages; the breadcrumb trail stays on one line."""
    path = page_path(basic_site, "claim")
    with browse(chromium, site_origin, 360) as (page, _, _):
        page.goto(f"{site_origin}/{path}", wait_until="load")
        labels = page.locator(".site-nav a").all_inner_texts()
        for label in ("About", "Methodology", "Corrections"):
            assert label in labels, labels
        crumbs = page.locator(".breadcrumbs li")
        tops = {round(box["y"]) for box in (c.bounding_box() for c in crumbs.all()) if box}
        assert len(tops) == 1, f"the breadcrumb trail wraps onto {len(tops)} lines"
        last = crumbs.last
        assert last.evaluate("(el) => getComputedStyle(el).textOverflow") == "ellipsis"
        heights = [c.bounding_box()["height"] for c in crumbs.all()]  # type: ignore[index]
        assert max(heights) < 40, f"a crumb wraps inside itself: heights {heights}"


def test_print_stylesheet(chromium: Any, site_origin: str, basic_site: Path) -> None:
    """In print, navigation is hidden; the text, claim cards and sources are shown."""
    path = page_path(basic_site, "article")
    with browse(chromium, site_origin, 1280) as (page, _, _):
        page.goto(f"{site_origin}/{path}", wait_until="load")
        hidden = (".site-nav", ".breadcrumbs", ".skip-link", ".prev-next")
        for selector in hidden:
            assert page.locator(selector).count() > 0, f"the article has no {selector}"
        page.emulate_media(media="print")
        for selector in hidden:
            for el in page.locator(selector).all():
                assert not el.is_visible(), f"{selector} is printed"
        for shown in ("h1", ".prose", ".claim-card", ".claim-flag"):
            assert page.locator(shown).first.is_visible(), f"{shown} is not printed"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.pdf(path=str(ARTIFACTS / "article-print.pdf"), format="A4")
        claim = page_path(basic_site, "claim")
        page.goto(f"{site_origin}/{claim}", wait_until="load")
        assert page.locator(".evidence-list li").first.is_visible()
        page.pdf(path=str(ARTIFACTS / "claim-print.pdf"), format="A4")


# A known finding, recorded until the embed's owner decides (strict: fails once it is gone).
EMBED_SANDBOX_ERROR = (
    "Bad value “allow-scripts allow-same-origin allow-popups” for attribute “sandbox” on element "
    "“iframe”"
)


@pytest.fixture(scope="module")
def nu_errors(basic_site: Path) -> list[str]:
    """The Nu Html Checker's errors for every page of the test site (one run: it is slow)."""
    jar = require(VNU, "the Nu Html Checker (run `npm ci --ignore-scripts`)")
    java = require_program("java", "Java (apt-get install default-jre-headless)")
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--skip-non-html", str(basic_site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = (result.stdout + result.stderr).replace(str(basic_site), "<site>")
    errors = [line for line in output.splitlines() if line.strip()]
    assert errors or result.returncode == 0, output  # a failure always says why
    return errors


def test_nu_html_checker(nu_errors: list[str]) -> None:
    unexpected = [e for e in nu_errors if EMBED_SANDBOX_ERROR not in e]
    assert unexpected == [], "Nu Html Checker found errors:\n" + "\n".join(unexpected)


@pytest.mark.xfail(
    strict=True,
    reason="an embed's iframe gets sandbox='allow-scripts allow-same-origin allow-popups', which "
    "the Nu checker refuses (both allow-* together let a same-origin frame lift its sandbox)",
)
def test_embed_sandbox_passes_the_nu_html_checker(nu_errors: list[str]) -> None:
    assert [e for e in nu_errors if EMBED_SANDBOX_ERROR in e] == []


# For every claim flag followed by punctuation: narrow the text step by step and record each
# width at which the punctuation starts a line of its own, away from its flag.
FLAG_PUNCTUATION_JS = """() => {
    const text = document.querySelector(".source-text");
    const cases = [];
    for (const flag of text.querySelectorAll("a.claim-flag")) {
        const next = flag.nextSibling;
        if (next && next.nodeType === 3 && /^[.,;:!?…)\\]]/.test(next.data)) cases.push([flag, next]);
    }
    const alone = [];
    for (let width = 220; width <= 720; width += 2) {
        text.style.width = width + "px";
        for (const [flag, next] of cases) {
            const range = document.createRange();
            range.setStart(next, 0);
            range.setEnd(next, 1);
            const mark = range.getBoundingClientRect();
            const box = flag.getBoundingClientRect();
            if (mark.top >= box.bottom - 1) alone.push(width + "px: " + flag.dataset.claim);
        }
    }
    return {flags: cases.length, alone: alone.slice(0, 10)};
}"""


def test_punctuation_after_a_claim_flag_never_wraps_alone(
    chromium: Any, site_origin: str, basic_site: Path
) -> None:
    path = page_path(basic_site, "article")
    with browse(chromium, site_origin, 1280) as (page, _watcher, _):
        page.goto(f"{site_origin}/{path}", wait_until="load")
        result = page.evaluate(FLAG_PUNCTUATION_JS)
    assert result["flags"] >= 2, "the article has too few flags before punctuation to test"
    assert result["alone"] == [], "punctuation wrapped away from its flag at " + ", ".join(
        result["alone"]
    )
