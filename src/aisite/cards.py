"""Share images (1200×630 PNG): an article's title and cover, a claim's verdict, quote and claimant."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont, ImageOps

from aisite.canvas import (
    GAP,
    HEIGHT,
    WIDTH,
    Canvas,
    draw_lines,
    expand_color,
    load_font,
    png_bytes,
    word_length,
)

MARGIN = 64
INK, PAPER, MUTED, ACCENT = "#16181b", "#fbfaf7", "#5b616b", "#b35900"
HEADROOM = 24  # rows of a text band above its first line, for accents above capitals


@dataclass(frozen=True)
class ArticleCard:
    """What an article's card shows."""

    title: str
    site: str
    cover: str | None  # the cover image's file, when it is a file of the bundle


@dataclass(frozen=True)
class ClaimCard:
    """What a claim's card shows."""

    verdict: str
    color: str
    quote: str
    claimant: str
    site: str


def fit(
    text: str, bold: bool, sizes: tuple[int, ...], width: int, height: int, tail: str = ""
) -> tuple[int, list[str]]:
    """The largest size whose lines fit the box; at the smallest, the text shortened on a word.

    `tail` ends the text (a closing quotation mark) and is kept when the text is shortened.
    """
    for size in sizes:
        font = load_font(bold, size)
        count = max(1, height // round(size * GAP))
        wrapped = wrap(text + tail, font, width, count + 1)
        if len(wrapped) <= count:
            return size, wrapped
    # At the smallest size: `count` lines and whether there are more is all shorten() needs.
    return size, shorten(wrapped, font, width, count, tail)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, most: int = 0) -> list[str]:
    """Lines no wider than `width`; a word wider than a line is split between its letters.
    `most`: stop once that many lines are made (0: wrap it all).

    A line's width is its words' widths and its spaces' (so each word is measured once); a
    line is measured whole where the sum says to break it or is within a pixel of the limit,
    and every line once when it is done: the text is wrapped measuring whole lines if one
    were too wide. So every break is where measuring whole lines puts it.
    """
    lines = _wrap(text, font, width, most, True)
    if any(font.getlength(line) > width for line in lines):
        return _wrap(text, font, width, most, False)
    return lines


def _wrap(
    text: str, font: ImageFont.FreeTypeFont, width: int, most: int, summed: bool
) -> list[str]:
    lines: list[str] = []
    line, used = "", 0.0
    space = word_length(font, " ")
    for word in text.split():
        if most and len(lines) >= most:
            return lines[:most]
        while word_length(font, word) > width:  # a long URL or compound: break it, never clip it
            cut = next(
                (i for i in range(len(word) - 1, 0, -1) if font.getlength(word[:i]) <= width), 1
            )
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        if not line:
            line, used = word, word_length(font, word)
            continue
        candidate = f"{line} {word}"
        wide = used + space + word_length(font, word)
        if not summed or wide > width - 1:  # a break, or too close to tell: measure it whole
            wide = font.getlength(candidate)
        if wide > width:
            lines.append(line)
            line, used = word, word_length(font, word)
        else:
            line, used = candidate, wide
    if line:
        lines.append(line)
    return lines[:most] if most else lines


def shorten(
    lines: list[str], font: ImageFont.FreeTypeFont, width: int, count: int, tail: str = ""
) -> list[str]:
    """The first `count` lines, the last cut on a word boundary and ended with an ellipsis."""
    if len(lines) <= count:
        return lines
    last = lines[count - 1].split()
    while last and font.getlength(" ".join(last) + " …" + tail) > width:
        last.pop()
    kept = " ".join(last).rstrip(",;:.–-")
    return [*lines[: count - 1], (kept + " …" if kept else "…") + tail]


