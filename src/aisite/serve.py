"""`aisite serve`: build, serve on loopback, watch the sources, rebuild and reload open pages."""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from functools import partial
from pathlib import Path

from aisite.build import build
from aisite.errors import ContentError, Problems, UsageError, count, disk_full
from aisite.interrupt import check, handled
from aisite.livereload import Handler, State
from aisite.load import read_config
from aisite.memory import remember, rest, settle
from aisite.options import Options
from aisite.preview import QuietServer
from aisite.quick import Quick, quick
from aisite.reader import EDITOR_TEMP, Reader

WATCHED = ("content", "templates", "static")


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

    def rebuild(saved: set[Path] | None = None) -> None:
        nonlocal said
        shown = False  # the reload is published as soon as the files are in place
        early: Quick | None = None
        after = 0  # the version of the partial state published for this save

        def published() -> None:
            nonlocal shown
            shown = True
            state.publish([], early.current(output) if early and after else (), after)

        try:
            if state.built and not state.problems:  # a save's own pages first, if that is all
                early = _quick(options, output, saved)
                if early is not None and early.pages:
                    after = state.publish_partial(early.pages)
                    updated = ", ".join(early.articles)
                    files = count(len(early.files), "file")
                    say(f"Updated {updated} first ({files} in {early.seconds:.2f} s).")
            walk = early.walk if early else None
            report = build(options, output, published=published, walk=walk)
        except ContentError as err:
            problems = [str(p) for p in err.problems]
            for line in problems:
                print(line, file=sys.stderr, flush=True)
            serving = (
                "still serving the last good site."
                if state.built
                else "the preview shows them until they are fixed."
            )
            if after and early:
                serving = serving[:-1] + f", with {', '.join(early.articles)} as saved."
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
            check()  # a SIGTERM lost in a finaliser (settle() runs the collector) still stops
            if not serving:  # said once a save is sure to be seen, not before
                say(f"Serving {source.resolve()} at {base_url} (Ctrl-C to stop)")
                serving = True
            if not changes:
                continue
            names = sorted({Path(path).relative_to(watched).as_posix() for _, path in changes})
            say("Changed: " + ", ".join(names[:5]) + (" ..." if len(names) > 5 else ""))
            rebuild({Path(path) for _, path in changes})
            rest()  # its garbage collected only when due: not on the way to the next save
    except KeyboardInterrupt:
        handled()  # the way a server stops: exit status 0
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


def _quick(options: Options, output: Path, saved: set[Path] | None = None) -> Quick | None:
    """The quick path's outcome; None when it fails, and the full build goes on."""
    try:
        return quick(options, output, saved)
    except (ContentError, OSError):
        return None  # the build reports what it is
    except Exception:  # a bug in the quick path: said, and the build still runs
        traceback.print_exc()
        print("aisite: internal error in the quick path (a bug in aisite)", file=sys.stderr)
        return None


def _relevant(root: Path, change: object, path: str) -> bool:
    parts = Path(path).relative_to(root).parts
    return bool(parts) and parts[0] in WATCHED and not any(EDITOR_TEMP.search(p) for p in parts)
