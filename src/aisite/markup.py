"""Markdown to safe HTML: Python-Markdown with extensions and claim anchoring, then sanitise."""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import slugify as toc_slugify
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor
from pygments.formatters import HtmlFormatter

from aisite.anchor import STASHED as _PLACEHOLDER
from aisite.anchor import Found, Selector, TextIndex
from aisite.embeds import check_iframes, embed_links
from aisite.inline import BoundedInline, TooMuchInline
from aisite.limits import over_limit
from aisite.marks import wrap
from aisite.nearby import Missed
from aisite.sanitise import sanitise

_PLACEHOLDER_INDEX = re.compile("\x02wzxhzdk:(\\d+)\x03")
_ENTITY = re.compile(r"^&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);$")


@dataclass
class Rendered:
    """The result of converting one markdown text."""

    html: str
    first_paragraph: str
    toc: str
    found: list[Found] = field(default_factory=list)
    embeds: list[tuple[int, str, str]] = field(default_factory=list)  # (line, message, hint)
    missed: list[Missed] = field(default_factory=list)
    overlaps: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    error_line: int = 0  # of the text, where the error is known to be (0: not known)


MarkFactory = Callable[[str, bool], ET.Element]
FlagFactory = Callable[[str], ET.Element]


class _AnchorProcessor(Treeprocessor):
    """Runs after inline processing: finds claim quotes and wraps them."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.selectors: Sequence[Selector] = ()
        self.make_mark: MarkFactory | None = None
        self.make_flag: FlagFactory | None = None
        self.result: Rendered = Rendered("", "", "")

    def run(self, root: ET.Element) -> None:
        self.result = Rendered("", _first_paragraph(root, self.expand), "")
        if not self.selectors:
            return
        index = TextIndex(root, self.expand, self.closes)
        found: list[Found] = []
        for selector in self.selectors:
            outcome = index.find(selector)
            if isinstance(outcome, Found):
                found.append(outcome)
            else:
                self.result.missed.append(outcome)
        found.sort(key=lambda f: f.start)
        for a, b in itertools.pairwise(found):
            if b.start < a.end:
                self.result.overlaps.append((a.key, b.key))
        self.result.found = found
        if not self.result.missed and not self.result.overlaps:
            assert self.make_mark and self.make_flag
            wrap(index, found, self.make_mark, self.make_flag)

    def closes(self, placeholder: str) -> bool:
        """True when a raw-HTML placeholder stands for a closing tag such as </b>."""
        found = _PLACEHOLDER_INDEX.match(placeholder)
        blocks = self.md.htmlStash.rawHtmlBlocks
        if not found or int(found.group(1)) >= len(blocks):
            return False
        return str(blocks[int(found.group(1))]).startswith("</")

    def expand(self, placeholder: str) -> str:
        """The text a raw-HTML placeholder stands for: an entity's character, or nothing."""
        found = _PLACEHOLDER_INDEX.match(placeholder)
        if not found:
            return ""
        blocks = self.md.htmlStash.rawHtmlBlocks
        index = int(found.group(1))
        raw = str(blocks[index]) if index < len(blocks) else ""
        return html.unescape(raw) if _ENTITY.match(raw) else ""


