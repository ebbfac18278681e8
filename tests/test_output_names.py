"""Output names: two spellings of one name on some file systems collide; files for the root."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from conftest import copy_site, run_aisite

pytestmark = pytest.mark.cli
SITES = Path(__file__).parent / "sites"


def test_names_that_differ_only_in_unicode_normalisation_collide(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    composed, decomposed = (unicodedata.normalize(f, "café.txt") for f in ("NFC", "NFD"))
    assert composed != decomposed
    (site / "static" / composed).write_text("one")
    (site / "static" / decomposed).write_text("two")
    out = tmp_path / "site"
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 1, result.stderr
    assert "names differ only in case or Unicode normalisation) would be written twice" in (
        result.stderr
    )
    assert not out.exists()


def test_files_for_the_site_root_go_in_static(tmp_path: Path) -> None:
    """site/ is replaced whole on every build: a CNAME belongs in static/, copied to the root."""
    site = copy_site(SITES / "basic", tmp_path / "src")
    out = tmp_path / "site"
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    (out / "CNAME").write_text("news.example.org\n")
    (site / "content" / "site.yaml").touch()
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    assert not (out / "CNAME").exists(), "a file put into site/ by hand survived a build"
    (site / "static" / "CNAME").write_text("news.example.org\n")
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    assert (out / "CNAME").read_text() == "news.example.org\n"


@pytest.mark.parametrize(
    "paths",
    [
        ("about/index.html", "About/index.html"),  # a plain name first, then its other case
        ("About/index.html", "about/index.html"),
        ("a/b.txt", "a/b.txt"),
    ],
)
def test_every_spelling_of_one_name_collides_in_either_order(paths: tuple[str, str]) -> None:
    from aisite.errors import ContentError
    from aisite.outputcheck import check_paths
    from aisite.plan import Output

    with pytest.raises(ContentError, match="would be written twice"):
        check_paths([Output(path, f"origin {n}", key="k") for n, path in enumerate(paths)])


@pytest.mark.parametrize("path", ["../x", "/etc/x", "a/../../x", "a\\b", ".."])
def test_paths_outside_the_folder_are_refused(path: str) -> None:
    from aisite.errors import ContentError
    from aisite.outputcheck import check_paths
    from aisite.plan import Output

    with pytest.raises(ContentError, match="outside the output folder"):
        check_paths([Output(path, "origin", key="k")])
