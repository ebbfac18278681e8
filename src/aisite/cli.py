"""Command line: runs a command (build, check, serve, claims, help; new and import: clicontent)."""

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
from pathlib import Path
from typing import Any

from aisite import __version__
from aisite.cliargs import EXIT_BUG, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, MAX_JOBS, parser
from aisite.clicontent import cmd_import, cmd_new
from aisite.errors import ContentError, UsageError, count, disk_full
from aisite.interrupt import check, exit_status, install, interrupted_message, leave, observed

EXIT_PIPE = 128 + signal.SIGPIPE  # 141: the output's reader closed it


def run() -> int:
    """The `aisite` program: main(), and once it has said how it ended, no signal changes that.

    A Ctrl-C that lands after the last line (while Python shuts down) would otherwise end a
    build that succeeded as killed by SIGINT, with a traceback.
    """
    status = main()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    if not observed():
        leave(status)
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
        check()  # a stop whose exception a finaliser dropped: still a stop
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
    """A progress line on a terminal (a bar, or a count while the total is not known), shown
    only once a build takes more than a moment."""
    if not sys.stderr.isatty():
        return None
    started = time.perf_counter()

    def show(done: int, total: int) -> None:
        """`total` 0: not known yet (a site is planned as it is written)."""
        if time.perf_counter() - started < 0.5:
            return
        if total:
            filled = int(30 * done / total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
        else:
            bar = f"{done} file{'' if done == 1 else 's'} so far"
        end = "\r\033[K" if done == total else ""
        print(f"\r  {label} {bar}{end}", end="", file=sys.stderr, flush=True)

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
    progress = None if args.quiet else _progress()
    try:
        report = build(options, output, progress)
    except BaseException:
        if progress is not None:
            print("\r\033[K", end="", file=sys.stderr)  # a progress line may stand there
        raise
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
    from aisite.build import build, build_now
    from aisite.checksite import check
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


def cmd_claims(args: argparse.Namespace) -> int:
    """aisite claims."""
    from aisite.checksite import load_only
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
