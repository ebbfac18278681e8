"""Cache keys: a short salted hash of strings; the salt is aisite's code and its libraries' versions."""

from __future__ import annotations

import hashlib
import zlib
from importlib import metadata
from pathlib import Path

from aisite import __version__


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
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=?")
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
