"""Moderation over HTTP: the queue (moderators) and the public log."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import ModeratorsOnly
from config.api.pagination import next_link
from config.api.schema import E400, E401, E403, E429
from curation import paging
from curation.api import serializers as s
from curation.selectors import moderation_log, moderation_queue, queue_papers_details

TAGS = ["moderation"]


class ModerationQueueView(APIView):
    permission_classes = [ModeratorsOnly]

    @extend_schema(
        tags=TAGS,
        summary="What waits for a moderator",
        description="Pending papers (oldest first) and comments with open flags (most "
        "flagged first), the first `page_size` of each with their totals. A moderator acts "
        "on them (which takes them out of the queue) and reads the queue again. `source`, "
        "`dump` and `date` narrow the papers (and their count) to where they came from.",
        parameters=[s.QueueInputSerializer],
        responses={
            200: s.ModerationQueueOutputSerializer,
            400: E400,
            401: E401,
            403: E403,
            429: E429,
        },
    )
    def get(self, request):
        params = s.QueueInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        size = data["page_size"]
        queue = moderation_queue(
            source=data.get("source"), dump_id=data.get("dump"), date=data.get("date")
        )
        # The selector joins submitters, comment authors and papers, and prefetches the open
        # flags with their users; the papers' digest days are one more query: two COUNTs and
        # four queries whatever `page_size`.
        context = s.output_context(request)
        papers = queue_papers_details(list(queue.papers[:size]))
        comments = list(queue.comments[:size])
        return Response(
            {
                "papers": {
                    "count": queue.papers.count(),
                    "results": s.QueuePaperOutputSerializer(
                        papers, many=True, context=context
                    ).data,
                },
                "comments": {
                    "count": queue.comments.count(),
                    "results": s.QueueCommentOutputSerializer(
                        comments, many=True, context=context
                    ).data,
                },
            }
        )


class ModerationLogView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="The public moderation log",
        description="Every moderation action, newest first, with its reason. Cursor "
        "pagination on (time, id): follow `next`.",
        parameters=[s.ModerationLogInputSerializer],
        responses={200: s.ModerationLogOutputSerializer, 400: E400, 429: E429},
    )
    def get(self, request):
        params = s.ModerationLogInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        # moderation_log joins the moderator (select_related): one query per page.
        events = moderation_log(
            viewer=request.user,
            moderator_username=data.get("moderator"),
            action=data.get("action"),
            target_kind=data.get("target_kind"),
        )
        page = paging.log_page(events, page_size=data["page_size"], cursor=data.get("cursor"))
        return Response(
            {
                "next": next_link(request, page.next_cursor),
                "results": s.ModerationEventOutputSerializer(page.rows, many=True).data,
            }
        )
