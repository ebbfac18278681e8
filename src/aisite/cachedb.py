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
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from aisite.bodies import Texts

FOLDER = ".aisite-cache"
# What a damaged cache can raise while it is read: each is only a miss.
FAULTS = (sqlite3.Error, OSError, ValueError, KeyError, TypeError, IndexError, RecursionError)


MANIFEST = "manifest:"  # a row of `rendered`: what the last build into a folder recorded
# A row of `rendered`: the verdicts and records' keys of the claims.json a build wrote.
VERDICTS = "verdicts:"
EDITS = "bodyedit:"  # rows of `rendered`: EDITS + folder + "|" + name (bodyedit.py's)
KEY_LENGTH = 32  # hex digits of a key (keys.digest)


def edit_rows(folder: str) -> tuple[str, tuple[str, str]]:
    """The statement and parameters that delete an output folder's rows of bodyedit.py."""
    # By a range of the key ('}' follows '|'): the index, not a scan of every rendering.
    return "DELETE FROM rendered WHERE key >= ? AND key < ?", (
        f"{EDITS}{folder}|",
        f"{EDITS}{folder}}}",
    )


def verdict_rows(folder: str) -> tuple[str, tuple[int, str, int]]:
    """A DELETE of the kept verdicts of an output folder, and its parameters: the rows named
    'verdicts:<folder>:<key>' exactly (not those of a folder named '<folder>:x')."""
    prefix = f"{VERDICTS}{folder}:"
    sql = "DELETE FROM rendered WHERE substr(key, 1, ?) = ? AND length(key) = ?"
    return sql, (len(prefix), prefix, len(prefix) + KEY_LENGTH)


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
            # Units are stored while a build plans: a failed one leaves units but no outputs.
            folders = {*self._folders("outputs"), *self._folders("units"), *self._named_folders()}
            for folder in sorted(folders):
                if not _exists(folder):  # e.g. the temporary folder of a finished `serve`
                    self.db.execute("DELETE FROM outputs WHERE folder = ?", (folder,))
                    self.db.execute("DELETE FROM units WHERE folder = ?", (folder,))
                    self.db.execute("DELETE FROM rendered WHERE key = ?", (MANIFEST + folder,))
                    self.db.execute(*edit_rows(folder))
                    self.db.execute(*verdict_rows(folder))
        except FAULTS as err:
            self.fault(err)

    def _folders(self, table: str) -> list[str]:
        """The folders a table has rows of, by its index: one step each, where a UNION of
        every row's took 0.07 s at 283,000 outputs."""
        assert self.db is not None
        first = f"SELECT folder FROM {table} ORDER BY folder LIMIT 1"
        step = f"SELECT folder FROM {table} WHERE folder > ? ORDER BY folder LIMIT 1"
        found: list[str] = []
        row = self.db.execute(first).fetchone()
        while row is not None:
            found.append(row[0])
            row = self.db.execute(step, (row[0],)).fetchone()
        return found

    def _named_folders(self) -> set[str]:
        """The output folders named by a manifest or kept verdicts (which may be all that is
        left of one: a build stopped between its deletes, or older versions)."""
        assert self.db is not None
        named = set()
        # By ranges of the key (';' follows ':'): the index, not a scan of every rendering.
        ranges = "key >= ? AND key < ? OR key >= ? AND key < ?"
        bounds = (MANIFEST, MANIFEST[:-1] + ";", VERDICTS, VERDICTS[:-1] + ";")
        for (key,) in self.db.execute(f"SELECT key FROM rendered WHERE {ranges}", bounds):
            if key.startswith(MANIFEST):
                named.add(key[len(MANIFEST) :])
            elif len(key) > len(VERDICTS) + KEY_LENGTH + 1:
                named.add(key[len(VERDICTS) : -KEY_LENGTH - 1])
        return named

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
        also = f" JOIN {join} ON {join}.key = {table}.key" if join else ""
        query = f"SELECT {table}.key, {table}.value FROM {table}{also} WHERE {table}.key"
        try:
            rows = list(self._rows_in(query, (), list(keys)))
        except FAULTS as err:
            self.fault(err)
            return
        yield from rows

    def _rows_in(
        self, query: str, params: tuple[Any, ...], keys: Sequence[str]
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of `query` (which ends before `IN`) for `keys`, asked 500 at a time (SQLite's
        bound on parameters); a fault is the caller's to handle."""
        assert self.db is not None
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(f"{query} IN ({marks})", (*params, *chunk))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed or rolled back whole. The connection is in autocommit
        mode, where `with db:` begins none: each row of an executemany was a commit of its own
        (70,000 rows: 1.3 s, against 0.14 s in one transaction)."""
        assert self.db is not None
        db = self.db
        db.execute("BEGIN")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        db.commit()

    def _write(self, *writes: tuple[str, Iterable[tuple[Any, ...]]]) -> None:
        """Run (statement, rows) writes in one transaction; a cache that cannot be written is
        dropped for the rest of the build. Rows may be made as they are written: an error in
        making one rolls the writes back and is raised as it is (a bug, not a cache fault)."""
        if self.db is None:
            return
        made = [(sql, _Rows(rows)) for sql, rows in writes]
        try:
            with self.transaction() as db:
                for sql, rows in made:
                    db.executemany(sql, rows)
                    if rows.error is not None:
                        raise _Unmade(rows.error)
        except _Unmade as err:
            raise err.error from None
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


class _Unmade(Exception):
    """A row that could not be made: rolls its transaction back, past the fault handler."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _Rows:
    """Rows made as they are written; an error in making one ends them and is kept."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self._rows = iter(rows)
        self.error: BaseException | None = None

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> tuple[Any, ...]:
        try:
            return next(self._rows)
        except StopIteration:
            raise
        except Exception as err:  # kept, and raised by _write once the writes are rolled back
            self.error = err
            raise StopIteration from None
