"""Drawing a share card: its fonts, a palette canvas drawn in bands of text, PNG bytes."""

from __future__ import annotations

from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from aisite.pngfile import palette_png
from aisite.reader import builtin_theme

WIDTH, HEIGHT = 1200, 630
GAP = 1.25  # line height, in font sizes


def font_files() -> tuple[Path, Path]:
    """The regular and bold font the cards are drawn with (shipped with the theme)."""
    folder = builtin_theme() / "fonts"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


@cache
def load_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    """The theme's DejaVu Sans (bold or regular) at a size, loaded once."""
    return ImageFont.truetype(str(font_files()[bold]), size)


def png_bytes(image: Image.Image) -> bytes:
    """The image as PNG, the same bytes for the same pixels (a card with a cover photo)."""
    out = BytesIO()
    # No text chunks, no time: the same bytes every time. zlib level 6 instead of `optimize`
    # (level 9 with filter search): 7 times faster for files 5 % larger.
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def expand_color(color: str) -> str:
    """#abc as #aabbcc."""
    value = color.lstrip("#")
    return "#" + "".join(c * 2 for c in value) if len(value) == 3 else "#" + value


def _rgb(color: str) -> tuple[int, int, int]:
    value = expand_color(color).lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def draw_lines(
    draw: ImageDraw.ImageDraw,
    lines: list[str],
    font: ImageFont.FreeTypeFont,
    x: int,
    y: int,
    fill: str | int,
) -> int:
    """Draw lines of text one below the other; the y below the last."""
    step = round(font.size * GAP)
    for line in lines:
        draw.text((x, y), line, font=font, fill=fill)
        y += step
    return y


Block = tuple[list[str], bool, int, int, int]  # lines, bold, size, x, y


class Canvas:
    """A card drawn as palette indices, in bands of one background and one text colour each.

    A 1200×630 RGB PNG costs about 11 ms to encode, a palette one about 0.2 ms (pngfile.py),
    and a site draws a card for every article and claim. Text keeps its antialiasing: each
    band's palette holds LEVELS blends from its background to its text colour, indexed by
    the glyph's coverage. The image is one column wider than the card: its first column, 0,
    is each row's PNG filter byte, so that its bytes are the PNG's scanlines as they are.
    """

    LEVELS = 32

    def __init__(self, background: str) -> None:
        self.index = Image.new("L", (WIDTH + 1, HEIGHT), 0)
        self.palette: list[int] = [*_rgb(background)]

    def _entry(self, color: str) -> int:
        self.palette += _rgb(color)
        return len(self.palette) // 3 - 1

    def fill(self, box: tuple[int, int, int, int], color: str) -> None:
        """A rectangle (left, top, right, bottom) of one colour."""
        left, top, right, bottom = box
        self.index.paste(self._entry(color), (left + 1, top, right + 1, bottom))

    def text(
        self,
        top: int,
        bottom: int,
        background: str,
        ink: str,
        blocks: list[Block],
        shared: bool = False,
    ) -> None:
        """Rows top..bottom: `ink` text on `background`; each block is lines, bold, size, x, y.
        `shared`: a band many cards repeat (a verdict, the site's name), drawn once a process."""
        first = len(self.palette) // 3
        self.palette += _blend(background, ink)
        key = tuple((tuple(lines), bold, size, x, y) for lines, bold, size, x, y in blocks)
        band = (
            _band(top, bottom, key, first) if shared else _band.__wrapped__(top, bottom, key, first)
        )
        self.index.paste(band, (1, top))

    def pixels(self) -> Image.Image:
        """The card's palette indices, without the filter bytes' column."""
        return self.index.crop((1, 0, WIDTH + 1, HEIGHT))

    def png(self) -> bytes:
        """The card as a palette PNG."""
        return palette_png(self.index.tobytes(), WIDTH, HEIGHT, bytes(self.palette))


@lru_cache(maxsize=64)
def _blend(background: str, ink: str) -> tuple[int, ...]:
    """Canvas.LEVELS palette entries (red, green, blue each) from `background` to `ink`."""
    back, fore = _rgb(background), _rgb(ink)
    steps = Canvas.LEVELS - 1
    return tuple(
        round(b + (f - b) * level / steps)
        for level in range(Canvas.LEVELS)
        for b, f in zip(back, fore, strict=True)
    )


BandKey = tuple[tuple[tuple[str, ...], bool, int, int, int], ...]


@lru_cache(maxsize=64)
def _band(top: int, bottom: int, blocks: BandKey, first: int) -> Image.Image:
    """A band's palette indices: its text's coverage mapped onto LEVELS entries from `first`.

    Drawn straight in indices: Pillow blends the ink `first + LEVELS - 1` over `first` by a
    glyph's coverage, rounding as round(coverage × (LEVELS - 1) / 255) (0.17 ms a card less
    than mapping a coverage mask with Image.point, for the same indices)."""
    band = Image.new("L", (WIDTH, bottom - top), first)
    draw = ImageDraw.Draw(band)
    for lines, bold, size, x, y in blocks:
        draw_lines(draw, list(lines), load_font(bold, size), x, y - top, first + Canvas.LEVELS - 1)
    return band
