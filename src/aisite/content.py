"""Markdown rendering of all content, with claims anchored in their article's text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aisite import memory, urls
from aisite.anchor import Found, Selector
from aisite.bodies import Body, BodyRef
from aisite.cache import Cache
from aisite.cachecodec import CacheFormatError, from_data
from aisite.claimmodel import ClaimText, ParsedClaim, ParsedReuse
from aisite.errors import Problem, Problems
from aisite.i18n import Strings
from aisite.imgtags import responsive
from aisite.keys import digest
from aisite.markup import Converter
from aisite.misses import report
from aisite.model import Article, ArticleText, Page, ParsedArticle, ParsedSite, Site
from aisite.plaintext import text_of
from aisite.pool import can_fork, fork_map


class Renderer:
    """Holds one converter per kind of text, reused across articles."""

    def __init__(self, strings: Strings, embeds: tuple[str, ...] = ()) -> None:
        self.strings = strings
        self.body = Converter(embeds=embeds)
        self.analysis = Converter("analysis-", embeds)
        self.note = Converter("note-", embeds)

    def article(self, article: ParsedArticle, problems: Problems) -> ArticleText:
        """Render an article's body (anchoring its claims), analysis and claim analyses."""
        verdicts = {c.id: c.verdict for c in article.claims}
        # A reused review's flag leads to its page in the other article (no second claim page).
        links = {c.id: "#" + urls.review_id(c.id) for c in article.claims}
        for reuse in article.reuses:
            if reuse.verdict is not None:
                verdicts[reuse.id] = reuse.verdict
                links[reuse.id] = urls.relative(article.url, reuse.target_url)
        flag_label = self.strings("flag.label")

        def make_mark(key: str, first: bool) -> ET.Element:
            mark = ET.Element(
                "mark", {"class": f"claim verdict-{verdicts[key].key}", "data-claim": key}
            )
            if first:
                mark.set("id", urls.claim_mark_id(key))
            return mark

        def make_flag(key: str) -> ET.Element:
            flag = ET.Element(
                "a",
                {
                    "class": f"claim-flag verdict-{verdicts[key].key}",
                    "href": links[key],
                    "data-claim": key,
                },
            )
            hidden = ET.SubElement(flag, "span", {"class": "visually-hidden"})
            hidden.text = flag_label
            hidden.tail = verdicts[key].label
            return flag

        anchored: list[ParsedClaim | ParsedReuse] = [
            *article.claims,
            *(r for r in article.reuses if r.verdict is not None),
        ]
        selectors = [Selector(c.id, c.quote, c.prefix, c.suffix) for c in anchored]
        body = self.body.convert(article.body_md, selectors, make_mark, make_flag)
        if body.error:
            at = body.error_line + article.body_line - 1 if body.error_line else 1
            problems.add(article.path, at, body.error)
        for line, message, hint in body.embeds:
            problems.add(article.path, line + article.body_line - 1, message, hint)
        by_id = {c.id: c for c in anchored}
        report(body.missed, body.overlaps, by_id, (article.claims_path, article.path), problems)
        order = {f.key: i for i, f in enumerate(body.found)}
        found = {f.key: f for f in body.found}
        claims = tuple(
            self._claim(c, found.get(c.id), article.claims_path, problems)
            for c in sorted(article.claims, key=lambda c: order.get(c.id, 0))
        )
        reused = tuple(
            ClaimText(r.id, "", *_seen(found.get(r.id)), "")
            for r in sorted(article.reuses, key=lambda r: order.get(r.id, 0))
            if r.verdict is not None
        )
        analysis = self.markdown(self.analysis, article.analysis_md, article.path, 1, problems)
        return ArticleText(
            body_html=responsive(body.html, article.pictures),
            toc_html=body.toc,
            analysis_html=analysis,
            summary=article.summary or body.first_paragraph,
            search_text=f"{text_of(analysis)} {text_of(body.html)}",
            claims=claims,
            reused=reused,
            marks=tuple(f.key for f in body.found),
        )

    def markdown(
        self, converter: Converter, text: str, path: str, line: int, problems: Problems
    ) -> str:
        """Convert optional markdown, recording a failure at path:line."""
        if not text:
            return ""
        rendered = converter.convert(text)
        if rendered.error:
            problems.add(path, line, rendered.error)
        for _, message, hint in rendered.embeds:
            problems.add(path, line, message, hint)
        return rendered.html

    def _claim(
        self, claim: ParsedClaim, found: Found | None, path: str, problems: Problems
    ) -> ClaimText:
        html = self.markdown(self.note, claim.analysis_md, path, claim.line, problems)
        return ClaimText(
            id=claim.id,
            analysis_html=html,
            matched=found.quote if found else "",
            context_before=found.before if found else "",
            context_after=found.after if found else "",
            analysis_text=text_of(html),
        )


def _seen(found: Found | None) -> tuple[str, str, str]:
    """The quote as found and its context, or empty strings."""
    return (found.quote, found.before, found.after) if found else ("", "", "")


def text_to_json(text: ArticleText, problems: list[Problem]) -> dict[str, Any]:
    """An article's rendered text and its problems as plain data, for the cache and for workers."""
    return {"text": asdict(text), "problems": [asdict(p) for p in problems]}


def text_from_json(data: dict[str, Any]) -> tuple[ArticleText, list[Problem]]:
    """The inverse of text_to_json; CacheFormatError when `data` is not of that shape."""
    if not isinstance(data, dict) or set(data) != {"text", "problems"}:
        raise CacheFormatError("not a rendered article")
    return from_data(ArticleText, data["text"]), list(from_data(_Problems, data["problems"]))


