"""The parts of the search index an edit of articles' bodies alone changes, made again (bodyedit.py's)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from aisite import urls
from aisite.cache import Cache
from aisite.catalog import ClaimEntry
from aisite.model import Article
from aisite.pool import Started, can_fork, fork_call
from aisite.render import SitePlan
from aisite.search import bundle_listed, language_of, part_key
from aisite.searchbundle import Record, make_bundles
from aisite.searchrecords import article_record, claim_record

RECORDS = 10_000  # a part's files' records read, at most


Files = tuple[list[tuple[str, str, str]], list[tuple[str, str]]]


class Reindexing:
    """Parts of the search index being made again, in a forked worker when there is one (Pagefind
    indexes while the edited pages are rendered)."""

    def __init__(
        self, cache: Cache, make: Callable[[], dict[str, Path]], replaced: list[Path]
    ) -> None:
        self.cache = cache
        self.replaced = replaced  # the parts' bundles the last build used: dropped once published
        self.started: Started[dict[str, Path]] | None = None
        self.make: Callable[[], dict[str, Path]] | None = make
        if can_fork():
            with contextlib.suppress(OSError):  # no process to spare: made when asked for
                self.started, self.make = fork_call(make), None

    def files(self) -> Files | None:
        """The files to copy (path, key, file) and the records of the files gone (path, key);
        None when the records of a part's files cannot be read."""
        if self.make is not None:
            made = self.make()
        else:
            assert self.started is not None
            made = self.started.result()
        copies: list[tuple[str, str, str]] = []
        deleted: list[tuple[str, str]] = []
        for name, folder in made.items():
            there = self.cache.recorded_under([urls.search_bundle(name)], RECORDS)
            if there is None:
                return None
            listed = {
                urls.search_bundle(f"{name}/{r}"): (k, f"{folder}/{r}")
                for r, k in bundle_listed(folder)
            }
            copies += [(p, k, f) for p, (k, f) in listed.items() if there.get(p) != k]
            deleted += [(p, k) for p, k in there.items() if p not in listed]
        return copies, deleted

    def cancel(self) -> None:
        """Stop the worker, if its result was never asked for."""
        if self.started is not None:
            self.started.cancel()


def parts_again(
    plan: SitePlan, cache: Cache, parts: dict[str, Any], now: dict[str, Article]
) -> Reindexing | None:
    """Begin making the edited articles' parts of the search index again; None when a part is
    not as the last build left it. `now`: the edited articles by path. Each part's rows are
    given their new fingerprints."""
    if plan.cache_dir is None:
        return None
    makers: dict[str, Callable[[], Record]] = {}
    for article in plan.site.articles:
        makers[f"a{article.fingerprint}"] = partial(article_record, article)
        for claim in article.claims:
            makers[f"c{claim.fingerprint}"] = partial(claim_record, ClaimEntry(claim, article))
    root = plan.cache_dir / "search"
    keys: dict[str, str] = {}
    replaced: list[Path] = []
    for name, rows in parts.items():
        replaced.append(root / part_key(plan, (k for k, _ in rows)))
        if not replaced[-1].is_dir():
            return None  # the last build's bundle of this part is not what these rows make
        for row in rows:  # the edited articles' records, and their claims' (by id)
            if row[1] in now:
                edited = now[row[1]]
                ids = {c.fingerprint.rpartition("#")[2]: c.fingerprint for c in edited.claims}
                fresh = (
                    edited.fingerprint if row[0][0] == "a" else ids.get(row[0].rpartition("#")[2])
                )
                row[0] = f"{row[0][0]}{fresh}"
        if any(k not in makers for k, _ in rows):
            return None
        keys[name] = part_key(plan, (k for k, _ in rows))

    def records(name: str) -> list[Record]:
        return [makers[k]() for k, _ in parts[name]]

    make = partial(make_bundles, root, keys, records, language_of(plan))
    return Reindexing(cache, make, [f for f in replaced if f.name not in keys.values()])
