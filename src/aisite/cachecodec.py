"""Plain JSON for cached model objects: decoding can only build the model's own dataclasses.

The cache never unpickles: a parsed article is stored as JSON of its fields, and read back by
the dataclasses' type hints, checking every value's type on the way. Anything that does
not fit (wrong shape, wrong type, unknown field) raises CacheFormatError, which callers treat as
a cache miss.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from aisite.claimmodel import Term
from aisite.model import ParsedArticle
from aisite.siteconfig import Frozen, Rating


class CacheFormatError(ValueError):
    """A cached value that does not decode to the expected type."""


def to_data(value: Any) -> Any:
    """A model value as JSON-ready data (dataclasses as lists of their fields in order, tuples
    as lists): without its fields' names, 5,000 articles are 19 MB of JSON instead of 28, read
    in half the time (0.09 s)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [to_data(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init]
    if isinstance(value, Frozen):  # free template data: an ordered mapping
        return {"frozen": [[k, to_data(v)] for k, v in value.items()]}
    if isinstance(value, datetime):
        zone = value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None
        return {"datetime": value.isoformat(), "zone": zone}
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot encode {type(value).__name__} for the cache")


def from_data(kind: Any, data: Any) -> Any:
    """Rebuild a value of type `kind` from to_data's output; CacheFormatError when it does not fit."""
    try:
        return _decoder(kind)(data)
    except KeyError as err:  # a dataclass's field missing (and another in its place)
        raise CacheFormatError(f"no field {err}") from None
    except RecursionError:  # free template data nested past the interpreter's depth
        raise CacheFormatError("nested too deep") from None


Decode = Callable[[Any], Any]
_MADE: dict[Any, Decode] = {}


def _decoder(kind: Any) -> Decode:
    """A function that decodes data of type `kind`, made once per type from its hints."""
    found = _MADE.get(kind)
    if found is None:
        found = _MADE.setdefault(kind, _make(kind))
    return found


def _make(kind: Any) -> Decode:
    origin = get_origin(kind)
    if origin in (Union, types.UnionType):
        options = get_args(kind)
        if len(options) == 2 and type(None) in options:  # `X | None`: no exception for None
            (other,) = (option for option in options if option is not type(None))
            return _optional(_decoder(other))
        return _union(tuple(_decoder(option) for option in options), kind)
    if origin is Literal:
        return _literal(get_args(kind))
    if origin is tuple:
        args = get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return _many(_decoder(args[0]))
        return _fixed(tuple(_decoder(a) for a in args))
    if kind is type(None):
        return _none
    if kind is datetime:
        return _datetime
    if kind is Frozen:
        return _frozen
    if kind is bool or kind is str or kind is int:
        return _exactly(kind)
    if kind is float:
        return _number
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _dataclass(kind)
    raise CacheFormatError(f"type {kind} cannot come from the cache")


def _union(options: tuple[Decode, ...], kind: Any) -> Decode:
    def decode(data: Any) -> Any:
        for option in options:
            try:
                return option(data)
            except (CacheFormatError, KeyError):
                continue
        raise CacheFormatError(f"no type of {kind} fits {type(data).__name__}")

    return decode


def _optional(item: Decode) -> Decode:
    def decode(data: Any) -> Any:
        return None if data is None else item(data)

    return decode


def _literal(values: tuple[Any, ...]) -> Decode:
    members = {value: value for value in values}

    def decode(data: Any) -> Any:
        # The member, not the decoded copy: 26,000 stances held as 3 strings at 5,000 articles.
        if type(data) is str and data in members:
            return members[data]
        raise CacheFormatError(f"{data!r} is not one of {values}")

    return decode


def _many(item: Decode) -> Decode:
    def decode(data: Any) -> Any:
        if not isinstance(data, list | tuple):
            raise CacheFormatError("expected a list")
        return tuple([item(value) for value in data])

    return decode


def _fixed(items: tuple[Decode, ...]) -> Decode:
    def decode(data: Any) -> Any:
        if not isinstance(data, list | tuple):
            raise CacheFormatError("expected a list")
        if len(items) != len(data):
            raise CacheFormatError("a fixed-size tuple of the wrong length")
        return tuple(item(value) for item, value in zip(items, data, strict=True))

    return decode


def _none(data: Any) -> None:
    if data is not None:
        raise CacheFormatError("expected null")


def _exactly(kind: type) -> Decode:
    def decode(data: Any) -> Any:
        if type(data) is kind:  # not a subclass: a bool is not an int here
            return data
        raise CacheFormatError(f"expected {kind.__name__}")

    return decode


def _number(data: Any) -> Any:
    if type(data) in (int, float):  # kept as JSON had it: an int stays an int
        return data
    raise CacheFormatError("expected a number")


def _datetime(data: Any) -> datetime:
    if not isinstance(data, dict) or set(data) != {"datetime", "zone"}:
        raise CacheFormatError("expected a datetime")
    try:
        value = datetime.fromisoformat(data["datetime"])
        if data["zone"] is not None:
            value = value.astimezone(ZoneInfo(data["zone"]))
    except (TypeError, ValueError, KeyError) as err:  # ZoneInfoNotFoundError is a KeyError
        raise CacheFormatError(f"bad datetime: {err}") from None
    return value


def _frozen(data: Any) -> Frozen:
    """Free template data: scalars, tuples and nested Frozen mappings, nothing else."""
    listed = data.get("frozen") if isinstance(data, dict) and len(data) == 1 else None
    if not isinstance(listed, list):
        raise CacheFormatError("expected template data")
    items = []
    for item in listed:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
            raise CacheFormatError("expected a key and a value")
        items.append((item[0], _free(item[1])))
    return Frozen(items)


def _free(data: Any) -> Any:
    if data is None or isinstance(data, str | int | float | bool):
        return data
    if isinstance(data, list):
        return tuple(_free(item) for item in data)
    return _frozen(data)


# Values that recur across articles (a site's verdicts; its tags, topics and claimants), each
# decoded once and shared: at 5,000 articles 47,000 of them were 73 distinct values.
_SHARED: frozenset[type] = frozenset({Term, Rating})
SHARED_MAX = 65536  # values kept per type; past that the memo starts again


def _dataclass(kind: type) -> Decode:
    """A decoder written for `kind` (as dataclasses write __init__): its scalar fields checked
    inline, its others by their own decoders, filled in once it is registered (a dataclass may
    contain itself). 5,000 articles took 0.31 s as a loop over each field, 0.17 s so."""
    fields = [f for f in dataclasses.fields(kind) if f.init]
    names = tuple(f.name for f in fields)
    hints = typing.get_type_hints(kind)
    nested: dict[str, Any] = {}
    # Its fields in order (to_data's), or by name (dataclasses.asdict's): as many, and each
    # one there (else a KeyError).
    values = "".join(f"v{n}, " for n in range(len(names))) or "() "
    body = [
        "def decode(data):",
        f"    if type(data) is list and len(data) == {len(names)}:",
        f"        {values}= data",
        f"    elif type(data) is dict and len(data) == {len(names)}:",
        *([f"        v{n} = data[{name!r}]" for n, name in enumerate(names)] or ["        pass"]),
        "    else:",
        f"        raise Error('fields of {kind.__name__} do not match')",
    ]
    for n, name in enumerate(names):
        body += _check(f"v{n}", hints[name], nested, f"{kind.__name__}.{name}")
    by_place = [f"v{n}" for n, f in enumerate(fields) if not f.kw_only]
    by_name = [f"{f.name}=v{n}" for n, f in enumerate(fields) if f.kw_only]
    make = f"kind({', '.join(by_place + by_name)})"
    if kind in _SHARED:  # keyed by its values, and by the type of a number (1 == 1.0)
        key = "".join(f"v{n}, type(v{n}), " for n in range(len(names)))
        body += [
            f"    found = shared.get(key := ({key}))",
            "    if found is None:",
            "        if len(shared) >= limit:",
            "            shared.clear()",
            f"        found = shared[key] = {make}",
            "    return found",
        ]
    else:
        body.append(f"    return {make}")
    scope: dict[str, Any] = {"kind": kind, "Error": CacheFormatError}
    scope.update(shared={}, limit=SHARED_MAX)
    exec("\n".join(body), scope)  # names and types of the model's own fields, nothing read
    decode: Decode = scope["decode"]
    _MADE[kind] = decode
    try:
        scope.update({alias: _decoder(hint) for alias, hint in nested.items()})
    except BaseException:  # a field of a type the cache cannot hold: not left half made
        del _MADE[kind]
        raise
    return decode


_SCALARS = (str, int, bool)  # exactly these: a bool is not an int here


def _check(var: str, hint: Any, nested: dict[str, Any], where: str) -> list[str]:
    """Lines that check `var` against `hint` and decode it in place; a decoder a line calls
    is named in `nested`."""
    bad = f"        raise Error('a bad value for {where}')"
    args = get_args(hint)
    if hint in _SCALARS:
        return [f"    if type({var}) is not {hint.__name__}:", bad]
    if get_origin(hint) in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        (other,) = (a for a in args if a is not type(None))
        if other in _SCALARS:
            return [f"    if {var} is not None and type({var}) is not {other.__name__}:", bad]
    if get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        lines = [f"    if type({var}) is not list and type({var}) is not tuple:", bad]
        if args[0] in _SCALARS:
            each = f"    for item in {var}:\n        if type(item) is not {args[0].__name__}:"
            return [*lines, each, "    " + bad, f"    {var} = tuple({var})"]
        alias = f"d{len(nested)}"
        nested[alias] = args[0]
        return [*lines, f"    {var} = tuple([{alias}(item) for item in {var}])"]
    alias = f"d{len(nested)}"
    nested[alias] = hint
    return [f"    {var} = {alias}({var})"]


def article_to_json(article: ParsedArticle) -> str:
    """A parsed article as JSON text."""
    return json.dumps(to_data(article), ensure_ascii=False, separators=(",", ":"))


def article_from_json(text: str | bytes) -> ParsedArticle:
    """A parsed article from article_to_json's text; CacheFormatError for anything else."""
    try:
        data = json.loads(text)
    except (ValueError, TypeError, RecursionError) as err:
        raise CacheFormatError(f"not JSON: {err}") from None
    article = from_data(ParsedArticle, data)
    assert isinstance(article, ParsedArticle)
    return article
