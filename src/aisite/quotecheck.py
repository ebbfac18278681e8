"""Anchoring the quotes of claims that cannot be built, so that every problem shows at once.

A claim with a wrong verdict, or an article whose front matter is broken, is not rendered; the
quotes are still looked for in the article's text (when its front matter is closed, the body is
known), and a quote that would not anchor is reported now rather than after the first fix.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection
from dataclasses import dataclass

from aisite.anchor import Selector
from aisite.errors import Problems
from aisite.markup import Converter
from aisite.misses import report
from aisite.yamlnode import NULL, YamlError, YList, YMap, YScalar, parse_yaml


@dataclass(frozen=True)
class LooseQuote:
    """The quote of a claims.yaml item, read without validating the rest of it."""

    id: str
    line: int
    quote: str
    prefix: str = ""
    suffix: str = ""


def readable_body(text: str) -> str | None:
    """The Markdown after a closed front matter block, or None when there is none."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[index + 1 :])
    return None


def loose_quotes(claims_text: str) -> list[LooseQuote]:
    """Every item of a claims file with a text id and quote, first of each id only."""
    try:
        node = parse_yaml(claims_text)
    except YamlError:
        return []
    result: dict[str, LooseQuote] = {}
    for item in node.items if isinstance(node, YList) else []:
        if not isinstance(item, YMap):
            continue
        values = {k: _text(item, k) for k in ("id", "quote", "prefix", "suffix")}
        if values["id"] and values["quote"] and values["id"] not in result:
            result[values["id"]] = LooseQuote(
                values["id"], item.line, values["quote"], values["prefix"], values["suffix"]
            )
    return list(result.values())


def _text(item: YMap, key: str) -> str:
    value = item.items.get(key)
    if not isinstance(value, YScalar) or value.tag == NULL or value.cut:
        return ""
    return value.text.strip()


def check_quotes(
    body: str,
    claims_text: str,
    rendered: Collection[str],
    paths: tuple[str, str],
    problems: Problems,
) -> None:
    """Report quotes that would not anchor, for the claims not among `rendered` (their ids)."""
    quotes = {q.id: q for q in loose_quotes(claims_text) if q.id not in rendered}
    if not quotes:
        return
    selectors = [Selector(q.id, q.quote, q.prefix, q.suffix) for q in quotes.values()]
    outcome = Converter().convert(
        body, selectors, lambda key, first: ET.Element("mark"), lambda key: ET.Element("a")
    )
    report(outcome.missed, outcome.overlaps, quotes, paths, problems)
