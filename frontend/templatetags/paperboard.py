"""Template helpers of the web pages."""

import datetime
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince

register = template.Library()


@register.filter
@lru_cache(maxsize=4096)
def tag_url(slug: str) -> str:
    """The tag page of `slug`. `{% url %}` resolves the pattern on every call (about 0.1 ms);
    a list page shows dozens of tag chips, and a slug's address never changes while the
    process runs."""
    return reverse("tag", kwargs={"slug": slug})


@register.filter
def time_ago(value: datetime.datetime, now: datetime.datetime | None = None) -> str:
    """How long ago `value` was: "3 minutes ago", or "just now" within the first minute
    (where Django's timesince says "0 minutes")."""
    now = now or timezone.now()
    if now - value < datetime.timedelta(minutes=1):
        return "just now"
    return f"{timesince(value, now)} ago"


# --- What the header and a Follow button say of their reader --------------------------------
# Filters rather than template logic, so that a page rendered once for every member
# (frontend.member_pages) has one hole where each reader's own markup goes: an object with
# `holes` (member_pages.InboxHoles) stands for the reader there.


def unread_badge_html(unread: int) -> str:
    """The header's count of unread items, after "Inbox" ("" when none)."""
    if not unread:
        return ""
    return format_html(
        ' <span class="badge" data-unread-count>{}</span><span class="visually-hidden">'
        " unread</span>",
        unread,
    )


def follow_hint_html(follow_id: int | None) -> str:
    """What a Follow button's hint says when the reader follows the page's target."""
    if not follow_id:
        return ""
    return format_html(
        'You follow it: what happens comes to your <a href="{}">inbox</a>.', reverse("inbox")
    )


@register.filter
def unread_badge(inbox) -> str:
    if getattr(inbox, "holes", False):
        return inbox.badge
    return unread_badge_html(getattr(inbox, "unread", 0))


@register.filter
def follow_pressed(inbox) -> str:
    if getattr(inbox, "holes", False):
        return inbox.pressed
    return "true" if getattr(inbox, "follow_id", None) else "false"


@register.filter
def follow_hint(inbox) -> str:
    if getattr(inbox, "holes", False):
        return inbox.hint
    return follow_hint_html(getattr(inbox, "follow_id", None))


def tag_remove_button(slug: str, name: str) -> str:
    """The × after a tag chip of a paper's page, for whom may take the tag off."""
    return format_html(
        ' <button type="button" class="chip-remove" data-remove-tag="{}" '
        'aria-label="Remove tag {}">×</button>',
        slug,
        name,
    )
