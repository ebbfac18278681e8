"""A site full of injection attempts, loaded page by page in headless Chromium: no script may run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from browser_support import block_foreign, serve

pytestmark = pytest.mark.browser

ACTIVE_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]
    .filter(a => a.name.startsWith('on') || a.name === 'srcdoc' ||
        (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(a.name) &&
         /^\\s*(javascript|vbscript|data):/i.test(a.value.replace(/[\\t\\n\\r]/g, ''))))
    .map(a => el.tagName + ' ' + a.name + '=' + a.value))"""


def test_no_injected_script_runs_on_any_page(hostile_site: Path, chromium: Any) -> None:
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    assert len(pages) > 10
    blocked: list[str] = []
    dialogs: list[str] = []
    with serve(hostile_site) as origin:
        context = chromium.new_context()
        block_foreign(context, origin, blocked)
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages:
            page.goto(f"{origin}/{path.removesuffix('index.html')}")
            page.wait_for_load_state("load")
            # Touch what a reader could touch: open every claim popover, hover everything.
            for flag in page.locator("a.claim-flag, mark.claim").all():
                flag.click()
                page.keyboard.press("Escape")
            for element in page.locator("main *").all()[:200]:
                element.dispatch_event("mouseover")
            executed = page.evaluate("() => [window.__xss, document.title.includes('PWNED')]")
            assert executed == [None, False], f"script ran on {path}"
            assert page.evaluate(ACTIVE_ATTRIBUTES) == [], path
        context.close()
    assert dialogs == []
    # The one embed from the host site.yaml lists (it never resolves) is the only request out.
    foreign = [url for url in blocked if not url.startswith("https://embed.invalid/")]
    assert foreign == [], f"hostile content made the browser fetch: {foreign}"
