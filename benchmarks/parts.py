#!/usr/bin/env python3
"""What the contract's work costs on its own, against the time issue 12's targets leave for it.

    python benchmarks/parts.py --articles 1000 [--results benchmarks/results/<run>.json]

On the seeded corpus (corpus.py: 2-5 claims on every article), each part is timed alone, in
this process, as CPU seconds (a build on N cores can at best divide their sum by N):

- Markdown: every article body through aisite's converter, and through Python-Markdown with
  Pelican's default extensions (`extra`, `codehilite`), the work Pelican does for the same text;
- share cards: every article's and every claim's card, drawn as a build draws it (no cache);
- the search index: the article records, then the claim records, indexed as a build indexes
  them (Pagefind's process and aisite's side of it: the service's messages, the bundle made
  canonical), in a bundle a year each (a build mixes the two kinds by month);
- imports: the wall time of a new interpreter importing what a build that renders needs.

With --results (a run of run.py at the same size), it prints each target's time budget beside
the least those parts alone take on this machine's cores, everything else free.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
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
    """The CPU seconds of indexing `records` in one bundle a year (Pagefind's process too)."""
    parts: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        parts[year[record.url]].append(record)
    keys = {name: f"part-{name}" for name in parts}
    seconds = cpu(lambda: make_bundles(root, keys, parts.__getitem__, language))
    shutil.rmtree(root, ignore_errors=True)
    return seconds


def draw(cards: list[Planned]) -> None:
    """Draw each card as a build draws it (no image store: nothing cached)."""
    for card in cards:
        assert isinstance(card, Output) and card.render is not None
        card.render()


def part_costs(source: Path, work: Path) -> dict[str, float]:
    """CPU seconds of each card kind and each kind of search record, for the whole corpus."""
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
    for name, records in kinds.items():
        costs[name] = index_cpu(records, year, work / "bundles", language)
    costs["articles"], costs["claims"] = len(articles), len(claims)
    return costs


def import_seconds() -> float:
    """The least wall time of three new interpreters importing what a rendering build needs."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", IMPORTS], check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def budgets(results: Path, size: int, costs: dict[str, float]) -> None:
    """Each target's budget in a run beside the least the measured parts take on its cores."""
    run = json.loads(results.read_text(encoding="utf-8"))
    times = {name: step["median_s"] for name, step in run["results"][str(size)].items()}
    cores = int(run["machine"]["cores"])
    md, cards = costs["markdown (aisite)"], costs["article cards"]
    pf_articles, pf_claims = costs["search index, articles"], costs["search index, claims"]
    rows = [
        (
            "no claims: cold >= 2x faster than Pelican",
            times["pelican cold"] / 2,
            (md + pf_articles + cards) / cores,
        ),
        (
            "claims: cold not slower than Pelican",
            times["pelican cold"],
            (md + pf_articles + pf_claims + cards + costs["claim cards"]) / cores,
        ),
        (
            "claims add <= 25 %",
            times["aisite plain cold"] / 4,
            (pf_claims + costs["claim cards"]) / cores,
        ),
        ("one edit <= 1/4 of Hugo's cold build", times["hugo cold"] / 4, costs["imports"]),
    ]
    print(f"\nbudgets in {results.name} at {size} articles ({cores} cores), seconds:")
    for target, budget, floor in rows:
        print(f"  {target:42} budget {budget:7.2f}   these parts alone {floor:7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", type=Path, help="a run.py result at the same size")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="aisite-parts-") as tmp:
        work = Path(tmp)
        corpus.generate(args.articles, work / "corpus", seed=args.seed, claims_ratio=1.0)
        source = work / "corpus" / "aisite"
        costs = markdown_costs(bodies(source))
        costs.update(part_costs(source, work))
    costs["imports"] = import_seconds()
    count = {"article": costs["articles"], "claim": costs["claims"]}
    print(f"{args.articles} articles, {int(count['claim'])} claims; CPU seconds, one process:")
    for name, seconds in costs.items():
        if name in ("articles", "claims"):
            continue
        each = next((k for k in count if k in name), "article")
        unit = "(wall)" if name == "imports" else f"{seconds / count[each] * 1000:.2f} ms a {each}"
        print(f"  {name:28} {seconds:7.2f}   {unit}")
    if args.results:
        budgets(args.results, args.articles, costs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
