"""An edit of articles' bodies alone, made without reading the archive: their pages, the feeds that carry them, their part of the search index.

A body is what only an article's own pages, the feeds and the search index show of it
(bodies.py). When the only inputs that changed since the last build into a folder are articles'
index.md files, each in its body alone (its front matter and claims.yaml as they were, its
claims anchored as before), those are the only outputs that can change. The last full build
keeps what finding them takes (remember()): every input's size and mtime, the articles in site
order with their fingerprints, which feed carries which article, and each part of the search
index as its records' fingerprints. edit() then loads only the articles those outputs show
(from the cache) and puts what changed in place as a rebuild does: a journal, then each file
by a rename. Anything else (a file added, a date or a verdict changed, a reused review, a
draft, a problem) is left to the full build.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisite import interrupt, urls
from aisite.cache import Cache
from aisite.cachedb import FAULTS
from aisite.inplace import apply, staging_prefix
from aisite.integrity import Stats, digest_of, entry, well_formed
from aisite.keys import digest
from aisite.options import Options
from aisite.reader import Walk

if TYPE_CHECKING:
    from aisite.model import Article, Site
    from aisite.plan import Output
    from aisite.render import SitePlan

HEAD, STATS = "", "stats"  # the names of the rows besides those of the search index's parts
MOST = 16  # articles edited at once, at most (more: the full build)
Head = dict[str, Any]


@dataclass(frozen=True)
class Inputs:
    """The inputs as a build walked them, for remember(): the shape of their folders and each
    file's size and mtime (as JSON, made before the walk is let go)."""

    shape: str
    stats: str


def inputs_of(walk: Walk) -> Inputs:
    """What remember() keeps of a walk."""
    return Inputs(_shape(walk), json.dumps(walk.stats, separators=(",", ":")))


def _shape(walk: Walk) -> str:
    """Every folder with its entries: two walks of the same shape have the same files."""
    return digest(*(f"{k}|{'|'.join(sorted(v))}" for k, v in sorted(walk.folders.items())))


def _options(options: Options) -> str:
    return repr((options.drafts, options.future, options.base_url))


def remember(
    cache: Cache, inputs: Inputs, signature: str, options: Options, plan: SitePlan
) -> None:
    """Keep what edit() needs of a full build (`signature`: its manifest's)."""
    from aisite.search import members

    site, catalog = plan.site, plan.catalog
    held = {a.path for a in site.articles if a.draft or a.reuses}
    reused = set(catalog.reused)
    held |= {a.path for a in site.articles if any(c.url in reused for c in a.claims)}
    items = [a.path for a in site.articles if not a.draft][: site.config.feed.items]
    feeds = dict.fromkeys((urls.FEED_RSS, urls.FEED_ATOM, urls.FEED_JSON), items)
    for group in catalog.tags:
        chosen = [a for a in group.articles if not a.draft][: site.config.feed.items]
        feeds[urls.tag_feed(group.term.slug)] = [a.path for a in chosen]
    parts = members(plan) if site.config.search else {}
    head = {
        "signature": signature,
        "options": _options(options),
        "key": plan.key,
        "shape": inputs.shape,
        "order": [[a.path, a.fingerprint, a.meta_fingerprint] for a in site.articles],
        "held": sorted(held),
        "feeds": feeds,
        "parts": {path: part for part, rows in parts.items() for _, path in rows},
    }
    rows = [(HEAD, _json(head)), (STATS, inputs.stats)]
    rows += [(part, _json(found)) for part, found in parts.items()]
    cache.put_edit_rows(rows, whole=True)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


@dataclass
class Edited:
    """What edit() wrote: the build's Stats, the articles edited, and the rows to keep."""

    stats: Stats
    articles: list[str]
    rows: list[tuple[str, str]]
    head: Head

    def keep(self, cache: Cache, signature: str) -> None:
        """Keep the rows for the next edit (`signature`: the manifest's now)."""
        self.head["signature"] = signature
        cache.put_edit_rows([(HEAD, _json(self.head)), *self.rows], whole=False)


