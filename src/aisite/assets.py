"""The theme's assets (stylesheet, script, icon) and the site's static files, as outputs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from aisite.markup import pygments_css
from aisite.plan import Output, Planned
from aisite.siteconfig import SiteConfig
from aisite.theme import Theme, fingerprint

if TYPE_CHECKING:
    from aisite.render import SitePlan


@dataclass(frozen=True)
class Asset:
    """A theme file published at the site root; `role` is how templates ask for it."""

    role: str
    path: str
    data: bytes


# (role, file in the theme's assets/, published with a content hash in its name)
THEME_ASSETS = (
    ("stylesheet", "style.css", True),
    ("script", "aisite.js", True),
    ("search_script", "search.js", True),
    ("favicon", "favicon.svg", False),
)


def theme_assets(theme: Theme, config: SiteConfig) -> tuple[Asset, ...]:
    """Every asset of the theme, the stylesheet with the site's verdict colours appended."""
    result = []
    for role, name, hashed in THEME_ASSETS:
        data = theme.asset(name)
        if role == "stylesheet":
            data += b"\n" + _generated_css(config).encode()
        result.append(Asset(role, fingerprint(name, data) if hashed else name, data))
    return tuple(result)


def _generated_css(config: SiteConfig) -> str:
    rules = [f".verdict-{r.key}{{--verdict:{r.color}}}" for r in config.ratings]
    return "/* verdict colours from site.yaml */\n" + "\n".join(rules) + "\n" + pygments_css()


def asset_files(plan: SitePlan) -> Iterator[Planned]:
    """The theme's assets, then the site's static/ files."""
    for asset in plan.assets:
        yield Output(asset.path, "aisite theme", render=partial(bytes, asset.data))
    for static in plan.site.static:
        yield plan.copy(static.output, static.origin, static.source)
