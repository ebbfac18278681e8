"""Builds that overlap, are cut short or meet a damaged output folder never cost the site."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import copy_site, run_aisite
from test_cache_faults import tree

pytestmark = pytest.mark.cli
SITES = Path(__file__).parent / "sites"


def test_the_no_change_path_repairs_files_removed_or_edited_by_hand(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    out = tmp_path / "site"
    for _ in range(2):
        assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    whole = tree(out)
    removed = sorted(p for p in out.rglob("*.html") if len(p.relative_to(out).parts) > 2)[0]
    removed.unlink()
    edited = out / "index.html"
    edited.write_text("defaced")
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "0 changed" not in result.stdout
    assert tree(out) == whole
    again = run_aisite("build", "--source", str(site), "--output", str(out))
    assert "0 changed" in again.stdout, again.stdout
