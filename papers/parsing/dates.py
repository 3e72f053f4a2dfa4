"""Dates as written in page copies ("Aug 22", "Jan 23, 2024", "Apr 17 4"); year resolution."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {
    "jan": 1, "january": 1,
    "feb": 2, "february": 2,
    "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "may": 5,
    "jun": 6, "june": 6,
    "jul": 7, "july": 7,
    "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # Feb 29 exists in leap years

# `Mon D[, YYYY][ N]`: the digest day, or a publication date with an optional upvote count.
_DATE_LINE_RE = re.compile(
    r"(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:\s*,\s*(?P<year>\d{4}))?(?:\s+(?P<count>\d{1,9}))?"
)


@dataclass(frozen=True, slots=True)
class DateLine:
    month: int
    day: int
    year: int | None
    count: int | None
    raw: str

    @property
    def bare(self) -> bool:
        """A bare "Mon D": the only form a digest day takes."""
        return self.year is None and self.count is None

    @property
    def valid(self) -> bool:
        if self.day < 1 or self.day > _DAYS_IN_MONTH[self.month - 1]:
            return False
        if self.year is not None:
            try:
                datetime.date(self.year, self.month, self.day)
            except ValueError:
                return False
        return True


def parse_date_line(text: str) -> DateLine | None:
    """Parse a whole line of the form `Mon D[, YYYY][ N]`; None when it is anything else."""
    if len(text) > 40:
        return None
    m = _DATE_LINE_RE.fullmatch(text)
    if m is None:
        return None
    month = MONTHS.get(m["month"].lower())
    if month is None:
        return None
    year = int(m["year"]) if m["year"] else None
    count = int(m["count"]) if m["count"] else None
    return DateLine(month, int(m["day"]), year, count, text)


def resolve_year(month: int, day: int, reference: datetime.date) -> datetime.date | None:
    """The most recent `month`/`day` on or before `reference` (Feb 29 goes back to a leap year).

    None when the month has no such day.
    """
    if day < 1 or day > _DAYS_IN_MONTH[month - 1]:
        return None
    for year in range(reference.year, reference.year - 9, -1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:  # Feb 29 in a common year
            continue
        if candidate <= reference:
            return candidate
    return None  # pragma: no cover - a leap year always occurs within 8 years


def format_day(value: datetime.date) -> str:
    """ "Aug 22": how a digest day is written on the page."""
    return f"{MONTH_ABBR[value.month - 1]} {value.day}"
