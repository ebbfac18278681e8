"""Markdown rendering of all content, with claims anchored in their article's text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

from aisite.anchor import Found, Selector
from aisite.errors import Problems
from aisite.markup import Converter
from aisite.model import Article, Claim, Site


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


def render_content(site: Site, problems: Problems) -> Site:
    """Render every article and page, recording claims that fail to anchor."""
    renderer = Renderer()
    articles = tuple(renderer.article(a, problems) for a in site.articles)
    pages = []
    for page in site.pages:
        rendered = renderer.body.convert(page.body_md)
        if rendered.error:
            problems.add(page.path, 1, rendered.error)
        pages.append(
            replace(page, body_html=rendered.html, summary=page.summary or rendered.first_paragraph)
        )
    return replace(site, articles=articles, pages=tuple(pages))
