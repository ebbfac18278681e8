"""The README and docs from a new user's side: the steps they give work as written."""

from __future__ import annotations

import re
import tomllib

import pytest
from _pytest.outcomes import Failed

from browser_support import require_program
from conftest import REPO


def shell_blocks(markdown: str) -> list[str]:
    """The ```sh blocks of a Markdown text."""
    return re.findall(r"```sh\n(.*?)```", markdown, re.S)


def test_readme_installs_into_a_venv_first_and_names_the_python_version() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first = shell_blocks(readme)[0]
    venv = first.find("python3 -m venv")
    assert venv >= 0 and venv < first.find("pip install"), first
    required = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    version = required.removeprefix(">=")
    assert f"Python {version} or newer" in readme.split("```sh", 1)[0]


def test_readme_says_the_tests_run_the_installed_package() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert any('pip install -e ".[test]"' in block for block in shell_blocks(readme))
    assert "The tests run the *installed* aisite" in readme


def test_a_missing_program_fails_with_what_to_install() -> None:
    with pytest.raises(Failed) as failure:
        require_program("no-such-program-aisite", "newsboat (apt-get install newsboat)", "/nowhere")
    assert str(failure.value) == (
        "newsboat (apt-get install newsboat) is missing: no 'no-such-program-aisite' on /nowhere"
    )
