"""Builds that overlap, are cut short or meet a damaged output folder never cost the site."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import copy_site, run_aisite
from test_cache_faults import tree
from unprivileged import run_unprivileged, share, shared_tmp

pytestmark = pytest.mark.cli
__all__ = ["shared_tmp"]  # a fixture
SITES = Path(__file__).parent / "sites"


def test_the_no_change_path_repairs_files_removed_or_edited_by_hand(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    out = tmp_path / "site"
    for _ in range(2):
        assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    whole = tree(out)
    removed = sorted(p for p in out.rglob("*.html") if len(p.relative_to(out).parts) > 2)[0]
    removed.unlink()
    edited = out / "index.html"
    edited.write_text("defaced")
    result = run_aisite("build", "--source", str(site), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert "0 changed" not in result.stdout
    assert tree(out) == whole
    again = run_aisite("build", "--source", str(site), "--output", str(out))
    assert "0 changed" in again.stdout, again.stdout


def _build_proc(site: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aisite",
            "build",
            "--source",
            str(site),
            "--output",
            str(out),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session: the test can find every process it started
    )


@contextmanager
def held(lock: Path) -> Iterator[None]:
    """Hold a lock file as a running build does (what another build must respect)."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        os.close(fd)


def _title(out: Path) -> str:
    found = re.search(r"<title>([^<]*)</title>", (out / "index.html").read_text())
    assert found
    return found.group(1)


