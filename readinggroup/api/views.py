"""The reading group over HTTP: sessions, their programme, volunteering, and my calendar
feed's address. Members only (401 otherwise).

Views validate input with plain serializers, find what the path names through the selectors
(a session any member sees; a paper of its programme the reader may open) and call a service,
which checks the role and the session's state and raises DomainError. A programme change
answers the paper's row as it is now.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.private_feeds import PrivateFeedView
from accounts.roles import Viewer
from accounts.time_zones import member_time_zone
from config.api.pagination import NumberedPagination
from config.api.schema import E401, E429, READ_ERRORS, WRITE_ERRORS
from readinggroup import selectors
from readinggroup.api import serializers as s
from readinggroup.models import CalendarFeed, ReadingSession, SessionPaper
from readinggroup.services import (
    session_cancel,
    session_create,
    session_paper_confirm,
    session_paper_mark_presented,
    session_paper_presenter_set,
    session_paper_propose,
    session_paper_remove,
    session_paper_step_down,
    session_paper_volunteer,
    session_update,
)

TAGS = ["reading group"]
MSG_SESSION_NOT_FOUND = "There is no such session."
MSG_PAPER_NOT_IN_SESSION = "This paper is not on this session's programme."
MSG_NO_SUCH_MEMBER = "There is no member named “{name}”."
READS = {401: E401, **READ_ERRORS}


def session_or_404(*, pk: int, viewer: Viewer) -> ReadingSession:
    session = selectors.session_detail(pk=pk, viewer=viewer)
    if session is None:
        raise NotFound(MSG_SESSION_NOT_FOUND)
    return session


def session_paper_or_404(*, pk: int, paper_id: int, viewer: Viewer) -> SessionPaper:
    session = selectors.session_of(pk=pk, viewer=viewer)
    if session is None:
        raise NotFound(MSG_SESSION_NOT_FOUND)
    row = selectors.session_paper_of(session=session, paper_id=paper_id, viewer=viewer)
    if row is None:
        raise NotFound(MSG_PAPER_NOT_IN_SESSION)
    row.session = session
    return row


def session_response(request, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    """The session as it is now (read again, with its programme)."""
    session = session_or_404(pk=pk, viewer=request.user)
    body = s.SessionOutputSerializer(session, context={"request": request}).data
    return Response(body, status=status_code)


def row_response(request, row: SessionPaper | None, *, status_code=status.HTTP_200_OK):
    if row is None:
        return Response(status=status.HTTP_204_NO_CONTENT)
    row = selectors.session_paper_by_pk(pk=row.pk)
    body = s.SessionPaperOutputSerializer(row, context={"request": request}).data
    return Response(body, status=status_code)


class SessionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="List sessions",
        operation_id="sessions_list",
        description="Upcoming sessions (the soonest first; one under way included) or past "
        "ones (`when=past`, the latest first), each with its papers. Numbered pages: an "
        "upcoming session's start may still move.",
        parameters=[s.SessionListInputSerializer],
        responses={200: s.SessionListOutputSerializer, **READS},
    )
    def get(self, request):
        params = s.SessionListInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        sessions = selectors.sessions_list(viewer=request.user, when=params.validated_data["when"])
        paginator = NumberedPagination()
        # A page: the count, the sessions with their organizers, and one query for all
        # their papers (selectors.programme_of).
        rows = paginator.paginate_queryset(sessions, request, view=self)
        body = s.SessionOutputSerializer(rows, many=True, context={"request": request}).data
        return paginator.get_paginated_response(body)

    @extend_schema(
        tags=TAGS,
        summary="Schedule a session",
        description="Members; you organize it. It starts in the future, at `local_start` in "
        "`time_zone` (default: your time zone): a time the clocks skip there that day is "
        "refused, one they pass twice is the first.",
        request=s.SessionCreateInputSerializer,
        responses={201: s.SessionOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request):
        data = s.SessionCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.setdefault("time_zone", member_time_zone(request.user).key)
        session = session_create(organizer=request.user, **values)
        return session_response(request, session.pk, status_code=status.HTTP_201_CREATED)


class SessionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="A session",
        responses={200: s.SessionOutputSerializer, **READS},
    )
    def get(self, request, pk: int):
        return session_response(request, pk)

    @extend_schema(
        tags=TAGS,
        summary="Change a session",
        description="Its organizer or a moderator, while it has not started. Fields left out "
        "keep their value; each change raises `sequence`.",
        request=s.SessionUpdateInputSerializer,
        responses={200: s.SessionOutputSerializer, **WRITE_ERRORS},
    )
    def patch(self, request, pk: int):
        data = s.SessionUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = session_or_404(pk=pk, viewer=request.user)
        session_update(session=session, actor=request.user, changes=data.validated_data)
        return session_response(request, pk)

    @extend_schema(
        tags=TAGS,
        summary="Cancel a session",
        operation_id="sessions_cancel",
        description="Its organizer or a moderator, while it has not started. The session "
        "stays, marked cancelled (calendars learn of it); it changes no more.",
        request=None,
        responses={200: s.SessionOutputSerializer, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int):
        session = session_or_404(pk=pk, viewer=request.user)
        session_cancel(session=session, actor=request.user)
        return session_response(request, pk)


class SessionPapersView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Propose a paper",
        description="Members, for a session that has not started: a published paper you may "
        "open, once per session. With `volunteer`, you present it.",
        request=s.ProposeInputSerializer,
        responses={201: s.SessionPaperOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int):
        data = s.ProposeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = session_or_404(pk=pk, viewer=request.user)
        change = session_paper_propose(
            session=session,
            paper_id=data.validated_data["paper"],
            actor=request.user,
            volunteer=data.validated_data["volunteer"],
        )
        return row_response(request, change.session_paper, status_code=status.HTTP_201_CREATED)


class SessionPaperView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Remove a paper",
        description="The organizer or a moderator, or who proposed it while it is only "
        "proposed; while the session has not started.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int, paper_id: int):
        row = session_paper_or_404(pk=pk, paper_id=paper_id, viewer=request.user)
        session_paper_remove(session_paper=row, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionPaperConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Confirm a proposed paper",
        description="The organizer or a moderator, while the session has not started.",
        request=None,
        responses={200: s.SessionPaperOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int, paper_id: int):
        row = session_paper_or_404(pk=pk, paper_id=paper_id, viewer=request.user)
        change = session_paper_confirm(session_paper=row, actor=request.user)
        return row_response(request, change.session_paper)


class SessionPaperPresentedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Mark a confirmed paper presented",
        description="The organizer or a moderator, once the session has started (and was "
        "not cancelled).",
        request=None,
        responses={200: s.SessionPaperOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int, paper_id: int):
        row = session_paper_or_404(pk=pk, paper_id=paper_id, viewer=request.user)
        change = session_paper_mark_presented(session_paper=row, actor=request.user)
        return row_response(request, change.session_paper)


class SessionPaperPresenterView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Assign or change a paper's presenter",
        description="The organizer or a moderator, while the session has not started. "
        "`presenter` is a member's user name, or null for none.",
        request=s.PresenterInputSerializer,
        responses={200: s.SessionPaperOutputSerializer, **WRITE_ERRORS},
    )
    def put(self, request, pk: int, paper_id: int):
        data = s.PresenterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = session_paper_or_404(pk=pk, paper_id=paper_id, viewer=request.user)
        name = data.validated_data["presenter"]
        presenter = None
        if name is not None:
            presenter = selectors.member_named(name)
            if presenter is None:
                raise ValidationError({"presenter": [MSG_NO_SUCH_MEMBER.format(name=name)]})
        change = session_paper_presenter_set(
            session_paper=row, actor=request.user, presenter=presenter
        )
        return row_response(request, change.session_paper)


class SessionPaperVolunteerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Volunteer to present a paper",
        description="Members, for a paper without a presenter, while the session has not started.",
        request=None,
        responses={200: s.SessionPaperOutputSerializer, **WRITE_ERRORS},
    )
    def post(self, request, pk: int, paper_id: int):
        row = session_paper_or_404(pk=pk, paper_id=paper_id, viewer=request.user)
        change = session_paper_volunteer(session_paper=row, actor=request.user)
        return row_response(request, change.session_paper)

    @extend_schema(
        tags=TAGS,
        summary="Step down as a paper's presenter",
        description="Its presenter, while the session has not started. The paper stays.",
        request=None,
        responses={200: s.SessionPaperOutputSerializer, **WRITE_ERRORS},
    )
    def delete(self, request, pk: int, paper_id: int):
        row = session_paper_or_404(pk=pk, paper_id=paper_id, viewer=request.user)
        change = session_paper_step_down(session_paper=row, actor=request.user)
        return row_response(request, change.session_paper)


@extend_schema_view(
    get=extend_schema(
        tags=TAGS,
        summary="My calendar feed",
        description="Whether I have a private calendar address, and its prefix; never the "
        "address itself.",
        responses={200: s.CalendarFeedSummaryOutputSerializer, 401: E401, 429: E429},
    ),
    post=extend_schema(
        tags=TAGS,
        summary="Make or rotate my calendar feed's address",
        description="An iCalendar feed of the sessions (upcoming, and those of the last 30 "
        "days), at a private address shown once. An older address stops working at once.",
        request=None,
        responses={201: s.CalendarFeedCreatedOutputSerializer, **WRITE_ERRORS},
    ),
    delete=extend_schema(
        tags=TAGS,
        summary="Stop my calendar feed",
        description="Its address stops working at once. Idempotent.",
        request=None,
        responses={204: None, **WRITE_ERRORS},
    ),
)
class CalendarFeedView(PrivateFeedView):
    feed_model = CalendarFeed
    feed_url_name = "session-calendar"
    summary_serializer = s.CalendarFeedSummaryOutputSerializer
    created_serializer = s.CalendarFeedCreatedOutputSerializer
