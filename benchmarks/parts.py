#!/usr/bin/env python3
"""What the contract's work costs on its own, against the time issue 12's targets leave for it.

    python benchmarks/parts.py --articles 1000

On the seeded corpus (corpus.py: 2-5 claims on every article), each part is timed alone, in
this process, as CPU seconds, as aisite does it (a build on N cores can at best divide their
sum by N):

- Markdown: every article body through aisite's converter, and through Python-Markdown with
  Pelican's default extensions (`extra`, `codehilite`), the work Pelican does for the same text;
- share cards: every article's and every claim's card, drawn as a build draws it (no image
  store; the words a process has drawn are kept, as in a build);
- the search index: the article records, then the claim records, indexed as a build indexes
  them (Pagefind's process and aisite's side of it: the service's messages, the bundle made
  canonical), in a bundle a year each (a build mixes the two kinds by month);
- imports: the least wall time of three new interpreters importing what a rendering build needs.

The peers are timed on the same corpus before the parts and again after them (a cold build
each: Pelican's and Hugo's from run.py's benchmarks/.venv, made if missing, and aisite's of the
articles without claims), and each target's budget is taken from the slower of the two, so
that the budgets are as generous as this machine's drift allows. Each target's budget is
printed beside the least the parts take on this machine's cores, everything else free. For
"claims add at most 25 %": a build with claims does the plain build's work and the claims'
parts, so on C cores it takes at least busy x W + parts / C, where W is the plain build's time
and busy its CPU time over C x W; the budget for parts / C is then (1.25 - busy) x W.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import markdown  # noqa: E402
import run as bench  # noqa: E402

from aisite.build import build_now  # noqa: E402
from aisite.content import render_content  # noqa: E402
from aisite.load import load_site  # noqa: E402
from aisite.markup import Converter  # noqa: E402
from aisite.media import CARDS  # noqa: E402
from aisite.options import Options  # noqa: E402
from aisite.plan import Output, Planned  # noqa: E402
from aisite.render import SitePlan  # noqa: E402
from aisite.searchbundle import Record, make_bundles  # noqa: E402
from aisite.searchrecords import article_record, claim_record  # noqa: E402

IMPORTS = "import aisite.cli, aisite.content, aisite.load, aisite.render, aisite.media"


def cpu(work: Callable[[], object]) -> float:
    """CPU seconds of this process and its reaped children while `work()` runs."""

    def now() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    started = now()
    work()
    return now() - started


def bodies(source: Path) -> list[str]:
    """Every article's Markdown body (the text after its front matter)."""
    folder = source / "content" / "articles"
    texts = [(d / "index.md").read_text(encoding="utf-8") for d in sorted(folder.iterdir())]
    return [text.split("---\n", 2)[2] for text in texts]


def markdown_costs(texts: list[str]) -> dict[str, float]:
    """CPU seconds of aisite's converter and of Pelican's Markdown on every body."""
    ours = Converter()
    pelican = markdown.Markdown(extensions=["extra", "codehilite"])
    for text in texts[:20]:  # compiled patterns and imports warmed, as in a long build
        ours.convert(text)
        pelican.reset().convert(text)
    return {
        "markdown (aisite)": cpu(lambda: [ours.convert(t) for t in texts]),
        "markdown (Pelican's)": cpu(lambda: [pelican.reset().convert(t) for t in texts]),
    }


def index_cpu(records: list[Record], year: dict[str, str], root: Path, language: str) -> float:
    """The CPU seconds of indexing `records` into `root` (new), a bundle a year (Pagefind's too)."""
    parts: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        parts[year[record.url]].append(record)
    keys = {name: f"part-{name}" for name in parts}
    return cpu(lambda: make_bundles(root, keys, parts.__getitem__, language))


def draw(cards: list[Planned]) -> None:
    """Draw each card as a build draws it (no image store: nothing cached)."""
    for card in cards:
        assert isinstance(card, Output) and card.render is not None
        card.render()


