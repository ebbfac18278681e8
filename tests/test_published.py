"""A published claims.json is read a claim at a time, with json.loads's answers and errors
(but that a `claims` that is a string or an object, which json.loads read as no claims, is an
error)."""

from __future__ import annotations

import json
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from aisite import published
from aisite.errors import Problem
from aisite.published import read_published

pytestmark = pytest.mark.unit


def _whole(text: str) -> dict[str, str] | None:
    """What reading the document at once gives: the verdicts, or None when it cannot be read
    (or its `claims` is not a list)."""
    try:
        data: Any = json.loads(text)
        claims = data["claims"]
        if not isinstance(claims, list):
            return None
        return {
            f"{c['article']}/{c['id']}": str(c["verdict"]) for c in claims if isinstance(c, dict)
        }
    except (ValueError, KeyError, TypeError):
        return None


def _streamed(path: Path, text: str) -> dict[str, str] | None:
    """read_published's verdicts, or None for its problem."""
    path.write_text(text, encoding="utf-8")
    found = read_published(path, "claims.json", usage=False)
    return None if isinstance(found, Problem) else found


def _why(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    found = read_published(path, "claims.json", usage=False)
    assert isinstance(found, Problem)
    return found.message.removeprefix("cannot read the published claims in claims.json: ")


DOCUMENTS = [
    '{"claims": []}',
    '  {"site": "S", "claims" : [ ] }  \n',
    '{"claims": [{"article": "a", "id": "1", "verdict": "true", "x": [1, {"q": "“”"}]},'
    ' null, {"article": "b", "id": "2", "verdict": 3}], "n": 1.5e10}',
    '{"big": 12345678901234567890, "claims": [1.25, 3e-7, -12], "last": 15}',
    '{"claims": [{"article": "a", "id": "1", "verdict": "t"}], "claims": []}',  # the last counts
    "",
    "garbage",
    "[1]",
    '{"claims": 3}',
    '{"claims": {"article": "a"}}',
    "{}",
    "\ufeff{}",
    '\ufeff{"claims": []}',
    "{1: 2}",
    '{\r\n\t"claims":\r[\t{"article": "a", "id": "1", "verdict": "t"}\r\n]\r}\r\n',
    '{"claims": 1, "claims": [{"article": "a", "id": "1", "verdict": "t"}]}',
    '{"claims": [{"id": "x"}], "claims": [{"article": "a", "id": "1", "verdict": "t"}]}',
    '{"claims": [{"article": "a", "id": "1", "verdict": "t"}], "claims": [{"id": "x"}]}',
    '{"claims": [], "huge": ' + "1" * 5000 + ".5}",
    '{"claims": [], "huge": -' + "7" * 3000 + "}",
    '{"claims": [], "n": -Infinity, "m": [Infinity, NaN, -1e-7]}',
    '{"claims": [], }',
    '{"claims": [1,]}',
    '{"claims": []} x',
    '{"a": tru',
    '{"a": "unterminated',
    '{"claims": [], "n": 1.5e}',
    '{\n  "claims": [\n    {"article": "a", "id": "1", "verdict": "t"}\n    {"x": 1}\n  ]\n}',
]


@pytest.mark.parametrize("size", [1, 3, 1 << 18], ids=["1 byte", "3 bytes", "256 KiB"])
@pytest.mark.parametrize("text", DOCUMENTS)
def test_a_document_read_in_pieces_gives_what_json_loads_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, size: int
) -> None:
    monkeypatch.setattr(published._Stream, "SIZE", size)
    assert _streamed(tmp_path / "claims.json", text) == _whole(text)


@pytest.mark.parametrize(
    "size", [1, 3, 4, 1 << 18], ids=["1 byte", "3 bytes", "4 bytes", "256 KiB"]
)
def test_a_document_that_is_no_claims_json_is_reported_where_json_would_report_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(published._Stream, "SIZE", size)
    path = tmp_path / "claims.json"
    assert _why(path, '{"a": tru') == "Expecting value: line 1 column 7"
    assert (
        _why(path, "{1: 2}") == "Expecting property name enclosed in double quotes: line 1 column 2"
    )
    assert _why(path, '{\n  "claims": [\n    1,\n  ]\n}') == "Expecting value: line 4 column 3"
    assert _why(path, '{"claims": []}\n x') == "Extra data: line 2 column 2"
    assert _why(path, '{"claims": [] "n": 1}') == "Expecting ',' delimiter: line 1 column 15"
    assert _why(path, "") == "Expecting value: line 1 column 1"
    no = "not a claims.json (no claims with article, id and verdict)"
    assert _why(path, "[1]") == _why(path, '{"claims": {}}') == _why(path, "{}") == no
    assert _why(path, '{"claims": [{"article": "a", "id": "1"}]}') == no
    assert (
        _why(path, "\ufeff{}") == "Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1"
    )
    assert _why(path, '{\r  "claims": [1,\r\n]}') == "Expecting value: line 3 column 1"
    assert _why(path, "[" * 2_000) == "values nested too deeply"


