"""A member's private calendar feed of the sessions: make (or rotate) its address, revoke it
(the rule of every private feed address: accounts.private_feeds)."""

from __future__ import annotations

from accounts.private_feeds import IssuedFeed, private_feed_issue, private_feed_revoke
from accounts.roles import Viewer
from readinggroup.models import CalendarFeed


def calendar_feed_issue(*, member: Viewer) -> IssuedFeed[CalendarFeed]:
    """Make the member's calendar address, replacing (and so stopping at once) any older one."""
    return private_feed_issue(CalendarFeed, member=member)


def calendar_feed_revoke(*, member: Viewer) -> bool:
    """Stop the member's calendar address; False when they had none."""
    return private_feed_revoke(CalendarFeed, member=member)
