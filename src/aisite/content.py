"""Markdown rendering of all content, with claims anchored in their article's text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aisite import memory, urls
from aisite.anchor import Found, Selector
from aisite.cache import Cache
from aisite.claimmodel import ClaimText, ParsedClaim, ParsedReuse
from aisite.errors import ContentError, Problems
from aisite.i18n import Strings
from aisite.imgtags import responsive
from aisite.keys import digest
from aisite.markup import Converter
from aisite.mdsource import markdown_of
from aisite.misses import report
from aisite.model import Article, ArticleText, Page, ParsedArticle, ParsedSite, Site
from aisite.plaintext import text_of
from aisite.pool import can_fork, fork_map
from aisite.rendered import decoder, keep, text_to_json


class Renderer:
    """Holds one converter per kind of text, reused across articles."""

    def __init__(self, strings: Strings, embeds: tuple[str, ...] = (), root: str = "") -> None:
        self.strings = strings
        self.root = Path(root)  # where articles' Markdown texts are read again from
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
        text = markdown_of(article, self.root)
        body = self.body.convert(text, selectors, make_mark, make_flag)
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


PARALLEL_MIN = 48  # below this many articles to render, a process pool costs more than it saves
_pending: list[ParsedArticle] = []
_worker: Renderer | None = None
_language = "en"
_embeds: tuple[str, ...] = ()
_root = ""


def _render(renderer: Renderer, article: ParsedArticle) -> dict[str, Any]:
    local = Problems()
    return text_to_json(renderer.article(article, local), local.items)


def _render_one(index: int) -> dict[str, Any]:
    global _worker
    if _worker is None:
        _worker = Renderer(Strings(_language), _embeds, _root)
    return _render(_worker, _pending[index])


def render_articles(
    articles: list[ParsedArticle],
    strings: Strings,
    workers: int,
    embeds: tuple[str, ...] = (),
    root: str = "",
) -> Iterator[dict[str, Any]]:
    """Render articles, across processes when there are many (forked: nothing is pickled in),
    each given as soon as it is rendered, in order."""
    global _pending, _language, _embeds, _root
    if workers > 1 and len(articles) >= PARALLEL_MIN and can_fork():
        _pending, _language, _embeds, _root = articles, strings.language, embeds, root
        try:
            yield from fork_map(_render_one, len(articles), workers, chunksize=16)
        finally:
            _pending = []
        return
    renderer = Renderer(strings, embeds, root)
    for article in articles:
        yield _render(renderer, article)


def render_content(
    site: ParsedSite, problems: Problems, cache: Cache | None = None, workers: int = 1
) -> Site:
    """Render every article and page (cached by content hash), recording claims that fail to anchor."""
    strings = Strings(site.config.language)
    keys = [digest(site.fingerprint, a.path, a.fingerprint) for a in site.articles]
    origins = dict(zip(keys, (a.path for a in site.articles), strict=True))
    cached = cache.get_rendered(keys, decoder(cache, origins)) if cache and cache.texts else {}
    todo = [a for a, k in zip(site.articles, keys, strict=True) if k not in cached]
    fresh = [k for k in keys if k not in cached]
    try:
        results = render_articles(todo, strings, workers, site.config.embeds, site.root)
        made, lost = keep(fresh, results, cache, origins)
        if lost:  # the cache failed after these bodies were left to it: render them again, held
            gone = set(lost)
            again = [a for a, k in zip(site.articles, keys, strict=True) if k in gone]
            results = render_articles(again, strings, workers, site.config.embeds, site.root)
            made.update(keep(lost, results, None, origins)[0])
    except ContentError as err:  # a text saved since it was read: reported with the rest
        problems.extend(err.problems)
        raise ContentError(problems.items) from None
    articles = []
    # A server's: each article as built last time, reused while its parse and rendering are.
    built, used = memory.table("built"), {}
    for parsed, key in zip(site.articles, keys, strict=True):
        done = cached[key] if key in cached else made[key]
        problems.extend(done[1])
        last = built.get(key) if built is not None else None
        if last is not None and last[0] is parsed and last[1] is done:
            article = last[2]
        else:
            article = Article.of(parsed, done[0], done[2])
        used[key] = parsed, done, article
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
