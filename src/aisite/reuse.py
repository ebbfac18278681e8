"""One review, many articles: `review: <article>/<claim-id>` items, resolved across the site."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from aisite.claimmodel import ParsedClaim, ParsedReuse
from aisite.errors import Problems, did_you_mean
from aisite.fields import Fields
from aisite.keys import digest
from aisite.model import Article, ParsedArticle
from aisite.normalise import normalise

ALLOWED = ("id", "quote", "prefix", "suffix", "review")
# Quotes whose normalised, case-folded texts are at least this similar (difflib ratio) are
# taken for the same claim met again: `aisite check` suggests reusing the earlier review.
SIMILAR = 0.8
COMMON = 500  # a word in more quotes than this does not make two quotes candidates


def parse_reuse(f: Fields, claim_id: str) -> ParsedReuse | None:
    """A claims.yaml item with `review:`: only id, quote, prefix and suffix may go with it."""
    ref = f.text("review", required=True)
    quote = f.text("quote", required=True)
    prefix = f.text("prefix")
    suffix = f.text("suffix")
    extra = [key for key in f.node.items if key not in ALLOWED]
    for key in extra:
        f.error(
            key,
            f"claim '{claim_id}': '{key}' cannot go with 'review:'; the reviewed claim's is used",
            "with review: give only id, quote, prefix and suffix",
        )
    if ref and (ref.count("/") != 1 or not all(ref.split("/"))):
        f.error("review", f"review: '{ref}' is not <article-slug>/<claim-id>")
        return None
    if not (claim_id and quote and ref) or extra:
        return None
    return ParsedReuse(claim_id, f.node.line, quote, prefix, suffix, ref)


@dataclass(frozen=True)
class Reviews:
    """Every claim reviewed in the articles read, by '<article>/<id>'."""

    own: dict[str, tuple[ParsedArticle, ParsedClaim]]
    reused: dict[str, str]  # '<article>/<id>' of a reuse -> the review it points to

    @classmethod
    def of(cls, articles: Iterable[ParsedArticle]) -> Reviews:
        """The index of reviews (and of reuses, to explain a reference to one)."""
        own, reused = {}, {}
        for article in articles:
            for claim in article.claims:
                own[f"{article.slug}/{claim.id}"] = (article, claim)
            for reuse in article.reuses:
                reused[f"{article.slug}/{reuse.id}"] = reuse.ref
        return cls(own, reused)


def resolve(
    articles: list[ParsedArticle], everything: Iterable[ParsedArticle], problems: Problems
) -> list[ParsedArticle]:
    """Point each reuse at its review; a reusing article's fingerprint then covers the review."""
    published = Reviews.of(articles)
    known = Reviews.of(everything)
    result = []
    for article in articles:
        if not article.reuses:
            result.append(article)
            continue
        resolved, keys = [], []
        for reuse in article.reuses:
            target = published.own.get(reuse.ref)
            if target is None:
                _unknown(article, reuse, known, problems)
                continue
            claim = target[1]
            keys.append(claim.fingerprint)
            resolved.append(replace(reuse, verdict=claim.verdict, target_url=claim.url))
        fingerprint = digest(article.fingerprint, *keys)
        result.append(replace(article, reuses=tuple(resolved), fingerprint=fingerprint))
    return result


def _unknown(
    article: ParsedArticle, reuse: ParsedReuse, known: Reviews, problems: Problems
) -> None:
    where = f"claim '{reuse.id}': review: '{reuse.ref}'"
    if reuse.ref in known.reused:
        message = f"{where} is itself a reuse, not a review"
        hint = f"point to the review it reuses: review: {known.reused[reuse.ref]}"
    elif reuse.ref in known.own:
        message = f"{where} is in an article this build leaves out (a draft or dated in the future)"
        hint = "publish that article first, or review the claim here"
    else:
        message = f"{where} names no reviewed claim"
        hint = did_you_mean(reuse.ref, known.own) or "write it as <article-slug>/<claim-id>"
    problems.add(article.claims_path, reuse.line, message, hint)


def hints(articles: Iterable[ParsedArticle | Article]) -> list[tuple[str, int, str]]:
    """(path, line, text) for each claim whose quote closely matches one reviewed earlier elsewhere."""
    reviews = [(a, c, normalise(c.quote).casefold()) for a in articles for c in a.claims]
    # Candidates share words: an index of words keeps this from comparing every pair.
    index: dict[str, list[int]] = defaultdict(list)
    words = [set(re.findall(r"\w+", text)) for _, _, text in reviews]
    for number, found in enumerate(words):
        for word in found:
            index[word].append(number)
    result = []
    for number, (article, claim, text) in enumerate(reviews):
        shared: Counter[int] = Counter()
        for word in words[number]:
            if len(index[word]) <= COMMON:
                shared.update(index[word])
        best: tuple[float, str] | None = None
        for other_number, count in shared.items():
            other, earlier, other_text = reviews[other_number]
            if other.slug == article.slug or count * 2 < len(words[number]):
                continue
            if _when(earlier, other) >= _when(claim, article):
                continue  # only a review made before this one can be reused
            ratio = difflib.SequenceMatcher(None, text, other_text).ratio()
            if ratio >= SIMILAR and (best is None or ratio > best[0]):
                best = (ratio, f"{other.slug}/{earlier.id}")
        if best:
            message = (
                f"claim '{claim.id}': its quote closely matches a claim reviewed in another "
                f"article; if it is the same claim, reuse that review: review: {best[1]}"
            )
            result.append((article.claims_path, claim.line, message))
    return sorted(result)


def _when(claim: ParsedClaim, article: ParsedArticle | Article) -> tuple[float, str, str]:
    return ((claim.reviewed or article.date).timestamp(), article.slug, claim.id)
