"""The cache's database: opening it (its schema), reading and writing rows, giving it up on a fault.

One SQLite file in `.aisite-cache/` beside `content/`. The cache is disposable: any fault in it
(damaged rows, a read-only or corrupt database) is a miss, reported in one warning line, and
the build goes on without it.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from aisite.bodies import Texts

FOLDER = ".aisite-cache"
# What a damaged cache can raise while it is read: each is only a miss.
FAULTS = (sqlite3.Error, OSError, ValueError, KeyError, TypeError, IndexError, RecursionError)


def _exists(folder: str) -> bool:
    """False only when a folder is known to be gone (another user's may not be visible)."""
    try:
        return Path(folder).is_dir()
    except OSError:
        return True


class CacheDB:
    """The connection: a cache that cannot be opened, read or written is simply empty."""

    def __init__(self, root: Path | None, output: Path | None = None, clean: bool = False) -> None:
        self.db: sqlite3.Connection | None = None
        # Output keys are kept per output folder (build and serve write to different ones).
        self.scope = str(output.resolve()) if output else ""
        self.clean = clean
        self.folder: Path | None = None  # for derived files kept as files (search index, images)
        self.warned = False
        self.texts: Texts | None = None  # articles' bodies, read when used
        if root is None:
            return
        try:
            (root / FOLDER).mkdir(exist_ok=True)
            self.folder = root / FOLDER
            if clean:
                for derived in ("search", "images"):
                    shutil.rmtree(self.folder / derived, ignore_errors=True)
            self.db = sqlite3.connect(root / FOLDER / "cache.sqlite", isolation_level=None)
            self.db.executescript(
                "PRAGMA journal_mode=WAL;"
                # A disposable cache: a commit need not reach the disk before the build goes
                # on (WAL keeps the file consistent; a power cut may lose the last builds' rows).
                "PRAGMA synchronous=NORMAL;"
                "CREATE TABLE IF NOT EXISTS rendered (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS texts (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "DROP TABLE IF EXISTS parsed;"  # pickles of older versions: never read again
                "CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS outputs (folder TEXT NOT NULL, path TEXT NOT NULL,"
                " key TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
                " PRIMARY KEY (folder, path));"
                "CREATE TABLE IF NOT EXISTS units (folder TEXT NOT NULL, signature TEXT NOT NULL,"
                " value TEXT NOT NULL, PRIMARY KEY (folder, signature));"
            )
            self.texts = Texts(root / FOLDER / "cache.sqlite")
            for (folder,) in list(self.db.execute("SELECT DISTINCT folder FROM outputs")):
                if not _exists(folder):  # e.g. the temporary folder of a finished `serve`
                    self.db.execute("DELETE FROM outputs WHERE folder = ?", (folder,))
                    self.db.execute("DELETE FROM units WHERE folder = ?", (folder,))
        except FAULTS as err:
            self.fault(err)

    def fault(self, err: BaseException) -> None:
        """Stop using a cache that failed: one warning line, then the build goes on without it."""
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None
        if self.folder is not None and not self.warned:
            self.warned = True
            why = str(err) or type(err).__name__
            print(
                f"aisite: warning: the cache in {self.folder} cannot be used ({why}); "
                "building without it (delete the folder to start afresh)",
                file=sys.stderr,
            )

    def _select(self, table: str, keys: Iterable[str], join: str = "") -> Iterator[tuple[str, Any]]:
        """(key, value) rows of a table for the keys present (none when cleaning); `join`: a
        table that must hold the same key too."""
        if self.db is None or self.clean:
            return
        wanted = list(keys)
        rows: list[tuple[str, Any]] = []
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                also = f" JOIN {join} ON {join}.key = {table}.key" if join else ""
                query = f"SELECT {table}.key, {table}.value FROM {table}{also}"
                rows.extend(self.db.execute(f"{query} WHERE {table}.key IN ({marks})", chunk))
        except FAULTS as err:
            self.fault(err)
            return
        yield from rows

    def _write(self, *writes: tuple[str, Iterable[tuple[Any, ...]]]) -> None:
        """Run (statement, rows) writes in one transaction; a cache that cannot be written is
        dropped for the rest of the build."""
        if self.db is None:
            return
        try:
            with self.db:
                for sql, rows in writes:
                    self.db.executemany(sql, rows)
        except FAULTS as err:
            self.fault(err)

    def close(self) -> None:
        """Close the database (and this process's reader of bodies)."""
        if self.texts is not None:
            self.texts.close()
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None
