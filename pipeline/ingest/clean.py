"""Find the article body inside a copied web page, and its title, date and outlet.

Nothing is deleted: cleaning returns the regions of the original text to keep, so every offset
computed later still addresses the text exactly as read.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from ..records import Article

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WEEKDAY = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_DATE_LINE = re.compile(
    rf"^(?:{_WEEKDAY},?\s+)?(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    r"(?:\s+(?:at\s+)?(?P<time>\d{1,2}:\d{2}\s*(?:[AaPp][Mm])?))?$"
)
_ISO_DATE_LINE = re.compile(r"^(?P<iso>\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_WEATHER = re.compile(r"^-?\d{1,3}(?:\.\d)?\s*°?\s*[CF]$")
_BYLINE = re.compile(r"^by\s+(?P<outlet>[A-Z][\w .&-]*?)\s*(?:\((?P<section>[^)]*)\))?$")
_FURNITURE = re.compile(
    r"^(?:Read in (?:Korean|Chinese|Japanese|English)|Most Popular(?: Articles)?|Related Articles|"
    r"Share(?: this)?|Advertisement|Subscribe|Click here.*|Print|Email|Comments?)$",
    re.IGNORECASE,
)
# Everything after these lines is a link list or site footer, never article text.
_TAIL_START = re.compile(r"^(?:Most Popular(?: Articles)?|Related Articles)$", re.IGNORECASE)
_OUTLET_NAMES = {"dailynk": "Daily NK", "daily nk": "Daily NK"}


@dataclasses.dataclass
class _Line:
    start: int
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw)
    return out


def _parse_date(m: re.Match) -> str | None:
    if m.groupdict().get("iso"):
        return m.group("iso")
    month = m.group("month")[:3]
    try:
        return datetime.strptime(f"{month} {m.group('day')} {m.group('year')}", "%b %d %Y").date().isoformat()
    except ValueError:
        return None


def _is_short_label(line: _Line) -> bool:
    """A one-to-three word line without sentence punctuation, e.g. a city name in a weather box."""
    return len(line.text.split()) <= 3 and not re.search(r"[.!?:;,\"“”]", line.text) and len(line.text) < 40


def clean_article(article: Article) -> Article:
    """Return a copy of ``article`` with ``body`` regions, and title/date/outlet where found.

    Dropped: weather and city lines, stray date lines, "Read in Korean", the "by Outlet(...)"
    byline, "Most Popular Articles" and everything after it. A date line with a time
    ("April 04, 2025 at 07:00AM") is taken as the publication date in preference to a bare one,
    which on copied pages is usually the aggregator's "today".
    """
    lines = _lines(article.text)
    furniture: set[int] = set()
    dates: list[tuple[bool, str]] = []
    outlet = article.outlet
    for i, ln in enumerate(lines):
        if _TAIL_START.match(ln.text):
            furniture.update(range(i, len(lines)))
            break
        m = _DATE_LINE.match(ln.text) or _ISO_DATE_LINE.match(ln.text)
        if m:
            furniture.add(i)
            parsed = _parse_date(m)
            if parsed:
                dates.append((bool(m.groupdict().get("time")), parsed))
            continue
        b = _BYLINE.match(ln.text)
        if b and len(ln.text) < 80:
            furniture.add(i)
            name = b.group("outlet").strip()
            outlet = outlet or _OUTLET_NAMES.get(name.lower(), name)
            continue
        if _WEATHER.match(ln.text) or _FURNITURE.match(ln.text):
            furniture.add(i)
    # City names sit next to the weather or date lines at the top of the page: drop short label
    # lines only in the header block that precedes the first real paragraph.
    for i, ln in enumerate(lines):
        if i in furniture:
            continue
        if _is_short_label(ln) and ((i - 1) in furniture or (i + 1) in furniture):
            furniture.add(i)
            continue
        break
    kept = [ln for i, ln in enumerate(lines) if i not in furniture]
    title = article.title
    if title is None and len(kept) >= 2:
        first = kept[0]
        if len(first.text) < 250 and not re.search(r"[.!?\"”’]$", first.text):
            title = first.text
    date = article.date
    if date is None and dates:
        timed = [d for has_time, d in dates if has_time]
        date = timed[0] if timed else dates[0][1]
    body = tuple((ln.start, ln.end) for ln in kept)
    return dataclasses.replace(article, body=body, title=title, date=date, outlet=outlet)
