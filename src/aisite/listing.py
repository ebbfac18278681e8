"""`aisite claims`: the site's claims at a glance, as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter

from aisite.catalog import Catalog, ClaimEntry
from aisite.errors import count
from aisite.model import Site
from aisite.opendata import claim_record

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def select(site: Site, verdict: str | None, claimant: str | None) -> tuple[ClaimEntry, ...]:
    """Claims filtered by verdict key and by claimant: a registry key exactly, else a name part."""
    entries = Catalog(site).claims
    if verdict:
        entries = tuple(e for e in entries if e.claim.verdict.key == verdict)
    if claimant and site.config.claimant(claimant):
        entries = tuple(e for e in entries if e.claim.claimant_key == claimant)
    elif claimant:
        needle = claimant.casefold()
        entries = tuple(e for e in entries if needle in e.claim.claimant.name.casefold())
    return entries


def as_json(site: Site, entries: tuple[ClaimEntry, ...]) -> str:
    """The claims.json records of the selected claims."""
    catalog = Catalog(site)
    records = [claim_record(site, e, catalog.sightings(e)) for e in entries]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def as_csv(site: Site, entries: tuple[ClaimEntry, ...]) -> str:
    """One row per claim."""
    out = io.StringIO()
    fields = [
        "article",
        "id",
        "verdict",
        "verdict_label",
        "claimant",
        "type",
        "quote",
        "summary",
        "claim_url",
    ]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow({k: _cell(v) for k, v in claim_record(site, entry).items()})
    return out.getvalue()


def _cell(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with ' (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_table(site: Site, entries: tuple[ClaimEntry, ...]) -> str:
    """Verdict counts, then a row per claim fitted to the terminal width."""
    width = shutil.get_terminal_size((100, 24)).columns
    counts = Counter(e.claim.verdict.key for e in entries)
    lines = [count(len(entries), "claim")]
    for rating in site.config.ratings:
        if counts[rating.key]:
            lines.append(f"  {rating.label:<18} {counts[rating.key]:>4}")
    if not entries:
        return "\n".join(lines) + "\n"
    label_width = max(len(e.claim.verdict.label) for e in entries)
    who_width = min(24, max(len(e.claim.claimant.name) for e in entries))
    where = [_where(e.article.slug, e.claim.id, 40) for e in entries]
    where_width = max(len("ARTICLE/ID"), *(len(w) for w in where))
    lines.append("")
    lines.append(
        f"{'VERDICT':<{label_width}}  {'CLAIMANT':<{who_width}}  "
        f"{'ARTICLE/ID':<{where_width}}  QUOTE"
    )
    for entry, at in zip(entries, where, strict=True):
        claim = entry.claim
        who = _cut(claim.claimant.name, who_width)
        room = max(20, width - label_width - who_width - where_width - 6)
        lines.append(
            f"{claim.verdict.label:<{label_width}}  {who:<{who_width}}  "
            f"{at:<{where_width}}  {_cut(claim.text, room)}"
        )
    return "\n".join(lines) + "\n"


def _where(slug: str, claim_id: str, limit: int) -> str:
    """'article-slug/claim-id', the slug shortened to fit `limit`: the id is never cut."""
    where = f"{slug}/{claim_id}"
    if len(where) <= limit:
        return where
    return f"{_cut(slug, max(8, limit - len(claim_id) - 1))}/{claim_id}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
