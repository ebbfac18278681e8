"""A claim's evidence items: parsing, the site's evidence policy and archive suggestions."""

from __future__ import annotations

from datetime import datetime

from aisite.claimmodel import STANCES, Evidence
from aisite.fields import Fields, choice, is_http_url
from aisite.siteconfig import SiteConfig
from aisite.textfragment import fragment_url
from aisite.values import http_url, usable_url
from aisite.yamlnode import YMap


def parse_evidence(f: Fields, config: SiteConfig) -> tuple[Evidence, ...]:
    """The `evidence` list of a claim; every item needs a title and an http(s) url."""
    items = f.items("evidence", required=True)
    if "evidence" in f.node.items and not items:
        f.error("evidence", "a claim needs at least one evidence item")
    result = []
    for item in items:
        if not isinstance(item, YMap):
            f.problems.add(
                f.path, item.line, "each evidence item must be a mapping (title, url, ...)"
            )
            continue
        e = Fields(item, f.path, f.problems, "evidence")
        title = e.text("title", required=True)
        url = http_url(e, "url", "evidence url", required=True)
        publisher = e.text("publisher")
        published = e.when("published", config.tz)
        archived = http_url(e, "archived_url", "archived_url")
        stance = choice(e, "stance", STANCES, "context")
        quote = e.text("quote")
        accessed = e.when("accessed", config.tz)
        e.done()
        _check_policy(e, config, url, archived, accessed)
        if title and usable_url(url):
            link = fragment_url(url, quote)
            lines = (item.line, e.line("archived_url"))
            result.append(
                Evidence(
                    title,
                    url,
                    publisher,
                    published,
                    archived,
                    stance,
                    quote,
                    accessed,
                    link,
                    *lines,
                )
            )
    return tuple(result)


def _check_policy(
    e: Fields, config: SiteConfig, url: str, archived: str, accessed: datetime | None
) -> None:
    """site.yaml `evidence:` requirements, reported at the item's first line."""
    policy, line = config.evidence, e.node.line
    dated = "accessed" in e.node.items  # a malformed date has its own message already
    if policy.require_accessed and not dated:
        e.problems.add(
            e.path,
            line,
            "evidence item has no accessed date (site.yaml: evidence.require_accessed)",
            "add accessed: YYYY-MM-DD, the day the editors read the source",
        )
    if policy.require_archive and not archived:
        hint = ""
        if is_http_url(url):
            hint = (
                f"e.g. archived_url: {wayback(url, accessed)}, the copy nearest the accessed date"
                if accessed
                else f"find or save a copy at https://web.archive.org/web/*/{url}"
            )
        e.problems.add(
            e.path,
            line,
            "evidence item has no archived_url (site.yaml: evidence.require_archive)",
            hint,
        )


def wayback(url: str, when: datetime) -> str:
    """The Wayback Machine's address of its copy of `url` nearest a date."""
    return f"https://web.archive.org/web/{when:%Y%m%d}/{url}"
