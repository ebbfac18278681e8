"""A claim's parts that reach beyond its article: claimant, appearances, updates, honest dates."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from aisite.claimants import find, near_miss
from aisite.claimmodel import Appearance, ClaimUpdate, Evidence, Term
from aisite.errors import did_you_mean
from aisite.fields import Fields
from aisite.siteconfig import ClaimantType, SiteConfig
from aisite.values import http_url, usable_url
from aisite.yamlnode import YMap


@lru_cache(maxsize=1 << 16)
def _registered(name: str, key: str) -> Term:
    """A registered claimant's Term, one for all the claims that name it."""
    return Term(name, key)


def claimant(
    f: Fields, config: SiteConfig, value: str, kind: ClaimantType, term: Term
) -> tuple[Term, ClaimantType, str]:
    """The claim's claimant: a registered entry (by key or name) or a free name."""
    entry = find(value, config.claimants)
    if entry is not None:
        if "claimant_type" in f.node.items and kind != entry.type:
            f.error(
                "claimant_type",
                f"claimant_type {kind} contradicts claimants.yaml, "
                f"which registers '{entry.key}' as {entry.type}",
                "remove claimant_type: the registry says who the claimant is",
            )
        return _registered(entry.name, entry.key), entry.type, entry.key
    close = near_miss(value, config.claimants)
    if close is not None:
        f.error(
            "claimant",
            f"claimant '{value}' is not registered but resembles '{close.name}' "
            f"(key '{close.key}') in content/claimants.yaml",
            f"did you mean '{close.key}'? A different claimant needs a name that cannot be mistaken for it",
        )
    return term, kind, ""


def appearances(f: Fields, config: SiteConfig) -> tuple[Appearance, ...]:
    """External places the claim was made (url required, absolute http(s))."""
    result = []
    for item in f.items("appearances"):
        if not isinstance(item, YMap):
            f.problems.add(
                f.path, item.line, "each appearance must be a mapping (url, title, publisher, date)"
            )
            continue
        a = Fields(item, f.path, f.problems, "appearances")
        url = http_url(a, "url", "appearance url", required=True)
        title = a.text("title")
        publisher = a.text("publisher")
        date = a.when("date", config.tz)
        a.done()
        if usable_url(url):
            result.append(Appearance(url, title, publisher, date))
    return tuple(result)


def updates(f: Fields, config: SiteConfig) -> tuple[ClaimUpdate, ...]:
    """Changes to the review after publication, oldest first."""
    result = []
    keys = [r.key for r in config.ratings]
    for item in f.items("updates"):
        if not isinstance(item, YMap):
            f.problems.add(
                f.path, item.line, "each update must be a mapping (date, note, previous_verdict)"
            )
            continue
        u = Fields(item, f.path, f.problems, "updates")
        date = u.when("date", config.tz, required=True)
        note = u.text("note", required=True)
        previous_key = u.text("previous_verdict")
        previous = config.rating(previous_key) if previous_key else None
        if previous_key and previous is None:
            hint = did_you_mean(previous_key, keys) or "valid verdicts: " + ", ".join(keys)
            u.error(
                "previous_verdict",
                f"updates.previous_verdict '{previous_key}' is not a verdict of site.yaml",
                hint,
            )
        u.done()
        if date and note:
            result.append(ClaimUpdate(date, note, previous, item.line))
    return tuple(sorted(result, key=lambda u: u.date))


def check_dates(
    f: Fields,
    config: SiteConfig,
    reviewed: datetime,
    evidence: tuple[Evidence, ...],
    changes: tuple[ClaimUpdate, ...],
) -> None:
    """Evidence cannot be published or read after the review (or its latest update) that cites it."""
    tz = config.tz
    latest = max([reviewed, *(u.date for u in changes)])
    limit = latest.astimezone(tz).date()
    what = "latest update" if latest != reviewed else "review"
    for item in evidence:
        for label, when in (("published", item.published), ("accessed", item.accessed)):
            if when is None or when.astimezone(tz).date() <= limit:
                continue
            f.problems.add(
                f.path,
                item.line,
                f"evidence '{item.title}' was {label} {when.astimezone(tz).date()}, after the "
                f"claim's {what} date {limit}: a review cannot rest on what did not exist yet",
                "correct the date, or date the review (reviewed:) or an updates entry "
                "no earlier than the evidence",
            )
