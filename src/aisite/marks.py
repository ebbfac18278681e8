"""Marks: quotes found in a tree wrapped in <mark> elements (one per text node crossed), each
followed by its flag."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from aisite.anchor import BLOCK_TAGS, STASHED, Found, TextIndex

_CLOSING = re.compile(r"[.,;:!?…)\]}»”’\"']+")  # punctuation that ends a quote's sentence


def wrap(
    index: TextIndex,
    spans: Sequence[Found],
    make_mark: Callable[[str, bool], ET.Element],
    make_flag: Callable[[str], ET.Element],
) -> None:
    """Wrap each found span in marks (one per text node crossed), then add its flag."""
    pieces: dict[int, list[tuple[int, int, str, bool, bool]]] = {}
    for span in spans:
        runs: list[list[int]] = []
        for seg, start, end in index.located(span.start, span.end):
            if (
                runs
                and runs[-1][0] == seg
                and "\x02" not in str(getattr(*index.segments[seg]) or "")[runs[-1][2] : start]
            ):
                runs[-1][2] = max(runs[-1][2], end)
            else:
                runs.append([seg, start, end])
        for n, (seg, lo, hi) in enumerate(runs):
            pieces.setdefault(seg, []).append((lo, hi, span.key, n == 0, n == len(runs) - 1))
    flags: list[tuple[ET.Element, str]] = []
    for seg, items in pieces.items():
        node, attr = index.segments[seg]
        value = getattr(node, attr)
        items.sort()
        marks = []
        for place, (lo, hi, key, is_first, is_last) in enumerate(items):
            mark = make_mark(key, is_first)
            mark.text = value[lo:hi]
            following = items[place + 1][0] if place + 1 < len(items) else len(value)
            mark.tail = value[hi:following]
            marks.append(mark)
            if is_last:
                flags.append((mark, key))
        setattr(node, attr, value[: items[0][0]])
        if attr == "text":
            container, position = node, 0
        else:
            container = index.parent[node]
            position = list(container).index(node) + 1
        for offset, mark in enumerate(marks):
            container.insert(position + offset, mark)
            index.parent[mark] = container
    for mark, key in flags:
        _add_flag(index, mark, make_flag(key))


def _add_flag(index: TextIndex, mark: ET.Element, flag: ET.Element) -> None:
    """Put a quote's flag after its last mark."""
    # After the outermost inline element around the quote's end: never inside a link or code.
    anchor = mark
    node = index.parent.get(mark)
    while node is not None and node is not index.root and node.tag not in BLOCK_TAGS:
        anchor = node
        node = index.parent.get(node)
    container = index.parent[anchor]
    tail = anchor.tail or ""
    # Raw closing tags written as HTML (</b>) right after the quote stay before the flag.
    keep = 0
    for stashed in STASHED.finditer(tail):
        if stashed.start() != keep or not index.closes(stashed.group()):
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
