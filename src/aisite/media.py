"""Image outputs: each bundle image in its published sizes, and the share card of every page."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from aisite import urls
from aisite.canvas import font_files
from aisite.cards import ArticleCard, ClaimCard, draw_article, draw_claim
from aisite.images import ImageStore, image_key
from aisite.keys import digest
from aisite.model import Article
from aisite.plan import Output, Planned
from aisite.units import PerArticle, per_article

if TYPE_CHECKING:
    from aisite.render import SitePlan

Card = TypeVar("Card", ArticleCard, ClaimCard)


def _images(plan: SitePlan, article: Article) -> Iterator[Planned]:
    """An article's JPEG, PNG and WebP files: stripped, in each planned width."""
    folder = article.path.rpartition("/")[0]
    for picture in article.pictures:
        for variant in picture.variants:
            yield Output(
                urls.article_file(article.slug, variant.path),
                f"{folder}/{picture.path}",
                render=partial(plan.images.variant, picture, variant.width),
                key=image_key(picture, variant.width),
            )


def _cards(plan: SitePlan, article: Article) -> Iterator[Planned]:
    """The share image of an article and of each of its claims."""
    site = plan.config.title
    fonts = fonts_key()
    cover = article.cover
    card = ArticleCard(article.title, site, cover.source if cover else None)
    key = digest("card", fonts, card.title, card.site, cover.hash if cover else "")
    yield Output(
        urls.share_image(article.url),
        article.path,
        render=partial(_made, plan.images, key, draw_article, card),
        key=key,
    )
    for claim in article.claims:
        rating = claim.verdict
        made = ClaimCard(rating.label, rating.color, claim.text, claim.claimant.name, site)
        key = digest("card", fonts, repr(made))
        yield Output(
            urls.share_image(claim.url),
            f"{article.claims_path}:{claim.line}",
            render=partial(_made, plan.images, key, draw_claim, made),
            key=key,
        )


# Images are keyed by their own hash, which the article's fingerprint covers; cards by the
# site's title (plan.key covers it) and the fonts.
IMAGES = PerArticle("images", _images, lambda plan, article: ())
CARDS = PerArticle("cards", _cards, lambda plan, article: (fonts_key(),))
image_files = per_article(IMAGES)
card_files = per_article(CARDS)


def _made(store: ImageStore, key: str, draw: Callable[[Card], bytes], card: Card) -> bytes:
    cached = store.get(key)
    if cached is not None:
        return cached
    data = draw(card)
    store.put(key, data)
    return data


_fonts: list[str] = []


def fonts_key() -> str:
    """A hash of the card fonts: a new font redraws every card."""
    if not _fonts:
        h = hashlib.sha256()
        for path in font_files():
            h.update(path.read_bytes())
        _fonts.append(h.hexdigest())
    return _fonts[0]
