"""Golden-site tests: build tests/sites/<name>/ and compare every output file with expected/.

The theme's fingerprinted assets (style.<hash>.css, aisite.<hash>.js, search.<hash>.js) are left
out, and their names are written as style.HASH.css, aisite.HASH.js, ... wherever they appear, so
that an edit of the theme's CSS or scripts does not change every expected page; so are
Pagefind's own files but its entry file. Everything else is compared exactly: every file's bytes
and the set of file names.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import SITES

FINGERPRINTED = re.compile(r"(?P<stem>[a-z]+)\.(?P<hash>[0-9a-f]{8,64})\.(?P<ext>css|js)")


def compared(path: str) -> bool:
    """Pagefind's own scripts and index files are left out (test_search checks the bundle is
    reproducible); the entry file of each year's bundle, which names it by content hash, is."""
    return not path.startswith("pagefind/") or path.endswith("/pagefind-entry.json")


def tree(folder: Path) -> dict[str, bytes]:
    """Every compared file below a folder, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and compared(p.relative_to(folder).as_posix())
    }


IMAGES = (".png", ".jpg", ".jpeg", ".webp")


def image_difference(expected: bytes, actual: bytes) -> str:
    """'' when two encoded images show the same picture (within rounding), else what differs."""
    from io import BytesIO

    from PIL import Image, ImageChops, ImageStat

    with Image.open(BytesIO(expected)) as a, Image.open(BytesIO(actual)) as b:
        if (a.size, a.mode) != (b.size, b.mode):
            return f"{a.size} {a.mode} became {b.size} {b.mode}"
        if a.getexif() != b.getexif():
            return "metadata differs"
        mean = sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean)
        return f"mean pixel difference {mean:.2f}" if mean > 3 else ""


def theme_assets(files: dict[str, bytes]) -> dict[str, str]:
    """The fingerprinted assets at the top of a site, and their normalised names."""
    found = {}
    for name in files:
        match = FINGERPRINTED.fullmatch(name)
        if match:
            found[name] = f"{match['stem']}.HASH.{match['ext']}"
    return found


def comparable(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every file but the fingerprinted assets, with the assets' names normalised in all of them."""
    assets = theme_assets(files)
    result = {}
    for name, data in files.items():
        if name not in assets:
            if not name.endswith(IMAGES):  # pictures are compared by what they show
                for real, normal in assets.items():
                    data = data.replace(real.encode(), normal.encode())
            result[name] = data
    return result


def describe_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """A readable report of missing, extra and changed files, with diffs of text files."""
    lines = []
    for name in sorted(expected.keys() - actual.keys()):
        lines.append(f"missing from build: {name}")
    for name in sorted(actual.keys() - expected.keys()):
        lines.append(f"not expected: {name}")
    for name in sorted(expected.keys() & actual.keys()):
        if name.endswith(IMAGES) and expected[name] != actual[name]:
            # Encoders differ slightly between Pillow releases: compare what the picture shows.
            # (Two builds with the same Pillow are compared byte for byte in test_images.)
            difference = image_difference(expected[name], actual[name])
            if difference:
                lines.append(f"image differs: {name}: {difference}")
        elif expected[name] != actual[name]:
            try:
                diff = difflib.unified_diff(
                    expected[name].decode().splitlines(),
                    actual[name].decode().splitlines(),
                    f"expected/{name}",
                    f"built/{name}",
                    lineterm="",
                    n=1,
                )
                lines.extend(list(diff)[:40])
            except UnicodeDecodeError:
                lines.append(f"binary file differs: {name}")
    return "\n".join(lines)


@pytest.mark.cli
@pytest.mark.parametrize(
    "name", sorted(p.name for p in SITES.iterdir() if (p / "content").is_dir())
)
def test_golden_site(
    name: str, built: Callable[[str], Path], request: pytest.FixtureRequest
) -> None:
    files = tree(built(name))
    assets = theme_assets(files)
    # The stylesheet and the scripts, one file each, each named by the hash of its bytes.
    assert {"aisite.HASH.js", "style.HASH.css"} <= set(assets.values()), sorted(files)
    assert len(set(assets.values())) == len(assets), sorted(assets)
    for real in assets:
        fingerprint = real.split(".")[1]
        assert hashlib.sha256(files[real]).hexdigest().startswith(fingerprint), real
    actual = comparable(files)
    expected_dir = SITES / name / "expected"
    if request.config.getoption("--regen-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, data in actual.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_bytes(data)
    assert expected_dir.is_dir(), f"no expected output for {name}: run pytest --regen-golden"
    report = describe_differences(tree(expected_dir), actual)
    assert not report, f"built site differs from {expected_dir}:\n{report}"


@pytest.mark.unit
def test_asset_names_are_normalised_everywhere_and_left_out() -> None:
    files = {
        "style.0123456789.css": b"body{}",
        "aisite.abcdef0123.js": b"x()",
        "index.html": b'<link href="/style.0123456789.css"><script src="/aisite.abcdef0123.js">',
        "notes/style.0123456789.css": b"kept: not a theme asset",
    }
    assert comparable(files) == {
        "index.html": b'<link href="/style.HASH.css"><script src="/aisite.HASH.js">',
        "notes/style.0123456789.css": b"kept: not a theme asset",
    }
