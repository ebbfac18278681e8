"""What a long-running process (`aisite serve`) keeps between its builds: decoded cache entries,
the listing and recorded outputs of an output folder that only it writes, the last good model;
and what any build holds to its end, kept out of the cycle collector's way."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aisite.model import Site
    from aisite.options import Options
    from aisite.reader import Walk


@dataclass(frozen=True)
class Model:
    """A build that succeeded: what it was asked, the folder it wrote, its inputs, its site."""

    options: Options
    output: str
    walk: Walk
    site: Site


class Memory:
    """Decoded cache rows by the cache's keys (hashes of everything a row depends on); what was
    made of them, reused only while made from the very same objects; the files of search
    bundles by folder (named by the hash of their records: made again, the same bytes). Each
    build keeps only what it used."""

    def __init__(self) -> None:
        # Decoded rows ("articles", "rendered", "units": remembered outputs by signature); what
        # was made of them ("loaded": parsed articles placed in their folders; "built":
        # rendered articles), by the same keys; "bundles": search bundles' files by folder.
        self.tables: dict[str, dict[str, Any]] = {
            name: {} for name in ("articles", "rendered", "loaded", "built", "units", "bundles")
        }
        # Output folder -> path -> (size, mtime_ns) as the last build left it: serve's folder is
        # its own (a private temporary folder), so what it wrote is what it holds.
        self.listings: dict[str, dict[str, tuple[int, int]]] = {}
        # Output folder -> path -> (key, size, mtime_ns): the cache's rows of that folder, as the
        # last build recorded them (reading 70,000 rows took 0.1-0.2 s of each rebuild).
        self.outputs: dict[str, dict[str, tuple[str, int, int]]] = {}
        # The last build, for serve's quick path (quick.py); None after a build that failed.
        self.model: Model | None = None


kept: Memory | None = None
settled = 0  # the memory blocks a server held after its last settle()
rested = 0  # builds since then
REST_MOST = 50  # builds a server makes, at most, between two full collections


def remember() -> None:
    """Keep decoded entries in this process from now on: a long-running server rebuilds often."""
    global kept
    kept = Memory()


def serving() -> bool:
    """True in a long-running server (remember() was called)."""
    return kept is not None


def table(name: str) -> dict[str, Any] | None:
    """The entries kept of one cache table, or None when nothing is kept."""
    return kept.tables[name] if kept is not None else None


def take_listing(folder: str) -> dict[str, tuple[int, int]] | None:
    """The folder's files as the last build left it, if kept; forgotten until keep_listing."""
    return kept.listings.pop(folder, None) if kept is not None else None


def keep_listing(folder: str, files: dict[str, tuple[int, int]]) -> None:
    """Remember what a build left in a folder (only while entries are kept)."""
    if kept is not None:
        kept.listings[folder] = files


def take_outputs(folder: str) -> dict[str, tuple[str, int, int]] | None:
    """The outputs the last build recorded for a folder, if kept; forgotten until keep_outputs
    (a build that fails to record them leaves the cache's rows to be read again)."""
    return kept.outputs.pop(folder, None) if kept is not None else None


def keep_outputs(folder: str, rows: dict[str, tuple[str, int, int]]) -> None:
    """Remember the outputs a build recorded in the cache for a folder (only while kept)."""
    if kept is not None:
        kept.outputs[folder] = rows


def keep_model(model: Model) -> None:
    """Remember a build that succeeded (only while entries are kept)."""
    if kept is not None:
        kept.model = model


def last_model() -> Model | None:
    """The last build that succeeded in this process, while entries are kept."""
    return kept.model if kept is not None else None


def forget_model() -> None:
    """Forget the last model: a build failed, or stopped before it finished."""
    if kept is not None:
        kept.model = None


def folder_state(
    folder: str,
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[str, int, int]]] | None:
    """A folder's listing and recorded outputs as the last build left them, if kept."""
    # The listing is updated in place by what writes there before the next build (quick.py).
    if kept is None or folder not in kept.listings or folder not in kept.outputs:
        return None
    return kept.listings[folder], kept.outputs[folder]


def settle() -> None:
    """In a server: collect the garbage of the builds since the last settle, then exempt what
    is kept from the collector (gc.freeze) until the next one. Its full passes over the kept
    entries cost each build's walk and load 0.3 s at 5,000 articles; this one takes 1.6 s at
    20,000, so rest() runs it only when due."""
    global settled, rested
    gc.unfreeze()  # a build that stopped early (nothing changed, a failure) left it frozen
    gc.collect()
    gc.freeze()
    settled, rested = sys.getallocatedblocks(), 0


def rest() -> None:
    """In a server, after a build: exempt everything from the collector (the build's garbage
    too), and settle() only once the memory blocks Python holds have grown by a quarter since
    the last settle (the rule its collector keeps for its oldest objects), or after REST_MOST
    builds, or every time where they cannot be counted (PYTHONMALLOC=malloc). A build leaves
    little garbage (its plan is freed when it ends, render.py), and a full collection after
    every build kept the next save's own pages waiting (1.6 s at 20,000 articles). Blocks,
    not gc.get_freeze_count(), which walks every frozen object (0.26 s there)."""
    global settled, rested
    gc.freeze()
    rested += 1
    now = sys.getallocatedblocks()
    settled = min(settled, now)  # what is held shrank (a failed build lets its model go)
    if not now or now > settled + settled // 4 or rested >= REST_MOST:
        settle()


@contextmanager
def held() -> Iterator[None]:
    """Make what the build holds (the model, a batch of the plan) without the cycle collector,
    then exempt it from collections (gc.freeze; the build unfreezes when it ends).

    Millions of small objects without cycles: every full collection walked them all (the
    model: 1.5 s of a 7.5 s edit at 5,000 articles; the plan: 0.7 s of a 4.5 s one). They are
    still freed as usual when nothing refers to them; what planning leaves as cyclic garbage is
    collected after the build.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()
    finally:
        if was:
            gc.enable()
