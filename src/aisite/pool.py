"""Worker processes: forked pools whose workers die with the build."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing as mp
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def die_with_parent() -> None:
    """In a worker: be killed when the build process dies (Linux), so no orphan keeps writing."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, TypeError):
        pass


def can_fork() -> bool:
    """True where workers can be forked (they inherit the build's data; nothing is pickled in)."""
    return "fork" in mp.get_all_start_methods()


def fork_map(
    func: Callable[[int], T], count: int, workers: int, chunksize: int, ordered: bool = True
) -> Iterator[T]:
    """func(0..count-1) across forked workers; set the data func reads before calling."""
    with mp.get_context("fork").Pool(workers, initializer=die_with_parent) as pool:
        results: Iterable[T] = (
            pool.imap(func, range(count), chunksize)
            if ordered
            else pool.imap_unordered(func, range(count), chunksize)
        )
        yield from results
