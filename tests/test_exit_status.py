"""Exit status and messages for usage errors, link loops and broken templates, run as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from aisite import write
from conftest import aisite, run_aisite
from test_incremental import _watch_pools

pytestmark = pytest.mark.cli

SITE_YAML = "title: T\nbase_url: https://example.org/\n"


def make_site(root: Path) -> Path:
    (root / "content" / "pages").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE_YAML)
    (root / "content" / "pages" / "about.md").write_text("---\ntitle: About\n---\nHi.\n")
    return root


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s")
    cases = [
        ("build", "--source", str(site), "--base-url", "ftp://x"),
        ("build", "--source", str(site), "--jobs", "-1"),
        ("claims", "--source", str(site), "--verdict", "nope"),
    ]
    for args in cases:
        result = run_aisite(*args)
        assert result.returncode == 2, (args, result.stderr)
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"aisite {args[0]}: error: --"), line
    assert not (site / "site").exists()


def test_a_symbolic_link_loop_in_static_stops_build_and_check(tmp_path: Path) -> None:
    site = make_site(tmp_path / "s")
    (site / "static").mkdir()
    (site / "static" / "a").symlink_to(".")
    (site / "static" / "b").symlink_to(".")
    expected = [
        "static/a: symbolic link loop; not followed",
        "static/b: symbolic link loop; not followed",
    ]
    for command in ("build", "check"):
        result = run_aisite(command, "--source", str(site))
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines()[:2] == expected


def test_links_that_lead_only_to_each_other_are_reported_not_a_crash(tmp_path: Path) -> None:
    # Neither is a folder nor a file: asking whether one is a folder fails (ELOOP).
    site = make_site(tmp_path / "s")
    (site / "static").mkdir()
    (site / "static" / "a").symlink_to("b")
    (site / "static" / "b").symlink_to("a")
    (site / "static" / "self").symlink_to("self")
    expected = [f"static/{name}: symbolic link loop; not followed" for name in ("a", "b", "self")]
    for command in ("build", "check"):
        result = run_aisite(command, "--source", str(site))
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines()[:3] == expected, result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_reports_every_broken_template(
    tmp_path: Path, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "s")
    templates = site / "templates"
    templates.mkdir()
    body = '{% extends "base.html" %}{% block main %}{{ X }}{% endblock %}\n'
    (templates / "404.html").write_text(body.replace("X", "nope.x"))
    (templates / "page.html").write_text(body.replace("X", "content_page.nope.y"))
    articles = site / "content" / "articles"
    for n in range(12 if jobs == "2" else 0):
        (articles / f"a{n}").mkdir(parents=True)
        (articles / f"a{n}" / "index.md").write_text(
            f"---\ntitle: A{n}\ndate: 2025-01-01\n---\nx\n"
        )
    # The writer's pool for any number of outputs (in this process), and proof that it ran.
    monkeypatch.setattr(write, "PARALLEL_MIN", 1)
    pools = _watch_pools(monkeypatch, tmp_path)
    build = aisite("build", "-j", jobs, "--source", str(site))
    assert pools == ([2] if jobs == "2" else [])  # no pool for the search index after problems
    check = aisite("check", "--source", str(site))
    assert build.returncode == check.returncode == 1
    lines = build.stderr.splitlines()
    assert lines[:2] == [
        "templates/404.html:1: template error: 'nope' is undefined (rendering 404.html)",
        "templates/page.html:1: template error: 'aisite.model.Page object' has no attribute"
        " 'nope' (rendering about/index.html)",
    ]
    assert lines[-1] == "aisite: 2 problems found; the output folder was left as it was."
    assert check.stderr.splitlines()[:2] == lines[:2]
    assert not (site / "site").exists()


def test_a_broken_template_and_a_menu_link_to_nowhere_are_reported_together(
    tmp_path: Path,
) -> None:
    """The menu is checked once the search index is planned, after the pages are rendered
    (written to a folder no one sees): the problems of both come out at once."""
    site = make_site(tmp_path / "s")
    (site / "content" / "site.yaml").write_text(
        SITE_YAML + "menu:\n  - {title: Gone, url: gone/}\n"
    )
    (site / "templates").mkdir()
    broken = '{% extends "base.html" %}{% block main %}{{ nope.x }}{% endblock %}\n'
    (site / "templates" / "404.html").write_text(broken)
    build = run_aisite("build", "--source", str(site))
    check = run_aisite("check", "--source", str(site))
    assert build.returncode == check.returncode == 1
    assert check.stderr.splitlines()[:2] == build.stderr.splitlines()[:2]
    assert build.stderr.splitlines() == [
        "content/site.yaml:4: menu links to 'gone/', which the site does not have"
        " (a path such as 'about/'; the build writes no page there)",
        "templates/404.html:1: template error: 'nope' is undefined (rendering 404.html)",
        "aisite: 2 problems found; the output folder was left as it was.",
    ]
    assert not (site / "site").exists() and not list(site.glob(".site.*-*"))  # no folder left


def test_a_reader_that_closes_the_output_is_not_a_bug(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    site = tmp_path / "site"
    assert aisite("new", "site", str(site)).returncode == 0
    command = [sys.executable, "-m", "aisite", "build", "-v", "--source", str(site)]
    # Standard output buffered, as it is in a pipe (a test environment may turn that off).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # as `| head -0` would: every line aisite prints meets a closed pipe
    stderr = child.stderr.read().decode()
    assert child.wait() == 141, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    assert (site / "site" / "index.html").is_file()  # the build itself was done


def test_a_broken_pipe_elsewhere_is_still_a_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aisite import cli

    def broken(args: object) -> int:
        raise BrokenPipeError("the indexer went away")  # not aisite's standard output

    monkeypatch.setattr(cli, "install", lambda: None)
    monkeypatch.setitem(cli.COMMANDS, "build", broken)
    assert cli.main(["build"]) == cli.EXIT_BUG
    assert "internal error" in capsys.readouterr().err
