"""The claimant registry (content/claimants.yaml) and how a claim's `claimant:` finds its entry."""

from __future__ import annotations

import difflib
import re
import unicodedata

from aisite.errors import Problems
from aisite.fields import Fields, choice, is_http_url
from aisite.siteconfig import CLAIMANT_TYPES, Claimant
from aisite.slugs import slugify
from aisite.values import http_url
from aisite.yamlnode import YamlError, YList, YMap, YScalar, parse_yaml

PATH = "content/claimants.yaml"
# A free name this similar to a registered name (difflib ratio of the normalised names) is
# taken for a misspelling of it: "Epoch Al" or "Epoch-AI" for "Epoch AI", not "Jane Smith"
# for "John Smith" (0.8).
NEAR = 0.86


def parse_claimants(text: str, problems: Problems) -> tuple[Claimant, ...]:
    """The registry's entries; every problem is recorded at its line."""
    try:
        node = parse_yaml(text)
    except YamlError as err:
        problems.add(PATH, err.line, err.message, err.hint)
        return ()
    if node is None:
        return ()
    if not isinstance(node, YList):
        problems.add(PATH, 1, "claimants.yaml must be a list of claimants (each starting '- key:')")
        return ()
    result: list[Claimant] = []
    keys: dict[str, int] = {}
    names: dict[str, int] = {}
    for item in node.items:
        if not isinstance(item, YMap):
            problems.add(PATH, item.line, "each claimant must be a mapping starting with 'key:'")
            continue
        f = Fields(item, PATH, problems)
        key = f.slug("key", required=True)
        name = f.text("name", required=True)
        kind = choice(f, "type", CLAIMANT_TYPES, CLAIMANT_TYPES[0])
        description = f.text("description")
        url = http_url(f, "url", "url")
        same_as = _same_as(f)
        f.done()
        if not (key and name):
            continue
        if key in keys:
            f.error("key", f"duplicate claimant key '{key}' (first on line {keys[key]})")
            continue
        if normal(name) in names:
            first = names[normal(name)]
            f.error("name", f"claimant name '{name}' is registered twice (first on line {first})")
            continue
        keys[key] = item.line
        names[normal(name)] = item.line
        result.append(Claimant(key, name, kind, description, url, same_as, item.line))
    return tuple(result)


def _same_as(f: Fields) -> tuple[str, ...]:
    result = []
    for item in f.items("same_as"):
        value = item.text.strip() if isinstance(item, YScalar) else ""
        if not is_http_url(value):
            shown = value or "a list or mapping"
            f.problems.add(
                f.path, item.line, f"same_as entries must be absolute http(s) URLs, not '{shown}'"
            )
            continue
        result.append(value)
    return tuple(result)


def normal(name: str) -> str:
    """A name for comparison: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"[\W_]+", " ", text).strip()


def find(value: str, registry: tuple[Claimant, ...]) -> Claimant | None:
    """The entry a claim's `claimant:` names by key or exact name."""
    for entry in registry:
        if value == entry.key or value == entry.name:
            return entry
    return None


def near_miss(value: str, registry: tuple[Claimant, ...]) -> Claimant | None:
    """The registered claimant a free name most likely misspells, if any."""
    wanted = normal(value)
    best: tuple[float, Claimant] | None = None
    for entry in registry:
        if slugify(value) == entry.key:
            return entry  # it would share the registered claimant's page
        for known in (normal(entry.name), entry.key.replace("-", " ")):
            ratio = difflib.SequenceMatcher(None, wanted, known).ratio()
            if ratio >= NEAR and (best is None or ratio > best[0]):
                best = (ratio, entry)
    return best[1] if best else None
