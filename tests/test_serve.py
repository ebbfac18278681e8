"""`aisite serve` as an author meets it: drafts, a first build that fails, the wrong folder."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conftest import interruptible, run_aisite

pytestmark = pytest.mark.cli


@dataclass
class Server:
    """A running `aisite serve`: its address and what it printed so far."""

    proc: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def get(self, path: str) -> tuple[int, str]:
        """Status and text of a page."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    @contextmanager
    def events(self) -> Iterator[States]:
        """The live-reload stream, held open: every state in the order published."""
        with urllib.request.urlopen(self.url + "__aisite/events", timeout=30) as stream:
            yield States(stream)

    def state(self) -> dict[str, object]:
        """The first state event of the live-reload stream."""
        with urllib.request.urlopen(self.url + "__aisite/events", timeout=5) as stream:
            for raw in stream:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    return dict(json.loads(line[6:]))
        raise AssertionError("no state event")


class States:
    """The states of one held-open event stream, read one at a time."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def next(self) -> dict[str, object]:
        """The next state published (waiting for it); its message left out when it succeeded."""
        for raw in self.stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                state = dict(json.loads(line[6:]))
                if not state["problems"]:
                    state["message"] = ""
                return state
        raise AssertionError("the event stream ended")


def wait_for(predicate: Callable[[], bool], seconds: float = 30.0) -> bool:
    """True once the predicate holds, False after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@contextmanager
def serving(site: Path, *args: str) -> Iterator[Server]:
    """Start `aisite serve --port 0` in a site folder; stop it with Ctrl-C afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisite", "serve", "--port", "0", *args],
        cwd=site,
        preexec_fn=interruptible,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    server = Server(proc)
    assert proc.stdout is not None
    try:
        for _ in range(40):
            line = proc.stdout.readline()
            server.lines.append(line)
            found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
            if found:
                server.url = found.group(1)
                break
        assert server.url, "serve did not print its address: " + "".join(server.lines)
        yield server
    finally:
        proc.send_signal(signal.SIGINT)
        out, errors = proc.communicate(timeout=15)
        server.lines.append(out)
        assert proc.returncode == 0, errors
        assert "Traceback" not in errors


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    site = tmp_path / "mysite"
    assert run_aisite("new", "site", str(site)).returncode == 0
    return site


def test_serve_shows_drafts_with_a_banner_and_says_which(starter: Path) -> None:
    made = run_aisite("new", "article", "work-in-progress", "--title", "Unfinished", cwd=starter)
    assert made.returncode == 0, made.stderr
    with serving(starter) as server:
        status, page = server.get("articles/work-in-progress/")
        assert status == 200 and 'class="draft-banner"' in page
        status, published = server.get("articles/example-analysis/")
        assert status == 200 and "draft-banner" not in published
    said = "".join(server.lines)
    assert (
        "draft, shown with a banner (build leaves it out): "
        "content/articles/work-in-progress/index.md" in said
    )


def test_serve_without_drafts_previews_the_published_site(starter: Path) -> None:
    run_aisite("new", "article", "work-in-progress", cwd=starter)
    with serving(starter, "--no-drafts") as server:
        assert server.get("articles/work-in-progress/")[0] == 404
    assert "skipped draft: content/articles/work-in-progress/index.md" in "".join(server.lines)


def test_a_first_build_that_fails_serves_the_problems_and_reloads_when_fixed(
    starter: Path,
) -> None:
    page = starter / "content" / "pages" / "about.md"
    good = page.read_text()
    page.write_text("no front matter\n")
    problem = (
        "content/pages/about.md:1: missing front matter "
        "(start the file with a &#x27;---&#x27; line, then title: ...)"
    )
    with serving(starter) as server:
        for path in ("", "articles/example-analysis/", "about/"):
            status, shown = server.get(path)
            assert status == 503, path
            assert "data-aisite-failed" in shown and problem in shown
            assert re.search(
                r'<script src="/__aisite/live\.js" data-version="\d+"></script>', shown
            )
        state = server.state()
        assert state["message"] == (
            "aisite: the build failed; this page reloads when the problems are fixed."
        )
        page.write_text(good)
        assert wait_for(lambda: server.get("")[0] == 200)
        assert server.state()["problems"] == []
        page.write_text("broken again\n")
        assert wait_for(lambda: server.state()["problems"] != [])
        assert server.state()["message"] == (
            "aisite: the last build failed; showing the last good site."
        )
        assert server.get("about/")[0] == 200
    said = "".join(server.lines)
    assert "Build failed (1 problem); the preview shows them until they are fixed." in said
    assert "Build failed (1 problem); still serving the last good site." in said


def test_each_rebuild_publishes_one_state_built_failed_or_unchanged(starter: Path) -> None:
    # The reload is published once the files are in place; the build's bookkeeping follows.
    # Once per rebuild whatever its outcome: a page reloads once, and only to a fresh page.
    # (A save of an article's text alone also publishes its own pages first: see below.)
    index = starter / "content" / "articles" / "example-analysis" / "index.md"
    text = index.read_text()
    with serving(starter) as server, server.events() as states:
        first = states.next()["version"]
        assert isinstance(first, int)
        index.write_text(text.replace("date: 2025-01-15T", "date: 2025-01-16T", 1))  # moved
        assert states.next() == _complete(first + 1)
        assert 'datetime="2025-01-16' in server.get("articles/example-analysis/")[1]
        (starter / "content" / "Thumbs.db").write_bytes(b"not an input: nothing to build")
        assert states.next() == _complete(first + 2)
        index.write_text("no front matter\n")
        failed = states.next()
        assert failed["version"] == first + 3 and failed["problems"] != []
        index.write_text(text)
        assert states.next() == _complete(first + 4)
        assert 'datetime="2025-01-16' not in server.get("articles/example-analysis/")[1]
        time.sleep(0.5)  # a second publish of the same rebuild would come at once
        assert server.state()["version"] == first + 4
    said = "".join(server.lines)
    assert said.count("\nBuilt ") + said.startswith("Built ") == 4  # the first build, 3 of 4 saves
    assert said.count("Build failed (1 problem); still serving the last good site.") == 1
    assert "first (" not in said  # no save changed an article's text alone


def test_a_saved_text_reloads_its_own_pages_first(starter: Path) -> None:
    # A save that changes only an article's Markdown text: its own pages are written and
    # published as a partial state before the site is built; then the complete state names
    # them as fresh (the build left them as they were), so a page reloads once either way.
    index, text, body = example_article(starter)
    with serving(starter) as server, server.events() as states:
        first = states.next()["version"]
        assert isinstance(first, int)
        index.write_text(text[:body] + "A sentence saved just now.\n\n" + text[body:])
        partial = states.next()
        page = server.get("articles/example-analysis/")[1]  # read before the build's state
        complete = states.next()
        assert partial == {
            **_complete(first + 1),
            "partial": ["/articles/example-analysis/", "/articles/example-analysis/index.html"],
        }
        assert "A sentence saved just now." in page
        assert complete == {**_complete(first + 2), "fresh": partial["partial"], "after": first + 1}
        assert "A sentence saved just now." in server.get("articles/example-analysis/")[1]
        index.write_text(text.replace("date: 2025-01-15T", "date: 2025-01-16T", 1))
        assert states.next() == _complete(first + 3)  # a date moves it: the whole build at once
        index.write_text(text)  # the first date back, and the text without the sentence
        assert states.next() == _complete(first + 4)
        assert "A sentence saved just now." not in server.get("articles/example-analysis/")[1]
    said = "".join(server.lines)
    assert re.search(
        r"Updated content/articles/example-analysis first \(1 file in \d+\.\d\d s\)\.",
        said,
    ), said


def example_article(site: Path) -> tuple[Path, str, int]:
    """The starter site's article: its index.md, its text, where its body starts."""
    index = site / "content" / "articles" / "example-analysis" / "index.md"
    text = index.read_text()
    return index, text, text.index("\n---\n", 4) + 5


