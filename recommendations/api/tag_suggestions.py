"""A tag's suggestions over HTTP, for moderators: the list, accept, dismiss (the rules, the
role included, are in recommendations.services.tag_suggestions and the selector)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import ModeratorsOnly
from config.api.schema import E401, E403, E404, E409, E429
from curation.models import Tag
from curation.selectors import tag_by_slug
from recommendations.api import serializers as s
from recommendations.selectors import tag_suggestions_for
from recommendations.services import (
    TAG_SUGGESTIONS_STORED,
    tag_suggestion_accept,
    tag_suggestion_dismiss,
)

TAGS = ["tags"]
MSG_TAG_NOT_FOUND = "There is no such tag."


def _tag(slug: str) -> Tag:
    tag = tag_by_slug(slug)
    if tag is None:
        raise NotFound(MSG_TAG_NOT_FOUND)
    return tag


class TagSuggestionsView(APIView):
    permission_classes = [ModeratorsOnly]

    @extend_schema(
        tags=TAGS,
        summary="Papers that may belong to a tag",
        operation_id="tags_suggestions",
        description=(
            "Moderators. Published papers without the tag that the tag's model (a linear "
            "classifier on the papers' words and authors, trained on the tag's papers against "
            f"others) ranks highest, best first: up to {TAG_SUGGESTIONS_STORED}. A tag with "
            "fewer than 5 published papers has no model (`state` too_few, and `message` says "
            "so). Trained again when the tag's papers change enough, after every fit of the "
            "features, and daily."
        ),
        responses={
            200: s.TagSuggestionsOutputSerializer,
            401: E401,
            403: E403,
            404: E404,
            429: E429,
        },
    )
    def get(self, request, slug: str):
        tag = _tag(slug)
        block = tag_suggestions_for(tag=tag, viewer=request.user, limit=TAG_SUGGESTIONS_STORED)
        items = s.TagSuggestionOutputSerializer(
            block.items, many=True, context={"request": request}
        ).data
        return Response(
            {
                "tag": tag.slug,
                "state": block.state,
                "message": block.message,
                "trained_at": block.trained_at.isoformat() if block.trained_at else None,
                "trained_on": block.positives,
                "feature_version": block.version_id,
                "results": items,
            }
        )


ACTION_RESPONSES = {
    200: s.TagSuggestionActionOutputSerializer,
    401: E401,
    403: E403,
    404: E404,
    409: E409,
    429: E429,
}


class TagSuggestionAcceptView(APIView):
    permission_classes = [ModeratorsOnly]

    @extend_schema(
        tags=TAGS,
        summary="Add a suggested paper to the tag",
        operation_id="tags_suggestions_accept",
        description="Moderators. The tag goes on the paper as a moderator tags one, logged in "
        "the moderation log; the suggestion is taken off. 404 when the paper is not among "
        "the tag's suggestions, 409 when it is no longer published.",
        request=None,
        responses=ACTION_RESPONSES,
    )
    def post(self, request, slug: str, paper_id: int):
        tag = _tag(slug)
        tag_suggestion_accept(tag=tag, paper_id=paper_id, moderator=request.user)
        return Response({"tag": tag.slug, "paper": paper_id, "action": "accepted"})


class TagSuggestionDismissView(APIView):
    permission_classes = [ModeratorsOnly]

    @extend_schema(
        tags=TAGS,
        summary="Dismiss a suggested paper",
        operation_id="tags_suggestions_dismiss",
        description="Moderators. The paper is not suggested for this tag again (and the "
        "tag's model learns from it as a paper outside the tag). 404 when the paper is not "
        "among the tag's suggestions.",
        request=None,
        responses=ACTION_RESPONSES,
    )
    def post(self, request, slug: str, paper_id: int):
        tag = _tag(slug)
        tag_suggestion_dismiss(tag=tag, paper_id=paper_id, moderator=request.user)
        return Response({"tag": tag.slug, "paper": paper_id, "action": "dismissed"})
