"""`aisite check --sources` against a local stand-in web (127.0.0.1): every outcome, its exact
message, retries and Retry-After, HEAD then GET, the cache, the summary and the exit status."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from aisite.checksite import check
from aisite.options import Options
from aisite.pagetext import has_passage, page_text
from aisite.sourcecheck import SourceReport, check_sources
from aisite.sources import Settings, retry_after
from conftest import run_aisite
from source_server import PASSAGE, SLOW_SECONDS, Web, serve_web

# The slow path times out; a loaded machine (CI runs three test workers and a browser) still
# answers every other path well within the time-out, so no count of requests depends on luck.
FAST = Settings(timeout=1.0, retries=2, backoff=0.01, max_wait=60)
assert FAST.timeout < SLOW_SECONDS
DAY = 86400.0


@dataclass(frozen=True)
class Case:
    """One claim citing one source."""

    name: str
    path: str  # on the stand-in web, or an absolute URL
    quote: str = ""
    archive: str = ""


@pytest.fixture
def web() -> Iterator[Web]:
    with serve_web() as w:
        yield w


def make_site(root: Path, web: Web, cases: list[Case]) -> dict[str, int]:
    """A site with one claim per case; returns the line of each evidence item (and archive)."""
    (root / "content" / "articles" / "a").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: Sources\nbase_url: https://example.com/\n")
    body = "\n\n".join(f"Case {c.name} is stated here." for c in cases)
    (root / "content" / "articles" / "a" / "index.md").write_text(
        f"---\ntitle: A\ndate: 2025-01-01\n---\n\n{body}\n"
    )
    lines: list[str] = []
    where: dict[str, int] = {}
    for c in cases:
        url = c.path if c.path.startswith("http") else web.url(c.path)
        lines += [
            f"- id: {c.name}",
            f'  quote: "Case {c.name} is stated"',
            "  claimant: Tester",
            "  verdict: accurate",
            "  summary: A test.",
            "  evidence:",
            f"    - title: Source of {c.name}",
        ]
        where[c.name] = len(lines)
        lines.append(f"      url: {url}")
        if c.quote:
            lines.append(f'      quote: "{c.quote}"')
        if c.archive:
            lines.append(f"      archived_url: {web.url(c.archive)}")
            where[c.name + ":archive"] = len(lines)
    (root / "content" / "articles" / "a" / "claims.yaml").write_text("\n".join(lines) + "\n")
    return where


def run_check(
    root: Path, settings: Settings = FAST, max_age: float = DAY
) -> tuple[SourceReport, list[float]]:
    """check_sources in this process, with waits recorded instead of slept."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    site = check(Options(root))
    return asyncio.run(check_sources(site, root, settings, max_age, sleep=sleep)), waits


