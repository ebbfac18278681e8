"""Content problems, reported as `path:line: message`."""

from __future__ import annotations

import difflib
import errno
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in the user's content, located by file and line."""

    path: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        # One problem, one line: quoted content may hold newlines or control characters.
        return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


class ContentError(Exception):
    """Raised when content problems stop a build; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Problem]]]:
        # Keeps the problems intact when a worker process sends the error back.
        return (ContentError, (self.problems,))


def disk_full(err: BaseException) -> bool:
    """True for a write refused for want of space (the disk, or the user's quota): the
    machine's problem, not a bug in aisite nor one in the content."""
    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT)


class Problems:
    """A collector of problems for one stage."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, line: int, message: str, hint: str = "") -> None:
        """Record one problem."""
        self.items.append(Problem(path, line, message, hint))

    def extend(self, other: Iterable[Problem]) -> None:
        """Record several problems."""
        self.items.extend(other)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Stop the build if anything was recorded."""
        if self.items:
            raise ContentError(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint for a near miss, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def count(number: int, noun: str, plural: str = "") -> str:
    """'1 problem', '2 problems': a number with its noun, singular or plural."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


class UsageError(Exception):
    """A mistake in how aisite was called (options, arguments): exit status 2."""