def _text_color(background: str) -> str:
    """White or ink, whichever reads better on the colour."""
    red, green, blue = (int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
    luminance = 0.2126 * red**2.2 + 0.7152 * green**2.2 + 0.0722 * blue**2.2
    return INK if luminance > 0.35 else "#ffffff"


@lru_cache(maxsize=64)
def _same_fit(text: str, sizes: tuple[int, ...], width: int, height: int) -> tuple[int, list[str]]:
    """fit() in bold, of a text many cards repeat (a verdict, the site's name); callers share
    the list, and only read it."""
    return fit(text, True, sizes, width, height)


def draw_article(card: ArticleCard) -> bytes:
    """An article's card: site name and title on the left, the cover (if any) on the right."""
    if card.cover is not None:
        return _photo_article(card)
    canvas = Canvas(INK)
    text_width = WIDTH - 2 * MARGIN
    _, site = _same_fit(card.site, (30,), text_width, 40)
    top = MARGIN + 80
    # Bands start above their text's first line: accents (Ấ, Ỗ) rise above the font's ascent.
    canvas.text(0, top - HEADROOM, INK, "#c9ccd1", [(site, True, 30, MARGIN, MARGIN)], True)
    size, title = fit(card.title, True, (68, 60, 52, 46), text_width, HEIGHT - MARGIN - top)
    canvas.text(top - HEADROOM, HEIGHT, INK, "#ffffff", [(title, True, size, MARGIN, top)])
    canvas.fill((0, 0, 13, HEIGHT), ACCENT)  # as draw.rectangle((0, 0, 12, HEIGHT)): 13 wide
    return canvas.png()


def _photo_article(card: ArticleCard) -> bytes:
    """An article's card with its cover photo: drawn in full colour."""
    assert card.cover is not None
    image = Image.new("RGB", (WIDTH, HEIGHT), INK)
    with Image.open(card.cover) as opened:
        cover = ImageOps.exif_transpose(opened).convert("RGB")
    panel = 480
    image.paste(ImageOps.fit(cover, (panel, HEIGHT), Image.Resampling.LANCZOS), (WIDTH - panel, 0))
    text_width = WIDTH - panel - 2 * MARGIN
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 12, HEIGHT), fill=ACCENT)
    _, site = fit(card.site, True, (30,), text_width, 40)
    draw_lines(draw, site, load_font(True, 30), MARGIN, MARGIN, "#c9ccd1")
    top = MARGIN + 80
    size, title = fit(card.title, True, (68, 60, 52, 46), text_width, HEIGHT - MARGIN - top)
    draw_lines(draw, title, load_font(True, size), MARGIN, top, "#ffffff")
    return png_bytes(image)


def draw_claim(card: ClaimCard) -> bytes:
    """A claim's card: the verdict on its colour, the quote, the claimant, the site."""
    color = expand_color(card.color)
    canvas = Canvas(PAPER)
    band = 150
    text_width = WIDTH - 2 * MARGIN
    size, verdict = _same_fit(card.verdict, (72, 60, 48), text_width, band - 40)
    canvas.text(
        0,
        band + 1,
        color,
        _text_color(color),
        [(verdict, True, size, MARGIN, (band - size) // 2 - 6)],
        True,
    )
    top, bottom = band + 44, HEIGHT - 150
    size, quote = fit(f"“{card.quote}", False, (52, 46, 40), text_width, bottom - top, "”")
    below = top + len(quote) * round(size * GAP)
    csize, claimant = fit(f"— {card.claimant}", True, (36, 30), text_width, 50)
    canvas.text(
        band + 1,
        HEIGHT - 72 - HEADROOM,
        PAPER,
        INK,
        [
            (quote, False, size, MARGIN, top),
            (claimant, True, csize, MARGIN, max(below, bottom) + 8),
        ],
    )
    _, site = _same_fit(card.site, (28,), text_width, 40)
    footer = HEIGHT - 72
    canvas.text(footer - HEADROOM, HEIGHT, PAPER, MUTED, [(site, True, 28, MARGIN, footer)], True)
    canvas.fill((0, HEIGHT - 12, WIDTH, HEIGHT), color)
    return canvas.png()
