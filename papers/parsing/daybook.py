"""`DayBook`: positions per digest day and duplicate detection, shared by both formats."""

from __future__ import annotations

import datetime

from .normalize import normalize_title


class DayBook:
    """Positions per digest day and duplicate detection within a digest day.

    A day that shows up again later in the file (two copies of one page) continues its
    numbering. Only a hash of each normalized title is kept, so memory grows by a few dozen
    bytes per paper, never by the papers themselves.
    """

    def __init__(self) -> None:
        self._count: dict[datetime.date, int] = {}
        self._seen: dict[datetime.date, set[int]] = {}
        self.total = 0

    def admit(self, day: datetime.date, title: str) -> tuple[int | None, str]:
        """The 1-based position of `title` in `day` (None when the day already lists it), and
        the title's key."""
        key = normalize_title(title)
        seen = self._seen.setdefault(day, set())
        if hash(key) in seen:
            return None, key
        seen.add(hash(key))
        position = self._count.get(day, 0) + 1
        self._count[day] = position
        self.total += 1
        return position, key
