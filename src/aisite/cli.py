"""Command line: build, check, serve, new, import, claims."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aisite import __version__
from aisite.errors import ContentError, Problem, UsageError, count, disk_full
from aisite.interrupt import exit_status, install, interrupted_message
from aisite.preview import port

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
EXIT_PIPE = 128 + signal.SIGPIPE  # 141: the output's reader closed it
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
        type=_duration,
        default=86400.0,
        metavar="AGE",
        help="with --sources: reuse answers younger than this, e.g. 30m, 12h, 7d (default 1d; 0: none)",
    )
    c.add_argument(
        "--timeout",
        type=_seconds,
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


def run() -> int:
    """The `aisite` program: main(), and once it has said how it ended, no signal changes that.

    A Ctrl-C that lands after the last line (while Python shuts down) would otherwise end a
    build that succeeded as killed by SIGINT, with a traceback.
    """
    status = main()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `aisite` command."""
    args = parser().parse_args(argv)
    install()  # SIGTERM and SIGHUP stop aisite as Ctrl-C does
    if args.command is None:
        parser().print_help()
        return EXIT_USAGE
    try:
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, where a reader that went away is answered (not at exit)
        return status
    except UsageError as err:
        print(f"aisite {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        tail = (
            "the output folder was left as it was."
            if args.command == "build"
            else "nothing was changed."
        )
        print(f"aisite: {count(len(err.problems), 'problem')} found; {tail}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt as err:
        print(interrupted_message(args.command), file=sys.stderr)
        return exit_status(err)
    except BrokenPipeError:
        if not _reader_gone():
            return _bug()
        # The reader of our output went away (`aisite build -v | head -3`): not a bug. Quiet
        # from here on, and the status of a program ended by SIGPIPE.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except OSError as err:
        if not disk_full(err):
            return _bug()
        print(
            f"aisite {args.command}: error: cannot write: {err.strerror} "
            "(free some space, then run it again)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except Exception:
        return _bug()


def _bug() -> int:
    """Report the exception being handled as a bug in aisite."""
    traceback.print_exc()
    print(
        "aisite: internal error (a bug in aisite, not in your content); please report it.",
        file=sys.stderr,
    )
    return EXIT_BUG


def _reader_gone() -> bool:
    """True when standard output is a pipe its reader closed (not some other broken pipe)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    return False


def _peak_memory() -> str:
    """Peak resident memory of aisite's process and of the largest child it waited for."""
    import resource

    unit = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // unit
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // unit
    return f"  peak memory: aisite {own} MB, largest child (worker or Pagefind) {children} MB"


def _options(args: argparse.Namespace, base_url: str | None = None):  # type: ignore[no-untyped-def]
    from aisite.options import Options

    return Options(
        Path(args.source), getattr(args, "drafts", False), getattr(args, "future", False), base_url
    )


def _progress(label: str = "writing") -> Callable[[int, int], None] | None:
    """A progress bar on a terminal, shown only once a build takes more than a moment."""
    if not sys.stderr.isatty():
        return None
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        if time.perf_counter() - started < 0.5:
            return
        filled = int(30 * done / total)
        end = "\r\033[K" if done == total else ""
        print(
            f"\r  {label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}{end}",
            end="",
            file=sys.stderr,
            flush=True,
        )

    return show


def cmd_build(args: argparse.Namespace) -> int:
    """aisite build."""
    from aisite.build import build

    if args.base_url is not None:
        from aisite.config import normalise_base_url

        if normalise_base_url(args.base_url) is None:
            raise UsageError(f"--base-url must be an absolute http(s) URL, not '{args.base_url}'")
    if not 0 <= args.jobs <= MAX_JOBS:
        raise UsageError(f"--jobs must be 0 (one per core) to {MAX_JOBS}, not {args.jobs}")
    source = Path(args.source)
    output = Path(args.output) if args.output else source / "site"
    options = replace(
        _options(args, args.base_url), clean=args.clean, jobs=args.jobs, wait=args.wait
    )
    report = build(options, output, None if args.quiet else _progress())
    if args.verbose:
        for name, seconds in report.timings.items():
            print(f"  {name:<22} {seconds * 1000:8.1f} ms")
        print(_peak_memory())
    if not args.quiet:
        for path in report.skipped_drafts:
            print(f"skipped draft: {path} (build with --drafts to include it)")
        for path in report.skipped_future:
            print(f"left out, dated in the future: {path} (build with --future to include it)")
        stats = report.stats
        print(
            f"Built {count(report.articles, 'article')}, {count(stats.pages, 'page')}, "
            f"{count(stats.feeds, 'feed')} ({count(stats.files, 'file')}, "
            f"{stats.files - stats.unchanged} changed) in {report.seconds:.2f} s -> {output}"
        )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """aisite check."""
    from aisite.build import build, build_now, check
    from aisite.links import link_problems
    from aisite.reuse import hints

    # Drafts and future articles are checked as fully as the rest: their quotes are anchored now,
    # not on the day they are published.
    site = check(replace(_options(args), drafts=True, future=True), args.against)
    for path, line, text in hints(site.articles):
        print(f"{path}:{line}: hint: {text}", file=sys.stderr)
    now = build_now()
    drafts = [a.path for a in site.articles if a.draft]
    future = [a.path for a in site.articles if a.date > now and not a.draft]
    for path in drafts:
        print(f"draft: {path} (checked; build leaves it out without --drafts)")
    for path in future:
        print(f"dated in the future: {path} (checked; build leaves it out without --future)")
    links = ""
    if args.links:
        with tempfile.TemporaryDirectory(prefix="aisite-check-") as tmp:
            build(replace(_options(args), use_cache=False), Path(tmp) / "site")
            broken, checked = link_problems(site, Path(args.source), Path(tmp) / "site")
        if broken:
            raise ContentError(broken)
        links = f"; {count(checked, 'internal link')} checked"
    claims = sum(len(a.claims) for a in site.articles)
    kinds = [count(len(drafts), "draft"), f"{len(future)} dated in the future"]
    among = [k for k, n in zip(kinds, (drafts, future), strict=True) if n]
    articles = count(len(site.articles), "article") + (f" ({', '.join(among)})" if among else "")
    pages = count(len(site.pages), "page")
    print(f"No problems: {articles}, {count(claims, 'claim')}, {pages}{links}.")
    if args.sources:
        return _check_sources(args, site)
    return EXIT_OK


def _check_sources(args: argparse.Namespace, site: Any) -> int:
    """aisite check --sources: the network part."""
    from aisite.sourcecheck import run
    from aisite.sources import Settings

    agent = f"aisite/{__version__} (source checker; +{site.config.base_url})"
    settings = Settings(timeout=args.timeout, retries=max(0, args.retries), user_agent=agent)
    return run(site, Path(args.source), settings, args.max_age, _progress("checking"))


def _duration(value: str) -> float:
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


def _seconds(value: str) -> float:
    """A positive number of seconds."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive number of seconds")
    return seconds


def cmd_serve(args: argparse.Namespace) -> int:
    """aisite serve."""
    from aisite.serve import serve

    return serve(
        Path(args.source),
        args.bind,
        args.port,
        args.drafts,
        args.future,
        lambda m: print(m, flush=True),
    )


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
    from aisite.fields import slug_hint, valid_slug
    from aisite.importer import default_slug, parse_story, to_markdown
    from aisite.load import read_config
    from aisite.reader import MAX_FILE_BYTES, Reader
    from aisite.scaffold import claims_template

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


def cmd_claims(args: argparse.Namespace) -> int:
    """aisite claims."""
    from aisite.build import load_only
    from aisite.errors import did_you_mean
    from aisite.listing import as_csv, as_json, as_table, select

    site = load_only(_options(args))
    keys = [r.key for r in site.config.ratings]
    if args.verdict and args.verdict not in keys:
        hint = did_you_mean(args.verdict, keys) or "valid verdicts: " + ", ".join(keys)
        raise UsageError(f"--verdict: unknown verdict '{args.verdict}' ({hint})")
    entries = select(site, args.verdict, args.claimant)
    render = {"table": as_table, "json": as_json, "csv": as_csv}[args.format]
    sys.stdout.write(render(site, entries))
    return EXIT_OK


def cmd_help(args: argparse.Namespace) -> int:
    """aisite help [TOPIC]."""
    from aisite.helpdocs import index, page

    sys.stdout.write(page(args.topic) if args.topic else index())
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": cmd_build,
    "check": cmd_check,
    "serve": cmd_serve,
    "new": cmd_new,
    "import": cmd_import,
    "claims": cmd_claims,
    "help": cmd_help,
}
