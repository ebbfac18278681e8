"""Palette PNG files written from their rows; a long run of one row is compressed once a process."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

LEVEL = 3  # zlib level: half the time of level 6 for a card a quarter larger
RUN = 8  # a row repeated this many times over is a run, compressed apart and remembered
SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEADER = zlib.compress(b"", LEVEL)[:2]  # the zlib stream's header for this level
_LAST = b"\x03\x00"  # an empty final deflate block: the end of the stream
_ADLER = 65521


def palette_png(pixels: bytes, width: int, height: int, palette: bytes) -> bytes:
    """An 8-bit palette PNG of `pixels` (one palette index a byte, row after row, each index
    below the palette's length: not checked, a card's canvas makes both), unfiltered.

    A share card is mostly rows repeated many times (the space between and around lines of
    text): such a run is compressed on its own, once a process, and its deflate blocks are put
    in the stream as they are; only the other rows go through zlib for each image. The bytes
    depend only on the pixels, the palette and zlib's version."""
    sizes = 0 < width < 2**31 and 0 < height < 2**31 and len(pixels) == width * height
    if not sizes or not 0 < len(palette) <= 768 or len(palette) % 3:
        raise ValueError("pixels or palette of the wrong size")
    parts: list[bytes] = []
    adler = 1
    pending: list[bytes] = []  # rows since the last run, each with its filter byte
    text = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)

    def flush() -> None:
        nonlocal adler
        if pending:
            data = b"".join(pending)
            # A full flush: later rows must not refer back past a run put in between.
            parts.append(text.compress(data) + text.flush(zlib.Z_FULL_FLUSH))
            adler = _combine(adler, zlib.adler32(data), len(data))
            pending.clear()

    row = 0
    while row < height:
        start = row * width
        line = pixels[start : start + width]
        end = row + 1
        while end < height and pixels.startswith(line, end * width):
            end += 1
        if end - row >= RUN:
            flush()
            data, check, size = _run(line, end - row)
            parts.append(data)
            adler = _combine(adler, check, size)
        else:
            pending.extend([b"\0" + line] * (end - row))
        row = end
    flush()
    stream = _HEADER + b"".join(parts) + _LAST + struct.pack(">I", adler)
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return b"".join(
        [
            SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette),
            _chunk(b"IDAT", stream),
            _chunk(b"IEND", b""),
        ]
    )


@lru_cache(maxsize=1024)
def _run(line: bytes, count: int) -> tuple[bytes, int, int]:
    """`count` copies of a row as deflate blocks that stand alone; their Adler-32 and length."""
    data = (b"\0" + line) * count
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return (
        compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH),
        zlib.adler32(data),
        len(data),
    )


def _combine(first: int, second: int, length: int) -> int:
    """Adler-32 of a+b from adler32(a), adler32(b) and len(b) (zlib's adler32_combine)."""
    rem = length % _ADLER
    low = first & 0xFFFF
    high = (rem * low) % _ADLER
    low = (low + (second & 0xFFFF) + _ADLER - 1) % _ADLER
    high = (high + (first >> 16) + (second >> 16) + _ADLER - rem) % _ADLER
    return low | (high << 16)


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data, CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