ALL = [
    Case("with", "/with", PASSAGE, archive="/archive/with"),
    Case("without", "/without", PASSAGE),
    Case("perm", "/perm", PASSAGE),
    Case("temp", "/temp"),
    Case("loop", "/loop"),
    Case("missing", "/missing", archive="/gone"),
    Case("gone", "/gone"),
    Case("busy", "/busy", PASSAGE),
    Case("busy-long", "/busy-long"),
    Case("flaky", "/flaky"),
    Case("down", "/down"),
    Case("slow", "/slow"),
    Case("nohead", "/nohead"),
    Case("pdf", "/report.pdf", PASSAGE),
    Case("forbidden", "/forbidden"),
    Case("perm-dead", "/perm-dead"),
    Case("no-dns", "http://no-such-host.invalid/page"),
]


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host names under .invalid do not resolve, without asking any real resolver."""
    real = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.cli
def test_every_outcome_and_its_message(tmp_path: Path, web: Web, no_dns: None) -> None:
    line = make_site(tmp_path, web, ALL)
    report, waits = run_check(tmp_path)
    o, f = web.origin, "content/articles/a/claims.yaml"
    moved = "find where the page went, or link an archived copy with archived_url"
    expected = [
        f"{f}:{line['without']}: warning: claim 'without': the passage “the aforementioned costs "
        f"include only the official training…” is no longer at {o}/without",
        f"{f}:{line['perm']}: warning: claim 'perm': {o}/perm has moved permanently (301) to "
        f"{o}/with (update the url)",
        f"{f}:{line['temp']}: note: claim 'temp': {o}/temp redirects (302) to {o}/with",
        f"{f}:{line['loop']}: claim 'loop': dead link {o}/loop (redirect loop) ({moved})",
        f"{f}:{line['missing']}: claim 'missing': dead link {o}/missing (404 Not Found) "
        "(readers still have the archived copy; find where the page went)",
        f"{f}:{line['missing:archive']}: claim 'missing': dead archived copy {o}/gone (410 Gone)",
        f"{f}:{line['gone']}: claim 'gone': dead link {o}/gone (410 Gone) ({moved})",
        f"{f}:{line['busy-long']}: warning: claim 'busy-long': could not check {o}/busy-long "
        "(429 Too Many Requests; the server asks to wait 3600 s)",
        f"{f}:{line['down']}: warning: claim 'down': could not check {o}/down "
        "(503 Service Unavailable 3 times)",
        f"{f}:{line['slow']}: warning: claim 'slow': could not check {o}/slow (timed out 3 times)",
        f"{f}:{line['pdf']}: note: claim 'pdf': passage not checked: {o}/report.pdf is a PDF",
        f"{f}:{line['forbidden']}: warning: claim 'forbidden': {o}/forbidden answered "
        "403 Forbidden (the site may refuse automated checks; try a browser)",
        f"{f}:{line['perm-dead']}: claim 'perm-dead': dead link {o}/perm-dead "
        f"(404 Not Found at {o}/missing) ({moved})",
        f"{f}:{line['no-dns']}: claim 'no-dns': dead link http://no-such-host.invalid/page "
        f"(host name not found) ({moved})",
    ]
    assert [str(p) for p in report.findings] == expected
    assert report.summary() == (
        "Sources: 18 checked (0 from the cache), 1 moved, 5 dead, 1 passage missing, "
        "4 could not be checked."
    )
    # Waits: Retry-After (7 s) for /busy; doubling back-off for /flaky, /down, /slow, no-dns.
    assert sorted(waits) == sorted([7.0, 0.01, *[0.01, 0.02] * 3])
    # Retried until answered, and no more: the first 429 and 500 are followed by a success.
    assert web.count("/busy") == 2 and web.count("/flaky") == 2
    assert web.count("/down") == 3 and web.count("/busy-long") == 1


@pytest.mark.cli
def test_head_then_get_only_where_head_is_refused(tmp_path: Path, web: Web) -> None:
    make_site(tmp_path, web, [Case("nohead", "/nohead"), Case("plain", "/with")])
    report, _ = run_check(tmp_path)
    assert report.findings == []
    assert [r for r in web.requests if r[1] == "/nohead"] == [
        ("HEAD", "/nohead"),
        ("GET", "/nohead"),
    ]
    assert [r for r in web.requests if r[1] == "/with"] == [("HEAD", "/with")]


@pytest.mark.cli
def test_a_quote_is_searched_in_the_page_itself(tmp_path: Path, web: Web) -> None:
    # With a quote there is no HEAD: the page is read, and the passage found across markup.
    make_site(tmp_path, web, [Case("with", "/with", PASSAGE.replace("-", "‑"))])
    report, _ = run_check(tmp_path)
    assert report.findings == [] and report.missing == 0
    assert web.requests == [("GET", "/with")]


@pytest.mark.cli
def test_the_second_run_answers_from_the_cache(tmp_path: Path, web: Web) -> None:
    cases = [
        Case("with", "/with", PASSAGE),
        Case("without", "/without", PASSAGE),
        Case("perm", "/perm"),
        Case("missing", "/missing"),
        Case("pdf", "/report.pdf", PASSAGE),
    ]
    make_site(tmp_path, web, cases)
    first, _ = run_check(tmp_path)
    asked = len(web.requests)
    second, _ = run_check(tmp_path)
    assert len(web.requests) == asked, "the second run must not make a request"
    assert [str(p) for p in second.findings] == [str(p) for p in first.findings]
    assert (first.cached, second.cached, second.checked) == (0, 5, 5)
    # A new quote for a cached URL needs the page: that one URL is fetched again.
    claims = tmp_path / "content/articles/a/claims.yaml"
    claims.write_text(
        claims.read_text().replace(
            f"url: {web.url('/perm')}", f"url: {web.url('/perm')}\n      quote: x"
        )
    )
    third, _ = run_check(tmp_path)
    assert third.cached == 4 and len(web.requests) == asked + 3  # /perm, /perm2, /with
    # An answer older than --max-age is asked again.
    run_check(tmp_path, max_age=0)
    # /with, /without, /report.pdf: GET; /perm: three GETs; /missing: HEAD 404 confirmed by GET.
    assert len(web.requests) == asked + 3 + 8


@pytest.mark.cli
def test_failures_are_not_cached(tmp_path: Path, web: Web) -> None:
    make_site(tmp_path, web, [Case("down", "/down")])
    run_check(tmp_path)
    run_check(tmp_path)
    assert web.count("/down") == 6


@pytest.mark.cli
def test_the_command_line(tmp_path: Path, web: Web) -> None:
    line = make_site(tmp_path, web, [Case("with", "/with", PASSAGE), Case("missing", "/missing")])
    args = ("check", "--sources", "--source", str(tmp_path), "--timeout", "2", "--retries", "1")
    result = run_aisite(*args)
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        f"content/articles/a/claims.yaml:{line['missing']}: claim 'missing': dead link "
        f"{web.url('/missing')} (404 Not Found) (find where the page went, or link an archived "
        "copy with archived_url)\n"
    )
    assert result.stdout == (
        "No problems: 1 article, 2 claims, 0 pages.\n"
        "Sources: 2 checked (0 from the cache), 0 moved, 1 dead, 0 passages missing, "
        "0 could not be checked.\n"
    )
    assert web.user_agents and all(
        ua.startswith("aisite/") and ua.endswith("(source checker; +https://example.com/)")
        for ua in web.user_agents
    )
    asked = len(web.requests)
    again = run_aisite(*args)
    assert len(web.requests) == asked and again.returncode == 1
    assert "(2 from the cache)" in again.stdout
    # Fixed: exit status 0, whatever the warnings.
    fixed = (
        (tmp_path / "content/articles/a/claims.yaml").read_text().replace("/missing", "/without")
    )
    (tmp_path / "content/articles/a/claims.yaml").write_text(fixed)
    ok = run_aisite(*args, "--max-age", "0")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.endswith(
        "Sources: 2 checked (0 from the cache), 0 moved, 0 dead, 0 passages missing, 0 could not be checked.\n"
    )


@pytest.mark.cli
def test_requests_in_flight_are_bounded_overall_and_per_host(tmp_path: Path, web: Web) -> None:
    # 127.0.0.1 and localhost are two hosts to the checker (one server here).
    port = web.origin.rsplit(":", 1)[1]
    cases = [
        Case(f"h{n}-{i}", f"http://{host}:{port}/hold/{n}")
        for n in range(6)
        for i, host in enumerate(("127.0.0.1", "localhost"))
    ]
    make_site(tmp_path, web, cases)
    report, _ = run_check(tmp_path, replace(FAST, concurrency=3, per_host=2, timeout=2))
    assert report.findings == [] and report.checked == 12
    assert web.peak == {"127.0.0.1": 2, "localhost": 2, "all": 3}


@pytest.mark.unit
def test_retry_after_as_a_date(monkeypatch: pytest.MonkeyPatch) -> None:
    now = 1_767_225_600.0  # the clock is fixed, so the wait is exact however slow the machine
    monkeypatch.setattr(time, "time", lambda: now)
    assert retry_after(formatdate(now + 30, usegmt=True)) == 30.0
    assert retry_after(formatdate(now - 30, usegmt=True)) == 0.0  # a date already past
    assert retry_after("120") == 120.0
    assert retry_after("soon") is None and retry_after(None) is None


@pytest.mark.cli
def test_progress_bar_only_on_a_terminal(tmp_path: Path, web: Web) -> None:
    make_site(tmp_path, web, [Case("with", "/with"), Case("slow", "/slow")])
    # One try at /slow, long enough (1 s) for the bar to appear (after 0.5 s).
    args = ["check", "--sources", "--source", str(tmp_path), "--timeout", "1", "--retries", "0"]
    plain = run_aisite(*args)
    assert "checking [" not in plain.stderr
    args += ["--max-age", "0"]  # both fetched again: 2/2
    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "aisite", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
            timeout=60,
        )
        os.close(follower)
        seen = b""
        with contextlib.suppress(OSError):
            while chunk := os.read(leader, 4096):
                seen += chunk
    finally:
        os.close(leader)
    assert process.returncode == 0
    assert b"\r  checking [##############################] 2/2\r\x1b[K" in seen


@pytest.mark.cli
@pytest.mark.parametrize(
    ("option", "value"), [("--max-age", "soon"), ("--max-age", "-1d"), ("--timeout", "0")]
)
def test_bad_options_are_usage_errors(tmp_path: Path, option: str, value: str) -> None:
    result = run_aisite("check", "--sources", "--source", str(tmp_path), f"{option}={value}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"argument {option}: '{value}' is not" in result.stderr


@pytest.mark.cli
def test_page_text_is_what_a_reader_sees() -> None:
    html = (
        "<html><head><title>T</title><style>p{}</style><script>var x = 'hidden';</script></head>"
        "<body><p>Ends here.</p><p>Starts <b>he</b>re &amp; “goes” on\u2014and&nbsp;on</p>"
        "<svg><text>drawn</text></svg><template>later</template></body></html>"
    )
    text = page_text(html.encode(), "text/html", "utf-8")
    assert text == 'T Ends here. Starts here & "goes" on-and on'
    assert has_passage(text or "", "here. Starts here & “goes”")
    assert not has_passage(text or "", "Ends here.Starts")
    # The charset of a <meta> when the header has none; plain text as it is; PDFs not at all.
    latin = '<meta charset="iso-8859-1"><p>caf\xe9</p>'.encode("latin-1")
    assert page_text(latin, "text/html", None) == "café"
    assert page_text(b"a  b", "text/plain", None) == "a b"
    assert page_text(b"%PDF", "application/pdf", None) is None
