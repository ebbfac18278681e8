"""Published images: metadata stripped, resized with srcset, reproducible; share cards drawn."""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from aisite import cards
from aisite.canvas import load_font as _font
from aisite.cards import ArticleCard, ClaimCard, draw_article, draw_claim, fit, wrap
from conftest import NEW_INTERPRETER, run_aisite
from imagefiles import chart, photo

SITE = "title: Desk\nbase_url: https://example.org/\n"
ARTICLE = """\
---
title: The minister's photo opportunity
date: 2025-03-01
image: cover.jpg
image_alt: The minister at a lectern
---
The minister spoke for an hour, they said.

![Bars of four values](charts/bars.png)
"""
CLAIMS = """\
- id: hour
  quote: spoke for an hour
  claimant: The Ministry of Long Names and Even Longer Press Releases
  verdict: misleading
  summary: Forty minutes.
  evidence:
    - {title: Transcript, url: 'https://example.org/t'}
"""


def make_site(root: Path, orientation: int = 1) -> Path:
    bundle = root / "content" / "articles" / "photo-op"
    (bundle / "charts").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text(SITE)
    (bundle / "index.md").write_text(ARTICLE)
    (bundle / "claims.yaml").write_text(CLAIMS)
    (bundle / "cover.jpg").write_bytes(photo(1800, 1000, orientation))
    (bundle / "charts" / "bars.png").write_bytes(chart())
    return root


def build(root: Path, out: Path, *extra: str) -> None:
    # A new interpreter each (its own hash seed): images must not depend on set order.
    command = ("build", "--source", str(root), "--output", str(out), *extra)
    result = run_aisite(*command, env=NEW_INTERPRETER)
    assert result.returncode == 0, result.stderr


def published_images(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.suffix in (".jpg", ".png")
    }


