"""A new claims.json copies the published one's records whose keys it has and makes the others:
the bytes are those of making every record (json.dumps(indent=2) of the whole document)."""

from __future__ import annotations

import json
import os
import random
from array import array
from pathlib import Path
from typing import Any

import pytest

from aisite import openrecords
from aisite.jsontext import indented
from aisite.keptrow import from_kept_row, kept_row
from aisite.openrecords import Earlier, record_pieces

pytestmark = pytest.mark.unit

# Strings a record may hold that look like its layout once unescaped.
TRICKY = ["\n    {\n", "\n    }", '\n  "claims": [', ",\n    ", "\n  ]\n}\n", "é ✓", ""]
HEAD = {
    "site": "S\n    {\n",
    "base_url": "https://example.org/",
    # Objects at the records' depth before the records' list.
    "ratings": [{"key": "a", "label": "A", "value": 1, "description": "\n    }"}],
}


def _record(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "id": f"claim-{n}",
        "summary": rng.choice(TRICKY) + str(rng.random()),
        "evidence": [
            {"title": rng.choice(TRICKY), "quote": None, "figures": [1, 2.5, True]}
            for _ in range(rng.randrange(3))
        ],
        "topics": [],
        "updates": [{}] if rng.random() < 0.2 else [],
    }


def _document(records: list[dict[str, Any]]) -> bytes:
    """claims.json as json.dumps writes it."""
    return (json.dumps({**HEAD, "claims": records}, ensure_ascii=False, indent=2) + "\n").encode()


def _made(
    keys: list[str],
    records: list[dict[str, Any]],
    earlier: Earlier | None,
    lengths: array[int] | None = None,
) -> tuple[bytes, list[int]]:
    """The document with its records copied or made as claims_pieces lays it out, and the
    records made (their lengths to `lengths`)."""
    made: list[int] = []

    def make(n: int) -> str:
        made.append(n)
        return indented(records[n], "    ")

    head = json.dumps({**HEAD, "claims": []}, ensure_ascii=False, indent=2)[: -len("]\n}")]
    pieces = [head.encode(), *record_pieces(keys, earlier, make, lengths), b"\n  ]\n}\n"]
    return b"".join(pieces), made


def _earlier(path: Path, keys: list[str], records: list[dict[str, Any]]) -> Earlier:
    path.write_bytes(_document(records))
    stat = path.stat()
    return Earlier(path, stat.st_size, stat.st_mtime_ns, keys)


def _changed(
    rng: random.Random, keys: list[str], records: list[dict[str, Any]], fresh: int
) -> tuple[list[str], list[dict[str, Any]]]:
    """The records after random edits, deletions, additions and moves (an edited record has a
    new key, as a changed claim has)."""
    pairs = list(zip(keys, records, strict=True))
    for step in range(rng.randrange(4)):
        kind = rng.choice(["edit", "delete", "add", "move"])
        at = rng.randrange(len(pairs) + 1)
        if kind == "add" or not pairs:
            pairs.insert(at, (f"new-{fresh}-{step}", _record(rng, 1000 + step)))
            continue
        at = min(at, len(pairs) - 1)
        if kind == "edit":
            pairs[at] = (f"edited-{fresh}-{step}", _record(rng, at))
        elif kind == "delete":
            del pairs[at]
        else:
            pairs.insert(rng.randrange(len(pairs)), pairs.pop(at))
    return [k for k, _ in pairs], [r for _, r in pairs]


@pytest.mark.parametrize("piece", [7, 13, 64, 1 << 20])
def test_copied_records_are_the_bytes_of_making_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    # Small reads put every layout marker across a read's end somewhere.
    monkeypatch.setattr(openrecords, "_PIECE", piece)
    rng = random.Random(piece)
    for trial in range(120 if piece > 7 else 40):
        keys = [f"key-{n}" for n in range(rng.randrange(1, 9))]
        records = [_record(rng, n) for n in range(len(keys))]
        earlier = _earlier(tmp_path / "claims.json", keys, records)
        new_keys, new_records = _changed(rng, keys, records, trial)
        if not new_records:
            continue
        data, made = _made(new_keys, new_records, earlier)
        assert data == _document(new_records), (keys, new_keys)
        assert made == [n for n, key in enumerate(new_keys) if key not in keys]


