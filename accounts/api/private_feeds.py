"""The API of a member's private feed address (accounts.private_feeds): GET says whether they
have one (and its prefix, never the address), POST makes or rotates it (the address shown
once), DELETE stops it. Each kind is a subclass naming its model, the URL name of the feed
itself and its serializers; its schema (tags, summaries) is set with extend_schema_view."""

from __future__ import annotations

from typing import ClassVar

from django.urls import reverse
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.private_feeds import (
    PrivateFeed,
    private_feed_issue,
    private_feed_of,
    private_feed_revoke,
)


class PrivateFeedView(APIView):
    permission_classes = [IsAuthenticated]
    feed_model: ClassVar[type[PrivateFeed]]
    feed_url_name: ClassVar[str]  # the feed's own address, with a `token` argument
    summary_serializer: ClassVar[type[serializers.Serializer]]
    created_serializer: ClassVar[type[serializers.Serializer]]

    def get(self, request):
        feed = private_feed_of(self.feed_model, member=request.user)
        body: dict[str, object] = (
            {"exists": False, "prefix": None, "created_at": None}
            if feed is None
            else {"exists": True, "prefix": feed.token_prefix, "created_at": feed.created_at}
        )
        return Response(self.summary_serializer(body).data)

    def post(self, request):
        issued = private_feed_issue(self.feed_model, member=request.user)
        path = reverse(self.feed_url_name, kwargs={"token": issued.token})
        body = {
            "url": request.build_absolute_uri(path),
            "prefix": issued.feed.token_prefix,
            "created_at": issued.feed.created_at,
            "rotated": issued.rotated,
        }
        response = Response(self.created_serializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"  # the address is a secret
        return response

    def delete(self, request):
        private_feed_revoke(self.feed_model, member=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
