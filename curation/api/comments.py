"""Comments over HTTP: edit and delete (their author), flag (members), moderate
(moderators: hide, restore, dismiss flags). Posting and reading are under a paper
(curation.api.papers)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Viewer
from config.api.schema import WRITE_ERRORS
from curation.api import serializers as s
from curation.models import Comment
from curation.selectors import comment_visible
from curation.services import (
    comment_delete,
    comment_edit,
    comment_flag,
    comment_flags_dismiss,
    comment_hide,
    comment_restore,
)

TAGS = ["comments"]
MSG_COMMENT_NOT_FOUND = "There is no such comment."


def comment_visible_or_404(*, pk: int, viewer: Viewer) -> Comment:
    comment = comment_visible(pk=pk, viewer=viewer)
    if comment is None:
        raise NotFound(MSG_COMMENT_NOT_FOUND)
    return comment


def comment_answer(request, comment: Comment, *, status_code: int = status.HTTP_200_OK):
    body = s.CommentOutputSerializer(comment, context=s.output_context(request)).data
    return Response(body, status=status_code)


class CommentDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Edit my comment",
        description="Its author, within 15 minutes of posting it; it then shows as edited.",
        request=s.CommentEditInputSerializer,
        responses={200: s.CommentOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int):
        data = s.CommentEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_visible_or_404(pk=pk, viewer=request.user)
        comment = comment_edit(comment=comment, user=request.user, **data.validated_data)
        return comment_answer(request, comment)

    @extend_schema(
        tags=TAGS,
        summary="Delete my comment",
        description="Its author. The comment stays as a “[deleted]” placeholder so that "
        "replies keep their place; its text is erased. Idempotent.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        comment = comment_visible_or_404(pk=pk, viewer=request.user)
        comment_delete(comment=comment, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentFlagView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Flag a comment for the moderators",
        description="Members, once per comment, not their own, visible comments only.",
        request=s.CommentFlagInputSerializer,
        responses={201: s.CommentFlagOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        data = s.CommentFlagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = comment_visible_or_404(pk=pk, viewer=request.user)
        flag = comment_flag(comment=comment, user=request.user, **data.validated_data)
        return Response(s.CommentFlagOutputSerializer(flag).data, status=status.HTTP_201_CREATED)


class CommentModerateView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Moderate a comment",
        description="Moderators. `hide` (with a reason) shows a placeholder to readers; "
        "`restore` (with a reason) shows it again; both resolve its open flags. "
        "`dismiss_flags` resolves them and leaves the comment as it is. Logged.",
        request=s.CommentModerateInputSerializer,
        responses={200: s.CommentModerateOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        data = s.CommentModerateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        action, reason = data.validated_data["action"], data.validated_data["reason"]
        comment = comment_visible_or_404(pk=pk, viewer=request.user)
        resolved = None
        if action == "hide":
            comment_hide(comment=comment, moderator=request.user, reason=reason)
        elif action == "restore":
            comment_restore(comment=comment, moderator=request.user, reason=reason)
        else:
            resolved = comment_flags_dismiss(comment=comment, moderator=request.user, reason=reason)
        body = {
            "action": action,
            "flags_resolved": resolved,
            "comment": s.CommentOutputSerializer(comment, context=s.output_context(request)).data,
        }
        return Response(body)
