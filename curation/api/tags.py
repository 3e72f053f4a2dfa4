"""The tag vocabulary over HTTP: everyone lists it; moderators create, rename, merge and
delete tags (the services check the role and log each change)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.pagination import NumberedPagination
from config.api.schema import READ_ERRORS, WRITE_ERRORS
from curation.api import serializers as s
from curation.models import Tag
from curation.selectors import tag_by_slug, tags_list
from curation.services import tag_create, tag_delete, tag_merge, tag_rename

TAGS = ["tags"]
MSG_TAG_NOT_FOUND = "There is no such tag."


OLD_SLUGS_NOTE = (
    " A tag is also found by a slug it had before a rename, or by that of a tag merged into "
    "it, until another tag takes that slug."
)


def tag_or_404(slug: str) -> Tag:
    tag = tag_by_slug(slug)
    if tag is None:
        raise NotFound(MSG_TAG_NOT_FOUND)
    return tag


class TagListView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The tag vocabulary",
        description="By name, each with its count of published papers. Numbered pages: a "
        "rename changes a tag's place, so a name is not a stable cursor key.",
        parameters=[s.TagListInputSerializer],
        responses={200: s.TagListOutputSerializer, **READ_ERRORS},
    )
    def get(self, request):
        paginator = NumberedPagination()
        # paper_count is a column (selectors.tags_list): a page is COUNT + one query.
        rows = paginator.paginate_queryset(tags_list(), request, view=self)
        return paginator.get_paginated_response(s.TagOutputSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Create a tag",
        description="Moderators. The slug defaults to one made from the name.",
        request=s.TagCreateInputSerializer,
        responses={201: s.TagOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = s.TagCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_create(moderator=request.user, **data.validated_data)
        return Response(s.TagOutputSerializer(tag).data, status=status.HTTP_201_CREATED)


class TagDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Rename a tag",
        description="Moderators. The slug follows the new name unless given; the old "
        "slug keeps leading to the tag." + OLD_SLUGS_NOTE,
        request=s.TagRenameInputSerializer,
        responses={200: s.TagOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, slug: str):
        data = s.TagRenameInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_or_404(slug)
        tag = tag_rename(tag=tag, moderator=request.user, **data.validated_data)
        return Response(s.TagOutputSerializer(tag).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a tag",
        description="Moderators. Takes the tag off every paper. An optional `reason` "
        "(query parameter) goes to the moderation log." + OLD_SLUGS_NOTE,
        request=None,
        parameters=[s.ReasonInputSerializer],
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, slug: str):
        data = s.ReasonInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        tag = tag_or_404(slug)
        tag_delete(tag=tag, moderator=request.user, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagMergeView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Merge a tag into another",
        description="Moderators. Every paper of this tag gets the `into` tag; this tag is "
        "deleted, and its slugs lead to the `into` tag." + OLD_SLUGS_NOTE,
        request=s.TagMergeInputSerializer,
        responses={200: s.TagMergeOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, slug: str):
        data = s.TagMergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        source = tag_or_404(slug)
        target = tag_by_slug(data.validated_data["into"])
        if target is None:
            raise ValidationError({"into": [MSG_TAG_NOT_FOUND]})
        moved = tag_merge(
            source=source,
            target=target,
            moderator=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(s.TagMergeOutputSerializer({"into": target, "papers_moved": moved}).data)
