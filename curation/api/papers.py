"""Papers over HTTP: the feeds, the digest-day view, search, submission, a paper's page,
votes, the workflow, comments and tags on a paper.

Views validate input with plain serializers, call a selector or a service (which check roles
and state themselves and raise DomainError), and render with output serializers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Viewer, is_member
from config.api.inputs import validated_query
from config.api.pagination import SearchPagination, next_link, numbered_links
from config.api.schema import (
    E400,
    E401,
    E403,
    E404,
    E415,
    E429,
    READ_ERRORS,
    WRITE_ERRORS,
)
from config.errors import DomainError
from config.spliced import SplicedBody, hole
from curation import paging, selectors
from curation.api import serializers as s
from curation.models import Tag
from curation.selectors import (
    ViewerMarks,
    attach_tag_briefs,
    comment_of_paper,
    comment_tree,
    comments_thread,
    filter_papers,
    paper_detail,
    papers_for_digest_day,
    papers_list,
    papers_visible_to,
    tag_by_slug,
    thread_generation,
    thread_version,
    viewer_state_attach,
    viewer_state_read,
)
from curation.services import (
    comment_create,
    paper_submit,
    paper_tag_add,
    paper_tag_remove,
    paper_transition,
    papers_bulk_transition,
    vote_cast,
    vote_withdraw,
)
from papers.listing_version import listing_shared
from papers.models import Paper, PaperStatus

TAGS = ["papers"]
MSG_PAPER_NOT_FOUND = "There is no such paper."
MSG_PARENT_NOT_FOUND = "There is no such comment on this paper."
MSG_TAG_NOT_FOUND = "There is no such tag."

# Columns of Paper that list items never show: not read for lists.
LIST_UNUSED_FIELDS = ("title_key", "author_count", "arxiv_version", "created_at", "updated_at")


# Anonymous readers' first pages of the feeds (hot, new, top, with their filters) are kept
# this many seconds in the Django cache (Redis in production, per process when embedded),
# keyed on the whole URL: the floor of a public feed under load costs little more than a
# cache read. So an anonymous reader sees a vote, a comment or a new paper in the counts
# and the order within that many seconds; signed-in readers (whose items say whether they
# voted), later pages (cursor), search, the digest-day view and status views never come
# from it. bench/README.md, "make bench-api".
ANONYMOUS_FEED_CACHE_SECONDS = 5
ANONYMOUS_FEED_UNCACHED_PARAMS = ("cursor", "q", "date", "status")


def anonymous_feed_cache_key(request) -> str | None:
    """The cache key of an anonymous first feed page rendered as JSON, or None when the
    request is not one (see ANONYMOUS_FEED_CACHE_SECONDS)."""
    if request.user.is_authenticated or getattr(request.accepted_renderer, "format", "") != "json":
        return None
    if any(name in request.query_params for name in ANONYMOUS_FEED_UNCACHED_PARAMS):
        return None
    raw = f"{request.accepted_media_type}|{request.build_absolute_uri()}"
    return "api:anonymous-feed:v1:" + hashlib.sha256(raw.encode()).hexdigest()


def paper_visible_or_404(*, pk: int, viewer: Viewer) -> Paper:
    paper = papers_visible_to(viewer).filter(pk=pk).first()
    if paper is None:
        raise NotFound(MSG_PAPER_NOT_FOUND)
    return paper


def paper_detail_or_404(*, pk: int, viewer: Viewer) -> Paper:
    paper = paper_detail(pk=pk, viewer=viewer)
    if paper is None:
        raise NotFound(MSG_PAPER_NOT_FOUND)
    return paper


def filters_from(data: dict) -> dict:
    """papers_list's keyword arguments from validated PaperFiltersInputSerializer data."""
    return {
        "order": data["order"],
        "period": data["period"],
        "tags": data["tag"],
        "match_all_tags": data["match"] == "all",
        "digest": data.get("digest"),
        "status": data.get("status"),
        "search": data.get("q"),
        "arxiv_id": data.get("arxiv_id"),
        "has_code": data.get("has_code", False),
    }


