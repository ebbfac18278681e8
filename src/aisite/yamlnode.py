"""A strict YAML reader that keeps line numbers and never guesses types for text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.resolver import Resolver

MAX_DEPTH = 40
STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")
) | {"!"}


@dataclass(frozen=True)
class YScalar:
    """A scalar as written: its source text, the type YAML would give it, its line."""

    text: str
    tag: str
    line: int
    quoted: bool
    cut: str = ""  # '#1 in the state': a comment right after an unquoted value, likely part of it


@dataclass
class YList:
    """A YAML sequence with the line of each item."""

    items: list[YNode]
    line: int


@dataclass
class YMap:
    """A YAML mapping with text keys, keeping the line of each key."""

    items: dict[str, YNode]
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)


YNode = YScalar | YList | YMap


class YamlError(Exception):
    """A YAML document that cannot be read; carries the 1-based line and, maybe, the fix."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.hint = hint


def _base() -> type[Any]:
    """libyaml's parser (about ten times faster) under our own composer, where available."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        return yaml.SafeLoader

    class Fast(Composer, CParser, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

    return Fast


if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:
    _Base = _base()


class _Loader(_Base):
    """Composes nodes only, refusing aliases, unknown tags and deep nesting."""

    depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            # Aliases can expand a few lines to gigabytes ("billion laughs"); content needs none.
            raise YamlError(event.start_mark.line + 1, "YAML anchors and aliases are not allowed")
        tag = getattr(event, "tag", None)
        if tag and tag not in STANDARD_TAGS:
            raise YamlError(
                event.start_mark.line + 1,
                f"YAML tag '{tag.replace('tag:yaml.org,2002:', '!!')}' is not allowed",
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise YamlError(event.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
        try:
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self.depth -= 1


def parse_yaml(text: str, line_offset: int = 0) -> YNode | None:
    """Parse one YAML document into line-numbered nodes; None for an empty document."""
    try:
        loader = _Loader(text)
    except yaml.YAMLError as err:
        raise YamlError(1 + line_offset, "invalid YAML: " + " ".join(str(err).split())) from None
    try:
        node = loader.get_single_node()
    except YamlError as err:
        raise YamlError(err.line + line_offset, err.message) from None
    except yaml.MarkedYAMLError as err:
        from aisite.yamlhints import explain

        plain = explain(err, text.split("\n"))
        if plain:
            raise YamlError(plain.line + 1 + line_offset, plain.message, plain.hint) from None
        mark = err.problem_mark or err.context_mark
        line = (mark.line + 1) if mark else 1
        message = " ".join(str(p) for p in (err.context, err.problem) if p)
        raise YamlError(line + line_offset, f"invalid YAML: {message}") from None
    except yaml.YAMLError as err:
        raise YamlError(1 + line_offset, "invalid YAML: " + " ".join(str(err).split())) from None
    finally:
        loader.dispose()
    return None if node is None else _convert(node, line_offset, text.split("\n"))


# ' #1 in the state', ' #1a7f37': after a space, '#' starts a comment, even where it was meant as
# text. A comment written as such has a space after the '#'; one without is reported.
_CUT = re.compile(r"[ \t]+(#\S.*)")


def _convert(node: yaml.Node, offset: int, lines: list[str]) -> YNode:
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.ScalarNode):
        quoted = node.style in ("'", '"', "|", ">")
        cut = ""
        if not node.style and node.end_mark.line < len(lines):  # plain: None, or "" from libyaml
            rest = _CUT.match(lines[node.end_mark.line], node.end_mark.column)
            cut = rest.group(1).rstrip() if rest else ""
        return YScalar(str(node.value), STR if quoted else node.tag, line, quoted, cut)
    if isinstance(node, yaml.SequenceNode):
        return YList([_convert(item, offset, lines) for item in node.value], line)
    assert isinstance(node, yaml.MappingNode)
    result = YMap({}, line)
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != STR:
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            raise YamlError(key_line, f"key {shown!r} must be text (quote it)")
        key = str(key_node.value)
        if key in result.items:
            first = result.key_lines[key]
            raise YamlError(key_line, f"duplicate key '{key}' (first given on line {first})")
        result.items[key] = _convert(value_node, offset, lines)
        result.key_lines[key] = key_line
    return result


def describe(node: YNode) -> str:
    """A short name of a node's kind for messages."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    return {INT: "a number", FLOAT: "a number", BOOL: "true/false", NULL: "empty"}.get(
        node.tag, "text"
    )


def quoted(text: str) -> str:
    """A YAML scalar that reads back as exactly `text`: double quotes, or single ones if needed."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"
