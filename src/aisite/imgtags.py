"""The <img> markup of bundle images: srcset, sizes, width and height, lazy loading."""

from __future__ import annotations

import html
import re

from aisite.model import Picture

# How wide the theme shows an image: the text column on wide screens, the viewport on phones.
SIZES = "(min-width: 46rem) 42rem, calc(100vw - 2rem)"
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def responsive(fragment: str, pictures: tuple[Picture, ...]) -> str:
    """Give each <img> of a bundle image its sizes, dimensions and lazy loading.

    Runs on sanitised HTML (attributes double-quoted and escaped); other images are left alone.
    """
    if not pictures:
        return fragment
    by_path = {p.path: p for p in pictures}

    def rewrite(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        src = html.unescape(attrs.get("src", "")).removeprefix("./")
        picture = by_path.get(src)
        if picture is None:
            return match.group()
        return img_tag(picture, html.unescape(attrs.get("alt", "")), lazy=True, extra=attrs)

    return _IMG.sub(rewrite, fragment)


def img_tag(
    picture: Picture,
    alt: str,
    lazy: bool,
    extra: dict[str, str] | None = None,
    prefix: str = "",
    sizes: str = "",
) -> str:
    """An <img> of a picture; `prefix` leads from the page to the article's folder."""
    kept = {k: v for k, v in (extra or {}).items() if k in ("id", "class", "title", "lang")}
    fallback = next((v for v in picture.variants if v.width >= 960), picture.variants[-1])
    parts = [
        f'src="{html.escape(prefix + fallback.path)}"',
        f'srcset="{html.escape(", ".join(f"{prefix}{v.path} {v.width}w" for v in picture.variants))}"',
        f'sizes="{html.escape(sizes or SIZES)}"',
        f'width="{picture.width}"',
        f'height="{picture.height}"',
        f'alt="{html.escape(alt)}"',
        *(f'{k}="{v}"' for k, v in kept.items()),
        'loading="lazy" decoding="async"' if lazy else 'fetchpriority="high"',
    ]
    return "<img " + " ".join(parts) + ">"
