"""Palette PNG files written from their scanlines, deflated by ISA-L (the isal package)."""

from __future__ import annotations

import struct
import zlib

from isal import isal_zlib

# ISA-L's level 1: 0.17 ms for a card's 757,000 bytes of scanlines, where zlib took 1.0 ms at
# its level 1 (and 0.9 ms compressing each run of equal rows once); a card is about 25 KiB.
LEVEL = 1
# Runs of ISA-L's deflate before zlib's is taken instead (see steady_deflate).
TRIES = 4
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def palette_png(scanlines: bytes, width: int, height: int, palette: bytes) -> bytes:
    """An 8-bit palette PNG of `scanlines`: `height` rows, each a filter byte that is 0 (none)
    and `width` palette indices (each below the palette's length: not checked, a card's canvas
    makes both). The bytes depend only on these and on ISA-L's version (and CPU family: its
    deflate has kernels of its own for older x86 CPUs and for ARM)."""
    sizes = 0 < width < 2**31 and 0 < height < 2**31 and len(scanlines) == (width + 1) * height
    if not sizes or not 0 < len(palette) <= 768 or len(palette) % 3:
        raise ValueError("scanlines or palette of the wrong size")
    if scanlines[:: width + 1].strip(b"\0"):
        raise ValueError("a scanline whose filter byte is not 0")
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return b"".join(
        [
            SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette),
            _chunk(b"IDAT", steady_deflate(scanlines)),
            _chunk(b"IEND", b""),
        ]
    )


def steady_deflate(data: bytes) -> bytes:
    """ISA-L's zlib stream of `data`: the first output two of its runs agree on (zlib's at level
    1 if none of TRIES runs agree).

    Once, in a test run under load, ISA-L gave a card's scanlines one match at another distance
    (6707 or a neighbour of it, in a run of equal bytes): a valid stream, one byte apart from
    what every other run gave. It was not seen again in 600,000 runs, so a second run is the
    check: agreeing outputs are the one every build gives.
    """
    seen: set[bytes] = set()
    for _ in range(TRIES):
        out = isal_zlib.compress(data, LEVEL)
        if out in seen:
            return out
        seen.add(out)
    return zlib.compress(data, 1)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