PAPER_LIST_DESCRIPTION = (
    "Published papers (moderators: any state with `status`), newest hot first.\n\n"
    "**Feeds** (order hot, new or top) use cursor pagination: follow `next` (an opaque "
    "cursor over the feed's indexed key and the id), which stays correct however "
    "deep and while papers are added.\n\n"
    "**Search** (`q`): best match first; a relevance rank is not a stable cursor key, "
    "so results are numbered pages (`page`, `count`, `next`, `previous`).\n\n"
    "**One digest day** (`date`): its papers in the digest's order, with the previous "
    "and next digest days in `day`; tag filters apply, cursor pagination."
)


@dataclass(frozen=True)
class ListPage:
    """A page of a feed, a digest day or a search as its readers share it
    (PaperListView.shared_page): its papers with their tag briefs, the cursor after it, the
    day's neighbours; a search's page number and whether another follows (its links are
    numbered: config.api.pagination.numbered_links)."""

    rows: list
    next_cursor: str | None
    day: dict | None = None
    page_number: int | None = None
    has_next: bool = False


@dataclass(frozen=True)
class SharedBody:
    """A page rendered for every reader (config.spliced): the body with a hole for each
    row's `voted` and `marks`, the paper of each row, and the members who submitted one (to
    whom the page shows its status: it is rendered for them alone)."""

    body: SplicedBody
    ids: tuple[int, ...]
    submitters: frozenset[int]

    @classmethod
    def render(cls, view: APIView, request, payload: dict, rows: Sequence[Paper]) -> SharedBody:
        """`payload` (its "results" the items of `rows`, or itself the one paper's) with holes
        for the reader's values, rendered by the request's renderer."""
        items = payload.get("results", [payload])
        for index, item in enumerate(items):
            item["voted"] = hole("voted", index)
            item["marks"] = hole("marks", index)
        rendered = request.accepted_renderer.render(
            payload, request.accepted_media_type, view.get_renderer_context()
        )
        return cls(
            body=SplicedBody.cut(rendered),
            ids=tuple(row.pk for row in rows),
            submitters=frozenset(row.submitted_by_id for row in rows if row.submitted_by_id),
        )

    def answer(self, request, state: ViewerMarks) -> HttpResponse:
        """The body with `state`'s vote and marks on each row (viewer_state_read)."""
        ids = self.ids

        def value(name: str, index: int) -> bytes:
            pk = ids[index]
            if name == "voted":
                return b"true" if pk in state.voted else b"false"
            kinds = state.marks.get(pk)
            return json.dumps(kinds, separators=(",", ":")).encode() if kinds else b"[]"

        return HttpResponse(self.body.fill(value), content_type=request.accepted_media_type)


def shared_body_wanted(request, context: dict) -> bool:
    """Whether this reader's answer may be a SharedBody filled for them: JSON for a reader
    who is no moderator (a moderator's items carry each paper's state)."""
    return not context["moderator"] and getattr(request.accepted_renderer, "format", "") == "json"


def shared_body_parts(request) -> list:
    """What a SharedBody depends on besides the listing version: the whole address (its
    links carry the scheme, host and query) and the media type (a renderer's indent)."""
    return [request.accepted_media_type, request.build_absolute_uri()]


