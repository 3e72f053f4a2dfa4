"""Template helpers of the web pages."""

import datetime
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils import timezone
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
