"""Quotes that did not anchor, and overlapping quotes: the problems that say so and how to fix them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from aisite.errors import Problems
from aisite.nearby import Missed
from aisite.normalise import normalise
from aisite.yamlnode import quoted


class Quoted(Protocol):
    """What a message needs of a claim: its id, line, prefix and suffix."""

    @property
    def id(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def prefix(self) -> str: ...
    @property
    def suffix(self) -> str: ...


def report(
    missed: Sequence[Missed],
    overlaps: Sequence[tuple[str, str]],
    claims: Mapping[str, Quoted],
    paths: tuple[str, str],
    problems: Problems,
) -> None:
    """Record a problem for each quote missed and each overlap; `paths`: claims file, article."""
    claims_path, article_path = paths
    for miss in missed:
        claim = claims[miss.key]
        message, hint = _explain(miss, claim, article_path)
        problems.add(claims_path, claim.line, f"claim '{claim.id}': {message}", hint)
    for first, second in overlaps:
        problems.add(
            claims_path,
            claims[second].line,
            f"claim '{second}': quote overlaps the quote of claim '{first}' "
            f"(line {claims[first].line})",
            "quotes of different claims must not share text",
        )


def _explain(miss: Missed, claim: Quoted, article_path: str) -> tuple[str, str]:
    prefix, suffix = normalise(claim.prefix), normalise(claim.suffix)
    given = " and ".join(
        part
        for part in (
            f"after the prefix {quoted(claim.prefix)}" if prefix else "",
            f"before the suffix {quoted(claim.suffix)}" if suffix else "",
        )
        if part
    )
    places = ", ".join(miss.places)
    way, words = miss.pick
    example = f"; {way}: {quoted(words)} picks the first" if way else ""
    if miss.count > 1:
        where = f" {given}" if given else ""
        return (
            f"quote found {_times(miss.count)}{where} in the article text: {places}",
            "add a 'prefix' or 'suffix' to say which one is meant" + example,
        )
    if miss.total:
        return (
            f"quote found {_times(miss.total)} in the article text, but never {given}: {places}",
            "the prefix is the text just before the quote, the suffix the text just after"
            + example,
        )
    if miss.across:
        return (
            f"quote not found in the text of {article_path}: it runs across a paragraph break "
            f"after {quoted(miss.across)}",
            "a quote must lie within one paragraph, list item, heading or table cell: "
            "shorten it, or make it two claims",
        )
    if miss.closest:
        return f"quote not found in the text of {article_path}", f'did you mean "{miss.closest}"?'
    return (
        f"quote not found in the text of {article_path}, nor any passage like it",
        "copy the quote from the article's text",
    )


def _times(number: int) -> str:
    return {1: "once", 2: "twice"}.get(number, f"{number} times")
