#!/usr/bin/env python3
"""Seeded corpus generator for the aisite benchmark (issue 7).

Writes the same articles in three formats:

    DIR/aisite/   an aisite site: content/site.yaml, content/articles/<slug>/index.md
                  (+ claims.yaml with 2 to 5 claims for --claims-ratio of the articles: all of
                  them by default, as in a news-analysis site)
    DIR/aisite-plain/  the same articles without claims.yaml: the peers' exact work
    DIR/pelican/  content/<slug>.md with Pelican metadata, pelicanconf.py (default theme)
    DIR/hugo/     hugo.toml, a minimal layouts/ set, content/posts/<slug>.md (TOML front matter)

Standard library only, deterministic for a given --seed and --articles:

    python benchmarks/corpus.py --articles 1000 --out /tmp/corpus-1k [--seed 7] [--claims-ratio 1.0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

WORD_TEXT = """
the of and to in a is that for on with as by at from this it be are was were has have had
not but or an which their its they will would could should can may more most than other
some all also about after before over under between against during without within into
through across while because since where when however although government ministry agency
company companies market markets industry report reports study data analysis official
officials minister president council committee parliament court law policy policies
rules regulation funding budget investment billion million percent share growth decline
increase decrease year years month months week quarter decade record level levels figure
figures number numbers rate rates cost costs price prices energy power grid solar wind
coal gas oil nuclear climate emissions carbon water health hospital hospitals doctors
patients vaccine school schools students teachers university research researchers
scientists experts analysts economists survey poll voters election campaign candidate
party parties coalition opposition leader leaders city cities region regions country
countries national federal local state public private sector workers jobs employment
wages housing rent homes transport rail roads airport port trade exports imports tariffs
supply chain chips semiconductors software model models computing network networks
security defence military border migration refugees police crime courts judges rights
privacy platform platforms users content media newspaper broadcaster journalists
statement interview press conference announcement plan plans programme project projects
target targets goal goals promise promises claim claims evidence source sources document
documents estimate estimates forecast forecasts projection projections compared previous
current recent latest early late new old large small major minor key main significant
higher lower larger smaller faster slower stronger weaker better worse first second third
last next several many few most much every each both either neither whole entire only
said says told according noted added argued warned suggested showed found published
released announced confirmed denied expected planned proposed approved rejected raised
cut reduced doubled tripled halved reached exceeded missed met fell rose climbed dropped
remained stayed grew shrank built opened closed launched delayed cancelled signed agreed
system systems service services infrastructure capacity demand supply production output
consumption access quality safety risk risks impact impacts effect effects change changes
reform reforms crisis shortage surplus deficit debt inflation interest tax taxes revenue
spending subsidies grants loans banks bank central european american chinese global
international domestic regional rural urban coastal northern southern eastern western
"""
WORDS = WORD_TEXT.split()

TAGS = [
    "AI policy",
    "Semiconductors",
    "Energy",
    "Climate",
    "Elections",
    "Health",
    "Education",
    "Housing",
    "Transport",
    "Trade",
    "Migration",
    "Defence",
    "Privacy",
    "Media",
    "Economy",
    "Inflation",
    "Employment",
    "Taxation",
    "Public finance",
    "Banking",
    "Agriculture",
    "Water",
    "Nuclear power",
    "Renewables",
    "Oil and gas",
    "Cities",
    "Rural affairs",
    "Courts",
    "Policing",
    "Human rights",
    "Europe",
    "United States",
    "China",
    "India",
    "Africa",
    "Latin America",
    "Middle East",
    "Space",
    "Science funding",
    "Universities",
    "Vaccines",
    "Hospitals",
    "Pensions",
    "Social media",
    "Cybersecurity",
    "Telecoms",
    "Aviation",
    "Rail",
    "Shipping",
    "Data protection",
]

CLAIMANTS = [
    "Ministry of Finance",
    "Energy Agency",
    "City council",
    "National Statistics Office",
    "Health Ministry",
    "Central Bank",
    "Opposition leader",
    "Prime minister",
    "Trade union",
    "Industry association",
    "Research institute",
    "Transport authority",
    "Regulator",
    "University study",
    "Think tank",
    "Company spokesperson",
    "Environmental group",
    "Defence ministry",
    "Election commission",
    "Hospital board",
]

RATINGS = [
    ("accurate", "Accurate", 3, "#1a7f37", "The claim matches the evidence."),
    ("misleading", "Misleading", 2, "#b35900", "Accurate pieces, false overall impression."),
    ("inaccurate", "Inaccurate", 1, "#b42318", "The evidence contradicts the claim."),
]

START = datetime(2014, 1, 1, 8, 0)
SPAN_DAYS = 11 * 365  # 2014 .. 2024: never in the future, so every article is built


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass
class Claim:
    id: str
    quote: str
    claimant: str
    verdict: str
    summary: str
    evidence: list[tuple[str, str]]


@dataclass
class Article:
    slug: str
    title: str
    date: datetime
    tags: list[str]
    summary: str
    body: str
    claims: list[Claim] = field(default_factory=list)


class Writer:
    """Generates text from the embedded word list with one seeded Random."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def words(self, n: int) -> list[str]:
        return self.rng.choices(WORDS, k=n)

    def sentence(self) -> str:
        words = self.words(self.rng.randint(9, 22))
        if len(words) > 12 and self.rng.random() < 0.4:
            words[self.rng.randint(4, len(words) - 5)] += ","
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def title(self) -> str:
        words = self.words(self.rng.randint(4, 8))
        return " ".join(w.capitalize() if i == 0 else w for i, w in enumerate(words))

    def decorate(self, sentence: str) -> str:
        """Add emphasis or a link to some words of a sentence (markdown)."""
        words = sentence.split(" ")
        if len(words) < 6:
            return sentence
        i = self.rng.randint(1, len(words) - 3)
        kind = self.rng.random()
        if kind < 0.4:
            words[i] = f"*{words[i].rstrip(',')}*" + ("," if words[i].endswith(",") else "")
        elif kind < 0.7:
            words[i] = f"**{words[i].rstrip(',')}**" + ("," if words[i].endswith(",") else "")
        else:
            j = min(i + self.rng.randint(1, 3), len(words) - 2)
            text = " ".join(w.rstrip(",") for w in words[i : j + 1])
            words[i : j + 1] = [f"[{text}](https://example.com/{slugify(text)})"]
        return " ".join(words)

    def article(self, number: int, claims_ratio: float) -> Article:
        rng = self.rng
        title = self.title()
        slug = f"a{number:05d}-{slugify(' '.join(title.split()[:4]))}"[:80].strip("-")
        date = START + timedelta(
            days=rng.randrange(SPAN_DAYS), minutes=rng.randrange(0, 12 * 60, 5)
        )
        tags = sorted(rng.sample(TAGS, rng.randint(1, 4)))
        blocks: list[str] = []
        plain: list[str] = []  # candidate sentences for quotes: undecorated, one per paragraph
        count = 0
        target = rng.randint(850, 950)
        headings = sorted(rng.sample(range(2, 9), 2))
        while count < target:
            if len(blocks) in headings:
                heading = self.title()
                blocks.append("## " + heading)
                count += len(heading.split())
                continue
            if len(blocks) > 3 and rng.random() < 0.08:
                items = [self.sentence() for _ in range(rng.randint(3, 5))]
                blocks.append("\n".join("- " + s for s in items))
                count += sum(len(s.split()) for s in items)
                continue
            sentences = [self.sentence() for _ in range(rng.randint(3, 7))]
            keep = rng.randrange(len(sentences))
            out = []
            for k, s in enumerate(sentences):
                out.append(s if k == keep or rng.random() < 0.5 else self.decorate(s))
            plain.append(sentences[keep])
            blocks.append(" ".join(out))
            count += sum(len(s.split()) for s in sentences)
        body = "\n\n".join(blocks) + "\n"
        summary = self.sentence()
        article = Article(slug, title, date, tags, summary, body)
        if rng.random() < claims_ratio:
            # The text a reader sees, without markdown markup, to check that a quote is unique.
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", body).replace("*", "")
            unique = [s for s in plain if text.count(s) == 1]
            for n, quote in enumerate(rng.sample(unique, min(len(unique), rng.randint(2, 5)))):
                article.claims.append(
                    Claim(
                        id=f"claim-{n + 1}",
                        quote=quote,
                        claimant=rng.choice(CLAIMANTS),
                        verdict=rng.choice(RATINGS)[0],
                        summary=self.sentence(),
                        evidence=[
                            (self.title(), f"https://example.org/evidence/{slug}/{n + 1}-{e}")
                            for e in range(rng.randint(1, 2))
                        ],
                    )
                )
        return article


