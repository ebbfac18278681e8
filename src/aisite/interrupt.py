"""Stopping and ending: SIGTERM and SIGHUP stop aisite as Ctrl-C does, the message says what was
left, and a finished run ends its process without the interpreter's teardown."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import NoReturn

_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C would raise KeyboardInterrupt."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _State:
    """Whether this process has already put a new site in place (then it is not 'left as it was'),
    and the stop a signal asked for."""

    published = False
    requested: int | None = None


state = _State()


def _stop(signum: int, frame: FrameType | None) -> None:
    state.requested = signum
    raise Stopped(signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    state.requested = signum
    signal.default_int_handler(signum, frame)  # KeyboardInterrupt, as ever


def install() -> None:
    """Make SIGTERM and SIGHUP unwind like Ctrl-C (finally blocks run, temporary folders go)."""
    state.published, state.requested = False, None  # a command starts with neither
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, _stop)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not if ignored
            signal.signal(signal.SIGINT, _interrupt)


def handled() -> None:
    """The stop asked for was acted on (a server stopping on Ctrl-C): not one to raise again."""
    state.requested = None


def check() -> None:
    """Raise again a stop whose exception was lost: Python runs a signal's handler wherever the
    main thread is, also in a finaliser the collector calls, which drops what it raises."""
    if state.requested is not None:
        raise Stopped(state.requested)


def exit_status(err: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports a process a signal stopped."""
    return 128 + (err.signum if isinstance(err, Stopped) else int(signal.SIGINT))


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP until the block is done (they are delivered after it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def interrupted_message(command: str) -> str:
    """The one line printed when Ctrl-C (or SIGTERM, SIGHUP) stops a command."""
    if command != "build":
        return "aisite: interrupted."
    if state.published:
        return "aisite: interrupted; the new site was already in place."
    return "aisite: interrupted; the previous site was left as it was."


def observed() -> bool:
    """A profiler, tracer or debugger is on: it reports (or restarts) after the program returns."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: cProfile, coverage, pdb use it
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))


def leave(status: int) -> NoReturn:
    """End the process without freeing every object first (a build's model and plan are
    millions of them: taking them apart at exit cost 0.35 s of a 3.5 s edit at 5,000 articles).

    What the interpreter's exit does for aisite is done first: other threads joined, atexit
    handlers run (the two calls Py_FinalizeEx makes; the tests' zygote ends its children the
    same way), standard output and error flushed. Unlike the interpreter, a failed last flush
    keeps main()'s status (the interpreter's would be 120): a reader that went away was told
    of already.
    """
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None: a stream closed before Python started
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
    os._exit(status)
