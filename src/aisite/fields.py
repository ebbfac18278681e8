"""Typed, self-validating access to a YAML mapping; every problem is recorded with its line."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from aisite.errors import Problems, did_you_mean
from aisite.siteconfig import Frozen
from aisite.slugs import slug_hint, valid_slug
from aisite.yamlnode import (
    BOOL,
    FLOAT,
    INT,
    NULL,
    YList,
    YMap,
    YNode,
    YScalar,
    describe,
    quoted,
)

_MISSING: Any = object()


class Fields:
    """Reads the keys of one mapping; `done()` reports the keys nobody asked for."""

    def __init__(self, node: YMap, path: str, problems: Problems, where: str = "") -> None:
        self.node = node
        self.path = path
        self.problems = problems
        self.where = where
        self.known: list[str] = []

    def line(self, key: str) -> int:
        """The line of a key, or of the mapping when the key is absent."""
        return self.node.key_lines.get(key, self.node.line)

    def error(self, key: str, message: str, hint: str = "") -> None:
        """Record a problem at a key's line."""
        self.problems.add(self.path, self.line(key), message, hint)

    def _get(self, key: str, required: bool) -> YNode | None:
        self.known.append(key)
        value = self.node.items.get(key)
        if value is None:
            if required:
                self.error(key, f"missing required key '{self._name(key)}'")
            return None
        if isinstance(value, YScalar) and value.tag == NULL:
            if required:
                self.error(key, f"'{self._name(key)}' must not be empty")
            return None
        return value

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _scalar(self, key: str, value: YNode, kind: str) -> YScalar | None:
        if isinstance(value, YScalar):
            return value
        self.error(key, f"'{self._name(key)}' must be {kind}, not {describe(value)}")
        return None

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        """A text value; numbers and booleans are kept exactly as written."""
        if self._cut(key, self.node.items.get(key), f"{key}: "):
            self.known.append(key)
            return default
        value = self._get(key, required)
        if value is None:
            return default
        scalar = self._scalar(key, value, "text")
        if scalar is None:
            return default
        text = scalar.text.strip()
        if required and not text:
            self.error(key, f"'{self._name(key)}' must not be empty")
        return text

    def slug(self, key: str, required: bool = False) -> str:
        """A value following the slug pattern."""
        value = self.text(key, required)
        if value and not valid_slug(value):
            self.error(key, f"'{value}' is not a valid {key}", slug_hint(value))
        return value

    def integer(self, key: str, default: int, minimum: int = 1) -> int:
        """A whole number no smaller than `minimum`."""
        value = self._get(key, False)
        if value is None:
            return default
        scalar = self._scalar(key, value, "a whole number")
        if scalar is None:
            return default
        if scalar.tag != INT:
            self.error(key, f"'{self._name(key)}' must be a whole number, not '{scalar.text}'")
            return default
        number = _to_number(scalar)
        if not isinstance(number, int):
            self.error(key, f"'{self._name(key)}' must be a whole number, not '{scalar.text}'")
            return default
        if number < minimum:
            self.error(key, f"'{self._name(key)}' must be at least {minimum}")
            return default
        return number

    def number(self, key: str, required: bool = False) -> float | None:
        """An integer or decimal number."""
        value = self._get(key, required)
        if value is None:
            return None
        scalar = self._scalar(key, value, "a number")
        if scalar is None:
            return None
        if scalar.tag not in (INT, FLOAT):
            self.error(key, f"'{self._name(key)}' must be a number, not '{scalar.text}'")
            return None
        result = _to_number(scalar)
        if result is None:
            self.error(key, f"'{self._name(key)}' must be a number, not '{scalar.text}'")
            return None
        if result != result or result in (float("inf"), float("-inf")):
            self.error(key, f"'{self._name(key)}' must be a finite number")
            return None
        return result

    def boolean(self, key: str, default: bool) -> bool:
        """true or false."""
        value = self._get(key, False)
        if value is None:
            return default
        scalar = self._scalar(key, value, "true or false")
        if scalar is None:
            return default
        if scalar.tag != BOOL:
            self.error(key, f"'{self._name(key)}' must be true or false, not '{scalar.text}'")
            return default
        return scalar.text.lower() in ("true", "yes", "on", "y")

    def when(self, key: str, tz: ZoneInfo, required: bool = False) -> datetime | None:
        """A date or date-time; without an offset the site timezone applies."""
        value = self.text(key, required)
        if not value:
            return None
        parsed = parse_when(value, tz)
        if parsed is None:
            self.error(
                key,
                f"'{self._name(key)}' is not a date: '{value}'",
                "use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS+HH:MM",
            )
        return parsed

    def mapping(self, key: str, required: bool = False) -> YMap | None:
        """A nested mapping."""
        value = self._get(key, required)
        if value is None:
            return None
        if not isinstance(value, YMap):
            self.error(key, f"'{self._name(key)}' must be a mapping, not {describe(value)}")
            return None
        return value

    def items(self, key: str, required: bool = False) -> list[YNode]:
        """A list's items (empty when absent)."""
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, YList):
            self.error(key, f"'{self._name(key)}' must be a list, not {describe(value)}")
            return []
        return value.items

    def text_list(self, key: str) -> tuple[str, ...]:
        """A list of text values; a single text value is taken as a list of one."""
        value = self._get(key, False)
        if value is None:
            return ()
        if isinstance(value, YScalar):
            return (value.text.strip(),) if value.text.strip() else ()
        if not isinstance(value, YList):
            self.error(key, f"'{self._name(key)}' must be a list, not {describe(value)}")
            return ()
        result = []
        for item in value.items:
            if self._cut(key, item, "- "):
                continue
            if isinstance(item, YScalar) and item.tag != NULL and item.text.strip():
                result.append(item.text.strip())
            else:
                self.problems.add(
                    self.path, item.line, f"items of '{self._name(key)}' must be text"
                )
        return tuple(result)

    def extra(self, key: str) -> Frozen:
        """Free data for templates: any mapping, kept as written (numbers, booleans, nulls typed)."""
        value = self.mapping(key)
        return frozen(value) if value is not None else Frozen()

    def _cut(self, key: str, value: YNode | None, written: str) -> bool:
        """Report a text value that YAML ended at ' #' (the rest read as a comment)."""
        if not isinstance(value, YScalar) or not value.cut:
            return False
        whole = f"{value.text} {value.cut}" if value.text else value.cut
        what = f"'{self._name(key)}'" if written != "- " else f"an item of '{self._name(key)}'"
        shown = f"is empty: YAML reads '{value.cut}' as a comment"
        if value.text:
            shown = f"is cut short: YAML reads '{value.cut}' as a comment, leaving '{value.text}'"
        hint = f"put the {'whole ' if value.text else ''}value in quotes: {written}{quoted(whole)}"
        self.problems.add(self.path, value.line, f"{what} {shown}", hint)
        return True

    def done(self) -> None:
        """Report keys that are not part of the format."""
        for key, line in self.node.key_lines.items():
            if key not in self.known:
                hint = did_you_mean(key, self.known) or "known keys: " + ", ".join(self.known)
                self.problems.add(self.path, line, f"unknown key '{self._name(key)}'", hint)


