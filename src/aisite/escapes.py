"""Backslash escapes in Markdown, a run at a time: one inline match each made them quadratic.

Python-Markdown's inline parser copies the rest of a text for every match; `\\[` written 50,000
times in a row took 6 s, 100,000 times 21 s (the hint for a text past the '[' limit is to write
`\\[`). Here a run of consecutive escapes is one match, giving the same characters.
"""

from __future__ import annotations

import re

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.inlinepatterns import EscapeInlineProcessor


class _EscapeRuns(EscapeInlineProcessor):
    """Python-Markdown's escape processor, matching every escape of a run at once."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(r"\\(.)", md)
        self._chars = ""
        self._run = self.compiled_re

    def getCompiledRegExp(self) -> re.Pattern[str]:
        """Backslashes each followed by a character Markdown escapes (extensions add some)."""
        chars = "".join(self.md.ESCAPED_CHARS)
        if chars != self._chars:
            self._chars = chars
            self._run = re.compile(r"(?:\\[" + "".join(f"\\{c}" for c in chars) + "])+")
        return self._run

    # InlineProcessor's signature; Python-Markdown's annotations give Pattern's to every subclass.
    def handleMatch(  # type: ignore[override]
        self, m: re.Match[str], data: str
    ) -> tuple[str | None, int, int]:
        """Each escaped character as Python-Markdown marks it, for its 'unescape' to restore."""
        marked = "".join(f"{util.STX}{ord(char)}{util.ETX}" for char in m.group(0)[1::2])
        return marked, m.start(0), m.end(0)


class EscapeRuns(Extension):
    """Replaces the 'escape' inline pattern (same place, same output)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.inlinePatterns.register(_EscapeRuns(md), "escape", 180)
