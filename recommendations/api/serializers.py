"""Output of the recommendations' API (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from curation.api.serializers import paper_url


class RelatedPaperOutputSerializer(serializers.Serializer):
    """A related paper: what its line on a paper's page shows, and how near it is."""

    id = serializers.IntegerField()
    url = serializers.URLField(help_text="The paper in the API.")
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    author_count = serializers.IntegerField(
        allow_null=True, help_text="Authors in all, when more than listed."
    )
    arxiv_id = serializers.CharField(allow_null=True)
    first_digest_on = serializers.DateField(allow_null=True)
    score = serializers.FloatField(help_text="Cosine similarity of the two papers, 0 to 1.")

    def _url_parts(self) -> tuple[str, str]:
        # reverse() and build_absolute_uri() once per list rather than once per item.
        parts = getattr(self, "_url_parts_cache", None)
        if parts is None:
            marker = 987654321
            url = paper_url(pk=marker, request=self.context.get("request"))
            head, _, tail = url.rpartition(str(marker))
            parts = self._url_parts_cache = (head, tail)
        return parts

    def to_representation(self, item):
        head, tail = self._url_parts()
        return {
            "id": item.id,
            "url": f"{head}{item.id}{tail}",
            "title": item.title,
            "authors": [a for a in item.authors if isinstance(a, str)]
            if isinstance(item.authors, list)
            else [],
            "author_count": item.author_count,
            "arxiv_id": item.arxiv_id,
            "first_digest_on": item.first_digest_on.isoformat() if item.first_digest_on else None,
            "score": round(item.score, 4),
        }


class RelatedPapersOutputSerializer(serializers.Serializer):
    paper = serializers.IntegerField(help_text="The paper they are related to.")
    results = RelatedPaperOutputSerializer(many=True)
