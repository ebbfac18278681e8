"""An edit of articles' bodies alone, made without reading the archive: their pages, the feeds that carry them, their part of the search index.

A body is what only an article's own pages, the feeds and the search index show of it
(bodies.py). When the only inputs that changed since the last build into a folder are articles'
index.md files, each in its body alone (its front matter and claims.yaml as they were, its
claims anchored as before), those are the only outputs that can change. The last full build
keeps what finding them takes (editrows.remember): every input's size and mtime, the articles
in site order with their fingerprints, which feed carries which article, and each part of the
search index as its records' fingerprints. edit() loads only the articles those outputs show
(from the cache) and puts what changed in place as a rebuild does: a journal, then each file
by a rename. Anything else (a file added, a date or a verdict changed, a reused review,
drafts shown, a problem) is left to the full build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisite import editrows, integrity
from aisite.cache import Cache
from aisite.editrows import Head, Order
from aisite.errors import ContentError
from aisite.inplace import plain, put
from aisite.integrity import STATS, Stats
from aisite.keys import digest
from aisite.options import Options
from aisite.reader import Walk
from aisite.searchbundle import drop

if TYPE_CHECKING:
    from aisite.model import Article, Site

MOST = 16  # articles edited at once, at most (more: the full build)


@dataclass
class Edited:
    """What edit() wrote: the build's Stats, and the rows to keep."""

    stats: Stats
    rows: list[tuple[str, str]]
    head: Head
    order: Order

    def keep(self, cache: Cache, known: dict[str, Any], kept: tuple[str, str]) -> None:
        """Record the build: the last build's manifest `known` with this signature (`kept`: it
        and the output folder's identity now), what the folder holds, and the next edit's rows."""
        signature, self.head["output"] = kept
        stats = {name: getattr(self.stats, name) for name in STATS}
        manifest = {**known, "signature": signature, "stats": stats}
        cache.save_manifest({**manifest, "listing": self.stats.listing})
        self.head["signature"] = signature
        rows = [
            (editrows.HEAD, editrows.as_json(self.head)),
            (editrows.ORDER, self.order.text()),
            *self.rows,
        ]
        cache.put_edit_rows(rows, whole=False)


def edit(
    options: Options,
    output: Path,
    cache: Cache,
    walk: Walk,
    lines: list[str],
    known: dict[str, Any],
) -> Edited | None:
    """Write the outputs of an edit of articles' bodies alone, or None when the edit is not one
    (the full build makes it, and reports every problem). `lines`: the walk's input_lines;
    `known`: the last build's manifest."""
    found = _edited(options, cache, walk, lines, known, integrity.output_identity(output))
    if found is None:
        return None
    head, order, edited = found
    try:
        made = _made(options, cache, walk, head, order, edited)
    except ContentError:
        return None  # reported by the full build, with every other problem
    if made is None:
        return None
    # The folder is not listed (283,000 files at 20,000 articles): its listing's digest is
    # worked out from the records of the files replaced. A file changed by hand elsewhere is
    # found by the next build with nothing to do, and put right by the full build it makes.
    paths = [path for path, _, _ in made.files] + made.deleted_paths
    before = cache.recorded(paths)
    if any(path not in before for path in made.deleted_paths) or not plain(output, paths):
        return None
    cache.forget_manifest()  # killed from here on: the next build is a full one
    written = put(output, [(path, data) for path, _, data in made.files], made.deleted_paths)
    stats = _record(output, cache, known, made, before)
    stats.unchanged = stats.files - len(written)
    drop(made.bundles)
    cache.drop_rendered(made.rendered)
    for path, fingerprint in made.fingerprints.items():
        order.edited(path, fingerprint)
    rows = [(editrows.INPUTS, "\n".join(lines))]
    rows += [(name, editrows.as_json(found)) for name, found in made.parts.items()]
    return Edited(stats, rows, head, order)


def _edited(
    options: Options,
    cache: Cache,
    walk: Walk,
    lines: list[str],
    known: dict[str, Any],
    identity: str,
) -> tuple[Head, Order, list[str]] | None:
    """The last build's head row and the articles whose index.md alone changed since, when
    the output folder (its `identity`) is the one that build left."""
    if options.clean or not options.use_cache or not integrity.well_formed(known):
        return None
    assert options.now is not None
    since, until = (datetime.fromisoformat(known[k]) for k in ("since", "until"))
    if not since <= options.now < until:
        return None  # an article's date has come: the site's list of articles changes
    found = editrows.read_rows(cache)
    if found is None:
        return None
    head, order, before = found
    if head["signature"] != known["signature"] or head["options"] != integrity.options_key(options):
        return None
    if head["output"] != identity or not integrity.moved(known["listing"]):
        return None  # the folder made anew, or its own entries changed; an older manifest
    if len(lines) != len(before) or head["folders"] != editrows.folders_of(walk):
        return None  # a file or folder came or went
    known_lines = set(before)
    changed = [line for line in lines if line not in known_lines]
    if len(changed) > MOST or any(line.endswith(integrity.UNREADABLE) for line in changed):
        return None
    # Each changed path must be an article's index.md the last build read; as many files as
    # then: so none came, and none went.
    paths = [line.rsplit("|", 2)[0] for line in changed]
    root = str(options.source.resolve())
    articles = os.path.join(root, "content", "articles")
    edited: list[str] = []
    for path in paths:
        folder, name = os.path.split(path)
        if name != "index.md" or os.path.dirname(folder) != articles:
            return None
        edited.append(path[len(root) + 1 :])
    held = set(head["held"])
    if not edited or any(p not in order.at or p in held for p in edited):
        return None
    return head, order, edited