def part_costs(source: Path, work: Path) -> tuple[dict[str, float], int]:
    """CPU seconds of each card kind and each kind of search record, and the number of claims."""
    parsed, problems = load_site(Options(source, now=build_now()))
    site = render_content(parsed, problems, None, 1)
    plan = SitePlan(site, source)
    articles: list[Planned] = []
    claims: list[Planned] = []
    for article in site.articles:
        first, *rest = CARDS.plan(plan, article)  # the article's card, then its claims'
        articles.append(first)
        claims.extend(rest)
    costs = {
        "article cards": cpu(partial(draw, articles)),
        "claim cards": cpu(partial(draw, claims)),
    }
    year = {a.url: str(a.date.year) for a in site.articles}
    year.update(
        {e.url: str((e.claim.reviewed or e.article.date).year) for e in plan.catalog.claims}
    )
    language = site.config.language.split("-")[0]
    kinds = {
        "search index, articles": [article_record(a) for a in site.articles],
        "search index, claims": [claim_record(e) for e in plan.catalog.claims],
    }
    for n, (name, records) in enumerate(kinds.items()):
        costs[name] = index_cpu(records, year, work / f"bundles-{n}", language)
    return costs, len(claims)


def import_seconds() -> float:
    """The least wall time of three new interpreters importing what a rendering build needs."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", IMPORTS], check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (its children's too: workers, Pagefind) of a command."""
    started = time.perf_counter()
    seconds = cpu(lambda: subprocess.run(command, cwd=cwd, check=True, capture_output=True))
    return time.perf_counter() - started, seconds


def peers(root: Path, out: Path) -> dict[str, tuple[float, float]]:
    """Cold builds of the corpus by Pelican, Hugo and aisite without claims into `out` (new:
    nothing is deleted before a build, see run.py's discard): wall and CPU s."""
    pelican = [str(bench.VENV / "bin" / "pelican"), "content", "-s", "pelicanconf.py", "-q"]
    hugo = [bench.hugo_binary(), "--source", str(root / "hugo"), "--quiet"]
    plain = [sys.executable, "-m", "aisite", "build", "-q", "--source", str(root / "aisite-plain")]
    return {
        "pelican": timed([*pelican, "-o", str(out / "pelican")], root / "pelican"),
        "hugo": timed([*hugo, "--destination", str(out / "hugo")]),
        "plain": timed([*plain, "--output", str(out / "plain"), "--clean"]),
    }


def budgets(costs: dict[str, float], peer: dict[str, tuple[float, float]]) -> None:
    """Each target's budget beside the least the measured parts take on this machine's cores."""
    cores = os.cpu_count() or 1
    (pelican, _), (hugo, _), (plain, used) = peer["pelican"], peer["hugo"], peer["plain"]
    busy = used / (cores * plain)
    articles = costs["markdown (aisite)"] + costs["search index, articles"] + costs["article cards"]
    claims = costs["search index, claims"] + costs["claim cards"]
    rows = [
        ("no claims: cold >= 2x faster than Pelican", pelican / 2, articles),
        ("claims: cold not slower than Pelican", pelican, articles + claims),
        ("claims add <= 25 %", (1.25 - busy) * plain, claims),
    ]
    print(f"peers (the slower of two): Pelican {pelican:.2f} s, Hugo {hugo:.2f} s, aisite")
    print(f"without claims {plain:.2f} s ({used:.2f} s of CPU: busy {busy:.2f} of {cores} cores)")
    print(f"budgets, seconds (the parts: their CPU seconds / {cores}):")
    for target, budget, parts in rows:
        print(f"  {target:42} budget {budget:7.2f}   these parts alone {parts / cores:7.2f}")
    edit = "one edit <= 1/4 of Hugo's cold build"
    print(f"  {edit:42} budget {hugo / 4:7.2f}   imports {costs['imports']:7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    bench.ensure_venv(markdown.__version__)
    # As run.py: aisite measured with its bytecode (an editable install may have none).
    package = Path(sys.modules["aisite"].__file__ or "").parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    with tempfile.TemporaryDirectory(prefix="aisite-parts-") as tmp:
        work = Path(tmp)
        root = work / "corpus"
        corpus.generate(args.articles, root, seed=args.seed, claims_ratio=1.0)
        before = peers(root, work / "before")
        costs = markdown_costs(bodies(root / "aisite"))
        found, claims = part_costs(root / "aisite", work)
        costs.update(found)
        costs["imports"] = import_seconds()
        after = peers(root, work / "after")
    print(f"{args.articles} articles, {claims} claims; CPU seconds, one process:")
    for name, seconds in costs.items():
        each, count = ("claim", claims) if "claim" in name else ("article", args.articles)
        unit = "(wall)" if name == "imports" else f"{seconds / count * 1000:.2f} ms a {each}"
        print(f"  {name:28} {seconds:7.2f}   {unit}")
    budgets(costs, {name: max(before[name], after[name]) for name in before})
    return 0


if __name__ == "__main__":
    sys.exit(main())
