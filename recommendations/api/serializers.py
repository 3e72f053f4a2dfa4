"""Input and output of the recommendations' API (read-only): related papers, and the papers
list with the member's "for you" feed."""

from __future__ import annotations

from rest_framework import serializers

from curation.api.serializers import (
    PaperListInputSerializer,
    PaperListItemOutputSerializer,
    PaperListOutputSerializer,
    paper_url,
    paper_url_parts,
)
from curation.selectors import FEED_ORDERINGS
from recommendations.models import ForYouStatus
from recommendations.selectors import FOR_YOU, FOR_YOU_BECAUSE


# The schema's description of an item; the endpoint writes them with related_paper_item.
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

    def to_representation(self, item):
        return related_paper_item(item, paper_url_parts(self.context.get("request")))


def related_paper_item(item, url_parts: tuple[str, str]) -> dict:
    """A related paper (recommendations.selectors.RelatedItem) as the API writes it: the
    fields of RelatedPaperOutputSerializer, without a serializer's machinery per item (the
    endpoint is among the most asked; see recommendations/api/views.py)."""
    head, tail = url_parts
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


class TagSuggestionOutputSerializer(serializers.Serializer):
    """A paper the tag's model suggests: what its line shows, and the model's margin."""

    id = serializers.IntegerField()
    url = serializers.URLField(help_text="The paper in the API.")
    title = serializers.CharField()
    authors = serializers.ListField(child=serializers.CharField())
    arxiv_id = serializers.CharField(allow_null=True)
    first_digest_on = serializers.DateField(allow_null=True)
    score = serializers.FloatField(
        help_text="The model's margin: higher is nearer the tag (above 0, the model would "
        "put the paper in it)."
    )

    def to_representation(self, item):
        return {
            "id": item.id,
            "url": paper_url(pk=item.id, request=self.context.get("request")),
            "title": item.title,
            "authors": [a for a in item.authors if isinstance(a, str)]
            if isinstance(item.authors, list)
            else [],
            "arxiv_id": item.arxiv_id,
            "first_digest_on": item.first_digest_on.isoformat() if item.first_digest_on else None,
            "score": round(item.score, 4),
        }


class TagSuggestionsOutputSerializer(serializers.Serializer):
    tag = serializers.CharField(help_text="The tag's slug.")
    state = serializers.ChoiceField(
        choices=["ready", "too_few", "not_trained"],
        help_text="ready: trained (results may be empty); too_few: the tag has too few "
        "papers for a model; not_trained: not trained yet.",
    )
    message = serializers.CharField(help_text="Why there is nothing to show, when there is not.")
    trained_at = serializers.DateTimeField(allow_null=True)
    trained_on = serializers.IntegerField(help_text="The tag's papers the model learned from.")
    feature_version = serializers.IntegerField(allow_null=True)
    results = TagSuggestionOutputSerializer(many=True)


class TagSuggestionActionOutputSerializer(serializers.Serializer):
    tag = serializers.CharField()
    paper = serializers.IntegerField()
    action = serializers.CharField(help_text='What was done: "accepted" or "dismissed".')


# --- The papers list with the member's "for you" feed ------------------------------------------


class PaperListForYouInputSerializer(PaperListInputSerializer):
    order = serializers.ChoiceField(
        choices=[*FEED_ORDERINGS, FOR_YOU],
        required=False,
        default="hot",
        help_text="Feed order: hot, new, top, or for_you (members: recent papers ranked by "
        "what they upvoted and put on lists).",
    )


class BecausePaperOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The paper in the API.")


class ForYouPaperListItemOutputSerializer(PaperListItemOutputSerializer):
    """A paper of the list; in the for-you feed it also says why it is there."""

    because = BecausePaperOutputSerializer(
        many=True,
        required=False,
        help_text="order=for_you only: the papers of mine (upvoted, or put on a list) this one "
        "is closest to, nearest first (1 to 3).",
    )

    def to_representation(self, paper):
        data = super().to_representation(paper)
        briefs = getattr(paper, FOR_YOU_BECAUSE, None)
        if briefs is not None:
            head, tail = self._url_parts()
            data["because"] = [
                {"id": b["id"], "title": b["title"], "url": f"{head}{b['id']}{tail}"}
                for b in briefs
            ]
        return data


class ForYouFeedOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ForYouStatus.choices,
        help_text="ready: the results are ranked for you. cold_start: too few papers of yours "
        "to learn from; the results are the hot feed.",
    )
    order = serializers.ChoiceField(
        choices=[FOR_YOU, "hot"], help_text="The order the results are in (also X-Feed-Order)."
    )
    message = serializers.CharField(help_text="What to tell the reader, one or two sentences.")
    positive_count = serializers.IntegerField(
        allow_null=True,
        help_text="My papers it learnt from at its last computation (null: never computed).",
    )
    positives_needed = serializers.IntegerField(help_text="The fewest it learns from.")
    computed_at = serializers.DateTimeField(allow_null=True)


class PaperListForYouOutputSerializer(PaperListOutputSerializer):
    for_you = ForYouFeedOutputSerializer(
        required=False, help_text="order=for_you only: the state of my feed."
    )
    results = ForYouPaperListItemOutputSerializer(many=True)
