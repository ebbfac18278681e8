"""Pure parsing of article, page and claims files: text in, model objects and problems out."""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from aisite import urls
from aisite.claimmodel import ParsedClaim, ParsedReuse
from aisite.claimsfile import parse_claim_list, parse_claims
from aisite.errors import Problems
from aisite.fields import Fields
from aisite.model import Correction, MarkdownText, ParsedArticle, ParsedPage, Source
from aisite.publishing import alias_paths, cover_image
from aisite.siteconfig import SiteConfig
from aisite.slugs import term
from aisite.values import http_url
from aisite.yamlnode import YamlError, YMap, parse_yaml

__all__ = ["parse_article", "parse_claims", "parse_page", "split_front_matter", "term"]


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
        problems.add(path, err.line, err.message, err.hint)
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
        if claims_text is not None:  # every problem at once: the claims are checked all the same
            reviewed = updated or date or datetime(1970, 1, 1, tzinfo=tz)
            parse_claim_list(claims_path, claims_text, config, reviewed, slug, "", problems)
        return None, problems
    key = fingerprint(path, text, claims_text or "")
    claims: tuple[ParsedClaim, ...] = ()
    reuses: tuple[ParsedReuse, ...] = ()
    if claims_text is not None:
        claims, reuses = parse_claim_list(
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
        claims_updated=max((c.modified for c in claims if c.modified), default=None),
        meta_fingerprint=fingerprint(path, text[: len(text) - len(body)], claims_text or ""),
        body=MarkdownText(fingerprint(body), len(body), body),
        body_line=text.count("\n") - body.count("\n") + 1,
        analysis_md=analysis,
        claims=claims,
        reuses=reuses,
    )
    return article, problems


def _source(f: Fields, tz: ZoneInfo) -> Source | None:
    node = f.mapping("source")
    if node is None:
        return None
    s = Fields(node, f.path, f.problems, "source")
    title = s.text("title", required=True)
    publisher = s.text("publisher")
    url = http_url(s, "url", "source.url")
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
