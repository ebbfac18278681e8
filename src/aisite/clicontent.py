"""The commands that write content for the user: `aisite new` and `aisite import`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aisite.cliargs import EXIT_OK
from aisite.errors import ContentError, Problem, count


def cmd_new(args: argparse.Namespace) -> int:
    """aisite new site|article|page."""
    from aisite.scaffold import new_article, new_page, new_site

    if args.what == "site":
        files = new_site(Path(args.dir))
        print(f"Created a starter site in {args.dir}/ ({len(files)} files). Next:")
        print(f"  cd {args.dir} && aisite serve      # preview at http://127.0.0.1:8000/")
        print("  aisite new article my-first-analysis --title 'My first analysis'")
        return EXIT_OK
    if args.what == "page":
        path = new_page(Path(args.source), args.slug, args.title)
        print(f"Created {path} (linked from the site menu unless site.yaml sets 'menu')")
        return EXIT_OK
    folder = new_article(Path(args.source), args.slug, args.title)
    print(f"Created {folder / 'index.md'} (a draft: remove 'draft: true' to publish)")
    print(f"Created {folder / 'claims.yaml'} (commented template)")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """aisite import."""
    from aisite.errors import Problems
    from aisite.importer import default_slug, parse_story, to_markdown
    from aisite.load import read_config
    from aisite.reader import MAX_FILE_BYTES, Reader
    from aisite.scaffold import claims_template
    from aisite.slugs import slug_hint, valid_slug

    site = Path(args.source)
    config, _ = read_config(Reader(site, Problems()))
    name = "standard input" if args.file == "-" else args.file
    # The same limit as a build's: an imported story the next build refuses helps nobody.
    too_long = Problem(name, 0, f"the story is longer than the {MAX_FILE_BYTES >> 20} MiB limit")
    try:
        if args.file == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(args.file).open("rb") as stream:
                data = stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ContentError([too_long])
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ContentError([Problem(name, 0, f"cannot read the story: {err}")]) from None
    story = parse_story(text)
    if len(to_markdown(story, "").encode()) > MAX_FILE_BYTES:  # escaping made it longer
        raise ContentError([too_long])
    if not story.title or not story.blocks:
        raise ContentError(
            [Problem(name, 1, "no story found: the first line is the title, then paragraphs")]
        )
    slug = args.slug or default_slug(story.title)
    if not valid_slug(slug):
        raise ContentError([Problem(name, 0, f"'{slug}' is not a valid slug", slug_hint(slug))])
    folder = site / "content" / "articles" / slug
    if folder.exists():
        raise ContentError(
            [
                Problem(
                    f"content/articles/{slug}",
                    0,
                    "an article with this slug already exists",
                    "pass --slug",
                )
            ]
        )
    folder.mkdir(parents=True)
    now = datetime.now(ZoneInfo(config.timezone)).replace(microsecond=0)
    (folder / "index.md").write_text(to_markdown(story, now.isoformat()), encoding="utf-8")
    (folder / "claims.yaml").write_text(claims_template(config), encoding="utf-8")
    for what, line in story.kept_out:
        print(f"kept out of the text ({what}): {line}", file=sys.stderr)
    for line in story.dropped:
        print(f"dropped page furniture: {line}", file=sys.stderr)
    headings = sum(1 for kind, _ in story.blocks if kind == "h2")
    paragraphs = len(story.blocks) - headings
    print(
        f"Imported '{story.title}' into {folder / 'index.md'}: {count(paragraphs, 'paragraph')}, "
        f"{count(headings, 'heading')} (a draft: check its date and source)."
    )
    print(f"Created {folder / 'claims.yaml'} (commented template)")
    return EXIT_OK
