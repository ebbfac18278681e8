"""Markdown that makes the parser quadratic, and a long quote with a typo: bounded, reported."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import ESCAPE_RE, EscapeInlineProcessor
from markdown.treeprocessors import InlineProcessor

from aisite import inline
from aisite.limits import LIMITS
from aisite.markup import Converter
from conftest import REPO, run_aisite

pytestmark = pytest.mark.cli
QUADRATIC = {
    "open-links": "[a](" * 20_000,
    "footnotes": "".join(f"x[^{i}] " for i in range(10_000))
    + "\n\n"
    + "\n".join(f"[^{i}]: note" for i in range(10_000)),
    "nested-spans": "<span>" * 20_000 + "x" + "</span>" * 20_000,
    "brackets": "[" * 100_000,
    "autolinks": "<http://a " * 20_000,
}


def _site(root: Path, bodies: dict[str, str]) -> Path:
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n")
    for slug, body in bodies.items():
        folder = root / "content" / "articles" / slug
        folder.mkdir()
        (folder / "index.md").write_text(f"---\ntitle: {slug}\ndate: 2024-01-01\n---\n{body}\n")
    return root


def test_quadratic_markdown_is_refused_with_what_to_change(tmp_path: Path) -> None:
    site = _site(tmp_path / "src", QUADRATIC)
    result = run_aisite("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(QUADRATIC) + 1, result.stderr
    for slug, body in QUADRATIC.items():
        char = "[" if body.count("[") > LIMITS["["][0] else "<"
        count = body.count(char)
        # At the line of the first one past the limit (none of these is escaped).
        text = (site / "content" / "articles" / slug / "index.md").read_text()
        first = text.index("---", 3) + 3  # the body, after the front matter
        for _ in range(LIMITS[char][0] + 1):
            first = text.index(char, first + 1)
        line = text.count("\n", 0, first) + 1
        expected = (
            f"content/articles/{slug}/index.md:{line}: the text has {count:,} '{char}' "
            "characters, past the limit from this line on; at most 2,000 are allowed"
        )
        assert any(line.startswith(expected) for line in lines), (expected, lines)


@pytest.mark.unit
def test_a_text_past_a_limit_is_refused_at_the_first_mark_past_it() -> None:
    # Escaped ones are not counted: the 2,001st markup '[' is on line 4.
    text = "\\[" * 5000 + "\n" + "[a " * 1500 + "\n\n" + "[b " * 1000 + "\n"
    refused = Converter().convert(text)
    assert refused.error.startswith("the text has 2,500 '[' characters, past the limit")
    assert refused.error_line == 4


def test_markdown_at_the_limits_builds(tmp_path: Path) -> None:
    bodies = {
        "links": " ".join(f"[a{i}](https://e.org/{i})" for i in range(1000)),
        "open-links": "[a](" * 2000,
        "tags": "<b>x</b> " * 1000,
        "escaped": "\\[" * 50_000,
    }
    site = _site(tmp_path / "src", bodies)
    result = run_aisite("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr


def _stock() -> Converter:
    """aisite's converter with Python-Markdown's own escapes (one a match) and inline processor."""
    converter = Converter()
    md = converter.md
    md.inlinePatterns.register(EscapeInlineProcessor(ESCAPE_RE, md), "escape", 180)
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    return converter


RUNS, STOCK = Converter(), _stock()


PIECES = st.sampled_from(
    [
        "\\",
        "[",
        "]",
        "*",
        "_",
        "`",
        "|",
        "(",
        ")",
        "#",
        "!",
        ">",
        "a",
        " ",
        "<",
        "&",
        "\n",
        ":",
        "^",
        '"',
        "=",
        '<span title="',
        '">',
        "</span>",
        '<a href="',
        "&amp;",
        "\\q",
        "[^1]",
    ]
)


@pytest.mark.unit
@settings(max_examples=800, deadline=None)
@given(st.lists(PIECES, max_size=24).map("".join))
@example('x <span title="\\*\\*">y</span> <a href="\\(\\)">l</a>')
def test_inline_marks_render_as_python_markdown_renders_them(text: str) -> None:
    # Escapes next to code, links, tables, footnotes, and inside raw HTML's attributes.
    assert RUNS.convert(text).html == STOCK.convert(text).html


@pytest.mark.unit
def test_a_run_of_escapes_is_one_inline_match(monkeypatch: pytest.MonkeyPatch) -> None:
    # One match per escape made 100,000 escapes in a row take 21 s (each copies the text).
    matched: list[str] = []
    handle = inline._EscapeRuns.handleMatch

    def counted(self: inline._EscapeRuns, m: re.Match[str], data: str) -> object:
        matched.append(m.group())
        return handle(self, m, data)

    monkeypatch.setattr(inline._EscapeRuns, "handleMatch", counted)
    text = "a " + "\\[" * 10_000 + " b \\*c\\* `\\[` \\q"
    html = Converter().convert(text).html
    assert matched == ["\\[" * 10_000, "\\*", "\\*"]
    assert html == "<p>a " + "[" * 10_000 + " b *c* <code>\\[</code> \\q</p>"


@pytest.mark.unit
def test_a_paragraph_past_the_copy_budget_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inline, "COPY_BUDGET", 10**7)
    fine = "Before.\n\n" + "\n\n".join(f"Para {i} *a* `b` &amp; c" for i in range(2000))
    assert not Converter().convert(fine).error  # the budget is for the whole text
    marked = "Before.\n\nThe long one " + "*a* " * 3000 + "\n\nAfter."
    assert (
        Converter()
        .convert(marked)
        .error.startswith('the paragraph starting "The long one" has more inline marks')
    )
    assert Converter().convert("`a` " * 3000).error.startswith("a paragraph has more")


@pytest.mark.unit
def test_text_beyond_ascii_costs_more_to_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Up to 4 bytes a character: emoji marks took 2.5 times as long as ASCII ones.
    monkeypatch.setattr(inline, "COPY_BUDGET", 10**7)
    assert not Converter().convert("*a* " * 1000).error
    assert Converter().convert("*é* " * 1000).error.startswith("a paragraph has more")


QUADRATIC_WITHOUT_COPIES = {
    # An emphasis holding others: 40,000 took 25 s (its children put in place one by one).
    "children": "*a" + " **b** c" * 40_000 + "*",
    # Backticks that never close, each scanning the rest: 800 runs took 6 s.
    "backticks": "Start " + " ".join("`" * k + "x" for k in range(1, 801)),
    # Text after 2,000 unclosed '[' (the limit): each scans it three times; 16 KB took 6.6 s.
    "brackets": "Start " + "[a " * 2000 + "b " * 5000,
}


@pytest.mark.unit
@pytest.mark.parametrize("kind", sorted(QUADRATIC_WITHOUT_COPIES))
def test_quadratic_work_that_copies_nothing_counts_too(kind: str) -> None:
    assert "has more inline marks" in Converter().convert(QUADRATIC_WITHOUT_COPIES[kind]).error


@pytest.mark.unit
def test_ordinary_text_uses_a_small_share_of_the_budget() -> None:
    # Links' scans count most (a link's text and address, three patterns each): a 4 MiB file
    # (the limit) of text like the repository's own articles stays far below the budget.
    converter = Converter()
    processor = converter.md.treeprocessors["inline"]
    assert isinstance(processor, inline._Budgeted)
    for path in sorted((REPO / "content" / "articles").glob("*/index.md")):
        text = path.read_text() * 10
        assert not converter.convert(text).error
        assert 0 < processor.copied / len(text) * 4 * 2**20 < inline.COPY_BUDGET / 10, path


def test_a_paragraph_of_marks_is_refused_at_its_line(tmp_path: Path) -> None:
    # 200,000 emphases in one paragraph: by the parser's own growth, half a minute of work.
    site = _site(tmp_path / "src", {"marks": "First.\n\nSo it begins " + "*a* " * 200_000})
    lines = (site / "content/articles/marks/index.md").read_text().splitlines()
    line = 1 + next(i for i, text in enumerate(lines) if text.startswith("So it begins"))
    result = run_aisite("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(
        f'content/articles/marks/index.md:{line}: the paragraph starting "So it begins" has more '
        "inline marks (emphasis, code, links, entities, escapes) than Markdown's parser can "
        "render in about a second: split it into shorter paragraphs\n"
    ), result.stderr
    assert not (tmp_path / "site").exists()


def test_a_long_quote_with_a_typo_gets_a_hint_in_bounded_time(tmp_path: Path) -> None:
    rng = random.Random(3)
    words = [
        "the",
        "of",
        "and",
        "a",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "as",
        "was",
        "with",
        "be",
        "by",
        "on",
        "not",
        "this",
        "are",
        "or",
        "from",
    ]
    paragraphs = [" ".join(rng.choice(words) for _ in range(120)) + "." for _ in range(130)]
    site = _site(tmp_path / "src", {"long": "\n\n".join(paragraphs)})
    assert len((site / "content/articles/long/index.md").read_bytes()) > 50_000
    passage = " ".join(paragraphs[40:50])[:5000].rsplit(" ", 1)[0]
    quote = passage[:2500] + "q" + passage[2501:]  # one typo
    claims = site / "content" / "articles" / "long" / "claims.yaml"
    claims.write_text(
        f"- id: long\n  quote: {quote}\n  claimant: Someone\n  verdict: accurate\n"
        "  summary: S.\n  evidence:\n    - title: E\n      url: https://example.org/e\n"
    )
    result = run_aisite("build", "--source", str(site), "--output", str(tmp_path / "site"))
    assert result.returncode == 1, result.stderr
    assert "claim 'long': quote not found" in result.stderr
    hint = result.stderr.split('did you mean "', 1)[1].split('"?)', 1)[0]
    assert hint.startswith(passage[:200])
