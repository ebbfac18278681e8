"""A process that has imported aisite and forks a child for each command a test runs.

Starting Python and importing aisite costs about 0.25 s, which was a third of the fast test lane's
CPU time (150 commands). The zygote imports once and runs nothing else, so each child starts
as a fresh `python -m aisite` would: same code, its own exit status, stdout and stderr, working
folder and environment. Commands whose environment changes what Python reads at start-up
(PYTHONHASHSEED, TZ, LANG, ...) still run in a new interpreter: see `conftest.run_aisite`. The
children share the zygote's hash seed, so tests that compare two runs for reproducibility ask
for new interpreters (`conftest.NEW_INTERPRETER`).

Protocol on stdin/stdout, one JSON line each way: the request {args, cwd, env, out, err}, then
the child's PID, then its exit status.
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
import tempfile
import threading
import time
import traceback


def _child(request: dict[str, object], reply: int) -> None:
    """Become `python -m aisite ARGS` with the request's folder, environment and output files."""
    os.close(reply)
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    os.environ.update(request["env"])  # type: ignore[arg-type]
    time.tzset()
    tempfile.tempdir = None
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, path in ((1, request["out"]), (2, request["err"])):
        os.dup2(os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", 1, errors="backslashreplace", closefd=False)  # noqa: SIM115  (lines)
    sys.argv = ["aisite", *request["args"]]  # type: ignore[misc]
    code = 1
    try:
        runpy.run_module("aisite", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if done.code is not None and not isinstance(done.code, int):
            print(done.code, file=sys.stderr)
    except BaseException:  # as the interpreter does: the traceback, status 1
        traceback.print_exc()
    finally:
        # What the interpreter does when it ends: wait for threads, run atexit, flush.
        threading._shutdown()  # type: ignore[attr-defined]
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    """Import aisite, then fork a child per request until stdin closes."""
    import importlib

    # aisite and what a build imports as it goes (all of it import-only: no aisite code runs).
    for name in [
        "aisite.build",
        "aisite.cli",
        "aisite.preview",
        "aisite.sourcecheck",
        "aisite.helpdocs",
        "pagefind.index",
        "PIL.PngImagePlugin",
        "PIL.JpegImagePlugin",
        "PIL.GifImagePlugin",
        "PIL.TiffImagePlugin",
        "PIL.BmpImagePlugin",
        "PIL.PpmImagePlugin",
        "PIL.ImageChops",
        "markdown.extensions.attr_list",
        "markdown.extensions.codehilite",
        "markdown.extensions.fenced_code",
        "markdown.extensions.footnotes",
        "markdown.extensions.sane_lists",
        "markdown.extensions.tables",
        "pygments.lexers",
        "pygments.lexers.python",
        "pygments.styles.default",
        "pygments.styles.gh_dark",
    ]:
        importlib.import_module(name)

    reply = os.fdopen(os.dup(1), "w")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(request, reply.fileno())
        reply.write(json.dumps(pid) + "\n")
        reply.flush()
        _, status = os.waitpid(pid, 0)
        reply.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
        reply.flush()


if __name__ == "__main__":
    main()
