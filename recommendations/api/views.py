"""A paper's related papers over HTTP, and the papers list with the member's "for you"
feed."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import is_member
from config.api.inputs import validated_query
from config.api.pagination import next_link
from config.api.schema import E400, E403, E404, E429
from curation.api import papers as curation_papers
from curation.api.serializers import output_context
from curation.selectors import attach_tag_briefs
from recommendations.api import serializers as s
from recommendations.selectors import (
    FOR_YOU,
    FOR_YOU_MIN_POSITIVES,
    RELATED_SHOWN,
    for_you_feed_page,
    related_papers_for,
)
from recommendations.services.for_you import FOR_YOU_CANDIDATES, FOR_YOU_WINDOW_DAYS

MSG_PAPER_NOT_FOUND = "There is no such paper."


class RelatedPapersView(APIView):
    @extend_schema(
        tags=["papers"],
        summary="Related papers",
        operation_id="papers_related",
        description=(
            f"The {RELATED_SHOWN} published papers nearest to this one by the cosine "
            "similarity of their words (TF-IDF over title and abstract) and authors, best "
            "first. Computed when papers arrive, so a new paper has its related papers, and "
            "appears among others', within a minute of its ingestion. Only published papers "
            "are listed; a paper you may not open is a 404, as its page is."
        ),
        responses={200: s.RelatedPapersOutputSerializer, 404: E404, 429: E429},
    )
    def get(self, request, pk: int):
        def payload(items) -> dict:
            url_parts = s.paper_url_parts(request)
            return {"paper": pk, "results": [s.related_paper_item(i, url_parts) for i in items]}

        if getattr(request.accepted_renderer, "format", "") != "json":  # the browsable API
            items = related_papers_for(pk=pk, viewer=request.user)
            if items is None:
                raise NotFound(MSG_PAPER_NOT_FOUND)
            return Response(payload(items))

        # The body itself is kept (one per media type and address: its links carry the
        # scheme and host, as a shared list body's do), so a request the cache answers
        # renders nothing.
        def render(items) -> bytes:
            return request.accepted_renderer.render(
                payload(items), request.accepted_media_type, self.get_renderer_context()
            )

        body = related_papers_for(
            pk=pk,
            viewer=request.user,
            shape=render,
            shape_key="|".join(curation_papers.shared_body_parts(request)),
        )
        if body is None:
            raise NotFound(MSG_PAPER_NOT_FOUND)
        return HttpResponse(body, content_type=request.accepted_media_type)


MSG_FOR_YOU_ANONYMOUS = (
    "The for_you order is a member's own feed: sign in, or send your API token, to read it."
)
FEED_ORDER_HEADER = "X-Feed-Order"
FOR_YOU_DESCRIPTION = (
    "\n\n**For you** (`order=for_you`, members; anonymous clients get a 400 naming "
    f"`order`): recent published papers (the last {FOR_YOU_WINDOW_DAYS} digest days, "
    f"{FOR_YOU_CANDIDATES:,} at most) ranked by a "
    "classifier of my own taste, trained on the papers I upvoted and put on lists against "
    "those I marked not interested and a sample of the others; computed in the background "
    "when features are fitted, when new papers are published, hourly, and within a minute "
    "of my votes, lists and marks changing. A paper I mark not interested leaves it at "
    "once. Each item carries `because`: the papers of mine it is closest to. With fewer "
    f"than {FOR_YOU_MIN_POSITIVES} papers of mine to learn from (a cold start) the results "
    "are the hot feed: `for_you.status` is `cold_start`, `for_you.message` says what to do, "
    f"and the `{FEED_ORDER_HEADER}` header (also `for_you.order`) is `hot`. Tag, `match`, "
    "`digest` and `has_code` filters apply; `period` and `status` are ignored; `q` and "
    "`date` give search and the digest day as with any order. Cursor pagination over the "
    "rank: a feed that began as the hot feed goes on as it."
)


class PaperListView(curation_papers.PaperListView):
    """curation.api.papers.PaperListView with the member's "for you" feed
    (recommendations.selectors.for_you_feed_page) as one more order; served at
    /api/papers/ in its place (config/urls.py)."""

    @extend_schema(
        tags=curation_papers.TAGS,
        summary="List papers",
        operation_id="papers_list",
        description=curation_papers.PAPER_LIST_DESCRIPTION + FOR_YOU_DESCRIPTION,
        parameters=[
            s.PaperListForYouInputSerializer,
            OpenApiParameter(
                FEED_ORDER_HEADER,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                enum=[FOR_YOU, "hot"],
                description="order=for_you only: the order the results are in (`hot` for a "
                "cold start).",
            ),
        ],
        responses={
            200: s.PaperListForYouOutputSerializer,
            400: E400,
            403: E403,
            404: E404,  # a search page beyond the last
            429: E429,
        },
    )
    def get(self, request):
        if request.query_params.get("order") != FOR_YOU:
            return super().get(request)
        data = validated_query(s.PaperListForYouInputSerializer, request.query_params)
        if not is_member(request.user):
            raise ValidationError({"order": [MSG_FOR_YOU_ANONYMOUS]})
        context = output_context(request)
        if data.get("date") is not None:
            return self.digest_day(request, data, context)
        if data.get("q"):
            return self.feed_or_search(request, {**data, "order": "hot"}, context)
        # The state (by key), the page, the reasons, the page's tags: four queries.
        feed = for_you_feed_page(
            viewer=request.user,
            page_size=data["page_size"],
            cursor=data.get("cursor"),
            tags=data["tag"],
            match_all_tags=data["match"] == "all",
            digest=data.get("digest"),
            has_code=data.get("has_code", False),
            defer=curation_papers.LIST_UNUSED_FIELDS,
        )
        attach_tag_briefs(feed.page.rows)
        state = feed.state
        body = {
            "next": next_link(request, feed.page.next_cursor),
            "for_you": s.ForYouFeedOutputSerializer(
                {
                    "status": state.status,
                    "order": feed.order,
                    "message": state.message,
                    "positive_count": state.positive_count,
                    "positives_needed": FOR_YOU_MIN_POSITIVES,
                    "computed_at": state.computed_at,
                }
            ).data,
            "results": s.ForYouPaperListItemOutputSerializer(
                feed.page.rows, many=True, context=context
            ).data,
        }
        return Response(body, headers={FEED_ORDER_HEADER: feed.order})
