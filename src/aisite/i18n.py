"""Words the generator writes itself (titles, feed headings, labels) and dates and numbers, by language."""

from __future__ import annotations

from datetime import datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

# One table per language; English is the fallback for a missing language or key.
# A key ending in "|one" / "|other" is a plural form, chosen by the language's plural rules.
EN: dict[str, str] = {
    "date.pattern": "d MMMM y",  # CLDR pattern; languages without a table get their "long" format
    "home": "Home",
    "title.paged": "{title} – page {number} of {total}",
    "title.404": "Page not found",
    "title.tags": "Tags",
    "title.tag": "Tag: {name}",
    "title.claimants": "Claimants",
    "title.claimant": "Claimant: {name}",
    "title.topics": "Topics",
    "title.topic": "Topic: {name}",
    "title.claims": "All claims",
    "title.verdicts": "Verdicts",
    "title.verdict": "Verdict: {label}",
    "title.claim": "{claimant}: “{quote}” – {verdict}",
    "title.search": "Search",
    "description.search": "Search the analyses and claim reviews of {site}.",
    "title.archive": "Archive",
    "title.archive_year": "Archive: {year}",
    "description.archive": "Every article of {site}, by year.",
    "description.archive_year": "Articles of {site} published in {year}, by month.",
    "crumb.claims": "Claims",
    "crumb.quote": "“{quote}”",
    "description.tags": "Articles of {site} by tag.",
    "description.tag": "Articles tagged {name}.",
    "description.claimants": "Claims reviewed by {site}, by claimant.",
    "description.topics": "Claims reviewed by {site}, by topic.",
    "description.group|one": "{count} claim reviewed: {name}.",
    "description.group|other": "{count} claims reviewed: {name}.",
    "description.claims": "Every claim reviewed by {site}, newest first.",
    "description.verdicts": "The rating scale and the claims under each verdict.",
    "feed.title_rss": "{site} (RSS)",
    "feed.title_atom": "{site} (Atom)",
    "feed.title_json": "{site} (JSON Feed)",
    "feed.tag": "{site} – {name}",
    "feed.claims": "{site} – claim reviews",
    "feed.verdict": "{site} – claims rated {label}",
    "feed.claimant": "{site} – claims by {name}",
    "feed.claim_title": "{verdict}: “{quote}”",
    "feed.claims_reviewed": "Claims reviewed",
    "feed.our_analysis": "Our analysis",
    "feed.the_article": "The article",
    "feed.full_review": "Full review",
    "feed.read_analysis": "Read the analysis",
    "feed.updated": "Updated {date}: {note}",
    "feed.previous_verdict": "(Earlier verdict: {label}.)",
    "flag.label": "Claim reviewed: ",
    "chart.figures": "Figures in the claim: {items}",
    "chart.verdicts": "Claims by verdict: {items}",
    "chart.item": "{label} {value}",
    "chart.separator": "; ",
    "nav.claims": "Claims",
    "nav.verdicts": "Verdicts",
    "nav.tags": "Tags",
    "nav.methodology": "Methodology",
    "nav.corrections": "Corrections",
    "nav.about": "About",
    "card.article_alt": "{title} – {site}",
    "card.claim_alt": "{verdict}: “{quote}” – {claimant}",
}
TABLES: dict[str, dict[str, str]] = {"en": EN}


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language.split("-")[0]) if "-" in language else Locale("en")


class Strings:
    """The generator's words and number and date formats for one site language."""

    def __init__(self, language: str) -> None:
        self.language = language
        try:
            self.locale = _locale(language)
        except (UnknownLocaleError, ValueError):
            self.locale = Locale("en")
        own = TABLES.get(self.locale.language, {})
        self.table = EN | own
        self.date_pattern = own.get("date.pattern", "long")
        self._forms: dict[int, str] = {}  # plural form by count (Babel takes 12 µs to choose)

    def __call__(self, key: str, **args: object) -> str:
        """The text for `key`, with `{name}` fields filled in."""
        return self.table[key].format(**args)

    def plural(self, key: str, count: int, **args: object) -> str:
        """The plural form of `key` for `count` (also passed as {count})."""
        form = self._forms.get(count)
        if form is None:
            form = self._forms[count] = self.locale.plural_form(count)
        text = self.table.get(f"{key}|{form}") or self.table[f"{key}|other"]
        return text.format(count=self.number(count), **args)

    def date(self, value: datetime | None) -> str:
        """A date as readers of the language write it: '28 July 2025' in English."""
        if value is None:
            return ""
        return str(format_date(value.date(), format=self.date_pattern, locale=self.locale))

    def month(self, number: int) -> str:
        """The name of a month (1-12) as it stands alone: 'July'."""
        names = self.locale.months["stand-alone"]["wide"]
        return str(names[number])

    def number(self, value: float, unit: str = "") -> str:
        """12.0 -> '12', 1234.5 -> '1,234.5' (in English), with the unit attached."""
        text = str(format_decimal(value, format="#,##0.##", locale=self.locale))
        if unit == "%":
            return f"{text}%"
        return f"{text} {unit}".strip()
