"""The build pipeline: a flat list of stages."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from aisite.cache import Cache, digest
from aisite.content import render_content
from aisite.errors import ContentError
from aisite.load import Options, load_site
from aisite.model import Site
from aisite.render import SitePlan
from aisite.write import Stats, check_output_folder, check_paths, write_site


@dataclass
class Report:
    """What a build did, for the summary line."""

    site: Site | None = None
    stats: Stats = field(default_factory=Stats)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Total time."""
        return sum(self.timings.values())


def build_now() -> datetime:
    """'Now' for deciding which articles are in the future: SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def build(
    options: Options, output: Path, progress: Callable[[int, int], None] | None = None
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
    cache = Cache(options.source if options.use_cache else None, output, clean=options.clean)
    try:
        site, problems = load_site(options)
        stage("read and validate")
        site = render_content(site, problems, cache, workers)
        problems.raise_if_any()
        stage("markdown and claims")
        plan = SitePlan(site, options.source)
        report.stats = write_site(plan.outputs(), output, progress, cache, workers)
        stage("render and write")
        cache.prune_rendered(digest(site.fingerprint, a.path, a.fingerprint) for a in site.articles)
    finally:
        cache.close()
    report.site = site
    return report


def check(options: Options) -> Site:
    """Validate everything a build would, rendering every page in memory; writes nothing."""
    if options.now is None:
        options = replace(options, now=build_now())
    site, problems = load_site(options)
    site = render_content(site, problems)
    problems.raise_if_any()
    outputs = list(SitePlan(site, options.source).outputs())
    check_paths(outputs)
    for output in outputs:
        if output.render is not None:
            try:
                output.render()
            except ContentError as err:
                problems.extend(err.problems)
    problems.raise_if_any()
    return site


def load_only(options: Options) -> Site:
    """Read, validate and render content without planning pages (for listings)."""
    if options.now is None:
        options = replace(options, now=build_now())
    site, problems = load_site(options)
    site = render_content(site, problems)
    problems.raise_if_any()
    return site
