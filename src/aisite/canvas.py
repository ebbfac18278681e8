"""Drawing a share card: its fonts, a palette canvas drawn in bands of text (words drawn once a
process), PNG bytes."""

from __future__ import annotations

import unicodedata
from collections import OrderedDict
from functools import cache, lru_cache
from io import BytesIO
from itertools import pairwise
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
    """Draw lines of text one below the other; the y below the last.

    A line written left to right in one ink is put together from its words, each drawn once a
    process (FreeType drawing every line was 60 % of a card's time; words recur across cards)
    and placed on a whole pixel: at most half a pixel from where drawing the line would put it.
    """
    step = round(font.size * GAP)
    for line in lines:
        if isinstance(fill, int) and _by_words(line):
            _draw_words(draw, line, font, x, y, fill)
        else:
            draw.text((x, y), line, font=font, fill=fill)
        y += step
    return y


_RIGHT_TO_LEFT = frozenset(
    ["R", "AL", "AN", "RLE", "RLO", "LRE", "LRO", "PDF", "RLI", "LRI", "FSI", "PDI"]
)


def _by_words(line: str) -> bool:
    """Whether a line can be put together from its words: nothing in it is written right to
    left or reorders what follows, and every word stands alone (a mark after a space belongs
    to the space: drawn on its own, HarfBuzz puts it on a dotted circle)."""
    if any(unicodedata.bidirectional(char) in _RIGHT_TO_LEFT for char in line):
        return False
    return not any(a == " " and unicodedata.category(b)[0] == "M" for a, b in pairwise(line))


def _draw_words(
    draw: ImageDraw.ImageDraw, line: str, font: ImageFont.FreeTypeFont, x: int, y: int, fill: int
) -> None:
    """A line of words left to right, each drawn once a process and placed on a whole pixel."""
    position, space = float(x), word_length(font, " ")
    for word in line.split(" "):
        if word:
            image, left, top = words.get(font, word)
            draw.bitmap((round(position) + left, y + top), image, fill)
            position += word_length(font, word)
        position += space


@lru_cache(maxsize=1 << 14)
def word_length(font: ImageFont.FreeTypeFont, text: str) -> float:
    """A word's advance width (words recur: in one quote at three sizes, and across cards)."""
    return font.getlength(text)


class _Words:
    """Words' coverage, each drawn once a process: the most recently used, within BUDGET pixels
    (a byte each; a word at 46 px is some 150 × 45 of them, at 68 px some 250 × 70). A smaller
    budget saves less: a word drawn alone costs more than its share of a line drawn whole, and
    at 2 MB a card costs as much as drawing its lines whole (docs/performance.md)."""

    BUDGET = 1 << 23  # 8 MB: some 1,000 words; 70-75 % of the words of a card are found

    def __init__(self) -> None:
        self.kept: OrderedDict[tuple[ImageFont.FreeTypeFont, str], tuple[Image.Image, int, int]]
        self.kept = OrderedDict()
        self.pixels = self.hits = self.misses = 0

    def get(self, font: ImageFont.FreeTypeFont, word: str) -> tuple[Image.Image, int, int]:
        """A word's coverage, and where it stands from the pen's position at the line's top."""
        key = (font, word)
        found = self.kept.get(key)
        if found is not None:
            self.hits += 1
            self.kept.move_to_end(key)
            return found
        self.misses += 1
        # FreeType's coverage of the word, and where it stands: what ImageDraw.text pastes
        # (getbbox, a blank image and drawing on it took 73 µs a word, this 45 µs; words
        # miss often when a text's words are many and equally common, as the benchmark's).
        mask, (left, top) = font.getmask2(word, "L")
        image = Image.Image()._new(mask)  # Pillow's own wrapping of a font's bitmap
        self.kept[key] = found = image, left, top
        self.pixels += _cost(image)
        while self.pixels > self.BUDGET:
            _, (old, _, _) = self.kept.popitem(last=False)
            self.pixels -= _cost(old)
        return found


def _cost(image: Image.Image) -> int:
    """What a kept word counts against the budget: its pixels, and at least one (a word with
    nothing to draw, such as a zero-width space, is an empty bitmap but still an entry)."""
    return max(1, image.width * image.height)


words = _Words()


Block = tuple[list[str], bool, int, int, int]  # lines, bold, size, x, y


class Canvas:
    """A card drawn as palette indices, in bands of one background and one text colour each.

    A 1200×630 RGB PNG costs about 11 ms to encode, a palette one 0.3-0.8 ms (pngfile.py),
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
        left, top, right, bottom = box  # from the card's column 0 (the image's is filter bytes)
        self.index.paste(self._entry(color), (max(left, 0) + 1, top, right + 1, bottom))

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
    glyph's coverage, rounding as round(coverage × (LEVELS - 1) / 255) (0.3 ms a card less
    than mapping a coverage mask with Image.point, for the same indices)."""
    band = Image.new("L", (WIDTH, bottom - top), first)
    draw = ImageDraw.Draw(band)
    for lines, bold, size, x, y in blocks:
        draw_lines(draw, list(lines), load_font(bold, size), x, y - top, first + Canvas.LEVELS - 1)
    return band
