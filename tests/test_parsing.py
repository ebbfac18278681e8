"""Unit tests of the pure parsing functions: YAML nodes, config, front matter, claims."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from aisite.claimmodel import ParsedClaim
from aisite.config import parse_config
from aisite.errors import Problems
from aisite.fields import parse_when
from aisite.parse import parse_article, parse_claims, parse_page
from aisite.siteconfig import SiteConfig
from aisite.slugs import slugify, valid_slug
from aisite.yamlnode import INT, STR, YamlError, YList, YMap, YScalar, parse_yaml, quoted

pytestmark = pytest.mark.unit

SITE = "title: T\nbase_url: https://example.org/news\ntimezone: Asia/Shanghai\n"


def config():  # type: ignore[no-untyped-def]
    parsed, problems = parse_config("content/site.yaml", SITE)
    assert parsed is not None, problems.items
    return parsed


def test_yaml_keeps_lines_and_source_text() -> None:
    node = parse_yaml("a: 1\nb: no\nc: '1.10'\nd: 1.10\n")
    assert isinstance(node, YMap)
    assert node.key_lines == {"a": 1, "b": 2, "c": 3, "d": 4}
    b, c, d = node.items["b"], node.items["c"], node.items["d"]
    assert isinstance(b, YScalar) and b.text == "no"
    assert isinstance(c, YScalar) and c.tag == STR and c.text == "1.10"
    assert isinstance(d, YScalar) and d.text == "1.10"


def test_yaml_duplicate_key_is_an_error() -> None:
    with pytest.raises(YamlError) as err:
        parse_yaml("title: a\ntitle: b\n")
    assert err.value.line == 2 and "duplicate key 'title'" in err.value.message


@pytest.mark.parametrize(
    "text",
    ["a: &x [1]\nb: *x\n", "? [1, 2]\n: x\n", "1: x\n", "x:" + " [" * 60 + " ]" * 60 + "\n"],
)
def test_yaml_refuses_aliases_nonstring_keys_and_deep_nesting(text: str) -> None:
    with pytest.raises(YamlError):
        parse_yaml(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [("a: 1\nb: @x\n", 2), ("a: 1\n  b: 2\nc: 3\n", 2), ("a: 1\nb: 2\nb: 3\n", 3)],
    ids=["scanner", "parser", "duplicate"],
)
def test_yaml_line_offset_for_front_matter(text: str, line: int) -> None:
    for offset in (0, 1, 10):
        with pytest.raises(YamlError) as err:
            parse_yaml(text, line_offset=offset)
        assert err.value.line == line + offset
    node = parse_yaml("a: 1\nb: 2\n", line_offset=1)
    assert isinstance(node, YMap) and node.key_lines == {"a": 2, "b": 3}


def test_front_matter_problems_name_the_line_of_the_file() -> None:
    path = "content/articles/a/index.md"
    _, problems = parse_article(path, "a", "---\ntitle: T\ndate: @x\n---\nBody\n", config())
    assert [(p.path, p.line) for p in problems.items] == [(path, 3)]
    _, problems = parse_article(path, "a", "---\ntitle: T\ntitle: U\n---\n", config())
    assert [str(p) for p in problems.items] == [
        f"{path}:3: duplicate key 'title' (first given on line 2)"
    ]


def test_config_defaults_and_normalisation() -> None:
    cfg = config()
    assert cfg.base_url == "https://example.org/news/"
    assert cfg.base_path == "/news/"
    assert cfg.language == "en" and cfg.per_page == 10
    assert cfg.feed.items == 20 and cfg.feed.full_content is True
    assert cfg.publisher.name == "T"
    assert next(r.key for r in cfg.ratings) == "accurate"


def test_config_override_base_url() -> None:
    cfg, _ = parse_config("site.yaml", SITE, base_url="http://localhost:8000")
    assert cfg is not None and cfg.base_url == "http://localhost:8000/"


def test_config_is_frozen() -> None:
    cfg = config()
    with pytest.raises(AttributeError):
        cfg.title = "x"  # type: ignore[misc]


def test_config_unknown_key_with_hint() -> None:
    _, problems = parse_config("site.yaml", SITE + "titel: x\n")
    assert [str(p) for p in problems.items] == [
        "site.yaml:4: unknown key 'titel' (did you mean 'title'?)"
    ]


def test_rating_value_int_stays_int() -> None:
    cfg, _ = parse_config(
        "s", SITE + "ratings:\n  - {key: a, label: A, value: 5, description: d}\n"
    )
    assert cfg is not None and cfg.ratings[0].value == 5 and isinstance(cfg.ratings[0].value, int)


def test_dates_with_and_without_offsets() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    assert parse_when("2025-07-28", tz) == datetime(2025, 7, 28, tzinfo=tz)
    assert parse_when("2025-07-28T09:00:00", tz) == datetime(2025, 7, 28, 9, tzinfo=tz)
    aware = parse_when("2025-07-28T09:00:00+02:00", tz)
    assert (
        aware is not None
        and aware.utcoffset() is not None
        and aware.utcoffset().total_seconds() == 7200
    )  # type: ignore[union-attr]
    assert parse_when("2025-07-28T09:00:00Z", tz) == datetime(2025, 7, 28, 9, tzinfo=UTC)
    assert parse_when("28/07/2025", tz) is None


def test_slugs() -> None:
    assert valid_slug("china-ai-2030") and not valid_slug("China") and not valid_slug("a--b")
    assert not valid_slug("a" * 81)
    assert slugify("AI policy & Export Controls") == "ai-policy-export-controls"


def test_parse_article_front_matter_and_body() -> None:
    text = "---\ntitle: A title\ndate: 2025-07-28\ntags: [AI policy, China]\ndraft: true\n---\nBody text.\n"
    article, problems = parse_article("content/articles/a/index.md", "a", text, config())
    assert not problems and article is not None
    assert article.title == "A title" and article.draft
    assert [t.slug for t in article.tags] == ["ai-policy", "china"]
    assert article.date.tzinfo == ZoneInfo("Asia/Shanghai")
    assert article.body.held == "Body text.\n" and article.body.chars == len("Body text.\n")
    assert article.url == "articles/a/"


def test_text_fields_keep_yaml_implicit_types_as_written() -> None:
    text = "---\ntitle: no\ndate: 2025-07-28\nsummary: 1.10\n---\n"
    article, _problems = parse_article("x.md", "a", text, config())
    assert article is not None and article.title == "no" and article.summary == "1.10"


def test_parse_page() -> None:
    page, _problems = parse_page("content/pages/about.md", "about", "---\ntitle: About\n---\nHi\n")
    assert page is not None and page.url == "about/"


def claims_of(
    text: str, cfg: SiteConfig, reviewed: datetime
) -> tuple[tuple[ParsedClaim, ...], Problems]:
    problems = Problems()
    claims = parse_claims("c.yaml", text, cfg, reviewed, "a", "key", problems)
    return claims, problems


def test_parse_claims_fields_and_lines() -> None:
    text = (
        "- id: one\n  quote: a quote\n  claimant: Epoch AI\n  claimant_type: Organization\n"
        "  verdict: needs-context\n  summary: S.\n  evidence:\n    - title: T\n      url: https://e.org/\n"
        "  figures:\n    - {label: China, value: 78, unit: '%'}\n  topics: [open models]\n"
    )
    cfg = config()
    claims, problems = claims_of(text, cfg, datetime(2025, 7, 29, tzinfo=cfg.tz))
    assert not problems
    (claim,) = claims
    assert claim.line == 1 and claim.claimant.slug == "epoch-ai"
    assert claim.verdict.key == "needs-context" and claim.figures[0].value == 78
    assert claim.reviewed == datetime(2025, 7, 29, tzinfo=cfg.tz)
    assert claim.evidence[0].stance == "context"
    assert claim.url == "articles/a/claims/one/" and claim.fingerprint == "key#one"


def test_parse_claims_reports_every_problem_with_its_line() -> None:
    text = (
        "- id: Bad Id\n  quote: q\n  claimant: c\n  verdict: nope\n  summary: s\n  type: statstic\n"
        "  evidence:\n    - title: t\n      url: ftp://x\n"
    )
    cfg = config()
    _, problems = claims_of(text, cfg, datetime(2025, 1, 1, tzinfo=cfg.tz))
    lines = sorted((p.line, p.message.split(";")[0]) for p in problems.items)
    assert [line for line, _ in lines] == [1, 4, 6, 9]
    assert any("did you mean 'statistic'?" in p.hint for p in problems.items)


def test_int_tag_constant() -> None:
    node = parse_yaml("n: 5\n")
    assert isinstance(node, YMap) and isinstance(node.items["n"], YScalar)
    assert node.items["n"].tag == INT  # type: ignore[union-attr]


def test_yaml_numbers_of_every_spelling() -> None:
    for text, expected in (("010", 8), ("0x1f", 31), ("1:30", 90), ("1_000", 1000)):
        cfg, problems = parse_config("s", SITE + f"per_page: {text}\n")
        assert cfg is not None and cfg.per_page == expected, problems.items
    for text in (".inf", "-.inf", ".nan"):
        _claims, problems = claims_of(
            "- id: a\n  quote: q\n  claimant: c\n  verdict: accurate\n  summary: s\n"
            "  evidence: [{title: t, url: 'https://e.org/'}]\n"
            f"  figures: [{{label: x, value: {text}}}]\n",
            config(),
            datetime(2025, 1, 1, tzinfo=ZoneInfo("UTC")),
        )
        assert [p.message for p in problems.items] == ["'figures.value' must be a finite number"]


def test_names_outside_latin_letters_do_not_share_pages() -> None:
    from aisite.parse import term

    slugs = {term(n).slug for n in ("中国 AI", "日本 AI", "AI", "Ελλάδα 2024", "Κίνα 2024")}
    assert len(slugs) == 5
    assert term("Café Müller").slug == "cafe-muller"


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("quote: We are #1 in the state", "#1 in the state"),
        ("color: #1a7f37", "#1a7f37"),
        ("quote: two\n  lines #3", "#3"),
        ("- x #y", "#y"),
        ("quote: a comment follows   # as written", ""),
        ('quote: "quoted #1"', ""),
        ("quote: 'quoted' #1", ""),
        ("quote: a#b", ""),
    ],
)
def test_yaml_marks_a_value_cut_by_a_comment(text: str, cut: str) -> None:
    node = parse_yaml(text)
    scalar = node.items[0] if isinstance(node, YList) else next(iter(node.items.values()))
    assert isinstance(scalar, YScalar) and scalar.cut == cut


@pytest.mark.parametrize("text", ["plain", 'say "hi"', "it's", "both ' and \"", "back\\slash #1"])
def test_quoted_yaml_reads_back_as_the_text(text: str) -> None:
    assert yaml.safe_load(f"k: {quoted(text)}") == {"k": text}


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("By Jane Doe", ("Jane Doe",)),
        ("By JANE DOE and JOHN ROE, Reuters", ("Jane Doe", "John Roe")),
        ("By Li Wei, Zhang San and Ann Lee | The Daily", ("Li Wei", "Zhang San", "Ann Lee")),
        ("By 2030, China aims to lead.", None),
        ("By the end of the year, rules will change.", None),
    ],
)
def test_bylines_are_told_from_sentences(line: str, names: tuple[str, ...] | None) -> None:
    from aisite.storymeta import byline

    assert byline(line) == names


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("July 28, 2025", ("published", "2025-07-28")),
        ("Published: Mon 28 Jul 2025 10.32 BST", ("published", "2025-07-28")),
        ("Updated 3:45 PM EDT, July 29, 2025", ("updated", "2025-07-29")),
        ("2025-07-28", ("published", "2025-07-28")),
        ("China aims to lead by July 28, 2025 in the race.", None),
        ("Mayday 28, 2025", None),
    ],
)
def test_date_lines_are_told_from_sentences(line: str, found: tuple[str, str] | None) -> None:
    from aisite.storymeta import date_line

    result = date_line(line)
    assert (result and (result[0], result[1].isoformat())) == found


def test_slugs_keep_numbers_whole() -> None:
    assert slugify("$1.6 Million Deal") == "1-6-million-deal"
    assert slugify("3,000 jobs in the U.S.") == "3000-jobs-in-the-us"


@pytest.mark.parametrize(
    ("color", "ratio"), [("#ffffff", 1.0), ("#000", 21.0), ("#767676", 4.54), ("#777", 4.48)]
)
def test_contrast_against_white_follows_wcag(color: str, ratio: float) -> None:
    from aisite.values import contrast, darker

    assert round(contrast(color), 2) == ratio
    assert contrast(darker(color)) >= 4.5
