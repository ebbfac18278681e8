"""An article with a cover photo in Chromium: no layout shift as images arrive, axe clean.

Images are held back by the test server for a moment, so the text is laid out before they load:
only width and height in the markup keep the text from jumping. Screenshots at phone and desktop
widths go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from browser_support import HEIGHT, Watcher, format_violations, run_axe, serve
from conftest import ARTIFACTS, run_aisite
from imagefiles import chart, photo

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "screenshots"
ARTICLE = """\
---
title: The minister's photo opportunity, and what was said at it
date: 2025-03-01
summary: A speech, a photo and three claims.
image: cover.jpg
image_alt: The minister at a lectern
---
The minister spoke for an hour, they said. The speech covered exports, chips and jobs.

![Bars of four values](bars.png)

Paragraph after the chart, which would move down if the chart had no reserved height.
"""
CLS_JS = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 400);
})"""


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("photo")
    bundle = root / "content" / "articles" / "photo-op"
    bundle.mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: Desk\nbase_url: https://example.org/\n")
    (bundle / "index.md").write_text(ARTICLE)
    (bundle / "cover.jpg").write_bytes(photo(1800, 1000))
    (bundle / "bars.png").write_bytes(chart())
    out = root / "site"
    result = run_aisite("build", "--source", str(root), "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("width", (375, 1280))
@pytest.mark.parametrize("path", ("articles/photo-op/", ""))
def test_no_layout_shift_as_images_load(
    path: str, width: int, chromium: Any, photo_site: Path
) -> None:
    with serve(photo_site) as origin:
        context = chromium.new_context(viewport={"width": width, "height": HEIGHT[width]})
        late: list[str] = []

        def hold_images(route: Any) -> None:
            url = route.request.url
            if not url.startswith(origin + "/"):
                late.append(url)
                route.abort("blockedbyclient")
                return
            if url.endswith((".jpg", ".png")):
                time.sleep(0.3)  # the page is laid out before the picture arrives
            route.continue_()

        context.route("**/*", hold_images)
        page = context.new_page()
        watcher = Watcher(origin)
        watcher.attach(page)
        try:
            page.goto(f"{origin}/{path}", wait_until="load")
            page.wait_for_load_state("networkidle")
            shift = page.evaluate(CLS_JS)
            loaded = page.evaluate(
                "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
            )
            SHOTS.mkdir(parents=True, exist_ok=True)
            name = "cover-article" if path else "cover-home"
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            violations = run_axe(page)
        finally:
            context.close()
    assert not late and not watcher.problems, (late, watcher.problems)
    assert loaded, "an image did not load"
    assert shift == 0, f"layout shift {shift:.4f} on /{path} at {width}px"
    assert not violations, format_violations(violations)
