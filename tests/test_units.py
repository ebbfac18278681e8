"""Remembered per-article units plan exactly what planning afresh gives, after any kind of edit."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from aisite import pages, render, units
from aisite.build import build
from aisite.cache import Cache
from aisite.content import render_content
from aisite.load import load_site
from aisite.options import Options
from aisite.registry import OUTPUTS, UNITS
from aisite.render import SitePlan
from aisite.units import PerArticle, per_article
from conftest import copy_site
from test_incremental import tree

pytestmark = pytest.mark.cli

SITES = Path(__file__).parent / "sites"
Planned = list[tuple[str, str, str | None, int]]


def _plans(site: Path, output: Path) -> tuple[SitePlan, Planned, SitePlan, Planned]:
    """The site planned with the units the last build into `output` left, and afresh."""
    cache = Cache(site, output)
    try:
        parsed, problems = load_site(Options(site), cache)
        content = render_content(parsed, problems, cache)
        problems.raise_if_any()
        remembered = SitePlan(content, site, cache.folder, cache.unit_rows)
        fresh = SitePlan(content, site, cache.folder)
        one = [(o.path, o.origin, o.key, o.line) for o in remembered.outputs()]
        two = [(o.path, o.origin, o.key, o.line) for o in fresh.outputs()]
    finally:
        cache.close()
    return remembered, one, fresh, two


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _added(site: Path) -> None:
    folder = site / "content" / "articles" / "added-story"
    folder.mkdir()
    (folder / "index.md").write_text("---\ntitle: Added\ndate: 2025-08-02\n---\nText.\n")


ACROSS = "content/articles/cost-claims-{}/"
# (site, what is edited, the edit, whether some units stay the same)
EDITS: list[tuple[str, str, Callable[[Path], None], bool]] = [
    (
        "across",
        "a body",
        lambda s: _append(s / (ACROSS.format("again") + "index.md"), "\nMore.\n"),
        True,
    ),
    (
        "across",
        "a reviewed claim that another article reuses",
        lambda s: _replace(
            s / (ACROSS.format("first") + "claims.yaml"), "summary: Only", "summary: Just"
        ),
        True,  # the one in between; not the two: the reusing one's fingerprint covers the review
    ),
    (
        "across",
        "the reusing article (the review's claim page lists it)",
        lambda s: _replace(s / (ACROSS.format("again") + "index.md"), "title: The", "title: A"),
        True,
    ),
    (
        "basic",
        "a neighbour's title",
        lambda s: _replace(
            s / "content/articles/open-models-week/index.md", "title: ", "title: New "
        ),
        True,
    ),
    (
        "basic",
        "a file added to a bundle",
        lambda s: (s / "content/articles/chip-rules-explained/notes.txt").write_text("notes\n"),
        True,
    ),
    (
        "basic",
        "the site's title (on every card)",
        lambda s: _replace(s / "content/site.yaml", "title: ", "title: The "),
        False,  # every unit: the site's settings are in every signature
    ),
    ("basic", "an article added (new neighbours)", _added, True),
]


@pytest.mark.parametrize("name", sorted({edit[0] for edit in EDITS}))
def test_remembered_units_plan_what_planning_afresh_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setattr(units, "LOOKED_UP", 2)  # known units read a few articles at a time
    site = copy_site(SITES / name, tmp_path / "site")
    shutil.rmtree(site / "expected", ignore_errors=True)
    if name == "across":  # an article between the two, so that they are not neighbours
        between = site / "content" / "articles" / "in-between"
        between.mkdir()
        (between / "index.md").write_text("---\ntitle: Between\ndate: 2025-03-20\n---\nText.\n")
    output = tmp_path / "out"
    build(Options(site), output)
    for _, what, edit, some_stay in (e for e in EDITS if e[0] == name):
        edit(site)
        remembered, one, fresh, two = _plans(site, output)
        assert one == two, f"after editing {what}"
        assert remembered.sitemap == fresh.sitemap, f"after editing {what}"
        # Some units came from the last build (else this compares planning with itself).
        assert (remembered.units.planned < fresh.units.planned) == some_stay, what
        build(Options(site), output)
        cold = tmp_path / "cold"
        shutil.rmtree(cold, ignore_errors=True)
        build(Options(site, use_cache=False), cold)
        assert tree(output) == tree(cold), f"after editing {what}"


def test_a_remembered_output_whose_file_went_is_made_again(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "site")
    shutil.rmtree(site / "expected")
    output = tmp_path / "out"
    build(Options(site), output)
    claim = output / "articles" / "chip-rules-explained" / "claims" / "protect-nothing"
    before = tree(output)
    (claim / "index.html").unlink()
    (claim / "card.png").write_bytes(b"not a card")
    _append(site / "content/articles/open-models-week/index.md", "\nMore.\n")
    build(Options(site), output)  # an edit of a body: it makes only that article's outputs
    assert not (claim / "index.html").exists()
    # The next build finds the folder changed and rebuilds, its units remembered as they were.
    assert not build(Options(site), output).nothing_changed
    after = tree(output)
    assert (
        after[f"{claim.relative_to(output)}/index.html"]
        == before[f"{claim.relative_to(output)}/index.html"]
    )
    assert (
        after[f"{claim.relative_to(output)}/card.png"]
        == before[f"{claim.relative_to(output)}/card.png"]
    )


def test_the_signature_covers_the_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The comparison above fails when a unit's signature leaves out what its pages show.
    blind = PerArticle("articles", pages._article_outputs, lambda plan, article: ())
    patched = tuple(
        (name, per_article(blind) if name == "articles" else produce) for name, produce in OUTPUTS
    )
    monkeypatch.setattr(render, "OUTPUTS", patched)
    site = copy_site(SITES / "basic", tmp_path / "site")
    shutil.rmtree(site / "expected")
    output = tmp_path / "out"
    build(Options(site), output)
    _replace(site / "content/articles/open-models-week/index.md", "title: ", "title: New ")
    _, one, _, two = _plans(site, output)
    assert one != two


def test_the_units_serves_quick_path_plans_are_every_per_article_producer() -> None:
    # quick.py writes an edited article's own files by planning registry.UNITS: a producer
    # made with per_article() and left out of UNITS would be missed until the full build.
    per_article_made = {name for name, produce in OUTPUTS if produce.__module__ == "aisite.units"}
    assert per_article_made == {unit.name for unit in UNITS} == {"articles", "images", "cards"}


@pytest.mark.parametrize("clean", [False, True], ids=["rebuild", "--clean"])
def test_units_planned_afresh_are_stored_as_they_are_made_not_held(
    tmp_path: Path, clean: bool
) -> None:
    from aisite.units import STORED_AT, Units

    site, output = tmp_path / "site", tmp_path / "out"
    site.mkdir(), output.mkdir()
    old = Cache(site, output)
    # "s0": a row that is planned again (as one that no longer decodes is) and stored anew.
    old.save_units({"old": "[[],[]]", "kept": "[[],[]]", "s0": "[[],[]]"})
    old.close()
    cache = Cache(site, output, clean=clean)
    try:
        units = Units(cache.unit_rows, whole=False, store=cache.put_units)
        units.look_up(["kept", "s0", "unknown"])
        assert units.found == ({} if clean else {"kept": "[[],[]]", "s0": "[[],[]]"})
        if not clean:
            units.kept.add("kept")  # remembered, as units.outputs() does (--clean: never)
        for n in range(2 * STORED_AT + 5):
            units.add(f"s{n}", f'[[],[["u{n}","d"]]]')
            assert len(units.used) < STORED_AT  # held: only those not stored yet
        assert len(units.kept) == 2 * STORED_AT + (not clean) and len(units.used) == 5
        cache.save_units(units.used, units.kept)
    finally:
        cache.close()
    again = Cache(site, output)
    try:
        rows = again.units()
    finally:
        again.close()
    expected = {f"s{n}": f'[[],[["u{n}","d"]]]' for n in range(2 * STORED_AT + 5)}
    # "old" is gone: a rebuild knew it and did not use it; --clean read none and replaced all.
    assert rows == {**expected, **({} if clean else {"kept": "[[],[]]"})}


def test_the_units_of_a_folder_that_is_gone_go_too(tmp_path: Path) -> None:
    # Units are stored while a build plans: one that fails leaves units and no outputs (a
    # stopped `serve`'s temporary folder, a mistyped --output). Opening the cache drops them.
    site, output = tmp_path / "site", tmp_path / "out"
    site.mkdir(), output.mkdir()
    for folder in (output, tmp_path / "other"):
        folder.mkdir(exist_ok=True)
        cache = Cache(site, folder)
        cache.put_units([("s1", "[[],[]]")])
        cache.close()
    shutil.rmtree(output)
    again = Cache(site, tmp_path / "other")
    try:
        assert again.units() == {"s1": "[[],[]]"}
        assert again.db is not None
        folders = {f for (f,) in again.db.execute("SELECT DISTINCT folder FROM units")}
        assert len(folders) == 1
    finally:
        again.close()