def body_of(text: ArticleText) -> Body:
    """The large parts of a rendered text."""
    claims = {c.id: (c.analysis_html, c.analysis_text) for c in text.claims}
    return Body(text.body_html, text.toc_html, text.analysis_html, text.search_text, claims)


def without_body(data: dict[str, Any]) -> dict[str, Any]:
    """text_to_json's data with the large parts left empty: what every build decodes."""
    text = dict(data["text"])
    text.update(body_html="", toc_html="", analysis_html="", search_text="")
    text["claims"] = [{**c, "analysis_html": "", "analysis_text": ""} for c in text["claims"]]
    return {"text": text, "problems": data["problems"]}


_Problems = tuple[Problem, ...]
PARALLEL_MIN = 48  # below this many articles to render, a process pool costs more than it saves
_pending: list[ParsedArticle] = []
_worker: Renderer | None = None
_language = "en"
_embeds: tuple[str, ...] = ()


def _render(renderer: Renderer, article: ParsedArticle) -> dict[str, Any]:
    local = Problems()
    return text_to_json(renderer.article(article, local), local.items)


def _render_one(index: int) -> dict[str, Any]:
    global _worker
    if _worker is None:
        _worker = Renderer(Strings(_language), _embeds)
    return _render(_worker, _pending[index])


def render_articles(
    articles: list[ParsedArticle], strings: Strings, workers: int, embeds: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Render articles, across processes when there are many (forked: nothing is pickled in)."""
    global _pending, _language, _embeds
    if workers > 1 and len(articles) >= PARALLEL_MIN and can_fork():
        _pending, _language, _embeds = articles, strings.language, embeds
        try:
            return list(fork_map(_render_one, len(articles), workers, chunksize=16))
        finally:
            _pending = []
    renderer = Renderer(strings, embeds)
    return [_render(renderer, a) for a in articles]


Rendered = tuple[ArticleText, list[Problem], BodyRef]  # the text's large parts left to `BodyRef`


def _cached(cache: Cache, origins: dict[str, str]) -> Callable[[str, Any], Rendered]:
    """Decode a cached rendering; its body is read when first used, or now in a server (whose
    model outlives the build, and whose cache a build of the same site may prune meanwhile)."""
    texts, serving = cache.texts, memory.table("rendered") is not None
    assert texts is not None  # rows come from a cache that has a database

    def decode(key: str, data: Any) -> Rendered:
        text, found = text_from_json(data)
        body = BodyRef(key=key, texts=texts, origin=origins[key])
        return text, found, body.pin() if serving else body

    return decode


def render_content(
    site: ParsedSite, problems: Problems, cache: Cache | None = None, workers: int = 1
) -> Site:
    """Render every article and page (cached by content hash), recording claims that fail to anchor."""
    strings = Strings(site.config.language)
    keys = [digest(site.fingerprint, a.path, a.fingerprint) for a in site.articles]
    origins = dict(zip(keys, (a.path for a in site.articles), strict=True))
    cached = cache.get_rendered(keys, _cached(cache, origins)) if cache and cache.texts else {}
    todo = [a for a, k in zip(site.articles, keys, strict=True) if k not in cached]
    fresh = dict(
        zip(
            (k for k in keys if k not in cached),
            render_articles(todo, strings, workers, site.config.embeds),
            strict=True,
        )
    )
    made: dict[str, Rendered] = {}
    for key, data in fresh.items():
        text, found = text_from_json(data)
        made[key] = text, found, BodyRef(body_of(text))
    if cache:
        stored = cache.put_rendered(
            {k: without_body(data) for k, data in fresh.items()},
            ((k, ref.get().to_json()) for k, (_, _, ref) in made.items()),
            made,
        )
        if stored and cache.texts and not cache.clean and memory.table("rendered") is None:
            # Stored: read again when used, like the cached ones (a cold build holds no text;
            # --clean, also a build again after a damaged cache, reads nothing back from it).
            for key, (text, found, _) in made.items():
                made[key] = text, found, BodyRef(key=key, texts=cache.texts, origin=origins[key])
    articles = []
    # A server's: each article as built last time, reused while its parse and rendering are.
    built, used = memory.table("built"), {}
    for parsed, key in zip(site.articles, keys, strict=True):
        rendered = cached[key] if key in cached else made[key]
        problems.extend(rendered[1])
        last = built.get(key) if built is not None else None
        if last is not None and last[0] is parsed and last[1] is rendered:
            article = last[2]
        else:
            article = Article.of(parsed, rendered[0], rendered[2])
        used[key] = parsed, rendered, article
        articles.append(article)
    if built is not None:
        built.clear()
        built.update(used)
    renderer = Renderer(strings, site.config.embeds)
    pages = []
    for page in site.pages:
        rendered = renderer.body.convert(page.body_md)
        if rendered.error:
            at = rendered.error_line + page.body_line - 1 if rendered.error_line else 1
            problems.add(page.path, at, rendered.error)
        for line, message, hint in rendered.embeds:
            problems.add(page.path, line + page.body_line - 1, message, hint)
        pages.append(
            Page(
                slug=page.slug,
                path=page.path,
                url=page.url,
                fingerprint=page.fingerprint,
                title=page.title,
                summary=page.summary or rendered.first_paragraph,
                body_html=rendered.html,
            )
        )
    return Site(
        config=site.config,
        static=site.static,
        skipped_drafts=site.skipped_drafts,
        skipped_future=site.skipped_future,
        fingerprint=site.fingerprint,
        next_future=site.next_future,
        articles=tuple(articles),
        pages=tuple(pages),
    )
