"""Reads files of the site folder safely: the checks every file gets, one walk per build (of the
site and of the built-in theme, found here)."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from aisite import memory
from aisite.errors import Problem, Problems
from aisite.pool import can_fork, fork_call

MAX_FILE_BYTES = 4 * 1024 * 1024
# Characters XML (and so every feed) forbids, and that no visible text needs.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
IGNORED = (".DS_Store", "Thumbs.db", ".gitkeep")
# A folder this big (content/articles of an archive) is walked by two processes: at 20,000
# articles the walk took 0.75 s in one process, 0.55 s in two (medians of eight).
SHARE_AT = 2000
# Hidden files, and what editors leave beside the files they edit: backups (name~), Emacs
# autosaves (#name#), Vim's write test (4913), Kate swap files, JetBrains safe-write copies,
# Office lock files (~$name). Files of these names are never read, published or watched.
EDITOR_TEMP = re.compile(r"^\.|~$|^#.*#$|^4913$|\.kate-swp$|___jb_(tmp|old)___$|^~\$")


@dataclass(frozen=True)
class Walk:
    """The files a build reads, found once: each folder's files, and each file's size and mtime,
    by path strings (Path objects for 40,000 files took 0.6 s more to make and hash)."""

    folders: dict[str, list[str]]
    stats: dict[str, tuple[int, int] | None]  # None: the file could not be stat'ed
    # The entries (names) of the top folders and of their folders, as entries() gives them:
    # the loader's lists of content/articles are not made again (0.17 s at 20,000 articles).
    entries: dict[str, list[str]] = field(default_factory=dict)


# What the worker of a shared walk sends back: names, folders walked, problems, stats.
Shared = tuple[list[str], dict[str, list[str]], list[Problem], dict[str, tuple[int, int] | None]]


def normalised(data: bytes) -> str:
    """A file's bytes as every input is read: UTF-8, BOM dropped, CRLF and CR to LF."""
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


class Reader:
    """Reads text files of the site folder with the checks every file gets."""

    def __init__(self, root: Path, problems: Problems, walk: Walk | None = None) -> None:
        self.root = root.resolve()
        self.problems = problems
        # A walk that found no problem (input_walk raises otherwise) is not done again.
        self.known = walk or Walk({}, {})
        self.walked: dict[str, list[str]] = {}
        self.listed: dict[str, list[str]] = {}
        # input_walk's: a worker walks half of the first folder of SHARE_AT entries or more
        # (and stats its files); the files stat'ed in the walk.
        self.share = False
        self.stats: dict[str, tuple[int, int] | None] = {}

    def stat(self, path: Path | str) -> tuple[int, int] | None:
        """A file's size and mtime, as the walk found them (else now); None when it cannot."""
        key = str(path)
        if key in self.known.stats:
            return self.known.stats[key]
        return stat_now(path)

    def rel(self, path: Path) -> str:
        """A path as shown in messages: relative to the site folder."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def inside(self, path: Path) -> bool:
        """True when a path (after following links) stays inside the site folder."""
        if not path.is_symlink():
            return True
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a loop of links
            self.problems.add(self.rel(path), 0, "symbolic link loop; not followed")
            return False
        if target == self.root or self.root in target.parents:
            hidden = [p for p in target.relative_to(self.root).parts if p.startswith(".")]
            if not hidden:
                return True
            # static/env -> ../.env would publish secrets (.env, .git/config): never followed.
            message = f"symbolic link points to the hidden '{hidden[0]}'; not followed"
            self.problems.add(self.rel(path), 0, message, "hidden files are never published")
            return False
        self.problems.add(
            self.rel(path), 0, "symbolic link points outside the site folder; not followed"
        )
        return False

    def text(self, path: Path) -> str | None:
        """A file's text (`normalised`), size limited."""
        rel = self.rel(path)
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                limit = MAX_FILE_BYTES // (1024 * 1024)
                self.problems.add(rel, 1, f"file is {size} bytes; the limit is {limit} MiB")
                return None
            data = path.read_bytes()
        except OSError as err:
            self.cannot_read(path, err)
            return None
        try:
            text = normalised(data)
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            byte = data[err.start]
            message = f"not valid UTF-8 (byte 0x{byte:02x} at offset {err.start})"
            self.problems.add(rel, line, message, "save the file as UTF-8")
            return None
        control = CONTROL.search(text)
        if control:
            line = text.count("\n", 0, control.start()) + 1
            code = f"U+{ord(control.group()):04X}"
            self.problems.add(
                rel, line, f"invisible control character {code} in the text", "delete it"
            )
            return None
        return text

    def cannot_read(self, path: Path | str, err: OSError | None = None) -> None:
        """Report a file or folder the user cannot read (never built from a cache instead)."""
        why = (err.strerror if err and err.strerror else os.strerror(errno.EACCES)).lower()
        self.problems.add(self.rel(Path(path)), 0, f"cannot read ({why})")

    def readable(self, path: Path) -> bool:
        """True when a file (or a folder, to list) can be read; reported when it cannot."""
        return self._can(path, os.R_OK | os.X_OK if path.is_dir() else os.R_OK)

    def _can(self, path: Path | str, mode: int) -> bool:
        if os.access(path, mode):
            return True
        self.cannot_read(path)
        return False

    def entries(self, folder: Path, only: Collection[str] | None = None) -> list[Path]:
        """Sorted entries of a folder, without ignored files, hidden names and outside links;
        with `only`, just those of these names (a Path each for 20,000 folders: 0.1 s)."""
        names = self.known.entries.get(str(folder))
        if names is None:
            names = [entry.name for entry in self._scan(str(folder))]
        return [folder / name for name in names if only is None or name in only]

    def _scan(self, folder: str) -> list[os.DirEntry[str]]:
        """entries() as directory entries (which know, mostly without a stat, whether each is
        a folder or a file); each one's `path` is os.path.join(folder, its name)."""
        try:
            with os.scandir(folder) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError as err:
            self.cannot_read(folder, err)
            return []
        result = []
        for entry in entries:
            if entry.name in IGNORED or entry.name.startswith("."):
                continue
            # is_dir() raises for a link that loops: asked of an editor's names only, as before
            if editor_temp(entry.name) and not entry.is_dir():
                continue  # a file an editor left (an article folder named 4913 is an article)
            if entry.is_symlink() and not self.inside(Path(entry.path)):
                continue
            result.append(entry)
        return result

    def files(self, folder: Path) -> list[Path]:
        """All files below a folder, sorted, recursively; a link back up a tree is not followed."""
        return [Path(path) for path in self.names(str(folder))]

    def names(self, folder: str, seen: frozenset[tuple[int, int]] = frozenset()) -> list[str]:
        """files() as path strings."""
        known = self.known.folders.get(folder)
        if known is not None:
            return list(known)
        try:
            stat = os.stat(folder)
        except OSError as err:
            self.cannot_read(folder, err)
            return []
        identity = (stat.st_dev, stat.st_ino)  # the same folder, however a link reached it
        if identity in seen:
            self.problems.add(self.rel(Path(folder)), 0, "symbolic link loop; not followed")
            return []
        entries, inner = self._scan(folder), seen | {identity}
        if len(seen) < 2:  # a top folder and its folders (content/articles): the loader's lists
            self.listed[folder] = [entry.name for entry in entries]
        if self.share and len(entries) >= SHARE_AT:
            self.share = False  # one worker, for the first folder this big
            result = self._halves(entries, inner)
        else:
            result = self._walk(entries, inner)
        self.walked[folder] = result
        return result

    def _halves(
        self, entries: list[os.DirEntry[str]], seen: frozenset[tuple[int, int]]
    ) -> list[str]:
        """_walk() of these entries, the second half by a worker when one can be forked."""
        half = len(entries) // 2
        try:
            shared = fork_call(partial(self._shared, entries[half:], seen))
        except OSError:  # no process to spare: walked here
            return self._walk(entries, seen)
        try:
            result = self._walk(entries[:half], seen)
            self.stats.update((name, stat_now(name)) for name in result)  # while it walks
            try:
                names, walked, problems, stats = shared.result()
            except RuntimeError:  # the worker died (killed, out of memory): walked here
                return result + self._walk(entries[half:], seen)
        finally:
            shared.cancel()  # however this process stops
        self.walked.update(walked)
        self.problems.extend(problems)
        self.stats.update(stats)
        return result + names

    def _walk(self, entries: list[os.DirEntry[str]], seen: frozenset[tuple[int, int]]) -> list[str]:
        result: list[str] = []
        for entry in entries:
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
            except OSError:
                is_dir = is_file = False
            if is_dir:
                result.extend(self.names(entry.path, seen))
            elif is_file and self._can(entry.path, os.R_OK):
                result.append(entry.path)
        return result

    def _shared(self, entries: list[os.DirEntry[str]], seen: frozenset[tuple[int, int]]) -> Shared:
        """In a worker: _walk() of these entries, with what it walked, found wrong and stat'ed."""
        self.walked, self.problems = {}, Problems()
        names = self._walk(entries, seen)
        return names, self.walked, self.problems.items, {n: stat_now(n) for n in names}


