"""Digest days over HTTP, newest first, each with its count of papers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import next_link
from config.api.schema import E400, E429
from curation import paging
from curation.api import serializers as s
from curation.selectors import digest_days

TAGS = ["digests"]


class DigestListView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Digest days",
        description="Newest first, with their paper counts and a link to each day's view. "
        "Cursor pagination on the date: follow `next`.",
        parameters=[s.DigestListInputSerializer],
        responses={200: s.DigestListOutputSerializer, 400: E400, 429: E429},
    )
    def get(self, request):
        params = s.DigestListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        context = s.output_context(request)
        page = paging.digests_page(
            digest_days(moderator=context["moderator"]),
            page_size=params.validated_data["page_size"],
            cursor=params.validated_data.get("cursor"),
        )
        return Response(
            {
                "next": next_link(request, page.next_cursor),
                "results": s.DigestOutputSerializer(page.rows, many=True, context=context).data,
            }
        )
