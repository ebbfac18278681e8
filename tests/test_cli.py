"""Each command as an author uses it, in temporary folders; serve and stdin in real processes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import SITES, aisite, copy_site, interruptible

pytestmark = pytest.mark.cli

SEED = Path(__file__).parent / "data" / "seed-article.txt"
BASIC = SITES / "basic"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    site = tmp_path / "mysite"
    result = aisite("new", "site", str(site))
    assert result.returncode == 0, result.stderr
    return site


def test_new_site_builds_as_is(starter: Path) -> None:
    for name in (
        "content/site.yaml",
        "content/pages/methodology.md",
        "content/pages/about.md",
        "content/pages/corrections.md",
        "content/articles/example-analysis/claims.yaml",
        ".gitignore",
    ):
        assert (starter / name).is_file(), name
    result = aisite("build", cwd=starter)
    assert result.returncode == 0, result.stderr
    page = (starter / "site" / "articles" / "example-analysis" / "index.html").read_text()
    claims = yaml.safe_load(
        (starter / "content/articles/example-analysis/claims.yaml").read_text(encoding="utf-8")
    )
    assert len(claims) >= 2
    for claim in claims:  # every example claim is highlighted and has its card
        assert f'id="claim-{claim["id"]}"' in page and f'id="review-{claim["id"]}"' in page


def test_new_site_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    result = aisite("new", "site", str(tmp_path))
    assert result.returncode == 1 and "not empty" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_new_article(starter: Path) -> None:
    result = aisite(
        "new", "article", "bridge-follow-up", "--title", 'The "bridge", again', cwd=starter
    )
    assert result.returncode == 0, result.stderr
    index = (starter / "content" / "articles" / "bridge-follow-up" / "index.md").read_text()
    assert 'title: "The \\"bridge\\", again"' in index and "draft: true" in index
    assert re.search(r"^date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", index, re.M)
    claims = (starter / "content" / "articles" / "bridge-follow-up" / "claims.yaml").read_text()
    assert "# - id:" in claims and "one of: accurate, mostly-accurate" in claims
    built = aisite("build", "--drafts", cwd=starter)
    assert built.returncode == 0, built.stderr
    assert (starter / "site" / "articles" / "bridge-follow-up" / "index.html").is_file()
    again = aisite("new", "article", "bridge-follow-up", cwd=starter)
    assert again.returncode == 1 and "already exists" in again.stderr
    bad = aisite("new", "article", "Bad Slug", cwd=starter)
    assert bad.returncode == 1 and "e.g. 'bad-slug'" in bad.stderr


def test_import_reproduces_the_story_and_drops_furniture(starter: Path) -> None:
    result = aisite("import", str(SEED), cwd=starter)
    assert result.returncode == 0, result.stderr
    assert "dropped page furniture: Post a Comment" in result.stderr
    assert "11 paragraphs, 1 heading (" in result.stdout
    made = (
        starter / "content" / "articles" / "china-races-to-outpace-us-in-ai-leadership" / "index.md"
    )
    front, body = made.read_text().removeprefix("---\n").split("\n---\n", 1)
    # The story: a title line, a heading line, paragraphs, then the page's comment furniture.
    lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    title, heading, *rest = lines
    paragraphs = [line for line in rest if not line.startswith("Post a Comment")]
    assert len(paragraphs) == 11
    assert yaml.safe_load(front)["title"] == title
    assert body.strip() == "\n\n".join([f"## {heading}", *paragraphs])
    assert aisite("build", "--drafts", cwd=starter).returncode == 0


def test_import_from_standard_input_with_slug(starter: Path) -> None:
    story = "A Title Line\n\nFirst paragraph,\nwrapped over lines.\n\nA Heading\n\nSecond *paragraph* with [brackets].\n\nShare this:\n"
    result = subprocess.run(
        [sys.executable, "-m", "aisite", "import", "--slug", "piped"],
        input=story,
        text=True,
        capture_output=True,
        cwd=starter,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    text = (starter / "content" / "articles" / "piped" / "index.md").read_text()
    assert (
        "First paragraph, wrapped over lines.\n\n## A Heading\n\nSecond \\*paragraph\\* with \\[brackets\\]."
        in text
    )
    assert "Share this" not in text


def test_check_clean_and_broken(starter: Path) -> None:
    ok = aisite("check", cwd=starter)
    assert ok.returncode == 0 and ok.stdout.startswith("No problems")
    assert not (starter / "site").exists()
    claims = starter / "content" / "articles" / "example-analysis" / "claims.yaml"
    claims.write_text(claims.read_text().replace("verdict: accurate", "verdict: acurate"))
    bad = aisite("check", cwd=starter)
    assert bad.returncode == 1
    assert (
        "content/articles/example-analysis/claims.yaml:7: unknown verdict 'acurate'" in bad.stderr
    )


def test_check_links_finds_a_broken_link(starter: Path) -> None:
    page = starter / "content" / "pages" / "about.md"
    page.write_text(page.read_text() + "\nSee [our team](../team/).\n")
    assert aisite("check", cwd=starter).returncode == 0
    result = aisite("check", "--links", cwd=starter)
    assert result.returncode == 1
    expected = "content/pages/about.md:7: broken link '../team/' (no such file: team/index.html)"
    assert expected in result.stderr


def test_check_reports_template_errors(starter: Path) -> None:
    (starter / "templates").mkdir()
    (starter / "templates" / "tags.html").write_text(
        '{% extends "base.html" %}\n{% block main %}{{ nope }}{% endblock %}\n'
    )
    result = aisite("check", cwd=starter)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "templates/tags.html:2: template error: 'nope' is undefined (rendering tags/index.html)"
    )


def test_claims_listing_formats_and_filters() -> None:
    table = aisite("claims", cwd=BASIC)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[:5] == [
        "3 claims",
        "  True                  1",
        "  Half true             1",
        "  Unproven              1",
        "",
    ]
    data = json.loads(aisite("claims", "--format", "json", "--verdict", "true", cwd=BASIC).stdout)
    assert [(d["id"], d["verdict"]) for d in data] == [("restricted-2022", "true")]
    csv_out = aisite("claims", "--format", "csv", "--claimant", "story", cwd=BASIC).stdout
    rows = list(csv.DictReader(io.StringIO(csv_out)))
    assert [r["id"] for r in rows] == ["restricted-2022", "federal-register-term"]
    wrong = aisite("claims", "--verdict", "ture", cwd=BASIC)
    assert wrong.returncode == 2 and "did you mean 'true'?" in wrong.stderr


def test_quiet_and_verbose(starter: Path) -> None:
    quiet = aisite("build", "--quiet", cwd=starter)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = aisite("build", "--verbose", "--clean", cwd=starter)
    assert "read and validate" in verbose.stdout and "render and write" in verbose.stdout
    assert re.search(
        r"peak memory: aisite \d+ MB, largest child \(worker or Pagefind\) \d+ MB", verbose.stdout
    )
    assert "\r" not in verbose.stderr  # no progress bar when not on a terminal


def _read_events(url: str, stop_after: float) -> list[dict[str, object]]:
    events = []
    deadline = time.monotonic() + stop_after
    with urllib.request.urlopen(url, timeout=stop_after) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                return events
            if time.monotonic() > deadline:
                break
    return events


def _wait_for(predicate, seconds: float = 8.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_serve_rebuilds_reloads_shows_errors_and_stops(starter: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisite", "serve", "--port", "0"],
        cwd=starter,
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = ""
        for _ in range(20):
            line = proc.stdout.readline()
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url, "serve did not print its address"
        home = urllib.request.urlopen(url, timeout=5).read().decode()
        assert re.search(r'<script src="/__aisite/live\.js" data-version="\d+"></script>', home)
        first = _read_events(url + "__aisite/events", 5)[0]
        assert first["problems"] == []

        page = starter / "content" / "pages" / "about.md"
        page.write_text(page.read_text() + "\nA sentence added while serving.\n")
        assert _wait_for(
            lambda: (
                "added while serving"
                in urllib.request.urlopen(url + "about/", timeout=5).read().decode()
            )
        )
        assert _wait_for(
            lambda: _read_events(url + "__aisite/events", 5)[0]["version"] != first["version"]
        )

        page.write_text("no front matter any more\n")
        assert _wait_for(lambda: _read_events(url + "__aisite/events", 5)[0]["problems"] != [])
        problems = _read_events(url + "__aisite/events", 5)[0]["problems"]
        assert problems == [
            "content/pages/about.md:1: missing front matter (start the file with a '---' line, then title: ...)"
        ]
        assert (
            "added while serving"
            in urllib.request.urlopen(url + "about/", timeout=5).read().decode()
        )

        page.write_text("---\ntitle: About\n---\nFixed.\n")
        assert _wait_for(
            lambda: "Fixed." in urllib.request.urlopen(url + "about/", timeout=5).read().decode()
        )
        assert _wait_for(lambda: _read_events(url + "__aisite/events", 5)[0]["problems"] == [])
        missing = urllib.request.Request(url + "no/such/page/")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(missing, timeout=5)
        assert err.value.code == 404
    finally:
        proc.send_signal(signal.SIGINT)
        out, errors = proc.communicate(timeout=15)
    assert proc.returncode == 0, errors
    assert "Stopped." in out
    assert "Traceback" not in errors
    assert "content/pages/about.md:1: missing front matter" in errors
    assert not (starter / "site").exists(), "serve must not write the site folder"


def test_build_output_has_no_reload_script(basic_site: Path) -> None:
    for page in basic_site.rglob("*.html"):
        assert "__aisite" not in page.read_text(encoding="utf-8"), page


def test_check_anchors_the_quotes_of_drafts_and_says_which_are_drafts(starter: Path) -> None:
    bundle = starter / "content" / "articles" / "example-analysis"
    index = bundle / "index.md"
    index.write_text(index.read_text().replace("---\n", "---\ndraft: true\n", 1))
    ok = aisite("check", cwd=starter)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == [
        "draft: content/articles/example-analysis/index.md (checked; build leaves it out without --drafts)",
        "No problems: 1 article (1 draft), 2 claims, 3 pages.",
    ]
    claims = bundle / "claims.yaml"
    claims.write_text(claims.read_text().replace("quote: ", "quote: not in the text ", 1))
    bad = aisite("check", cwd=starter)
    assert bad.returncode == 1
    assert "claims.yaml:2: claim 'bridge-cost': quote not found" in bad.stderr


STORY = """City Approves $1.6 Million Bridge Repair

