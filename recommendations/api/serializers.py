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

    def to_representation(self, row):
        paper = row.related
        return {
            "id": paper.pk,
            "url": paper_url(pk=paper.pk, request=self.context.get("request")),
            "title": paper.title,
            "authors": [a for a in paper.authors if isinstance(a, str)],
            "author_count": paper.author_count,
            "arxiv_id": paper.arxiv_id,
            "first_digest_on": (
                paper.first_digest_on.isoformat() if paper.first_digest_on else None
            ),
            "score": round(row.score, 4),
        }


class RelatedPapersOutputSerializer(serializers.Serializer):
    paper = serializers.IntegerField(help_text="The paper they are related to.")
    results = RelatedPaperOutputSerializer(many=True)