class PaperListView(APIView):
    # Served under /api/papers/ by recommendations.api.views.PaperListView, which adds the
    # member's "for you" feed to it (an app above this one: the layers, pyproject.toml).
    @extend_schema(
        tags=TAGS,
        summary="List papers",
        operation_id="papers_list",
        description=PAPER_LIST_DESCRIPTION,
        parameters=[s.PaperListInputSerializer],
        responses={
            200: s.PaperListOutputSerializer,
            400: E400,
            403: E403,
            404: E404,  # a search page beyond the last
            429: E429,
        },
    )
    def get(self, request):
        cache_key = anonymous_feed_cache_key(request)
        if cache_key is not None:
            body = cache.get(cache_key)
            if body is not None:
                return HttpResponse(body, content_type=request.accepted_media_type)
        data = validated_query(s.PaperListInputSerializer, request.query_params)
        context = s.output_context(request)
        if data.get("date") is not None:
            return self.digest_day(request, data, context)
        answer = self.feed_or_search(request, data, context)
        if cache_key is not None:
            if isinstance(answer, Response):
                body = request.accepted_renderer.render(
                    answer.data, request.accepted_media_type, self.get_renderer_context()
                )
            else:  # the body every reader shares, filled for no one
                body = answer.content
            cache.set(cache_key, body, ANONYMOUS_FEED_CACHE_SECONDS)
            return HttpResponse(body, content_type=request.accepted_media_type)
        return answer

    def feed_or_search(self, request, data, context) -> HttpResponse:
        # papers_list annotates my vote (an EXISTS in the same query); attach_tag_briefs reads
        # the page's tags (slug and name, one query): two queries a page, whatever its size.
        if data.get("q"):
            return self.list_answer(request, data, context, "api-search", self.search_read(data))

        def read(viewer: Viewer) -> ListPage:
            rows = papers_list(viewer=viewer, prefetch_tags=False, **filters_from(data))
            page = paging.feed_page(
                rows.defer(*LIST_UNUSED_FIELDS),
                order=data["order"],
                status_view=data.get("status") not in (None, PaperStatus.PUBLISHED),
                page_size=data["page_size"],
                cursor=data.get("cursor"),
            )
            attach_tag_briefs(page.rows)
            return ListPage(rows=list(page.rows), next_cursor=page.next_cursor)

        return self.list_answer(request, data, context, "api-feed", read)

    def list_answer(
        self, request, data, context, name: str, read: Callable[[Viewer], ListPage]
    ) -> HttpResponse:
        """A page of a feed or a digest day (`read` reads it for a viewer): a member's from
        the body every reader shares (shared_body) when it can be, else from the rows they
        share (shared_page), else read for them."""
        answer = self.shared_body(request, data, context, name, read)
        if isinstance(answer, HttpResponse):
            return answer
        page = answer if answer is not None else self.shared_page(request, data, name, read)
        return Response(self.page_payload(request, page, context))

    def search_read(self, data) -> Callable[[Viewer], ListPage]:
        def read(viewer: Viewer) -> ListPage:
            papers = papers_list(viewer=viewer, prefetch_tags=False, **filters_from(data))
            # Numbered pages, uncounted (see SearchPagination): one query a page.
            paginator = SearchPagination(cap=selectors.SEARCH_RANKED_MATCHES)
            rows = paginator.paginate_queryset(
                papers.defer(*LIST_UNUSED_FIELDS), self.request, view=self
            )
            attach_tag_briefs(rows)
            return ListPage(
                rows=list(rows),
                next_cursor=None,
                page_number=paginator.number,
                has_next=paginator.has_next,
            )

        return read

    @staticmethod
    def page_payload(request, page: ListPage, context: dict) -> dict:
        payload: dict
        if page.page_number is not None:
            following, previous = numbered_links(request, page.page_number, has_next=page.has_next)
            payload = {"next": following, "previous": previous}
        else:
            payload = {"next": next_link(request, page.next_cursor)}
        if page.day is not None:
            payload["day"] = page.day
        payload["results"] = s.PaperListItemOutputSerializer(
            page.rows, many=True, context=context
        ).data
        return payload

    def shared_body(
        self, request, data, context, name: str, read: Callable[[Viewer], ListPage]
    ) -> HttpResponse | ListPage | None:
        """A reader's page as the body every reader shares, rendered once (SharedBody, kept
        under the listing version as the rows are) and filled with their vote and marks from
        one query. For a reader who hides marked papers and marked some of these, the page
        read for them alone (without those); None when the body may not serve: for
        moderators, a status view, or a page that shows its submitter a paper's state."""
        viewer = request.user
        if data.get("status") is not None or not shared_body_wanted(request, context):
            return None

        def render() -> SharedBody:
            page = read(AnonymousUser())
            payload = self.page_payload(request, page, s.output_context_for_no_one(request))
            return SharedBody.render(self, request, payload, page.rows)

        shared = listing_shared(f"{name}-body", shared_body_parts(request), render)
        if viewer.pk in shared.submitters:
            return None
        state = viewer_state_read(shared.ids, viewer)
        if state.hides_marked and state.marks:
            return read(viewer)
        return shared.answer(request, state)

    @staticmethod
    def shared_page(request, data, name: str, read: Callable[..., ListPage]) -> ListPage:
        """A member's page of a feed or a digest day: the rows every reader gets, shared under
        the listing version (papers.listing_version.listing_shared), with the member's own
        vote and marks read apart in one query; read for them alone when they hide marked
        papers and marked some of these, or ask for a status (moderators)."""
        viewer = request.user
        if not is_member(viewer) or data.get("status") is not None:
            return read(viewer)
        params = sorted((k, v) for k, v in request.query_params.lists() if k != "format")
        page = listing_shared(name, params, lambda: read(AnonymousUser()))
        state = viewer_state_attach(page.rows, viewer)
        if state.hides_marked and state.marked_shown:
            return read(viewer)
        return page

    def digest_day(self, request, data, context):
        def read(viewer: Viewer) -> ListPage:
            day = papers_for_digest_day(data["date"], viewer=viewer, prefetch_tags=False)
            papers = filter_papers(
                day.papers, tags=data["tag"], match_all_tags=data["match"] == "all"
            )
            page = paging.day_page(
                papers.defer(*LIST_UNUSED_FIELDS),
                date=data["date"],
                page_size=data["page_size"],
                cursor=data.get("cursor"),
            )
            attach_tag_briefs(page.rows)
            around = {"date": day.date, "previous_day": day.previous, "next_day": day.next}
            return ListPage(rows=list(page.rows), next_cursor=page.next_cursor, day=around)

        return self.list_answer(request, data, context, "api-day", read)

    @extend_schema(
        tags=TAGS,
        summary="Submit a paper",
        description="Members. The paper waits in the moderation queue as pending. The "
        "fields are named as in a paper's output (`arxiv_id`, `title`, `abstract`); an "
        "unknown field is a 400 naming it. `arxiv_id` takes an id or an arxiv.org or "
        "huggingface.co/papers address, with or without version. A paper with the same "
        "arXiv id or normalized title, in any state, is a duplicate: 409, with `paper_id` and "
        "`url` of the paper that is here already when you may open it. An arXiv id alone "
        "finds such a paper; a new paper needs its `title` (400 naming it).",
        request=s.PaperSubmitInputSerializer,
        responses={
            201: s.PaperDetailOutputSerializer,
            400: E400,
            401: E401,
            403: E403,
            409: OpenApiResponse(s.DuplicatePaperErrorSerializer, description="A duplicate."),
            429: E429,
        },
    )
    def post(self, request):
        data = s.PaperSubmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            paper = paper_submit(user=request.user, **data.validated_data)
        except DomainError as exc:
            if "paper_id" in exc.extra:
                exc.extra["url"] = s.paper_url(pk=exc.extra["paper_id"], request=request)
            raise
        paper = paper_detail_or_404(pk=paper.pk, viewer=request.user)
        body = s.PaperDetailOutputSerializer(paper, context=s.output_context(request)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class PaperDetailView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="One paper",
        description="With its tags and who added them, vote count, whether I voted, its "
        "digest appearances and comment count; its state for moderators and its submitter.",
        responses={200: s.PaperDetailOutputSerializer, 404: E404, 429: E429},
    )
    def get(self, request, pk: int):
        context = s.output_context(request)
        viewer = request.user
        if shared_body_wanted(request, context):
            # A published paper's page as every reader gets it, rendered once (SharedBody,
            # kept under the listing version), filled with the reader's vote and marks (one
            # query, none for an anonymous reader); its submitter, who sees its state, and
            # any paper only some may open are read as below.
            shared = listing_shared(
                "api-paper-body", shared_body_parts(request), lambda: self.shared_body(request, pk)
            )
            if shared is not None and viewer.pk not in shared.submitters:
                return shared.answer(request, viewer_state_read(shared.ids, viewer))
        paper = paper_detail_or_404(pk=pk, viewer=viewer)
        return Response(s.PaperDetailOutputSerializer(paper, context=context).data)

    def shared_body(self, request, pk: int) -> SharedBody | None:
        paper = paper_detail(pk=pk, viewer=None)
        if paper is None:
            return None
        payload = s.PaperDetailOutputSerializer(
            paper, context=s.output_context_for_no_one(request)
        ).data
        return SharedBody.render(self, request, payload, [paper])


