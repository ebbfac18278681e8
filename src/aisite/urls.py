"""The one place that knows where every output lives: URLs relative to the site root, file paths."""

from __future__ import annotations

from collections.abc import Callable

# Feeds and data files at the site root.
FEED_RSS = "feed.xml"
FEED_ATOM = "atom.xml"
FEED_JSON = "feed.json"
CLAIMS_JSON = "claims.json"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
FEEDS = (FEED_RSS, FEED_ATOM, FEED_JSON)
ARTICLES = "articles/"
CLAIMS = "claims/"
TAGS = "tags/"
TOPICS = "topics/"
CLAIMANTS = "claimants/"
VERDICTS = "verdicts/"
ARCHIVE = "archive/"
SEARCH = "search/"
SEARCH_BUNDLE = "pagefind/"  # Pagefind's index and scripts
PAGED = "page/"

# Top-level folders the build generates (or will: archive/ and search/); no page may take one.
_GENERATED = (ARTICLES, CLAIMS, TAGS, TOPICS, CLAIMANTS, VERDICTS, ARCHIVE, SEARCH, SEARCH_BUNDLE)
RESERVED = tuple(sorted(name.rstrip("/") for name in (*_GENERATED, PAGED)))


def home() -> str:
    """The home page."""
    return ""


def article(slug: str) -> str:
    """An article's page."""
    return f"{ARTICLES}{slug}/"


def article_file(slug: str, relative: str) -> str:
    """A file of an article's bundle, published beside its page."""
    return article(slug) + relative


def page(slug: str) -> str:
    """A standalone page from content/pages/."""
    return f"{slug}/"


def claim(article_slug: str, claim_id: str) -> str:
    """A claim's own page, under the article that reviews it."""
    return f"{article(article_slug)}claims/{claim_id}/"


def relative(from_url: str, to_url: str) -> str:
    """A link from one page to another, relative (works under any base path)."""
    return "../" * from_url.count("/") + to_url


def claim_mark_id(claim_id: str) -> str:
    """The id of a claim's highlight in its article's text."""
    return f"claim-{claim_id}"


def review_id(claim_id: str) -> str:
    """The id of a claim's card on its article's page."""
    return f"review-{claim_id}"


def claims() -> str:
    """Every claim, newest first."""
    return CLAIMS


def claims_feed() -> str:
    """RSS of the newest claim reviews."""
    return CLAIMS + FEED_RSS


def tags() -> str:
    """The list of tags."""
    return TAGS


def tag(slug: str) -> str:
    """Articles with one tag."""
    return f"{TAGS}{slug}/"


def tag_feed(slug: str) -> str:
    """RSS of one tag's articles."""
    return tag(slug) + FEED_RSS


def topics() -> str:
    """The list of topics."""
    return TOPICS


def topic(slug: str) -> str:
    """Claims on one topic."""
    return f"{TOPICS}{slug}/"


def claimants() -> str:
    """The list of claimants."""
    return CLAIMANTS


def claimant(slug: str) -> str:
    """Claims by one claimant."""
    return f"{CLAIMANTS}{slug}/"


def claimant_feed(slug: str) -> str:
    """RSS of the newest claims by one claimant."""
    return claimant(slug) + FEED_RSS


def verdicts() -> str:
    """The rating scale."""
    return VERDICTS


def verdict(key: str) -> str:
    """Claims with one verdict."""
    return f"{VERDICTS}{key}/"


def verdict_feed(key: str) -> str:
    """RSS of the newest claims with one verdict."""
    return verdict(key) + FEED_RSS


def archive(year: int | None = None) -> str:
    """The date archive, or one year of it."""
    return ARCHIVE if year is None else f"{ARCHIVE}{year}/"


def search() -> str:
    """The search page."""
    return SEARCH


def search_bundle(name: str = "") -> str:
    """A file of the search index bundle (its folder without a name)."""
    return SEARCH_BUNDLE + name


def share_image(page_url: str) -> str:
    """The share card image of a page."""
    return page_url + "card.png"


def redirect(alias: str) -> str:
    """The redirect page at an article's old path (a folder, or an old '.html' file)."""
    path = alias.strip("/")
    return path if path.endswith(".html") else path + "/"


def image_variant(path: str, width: int) -> str:
    """A resized copy of a bundle image, beside it: 'photos/cover.jpg' -> 'photos/cover-480w.jpg'."""
    stem, _, ext = path.rpartition(".")
    return f"{stem}-{width}w.{ext}"


def paged(listing: str, number: int) -> str:
    """Page `number` of a listing (page 1 is the listing itself)."""
    return listing if number == 1 else f"{listing}{PAGED}{number}/"


def feed(kind: str) -> str:
    """A site-wide feed or data file by kind: rss, atom, json, claims."""
    return {"rss": FEED_RSS, "atom": FEED_ATOM, "json": FEED_JSON, "claims": CLAIMS_JSON}[kind]


def sitemap_part(number: int) -> str:
    """One file of a sitemap split in parts (sitemap.xml is then their index)."""
    return f"sitemap-{number}.xml"


def is_feed(path: str) -> bool:
    """True for the file of a feed (site-wide or per tag)."""
    return path.rpartition("/")[2] in FEEDS


def file_path(url: str) -> str:
    """The file an URL is served from: folders get index.html."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def url_of_file(path: str) -> str:
    """The URL a file is served at (the inverse of file_path)."""
    return (
        path.removesuffix("index.html")
        if path.endswith("/index.html") or path == "index.html"
        else path
    )


# What templates reach through url_for(kind, *args).
KINDS: dict[str, Callable[..., str]] = {
    "home": home,
    "article": article,
    "article_file": article_file,
    "page": page,
    "claim": claim,
    "claims": claims,
    "claims_feed": claims_feed,
    "verdict_feed": verdict_feed,
    "claimant_feed": claimant_feed,
    "search_bundle": search_bundle,
    "tags": tags,
    "tag": tag,
    "tag_feed": tag_feed,
    "topics": topics,
    "topic": topic,
    "claimants": claimants,
    "claimant": claimant,
    "verdicts": verdicts,
    "verdict": verdict,
    "archive": archive,
    "search": search,
    "share_image": share_image,
    "paged": paged,
    "feed": feed,
}


def url_for(kind: str, *args: str | int) -> str:
    """A URL by kind name, as templates ask for it: url_for('tag', slug)."""
    try:
        make = KINDS[kind]
    except KeyError:
        raise ValueError(f"url_for: unknown kind '{kind}'; known: {', '.join(KINDS)}") from None
    return make(*args)
