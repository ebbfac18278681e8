"""Python-Markdown's inline parser kept to bounded work: escapes a run at a time, a work budget.

The parser copies the rest of a text for every inline match (an emphasis, a code span, an
entity, an escape), so one paragraph of n marks costs n times its length: `\\[` written 100,000
times in a row took 21 s, 40,000 `*a*` in one paragraph a second. Some of its loops scan
without copying (text after unclosed '[', backticks that never close) or put an emphasis's
children in place one by one. Escapes in a row are one match here (the '[' limit's hint says to
write `\\[`); the rest is counted as it is done, and a text past the budget is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    ENTITY_RE,
    HTML_RE,
    BacktickInlineProcessor,
    DelimiterProcessor,
    EscapeInlineProcessor,
    HtmlInlineProcessor,
    LinkInlineProcessor,
)
from markdown.treeprocessors import InlineProcessor

from aisite.anchor import STASHED

# The work one text may cost, in copied characters (0.2-0.3 ns each with the rest of a match's
# work): about a second, as at the '[' and '<' limits. A 4 MiB article of text like
# content/'s, links and all, costs under a tenth of it.
COPY_BUDGET = 4 * 10**9
# What other quadratic work costs, in copied characters: a character scanned by a Python loop
# (a link's text or address, a code span's closing backticks) takes about 70 ns, a copied one
# 0.07 ns; an element with k children made by one emphasis match costs k * k steps of about
# 15 ns when its children are put in place.
SCANNED, PLACED = 275, 60
_apply = getattr(InlineProcessor, "_InlineProcessor__applyPattern")  # noqa: B009 - private name
_ESCAPED = re.compile("(?:\x02[0-9]+\x03)+")  # what a run of escapes is stashed as


class TooMuchInline(Exception):
    """A text whose inline marks would copy more than the budget; `start` begins its paragraph."""

    def __init__(self, start: str) -> None:
        super().__init__(start)
        self.start = start


class _EscapeRuns(EscapeInlineProcessor):
    """Python-Markdown's escape processor, matching every escape of a run at once."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(r"\\(.)", md)
        self._count = -1
        self._run = self.compiled_re

    def getCompiledRegExp(self) -> re.Pattern[str]:
        """Backslashes each followed by a character Markdown escapes (extensions add some)."""
        chars = self.md.ESCAPED_CHARS
        if len(chars) != self._count:  # extensions only add to the list
            self._count = len(chars)
            escape = r"\\[" + "".join(f"\\{c}" for c in chars) + "]"
            self._run = re.compile(f"{escape}(?:{escape})*")  # a literal first: a quick scan
        return self._run

    # InlineProcessor's signature; Python-Markdown's annotations give Pattern's to every subclass.
    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | None, int, int]:
        """Each escaped character as Python-Markdown marks it, for its 'unescape' to restore."""
        marked = "".join(f"{util.STX}{ord(char)}{util.ETX}" for char in m.group(0)[1::2])
        return marked, m.start(0), m.end(0)


class _RawHtml(HtmlInlineProcessor):
    """Python-Markdown's raw HTML and entity patterns, giving back the backslash of each escape
    of a run inside a tag (its own gives back one backslash for each stashed string)."""

    def unescape(self, text: str) -> str:
        processor = self.md.treeprocessors["inline"]
        assert isinstance(processor, InlineProcessor)
        stash = processor.stashed_nodes

        def stashed(m: re.Match[str]) -> str | None:
            value = stash.get(m.group(1))
            if value is None:
                return None  # as Python-Markdown's: the placeholder is dropped
            if not isinstance(value, str):
                return self.unescape(self.md.serializer(value))
            if _ESCAPED.fullmatch(value):
                return value.replace(util.STX, "\\" + util.STX)
            return "\\" + value

        return util.INLINE_PLACEHOLDER_RE.sub(stashed, text)  # type: ignore[arg-type]


class _Budgeted(InlineProcessor):
    """Python-Markdown's inline processor, counting the text each match copies (its loop over
    the patterns of a text, as in Python-Markdown 3.x, with the count added)."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.copied = 0
        self.watched = False

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        if not self.watched:  # the first run: every extension has registered its patterns
            self._watch()
        self.copied = 0
        return super().run(tree, ancestors)

    def charge(self, amount: int, data: str) -> None:
        """Count `amount` copied characters of work on `data`; past the budget, refuse it."""
        self.copied += amount
        if self.copied > COPY_BUDGET:
            raise TooMuchInline(" ".join(STASHED.sub(" ", data)[:200].split()[:8]))

    def _watch(self) -> None:
        """Charge the parser's loops that scan, and the children an emphasis makes, not copies."""
        self.watched = True
        for pattern in self.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor):
                for name in ("getText", "getLink"):
                    setattr(pattern, name, self._scanning(getattr(pattern, name)))
            elif isinstance(pattern, BacktickInlineProcessor):
                spans = pattern.find_code_spans

                def found(start: int, text: str, spans: Any = spans) -> tuple[int, int | None]:
                    result: tuple[int, int | None] = spans(start, text)
                    end = len(text) if result[1] is None else result[1]
                    self.charge(SCANNED * (end - start), text)
                    return result

                setattr(pattern, "find_code_spans", found)  # noqa: B010 - an instance's method
            elif isinstance(pattern, DelimiterProcessor):
                setattr(pattern, "handleMatch", self._placing(pattern.handleMatch))  # noqa: B010

    def _scanning(self, scan: Any) -> Any:
        """A link pattern's scan of `data` from `index`, charged for what it went over."""

        def scanned(data: str, index: int) -> Any:
            result = scan(data, index)
            self.charge(SCANNED * (result[-2] - index), data)
            return result

        return scanned

    def _placing(self, handle: Any) -> Any:
        """An emphasis pattern's match, charged for putting the children of what it made."""

        def placed(m: re.Match[str], data: str) -> Any:
            result = handle(m, data)
            if isinstance(result[0], ET.Element):
                self.charge(PLACED * sum(len(e) ** 2 for e in result[0].iter()), data)
            return result

        return placed

    def _InlineProcessor__handleInline(  # the parser's private method (its loop, and the count)
        self, data: str, patternIndex: int = 0
    ) -> str:
        if isinstance(data, util.AtomicString):
            return data
        start, count = 0, len(self.inlinePatterns)
        while patternIndex < count:
            pattern = self.inlinePatterns[patternIndex]
            made, matched, start = _apply(self, pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
            elif made is not data:
                # Other than ASCII, a character takes up to 4 bytes to copy (emoji: 2.5 times
                # the time an ASCII text took for the same count).
                self.charge(len(data) if data.isascii() else 4 * len(data), data)
                data = made
        return data


class BoundedInline(Extension):
    """Replaces the 'escape', 'html' and 'entity' patterns and the 'inline' processor (same
    places, same output)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.register(_EscapeRuns(md), "escape", 180)
        md.inlinePatterns.register(_RawHtml(HTML_RE, md), "html", 90)
        md.inlinePatterns.register(_RawHtml(ENTITY_RE, md), "entity", 80)
        md.treeprocessors.register(_Budgeted(md), "inline", 20)