@pytest.mark.cli
def test_every_published_image_is_stripped_of_metadata(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")
    source = (root / "content/articles/photo-op/cover.jpg").read_bytes()
    with Image.open(BytesIO(source)) as original:  # the test photo does carry a position
        assert original.getexif().get_ifd(0x8825)
    build(root, tmp_path / "out")
    images = published_images(tmp_path / "out")
    photos = [name for name in images if not name.endswith("card.png")]
    assert set(photos) == {
        "articles/photo-op/cover.jpg",
        "articles/photo-op/cover-480w.jpg",
        "articles/photo-op/cover-960w.jpg",
        "articles/photo-op/cover-1600w.jpg",
        "articles/photo-op/charts/bars.png",
        "articles/photo-op/charts/bars-480w.png",
    }
    for name, data in images.items():
        with Image.open(BytesIO(data)) as image:
            assert not image.getexif(), name
            assert not {"exif", "comment", "xmp", "Author"} & set(image.info), (name, image.info)
        assert b"Newsroom Camera" not in data and b"51.50N" not in data, name


@pytest.mark.cli
def test_sizes_and_markup_let_the_browser_reserve_the_space(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")
    build(root, tmp_path / "out")
    page = (tmp_path / "out/articles/photo-op/index.html").read_text()
    cover = re.search(r'<figure class="cover"><img ([^>]*)>', page)
    assert cover, page
    attrs = dict(re.findall(r'([a-z]+)="([^"]*)"', cover.group(1)))
    assert attrs["width"] == "1800" and attrs["height"] == "1000"
    assert attrs["srcset"] == (
        "cover-480w.jpg 480w, cover-960w.jpg 960w, cover-1600w.jpg 1600w, cover.jpg 1800w"
    )
    assert attrs["alt"] == "The minister at a lectern" and "loading" not in attrs  # above the fold
    body = re.search(r'<img src="charts/bars.png" ([^>]*)>', page)
    assert body, page
    assert 'width="700" height="400"' in body.group(1) and 'loading="lazy"' in body.group(1)
    for name, width in (("cover-480w.jpg", 480), ("cover-1600w.jpg", 1600)):
        with Image.open(tmp_path / "out/articles/photo-op" / name) as image:
            assert image.size == (width, round(1000 * width / 1800))
    home = (tmp_path / "out/index.html").read_text()
    assert 'src="articles/photo-op/cover-960w.jpg"' in home and 'loading="lazy"' in home


@pytest.mark.cli
def test_a_rotated_photo_is_published_upright(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src", orientation=6)  # stored landscape, shown portrait
    build(root, tmp_path / "out")
    with Image.open(tmp_path / "out/articles/photo-op/cover.jpg") as image:
        assert image.size == (1000, 1800)
    assert (
        'width="1000" height="1800"' in (tmp_path / "out/articles/photo-op/index.html").read_text()
    )


@pytest.mark.cli
def test_images_and_cards_are_byte_identical_across_builds_and_cached(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")
    build(root, tmp_path / "one")
    cached = sorted((root / ".aisite-cache" / "images").rglob("*"))
    assert len([p for p in cached if p.is_file()]) == 8  # 6 image sizes, 2 cards
    shutil.rmtree(root / ".aisite-cache")
    build(root, tmp_path / "two")
    build(root, tmp_path / "three", "--clean")
    one, two, three = (published_images(tmp_path / n) for n in ("one", "two", "three"))
    assert one == two == three and len(one) == 8


@pytest.mark.cli
def test_share_cards_are_1200_by_630_and_show_something(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")
    build(root, tmp_path / "out")
    for name in ("articles/photo-op/card.png", "articles/photo-op/claims/hour/card.png"):
        with Image.open(tmp_path / "out" / name) as image:
            assert image.size == (1200, 630) and image.format == "PNG"
            spread = ImageStat.Stat(image.convert("L")).stddev[0]
            assert spread > 20, f"{name} looks blank"
    page = (tmp_path / "out/articles/photo-op/claims/hour/index.html").read_text()
    assert (
        '<meta property="og:image" content="https://example.org/articles/photo-op/claims/hour/card.png">'
        in page
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="og:image:alt" content="Misleading: “spoke for an hour”' in page


@pytest.mark.cli
def test_a_new_cover_redraws_the_card_and_only_it(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")
    build(root, tmp_path / "out")
    before = published_images(tmp_path / "out")
    (root / "content/articles/photo-op/cover.jpg").write_bytes(photo(1200, 900))
    build(root, tmp_path / "out")
    after = published_images(tmp_path / "out")
    changed = {n for n in after if before.get(n) != after[n]}
    assert "articles/photo-op/card.png" in changed
    assert "articles/photo-op/claims/hour/card.png" not in changed
    assert "articles/photo-op/cover-1600w.jpg" not in after  # narrower photo: no 1600 size
    page = (tmp_path / "out/articles/photo-op/index.html").read_text()
    assert 'width="1200" height="900"' in page


def stored(root: Path) -> set[str]:
    return {p.name for p in (root / ".aisite-cache" / "images").rglob("*") if p.is_file()}


@pytest.mark.cli
def test_the_image_store_keeps_only_what_some_output_folder_uses(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")

    def build(root: Path, out: Path) -> None:  # in a forked child: six builds, kept quick
        result = run_aisite("build", "--source", str(root), "--output", str(out))
        assert result.returncode == 0, result.stderr

    build(root, tmp_path / "out")
    first = stored(root)
    build(root, tmp_path / "preview")  # a second folder (as `serve` makes) uses the same files
    assert stored(root) == first and len(first) == 8
    article = root / "content/articles/photo-op/index.md"
    article.write_text(ARTICLE.replace("photo opportunity", "photo call"))
    build(root, tmp_path / "out")  # a new title: a new card here, the old one still in preview
    assert len(stored(root)) == 9 and first < stored(root)
    shutil.rmtree(tmp_path / "preview")  # a finished serve's folder: its rows are dropped
    (root / ".aisite-cache" / "images" / "ab").mkdir(exist_ok=True)
    (root / ".aisite-cache" / "images" / "ab" / "ab12.4242.tmp").write_bytes(b"torn")
    (root / ".aisite-cache" / "images" / "ab" / "zz34.4242.tmp").write_bytes(b"on another shelf")
    short = CLAIMS.replace("Long", "Short")
    (root / "content/articles/photo-op/claims.yaml").write_text(short)
    build(root, tmp_path / "out")  # the claim card is redrawn: the old cards and the torn files go
    now = stored(root)
    assert len(now) == 8 and len(first - now) == 2 and not {"ab12.4242.tmp", "zz34.4242.tmp"} & now
    (root / "content/articles/photo-op/claims.yaml").write_text(short.replace("Forty", "Thirty"))
    build(root, tmp_path / "out")  # nothing on a card changed: nothing made, nothing removed
    assert stored(root) == now
    shutil.rmtree(root / "content/articles/photo-op")
    build(root, tmp_path / "out")  # the article went: its images and cards go with it
    assert stored(root) == set()


@pytest.mark.unit
def test_text_that_does_not_fit_is_shortened_on_a_word_never_clipped() -> None:
    words = "the rules will cut exports of advanced chips by ninety percent " * 8
    size, lines = fit(words.strip(), False, (52, 40), 1000, 260, "”")
    assert size == 40 and len(lines) == 260 // 50
    assert lines[-1].endswith("…”")
    font = _font(False, size)
    assert all(font.getlength(line) <= 1000 for line in lines)
    shown = " ".join(lines).removesuffix("…”").split()
    assert shown == words.split()[: len(shown)]  # whole words, in order
    long_word = "x" * 400
    assert all(
        _font(True, 68).getlength(line) <= 600 for line in wrap(long_word, _font(True, 68), 600)
    )


@pytest.mark.unit
def test_wrapping_by_summed_word_widths_breaks_where_measuring_whole_lines_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (
        "“AI’s naïve rivals, from Ấn to https://example.com/a/very/long/path/that/goes/on/and/on,"
        " said the rules will cut exports of advanced chips by ninety percent — by 2027.”"
    ) * 3
    for bold, size, width in ((False, 52, 1072), (True, 68, 592), (False, 40, 300)):
        font = _font(bold, size)
        assert wrap(text, font, width) == cards._wrap(text, font, width, 0, False)
        assert wrap(text, font, width, 2) == cards._wrap(text, font, width, 0, False)[:2]
    # Were a sum of word widths ever short of or over a whole line's, the breaks stay the same.
    font = _font(False, 52)
    for error in (0.8, 1.25):
        monkeypatch.setattr(
            cards, "word_length", lambda font, text, e=error: font.getlength(text) * e
        )
        lines = wrap(text, font, 1000)
        assert all(font.getlength(line) <= 1000 for line in lines)
        assert lines == cards._wrap(text, font, 1000, 0, False)


@pytest.mark.unit
def test_cards_are_deterministic_and_differ_by_content() -> None:
    claim = ClaimCard("False", "#b42318", "Short quote.", "Jane Doe", "Desk")
    assert draw_claim(claim) == draw_claim(claim)
    assert draw_claim(claim) != draw_claim(
        ClaimCard("True", "#1a7f37", "Short quote.", "Jane Doe", "Desk")
    )
    article = ArticleCard("A title " * 30, "Desk", None)
    with Image.open(BytesIO(draw_article(article))) as image:
        assert image.size == (1200, 630)


@pytest.mark.cli
def test_a_copied_site_with_its_cache_publishes_its_own_images(tmp_path: Path) -> None:
    root = make_site(tmp_path / "src")
    build(root, tmp_path / "one")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)  # the cache comes along, with paths of the first folder
    shutil.rmtree(root)
    build(copy, tmp_path / "two")
    assert published_images(tmp_path / "one") == published_images(tmp_path / "two")


@pytest.mark.unit
def test_claim_cards_keep_their_colours_and_antialiased_text() -> None:
    card = ClaimCard("False", "#b42318", "Exports fell by ninety percent.", "Jane Doe", "Desk")
    with Image.open(BytesIO(draw_claim(card))) as image:
        assert image.mode == "P"  # a palette PNG: a fifth of the time of an RGB one to encode
        rgb = image.convert("RGB")
    assert rgb.getpixel((5, 5)) == (0xB4, 0x23, 0x18)  # the verdict band
    assert rgb.getpixel((5, 629)) == (0xB4, 0x23, 0x18)  # the strip at the bottom
    assert rgb.getpixel((5, 300)) == (0xFB, 0xFA, 0xF7)  # paper
    body = {rgb.getpixel((x, y)) for x in range(60, 900) for y in range(190, 260)}
    assert (0x16, 0x18, 0x1B) in body  # the quote in ink
    assert len(body) > 8  # and its edges blended into the paper, not jagged
    band = {rgb.getpixel((x, y)) for x in range(60, 400) for y in range(20, 130)}
    assert (255, 255, 255) in band and len(band) > 8  # white verdict on red, antialiased


@pytest.mark.unit
def test_accents_above_capitals_are_drawn_whole() -> None:
    top = 64 + 80  # where the title's first line starts
    plain, accented = (
        Image.open(BytesIO(draw_article(ArticleCard(title, "Desk", None)))).convert("L")
        for title in ("An Do title", "Ấn Độ title")
    )
    rows = (64, top - 16, 600, top)  # above the first line, over the first letters

    def inked(image: Image.Image) -> int:
        return sum(image.crop(rows).histogram()[61:])

    assert inked(plain) == 0 and inked(accented) > 20  # the circumflex and acute, not cut off


@pytest.mark.unit
@pytest.mark.parametrize(
    "text", ["Exports fell by ninety percent.", "Ấn Độ, “fj” — Tj ÅÄÖ 0123", "Bo ōg"]
)
def test_text_is_drawn_in_palette_indices_as_its_coverage_mapped_onto_levels(text: str) -> None:
    """A band drawn straight in indices holds what mapping the glyphs' coverage (0-255) onto
    Canvas.LEVELS entries from the band's first one gives, pixel for pixel."""
    from PIL import ImageDraw

    from aisite import canvas

    first, steps = 7, canvas.Canvas.LEVELS - 1
    blocks = (((text, text.upper()), False, 46, 64, 124), ((text,), True, 30, 700, 240))
    band = canvas._band.__wrapped__(100, 300, blocks, first)
    coverage = Image.new("L", (canvas.WIDTH, 200), 0)
    draw = ImageDraw.Draw(coverage)
    for lines, bold, size, x, y in blocks:
        canvas.draw_lines(draw, list(lines), canvas.load_font(bold, size), x, y - 100, 255)
    mapped = coverage.point([first + (value * steps + 127) // 255 for value in range(256)])
    assert band.tobytes() == mapped.tobytes()
    assert set(band.tobytes()) >= {first, first + steps} and len(set(band.tobytes())) > 8


@pytest.mark.unit
@pytest.mark.parametrize(
    ("bold", "size", "line"),
    [
        (False, 52, "“Exports fell by ninety percent, the minister said.”"),
        (False, 40, "jQuery’s “fj” — Tj AVA Wo. 2027 naïve Ấn Độ"),
        (True, 68, "A title of a few words"),
    ],
)
def test_a_line_of_words_is_drawn_where_drawing_it_whole_puts_it(
    bold: bool, size: int, line: str
) -> None:
    from PIL import ImageChops, ImageDraw, ImageStat

    from aisite import canvas

    font = canvas.load_font(bold, size)
    whole, words = (Image.new("L", (1200, 140), 0) for _ in range(2))
    ImageDraw.Draw(whole).text((64, 30), line, font=font, fill=255)
    canvas.draw_lines(ImageDraw.Draw(words), [line], font, 64, 30, 255)
    assert whole.getbbox() == words.getbbox()  # the same ink, to the pixel, at both ends
    columns = [(x, x + 1) for x in range(1200)]
    inked = [
        [bool(image.crop((a, 0, b, 140)).getbbox()) for a, b in columns] for image in (whole, words)
    ]
    # Each word starts and ends within a pixel of where the whole line has it.
    edges = [{x for x in range(1, 1200) if ink[x] != ink[x - 1]} for ink in inked]
    assert len(edges[0]) == len(edges[1])
    assert all(min(abs(x - e) for e in edges[0]) <= 1 for x in edges[1])
    assert ImageStat.Stat(ImageChops.difference(whole, words)).mean[0] < 2  # of 255


@pytest.mark.unit
@pytest.mark.parametrize(("bold", "size"), [(False, 46), (True, 72), (False, 28)])
def test_a_word_alone_is_drawn_as_drawing_text_draws_it(
    bold: bool, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each word's coverage is FreeType's for it, placed where ImageDraw.text puts it: a word
    alone on a line is the same bytes, also with nothing to draw (an empty bitmap) or ink above
    the ascent."""
    from PIL import ImageDraw

    from aisite import canvas

    monkeypatch.setattr(canvas, "words", canvas._Words())
    font = canvas.load_font(bold, size)
    for word in ("a", "“Quote,", "Ấn", "Ỗ", "x\u0308", "ﬁ", "AV", "2027.", "\u200b", "😀", "中文"):
        whole, drawn = (Image.new("L", (600, 160), 0) for _ in range(2))
        ImageDraw.Draw(whole).text((40, 30), word, font=font, fill=255)
        canvas.draw_lines(ImageDraw.Draw(drawn), [word], font, 40, 30, 255)
        assert drawn.tobytes() == whole.tobytes(), word
    assert canvas.words.misses == 11


@pytest.mark.unit
def test_words_with_nothing_to_draw_count_against_the_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An empty bitmap is still an entry: without a cost, such words would be kept without end.
    from PIL import ImageDraw

    from aisite import canvas

    monkeypatch.setattr(canvas, "words", canvas._Words())
    monkeypatch.setattr(canvas.words, "BUDGET", 3)
    image = Image.new("L", (200, 100), 0)
    for n in range(1, 11):
        canvas.draw_lines(
            ImageDraw.Draw(image), ["\u200b" * n], canvas.load_font(False, 40), 0, 0, 9
        )
    assert canvas.words.misses == 10 and len(canvas.words.kept) == canvas.words.pixels == 3
    assert image.getbbox() is None  # nothing drawn


@pytest.mark.unit
def test_a_line_words_cannot_be_put_together_in_is_drawn_whole() -> None:
    """Right to left, bidirectional controls, a mark after a space (alone, it would be drawn on
    a dotted circle and push the rest of the line right)."""
    from PIL import ImageDraw

    from aisite import canvas

    font = canvas.load_font(False, 46)
    lines = (
        "שלום עולם and more",
        "مرحبا بالعالم",
        "left \u202eright\u202c left",
        "x \u0301y \u20dd z",
    )
    for line in lines:
        whole, drawn = (Image.new("L", (1200, 100), 0) for _ in range(2))
        ImageDraw.Draw(whole).text((64, 20), line, font=font, fill=255)
        canvas.draw_lines(ImageDraw.Draw(drawn), [line], font, 64, 20, 255)
        assert drawn.tobytes() == whole.tobytes(), line


@pytest.mark.unit
def test_a_word_is_drawn_once_a_process_within_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageDraw

    from aisite import canvas

    monkeypatch.setattr(canvas, "words", canvas._Words())
    image = Image.new("L", (1200, 200), 0)
    font = canvas.load_font(False, 40)
    canvas.draw_lines(ImageDraw.Draw(image), ["the cat and the dog", "and the bird"], font, 0, 0, 9)
    assert (canvas.words.misses, canvas.words.hits) == (5, 3)
    kept = canvas.words.pixels
    assert kept == sum(i.width * i.height for i, _, _ in canvas.words.kept.values()) > 0
    # Past the budget, the words used longest ago go first.
    monkeypatch.setattr(canvas.words, "BUDGET", kept)
    canvas.draw_lines(ImageDraw.Draw(image), ["bird"], font, 0, 0, 9)
    canvas.draw_lines(ImageDraw.Draw(image), ["elephants"], font, 0, 60, 9)
    assert canvas.words.pixels <= kept
    assert [word for _, word in canvas.words.kept][-2:] == ["bird", "elephants"]
    assert (font, "the") not in canvas.words.kept


@pytest.mark.unit
def test_a_word_found_again_is_kept_longest(monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageDraw

    from aisite import canvas

    monkeypatch.setattr(canvas, "words", canvas._Words())
    image, font = Image.new("L", (1200, 200), 0), canvas.load_font(False, 40)
    canvas.draw_lines(ImageDraw.Draw(image), ["the cat and dog"], font, 0, 0, 9)
    canvas.draw_lines(ImageDraw.Draw(image), ["the"], font, 0, 60, 9)  # found: used last
    monkeypatch.setattr(canvas.words, "BUDGET", canvas.words.pixels)
    canvas.draw_lines(ImageDraw.Draw(image), ["a"], font, 0, 120, 9)
    assert (font, "the") in canvas.words.kept and (font, "cat") not in canvas.words.kept
