"""Serve's live reload in Chromium: each open page reloads once per save, and only to fresh text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from test_serve import example_article, serving, starter  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_open_pages_reload_once_per_save_the_saved_article_first(
    chromium: Any,
    starter: Path,  # noqa: F811
) -> None:
    index, text, body = example_article(starter)
    with serving(starter) as server, server.events() as states:
        first = states.next()["version"]
        assert isinstance(first, int)
        context = chromium.new_context()
        loads: dict[str, list[int]] = {"article": [], "home": []}
        pages = {}
        for name, path in (("article", "articles/example-analysis/"), ("home", "")):
            page = context.new_page()
            page.goto(server.url + path)
            page.on("load", lambda _, name=name: loads[name].append(len(loads[name])))
            pages[name] = page
        pages["article"].wait_for_timeout(500)  # both event streams open

        index.write_text(text[:body] + "A sentence saved just now.\n\n" + text[body:])
        partial, complete = states.next(), states.next()
        assert partial["partial"] and not complete["partial"]
        pages["article"].wait_for_timeout(1500)
        # The article reloaded at the partial state, the home page at the complete one.
        assert loads == {"article": [0], "home": [0]}
        assert "A sentence saved just now." in pages["article"].content()

        index.write_text(text.replace("date: 2025-01-15T", "date: 2025-01-16T", 1))
        assert not states.next()["partial"]  # a date moves it: one state, every page reloads
        pages["article"].wait_for_timeout(1500)
        assert loads == {"article": [0, 1], "home": [0, 1]}
        assert 'datetime="2025-01-16' in pages["home"].content()
        context.close()


def test_which_pages_a_state_reloads(chromium: Any, starter: Path) -> None:  # noqa: F811
    # The script's rule, given the version a page was read at (the server reads the version
    # before the file): a page reloads when a state is newer and says the page changed.
    cases = [  # (state, version the page was read at, page, reloads)
        ({"version": 5, "partial": [], "fresh": [], "after": 0}, 4, "/a/", True),
        ({"version": 5, "partial": [], "fresh": [], "after": 0}, 5, "/a/", False),
        ({"version": 5, "partial": ["/a/"], "fresh": [], "after": 0}, 4, "/a/", True),
        ({"version": 5, "partial": ["/a/"], "fresh": [], "after": 0}, 4, "/b/", False),
        ({"version": 6, "partial": [], "fresh": ["/a/"], "after": 5}, 5, "/a/", False),
        # Read before the partial state and connected after it: the complete state reloads it.
        ({"version": 6, "partial": [], "fresh": ["/a/"], "after": 5}, 4, "/a/", True),
        ({"version": 6, "partial": [], "fresh": ["/a/"], "after": 5}, 5, "/b/", True),
    ]
    with serving(starter) as server:
        page = chromium.new_page()
        page.goto(server.url)
        found = [
            page.evaluate("([s, v, p]) => window.aisiteStale(s, v, p)", [state, version, path])
            for state, version, path, _ in cases
        ]
        page.close()
    assert found == [reloads for *_, reloads in cases]