File = tuple[str, str, bytes]  # an output's path, key and bytes


@dataclass(frozen=True)
class Made:
    """The files an edit changes, made, and what is kept or dropped once they are published."""

    files: list[File]
    deleted: list[tuple[str, str]]  # the records (path, key) of the files gone
    parts: dict[str, Any]  # the search index's parts' rows, with their new fingerprints
    fingerprints: dict[str, str]  # the edited articles' new ones
    bundles: list[Path]  # the parts' bundles the edit replaced
    rendered: list[str]  # the keys of the edited articles' renderings before

    @property
    def deleted_paths(self) -> list[str]:
        """The paths of the files gone."""
        return [path for path, _ in self.deleted]


def _made(
    options: Options,
    cache: Cache,
    walk: Walk,
    head: Head,
    order: Order,
    edited: list[str],
) -> Made | None:
    """The outputs the edit changes, made; None when the edit is not one."""
    from aisite.feeds import feed_files
    from aisite.plan import Output, PageSpec
    from aisite.registry import UNITS
    from aisite.render import SitePlan
    from aisite.searchedit import parts_again

    near = {path for p in edited for path in order.near(p)}
    feeds = {path: shown for path, shown in head["feeds"].items() if set(shown) & set(edited)}
    names = sorted({part for p in edited for part in order.parts(p)})
    parts: dict[str, list[list[str]]] = {}
    for name, row in cache.edit_rows(names).items():
        found = editrows.read_part(row)
        if found is not None:
            parts[name] = found
    if len(parts) != len(names):
        return None
    wanted = near | {p for shown in feeds.values() for p in shown}
    wanted |= {path for rows in parts.values() for _, path in rows}
    site = _load(options, cache, walk, wanted)
    if site is None or {a.path for a in site.articles} != wanted:
        return None
    by_path = {a.path: a for a in site.articles}
    if not all(_body_alone(cache, site, order.row(p), by_path[p]) for p in edited):
        return None
    whole = SitePlan(site, options.source, cache.folder, whole=False)
    if whole.key != head["key"]:
        return None
    # Pagefind indexes the parts while the pages are made (the longest part of an edit).
    reindexing = parts_again(whole, cache, parts, {p: by_path[p] for p in edited})
    if reindexing is None:
        return None
    try:
        # The edited articles' pages, planned with their neighbours as the full build has them.
        small = replace(site, articles=tuple(a for a in site.articles if a.path in near))
        plan = SitePlan(small, options.source, cache.folder, whole=False)
        made = [
            plan.page(item, listed=False) if isinstance(item, PageSpec) else item
            for unit in UNITS
            for path in edited
            for item in unit.plan(plan, by_path[path])
        ]
        # The feeds that carry them: every article they show is loaded, so they are as planned.
        made += [o for o in feed_files(whole) if isinstance(o, Output) and o.path in feeds]
        paths = [o.path for o in made]
        if len(paths) != len(set(paths)) or not feeds.keys() <= set(paths):
            return None
        recorded = cache.recorded(paths)
        if any(o.path not in recorded or o.key is None for o in made):
            return None  # an output the last build did not make: the full build places it
        files = [(o.path, o.key or "", o.data()) for o in made if recorded[o.path][0] != o.key]
        searched = reindexing.files()
    finally:
        reindexing.cancel()
    if searched is None:
        return None
    copies, deleted = searched
    files += [(path, key, Path(source).read_bytes()) for path, key, source in copies]
    # What the cache keeps of the edited versions before: dropped once this one is published.
    stale = [digest(site.fingerprint, p, order.row(p)[1]) for p in edited]
    fingerprints = {p: by_path[p].fingerprint for p in edited}
    return Made(files, deleted, parts, fingerprints, reindexing.replaced, stale)


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

    path, fingerprint, meta, _ = last
    if article.meta_fingerprint != meta or article.fingerprint == fingerprint:
        return False
    keys = [digest(site.fingerprint, path, f) for f in (fingerprint, article.fingerprint)]
    got = cache.get_rendered(keys, decoder(cache, dict.fromkeys(keys, path)))
    if len(got) != 2:
        return False
    (old, old_problems, _), (new, new_problems, _) = got[keys[0]], got[keys[1]]
    return not old_problems and not new_problems and light(old) == light(new)


def _record(
    output: Path,
    cache: Cache,
    known: dict[str, Any],
    made: Made,
    before: dict[str, tuple[str, int, int]],
) -> Stats:
    """Record the files made and gone (`before`: their records), and the folder's listing now."""
    rows = []
    for path, key, _ in made.files:
        stat = os.stat(output / path)
        rows.append((path, key, stat.st_size, stat.st_mtime_ns, False))
    changed = [path for path, _, _ in made.files] + made.deleted_paths
    gone = [(path, *before[path][1:]) for path in changed if path in before]
    added = [(path, size, mtime) for path, _, size, mtime, _ in rows]
    listing = integrity.moved(known["listing"], gone, added)
    assert listing is not None  # checked before the files were put in place
    cache.save_outputs(lambda: rows, list(made.deleted))
    stats = Stats(**known["stats"])
    stats.files += len(rows) - len(gone)  # those made anew, less those gone
    stats.listing = listing
    return stats
