"""Articles' large rendered text (HTML, search text): held in memory, or read from the cache on first use."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aisite.errors import ContentError, Problem

FAULTS = (sqlite3.Error, OSError, LookupError, ValueError, TypeError, RecursionError)
# A body that cannot be read means a damaged cache (or one changed during the build): the
# build is made again without it (build.py), as for any fault of the cache.
UNREADABLE = "cannot read its rendered text from the cache"


def unreadable(problem: Problem) -> bool:
    """True for the problem of a body the cache could not give back."""
    return problem.message.startswith(UNREADABLE)


@dataclass(frozen=True)
class Body:
    """What only an article's own pages, the feeds and the search index show of its rendered text."""

    body_html: str
    toc_html: str
    analysis_html: str
    search_text: str
    claims: dict[str, tuple[str, str]]  # claim id -> (analysis as HTML, as plain text)

    def to_json(self) -> str:
        """The body as a JSON object (for the cache's `texts` table)."""
        data = [self.body_html, self.toc_html, self.analysis_html, self.search_text, self.claims]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Body:
        """The inverse of to_json; ValueError when `text` is not of that shape."""
        data: Any = json.loads(text)
        if not (isinstance(data, list) and len(data) == 5):
            raise ValueError("not an article's body")
        *strings, claims = data
        if not all(isinstance(s, str) for s in strings) or not isinstance(claims, dict):
            raise ValueError("not an article's body")
        found: dict[str, tuple[str, str]] = {}
        for key, pair in claims.items():
            if not (
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(s, str) for s in pair)
            ):
                raise ValueError("not an article's body")
            found[key] = (pair[0], pair[1])
        return cls(strings[0], strings[1], strings[2], strings[3], found)


def _unreadable(origin: str, why: str) -> ContentError:
    message = f"{UNREADABLE} ({why})"
    hint = "the cache changed while the site was being built: build again"
    return ContentError([Problem(origin, 0, message, hint)])


class Texts:
    """Bodies in the cache's `texts` table by key. Each process opens its own query-only
    connection (a connection must not cross a fork) and keeps its last few bodies: one
    article's page and its claim pages are rendered one after the other."""

    KEEP = 64

    def __init__(self, database: Path) -> None:
        self.database = database
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._inherited: list[sqlite3.Connection] = []  # never closed in a child: the parent's
        self._recent: OrderedDict[str, Body] = OrderedDict()

    def read(self, key: str, origin: str) -> Body:
        """The body stored under `key`; a ContentError of `origin` when it cannot be read."""
        found = self._recent.get(key)
        if found is not None:
            self._recent.move_to_end(key)
            return found
        try:
            row = self._connection().execute("SELECT value FROM texts WHERE key = ?", (key,))
            value = row.fetchone()
            if value is None:
                raise LookupError("it is not there")
            body = Body.from_json(value[0])
        except FAULTS as err:
            raise _unreadable(origin, str(err) or type(err).__name__) from None
        self._recent[key] = body
        if len(self._recent) > self.KEEP:
            self._recent.popitem(last=False)
        return body

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            if self._db is not None:
                self._inherited.append(self._db)
            if not self.database.is_file():  # else connect would make an empty one
                raise LookupError("the cache is gone")
            self._db = sqlite3.connect(self.database, check_same_thread=False)
            self._db.execute("PRAGMA query_only = 1")
            self._pid = os.getpid()
            self._recent.clear()
        return self._db

    def close(self) -> None:
        """Close this process's connection (opened again if a body is read later)."""
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


class BodyRef:
    """An article's body: held, or read by key from the cache when a page, feed or search
    record needs it (an edit renders a few pages: the other bodies are never decoded)."""

    __slots__ = ("_body", "_key", "_origin", "_texts")

    def __init__(
        self,
        body: Body | None = None,
        *,
        key: str = "",
        texts: Texts | None = None,
        origin: str = "",
    ) -> None:
        if body is None and texts is None:
            raise ValueError("a body, or where to read it")
        self._body, self._key, self._texts, self._origin = body, key, texts, origin

    def get(self) -> Body:
        """The body (read from the cache each time when not held; the cache keeps a few)."""
        if self._body is not None:
            return self._body
        assert self._texts is not None
        return self._texts.read(self._key, self._origin)

    def claim(self, claim_id: str) -> tuple[str, str]:
        """A claim's analysis as HTML and as plain text."""
        found = self.get().claims.get(claim_id)
        if found is None:  # a body stored for another rendering: the cache is damaged
            raise _unreadable(self._origin, f"no analysis of claim {claim_id!r}")
        return found

    def pin(self) -> BodyRef:
        """Hold the body from now on (a server keeps its model between builds)."""
        self._body = self.get()
        return self

    def __repr__(self) -> str:
        return f"BodyRef({self._key or 'held'})"
