"""Serializers of the curation API: plain input serializers (bodies and query strings) and
read-only output serializers (answers and the schema).

Output is data, never markup, except `body_html` of comments, which the services sanitized
when the comment was written (curation.markdown). Titles, abstracts and comment bodies come
back as the raw strings they are: escaping is the job of whoever displays them.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import get_script_prefix, get_urlconf, reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.inputs import StrictInputSerializer
from config.api.pagination import CursorInputSerializer, PageSizeInputSerializer
from config.api.schema import ErrorBodySerializer
from config.cursors import MAX_ID
from curation.citations import CONTENT_TYPES as CITATION_CONTENT_TYPES
from curation.models import Comment, FlagReason, MarkKind, ModerationAction, TargetKind
from curation.selectors import (
    FEED_ORDERINGS,
    QUEUE_SOURCES,
    STATUS_ALL,
    TAG_BRIEFS,
    TOP_PERIODS,
    viewer_marks,
)
from curation.services.submissions import ABSTRACT_MAX_CHARS, TITLE_MAX_CHARS
from papers.models import PaperStatus
from papers.parsing.normalize import normalize_arxiv_id

MSG_NOT_AN_ARXIV_ID = "This is not an arXiv id or address."

MATCH_CHOICES = ["any", "all"]
CITATION_FORMATS = list(CITATION_CONTENT_TYPES)  # bibtex, ris
EXPORT_FORMATS = ["csv", "jsonl", *CITATION_FORMATS]
MODERATE_ACTIONS = ["hide", "restore", "dismiss_flags"]
STATUS_CHOICES = [*PaperStatus.values, STATUS_ALL]


def paper_url(*, pk: int, request) -> str:
    head, tail = paper_url_parts(request)
    return f"{head}{pk}{tail}"


_URL_MARKER = 987654321


@lru_cache(maxsize=16)
def _paper_path_parts(urlconf: str | None, script_prefix: str) -> tuple[str, str]:
    # reverse() walks the URL patterns (a twentieth of a millisecond, as much as reading a
    # paper's related list from PostgreSQL); the parts of the path around the id only change
    # with the URL configuration and the script prefix, which are the key.
    path = reverse("api-paper-detail", kwargs={"pk": _URL_MARKER}, urlconf=urlconf)
    head, _, tail = path.rpartition(str(_URL_MARKER))
    return head, tail


def paper_url_parts(request) -> tuple[str, str]:
    """A paper's API address around its id, for this request's scheme and host (a path
    without a request): lists ask once rather than once per item."""
    head, tail = _paper_path_parts(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    # build_absolute_uri() puts the scheme and host before an absolute path and changes
    # nothing else in it, so the parts hold for every id.
    return (request.build_absolute_uri(head) if request is not None else head), tail


def username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


# --- Input: query strings ------------------------------------------------------------------


class PaperFiltersInputSerializer(serializers.Serializer):
    """The filters shared by the paper list and the export."""

    order = serializers.ChoiceField(
        choices=list(FEED_ORDERINGS), required=False, default="hot", help_text="Feed order."
    )
    period = serializers.ChoiceField(
        choices=list(TOP_PERIODS),
        required=False,
        default="all",
        help_text="With order=top: the digest days counted (today, 7, 30, 365 days or all).",
    )
    tag = serializers.ListField(
        child=serializers.SlugField(max_length=64),
        required=False,
        default=list,
        max_length=20,
        help_text="Tag slugs; repeat the parameter for several (?tag=a&tag=b).",
    )
    match = serializers.ChoiceField(
        choices=MATCH_CHOICES,
        required=False,
        default="any",
        help_text="With several tags: papers having any of them, or all of them.",
    )
    # A plain string: the selector answers 403 to non-moderators before judging the value.
    status = serializers.CharField(
        required=False,
        max_length=32,
        help_text="Moderators only (403 for others, except `published`): papers in this "
        "state (" + ", ".join(STATUS_CHOICES) + ").",
    )
    digest = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="Papers listed on this digest day."
    )
    q = serializers.CharField(
        required=False,
        max_length=200,
        trim_whitespace=True,
        help_text="Full-text search in titles and abstracts, best match first (order is then "
        "ignored, and pages are numbered: see the list's description).",
    )
    arxiv_id = serializers.CharField(
        required=False,
        max_length=300,
        help_text="The paper with this arXiv id, in any form: 2401.01234, 2401.01234v2, "
        "arXiv:2401.01234, an arxiv.org abs or pdf address, a huggingface.co/papers one, "
        "hep-th/9901001.",
    )

    has_code = serializers.BooleanField(
        required=False, default=False, help_text="Only papers with a code repository known."
    )

    def validate_arxiv_id(self, value: str) -> str:
        arxiv_id = normalize_arxiv_id(value)
        if arxiv_id is None:
            raise serializers.ValidationError(MSG_NOT_AN_ARXIV_ID)
        return arxiv_id


class PaperListInputSerializer(PaperFiltersInputSerializer, CursorInputSerializer):
    date = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="One digest day's view: its papers in the digest's order, with the previous "
        "and next digest days (order, period, status, digest and q are then ignored).",
    )
    page = serializers.IntegerField(
        required=False, min_value=1, help_text="Search results only (with q): the page number."
    )


class PaperExportInputSerializer(PaperFiltersInputSerializer):
    format = serializers.ChoiceField(
        choices=EXPORT_FORMATS,
        required=False,
        default="csv",
        help_text="csv, jsonl, bibtex or ris.",
    )


class PaperCitationInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=CITATION_FORMATS, required=False, default="bibtex", help_text="bibtex or ris."
    )


class ModerationLogInputSerializer(CursorInputSerializer):
    moderator = serializers.CharField(
        required=False, max_length=150, help_text="Username of the moderator."
    )
    action = serializers.ChoiceField(choices=ModerationAction.choices, required=False)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, required=False)


class QueueInputSerializer(PageSizeInputSerializer):
    # A declared field (the metaclass takes it off the class), not Field.source of the stubs.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=QUEUE_SOURCES,
        required=False,
        help_text="Only members' submissions, or only papers that came in a dump.",
    )
    dump = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="Only papers listed by this dump (its id).",
    )
    date = serializers.DateField(required=False, help_text="Only papers listed on this digest day.")


class ThreadInputSerializer(CursorInputSerializer):
    pass


class DigestListInputSerializer(CursorInputSerializer):
    pass


class TagListInputSerializer(PageSizeInputSerializer):
    page = serializers.IntegerField(required=False, min_value=1)


# --- Input: bodies -------------------------------------------------------------------------


class PaperSubmitInputSerializer(StrictInputSerializer):
    """A paper to submit, its fields named as in a paper's output. An unknown field is
    refused: 400, naming it."""

    # Lengths and blanks are the service's to judge, with its own sentences (an arXiv id
    # alone finds a paper that is here; a new one needs its title); these only stop megabytes.
    arxiv_id = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text="An arXiv id or address: 2401.12345, 2401.12345v2, arXiv:2401.12345, "
        "https://arxiv.org/abs/2401.12345, https://arxiv.org/pdf/2401.12345v3.pdf, "
        "https://huggingface.co/papers/2401.12345, or an old style id (hep-th/9901001).",
    )
    title = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required for a paper that is not here yet; at most "
        f"{TITLE_MAX_CHARS:,} characters once trimmed (a longer one is a 400 naming `title`).",
    )
    abstract = serializers.CharField(
        max_length=100_000,
        required=False,
        allow_blank=True,
        default="",
        help_text=f"At most {ABSTRACT_MAX_CHARS:,} characters once trimmed (a longer one is a "
        "400 naming `abstract`).",
    )


class PaperTransitionInputSerializer(StrictInputSerializer):
    to_state = serializers.ChoiceField(choices=PaperStatus.choices)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to reject or hide.",
    )


# Papers moved by one bulk request: a moderator's selection in the queue (pages of 25, "load
# more" up to a few hundred), with room to spare; each paper is its own transaction.
BULK_TRANSITION_MAX_PAPERS = 500
MSG_BULK_NO_PAPERS = "Name at least one paper."
MSG_BULK_TOO_MANY = f"Name at most {BULK_TRANSITION_MAX_PAPERS} papers at once."
MSG_BULK_NOT_IDS = f"Each paper is named by its id, a whole number from 1 to {MAX_ID}."
MSG_BULK_DUPLICATES = "Name each paper once."


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID},
        "minItems": 1,
        "maxItems": BULK_TRANSITION_MAX_PAPERS,
        "uniqueItems": True,
    }
)
class PaperIdsField(serializers.ListField):
    """Ids of papers, each once: any fault of the list is one sentence (DRF would otherwise
    answer a dict of errors keyed by position)."""

    default_error_messages = {
        "not_a_list": MSG_BULK_NOT_IDS,
        "empty": MSG_BULK_NO_PAPERS,
        "min_length": MSG_BULK_NO_PAPERS,
        "max_length": MSG_BULK_TOO_MANY,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=MAX_ID))
        super().__init__(
            allow_empty=False, min_length=1, max_length=BULK_TRANSITION_MAX_PAPERS, **kwargs
        )

    def to_internal_value(self, data):
        if isinstance(data, list) and len(data) > BULK_TRANSITION_MAX_PAPERS:
            self.fail("max_length")  # before judging each of a million items
        try:
            ids = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):  # an item's own error, keyed by its position
                raise serializers.ValidationError(MSG_BULK_NOT_IDS) from None
            raise
        if len(set(ids)) != len(ids):
            raise serializers.ValidationError(MSG_BULK_DUPLICATES)
        return ids


class PaperBulkTransitionInputSerializer(PaperTransitionInputSerializer):
    """The single move's fields (`to_state`, `reason`) and the papers to move. An unknown
    field is refused: 400, naming it."""

    paper_ids = PaperIdsField(
        help_text=f"The papers to move, each once, 1 to {BULK_TRANSITION_MAX_PAPERS}."
    )


class CommentCreateInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=50_000, trim_whitespace=False, help_text="Markdown.")
    # The metaclass takes declared fields off the class: this does not shadow Field.parent
    # as the stubs believe.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, default=None, help_text="The comment answered."
    )


class CommentEditInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=50_000, trim_whitespace=False, help_text="Markdown.")


class CommentFlagInputSerializer(StrictInputSerializer):
    reason = serializers.ChoiceField(choices=FlagReason.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CommentModerateInputSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=MODERATE_ACTIONS)
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required to hide or restore.",
    )


class PaperTagInputSerializer(serializers.Serializer):
    tag = serializers.SlugField(max_length=64, help_text="The tag's slug.")


class PaperTagQueryInputSerializer(serializers.Serializer):
    tag = serializers.SlugField(
        max_length=64, required=False, help_text="The tag's slug (or send it in the body)."
    )


class TagCreateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Default: from the name."
    )
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )


class TagRenameInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Default: from the name."
    )
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class TagMergeInputSerializer(StrictInputSerializer):
    into = serializers.SlugField(max_length=64, help_text="The slug of the tag that stays.")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PaperMarkInputSerializer(serializers.Serializer):
    mark = serializers.ChoiceField(choices=MarkKind.choices, help_text="The kind of mark.")


class PaperMarkQueryInputSerializer(serializers.Serializer):
    mark = serializers.ChoiceField(
        choices=MarkKind.choices, required=False, help_text="The kind (or send it in the body)."
    )


class MemberSettingsInputSerializer(StrictInputSerializer):
    hide_marked = serializers.BooleanField(
        required=False,
        help_text="Leave the papers I marked read or not interested out of my listings.",
    )


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- Output: papers ------------------------------------------------------------------------


class TagBriefOutputSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PaperTagOutputSerializer(serializers.Serializer):
    """A tag on a paper, and who put it there."""

    slug = serializers.CharField(source="tag.slug")
    name = serializers.CharField(source="tag.name")
    added_by = serializers.SerializerMethodField()
    added_at = serializers.DateTimeField(source="created_at")

    def get_added_by(self, paper_tag) -> str | None:
        return username(paper_tag.added_by)


class DigestAppearanceOutputSerializer(serializers.Serializer):
    date = serializers.DateField(source="digest.date")
    position = serializers.IntegerField()


def paper_source(paper) -> dict:
    """PaperSourceOutputSerializer's answer, built directly (list items build theirs so)."""
    return {
        "upvotes": paper.upvotes,
        "comment_count": paper.source_comment_count,
        "github_repo": paper.github_repo or None,
        "github_stars": paper.github_stars,
        "project_page": paper.project_page or None,
        "thumbnail_url": paper.thumbnail_url or None,
        "ai_summary": paper.ai_summary or None,
        "ai_keywords": list(paper.ai_keywords),
        "organization": paper.organization or None,
        "submitted_by": paper.source_submitted_by or None,
    }


