"""The build pipeline: a flat list of stages."""

from __future__ import annotations

import errno
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisite import memory, urls
from aisite.cache import Cache
from aisite.cachedb import FOLDER
from aisite.errors import ContentError, UsageError
from aisite.inplace import Present, recover
from aisite.integrity import (
    STATS,
    SharedListing,
    Stats,
    input_lines,
    input_signature,
    output_identity,
    unchanged,
)
from aisite.interrupt import check
from aisite.keys import digest
from aisite.lock import build_locks
from aisite.openrecords import as_written, kept, record_keys, written_lengths
from aisite.options import Options
from aisite.outputcheck import MARKER, check_output_folder
from aisite.pool import can_fork
from aisite.reader import Walk, builtin_theme, input_walk
from aisite.retry import Retries

if TYPE_CHECKING:
    from aisite.bodyedit import Edited
    from aisite.model import Site


@dataclass
class Report:
    """What a build did, for the summary line."""

    articles: int = 0
    skipped_drafts: tuple[str, ...] = ()
    skipped_future: tuple[str, ...] = ()
    drafts: tuple[str, ...] = ()  # drafts included (--drafts, or serve)
    stats: Stats = field(default_factory=Stats)
    timings: dict[str, float] = field(default_factory=dict)
    nothing_changed: bool = False

    @property
    def seconds(self) -> float:
        """Total time."""
        return sum(self.timings.values())


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
FAR = datetime(9999, 1, 1, tzinfo=UTC)


