"""Compiled templates kept between runs: only the built-in theme's, only in a private folder."""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import shutil
import stat
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest
from jinja2.bccache import bc_magic

from aisite import keys, templatecache, theme
from aisite.build import build
from aisite.options import Options
from aisite.reader import builtin_theme
from conftest import copy_site

pytestmark = pytest.mark.cli
BASIC = Path(__file__).parent / "sites" / "basic"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder of kept templates, under a user cache folder of the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    return tmp_path / "user-cache" / "aisite" / "templates"


def run(site: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Build as a new process builds (no environment in memory); the templates it compiled."""
    compiled: list[str] = []
    compile_ = jinja2.Environment.compile

    def counted(self: jinja2.Environment, source: str, name: str | None = None, *args: Any) -> Any:
        compiled.append(str(name))
        return compile_(self, source, name, *args)

    with monkeypatch.context() as patch:
        patch.setattr(theme, "_ENVIRONMENTS", {})
        patch.setattr(jinja2.Environment, "compile", counted)
        build(Options(site, use_cache=False, jobs=1), out)  # renders every page
    return sorted(compiled)


def test_a_new_process_reads_the_theme_the_last_one_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    site = copy_site(BASIC, tmp_path / "src")
    first = run(site, tmp_path / "one", monkeypatch)
    assert {"base.html", "article.html", "claim.html"} <= set(first)
    assert len(list(kept.iterdir())) == len(first)  # one file each
    for folder in (kept, kept.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert run(site, tmp_path / "two", monkeypatch) == []
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_a_sites_own_template_is_compiled_in_every_run_and_never_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    site = copy_site(BASIC, tmp_path / "src")
    (site / "templates").mkdir()
    page = (builtin_theme() / "page.html").read_text()
    (site / "templates" / "page.html").write_text(
        page.replace("{% endblock %}", "<p>own</p>{% endblock %}", 1)
    )
    run(site, tmp_path / "one", monkeypatch)
    files = sorted(kept.iterdir())
    assert run(site, tmp_path / "two", monkeypatch) == ["page.html"]
    assert sorted(kept.iterdir()) == files
    assert "<p>own</p>" in (tmp_path / "two" / "about" / "index.html").read_text()


def test_an_edited_theme_template_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    copy = tmp_path / "theme"
    shutil.copytree(builtin_theme(), copy)
    monkeypatch.setattr(theme, "builtin_theme", lambda: copy)
    site = copy_site(BASIC, tmp_path / "src")
    run(site, tmp_path / "one", monkeypatch)
    files = sorted(p.name for p in kept.iterdir())
    missing = (copy / "404.html").read_text()
    (copy / "404.html").write_text(missing.replace("</h1>", " (edited)</h1>", 1))
    assert run(site, tmp_path / "two", monkeypatch) == ["404.html"]
    assert "(edited)</h1>" in (tmp_path / "two" / "404.html").read_text()
    assert sorted(p.name for p in kept.iterdir()) == files  # the file replaced, not added


def damaged(data: bytes, n: int) -> bytes:
    """A kept file (the SHA-256 of the rest, then Jinja's bytes) spoilt one of four ways."""
    size = hashlib.sha256().digest_size
    if n % 4 == 0:
        return b"garbage"
    if n % 4 == 1:
        return data[: len(data) // 2]  # cut short
    if n % 4 == 2:  # a pickle that fails when Jinja reads the checksum: AttributeError
        return data[:size] + bc_magic + b"cbuiltins\nnope\n."
    # Whole by its hash, but holding no code (a float where the code was).
    checksum = pickle.load(io.BytesIO(data[size + len(bc_magic) :]))
    payload = bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(1.5)
    return hashlib.sha256(payload).digest() + payload


def test_damaged_kept_code_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    site = copy_site(BASIC, tmp_path / "src")
    first = run(site, tmp_path / "one", monkeypatch)
    for n, file in enumerate(sorted(kept.iterdir())):
        file.write_bytes(damaged(file.read_bytes(), n))
    assert run(site, tmp_path / "two", monkeypatch) == first
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert run(site, tmp_path / "three", monkeypatch) == []  # written again, whole


def test_a_folder_that_cannot_be_written_only_costs_the_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    def refused(*args: Any) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(templatecache.os, "replace", refused)
    site = copy_site(BASIC, tmp_path / "src")
    first = run(site, tmp_path / "one", monkeypatch)
    assert first == run(site, tmp_path / "two", monkeypatch)
    assert list(kept.iterdir()) == []  # no half-written file left either
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


@pytest.mark.unit
def test_only_a_folder_of_this_user_alone_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    assert templatecache.private_folder() == base / "aisite" / "templates"
    (base / "aisite" / "templates").chmod(0o770)  # a group may write in it
    assert templatecache.private_folder() is None
    (base / "aisite" / "templates").chmod(0o700)
    uid = os.getuid()
    monkeypatch.setattr(templatecache.os, "getuid", lambda: uid + 1)  # another user's
    assert templatecache.private_folder() is None
    monkeypatch.undo()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "linked"))
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "aisite").symlink_to(elsewhere)  # a link is not the folder
    assert templatecache.private_folder() is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("")
    assert templatecache.private_folder() is None
    # A folder above that others may write in: they could put another in its place.
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared / "cache"))
    assert templatecache.private_folder() is None
    shared.chmod(0o777 | stat.S_ISVTX)  # as /tmp: others cannot move what is not theirs
    assert templatecache.private_folder() == shared / "cache" / "aisite" / "templates"
    # A relative XDG_CACHE_HOME is ignored (XDG): ~/.cache.
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert templatecache.private_folder() == tmp_path / "home" / ".cache" / "aisite" / "templates"


