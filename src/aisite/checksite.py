"""`aisite check` and listings: content validated, every page rendered in memory, nothing written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aisite import urls
from aisite.build import build_now
from aisite.errors import ContentError, Problems
from aisite.model import Site
from aisite.options import Options
from aisite.outputcheck import check_paths
from aisite.published import verdict_changes


def load_only(options: Options) -> Site:
    """Read, validate and render content without planning pages (for listings)."""
    from aisite.content import render_content
    from aisite.load import load_site

    if options.now is None:
        options = replace(options, now=build_now())
    parsed, problems = load_site(options)
    site = render_content(parsed, problems)
    problems.raise_if_any()
    return site


def check(options: Options, against: Path | None = None) -> Site:
    """Validate everything a build would, rendering every page in memory; writes nothing."""
    from aisite.render import SitePlan

    site = load_only(options)
    plan = SitePlan(site, options.source)
    outputs = list(plan.outputs("first"))
    problems = Problems()
    try:
        outputs += plan.outputs("last")  # then the menu is checked
    except ContentError as err:  # reported with the pages' problems, as a build does
        problems.extend(err.problems)
    check_paths(outputs)
    if against is not None:
        problems.extend(verdict_changes(site, against, usage=True))
    else:
        problems.extend(verdict_changes(site, options.source / "site" / urls.CLAIMS_JSON))
    for output in outputs:
        if output.render is not None:
            try:
                output.render()
            except ContentError as err:
                problems.extend(err.problems)
    problems.raise_if_any()
    return site
