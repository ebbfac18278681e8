"""Rendered articles as plain data: from workers, into the cache and back, their bodies held or left to it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, replace
from typing import Any

from aisite import memory
from aisite.bodies import Body, BodyRef
from aisite.cache import Cache
from aisite.cachecodec import CacheFormatError, from_data
from aisite.errors import Problem
from aisite.model import ArticleText

_Problems = tuple[Problem, ...]
Rendered = tuple[ArticleText, list[Problem], BodyRef]  # the text's large parts left to `BodyRef`


def text_to_json(text: ArticleText, problems: list[Problem]) -> dict[str, Any]:
    """An article's rendered text and its problems as plain data, for the cache and for workers."""
    return {"text": asdict(text), "problems": [asdict(p) for p in problems]}


def text_from_json(data: dict[str, Any]) -> tuple[ArticleText, list[Problem]]:
    """The inverse of text_to_json; CacheFormatError when `data` is not of that shape."""
    if not isinstance(data, dict) or set(data) != {"text", "problems"}:
        raise CacheFormatError("not a rendered article")
    return from_data(ArticleText, data["text"]), list(from_data(_Problems, data["problems"]))


def body_of(text: ArticleText) -> Body:
    """The large parts of a rendered text."""
    claims = {c.id: (c.analysis_html, c.analysis_text) for c in text.claims}
    return Body(text.body_html, text.toc_html, text.analysis_html, text.search_text, claims)


def without_body(data: dict[str, Any]) -> dict[str, Any]:
    """text_to_json's data with the large parts left empty: what every build decodes."""
    text = dict(data["text"])
    text.update(body_html="", toc_html="", analysis_html="", search_text="")
    text["claims"] = [{**c, "analysis_html": "", "analysis_text": ""} for c in text["claims"]]
    return {"text": text, "problems": data["problems"]}


def light(text: ArticleText) -> ArticleText:
    """The text without its large parts (body_of's), as without_body leaves it."""
    claims = tuple(replace(c, analysis_html="", analysis_text="") for c in text.claims)
    return replace(text, body_html="", toc_html="", analysis_html="", search_text="", claims=claims)


def decoder(cache: Cache, origins: dict[str, str]) -> Callable[[str, Any], Rendered]:
    """Decode a cached rendering; its body is read when first used, or now in a server (whose
    model outlives the build, and whose cache a build of the same site may prune meanwhile)."""
    texts, serving = cache.texts, memory.table("rendered") is not None
    assert texts is not None  # rows come from a cache that has a database

    def decode(key: str, data: Any) -> Rendered:
        text, found = text_from_json(data)
        body = BodyRef(key=key, texts=texts, origin=origins[key])
        return text, found, body.pin() if serving else body

    return decode


def keep(
    keys: Sequence[str],
    results: Iterable[dict[str, Any]],
    cache: Cache | None,
    origins: dict[str, str],
) -> tuple[dict[str, Rendered], list[str]]:
    """Fresh renderings (text_to_json's data, in the order of `keys`) decoded, and stored in
    the cache as they come; and the keys of those whose bodies were left to the cache before
    it failed (to render again, held).

    A build that reads the cache back leaves each body to it once written, and reads it again
    when a page needs it: 5,000 articles' bodies are 77 MB of text, held at once before.
    A --clean build leaves them too (this build wrote them); a server keeps them, and so does
    a build again after one could not be read back (Options.hold_texts).
    """
    made: dict[str, Rendered] = {}
    rows: dict[str, Any] = {}
    left: list[str] = []
    texts = cache.texts if cache is not None else None
    leave = bool(texts and cache and not cache.hold_texts) and memory.table("rendered") is None

    def bodies() -> Iterator[tuple[str, str]]:
        for key, data in zip(keys, results, strict=True):
            text, found = text_from_json(data)
            body = body_of(text)
            if leave and cache is not None and cache.db is not None:  # not after a fault
                made[key] = light(text), found, BodyRef(key=key, texts=texts, origin=origins[key])
                left.append(key)
            else:
                made[key] = text, found, BodyRef(body)
            rows[key] = without_body(data)
            yield key, body.to_json()

    made_now = bodies()
    stored = cache is not None and cache.put_rendered(made_now, rows)
    for _ in made_now:  # what the cache did not take: it has no database, or failed midway
        pass
    kept = memory.table("rendered")  # a server's, once every rendering is made
    if kept is not None:
        kept.update(made)
    return made, [] if stored else left
