"""Machine-readable files besides feeds: claims.json, robots.txt, sitemap.xml (or its index)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from html import escape as html_escape
from typing import TYPE_CHECKING

from aisite import urls
from aisite.model import Site
from aisite.opendata import claims_json, claims_key, claims_pieces, open_claims
from aisite.plan import Output, Planned

if TYPE_CHECKING:
    from aisite.render import SitePlan

SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (sitemaps.org protocol)


def escape(text: str) -> str:
    """&, < and > escaped for XML text (as xml.sax.saxutils does; that module imports urllib
    and ssl, 6 MB of a build process)."""
    return html_escape(text, quote=False)


def data_files(plan: SitePlan) -> Iterator[Planned]:
    """claims.json (open data), robots.txt and sitemap.xml."""
    site, catalog = plan.site, plan.catalog
    entries = open_claims(catalog)
    make = partial(claims_json, site, catalog, entries)
    # The plan lets the earlier file's keys go: the output holds them until it is made.
    earlier, plan.earlier_claims = plan.earlier_claims, None
    pieces = partial(
        claims_pieces,
        site,
        catalog,
        entries,
        plan.key,
        earlier,
        plan.claims_lengths,
        plan.claims_keys,
    )
    everything = claims_key(plan.key, site, entries)
    yield Output(urls.CLAIMS_JSON, "claims", make, key=everything, stream=pieces)
    yield Output(urls.ROBOTS, "robots", render=partial(robots, site))
    # Planned after every page (registry.OUTPUTS), when every page is in the list.
    pages, base = tuple(plan.sitemap), site.config.base_url
    if len(pages) <= SITEMAP_LIMIT:
        yield _sitemap(urls.SITEMAP, base, pages)
        return
    parts = [pages[i : i + SITEMAP_LIMIT] for i in range(0, len(pages), SITEMAP_LIMIT)]
    names = [urls.sitemap_part(n) for n in range(1, len(parts) + 1)]
    for name, part in zip(names, parts, strict=True):
        yield _sitemap(name, base, part)
    yield Output(urls.SITEMAP, "sitemap", render=partial(sitemap_index, base, tuple(names)))


def _sitemap(path: str, base: str, pages: Sequence[tuple[str, str]]) -> Output:
    """A sitemap file, written as it is made."""
    made = partial(sitemap, base, pages)
    return Output(path, "sitemap", render=made, stream=partial(sitemap_pieces, base, pages))


def sitemap_index(base_url: str, names: Sequence[str]) -> bytes:
    """sitemap.xml as an index of the sitemap files of a site with more URLs than one may hold."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
        *(f"  <sitemap><loc>{escape(base_url + name)}</loc></sitemap>" for name in names),
        "</sitemapindex>",
    ]
    return ("\n".join(lines) + "\n").encode()


def sitemap(base_url: str, pages: Sequence[tuple[str, str]]) -> bytes:
    """sitemap.xml of every HTML page: (path, last modification date or '')."""
    return b"".join(sitemap_pieces(base_url, pages))


def sitemap_pieces(base_url: str, pages: Sequence[tuple[str, str]]) -> Iterator[bytes]:
    """sitemap() a thousand pages at a time (50,000 at once, 6 MB of XML, took 19 MB)."""
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
    yield b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for start in range(0, len(pages), 1000):
        lines = []
        for url, modified in pages[start : start + 1000]:
            lastmod = f"<lastmod>{modified[:10]}</lastmod>" if modified else ""
            lines.append(f"  <url><loc>{escape(base_url + url)}</loc>{lastmod}</url>\n")
        yield "".join(lines).encode()
    yield b"</urlset>\n"


def robots(site: Site) -> bytes:
    """robots.txt pointing at the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {site.config.base_url}{urls.SITEMAP}\n".encode()
