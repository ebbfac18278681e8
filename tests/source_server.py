"""A local stand-in for the web, for `aisite check --sources`: one path for each way a source fails.

Runs on 127.0.0.1 in a thread; records every request so that tests can tell what was asked.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

PASSAGE = "the aforementioned costs include only the official training of DeepSeek-V3"
# The passage as the page has it: split by markup, a non-breaking hyphen, an entity, a line break.
PAGE_WITH = (
    "<!doctype html><html><head><title>Report</title><style>p{color:red}</style></head><body>"
    "<script>var s = 'not text';</script><h1>Technical report</h1>"
    "<p>Note that <em>the aforementioned costs</em> include only the official\n"
    "training of DeepSeek\u2011V3, excluding the costs associated with prior research.</p>"
    "</body></html>"
)
PAGE_WITHOUT = (
    "<!doctype html><html><body><h1>Technical report</h1>"
    "<p>The costs of research are not part of this page any more.</p></body></html>"
)
# What the slow path waits before answering; tests use a client time-out well below it.
SLOW_SECONDS = 5.0
# How long each /hold/... request is kept open, to see how many are in flight at once.
HOLD_SECONDS = 0.15


@dataclass
class Web:
    """The server's record: requests as (method, path), in order."""

    origin: str = ""
    requests: list[tuple[str, str]] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)  # requests being answered, by Host
    peak: dict[str, int] = field(default_factory=dict)  # the most at once, by Host and overall
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> int:
        """Requests made for one path so far."""
        with self.lock:
            return sum(1 for _, p in self.requests if p == path)

    def url(self, path: str) -> str:
        """The absolute URL of a path."""
        return self.origin + path


def _route(web: Web, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for a request; the nth request of a path may differ."""
    nth = web.count(path)  # this request included
    html = {"Content-Type": "text/html; charset=utf-8"}
    redirects = {
        "/perm": (301, "/perm2"),
        "/perm2": (308, "/with"),
        "/temp": (302, "/temp2"),
        "/temp2": (307, "/with"),
        "/loop": (302, "/loop2"),
        "/loop2": (302, "/loop"),
        "/perm-dead": (301, "/missing"),
    }
    if path in redirects:
        status, target = redirects[path]
        return status, {"Location": target}, b""
    if path in ("/with", "/archive/with"):
        return 200, html, PAGE_WITH.encode()
    if path == "/without":
        return 200, html, PAGE_WITHOUT.encode()
    if path == "/missing":
        return 404, html, b"<p>Not here</p>"
    if path == "/gone":
        return 410, html, b"<p>Gone</p>"
    if path == "/forbidden":
        return 403, html, b"<p>No robots</p>"
    if path == "/busy":
        if nth == 1:
            return 429, {"Retry-After": "7"}, b""
        return 200, html, PAGE_WITH.encode()
    if path == "/busy-long":
        return 429, {"Retry-After": "3600"}, b""
    if path == "/flaky":
        if nth == 1:
            return 500, html, b"oops"
        return 200, html, PAGE_WITH.encode()
    if path == "/down":
        return 503, html, b"down"
    if path == "/slow":
        time.sleep(SLOW_SECONDS)
        return 200, html, PAGE_WITH.encode()
    if path == "/nohead":
        if method == "HEAD":
            return 405, {"Allow": "GET"}, b""
        return 200, html, PAGE_WITH.encode()
    if path.startswith("/hold/"):
        return 200, html, b"<p>held</p>"
    if path == "/report.pdf":
        return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n" + PASSAGE.encode()
    return 404, html, b"<p>No such test path</p>"


class _Handler(http.server.BaseHTTPRequestHandler):
    web: Web
    protocol_version = "HTTP/1.1"

    def _answer(self, method: str) -> None:
        with self.web.lock:
            self.web.requests.append((method, self.path))
            self.web.user_agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/hold/"):
            self._hold()
        status, headers, body = _route(self.web, method, self.path)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method == "GET":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out): nothing to answer

    def _hold(self) -> None:
        """Answer slowly, counting how many requests are answered at once."""
        host, web = self.headers.get("Host", "").split(":")[0], self.web
        with web.lock:
            web.busy[host] = web.busy.get(host, 0) + 1
            for key, value in ((host, web.busy[host]), ("all", sum(web.busy.values()))):
                web.peak[key] = max(web.peak.get(key, 0), value)
        time.sleep(HOLD_SECONDS)
        with web.lock:
            web.busy[host] -= 1

    def handle(self) -> None:
        # A client that gave up on a kept-alive connection is not an error of the test web.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def do_GET(self) -> None:
        self._answer("GET")

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_web() -> Iterator[Web]:
    """Start the stand-in web on a free port of 127.0.0.1; stop it afterwards."""
    web = Web()
    handler = type("Handler", (_Handler,), {"web": web})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    web.origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