def q(value: str) -> str:
    """A string as a YAML (and TOML) scalar: JSON's quoting is valid in both."""
    return json.dumps(value, ensure_ascii=False)


def write_aisite(root: Path, articles: list[Article], claims: bool = True) -> None:
    content = root / "content"
    (content / "articles").mkdir(parents=True)
    ratings = "".join(
        f"  - key: {k}\n    label: {label}\n    value: {v}\n    color: {q(c)}\n    description: {q(d)}\n"
        for k, label, v, c, d in RATINGS
    )
    (content / "site.yaml").write_text(
        "title: Benchmark Monitor\n"
        "base_url: https://example.org/\n"
        "description: A generated corpus for benchmarking aisite.\n"
        "language: en\n"
        "timezone: UTC\n"
        "publisher:\n  name: Benchmark Monitor\n  url: https://example.org/\n"
        "per_page: 10\n"
        "feed:\n  items: 20\n  full_content: true\n"
        "ratings:\n" + ratings,
        encoding="utf-8",
    )
    for a in articles:
        folder = content / "articles" / a.slug
        folder.mkdir()
        front = (
            f"---\ntitle: {q(a.title)}\ndate: {a.date:%Y-%m-%dT%H:%M:%S}Z\n"
            f"tags: [{', '.join(q(t) for t in a.tags)}]\nsummary: {q(a.summary)}\n---\n"
        )
        (folder / "index.md").write_text(front + a.body, encoding="utf-8")
        if a.claims and claims:
            lines = []
            for c in a.claims:
                lines.append(
                    f"- id: {c.id}\n  quote: {q(c.quote)}\n  claimant: {q(c.claimant)}\n"
                    f"  verdict: {c.verdict}\n  summary: {q(c.summary)}\n  evidence:\n"
                )
                for title, url in c.evidence:
                    lines.append(f"    - title: {q(title)}\n      url: {url}\n")
            (folder / "claims.yaml").write_text("".join(lines), encoding="utf-8")