def test_a_second_build_waits_for_the_first_and_reads_the_newest_content(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    out = tmp_path / "site"
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    # A live build's temporary folder; its PID means nothing here (another PID namespace).
    other = tmp_path / ".site.tmp-999999-0a1b2c3d"
    (other / "articles").mkdir(parents=True)
    with held(tmp_path / ".site.lock"):
        proc = _build_proc(site, out)
        assert proc.stderr is not None
        ready, _, _ = select.select([proc.stderr], [], [], 60)
        assert ready, "the second build said nothing"
        line = proc.stderr.readline()
        assert "another build is writing" in line and "waiting" in line, line
        time.sleep(0.5)
        assert proc.poll() is None, "the second build did not wait"
        assert other.is_dir(), "a live build's temporary folder was removed"
        config = site / "content" / "site.yaml"
        config.write_text(config.read_text().replace("title:", "title: Edited", 1))
    _, errors = proc.communicate(timeout=60)
    assert proc.returncode == 0, errors
    assert _title(out).startswith("Edited"), "the waiting build did not read the newest content"


def test_no_wait_fails_clearly_while_another_build_runs(tmp_path: Path) -> None:
    site = copy_site(SITES / "basic", tmp_path / "src")
    out = tmp_path / "site"
    assert run_aisite("build", "--source", str(site), "--output", str(out)).returncode == 0
    before = tree(out)
    with held(tmp_path / ".site.lock"):
        result = run_aisite("build", "--source", str(site), "--output", str(out), "--no-wait")
    assert result.returncode == 1
    assert f"{out}: another aisite build is writing {out}" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(out) == before


def test_a_leftover_that_cannot_be_removed_is_reported_once(shared_tmp: Path) -> None:
    site = copy_site(SITES / "basic", shared_tmp / "src")
    share(site)
    leftover = shared_tmp / ".site.tmp-1-deadbeef"
    (leftover / "locked").mkdir(parents=True)
    (leftover / "locked" / "page.html").write_text("left by a build run as root")
    (leftover / "locked").chmod(0o555)  # and root's, when the test runs as root
    lock = shared_tmp / ".site.lock"
    lock.touch()
    lock.chmod(0o444)  # a lock file the build cannot write (root's): locked read-only
    result = run_unprivileged("build", "--source", str(site), "--output", str(shared_tmp / "site"))
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, result.stderr
    assert str(leftover) in warnings[0] and "remove it yourself" in warnings[0]


def _session(leader: int) -> list[str]:
    """Live (not zombie) processes of a session, each as its PID and command line (what a
    failure shows: which process outlived the build)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (
                (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        if int(fields[3]) == leader and fields[0] != "Z":
            found.append(f"{stat.parent.name} {command.strip()}")
    return found


def _wait_for_the_lock(out: Path, proc: subprocess.Popen[str]) -> None:
    """Return once the build holds its output's lock (or has ended)."""
    lock = out.parent / f".{out.name}.lock"
    while proc.poll() is None:
        with lock.open("a") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            fcntl.flock(file, fcntl.LOCK_UN)
        time.sleep(0.01)


def _big(tmp: Path) -> Path:
    site = tmp / "big"
    (site / "content" / "articles").mkdir(parents=True)
    (site / "content" / "site.yaml").write_text("title: Big\nbase_url: https://example.org/\n")
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    rng = random.Random(5)
    for n in range(160):
        folder = site / "content" / "articles" / f"article-{n}"
        folder.mkdir()
        body = "\n\n".join(" ".join(rng.choice(words) for _ in range(100)) + "." for _ in range(5))
        (folder / "index.md").write_text(f"---\ntitle: A{n}\ndate: 2024-01-01\n---\n{body}\n")
    return site


# Every moment is tried with some signal, and every signal early, midway and late: the three
# take the same path once caught, and each stopped build costs a second of the fast loop.
MOMENTS = {
    signal.SIGINT: (0.15, 0.65, 1.1),
    signal.SIGTERM: (0.4, 0.9),
    signal.SIGHUP: (0.15, 0.4, 0.9),
}


@pytest.mark.parametrize("number", list(MOMENTS))
def test_a_stopped_build_says_one_true_line_and_leaves_nothing(tmp_path: Path, number: int) -> None:
    site = _big(tmp_path)
    out = tmp_path / "site"
    started = time.monotonic()
    assert (
        run_aisite("build", "--source", str(site), "--output", str(out), "-j", "2").returncode == 0
    )
    duration = time.monotonic() - started
    config = site / "content" / "site.yaml"
    for step, share_of_build in enumerate(MOMENTS[number]):
        title = f"Big {step}"
        config.write_text(f"title: {title}\nbase_url: https://example.org/\n")
        proc = _build_proc(site, out, "-j", "2", "-q")
        _wait_for_the_lock(out, proc)  # a signal during Python's start-up is not aisite's to catch
        time.sleep(duration * share_of_build)
        os.killpg(proc.pid, number)  # as a terminal sends Ctrl-C: to every process of the job
        _, errors = proc.communicate(timeout=60)
        if proc.returncode == 0:
            continue  # finished before the signal came
        when = f"signal {number} at {share_of_build} of {duration:.2f} s"  # said by a failure
        assert proc.returncode == 128 + number, f"{when}: {errors}"
        new = _title(out).split(" – ")[0] == title
        left = (
            "the new site was already in place" if new else "the previous site was left as it was"
        )
        assert errors == f"aisite: interrupted; {left}.\n", when
        deadline = time.monotonic() + 5  # workers exit on their own once the pipe closes
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _session(proc.pid) == [], f"{when}: processes outlived the build"
        assert not list(tmp_path.glob(".site.tmp-*")), f"{when}: a temporary folder was left"


def test_workers_die_with_a_killed_build(tmp_path: Path) -> None:
    site = _big(tmp_path)
    out = tmp_path / "site"
    for delay in (0.4, 0.9, 1.4):
        proc = _build_proc(site, out, "-j", "2", "--clean")
        time.sleep(delay)
        proc.kill()
        proc.wait(timeout=30)
        deadline = time.monotonic() + 5
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _session(proc.pid) == [], f"workers outlived a killed build ({delay} s)"


WORKER_OUTLIVES_ITS_PIPE = """
import os, sys, time
from aisite import pool
pool._stop = lambda pids: None  # the build exited without killing its workers (stopped)
parent = os.getpid()

def slow(index):
    time.sleep(0.2)
    return index

try:
    if sys.argv[1] == "map":
        for result in pool.fork_map(slow, 8, 2, 1, ordered=False):
            break  # the build stops listening: the pipes close, the workers are still working
    else:
        pool.fork_call(lambda: slow(0)).conn.close()  # as when the build exits
finally:
    if os.getpid() != parent:
        print("a worker ran the build's code", flush=True)
time.sleep(1)  # the workers' next send finds the pipe closed
print("the build ended", flush=True)
"""


@pytest.mark.unit
@pytest.mark.parametrize("kind", ["map", "call"])
def test_a_worker_whose_build_is_gone_ends_without_running_the_builds_code(kind: str) -> None:
    # A worker is a fork of the build: returning from its work would run the build's handlers
    # and cleanup in the worker (an "internal error" printed after "interrupted", or worse).
    result = subprocess.run(
        [sys.executable, "-c", WORKER_OUTLIVES_ITS_PIPE, kind],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "the build ended\n"
    assert result.stderr == ""


def test_a_full_disk_is_said_plainly_and_the_site_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not "internal error (a bug in aisite)" with a traceback: the machine ran out of space.
    from conftest import aisite

    source = copy_site(SITES / "basic", tmp_path / "src")
    output = tmp_path / "site"
    assert aisite("build", "--source", str(source), "--output", str(output)).returncode == 0
    before = tree(output)
    index = source / "content" / "articles" / "open-models-week" / "index.md"
    index.write_text(index.read_text() + "\nOne more sentence.\n")

    def full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    result = aisite("build", "--source", str(source), "--output", str(output), "-j", "1")
    assert result.returncode == 2
    assert result.stderr == (
        "aisite build: error: cannot write: No space left on device "
        "(free some space, then run it again)\n"
    )
    monkeypatch.undo()
    assert tree(output) == before


@pytest.mark.unit
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the lost one
def test_a_stop_lost_in_a_finaliser_is_raised_again() -> None:
    # Python runs a signal's handler wherever the main thread is; in a finaliser the collector
    # calls, the Stopped it raises is printed and dropped ("Exception ignored"). A server
    # that lost its SIGTERM there went on serving (seen at 20,000 articles): interrupt.check
    # raises it again: serve's loop at each tick, a build before it writes, every command
    # when it returns.
    import gc

    from aisite import interrupt

    previous = {n: signal.getsignal(n) for n in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        interrupt.install()
        interrupt.check()  # nothing asked for yet

        class Finalised:
            def __del__(self) -> None:
                signal.raise_signal(signal.SIGTERM)  # its handler runs here, at once

        cycle = Finalised()
        cycle.me = cycle  # type: ignore[attr-defined]
        del cycle
        gc.collect()  # the finaliser runs here, and its Stopped is dropped
        with pytest.raises(interrupt.Stopped) as stopped:
            interrupt.check()
        assert stopped.value.signum == signal.SIGTERM
    finally:
        interrupt.state.requested = None
        for number, handler in previous.items():
            signal.signal(number, handler)


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_stop_lost_during_a_command_still_ends_it_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # As if a SIGTERM had come while the site was read and its Stopped had been dropped in a
    # finaliser: a build publishes nothing, and the command ends as a stopped one does.
    from aisite import interrupt, load
    from conftest import aisite

    site = copy_site(Path(__file__).parent / "sites" / "basic", tmp_path / "site")
    real = load.load_site

    def lost(*args: object, **kwargs: object) -> object:
        interrupt.state.requested = signal.SIGTERM
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "load_site", lost)
    try:
        where = ["--output", str(tmp_path / "out")] if command == "build" else []
        result = aisite(command, "--source", str(site), *where)
    finally:
        interrupt.state.requested = None
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    expected = {
        "build": "aisite: interrupted; the previous site was left as it was.",
        "check": "aisite: interrupted.",
    }[command]
    assert result.stderr.splitlines()[-1] == expected
    assert not (tmp_path / "out").exists()
