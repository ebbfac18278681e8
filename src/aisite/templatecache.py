"""Compiled templates of the built-in theme, kept between runs in the user's own cache folder.

Compiling the theme's templates costs a new process some 70 ms; read back, about 3. Only the
built-in theme's files are kept (aisite's own, as trusted as its installed bytecode), in a
folder that no other user can change, nor any folder above it; never a site's templates/ (a
site copied from elsewhere brings its .aisite-cache, which must never hold code).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from jinja2.bccache import Bucket

from aisite.keys import digest

if TYPE_CHECKING:
    from jinja2 import Environment

_CHECK = hashlib.sha256().digest_size  # each file: the SHA-256 of the rest, then Jinja's bytes


def _unchangeable(path: Path, uid: int) -> bool:
    """True when no other user can change `path` or any folder above it: each is this user's or
    root's, and writable by no one else (or sticky, as /tmp: others cannot move what is ours)."""
    for folder in [*reversed(path.parents), path]:
        info = folder.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid not in (uid, 0):
            return False
        shared = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if shared and not (info.st_mode & stat.S_ISVTX and folder != path):
            return False
    return True


def private_folder() -> Path | None:
    """$XDG_CACHE_HOME/aisite/templates (else ~/.cache/aisite/templates), made for this user
    alone; None where it cannot be, or where another user could change it or a folder above."""
    getuid = getattr(os, "getuid", None)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: XDG says to ignore it
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if getuid is None or not os.path.isabs(base):  # no home folder
        return None
    folder = Path(os.path.realpath(base)) / "aisite" / "templates"
    try:
        folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.mkdir(mode=0o700, exist_ok=True)
        mine = all(p.lstat().st_uid == getuid() for p in (folder, folder.parent))
        return folder if mine and _unchangeable(folder, getuid()) else None
    except OSError:
        return None


def _settings(env: Environment) -> str:
    """What compiled code depends on besides its source: aisite's code and Jinja's version (the
    salt of keys.digest), Python's, the options, and each filter's and test's arguments."""
    parts = (
        sys.implementation.cache_tag,
        env.autoescape,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.optimized,
        (env.block_start_string, env.variable_start_string, env.comment_start_string),
        sorted(env.extensions),
        sorted((name, repr(getattr(f, "jinja_pass_arg", None))) for name, f in env.filters.items()),
        sorted((name, repr(getattr(f, "jinja_pass_arg", None))) for name, f in env.tests.items()),
    )
    return digest("templates", repr(parts))[:16]


class ThemeBytecode(jinja2.BytecodeCache):
    """Jinja's bytecode cache for the built-in theme's files; other templates compile each run."""

    def __init__(self, theme: Path, folder: Path) -> None:
        self.theme = os.path.join(os.path.normpath(theme), "")
        self.folder = folder

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The kept code of a built-in template; an empty bucket, never stored, for the rest."""
        if filename is None or not os.path.normpath(filename).startswith(self.theme):
            return Bucket(environment, "", "")
        bucket = Bucket(
            environment,
            f"{_settings(environment)}-{self.get_cache_key(name, filename)}",
            self.get_source_checksum(source),  # an edited file is compiled again
        )
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: Bucket) -> None:
        """Read the kept code; none when missing, unreadable or not as written (checked by its
        hash before Jinja unpickles anything)."""
        try:
            with open(self.folder / f"{bucket.key}.cache", "rb") as file:
                data = file.read()
        except OSError:
            return
        if hashlib.sha256(data[_CHECK:]).digest() != data[:_CHECK]:
            return
        bucket.bytecode_from_string(data[_CHECK:])
        if not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code atomically; a folder that cannot be written only costs the time."""
        if not bucket.key:
            return
        data = bucket.bytecode_to_string()
        target = self.folder / f"{bucket.key}.cache"
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            partial.write_bytes(hashlib.sha256(data).digest() + data)
            os.replace(partial, target)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()
            return
        # The same template compiled by other code (another aisite, Jinja or filter): the key
        # changes with every edit of aisite's code, so only the newest is kept, one per file.
        template = bucket.key.partition("-")[2]
        for older in self.folder.glob(f"*-{template}.cache"):
            if older != target:
                with contextlib.suppress(OSError):
                    older.unlink()


def theme_bytecode(theme: Path) -> ThemeBytecode | None:
    """The cache for `theme`'s templates, or None where the user has no private cache folder."""
    folder = private_folder()
    return ThemeBytecode(theme, folder) if folder else None
