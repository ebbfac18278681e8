"""Loads a site folder into the parsed model (reading through reader.py); collects every problem."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from aisite import memory
from aisite.bundlefiles import bundle_found, check_names, no_index, placed, stamp, with_pictures
from aisite.cache import Cache
from aisite.claimants import parse_claimants
from aisite.config import parse_config
from aisite.errors import ContentError, Problems
from aisite.keys import digest
from aisite.mdsource import dropped
from aisite.model import ParsedArticle, ParsedPage, ParsedSite, StaticFile
from aisite.options import Options
from aisite.parse import parse_article, parse_page
from aisite.quotecheck import check_quotes, readable_body
from aisite.reader import Reader, Walk, stat_now
from aisite.reuse import resolve
from aisite.siteconfig import SiteConfig
from aisite.slugs import slug_hint, valid_slug
from aisite.urls import RESERVED


def load_site(
    options: Options,
    cache: Cache | None = None,
    walk: Walk | None = None,
    only: Collection[str] | None = None,
) -> tuple[ParsedSite, Problems]:
    """Read and validate everything that parses; a broken site.yaml stops at once. `walk`: the
    input files as this build found them already (reader.input_walk). `only`: the names of
    the article folders to read (bodyedit.py's), else every one."""
    problems = Problems()
    reader = Reader(options.source, problems, walk)
    content = reader.root / "content"
    config, config_text = read_config(reader, options.base_url)
    config, registry_text = read_claimants(reader, config)
    _check_content_root(reader, content)
    # Claims resolve their claimant at parse time: the registry keys every cache like site.yaml.
    fingerprint = digest(config_text or "", config.base_url, registry_text)
    articles = _articles(reader, content / "articles", config, cache, fingerprint, only)
    pages = _pages(reader, content / "pages")
    if (reader.root / "templates").is_dir():
        reader.files(reader.root / "templates")  # an unreadable template is reported here
    static = tuple(
        StaticFile(str(p), reader.rel(p).removeprefix("static/"), reader.rel(p))
        for p in (reader.files(reader.root / "static") if (reader.root / "static").is_dir() else [])
    )
    now = options.now or datetime.now().astimezone()
    drafts = tuple(a.path for a in articles if a.draft and not options.drafts)
    future = tuple(a.path for a in articles if a.date > now and not options.future)
    kept = [a for a in articles if a.path not in drafts and a.path not in future]
    kept = resolve(kept, articles, problems)
    kept.sort(key=lambda a: (a.date, a.slug), reverse=True)
    upcoming = min((a.date for a in articles if a.path in future), default=None)
    site = ParsedSite(
        config=config,
        static=static,
        skipped_drafts=drafts,
        skipped_future=future,
        fingerprint=fingerprint,
        next_future=upcoming,
        articles=tuple(kept),
        pages=pages,
        root=str(reader.root),
    )
    return site, problems


def read_config(reader: Reader, base_url: str | None = None) -> tuple[SiteConfig, str]:
    """content/site.yaml, validated; a missing or broken one stops everything at once."""
    path = reader.root / "content" / "site.yaml"
    if not path.is_file():
        where = reader.root / "content"
        message = f"site.yaml not found in {where}"
        reader.problems.add("content/site.yaml", 0, message, "is --source the site folder?")
        raise ContentError(reader.problems.items)
    text = reader.text(path)
    config, found = parse_config("content/site.yaml", text or "", base_url)
    reader.problems.extend(found.items)
    if config is None:
        raise ContentError(reader.problems.items)
    return config, text or ""


def read_claimants(reader: Reader, config: SiteConfig) -> tuple[SiteConfig, str]:
    """content/claimants.yaml, when there is one, as the config's claimant registry."""
    path = reader.root / "content" / "claimants.yaml"
    if not path.is_file() or not reader.inside(path):
        return config, ""
    text = reader.text(path) or ""
    return replace(config, claimants=parse_claimants(text, reader.problems)), text


def _check_content_root(reader: Reader, content: Path) -> None:
    for entry in reader.entries(content):
        if entry.name in ("site.yaml", "claimants.yaml", "articles", "pages"):
            continue
        hint = (
            "content/ holds site.yaml, claimants.yaml, articles/ and pages/; "
            "static files go in static/ beside it"
        )
        reader.problems.add(reader.rel(entry), 0, f"unexpected '{entry.name}' in content/", hint)


def _articles(
    reader: Reader,
    folder: Path,
    config: SiteConfig,
    cache: Cache | None,
    config_key: str,
    only: Collection[str] | None = None,
) -> list[ParsedArticle]:
    if not folder.is_dir():
        return []
    # Each bundle's folder, files, cache key, and its files' names (the walk's own list when it
    # listed the folder: a server's table of loaded articles holds those, not a Path each).
    bundles: list[tuple[Path, list[Path], str, list[str]]] = []
    stamps: dict[str, str] = {}
    under = reader.rel(folder)
    for entry in reader.entries(folder, only):
        rel = f"{under}/{entry.name}"
        # A folder the walk listed is one, and readable: its files are known, and no file
        # of it needs a look (0.15 s of a rebuild at 5,000 articles went to those looks). An
        # empty one is looked at: a folder that lists but cannot be entered reads as empty.
        listed = reader.known.folders.get(str(entry))
        walked = [Path(path) for path in listed] if listed else None
        if walked is None and entry.is_file():
            hint = f"an article is a folder: move it to articles/{entry.stem}/index.md"
            reader.problems.add(rel, 0, "not an article bundle", hint)
        elif not valid_slug(entry.name):
            hint = slug_hint(entry.name)
            reader.problems.add(rel, 0, f"'{entry.name}' is not a valid article slug", hint)
        else:
            found = bundle_found(reader, entry, rel) if walked is None else walked
            if found is None:
                continue
            if walked is not None and entry / "index.md" not in set(walked):
                no_index(reader, rel)
                continue
            stamped = stamp(reader.stat, entry, found)
            key = digest("parsed", config_key, rel, stamped)
            names = listed if listed else [str(path) for path in found]
            bundles.append((entry, found, key, names))
            stamps[key] = stamped
    known = cache.get_parsed(key for _, _, key, _ in bundles) if cache else {}
    fresh: dict[str, ParsedArticle] = {}
    result = []
    # A server's: each article as loaded last time, reused while its files and parse are.
    loaded, used = memory.table("loaded"), {}
    for entry, found, key, names in bundles:
        article = known.get(key)
        if article is None:
            before = len(reader.problems.items)
            article = parse_bundle(reader, entry, config)
            if article is not None:
                article = with_pictures(reader, article, entry, found)
            # Kept only when the files are still as the walk found them: text read after a
            # later save must not be cached under the stamp of the earlier one.
            same = stamp(stat_now, entry, found) == stamps[key]
            if article is not None and len(reader.problems.items) == before and same:
                fresh[key] = article
        if article is None:
            continue
        check_names(reader, entry, found)
        last = loaded.get(key) if loaded is not None else None
        if last is not None and last[0] is article and last[1] == names:
            done = last[2]
        else:
            done = placed(article, entry, found)
        used[key] = article, names, done
        result.append(done)
    if loaded is not None:
        loaded.clear()
        loaded.update(used)
    if cache:
        cache.put_parsed(fresh)
        if only is None:  # the others' rows are kept for the full build
            cache.prune_parsed(key for _, _, key, _ in bundles)
    return result


def last_loaded() -> dict[str, ParsedArticle]:
    """A server's: each article as the last load placed it, by its index.md's path."""
    loaded = memory.table("loaded") or {}
    return {done.path: done for _, _, done in loaded.values()}


def parse_bundle(reader: Reader, entry: Path, config: SiteConfig) -> ParsedArticle | None:
    """An article bundle's index.md and claims.yaml, parsed and fingerprinted (its Markdown
    text not held: rendering reads it again)."""
    index = entry / "index.md"
    text = reader.text(index)
    if text is None:
        return None
    claims_text: str | None = None
    claims_file = entry / "claims.yaml"
    if claims_file.exists() and reader.inside(claims_file):
        claims_text = reader.text(claims_file)
    article, found = parse_article(
        reader.rel(index), entry.name, text, config, reader.rel(claims_file), claims_text
    )
    reader.problems.extend(found.items)
    body = article.body.held if article else readable_body(text)
    if found and claims_text is not None and body is not None:
        # Quotes the render will not anchor (their claim or article has a mistake): now.
        rendered = (
            {c.id for c in article.claims} | {r.id for r in article.reuses} if article else set()
        )
        paths = (reader.rel(claims_file), reader.rel(index))
        check_quotes(body, claims_text, rendered, paths, reader.problems)
    return dropped(article) if article else None


def _pages(reader: Reader, folder: Path) -> tuple[ParsedPage, ...]:
    if not folder.is_dir():
        return ()
    result = []
    for entry in reader.entries(folder):
        rel = reader.rel(entry)
        if entry.is_dir() or entry.suffix != ".md":
            reader.problems.add(rel, 0, "pages/ holds markdown files only (<slug>.md)")
            continue
        if not valid_slug(entry.stem):
            reader.problems.add(
                rel, 0, f"'{entry.stem}' is not a valid page slug", slug_hint(entry.stem)
            )
            continue
        if entry.stem in RESERVED:
            reader.problems.add(
                rel,
                0,
                f"the page name '{entry.stem}' is taken by the generated {entry.stem}/ pages",
                "rename the file; reserved names: " + ", ".join(RESERVED),
            )
            continue
        text = reader.text(entry)
        if text is None:
            continue
        page, found = parse_page(rel, entry.stem, text)
        reader.problems.extend(found.items)
        if page:
            result.append(page)
    return tuple(result)