class PaperVoteView(APIView):
    def answer(self, outcome, voted: bool) -> Response:
        return Response(
            s.VoteOutputSerializer({"voted": voted, "vote_count": outcome.vote_count}).data
        )

    @extend_schema(
        tags=TAGS,
        summary="Upvote a paper",
        description="Members, published papers. Idempotent.",
        request=None,
        responses={200: s.VoteOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        return self.answer(vote_cast(user=request.user, paper=paper), True)

    @extend_schema(
        tags=TAGS,
        summary="Withdraw my vote",
        description="Idempotent.",
        request=None,
        responses={200: s.VoteOutputSerializer, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        return self.answer(vote_withdraw(user=request.user, paper=paper), False)


class PaperTransitionView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Move a paper through the workflow",
        description="Moderators. pending → published or rejected, published → hidden, hidden "
        "→ published, rejected → published; rejecting and hiding need a reason. A refused "
        "move is a 409 with `from_state` and the `allowed` target states.",
        request=s.PaperTransitionInputSerializer,
        responses={
            200: s.PaperDetailOutputSerializer,
            **WRITE_ERRORS,
            409: OpenApiResponse(s.TransitionErrorSerializer, description="Move refused."),
        },
    )
    def post(self, request, pk: int):
        data = s.PaperTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        paper_transition(paper=paper, moderator=request.user, **data.validated_data)
        paper = paper_detail_or_404(pk=pk, viewer=request.user)
        return Response(
            s.PaperDetailOutputSerializer(paper, context=s.output_context(request)).data
        )


class PaperBulkTransitionView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="Move several papers through the workflow",
        operation_id="papers_bulk_transition",
        description="Moderators. The moves of a single paper's `transition/` (the same "
        "`to_state` and `reason`) for up to "
        f"{s.BULK_TRANSITION_MAX_PAPERS} papers named by id, each once, in one request. "
        "Each paper moves in its own transaction: a paper whose state does not allow the "
        "move, or that does not exist, is reported in `refused` with the sentence a single "
        "move would answer, and the others still move. So the answer is 200 whatever moved; "
        "a fault of the body itself (400) or of the role (401, 403) moves nothing.",
        request=s.PaperBulkTransitionInputSerializer,
        responses={
            200: s.PaperBulkTransitionOutputSerializer,
            400: E400,
            401: E401,
            403: E403,
            415: E415,
            429: E429,
        },
    )
    def post(self, request):
        data = s.PaperBulkTransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["paper_ids"]
        papers = selectors.papers_by_ids(ids, viewer=request.user)
        outcome = papers_bulk_transition(
            papers=papers,
            moderator=request.user,
            to_state=data.validated_data["to_state"],
            reason=data.validated_data["reason"],
        )
        found = {paper.pk for paper in papers}
        refused = {paper.pk: message for paper, message in outcome.refused}
        refused.update((pk, MSG_PAPER_NOT_FOUND) for pk in ids if pk not in found)
        body = {
            "moved": [{"id": paper.pk, "status": paper.status} for paper in outcome.done],
            "refused": [{"id": pk, "message": refused[pk]} for pk in ids if pk in refused],
        }
        return Response(s.PaperBulkTransitionOutputSerializer(body).data)


class PaperCommentsView(APIView):
    @extend_schema(
        tags=TAGS,
        summary="A paper's comments",
        description="Threads oldest first, replies nested. Deleted comments stay as "
        "placeholders (replies keep their place); hidden ones too, except for moderators. "
        "The whole thread is read in one query; pages cut it into top-level threads "
        "(cursor: `next`).",
        parameters=[s.ThreadInputSerializer],
        responses={200: s.CommentThreadOutputSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        data = validated_query(s.ThreadInputSerializer, request.query_params)
        context = s.output_context(request)
        if shared_body_wanted(request, context):
            # What a comment shows depends on no reader but whether they moderate: a published
            # paper's page of its thread is rendered once for everyone else, kept under the
            # listing version (its comment count) and the thread's generation (every write
            # to the thread moves it on). A paper only some may open is read as below.
            parts = [*shared_body_parts(request), thread_generation(pk), thread_version(pk)]
            body = listing_shared(
                "api-thread-body", parts, lambda: self.shared_body(request, pk, data)
            )
            if body is not None:
                return HttpResponse(body, content_type=request.accepted_media_type)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        return Response(self.payload(request, paper, data, context))

    def shared_body(self, request, pk: int, data: dict) -> bytes | None:
        paper = papers_visible_to(None).filter(pk=pk).first()
        if paper is None:
            return None
        payload = self.payload(request, paper, data, s.output_context_for_no_one(request))
        return request.accepted_renderer.render(
            payload, request.accepted_media_type, self.get_renderer_context()
        )

    @staticmethod
    def payload(request, paper: Paper, data: dict, context: dict) -> dict:
        roots = comment_tree(comments_thread(paper=paper))
        page = paging.thread_page(
            roots, paper_id=paper.pk, page_size=data["page_size"], cursor=data.get("cursor")
        )
        return {
            "next": next_link(request, page.next_cursor),
            "comment_count": paper.comment_count,
            "results": s.CommentTreeOutputSerializer(page.rows, many=True, context=context).data,
        }

    @extend_schema(
        tags=TAGS,
        summary="Comment on a paper",
        description="Members, published papers; Markdown, rendered to sanitized HTML. "
        "`parent` answers a visible comment of the same paper. Rate-limited per member "
        "(429 with `retry_after`).",
        request=s.CommentCreateInputSerializer,
        responses={201: s.CommentOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        data = s.CommentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        parent = None
        parent_id = data.validated_data["parent"]
        if parent_id is not None:
            parent = comment_of_paper(pk=parent_id, paper=paper)
            if parent is None:
                raise ValidationError({"parent": [MSG_PARENT_NOT_FOUND]})
        comment = comment_create(
            user=request.user, paper=paper, body=data.validated_data["body"], parent=parent
        )
        body = s.CommentOutputSerializer(comment, context=s.output_context(request)).data
        return Response(body, status=status.HTTP_201_CREATED)


class PaperTagsView(APIView):
    def tag_or_400(self, slug: str) -> Tag:
        tag = tag_by_slug(slug)
        if tag is None:
            raise ValidationError({"tag": [MSG_TAG_NOT_FOUND]})
        return tag

    @extend_schema(
        tags=TAGS,
        summary="Tag a paper",
        description="Members, published papers, vocabulary tags. Idempotent: 201 when the "
        "tag was added, 200 when the paper had it already.",
        request=s.PaperTagInputSerializer,
        responses={
            201: s.PaperTagOutputSerializer,
            200: s.PaperTagOutputSerializer,
            **WRITE_ERRORS,
        },
    )
    def post(self, request, pk: int):
        data = s.PaperTagInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        tag = self.tag_or_400(data.validated_data["tag"])
        paper_tag, created = paper_tag_add(paper=paper, tag=tag, user=request.user)
        return Response(
            s.PaperTagOutputSerializer(paper_tag).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        tags=TAGS,
        summary="Take a tag off a paper",
        description="Members remove the tags they added (on published papers); moderators "
        "any. The slug goes in the body or in the `tag` query parameter.",
        request=s.PaperTagInputSerializer,
        parameters=[s.PaperTagQueryInputSerializer],
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        source = request.data if request.data else request.query_params
        data = s.PaperTagInputSerializer(data=source)
        data.is_valid(raise_exception=True)
        paper = paper_visible_or_404(pk=pk, viewer=request.user)
        tag = tag_by_slug(data.validated_data["tag"])
        if tag is None:
            raise NotFound(MSG_TAG_NOT_FOUND)
        paper_tag_remove(paper=paper, tag=tag, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
