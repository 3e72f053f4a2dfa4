"""Serializers of the inbox and follows API: plain input serializers that refuse unknown
fields, read-only output serializers. What an item says (`text`) and where it leads (`url`)
come from notifications.presentation, as the web page's do."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import StrictInputSerializer
from config.api.pagination import CursorInputSerializer, cursor_page_serializer
from notifications.models import DeliveryTopic, DigestCadence, FollowKind, NotificationKind
from notifications.presentation import follow_view, item_view


def absolute(request, path: str | None) -> str | None:
    if path is None:
        return None
    return request.build_absolute_uri(path) if request is not None else path


# --- Input ----------------------------------------------------------------------------------


class InboxQueryInputSerializer(CursorInputSerializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="true: only the unread items."
    )


class FollowsQueryInputSerializer(CursorInputSerializer):
    kind = serializers.ChoiceField(
        choices=FollowKind.choices, required=False, help_text="Only the follows of this kind."
    )


# Lengths and blanks are the services' to judge, with their own sentences; these limits only
# stop megabytes.
class FollowCreateInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        choices=FollowKind.choices,
        help_text="tag (give `tag`), search (`query`, and `name`), paper (`paper`) or list "
        "(`list`).",
    )
    tag = serializers.CharField(max_length=200, required=False, help_text="A tag's slug.")
    paper = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="A paper's id."
    )
    list = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="A list's id."
    )
    query = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        help_text="The search's words, in the syntax of search (at most 200 characters).",
    )
    name = serializers.CharField(
        max_length=10_000,
        required=False,
        allow_blank=True,
        help_text="A saved search's name (at most 100 characters; default: its words).",
    )


class FollowUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(
        max_length=10_000, allow_blank=True, help_text="A saved search's new name."
    )


# --- Output ---------------------------------------------------------------------------------


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class TagRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class ListRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    text = serializers.SerializerMethodField(help_text="What happened, in one sentence.")
    url = serializers.SerializerMethodField(
        help_text="The web page it is about; null once you may no longer open it."
    )
    excerpt = serializers.SerializerMethodField(help_text="A comment's first words.")
    actor = serializers.SerializerMethodField(help_text="Who did it (a user name), if told.")
    paper = serializers.SerializerMethodField()
    comment = serializers.IntegerField(source="comment_id", allow_null=True)
    session = serializers.SerializerMethodField()
    list = serializers.SerializerMethodField()
    tag = serializers.SerializerMethodField()
    follow = serializers.IntegerField(
        source="follow_id", allow_null=True, help_text="The follow that brought it."
    )
    unread = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def _view(self, item):
        cache = self.context.setdefault("views", {})
        if item.pk not in cache:
            cache[item.pk] = item_view(item)
        return cache[item.pk]

    def get_text(self, item) -> str:
        return self._view(item).text

    def get_url(self, item) -> str | None:
        return absolute(self.context.get("request"), self._view(item).url)

    def get_excerpt(self, item) -> str:
        return self._view(item).excerpt

    def get_actor(self, item) -> str | None:
        comment = item.comment
        if item.actor is None or (comment is not None and not self._view(item).excerpt):
            return None
        return item.actor.get_username()

    @staticmethod
    def _paper_openable(item) -> bool:
        return bool(getattr(item, "paper_openable", False)) and item.paper is not None

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_paper(self, item) -> dict | None:
        if not self._paper_openable(item):
            return None
        return RefSerializer({"id": item.paper_id, "title": item.paper.title}).data

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_session(self, item) -> dict | None:
        if item.session is None:
            return None
        return RefSerializer({"id": item.session_id, "title": item.session.title}).data

    @extend_schema_field(ListRefSerializer(allow_null=True))
    def get_list(self, item) -> dict | None:
        if item.paper_list is None:
            return None
        return ListRefSerializer({"id": item.paper_list_id, "name": item.paper_list.name}).data

    @extend_schema_field(TagRefSerializer(allow_null=True))
    def get_tag(self, item) -> dict | None:
        if item.tag is None:
            return None
        return TagRefSerializer({"slug": item.tag.slug, "name": item.tag.name}).data


InboxPageOutputSerializer = cursor_page_serializer(
    "InboxPageOutputSerializer", NotificationOutputSerializer
)


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many items were unread.")


class FollowOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=FollowKind.choices)
    summary = serializers.SerializerMethodField(help_text="What is followed, in words.")
    page = serializers.SerializerMethodField(
        help_text="Its web page; null once you may no longer open it."
    )
    tag = serializers.SerializerMethodField()
    paper = serializers.SerializerMethodField()
    list = serializers.SerializerMethodField()
    query = serializers.CharField(help_text="A saved search's words; empty for other kinds.")
    name = serializers.CharField(help_text="A saved search's name; empty for other kinds.")
    created_at = serializers.DateTimeField()

    def get_summary(self, follow) -> str:
        return follow_view(follow).label

    def get_page(self, follow) -> str | None:
        return absolute(self.context.get("request"), follow_view(follow).url)

    @extend_schema_field(TagRefSerializer(allow_null=True))
    def get_tag(self, follow) -> dict | None:
        if follow.tag is None:
            return None
        return TagRefSerializer({"slug": follow.tag.slug, "name": follow.tag.name}).data

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_paper(self, follow) -> dict | None:
        if follow.paper is None or not getattr(follow, "paper_openable", False):
            return None
        return RefSerializer({"id": follow.paper_id, "title": follow.paper.title}).data

    @extend_schema_field(ListRefSerializer(allow_null=True))
    def get_list(self, follow) -> dict | None:
        if follow.paper_list is None or not getattr(follow, "list_openable", False):
            return None
        return ListRefSerializer({"id": follow.paper_list_id, "name": follow.paper_list.name}).data


FollowPageOutputSerializer = cursor_page_serializer(
    "FollowPageOutputSerializer", FollowOutputSerializer
)


# --- Delivery settings, the private feed, webhooks ----------------------------------------------


class TopicSettingInputSerializer(StrictInputSerializer):
    topic = serializers.ChoiceField(choices=DeliveryTopic.choices)
    email = serializers.ChoiceField(
        choices=DigestCadence.choices, required=False, help_text="off, daily or weekly."
    )
    feed = serializers.BooleanField(required=False, help_text="In my private Atom feed.")


class DeliverySettingsInputSerializer(StrictInputSerializer):
    digest_hour = serializers.IntegerField(
        min_value=0,
        max_value=23,
        required=False,
        help_text="The hour of my digests, in my time zone (daily; weekly on Mondays).",
    )
    topics = TopicSettingInputSerializer(many=True, required=False)


class TopicSettingOutputSerializer(serializers.Serializer):
    topic = serializers.ChoiceField(choices=DeliveryTopic.choices)
    # `label` is a Field attribute of DRF: the topic's words come under their own key.
    label = serializers.CharField()  # type: ignore[assignment]
    email = serializers.ChoiceField(choices=DigestCadence.choices)
    feed = serializers.BooleanField()


class DeliverySettingsOutputSerializer(serializers.Serializer):
    inbox = serializers.BooleanField(help_text="Always true: every item is in the inbox.")
    digest_hour = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="The zone the digest hour is read in.")
    topics = TopicSettingOutputSerializer(many=True)


class InboxFeedSummaryOutputSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    prefix = serializers.CharField(
        allow_null=True, help_text="The first characters of the token, to recognize it."
    )
    created_at = serializers.DateTimeField(allow_null=True)


class InboxFeedCreatedOutputSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="The feed's private address (Atom), to subscribe to. It is never shown again."
    )
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    rotated = serializers.BooleanField(help_text="True when it replaced an older address.")


class WebhookCreateInputSerializer(StrictInputSerializer):
    url = serializers.CharField(max_length=10_000, help_text="An http:// or https:// address.")
    tag = serializers.CharField(
        max_length=200, required=False, help_text="A tag's slug (moderators)."
    )
    list = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="A team list of mine."
    )


class WebhookOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    tag = serializers.SerializerMethodField()
    list = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_tag(self, webhook) -> str | None:
        return webhook.tag.slug if webhook.tag_id else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_list(self, webhook) -> int | None:
        return webhook.paper_list_id


class WebhookCreatedOutputSerializer(WebhookOutputSerializer):
    secret = serializers.CharField(
        help_text="Signs every request (HMAC-SHA256 of `<timestamp>.<body>`, in "
        "X-Paperboard-Signature). Shown once."
    )
