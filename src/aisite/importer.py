"""`aisite import`: a plain-text news story turned into an article bundle."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aisite.fields import slugify

# Lines that page templates add around a copied story: comment boxes, sharing, newsletters.
FURNITURE = re.compile(
    r"^(post a comment|leave a (comment|reply)|\d+ comments?|comments?( \(\d+\))?|share( this| on .*)?|"
    r"tweet|email|print|related (posts|articles|stories)|read more|subscribe.*|sign up.*|"
    r"follow us.*|advertisement|click here.*|you may also like.*|tags?:.*|labels?:.*)\b",
    re.IGNORECASE,
)
_ESCAPE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^(#|>|[-+*] |\d+[.)] |={3,}|-{3,})")


@dataclass
class Story:
    """A story split into title, headings and paragraphs, with what was dropped."""

    title: str
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("h2" | "p", text)
    dropped: list[str] = field(default_factory=list)


def parse_story(text: str) -> Story:
    """Title from the first line; short standalone lines become headings; furniture at the end is dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    head, rest = (lines[0], lines[1:]) if lines else ("", [])
    inner = "\n".join(rest).strip("\n")
    if inner.count("\n\n") >= 2:
        # Paragraphs separated by blank lines (possibly wrapped over several lines).
        chunks = [head, *(" ".join(part.split()) for part in re.split(r"\n\s*\n", inner))]
    else:
        chunks = [head, *inner.split("\n")]
    chunks = [c for c in chunks if c]
    if not chunks:
        return Story("")
    story = Story(chunks[0])
    body = chunks[1:]
    while body and FURNITURE.match(body[-1]):
        story.dropped.insert(0, body.pop())
    for index, chunk in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else ""
        kind = "h2" if _is_heading(chunk, following) else "p"
        story.blocks.append((kind, chunk))
    return story


def _is_heading(line: str, following: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 10
        and len(line) <= 80
        and line[-1] not in ".!?:;,\"'”’)"
        and line[0].isupper()
        and len(following) > len(line)
    )


def to_markdown(story: Story, date: str) -> str:
    """The bundle's index.md: front matter plus the story with its paragraphs kept."""
    title = story.title.replace("\\", "\\\\").replace('"', '\\"')
    lines = [
        "---",
        f'title: "{title}"',
        f"date: {date}",
        "draft: true",
        "source:",
        f'  title: "{title}"',
        "---",
    ]
    for kind, text in story.blocks:
        lines.append("")
        lines.append(("## " if kind == "h2" else "") + _escape(text))
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    # '&amp;' in the story must stay '&amp;' on the page, not become '&'.
    escaped = _ENTITY.sub("&amp;", _ESCAPE.sub(r"\\\1", text)).replace("<", "&lt;")
    return "\\" + escaped if _BLOCK_START.match(escaped) else escaped


def default_slug(title: str) -> str:
    """A slug from the title, cut at a word boundary to at most 80 characters."""
    slug = slugify(title)
    while len(slug) > 80 and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:80] or "imported-story"
