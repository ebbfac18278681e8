"""claims.json: every claim as open data, with its appearances and updates."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any

from aisite import urls
from aisite.catalog import Catalog, ClaimEntry, Sighting
from aisite.jsontext import indented
from aisite.keys import digest
from aisite.model import Site
from aisite.openrecords import Earlier, record_keys, record_pieces

__all__ = ["claim_record", "claims_json", "claims_key", "claims_pieces", "open_claims"]


def claim_record(
    site: Site, entry: ClaimEntry, sightings: Sequence[Sighting] = ()
) -> dict[str, Any]:
    """One claim as open data: its claims.yaml fields plus URLs and verdict label and value."""
    claim, base = entry.claim, site.config.base_url
    return {
        "id": claim.id,
        "article": entry.article.slug,
        "article_url": base + entry.article.url,
        "claim_url": base + entry.url,
        "quote": claim.quote,
        "prefix": claim.prefix,
        "suffix": claim.suffix,
        "claimant": claim.claimant.name,
        "claimant_key": claim.claimant_key or None,
        "claimant_type": claim.claimant_type,
        "type": claim.type,
        "verdict": claim.verdict.key,
        "verdict_label": claim.verdict.label,
        "verdict_value": claim.verdict.value,
        "summary": claim.summary,
        "analysis": claim.analysis_md,
        "evidence": [
            {
                "title": e.title,
                "url": e.url,
                "publisher": e.publisher,
                "published": e.published.date().isoformat() if e.published else None,
                "archived_url": e.archived_url,
                "stance": e.stance,
                "quote": e.quote,
                "accessed": e.accessed.date().isoformat() if e.accessed else None,
                "passage_url": e.link if e.quote else "",
            }
            for e in claim.evidence
        ],
        "figures": [{"label": f.label, "value": f.value, "unit": f.unit} for f in claim.figures],
        "topics": [t.name for t in claim.topics],
        "reviewed": claim.reviewed.date().isoformat() if claim.reviewed else None,
        "appearances": [
            {
                "url": s.url or (base + s.article.url if s.article else ""),
                "title": s.title,
                "publisher": s.publisher,
                "date": s.date.date().isoformat() if s.date else None,
                "article": s.article.slug if s.article else None,
                "passage_url": base + s.article.url + "#" + urls.claim_mark_id(s.anchor)
                if s.article
                else None,
            }
            for s in sightings
        ],
        "updates": [
            {
                "date": u.date.date().isoformat(),
                "note": u.note,
                "previous_verdict": u.previous_verdict.key if u.previous_verdict else None,
            }
            for u in claim.updates
        ],
    }


def claims_json(site: Site, catalog: Catalog, entries: Sequence[ClaimEntry]) -> bytes:
    """claims.json: the given claims (every published one), newest review first."""
    return b"".join(claims_pieces(site, catalog, entries))


def claims_pieces(
    site: Site,
    catalog: Catalog,
    entries: Sequence[ClaimEntry],
    site_key: str = "",
    earlier: Earlier | None = None,
    lengths: array[int] | None = None,
    kept_keys: list[str] | None = None,
) -> Iterator[bytes]:
    """claims.json a claim at a time: the bytes of json.dumps(..., indent=2) of the whole
    document (the dictionaries of every claim at once took about 110 MB at 5,000 articles).
    A record whose key (`site_key` and the claim's inputs) the `earlier` file has is copied
    from it (making every record took 0.3 s at 5,000 articles, for a claims edit). Each
    record's length in bytes goes to `lengths`, and its key (made only to compare with the
    earlier file's) to `kept_keys`: the cache keeps both for the next build."""
    head = {
        "site": site.config.title,
        "base_url": site.config.base_url,
        "ratings": [
            {"key": r.key, "label": r.label, "value": r.value, "description": r.description}
            for r in site.config.ratings
        ],
        "claims": [],
    }
    text = indented(head)
    if not entries:
        yield (text + "\n").encode()
        return
    # The empty list is last: its `[]` is replaced by the records, indented two levels (indent=2
    # breaks lines only between values; a string's newlines are escaped, so each line moves).
    assert text.endswith('"claims": []\n}')
    yield text[: -len("]\n}")].encode()

    def make(n: int) -> str:
        return indented(claim_record(site, entries[n], catalog.sightings(entries[n])), "    ")

    # Without an earlier file no key is needed: every record is made.
    keys: Iterable[str] = repeat("", len(entries))
    if earlier:
        keys = list(record_keys(site_key, catalog, entries))
        if kept_keys is not None:
            kept_keys[:] = keys
    yield from record_pieces(keys, earlier, make, lengths)
    yield b"\n  ]\n}\n"


def claims_key(site_key: str, site: Site, entries: Sequence[ClaimEntry]) -> str:
    """What claims.json depends on: its claims in order, each article without its body.

    A record shows claims.yaml, the article's front matter (reviewed dates, the story it
    analyses) and its URL, and the same of every article that reuses the claim; the body only
    orders an article's claims, and the order is part of the key.
    """
    # A reusing article's reuses in body order: two of one review list its passages in that order.
    reusing = (
        f"{a.url}|{a.meta_fingerprint}|{' '.join(r.id for r in a.reuses)}"
        for a in site.articles
        if a.reuses
    )
    shown = (f"{e.article.url}|{e.claim.id}|{e.article.meta_fingerprint}" for e in entries)
    return digest(site_key, "claims", *shown, "reused", *reusing)


def open_claims(catalog: Catalog) -> tuple[ClaimEntry, ...]:
    """The claims claims.json shows: every published one (drafts built with --drafts stay out)."""
    return tuple(e for e in catalog.claims if not e.article.draft)
