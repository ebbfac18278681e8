"""A site full of injection attempts, loaded page by page in headless Chromium: no script may run."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import CHROMIUM, CHROMIUM_ARGS, block_foreign, require, serve
from conftest import run_aisite

HOSTILE = Path(__file__).parent / "sites" / "hostile"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "site"
    result = run_aisite("build", "--source", str(HOSTILE), "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_no_injected_script_runs_on_any_page(hostile_site: Path) -> None:
    from playwright.sync_api import sync_playwright

    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    assert len(pages) > 10
    with serve(hostile_site) as origin, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(require(CHROMIUM, "Debian chromium")), args=CHROMIUM_ARGS
        )
        context = browser.new_context()
        blocked: list[str] = []
        block_foreign(context, origin, blocked)
        dialogs: list[str] = []
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            page.goto(f"{origin}/{path.removesuffix('index.html')}")
            page.wait_for_load_state("load")
            # Hover and click everything a reader could touch, then open every claim popover.
            for flag in page.locator("a.claim-flag, mark.claim").all():
                flag.click()
                page.keyboard.press("Escape")
            for element in page.locator("main *").all()[:200]:
                element.dispatch_event("mouseover")
            executed = page.evaluate("() => [window.__xss, document.title.includes('PWNED')]")
            assert executed == [None, False], f"script ran on {path}"
            active = page.evaluate(
                """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
                    .filter(a => a.name.startsWith('on') || a.name === 'srcdoc' ||
                        (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(a.name) &&
                         /^\\s*(javascript|vbscript|data):/i.test(a.value.replace(/[\\t\\n\\r]/g, ''))))
                    .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""
            )
            assert active == [], f"{path}: {active}"
        browser.close()
    assert dialogs == []
    assert blocked == [], f"hostile content made the browser fetch: {blocked}"
