"""Serializers of the reading group's API: plain input serializers that refuse unknown keys,
and read-only output serializers. Lengths and formats are judged by the services, whose
sentences come back in `fields`."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import StrictInputSerializer
from config.api.pagination import PageSizeInputSerializer
from config.cursors import MAX_ID
from readinggroup.models import SessionPaperStatus, SessionStatus
from readinggroup.permissions import can_manage_session
from readinggroup.selectors import WHEN_CHOICES, WHEN_UPCOMING

MSG_NO_OFFSET = (
    "Give the wall-clock time without an offset (2031-04-03T18:00); the zone goes in time_zone."
)
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def username(user: User) -> str | None:
    return user.get_username() if user is not None else None


class LocalDateTimeField(serializers.DateTimeField):
    """A wall-clock date and time, kept naive (not made aware in the server's zone)."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=LOCAL_FORMATS, **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str) and (
            value.endswith(("Z", "z")) or "+" in value or value.count("-") > 2
        ):
            raise serializers.ValidationError(MSG_NO_OFFSET)
        return super().to_internal_value(value)

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        return value

    def to_representation(self, value):
        return value.replace(tzinfo=None).isoformat(timespec="minutes") if value else None


# --- Input ---------------------------------------------------------------------------------


class SessionListInputSerializer(PageSizeInputSerializer):
    when = serializers.ChoiceField(
        choices=list(WHEN_CHOICES),
        required=False,
        default=WHEN_UPCOMING,
        help_text="upcoming: not yet ended, the soonest first (one under way included); "
        "past: ended, the latest first.",
    )
    page = serializers.IntegerField(required=False, min_value=1)


class _SessionFields(StrictInputSerializer):
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    local_start = LocalDateTimeField(
        help_text="The start as a wall-clock time in `time_zone`, without an offset: "
        "2031-04-03T18:00."
    )
    time_zone = serializers.CharField(
        allow_blank=True,
        help_text="An IANA time zone (Europe/Paris). Default at creation: the member's own, "
        "else the site's. Changed alone, the wall-clock start is kept.",
    )
    duration_minutes = serializers.IntegerField(help_text="15 to 480.")
    place = serializers.CharField(allow_blank=True, trim_whitespace=False)
    video_url = serializers.CharField(allow_blank=True, help_text="An http:// or https:// address.")
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)


class SessionCreateInputSerializer(_SessionFields):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("time_zone", "place", "video_url", "description"):
            self.fields[name].required = False


class SessionUpdateInputSerializer(_SessionFields):
    """Any of the fields; those left out keep their value."""

    def __init__(self, *args, **kwargs):
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)


class ProposeInputSerializer(StrictInputSerializer):
    paper = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The paper's id.")
    volunteer = serializers.BooleanField(
        required=False, default=False, help_text="Present it yourself."
    )


class PresenterInputSerializer(StrictInputSerializer):
    presenter = serializers.CharField(
        allow_null=True, max_length=150, help_text="A member's user name; null: no presenter."
    )


# --- Output --------------------------------------------------------------------------------


class PaperBriefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    arxiv_id = serializers.CharField(allow_null=True)
    url = serializers.SerializerMethodField()

    def get_url(self, paper) -> str:
        path = reverse("api-paper-detail", kwargs={"pk": paper.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SessionPaperOutputSerializer(serializers.Serializer):
    paper = PaperBriefOutputSerializer()
    status = serializers.ChoiceField(choices=SessionPaperStatus.choices)
    presenter = serializers.SerializerMethodField()
    proposed_by = serializers.SerializerMethodField()
    proposed_at = serializers.DateTimeField(source="created_at")

    def get_presenter(self, row) -> str | None:
        return username(row.presenter)

    def get_proposed_by(self, row) -> str | None:
        return username(row.proposed_by)


class SessionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField(help_text="The instant it starts.")
    ends_at = serializers.DateTimeField()
    time_zone = serializers.CharField(help_text="The zone its start was given in.")
    local_start = serializers.SerializerMethodField(
        help_text="The start as a wall-clock time in `time_zone`."
    )
    duration_minutes = serializers.IntegerField()
    place = serializers.CharField()
    video_url = serializers.CharField()
    description = serializers.CharField()
    organizer = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=SessionStatus.choices)
    sequence = serializers.IntegerField(help_text="Its count of changes (the calendar's SEQUENCE).")
    updated_at = serializers.DateTimeField()
    papers = SessionPaperOutputSerializer(
        source="programme", many=True, help_text="The papers you may open, as proposed."
    )
    can_manage = serializers.SerializerMethodField(
        help_text="Whether you may edit and cancel it and manage its papers."
    )
    page_url = serializers.SerializerMethodField(help_text="Its web page.")

    @extend_schema_field(OpenApiTypes.STR)
    def get_local_start(self, session) -> str:
        return session.local_starts_at.replace(tzinfo=None).isoformat(timespec="minutes")

    def get_organizer(self, session) -> str | None:
        return username(session.organizer)

    def get_can_manage(self, session) -> bool:
        request = self.context.get("request")
        return can_manage_session(getattr(request, "user", None), session)

    def get_page_url(self, session) -> str:
        path = reverse("session", kwargs={"pk": session.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class SessionListOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SessionOutputSerializer(many=True)


class CalendarFeedSummaryOutputSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    prefix = serializers.CharField(
        allow_null=True, help_text="The first characters of the token, to recognize it."
    )
    created_at = serializers.DateTimeField(allow_null=True)


class CalendarFeedCreatedOutputSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="The feed's private address, to subscribe to. It is never shown again."
    )
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    rotated = serializers.BooleanField(help_text="True when it replaced an older address.")
