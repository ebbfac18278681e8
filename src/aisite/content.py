"""Markdown rendering of all content, with claims anchored in their article's text."""

from __future__ import annotations

import multiprocessing as mp
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from aisite.anchor import Found, Selector
from aisite.cache import Cache, digest
from aisite.errors import Problem, Problems
from aisite.markup import Converter
from aisite.model import Article, Claim, Site
from aisite.write import die_with_parent


class Renderer:
    """Holds one converter per kind of text, reused across articles."""

    def __init__(self) -> None:
        self.body = Converter()
        self.analysis = Converter("analysis-")
        self.note = Converter("note-")

    def article(self, article: Article, problems: Problems) -> Article:
        """Render an article's body (anchoring its claims), analysis and claim analyses."""
        verdicts = {c.id: c.verdict for c in article.claims}

        def make_mark(key: str, first: bool) -> ET.Element:
            mark = ET.Element(
                "mark", {"class": f"claim verdict-{verdicts[key].key}", "data-claim": key}
            )
            if first:
                mark.set("id", f"claim-{key}")
            return mark

        def make_flag(key: str) -> ET.Element:
            flag = ET.Element(
                "a",
                {
                    "class": f"claim-flag verdict-{verdicts[key].key}",
                    "href": f"#review-{key}",
                    "data-claim": key,
                },
            )
            hidden = ET.SubElement(flag, "span", {"class": "visually-hidden"})
            hidden.text = "Claim reviewed: "
            hidden.tail = verdicts[key].label
            return flag

        selectors = [Selector(c.id, c.quote, c.prefix, c.suffix) for c in article.claims]
        body = self.body.convert(article.body_md, selectors, make_mark, make_flag)
        if body.error:
            problems.add(article.path, 1, body.error)
        by_id = {c.id: c for c in article.claims}
        for missed in body.missed:
            claim = by_id[missed.key]
            if missed.count == 0:
                hint = f'did you mean "{missed.closest}"?' if missed.closest else ""
                problems.add(
                    article.claims_path,
                    claim.line,
                    f"claim '{claim.id}': quote not found in the text of {article.path}",
                    hint,
                )
            else:
                problems.add(
                    article.claims_path,
                    claim.line,
                    f"claim '{claim.id}': quote found {missed.count} times in the article text",
                    "add a 'prefix' or 'suffix' to say which one is meant",
                )
        for first, second in body.overlaps:
            problems.add(
                article.claims_path,
                by_id[second].line,
                f"claim '{second}': quote overlaps the quote of claim '{first}' (line {by_id[first].line})",
                "quotes of different claims must not share text",
            )
        order = {f.key: i for i, f in enumerate(body.found)}
        found = {f.key: f for f in body.found}
        claims = tuple(
            self._claim(c, found.get(c.id), article.claims_path, problems)
            for c in sorted(article.claims, key=lambda c: order.get(c.id, 0))
        )
        analysis = self.markdown(self.analysis, article.analysis_md, article.path, 1, problems)
        return replace(
            article,
            claims=claims,
            body_html=body.html,
            toc_html=body.toc,
            analysis_html=analysis,
            summary=article.summary or body.first_paragraph,
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
        return rendered.html

    def _claim(self, claim: Claim, found: Found | None, path: str, problems: Problems) -> Claim:
        html = self.markdown(self.note, claim.analysis_md, path, claim.line, problems)
        return replace(
            claim,
            analysis_html=html,
            matched=found.quote if found else "",
            context_before=found.before if found else "",
            context_after=found.after if found else "",
        )


Fields = dict[str, Any]
PARALLEL_MIN = 48  # below this many articles to render, a process pool costs more than it saves
_pending: list[Article] = []
_worker: Renderer | None = None


def article_fields(renderer: Renderer, article: Article) -> Fields:
    """An article's rendered text and problems, as plain data for the cache and for workers."""
    local = Problems()
    done = renderer.article(article, local)
    return {
        "body": done.body_html,
        "toc": done.toc_html,
        "analysis": done.analysis_html,
        "summary": done.summary,
        "claims": [
            [c.id, c.analysis_html, c.matched, c.context_before, c.context_after]
            for c in done.claims
        ],
        "problems": [[p.path, p.line, p.message, p.hint] for p in local.items],
    }


def apply_fields(article: Article, fields: Fields, problems: Problems) -> Article:
    """The article with its rendered text; its problems recorded."""
    by_id = {c.id: c for c in article.claims}
    claims = tuple(
        replace(
            by_id[cid],
            analysis_html=html,
            matched=matched,
            context_before=before,
            context_after=after,
        )
        for cid, html, matched, before, after in fields["claims"]
    )
    problems.extend(
        Problem(path, line, message, hint) for path, line, message, hint in fields["problems"]
    )
    return replace(
        article,
        claims=claims,
        body_html=fields["body"],
        toc_html=fields["toc"],
        analysis_html=fields["analysis"],
        summary=fields["summary"],
    )


def _render_one(index: int) -> Fields:
    global _worker
    if _worker is None:
        _worker = Renderer()
    return article_fields(_worker, _pending[index])


def render_articles(articles: list[Article], workers: int) -> list[Fields]:
    """Render articles, across processes when there are many (forked: nothing is pickled in)."""
    global _pending
    if workers > 1 and len(articles) >= PARALLEL_MIN and "fork" in mp.get_all_start_methods():
        _pending = articles
        try:
            with mp.get_context("fork").Pool(workers, initializer=die_with_parent) as pool:
                return pool.map(_render_one, range(len(articles)), chunksize=16)
        finally:
            _pending = []
    renderer = Renderer()
    return [article_fields(renderer, a) for a in articles]


def render_content(
    site: Site, problems: Problems, cache: Cache | None = None, workers: int = 1
) -> Site:
    """Render every article and page (cached by content hash), recording claims that fail to anchor."""
    keys = [digest(site.fingerprint, a.path, a.fingerprint) for a in site.articles]
    cached = cache.get_rendered(keys) if cache else {}
    todo = [a for a, k in zip(site.articles, keys, strict=True) if k not in cached]
    fresh = dict(
        zip((k for k in keys if k not in cached), render_articles(todo, workers), strict=True)
    )
    if cache:
        cache.put_rendered(fresh)
    articles = tuple(
        apply_fields(a, cached.get(k) or fresh[k], problems)
        for a, k in zip(site.articles, keys, strict=True)
    )
    renderer = Renderer()
    pages = []
    for page in site.pages:
        rendered = renderer.body.convert(page.body_md)
        if rendered.error:
            problems.add(page.path, 1, rendered.error)
        pages.append(
            replace(page, body_html=rendered.html, summary=page.summary or rendered.first_paragraph)
        )
    return replace(site, articles=articles, pages=tuple(pages))
