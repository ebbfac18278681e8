"""Cache keys: a short salted hash of strings (salted with aisite's code and its libraries' versions); a compact list of them."""

from __future__ import annotations

import hashlib
import os
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

from aisite import __version__


def _installed() -> dict[str, str | None]:
    """Each distribution's version by its normalised name, read from its `<name>-<version>`
    `.dist-info` or `.egg-info` folder's name, the first on sys.path winning, as for
    importlib.metadata (importing it and reading each METADATA took a fifth of a build with
    nothing to do). None where the name does not say the version; nothing is taken past an
    entry whose distributions cannot be listed by name (a zip, an egg): importlib.metadata is
    asked for those names."""
    found: dict[str, str | None] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except NotADirectoryError:
            break
        except OSError:
            continue
        if "EGG-INFO" in names:
            break
        for name in names:
            stem, _, kind = name.rpartition(".")
            if kind in ("dist-info", "egg-info") and stem:
                project, *version = stem.split("-")
                found.setdefault(_normalised(project), version[0] if len(version) == 1 else None)
    return found


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(name: str, installed: dict[str, str | None]) -> str:
    """A distribution's version, or "?" when it is not installed."""
    found = installed.get(_normalised(name))
    if found is not None:
        return found
    from importlib import metadata  # not said by a folder's name: asked the slow way

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def _versions() -> bytes:
    # Output depends on these libraries too: a new nh3 (sanitiser) must never meet stale HTML.
    # And search bundles are Pagefind's files, rewritten with cbor2 (searchbundle.canonicalise).
    names = (
        "markdown",
        "nh3",
        "pygments",
        "jinja2",
        "feedgen",
        "pyyaml",
        "pillow",
        "pagefind",
        "cbor2",
        "isal",
    )
    installed = _installed()
    found = [f"{name}={_version(name, installed)}" for name in names]
    # Share cards are deflated by ISA-L (pngfile.py, its version above), cards with a cover
    # photo and resized PNGs by Pillow with Python's zlib: its version changes their bytes.
    found.append(f"zlib={zlib.ZLIB_RUNTIME_VERSION}")
    # aisite's own code too, so that an edited checkout never reuses what older code made.
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        code.update(path.read_bytes())
    return f"aisite={__version__}+{code.hexdigest()[:16]};{';'.join(found)}".encode()


_SALT = _versions()


def digest(*parts: str | bytes) -> str:
    """A short stable hash of several strings, salted with aisite's and its libraries' versions."""
    h = hashlib.sha256(_SALT)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:32]


class PackedKeys:
    """Outputs' keys in order, digest()'s as 16 bytes each (a list of their strings held 6 MB
    at 71,000 outputs); any other key, or None, as it is."""

    def __init__(self) -> None:
        self._bytes = bytearray()
        self._other: dict[int, str | None] = {}  # by position: keys that are not digests

    def __len__(self) -> int:
        return len(self._bytes) // 16

    def extend(self, keys: list[str | None]) -> None:
        """Append `keys`: a batch of digests at once, a batch with others one by one."""
        if all(type(key) is str and len(key) == 32 for key in keys):
            joined = "".join(keys)  # type: ignore[arg-type]  # every one a str
            packed = _packed(joined)
            if packed is not None:
                self._bytes += packed
                return
        for key in keys:
            packed = _packed(key) if type(key) is str and len(key) == 32 else None
            if packed is None:
                self._other[len(self)] = key
            self._bytes += packed or bytes(16)

    def __iter__(self) -> Iterator[str | None]:
        data, other = self._bytes, self._other
        for at in range(len(self)):
            yield other[at] if at in other else data[16 * at : 16 * at + 16].hex()


def _packed(text: str) -> bytes | None:
    """`text`'s bytes when it is lower-case hexadecimal (which .hex() gives back), else None."""
    try:
        packed = bytes.fromhex(text)
    except ValueError:
        return None
    return packed if packed.hex() == text else None
