"""Anchoring: the contract's normalisation, markup crossings, prefix/suffix, misses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from aisite.anchor import Found, Selector, TextIndex
from aisite.marks import wrap
from aisite.markup import Converter
from aisite.nearby import Missed
from aisite.normalise import normalise

pytestmark = pytest.mark.unit


def anchor(markdown: str, *selectors: Selector) -> tuple[str, list[Found], list[Missed]]:
    def mark(key: str, first: bool) -> ET.Element:
        element = ET.Element("mark", {"data-claim": key})
        if first:
            element.set("id", f"claim-{key}")
        return element

    def flag(key: str) -> ET.Element:
        element = ET.Element("a", {"class": "claim-flag", "href": f"#review-{key}"})
        element.text = "flag"
        return element

    result = Converter().convert(markdown, selectors, mark, flag)
    return result.html, result.found, result.missed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("curly \u201cquotes\u201d and \u2018single\u2019", "curly \"quotes\" and 'single'"),
        ("en \u2013 em \u2014 minus \u2212", "en-em-minus-"),
        ("a -- b --- c - d", "a-b-c-d"),
        ("soft\u00adhyphen zero\u200bwidth no\u00a0break", "softhyphen zerowidth no break"),
        ("  many \n\t spaces  ", "many spaces"),
        ("cafe\u0301", "caf\u00e9"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_curly_quotes_in_text_match_straight_quotes_in_quote() -> None:
    html, found, missed = anchor(
        "He said \u201cno deal\u201d today.", Selector("c", 'said "no deal"')
    )
    assert not missed
    assert found[0].quote == "said \u201cno deal\u201d"
    assert '<mark data-claim="c" id="claim-c">said \u201cno deal\u201d</mark>' in html


def test_dash_and_whitespace_differences_match() -> None:
    html, found, missed = anchor("It ran 26\u201328\n  July.", Selector("d", "ran 26-28 July"))
    assert not missed
    assert found[0].quote == "ran 26\u201328 July"
    assert '<mark data-claim="d" id="claim-d">ran 26\u201328\n  July</mark>' in html


def test_decomposed_unicode_in_quote_matches_composed_text() -> None:
    _, found, missed = anchor("A caf\u00e9 in Paris.", Selector("u", "cafe\u0301 in Paris"))
    assert not missed and found[0].quote == "caf\u00e9 in Paris"


def test_quote_across_bold_emphasis_link_and_code() -> None:
    md = "One **bold** and *soft* [link](https://example.org/) then `code` end."
    html, _found, missed = anchor(md, Selector("x", "bold and soft link then code"))
    assert not missed
    # one mark per text node crossed: bold, " and ", soft, " ", link, " then ", code
    assert html.count('data-claim="x"') == 7
    assert html.count('id="claim-x"') == 1
    assert "<strong><mark" in html and "<em><mark" in html and "<code><mark" in html
    assert '<a href="https://example.org/"><mark data-claim="x">link</mark></a>' in html
    # the flag follows the last inline element, never inside <code> or a link
    assert '</code><a class="claim-flag" href="#review-x">flag</a> end.' in html


def test_first_mark_carries_the_id() -> None:
    html, _, _ = anchor("Alpha **beta** gamma.", Selector("g", "Alpha beta gamma"))
    assert html.index('id="claim-g"') < html.index("<strong>")


def test_repeat_is_ambiguous_without_prefix_or_suffix() -> None:
    _, found, missed = anchor("the rule. Then the rule again.", Selector("r", "the rule"))
    assert not found and missed[0].count == 2


def test_prefix_picks_one_of_two() -> None:
    html, _found, missed = anchor(
        "the rule. Then the rule again.", Selector("r", "the rule", prefix="Then")
    )
    assert not missed
    assert "Then <mark" in html


def test_suffix_picks_one_of_two() -> None:
    html, _found, missed = anchor(
        "the rule. Then the rule again.", Selector("r", "the rule", suffix=".")
    )
    assert not missed
    assert html.startswith("<p><mark")


def test_not_found_suggests_closest_passage() -> None:
    md = "First paragraph about chips.\n\nExports of advanced chips were restricted in 2022."
    _, found, missed = anchor(md, Selector("n", "exports of advanced chip were restricted"))
    assert not found
    assert missed[0].count == 0
    assert missed[0].closest.startswith("Exports of advanced chips were restricted")


def test_quote_never_spans_paragraphs() -> None:
    _, _, missed = anchor("Ends here.\n\nStarts here.", Selector("p", "here. Starts"))
    assert missed and missed[0].count == 0


def test_sentences_around_quote_for_context() -> None:
    md = "First sentence. The claim is here, said she. Last one."
    _, found, _ = anchor(md, Selector("s", "claim is here"))
    assert (found[0].before, found[0].quote, found[0].after) == (
        "The ",
        "claim is here",
        ", said she.",
    )


def test_raw_html_placeholders_are_skipped() -> None:
    html, _found, missed = anchor(
        "An <abbr title='x'>AI</abbr> model costs less.", Selector("a", "AI model costs")
    )
    assert not missed
    # One mark inside the raw <abbr> (never around its tags), one after it.
    assert html.count('data-claim="a"') == 2
    assert (
        '<abbr title="x"><mark data-claim="a" id="claim-a">AI</mark></abbr>'
        '<mark data-claim="a"> model costs</mark>'
    ) in html


def per_character(index: TextIndex) -> tuple[list[str], list[tuple[int, int, int]]]:
    """What each character of an index's text stands for as written, and where it is."""
    count = len(index.text)
    located = [next(index.located(i, i + 1)) for i in range(count)]
    return [index.shown(i, i + 1) for i in range(count)], located


