"""Shared helpers and fixtures: running the command, sites built once per session, test kinds."""

from __future__ import annotations

import compileall
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
# Where commands run unless a test says otherwise: no content/ here, so a command that forgets
# --source or cwd fails instead of reading the repository's own content.
TESTS = REPO / "tests"
ARTIFACTS = REPO / "test-artifacts"
KINDS = ("unit", "cli", "browser")
# pytest rewrites every test module's asserts in each of its processes (1.5 s of CPU each) and
# keeps the result in tests/__pycache__ only where Python may write bytecode: let it, even where
# PYTHONDONTWRITEBYTECODE is set, so that the next run starts from there (as _compile_aisite).
sys.dont_write_bytecode = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test has a kind: its own mark, else its module's (a test's own mark wins).

    Refused: a test without a kind, two kinds on one test or module, and a non-browser test in a
    browser module, which `-m "not browser"` would leave out of the fast loop without a word.
    """
    for item in items:
        problem = ""
        for node in item.listchain():
            own = {m.name for m in node.own_markers if m.name in KINDS}
            if len(own) > 1:
                problem = f"is marked {' and '.join(sorted(own))} at one level: keep one"
        kinds = [m.name for m in item.iter_markers() if m.name in KINDS]  # the test's own first
        if not kinds:
            problem = f"has no kind: mark it {', '.join(KINDS)} (pytestmark, or on the test)"
        elif "browser" in kinds and kinds[0] != "browser":
            problem = f"is a {kinds[0]} test in a browser module: move it to another module"
        if problem:
            raise pytest.UsageError(f"{item.nodeid} {problem}")


def aisite(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the aisite command line in this process: its exit status, stdout and stderr."""
    from aisite.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = {name: os.environ.get(name) for name in env or {}}
    here = os.getcwd()
    try:
        os.environ.update(env or {})
        os.chdir(cwd or TESTS)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exit:  # argparse: --help, --version and usage errors
                status = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    finally:
        os.chdir(here)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(["aisite", *args], status, out.getvalue(), err.getvalue())


# Variables a fresh `python -m aisite` reads only when a command runs: commands that set no
# others run in a child of the zygote (tests/zygote.py), the rest in a new interpreter.
READ_WHEN_RUN = frozenset(["SOURCE_DATE_EPOCH", "COLUMNS", "TMPDIR", "HOME", "PATH"])
# For tests that compare two runs: forked children share the zygote's hash seed, and a new
# interpreter gets a random one (so output that depends on set order shows).
NEW_INTERPRETER = {"PYTHONHASHSEED": "random"}
_zygotes: list[subprocess.Popen[str]] = []


