"""The cache's JSON codec: every field of the model round-trips; nothing else decodes."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import pytest

from aisite.cachecodec import (
    CacheFormatError,
    article_from_json,
    article_to_json,
    from_data,
    to_data,
)
from aisite.claimmodel import Claim, ClaimText
from aisite.load import load_site
from aisite.model import ArticleText, ParsedArticle
from aisite.options import Options
from aisite.siteconfig import Frozen, Rating
from conftest import REPO

pytestmark = pytest.mark.unit


def _sample(kind: Any, seed: list[int]) -> Any:
    """A value of `kind` that differs from every other sample (no field left at a default)."""
    seed[0] += 1
    n = seed[0]
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(kind) if a is not type(None)]
        return _sample(options[n % len(options)], seed)
    if origin is Literal:
        return get_args(kind)[n % len(get_args(kind))]
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return (_sample(args[0], seed), _sample(args[0], seed))
        return tuple(_sample(a, seed) for a in args)
    if kind is Frozen:
        return Frozen(
            [
                ("title", f"x{n}"),
                ("n", n),
                ("f", 0.5),
                ("on", True),
                ("none", None),
                ("list", (1, "a", Frozen([("deep", (2.0,))]))),
            ]
        )
    if kind is datetime:
        zones = [ZoneInfo("Europe/Berlin"), UTC, timezone(timedelta(hours=-3, minutes=-30))]
        return datetime(2020, 1, 1, 12, n % 60, tzinfo=zones[n % 3]) + timedelta(days=n)
    if kind is str:
        return f"text {n} “ü” <b>&amp;"
    if kind is bool:
        return n % 2 == 0
    if kind is int:
        return n
    if kind is float:
        return n + 0.25
    assert dataclasses.is_dataclass(kind), kind
    hints = typing.get_type_hints(kind)
    return kind(**{f.name: _sample(hints[f.name], seed) for f in dataclasses.fields(kind)})


def test_every_field_of_a_parsed_article_round_trips() -> None:
    article = _sample(ParsedArticle, [0])
    back = article_from_json(article_to_json(article))
    assert back == article
    # repr shows what == does not compare: time zones, int against float.
    assert repr(back) == repr(article)


def test_the_default_sites_articles_round_trip() -> None:
    parsed, problems = load_site(Options(REPO, now=datetime(2030, 1, 1, tzinfo=UTC)))
    assert parsed.articles and not problems.items
    for article in parsed.articles:
        assert repr(article_from_json(article_to_json(article))) == repr(article)


@pytest.mark.parametrize(
    "text",
    ["", "[]", "{}", '{"slug": 1}', "not json", '{"datetime": "x", "zone": null}', "[" * 100000],
)
def test_anything_else_is_a_format_error(text: str) -> None:
    with pytest.raises(CacheFormatError):
        article_from_json(text)


def test_a_time_zone_from_the_cache_must_be_a_zone() -> None:
    with pytest.raises(CacheFormatError):
        from_data(datetime, {"datetime": "2020-01-01T00:00:00+00:00", "zone": "../../etc/passwd"})


def test_a_field_missing_or_under_another_name_is_a_format_error() -> None:
    data = to_data(_sample(ParsedArticle, [0]))  # fields in order
    del data[3]
    with pytest.raises(CacheFormatError):
        from_data(ParsedArticle, data)
    text = dataclasses.asdict(_sample(ArticleText, [0]))  # fields by name (rendered.py's)
    assert repr(from_data(ArticleText, text)) == repr(_sample(ArticleText, [0]))
    text["claims"][0]["matches"] = text["claims"][0].pop("matched")  # as many, one unknown
    with pytest.raises(CacheFormatError):
        from_data(ArticleText, text)


def test_recurring_values_are_decoded_once_and_shared() -> None:
    article = _sample(ParsedArticle, [0])
    first, second = (article_from_json(article_to_json(article)) for _ in range(2))
    assert first.claims[0].verdict is second.claims[0].verdict
    assert first.tags[0] is second.tags[0] and first.claims[0].claimant is second.claims[0].claimant
    assert first.claims[0] is not second.claims[0]  # a claim is its article's own
    # A number's type is part of what is shared: 1 and 1.0 are equal, and decode apart.
    verdict = dataclasses.replace(article.claims[0].verdict, value=1)
    ones = [dataclasses.replace(verdict, value=value) for value in (1, 1.0)]
    back = [from_data(Rating, json.loads(json.dumps(to_data(one)))) for one in ones]
    assert [repr(value) for value in back] == [repr(one) for one in ones]


def _positions(data: Any, path: tuple[int | str, ...] = ()) -> Any:
    """Every value's place in to_data's data, but inside free template data (any value fits)."""
    yield path
    if isinstance(data, list):
        for n, item in enumerate(data):
            yield from _positions(item, (*path, n))
    elif isinstance(data, dict) and "frozen" not in data:
        for key, item in data.items():
            yield from _positions(item, (*path, key))


def _wrong(value: Any) -> Any:
    """A value of another kind than `value`, which no field holding `value` accepts."""
    if isinstance(value, str):
        return 1
    if value is None:
        return []
    return "x"


def test_a_value_of_another_kind_anywhere_is_a_format_error() -> None:
    data = to_data(_sample(ParsedArticle, [0]))
    for path in _positions(data):
        if not path:
            continue
        damaged = json.loads(json.dumps(data))
        *parents, last = path
        holder = damaged
        for step in parents:
            holder = holder[step]
        holder[last] = _wrong(holder[last])
        with pytest.raises(CacheFormatError):
            from_data(ParsedArticle, damaged)
            pytest.fail(f"{path}: {holder[last]!r} was taken")


def test_fields_by_name_must_be_exactly_the_fields() -> None:
    text = dataclasses.asdict(_sample(ArticleText, [0]))
    with pytest.raises(CacheFormatError):
        from_data(ArticleText, {**text, "extra": ""})
    with pytest.raises(CacheFormatError):
        from_data(ArticleText, [*to_data(_sample(ArticleText, [0])), ""])


def test_free_data_nested_past_the_interpreters_depth_is_a_format_error() -> None:
    data = to_data(_sample(ParsedArticle, [0]))
    deep: Any = 1
    for _ in range(5000):
        deep = [deep]
    names = [f.name for f in dataclasses.fields(ParsedArticle) if f.init]
    data[names.index("extra")] = {"frozen": [["k", deep]]}
    with pytest.raises(CacheFormatError):
        from_data(ParsedArticle, data)


def test_a_claim_is_its_parsed_claim_and_what_rendering_found() -> None:
    parsed = _sample(ParsedArticle, [0]).claims[0]
    text = _sample(ClaimText, [100])
    claim = Claim.of(parsed, text, body=None)  # type: ignore[arg-type]
    for field in dataclasses.fields(parsed):
        assert getattr(claim, field.name) == getattr(parsed, field.name), field.name
    seen = (claim.matched, claim.context_before, claim.context_after, claim.body)
    assert seen == (text.matched, text.context_before, text.context_after, None)


@dataclasses.dataclass(frozen=True)
class _Unsupported:
    name: str
    value: complex


def test_a_class_the_cache_cannot_hold_is_refused_every_time() -> None:
    for _ in range(2):  # not left half made by the first attempt
        with pytest.raises(CacheFormatError, match="cannot come from the cache"):
            from_data(_Unsupported, ["a", 1])