def test_a_run_of_records_in_the_same_order_is_copied_at_once(tmp_path: Path) -> None:
    rng = random.Random(3)
    keys = [f"key-{n}" for n in range(40)]
    records = [_record(rng, n) for n in range(40)]
    earlier = _earlier(tmp_path / "claims.json", keys, records)
    edited = [*records[:20], _record(rng, 99), *records[21:]]
    pieces = list(record_pieces([*keys[:20], "edited", *keys[21:]], earlier, lambda n: "{}"))
    # The first twenty records in one read, the one made, the last nineteen in one read.
    assert len(pieces) == 5
    assert pieces[0] == b"\n    " and pieces[2] == b",\n    {}" and pieces[3] == b",\n    "
    assert pieces[1].count(b"\n    }") == 20 and pieces[4].count(b"\n    }") == 19
    assert _made([*keys[:20], "edited", *keys[21:]], edited, earlier)[0] == _document(edited)


SPACED = {  # where a space goes: after the first of these bytes (or at the end)
    "a space before the first record": b'"claims": [\n',
    "a space between records": b"\n    },\n",
    "a space after the end": b"",
}


def _damaged(path: Path, how: str) -> None:
    """The published file, changed after it was recorded."""
    stat = path.stat()
    data = json.loads(path.read_text(encoding="utf-8"))
    if how == "touched":
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    elif how == "a byte more, same mtime":
        path.write_bytes(path.read_bytes() + b"\n")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif how == "gone":
        path.unlink()
    elif how == "a link":
        target = path.with_name("elsewhere.json")
        path.rename(target)
        path.symlink_to(target)
    elif how in SPACED:  # one space more where claims_pieces puts none, one less in the head
        raw = path.read_bytes().replace(b'"site": "S', b'"site": "', 1)
        at = SPACED[how]
        path.write_bytes(raw.replace(at, at[:-1] + b" " + at[-1:], 1) if at else raw + b" ")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    else:  # laid out otherwise, at the same size and mtime
        text = {
            "indent 4": json.dumps(data, ensure_ascii=False, indent=4),
            "one record less": json.dumps({**data, "claims": data["claims"][1:]}, indent=2),
            "compact": json.dumps(data, ensure_ascii=False),
        }[how]
        path.write_bytes(text.encode().ljust(stat.st_size)[: stat.st_size])
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize(
    "how",
    [
        "touched",
        "a byte more, same mtime",
        "gone",
        "a link",
        "indent 4",
        "one record less",
        "compact",
        *SPACED,
    ],
)
def test_a_published_file_not_as_recorded_is_not_copied_from(tmp_path: Path, how: str) -> None:
    rng = random.Random(5)
    keys = [f"key-{n}" for n in range(6)]
    records = [_record(rng, n) for n in range(6)]
    earlier = _earlier(tmp_path / "claims.json", keys, records)
    _damaged(earlier.path, how)
    data, made = _made(keys, records, earlier)
    assert data == _document(records) and made == list(range(6))


def test_the_keys_recorded_must_be_as_many_as_the_records(tmp_path: Path) -> None:
    rng = random.Random(7)
    keys = [f"key-{n}" for n in range(4)]
    records = [_record(rng, n) for n in range(4)]
    earlier = _earlier(tmp_path / "claims.json", keys, records)
    fewer = Earlier(earlier.path, earlier.size, earlier.mtime_ns, keys[:3])
    assert _made(keys, records, fewer)[1] == [0, 1, 2, 3]
    assert _made(keys, records, earlier)[1] == []


def test_a_file_that_ends_inside_its_first_record_is_not_copied_from(tmp_path: Path) -> None:
    rng = random.Random(9)
    records = [_record(rng, 0)]
    whole = _document(records)
    first = whole.index(b"\n    {\n", whole.index(b'"claims": ['))
    cut = whole[: first + len(b"\n    {\n")] + b"x"
    path = tmp_path / "claims.json"
    path.write_bytes(cut)
    stat = path.stat()
    earlier = Earlier(path, stat.st_size, stat.st_mtime_ns, ["key-0"])
    assert _made(["key-0"], records, earlier) == (whole, [0])


