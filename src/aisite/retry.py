"""When a failed build is made again: a text saved while it ran, a cache it could not use."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from aisite.bodies import unreadable
from aisite.errors import ContentError, Problem
from aisite.options import Options
from aisite.reader import stat_now

# An article's Markdown that is no longer the text parsed (mdsource.py): saved during the build.
CHANGED = "changed while the site was being built"
BUILDS = 3  # at most, counting the first: a file saved again and again is reported


def changed(problem: Problem) -> bool:
    """True for the problem of a Markdown text that is no longer the one parsed."""
    return problem.message.startswith(CHANGED)


@dataclass
class Retries:
    """What the builds so far failed on, to decide how the next one is made (nothing of a failed
    build was published: one made again reads the files as they are now)."""

    options: Options
    cache: Path | None
    builds: int = 1
    seen: dict[str, tuple[int, int] | None] = field(default_factory=dict)

    def again(self, err: ContentError) -> Options | None:
        """The options to build with again after `err` (saying why), or None to report it."""
        if self.builds >= BUILDS:
            return None
        options = self.options
        saved = next((p for p in err.problems if changed(p)), None)
        if saved is not None:
            now = stat_now(options.source / saved.path)
            # Not saved since the last build failed on it, yet read wrong again: it changed
            # under the size and mtime the parsed cache is keyed by (a copy that keeps mtimes).
            stale = self.seen.get(saved.path, ()) == now and options.use_cache and not options.clean
            self.seen[saved.path] = now
            if stale:
                _warn(
                    f"{saved.path} is not the text the cache parsed under its size and "
                    "modification time; building again without reading the cache"
                )
                options = replace(options, clean=True)
            else:
                _warn(f"{saved.path} {CHANGED}; building again")
        elif not options.hold_texts and any(unreadable(p) for p in err.problems):
            _warn(  # a fault is a miss: the rows are replaced
                f"the cache in {self.cache} cannot be used (an article's rendered text is "
                "damaged or gone); building again without reading it"
            )
            options = replace(options, clean=True, hold_texts=True)
        else:
            return None
        self.builds += 1
        self.options = options
        return options


def _warn(message: str) -> None:
    print(f"aisite: warning: {message}", file=sys.stderr)
