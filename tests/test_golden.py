"""Golden-site tests: build tests/sites/<name>/ and compare every output file with expected/."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from conftest import run_aisite

pytestmark = pytest.mark.cli

SITES = Path(__file__).parent / "sites"
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


def compared(path: str) -> bool:
    """Pagefind's own scripts and index files are left out (test_search checks the bundle is
    reproducible); its entry file, which names the index by content hash, is compared."""
    return not path.startswith("pagefind/") or path == "pagefind/pagefind-entry.json"


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


@pytest.mark.parametrize(
    "name", sorted(p.name for p in SITES.iterdir() if (p / "content").is_dir())
)
def test_golden_site(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    site = SITES / name
    out = tmp_path / "site"
    result = run_aisite("build", "--source", str(site), "--output", str(out), env=EPOCH)
    assert result.returncode == 0, result.stderr
    expected_dir = site / "expected"
    if request.config.getoption("--regen-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, data in tree(out).items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(data)
    assert expected_dir.is_dir(), f"no expected output for {name}: run pytest --regen-golden"
    report = describe_differences(tree(expected_dir), tree(out))
    assert not report, f"built site differs from {expected_dir}:\n{report}"
