"""The cache's records of the outputs a build wrote into a folder, read a batch at a time."""

from __future__ import annotations

import os
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from pathlib import Path
from stat import S_ISREG
from typing import Any

from aisite import memory
from aisite.cachedb import FAULTS, CacheDB
from aisite.keys import PackedKeys

# An output's path, key, size and mtime_ns, and whether the last build recorded just that.
Row = tuple[str, str, int, int, bool]
BATCH = 4096  # keys recorded anew, packed together


class OutputRecords(CacheDB):
    """Each output's path, key, size and mtime_ns as the last build into the folder wrote it.

    A rebuild finds them in the folder's comparison with them (inplace.compare), or else reads
    the records of each batch it plans, never a table of all of them (25 MB at 71,000 files);
    a server keeps that table between its builds."""

    def __init__(self, root: Path | None, output: Path | None = None, clean: bool = False) -> None:
        # Read on first use: the no-change check needs no output's key.
        self._outputs: dict[str, tuple[str, int, int]] | None = None
        # The keys the last save_outputs recorded anew or dropped (a cold build's: every one,
        # 25 MB as strings at 283,000 outputs).
        self.changed = PackedKeys()
        super().__init__(root, output, clean)

    @property
    def outputs(self) -> dict[str, tuple[str, int, int]]:
        """Output path -> (key, size, mtime_ns) as the last build into this folder recorded."""
        if self._outputs is None:
            self._outputs = {}
            kept = memory.take_outputs(self.scope)
            if kept is not None and self.db is not None and not self.clean:
                self._outputs = kept
            elif self.db is not None and not self.clean:
                try:
                    rows = self.db.execute(
                        "SELECT path, key, size, mtime FROM outputs WHERE folder = ?",
                        (self.scope,),
                    )
                    self._outputs = _table(rows)
                except FAULTS as err:
                    self.fault(err)
        return self._outputs

    def _table_at_hand(self) -> bool:
        """Whether `outputs` costs no read of every record: read already, a server's, or none."""
        return self._outputs is not None or memory.serving() or self.db is None or self.clean

    def has_outputs(self) -> bool:
        """Whether the last build into this folder recorded any output."""
        if self._table_at_hand():
            return bool(self.outputs)
        assert self.db is not None  # else the table is at hand (an empty one)
        try:
            query = "SELECT 1 FROM outputs WHERE folder = ? LIMIT 1"
            return self.db.execute(query, (self.scope,)).fetchone() is not None
        except FAULTS as err:
            self.fault(err)
            return False

    def records_at(self) -> tuple[Path, str] | None:
        """Where another process reads the records (the database, the folder's scope in it):
        none outside a rebuild that reads the cache."""
        if self.db is None or self.clean or self.folder is None or memory.serving():
            return None
        return self.folder / "cache.sqlite", self.scope

    def recorded_count(self) -> int | None:
        """How many outputs are recorded for this folder; None when they cannot be counted."""
        if self.db is None or self.clean:
            return None
        if self._table_at_hand():
            return len(self.outputs)
        try:
            found = self.db.execute("SELECT count(*) FROM outputs WHERE folder = ?", (self.scope,))
            return int(found.fetchone()[0])
        except FAULTS as err:
            self.fault(err)
            return None

    def recorded_under(self, folders: Iterable[str], limit: int) -> dict[str, str] | None:
        """The outputs recorded in these folders of the site, at any depth, with their keys;
        None when they cannot be read, or are more than `limit`."""
        if self.db is None or self.clean:
            return None
        if self._table_at_hand():  # a server's (which compares no folder with the records)
            starts = tuple(f"{folder}/" for folder in folders)
            found = {
                path: known[0] for path, known in self.outputs.items() if path.startswith(starts)
            }
            return found if len(found) <= limit else None
        # Every path that starts with "folder/" sorts between it and "folder0" ("0" follows "/"
        # in SQLite's binary order of UTF-8, as in Python's of strings).
        query = "SELECT path, key FROM outputs WHERE folder = ? AND path >= ? AND path < ?"
        found = {}
        try:
            for folder in folders:
                between = (self.scope, f"{folder}/", f"{folder}0")
                for path, key in self.db.execute(query + " LIMIT ?", (*between, limit + 1)):
                    found[str(path)] = str(key)
                if len(found) > limit:
                    return None
        except FAULTS as err:
            self.fault(err)
            return None
        return found

    def recorded_besides(self, made: Container[str]) -> list[tuple[str, str]] | None:
        """The outputs recorded for this folder that are not in `made`, with their keys (read
        as they are compared: 283,000 paths at 20,000 articles); None when they cannot be read."""
        if self.db is None or self.clean:
            return None
        try:
            rows = self.db.execute("SELECT path, key FROM outputs WHERE folder = ?", (self.scope,))
            return [(str(path), str(key)) for path, key in rows if path not in made]
        except FAULTS as err:
            self.fault(err)
            return None

    def recorded(self, paths: Sequence[str]) -> dict[str, tuple[str, int, int]]:
        """The last build's records of these outputs: from a server's table, else read from
        the cache 500 at a time (a table of every output was 25 MB at 71,000 files)."""
        if self._table_at_hand():
            table = self.outputs
            return {path: table[path] for path in paths if path in table}
        query = "SELECT path, key, size, mtime FROM outputs WHERE folder = ? AND path"
        try:
            return _table(self._rows_in(query, (self.scope,), paths))
        except FAULTS as err:
            self.fault(err)
            return {}

    def output_unchanged(self, path: str, key: str, file: str | Path) -> bool:
        """True when `file` is still exactly what a build with this key wrote."""
        known = self.outputs.get(path)
        if known is None or known[0] != key:
            return False
        try:
            stat = os.lstat(file)  # a link put there is not what the build wrote
        except OSError:
            return False
        return S_ISREG(stat.st_mode) and (stat.st_size, stat.st_mtime_ns) == known[1:]

    def save_outputs(
        self, rows: Callable[[], Iterable[Row]], gone: list[tuple[str, str]] | None = None
    ) -> None:
        """Record the outputs (every one: `rows` gives (path, key, size, mtime_ns, same) each
        time it is called, `same` when that is the last build's record) of a build that was
        put in place (only what changed). `gone`: the (path, key) of every record `rows` no
        longer has, when the caller read them (else they are found by a scan of the records:
        0.3 s at 20,000 articles)."""
        try:
            self._save_outputs(rows, gone)
        except FAULTS as err:
            self.fault(err)

    def _save_outputs(
        self, rows: Callable[[], Iterable[Row]], known_gone: list[tuple[str, str]] | None
    ) -> None:
        if self.db is None:
            return
        if memory.serving() and self._outputs is not None and not self.clean:
            self._save_kept(rows, known_gone, self._outputs)
            return
        # No table of the outputs' records is made (11 MB at 71,000 files); the keys recorded
        # anew are packed a batch at a time.
        changed, batch = PackedKeys(), list[str | None]()

        def fresh() -> Iterator[tuple[str, str, str, int, int]]:
            for path, key, size, mtime, same in rows():
                if not same:
                    batch.append(key)
                    if len(batch) == BATCH:
                        changed.extend(batch)
                        batch.clear()
                    yield self.scope, path, key, size, mtime

        with self.transaction():
            if self.clean:
                self.db.execute("DELETE FROM outputs WHERE folder = ?", (self.scope,))
            gone = [] if self.clean else self._gone(rows) if known_gone is None else known_gone
            self._delete(gone)
            self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)", fresh())
        changed.extend([*batch, *(key for _, key in gone)])
        self.changed = changed
        self._outputs = None  # read again if asked for: the table holds them now
        if memory.serving():  # a server's next build compares with these
            current = {path: (key, size, mtime) for path, key, size, mtime, _ in rows()}
            self._outputs = current
            memory.keep_outputs(self.scope, current)

    def _save_kept(
        self,
        rows: Callable[[], Iterable[Row]],
        known_gone: list[tuple[str, str]] | None,
        table: dict[str, tuple[str, int, int]],
    ) -> None:
        """save_outputs() in a server, whose `table` holds the last build's records: one pass
        over the rows, only those that changed recorded, those gone found in the table, which
        is updated in place (after a save at 20,000 articles the server took 2.1 s to record
        its outputs, which the next save's own pages waited for: three passes over the rows,
        a scan of the records, and a table made anew)."""
        assert self.db is not None
        fresh: list[tuple[str, str, str, int, int]] = []
        here: set[str] = set()  # the rows' paths, when which records are gone is not told
        for path, key, size, mtime, same in rows():
            if known_gone is None:
                here.add(path)
            if not same:
                fresh.append((self.scope, path, key, size, mtime))
        if known_gone is None:
            gone = [(path, known[0]) for path, known in table.items() if path not in here]
        else:
            gone = known_gone
        del here
        with self.transaction():
            self._delete(gone)
            self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)", fresh)
        for path, _ in gone:
            table.pop(path, None)
        for _, path, key, size, mtime in fresh:
            table[path] = (key, size, mtime)
        self.changed = PackedKeys()
        self.changed.extend([*(key for _, _, key, _, _ in fresh), *(key for _, key in gone)])
        memory.keep_outputs(self.scope, table)

    def _delete(self, gone: list[tuple[str, str]]) -> None:
        assert self.db is not None
        self.db.executemany(
            "DELETE FROM outputs WHERE folder = ? AND path = ?",
            [(self.scope, path) for path, _ in gone],
        )

    def _gone(self, rows: Callable[[], Iterable[Row]]) -> list[tuple[str, str]]:
        """(path, key) of the outputs recorded for this folder that `rows` no longer has."""
        assert self.db is not None
        here: set[str] | None = None  # made once a record is found: a first build has none
        gone: list[tuple[str, str]] = []
        for path, key in self.db.execute(
            "SELECT path, key FROM outputs WHERE folder = ?", (self.scope,)
        ):
            if here is None:
                here = {path for path, *_ in rows()}
            if path not in here:
                gone.append((str(path), str(key)))
        return gone

    def unused(self, names: set[str]) -> set[str] | None:
        """Of `names`, those no output of any folder has as its key; None when the cache cannot
        tell (the keys are read one by one: a set of every output's key is 8 MB at 71,000)."""
        if self.db is None:
            return None
        try:
            left = set(names)
            for (key,) in self.db.execute("SELECT key FROM outputs"):
                left.discard(key)
            return left
        except FAULTS as err:
            self.fault(err)
            return None


def _table(rows: Iterable[tuple[Any, ...]]) -> dict[str, tuple[str, int, int]]:
    """Rows of (path, key, size, mtime) as path -> (key, size, mtime)."""
    return {str(path): (str(key), int(size), int(mtime)) for path, key, size, mtime in rows}
