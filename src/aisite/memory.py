"""Decoded cache entries kept by a long-running process (`aisite serve`) between its builds."""

from __future__ import annotations

from typing import Any


class Memory:
    """Entries by the cache's keys: hashes of everything an entry depends on, so an entry kept
    here is as valid as the row it came from. Each build keeps only what it used."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {"articles": {}, "rendered": {}}


kept: Memory | None = None


def remember() -> None:
    """Keep decoded entries in this process from now on: a long-running server rebuilds often."""
    global kept
    kept = Memory()


def table(name: str) -> dict[str, Any] | None:
    """The entries kept of one cache table, or None when nothing is kept."""
    return kept.tables[name] if kept is not None else None
