"""Checks of single values a site gives: web addresses, rating colours."""

from __future__ import annotations

import math
import re
from urllib.parse import quote, urlsplit

from aisite.fields import Fields
from aisite.yamlnode import NULL, YScalar

COLOR_RE = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_COLOR = "#57606a"
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text: the badges print white text on the colour


def rating_color(r: Fields) -> str:
    """A rating's `color`: '#rgb' or '#rrggbb'; absent is the default grey, empty is an error."""
    given = r.node.items.get("color")
    color = r.text("color", default=DEFAULT_COLOR)
    if isinstance(given, YScalar) and given.tag == NULL and not given.cut:
        r.error(
            "color",
            f"'{r.where}.color' is empty",
            f"give a colour like '#1a7f37', or remove the line for the default '{DEFAULT_COLOR}'",
        )
    elif not COLOR_RE.match(color):
        r.error("color", f"color must be a hex colour like '#1a7f37', not '{color}'")
    elif contrast(color) < MIN_CONTRAST:
        shown = math.floor(contrast(color) * 100) / 100  # never rounded up to a passing 4.5
        r.error(
            "color",
            f"'{r.where}.color' {color} has a contrast of {shown:.2f}:1 with the badges' white "
            f"text; WCAG AA needs at least {MIN_CONTRAST}:1",
            f"pick a darker colour, e.g. '{darker(color)}'",
        )
    return color


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:] if len(color) == 7 else "".join(c * 2 for c in color[1:])
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def contrast(color: str) -> float:
    """WCAG 2 contrast ratio of a '#rgb' or '#rrggbb' colour against white."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _rgb(color))
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def darker(color: str) -> str:
    """The same hue, darkened just enough to reach the minimum contrast against white."""
    for step in range(100, -1, -1):
        shade = "#" + "".join(f"{round(c * step / 100):02x}" for c in _rgb(color))
        if contrast(shade) >= MIN_CONTRAST:
            return shade
    return "#000000"


# A space makes a broken link and invalid HTML; other characters are escaped where published.
_UNSAFE = re.compile(r"\s")


def http_url(f: Fields, key: str, what: str, required: bool = False) -> str:
    """A URL field as written, after reporting why it is not a usable absolute http(s) URL."""
    url = f.text(key, required=required)
    parts = urlsplit(url)
    bad = _UNSAFE.search(url)
    if not url:
        return url
    if parts.scheme not in ("http", "https") or not parts.netloc:
        f.error(key, f"{what} must be an absolute http(s) URL, not '{url}'")
    elif bad:
        char = "a space" if bad.group() == " " else "white space"
        fixed = _UNSAFE.sub(lambda m: quote(m.group()), url)
        f.error(key, f"{what} contains {char}, which a URL cannot hold", f"write it as {fixed}")
    elif _placeholder(url):
        f.error(key, f"{what} '{url}' is a placeholder", "give the full address of the page")
    return url


def usable_url(url: str) -> bool:
    """True for an absolute http(s) URL with no white space that is not a placeholder."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and not _UNSAFE.search(url)
        and not _placeholder(url)
    )


def _placeholder(url: str) -> bool:
    return "..." in url or "…" in url
