"""What the cache keeps of a claims.json: its verdicts, its records' keys and lengths, as lines."""

from __future__ import annotations

from array import array
from collections.abc import Iterable


def kept_row(
    verdicts: Iterable[tuple[str, str]], keys: Iterable[str], lengths: array[int] | None
) -> bytearray | None:
    """What the cache keeps of a claims.json: its verdicts ('<article>/<id>', verdict key), its
    records' keys and lengths, as lines of UTF-8 (their JSON took 0.1 s to read and write at
    20,000 articles), written a line at a time (a dict of the verdicts, lists of the lines and
    their joins: 19.7 MB for the 3.4 MB of 50,000 claims); None if one would not stay one line
    (slugs and digests always do)."""
    row, values = bytearray(), bytearray()
    for name, verdict in verdicts:
        if not (_line(row, name) and _line(values, verdict)):
            return None
    _end(row)
    row += b"\f"
    row += _end(values)
    del values
    row += b"\f"
    for key in keys:
        if not _line(row, key):
            return None
    _end(row)
    row += b"\f"
    for length in lengths or ():
        row += b"%d\n" % length
    return _end(row)


def _line(row: bytearray, text: str) -> bool:
    """Add `text` and a line break to `row`; False when `text` is not one line."""
    if "\n" in text or "\f" in text:
        return False
    row += text.encode()
    row += b"\n"
    return True


def _end(row: bytearray) -> bytearray:
    """A part's last line break taken off (lines are joined, as str.join does)."""
    if row.endswith(b"\n"):
        del row[-1]
    return row


def from_kept_row(text: object) -> tuple[dict[str, str], list[str], array[int] | None]:
    """kept_row's verdicts, keys and lengths (None when none were kept); ValueError or
    TypeError when `text` is not what kept_row makes (or its text, as an older build kept it)."""
    if isinstance(text, bytes | bytearray):
        text = text.decode()  # UnicodeDecodeError is a ValueError
    if not isinstance(text, str):
        raise TypeError("the kept claims are not text")
    parts = text.split("\f")
    if len(parts) != 4:
        raise ValueError("the kept claims are not four parts")
    names, verdicts, keys = (part.split("\n") if part else [] for part in parts[:3])
    try:
        lengths = array("q", map(int, parts[3].split("\n"))) if parts[3] else None
    except OverflowError:
        raise ValueError("a kept record's length is too large") from None
    if len(names) != len(verdicts) or (lengths is not None and len(lengths) != len(keys)):
        raise ValueError("the kept claims' parts do not match")
    if lengths is not None and min(lengths) <= 0:
        raise ValueError("a kept record's length is not positive")
    return dict(zip(names, verdicts, strict=True)), keys, lengths