class PaperSourceOutputSerializer(serializers.Serializer):
    """What the source of the digests (the Hugging Face daily papers) says of the paper, as
    the dumps gave it: its own counts, links and AI summary, not this site's votes and
    comments. The counts are the latest dump's figures; null or [] where no dump said.
    Addresses are http or https."""

    upvotes = serializers.IntegerField(allow_null=True, help_text="Upvotes at the source.")
    comment_count = serializers.IntegerField(
        allow_null=True, help_text="Comments at the source (not comments here)."
    )
    github_repo = serializers.CharField(allow_null=True, help_text="Its code repository.")
    github_stars = serializers.IntegerField(allow_null=True, help_text="Its repository's stars.")
    project_page = serializers.CharField(allow_null=True, help_text="Its project page.")
    thumbnail_url = serializers.CharField(allow_null=True, help_text="A picture of it.")
    ai_summary = serializers.CharField(allow_null=True, help_text="The source's AI summary.")
    ai_keywords = serializers.ListField(
        child=serializers.CharField(), help_text="The source's AI keywords."
    )
    organization = serializers.CharField(
        allow_null=True, help_text="The organization it is listed under there."
    )
    submitted_by = serializers.CharField(
        allow_null=True,
        help_text="Who submitted it there: a user name at the source, not a member here.",
    )

    def to_representation(self, instance):
        return paper_source(instance)


