"""claims.json's records by key: what each is made from, and those of the published file a new one copies (what the cache keeps of it: keptrow.py)."""

from __future__ import annotations

import os
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from aisite import urls
from aisite.errors import ContentError, Problem
from aisite.keys import digest

if TYPE_CHECKING:
    from aisite.cache import Cache
    from aisite.catalog import Catalog, ClaimEntry

# How claims_pieces lays the records out (json.dumps's indent=2): after the `"claims": [` line
# of the top-level object, each record's first and last lines are '    {' and '    }' and every
# line between starts with more spaces (a string's newlines are escaped: no line starts inside
# one). Records are apart by ',\n    ' and the list ends with the document.
_CLAIMS = b'\n  "claims": ['
_OPEN, _CLOSE = b"\n    {\n", b"\n    }"
_APART = len(b",\n    ")
_TAIL = b"\n  ]\n}\n"
_LAST = _CLOSE + _TAIL  # how a file with records ends
_PIECE = 1 << 20  # bytes read at a time

# Records' starts and ends in the earlier file (a list of tuples took 2 MB at 5,000 articles).
_Spans = tuple["array[int]", "array[int]"]


@dataclass(frozen=True)
class Earlier:
    """The claims.json a build wrote and is still there: its path, size and mtime, the key of
    each of its records in order, and each record's length in bytes when the build kept them
    (else its records are found by scanning it: 0.28-0.33 s for 135 MB at 20,000 articles)."""

    path: Path
    size: int
    mtime_ns: int
    keys: list[str]
    lengths: array[int] | None = None


def as_written(cache: Cache, published: Path) -> tuple[str, int, int] | None:
    """The key, size and mtime the last build recorded of the claims.json at `published`, when
    the file is still what that build wrote (its size and mtime as recorded)."""
    recorded = cache.recorded([urls.CLAIMS_JSON]).get(urls.CLAIMS_JSON)
    if recorded is None:
        return None
    try:
        stat = published.stat()
    except OSError:
        return None
    return recorded if (stat.st_size, stat.st_mtime_ns) == recorded[1:] else None


def kept(
    cache: Cache, published: Path, recorded: tuple[str, int, int] | None
) -> tuple[dict[str, str], Earlier] | None:
    """What the build that wrote the claims.json at `published` kept of it (its verdicts, its
    records' keys), when the file is still that build's (`recorded`: as_written's answer); None
    when it must be read (reading it took 0.13 s at 5,000 articles, 34 MB of JSON)."""
    found = cache.published(recorded[0]) if recorded else None
    if recorded is None or found is None:
        return None
    verdicts, keys, lengths = found
    return verdicts, Earlier(published, recorded[1], recorded[2], keys, lengths)


def record_keys(site_key: str, catalog: Catalog, entries: Iterable[ClaimEntry]) -> Iterator[str]:
    """Each claim's record key: its article's URL, front matter and claims.yaml, its id, and the
    same of the articles that reuse it, in their order (the site's settings: `site_key`).

    These are what opendata.claims_key is made of, claim by claim."""
    articles: dict[str, str] = {}

    def of(url: str, meta: str) -> str:
        key = articles.get(url)
        if key is None:
            key = articles[url] = digest(site_key, url, meta)
        return key

    for entry in entries:
        article = entry.article
        key = f"{of(article.url, article.meta_fingerprint)} {entry.claim.id}"
        for other, reuse in catalog.reused.get(entry.url, ()):
            key += f" {of(other.url, other.meta_fingerprint)}:{reuse.id}"  # ids are slugs
        yield key


def record_pieces(
    keys: Iterable[str],
    earlier: Earlier | None,
    make: Callable[[int], str],
    lengths: array[int] | None = None,
) -> Iterator[bytes]:
    """claims.json's records, each after its separator: one whose key the earlier file has is
    copied from it (a run of records in the same order at once), any other made by `make`.
    Each record's length in bytes goes to `lengths`, for the next build's Earlier."""
    found = _records(earlier)
    handle, (starts, ends), index = found if found else (-1, (array("q"), array("q")), {})
    written = array("q") if lengths is None else lengths
    del written[:]  # a stream made again starts again
    try:
        start = end = last = -1  # the run of earlier records to copy next: its bytes, its last
        for n, key in enumerate(keys):
            at = index.get(key, -1)
            if at >= 0:
                written.append(ends[at] - starts[at])
            if at >= 0 and start >= 0 and at == last + 1:
                end, last = ends[at], at
                continue
            if start >= 0:
                yield from _read(handle, start, end, earlier)
                start = -1
            separator = ",\n    " if n else "\n    "
            if at >= 0:
                yield separator.encode()
                start, end, last = starts[at], ends[at], at
            else:
                record = make(n).encode()
                written.append(len(record))
                yield separator.encode() + record
        if start >= 0:
            yield from _read(handle, start, end, earlier)
    finally:
        if handle >= 0:
            os.close(handle)


