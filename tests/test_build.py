"""The build command from the outside: reproducibility, atomic output, refusals, drafts and future."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path

import pytest

import aisite as aisite_package
from aisite.i18n import Strings
from conftest import aisite, copy_site, run_aisite

pytestmark = pytest.mark.cli

BASIC = Path(__file__).parent / "sites" / "basic"


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def contents(folder: Path) -> dict[str, bytes]:
    return {k: v[0] for k, v in snapshot(folder).items()}


@pytest.fixture
def basic(tmp_path: Path) -> Path:
    """tests/sites/basic, copied: a build keeps its cache in the site folder (conftest.copy_site)."""
    return copy_site(BASIC, tmp_path / "basic")


def test_two_builds_are_byte_identical_whatever_the_environment(
    tmp_path: Path, basic: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    # Fresh processes (hash seed, time zone, locale) and no cache: each build renders everything.
    one = run_aisite(
        "build",
        "--clean",
        "--source",
        str(basic),
        "--output",
        str(first),
        env={"PYTHONHASHSEED": "1", "TZ": "UTC", "LANG": "C"},
    )
    two = run_aisite(
        "build",
        "--clean",
        "--source",
        str(basic),
        "--output",
        str(second),
        env={"PYTHONHASHSEED": "987", "TZ": "Pacific/Kiritimati", "LANG": "de_DE.UTF-8"},
    )
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert contents(first) == contents(second)


class _AnyDatetime(type):
    """Every datetime is an instance of FrozenClock (feedgen checks isinstance with its name)."""

    def __instancecheck__(cls, value: object) -> bool:
        return isinstance(value, datetime)


class FrozenClock(datetime, metaclass=_AnyDatetime):
    """A datetime whose now(), utcnow() and today() read a fixed moment (see freeze_clock)."""

    moment = datetime(2000, 1, 1, tzinfo=UTC)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = cls.moment
        return moment.astimezone(tz) if tz else moment.astimezone().replace(tzinfo=None)

    @classmethod
    def utcnow(cls) -> datetime:  # type: ignore[override]
        return cls.moment.astimezone(UTC).replace(tzinfo=None)

    @classmethod
    def today(cls) -> datetime:  # type: ignore[override]
        return cls.now()


def freeze_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Make aisite and feedgen read `moment` from datetime.now(), utcnow() and today()."""
    monkeypatch.setattr(FrozenClock, "moment", moment)
    for info in pkgutil.iter_modules(aisite_package.__path__):
        if info.name != "__main__":
            importlib.import_module(f"aisite.{info.name}")
    importlib.import_module("feedgen.feed")
    patched = 0
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("aisite", "feedgen") and vars(module).get("datetime") is datetime:
            monkeypatch.setattr(module, "datetime", FrozenClock)
            patched += 1
    assert patched, "no module of aisite reads the clock through datetime"


def date_forms(day: date) -> list[str]:
    """A day as an ISO date, as the test site's pages write dates (en-GB), and as RSS does."""
    shown = Strings("en-GB").date(datetime(day.year, day.month, day.day))
    return [day.isoformat(), shown, day.strftime("%d %b %Y")]


def test_the_build_date_leaves_no_trace_in_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    for path in site.rglob("*"):
        os.utime(path)  # every input file is modified today, in real time
    # Dated in 2030: published only if the build really reads its frozen clock (2031).
    later = site / "content" / "articles" / "from-2030"
    later.mkdir()
    (later / "index.md").write_text("---\ntitle: From 2030\ndate: 2030-06-01\n---\nLater.\n")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    clock = datetime(2031, 3, 17, 13, 45, 7, tzinfo=UTC)
    freeze_clock(monkeypatch, clock)
    out = tmp_path / "out"
    result = aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "articles" / "from-2030" / "index.html").is_file(), "the clock was not read"
    # Neither the build's clock (any date in 2031, or its time as seconds since 1970) nor the
    # real day on which the files were written appears anywhere.
    traces = [
        re.compile(rb"(?<![0-9A-Za-z])2031(?![0-9A-Za-z])"),
        re.compile(rb"(?<![0-9A-Za-z])" + str(int(clock.timestamp()))[:6].encode() + rb"\d{4}"),
        *(re.compile(re.escape(form.encode())) for form in date_forms(date.today())),
    ]
    leaks = [
        f"{path}: {trace.pattern!r}"
        for path, data in contents(out).items()
        for trace in traces
        if trace.search(data)
    ]
    assert leaks == []