def test_a_published_file_cut_short_while_it_is_copied_is_a_problem(tmp_path: Path) -> None:
    from aisite.errors import ContentError

    rng = random.Random(9)
    keys = [f"key-{n}" for n in range(5)]
    records = [_record(rng, n) for n in range(5)]
    earlier = _earlier(tmp_path / "claims.json", keys, records)
    pieces = record_pieces(keys, earlier, lambda n: "{}")
    assert next(pieces) == b"\n    "  # the file checked and scanned: its records found
    with open(earlier.path, "r+b") as file:
        file.truncate(10)
    with pytest.raises(ContentError) as caught:
        list(pieces)
    (problem,) = caught.value.problems
    assert problem.path == str(earlier.path)
    assert str(problem) == (
        f"{earlier.path}: cut short at byte {problem.message.split()[4]} while the build copied"
        " its unchanged claims (it changed while the site was being built: build again)"
    )
    assert int(problem.message.split()[4]) > 10
    assert problem.hint == "it changed while the site was being built: build again"


def _lengths(keys: list[str], records: list[dict[str, Any]]) -> array[int]:
    """The records' lengths as record_pieces gives them while it writes the file."""
    lengths: array[int] = array("q")
    head = json.dumps({**HEAD, "claims": []}, ensure_ascii=False, indent=2)[: -len("]\n}")]
    pieces = record_pieces(keys, None, lambda n: indented(records[n], "    "), lengths)
    assert b"".join([head.encode(), *pieces, b"\n  ]\n}\n"]) == _document(records)
    return lengths


@pytest.mark.parametrize("piece", [7, 1 << 20])
def test_records_placed_by_their_kept_lengths_are_copied_as_found_by_a_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    monkeypatch.setattr(openrecords, "_PIECE", piece)
    scanned: list[int] = []
    scan = openrecords._spans
    monkeypatch.setattr(openrecords, "_spans", lambda *a: scanned.append(1) or scan(*a))
    rng = random.Random(piece + 1)
    for trial in range(60):
        keys = [f"key-{n}" for n in range(rng.randrange(1, 9))]
        records = [_record(rng, n) for n in range(len(keys))]
        found = _earlier(tmp_path / "claims.json", keys, records)
        earlier = Earlier(found.path, found.size, found.mtime_ns, keys, _lengths(keys, records))
        new_keys, new_records = _changed(rng, keys, records, trial)
        if not new_records:
            continue
        lengths: array[int] = array("q")
        data, made = _made(new_keys, new_records, earlier, lengths)
        assert data == _document(new_records)
        assert made == [n for n, key in enumerate(new_keys) if key not in keys]
        assert lengths == _lengths(new_keys, new_records)  # as the next build will find them
    assert scanned == []


@pytest.mark.parametrize("wrong", ["one byte more", "one byte less", "swapped", "no record"])
def test_lengths_that_do_not_add_up_to_the_file_are_not_trusted(tmp_path: Path, wrong: str) -> None:
    rng = random.Random(11)
    keys = [f"key-{n}" for n in range(5)]
    records = [_record(rng, n) for n in range(5)]
    found = _earlier(tmp_path / "claims.json", keys, records)
    lengths = _lengths(keys, records)
    assert len(set(lengths)) > 1
    if wrong == "one byte more":
        lengths[2] += 1
    elif wrong == "one byte less":
        lengths[2] -= 1
    elif wrong == "swapped":
        at = next(n for n in range(4) if lengths[n] != lengths[n + 1])
        lengths[at], lengths[at + 1] = lengths[at + 1], lengths[at]
    else:
        del lengths[:]
    handle = os.open(found.path, os.O_RDONLY)
    try:
        placed = openrecords._placed(handle, found.size, lengths)
    finally:
        os.close(handle)
    huge = array("q", [2**62, 2**62, *lengths[2:]])  # each fits in 64 bits, not their sum
    handle = os.open(found.path, os.O_RDONLY)
    try:
        assert openrecords._placed(handle, found.size, huge) is None
    finally:
        os.close(handle)
    # Swapped lengths add up: placed there, the records are not where they say (the scan
    # after a change without size or mtime changed is the only check, as for the verdicts).
    assert placed is None or wrong == "swapped"
    earlier = Earlier(found.path, found.size, found.mtime_ns, keys, lengths)
    if wrong != "swapped":  # found by a scan instead: copied all the same
        assert _made(keys, records, earlier) == (_document(records), [])


