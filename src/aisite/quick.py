"""Serve's quick path: after a save of articles' index.md or claims.yaml, their own files first."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from aisite import memory, urls
from aisite.bodies import BodyRef
from aisite.build import build_now
from aisite.bundlefiles import placed, with_pictures
from aisite.claimmodel import ParsedClaim
from aisite.content import Renderer
from aisite.errors import ContentError, Problems
from aisite.i18n import Strings
from aisite.load import last_loaded, parse_bundle
from aisite.model import Article, ArticleMeta, Site
from aisite.options import Options
from aisite.outputcheck import check_paths
from aisite.plan import PageSpec
from aisite.reader import Reader, Walk, builtin_theme, input_walk, stat_now
from aisite.registry import UNITS
from aisite.render import SitePlan
from aisite.rendered import body_of

# The fields of an article a save may change for the quick path to apply: what its own pages
# show of it. The others (its place: slug, date, draft, aliases; its files) decide which
# pages there are and in what order, and must be as the last build had them.
SHOWN = frozenset(
    {
        "fingerprint",
        "meta_fingerprint",
        "claims_updated",
        "title",
        "updated",
        "summary",
        "authors",
        "tags",
        "source",
        "corrections",
        "image",
        "image_alt",
        "image_line",
        "extra",
    }
)


@dataclass(frozen=True)
class Quick:
    """What the quick path wrote: for which article folders, each file as it left it."""

    articles: tuple[str, ...]
    files: dict[str, tuple[int, int, int]]  # path in the output folder -> (inode, size, mtime)
    seconds: float
    walk: Walk | None  # the inputs as walked: the full build that follows need not walk them

    @property
    def pages(self) -> tuple[str, ...]:
        """The addresses (from the site's root) of the files written, pages by their folder too."""
        return _addresses(self.files)

    def current(self, output: Path) -> tuple[str, ...]:
        """The addresses of the files written that are still as this left them."""
        still = {}
        for path, stat in self.files.items():
            try:
                now = (output / path).stat()
            except OSError:
                continue
            if (now.st_ino, now.st_size, now.st_mtime_ns) == stat:
                still[path] = stat
        return _addresses(still)


def quick(options: Options, output: Path, saved: Collection[Path] | None = None) -> Quick | None:
    """Write the changed files of articles whose own files alone changed; else None. `saved`:
    the files a watcher saw change, when it is known (else every input is walked: 0.3 s at
    5,000 articles, most of the quick path)."""
    # Their index.md and claims.yaml, not where they stand (date, draft, claims' verdicts)
    # nor any other input: the full build that follows checks and writes the rest.
    started = time.perf_counter()
    model = memory.last_model()
    folder = os.path.realpath(output)
    held = memory.folder_state(folder)
    if model is None or held is None or model.output != folder:
        return None
    if replace(model.options, now=None) != replace(options, now=None):
        return None
    upcoming = model.site.next_future
    if upcoming is not None and upcoming <= (options.now or build_now()):
        return None  # an article's date has come: the site's list of articles changes
    if saved is None:
        try:
            walk: Walk | None = input_walk(options.source, builtin_theme())
        except ContentError:
            return None  # the full build reports it
    else:
        walk = _as_saved(model.walk, saved)
    if walk is None:
        return None
    bundles = _changed_bundles(model.walk, walk, options.source, saved)
    if not bundles:
        return None
    edited = _articles(model.site, walk, options.source, bundles)
    if edited is None:
        return None
    site = replace(model.site, articles=tuple(edited.get(a.path, a) for a in model.site.articles))
    plan = SitePlan(site, options.source, whole=False)
    made = [
        plan.page(item, listed=False) if isinstance(item, PageSpec) else item
        for unit in UNITS
        for article in edited.values()
        for item in unit.plan(plan, article)
    ]
    try:
        check_paths(made)
    except ContentError:
        return None  # the full build reports it
    listing, recorded = held
    if any(item.path not in recorded or item.key is None for item in made):
        return None  # a file the last build did not make: only a full build can place it
    todo = [
        item
        for item in made
        if recorded[item.path][0] != item.key or listing.get(item.path) != recorded[item.path][1:]
    ]
    try:
        data = {item.path: item.data() for item in todo}
    except (ContentError, OSError):
        return None  # the full build reports it
    files = {}
    for item in todo:
        target = Path(folder) / item.path
        if not _same(target, data[item.path]):
            _, size, mtime = files[item.path] = _write(target, data[item.path])
            # The recorded key stays the last build's: the full build renders the file again,
            # finds the same bytes and leaves it (and records it); a file saved back to what
            # that key made differs from the listing, so it is written again.
            listing[item.path] = (size, mtime)
    folders = tuple(sorted(path.rpartition("/")[0] for path in edited))
    # A walk made of what a watcher saw is not handed on: the full build walks every input.
    return Quick(folders, files, time.perf_counter() - started, walk if saved is None else None)


def _addresses(files: Iterable[str]) -> tuple[str, ...]:
    """Where files are found in a site served at a root: a page also by its folder."""
    found = {"/" + path for path in files}
    found |= {"/" + urls.url_of_file(path) for path in files if path.endswith(".html")}
    return tuple(sorted(found))


def _as_saved(before: Walk, saved: Collection[Path]) -> Walk | None:
    """The last build's walk with the saved files as they are now; None when a file or folder
    came or went, or is a link (a file that came and went again, an editor's, is no change)."""
    stats = dict(before.stats)
    for path in saved:
        key = str(path)
        if key in before.folders or path.is_symlink():
            return None  # a folder came or went; a link the walk would check
        now = stat_now(path)
        if key in before.stats and now is not None and before.stats[key] is not None:
            stats[key] = now
        elif key in before.stats or now is not None:
            return None
    return Walk(before.folders, stats)


def _changed_bundles(
    before: Walk, after: Walk, source: Path, saved: Collection[Path] | None = None
) -> list[Path] | None:
    """The article folders whose index.md or claims.yaml alone changed; None for other saves
    (`saved`: the files that may have, all others as before)."""
    if saved is not None:
        keys = [str(path) for path in saved]
        changed = [key for key in keys if before.stats.get(key) != after.stats.get(key)]
    elif before.folders != after.folders or before.stats.keys() != after.stats.keys():
        return None  # a file or folder came or went
    else:
        changed = [path for path, stat in after.stats.items() if before.stats[path] != stat]
    articles = source.resolve() / "content" / "articles"  # as the walk names them
    for key in changed:
        path = Path(key)
        if path.name not in ("index.md", "claims.yaml") or path.parent.parent != articles:
            return None
        if after.stats[key] is None:
            return None
    return sorted({Path(key).parent for key in changed})


def _articles(
    site: Site, walk: Walk, source: Path, bundles: list[Path]
) -> dict[str, Article] | None:
    """The edited articles as a full build makes them; None if more than what they show changed."""
    # Also None when one has a problem, or is not on the site (a draft left out, the future).
    problems = Problems()
    reader = Reader(source, problems, walk)
    config = site.config
    published = {a.path: a for a in site.articles}
    parsed_before = last_loaded()
    renderer = Renderer(Strings(config.language), config.embeds, str(reader.root))
    edited: dict[str, Article] = {}
    for entry in bundles:
        path = reader.rel(entry / "index.md")
        last, before = published.get(path), parsed_before.get(path)
        parsed = parse_bundle(reader, entry, config)
        if last is None or before is None or parsed is None or last.reuses or parsed.reuses:
            return None  # a reuse's fingerprint covers its review's: resolved with every article
        found = [Path(path) for path in walk.folders[str(entry)]]
        parsed = with_pictures(reader, parsed, entry, found)
        if parsed is None:
            return None
        parsed = placed(parsed, entry, found)
        for name in (f.name for f in fields(ArticleMeta) if f.name not in SHOWN):
            if getattr(parsed, name) != getattr(before, name):
                return None
        if _standing(parsed.claims) != _standing(before.claims):
            return None
        text = renderer.article(parsed, problems)
        if problems.items:
            return None  # the full build reports them
        edited[last.path] = Article.of(parsed, text, BodyRef(body_of(text)))
    return edited


def _standing(claims: tuple[ParsedClaim, ...]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """What of an article's claims other pages and the full build's checks depend on."""
    # Which claims there are (another article may reuse one), their verdicts (a change needs
    # an `updates` entry, checked against claims.json), claimants and topics (pages of theirs).
    return [(c.id, c.verdict.key, c.claimant.slug, tuple(t.slug for t in c.topics)) for c in claims]


def _same(target: Path, data: bytes) -> bool:
    """True when the file holds these bytes already."""
    try:
        return target.stat().st_size == len(data) and target.read_bytes() == data
    except OSError:
        return False


def _write(target: Path, data: bytes) -> tuple[int, int, int]:
    """Put one file in place by a rename (a reader never sees half of it); its stat."""
    name = target.parent / f".quick-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        handle = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(name, target)
    except BaseException:
        name.unlink(missing_ok=True)
        raise
    stat = target.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns
