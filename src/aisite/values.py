"""Checks of single values a site gives: rating colours."""

from __future__ import annotations

import re

from aisite.fields import Fields
from aisite.yamlnode import NULL, YScalar

COLOR_RE = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_COLOR = "#57606a"


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
    return color
