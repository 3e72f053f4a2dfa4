"""A member's marks on papers (read, not interested) and the setting that hides marked papers
from the member's listings, over HTTP."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.schema import E400, E401, E403, E415, E429, WRITE_ERRORS
from curation.api import serializers as s
from curation.api.papers import paper_visible_or_404
from curation.services import (
    member_settings_get,
    member_settings_update,
    paper_mark_set,
    paper_mark_unset,
    paper_marks_of,
)

TAGS = ["marks"]


class PaperMarkView(APIView):
    def answer(self, request, paper) -> Response:
        marks = paper_marks_of(user=request.user, paper=paper)
        return Response(s.PaperMarksOutputSerializer({"marks": marks}).data)

    @extend_schema(
        tags=TAGS,
        summary="Mark a paper (read, not interested)",
        description="Members, any paper they may open. My own marks: nobody else sees them. "
        "Idempotent. With the `hide_marked` setting (`/api/me/settings/`), marked papers "
        "are left out of my listings.",
        request=s.PaperMarkInputSerializer,
        responses={200: s.PaperMarksOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        data = s.PaperMarkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        paper_mark_set(user=request.user, paper=paper, kind=data.validated_data["mark"])
        return self.answer(request, paper)

    @extend_schema(
        tags=TAGS,
        summary="Take a mark off a paper",
        description="Idempotent. The kind goes in the body or in the `mark` query parameter.",
        request=s.PaperMarkInputSerializer,
        parameters=[s.PaperMarkQueryInputSerializer],
        responses={200: s.PaperMarksOutputSerializer, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        source = request.data if request.data else request.query_params
        data = s.PaperMarkInputSerializer(data=source)
        data.is_valid(raise_exception=True)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        paper_mark_unset(user=request.user, paper=paper, kind=data.validated_data["mark"])
        return self.answer(request, paper)


class MemberSettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="My reading settings",
        responses={200: s.MemberSettingsOutputSerializer, 401: E401, 429: E429},
    )
    def get(self, request):
        found = member_settings_get(user=request.user)
        return Response(s.MemberSettingsOutputSerializer(found).data)

    @extend_schema(
        tags=TAGS,
        summary="Change my reading settings",
        description="Members. What is left out stays as it was; an unknown field is a 400.",
        request=s.MemberSettingsInputSerializer,
        responses={
            200: s.MemberSettingsOutputSerializer,
            400: E400,
            401: E401,
            403: E403,
            415: E415,
            429: E429,
        },
    )
    def patch(self, request):
        data = s.MemberSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = member_settings_update(user=request.user, **data.validated_data)
        return Response(s.MemberSettingsOutputSerializer(found).data)