# A start tag, with '>' allowed inside quoted attribute values.
_TAG = re.compile(r"""<[A-Za-z][^\s/>]*((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_RESERVED_ID = re.compile(r"(claim|review|fn|fnref)[-:]", re.IGNORECASE)
_RESERVED_CLASS = re.compile(
    r"(?<![\w-])(claim(-[\w-]+)?|verdict-[\w-]+|badge|scorebar[\w-]*|visually-hidden)(?![\w-])"
)


class _AuthorHtml(Postprocessor):
    """Runs before raw HTML is put back: author HTML may not pose as aisite's claim markup."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.embeds: tuple[str, ...] = ()
        self.iframes: list[tuple[str, str, str]] = []

    def run(self, text: str) -> str:
        blocks = self.md.htmlStash.rawHtmlBlocks
        for index, block in enumerate(blocks):
            self.iframes.extend(check_iframes(str(block), self.embeds))
            blocks[index] = _TAG.sub(_neutralise, str(block))
        return text


def _neutralise(tag: re.Match[str]) -> str:
    """Rename what poses as aisite's claim markup; values are read as a browser would (entities)."""
    head = tag.group()[: tag.start(1) - tag.start()]
    return head + _ATTRIBUTE.sub(_attribute, tag.group(1)) + ">"


def _attribute(found: re.Match[str]) -> str:
    name, value = found.group(1), found.group(3)
    lowered = name.lower()
    if lowered == "data-claim":
        return "data-author-claim" + (found.group(2) or "")
    if value is None or lowered not in ("id", "class"):
        return found.group()
    text = html.unescape(value[1:-1] if value[0] in "\"'" else value)
    if lowered == "id":
        text = "author-" + text if _RESERVED_ID.match(text.strip()) else text
    else:
        text = _RESERVED_CLASS.sub(r"author-\1", text)
    return f'{name}="{html.escape(text, quote=True)}"'


class _AnchorExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Before 'raw_html' (30) puts the author's HTML back into the page.
        md.postprocessors.register(_AuthorHtml(md), "aisite-author-html", 35)
        # After 'unescape' (0): backslash escapes are plain characters again by then.
        md.treeprocessors.register(_AnchorProcessor(md), "aisite-anchor", -1)


def _first_paragraph(root: ET.Element, expand: Callable[[str], str]) -> str:
    for child in root:
        if child.tag == "p":
            text = " ".join(_PLACEHOLDER.sub(lambda m: expand(m.group()), _text(child)).split())
            if text:
                return text
    return ""


def _text(node: ET.Element) -> str:
    parts = [node.text or ""]
    for child in node:
        if child.tag != "sup":
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class Converter:
    """A reusable Markdown converter; `id_prefix` keeps ids of several texts on one page apart."""

    def __init__(self, id_prefix: str = "", embeds: tuple[str, ...] = ()) -> None:
        self.embeds = embeds

        def slugify(value: str, separator: str) -> str:
            slug = id_prefix + toc_slugify(value, separator)
            # Ids the claims use: a heading "Review cost" must not become the card "review-cost".
            return "section-" + slug if slug.startswith(("claim-", "review-")) else slug

        self.md = markdown.Markdown(
            extensions=[
                "fenced_code",
                "tables",
                "footnotes",
                "toc",
                "codehilite",
                "sane_lists",
                _AnchorExtension(),
                BoundedInline(),
            ],
            extension_configs={
                "codehilite": {"css_class": "highlight", "guess_lang": False},
                "footnotes": {
                    "SEPARATOR": f"-{id_prefix or 'body-'}",
                    "BACKLINK_TITLE": "Back to text",
                },
                "toc": {"slugify": slugify, "toc_depth": "2-3"},
            },
            output_format="html",
        )
        processor = self.md.treeprocessors["aisite-anchor"]
        assert isinstance(processor, _AnchorProcessor)
        self.anchor = processor
        author = self.md.postprocessors["aisite-author-html"]
        assert isinstance(author, _AuthorHtml)
        author.embeds = embeds
        self.author = author

    def convert(
        self,
        text: str,
        selectors: Sequence[Selector] = (),
        make_mark: MarkFactory | None = None,
        make_flag: FlagFactory | None = None,
    ) -> Rendered:
        """Convert markdown to sanitised HTML, anchoring the selectors if any."""
        refused, at = over_limit(text)
        if refused:  # bounded work per text: refused before the quadratic parser sees it
            failed = Rendered("", "", "")
            failed.error, failed.error_line = refused, text.count("\n", 0, at) + 1
            return failed
        self.md.reset()
        self.author.iframes = []
        self.anchor.selectors = selectors
        self.anchor.make_mark, self.anchor.make_flag = make_mark, make_flag
        try:
            body = self.md.convert(unicodedata.normalize("NFC", text))
        except RecursionError:
            # Python-Markdown recurses per nesting level; thousands of levels exhaust the stack.
            failed = Rendered("", "", "")
            failed.error = (
                "the Markdown is nested too deeply to render (hundreds of nested lists or quotes)"
            )
            return failed
        except TooMuchInline as err:
            failed = Rendered("", "", "")
            where = f'the paragraph starting "{err.start}"' if err.start else "a paragraph"
            words = r"\s+".join(map(re.escape, err.start.split()))
            found = re.search(words, text) if words else None
            failed.error_line = text.count("\n", 0, found.start()) + 1 if found else 0
            failed.error = (
                f"{where} has more inline marks (emphasis, code, links, entities, escapes) than "
                "Markdown's parser can render in about a second: split it into shorter paragraphs"
            )
            return failed
        result = self.anchor.result
        result.html = sanitise(body, embeds=self.embeds)
        for needle, message, hint in self.author.iframes:
            line = text.count("\n", 0, max(0, text.find(needle))) + 1
            result.embeds.append((line, message, hint))
        toc_tokens = getattr(self.md, "toc_tokens", [])
        result.toc = sanitise(getattr(self.md, "toc", "")) if len(toc_tokens) > 2 else ""
        return result


def absolutize(fragment: str, page_url: str) -> str:
    """Make every href and src in an HTML fragment absolute (attributes only, never text).

    Feed readers do not run embeds: each becomes a link to what it shows.
    """
    return sanitise(embed_links(fragment), page_url)


def pygments_css() -> str:
    """Stylesheet for highlighted code, light and dark, generated by Pygments."""
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="github-dark").get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