def frozen(node: YMap) -> Frozen:
    """A YAML mapping as immutable, hashable template data."""
    return Frozen((k, _plain(v)) for k, v in node.items.items())


def _plain(node: YNode) -> Any:
    if isinstance(node, YMap):
        return frozen(node)
    if isinstance(node, YList):
        return tuple(_plain(item) for item in node.items)
    if node.tag == NULL:
        return None
    if node.tag == BOOL:
        return node.text.lower() in ("true", "yes", "on", "y")
    if node.tag in (INT, FLOAT):
        number = _to_number(node)
        return node.text if number is None else number
    return node.text


def _to_number(scalar: YScalar) -> int | float | None:
    """A YAML 1.1 int or float as PyYAML reads it (010, 0x1f, 1:30, .inf), or None."""
    import yaml

    node = yaml.ScalarNode(scalar.tag, scalar.text)
    constructor = yaml.constructor.SafeConstructor()
    try:
        if scalar.tag == INT:
            return int(constructor.construct_yaml_int(node))
        return float(constructor.construct_yaml_float(node))
    except (ValueError, TypeError):
        return None


C = TypeVar("C", bound=str)


def choice(f: Fields, key: str, choices: tuple[C, ...], default: C) -> C:
    """One of a fixed set of words (the members of a Literal type)."""
    value = f.text(key, default=default)
    for option in choices:
        if value == option:
            return option
    hint = did_you_mean(value, choices) or "one of: " + ", ".join(choices)
    f.error(key, f"'{key}' must be one of {', '.join(choices)}, not '{value}'", hint)
    return default


def is_http_url(value: str) -> bool:
    """True for an absolute http(s) URL."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def parse_when(value: str, tz: ZoneInfo) -> datetime | None:
    """Parse an ISO date or date-time; a naive value is in `tz`."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tz)
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