def build_now() -> datetime:
    """'Now' for deciding which articles are in the future: SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def build(
    options: Options,
    output: Path,
    progress: Callable[[int, int], None] | None = None,
    *,
    published: Callable[[], None] | None = None,
    walk: Walk | None = None,
) -> Report:
    """Build holding the output folder's lock and the cache's: one build at a time writes them.
    `published` is called once the new files are in place (before most of the cache's
    bookkeeping: per-article units are stored as they are planned).
    `walk`: the inputs as the caller found them just now (serve's quick path), else walked."""
    for folder in (output, *output.parents):
        try:
            os.stat(folder)
        except OSError as err:
            if err.errno == errno.ELOOP:
                raise UsageError(f"--output {output}: {folder} is a symbolic link loop") from None
    output = Path(os.path.realpath(output))
    cache = options.source.resolve() / FOLDER if options.use_cache else None
    with build_locks(output, cache, options.wait):
        # Read only now: a build that waited for another one reads the newest content.
        retries = Retries(options, cache)
        while True:
            try:
                return _build(options, output, progress, published, walk)
            except ContentError as err:
                memory.forget_model()  # kept again by a build that succeeds
                again = retries.again(err)
                if again is None:
                    raise
            except BaseException:
                memory.forget_model()
                raise
            options, walk = again, None


def _build(
    options: Options,
    output: Path,
    progress: Callable[[int, int], None] | None = None,
    published: Callable[[], None] | None = None,
    walk: Walk | None = None,
) -> Report:
    """Load, validate and render everything, then write the site; raises ContentError."""
    report = Report()
    clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.timings[name] = now - clock
        clock = now

    # The real folder: a symlinked output (site -> /var/www/html) is updated where it points.
    output = Path(os.path.realpath(output))
    check_output_folder(output, options.source)
    if options.now is None:
        options = replace(options, now=build_now())
    workers = options.jobs or os.cpu_count() or 1
    root = options.source if options.use_cache else None
    cache = Cache(root, output, clean=options.clean, hold_texts=options.hold_texts)
    recovered = recover(output)  # a killed build's journal finished first (then no edit)
    known = cache.manifest()
    if walk is None:
        walk = input_walk(options.source, builtin_theme(), workers)
    lines = input_lines(walk)
    inputs = input_signature(options, lines)
    signature = digest(inputs, output_identity(output))
    # The output listed by workers with this process when no input changed, not during the
    # walk (an edit needs both cores for it); not in a server, which builds after a save.
    share = known is not None and known.get("signature") == signature and workers > 1
    share = share and not memory.serving() and can_fork()
    listed = SharedListing(output, workers) if share else None
    try:
        assert options.now is not None
        same = unchanged(known, signature, options.now, output, listed)
    finally:
        if listed:
            listed.cancel()  # its workers reaped, whether it was asked for or not
    edited: Edited | None = None
    if not same and known is not None and not memory.serving() and not recovered:
        from aisite.bodyedit import edit

        edited = edit(options, output, cache, walk, lines, known)
    if edited is not None and known is not None:
        # Only articles' bodies changed: their pages, feeds and search parts were written.
        identity = output_identity(output)
        edited.keep(cache, known, (digest(inputs, identity), identity))
        cache.close()
        stage("bodies edited")
        return _as_known(report, known, edited.stats)
    if same and known is not None:
        # No file the site is made from changed since the last build into this folder, and
        # the folder still holds exactly the files that build left (else the build repairs it).
        cache.close()
        stage("nothing changed")
        stats = Stats(**known["stats"], unchanged=known["stats"]["files"])
        return replace(_as_known(report, known, stats), nothing_changed=True)
    # Imported only now (the model, Markdown, Jinja, Pillow, Pagefind): a build with nothing
    # to do answers without them, 0.16 s sooner (their import, best of 9 runs).
    from aisite.content import render_content
    from aisite.editrows import inputs_of, remember
    from aisite.load import load_site
    from aisite.opendata import claims_key as open_data_key
    from aisite.opendata import open_claims
    from aisite.published import verdict_changes, verdicts_of
    from aisite.render import SitePlan
    from aisite.search import start_indexing, stop_indexing
    from aisite.write import write_site

    # Listed while the content is read (the folder is ours: we hold its lock, recovered it).
    early = workers > 1 and (output / MARKER).is_file()
    present = Present(output, early, cache.records_at())
    try:
        with memory.held():
            parsed, problems = load_site(options, cache, walk)
        # A server keeps the walk with the model; a build needs it no more (its paths: 7 MB at
        # 5,000 articles, held to the end of the write before), but for what an edit of
        # articles' bodies alone compares with (bodyedit.py).
        kept_walk = walk if memory.serving() else None
        walked = None if memory.serving() or not options.use_cache else inputs_of(walk, lines)
        del lines  # (40,000 at 20,000 articles)
        walk = None
        stage("read and validate")
        # Not without the collector: Markdown makes cyclic garbage (in workers, for a cold build).
        site = render_content(parsed, problems, cache, workers)
        del parsed  # the rendered articles are made from it: not needed past this point
        gc.freeze()
        claims_file = output / urls.CLAIMS_JSON
        if problems.items:  # reported with the rest, all at once
            found = kept(cache, claims_file, as_written(cache, claims_file))
            problems.extend(verdict_changes(site, claims_file, found[0] if found else None))
        problems.raise_if_any()
        stage("markdown and claims")
        plan = SitePlan(site, options.source, cache.folder, cache.unit_rows, store=cache.put_units)
        start_indexing(plan, workers)  # in a worker, while the rest is checked, planned, written
        entries = open_claims(plan.catalog)
        claims_key = open_data_key(plan.key, site, entries)  # of the claims.json written now
        try:
            # Unless the published claims.json is the one the last build wrote from these very
            # claims (its key and the file unchanged): then no verdict can have changed silently.
            written = as_written(cache, claims_file)
            if written is None or written[0] != claims_key:
                found = kept(cache, claims_file, written)
                problems.extend(verdict_changes(site, claims_file, found[0] if found else None))
                problems.raise_if_any()
                plan.earlier_claims = found[1] if found else None
                del found  # its verdicts: not held while the site is written
            check()  # a stop a finaliser dropped while rendering: nothing is published
            # The search index last: the archive is written while a worker indexes it.
            report.stats = write_site(
                plan.outputs("first"),
                output,
                progress,
                cache,
                workers,
                present,
                published,
                last=lambda: plan.outputs("last"),
            )
        finally:
            stop_indexing(plan)
        cache.save_units(plan.units.used, plan.units.kept)
        plan.images.prune(cache.changed, cache.unused)  # cards or images changed: the old go
        stage("render and write")
        cache.prune_rendered(digest(site.fingerprint, a.path, a.fingerprint) for a in site.articles)
        lengths = plan.claims_lengths  # empty unless claims.json was made in this process
        cache.keep_published(
            claims_key,
            lambda: (
                verdicts_of(entries),
                # Made with claims.json's records in this process, or made now.
                plan.claims_keys
                if len(plan.claims_keys) == len(entries)
                else record_keys(plan.key, plan.catalog, entries),
                # Made by a worker (a first build), or kept as it was: found by a scan once.
                lengths
                if len(lengths) == len(entries)
                else written_lengths(claims_file, len(entries)),
            ),
        )
        # Inputs as they were when this build read them; the output as it is now.
        identity = output_identity(output)
        now = digest(inputs, identity)
        if walked is not None:
            remember(cache, walked, (now, identity), options, plan)
        cache.save_manifest(
            {
                "signature": now,
                # Valid while 'now' stays between the newest article shown and the next future one.
                "since": max((a.date for a in site.articles), default=EPOCH).isoformat(),
                "until": (site.next_future or FAR).isoformat(),
                "articles": len(site.articles),
                "drafts": site.skipped_drafts,
                "future": site.skipped_future,
                "shown_drafts": _drafts(site),
                "stats": {k: getattr(report.stats, k) for k in STATS},
                "listing": report.stats.listing,
            }
        )
        if kept_walk is not None:
            memory.keep_model(memory.Model(options, str(output), kept_walk, site))
    finally:
        present.cancel()
        cache.close()
        gc.unfreeze()  # back under the collector: a server builds again in this process
    report.articles = len(site.articles)
    report.skipped_drafts, report.skipped_future = site.skipped_drafts, site.skipped_future
    report.drafts = _drafts(site)
    return report


def _as_known(report: Report, known: dict[str, Any], stats: Stats) -> Report:
    """The report of a build that did not load the site: its articles as the manifest has them."""
    return replace(
        report,
        articles=known["articles"],
        skipped_drafts=tuple(known["drafts"]),
        skipped_future=tuple(known["future"]),
        drafts=tuple(known.get("shown_drafts", ())),
        stats=stats,
    )


def _drafts(site: Site) -> tuple[str, ...]:
    return tuple(sorted(a.path for a in site.articles if a.draft))
