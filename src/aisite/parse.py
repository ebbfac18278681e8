"""Pure parsing of article, page and claims files: text in, model objects and problems out."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from aisite import urls
from aisite.errors import Problems, did_you_mean
from aisite.evidence import parse_evidence
from aisite.fields import Fields, choice, is_http_url, slugify
from aisite.model import (
    CLAIM_TYPES,
    CLAIMANT_TYPES,
    Correction,
    Figure,
    ParsedArticle,
    ParsedClaim,
    ParsedPage,
    SiteConfig,
    Source,
    Term,
)
from aisite.publishing import alias_paths, cover_image
from aisite.yamlnode import YamlError, YList, YMap, YNode, parse_yaml


def term(name: str) -> Term:
    """A display name with its slug; a hash keeps apart names whose letters slugify drops."""
    slug = slugify(name)[:72].strip("-")
    kept = sum(c.isalpha() for c in slug)
    letters = sum(
        c.isalpha() for c in unicodedata.normalize("NFKD", name) if unicodedata.category(c) != "Mn"
    )
    if kept < letters:  # e.g. '中国 AI' and '日本 AI' must not both become 'ai'
        suffix = hashlib.sha1(name.casefold().encode()).hexdigest()[:8]
        slug = f"{slug}-x-{suffix}" if slug else f"x-{suffix}"
    return Term(name, slug)


def split_front_matter(path: str, text: str, problems: Problems) -> tuple[YMap | None, str]:
    """Split `---` front matter from the body; report a missing or broken block."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        problems.add(
            path, 1, "missing front matter", "start the file with a '---' line, then title: ..."
        )
        return None, text
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            break
    else:
        problems.add(path, 1, "front matter is not closed", "end it with a '---' line")
        return None, ""
    body = "\n".join(lines[index + 1 :])
    try:
        node = parse_yaml("\n".join(lines[1:index]), line_offset=1)
    except YamlError as err:
        problems.add(path, err.line, err.message)
        return None, body
    if node is None:
        node = YMap({}, 1)
    if not isinstance(node, YMap):
        problems.add(path, 2, "front matter must be a mapping of keys (title: ..., date: ...)")
        return None, body
    return node, body


def fingerprint(*texts: str) -> str:
    """A hash of the texts something is made from: keys every cache of it."""
    h = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()[:32]


def parse_article(
    path: str,
    slug: str,
    text: str,
    config: SiteConfig,
    claims_path: str = "",
    claims_text: str | None = None,
) -> tuple[ParsedArticle | None, Problems]:
    """Parse an article bundle: index.md and, when given, the text of its claims.yaml."""
    problems = Problems()
    node, body = split_front_matter(path, text, problems)
    if node is None:
        return None, problems
    f = Fields(node, path, problems)
    tz = config.tz
    title = f.text("title", required=True)
    date = f.when("date", tz, required=True)
    updated = f.when("updated", tz)
    summary = f.text("summary")
    authors = f.text_list("authors")
    tags = tuple(term(t) for t in f.text_list("tags"))
    draft = f.boolean("draft", False)
    source = _source(f, tz)
    analysis = f.text("analysis")
    corrections = _corrections(f, tz)
    image, image_alt = cover_image(f)
    aliases = alias_paths(f)
    extra = f.extra("extra")
    f.done()
    if date and updated and updated < date:
        f.error("updated", "'updated' is earlier than 'date'")
    if problems or date is None:
        return None, problems
    key = fingerprint(path, text, claims_text or "")
    claims: tuple[ParsedClaim, ...] = ()
    if claims_text is not None:
        claims = parse_claims(
            claims_path, claims_text, config, updated or date, slug, key, problems
        )
    article = ParsedArticle(
        slug=slug,
        path=path,
        url=urls.article(slug),
        fingerprint=key,
        title=title,
        date=date,
        updated=updated,
        summary=summary,
        authors=authors,
        tags=tags,
        draft=draft,
        source=source,
        corrections=tuple(sorted(corrections, key=lambda c: c.date)),
        claims_path=claims_path if claims_text is not None else "",
        files=(),
        image=image,
        image_alt=image_alt,
        image_line=f.line("image"),
        aliases=aliases,
        extra=extra,
        body_md=body,
        body_line=text.count("\n") - body.count("\n") + 1,
        analysis_md=analysis,
        claims=claims,
    )
    return article, problems


def _source(f: Fields, tz: ZoneInfo) -> Source | None:
    node = f.mapping("source")
    if node is None:
        return None
    s = Fields(node, f.path, f.problems, "source")
    title = s.text("title", required=True)
    publisher = s.text("publisher")
    url = s.text("url")
    if url and not is_http_url(url):
        s.error("url", f"source.url must be an absolute http(s) URL, not '{url}'")
    published = s.when("published", tz)
    s.done()
    return Source(title, publisher, url, published)


def _corrections(f: Fields, tz: ZoneInfo) -> list[Correction]:
    result = []
    for item in f.items("corrections"):
        if not isinstance(item, YMap):
            f.problems.add(f.path, item.line, "each correction needs 'date' and 'text'")
            continue
        c = Fields(item, f.path, f.problems, "corrections")
        when = c.when("date", tz, required=True)
        text = c.text("text", required=True)
        c.done()
        if when and text:
            result.append(Correction(when, text))
    return result


def parse_page(path: str, slug: str, text: str) -> tuple[ParsedPage | None, Problems]:
    """Parse a standalone page."""
    problems = Problems()
    node, body = split_front_matter(path, text, problems)
    if node is None:
        return None, problems
    f = Fields(node, path, problems)
    title = f.text("title", required=True)
    summary = f.text("summary")
    f.done()
    if problems:
        return None, problems
    key = fingerprint(path, text)
    first = text.count("\n") - body.count("\n") + 1
    page = ParsedPage(slug, path, urls.page(slug), key, title, summary, body, first)
    return page, problems


def parse_claims(
    path: str,
    text: str,
    config: SiteConfig,
    reviewed_default: datetime,
    article_slug: str,
    article_key: str,
    problems: Problems,
) -> tuple[ParsedClaim, ...]:
    """Parse a claims.yaml list of the article `article_slug`."""
    try:
        node = parse_yaml(text)
    except YamlError as err:
        problems.add(path, err.line, err.message)
        return ()
    if node is None:
        return ()
    if not isinstance(node, YList):
        problems.add(
            path, 1, "claims.yaml must be a list of claims (each item starting with '- id:')"
        )
        return ()
    claims: list[ParsedClaim] = []
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
        claims.append(claim)
    return tuple(claims)


def _claim(
    item: YNode,
    path: str,
    problems: Problems,
    config: SiteConfig,
    reviewed_default: datetime,
    article_slug: str,
    article_key: str,
) -> ParsedClaim | None:
    if not isinstance(item, YMap):
        problems.add(path, item.line, "each claim must be a mapping starting with 'id:'")
        return None
    f = Fields(item, path, problems)
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
    f.done()
    if not (claim_id and quote and claimant and verdict and summary and evidence):
        return None
    return ParsedClaim(
        claim_id,
        item.line,
        urls.claim(article_slug, claim_id),
        f"{article_key}#{claim_id}",
        quote,
        prefix,
        suffix,
        term(claimant),
        claimant_type,
        claim_type,
        verdict,
        summary,
        analysis,
        evidence,
        figures,
        topics,
        reviewed,
    )


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
        if label and value is not None:
            result.append(Figure(label, value, unit))
    return tuple(result)
