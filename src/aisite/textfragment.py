"""URL Text Fragments (WICG): links that open a page scrolled to a quoted passage."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote as percent_encode

# TextDirectiveExplicitChar besides letters and digits; '&', '-' and ',' are syntax and
# everything else (space, non-ASCII, '%', '#' ...) is percent-encoded as UTF-8.
_EXPLICIT = "!$'()*+./:;=?@_~"
# A passage longer than this many characters is linked as textStart,textEnd.
LONG_PASSAGE = 150
# Words at each end of a long passage; the range selects everything between them.
RANGE_WORDS = 5


def encode(text: str) -> str:
    """Percent-encode one text directive parameter as the spec's grammar requires."""
    # urllib leaves '-' (and '_', '.', '~') alone; '-' must be encoded here.
    return percent_encode(text, safe=_EXPLICIT).replace("-", "%2D")


def passage(text: str) -> str:
    """The passage as a browser matches it: NFC, runs of white space as one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def directive(text: str, prefix: str = "", suffix: str = "") -> str:
    """`text=[prefix-,]start[,end][,-suffix]` for a passage; long ones become a range."""
    words = passage(text).split(" ")
    if len(" ".join(words)) > LONG_PASSAGE and len(words) > 2 * RANGE_WORDS:
        params = [
            encode(" ".join(words[:RANGE_WORDS])),
            encode(" ".join(words[-RANGE_WORDS:])),
        ]
    else:
        params = [encode(" ".join(words))]
    if prefix.strip():
        params.insert(0, encode(passage(prefix)) + "-")
    if suffix.strip():
        params.append("-" + encode(passage(suffix)))
    return "text=" + ",".join(params)


def fragment_url(url: str, text: str) -> str:
    """`url` with a text fragment pointing at `text`; unchanged without text or when it has one."""
    if not passage(text) or ":~:" in url:
        return url
    base, hash_mark, fragment = url.partition("#")
    return f"{base}#{fragment if hash_mark else ''}:~:{directive(text)}"
