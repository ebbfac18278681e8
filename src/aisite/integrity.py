"""What the no-change fast path trusts: a well-formed manifest and an output folder as it was left."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from stat import S_ISDIR
from typing import Any

STATS = ("files", "pages", "feeds")


def listing(output: Path) -> dict[str, Any]:
    """The number of files in the output folder and a digest of their paths, sizes and mtimes."""
    entries: list[str] = []
    prefix = os.path.join(output, "")  # a path under the folder starts with exactly this
    cut = len(prefix)
    stack = [prefix[:-1] or prefix]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as found:
                for entry in found:
                    stat = entry.stat(follow_symlinks=False)
                    if S_ISDIR(stat.st_mode):
                        stack.append(entry.path)
                    else:
                        entries.append(f"{entry.path[cut:]}\0{stat.st_size}\0{stat.st_mtime_ns}")
        except OSError:
            entries.append(f"{folder}\0unreadable")
    return _digest(entries)


def listing_of(files: Iterable[tuple[str, int, int]]) -> dict[str, Any]:
    """What listing() gives for a folder holding exactly these files (path, size, mtime_ns)."""
    return _digest([f"{path}\0{size}\0{mtime}" for path, size, mtime in files])


def _digest(entries: list[str]) -> dict[str, Any]:
    entries.sort()
    digest = hashlib.sha256("\n".join(entries).encode("utf-8", "surrogateescape"))
    return {"count": len(entries), "digest": digest.hexdigest()}


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def well_formed(known: dict[str, Any]) -> bool:
    """True when a manifest read from the cache has every field the fast path uses, typed right."""
    stats = known.get("stats")
    try:
        datetime.fromisoformat(known["since"])
        datetime.fromisoformat(known["until"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        isinstance(known.get("signature"), str)
        and type(known.get("articles")) is int
        and _is_str_list(known.get("drafts"))
        and _is_str_list(known.get("future"))
        and isinstance(stats, dict)
        and set(stats) == set(STATS)
        and all(type(v) is int for v in stats.values())
        and isinstance(known.get("listing"), dict)
    )


def unchanged(known: dict[str, Any] | None, signature: str, now: datetime, output: Path) -> bool:
    """True when nothing the site is made from changed and the output is as the build left it."""
    return bool(
        known
        and well_formed(known)
        and known["signature"] == signature
        and datetime.fromisoformat(known["since"]) <= now < datetime.fromisoformat(known["until"])
        and known["listing"] == listing(output)
    )
