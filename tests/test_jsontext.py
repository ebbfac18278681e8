"""Indented JSON text made by hand is json.dumps(indent=2, ensure_ascii=False)'s, byte for byte."""

from __future__ import annotations

import collections
import enum
import json
import math
import random
from typing import Any

import pytest

from aisite.jsontext import indented

pytestmark = pytest.mark.unit

CHARACTERS = 'aZ09 "\\/\n\t\r\b\f\x00\x1f\x7f\u00e9\u2014\u201c\u2028\ud800\U0001f600'
SCALARS: list[Any] = [
    None,
    True,
    False,
    0,
    -7,
    10**30,
    0.0,
    -0.0,
    1.5,
    1e300,
    1e-7,
    math.inf,
    -math.inf,
    math.nan,
    "",
]


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.4:
        if rng.random() < 0.5:
            return "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(0, 12)))
        return rng.choice(SCALARS)
    if roll < 0.7:
        items = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items
    keys = ("".join(rng.choice(CHARACTERS) for _ in range(rng.randint(0, 6))) for _ in range(4))
    return {key: _value(rng, depth + 1) for key in keys}


def test_random_values_are_written_as_json_writes_them() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        value = _value(rng, 0)
        assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_a_margin_indents_every_line_after_the_first() -> None:
    rng = random.Random(4)
    for _ in range(300):
        value = {"claim": _value(rng, 1), "more": [_value(rng, 2)]}
        whole = json.dumps(value, ensure_ascii=False, indent=2)
        assert "    " + indented(value, "    ") == "    " + whole.replace("\n", "\n    ")


class Level(enum.IntEnum):
    LOW = 1


class Name(str):
    pass


def test_subclasses_are_written_as_json_writes_them() -> None:
    named = collections.namedtuple("named", "a b")
    value = {
        Name("key"): [Level.LOW, named(1, [2.5])],
        "n": Name("text, café — “quoted”"),
        Level.LOW: {"deep": collections.OrderedDict(a=Level.LOW)},
    }
    assert indented(value, "  ") == json.dumps(value, ensure_ascii=False, indent=2).replace(
        "\n", "\n  "
    )


def test_keys_that_are_not_strings_are_named_as_json_names_them() -> None:
    value = {2: "a", None: [], 1.5: {}, True: 0, False: 1, math.inf: 2, -(10**20): 3}
    assert indented(value) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("value", [{(1,): "a"}, {"a": {1, 2}}, [b"bytes"], Ellipsis], ids=repr)
def test_what_json_cannot_write_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        indented(value)
