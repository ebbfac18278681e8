"""Helpers for the browser tests: a local server for a built site, Chromium, axe-core, watchers.

Nothing here downloads anything: Chromium is Debian's (/usr/bin/chromium), axe-core comes from
`npm ci` (node_modules/axe-core). A missing tool is a test failure, never a skip: one line that
says what to install, not a traceback.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WIDTHS = (375, 1280)
HEIGHT = {375: 812, 1280: 900}

# Every kind of page of the test site. A value is a fixed path, or a folder whose first
# sub-folder (in sorted order) is taken, so that the tests follow the site's content.
PAGE_KINDS: dict[str, str] = {
    "home": "",
    "article": "articles/*/",
    "claim": "articles/*/claims/*/",
    "about": "about/",
    "methodology": "methodology/",
    "corrections": "corrections/",
    "tags": "tags/",
    "tag": "tags/*/",
    "claims": "claims/",
    "verdicts": "verdicts/",
    "verdict": "verdicts/*/",
    "claimants": "claimants/",
    "claimant": "claimants/*/",
    "topics": "topics/",
    "topic": "topics/*/",
    "archive": "archive/",
    "archive-year": "archive/*/",
    "search": "search/",
    "404": "404.html",
}
# For these kinds, prefer a page whose HTML contains this (e.g. a claim with a chart).
PREFER = {"claim": 'class="figures"'}


def require(path: Path, what: str) -> Path:
    """The path, or a test failure saying what is missing and how to get it."""
    if not path.is_file():
        pytest.fail(f"{what} is missing: {path}", pytrace=False)
    return path


def require_program(name: str, what: str, path: str | None = None) -> str:
    """A program on the PATH (or on `path`), or a one-line test failure saying how to install it."""
    found = shutil.which(name, path=path)
    if found is None:
        where = f" on {path}" if path else " on the PATH"
        pytest.fail(f"{what} is missing: no '{name}'{where}", pytrace=False)
    return found


def page_path(site: Path, kind: str) -> str:
    """The site-relative URL path of one page of the given kind (first one in sorted order)."""
    pattern = PAGE_KINDS[kind]
    if pattern.endswith(".html"):
        assert (site / pattern).is_file(), f"the site has no {pattern}"
        return pattern
    found = sorted(site.glob(pattern + "index.html"))
    assert found, f"the site has no {kind} page ({pattern or '/'}index.html)"
    if kind in PREFER:  # the richest page of its kind, so that more of the theme is exercised
        rich = [f for f in found if PREFER[kind] in f.read_text(encoding="utf-8")]
        found = rich or found
    return found[0].parent.relative_to(site).as_posix().removeprefix(".") + ("/" if pattern else "")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path, base_path: str = "/") -> Iterator[str]:
    """Serve a folder at base_path on 127.0.0.1 (a free port) in a thread; yields the origin URL."""
    with tempfile.TemporaryDirectory(prefix="aisite-serve-") as tmp:
        top = Path(tmp)
        below = [part for part in base_path.split("/") if part]
        if below:  # a site built for https://example.com/news/ is served at /news/
            mount = top.joinpath(*below)
            mount.parent.mkdir(parents=True, exist_ok=True)
            mount.symlink_to(root.resolve(), target_is_directory=True)
        handler = functools.partial(_QuietHandler, directory=str(top if below else root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


@dataclass
class Watcher:
    """Collects console errors, failed and blocked requests, and HTTP errors of one page."""

    origin: str
    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "assert"):
            self.problems.append(f"console {message.type}: {message.text} ({message.location})")

    def _failed(self, request: Any) -> None:
        # ERR_ABORTED: the browser cancelled a request it no longer needed (the page moved on
        # or closed while an image was loading). A missing or refused file is an HTTP status
        # or another net:: error, and foreign requests are counted by block_foreign.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def block_foreign(context: Any, origin: str, blocked: list[str]) -> None:
    """Abort every request that does not go to the local server (data: URLs never reach here)."""

    def handle(route: Any) -> None:
        url = route.request.url
        if url.startswith(origin + "/") or url.startswith("data:"):
            route.continue_()
        else:
            blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core and return its violations for the configured tags."""
    page.add_script_tag(
        content=require(AXE, "axe-core (run `npm ci --ignore-scripts`)").read_text()
    )
    result: dict[str, Any] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return {violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html,
                                          summary: n.failureSummary}))
            }))};
        }""",
        AXE_TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def format_violations(violations: list[dict[str, Any]]) -> str:
    """axe violations, readable in a test failure."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  {v['helpUrl']}")
        for node in v["nodes"][:8]:
            lines.append(f"    at {node['target']}")
            lines.append(f"       {node['html'][:200]}")
            for row in (node["summary"] or "").splitlines():
                lines.append(f"       {row}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    return "\n".join(lines)