@pytest.mark.parametrize("size", [1, 2, 1 << 18], ids=["1 byte", "2 bytes", "256 KiB"])
def test_a_file_that_is_not_utf8_is_reported_at_its_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(published._Stream, "SIZE", size)
    path = tmp_path / "claims.json"
    start = b'{"claims": [], "site": "caf'
    path.write_bytes(start + b'\xff"}')
    found = read_published(path, "claims.json", usage=False)
    assert isinstance(found, Problem)
    assert found.message.endswith(f"invalid UTF-8 at byte {len(start)}: invalid start byte")
    path.write_bytes(start + '\u00e9"}'.encode()[:1])  # a character cut off by the file's end
    found = read_published(path, "claims.json", usage=False)
    assert isinstance(found, Problem)
    assert found.message.endswith(f"invalid UTF-8 at byte {len(start)}: unexpected end of data")


def test_random_claims_files_cut_anywhere_read_as_json_loads_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(12)
    for _ in range(300):
        claims = [
            {
                "article": f"a{i}",
                "id": f"c{j}",
                "verdict": rng.choice(["true", "false"]),
                "quote": "“x” —\n" * rng.randint(0, 20),
                "n": rng.random() * 1e6,
                "m": rng.randint(-(10**6), 10**6),
            }
            for i in range(rng.randint(0, 8))
            for j in range(rng.randint(0, 3))
        ]
        document = {"site": "S", "ratings": [{"value": 1.5}], "claims": claims, "z": 12}
        indent = rng.choice([None, 2])
        text = json.dumps(document, ensure_ascii=rng.random() < 0.5, indent=indent)
        if rng.random() < 0.3:
            text = text[: rng.randint(0, len(text))]
        monkeypatch.setattr(published._Stream, "SIZE", rng.choice([1, 2, 5, 64, 4096]))
        assert _streamed(tmp_path / "claims.json", text) == _whole(text), text[:300]


def test_a_large_claims_file_is_never_held_whole(tmp_path: Path) -> None:
    # 5,000 articles' claims.json is 34 MB: read at once, it took some 95 MB.
    claim = {
        "article": "",
        "id": "",
        "verdict": "false",
        "quote": "A sentence quoted from the article — “with its quotation marks”. " * 8,
        "evidence": [{"title": "A source", "url": "https://example.org/", "quote": "x" * 200}] * 3,
    }
    claims = [{**claim, "article": f"article-{n // 3}", "id": f"c{n % 3}"} for n in range(9000)]
    path = tmp_path / "claims.json"
    whole = json.dumps({"site": "S", "claims": claims}, ensure_ascii=False, indent=2)
    path.write_text(whole)
    size = path.stat().st_size
    assert size > 14_000_000
    found, peak = _read_traced(path)
    assert found == {f"article-{n // 3}/c{n % 3}": "false" for n in range(9000)}
    assert peak < size / 4, (peak, size)
    with path.open("r+b") as file:  # damaged near its start: not read on to the end
        file.seek(2_000)
        file.write(b"\x01")  # a control character: in a string or between values, an error
    found, peak = _read_traced(path)
    assert isinstance(found, Problem)
    assert peak < size / 4, (peak, size)
    at = whole.index('"id"', 2_000)  # a key of a claim near the start: an int too long before it
    path.write_text(whole[:at] + '"n": ' + "1" * 5_000 + ", " + whole[at:])
    found, peak = _read_traced(path)
    assert isinstance(found, Problem), found
    assert "4300" in found.message
    assert peak < size / 4, (peak, size)


def _read_traced(path: Path) -> tuple[dict[str, str] | Problem, int]:
    """read_published's answer, and the most memory it held at once."""
    tracemalloc.start()
    try:
        return read_published(path, "claims.json", usage=False), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
