"""The README and docs from a new user's side: the steps they give work as written."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import yaml
from _pytest.outcomes import Failed

from browser_support import require_program
from conftest import REPO, run_aisite

pytestmark = pytest.mark.cli


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


def _workflows() -> list[dict[str, object]]:
    text = (REPO / "docs" / "deployment.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_deployment_workflows_install_aisite_from_a_checkout_they_make() -> None:
    jobs = [job for workflow in _workflows() for job in workflow["jobs"].values()]  # type: ignore[attr-defined]
    assert len(jobs) >= 3
    for job in jobs:
        steps = job["steps"]
        checkouts = {
            PurePosixPath(s.get("with", {}).get("path", "."))
            for s in steps
            if str(s.get("uses", "")).startswith("actions/checkout@")
        }
        installs = [
            PurePosixPath(target)
            for s in steps
            for target in re.findall(r"pip install (\S+)", str(s.get("run", "")))
        ]
        assert installs, job
        for target in installs:
            assert target in checkouts, f"'pip install {target}': the workflow has no such checkout"


def test_no_doc_installs_aisite_from_pypi() -> None:
    for doc in [REPO / "README.md", *(REPO / "docs").glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        assert not re.search(r"pip install (-U )?aisite\b", text), doc.name


def test_help_prints_the_documentation_pages() -> None:
    listing = run_aisite("help")
    assert listing.returncode == 0
    assert (
        "  format      aisite content format (the contract) (content-format.md)" in listing.stdout
    )
    fmt = run_aisite("help", "format")
    assert fmt.returncode == 0
    source = (REPO / "docs" / "content-format.md").read_text(encoding="utf-8")
    assert fmt.stdout == source[source.index("# aisite content format") :]
    assert run_aisite("help", "nothing-like-it").returncode == 2


def test_every_help_page_is_shipped_in_the_wheel() -> None:
    from aisite.helpdocs import TOPICS

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    shipped = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    for name in TOPICS.values():
        assert shipped.get(f"docs/{name}") == f"aisite/docs/{name}"


def test_the_starter_site_points_to_a_command_that_prints_the_format(tmp_path: Path) -> None:
    assert run_aisite("new", "site", str(tmp_path / "s")).returncode == 0
    config = (tmp_path / "s" / "content" / "site.yaml").read_text(encoding="utf-8")
    command = re.search(r"run `aisite (help \w+)`", config.splitlines()[0])
    assert command, config.splitlines()[0]
    shown = run_aisite(*command.group(1).split())
    assert shown.returncode == 0 and "## content/site.yaml" in shown.stdout
