"""The build cache: rendered Markdown by content hash, and the key of every output written.

One SQLite file in `.aisite-cache/` beside `content/`. Entries are keyed by hashes of everything
they depend on, so a stale entry is never used; `--clean` ignores and replaces the cache.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from aisite import __version__

FOLDER = ".aisite-cache"


def _versions() -> bytes:
    # Output depends on these libraries too: a new nh3 (sanitiser) must never meet stale HTML.
    names = ("markdown", "nh3", "pygments", "jinja2", "feedgen", "pyyaml", "pillow")
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
    # aisite's own code too, so that an edited checkout never reuses what older code made.
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        code.update(path.read_bytes())
    return f"aisite={__version__}+{code.hexdigest()[:16]};{';'.join(found)}".encode()


_SALT = _versions()


def digest(*parts: str | bytes) -> str:
    """A short stable hash of several strings, salted with aisite's and its libraries' versions."""
    h = hashlib.sha256(_SALT)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:32]


class Cache:
    """Reads and writes the cache; a cache that cannot be opened is simply empty."""

    def __init__(self, root: Path | None, output: Path | None = None, clean: bool = False) -> None:
        self.db: sqlite3.Connection | None = None
        # Output keys are kept per output folder (build and serve write to different ones).
        self.scope = str(output.resolve()) if output else ""
        self.outputs: dict[str, tuple[str, int, int]] = {}
        self.clean = clean
        self.folder: Path | None = None  # for derived files kept as files (search index, images)
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
                "CREATE TABLE IF NOT EXISTS rendered (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, value BLOB NOT NULL);"
                "CREATE TABLE IF NOT EXISTS outputs (folder TEXT NOT NULL, path TEXT NOT NULL,"
                " key TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
                " PRIMARY KEY (folder, path));"
            )
            for (folder,) in list(self.db.execute("SELECT DISTINCT folder FROM outputs")):
                if not Path(folder).is_dir():  # e.g. the temporary folder of a finished `serve`
                    self.db.execute("DELETE FROM outputs WHERE folder = ?", (folder,))
            rows = self.db.execute(
                "SELECT path, key, size, mtime FROM outputs WHERE folder = ?", (self.scope,)
            )
            if not clean:
                self.outputs = {path: (key, size, mtime) for path, key, size, mtime in rows}
        except (OSError, sqlite3.Error):
            self.db = None

    def _select(self, table: str, keys: Iterable[str]) -> Iterator[tuple[str, Any]]:
        """(key, value) rows of a table for the keys present (none when cleaning)."""
        if self.db is None or self.clean:
            return
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self.db.execute(
                f"SELECT key, value FROM {table} WHERE key IN ({marks})", chunk
            )

    def get_rendered(self, keys: Iterable[str]) -> dict[str, Any]:
        """Cached Markdown results by key."""
        return {key: json.loads(value) for key, value in self._select("rendered", keys)}

    def get_parsed(self, keys: Iterable[str]) -> dict[str, Any]:
        """Parsed articles by key: pickles this cache wrote itself."""
        found: dict[str, Any] = {}
        for key, value in self._select("parsed", keys):
            try:
                found[key] = pickle.loads(value)
            except Exception:  # an unreadable entry is only a cache miss
                continue
        return found

    def put_parsed(self, items: dict[str, Any]) -> None:
        """Store parsed articles."""
        if self.db is None or not items:
            return
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO parsed VALUES (?, ?)",
                [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()],
            )

    def prune_parsed(self, live: Iterable[str]) -> None:
        """Forget parsed articles no current bundle has."""
        if self.db is None:
            return
        with self.db:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS live_parsed (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM live_parsed")
            self.db.executemany(
                "INSERT OR IGNORE INTO live_parsed VALUES (?)", [(k,) for k in live]
            )
            self.db.execute("DELETE FROM parsed WHERE key NOT IN (SELECT key FROM live_parsed)")

    def put_rendered(self, items: dict[str, Any]) -> None:
        """Store Markdown results."""
        if self.db is None or not items:
            return
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO rendered VALUES (?, ?)",
                [(k, json.dumps(v, ensure_ascii=False)) for k, v in items.items()],
            )

    def output_unchanged(self, path: str, key: str, file: Path) -> bool:
        """True when `file` is still exactly what a build with this key wrote."""
        known = self.outputs.get(path)
        if known is None or known[0] != key:
            return False
        try:
            stat = file.stat()
        except OSError:
            return False
        return (stat.st_size, stat.st_mtime_ns) == known[1:]

    def save_outputs(self, written: dict[str, tuple[str, int, int]], live: Iterable[str]) -> None:
        """Record the outputs of a build that was swapped into place (only what changed)."""
        if self.db is None:
            return
        keep = set(live)
        current = {path: entry for path, entry in written.items() if path in keep}
        changed = [(self.scope, p, *e) for p, e in current.items() if self.outputs.get(p) != e]
        gone = [(self.scope, p) for p in self.outputs if p not in current]
        with self.db:
            if self.clean:
                self.db.execute("DELETE FROM outputs WHERE folder = ?", (self.scope,))
                changed = [(self.scope, p, *e) for p, e in current.items()]
            self.db.executemany("DELETE FROM outputs WHERE folder = ? AND path = ?", gone)
            self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?)", changed)
        self.outputs = current

    def prune_rendered(self, live: Iterable[str]) -> None:
        """Forget Markdown results no current article uses."""
        if self.db is None:
            return
        keep = list(live)
        with self.db:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS live (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM live")
            self.db.executemany("INSERT OR IGNORE INTO live VALUES (?)", [(k,) for k in keep])
            self.db.execute(
                "DELETE FROM rendered WHERE key NOT IN (SELECT key FROM live) AND key NOT LIKE 'manifest:%'"
            )

    def manifest(self) -> dict[str, Any] | None:
        """What the last successful build into this output folder recorded (never when cleaning)."""
        if self.db is None or self.clean:
            return None
        row = self.db.execute(
            "SELECT value FROM rendered WHERE key = ?", ("manifest:" + self.scope,)
        ).fetchone()
        return dict(json.loads(row[0])) if row else None

    def save_manifest(self, data: dict[str, Any]) -> None:
        """Record the inputs of a successful build into this output folder."""
        if self.db is not None:
            with self.db:
                self.db.execute(
                    "INSERT OR REPLACE INTO rendered VALUES (?, ?)",
                    ("manifest:" + self.scope, json.dumps(data)),
                )

    def close(self) -> None:
        """Close the database."""
        if self.db is not None:
            self.db.close()
            self.db = None
