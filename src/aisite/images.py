"""Bundle images as published: metadata stripped, resized to a few widths, cached by content hash."""

from __future__ import annotations

import contextlib
import hashlib
import os
import warnings
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from aisite import urls
from aisite.errors import ContentError, Problem
from aisite.keys import PackedKeys, digest
from aisite.model import Picture, Variant

# Widths published for every image wider than them; the full size is capped at the last.
WIDTHS = (480, 960, 1600)
MAX_WIDTH = 2400
FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
_ORIENTATION = 0x0112
LOOKUPS = 4096  # changed keys looked up one by one, at most, before the store is listed


class ImageError(Exception):
    """A file with an image's name that Pillow cannot read."""


def is_image(path: str) -> bool:
    """True for the kinds of file aisite resizes and strips (JPEG, PNG, WebP)."""
    return os.path.splitext(path)[1].lower() in FORMATS


def probe(source: str, path: str) -> Picture:
    """Read an image's size (as displayed: EXIF rotation applied) and hash; plan its widths."""
    data = Path(source).read_bytes()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                image.verify()  # a truncated or corrupt file fails here, not halfway through a build
            with Image.open(BytesIO(data)) as image:
                width, height = image.size
                if image.getexif().get(_ORIENTATION, 1) in (5, 6, 7, 8):
                    width, height = height, width
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning) as err:
        raise ImageError(str(err) or type(err).__name__) from None
    full = min(width, MAX_WIDTH)
    sizes = [w for w in WIDTHS if w < full] + [full]
    variants = tuple(
        Variant(
            w, max(1, round(height * w / width)), path if w == full else urls.image_variant(path, w)
        )
        for w in sizes
    )
    digest_ = hashlib.sha256(data).hexdigest()
    return Picture(source, path, digest_, variants[-1].width, variants[-1].height, variants)


def encode(data: bytes, width: int, kind: str) -> bytes:
    """The image `width` pixels wide, upright, with no metadata but its colour profile."""
    with Image.open(BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)
    icc = image.info.get("icc_profile")
    image.info = {}  # EXIF, GPS, XMP, comments: nothing of the original's metadata is written
    if image.mode in ("P", "1", "LA", "PA", "I;16"):
        image = image.convert(
            "RGBA" if "A" in image.mode or "transparency" in opened.info else "RGB"
        )
    if image.width != width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    fmt = FORMATS[kind]
    params: dict[str, Any] = {}
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        params = {"quality": 82, "optimize": True, "progressive": True}
    elif fmt == "PNG":
        params = {"optimize": True}
    else:
        params = {"quality": 80, "method": 6}
    if icc:
        params["icc_profile"] = icc
    out = BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


class ImageStore:
    """Processed images in `.aisite-cache/images/`, by the hash of the source and the width."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.folder = cache_dir / "images" if cache_dir else None

    def _file(self, key: str) -> Path | None:
        return self.folder / key[:2] / key if self.folder else None

    def _holds(self, key: str) -> bool:
        file = self._file(key)
        return file is not None and file.is_file()

    def get(self, key: str) -> bytes | None:
        """Cached bytes, or None."""
        file = self._file(key)
        try:
            return file.read_bytes() if file else None
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        """Store bytes (atomically; a cache that cannot be written is only slower)."""
        file = self._file(key)
        if file is None:
            return
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            tmp = file.with_name(f"{key}.{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, file)
        except OSError:
            return

    def prune(
        self, changed: PackedKeys | Sequence[str], unused: Callable[[set[str]], set[str] | None]
    ) -> int:
        """When one of the keys a build recorded anew or dropped (`changed`) names a file of
        the store, remove the files no output of any folder uses any more (`unused`: of the
        store's file names, those no output has as its key, or None when that cannot be
        told); the number removed.

        Without this the store grows by a full set of cards with every edit of a title and every
        new version of aisite (the keys change), for as long as the archive lives."""
        if self.folder is None:
            return 0
        # An edit's few keys are looked up; a cold build's (every output's, pages first) are
        # checked against the store's listing, which the prune needs anyway.
        if len(changed) <= LOOKUPS and not any(key and self._holds(key) for key in changed):
            return 0
        try:
            with os.scandir(self.folder) as shelves:
                folders = [entry.path for entry in shelves if entry.is_dir(follow_symlinks=False)]
        except OSError:
            return 0  # no store yet, or none to read: nothing to remove
        # The store's names; a file's path is its shelf's (names[:2]), but for a name put on
        # another shelf by hand (with each name's path: 6.2 MB at 20,000 files, 4.3 without).
        names: set[str] = set()
        elsewhere: dict[str, str] = {}
        for folder in folders:
            shelf = os.path.basename(folder)
            try:
                with os.scandir(folder) as files:  # a file.pid.tmp is left by a killed build
                    for entry in files:
                        names.add(entry.name)
                        if entry.name[:2] != shelf:
                            elsewhere[entry.name] = entry.path
            except OSError:
                continue
        if not any(key in names for key in changed):  # no card or image made or dropped
            return 0
        stale = unused(names)
        removed = 0
        for name in sorted(stale or ()):
            with contextlib.suppress(OSError):  # one that cannot go is tried next time
                os.unlink(elsewhere.get(name) or os.path.join(self.folder, name[:2], name))
                removed += 1
        return removed

    def variant(self, picture: Picture, width: int) -> bytes:
        """One published size of a picture, from the cache or made now."""
        kind = os.path.splitext(picture.path)[1].lower()
        key = image_key(picture, width)
        cached = self.get(key)
        if cached is not None:
            return cached
        try:
            data = encode(Path(picture.source).read_bytes(), width, kind)
        except (OSError, ValueError) as err:
            message = f"cannot resize the image: {err}"
            raise ContentError([Problem(picture.source, 0, message)]) from None
        self.put(key, data)
        return data


def image_key(picture: Picture, width: int) -> str:
    """What a published size depends on: the source's bytes, the width, the format."""
    return digest("image", picture.hash, str(width), os.path.splitext(picture.path)[1].lower())
