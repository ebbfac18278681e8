"""What a full build keeps for an edit of articles' bodies alone (bodyedit.py), in the cache's rows, and reading them back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from aisite import urls
from aisite.cache import Cache
from aisite.integrity import options_key
from aisite.keys import digest
from aisite.options import Options
from aisite.reader import Walk

if TYPE_CHECKING:
    from aisite.render import SitePlan

HEAD, ORDER, INPUTS = "", "order", "stats"  # the rows besides the search index's parts'
Head = dict[str, Any]


@dataclass(frozen=True)
class Inputs:
    """The inputs as a build walked them, for remember(): a digest of their folders, and each
    file's line (integrity.input_lines: its path, size and mtime), joined; None when a path
    holds a line break."""

    folders: str
    lines: str | None


def inputs_of(walk: Walk, lines: list[str]) -> Inputs:
    """What remember() keeps of a walk (`lines`: its input_lines)."""
    joined = "\n".join(lines)
    return Inputs(folders_of(walk), None if joined.count("\n") >= len(lines) else joined)


def folders_of(walk: Walk) -> str:
    """A digest of the folders walked (joined by NUL, as the inputs' signature's lines): with
    the same files, the same shape of inputs."""
    return digest("\0".join(sorted(walk.folders)))


class Order:
    """The site's articles in order, a line each: its path, fingerprint, meta_fingerprint and
    parts of the search index (an edit changes a line, never parses the rest)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.at = {line.partition("\t")[0]: n for n, line in enumerate(lines)}

    def row(self, path: str) -> list[str]:
        """The article's path, fingerprint, meta_fingerprint and parts (comma-separated)."""
        return self.lines[self.at[path]].split("\t")

    def near(self, path: str) -> list[str]:
        """The article's path and its neighbours' (the article before and after it)."""
        n = self.at[path]
        return [line.partition("\t")[0] for line in self.lines[max(n - 1, 0) : n + 2]]

    def parts(self, path: str) -> list[str]:
        """The parts of the search index that hold the article's records."""
        named = self.row(path)[3]
        return named.split(",") if named else []

    def edited(self, path: str, fingerprint: str) -> None:
        """Give the article its new fingerprint."""
        row = self.row(path)
        row[1] = fingerprint
        self.lines[self.at[path]] = "\t".join(row)

    def text(self) -> str:
        return "\n".join(self.lines)


def remember(
    cache: Cache, inputs: Inputs, kept: tuple[str, str], options: Options, plan: SitePlan
) -> None:
    """Keep what edit() needs of a full build (`kept`: its manifest's signature, and the
    output folder's integrity.output_identity() after it)."""
    from aisite.search import members

    site, catalog = plan.site, plan.catalog
    # A draft shown (--drafts) may name a tag (catalog: the first article's spelling) in a
    # feed it is not in: the edit could not tell. And the rows are lines: a path holding a
    # tab or a line break cannot be one. Then the rows go; the next edit is a full build.
    lines, paths = inputs.lines, (a.path for a in site.articles)
    if (
        lines is None
        or any("\t" in p or "\n" in p for p in paths)
        or any(a.draft for a in site.articles)
    ):
        cache.put_edit_rows([], whole=True)
        return
    held = {a.path for a in site.articles if a.reuses}
    reused = set(catalog.reused)
    held |= {a.path for a in site.articles if any(c.url in reused for c in a.claims)}
    items = [a.path for a in site.articles if not a.draft][: site.config.feed.items]
    feeds = dict.fromkeys((urls.FEED_RSS, urls.FEED_ATOM, urls.FEED_JSON), items)
    for group in catalog.tags:
        chosen = [a for a in group.articles if not a.draft][: site.config.feed.items]
        feeds[urls.tag_feed(group.term.slug)] = [a.path for a in chosen]
    parts = members(plan) if site.config.search else {}
    named = _parts_of(parts)
    order = [
        f"{a.path}\t{a.fingerprint}\t{a.meta_fingerprint}\t{','.join(named.get(a.path, ()))}"
        for a in site.articles
    ]
    head = {
        "signature": kept[0],
        "output": kept[1],
        "options": options_key(options),
        "key": plan.key,
        "folders": inputs.folders,
        "held": sorted(held),
        "feeds": feeds,
    }
    rows = [(HEAD, as_json(head)), (ORDER, "\n".join(order)), (INPUTS, lines)]
    # Each part's JSON made as it is written (all of them at once: 10 MB at 20,000 articles).
    parted = ((part, as_json(found)) for part, found in parts.items())
    cache.put_edit_rows(chain(rows, parted), whole=True)


def _parts_of(parts: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    """Each article's parts of the search index: its own record's, and its claims' (a claim
    reviewed after its article's part may be in a later one)."""
    found: dict[str, list[str]] = {}
    for part, rows in parts.items():
        for _, path in rows:
            named = found.setdefault(path, [])
            if part not in named:
                named.append(part)
    return found


def as_json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def read_rows(cache: Cache) -> tuple[Head, Order, list[str]] | None:
    """The last full build's head row, its articles' order and its inputs' lines, when they are
    as remember() makes them (else the full build, which makes them again)."""
    rows = cache.edit_rows([HEAD, ORDER, INPUTS])
    try:
        head, order, inputs = json.loads(rows[HEAD]), rows[ORDER].split("\n"), rows[INPUTS]
    except (KeyError, ValueError):
        return None
    texts = ("signature", "output", "options", "key", "folders")
    if not (
        isinstance(head, dict)
        and all(isinstance(head.get(name), str) for name in texts)
        and _strings(head.get("held"))
        and isinstance(head.get("feeds"), dict)
        and all(_strings(shown) for shown in head["feeds"].values())
        and all(line.count("\t") == 3 for line in order)
    ):
        return None
    return head, Order(order), inputs.split("\n")


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def read_part(row: str) -> list[list[str]] | None:
    """A part's row: its records' fingerprints with their articles' paths."""
    try:
        rows = json.loads(row)
    except ValueError:
        return None
    return (
        rows if isinstance(rows, list) and all(_strings(r) and len(r) == 2 for r in rows) else None
    )