def _zygote() -> subprocess.Popen[str]:
    if not _zygotes or _zygotes[-1].poll() is not None:
        _zygotes.append(
            subprocess.Popen(
                [sys.executable, str(TESTS / "zygote.py")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=TESTS,
            )
        )
    return _zygotes[-1]


def run_aisite(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the aisite command line in a process of its own, for tests where the process matters."""
    full_env = {**os.environ, **(env or {})}
    command = [sys.executable, "-m", "aisite", *args]
    if set(env or {}) - READ_WHEN_RUN:
        return subprocess.run(
            command, cwd=cwd or TESTS, env=full_env, capture_output=True, text=True, timeout=120
        )
    zygote = _zygote()
    assert zygote.stdin is not None and zygote.stdout is not None
    with tempfile.TemporaryDirectory(prefix="aisite-run-") as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        request = {"args": args, "cwd": str(cwd or TESTS), "env": full_env}
        zygote.stdin.write(json.dumps({**request, "out": str(out), "err": str(err)}) + "\n")
        zygote.stdin.flush()
        pid = json.loads(zygote.stdout.readline())
        fired: list[bool] = []

        def kill() -> None:
            fired.append(True)
            os.kill(pid, signal.SIGKILL)

        timer = threading.Timer(120, kill)
        timer.start()
        try:
            code = json.loads(zygote.stdout.readline())
        finally:
            timer.cancel()
        if fired:
            raise subprocess.TimeoutExpired(command, 120)
        stdout = out.read_text(encoding="utf-8")
        stderr = err.read_text(encoding="utf-8", errors="backslashreplace")
    return subprocess.CompletedProcess(command, code, stdout, stderr)


@pytest.fixture(autouse=True)
def _no_server_state_left() -> Iterator[None]:
    """A test that builds as `aisite serve` does (memory.remember()) puts it back: a server's
    memory left in the process makes the next test's builds keep what a build lets go."""
    yield
    from aisite import memory

    assert memory.kept is None, "the test left aisite's server memory on (memory.remember())"


@pytest.fixture(scope="session", autouse=True)
def _zygote_ends() -> Iterator[None]:
    yield
    for zygote in _zygotes:
        if zygote.stdin:
            zygote.stdin.close()
        zygote.wait(timeout=30)


def _remove_build_caches() -> None:
    for cache in TESTS.rglob(".aisite-cache"):
        shutil.rmtree(cache, ignore_errors=True)


def _controller() -> bool:
    """The process that runs alone before and after every test: not an xdist worker."""
    return "PYTEST_XDIST_WORKER" not in os.environ


def _compile_aisite() -> None:
    """Bytecode for aisite's modules, as `pip install .` writes it (`-e` does not): each new
    interpreter a test starts reads it instead of compiling some 100 modules, which Python does
    afresh every time where PYTHONDONTWRITEBYTECODE is set. Only what is out of date is written."""
    import aisite

    compileall.compile_dir(Path(aisite.__file__).parent, quiet=1)


_user_caches: list[str] = []


def _own_user_cache() -> None:
    """A cache folder of the run's own (XDG_CACHE_HOME), which every worker and every aisite it
    starts inherits: compiled templates (templatecache.py) neither come from the user's
    ~/.cache nor go there."""
    _user_caches.append(tempfile.mkdtemp(prefix="aisite-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = _user_caches[-1]


# The tests make about 60,000 files (1.3 GB) a run. Where a memory-backed /dev/shm has room,
# they go there: on ext4 the kernel's work on them made the fast loop 6-20 s slower (README.md).
# AISITE_TEST_TMP=disk keeps pytest's own folder.
SHM = Path("/dev/shm")
SHM_ROOM = 2 << 30
_memory_temp: list[Path] = []
_memory_tmpdir: list[Path] = []  # the run's TMPDIR, deleted at its end whatever happened


def _memory_backed(folder: Path) -> bool:
    """Whether `folder` is a tmpfs mount with SHM_ROOM bytes free."""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
        free = os.statvfs(folder)
    except OSError:
        return False
    tmpfs = any(f"{line} ".split(" ")[1:3] == [str(folder), "tmpfs"] for line in mounts)
    return tmpfs and free.f_bavail * free.f_frsize >= SHM_ROOM


@pytest.hookimpl(tryfirst=True)  # before pytest makes its temporary folders' factory
def pytest_configure(config: pytest.Config) -> None:
    """Test folders in memory where there is room (workers get theirs from the controller)."""
    wanted = os.environ.get("AISITE_TEST_TMP", "memory") != "disk"
    if _controller() and config.option.basetemp is None and wanted and _memory_backed(SHM):
        _memory_temp.append(Path(tempfile.mkdtemp(prefix="aisite-tests-", dir=SHM)))
        config.option.basetemp = str(_memory_temp[-1])
        # And every other temporary file of the run (workers and the aisite they start inherit
        # it): a build without a cache indexes its search in one, 7 s of a fast loop on ext4.
        os.environ["TMPDIR"] = tempfile.mkdtemp(prefix="aisite-tmp-", dir=SHM)
        tempfile.tempdir = None  # gettempdir() reads TMPDIR again
        _memory_tmpdir.append(Path(os.environ["TMPDIR"]))
        _memory_tmpdir[-1].chmod(0o1777)  # as /tmp: tests that run as another user use it too


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """After failures, where their folders are: in memory, until deleted."""
    if _memory_temp and terminalreporter.stats.get("failed") and _memory_temp[0].exists():
        terminalreporter.write_line(
            f"the failed tests' folders are in {_memory_temp[0]} (memory: delete it when done)"
        )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Builds of the fixture sites under tests/ start cold. Only the controller cleans, before
    any worker starts: a worker's session begins and ends while others build in the tree."""
    if _controller():
        _remove_build_caches()
        _compile_aisite()
        _own_user_cache()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """No .aisite-cache is left behind in tests/ (the controller finishes after every worker),
    and a run where a test made one fails: tests build copies (see copy_site)."""
    if _controller():
        built_here = sorted(TESTS.rglob(".aisite-cache"))
        _remove_build_caches()
        if built_here:
            reporter = session.config.pluginmanager.get_plugin("terminalreporter")
            reporter.write("\n")  # after the progress line, which ends without one
            for cache in built_here:
                reporter.write_sep("=", f"a test built {cache.parent} in place", red=True)
            if session.exitstatus == pytest.ExitCode.OK:  # an interrupted run keeps its status
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        for folder in _user_caches:
            shutil.rmtree(folder, ignore_errors=True)
        # A failed run's folders stay for a look (pytest keeps only the failed tests' own).
        for folder in [*(_memory_temp if session.testsfailed == 0 else ()), *_memory_tmpdir]:
            shutil.rmtree(folder, ignore_errors=True)


def interruptible() -> None:
    """In a child before it runs: Ctrl-C (SIGINT) as in a terminal, though the tests run
    where it is ignored (a job started in the background with `&` or nohup inherits it so)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


SITES = Path(__file__).parent / "sites"
# 'Now' for the builds of the fixture sites (2026-01-01), so that what counts as future is fixed.
EPOCH = {"SOURCE_DATE_EPOCH": "1767225600"}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """tests/sites/<name> built once per session, cold; tests read the output and never change it.

    Built in a subprocess: a browser test may ask first, and while Playwright is open its asyncio
    loop runs in this thread, where the search indexing of a build cannot start its own.
    """
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            # Built from a copy: its cache is its own, never one another test process removes.
            folder = tmp_path_factory.mktemp(name)
            source, out = folder / "source", folder / "site"
            ignore = shutil.ignore_patterns("expected", "site", ".site.*", ".aisite-cache")
            shutil.copytree(SITES / name, source, ignore=ignore, symlinks=True)
            args = ("build", "--clean", "--source", str(source), "--output", str(out))
            result = run_aisite(*args, env=EPOCH)
            assert result.returncode == 0, result.stderr
            made[name] = out
        return made[name]

    return get


@pytest.fixture(scope="session")
def basic_site(built: Callable[[str], Path]) -> Path:
    """tests/sites/basic built (the golden test compares this very output with expected/)."""
    return built("basic")


@pytest.fixture(scope="session")
def hostile_site(built: Callable[[str], Path]) -> Path:
    """tests/sites/hostile built: injection attempts of every kind."""
    return built("hostile")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, shared by the tests of one module.

    Not per session: Playwright keeps an asyncio loop running in this thread while it is open,
    and later tests that call asyncio.run() (check --sources) would fail in a whole-suite run.
    """
    from browser_support import CHROMIUM, CHROMIUM_ARGS, require

    require(CHROMIUM, "Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as err:  # pragma: no cover - depends on the machine
        pytest.fail(f"Playwright for Python is missing: {err}", pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def copy_site(source: Path, target: Path) -> Path:
    """Copy a site folder (content/, templates/, static/) to a fresh place, links as links.

    Tests build copies, never the folders in tests/: a build keeps its cache (and the cache's
    lock) in the site folder, so two tests building one folder at once would wait on each other
    and say so on stderr.
    """
    ignore = shutil.ignore_patterns("site", ".site.*", ".aisite-cache")
    shutil.copytree(source, target, ignore=ignore, symlinks=True)
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--regen-golden` rewrites the expected output folders of the golden-site tests."""
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/sites/*/expected from the current build instead of comparing",
    )
