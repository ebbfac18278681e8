"""What a full build keeps for an edit of articles' bodies alone (bodyedit.py), in the cache's rows, and reading them back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aisite import urls
from aisite.cache import Cache
from aisite.integrity import options_key
from aisite.keys import digest
from aisite.options import Options
from aisite.reader import Walk

if TYPE_CHECKING:
    from aisite.render import SitePlan

HEAD, INPUTS = "", "stats"  # the names of the rows besides those of the search index's parts
Head = dict[str, Any]


@dataclass(frozen=True)
class Inputs:
    """The inputs as a build walked them, for remember(): the shape of their folders and each
    file's size and mtime (as JSON, made before the walk is let go)."""

    shape: str
    stats: str


def inputs_of(walk: Walk) -> Inputs:
    """What remember() keeps of a walk."""
    return Inputs(shape_of(walk), json.dumps(walk.stats, separators=(",", ":")))


def shape_of(walk: Walk) -> str:
    """Every folder with its entries: two walks of the same shape have the same files."""
    return digest(*(f"{k}|{'|'.join(sorted(v))}" for k, v in sorted(walk.folders.items())))


def remember(
    cache: Cache, inputs: Inputs, kept: tuple[str, str], options: Options, plan: SitePlan
) -> None:
    """Keep what edit() needs of a full build (`kept`: its manifest's signature, and the
    output folder's integrity.output_identity() after it)."""
    from aisite.search import members

    site, catalog = plan.site, plan.catalog
    if any(a.draft for a in site.articles):
        # A draft shown (--drafts) may name a tag (catalog: the first article's spelling) in a
        # feed it is not in: the edit could not tell. Its rows go; the next edit is a full build.
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
    head = {
        "signature": kept[0],
        "output": kept[1],
        "options": options_key(options),
        "key": plan.key,
        "shape": inputs.shape,
        "order": [[a.path, a.fingerprint, a.meta_fingerprint] for a in site.articles],
        "held": sorted(held),
        "feeds": feeds,
        "parts": _parts_of(parts),
    }
    rows = [(HEAD, as_json(head)), (INPUTS, inputs.stats)]
    rows += [(part, as_json(found)) for part, found in parts.items()]
    cache.put_edit_rows(rows, whole=True)


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


def read_rows(cache: Cache) -> tuple[Head, dict[str, Any]] | None:
    """The last full build's head row and its inputs' stats, when they are as remember() makes
    them (else the full build, which makes them again)."""
    rows = cache.edit_rows([HEAD, INPUTS])
    try:
        head, before = json.loads(rows[HEAD]), json.loads(rows[INPUTS])
    except (KeyError, ValueError):
        return None
    texts = ("signature", "output", "options", "key", "shape")
    if not (
        isinstance(head, dict)
        and isinstance(before, dict)
        and all(isinstance(head.get(name), str) for name in texts)
        and _strings(head.get("held"))
        and isinstance(head.get("feeds"), dict)
        and all(_strings(shown) for shown in head["feeds"].values())
        and isinstance(head.get("parts"), dict)
        and all(_strings(found) for found in head["parts"].values())
        and isinstance(head.get("order"), list)
        and all(_strings(row) and len(row) == 3 for row in head["order"])
    ):
        return None
    return head, before


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