def editor_temp(name: str) -> bool:
    """True for a name EDITOR_TEMP matches."""
    # Every match's first or last character ($ matches before a last newline) first: 0.08 s
    # less at 20,000 folders' names.
    if name[:1] not in ".#4~" and name[-1:] not in "~p_\n":
        return False
    return EDITOR_TEMP.search(name) is not None


def stat_now(path: Path | str) -> tuple[int, int] | None:
    """A file's size and mtime as they are now; None when it cannot be stat'ed."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def input_walk(root: Path, theme: Path, workers: int = 1) -> Walk:
    """Every file a build reads, found by the same safe walk as loading (loops, outside links),
    with its size and mtime; raises ContentError for what the walk cannot follow. With
    `workers` over 1, a worker walks half of the first folder of SHARE_AT entries."""
    problems = Problems()
    reader = Reader(root, problems)
    # Not in a server: its process is big to fork, and it walks after saves by its quick path.
    reader.share = workers > 1 and can_fork() and not memory.serving()
    theme_reader = Reader(theme, problems)
    found: list[str] = []
    for top in (reader.root / "content", reader.root / "templates", reader.root / "static"):
        if top.is_dir():
            found.extend(reader.names(str(top)))
    found.extend(theme_reader.names(str(theme)))
    problems.raise_if_any()
    stats = {p: reader.stats[p] if p in reader.stats else stat_now(p) for p in found}
    return Walk({**reader.walked, **theme_reader.walked}, stats, reader.listed)


def shipped(packaged: str, checkout: str, what: str) -> Path:
    """A folder aisite ships: aisite/<packaged> when installed, <checkout>/ of a source checkout."""
    inside = Path(__file__).parent / packaged
    if inside.is_dir():
        return inside
    top = Path(__file__).resolve().parents[2] / checkout
    if top.is_dir():
        return top
    raise RuntimeError(f"aisite's {what} is missing from this installation")


def builtin_theme() -> Path:
    """The default theme: packaged as aisite/theme, or templates/ of a source checkout."""
    return shipped("theme", "templates", "built-in theme")
