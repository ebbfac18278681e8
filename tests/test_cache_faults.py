"""A damaged, read-only or hostile cache is only a miss: never a crash, never code run, same site."""

from __future__ import annotations

import os
import pickle
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import copy_site, run_aisite
from unprivileged import run_unprivileged, share, shared_tmp

pytestmark = pytest.mark.cli
__all__ = ["shared_tmp"]  # a fixture
SITES = Path(__file__).parent / "sites"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below a folder by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A copy of the basic site, built once (cache filled), and a --clean reference build."""
    tmp = tmp_path_factory.mktemp("cache-faults")
    site = copy_site(SITES / "basic", tmp / "src")
    out, reference = tmp / "site", tmp / "reference"
    for args in (("--output", str(out)), ("--output", str(reference), "--clean")):
        result = run_aisite("build", "--source", str(site), *args)
        assert result.returncode == 0, result.stderr
    return site, out, reference


@pytest.fixture
def built(once: tuple[Path, Path, Path], tmp_path: Path) -> tuple[Path, Path, Path]:
    """The built site and its output copied for one test (its cache comes along)."""
    site, out, reference = once
    shutil.copytree(site, tmp_path / "src", symlinks=True)
    shutil.copytree(out, tmp_path / "site", symlinks=True)
    return tmp_path / "src", tmp_path / "site", reference


def _rewrite_rows(site: Path, value: object) -> None:
    """Set every cached value in every table to `value`."""
    db = sqlite3.connect(site / ".aisite-cache" / "cache.sqlite")
    with db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
            if "value" in columns:
                db.execute(f"UPDATE {table} SET value = ?", (value,))
    db.close()


def _rebuild_same(site: Path, out: Path, reference: Path) -> str:
    (site / "content" / "articles" / "open-models-week" / "index.md").touch()
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.splitlines()) <= 1, result.stderr
    assert tree(out) == tree(reference)
    return result.stderr


class _Payload:
    def __init__(self, mark: str) -> None:
        self.mark = mark

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.mark}",))


def test_a_cache_from_elsewhere_never_runs_code(
    tmp_path: Path, built: tuple[Path, Path, Path]
) -> None:
    site, out, reference = built
    mark = tmp_path / "pwned"
    _rewrite_rows(site, pickle.dumps(_Payload(str(mark))))
    _rebuild_same(site, out, reference)
    assert not mark.exists(), "the cache unpickled a payload"


@pytest.mark.parametrize(
    "value",
    ["{not json", "[]", '{"text": {}, "problems": []}', '{"signature": 1, "since": 2}', "null"],
)
def test_damaged_rows_are_misses(built: tuple[Path, Path, Path], value: str) -> None:
    site, out, reference = built
    _rewrite_rows(site, value)
    _rebuild_same(site, out, reference)


def test_a_corrupt_database_file_is_a_miss(built: tuple[Path, Path, Path]) -> None:
    site, out, reference = built
    for name in os.listdir(site / ".aisite-cache"):
        if name.startswith("cache.sqlite"):
            (site / ".aisite-cache" / name).write_bytes(b"\x00garbage" * 512)
    stderr = _rebuild_same(site, out, reference)
    assert "cache" in stderr


def test_a_read_only_cache_is_a_miss(shared_tmp: Path) -> None:
    site = copy_site(SITES / "basic", shared_tmp / "src")
    share(site)
    out, reference = shared_tmp / "site", shared_tmp / "reference"
    for args in (("--output", str(out)), ("--output", str(reference), "--clean")):
        result = run_unprivileged("build", "--source", str(site), *args)
        assert result.returncode == 0, result.stderr
    cache = site / ".aisite-cache"
    for path in [cache, *cache.iterdir()]:
        if path.is_file():
            path.chmod(0o444)
    (site / "content" / "articles" / "open-models-week" / "index.md").touch()
    result = run_unprivileged("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.splitlines()) <= 1, result.stderr
    assert tree(out) == tree(reference)


def _rows(root: Path) -> list[str]:
    with sqlite3.connect(root / ".aisite-cache" / "cache.sqlite") as db:
        return [key for (key,) in db.execute("SELECT key FROM articles ORDER BY key")]


def test_writes_are_one_transaction(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A fault in the second statement leaves none of the first's rows (each row used to be a
    commit of its own); the cache is given up, with its one warning."""
    from aisite.cachedb import CacheDB

    cache = CacheDB(tmp_path)
    cache._write(
        ("INSERT INTO articles VALUES (?, ?)", [("k1", "{}"), ("k2", "{}")]),
        ("INSERT INTO no_such_table VALUES (?)", [(1,)]),
    )
    assert cache.db is None and "cannot be used" in capsys.readouterr().err
    assert _rows(tmp_path) == []


def test_a_row_that_cannot_be_made_is_raised_not_taken_for_a_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rows made as they are written (a parsed article encoded): a bug in making one is raised
    as it is, the rows before it rolled back, and the cache kept."""
    from aisite.cachedb import CacheDB

    def made() -> Iterator[tuple[str, str]]:
        yield "k1", "{}"
        raise TypeError("cannot encode a set for the cache")

    cache = CacheDB(tmp_path)
    with pytest.raises(TypeError, match="cannot encode a set"):
        cache._write(("INSERT INTO articles VALUES (?, ?)", made()))
    assert cache.db is not None and capsys.readouterr().err == ""
    assert _rows(tmp_path) == []
    cache._write(("INSERT INTO articles VALUES (?, ?)", [("k2", "{}")]))
    assert _rows(tmp_path) == ["k2"]
