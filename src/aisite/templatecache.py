"""Compiled templates of the built-in theme, kept between runs in the user's own cache folder.

Compiling the theme's templates costs a new process some 70 ms; read back, about 3. Only the
built-in theme's files are kept (aisite's own, as trusted as its installed bytecode), in a
folder only this user can write; never a site's templates/ (a site copied from elsewhere brings
its .aisite-cache, which must never hold code) and never the site's cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from jinja2.bccache import Bucket

if TYPE_CHECKING:
    from jinja2 import Environment


def private_folder() -> Path | None:
    """$XDG_CACHE_HOME/aisite/templates (else ~/.cache/aisite/templates), made for this user
    alone; None where it cannot be made or another user could write in it."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative: XDG says to ignore it
        base = os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):  # no home folder
        return None
    mine = Path(base) / "aisite"
    try:
        for folder in (mine, mine / "templates"):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.lstat()  # a symbolic link is not a folder here
            private = stat.S_ISDIR(info.st_mode) and not info.st_mode & (
                stat.S_IWGRP | stat.S_IWOTH
            )
            if not private or info.st_uid != os.getuid():
                return None
    except OSError:
        return None
    return mine / "templates"


def _settings(env: Environment) -> str:
    """What a template's compiled code depends on besides its source and Jinja's version."""
    parts = (
        env.autoescape,
        env.trim_blocks,
        env.lstrip_blocks,
        env.keep_trailing_newline,
        env.newline_sequence,
        env.optimized,
        (env.block_start_string, env.variable_start_string, env.comment_start_string),
        sorted(env.extensions),
        sorted(env.filters),  # a filter's name is checked when the template is compiled
        sorted(env.tests),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


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
        """Read the kept code; none when missing, unreadable or damaged."""
        try:
            with open(self.folder / f"{bucket.key}.cache", "rb") as file:
                bucket.load_bytecode(file)
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the code atomically; a folder that cannot be written only costs the time."""
        if not bucket.key:
            return
        target = self.folder / f"{bucket.key}.cache"
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        try:
            with open(partial, "wb") as file:
                bucket.write_bytecode(file)
            os.replace(partial, target)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()


def theme_bytecode(theme: Path) -> ThemeBytecode | None:
    """The cache for `theme`'s templates, or None where the user has no private cache folder."""
    folder = private_folder()
    return ThemeBytecode(theme, folder) if folder else None
