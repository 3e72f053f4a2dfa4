"""Serializers of the lists API: plain input serializers that refuse unknown fields, and
read-only output serializers. A list's papers are shown as the paper lists show theirs
(curation's PaperListItemOutputSerializer); a note comes as written and as the HTML the
service sanitized when it was written."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import StrictInputSerializer
from config.api.pagination import CursorInputSerializer, cursor_page_serializer
from curation.api.serializers import PaperListItemOutputSerializer, username
from lists.models import ListVisibility
from lists.selectors import SCOPES
from lists.services import MOVES

MSG_NOTHING_TO_CHANGE = "Send a note, a position or a move."


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- Input ----------------------------------------------------------------------------------


class ListsQueryInputSerializer(CursorInputSerializer):
    scope = serializers.ChoiceField(
        choices=list(SCOPES),
        required=False,
        default="all",
        help_text="all: every list I may open; mine: those I own; team: team lists; "
        "editable: those whose papers I may change.",
    )
    paper = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="A paper's id: each list then says whether it is on it (`has_paper`).",
    )


class ListItemsQueryInputSerializer(CursorInputSerializer):
    pass


# Lengths and blanks are the services' to judge, with their own sentences; these limits only
# stop megabytes.
class ListCreateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=1000, allow_blank=True)
    visibility = serializers.ChoiceField(
        choices=ListVisibility.choices,
        required=False,
        default=ListVisibility.PERSONAL.value,
        help_text="personal: only I see it; team: every member sees it.",
    )


class ListUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=1000, allow_blank=True, required=False)
    visibility = serializers.ChoiceField(
        choices=ListVisibility.choices,
        required=False,
        help_text="A team list made personal loses its editors.",
    )


class ListItemAddInputSerializer(StrictInputSerializer):
    paper = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Its id.")
    note = serializers.CharField(
        max_length=100_000,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="Markdown, rendered to sanitized HTML (at most 10,000 characters).",
    )


class ListItemUpdateInputSerializer(StrictInputSerializer):
    note = serializers.CharField(
        max_length=100_000,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Markdown; empty takes the note off.",
    )
    position = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The new place, 1 being the first (beyond the end: the last).",
    )
    move = serializers.ChoiceField(
        choices=list(MOVES),
        required=False,
        help_text="One step up or down past the next paper I see, or to the first or last "
        "place (instead of `position`).",
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(MSG_NOTHING_TO_CHANGE)
        return attrs


class ListEditorAddInputSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150, help_text="The member's user name.")


# --- Output ---------------------------------------------------------------------------------


class ListOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    items_url = serializers.SerializerMethodField()
    name = serializers.CharField()
    visibility = serializers.ChoiceField(choices=ListVisibility.choices)
    owner = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(help_text="The papers on it that I may open.")
    can_edit = serializers.BooleanField(
        source="viewer_can_edit", help_text="Whether I may add, move and remove its papers."
    )
    has_paper = serializers.BooleanField(
        required=False, help_text="With the `paper` parameter: whether that paper is on it."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_url(self, paper_list) -> str:
        path = reverse("api-list-detail", kwargs={"pk": paper_list.pk})
        return absolute(self.context.get("request"), path)

    def get_items_url(self, paper_list) -> str:
        path = reverse("api-list-items", kwargs={"pk": paper_list.pk})
        return absolute(self.context.get("request"), path)

    def get_owner(self, paper_list) -> str | None:
        return username(paper_list.owner)

    def to_representation(self, paper_list):
        data = super().to_representation(paper_list)
        if not hasattr(paper_list, "has_paper"):
            data.pop("has_paper", None)
        return data


class ListEditorOutputSerializer(serializers.Serializer):
    username = serializers.SerializerMethodField()
    added_at = serializers.DateTimeField()

    def get_username(self, editor) -> str | None:
        return username(editor.user)


class ListDetailOutputSerializer(ListOutputSerializer):
    editors = ListEditorOutputSerializer(
        source="editors.all", many=True, help_text="Members the owner lets change a team list."
    )


class ListItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(
        help_text="Its place in the list (1 first); papers I may not open are left out, so "
        "the places I see may skip a number."
    )
    note = serializers.CharField(help_text="Markdown as written.")
    note_html = serializers.CharField(help_text="Sanitized HTML.")
    added_by = serializers.SerializerMethodField()
    added_at = serializers.DateTimeField(source="created_at")
    paper = serializers.SerializerMethodField()

    def get_added_by(self, item) -> str | None:
        return username(item.added_by)

    @extend_schema_field(PaperListItemOutputSerializer)
    def get_paper(self, item) -> dict:
        return PaperListItemOutputSerializer(item.paper, context=self.context).data


ListPageOutputSerializer = cursor_page_serializer("ListPageOutputSerializer", ListOutputSerializer)
ListItemPageOutputSerializer = cursor_page_serializer(
    "ListItemPageOutputSerializer", ListItemOutputSerializer
)


class ListEditorsOutputSerializer(serializers.Serializer):
    results = ListEditorOutputSerializer(many=True)
