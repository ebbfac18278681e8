"""No silent verdict change: compare the claims with a claims.json published earlier."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn

from aisite.errors import Problem, UsageError
from aisite.model import Site

if TYPE_CHECKING:
    from aisite.catalog import ClaimEntry


def read_published(path: Path, shown: str, *, usage: bool) -> dict[str, str] | Problem:
    """Verdict keys by '<article>/<id>' from a claims.json, or the problem reading it."""
    try:
        with path.open("rb") as file:
            verdicts = _verdicts(_Stream(file))
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as err:
        message = f"cannot read the published claims in {shown}: {_why(err)}"
        if usage:
            raise UsageError(message) from None
        hint = "it should be the claims.json of an earlier build; delete it to skip this check"
        return Problem(shown, 0, message, hint)
    return verdicts


def _verdicts(stream: _Stream) -> dict[str, str]:
    """The verdicts of the top-level object's `claims`, read one claim at a time: the whole
    document of 5,000 articles' claims (34 MB of JSON) took some 95 MB at once. As json.loads
    and reading its `claims` would, but that a `claims` that is a string or an object (which
    json.loads read as no claims) is an error."""
    if stream.take("\ufeff", keep=True):
        stream.fail("Unexpected UTF-8 BOM (decode using utf-8-sig)")
    if not stream.take("{"):
        stream.value()  # a JSON error if it is not JSON
        raise TypeError("not an object")
    found: tuple[dict[str, str], Exception | None] | None = None
    first = True
    while not stream.take("}"):
        if not first:
            stream.expect(",", "Expecting ',' delimiter")
        first = False
        if not stream.take('"', keep=True):
            stream.fail("Expecting property name enclosed in double quotes")
        key = stream.value()
        stream.expect(":", "Expecting ':' delimiter")
        if key == "claims":  # given twice, the last counts (as in json.loads): read each whole
            found = _claims(stream)
        else:
            stream.value()  # the site, its ratings: not needed
    stream.end()
    if found is None:
        raise KeyError("claims")
    verdicts, wrong = found
    if wrong is not None:
        raise wrong
    return verdicts


def _claims(stream: _Stream) -> tuple[dict[str, str], Exception | None]:
    """The verdicts of a `claims` value, and what is wrong with it (raised if it counts)."""
    verdicts: dict[str, str] = {}
    if not stream.take("["):
        stream.value()
        return verdicts, TypeError("claims is not a list")
    wrong: Exception | None = None
    item = 0
    while not stream.take("]"):
        if item:
            stream.expect(",", "Expecting ',' delimiter")
        item += 1
        claim = stream.value()
        if isinstance(claim, dict) and wrong is None:
            try:
                verdicts[f"{claim['article']}/{claim['id']}"] = str(claim["verdict"])
            except KeyError as err:
                wrong = err
    return verdicts, wrong


_NUMBER = frozenset("0123456789.eE+-")


class _Stream:
    """A JSON text in UTF-8 read 256 KiB at a time, decoded a value at a time."""

    SIZE = 1 << 18

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.text, self.at = file, "", 0
        # Bytes decoded as they come (a text file's read(n) held some 10 MB for a 1 MB read),
        # line ends made "\n" as a text file makes them (for the lines errors name).
        self.utf8 = io.IncrementalNewlineDecoder(codecs.getincrementaldecoder("utf-8")(), True)
        self.read = 0  # bytes read so far
        self.eof = False
        self.lines, self.line_start = 1, 0  # of the text dropped so far: for messages
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        """Read on, keeping only the unread text; False at the end of the file (the text as
        it was, and from then on `eof`)."""
        chunk, data = "", b"x"
        while not chunk and data:  # a piece of a character decodes to nothing yet
            data = b"" if self.eof else self.file.read(self.SIZE)
            held = len(self.utf8.getstate()[0])  # bytes of a character begun in the last read
            try:
                chunk = self.utf8.decode(data, final=not data)
            except UnicodeDecodeError as err:  # where in the file, not in this read
                at = self.read - held + err.start
                raise ValueError(f"invalid UTF-8 at byte {at}: {err.reason}") from None
            self.read += len(data)
        if not chunk:
            self.eof = True
            return False
        newlines = self.text.count("\n", 0, self.at)
        if newlines:
            self.lines += newlines
            self.line_start = self.at - self.text.rfind("\n", 0, self.at) - 1
        else:
            self.line_start += self.at
        self.text, self.at = self.text[self.at :] + chunk, 0
        return True

    def _skip(self) -> None:
        while True:
            while self.at < len(self.text) and self.text[self.at] in " \t\n":  # no "\r": made "\n"
                self.at += 1
            if self.at < len(self.text) or not self._more():
                return

    def take(self, char: str, keep: bool = False) -> bool:
        """Whether `char` comes next (consumed if so, unless `keep`)."""
        self._skip()
        if self.text[self.at : self.at + 1] == char:
            self.at += not keep
            return True
        return False

    def expect(self, char: str, message: str) -> None:
        """Consume `char`, or raise a ValueError with `message` where it is missing."""
        if not self.take(char):
            self.fail(message)

    def value(self) -> Any:
        """The next JSON value, read on until it is whole."""
        self._skip()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.at)
            except RecursionError:  # deep, and maybe whole once more of it is read
                if self._more():
                    continue
                raise
            except ValueError as err:  # a JSON error, or an int of more than 4,300 digits
                if self._cut(err) and self._more():
                    continue
                if not isinstance(err, json.JSONDecodeError):
                    raise
                self.at = err.pos
                self.fail(err.msg)
            cut = end == len(self.text) or self.text[end] in _NUMBER
            if isinstance(value, int | float) and cut and self._more():
                continue  # a number may go on in the text not read yet
            self.at = end
            return value

    def _cut(self, err: ValueError) -> bool:
        """Whether `err` may come of the text ending where it does, so that reading on may
        mend it: a JSON error in its last 12 characters ('-Infinity' cut short is an error 9
        characters from the end) or in a string still open, an int too long whose number runs
        to the end. Else it is an error of the file, reported without reading on."""
        if not isinstance(err, json.JSONDecodeError):
            return self.text[-1:] in _NUMBER  # '1111.' cut before its fraction, too
        return err.pos >= len(self.text) - 12 or err.msg.startswith("Unterminated string")

    def end(self) -> None:
        """Nothing but white space may follow."""
        self._skip()
        if self.at < len(self.text):
            self.fail("Extra data")

    def fail(self, message: str) -> NoReturn:
        """A ValueError naming the line and column where the text is."""
        newlines = self.text.count("\n", 0, self.at)
        line = self.lines + newlines
        last = self.text.rfind("\n", 0, self.at)
        column = self.at - last if newlines else self.line_start + self.at + 1
        raise ValueError(f"{message}: line {line} column {column}")


def _why(err: Exception) -> str:
    if isinstance(err, OSError):
        return err.strerror or str(err)
    if isinstance(err, RecursionError):
        return "values nested too deeply"
    if isinstance(err, KeyError | TypeError):
        return "not a claims.json (no claims with article, id and verdict)"
    return str(err).splitlines()[0]


def silent_changes(site: Site, published: dict[str, str]) -> list[Problem]:
    """A problem for each claim whose verdict differs from the published one with no update saying so."""
    problems = []
    for article in site.articles:
        for claim in article.claims:
            before = published.get(f"{article.slug}/{claim.id}")
            if before is None or before == claim.verdict.key:
                continue
            if any(u.previous_verdict and u.previous_verdict.key == before for u in claim.updates):
                continue
            label = site.config.rating(before)
            was = f"'{before}'" + (f" ({label.label})" if label else "")
            problems.append(
                Problem(
                    article.claims_path,
                    claim.line,
                    f"claim '{claim.id}': the verdict changed from {was} as published to "
                    f"'{claim.verdict.key}' without an update saying so",
                    f"add to the claim: updates: [{{date: YYYY-MM-DD, previous_verdict: "
                    f"{before}, note: why the verdict changed}}]",
                )
            )
    return problems


def verdict_changes(
    site: Site,
    published: Path,
    known: dict[str, str] | None = None,
    *,
    usage: bool = False,
) -> list[Problem]:
    """Claims whose verdict changed silently since the claims.json at `published` (if any);
    `known`: its verdicts, kept by the build that wrote it (openrecords.kept), not read again."""
    if known is not None:
        return silent_changes(site, known)
    if not published.is_file() and not usage:
        return []
    found = read_published(published, str(published), usage=usage)
    if isinstance(found, Problem):
        return [found]
    return silent_changes(site, found)


def verdicts_of(entries: Iterable[ClaimEntry]) -> Iterator[tuple[str, str]]:
    """Each claim's '<article>/<id>' and verdict key, as read_published finds them in
    claims.json (made one at a time: the cache keeps them as lines)."""
    return ((f"{e.article.slug}/{e.claim.id}", e.claim.verdict.key) for e in entries)
