"""What a copied news story says about itself: bylines, dates, photo credits (never its text)."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATES = [
    re.compile(rf"\b{_MONTH} (?P<day>\d{{1,2}}),? (?P<year>\d{{4}})\b"),  # July 28, 2025
    re.compile(rf"\b(?P<day>\d{{1,2}}) {_MONTH},? (?P<year>\d{{4}})\b"),  # 28 July 2025
    re.compile(r"\b(?P<year>\d{4})-(?P<num>\d{2})-(?P<day>\d{2})\b"),  # 2025-07-28
]
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? )?"
_TIME = r"(?:,? (?:at )?\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?(?: [A-Z]{2,5})?,?)?"
_ANY_DATE = r"[A-Za-z]{3,9}\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]{3,9}\.?,? \d{4}|\d{4}-\d{2}-\d{2}"
# A line that is nothing but a date: "July 28, 2025", "Published: Mon 28 Jul 2025 10.32 BST".
_DATE_LINE = re.compile(
    rf"^(?P<label>published|posted|updated|last updated|first published)?:?{_TIME} ?"
    rf"{_WEEKDAY}(?P<date>{_ANY_DATE}){_TIME}(?: \(?[A-Z]{{2,5}}\)?)?\.?$",
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}"
_BYLINE = re.compile(rf"^By ({_NAME}(?:(?:,| and| &) {_NAME})*)(?: ?[,|/–—-] ?(.+))?$")
_ROLES = re.compile(
    r"\b(writer|reporter|correspondent|editor|staff|contributor|bureau|news|press|agency|"
    r"reuters|afp|ap|bloomberg|xinhua|desk)\b",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^(\(?(photo|image|picture|photograph|credit|illustration)s?( by\b|:| credit\b))|"
    r"(getty images|shutterstock|reuters/|afp via|/afp|/ap|ap photo|epa-efe)\)?\.?$",
    re.IGNORECASE,
)


def story_date(text: str) -> date | None:
    """The first date written in `text` (`July 28, 2025`, `28 July 2025`, `2025-07-28`)."""
    for pattern in _DATES:
        found = pattern.search(text)
        if not found:
            continue
        parts = found.groupdict()
        month = int(parts["num"]) if parts.get("num") else MONTHS.get(parts["month"].lower())
        try:
            return date(int(parts["year"]), month or 0, int(parts["day"]))
        except ValueError:
            continue
    return None


def date_line(line: str) -> tuple[str, date] | None:
    """('published' | 'updated', the date) for a line that is only a date, or None."""
    if len(line.split()) > 14:
        return None
    found = _DATE_LINE.match(line.strip())
    when = story_date(found.group("date")) if found else None
    if found is None or when is None:
        return None
    label = (found.group("label") or "published").lower()
    return ("updated" if "updated" in label else "published"), when


def byline(line: str) -> tuple[str, ...] | None:
    """The authors' names of a byline ('By Jane Doe and John Roe, Reuters'), or None."""
    if len(line.split()) > 16:
        return None
    found = _BYLINE.match(line.strip().rstrip("."))
    if not found:
        return None
    names = re.split(r", | and | & ", found.group(1))
    people = [n for n in names if not _ROLES.search(n)]
    return tuple(n.title() if n.isupper() else n for n in people or names)


def photo_credit(line: str) -> bool:
    """True for a photo credit ('Photo: Jane Doe/Reuters', '(Getty Images)')."""
    return len(line.split()) <= 20 and bool(_CREDIT.search(line.strip()))
