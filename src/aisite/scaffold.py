"""`aisite new site` and `aisite new article`: starting points that build as they are."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aisite.errors import ContentError, Problem, Problems
from aisite.load import read_config
from aisite.reader import Reader
from aisite.siteconfig import SiteConfig
from aisite.slugs import slug_hint, valid_slug
from aisite.urls import RESERVED

STARTER = Path(__file__).parent / "starter"

CLAIMS_TEMPLATE = """\
# Claims reviewed in this article: a YAML list, one item per claim.
# Each quote must be text of the article body (found exactly once; add prefix: or suffix:
# to pick one of several). Remove the leading '# ' of the lines below to start.
# Every field and its default: run `aisite help format`.
#
# - id: short-claim-id                # lower-case letters, digits and hyphens
#   quote: exact words from the article text
#   claimant: Who said it
#   claimant_type: Person              # or Organization
#   type: fact                         # statistic | quote | prediction | comparison | policy | fact | opinion
#   verdict: {verdict}{verdicts}
#   summary: One or two plain sentences saying what we found.
#   analysis: |
#     The full reasoning, in Markdown: what the evidence shows, and what it does not.
#   evidence:
#     - title: Title of the source document
#       url: https://example.org/source
#       publisher: Who published it
#       published: 2025-01-01
#       stance: supports                # supports | contradicts | context
#   topics: [a topic]
#   updates:                           # after publication: what changed, oldest first
#     - date: 2025-01-02
#       previous_verdict: {verdict}     # when the verdict changed: the one readers saw
#       note: What changed and why.
#
# A claim already reviewed in another article: anchor it here and reuse that review.
#
# - id: same-claim-again
#   quote: exact words from this article's text
#   review: other-article-slug/claim-id
"""


def new_site(target: Path) -> list[str]:
    """Copy the starter site into an empty or missing folder; return the files made."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ContentError(
            [Problem(str(target), 0, "folder exists and is not empty; choose a new one")]
        )
    shutil.copytree(
        STARTER, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    (target / "gitignore").rename(target / ".gitignore")
    return sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())


def new_article(site: Path, slug: str, title: str | None, now: datetime | None = None) -> Path:
    """Create content/articles/<slug>/ with front matter and a commented claims.yaml."""
    if not valid_slug(slug):
        raise ContentError(
            [Problem(slug, 0, f"'{slug}' is not a valid article slug", slug_hint(slug))]
        )
    config, _ = read_config(Reader(site, Problems()))
    folder = site / "content" / "articles" / slug
    if folder.exists():
        raise ContentError(
            [Problem(f"content/articles/{slug}", 0, "an article with this slug already exists")]
        )
    when = (now or datetime.now(ZoneInfo(config.timezone))).astimezone(ZoneInfo(config.timezone))
    heading = title or slug.replace("-", " ").capitalize()
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        "---\n"
        f"title: {_yaml_text(heading)}\n"
        f"date: {when.replace(microsecond=0).isoformat()}\n"
        "draft: true\n"
        "summary: \n"
        "tags: []\n"
        "# source:\n#   title: The news item analysed\n#   publisher: Who published it\n"
        "#   url: https://example.org/story\n#   published: 2025-01-01\n"
        "---\n"
        "The text of the article being analysed, in Markdown.\n",
        encoding="utf-8",
    )
    (folder / "claims.yaml").write_text(claims_template(config), encoding="utf-8")
    return folder


def claims_template(config: SiteConfig) -> str:
    """A claims.yaml with nothing in it but a commented example listing the site's verdicts."""
    keys = [r.key for r in config.ratings]
    return CLAIMS_TEMPLATE.format(
        verdict=keys[0] if keys else "accurate", verdicts=f"   # one of: {', '.join(keys)}"
    )


def new_page(site: Path, slug: str, title: str | None) -> Path:
    """Create content/pages/<slug>.md; the default menu links every page."""
    if not valid_slug(slug):
        raise ContentError(
            [Problem(slug, 0, f"'{slug}' is not a valid page slug", slug_hint(slug))]
        )
    read_config(Reader(site, Problems()))
    if slug in RESERVED:
        hint = "reserved names: " + ", ".join(RESERVED)
        message = f"the page name '{slug}' is taken by the generated {slug}/ pages"
        raise ContentError([Problem(slug, 0, message, hint)])
    path = site / "content" / "pages" / f"{slug}.md"
    if path.exists():
        raise ContentError(
            [Problem(f"content/pages/{slug}.md", 0, "a page with this slug already exists")]
        )
    heading = title or slug.replace("-", " ").capitalize()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"---\ntitle: {_yaml_text(heading)}\nsummary: \n---\nThe text of the page, in Markdown.\n",
        encoding="utf-8",
    )
    return path


def _yaml_text(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
