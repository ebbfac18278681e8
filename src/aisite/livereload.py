"""Serve's live reload: the build state pages follow, its event stream, the script they run."""

from __future__ import annotations

import html
import json
import threading
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from aisite.preview import QuietServer, host_allowed

LIVE_JS = b"""// aisite serve: live reload and build problems (never part of 'aisite build' output)
(function () {
  var script = document.currentScript, box = null;
  // The state's version when the server read this page's file (read before the file).
  var loaded = Number(script ? script.getAttribute("data-version") : 0);
  function overlay(problems, message) {
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:99999;" +
        "background:#2b0b0b;color:#ffe9e9;font:14px/1.5 ui-monospace,monospace;padding:1rem 1.25rem;" +
        "border-top:4px solid #ff5c5c;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = message + "\\n\\n" + problems.join("\\n");
  }
  // Whether a page read at version `loaded`, at address `here`, is older than `state` says.
  function stale(state, loaded, here) {
    if (state.version <= loaded) { return false; }
    // An article's own pages, written before the rest of the site: only they are new.
    if (state.partial.length) { return state.partial.indexOf(here) >= 0; }
    // The whole site: every page is, but those written first and read since then.
    return !(state.fresh.indexOf(here) >= 0 && loaded >= state.after);
  }
  window.aisiteStale = stale;  // for aisite's own tests
  var events = new EventSource("/__aisite/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { overlay(state.problems, state.message); }
    else if (stale(state, loaded, location.pathname) || document.documentElement.hasAttribute("data-aisite-failed")) { location.reload(); }
    else if (box) { box.remove(); box = null; }
  });
})();
"""


def inject(page: bytes, version: int) -> bytes:
    """A page with the live-reload script, which knows the state's version the page was read at."""
    tag = b'<script src="/__aisite/live.js" data-version="%d"></script>' % version
    index = page.rfind(b"</body>")
    return page[:index] + tag + page[index:] if index >= 0 else page + tag


class State:
    """The latest build's version and problems, shared with event-stream clients."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[str] = []
        self.built = False  # a build has succeeded: there is a last good site to serve
        self.stopping = False
        self.partial: tuple[str, ...] = ()  # pages written ahead of a build (quick.py)
        self.fresh: tuple[str, ...] = ()  # of those, the pages the build left as they were
        self.after = 0  # the version that published them
        self.changed = threading.Condition()

    def publish(self, problems: list[str], fresh: tuple[str, ...] = (), after: int = 0) -> None:
        """Record a build's outcome and wake every waiting client."""
        # `fresh`: pages current since version `after` (the partial state of the same save).
        with self.changed:
            self.version += 1
            self.problems = problems
            self.built = self.built or not problems
            self.partial, self.fresh, self.after = (), fresh, after
            self.changed.notify_all()

    def publish_partial(self, pages: tuple[str, ...]) -> int:
        """Tell the clients on these pages that they are current; the version published."""
        with self.changed:
            self.version += 1
            self.partial, self.fresh, self.after = pages, (), 0
            self.changed.notify_all()
        return self.version

    def message(self) -> str:
        """What the overlay says above the problems."""
        if self.built:
            return "aisite: the last build failed; showing the last good site."
        return "aisite: the build failed; this page reloads when the problems are fixed."

    def snapshot(self) -> bytes:
        """The state as a server-sent event."""
        data = json.dumps(
            {
                "version": self.version,
                "problems": self.problems,
                "message": self.message(),
                "partial": self.partial,
                "fresh": self.fresh,
                "after": self.after,
            }
        )
        return f"event: state\ndata: {data}\n\n".encode()

    def failed_page(self) -> bytes:
        """The page served while no build has succeeded: the problems, and the reload script."""
        items = "".join(f"<li>{html.escape(p)}</li>" for p in self.problems)
        return (
            '<!DOCTYPE html>\n<html lang="en" data-aisite-failed><head><meta charset="utf-8">'
            "<title>aisite: the build failed</title></head><body>"
            f"<h1>The build failed</h1><p>{html.escape(self.message())}</p><ul>{items}</ul>"
            f"</body></html>\n"
        ).encode()


class Handler(SimpleHTTPRequestHandler):
    """Static files from the output folder, with the live-reload script injected into pages."""

    state: State

    def __init__(self, *args: Any, state: State, directory: str, **kwargs: Any) -> None:
        self.state = state
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def parse_request(self) -> bool:
        """Refuse requests for another host name (DNS rebinding) before anything is served."""
        if not super().parse_request():
            return False
        bind = self.server.bind_name if isinstance(self.server, QuietServer) else ""
        if host_allowed(self.headers.get("Host"), bind):
            return True
        self.send_error(
            403, "Host not allowed", "aisite serve answers only for this machine's names"
        )
        return False

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        version = self.state.version  # before the file is read: the page is at least this new
        if path == "/__aisite/live.js":
            self._send(200, "text/javascript; charset=utf-8", LIVE_JS)
        elif path == "/__aisite/events":
            self._events()
        elif not self.state.built:
            self._send(503, "text/html; charset=utf-8", inject(self.state.failed_page(), version))
        else:
            target = Path(self.translate_path(path))
            if target.is_dir() and path.endswith("/"):
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                self._send(200, "text/html; charset=utf-8", inject(target.read_bytes(), version))
            elif not target.exists() and Path(self.directory, "404.html").is_file():
                self._send(
                    404,
                    "text/html; charset=utf-8",
                    inject(Path(self.directory, "404.html").read_bytes(), version),
                )
            else:
                super().do_GET()

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.state
        try:
            seen = -1
            while not state.stopping:
                with state.changed:
                    if seen == state.version:
                        state.changed.wait(timeout=10)
                    message = state.snapshot() if seen != state.version else b": ping\n\n"
                    seen = state.version
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