def test_failed_build_leaves_previous_site_exactly_as_it_was(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    out = tmp_path / "out"
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    before = snapshot(out)
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text() + "unknown_setting: 1\n")
    result = aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 1
    assert result.stderr.startswith("content/site.yaml:")
    assert snapshot(out) == before


def test_unchanged_files_keep_their_mtime_and_changed_ones_are_replaced(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    out = tmp_path / "out"
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    before = snapshot(out)
    page = site / "content" / "pages" / "methodology.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    assert aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    after = snapshot(out)
    changed = {k for k in after if after[k] != before.get(k)}
    assert "methodology/index.html" in changed
    assert "feed.xml" not in changed and "articles/chip-rules-explained/index.html" not in changed


def test_output_inside_content_is_refused(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    result = aisite("build", "--source", str(site), "--output", str(site / "content" / "out"))
    assert result.returncode == 1
    assert "must not be, contain or be inside content/" in result.stderr
    assert not (site / "content" / "out").exists()


def test_foreign_non_empty_output_folder_is_refused(tmp_path: Path, basic: Path) -> None:
    out = tmp_path / "important"
    out.mkdir()
    (out / "thesis.txt").write_text("do not delete")
    result = aisite("build", "--source", str(basic), "--output", str(out))
    assert result.returncode == 1 and "not made by aisite" in result.stderr
    assert (out / "thesis.txt").read_text() == "do not delete"


def test_leftover_temporary_folders_are_cleaned(tmp_path: Path, basic: Path) -> None:
    leftover = tmp_path / ".site.tmp-999999-dead"
    leftover.mkdir()
    (leftover / "x.html").write_text("half")
    assert (
        aisite("build", "--source", str(basic), "--output", str(tmp_path / "site")).returncode == 0
    )
    assert not leftover.exists()


def test_drafts_only_with_flag(tmp_path: Path, basic: Path) -> None:
    plain = aisite("build", "--source", str(basic), "--output", str(tmp_path / "a"))
    assert "skipped draft: content/articles/unfinished-draft/index.md" in plain.stdout
    assert not (tmp_path / "a" / "articles" / "unfinished-draft").exists()
    drafts = aisite("build", "--drafts", "--source", str(basic), "--output", str(tmp_path / "b"))
    assert (
        drafts.returncode == 0
        and (tmp_path / "b" / "articles" / "unfinished-draft" / "index.html").is_file()
    )


def test_future_articles_left_out_with_a_line(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    future = site / "content" / "articles" / "tomorrow"
    future.mkdir()
    (future / "index.md").write_text("---\ntitle: Tomorrow\ndate: 2099-01-01\n---\nLater.\n")
    plain = aisite("build", "--source", str(site), "--output", str(tmp_path / "a"))
    assert "left out, dated in the future: content/articles/tomorrow/index.md" in plain.stdout
    assert not (tmp_path / "a" / "articles" / "tomorrow").exists()
    both = aisite("build", "--future", "--source", str(site), "--output", str(tmp_path / "b"))
    assert (tmp_path / "b" / "articles" / "tomorrow" / "index.html").is_file(), both.stderr


def test_source_date_epoch_decides_what_is_future(tmp_path: Path, basic: Path) -> None:
    result = aisite(
        "build",
        "--source",
        str(basic),
        "--output",
        str(tmp_path / "a"),
        env={"SOURCE_DATE_EPOCH": "0"},
    )
    assert (
        "left out, dated in the future: content/articles/chip-rules-explained/index.md"
        in result.stdout
    )


def test_base_url_override(tmp_path: Path, basic: Path) -> None:
    result = aisite(
        "build",
        "--base-url",
        "http://localhost:8000/preview",
        "--source",
        str(basic),
        "--output",
        str(tmp_path / "a"),
    )
    assert result.returncode == 0, result.stderr
    assert "http://localhost:8000/preview/feed.xml" in (tmp_path / "a" / "feed.xml").read_text()


def test_summary_line_and_version() -> None:
    version = run_aisite("--version")
    assert version.returncode == 0 and version.stdout == f"aisite {aisite_package.__version__}\n"
    usage = run_aisite("build", "--no-such-flag")
    assert usage.returncode == 2 and "unrecognized arguments: --no-such-flag" in usage.stderr


def test_summary_line(tmp_path: Path, basic: Path) -> None:
    out = tmp_path / "a"
    result = aisite("build", "--source", str(basic), "--output", str(out))
    last = result.stdout.strip().splitlines()[-1]
    numbers = r"Built (\d+) articles, (\d+) pages, (\d+) feeds \((\d+) files, (\d+) changed\)"
    match = re.fullmatch(numbers + r" in \d+\.\d\d s -> (.+)", last)
    assert match, last
    # The counts are those of the folder written (all new), beside its marker file.
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".aisite-output"]
    pages = [p for p in files if p.suffix == ".html"]
    feeds = [p for p in files if p.name in ("feed.xml", "atom.xml", "feed.json")]
    counts = (len(pages), len(feeds), len(files), len(files))
    assert match.groups() == ("2", *map(str, counts), str(out))


def test_installed_command_works_in_any_folder(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    # The script pip installed beside this interpreter (a virtualenv's bin/ need not be on PATH).
    beside = Path(sys.executable).parent / "aisite"
    exe = str(beside) if beside.is_file() else shutil.which("aisite")
    assert exe, "the aisite console script is not installed"
    site = copy_site(BASIC, tmp_path / "elsewhere")
    result = subprocess.run([exe, "build"], cwd=site, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (site / "site" / "index.html").is_file()


def test_symlinked_output_updates_where_it_points(tmp_path: Path, basic: Path) -> None:
    real = tmp_path / "www"
    real.mkdir()
    link = tmp_path / "public"
    link.symlink_to(real)
    for _ in range(2):
        result = aisite("build", "--source", str(basic), "--output", str(link))
        assert result.returncode == 0, result.stderr
    assert link.is_symlink() and (real / "index.html").is_file()
    assert not list(tmp_path.glob(".*tmp-*"))


def test_feed_urls_are_made_absolute_in_attributes_only(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    article = site / "content" / "articles" / "open-models-week" / "index.md"
    article.write_text(article.read_text() + '\nWrite `<img src="logo.png">` in HTML.\n')
    assert aisite("build", "--source", str(site), "--output", str(tmp_path / "o")).returncode == 0
    # The code sample is text: it keeps its relative src; real links and images become absolute.
    items = json.loads((tmp_path / "o" / "feed.json").read_text())["items"]
    (html,) = (i["content_html"] for i in items if i["url"].endswith("/open-models-week/"))
    assert '<p>Write <code>&lt;img src="logo.png"&gt;</code> in HTML.</p>' in html
    assert '<a href="https://example.com/news/articles/chip-rules-explained/">' in html
    for name in ("feed.xml", "atom.xml", "feed.json"):
        assert "open-models-week/logo.png" not in (tmp_path / "o" / name).read_text(), name


def test_templates_see_the_files_of_a_bundle_as_site_paths_only(tmp_path: Path) -> None:
    site = copy_site(BASIC, tmp_path / "s")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "article.html").write_text(
        '{% extends "base.html" %}{% block main %}'
        '<p id="files">{{ article.files | join("|") }}</p>'
        '{% for f in article.files %}<a href="{{ url(f) }}">file</a>{% endfor %}'
        "{% endblock %}\n"
    )
    result = aisite("build", "--source", str(site), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "articles" / "chip-rules-explained" / "index.html").read_text()
    assert '<p id="files">articles/chip-rules-explained/chart.svg</p>' in page
    assert '<a href="../../articles/chip-rules-explained/chart.svg">file</a>' in page
    assert str(tmp_path) not in page
    assert (tmp_path / "out" / "articles" / "chip-rules-explained" / "chart.svg").is_file()


def test_a_build_with_nothing_to_do_loads_no_model_and_no_renderer(tmp_path: Path) -> None:
    # Answered from the manifest: importing the model, Markdown, Jinja, Pillow and
    # importlib.metadata (the cache keys' library versions are read from folder names) would
    # take longer than all the rest of it.
    site = copy_site(BASIC, tmp_path / "s")
    heavy = ("aisite.model", "aisite.render", "markdown", "jinja2", "PIL", "importlib.metadata")
    code = (
        "import sys; from aisite.cli import main; "
        f"status = main(['build', '-q', '--source', {str(site)!r}]); "
        f"print(status, *(name in sys.modules for name in {heavy!r}))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True) for _ in "12"
    ]
    assert runs[0].stdout.split()[:6] == ["0", *["True"] * 5], runs[0].stderr  # it did build
    assert runs[1].stdout.split() == ["0", *["False"] * 6], runs[1].stderr
