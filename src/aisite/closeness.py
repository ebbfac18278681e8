"""Where in a text a quote that was not found nearly is: bounded work, for 'did you mean' hints.

Comparing the quote with every window of the text costs (text length) x (quote length)^2: a
5,000-character quote with one typo in a 53 KB article ran past 300 s. Here pieces of the quote
(8-character grams at up to 64 places) are looked up in the text with str.find; each occurrence
votes for where the quote would start; the few best-voted starts are compared in full (short
quotes) or scored by their share of votes (long ones). Short quotes have no useful grams: their
few windows per word are compared directly, which is linear for a bounded quote length.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator

GRAM = 8
SAMPLES = 64  # grams of the quote looked up
COMMON = 400  # a gram found more often than this says nothing about where the quote is
SHORT = 3 * GRAM  # quotes shorter than this are compared window by window
COMPARE_MAX = 600  # longer windows are scored by votes, not by SequenceMatcher (quadratic)
CANDIDATES = 4
SLACK = 3  # a typo that adds or drops characters shifts later grams by this much at most


def _lower(text: str) -> str:
    low = text.lower()
    return low if len(low) == len(text) else text


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.ratio()


def _word_starts(text: str, start: int, spaces: tuple[str, ...]) -> set[int]:
    """The word starts nearest to `start`, before and after it (a few characters away at most)."""
    back = max(0, start)
    while back > 0 and back > start - GRAM and text[back - 1] not in spaces:
        back -= 1
    ahead = max(0, start)
    while ahead < min(len(text), start + GRAM) and (ahead > 0 and text[ahead - 1] not in spaces):
        ahead += 1
    return {back, ahead}


def candidates(text: str, exact: str, spaces: tuple[str, ...]) -> Iterator[tuple[int, float]]:
    """(start, similarity 0..1) of the places in `text` most like `exact`."""
    size = len(exact)
    if size < SHORT:
        yield from _windows(text, exact, spaces)
        return
    low, quote = _lower(text), _lower(exact)
    step = max(1, (size - GRAM) // (SAMPLES - 1))
    offsets = list(range(0, size - GRAM + 1, step))[:SAMPLES]
    votes: Counter[int] = Counter()
    for offset in offsets:
        gram = quote[offset : offset + GRAM]
        found: list[int] = []
        at = low.find(gram)
        while at >= 0 and len(found) <= COMMON:
            found.append(at)
            at = low.find(gram, at + 1)
        if len(found) > COMMON:
            continue
        for at in found:
            votes[at - offset] += 1
    for aligned, _ in votes.most_common(CANDIDATES):
        # Grams after a typo that adds or drops characters vote for a start close by.
        count = sum(votes[aligned + shift] for shift in range(-SLACK, SLACK + 1))
        for start in sorted(_word_starts(text, aligned, spaces)):
            if size <= COMPARE_MAX:
                yield start, _ratio(low[start : start + size], quote)
            else:
                yield start, min(1.0, count / len(offsets))


def _windows(text: str, exact: str, spaces: tuple[str, ...]) -> Iterator[tuple[int, float]]:
    """Every word start compared with a short quote (cheap filters first)."""
    size = len(exact)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(exact)
    best = 0.0
    starts = [0] + [i + 1 for i, c in enumerate(text) if c in spaces]
    for start in starts:
        matcher.set_seq1(text[start : start + size])
        if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
            continue
        ratio = matcher.ratio()
        if ratio > best:
            best = ratio
            yield start, ratio
