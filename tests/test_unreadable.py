"""Files the user cannot read, links that loop or reach hidden files: clear problems, nothing lost."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import REPO, copy_site, run_aisite
from test_cache_faults import tree
from unprivileged import run_unprivileged, share, shared_tmp

pytestmark = pytest.mark.cli
__all__ = ["shared_tmp"]  # a fixture
SITES = Path(__file__).parent / "sites"
ARTICLE = "content/articles/chip-rules-explained"


@pytest.mark.parametrize(
    "unreadable",
    [
        f"{ARTICLE}/index.md",
        f"{ARTICLE}/claims.yaml",
        ARTICLE,
        "content/pages",
        "templates/page.html",
        "static/hello.txt",
    ],
)
def test_an_unreadable_input_is_a_problem_and_the_site_is_kept(
    shared_tmp: Path, unreadable: str
) -> None:
    site = copy_site(SITES / "basic", shared_tmp / "src")
    (site / "templates").mkdir(exist_ok=True)
    shutil.copy(REPO / "templates" / "page.html", site / "templates" / "page.html")
    (site / "static").mkdir(exist_ok=True)
    share(site)
    out = shared_tmp / "site"
    first = run_unprivileged("build", "--source", str(site), "--output", str(out))
    assert first.returncode == 0, first.stderr
    before = tree(out)
    (site / unreadable).chmod(0)  # after a build: the cache knows the file
    for command in (("build", "--output", str(out)), ("check",)):
        result = run_unprivileged(command[0], "--source", str(site), *command[1:])
        assert result.returncode == 1, (command, result.stderr)
        assert f"{unreadable}: cannot read (permission denied)" in result.stderr.splitlines()
        assert "Traceback" not in result.stderr
    assert tree(out) == before


def test_an_article_folder_that_lists_but_cannot_be_entered_is_unreadable(
    shared_tmp: Path,
) -> None:
    # Listed empty (no search permission to see its files), not "has no index.md".
    site = copy_site(SITES / "basic", shared_tmp / "src")
    folder = site / "content" / "articles" / "locked-notes"
    folder.mkdir()
    share(site)
    folder.chmod(0o444)
    for command in (("build", "--output", str(shared_tmp / "site")), ("check",)):
        result = run_unprivileged(command[0], "--source", str(site), *command[1:])
        assert result.returncode == 1, (command, result.stderr)
        problem = "content/articles/locked-notes: cannot read (permission denied)"
        assert problem in result.stderr.splitlines(), (command, result.stderr)


def test_an_output_path_through_a_link_loop_is_a_usage_error(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    for output in (tmp_path / "loop-a", tmp_path / "loop-a" / "site"):
        result = run_aisite("build", "--source", str(site), "--output", str(output))
        assert result.returncode == 2, result.stderr
        assert "symbolic link loop" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop-a", "loop-b", "src"]


@pytest.mark.parametrize(
    ("link", "target"),
    [("static/env.txt", "../.env"), ("static/repo", "../.git"), ("static/deep", "../.git/hooks")],
)
def test_links_to_hidden_files_are_never_published(tmp_path: Path, link: str, target: str) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    (site / ".env").write_text("SECRET=1\n")
    (site / ".git" / "hooks").mkdir(parents=True)
    (site / ".git" / "config").write_text("[credential]\n  helper = store\n")
    (site / "static").mkdir(exist_ok=True)
    os.symlink(target, site / link)
    out = tmp_path / "site"
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 1, result.stderr
    hidden = target.split("/")[1]
    assert f"{link}: symbolic link points to the hidden '{hidden}'; not followed" in result.stderr
    assert not out.exists()


def test_what_editors_leave_beside_files_is_never_read_or_published(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    bundle = site / "content" / "articles" / "open-models-week"
    leftovers = [
        bundle / "index.md~",  # a backup: once "not recognised" (index.md~ looked misnamed)
        bundle / "#index.md#",  # an Emacs autosave
        bundle / "notes.txt.kate-swp",
        bundle / "~$brief.docx",
        site / "content" / "site.yaml~",  # once "unexpected 'site.yaml~' in content/"
        site / "static" / "style.css~",
    ]
    (site / "static").mkdir(exist_ok=True)
    for path in leftovers:
        path.write_text("an older draft that must not be published\n")
    out = tmp_path / "site"
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    published = [p.name for p in out.rglob("*")]
    assert not [p for p in leftovers if p.name in published]
    assert not [n for n in published if n.endswith("~") or n.startswith(("#", "~$"))]
