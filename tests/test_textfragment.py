"""URL Text Fragments: the encoding against the WICG spec's examples, and in Chromium a generated
link to a long page lands on the passage."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from aisite.textfragment import LONG_PASSAGE, RANGE_WORDS, directive, encode, fragment_url
from browser_support import serve
from conftest import run_aisite

# The examples of https://wicg.github.io/scroll-to-text-fragment/ ("Syntax", "Context Terms",
# "BiDi Considerations"), as (prefix, passage, suffix) -> directive.
SPEC_EXAMPLES = [
    ("", "an example text fragment", "", "text=an%20example%20text%20fragment"),
    ("this is", "an example", "text fragment", "text=this%20is-,an%20example,-text%20fragment"),
    # مصر preceded by البحرين; the spec's percent-encoding is of these letters (without the
    # kasra its display shows).
    (
        "\u0627\u0644\u0628\u062d\u0631\u064a\u0646",
        "\u0645\u0635\u0631",
        "",
        "text=%D8%A7%D9%84%D8%A8%D8%AD%D8%B1%D9%8A%D9%86-,%D9%85%D8%B5%D8%B1",
    ),
]


@pytest.mark.unit
@pytest.mark.parametrize(("prefix", "passage", "suffix", "expected"), SPEC_EXAMPLES)
def test_spec_examples(prefix: str, passage: str, suffix: str, expected: str) -> None:
    assert directive(passage, prefix, suffix) == expected


@pytest.mark.unit
def test_syntax_characters_are_percent_encoded() -> None:
    # "Dash (-), ampersand (&), and comma (,) characters in text parameters are percent-encoded".
    assert encode("short-lived, cheap & fast") == "short%2Dlived%2C%20cheap%20%26%20fast"
    # Every TextDirectiveExplicitChar stays as it is; '%' and '#' do not.
    explicit = "aZ09!$'()*+./:;=?@_~"
    assert encode(explicit) == explicit
    assert encode("100% #1") == "100%25%20%231"
    # Whatever is encoded decodes back to the text.
    text = "“Quoted” – 3–4 × faster, 50% less & more-or-less"
    assert unquote(encode(text)) == text
    assert re.fullmatch(r"([A-Za-z0-9!$'()*+./:;=?@_~]|%[0-9A-F]{2})+", encode(text))


@pytest.mark.unit
def test_long_passages_become_a_range() -> None:
    words = [f"word{n}" for n in range(40)]
    long = " ".join(words)
    assert len(long) > LONG_PASSAGE
    start, end = " ".join(words[:RANGE_WORDS]), " ".join(words[-RANGE_WORDS:])
    assert directive(long) == f"text={encode(start)},{encode(end)}"
    # A short passage, however many words, is matched exactly; white space is collapsed.
    assert directive("one  two\nthree") == "text=one%20two%20three"


@pytest.mark.unit
def test_fragment_urls() -> None:
    assert fragment_url("https://a.example/r", "x-y") == "https://a.example/r#:~:text=x%2Dy"
    # An element fragment stays; the directive follows it.
    assert fragment_url("https://a.example/r#sec", "x") == "https://a.example/r#sec:~:text=x"
    # No passage, or a URL that already has a directive: unchanged.
    assert fragment_url("https://a.example/r", "  ") == "https://a.example/r"
    url = "https://a.example/r#:~:text=own"
    assert fragment_url(url, "other") == url


# The page opens with a decoy that shares the passage's words up to its '&': a link whose ','
# or '&' were left unencoded would match the decoy (or the range from it) and stay at the top.
DECOY = "the aforementioned costs, in our view, include only the official training run and more"
LONG_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Report</title>
<style>p {{ margin: 0 0 1.2em; font: 18px/1.5 serif; }}</style></head><body>
<p>{decoy}.</p>
{filler}
<p id="passage">{passage}</p>
{filler}
</body></html>"""


def _filler(n: int) -> str:
    return "\n".join(
        f"<p>Paragraph {i}: filler text that is not the passage a claim relies on.</p>"
        for i in range(n)
    )


def _scrolled_to(page: Any) -> dict[str, float]:
    return dict(
        page.evaluate(
            """() => {
                const r = document.getElementById("passage").getBoundingClientRect();
                return {scrollY: window.scrollY, top: r.top, bottom: r.bottom,
                        height: window.innerHeight};
            }"""
        )
    )


@pytest.mark.browser
@pytest.mark.parametrize(
    "passage",
    [
        "the aforementioned costs, in our view, include only the official training run & nothing else",
        " ".join(["A long passage that must be linked as a range of text;"] * 4)
        + " it ends here, with a comma-separated tail & an ampersand.",
    ],
    ids=["exact", "range"],
)
def test_following_a_claim_page_link_scrolls_to_the_passage(
    chromium: Any, tmp_path: Path, passage: str
) -> None:
    web = tmp_path / "web"
    web.mkdir()
    (web / "report.html").write_text(
        LONG_PAGE.format(decoy=DECOY, filler=_filler(150), passage=passage), encoding="utf-8"
    )
    with serve(web) as origin:
        _site_citing(tmp_path / "site", f"{origin}/report.html", passage)
        context = chromium.new_context(viewport={"width": 1000, "height": 700})
        page = context.new_page()
        try:
            page.goto(f"{origin}/claim/index.html")
            link = page.locator(".evidence-title a")
            href = link.get_attribute("href")
            assert href == fragment_url(f"{origin}/report.html", passage) and ":~:text=" in href
            if len(passage) > LONG_PASSAGE:
                assert href.count(",") == 1  # textStart,textEnd
            link.click()
            page.wait_for_url(lambda u: "/report.html" in u)
            page.wait_for_function(
                """() => {
                    const r = document.getElementById("passage").getBoundingClientRect();
                    return r.top >= 0 && r.bottom <= window.innerHeight;
                }""",
                timeout=5000,
            )
            where = _scrolled_to(page)
            assert where["scrollY"] > 2000, where  # far down the page, passage in view
        finally:
            context.close()


def _site_citing(root: Path, url: str, passage: str) -> None:
    """Build a one-claim site citing `url` with `passage`; its claim page is copied to web/claim/."""
    article = root / "content" / "articles" / "a"
    article.mkdir(parents=True)
    (root / "content" / "site.yaml").write_text("title: T\nbase_url: https://example.com/\n")
    (article / "index.md").write_text(
        "---\ntitle: A\ndate: 2025-01-01\n---\n\nThe costs were low.\n"
    )
    (article / "claims.yaml").write_text(
        "- id: costs\n  quote: costs were low\n  claimant: Someone\n  verdict: accurate\n"
        "  summary: S.\n  evidence:\n    - title: The report\n"
        f"      url: {url}\n      quote: {json.dumps(passage)}\n"
    )
    result = run_aisite("build", "--source", str(root))
    assert result.returncode == 0, result.stderr
    claim_page = root / "site" / "articles" / "a" / "claims" / "costs" / "index.html"
    target = root.parent / "web" / "claim"
    target.mkdir()
    (target / "index.html").write_bytes(claim_page.read_bytes())
