"""Why a quote did not anchor: the closest passage, each match in context, a prefix that picks
one, a paragraph break in the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aisite.closeness import candidates

if TYPE_CHECKING:
    from aisite.anchor import TextIndex

BOUNDARY = "\n"  # between blocks (paragraphs, list items, cells) in the anchoring text

SIMILAR = 0.7  # below this similarity no passage is offered as "did you mean"
WORDS = 4  # words shown on each side of a match
SHOWN = 5  # matches shown at most


@dataclass(frozen=True)
class Missed:
    """A selector that matched zero or several times, with what helps to fix it."""

    key: str
    count: int  # matches, with the prefix and suffix
    closest: str = ""  # the most similar passage, when one is similar enough
    total: int = 0  # matches of the quote alone, whatever the prefix and suffix
    places: tuple[str, ...] = ()  # matches shown with a few words around: "…a [quote] b…"
    pick: tuple[str, str] = ("", "")  # ("prefix", "words") that would pick the first one
    across: str = ""  # the part before a paragraph break, when the quote spans one


def diagnose(index: TextIndex, key: str, exact: str, every: list[int], hits: list[int]) -> Missed:
    """A quote that matched zero or several times, with what helps to fix it."""
    end = len(exact)
    if len(hits) > 1 or every:
        shown = hits if len(hits) > 1 else every
        return Missed(
            key,
            len(hits),
            total=len(every),
            places=tuple(_place(index, s, s + end) for s in shown[:SHOWN])
            + ((f"and {len(shown) - SHOWN} more",) if len(shown) > SHOWN else ()),
            pick=_pick(index, shown[0], end, every),
        )
    across = _across(index, exact)
    return Missed(key, 0, closest="" if across else _closest(index, exact), across=across)


def _before(index: TextIndex, start: int, words: int) -> int:
    """Where the `words` words before `start` begin, within its paragraph."""
    block = index.text.rfind(BOUNDARY, 0, start) + 1
    tokens = index.text[block:start].split(" ")
    return start - len(" ".join(tokens[-(words + 1) :]))


def _after(index: TextIndex, end: int, words: int) -> int:
    """Where the `words` words after `end` end, within its paragraph."""
    block_end = index.text.find(BOUNDARY, end)
    tokens = index.text[end : len(index.text) if block_end < 0 else block_end].split(" ")
    return end + len(" ".join(tokens[: words + 1]))


def _place(index: TextIndex, start: int, end: int) -> str:
    """One match with a few words around it: '…the quick brown [fox] jumps over the…'."""
    first, last = _before(index, start, WORDS), _after(index, end, WORDS)
    lead = "" if first == 0 or index.text[first - 1] == BOUNDARY else "…"
    tail = "" if last >= len(index.text) or index.text[last] == BOUNDARY else "…"
    quote = index.shown(start, end)
    text = f"{lead}{index.shown(first, start)}[{quote}]{index.shown(end, last)}{tail}"
    return '"' + text.replace(BOUNDARY, " ") + '"'


def _pick(index: TextIndex, start: int, size: int, every: list[int]) -> tuple[str, str]:
    """The shortest prefix (else suffix) that picks the match at `start` among `every`."""
    for words in range(1, WORDS + 1):
        first = _before(index, start, words)
        candidate = index.text[first:start].strip(" ")
        if candidate and [s for s in every if index.fits(s, s + size, candidate, "")] == [start]:
            return "prefix", index.shown(first, start).strip()
    for words in range(1, WORDS + 1):
        last = _after(index, start + size, words)
        candidate = index.text[start + size : last].strip(" ")
        if candidate and [s for s in every if index.fits(s, s + size, "", candidate)] == [start]:
            return "suffix", index.shown(start + size, last).strip()
    return "", ""


def _across(index: TextIndex, exact: str) -> str:
    """The part of a quote before a paragraph break, when the quote is found across one."""
    flat = index.text.replace(BOUNDARY, " ")
    start = flat.find(exact) if exact else -1
    while start >= 0:
        stop = index.text.find(BOUNDARY, start, start + len(exact))
        if stop >= 0:
            return index.shown(start, stop)
        start = flat.find(exact, start + 1)
    return ""


def _closest(index: TextIndex, exact: str) -> str:
    """The passage of the text most like `exact`, when it is similar enough to be the one meant.

    Linear in the text's length: candidate places come from where pieces of the quote occur
    (closeness.py), and only a few of them are compared in full.
    """
    if not exact:
        return ""
    text, size = index.text, len(exact)
    best, best_start = SIMILAR, -1
    for start, ratio in candidates(text, exact, (" ", BOUNDARY)):
        if ratio >= best and (ratio > best or best_start < 0):
            best, best_start = ratio, start
    if best_start < 0:
        return ""
    end = best_start + size
    while end < len(text) and text[end] not in (" ", BOUNDARY):
        end += 1
    return index.shown(best_start, end).split(BOUNDARY)[0].strip()
