"""An article's Markdown text, read again from its index.md where it is rendered and checked by its digest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from stat import S_ISREG

from aisite.errors import ContentError, Problem
from aisite.model import MarkdownText, ParsedArticle
from aisite.parse import fingerprint
from aisite.reader import MAX_FILE_BYTES, normalised
from aisite.retry import CHANGED  # the build is made again (retry.py)


def dropped(article: ParsedArticle) -> ParsedArticle:
    """The article without its Markdown text: a site of thousands is loaded without theirs."""
    return replace(article, body=MarkdownText(article.body.key, article.body.chars))


def markdown_of(article: ParsedArticle, root: Path) -> str:
    """The article's Markdown text: held, or read from `root` / its path as it was parsed."""
    body = article.body
    if body.held is not None:
        return body.held
    file = root / article.path
    try:  # a file the reader would refuse (too large, or no longer a file) is not read
        stat = file.stat()
        usable = S_ISREG(stat.st_mode) and stat.st_size <= MAX_FILE_BYTES
        text = normalised(file.read_bytes()) if usable else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    found = text[len(text) - body.chars :] if 0 < body.chars <= len(text) else ""
    if len(found) == body.chars and fingerprint(found) == body.key:
        return found
    hint = "it was saved while aisite read it: run aisite again"
    raise ContentError([Problem(article.path, 0, CHANGED, hint)])
