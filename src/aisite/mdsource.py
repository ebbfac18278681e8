"""An article's Markdown text, read again from its index.md where it is rendered and checked by its digest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aisite.errors import ContentError, Problem
from aisite.model import MarkdownText, ParsedArticle
from aisite.parse import fingerprint
from aisite.reader import normalised

# A text that is not the one parsed: the file was saved during the build. The build starts
# again once (build.py); a second change in the meantime is reported.
CHANGED = "changed while the site was being built"


def changed(problem: Problem) -> bool:
    """True for the problem of a Markdown text that is no longer the one parsed."""
    return problem.message.startswith(CHANGED)


def dropped(article: ParsedArticle) -> ParsedArticle:
    """The article without its Markdown text: a site of thousands is loaded without theirs."""
    return replace(article, body=MarkdownText(article.body.key, article.body.chars))


def markdown_of(article: ParsedArticle, root: Path) -> str:
    """The article's Markdown text: held, or read from `root` / its path as it was parsed."""
    body = article.body
    if body.held is not None:
        return body.held
    try:
        text = normalised((root / article.path).read_bytes())
    except (OSError, UnicodeDecodeError):
        text = ""
    found = text[len(text) - body.chars :] if 0 < body.chars <= len(text) else ""
    if len(found) == body.chars and fingerprint(found) == body.key:
        return found
    raise ContentError([Problem(article.path, 0, CHANGED, "build again")])
