"""Parsing of an article's claims.yaml: its own reviews and the reviews it reuses."""

from __future__ import annotations

from datetime import datetime

from aisite import claimfields, urls
from aisite.claimmodel import CLAIM_TYPES, Figure, ParsedClaim, ParsedReuse
from aisite.errors import Problems, did_you_mean
from aisite.evidence import parse_evidence
from aisite.fields import Fields, choice
from aisite.reuse import parse_reuse
from aisite.siteconfig import CLAIMANT_TYPES, SiteConfig
from aisite.slugs import term
from aisite.yamlnode import YamlError, YList, YMap, YNode, parse_yaml


def parse_claims(
    path: str,
    text: str,
    config: SiteConfig,
    reviewed_default: datetime,
    article_slug: str,
    article_key: str,
    problems: Problems,
) -> tuple[ParsedClaim, ...]:
    """Parse a claims.yaml list of the article `article_slug`: its own reviews."""
    args = (path, text, config, reviewed_default, article_slug, article_key, problems)
    return parse_claim_list(*args)[0]


def parse_claim_list(
    path: str,
    text: str,
    config: SiteConfig,
    reviewed_default: datetime,
    article_slug: str,
    article_key: str,
    problems: Problems,
) -> tuple[tuple[ParsedClaim, ...], tuple[ParsedReuse, ...]]:
    """A claims.yaml list: the article's own reviews, and the reviews it reuses (`review:`)."""
    try:
        node = parse_yaml(text)
    except YamlError as err:
        problems.add(path, err.line, err.message, err.hint)
        return (), ()
    if node is None:
        return (), ()
    if not isinstance(node, YList):
        problems.add(
            path, 1, "claims.yaml must be a list of claims (each item starting with '- id:')"
        )
        return (), ()
    claims: list[ParsedClaim] = []
    reuses: list[ParsedReuse] = []
    seen: dict[str, int] = {}
    for item in node.items:
        claim = _claim(item, path, problems, config, reviewed_default, article_slug, article_key)
        if claim is None:
            continue
        if claim.id in seen:
            problems.add(
                path,
                claim.line,
                f"duplicate claim id '{claim.id}' (first on line {seen[claim.id]})",
            )
            continue
        seen[claim.id] = claim.line
        (reuses if isinstance(claim, ParsedReuse) else claims).append(claim)  # type: ignore[arg-type]
    return tuple(claims), tuple(reuses)


def _claim(
    item: YNode,
    path: str,
    problems: Problems,
    config: SiteConfig,
    reviewed_default: datetime,
    article_slug: str,
    article_key: str,
) -> ParsedClaim | ParsedReuse | None:
    if not isinstance(item, YMap):
        problems.add(path, item.line, "each claim must be a mapping starting with 'id:'")
        return None
    f = Fields(item, path, problems)
    if "review" in item.items:
        return parse_reuse(f, f.slug("id", required=True))
    claim_id = f.slug("id", required=True)
    quote = f.text("quote", required=True)
    prefix = f.text("prefix")
    suffix = f.text("suffix")
    claimant = f.text("claimant", required=True)
    claimant_type = choice(f, "claimant_type", CLAIMANT_TYPES, CLAIMANT_TYPES[0])
    claim_type = choice(f, "type", CLAIM_TYPES, "fact")
    verdict_key = f.text("verdict", required=True)
    verdict = config.rating(verdict_key)
    if verdict_key and verdict is None:
        keys = [r.key for r in config.ratings]
        hint = did_you_mean(verdict_key, keys)
        valid = "valid verdicts: " + ", ".join(keys)
        f.error("verdict", f"unknown verdict '{verdict_key}'; {valid}", hint)
    summary = f.text("summary", required=True)
    analysis = f.text("analysis")
    evidence = parse_evidence(f, config)
    figures = _figures(f)
    topics = tuple(term(t) for t in f.text_list("topics"))
    reviewed = f.when("reviewed", config.tz) or reviewed_default
    appearances = claimfields.appearances(f, config)
    updates = claimfields.updates(f, config)
    f.done()
    claimant_term, claimant_type, claimant_key = claimfields.claimant(
        f, config, claimant, claimant_type, term(claimant)
    )
    claimfields.check_dates(f, config, reviewed, evidence, updates)
    if not (claim_id and quote and claimant and verdict and summary and evidence):
        return None
    return ParsedClaim(
        id=claim_id,
        line=item.line,
        url=urls.claim(article_slug, claim_id),
        fingerprint=f"{article_key}#{claim_id}",
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        claimant=claimant_term,
        claimant_type=claimant_type,
        type=claim_type,
        verdict=verdict,
        summary=summary,
        analysis_md=analysis,
        evidence=evidence,
        figures=figures,
        topics=topics,
        reviewed=reviewed,
        claimant_key=claimant_key,
        appearances=appearances,
        updates=updates,
    )


MAX_FIGURE = 10**15


def _figures(f: Fields) -> tuple[Figure, ...]:
    result = []
    for item in f.items("figures"):
        if not isinstance(item, YMap):
            f.problems.add(f.path, item.line, "each figure must be a mapping {label, value, unit}")
            continue
        g = Fields(item, f.path, f.problems, "figures")
        label = g.text("label", required=True)
        value = g.number("value", required=True)
        unit = g.text("unit")
        g.done()
        if value is not None and abs(value) > MAX_FIGURE:
            # Beyond this a float loses digits: the chart and the number shown would be wrong.
            message = f"'figures.value' {value} is too large to draw faithfully (at most 10^15)"
            f.problems.add(f.path, item.line, message, "give it in a larger unit, e.g. 'trillion'")
            value = None
        if label and value is not None:
            result.append(Figure(label, value, unit))
    return tuple(result)
