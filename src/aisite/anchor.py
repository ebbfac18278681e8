"""Quote anchoring: find a claim's quote in an element tree and wrap it in <mark> elements.

Modelled on the W3C Web Annotation TextQuoteSelector (exact, prefix, suffix), matched on a
normalised view of the rendered text that maps back to the tree's text nodes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

from aisite.nearby import BOUNDARY, Missed, diagnose
from aisite.normalise import FOLDS, invisible, normalise

_BLOCKS = "p li h1 h2 h3 h4 h5 h6 td th blockquote pre div dt dd figcaption caption ol ul dl table"
BLOCK_TAGS = frozenset([*_BLOCKS.split(), "thead", "tbody", "tr", "hr", "figure", "section"])
# Python-Markdown keeps raw HTML as \x02...\x03 placeholders until serialisation.
STASHED = re.compile("\x02[^\x03]*\x03")
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+")
_CLOSING = re.compile(r"[.,;:!?…)\]}»”’\"']+")  # punctuation that ends a quote's sentence


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
    """The normalised text of a tree, each character mapped to its text node and offset."""

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
        chars: list[str] = []
        display: list[str] = []
        origin: list[tuple[int, int, int]] = []  # (text node, start, end) in the node's text
        space = True

        def add(char: str, where: tuple[int, int, int]) -> None:
            # As normalise(): one entry per normalised character; `display` keeps what it
            # stands for as written (a dash with its spaces, a word with its soft hyphen).
            nonlocal space
            last = chars[-1] if chars else BOUNDARY
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
                chars.pop(), origin.pop()
                char = display.pop() + char
                last = chars[-1] if chars else BOUNDARY
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
                    chars.extend(plain.translate(FOLDS))
                    display.extend(plain)
                    origin.extend(zip(repeat(seg), range(start, end), range(start + 1, end + 1)))
                    space = False
                elif token.lastindex == 1:  # a run of spaces counts as its first
                    if not space and chars[-1] == "-":
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
            if chars and chars[-1] != BOUNDARY:
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
        self.display = display  # per character of `text`: the text it stands for, as written
        self.origin = origin

    def shown(self, start: int, end: int) -> str:
        """The text from `start` to `end` of the normalised text, as written."""
        return "".join(self.display[start:end])

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

    def wrap(
        self,
        spans: Sequence[Found],
        make_mark: Callable[[str, bool], ET.Element],
        make_flag: Callable[[str], ET.Element],
    ) -> None:
        """Wrap each found span in marks (one per text node crossed), then add its flag."""
        pieces: dict[int, list[tuple[int, int, str, bool, bool]]] = {}
        for span in spans:
            runs: list[list[int]] = []
            for i in range(span.start, span.end):
                seg, start, end = self.origin[i]
                if (
                    runs
                    and runs[-1][0] == seg
                    and "\x02" not in str(getattr(*self.segments[seg]) or "")[runs[-1][2] : start]
                ):
                    runs[-1][2] = max(runs[-1][2], end)
                else:
                    runs.append([seg, start, end])
            for n, (seg, lo, hi) in enumerate(runs):
                pieces.setdefault(seg, []).append((lo, hi, span.key, n == 0, n == len(runs) - 1))
        flags: list[tuple[ET.Element, str]] = []
        for seg, items in pieces.items():
            node, attr = self.segments[seg]
            value = getattr(node, attr)
            items.sort()
            marks = []
            for index, (lo, hi, key, is_first, is_last) in enumerate(items):
                mark = make_mark(key, is_first)
                mark.text = value[lo:hi]
                following = items[index + 1][0] if index + 1 < len(items) else len(value)
                mark.tail = value[hi:following]
                marks.append(mark)
                if is_last:
                    flags.append((mark, key))
            setattr(node, attr, value[: items[0][0]])
            if attr == "text":
                container, position = node, 0
            else:
                container = self.parent[node]
                position = list(container).index(node) + 1
            for offset, mark in enumerate(marks):
                container.insert(position + offset, mark)
                self.parent[mark] = container
        for mark, key in flags:
            self._add_flag(mark, make_flag(key))

    def _add_flag(self, mark: ET.Element, flag: ET.Element) -> None:
        # After the outermost inline element around the quote's end: never inside a link or code.
        anchor = mark
        node = self.parent.get(mark)
        while node is not None and node is not self.root and node.tag not in BLOCK_TAGS:
            anchor = node
            node = self.parent.get(node)
        container = self.parent[anchor]
        tail = anchor.tail or ""
        # Raw closing tags written as HTML (</b>) right after the quote stay before the flag.
        keep = 0
        for stashed in STASHED.finditer(tail):
            if stashed.start() != keep or not self.closes(stashed.group()):
                break
            keep = stashed.end()
        rest, anchor.tail = tail[keep:], tail[:keep] or None
        stop = _CLOSING.match(rest)
        if stop:
            # The flag and the punctuation after the quote, in one piece that never wraps:
            # a full stop alone at the start of a line reads as a mistake.
            end = ET.Element("span", {"class": "claim-end"})
            end.append(flag)
            flag.tail, end.tail, flag = stop.group(), rest[stop.end() :] or None, end
        else:
            flag.tail = rest or None
        container.insert(list(container).index(anchor) + 1, flag)
