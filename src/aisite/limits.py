"""Bounds on the work one Markdown text may cause, found by measurement (docs/security.md).

Python-Markdown's inline parser is quadratic in the number of unclosed '[' (links, images,
footnotes) and '<' (raw HTML, autolinks) of a text: 20,000 '[a](' took over a minute, 10,000
footnotes 47 s, '[' x 100,000 more than 300 s. At 2,000 of either the worst input measured takes
about a second; real articles use a few hundred at most. A text past a limit is refused before
it is parsed, with what to change.
"""

from __future__ import annotations

# Character -> (most allowed, how to write it when it is not markup).
LIMITS = {
    "[": (2000, "write a literal '[' as \\["),
    "<": (2000, "write a literal '<' as &lt;"),
}


def _past(text: str, char: str, limit: int) -> int:
    """Where the first unescaped `char` beyond `limit` of them stands in `text`."""
    seen, at = 0, text.find(char)
    while at != -1:
        if not (at and text[at - 1] == "\\"):
            seen += 1
            if seen > limit:
                return at
        at = text.find(char, at + 1)
    return len(text)  # not reached: over_limit counted more than `limit`


def over_limit(text: str) -> tuple[str, int]:
    """Why a Markdown text is refused and where in it ('' and 0 when within every limit): at
    the first character past the limit."""
    for char, (limit, escape) in LIMITS.items():
        # Escaped ones are not markup, and escapes in a row are one match (inline.py).
        count = text.count(char) - text.count("\\" + char)
        if count > limit:
            return (
                f"the text has {count:,} '{char}' characters, past the limit from this line on; "
                f"at most {limit:,} are allowed, as Markdown's parser slows down quadratically "
                f"past that (split the text, or {escape})"
            ), _past(text, char, limit)
    return "", 0
