"""A member's private calendar feed of the sessions: make (or rotate) its address, revoke it.

The address carries a random token (256 bits); only its SHA-256 digest is stored, so the
address is shown to its owner once, when it is made. A new one replaces the old at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.roles import Viewer, require_member
from readinggroup.models import CalendarFeed

TOKEN_BYTES = 32
PREFIX_CHARS = 6


def calendar_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCalendarFeed:
    feed: CalendarFeed
    token: str  # shown to the owner once, never stored
    rotated: bool  # True when it replaced an older address


@transaction.atomic
def calendar_feed_issue(*, member: Viewer) -> IssuedCalendarFeed:
    """Make the member's calendar address, replacing (and so stopping at once) any older one."""
    member = require_member(member)
    # The user row is the lock: two requests at once still leave one feed.
    get_user_model().objects.select_for_update().filter(pk=member.pk).first()
    rotated, _ = CalendarFeed.objects.filter(member=member).delete()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(
        member=member, token_digest=calendar_token_digest(token), token_prefix=token[:PREFIX_CHARS]
    )
    return IssuedCalendarFeed(feed=feed, token=token, rotated=rotated > 0)


@transaction.atomic
def calendar_feed_revoke(*, member: Viewer) -> bool:
    """Stop the member's calendar address; False when they had none."""
    member = require_member(member)
    deleted, _ = CalendarFeed.objects.filter(member=member).delete()
    return deleted > 0
