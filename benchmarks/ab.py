#!/usr/bin/env python3
"""Two revisions of aisite on one corpus, alternating: an edit, then a build with nothing to do.

    python benchmarks/ab.py --old HEAD~1 --new HEAD --articles 5000 --pairs 6

A change that saves a few tenths of a second is lost in this machine's noise between two runs
of the full benchmark (run.py), taken an hour apart. Here each revision is exported as
`run.py --aisite-ref` exports one, and gets its own copy of the same seeded corpus (corpus.py,
claims on every article) with its own warm cache: one build each first, not timed. Then, pair
after pair, each revision in turn edits the same article's text (a paragraph appended) and
builds twice: the edit, then nothing changed. Each build runs with `-v`: the wall time and peak
RSS of its process tree (as run.py measures them), and the time of each stage it prints.
The medians and minimums are printed and written to benchmarks/results/ab-<timestamp>.json.
Run it with the Python that has aisite's dependencies installed (`pip install -e .`).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
from run import EDIT, aisite_environment, launched  # noqa: E402

STAGE = re.compile(r"^  (\S.*?)\s{2,}([\d.]+) ms$", re.M)


def build(site: Path, env: dict[str, str]) -> tuple[float, float, dict[str, float]]:
    """One `aisite build -v` of `site`: wall seconds, peak RSS in MB, seconds per stage."""
    cmd = [sys.executable, "-m", "aisite", "build", "--source", str(site), "-v"]
    with tempfile.TemporaryFile() as output:
        seconds, rss_mb, _, code = launched(cmd, output, env=env)
        output.seek(0)
        out = output.read().decode(errors="replace")
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out[-3000:]}")
    stages = {m.group(1): float(m.group(2)) / 1000 for m in STAGE.finditer(out)}
    return seconds, rss_mb, stages


def summary(values: list[float]) -> dict[str, float]:
    """The median and the minimum of some runs."""
    return {"median": statistics.median(values), "min": min(values)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--old", required=True, help="git revision timed first in each pair")
    p.add_argument("--new", required=True, help="git revision timed second in each pair")
    p.add_argument("--articles", type=int, default=1000, help="corpus size (default 1000)")
    p.add_argument("--pairs", type=int, default=6, help="pairs of runs (default 6)")
    p.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    p.add_argument("--workdir", type=Path, default=Path("/tmp/aisite-ab"), help="(replaced)")
    args = p.parse_args(argv)
    if args.pairs < 1 or args.articles < 1:
        p.error("--pairs and --articles must be at least 1")
    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus_root = args.workdir / "corpus"
    corpus.generate(args.articles, corpus_root, args.seed)
    sides = {}
    for name, ref in (("old", args.old), ("new", args.new)):
        env, which = aisite_environment(ref, args.workdir / name)
        site = args.workdir / name / "site"
        shutil.copytree(corpus_root / "aisite", site)
        print(f"{name}: {which}; first build (not timed)", flush=True)
        build(site, env)
        sides[name] = (site, env)
    shutil.rmtree(corpus_root)
    runs: dict[str, list[tuple[float, float, dict[str, float]]]] = {}
    articles = sorted(p.name for p in (sides["old"][0] / "content" / "articles").iterdir())
    for n in range(args.pairs):
        slug = articles[(n * 7919) % len(articles)]
        for name, (site, env) in sides.items():
            with (site / "content" / "articles" / slug / "index.md").open("a") as f:
                f.write(EDIT.format(n=n + 1))
            for kind in ("edit", "nothing changed"):
                seconds, mb, stages = build(site, env)
                runs.setdefault(f"{name} {kind}", []).append((seconds, mb, stages))
                print(f"  {name:3} {kind:15} {seconds:7.2f} s {mb:6.0f} MB", flush=True)
    result: dict[str, object] = {"old": args.old, "new": args.new, "articles": args.articles}
    print(f"\n{'':20} {'median s':>9} {'min s':>7} {'MB':>6}")
    for key, samples in runs.items():
        times = summary([s for s, _, _ in samples])
        mb = statistics.median(m for _, m, _ in samples)
        names = sorted({stage for _, _, stages in samples for stage in stages})
        per_stage = {k: summary([st.get(k, 0.0) for _, _, st in samples]) for k in names}
        result[key] = {"seconds": times, "rss_mb": mb, "stages": per_stage, "runs": samples}
        print(f"{key:20} {times['median']:9.2f} {times['min']:7.2f} {mb:6.0f}")
        for stage, value in per_stage.items():
            print(f"  {stage:18} {value['median']:9.2f} {value['min']:7.2f}")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = HERE / "results" / f"ab-{stamp}.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
