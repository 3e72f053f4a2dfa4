"""The reading group's tables: sessions, the papers read at each, and members' calendar feeds.

Every write goes through readinggroup.services; nothing here has side effects.

A session's start and end are stored in UTC, with the IANA time zone its organizer gave: the
wall-clock time in that zone ("18:00 in Europe/Paris") is what the organizer meant, and what
the calendar feed says (DTSTART;TZID=...), so it stays 18:00 there across a daylight-saving
change; each reader sees the instant in their own zone.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from accounts.models import TIME_ZONE_MAX_LENGTH
from accounts.private_feeds import PrivateFeed
from papers.models import Paper

TITLE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 200
VIDEO_URL_MAX_LENGTH = 500


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"


class SessionPaperStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    PRESENTED = "presented", "Presented"


class ReadingSession(models.Model):
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    starts_at = models.DateTimeField(help_text="UTC.")
    ends_at = models.DateTimeField(help_text="UTC; starts_at plus the duration.")
    time_zone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH, help_text="The IANA zone the start was given in."
    )
    place = models.CharField(max_length=PLACE_MAX_LENGTH, blank=True)
    video_url = models.URLField(max_length=VIDEO_URL_MAX_LENGTH, blank=True)
    description = models.TextField(blank=True)
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="organized_sessions",
        help_text="The member who created it; empty once their account is deleted.",
    )
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    # The calendar feed's SEQUENCE: one more at each change of the session or its papers.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(help_text="The last change; the feed's DTSTAMP.")

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            # Upcoming (ends_at > now, by start) and past (ends_at <= now, latest first).
            models.Index(fields=["ends_at", "starts_at"], name="session_ends_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self) -> datetime.datetime:
        """The start as the organizer gave it: wall-clock time in the session's zone."""
        return self.starts_at.astimezone(self.zone)

    @property
    def duration(self) -> datetime.timedelta:
        return self.ends_at - self.starts_at

    @property
    def duration_minutes(self) -> int:
        return int(self.duration.total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class SessionPaper(models.Model):
    """A paper on a session's programme, with its state and presenter."""

    session = models.ForeignKey(
        ReadingSession, on_delete=models.CASCADE, related_name="session_papers"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="session_papers")
    status = models.CharField(
        max_length=16, choices=SessionPaperStatus.choices, default=SessionPaperStatus.PROPOSED
    )
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions_presenting",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="session_papers_proposed",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "paper"], name="session_paper_unique"),
        ]
        indexes = [
            # "In reading-group sessions" on a paper's page.
            models.Index(fields=["paper", "session"], name="session_paper_by_paper_idx"),
        ]

    def __str__(self) -> str:
        return f"Paper {self.paper_id} in session {self.session_id}"


class CalendarFeed(PrivateFeed):
    """A member's private calendar address, /sessions/calendar/<token>.ics (its token kept as
    a digest, shown to its owner once: accounts.private_feeds)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_calendar"
    )

    def __str__(self) -> str:
        return f"Calendar feed of user {self.member_id}"