def _complete(version: int) -> dict[str, object]:
    """The state a build that succeeded publishes."""
    return {
        "version": version,
        "problems": [],
        "message": "",
        "partial": [],
        "fresh": [],
        "after": 0,
    }


def test_serve_outside_a_site_folder_exits_like_build(tmp_path: Path) -> None:
    served = run_aisite("serve", "--port", "0", cwd=tmp_path)
    built = run_aisite("build", cwd=tmp_path)
    assert served.returncode == built.returncode == 1
    assert served.stderr.splitlines()[0] == built.stderr.splitlines()[0]
    assert served.stderr.splitlines()[0].startswith("content/site.yaml: site.yaml not found in ")


@pytest.mark.parametrize(
    ("name", "relevant"),
    [
        ("content/articles/a/index.md", True),
        ("templates/article.html", True),
        ("content/articles/a/index.md~", False),
        ("content/articles/a/#index.md#", False),
        ("content/articles/a/.#index.md", False),
        ("content/articles/a/.index.md.swp", False),
        ("content/articles/a/4913", False),
        ("content/articles/a/index.md.kate-swp", False),
        ("templates/article.html___jb_tmp___", False),
        ("content/pages/~$about.md", False),
        ("site/index.html", False),
    ],
)
def test_editor_temporary_files_trigger_nothing(name: str, relevant: bool) -> None:
    from aisite.serve import _relevant

    root = Path("/srv/mysite")
    assert _relevant(root, None, str(root / name)) is relevant
