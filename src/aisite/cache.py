"""The build cache's tables: parsed articles, rendered Markdown, outputs' keys, units, manifests, what was kept of claims.json.

Rendered Markdown is kept in two tables: `rendered`, what every build decodes (an article's
summary, its claims' order and context, its problems), and `texts`, the large HTML and search
text, read one article at a time when a page, feed or search record needs it (bodies.py).
Entries are keyed by hashes of everything they depend on (keys.py), so a stale entry is never
used; `--clean` ignores and replaces the cache. The database (one SQLite file in
`.aisite-cache/`) and what a fault in it does are cachedb.py's; the outputs' records are
outputrecords.py's. It holds JSON, and what is kept of claims.json as lines (keptrow.py).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisite import memory
from aisite.cachedb import EDITS, FAULTS, MANIFEST, VERDICTS, edit_rows, verdict_rows
from aisite.keptrow import from_kept_row, kept_row
from aisite.outputrecords import OutputRecords

if TYPE_CHECKING:
    from aisite.model import ParsedArticle


class Cache(OutputRecords):
    """The cache's tables: parsed articles, rendered Markdown, outputs, units, the manifest,
    the kept verdicts and records' keys of claims.json."""

    def __init__(
        self,
        root: Path | None,
        output: Path | None = None,
        clean: bool = False,
        hold_texts: bool = False,
    ) -> None:
        self._units_cleared = False  # a --clean build's: the folder's old units deleted
        self.hold_texts = hold_texts  # Options.hold_texts: every rendered text kept in memory
        super().__init__(root, output, clean)

    def get_rendered(
        self, keys: Iterable[str], decode: Callable[[str, Any], Any]
    ) -> dict[str, Any]:
        """Cached Markdown results by key, through decode(key, data); a row that is not JSON,
        that `decode` refuses, or whose body `texts` does not hold is a miss."""
        return self._get("rendered", keys, lambda k, v: decode(k, json.loads(v)), join="texts")

    def get_parsed(self, keys: Iterable[str]) -> dict[str, ParsedArticle]:
        """Parsed articles by key, decoded from JSON (never unpickled); a bad row is a miss."""
        # Imported here: a build with nothing to do needs no model.
        from aisite.cachecodec import article_from_json

        return self._get("articles", keys, lambda _, v: article_from_json(v))

    def _get(
        self, table: str, keys: Iterable[str], decode: Callable[[str, Any], Any], join: str = ""
    ) -> dict[str, Any]:
        """Decoded rows by key: kept in memory (memory.remember()), else read and decoded."""
        wanted, kept = list(keys), memory.table(table)
        found = {k: kept[k] for k in wanted if k in kept} if kept and not self.clean else {}
        for key, value in self._select(table, (k for k in wanted if k not in found), join):
            try:
                found[key] = decode(key, value)
            except FAULTS as err:
                self.fault(err)
                return {}
        if kept is not None:  # what this build uses, and nothing else
            kept.clear()
            kept.update(found)
        return found

    def put_parsed(self, items: dict[str, ParsedArticle]) -> None:
        """Store parsed articles."""
        # Encoded as they are written: at 5,000 articles all the rows at once took 60 MB.
        from aisite.cachecodec import article_to_json

        rows = ((k, article_to_json(v)) for k, v in items.items())
        self._write(("INSERT OR REPLACE INTO articles VALUES (?, ?)", rows))
        kept = memory.table("articles")
        if kept is not None:
            kept.update(items)

    def prune_parsed(self, live: Iterable[str]) -> None:
        """Forget parsed articles no current bundle has."""
        try:
            self._prune_parsed(live)
        except FAULTS as err:
            self.fault(err)

    def _prune_parsed(self, live: Iterable[str]) -> None:
        if self.db is None:
            return
        with self.transaction():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS live_parsed (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM live_parsed")
            self.db.executemany(
                "INSERT OR IGNORE INTO live_parsed VALUES (?)", [(k,) for k in live]
            )
            self.db.execute("DELETE FROM articles WHERE key NOT IN (SELECT key FROM live_parsed)")

    def put_rendered(self, bodies: Iterable[tuple[str, str]], rows: dict[str, Any]) -> bool:
        """Store Markdown results' bodies ((key, JSON), made as they are written), then the
        results (`rows`, read only then: making the bodies may fill it), in one transaction;
        True when stored."""

        def items() -> Iterator[tuple[str, str]]:  # not a generator expression: it would take
            # `rows`' iterator now, before the bodies fill it
            for key, value in rows.items():
                yield key, json.dumps(value, ensure_ascii=False)

        self._write(
            ("INSERT OR REPLACE INTO texts VALUES (?, ?)", bodies),
            ("INSERT OR REPLACE INTO rendered VALUES (?, ?)", items()),
        )
        return self.db is not None

    def units(self) -> dict[str, str]:
        """Every per-article unit that builds into this folder stored (units.py)."""
        if self.db is None or self.clean:
            return {}
        query = "SELECT signature, value FROM units WHERE folder = ?"
        try:
            return {str(s): str(v) for s, v in self.db.execute(query, (self.scope,))}
        except FAULTS as err:
            self.fault(err)
            return {}

    def unit_rows(self, signatures: Sequence[str]) -> dict[str, str]:
        """The units stored for this folder under these signatures."""
        if self.db is None or self.clean:
            return {}
        query = "SELECT signature, value FROM units WHERE folder = ? AND signature"
        try:
            return {str(s): str(v) for s, v in self._rows_in(query, (self.scope,), signatures)}
        except FAULTS as err:
            self.fault(err)
            return {}

    def put_units(self, rows: list[tuple[str, str]]) -> None:
        """Store units (signature, JSON) as a build plans them: each is true of its signature,
        whether or not that build is then published."""
        try:
            self._put_units([(self.scope, s, v) for s, v in rows], [])
        except FAULTS as err:
            self.fault(err)

    def save_units(self, used: dict[str, str], kept: Collection[str] = ()) -> None:
        """Store the units a build planned and did not store yet (`used`), and drop the folder's
        others but those it used (`kept`: remembered, or stored as planned)."""
        try:
            gone = [] if self.clean or self.db is None else self._unused_units(used, kept)
            self._put_units([(self.scope, s, v) for s, v in used.items()], gone)
        except FAULTS as err:
            self.fault(err)

    def _unused_units(self, used: dict[str, str], kept: Collection[str]) -> list[tuple[str, str]]:
        assert self.db is not None
        rows = self.db.execute("SELECT signature FROM units WHERE folder = ?", (self.scope,))
        return [(self.scope, s) for (s,) in rows if s not in kept and s not in used]

    def _put_units(self, new: list[tuple[str, str, str]], gone: list[tuple[str, str]]) -> None:
        if self.db is None:
            return
        with self.transaction():
            if self.clean and not self._units_cleared:  # earlier builds' rows were not read
                self.db.execute("DELETE FROM units WHERE folder = ?", (self.scope,))
                self._units_cleared = True
            self.db.executemany("DELETE FROM units WHERE folder = ? AND signature = ?", gone)
            self.db.executemany("INSERT OR REPLACE INTO units VALUES (?, ?, ?)", new)

    def drop_rendered(self, keys: list[str]) -> None:
        """Forget these Markdown results (an edit's earlier texts)."""
        self._write(
            ("DELETE FROM rendered WHERE key = ?", [(k,) for k in keys]),
            ("DELETE FROM texts WHERE key = ?", [(k,) for k in keys]),
        )

    def prune_rendered(self, live: Iterable[str]) -> None:
        """Forget Markdown results no current article uses."""
        try:
            self._prune_rendered(list(live))
        except FAULTS as err:
            self.fault(err)

    def _prune_rendered(self, keep: list[str]) -> None:
        if self.db is None:
            return
        with self.transaction():
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM live")
            self.db.executemany("INSERT OR IGNORE INTO live VALUES (?)", [(k,) for k in keep])
            self.db.execute(
                "DELETE FROM rendered WHERE key NOT IN (SELECT key FROM live)"
                f" AND key NOT LIKE '{MANIFEST}%' AND key NOT LIKE '{VERDICTS}%'"
                f" AND key NOT LIKE '{EDITS}%'"
            )
            self.db.execute("DELETE FROM texts WHERE key NOT IN (SELECT key FROM live)")

    def edit_rows(self, names: Iterable[str]) -> dict[str, str]:
        """bodyedit.py's rows for this output folder, by name."""
        prefix = f"{EDITS}{self.scope}|"
        found = self._select("rendered", [prefix + name for name in names])
        return {str(key)[len(prefix) :]: str(value) for key, value in found}

    def put_edit_rows(self, rows: Iterable[tuple[str, str]], whole: bool) -> None:
        """Store bodyedit.py's rows (name, JSON) for this output folder, made as they are
        written; `whole`: in place of all its rows (else beside them)."""
        prefix = f"{EDITS}{self.scope}|"
        sql, params = edit_rows(self.scope)
        insert = ((prefix + name, value) for name, value in rows)
        self._write(
            (sql, [params] if whole else []),
            ("INSERT OR REPLACE INTO rendered VALUES (?, ?)", insert),
        )

    def manifest(self) -> dict[str, Any] | None:
        """What the last successful build into this output folder recorded (never when cleaning)."""
        found = dict(self._select("rendered", [MANIFEST + self.scope]))
        if not found:
            return None
        try:
            data = json.loads(next(iter(found.values())))
            if not isinstance(data, dict):
                raise TypeError("the manifest is not an object")
        except FAULTS as err:
            self.fault(err)
            return None
        return data

    def published(
        self, claims_key: str
    ) -> tuple[dict[str, str], list[str], array[int] | None] | None:
        """The verdicts, the records' keys and lengths of the claims.json with this key, as the
        build that wrote it kept them (keptrow.py)."""
        found = dict(self._select("rendered", [f"{VERDICTS}{self.scope}:{claims_key}"]))
        if not found:
            return None
        try:
            return from_kept_row(next(iter(found.values())))
        except FAULTS as err:
            self.fault(err)
            return None

    def keep_published(
        self,
        claims_key: str,
        kept: Callable[[], tuple[Iterable[tuple[str, str]], Iterable[str], array[int] | None]],
    ) -> None:
        """Keep the verdicts, the records' keys and lengths of the claims.json with this key
        (made only when not kept yet), and forget the output folder's others."""
        row = f"{VERDICTS}{self.scope}:{claims_key}"
        if self.db is None or dict(self._select("rendered", [row])):
            return
        text = kept_row(*kept())
        sql, params = verdict_rows(self.scope)
        insert = ("INSERT OR REPLACE INTO rendered VALUES (?, ?)", [(row, text)] if text else [])
        self._write((sql, [params]), insert)

    def save_manifest(self, data: dict[str, Any]) -> None:
        """Record the inputs of a successful build into this output folder."""
        row = (MANIFEST + self.scope, json.dumps(data))
        self._write(("INSERT OR REPLACE INTO rendered VALUES (?, ?)", [row]))

    def forget_manifest(self) -> None:
        """Drop the manifest of this output folder: the next build is a full one."""
        self._write(("DELETE FROM rendered WHERE key = ?", [(MANIFEST + self.scope,)]))
