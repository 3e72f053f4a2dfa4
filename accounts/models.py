"""What a member sets for themselves (Django's User holds identity; this, their preferences).

A member without a row, or with an empty time zone, reads times in the site's TIME_ZONE.
"""

from django.conf import settings
from django.db import models

TIME_ZONE_MAX_LENGTH = 64


class MemberSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="member_settings",
    )
    time_zone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH,
        blank=True,
        help_text="An IANA name (Europe/Paris); empty: the site's time zone.",
    )

    class Meta:
        verbose_name_plural = "member settings"

    def __str__(self) -> str:
        return f"Settings of user {self.user_id}"
