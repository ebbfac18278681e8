"""Reads `content/site.yaml` into the frozen SiteConfig of the model, reporting every problem."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from aisite.errors import Problems, did_you_mean
from aisite.fields import Fields
from aisite.publishing import embed_hosts, site_menu
from aisite.siteconfig import EvidencePolicy, FeedConfig, PageSizes, Publisher, Rating, SiteConfig
from aisite.slugs import valid_slug
from aisite.values import rating_color
from aisite.yamlnode import YamlError, YMap, parse_yaml

LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


DEFAULT_RATINGS = (
    Rating("accurate", "Accurate", 5, "#1a7f37", "Correct, and nothing significant is missing."),
    Rating("mostly-accurate", "Mostly accurate", 4, "#2d6a4f", "Correct, with minor gaps."),
    Rating("needs-context", "Needs context", 3, "#8a5a00", "Missing context changes its meaning."),
    Rating(
        "misleading", "Misleading", 2, "#b35900", "Contains truth but leaves a false impression."
    ),
    Rating("inaccurate", "Inaccurate", 1, "#b42318", "The evidence contradicts it."),
    Rating("unverifiable", "Unverifiable", None, "#57606a", "Public evidence cannot settle it."),
)


def normalise_base_url(value: str) -> str | None:
    """An absolute http(s) URL ending in '/', or None when the value is not one."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def parse_config(
    path: str, text: str, base_url: str | None = None
) -> tuple[SiteConfig | None, Problems]:
    """Parse site.yaml text; `base_url` overrides the file's value (CLI --base-url)."""
    problems = Problems()
    try:
        node = parse_yaml(text)
    except YamlError as err:
        problems.add(path, err.line, err.message, err.hint)
        return None, problems
    if not isinstance(node, YMap):
        problems.add(path, 1, "site.yaml must be a mapping of settings (title, base_url, ...)")
        return None, problems
    f = Fields(node, path, problems)
    title = f.text("title", required=True)
    raw_base = f.text("base_url", required=True)
    url = normalise_base_url(base_url or raw_base) if (base_url or raw_base) else None
    if base_url and url is None:
        problems.add(
            "--base-url", 0, f"--base-url must be an absolute http(s) URL, not '{base_url}'"
        )
    elif raw_base and url is None:
        f.error("base_url", f"base_url must be an absolute http(s) URL, not '{raw_base}'")
    description = f.text("description")
    language = f.text("language", default="en")
    if not LANG_RE.match(language):
        f.error("language", f"'{language}' is not a BCP 47 language tag", "e.g. 'en' or 'en-GB'")
    timezone = f.text("timezone", default="UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        hint = (
            did_you_mean(timezone, available_timezones()) or "an IANA name such as 'Europe/London'"
        )
        f.error("timezone", f"unknown timezone '{timezone}'", hint)
        timezone = "UTC"
    publisher = _publisher(f, title, url or "")
    per_page = f.integer("per_page", 10)
    feed = _feed(f)
    ratings = _ratings(f)
    evidence = _evidence_policy(f)
    page_size = _page_sizes(f)
    search = f.boolean("search", True)
    menu = site_menu(f)
    embeds = embed_hosts(f)
    extra = f.extra("extra")
    f.done()
    if problems or url is None:
        return None, problems
    return SiteConfig(
        title,
        url,
        description,
        language,
        timezone,
        publisher,
        per_page,
        feed,
        ratings,
        evidence,
        page_size,
        search,
        menu,
        embeds,
        extra,
    ), problems


def _page_sizes(f: Fields) -> PageSizes:
    node = f.mapping("page_size")
    if node is None:
        return PageSizes()
    p = Fields(node, f.path, f.problems, "page_size")
    default = PageSizes()
    result = PageSizes(**{name: p.integer(name, getattr(default, name)) for name in vars(default)})
    p.done()
    return result


def _publisher(f: Fields, title: str, base_url: str) -> Publisher:
    node = f.mapping("publisher")
    if node is None:
        return Publisher(title, base_url, "")
    p = Fields(node, f.path, f.problems, "publisher")
    name = p.text("name", required=True)
    url = p.text("url", default=base_url)
    if url and normalise_base_url(url) is None and not url.startswith(("http://", "https://")):
        p.error("url", f"publisher.url must be an absolute http(s) URL, not '{url}'")
    logo = p.text("logo")
    if logo and ":" in logo.split("/", 1)[0] and not logo.startswith(("http://", "https://")):
        p.error("logo", f"publisher.logo must be a path or an http(s) URL, not '{logo}'")
    p.done()
    return Publisher(name, url, logo)


def _feed(f: Fields) -> FeedConfig:
    node = f.mapping("feed")
    if node is None:
        return FeedConfig(20, True)
    p = Fields(node, f.path, f.problems, "feed")
    result = FeedConfig(p.integer("items", 20), p.boolean("full_content", True))
    p.done()
    return result


def _evidence_policy(f: Fields) -> EvidencePolicy:
    node = f.mapping("evidence")
    if node is None:
        return EvidencePolicy()
    p = Fields(node, f.path, f.problems, "evidence")
    result = EvidencePolicy(
        p.boolean("require_archive", False), p.boolean("require_accessed", False)
    )
    p.done()
    return result


def _ratings(f: Fields) -> tuple[Rating, ...]:
    if "ratings" not in f.node.items:
        f.known.append("ratings")
        return DEFAULT_RATINGS
    items = f.items("ratings", required=True)
    if not items:
        f.error("ratings", "ratings must list at least one level")
    result: list[Rating] = []
    seen: dict[tuple[str, object], int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, YMap):
            f.problems.add(f.path, item.line, "each rating must be a mapping (key, label, ...)")
            continue
        r = Fields(item, f.path, f.problems, f"ratings[{index}]")
        key = r.slug("key", required=True)
        label = r.text("label", required=True)
        value = r.number("value")
        color = rating_color(r)
        description = r.text("description", required=True)
        r.done()
        for field_name, field_value in (("key", key), ("label", label), ("value", value)):
            if field_value is None or field_value == "":
                continue
            first = seen.get((field_name, field_value))
            if first is not None:
                r.error(
                    field_name,
                    f"duplicate rating {field_name} '{field_value}' (also on line {first})",
                )
            else:
                seen[(field_name, field_value)] = r.line(field_name)
        if key and valid_slug(key):
            result.append(Rating(key, label, value, color, description))
    return tuple(result)
