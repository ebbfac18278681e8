#!/usr/bin/env python3
"""Profile one cold aisite build with cProfile and say where the time goes.

    python benchmarks/profile.py [--articles 1000] [--seed 7] [--workdir benchmarks/.work]
    python benchmarks/profile.py --stats /tmp/prof.out     # summarise an existing profile

Generates the seeded corpus (aisite format only is used), runs
`python -m cProfile -o <workdir>/prof.out -m aisite build --source ... --output ...`, then prints
the top functions by cumulative and by own time, and the own time of every function grouped
by what it does (Python-Markdown, anchoring, YAML, templates, feeds, I/O, ...). Time spent in
C built-ins (str.join, re, list.append, ...) and generated code (dataclass __eq__) is charged
to the callers that spent it. cProfile slows Python-heavy code about 2.5x, so read the shares,
not the seconds.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

# First match wins: (category, substrings of the function's file name or its name).
CATEGORIES = [
    ("claim anchoring (aisite/anchor.py)", ("aisite/anchor.py", "aisite/normalise.py")),
    ("YAML (PyYAML + aisite/yamlnode.py)", ("/yaml/", "aisite/yamlnode.py")),
    (
        "validation (aisite parse/fields/config)",
        ("aisite/parse.py", "aisite/fields.py", "aisite/slugs.py", "aisite/config.py"),
    ),
    ("Python-Markdown", ("/markdown/",)),
    ("sanitising (nh3)", ("nh3",)),
    ("Jinja templates", ("/jinja2/", "/markupsafe/", ".html")),
    (
        "feeds (feedgen, lxml, aisite/feeds.py)",
        ("/feedgen/", "lxml", "aisite/feeds.py", "aisite/datafiles.py", "/xml/sax/"),
    ),
    ("JSON-LD, charts", ("aisite/jsonld.py", "aisite/charts.py", "/json/")),
    (
        "catalog and page planning (aisite/catalog.py, render.py)",
        ("aisite/catalog.py", "aisite/render.py"),
    ),
    (
        "markdown glue (aisite/markup.py, sanitise.py, content.py)",
        ("aisite/markup.py", "aisite/sanitise.py", "aisite/content.py"),
    ),
    ("reading (aisite/load.py, bundlefiles.py)", ("aisite/load.py", "aisite/bundlefiles.py")),
    (
        "writing (aisite/write.py, outputcheck.py, swap.py)",
        ("aisite/write.py", "aisite/outputcheck.py", "aisite/swap.py"),
    ),
    (
        "file system (pathlib, os)",
        ("pathlib.py", "posixpath.py", "shutil.py", "posix.", "_io.", "genericpath.py"),
    ),
    (
        "imports and start-up",
        ("importlib", "<frozen", "zipimport", "site-packages/_distutils", "runpy"),
    ),
    ("URLs (urllib)", ("urllib/",)),
    ("dates", ("zoneinfo", "datetime", "_strptime")),
]


def category(func: tuple[str, int, str]) -> str | None:
    filename, _, name = func
    if filename in ("~", "<string>"):
        # C built-ins show as '~'; a few name their module ('posix.stat', 'nh3.nh3.clean').
        for label, keys in CATEGORIES:
            if any(k in name for k in keys if k.endswith(".") or k == "nh3"):
                return label
        return None
    path = filename.replace(os.sep, "/")
    for label, keys in CATEGORIES:
        if any(k in path for k in keys):
            return label
    return "other Python"


def breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Own time per category; undetermined functions are charged to their callers."""
    raw = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)

    def charge(func: tuple[str, int, str], seconds: float, depth: int) -> None:
        label = category(func)
        if label is not None or depth > 6:
            totals[label or "other (built-ins)"] += seconds
            return
        callers = raw[func][4]
        weight = sum(edge[2] for edge in callers.values())
        if not callers or weight <= 0:
            totals["other (built-ins)"] += seconds
            return
        for caller, edge in callers.items():
            charge(caller, seconds * edge[2] / weight, depth + 1)

    for func, (_, _, own, _, _) in raw.items():
        if own > 0:
            charge(func, own, 0)
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def summarise(path: Path, top: int) -> None:
    stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    stats.strip_dirs()
    print(f"=== top {top} by cumulative time")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"=== top {top} by own time")
    stats.sort_stats("tottime").print_stats(top)
    print(f"=== own time by category (profiled total {total:.2f} s)")
    for label, seconds in breakdown(pstats.Stats(str(path))).items():
        print(f"  {seconds:7.2f} s  {seconds / total * 100:5.1f} %  {label}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--workdir", type=Path, default=HERE / ".work")
    p.add_argument("--stats", type=Path, help="summarise this cProfile output instead of building")
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args(argv)
    if args.stats:
        summarise(args.stats, args.top)
        return 0
    root = args.workdir / f"profile-corpus-{args.articles}"
    out = args.workdir / "profile-site"
    prof = args.workdir / "prof.out"
    corpus.generate(args.articles, root, args.seed)
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "aisite", "build"]
    cmd += ["--source", str(root / "aisite"), "--output", str(out), "-q"]
    print(" ".join(cmd), flush=True)
    started = time.perf_counter()
    subprocess.run(cmd, check=True)
    print(f"profiled build: {time.perf_counter() - started:.1f} s wall", flush=True)
    summarise(prof, args.top)
    shutil.rmtree(out)
    shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