PELICANCONF = """\
# Generated by benchmarks/corpus.py. Default theme, nothing downloaded.
AUTHOR = "Benchmark desk"
SITENAME = "Benchmark Monitor"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
DEFAULT_PAGINATION = 10
ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
# Feeds on: whole site (Atom and RSS) and one RSS per tag, newest 20, like aisite.
FEED_DOMAIN = "https://example.org"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_RSS = "feeds/{slug}.tag.rss.xml"
FEED_MAX_ITEMS = 20
# Caching off by default; run.py turns it on with -e for the cached rebuild.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
CACHE_PATH = "cache"
"""


def write_pelican(root: Path, articles: list[Article]) -> None:
    (root / "content").mkdir(parents=True)
    (root / "pelicanconf.py").write_text(PELICANCONF, encoding="utf-8")
    for a in articles:
        meta = (
            f"Title: {a.title}\nDate: {a.date:%Y-%m-%d %H:%M}\nTags: {', '.join(a.tags)}\n"
            f"Slug: {a.slug}\nSummary: {a.summary}\n\n"
        )
        (root / "content" / f"{a.slug}.md").write_text(meta + a.body, encoding="utf-8")


HUGO_TOML = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Benchmark Monitor"
disableKinds = ["sitemap", "robotsTXT", "404"]
enableRobotsTXT = false

[pagination]
pagerSize = 10

[taxonomies]
tag = "tags"

[outputs]
home = ["html", "rss"]
section = ["html", "rss"]
taxonomy = ["html"]
term = ["html", "rss"]

[services.rss]
limit = 20
"""

LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="{{ site.Language.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ if not .IsHome }}{{ .Title }} | {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .RelPermalink }}">{{ end }}
</head>
<body><header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate (where site.RegularPages "Type" "posts") }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary }}</p></article>{{ end }}
{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}
{{ end }}
""",
}


def write_hugo(root: Path, articles: list[Article]) -> None:
    (root / "content" / "posts").mkdir(parents=True)
    (root / "layouts").mkdir()
    (root / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    for a in articles:
        front = (
            f"+++\ntitle = {q(a.title)}\ndate = {a.date:%Y-%m-%dT%H:%M:%S}Z\n"
            f"tags = [{', '.join(q(t) for t in a.tags)}]\nsummary = {q(a.summary)}\n"
            f"slug = {q(a.slug)}\n+++\n"
        )
        (root / "content" / "posts" / f"{a.slug}.md").write_text(front + a.body, encoding="utf-8")


def generate(count: int, out: Path, seed: int = 7, claims_ratio: float = 1.0) -> dict[str, int]:
    """Write the corpus under `out` (replacing it); returns a few counts."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    writer = Writer(seed)
    articles = [writer.article(n + 1, claims_ratio) for n in range(count)]
    write_aisite(out / "aisite", articles)
    write_aisite(out / "aisite-plain", articles, claims=False)
    write_pelican(out / "pelican", articles)
    write_hugo(out / "hugo", articles)
    return {
        "articles": count,
        "with_claims": sum(1 for a in articles if a.claims),
        "claims": sum(len(a.claims) for a in articles),
        "words": sum(len(a.body.split()) for a in articles),
        "tags": len({t for a in articles for t in a.tags}),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--articles", type=int, required=True, help="number of articles")
    p.add_argument("--out", type=Path, required=True, help="output folder (replaced)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--claims-ratio", type=float, default=1.0, help="share of articles with claims")
    args = p.parse_args(argv)
    started = time.perf_counter()
    stats = generate(args.articles, args.out, args.seed, args.claims_ratio)
    took = time.perf_counter() - started
    print(
        f"{stats['articles']} articles ({stats['with_claims']} with {stats['claims']} claims, "
        f"{stats['words'] / stats['articles']:.0f} words each, {stats['tags']} tags) "
        f"in {args.out} in {took:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
