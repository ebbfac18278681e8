"""`aisite import`: a plain-text news story turned into an article bundle."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from aisite.slugs import slugify
from aisite.storymeta import byline, date_line, photo_credit
from aisite.yamlnode import quoted

# Lines that page templates add around a copied story: comment boxes, sharing, newsletters.
FURNITURE = re.compile(
    r"^(post a comment|leave a (comment|reply)|\d+ comments?|comments?( \(\d+\))?|share( this| on .*)?|"
    r"tweet|email|print|related (posts|articles|stories)|read more|subscribe.*|sign up.*|"
    r"follow us.*|advertisement|click here.*|you may also like.*|tags?:.*|labels?:.*)\b",
    re.IGNORECASE,
)
_ESCAPE = re.compile(r"([\\`*_\[\]])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BLOCK_START = re.compile(r"^(#|>|[-+*] |={3,}|-{3,})")
_NUMBERED = re.compile(r"^\d+(?=[.)]\s)")  # '1. ' would start a list: written '1\. '


@dataclass
class Story:
    """A story split into title, headings and paragraphs, with what was dropped."""

    title: str
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("h2" | "p", text)
    dropped: list[str] = field(default_factory=list)
    authors: tuple[str, ...] = ()  # from a byline
    published: date | None = None  # from a date line
    kept_out: list[tuple[str, str]] = field(default_factory=list)  # (what it is, the line)


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
        chunks = [head]
        for part in re.split(r"\n\s*\n", inner):
            chunks.extend(_paragraphs(part))
    else:
        chunks = [head, *inner.split("\n")]
    chunks = [c for c in chunks if c]
    if not chunks:
        return Story("")
    story = Story(chunks[0])
    body = chunks[1:]
    while body and FURNITURE.match(body[-1]):
        story.dropped.insert(0, body.pop())
    body = [chunk for chunk in body if not _about_the_story(story, chunk)]
    for index, chunk in enumerate(body):
        following = body[index + 1] if index + 1 < len(body) else ""
        kind = "h2" if _is_heading(chunk, following) else "p"
        story.blocks.append((kind, chunk))
    return story


def _paragraphs(part: str) -> list[str]:
    """A blank-line separated block as one paragraph, with bylines and date lines on their own."""
    result: list[str] = []
    text: list[str] = []
    for line in part.split("\n"):
        if byline(line) is not None or date_line(line) is not None or photo_credit(line):
            result += [" ".join(" ".join(text).split()), line.strip()]
            text = []
        else:
            text.append(line)
    return [*result, " ".join(" ".join(text).split())]


def _about_the_story(story: Story, chunk: str) -> bool:
    """Take in a byline, date line or photo credit (never text to quote); True if it was one."""
    names = byline(chunk)
    if names is not None:
        story.authors = story.authors or names
        story.kept_out.append((f"byline -> authors: {', '.join(names)}", chunk))
        return True
    dated = date_line(chunk)
    if dated is not None:
        kind, when = dated
        if kind == "published" and story.published is None:
            story.published = when
            story.kept_out.append((f"date line -> date: {when.isoformat()}", chunk))
        else:
            story.kept_out.append(("update line" if kind == "updated" else "date line", chunk))
        return True
    if photo_credit(chunk):
        story.kept_out.append(("photo credit", chunk))
        return True
    return False


def _is_heading(line: str, following: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= 10
        and len(line) <= 80
        and line[-1] not in ".!?:;,\"'”’)"
        and line[0].isupper()
        and len(following) > len(line)
    )


def to_markdown(story: Story, now: str) -> str:
    """The bundle's index.md: front matter plus the story with its paragraphs kept."""
    title = story.title.replace("\\", "\\\\").replace('"', '\\"')
    published = story.published.isoformat() if story.published else ""
    lines = [
        "---",
        f'title: "{title}"',
        f"date: {published or now}",
        "draft: true",
        *([f"authors: [{', '.join(quoted(a) for a in story.authors)}]"] if story.authors else []),
        "source:",
        f'  title: "{title}"',
        *([f"  published: {published}"] if published else []),
        "---",
    ]
    for kind, text in story.blocks:
        lines.append("")
        lines.append(("## " if kind == "h2" else "") + _escape(text))
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    # '&amp;' in the story must stay '&amp;' on the page, not become '&'.
    escaped = _ENTITY.sub("&amp;", _ESCAPE.sub(r"\\\1", text)).replace("<", "&lt;")
    number = _NUMBERED.match(escaped)
    if number:
        return f"{number.group()}\\{escaped[number.end() :]}"
    return "\\" + escaped if _BLOCK_START.match(escaped) else escaped


def default_slug(title: str) -> str:
    """A slug from the title, cut at a word boundary to at most 80 characters."""
    slug = slugify(title)
    while len(slug) > 80 and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:80] or "imported-story"
