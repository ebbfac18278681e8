"""Shared fixtures: the repository's default site, built once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"


def run_aisite(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the aisite command line as a user would, in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "aisite", *args],
        cwd=cwd or REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="session", autouse=True)
def _no_build_caches_in_the_tree() -> Iterator[None]:
    """Builds of the fixture sites under tests/ start cold and leave no .aisite-cache behind."""

    def clean() -> None:
        for cache in (REPO / "tests").rglob(".aisite-cache"):
            shutil.rmtree(cache, ignore_errors=True)

    clean()
    yield
    clean()


@pytest.fixture(scope="session")
def default_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's content/ built by the CLI into a temporary folder."""
    out = tmp_path_factory.mktemp("default") / "site"
    result = run_aisite("build", "--source", str(REPO), "--output", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, shared by the browser tests (one Playwright per session)."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS, require

    require(CHROMIUM, "Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - depends on the machine
        pytest.fail(f"Playwright for Python is missing: {err}", pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def copy_site(source: Path, target: Path) -> Path:
    """Copy a site folder (content/, templates/, static/) to a fresh place."""
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns("site", ".site.*", ".aisite-cache")
    )
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--regen-golden` rewrites the expected output folders of the golden-site tests."""
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/sites/*/expected from the current build instead of comparing",
    )
