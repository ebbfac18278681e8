"""Pagefind bundles: made from records by Pagefind's indexer (through pagefindservice), reproducible, kept."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import posixpath
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

SIGNATURE = b"pagefind_dcd"
KEEP = 4  # search bundles kept in the cache per part (build, serve with drafts, ...)
# In each bundle, written once it is whole: every file's path and the hash of its bytes (the
# file's cache key: Pagefind's own names are short hashes it may swap between files).
MANIFEST = ".aisite-files.json"


@dataclass(frozen=True)
class Record:
    """One search result: a page's URL (from the site root), its text, and what it is filtered by."""

    url: str
    title: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise ValueError(f"{path.name}: not a Pagefind data file")
    return cbor2.loads(data[len(SIGNATURE) :])


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def _digest(data: bytes, length: int) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def canonicalise(folder: Path) -> None:
    """Sort the values of every filter and the filter list, and name files by their new content.

    Pagefind (1.5) writes filter values, and the list of filter files in the language's metadata,
    in the order of a Rust hash map, which differs from run to run; the file names are hashes of
    the content, so the metadata and pagefind-entry.json change too. The fragments, the word
    index and the scripts are already stable.
    """
    entry_path = folder / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text())
    for info in entry["languages"].values():
        old_meta = folder / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(old_meta)
        lang = info["hash"].rsplit("_", 1)[0]
        filters = []
        for name, file_hash in meta[3]:
            old = folder / "filter" / f"{file_hash}.pf_filter"
            filter_name, values = _read(old)
            old.unlink()
            data = SIGNATURE + cbor2.dumps([filter_name, sorted(values, key=lambda v: v[0])])
            new_hash = f"{lang}_{_digest(data, 7)}"
            _write(folder / "filter" / f"{new_hash}.pf_filter", data)
            filters.append([name, new_hash])
        meta[3] = sorted(filters)
        old_meta.unlink()
        data = SIGNATURE + cbor2.dumps(meta)
        info["hash"] = f"{lang}_{_digest(data, 10)}"
        _write(folder / f"pagefind.{info['hash']}.pf_meta", data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))


def make_bundles(
    root: Path,
    keys: dict[str, str],
    records_of: Callable[[str], list[Record]],
    language: str,
) -> dict[str, Path]:
    """The folder in `root` of each part's canonical bundle, indexing only the parts not there."""
    if not keys:
        return {}  # nothing to search yet: the page says so
    root.mkdir(parents=True, exist_ok=True)
    # Bundles being made by a build that was stopped (the cache's lock is ours now), or being
    # removed (by one, or by this build's prune: both ignore what the other removed first).
    for leftover in (p for p in root.iterdir() if p.name.startswith(".")):
        shutil.rmtree(leftover, ignore_errors=True)
    folders = {name: root / key for name, key in keys.items()}
    todo: dict[Path, str] = {}  # folder being built -> its part
    done: dict[Path, Path] = {}  # folder being built -> the bundle's folder
    for name, folder in folders.items():
        if (folder / "pagefind-entry.json").is_file():
            folder.touch()  # most recently used
        else:
            building = root / f".{folder.name}.tmp"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            todo[building], done[building] = name, folder
    if todo:
        # Imported here, where a part is indexed (a worker, when a build has one to spare):
        # asyncio and the ssl it loads are 10 MB of the process that imports them.
        from aisite.pagefindservice import index_parts

        index_parts(todo, records_of, language)
        for building, folder in done.items():
            canonicalise(building)
            _write_manifest(building)
            building.rename(folder)
    return folders


def _write_manifest(folder: Path) -> None:
    """List a finished bundle's files with the hash of each (MANIFEST)."""
    found = {
        relative: hashlib.sha256((folder / relative).read_bytes()).hexdigest()[:32]
        for relative in bundle_files(folder)
    }
    (folder / MANIFEST).write_text(json.dumps(found, sort_keys=True, separators=(",", ":")))


def bundle_files(folder: Path) -> list[str]:
    """A bundle's files as sorted relative paths (its MANIFEST left out)."""
    found: list[str] = []
    for parent, _, names in os.walk(folder):
        base = os.path.relpath(parent, folder).replace(os.sep, "/")
        found.extend(name if base == "." else f"{base}/{name}" for name in names)
    if MANIFEST in found:
        found.remove(MANIFEST)
    return sorted(found)


def read_manifest(folder: Path) -> list[tuple[str, str]] | None:
    """A bundle's files and hashes, sorted; None when it has no manifest that can be trusted
    to name files inside it (one made before manifests, or damaged)."""
    try:
        data = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    for relative, sha in data.items():
        plain = posixpath.normpath(relative) == relative and relative not in (".", "..")
        inside = not relative.startswith(("/", "../"))
        if not (plain and inside and isinstance(sha, str)):
            return None
    return sorted(data.items())


def drop(bundles: list[Path]) -> None:
    """Remove these bundles (those an edit replaced: the cache keeps no more of them)."""
    for old in bundles:
        gone = old.with_name(f".{old.name}.gone")  # out of the way first, as prune() does
        try:
            old.rename(gone)
        except OSError:
            continue
        shutil.rmtree(gone, ignore_errors=True)


def prune(root: Path, used: set[Path]) -> None:
    """Remove the bundles beyond the KEEP most recently used per part (besides `used`); called
    by the build while a worker makes the new ones (whose names `used` holds)."""
    try:
        found = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
        bundles = sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)
    except OSError:
        return  # not made yet, or gone: nothing to prune
    for old in [b for b in bundles if b not in used][KEEP * len(used) :]:
        # Out of the way first: a half-removed bundle is never taken for a whole one.
        gone = root / f".{old.name}.gone"
        try:
            old.rename(gone)
        except OSError:
            continue  # kept: a bundle in the cache is only ever whole or gone
        shutil.rmtree(gone, ignore_errors=True)
