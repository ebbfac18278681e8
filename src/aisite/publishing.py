"""The publishing fields: cover image and aliases of front matter, menu and embeds of site.yaml."""

from __future__ import annotations

import re

from aisite.fields import Fields, is_http_url
from aisite.images import FORMATS
from aisite.siteconfig import MenuItem
from aisite.yamlnode import YList, YMap

HOST_RE = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
IMAGE_TYPES = tuple(FORMATS)  # what aisite resizes and strips
_ALIAS_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


def cover_image(f: Fields) -> tuple[str, str]:
    """The cover: a bundle file or an https URL, and its required text alternative."""
    image = f.text("image")
    alt = f.text("image_alt")
    if not image:
        if alt:
            f.error("image_alt", "'image_alt' is given but there is no 'image'")
        return "", ""
    if image.startswith(("http://", "https://")) or ":" in image.split("/", 1)[0]:
        if not (image.startswith("https://") and is_http_url(image)):
            f.error("image", f"image must be a file of the bundle or an https URL, not '{image}'")
    elif image.startswith("/") or ".." in image.split("/") or "\\" in image:
        hint = "give the path inside the article's folder, e.g. 'cover.jpg'"
        f.error("image", f"image must be a file of the article's folder, not '{image}'", hint)
    elif not image.lower().endswith(IMAGE_TYPES):
        kinds = ", ".join(IMAGE_TYPES)
        f.error("image", f"image '{image}' is not a picture aisite can resize ({kinds})")
    if not alt:
        hint = "describe what the picture shows, for readers who cannot see it"
        f.error("image", "'image' needs 'image_alt', a text alternative", hint)
    return image, alt


def alias_paths(f: Fields) -> tuple[tuple[str, int], ...]:
    """Old paths of the article (relative to the site root), each with its line."""
    result = []
    node = f.node.items.get("aliases")
    values = f.text_list("aliases")
    lines = (
        [item.line for item in node.items]
        if isinstance(node, YList)
        else [f.line("aliases")] * len(values)
    )
    for value, line in zip(values, lines, strict=False):
        path = value.strip("/")
        segments = path.split("/")
        if (
            not path
            or value.startswith(("http:", "https:", "//"))
            or any(s in (".", "..") or not _ALIAS_SEGMENT.match(s) for s in segments)
        ):
            hint = "a path inside the site such as '2025/07/old-slug/' (letters, digits, . _ ~ -)"
            f.problems.add(f.path, line, f"alias '{value}' is not a path inside the site", hint)
            continue
        result.append((path, line))
    return tuple(result)


def site_menu(f: Fields) -> tuple[MenuItem, ...] | None:
    """The navigation as listed; None when site.yaml has no `menu` (the default applies)."""
    if "menu" not in f.node.items:
        f.known.append("menu")
        return None
    result = []
    for index, item in enumerate(f.items("menu")):
        if not isinstance(item, YMap):
            f.problems.add(f.path, item.line, "each menu item must be a mapping {title, url}")
            continue
        m = Fields(item, f.path, f.problems, f"menu[{index}]")
        title = m.text("title", required=True)
        url = m.text("url", required=True)
        m.done()
        external = url.startswith(("http://", "https://", "mailto:"))
        if not external and (":" in url.split("/", 1)[0] or url.startswith("//") or ".." in url):
            hint = "a path inside the site such as 'about/', or an absolute https URL"
            message = f"menu url '{url}' is neither a path inside the site nor a web URL"
            m.error("url", message, hint)
            continue
        if title and url:
            result.append(MenuItem(title, url if external else url.lstrip("/"), m.line("url")))
    return tuple(result)


def embed_hosts(f: Fields) -> tuple[str, ...]:
    """Host names whose <iframe> an article may embed."""
    result = []
    for host in f.text_list("embeds"):
        if not HOST_RE.match(host):
            hint = "a host name only, e.g. 'www.youtube-nocookie.com'"
            f.error("embeds", f"'{host}' is not a host name", hint)
            continue
        result.append(host.lower())
    return tuple(result)