def edit(
    options: Options,
    output: Path,
    cache: Cache,
    walk: Walk,
    known: dict[str, Any],
    listed: Callable[[], list[str]],
) -> Edited | None:
    """Write the outputs of an edit of articles' bodies alone, or None when the edit is not one
    (the full build makes it). `known`: the last build's manifest; `listed()`: an entry for
    each file of the output folder (integrity.entries_of)."""
    try:
        found = _edited(options, cache, walk, known)
        if found is None:
            return None
        head, edited = found
        # The folder must be as the last build left it: what it holds is recorded anew.
        entries = listed()
        if digest_of(list(entries)) != known["listing"]:
            return None
        return _edit(options, output, cache, walk, known, head, edited, entries)
    except FAULTS as err:  # a row of the cache: the full build goes on without the cache
        cache.fault(err)
        return None


def _edited(
    options: Options, cache: Cache, walk: Walk, known: dict[str, Any]
) -> tuple[Head, list[str]] | None:
    """The last build's head row and the articles whose index.md alone changed since."""
    if options.clean or not options.use_cache or not well_formed(known):
        return None
    assert options.now is not None
    since, until = (datetime.fromisoformat(known[k]) for k in ("since", "until"))
    if not since <= options.now < until:
        return None  # an article's date has come: the site's list of articles changes
    rows = cache.edit_rows([HEAD, STATS])
    if HEAD not in rows or STATS not in rows:
        return None
    head, before = json.loads(rows[HEAD]), json.loads(rows[STATS])
    if head["signature"] != known["signature"] or head["options"] != _options(options):
        return None
    if head["shape"] != _shape(walk):
        return None  # a file or folder came or went
    root = str(options.source.resolve())
    articles = os.path.join(root, "content", "articles")
    edited: list[str] = []
    for path, stat in walk.stats.items():
        if before.get(path) == (list(stat) if stat is not None else None):
            continue
        folder, name = os.path.split(path)
        if name != "index.md" or os.path.dirname(folder) != articles or stat is None:
            return None
        edited.append(path[len(root) + 1 :])
    order = {row[0] for row in head["order"]}
    held = set(head["held"])
    if not edited or len(edited) > MOST or any(p not in order or p in held for p in edited):
        return None
    return head, edited


def _edit(
    options: Options,
    output: Path,
    cache: Cache,
    walk: Walk,
    known: dict[str, Any],
    head: Head,
    edited: list[str],
    entries: list[str],
) -> Edited | None:
    from aisite.feeds import feed_files
    from aisite.plan import Output, PageSpec
    from aisite.registry import UNITS
    from aisite.render import SitePlan
    from aisite.searchedit import parts_again

    order: list[list[str]] = head["order"]
    at = {row[0]: n for n, row in enumerate(order)}
    near = {order[n][0] for p in edited for n in range(at[p] - 1, at[p] + 2) if 0 <= n < len(order)}
    feeds = {path: shown for path, shown in head["feeds"].items() if set(shown) & set(edited)}
    names = sorted({head["parts"][p] for p in edited if p in head["parts"]})
    parts = {name: json.loads(row) for name, row in cache.edit_rows(names).items()}
    if len(parts) != len(names):
        return None
    wanted = near | {p for shown in feeds.values() for p in shown}
    wanted |= {path for rows in parts.values() for _, path in rows}
    site = _load(options, cache, walk, wanted)
    if site is None or {a.path for a in site.articles} != wanted:
        return None
    by_path = {a.path: a for a in site.articles}
    if not all(_body_alone(cache, site, order[at[p]], by_path[p]) for p in edited):
        return None
    # The edited articles' pages, planned with their neighbours as the full build has them.
    small = replace(site, articles=tuple(a for a in site.articles if a.path in near))
    plan = SitePlan(small, options.source, cache.folder, whole=False)
    if plan.key != head["key"]:
        return None
    made = [
        plan.page(item, listed=False) if isinstance(item, PageSpec) else item
        for unit in UNITS
        for path in edited
        for item in unit.plan(plan, by_path[path])
    ]
    # The feeds that carry them: every article they show is loaded, so they are as planned.
    whole = SitePlan(site, options.source, cache.folder, whole=False)
    made += [o for o in feed_files(whole) if isinstance(o, Output) and o.path in feeds]
    paths = [o.path for o in made]
    if len(paths) != len(set(paths)) or not feeds.keys() <= set(paths):
        return None
    recorded = cache.recorded(paths)
    if any(o.path not in recorded or o.key is None for o in made):
        return None  # an output the last build did not make: the full build places it
    searched = parts_again(whole, cache, parts, {p: by_path[p] for p in edited})
    if searched is None:
        return None
    copies, deleted = searched
    todo = [o for o in made if recorded[o.path][0] != o.key]
    stats = _publish(output, cache, known, todo, copies, deleted, entries)
    for path in edited:
        order[at[path]][1] = by_path[path].fingerprint
    rows = [(STATS, json.dumps(walk.stats, separators=(",", ":")))]
    rows += [(name, _json(found)) for name, found in parts.items()]
    return Edited(stats, edited, rows, head)