By Jane Doe and JOHN ROE, Reuters
July 28, 2025
Updated 3:45 PM EDT, July 29, 2025

The city council approved the repair on Monday after a long debate about costs.

Photo: Ann Lee/Reuters

1. The first phase starts in September and will close the bridge for two weeks.

Next Steps

By 2026, the bridge will carry twice the traffic, officials said.
"""


def test_import_takes_in_byline_and_dates_writes_claims_and_keeps_numbers(
    starter: Path,
) -> None:
    story = starter / "story.txt"
    story.write_text(STORY)
    result = aisite("import", str(story), cwd=starter)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "kept out of the text (byline -> authors: Jane Doe, John Roe): "
        "By Jane Doe and JOHN ROE, Reuters",
        "kept out of the text (date line -> date: 2025-07-28): July 28, 2025",
        "kept out of the text (update line): Updated 3:45 PM EDT, July 29, 2025",
        "kept out of the text (photo credit): Photo: Ann Lee/Reuters",
    ]
    bundle = starter / "content" / "articles" / "city-approves-1-6-million-bridge-repair"
    assert (bundle / "index.md").read_text() == (
        "---\n"
        'title: "City Approves $1.6 Million Bridge Repair"\n'
        "date: 2025-07-28\n"
        "draft: true\n"
        'authors: ["Jane Doe", "John Roe"]\n'
        "source:\n"
        '  title: "City Approves $1.6 Million Bridge Repair"\n'
        "  published: 2025-07-28\n"
        "---\n\n"
        "The city council approved the repair on Monday after a long debate about costs.\n\n"
        "1\\. The first phase starts in September and will close the bridge for two weeks.\n\n"
        "## Next Steps\n\n"
        "By 2026, the bridge will carry twice the traffic, officials said.\n"
    )
    made = aisite("new", "article", "for-comparison", cwd=starter)
    assert made.returncode == 0
    template = starter / "content" / "articles" / "for-comparison" / "claims.yaml"
    assert (bundle / "claims.yaml").read_text() == template.read_text()
    assert aisite("build", "--drafts", cwd=starter).returncode == 0
    page = (starter / "site" / "articles" / bundle.name / "index.html").read_text()
    assert "<p>1. The first phase starts" in page and "\\" not in page.split("<main", 1)[1]


def test_claims_table_never_cuts_the_claim_id() -> None:
    table = aisite("claims", "--source", str(BASIC), env={"COLUMNS": "160"}).stdout.splitlines()
    header = table.index(next(line for line in table if line.startswith("VERDICT")))
    assert table[header].split() == ["VERDICT", "CLAIMANT", "ARTICLE/ID", "QUOTE"]
    rows = table[header + 1 :]
    listed = aisite("claims", "--source", str(BASIC), "--format", "csv").stdout
    records = list(csv.DictReader(io.StringIO(listed)))
    assert len(rows) == len(records) > 0
    for record in records:  # each claim's row ends its ARTICLE/ID cell with the whole id
        assert any(f"/{record['id']}  " in row for row in rows), record["id"]
    assert any("…/" in row for row in rows), "no article slug long enough to be shortened"


def test_check_links_gives_the_line_of_each_broken_link_and_counts_the_links(
    starter: Path,
) -> None:
    ok = aisite("check", "--links", cwd=starter)
    assert ok.returncode == 0, ok.stderr
    found = re.search(r"; (\d+) internal links checked\.$", ok.stdout.splitlines()[-1])
    assert found and int(found.group(1)) > 100
    page = starter / "content" / "pages" / "about.md"
    lines = page.read_text().splitlines()
    page.write_text("\n".join([*lines, "", "See [our team](../team/).", ""]))
    claims = starter / "content" / "articles" / "example-analysis" / "claims.yaml"
    claims.write_text(claims.read_text().replace("    Explain", "    See [why](#nowhere). Explain"))
    line = (
        claims.read_text()
        .splitlines()
        .index(next(x for x in claims.read_text().splitlines() if "#nowhere" in x))
    )
    result = aisite("check", "--links", cwd=starter)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        f"content/articles/example-analysis/claims.yaml:{line + 1}: broken link '#nowhere' "
        "(no id 'nowhere' in articles/example-analysis/claims/bridge-cost/index.html)",
        f"content/pages/about.md:{len(lines) + 2}: broken link '../team/' "
        "(no such file: team/index.html)",
    ]


def test_counts_of_one_are_singular(starter: Path) -> None:
    built = aisite("build", cwd=starter)
    assert built.returncode == 0, built.stderr
    assert re.match(r"Built 1 article, \d+ pages, \d+ feeds \(\d+ files, ", built.stdout)
    claims = starter / "content" / "articles" / "example-analysis" / "claims.yaml"
    claims.write_text(claims.read_text().replace("verdict: accurate", "verdict: acurate", 1))
    failed = aisite("build", cwd=starter)
    assert failed.stderr.splitlines()[-1] == (
        "aisite: 1 problem found; the output folder was left as it was."
    )


def test_a_profiler_gets_its_report_and_a_build_its_exit_status(tmp_path: Path) -> None:
    """aisite ends its process without the interpreter's teardown (interrupt.leave), but not under
    a profiler, which writes its report after the program returns."""
    report, out = tmp_path / "build.prof", tmp_path / "site"
    command = [sys.executable, "-m", "cProfile", "-o", str(report), "-m", "aisite", "build"]
    profiled = subprocess.run(
        [
            *command,
            "--source",
            str(copy_site(BASIC, tmp_path / "basic")),
            "--output",
            str(out),
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert profiled.returncode == 0, profiled.stderr
    assert report.stat().st_size > 0
    broken = tmp_path / "broken"
    (broken / "content").mkdir(parents=True)
    (broken / "content" / "site.yaml").write_text("title: [\n")
    plain = [sys.executable, "-m", "aisite", "build", "--source", str(broken)]
    failed = subprocess.run(plain, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and failed.stderr.startswith("content/site.yaml:")
    assert failed.stderr.rstrip().endswith("the output folder was left as it was.")


def test_a_closed_standard_error_leaves_the_exit_status_alone(tmp_path: Path) -> None:
    """Python starts with sys.stderr None when descriptor 2 is closed; the end of the run
    (interrupt.leave) must not trip on it."""
    site = tmp_path / "site"
    assert aisite("new", "site", str(site)).returncode == 0
    command = [sys.executable, "-m", "aisite", "claims", "--source", str(site)]
    closed = subprocess.run(
        command,
        stdout=subprocess.PIPE,
        preexec_fn=lambda: os.close(2),  # the child closes its own stderr
        timeout=120,
    )
    assert closed.returncode == 0 and closed.stdout


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_counts_files_until_the_total_is_known(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aisite import cli

    screen = _Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    clock = iter([0.0, 0.1, 1.0, 1.0, 1.0, 1.0])
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    show = cli._progress()
    assert show is not None
    show(1, 0)  # within half a second: nothing
    show(1, 0)
    show(2, 0)
    show(3, 3)  # the end: the line is cleared
    assert screen.getvalue() == (
        "\r  writing 1 file so far\r  writing 2 files so far"
        "\r  writing [##############################] 3/3\r\033[K"
    )


def test_a_failed_build_clears_its_progress_line_before_the_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aisite import cli

    monkeypatch.setattr(cli, "_progress", lambda label="writing": lambda done, total: None)
    site = copy_site(SITES.parent / "invalid" / "alias-collides-with-page", tmp_path / "site")
    result = aisite("build", "--source", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.startswith("\r\033[Kcontent/articles/a/index.md:6: output")