def test_text_index_maps_back_to_text_nodes() -> None:
    root = ET.fromstring("<div><p>Hi  <b>big</b>\n you\u2019d</p><p>No</p></div>")
    index = TextIndex(root)
    assert index.text == "Hi big you'd\nNo\n"
    assert index.shown(0, len(index.text)) == "Hi big you\u2019d\nNo\n"
    first, second = root.findall("p")
    bold = first.find("b")
    assert index.segments == [(first, "text"), (bold, "text"), (bold, "tail"), (second, "text")]
    # Each character comes from one offset of one text node: (segment, start, end). The second
    # space of "Hi  " and the space after the newline are collapsed; paragraph ends are -1.
    hi, big = [(0, 0, 1), (0, 1, 2), (0, 2, 3)], [(1, 0, 1), (1, 1, 2), (1, 2, 3)]
    youd = [(2, 0, 1), (2, 2, 3), (2, 3, 4), (2, 4, 5), (2, 5, 6), (2, 6, 7)]
    no = [(3, 0, 1), (3, 1, 2)]
    shown, located = per_character(index)
    assert located == [*hi, *big, *youd, (-1, -1, -1), *no, (-1, -1, -1)]
    # A stretch is found a piece at a time: "big" is one run of its node's text.
    assert list(index.located(3, 6)) == [(1, 0, 3)]
    assert list(index.located(1, 8)) == [(0, 1, 2), (0, 2, 3), (1, 0, 3), (2, 0, 1), (2, 2, 3)]
    for char, (segment, start, end) in zip(shown, located, strict=True):
        if segment >= 0:
            node, attr = index.segments[segment]
            source = getattr(node, attr)[start:end]
            assert source == char or (char == " " and source.isspace()), (char, source)


def test_entities_and_backslash_escapes_are_text() -> None:
    md = "AT&amp;T said prices rose 5&nbsp;percent &mdash; a record.\n\nWe will \\[double\\] it at @big\\_bank &lt;5%."
    html, _found, missed = anchor(
        md,
        Selector("a", "AT&T said prices rose"),
        Selector("b", "5 percent - a record"),
        Selector("c", "[double] it at @big_bank <5%"),
    )
    assert not missed, missed
    assert '<mark data-claim="a" id="claim-a">AT&amp;T said prices rose</mark>' in html
    assert '<mark data-claim="b" id="claim-b">5&nbsp;percent — a record</mark>' in html


def test_quote_spans_a_footnote_reference() -> None:
    md = "The bill passed[^1] by a wide margin.\n\n[^1]: Source."
    html, found, missed = anchor(md, Selector("f", "The bill passed by a wide margin"))
    assert not missed
    assert found[0].quote == "The bill passed by a wide margin"
    assert 'class="footnote-ref"' in html


def test_summary_keeps_entities() -> None:
    assert Converter().convert("AT&amp;T and 5&nbsp;%.").first_paragraph == "AT&T and 5 %."


def test_heading_ids_never_take_claim_ids() -> None:
    html = Converter().convert("## Review cost\n\n## Claim one\n").html
    assert 'id="section-review-cost"' in html and 'id="section-claim-one"' in html


def test_author_html_cannot_pose_as_claim_markup() -> None:
    html = (
        Converter()
        .convert(
            'x <a class="claim-flag" data-claim="z" href="#review-z">Accurate</a>'
            ' <span id="review-z" class="verdict-accurate badge">y</span>'
        )
        .html
    )
    assert "data-claim" not in html and 'id="review-z"' not in html
    assert 'class="claim-flag"' not in html and "verdict-accurate" not in html.replace(
        "author-verdict", ""
    )


