"""Names in URLs: valid slugs, a hint for an invalid one, slugify, terms (a name with its slug)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from aisite.claimmodel import Term

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def valid_slug(value: str) -> bool:
    """True for `[a-z0-9]+(-[a-z0-9]+)*` of at most 80 characters."""
    return len(value) <= 80 and bool(SLUG_RE.match(value))


def slug_hint(value: str) -> str:
    """Suggest a valid slug for an invalid one."""
    suggestion = slugify(value)[:80].strip("-")
    base = "lower-case letters, digits and single hyphens, at most 80 characters"
    return f"{base}; e.g. '{suggestion}'" if suggestion else base


def slugify(text: str) -> str:
    """Turn a name into a URL slug: 'AI policy' -> 'ai-policy'."""
    # Numbers stay whole: "3,000" -> "3000", "$1.6 million" -> "1-6-million" (not "16-...").
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"(?<=\d)\.(?=\d)", "-", text)
    # Apostrophes and other dots join their word: "China's" -> "chinas", "U.S." -> "us".
    text = re.sub(r"['’.]", "", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# One Term a name, shared by every claim and article naming it (a Term a claim held 8 MB at
# 5,000 articles); the cache decodes them shared as well (cachecodec).
@lru_cache(maxsize=1 << 16)
def term(name: str) -> Term:
    """A display name with its slug; a hash keeps apart names whose letters slugify drops."""
    slug = slugify(name)[:72].strip("-")
    kept = sum(c.isalpha() for c in slug)
    letters = sum(
        c.isalpha() for c in unicodedata.normalize("NFKD", name) if unicodedata.category(c) != "Mn"
    )
    if kept < letters:  # e.g. '中国 AI' and '日本 AI' must not both become 'ai'
        suffix = hashlib.sha1(name.casefold().encode()).hexdigest()[:8]
        slug = f"{slug}-x-{suffix}" if slug else f"x-{suffix}"
    return Term(name, slug)
