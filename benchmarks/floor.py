#!/usr/bin/env python3
"""The "Python-Markdown floor" of issue 7.

For each article of an aisite corpus: read the file, split the front matter (yaml.safe_load),
markdown.markdown(body), render a trivial Jinja template, write <out>/<slug>/index.html.
Nothing else: no anchoring, sanitising, lists, feeds or validation. That is the least a Python
static site generator built on Python-Markdown can spend per article.

    python benchmarks/floor.py --source DIR/aisite --out OUT [--jobs 1|2|0]

--jobs 1 runs in this process, --jobs N>1 in a multiprocessing.Pool(N) fed in chunks,
--jobs 0 (default) runs both one after the other. Prints wall times (process start-up and
imports excluded; run.py also times the whole process from outside).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import time
from pathlib import Path

import jinja2
import markdown
import yaml

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>'
    "</head>\n<body><article><h1>{{ title }}</h1><time>{{ date }}</time>\n"
    "<ul>{% for tag in tags %}<li>{{ tag }}</li>{% endfor %}</ul>\n"
    "{{ body | safe }}</article></body></html>\n"
)

_out: Path = Path(".")


def _init(out: Path) -> None:
    global _out
    _out = out


def one(path: str) -> int:
    """Build one article; returns the bytes written."""
    text = Path(path).read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    html = markdown.markdown(body)
    page = TEMPLATE.render(
        title=meta["title"], date=meta["date"], tags=meta.get("tags", []), body=html
    )
    target = _out / Path(path).parent.name / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = page.encode("utf-8")
    target.write_bytes(data)
    return len(data)


def run(paths: list[str], out: Path, jobs: int) -> float:
    """Build every path into a fresh `out` with `jobs` processes; returns wall seconds."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    if jobs <= 1:
        _init(out)
        for path in paths:
            one(path)
    else:
        chunk = max(1, len(paths) // (jobs * 8))
        with multiprocessing.Pool(jobs, initializer=_init, initargs=(out,)) as pool:
            for _ in pool.imap_unordered(one, paths, chunksize=chunk):
                pass
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--source", type=Path, required=True, help="the aisite site folder of a corpus")
    p.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    p.add_argument("--jobs", type=int, default=0, help="1, N>1 processes, or 0 for 1 then 2")
    args = p.parse_args(argv)
    articles = args.source / "content" / "articles"
    paths = sorted(str(d / "index.md") for d in articles.iterdir() if (d / "index.md").is_file())
    cores = os.cpu_count() or 1
    for jobs in [1, 2] if args.jobs == 0 else [args.jobs]:
        seconds = run(paths, args.out, jobs)
        print(
            f"floor: {len(paths)} articles, {jobs} process{'es' if jobs > 1 else ''} "
            f"({cores} cores): {seconds:.2f} s, {seconds / len(paths) * 1000:.2f} ms/article"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
