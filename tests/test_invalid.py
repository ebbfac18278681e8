"""Every folder under tests/invalid/ is a site with one kind of mistake; expected.txt is the exact report.

A case with an against.json (a claims.json as published) is checked with `aisite check --against`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import aisite

pytestmark = pytest.mark.cli

CASES = Path(__file__).parent / "invalid"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_invalid_site_is_reported(case: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    against = CASES / case / "against.json"  # claims as published: checked with check --against
    if against.is_file():
        result = aisite("check", "--source", str(CASES / case), "--against", str(against))
    else:
        result = aisite("build", "--source", str(CASES / case), "--output", str(out))
    expected = (CASES / case / "expected.txt").read_text(encoding="utf-8")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == expected
    assert not out.exists(), "a failed build must not create the output folder"
