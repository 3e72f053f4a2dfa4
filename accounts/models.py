"""What a member sets for themselves that every app reads (Django's User holds identity).

A member without a row reads times in the site's TIME_ZONE.
"""

from django.conf import settings
from django.db import models

TIME_ZONE_MAX_LENGTH = 64


class MemberTimeZone(models.Model):
    """The zone a member reads times in (accounts.time_zones)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    time_zone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH,
        blank=True,
        help_text="An IANA name (Europe/Paris); empty: the site's time zone.",
    )

    def __str__(self) -> str:
        return f"Time zone of user {self.user_id}"
