"""Text as quotes are matched: NFC, straight quotes, one kind of dash, single spaces, no invisibles."""

from __future__ import annotations

import re
import unicodedata

# Curly quotes and primes to straight ones, every dash and minus to '-'.
FOLDS = {ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc"}
FOLDS.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033"})
FOLDS.update({ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"})
_DASHES = re.compile(r" ?-+ ?")


def invisible(char: str) -> bool:
    """Soft hyphens, zero-width spaces and joiners, byte-order marks: format characters."""
    return unicodedata.category(char) == "Cf"


def normalise(text: str) -> str:
    """NFC, straight quotes, single spaces, any dash ('—', '--', ' - ') '-', no invisibles."""
    text = unicodedata.normalize("NFC", text).translate(FOLDS)
    text = "".join(c for c in text if not invisible(c))
    return _DASHES.sub("-", " ".join(text.split()))