def test_flag_goes_after_raw_html_closing_tags() -> None:
    md = 'Said with <b>bold</b> here. And <a href="https://example.org/">a raw link</a> too.'
    html, _, missed = anchor(md, Selector("b", "Said with bold"), Selector("l", "And a raw link"))
    assert not missed
    assert '</b><a class="claim-flag" href="#review-b">flag</a> here.' in html
    assert '</a><a class="claim-flag" href="#review-l">flag</a> too.' in html


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Costs fell \u2014 sharply \u2014 in 2024.", "Costs fell -- sharply -- in 2024"),
        ("Costs fell\u2014sharply\u2014in 2024.", "Costs fell - sharply - in 2024"),
        ("Costs fell -- sharply -- in 2024.", "Costs fell\u2014sharply\u2014in 2024"),
        ("An infor\u00admation gap.", "An information gap"),
        ("An information gap.", "An infor\u00admation gap"),
        ("Zero\u200bwidth spaces.", "Zerowidth spaces"),
        ("No&nbsp;break and no\u00a0break.", "No break and no break"),
        ("No break here.", "No\u00a0break here"),
    ],
)
def test_dashes_and_invisible_characters_match_either_way(text: str, quote: str) -> None:
    html, found, missed = anchor(text, Selector("q", quote))
    assert not missed and len(found) == 1
    assert 'id="claim-q"' in html


def test_the_shown_quote_keeps_the_dashes_and_spaces_as_written() -> None:
    _, found, _ = anchor(
        "Costs fell \u2014 sharply \u2014 in 2024.", Selector("q", "fell--sharply")
    )
    assert found[0].quote == "fell \u2014 sharply"
    html, found, _ = anchor("An infor\u00admation gap.", Selector("q", "information"))
    assert found[0].quote == "infor\u00admation"
    assert "<mark" in html and "infor\u00admation</mark>" in html


def test_a_quote_across_a_paragraph_break_says_so() -> None:
    _, _, missed = anchor("Ends here.\n\nStarts there.", Selector("p", "here. Starts"))
    assert missed[0].across == "here." and missed[0].closest == ""


def test_no_suggestion_for_a_quote_unlike_anything_in_the_text() -> None:
    md = "China aimed to present itself as a responsible global actor."
    _, _, missed = anchor(md, Selector("n", "the stock market crashed on Monday"))
    assert missed[0].count == 0 and missed[0].closest == ""


def test_a_prefix_that_is_never_before_the_quote_shows_each_match() -> None:
    md = "The quick brown fox jumps. Then the lazy fox sleeps."
    _, _, missed = anchor(md, Selector("f", "fox", prefix="red"))
    assert (missed[0].count, missed[0].total) == (0, 2)
    assert missed[0].places == (
        '"The quick brown [fox] jumps. Then the lazy…"',
        '"…jumps. Then the lazy [fox] sleeps."',
    )
    assert missed[0].pick == ("prefix", "brown")


def test_the_flag_and_the_punctuation_after_it_are_one_piece() -> None:
    html, _, _ = anchor("He said the claim here. Then more.", Selector("c", "the claim here"))
    assert (
        '</mark><span class="claim-end"><a class="claim-flag" href="#review-c">flag</a>.</span>'
        " Then more." in html
    )
    html, _, _ = anchor("The claim here, and more.", Selector("c", "claim here, and more"))
    assert '<span class="claim-end"><a class="claim-flag" href="#review-c">flag</a>.</span>' in html
    html, _, _ = anchor("A claim here and more.", Selector("c", "claim"))
    assert "claim-end" not in html and "</a> here and more." in html


@pytest.mark.unit
def test_indexing_by_runs_equals_indexing_character_by_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import random
    import re

    import aisite.anchor

    rng = random.Random(12)
    pieces = ["word", "Ünï", "  ", "\n", "\t", "-", "--", " - ", "—", "–", "\u00ad", "\u200b",
              "“", "’", "x", "42", ".", "\u00a0", "\ufeff", "a\u0301"]  # fmt: skip

    def text() -> str:
        return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))

    for _ in range(300):
        root = ET.Element("div")
        para = ET.SubElement(root, "p")
        para.text = text()
        inner = ET.SubElement(para, rng.choice(["em", "a", "code"]))
        inner.text, inner.tail = text(), text()
        ET.SubElement(root, "p").text = text()
        fast = TextIndex(root)
        with monkeypatch.context() as patch:  # every character its own token: add() each
            patch.setattr(aisite.anchor, "_TOKENS", re.compile(r"(\b\B)?(.)", re.S))
            slow = TextIndex(ET.fromstring(ET.tostring(root)))
        assert (fast.text, *per_character(fast)) == (slow.text, *per_character(slow))
        size = len(fast.text)
        start = rng.randint(0, size)
        end = rng.randint(start, size)
        assert fast.shown(start, end) == slow.shown(start, end)
        # Marks wrapped around a stretch of one paragraph: the same tree either way.
        end = min(end, *(i for i in range(start, size) if fast.text[i] == "\n"), size)
        if end > start:
            span = Found("q", start, end, "", fast.text[start:end], "")
            for index in (fast, slow):
                wrap(
                    index,
                    [span],
                    lambda key, first: ET.Element("mark"),
                    lambda key: ET.Element("a"),
                )
            assert ET.tostring(fast.root) == ET.tostring(slow.root)
