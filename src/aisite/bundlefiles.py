"""An article bundle's files: found, stamped, misnamed ones reported, images measured, rest placed."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from aisite import urls
from aisite.images import ImageError, is_image, probe
from aisite.keys import digest
from aisite.model import ParsedArticle
from aisite.reader import Reader


def bundle_found(reader: Reader, entry: Path, rel: str) -> list[Path] | None:
    """A bundle's files when no walk listed its folder, looked at one by one; None when it is
    not one (reported) or a file of it cannot be read."""
    if not reader.readable(entry):
        return None
    index = entry / "index.md"
    if not index.is_file():
        no_index(reader, rel)
        return None
    found = reader.files(entry)
    listed = set(found)
    if not all(p in listed for p in (index, entry / "claims.yaml") if p in listed or p.is_file()):
        return None  # unreadable (reported by the walk): never built from the cache instead
    return found


def no_index(reader: Reader, rel: str) -> None:
    """Report an article folder without index.md."""
    hint = "an article is a folder holding index.md: add one, or move the folder elsewhere"
    reader.problems.add(rel, 0, "article folder has no index.md", hint)


def stamp(
    stat_of: Callable[[Path | str], tuple[int, int] | None], entry: Path, found: list[Path]
) -> str:
    """Size and modification time of a bundle's index.md, claims.yaml and images."""
    parts = []
    folder = str(entry)
    for name, path in (
        ("index.md", os.path.join(folder, "index.md")),  # strings: Paths took 0.1 s at 5,000
        ("claims.yaml", os.path.join(folder, "claims.yaml")),
        *((p.name, str(p)) for p in found if is_image(p.name)),
    ):
        stat = stat_of(path)
        parts.append("-" if stat is None else f"{name}:{stat[0]}:{stat[1]}")
    return "|".join(parts)


def with_pictures(
    reader: Reader, article: ParsedArticle, entry: Path, found: list[Path]
) -> ParsedArticle | None:
    """The article with its bundle's images measured and hashed (part of its fingerprint)."""
    pictures = []
    for path in found:
        if not is_image(path.name):
            continue
        try:
            pictures.append(probe(str(path), path.relative_to(entry).as_posix()))
        except ImageError as err:
            hint = "export it again as JPEG, PNG or WebP"
            reader.problems.add(reader.rel(path), 0, f"not a readable image: {err}", hint)
            return None
    image = article.image
    if image and not image.startswith("https://") and image not in {p.path for p in pictures}:
        hint = f"put the file in {reader.rel(entry)}/ or give an https URL"
        message = f"image '{image}' not found in the article's folder"
        reader.problems.add(article.path, article.image_line, message, hint)
        return None
    key = digest(article.fingerprint, *(p.hash for p in pictures))[:32]
    return replace(article, pictures=tuple(pictures), fingerprint=key)


def placed(article: ParsedArticle, entry: Path, found: list[Path]) -> ParsedArticle:
    """The article with its bundle's other files and its images where this site has them."""
    # A cached article may come from a copy of the site elsewhere: find its images here.
    pictures = tuple(replace(p, source=str(entry / p.path)) for p in article.pictures)
    images = {p.path for p in pictures}
    files = tuple(  # paths in the site only: templates see them, never the local disk's
        urls.article_file(article.slug, p.relative_to(entry).as_posix())
        for p in found
        if (p.parent != entry or p.name not in ("index.md", "claims.yaml"))
        and p.relative_to(entry).as_posix() not in images
    )
    if files == article.files and pictures == article.pictures:
        return article  # most often: a copy costs 25 µs an article
    return replace(article, files=files, pictures=pictures)


def check_names(reader: Reader, entry: Path, found: list[Path]) -> None:
    """A misnamed claims.yml or index.markdown would be published silently: say so."""
    for path in found:  # the bundle's files (Reader.files)
        if (
            path.name.startswith(("claims", "index"))  # a stem begins as its name: fewer looks
            and path.stem in ("claims", "index")
            and path.name not in ("index.md", "claims.yaml")
            and path.parent == entry
        ):
            hint = f"did you mean '{path.stem}.{'md' if path.stem == 'index' else 'yaml'}'?"
            message = "file name not recognised; it would be published as is"
            reader.problems.add(reader.rel(path), 0, message, hint)
