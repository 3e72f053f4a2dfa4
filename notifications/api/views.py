"""The inbox and follows over HTTP (members; anonymous clients get 401).

A member reads and changes only their own: another member's item or follow is a 404, as if
it did not exist. Views validate input, read through notifications.selectors and call a
service, which checks who may do what itself.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import next_link
from config.api.schema import E400, E401, E404, E429, WRITE_ERRORS
from notifications.api import serializers as s
from notifications.models import Follow, Notification
from notifications.selectors import (
    follow_of,
    follows_of,
    follows_page,
    inbox_items,
    inbox_page,
    inbox_state,
    notification_of,
)
from notifications.services import (
    follow_create,
    follow_delete,
    follow_rename,
    notification_mark_read,
    notifications_mark_all_read,
)
from notifications.services.follows import MSG_NO_SUCH_FOLLOW
from notifications.services.inbox import MSG_NO_SUCH_ITEM

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
