"""Palette PNG files written from their scanlines, deflated by ISA-L (the isal package)."""

from __future__ import annotations

import struct
import sys
import zlib

from isal import isal_zlib

# ISA-L's level 1: 0.13-0.17 ms for a card's 757,000 bytes of scanlines timed alone, 0.33-0.39
# ms in a build, where zlib took 1.0-1.4 ms at its level 1; a card is about 25 KiB.
LEVEL = 1
# At most 4 runs of ISA-L's deflate: enough to outvote two strays that differ (B, G, C, G).
TRIES = 4
SIGNATURE = b"\x89PNG\r\n\x1a\n"


def palette_png(scanlines: bytes, width: int, height: int, palette: bytes) -> bytes:
    """An 8-bit palette PNG of `scanlines`: `height` rows, each a filter byte that is 0 (none)
    and `width` palette indices (each below the palette's length: not checked, a card's canvas
    makes both). The bytes depend only on these and on ISA-L's version (and CPU family: its
    deflate has kernels of its own for older x86 CPUs and for ARM), or zlib's (steady_deflate)."""
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
    """ISA-L's zlib stream of `data` as two of its runs give it; zlib's if no two of TRIES agree.

    Once, in a test run under load, one match in ISA-L's stream of a card had another distance
    (about 6707: the same length and distance code, in a run of equal bytes), a valid stream one
    byte apart from what every other run gave. It never recurred in 600,000 runs: two runs that
    agree are taken to be the output every build gives, and a stray run is outvoted. The
    fallback, zlib's stream at level 1, is valid but not what a build whose runs agreed wrote,
    so a warning says so.
    """
    seen: set[bytes] = set()
    for _ in range(TRIES):
        out = isal_zlib.compress(data, LEVEL)
        if out in seen:
            return out
        seen.add(out)
    print(
        f"aisite: warning: ISA-L's deflate gave {TRIES} different outputs for one share card; "
        "it is compressed by zlib instead: the same picture, but its file may differ from "
        "another build's",
        file=sys.stderr,
    )
    return zlib.compress(data, 1)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