def written_lengths(path: Path, count: int) -> array[int] | None:
    """Each record's length in the claims.json at `path`, found by a scan, when it has `count`
    records laid out as claims_pieces writes them (a build whose worker wrote the file)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        spans = _spans(handle, os.fstat(handle).st_size)
    except OSError:
        spans = None
    finally:
        os.close(handle)
    if spans is None or len(spans[0]) != count:
        return None
    return array("q", (end - start for start, end in zip(*spans, strict=True)))


def _records(earlier: Earlier | None) -> tuple[int, _Spans, dict[str, int]] | None:
    """The earlier file, open, its records' spans and their index by key; None when it is not
    the file recorded or not laid out as claims_pieces writes."""
    if earlier is None:
        return None
    try:
        handle = os.open(earlier.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        stat = os.fstat(handle)
        if (stat.st_size, stat.st_mtime_ns) == (earlier.size, earlier.mtime_ns):
            size = stat.st_size
            spans = _placed(handle, size, earlier.lengths) or _spans(handle, size)
            if spans is not None and len(spans[0]) == len(earlier.keys):
                return handle, spans, {key: n for n, key in enumerate(earlier.keys)}
    except OSError:
        pass
    os.close(handle)
    return None


def _placed(handle: int, size: int, lengths: array[int] | None) -> _Spans | None:
    """The start and end of each record in a claims.json whose records' lengths the build
    that wrote it kept; None when the file does not begin, end and add up as they say."""
    if not lengths:
        return None
    head = os.pread(handle, 1 << 16, 0)  # the site's name and ratings come first
    listed = head.find(_CLAIMS) + len(_CLAIMS)
    if listed < len(_CLAIMS) or os.pread(handle, len(_OPEN), listed) != _OPEN:
        return None
    # Records are apart by ',\n    ' (and the first follows '\n    '): each ends this far on.
    last = listed - 1 + sum(lengths) + _APART * len(lengths)
    if last + len(_TAIL) != size or os.pread(handle, len(_LAST), last - len(_CLOSE)) != _LAST:
        return None
    ends = array("q", accumulate((n + _APART for n in lengths), initial=listed - 1))
    del ends[0]
    return array("q", (end - n for end, n in zip(ends, lengths, strict=True))), ends


def _spans(handle: int, size: int) -> _Spans | None:
    """The start and end of each record in a claims.json, found by its lines as claims_pieces
    lays them out; None when the file is laid out otherwise."""
    starts, ends = array("q"), array("q")
    buffer, base, at = b"", 0, 0  # `buffer` holds the file from `base`; searched from `at`
    wanted, listed = _CLAIMS, -1
    while True:
        piece = os.pread(handle, _PIECE, base + len(buffer))
        if not piece:
            break
        buffer += piece
        while True:
            found = buffer.find(wanted, max(at - base, 0))
            if found < 0:
                break
            at = base + found + len(wanted)
            if wanted is _CLOSE:
                ends.append(at)
                wanted = _OPEN
            elif wanted is _OPEN:
                starts.append(at - 2)  # at the record's "{"
                wanted = _CLOSE
            else:
                listed, wanted = at, _OPEN  # the records' list begins
        keep = len(_CLAIMS) - 1  # a marker cut by the read's end is found in the next buffer
        base += max(len(buffer) - keep, 0)
        buffer = buffer[-keep:]
    if wanted is _CLOSE or not starts or starts[0] != listed + len("\n    "):
        return None
    if ends[-1] + len(_TAIL) != size:
        return None
    if any(starts[n + 1] - ends[n] != _APART for n in range(len(starts) - 1)):
        return None
    return starts, ends


def _read(handle: int, start: int, end: int, earlier: Earlier | None) -> Iterator[bytes]:
    """The earlier file's bytes from `start` to `end`, a piece at a time (a file cut short
    since it was checked is a problem, as a copied file that went is: making.copied)."""
    while start < end:
        try:
            piece = os.pread(handle, min(_PIECE, end - start), start)
        except OSError:
            piece = b""
        if not piece:
            assert earlier is not None  # read only when it was found
            message = f"cut short at byte {start} while the build copied its unchanged claims"
            hint = "it changed while the site was being built: build again"
            raise ContentError([Problem(str(earlier.path), 0, message, hint)])
        yield piece
        start += len(piece)
