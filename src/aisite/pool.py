"""Worker processes: forked workers that die with the build and never hang an interrupted one.

Not multiprocessing.Pool: its terminate() takes a lock that a worker may hold, and a worker that
Ctrl-C reached while holding it hung an interrupted build (seen once in about 65 tries). Here
workers take items from a shared counter, send results through their own pipe, ignore Ctrl-C
(the build process alone answers it), and are SIGKILLed and reaped however the parent stops.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar, cast

from aisite.libc import give_back, libc

T = TypeVar("T")
_PR_SET_PDEATHSIG = 1
_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def die_with_parent(parent: int | None = None) -> None:
    """In a worker: be killed when the build process dies (Linux), and leave signals to it."""
    gc.enable()  # whatever the parent was doing when it forked: workers make garbage
    for number in (signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    prctl = getattr(libc(), "prctl", None)  # Linux only
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if parent is not None and os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def can_fork() -> bool:
    """True where workers can be forked (they inherit the build's data; nothing is pickled in)."""
    return "fork" in mp.get_all_start_methods()


def _work(
    func: Callable[[int], Any], count: int, chunk: int, counter: Any, out: Connection
) -> None:
    """A worker's loop: claim the next chunk of indices, send its results, until none are left."""
    try:
        while True:
            with counter.get_lock():
                start = counter.value
                counter.value = start + chunk
            if start >= count:
                break
            out.send(("ok", [(i, func(i)) for i in range(start, min(count, start + chunk))]))
        out.send(("done", None))
    except BaseException as err:
        _send_error(out, err)


def _exit_worker() -> None:
    """End a worker whatever happened: never back into the build's code it was forked from.

    A worker whose pipe broke (the build was stopped and exited first) fails to send its
    result; unwinding would run the build's handlers and cleanup in the worker, printing an
    internal error and deleting what the build owns.
    """
    os._exit(0)


def _send_error(out: Connection, err: BaseException) -> None:
    """Send a worker's exception to the build process, or what it said if it cannot be pickled."""
    try:
        out.send(("error", err))
    except Exception:
        out.send(("error", RuntimeError(f"{type(err).__name__}: {err}")))


def fork_map(
    func: Callable[[int], T], count: int, workers: int, chunksize: int, ordered: bool = True
) -> Iterator[T]:
    """func(0..count-1) across forked workers; set the data func reads before calling."""
    parent = os.getpid()
    give_back()
    counter = mp.get_context("fork").Value("q", 0)
    pipes: dict[Connection, int] = {}
    try:
        for _ in range(max(1, min(workers, count))):
            reader, writer = mp.Pipe(duplex=False)
            # No signal may reach a new worker before it has its own handlers.
            signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            try:
                pid = os.fork()
            finally:
                if os.getpid() == parent:  # also when fork failed: signals work again
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
            if pid == 0:  # pragma: no cover - runs in the worker
                try:
                    reader.close()
                    die_with_parent(parent)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
                    _work(func, count, chunksize, counter, writer)
                finally:
                    _exit_worker()
            writer.close()
            pipes[reader] = pid
        yield from _gather(pipes, ordered)
    finally:
        _stop(list(pipes.values()))
        for conn in pipes:
            conn.close()


class Started(Generic[T]):
    """A call running in a forked worker: wait for its result, or cancel it."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid, self.conn = pid, conn

    def result(self) -> T:
        """What the call returned; its exception is raised here."""
        try:
            kind, payload = self.conn.recv()
        except EOFError:
            raise RuntimeError(f"worker process {self.pid} died") from None
        finally:
            self.cancel()
        if kind == "error":
            raise payload
        return cast(T, payload)

    def cancel(self) -> None:
        """Kill the worker (when it has not finished) and reap it."""
        if not self.conn.closed:
            _stop([self.pid])
            self.conn.close()


def fork_call(func: Callable[[], T]) -> Started[T]:
    """Start func() in a forked worker now, while this process goes on with other work."""
    parent = os.getpid()
    give_back()
    reader, writer = mp.Pipe(duplex=False)
    signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        pid = os.fork()
    except OSError:
        reader.close()
        writer.close()
        raise
    finally:
        if os.getpid() == parent:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    if pid == 0:  # pragma: no cover - runs in the worker
        try:
            reader.close()
            die_with_parent(parent)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
            try:
                writer.send(("ok", func()))
            except BaseException as err:
                _send_error(writer, err)
        finally:
            _exit_worker()
    writer.close()
    return Started(pid, reader)


def _gather(pipes: dict[Connection, int], ordered: bool) -> Iterator[Any]:
    """Results as workers send them (or in index order); a worker's exception is raised here."""
    live = list(pipes)
    waiting: dict[int, Any] = {}
    following = 0
    while live:
        for conn in wait(live):
            assert isinstance(conn, Connection)
            try:
                kind, payload = conn.recv()
            except EOFError:
                raise RuntimeError(f"worker process {pipes[conn]} died") from None
            if kind == "error":
                raise payload
            if kind == "done":
                live.remove(conn)
                continue
            for index, result in payload:
                if not ordered:
                    yield result
                    continue
                waiting[index] = result
                while following in waiting:
                    yield waiting.pop(following)
                    following += 1


def _stop(pids: list[int]) -> None:
    """Kill and reap workers (those that finished are only reaped)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
