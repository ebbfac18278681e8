"""`aisite serve`: build, serve on loopback, watch the sources, rebuild and reload open pages."""

from __future__ import annotations

import html
import json
import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from aisite.build import build
from aisite.errors import ContentError, Problems, UsageError, count, disk_full
from aisite.load import read_config
from aisite.memory import remember, settle
from aisite.options import Options
from aisite.preview import QuietServer, host_allowed
from aisite.reader import EDITOR_TEMP, Reader

WATCHED = ("content", "templates", "static")
LIVE_JS = b"""// aisite serve: live reload and build problems (never part of 'aisite build' output)
(function () {
  var seen = null, box = null;
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
  var events = new EventSource("/__aisite/events");
  events.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.problems.length) { overlay(state.problems, state.message); }
    else if ((seen !== null && state.version !== seen) || document.documentElement.hasAttribute("data-aisite-failed")) { location.reload(); }
    else if (box) { box.remove(); box = null; }
    seen = state.version;
  });
})();
"""
INJECT = b'<script src="/__aisite/live.js"></script>'


class State:
    """The latest build's version and problems, shared with event-stream clients."""

    def __init__(self) -> None:
        self.version = 0
        self.problems: list[str] = []
        self.built = False  # a build has succeeded: there is a last good site to serve
        self.stopping = False
        self.changed = threading.Condition()

    def publish(self, problems: list[str]) -> None:
        """Record a build's outcome and wake every waiting client."""
        with self.changed:
            self.version += 1
            self.problems = problems
            self.built = self.built or not problems
            self.changed.notify_all()

    def message(self) -> str:
        """What the overlay says above the problems."""
        if self.built:
            return "aisite: the last build failed; showing the last good site."
        return "aisite: the build failed; this page reloads when the problems are fixed."

    def snapshot(self) -> bytes:
        """The state as a server-sent event."""
        data = json.dumps(
            {"version": self.version, "problems": self.problems, "message": self.message()}
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
        if path == "/__aisite/live.js":
            self._send(200, "text/javascript; charset=utf-8", LIVE_JS)
        elif path == "/__aisite/events":
            self._events()
        elif not self.state.built:
            self._send(503, "text/html; charset=utf-8", _inject(self.state.failed_page()))
        else:
            target = Path(self.translate_path(path))
            if target.is_dir() and path.endswith("/"):
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                self._send(200, "text/html; charset=utf-8", _inject(target.read_bytes()))
            elif not target.exists() and Path(self.directory, "404.html").is_file():
                self._send(
                    404,
                    "text/html; charset=utf-8",
                    _inject(Path(self.directory, "404.html").read_bytes()),
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


def _inject(page: bytes) -> bytes:
    index = page.rfind(b"</body>")
    return page[:index] + INJECT + page[index:] if index >= 0 else page + INJECT


def serve(
    source: Path, bind: str, port: int, drafts: bool, future: bool, say: Callable[[str], None]
) -> int:
    """Run the development server until Ctrl-C."""
    from watchfiles import watch

    if not (source / "content" / "site.yaml").is_file():
        read_config(Reader(source, Problems()))  # not a site folder: the problem build reports
    state = State()
    workdir = Path(tempfile.mkdtemp(prefix="aisite-serve-"))
    output = workdir / "site"
    output.mkdir()
    handler = partial(Handler, state=state, directory=str(output))
    try:
        server = QuietServer((bind, port), handler)
        server.bind_name = bind
    except (OSError, OverflowError) as err:
        shutil.rmtree(workdir, ignore_errors=True)
        why = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise UsageError(
            f"--port {port}: cannot listen on {bind}:{port}: {why} "
            "(choose another --port, or --port 0 for a free one)"
        ) from None
    server.daemon_threads = True
    host = "localhost" if bind in ("0.0.0.0", "::") else bind
    base_url = f"http://{host}:{server.server_address[1]}/"
    options = Options(source, drafts, future, base_url)
    remember()  # the model stays in memory between rebuilds: an edit re-reads its own files only

    said: list[str] = []  # the notes on drafts and future articles last printed

    def rebuild() -> None:
        nonlocal said
        shown = False  # the reload is published as soon as the files are in place

        def published() -> None:
            nonlocal shown
            shown = True
            state.publish([])

        try:
            report = build(options, output, published=published)
        except ContentError as err:
            problems = [str(p) for p in err.problems]
            for line in problems:
                print(line, file=sys.stderr, flush=True)
            serving = (
                "still serving the last good site."
                if state.built
                else "the preview shows them until they are fixed."
            )
            say(f"Build failed ({count(len(problems), 'problem')}); {serving}")
            state.publish(problems)
            return
        except Exception as err:  # a bug in aisite must not take the preview down with it
            if isinstance(err, OSError) and disk_full(err):
                why = f"cannot write: {err.strerror}"
                state.publish([f"aisite: {why} (free some space, then save again)"])
                last = "the last good site" if state.built else "this message"
                say(f"Build failed ({why}); still serving {last}.")
                return
            traceback.print_exc()
            state.publish(["aisite: internal error while building (a bug in aisite)"])
            return
        notes = [f"draft, shown with a banner (build leaves it out): {p}" for p in report.drafts]
        notes += [f"skipped draft: {p} (shown without --no-drafts)" for p in report.skipped_drafts]
        notes += [
            f"left out, dated in the future: {p} (serve with --future to include it)"
            for p in report.skipped_future
        ]
        if notes != said:  # say once which articles are drafts, and again when that changes
            for note in notes:
                say(note)
            said = notes
        say(f"Built {count(report.stats.pages, 'page')} in {report.seconds:.2f} s.")
        if not shown:  # nothing changed: nothing was written
            state.publish([])

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    stop = threading.Event()
    watched = source.resolve()
    serving = False
    try:  # from here on, Ctrl-C, SIGTERM or SIGHUP remove the temporary folder
        rebuild()
        settle()
        thread.start()
        for changes in watch(
            watched,
            stop_event=stop,
            watch_filter=partial(_relevant, watched),
            yield_on_timeout=True,  # the first (empty) yield: the watcher is set up
            rust_timeout=200,
        ):
            if not serving:  # said once a save is sure to be seen, not before
                say(f"Serving {source.resolve()} at {base_url} (Ctrl-C to stop)")
                serving = True
            if not changes:
                continue
            names = sorted({Path(path).relative_to(watched).as_posix() for _, path in changes})
            say("Changed: " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else ""))
            rebuild()
            settle()  # after the reload is published: not on the way to the page
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        state.stopping = True
        state.publish(state.problems)
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
    say("Stopped.")
    return 0


def _relevant(root: Path, change: object, path: str) -> bool:
    parts = Path(path).relative_to(root).parts
    return bool(parts) and parts[0] in WATCHED and not any(EDITOR_TEMP.search(p) for p in parts)
