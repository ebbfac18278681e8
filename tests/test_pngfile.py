"""The palette PNG writer: files any decoder reads back as exactly the pixels and palette given."""

from __future__ import annotations

import random
import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image

from aisite.cards import ArticleCard, ClaimCard, draw_article, draw_claim
from aisite.pngfile import SIGNATURE, palette_png

pytestmark = pytest.mark.unit


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Each chunk's type and data, after checking its CRC and that nothing trails the last."""
    assert png.startswith(SIGNATURE)
    found, at = [], len(SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data), f"bad CRC in {kind!r}"
        found.append((kind, data))
        at += 12 + length
    assert at == len(png)
    return found


def image(rng: random.Random, width: int, height: int) -> bytes:
    """Rows of every kind a card has: long runs of one row, short ones, rows seen once."""
    rows: list[bytes] = []
    while len(rows) < height:
        kind = rng.choice(["flat", "striped", "noise"])
        if kind == "flat":
            row = bytes([rng.randrange(6)]) * width
        elif kind == "striped":
            row = bytes(rng.randrange(6) if x % 7 < 2 else 0 for x in range(width))
        else:
            row = bytes(rng.randrange(40) for _ in range(width))
        rows += [row] * rng.choice([1, 2, 7, 8, 9, 40])
    return b"".join(rows[:height])


def scanlines(pixels: bytes, width: int, height: int) -> bytes:
    """Each row with its filter byte (0: none) in front, as a PNG stores it."""
    return b"".join(b"\0" + pixels[y * width : (y + 1) * width] for y in range(height))


@pytest.mark.parametrize("seed", range(12))
def test_a_decoder_reads_back_the_pixels_and_palette(seed: int) -> None:
    rng = random.Random(seed)
    width, height = rng.choice([(1, 1), (3, 50), (1200, 630), (97, 13)])
    pixels = image(rng, width, height)
    palette = bytes(rng.randrange(256) for _ in range(3 * 40))
    png = palette_png(scanlines(pixels, width, height), width, height, palette)
    found = chunks(png)
    assert [kind for kind, _ in found] == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    assert found[0][1] == struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    assert found[1][1] == palette
    # zlib checks the stream's Adler-32; each row is its filter byte (none) and its indices.
    assert zlib.decompress(found[2][1]) == scanlines(pixels, width, height)
    with Image.open(BytesIO(png)) as decoded:
        assert (decoded.size, decoded.mode) == ((width, height), "P")
        assert decoded.tobytes() == pixels
        assert bytes(decoded.getpalette() or []) == palette
    assert palette_png(scanlines(pixels, width, height), width, height, palette) == png


def test_cards_show_their_canvas(monkeypatch: pytest.MonkeyPatch) -> None:
    """A card decodes to its canvas's colours; the canvas's first column is the filter bytes."""
    from aisite import canvas

    drawn: list[canvas.Canvas] = []
    real = canvas.Canvas.png

    def keep(self: canvas.Canvas) -> bytes:
        drawn.append(self)
        return real(self)

    monkeypatch.setattr(canvas.Canvas, "png", keep)
    made = [
        draw_claim(ClaimCard("False", "#b00", "A quote " * 12, "A. Minister", "Desk")),
        draw_article(ArticleCard("A title that wraps over more than one line " * 2, "D", None)),
    ]
    claim, article = (card.pixels() for card in drawn)
    assert claim.size == article.size == (canvas.WIDTH, canvas.HEIGHT)
    # The stripes drawn at the card's edges, whatever the filter bytes' column beside them.
    bottom, right = canvas.HEIGHT - 1, canvas.WIDTH - 1
    assert claim.getpixel((0, bottom)) == claim.getpixel((right, bottom)) != 0
    assert article.getpixel((0, 300)) == article.getpixel((12, 300)) != article.getpixel((13, 300))
    for png, card in zip(made, drawn, strict=True):
        expected = card.pixels()
        expected.putpalette(card.palette)
        with Image.open(BytesIO(png)) as decoded:
            assert decoded.convert("RGB").tobytes() == expected.convert("RGB").tobytes()


