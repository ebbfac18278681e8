#!/usr/bin/env python3
"""Time the search index and find the largest HTML page of a generated site (issue 13).

    python benchmarks/search_index.py --sizes 5000,20000

For each size it generates the seeded corpus (corpus.py, claims on every article), builds it
with `aisite build` (cold: no cache), then reports the build time, how long making the search
records and running Pagefind took (timed again in-process on the same site, cold), the size of
the Pagefind bundle and the largest HTML page of the output.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

from aisite.build import build_now  # noqa: E402
from aisite.content import render_content  # noqa: E402
from aisite.load import load_site  # noqa: E402
from aisite.options import Options  # noqa: E402
from aisite.render import SitePlan  # noqa: E402
from aisite.search import shards  # noqa: E402
from aisite.searchbundle import make_bundles  # noqa: E402
from aisite.searchrecords import records  # noqa: E402


def measure(size: int, work: Path, full: bool) -> dict[str, float]:
    """Build one generated site (unless `full` is false) and time its search index."""
    stats = corpus.generate(size, work / "corpus", claims_ratio=1.0)
    source = work / "corpus" / "aisite"
    build, largest, where, count = 0.0, 0, "-", 0
    if full:
        started = time.perf_counter()
        command = [sys.executable, "-m", "aisite", "build", "-q", "--source", str(source)]
        subprocess.run(command, check=True)
        build = time.perf_counter() - started
        pages = sorted((p.stat().st_size, p) for p in (source / "site").rglob("*.html"))
        largest, count = pages[-1][0], len(pages)
        where = pages[-1][1].relative_to(source / "site").as_posix()
    parsed, problems = load_site(Options(source, now=build_now()))
    site = render_content(parsed, problems, None, 2)
    plan = SitePlan(site, source)
    started = time.perf_counter()
    found = records(plan)
    made = time.perf_counter() - started
    language = site.config.language.split("-")[0]
    started = time.perf_counter()
    parts = shards(found)
    keys = {name: f"bench-{name}" for name in parts}
    folders = make_bundles(work / "bundles", keys, parts.__getitem__, language)
    indexed = time.perf_counter() - started
    bundle = sum(p.stat().st_size for f in folders.values() for p in f.rglob("*") if p.is_file())
    for folder in folders.values():
        shutil.rmtree(folder.parent, ignore_errors=True)
    print(
        f"{size} articles, {stats['claims']} claims: build {build:.1f} s; "
        f"{len(found)} records made in {made:.2f} s, indexed in {len(parts)} bundles in "
        f"{indexed:.1f} s; "
        f"bundle {bundle / 1e6:.1f} MB; {count} HTML pages, largest "
        f"{largest / 1000:.0f} KB ({where})",
        flush=True,
    )
    return {"build": build, "records": made, "index": indexed, "largest": largest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,20000")
    parser.add_argument("--index-only", action="store_true", help="skip the full build")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="aisite-search-bench-") as tmp:
            measure(size, Path(tmp), not args.index_only)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