class _PaperOutputBase(serializers.Serializer):
    """Status is shown to moderators and to the member who submitted the paper only."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    title = serializers.CharField()
    arxiv_id = serializers.CharField(allow_null=True)
    authors = serializers.ListField(child=serializers.CharField())
    published_on = serializers.DateField(allow_null=True)
    first_digest_on = serializers.DateField(allow_null=True, help_text="Its first digest day.")
    vote_count = serializers.IntegerField()
    comment_count = serializers.IntegerField(help_text="Visible comments.")
    voted = serializers.BooleanField(source="viewer_voted", help_text="Whether I voted.")
    marks = serializers.SerializerMethodField(
        help_text="My own marks on it (" + ", ".join(MarkKind.values) + "); empty for "
        "anonymous readers."
    )
    # The serializer metaclass takes declared fields off the class: this does not shadow
    # Field.source (where a field reads its value) as the stubs believe.
    source = PaperSourceOutputSerializer(  # type: ignore[assignment]
        source="*", help_text="The source's own figures and links, apart from ours."
    )
    # A string rather than an enum in the schema: "status" names the dumps' states there.
    status = serializers.CharField(
        required=False,
        help_text="Only for moderators and the member who submitted it: "
        + ", ".join(PaperStatus.values)
        + ".",
    )

    def get_url(self, paper) -> str:
        return paper_url(pk=paper.pk, request=self.context.get("request"))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_marks(self, paper) -> list[str]:
        # Annotated by the selectors (with_viewer_marks), in the same query as the paper.
        return viewer_marks(paper)

    def to_representation(self, paper):
        data = super().to_representation(paper)
        viewer = self.context.get("viewer")
        shows_status = self.context.get("moderator") or (
            viewer is not None and viewer.pk is not None and paper.submitted_by_id == viewer.pk
        )
        if not shows_status:
            data.pop("status", None)
        return data


def _date(value) -> str | None:
    # DRF's DateField with the default ISO 8601 format.
    return value.isoformat() if value is not None else None


class PaperListItemOutputSerializer(_PaperOutputBase):
    """A paper in a list: what a feed's card shows (the web feed's "load more" builds its
    cards from these: title, abstract, tags, counts, digest day).

    The fields declare the schema; to_representation builds the same dict directly, without
    a DRF field per value: lists are the hottest path of the API and the field machinery
    cost more than the query (bench/README.md)."""

    abstract = serializers.CharField(help_text="The whole abstract (the feed shows the start).")
    tags = serializers.SerializerMethodField()
    position = serializers.IntegerField(
        required=False, help_text="In the digest-day view: the place in that day's digest."
    )

    @extend_schema_field(TagBriefOutputSerializer(many=True))
    def get_tags(self, paper) -> list[dict]:
        # The page's tags as attached by selectors.attach_tag_briefs (one query a page), or
        # else prefetched by the selector (selectors.with_tags).
        briefs = getattr(paper, TAG_BRIEFS, None)
        if briefs is not None:
            return briefs
        return [{"slug": pt.tag.slug, "name": pt.tag.name} for pt in paper.paper_tags.all()]

    def _url_parts(self) -> tuple[str, str]:
        # reverse() and build_absolute_uri() once per list rather than once per row.
        parts = getattr(self, "_url_parts_cache", None)
        if parts is None:
            parts = self._url_parts_cache = paper_url_parts(self.context.get("request"))
        return parts

    def to_representation(self, paper):
        head, tail = self._url_parts()
        viewer = self.context.get("viewer")
        viewer_pk = getattr(viewer, "pk", None)
        data = {
            "id": paper.pk,
            "url": f"{head}{paper.pk}{tail}",
            "title": paper.title,
            "abstract": paper.abstract,
            "arxiv_id": paper.arxiv_id,
            "authors": [None if a is None else str(a) for a in paper.authors],
            "published_on": _date(paper.published_on),
            "first_digest_on": _date(paper.first_digest_on),
            "vote_count": paper.vote_count,
            "comment_count": paper.comment_count,
            "voted": bool(paper.viewer_voted),
            "source": paper_source(paper),
            "marks": viewer_marks(paper),
        }
        if self.context.get("moderator") or (
            viewer_pk is not None and paper.submitted_by_id == viewer_pk
        ):
            data["status"] = paper.status
        data["tags"] = self.get_tags(paper)
        if hasattr(paper, "position"):
            data["position"] = paper.position
        return data


class PaperDetailOutputSerializer(_PaperOutputBase):
    abstract = serializers.CharField()
    arxiv_version = serializers.IntegerField(
        allow_null=True, help_text="The latest arXiv version seen (arxiv_id is without it)."
    )
    author_count = serializers.IntegerField(allow_null=True)
    submitted_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    tags = PaperTagOutputSerializer(source="paper_tags.all", many=True)
    digests = DigestAppearanceOutputSerializer(
        source="digest_entries.all", many=True, help_text="Its digest appearances, oldest first."
    )

    def get_submitted_by(self, paper) -> str | None:
        return username(paper.submitted_by)


class DigestDayOutputSerializer(serializers.Serializer):
    date = serializers.DateField(allow_null=True, help_text="The day shown.")
    previous_day = serializers.DateField(allow_null=True, help_text="The digest day before.")
    next_day = serializers.DateField(allow_null=True, help_text="The digest day after.")


class PaperListOutputSerializer(serializers.Serializer):
    """Feeds: `next` only (cursor). Search: `next` and `previous` (page numbers, ?page=N,
    no count). The digest-day view: `day` as well."""

    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")
    previous = serializers.URLField(
        allow_null=True, required=False, help_text="Search results only."
    )
    day = DigestDayOutputSerializer(required=False, help_text="The digest-day view only.")
    results = PaperListItemOutputSerializer(many=True)


class VoteOutputSerializer(serializers.Serializer):
    voted = serializers.BooleanField()
    vote_count = serializers.IntegerField()


class PaperMarksOutputSerializer(serializers.Serializer):
    marks = serializers.ListField(
        child=serializers.CharField(),
        help_text="My marks on the paper now: " + ", ".join(MarkKind.values) + ".",
    )


class MemberSettingsOutputSerializer(serializers.Serializer):
    hide_marked = serializers.BooleanField(
        help_text="The papers I marked read or not interested are left out of my listings: "
        "the feeds, digest days, tags, search, the paper list and the exports."
    )


class DuplicatePaperErrorBodySerializer(ErrorBodySerializer):
    paper_id = serializers.IntegerField(help_text="The paper that is here already.")
    url = serializers.URLField(help_text="That paper in the API.")


class DuplicatePaperErrorSerializer(serializers.Serializer):
    error = DuplicatePaperErrorBodySerializer()


class TransitionErrorBodySerializer(ErrorBodySerializer):
    from_state = serializers.CharField(required=False)
    allowed = serializers.ListField(child=serializers.CharField(), required=False)


class TransitionErrorSerializer(serializers.Serializer):
    error = TransitionErrorBodySerializer()


class PaperMovedOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # A string, as a paper's own `status` is (an enum would clash with the dumps' states).
    status = serializers.CharField(help_text="The paper's state now: the `to_state` asked.")


class PaperRefusedOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField(
        help_text="Why it did not move, one sentence (as a single move's error says it)."
    )


class PaperBulkTransitionOutputSerializer(serializers.Serializer):
    moved = PaperMovedOutputSerializer(many=True, help_text="In the order asked.")
    refused = PaperRefusedOutputSerializer(many=True, help_text="In the order asked.")


# --- Output: comments ----------------------------------------------------------------------


class CommentOutputSerializer(serializers.Serializer):
    """A comment as its reader may see it: a deleted one as a placeholder without author or
    text; a hidden one the same way except for moderators (who also see why)."""

    id = serializers.IntegerField()
    paper_id = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    author = serializers.CharField(allow_null=True)
    body = serializers.CharField(help_text="Markdown as written; empty when not shown.")
    body_html = serializers.CharField(help_text="Sanitized HTML, or a placeholder.")
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    hidden = serializers.BooleanField()
    hidden_reason = serializers.CharField(
        allow_null=True,
        help_text="Why a moderator hid it (public, as in the moderation log); null if shown.",
    )

    def to_representation(self, comment: Comment):
        moderator = bool(self.context.get("moderator"))
        shown = comment.shows_author_to(moderator=moderator)
        return {
            "id": comment.pk,
            "paper_id": comment.paper_id,
            "parent_id": comment.parent_id,
            "author": username(comment.author) if shown else None,
            "body": comment.body if shown else "",
            "body_html": comment.html_for(moderator=moderator),
            "created_at": serializers.DateTimeField().to_representation(comment.created_at),
            "edited_at": (
                serializers.DateTimeField().to_representation(comment.edited_at)
                if comment.edited_at
                else None
            ),
            "deleted": comment.is_deleted,
            "hidden": comment.is_hidden,
            "hidden_reason": comment.hidden_reason if comment.is_hidden else None,
        }


class CommentTreeOutputSerializer(CommentOutputSerializer):
    """A comment (selectors.CommentNode) with its replies nested, oldest first."""

    def to_representation(self, node):
        data = super().to_representation(node.comment)
        data["replies"] = [self.to_representation(reply) for reply in node.replies]
        return data


# Declared after the class: a comment's replies are comments with replies.
CommentTreeOutputSerializer._declared_fields["replies"] = CommentTreeOutputSerializer(
    many=True, read_only=True
)


class CommentThreadOutputSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page of threads, or null.")
    comment_count = serializers.IntegerField(help_text="Visible comments on the paper.")
    results = CommentTreeOutputSerializer(many=True)


class CommentFlagOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    comment_id = serializers.IntegerField()
    reason = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentModerateOutputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=MODERATE_ACTIONS)
    flags_resolved = serializers.IntegerField(
        allow_null=True, help_text="dismiss_flags: how many open flags were resolved."
    )
    comment = CommentOutputSerializer()


# --- Output: tags, moderation, digests ----------------------------------------------------


class TagOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    paper_count = serializers.IntegerField(
        required=False, help_text="Published papers with the tag."
    )
    created_at = serializers.DateTimeField()


class TagMergeOutputSerializer(serializers.Serializer):
    into = TagOutputSerializer()
    papers_moved = serializers.IntegerField(help_text="Papers that gained the kept tag.")


class FlagBriefOutputSerializer(serializers.Serializer):
    user = serializers.SerializerMethodField()
    reason = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_user(self, flag) -> str | None:
        return username(flag.user)


class QueuePaperOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    title = serializers.CharField()
    arxiv_id = serializers.CharField(allow_null=True)
    authors = serializers.ListField(child=serializers.CharField())
    abstract = serializers.CharField()
    submitted_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    listed_on = serializers.ListField(
        child=serializers.DateField(), help_text="The digest days that listed it, oldest first."
    )

    def get_url(self, paper) -> str:
        return paper_url(pk=paper.pk, request=self.context.get("request"))

    def get_submitted_by(self, paper) -> str | None:
        return username(paper.submitted_by)


class QueueCommentOutputSerializer(serializers.Serializer):
    comment = serializers.SerializerMethodField()
    paper_id = serializers.IntegerField()
    paper_title = serializers.CharField(source="paper.title")
    open_flag_count = serializers.IntegerField()
    flags = FlagBriefOutputSerializer(source="open_flags", many=True)

    @extend_schema_field(CommentOutputSerializer)
    def get_comment(self, comment) -> dict:
        return CommentOutputSerializer(comment, context=self.context).data


class QueuePapersOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = QueuePaperOutputSerializer(many=True)


class QueueCommentsOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = QueueCommentOutputSerializer(many=True)


class ModerationQueueOutputSerializer(serializers.Serializer):
    papers = QueuePapersOutputSerializer(help_text="Pending papers, oldest first.")
    comments = QueueCommentsOutputSerializer(
        help_text="Comments with open flags, most flagged first."
    )


class ModerationEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    moderator = serializers.SerializerMethodField()
    action = serializers.CharField()
    target_kind = serializers.CharField()
    target_id = serializers.SerializerMethodField(
        help_text="The target's id; null when the target is a paper (or a comment on a paper) "
        "the reader may not open."
    )
    target_label = serializers.SerializerMethodField(
        help_text="The target's name as it was; empty when the reader may not open it."
    )
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_moderator(self, event) -> str | None:
        return username(event.moderator)

    def get_target_id(self, event) -> int | None:
        return event.target_id if getattr(event, "target_open", True) else None

    def get_target_label(self, event) -> str:
        return event.target_label if getattr(event, "target_open", True) else ""


class ModerationLogOutputSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = ModerationEventOutputSerializer(many=True)


class DigestOutputSerializer(serializers.Serializer):
    date = serializers.DateField()
    paper_count = serializers.IntegerField(
        help_text="Published papers listed that day (every listed paper for moderators)."
    )
    papers_url = serializers.SerializerMethodField()

    def get_papers_url(self, digest) -> str:
        request = self.context.get("request")
        path = f"{reverse('api-paper-list')}?date={digest.date.isoformat()}"
        return request.build_absolute_uri(path) if request is not None else path


class DigestListOutputSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    results = DigestOutputSerializer(many=True)


class TagListOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TagOutputSerializer(many=True)


# --- Shared by the views -------------------------------------------------------------------


def output_context(request) -> dict:
    """What output serializers need to know about the reader (one group lookup, cached on
    the user for the request)."""
    from accounts.roles import is_moderator

    return {"request": request, "viewer": request.user, "moderator": is_moderator(request.user)}


def output_context_for_no_one(request) -> dict:
    """output_context for a body every reader shares (curation.api.papers.SharedBody): no
    viewer, no moderator; the request gives the links their scheme and host."""
    return {"request": request, "viewer": None, "moderator": False}
