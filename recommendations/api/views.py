"""A paper's related papers over HTTP."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.schema import E404, E429
from recommendations.api import serializers as s
from recommendations.selectors import RELATED_SHOWN, related_papers_for

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
        rows = related_papers_for(pk=pk, viewer=request.user)
        if rows is None:
            raise NotFound(MSG_PAPER_NOT_FOUND)
        context = {"request": request}
        return Response(
            {
                "paper": pk,
                "results": s.RelatedPaperOutputSerializer(rows, many=True, context=context).data,
            }
        )
