"""Plain-language explanations of the YAML syntax errors authors make most often."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from aisite.yamlnode import quoted

# `key: value` or `- key: value`, the value starting after the first ': '.
_KEY_VALUE = re.compile(r"^(\s*(?:-\s+)?)([^\s#'\"][^:#]*?):\s+(\S.*?)\s*$")


@dataclass(frozen=True)
class Explained:
    """A syntax error said plainly: 0-based line, message and the fix."""

    line: int
    message: str
    hint: str


def explain(err: yaml.MarkedYAMLError, lines: list[str]) -> Explained | None:
    """The plain explanation of a syntax error, when it is one of the common ones."""
    mark = err.problem_mark or err.context_mark
    if mark is None or mark.line >= len(lines):
        return None
    line = lines[mark.line]
    indent = line[: len(line) - len(line.lstrip())]
    if "\t" in indent or line[mark.column : mark.column + 1] == "\t":
        return Explained(
            mark.line, "invalid YAML: a tab character in the indentation", "indent with spaces"
        )
    found = _KEY_VALUE.match(line)
    if not found:
        return None
    key, value = found.group(2), found.group(3)
    fix = quoted(value)
    kind = "single" if fix.startswith("'") else "double"
    hint = f"wrap the whole value in {kind} quotes: {key}: {fix}"
    if value[0] in "\"'" and _ends_early(value):
        return Explained(
            mark.line,
            f"invalid YAML: the value of '{key}' starts with a quotation mark ({value[0]}), so YAML "
            "takes the value to end at the next one, and then finds more text",
            hint,
        )
    if "mapping values are not allowed" in str(err.problem) and ": " in value:
        return Explained(
            mark.line,
            f"invalid YAML: the value of '{key}' contains ': ', which YAML reads as the start of "
            "a new key",
            hint,
        )
    return None


def _ends_early(value: str) -> bool:
    """True when a value opens with a quotation that closes before the value ends."""
    mark = value[0]
    index = 1
    while index < len(value):
        if value[index] == "\\" and mark == '"':
            index += 2
            continue
        if value[index] == mark:
            if mark == "'" and value[index + 1 : index + 2] == "'":
                index += 2
                continue
            rest = value[index + 1 :].strip()
            return bool(rest) and not rest.startswith("#")
        index += 1
    return False