def test_a_build_without_a_private_folder_compiles_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("")
    site = copy_site(BASIC, tmp_path / "src")
    first = run(site, tmp_path / "one", monkeypatch)
    assert "base.html" in first and first == run(site, tmp_path / "two", monkeypatch)
    assert (tmp_path / "a-file").read_text() == ""


@pytest.mark.unit
def test_code_compiled_by_other_code_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another aisite or Jinja (the salt of every cache key), another filter's way of being called.
    env = jinja2.Environment()
    env.filters["date"] = str
    before = templatecache._settings(env)
    env.filters["date"] = jinja2.pass_context(lambda context, value: str(value))
    assert templatecache._settings(env) != before
    after = templatecache._settings(env)
    monkeypatch.setattr(keys, "_SALT", keys._SALT + b";jinja2=99")
    assert templatecache._settings(env) not in (before, after)


def test_code_of_other_versions_is_replaced_not_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: Path
) -> None:
    site = copy_site(BASIC, tmp_path / "src")
    first = run(site, tmp_path / "one", monkeypatch)
    files = sorted(p.name for p in kept.iterdir())
    monkeypatch.setattr(keys, "_SALT", keys._SALT + b";another-aisite")  # an edit of aisite
    assert run(site, tmp_path / "two", monkeypatch) == first  # not the other's code
    now = sorted(p.name for p in kept.iterdir())
    assert len(now) == len(files) and not set(now) & set(files)


@pytest.mark.unit
def test_the_versions_in_cache_keys_are_those_python_would_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile
    from importlib import metadata

    def every() -> dict[str, str]:
        """importlib.metadata's version of each installed distribution (the first of a name)."""
        found: dict[str, str] = {}
        for distribution in metadata.distributions():
            found.setdefault(distribution.metadata["Name"], distribution.version)
        return found

    def agree() -> None:
        installed = keys._installed()
        assert {name: keys._version(name, installed) for name in every()} == every()

    agree()
    assert len(every()) > 10 and keys._version("no-such-distribution", keys._installed()) == "?"
    installed = keys._installed()
    assert all(installed[keys._normalised(name)] for name in ("jinja2", "pyyaml", "pillow"))

    def info(folder: Path, name: str, version: str) -> None:
        """A distribution's metadata folder, and its metadata file."""
        (folder / name).mkdir(parents=True)
        project = name.split("-")[0].split(".")[0]
        file = "METADATA" if name.endswith(".dist-info") else "PKG-INFO"
        text = f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n"
        (folder / name / file).write_text(text)

    # Earlier on sys.path wins, as for an import: a folder's name, any spelling; an egg-info
    # with or without the version in its name; and a zip, whose contents are not listed.
    info(tmp_path / "a", "Jinja2-99.1.dist-info", "99.1")
    info(tmp_path / "a", "nh3-0.0.1.egg-info", "0.0.1")
    info(tmp_path / "a", "feedgen.egg-info", "0.0.2")
    info(tmp_path / "a", "cbor2-0.0.3-py3.11.egg-info", "0.0.3")
    monkeypatch.syspath_prepend(str(tmp_path / "a"))
    zipped = tmp_path / "dists.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr(
            "isal-0.0.4.dist-info/METADATA", "Metadata-Version: 2.1\nName: isal\nVersion: 0.0.4\n"
        )
    monkeypatch.syspath_prepend(str(zipped))
    installed = keys._installed()
    assert installed == {}  # nothing is taken past the zip: every name is asked
    monkeypatch.setattr(sys, "path", [str(tmp_path / "a"), *sys.path[1:]])
    agree()
    installed = keys._installed()
    found = {name: keys._version(name, installed) for name in ("jinja2", "nh3", "feedgen", "cbor2")}
    assert found == {"jinja2": "99.1", "nh3": "0.0.1", "feedgen": "0.0.2", "cbor2": "0.0.3"}
    monkeypatch.setattr(sys, "path", [str(zipped), *sys.path])
    assert keys._version("isal", keys._installed()) == "0.0.4"