def _load(options: Options, cache: Cache, walk: Walk, wanted: set[str]) -> Site | None:
    """These articles (site paths), with the site's configuration and pages; None on a problem."""
    from aisite.content import render_content
    from aisite.load import load_site

    only = {p.split("/")[-2] for p in wanted}
    parsed, problems = load_site(options, cache, walk, only)
    if problems.items:
        return None  # the full build reports it
    site = render_content(parsed, problems, cache, 1)
    return None if problems.items else site


def _body_alone(cache: Cache, site: Site, last: list[str], article: Article) -> bool:
    """True when an article changed in its body alone: its front matter and claims.yaml as they
    were, its rendering the same but for what bodies.Body holds."""
    from aisite.rendered import decoder, light

    path, fingerprint, meta = last
    if article.meta_fingerprint != meta or article.fingerprint == fingerprint:
        return False
    keys = [digest(site.fingerprint, path, f) for f in (fingerprint, article.fingerprint)]
    got = cache.get_rendered(keys, decoder(cache, dict.fromkeys(keys, path)))
    if len(got) != 2:
        return False
    (old, old_problems, _), (new, new_problems, _) = got[keys[0]], got[keys[1]]
    return not old_problems and not new_problems and light(old) == light(new)


def _publish(
    output: Path,
    cache: Cache,
    known: dict[str, Any],
    todo: list[Output],
    copies: list[tuple[str, str, str]],
    deleted: list[tuple[str, str]],
    entries: list[str],
) -> Stats:
    """Stage what changed, put it in place after a journal, and record it."""
    from aisite.making import same

    staging = output.parent / f"{staging_prefix(output)}{os.getpid()}-{secrets.token_hex(4)}"
    staged = 0
    keys: dict[str, str] = {}
    made: list[tuple[str, str, Callable[[], bytes]]] = [
        (o.path, o.key or "", o.render or partial(Path(str(o.copy_from)).read_bytes)) for o in todo
    ]
    made += [(path, key, partial(Path(source).read_bytes)) for path, key, source in copies]
    try:
        staging.mkdir()
        for path, key, make in made:
            keys[path] = key
            data = make()
            if not same(output / path, data):
                target = staging / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                staged += 1
        with interrupt.uninterrupted():  # each file old or new; a kill -9 is finished by recover()
            apply(output, staging, [p for p, _ in deleted])
            interrupt.state.published = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    rows = []
    for path, key in keys.items():
        stat = os.stat(output / path)
        rows.append((path, key, stat.st_size, stat.st_mtime_ns, False))
    cache.save_outputs(lambda: rows, list(deleted))
    changed = set(keys) | {p for p, _ in deleted}
    kept = [e for e in entries if e.split("\0", 1)[0] not in changed]
    kept += [entry(p, s, m) for p, _, s, m, _ in rows]
    stats = Stats(**known["stats"])
    stats.files += len(kept) - len(entries)
    stats.unchanged = stats.files - staged
    stats.listing = digest_of(kept)
    return stats