def _joined(verdicts: dict[str, str], keys: list[str], lengths: array[int] | None) -> str:
    """What the builds before kept_row wrote a line at a time kept: each part joined whole."""
    parts = [list(verdicts), list(verdicts.values()), keys, [str(n) for n in lengths or ()]]
    return "\f".join("\n".join(part) for part in parts)


def _kept(verdicts: dict[str, str], keys: list[str], lengths: array[int] | None) -> bytearray:
    row = kept_row(iter(verdicts.items()), iter(keys), lengths)  # read once, a line at a time
    assert row is not None
    return row


def test_what_is_kept_of_a_claims_json_reads_back_as_it_was() -> None:
    verdicts = {"a/one": "accurate", "b/two": "misleading"}
    keys = ["0123 one", "4567 two b:x"]
    lengths = array("q", [120, 3_000_000])
    row = _kept(verdicts, keys, lengths)
    assert from_kept_row(row) == (verdicts, keys, lengths)
    assert from_kept_row(bytes(row)) == (verdicts, keys, lengths)  # as the cache reads it
    assert from_kept_row(_kept(verdicts, keys, None)) == (verdicts, keys, None)
    assert from_kept_row(_kept({}, [], None)) == ({}, [], None)
    assert kept_row({"a/one\nb": "x"}.items(), keys, lengths) is None  # not one line: not kept
    assert kept_row(verdicts.items(), ["0123\fone", "x"], lengths) is None
    assert kept_row({"a/one": "x\fy"}.items(), keys, lengths) is None
    # A row an older build kept as text reads back as it did.
    assert from_kept_row(_joined(verdicts, keys, lengths)) == (verdicts, keys, lengths)


@pytest.mark.parametrize("seed", range(40))
def test_kept_lines_are_the_text_the_parts_joined_whole_make(seed: int) -> None:
    rng = random.Random(seed)
    words = ["", "a", "b/c", "accurate", "émigré/ça", "0123 one b:x", "日本/語", "x y"]
    names = rng.sample(words, rng.randint(0, len(words)))
    verdicts = {name: rng.choice(words) for name in names}
    keys = [rng.choice(words) for _ in range(rng.randint(0, 6))]
    lengths = rng.choice([None, array("q", [rng.randint(1, 10**12) for _ in range(len(keys))])])
    row = _kept(verdicts, keys, lengths)
    assert row.decode() == _joined(verdicts, keys, lengths)


@pytest.mark.parametrize("where", ["first record's opening line", "last record's closing line"])
def test_lengths_are_not_trusted_where_the_file_does_not_open_or_close_a_record(
    tmp_path: Path, where: str
) -> None:
    # Each check of the file's own lines stands alone: the lengths add up to the size.
    rng = random.Random(13)
    keys = [f"key-{n}" for n in range(4)]
    records = [_record(rng, n) for n in range(4)]
    found = _earlier(tmp_path / "claims.json", keys, records)
    lengths = _lengths(keys, records)
    raw = bytearray(found.path.read_bytes())
    if where == "first record's opening line":
        at = raw.index(b'"claims": [') + len(b'"claims": [\n    ')
        assert raw[at : at + 2] == b"{\n"
        raw[at + 1 : at + 2] = b" "  # '{ ' where '{\n' was: the same size
    else:
        at = len(raw) - len(b"\n  ]\n}\n") - 1
        assert raw[at : at + 1] == b"}"
        raw[at - 1 : at] = b"x"  # '   x}' where '    }' was
    found.path.write_bytes(bytes(raw))
    handle = os.open(found.path, os.O_RDONLY)
    try:
        assert openrecords._placed(handle, len(raw), lengths) is None
    finally:
        os.close(handle)


def test_a_stream_made_again_gives_its_lengths_once(tmp_path: Path) -> None:
    rng = random.Random(17)
    keys = [f"key-{n}" for n in range(5)]
    records = [_record(rng, n) for n in range(5)]
    lengths: array[int] = array("q")
    first = _made(keys, records, None, lengths)
    again = _made(keys, records, None, lengths)
    assert first == again and lengths == _lengths(keys, records)
