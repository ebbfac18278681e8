"""The command line's grammar: commands, their options and help, and the values options take."""

from __future__ import annotations

import argparse
from pathlib import Path

from aisite import __version__

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3  # as the help's epilog says
MAX_JOBS = 256  # each worker is a process with its own copy of the site: more only exhausts memory


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    main = argparse.ArgumentParser(
        prog="aisite",
        description="Static site generator for news analysis with claim-by-claim reviews.",
        epilog="Run 'aisite COMMAND --help' for a command's options. Exit status: 0 ok, "
        "1 problems in the content, 2 usage error, 3 internal error.",
    )
    main.add_argument("--version", action="version", version=f"aisite {__version__}")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")

    def site_options(p: argparse.ArgumentParser, drafts: bool = True) -> None:
        p.add_argument(
            "--source",
            default=".",
            metavar="DIR",
            help="the site folder, holding content/ (default: .)",
        )
        if drafts:
            p.add_argument(
                "--drafts", action="store_true", help="include articles with draft: true"
            )
            p.add_argument(
                "--future", action="store_true", help="include articles dated in the future"
            )

    b = commands.add_parser("build", help="build the site from content/ into site/")
    site_options(b)
    b.add_argument(
        "--output", metavar="DIR", help="output folder (default: site/ in the site folder)"
    )
    b.add_argument("--base-url", metavar="URL", help="use this base URL instead of site.yaml's")
    b.add_argument(
        "--clean",
        action="store_true",
        help="ignore the cache in .aisite-cache/ and rebuild everything",
    )
    b.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=0,
        metavar="N",
        help=f"worker processes, at most {MAX_JOBS} (default: one per core)",
    )
    b.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="fail at once when another build is writing the same output folder (default: wait)",
    )
    b.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    b.add_argument("-v", "--verbose", action="store_true", help="print the time each stage took")

    c = commands.add_parser(
        "check", help="validate everything, drafts and future articles too, without writing"
    )
    site_options(c)  # --drafts/--future: which articles the --links build publishes
    c.add_argument(
        "--links",
        action="store_true",
        help="also build to a temporary folder and check every internal link",
    )
    c.add_argument(
        "--against",
        type=Path,
        metavar="FILE",
        help="the claims.json as published (e.g. downloaded from the live site): a verdict that "
        "changed without an update is an error (default: site/claims.json when there is one)",
    )
    c.add_argument(
        "--sources",
        action="store_true",
        help="also fetch every evidence url and archived_url: dead, moved, passage still there",
    )
    c.add_argument(
        "--max-age",
        type=duration,
        default=86400.0,
        metavar="AGE",
        help="with --sources: reuse answers younger than this, e.g. 30m, 12h, 7d (default 1d; 0: none)",
    )
    c.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="with --sources: time allowed for each step of a request (default 10)",
    )
    c.add_argument(
        "--retries",
        type=int,
        default=2,
        metavar="N",
        help="with --sources: tries after the first for time-outs, 429 and 5xx (default 2)",
    )

    s = commands.add_parser(
        "serve", help="build, serve on this machine, rebuild and reload on changes"
    )
    site_options(s, drafts=False)
    s.add_argument(
        "--drafts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="show articles with draft: true, with a draft banner (default: shown)",
    )
    s.add_argument("--future", action="store_true", help="include articles dated in the future")
    s.add_argument(
        "--port", type=port, default=8000, help="port (default 8000; 0 picks a free one)"
    )
    s.add_argument(
        "--bind",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1)",
    )

    n = commands.add_parser("new", help="create a new site, article or page")
    what = n.add_subparsers(dest="what", metavar="site|article|page", required=True)
    ns = what.add_parser("site", help="create a starter site in a new folder")
    ns.add_argument("dir", metavar="DIR")
    na = what.add_parser("article", help="create an article bundle in content/articles/")
    na.add_argument("slug", metavar="SLUG")
    na.add_argument("--title", metavar="TITLE")
    na.add_argument("--source", default=".", metavar="DIR", help="the site folder (default: .)")
    np = what.add_parser("page", help="create a standalone page in content/pages/")
    np.add_argument("slug", metavar="SLUG")
    np.add_argument("--title", metavar="TITLE")
    np.add_argument("--source", default=".", metavar="DIR", help="the site folder (default: .)")

    i = commands.add_parser("import", help="turn a plain-text news story into an article bundle")
    i.add_argument(
        "file",
        metavar="FILE",
        nargs="?",
        default="-",
        help="the story as text ('-' or nothing: standard input)",
    )
    i.add_argument("--slug", metavar="SLUG", help="the article's slug (default: from the title)")
    i.add_argument("--source", default=".", metavar="DIR", help="the site folder (default: .)")

    k = commands.add_parser(
        "claims", help="list the site's claims: verdict counts, then a row per claim"
    )
    site_options(k)
    k.add_argument("--verdict", metavar="KEY", help="only claims with this verdict key")
    k.add_argument(
        "--claimant",
        metavar="KEY",
        help="only claims by the claimant with this key in claimants.yaml, "
        "or whose claimant name contains KEY",
    )
    k.add_argument("--format", choices=("table", "json", "csv"), default="table")

    from aisite.helpdocs import TOPICS

    h = commands.add_parser("help", help="print a documentation page: " + ", ".join(TOPICS))
    h.add_argument("topic", nargs="?", choices=tuple(TOPICS), metavar="TOPIC")
    return main


def duration(value: str) -> float:
    """'90', '30s', '15m', '12h', '1d', '2w' as seconds."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    number, unit = (value[:-1], value[-1]) if value[-1:] in units else (value, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a duration such as 12h or 1d") from None
    if not seconds >= 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"'{value}' is not a duration such as 12h or 1d")
    return seconds


def seconds(value: str) -> float:
    """A positive number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive number of seconds")
    return seconds


def port(value: str) -> int:
    """A TCP port for --port: 0 (any free one) to 65535."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a port (0 to 65535; 0 picks a free one)"
        )
    return number
