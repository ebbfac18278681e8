"""Quote anchoring: find a claim's quote in an element tree (marks.py wraps it in <mark>s).

Modelled on the W3C Web Annotation TextQuoteSelector (exact, prefix, suffix), matched on a
normalised view of the rendered text that maps back to the tree's text nodes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from aisite.nearby import BOUNDARY, Missed, diagnose
from aisite.normalise import FOLDS, invisible, normalise

_BLOCKS = "p li h1 h2 h3 h4 h5 h6 td th blockquote pre div dt dd figcaption caption ol ul dl table"
BLOCK_TAGS = frozenset([*_BLOCKS.split(), "thead", "tbody", "tr", "hr", "figure", "section"])
# Python-Markdown keeps raw HTML as \x02...\x03 placeholders until serialisation.
STASHED = re.compile("\x02[^\x03]*\x03")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+")


_DASH_CLASS = "".join(re.escape(c) for c in ["-", *(chr(k) for k, v in FOLDS.items() if v == "-")])
# Whitespace, a dash, or words between single spaces: a run of words that is printable (no format
# characters) is indexed at once instead of character by character, ten times faster.
_TOKENS = re.compile(rf"(\s+)|([{_DASH_CLASS}])|([^\s{_DASH_CLASS}]+(?: [^\s{_DASH_CLASS}]+)*)")


@dataclass(frozen=True)
class Selector:
    """What to find: the quote and optional text just before and after it."""

    key: str
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Found:
    """A selector matched exactly once: normalised span plus its sentence(s) for display."""

    key: str
    start: int
    end: int
    before: str
    quote: str
    after: str


class TextIndex:
    """The normalised text of a tree, mapped back to its text nodes a piece at a time.

    A piece is a run of printable words (its characters one for one in a text node, found by
    string offsets) or one character indexed on its own (a space, a dash, an entity's text):
    an entry per character cost a quarter of rendering an article with claims.
    """

    def __init__(
        self,
        root: ET.Element,
        expand: Callable[[str], str] | None = None,
        closes: Callable[[str], bool] | None = None,
    ) -> None:
        """Index `root`; `expand`: the text a raw-HTML placeholder stands for, `closes`: is it </x>."""
        self.root = root
        self.closes = closes or (lambda placeholder: False)
        self.segments: list[tuple[ET.Element, str]] = []
        self.parent: dict[ET.Element, ET.Element] = {}
        # Per piece: its normalised text; what it stands for as written (a run: its characters,
        # the last with what follows it, such as a soft hyphen); where it is: (text node, start,
        # end) in the node's text.
        chars: list[str] = []
        display: list[str] = []
        origin: list[tuple[int, int, int]] = []
        space = True

        def add(char: str, where: tuple[int, int, int]) -> None:
            # As normalise(): one entry per normalised character; `display` keeps what it
            # stands for as written (a dash with its spaces, a word with its soft hyphen).
            nonlocal space
            last = chars[-1][-1] if chars else BOUNDARY
            if invisible(char):
                if last != BOUNDARY:
                    display[-1] += char
                return
            if char.isspace():
                if last == "-" and not space:
                    display[-1] += " "  # no space after a dash
                elif not space:
                    chars.append(" ")
                    display.append(" ")
                    origin.append(where)
                space = True
                return
            normal = char.translate(FOLDS)
            if normal == "-" and last == " ":  # no space before a dash
                chars.pop(), origin.pop()  # a space: a piece of its own
                char = display.pop() + char
                last = chars[-1][-1] if chars else BOUNDARY
            if normal == "-" and last == "-":  # '--' typed for a dash
                display[-1] += char
            else:
                chars.append(normal)
                display.append(char)
                origin.append(where)
            space = False

        def emit(node: ET.Element, attr: str) -> None:
            value = getattr(node, attr) or ""
            if not value:
                return
            seg = len(self.segments)
            self.segments.append((node, attr))
            position = 0
            for stashed in STASHED.finditer(value):
                run(value, seg, position, stashed.start())
                # An entity (&amp;) stands for text; a raw tag for none. Its characters map to the
                # whole placeholder, so a mark never splits one.
                for char in expand(stashed.group()) if expand else "":
                    add(char, (seg, stashed.start(), stashed.end()))
                position = stashed.end()
            run(value, seg, position, len(value))

        def run(value: str, seg: int, low: int, high: int) -> None:
            # What add() would do for each character of value[low:high], a token at a time.
            nonlocal space
            for token in _TOKENS.finditer(value, low, high):
                start, end = token.span()
                if token.lastindex == 3 and (plain := token.group()).isprintable():
                    chars.append(plain.translate(FOLDS))  # one character for one (FOLDS)
                    display.append(plain)
                    origin.append((seg, start, end))
                    space = False
                elif token.lastindex == 1:  # a run of spaces counts as its first
                    if not space and chars[-1][-1] == "-":
                        display[-1] += " "  # no space after a dash
                    elif not space:
                        chars.append(" ")
                        display.append(" ")
                        origin.append((seg, start, start + 1))
                    space = True
                else:
                    for offset in range(start, end):
                        add(value[offset], (seg, offset, offset + 1))

        def boundary() -> None:
            nonlocal space
            if chars and chars[-1] == " ":
                chars.pop(), display.pop(), origin.pop()
            if chars and chars[-1][-1] != BOUNDARY:
                chars.append(BOUNDARY)
                display.append(BOUNDARY)
                origin.append((-1, -1, -1))
            space = True

        def walk(node: ET.Element) -> None:
            if node.tag == "a" and "footnote-ref" in (node.get("class") or ""):
                return  # a footnote number is not part of the sentence a claim quotes
            block = node.tag in BLOCK_TAGS
            if block:
                boundary()
            emit(node, "text")
            for child in node:
                self.parent[child] = node
                walk(child)
                emit(child, "tail")
            if block:
                boundary()

        walk(root)
        self.text = "".join(chars)
        self.display = display
        self.origin = origin
        self.starts = [0, *accumulate(len(piece) for piece in chars)]  # of each piece in `text`

    def pieces(self, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        """The pieces from `start` to `end` of the normalised text: (piece, first, stop), its
        characters first..stop-1 (counted from the piece's start) in that stretch."""
        piece = bisect_right(self.starts, start) - 1
        while piece < len(self.display) and self.starts[piece] < end:
            at = self.starts[piece]
            yield piece, max(start - at, 0), min(end, self.starts[piece + 1]) - at
            piece += 1

    def located(self, start: int, end: int) -> Iterator[tuple[int, int, int]]:
        """Where the normalised text from `start` to `end` comes from, a piece at a time: (text
        node, start, end) in the node's text; a paragraph's end is (-1, -1, -1)."""
        for piece, first, stop in self.pieces(start, end):
            seg, begin, finish = self.origin[piece]
            if self.starts[piece + 1] - self.starts[piece] > 1:  # a run: one for one
                begin, finish = begin + first, begin + stop
            yield seg, begin, finish

    def shown(self, start: int, end: int) -> str:
        """The text from `start` to `end` of the normalised text, as written."""
        parts = []
        for piece, first, stop in self.pieces(start, end):
            written = self.display[piece]
            whole = stop == self.starts[piece + 1] - self.starts[piece]
            parts.append(written[first:] if whole else written[first:stop])  # the last: all of it
        return "".join(parts)

    def find(self, selector: Selector) -> Found | Missed:
        """Match a selector; exactly one match is a Found."""
        exact = normalise(selector.exact)
        prefix, suffix = normalise(selector.prefix), normalise(selector.suffix)
        every = self.matches(exact)
        hits = [start for start in every if self.fits(start, start + len(exact), prefix, suffix)]
        if len(hits) != 1:
            return diagnose(self, selector.key, exact, every, hits)
        start, end = hits[0], hits[0] + len(exact)
        first, last = self._sentences(start, end)
        shown = self.shown(first, start), self.shown(start, end), self.shown(end, last)
        return Found(selector.key, start, end, *shown)

    def matches(self, exact: str) -> list[int]:
        """Where a normalised quote starts in the text, whatever comes before or after it."""
        result = []
        start = self.text.find(exact) if exact else -1
        while start >= 0:
            result.append(start)
            start = self.text.find(exact, start + 1)
        return result

    def fits(self, start: int, end: int, prefix: str, suffix: str) -> bool:
        """True when the prefix ends just before `start` and the suffix starts just after `end`."""
        before = self.text[:start].rstrip(" ")
        after = self.text[end:].lstrip(" ")
        return before.endswith(prefix) and after.startswith(suffix)

    def _sentences(self, start: int, end: int) -> tuple[int, int]:
        block_start = self.text.rfind(BOUNDARY, 0, start) + 1
        block_end = self.text.find(BOUNDARY, end)
        block_end = len(self.text) if block_end < 0 else block_end
        first = block_start
        for match in _SENTENCE_END.finditer(self.text, block_start, start):
            first = match.end()
        last = block_end
        after = _SENTENCE_END.search(self.text, max(end - 1, block_start), block_end)
        if after:
            last = after.start() + len(after.group().rstrip())
        return first, last
