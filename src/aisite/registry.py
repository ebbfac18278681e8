"""The one list of every kind of output a site has, in planning order: a new output is one entry."""

from __future__ import annotations

from aisite import archive, assets, datafiles, feeds, listings, media, navigation, pages, search
from aisite.plan import Producer
from aisite.units import PerArticle

OUTPUTS: tuple[tuple[str, Producer], ...] = (
    ("assets", assets.asset_files),
    ("home", pages.home_pages),
    ("articles", pages.article_pages),
    ("bundle-files", pages.bundle_files),
    ("pages", pages.standalone_pages),
    ("taxonomies", listings.taxonomy_pages),
    ("claim-listings", listings.claim_listings),
    ("archive", archive.archive_pages),
    ("search", search.search_page),
    ("404", pages.not_found),
    ("images", media.image_files),
    ("cards", media.card_files),
    ("redirects", navigation.redirect_pages),
    ("feeds", feeds.feed_files),
    ("claim-feeds", feeds.claim_feed_files),
    # After every page: its sitemap lists the pages the producers above planned.
    ("data", datafiles.data_files),
    # Last: a worker makes the search index while the outputs above are planned and written.
    ("search-index", search.search_files),
)
# The per-article units among them: an article's own outputs (serve's quick path plans these).
UNITS: tuple[PerArticle, ...] = (pages.ARTICLE, media.IMAGES, media.CARDS)
