"""The inbox and follows over HTTP (members; anonymous clients get 401).

A member reads and changes only their own: another member's item or follow is a 404, as if
it did not exist. Views validate input, read through notifications.selectors and call a
service, which checks who may do what itself.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.private_feeds import PrivateFeedView
from accounts.time_zones import member_time_zone
from config.api.pagination import next_link
from config.api.schema import E400, E401, E404, E429, WRITE_ERRORS
from notifications.api import serializers as s
from notifications.models import Follow, InboxFeed, Notification, Webhook
from notifications.selectors import (
    follow_of,
    follows_of,
    follows_page,
    inbox_items,
    inbox_page,
    inbox_state,
    notification_of,
    webhook_of,
    webhooks_of,
)
from notifications.services import (
    delivery_settings_get,
    delivery_settings_update,
    follow_create,
    follow_delete,
    follow_rename,
    notification_mark_read,
    notifications_mark_all_read,
    webhook_create,
    webhook_delete,
)
from notifications.services.follows import MSG_NO_SUCH_FOLLOW
from notifications.services.inbox import MSG_NO_SUCH_ITEM
from notifications.services.webhooks import MSG_NO_SUCH_WEBHOOK

INBOX = ["inbox"]
FOLLOWS = ["follows"]
READ_ERRORS = {401: E401, 404: E404, 429: E429}


def item_or_404(request, pk: int) -> Notification:
    item = notification_of(viewer=request.user, pk=pk)
    if item is None:
        raise NotFound(MSG_NO_SUCH_ITEM)
    return item


def follow_or_404(request, pk: int) -> Follow:
    follow = follow_of(viewer=request.user, pk=pk)
    if follow is None:
        raise NotFound(MSG_NO_SUCH_FOLLOW)
    return follow


class InboxView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=INBOX,
        summary="My inbox",
        operation_id="inbox_list",
        description="Members. My items, unread first, then newest: replies to my comments, "
        "mentions of me, comments on papers and lists I follow, new papers with tags I "
        "follow or found by my saved searches, sessions where I was made presenter. Cursor "
        "pagination (`next`).",
        parameters=[s.InboxQueryInputSerializer],
        responses={200: s.InboxPageOutputSerializer, 400: E400, 401: E401, 429: E429},
    )
    def get(self, request):
        params = s.InboxQueryInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = inbox_page(
            inbox_items(viewer=request.user, unread_only=data["unread"]),
            page_size=data["page_size"],
            cursor=data.get("cursor"),
        )
        return Response(
            {
                "next": next_link(request, page.next_cursor),
                "results": s.NotificationOutputSerializer(
                    page.rows, many=True, context={"request": request}
                ).data,
            }
        )


class InboxUnreadCountView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=INBOX,
        summary="How many of my items are unread",
        responses={200: s.UnreadCountOutputSerializer, 401: E401, 429: E429},
    )
    def get(self, request):
        return Response({"unread": inbox_state(viewer=request.user).unread})


class InboxItemReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=INBOX,
        summary="Mark one item read",
        description="Idempotent. Another member's item is a 404.",
        request=None,
        responses={200: s.NotificationOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        item = item_or_404(request, pk)
        notification_mark_read(notification=item, user=request.user)
        body = s.NotificationOutputSerializer(
            item_or_404(request, pk), context={"request": request}
        )
        return Response(body.data)


class InboxReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=INBOX,
        summary="Mark every item read",
        request=None,
        responses={200: s.MarkedOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        return Response({"marked": notifications_mark_all_read(user=request.user)})


class FollowCollectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=FOLLOWS,
        summary="What I follow",
        operation_id="follows_list",
        description="Members. My follows, newest first, narrowed by `kind`; cursor "
        "pagination (`next`).",
        parameters=[s.FollowsQueryInputSerializer],
        responses={200: s.FollowPageOutputSerializer, 400: E400, 401: E401, 429: E429},
    )
    def get(self, request):
        params = s.FollowsQueryInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        page = follows_page(
            follows_of(viewer=request.user, kind=data.get("kind")),
            page_size=data["page_size"],
            cursor=data.get("cursor"),
        )
        return Response(
            {
                "next": next_link(request, page.next_cursor),
                "results": s.FollowOutputSerializer(
                    page.rows, many=True, context={"request": request}
                ).data,
            }
        )

    @extend_schema(
        tags=FOLLOWS,
        summary="Follow a tag, a search, a paper or a list",
        description="Members. A tag (its slug), a paper or a list I may open (their ids), "
        "or a search (its words in the search syntax, and a name). Idempotent: 201 when "
        "I began following it, 200 when I did already (a search is the same whatever the "
        "case and spacing of its words).",
        request=s.FollowCreateInputSerializer,
        responses={201: s.FollowOutputSerializer, 200: s.FollowOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = s.FollowCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        follow, created = follow_create(
            user=request.user,
            kind=fields["kind"],
            tag=fields.get("tag"),
            paper=fields.get("paper"),
            paper_list=fields.get("list"),
            query=fields.get("query"),
            name=fields.get("name"),
        )
        body = s.FollowOutputSerializer(
            follow_or_404(request, follow.pk), context={"request": request}
        )
        answer = Response(
            body.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
        return answer


class FollowDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=FOLLOWS,
        summary="One of my follows",
        responses={200: s.FollowOutputSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        follow = follow_or_404(request, pk)
        return Response(s.FollowOutputSerializer(follow, context={"request": request}).data)

    @extend_schema(
        tags=FOLLOWS,
        summary="Rename a saved search",
        description="Only a saved search has a name (empty: its words).",
        request=s.FollowUpdateInputSerializer,
        responses={200: s.FollowOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int):
        data = s.FollowUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        follow = follow_or_404(request, pk)
        follow_rename(follow=follow, user=request.user, name=data.validated_data["name"])
        follow = follow_or_404(request, pk)
        return Response(s.FollowOutputSerializer(follow, context={"request": request}).data)

    @extend_schema(
        tags=FOLLOWS,
        summary="Stop following",
        description="Nothing more is told of it from now on; the items in the inbox stay.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        follow_delete(follow=follow_or_404(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Delivery settings, the private feed, webhooks ----------------------------------------------

DELIVERY = ["notification settings"]
WEBHOOKS = ["webhooks"]


def settings_body(member: User) -> dict:
    current = delivery_settings_get(member=member)
    return {
        "inbox": True,
        "digest_hour": current.digest_hour,
        "time_zone": member_time_zone(member).key,
        "topics": [vars(t) for t in current.topics],
    }


class DeliverySettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=DELIVERY,
        summary="My delivery settings",
        description="Members. Per topic: an e-mail digest (off, daily, weekly) and whether "
        "its items are in my private Atom feed; the inbox has them all, always.",
        responses={200: s.DeliverySettingsOutputSerializer, 401: E401, 429: E429},
    )
    def get(self, request):
        return Response(s.DeliverySettingsOutputSerializer(settings_body(request.user)).data)

    @extend_schema(
        tags=DELIVERY,
        summary="Change my delivery settings",
        description="Only the topics and fields given change.",
        request=s.DeliverySettingsInputSerializer,
        responses={200: s.DeliverySettingsOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request):
        params = s.DeliverySettingsInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        topics = {row["topic"]: row for row in data.get("topics", [])}
        delivery_settings_update(
            member=request.user, digest_hour=data.get("digest_hour"), topics=topics
        )
        return Response(s.DeliverySettingsOutputSerializer(settings_body(request.user)).data)


@extend_schema_view(
    get=extend_schema(
        tags=DELIVERY,
        summary="My inbox feed",
        description="Whether I have a private Atom feed address, and its prefix; never the "
        "address itself.",
        responses={200: s.InboxFeedSummaryOutputSerializer, 401: E401, 429: E429},
    ),
    post=extend_schema(
        tags=DELIVERY,
        summary="Make or rotate my inbox feed's address",
        description="An Atom feed of my newest items (of the topics I put in it), at a private "
        "address shown once. An older address stops working at once.",
        request=None,
        responses={201: s.InboxFeedCreatedOutputSerializer, **WRITE_ERRORS},
    ),
    delete=extend_schema(
        tags=DELIVERY,
        summary="Stop my inbox feed",
        description="Its address stops working at once. Idempotent.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    ),
)
class InboxFeedView(PrivateFeedView):
    feed_model = InboxFeed
    feed_url_name = "inbox-feed"
    summary_serializer = s.InboxFeedSummaryOutputSerializer
    created_serializer = s.InboxFeedCreatedOutputSerializer


def webhook_or_404(request, pk: int) -> Webhook:
    webhook = webhook_of(viewer=request.user, pk=pk)
    if webhook is None:
        raise NotFound(MSG_NO_SUCH_WEBHOOK)
    return webhook


class WebhookCollectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=WEBHOOKS,
        summary="My webhooks",
        description="Members. The webhooks I made, newest first (at most 100); never their "
        "secrets.",
        responses={200: s.WebhookOutputSerializer(many=True), 401: E401, 429: E429},
    )
    def get(self, request):
        rows = webhooks_of(viewer=request.user)[:100]
        return Response(s.WebhookOutputSerializer(rows, many=True).data)

    @extend_schema(
        tags=WEBHOOKS,
        summary="Add a webhook",
        description="On a tag (`tag`, moderators): each paper published with it; or on a team "
        "list of mine (`list`): each paper put on it and each new comment on its papers. "
        "Slack-compatible JSON (`text`, and the event's fields), POSTed from a task with "
        "retries, signed "
        '`X-Paperboard-Signature: sha256=<HMAC-SHA256 of "<X-Paperboard-Timestamp>.<body>">`. '
        "The secret is shown once.",
        request=s.WebhookCreateInputSerializer,
        responses={201: s.WebhookCreatedOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        params = s.WebhookCreateInputSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        created = webhook_create(
            owner=request.user, url=data["url"], tag=data.get("tag"), paper_list=data.get("list")
        )
        body = s.WebhookCreatedOutputSerializer(created.webhook).data
        body["secret"] = created.secret
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class WebhookDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=WEBHOOKS,
        summary="A webhook of mine",
        responses={200: s.WebhookOutputSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        return Response(s.WebhookOutputSerializer(webhook_or_404(request, pk)).data)

    @extend_schema(
        tags=WEBHOOKS,
        summary="Remove a webhook of mine",
        description="Nothing more is sent to it.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        webhook_delete(webhook=webhook_or_404(request, pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