def test_wrong_sizes_and_filter_bytes_are_refused() -> None:
    for lines, width, height, palette in [
        (b"\0" * 8, 2, 3, b"\0\0\0"),
        (b"\0" * 9, 2, 3, b"\0\0"),
        (b"", 0, 0, b"\0\0\0"),
        (b"\0" * 4, 3, 1, b"\0" * 771),
        (b"\0\0\0\1\0\0\0\0\0", 2, 3, b"\0\0\0"),  # the second row's filter byte is 1
    ]:
        with pytest.raises(ValueError):
            palette_png(lines, width, height, palette)
    assert palette_png(b"\0\5\5\0\5\5\0\5\5", 2, 3, b"\0\0\0")  # 5: an index, not a filter


def test_a_fill_from_left_of_the_card_is_clipped_at_its_edge() -> None:
    from aisite import canvas

    card = canvas.Canvas("#ffffff")
    card.fill((-3, 0, 10, 10), "#000000")
    with Image.open(BytesIO(card.png())) as decoded:
        assert (
            decoded.getpixel((0, 5)) == decoded.getpixel((9, 5)) == 1 != decoded.getpixel((10, 5))
        )


class Erratic:
    """A stand-in for isal_zlib whose runs give the outputs listed, in turn, for `data` alone."""

    def __init__(self, outputs: list[bytes], data: bytes) -> None:
        self.outputs, self.data = outputs, data
        self.runs = 0

    def compress(self, data: bytes, level: int) -> bytes:
        from aisite.pngfile import LEVEL

        assert data == self.data and level == LEVEL == 1
        self.runs += 1
        return self.outputs[self.runs - 1]


@pytest.mark.parametrize(
    ("order", "runs"),
    [("GG", 2), ("BGG", 3), ("GBG", 3), ("BGCG", 4), ("BCDD", 4)],
)
def test_deflate_keeps_the_output_two_runs_agree_on(
    monkeypatch: pytest.MonkeyPatch, order: str, runs: int
) -> None:
    """A run that strays (as one of ISA-L's did once) is outvoted; agreeing runs end the tries."""
    from aisite import pngfile

    data = scanlines(image(random.Random(5), 300, 90), 300, 90)
    streams = {
        "G": pngfile.isal_zlib.compress(data, pngfile.LEVEL),
        "B": zlib.compress(data, 9),  # valid streams of the same data, other bytes
        "C": zlib.compress(data, 5),
        "D": zlib.compress(data, 3),
    }
    assert len(set(streams.values())) == 4
    erratic = Erratic([streams[kind] for kind in order], data)
    monkeypatch.setattr(pngfile, "isal_zlib", erratic)
    assert pngfile.steady_deflate(data) == streams[order[-1]]
    assert erratic.runs == runs


def test_a_card_file_holds_the_stream_two_runs_agree_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from aisite import pngfile

    pixels = image(random.Random(7), 200, 60)
    data = scanlines(pixels, 200, 60)
    good, stray = pngfile.isal_zlib.compress(data, 1), zlib.compress(data, 9)
    monkeypatch.setattr(pngfile, "isal_zlib", Erratic([stray, good, good], data))
    png = pngfile.palette_png(data, 200, 60, b"\1\2\3" * 40)
    assert dict(chunks(png))[b"IDAT"] == good


def test_deflate_takes_zlibs_when_no_two_runs_agree(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aisite import pngfile

    data = scanlines(image(random.Random(6), 120, 40), 120, 40)
    outputs = [zlib.compress(data, level) for level in (9, 5, 3, 2)]
    assert len({*outputs, zlib.compress(data, 1)}) == 5
    erratic = Erratic(outputs, data)
    monkeypatch.setattr(pngfile, "isal_zlib", erratic)
    assert pngfile.steady_deflate(data) == zlib.compress(data, 1)
    assert erratic.runs == pngfile.TRIES == 4
    assert capsys.readouterr().err == (
        "aisite: warning: ISA-L's deflate gave 4 different outputs for one share card; "
        "it is compressed by zlib instead: the same picture, but its file may differ from "
        "another build's\n"
    )
