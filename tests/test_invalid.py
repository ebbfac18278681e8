"""Every folder under tests/invalid/ is a site with one kind of mistake; expected.txt is the exact report.

A case with an against.json (a claims.json as published) is checked with `aisite check --against`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aisite.errors import ContentError, Problem
from aisite.load import load_site
from aisite.options import Options
from aisite.reader import builtin_theme, input_walk
from conftest import aisite, copy_site

pytestmark = pytest.mark.cli

CASES = Path(__file__).parent / "invalid"


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_invalid_site_is_reported(case: str, tmp_path: Path) -> None:
    out = tmp_path / "site"
    source = copy_site(CASES / case, tmp_path / case)
    against = source / "against.json"  # claims as published: checked with check --against
    if against.is_file():
        result = aisite("check", "--source", str(source), "--against", str(against))
    else:
        result = aisite("build", "--source", str(source), "--output", str(out))
    expected = (source / "expected.txt").read_text(encoding="utf-8")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr == expected
    assert not out.exists(), "a failed build must not create the output folder"


def _found(load: Callable[[], object]) -> list[Problem]:
    try:
        load()
    except ContentError as err:
        return err.problems
    return []


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_loading_without_the_walk_reports_the_same(case: str) -> None:
    """A build loads from its walk of the inputs (and looks no file up again); `check` and
    listings load without one: both report the same problems, in the same order."""
    site = CASES / case
    options = Options(site)
    walked: list[Problem] = []

    def with_walk() -> None:
        walk = input_walk(site, builtin_theme())  # raises for a link it cannot follow
        _, problems = load_site(options, None, walk)
        walked.extend(problems.items)
        problems.raise_if_any()

    def without() -> None:
        _, problems = load_site(options)
        problems.raise_if_any()

    expected = _found(with_walk) or walked
    if case.startswith(("article-", "symlink-")):  # the rest may be found past loading
        assert expected
    assert _found(without) == expected
