"""No silent verdict change: compare the claims with a claims.json published earlier."""

from __future__ import annotations

import json
from pathlib import Path

from aisite.errors import Problem, UsageError
from aisite.model import Site


def read_published(path: Path, shown: str, *, usage: bool) -> dict[str, str] | Problem:
    """Verdict keys by '<article>/<id>' from a claims.json, or the problem reading it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        verdicts = {
            f"{c['article']}/{c['id']}": str(c["verdict"])
            for c in data["claims"]
            if isinstance(c, dict)
        }
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        message = f"cannot read the published claims in {shown}: {_why(err)}"
        if usage:
            raise UsageError(message) from None
        hint = "it should be the claims.json of an earlier build; delete it to skip this check"
        return Problem(shown, 0, message, hint)
    return verdicts


def _why(err: Exception) -> str:
    if isinstance(err, OSError):
        return err.strerror or str(err)
    if isinstance(err, KeyError | TypeError):
        return "not a claims.json (no claims with article, id and verdict)"
    return str(err).splitlines()[0]


def silent_changes(site: Site, published: dict[str, str]) -> list[Problem]:
    """A problem for each claim whose verdict differs from the published one with no update saying so."""
    problems = []
    for article in site.articles:
        for claim in article.claims:
            before = published.get(f"{article.slug}/{claim.id}")
            if before is None or before == claim.verdict.key:
                continue
            if any(u.previous_verdict and u.previous_verdict.key == before for u in claim.updates):
                continue
            label = site.config.rating(before)
            was = f"'{before}'" + (f" ({label.label})" if label else "")
            problems.append(
                Problem(
                    article.claims_path,
                    claim.line,
                    f"claim '{claim.id}': the verdict changed from {was} as published to "
                    f"'{claim.verdict.key}' without an update saying so",
                    f"add to the claim: updates: [{{date: YYYY-MM-DD, previous_verdict: "
                    f"{before}, note: why the verdict changed}}]",
                )
            )
    return problems


def verdict_changes(site: Site, published: Path, *, usage: bool = False) -> list[Problem]:
    """Claims whose verdict changed silently since the claims.json at `published` (if any)."""
    if not published.is_file() and not usage:
        return []
    found = read_published(published, str(published), usage=usage)
    if isinstance(found, Problem):
        return [found]
    return silent_changes(site, found)
