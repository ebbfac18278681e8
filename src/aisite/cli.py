"""Command line: `aisite build`, `aisite --version`."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from aisite import __version__
from aisite.build import build
from aisite.errors import ContentError
from aisite.load import Options

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_BUG = 3


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    main = argparse.ArgumentParser(
        prog="aisite",
        description="Static site generator for news analysis with claim-by-claim reviews.",
        epilog="Run 'aisite COMMAND --help' for a command's options. Exit status: 0 ok, "
        "1 content problems, 2 usage error, 3 internal error.",
    )
    main.add_argument("--version", action="version", version=f"aisite {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    b = commands.add_parser("build", help="build the site from content/ into site/")
    b.add_argument(
        "--source", default=".", metavar="DIR", help="site folder holding content/ (default: .)"
    )
    b.add_argument(
        "--output", metavar="DIR", help="output folder (default: site/ in the site folder)"
    )
    b.add_argument("--drafts", action="store_true", help="include articles with draft: true")
    b.add_argument("--future", action="store_true", help="include articles dated in the future")
    b.add_argument(
        "--base-url", metavar="URL", help="override base_url of site.yaml (e.g. for a preview)"
    )
    b.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    b.add_argument("-v", "--verbose", action="store_true", help="print timings per stage")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `aisite` command."""
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return EXIT_USAGE
    try:
        return _build(args)
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(
            f"aisite: {count} problem{'s' if count != 1 else ''} found; the output folder was left as it was.",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("aisite: interrupted; the previous site was left as it was.", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(
            "aisite: internal error (a bug in aisite, not in your content); please report it.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _build(args: argparse.Namespace) -> int:
    source = Path(args.source)
    output = Path(args.output) if args.output else source / "site"
    report = build(Options(source, args.drafts, args.future, args.base_url), output)
    site = report.site
    assert site is not None
    if args.verbose:
        for name, seconds in report.timings.items():
            print(f"  {name:<22} {seconds * 1000:8.1f} ms")
    if not args.quiet:
        for path in site.skipped_drafts:
            print(f"skipped draft: {path} (build with --drafts to include it)")
        for path in site.skipped_future:
            print(f"left out, dated in the future: {path} (build with --future to include it)")
        stats = report.stats
        print(
            f"Built {len(site.articles)} articles, {stats.pages} pages, {stats.feeds} feeds "
            f"({stats.files} files, {stats.files - stats.unchanged} changed) in {report.seconds:.2f} s "
            f"-> {output}"
        )
    return 0
