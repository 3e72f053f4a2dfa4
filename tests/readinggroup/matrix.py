"""The reading group's rows of the permission matrix (tests/curation/test_permission_matrix.py
runs them in-process, test_permission_matrix_live.py over HTTP), and the objects they name.

Roles: anonymous, a member, the session's organizer, a paper's presenter, a moderator. A
body's value "{name}" is the id of that object of the world (see test_permission_matrix.fill).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from readinggroup.models import SessionPaperStatus
from tests.factories import (
    PaperFactory,
    ReadingSessionFactory,
    SessionPaperFactory,
    UserFactory,
)

ANON, MEMBER, ORGANIZER, PRESENTER, MOD = (
    "anonymous",
    "member",
    "organizer",
    "presenter",
    "moderator",
)


def members(code: int) -> dict[str, int]:
    """Every signed-in role alike; anonymous readers are asked to sign in."""
    return {ANON: 401, MEMBER: code, ORGANIZER: code, PRESENTER: code, MOD: code}


def managers(others: int, code: int) -> dict[str, int]:
    """The organizer and moderators get `code`, the other members `others`."""
    return {ANON: 401, MEMBER: others, ORGANIZER: code, PRESENTER: others, MOD: code}


NEW_SESSION = {
    "title": "Matrix reading",
    "local_start": "2031-04-03T18:00",
    "time_zone": "Europe/Paris",
    "duration_minutes": 60,
}
S = "/api/sessions/{session}/"
PAST = "/api/sessions/{past_session}/"

ROWS: list[tuple[str, str, str, dict | None, dict[str, int]]] = [
    ("sessions", "get", "/api/sessions/", None, members(200)),
    ("sessions past", "get", "/api/sessions/?when=past", None, members(200)),
    ("sessions bad when", "get", "/api/sessions/?when=someday", None, members(400)),
    ("session create", "post", "/api/sessions/", NEW_SESSION, members(201)),
    (
        "session create with an offset",
        "post",
        "/api/sessions/",
        {**NEW_SESSION, "local_start": "2031-04-03T18:00+02:00"},
        members(400),
    ),
    (
        "session create unknown field",
        "post",
        "/api/sessions/",
        {**NEW_SESSION, "organizer": "someone"},
        members(400),
    ),
    ("sessions put", "put", "/api/sessions/", {}, members(405)),
    ("session", "get", S, None, members(200)),
    ("session missing", "get", "/api/sessions/999999/", None, members(404)),
    ("session edit", "patch", S, {"place": "Room 9"}, managers(403, 200)),
    ("session edit past", "patch", PAST, {"place": "Room 9"}, managers(403, 409)),
    ("session cancel", "delete", S, None, managers(403, 200)),
    ("session cancel past", "delete", PAST, None, managers(403, 409)),
    ("propose", "post", S + "papers/", {"paper": "{paper}"}, members(201)),
    ("propose twice", "post", S + "papers/", {"paper": "{open_paper}"}, members(409)),
    ("propose pending", "post", S + "papers/", {"paper": "{pending}"}, members(400)),
    ("propose past", "post", PAST + "papers/", {"paper": "{paper}"}, members(409)),
    ("papers get", "get", S + "papers/", None, members(405)),
    ("paper remove", "delete", S + "papers/{open_paper}/", None, managers(403, 204)),
    (
        "paper remove confirmed",
        "delete",
        S + "papers/{confirmed_paper}/",
        None,
        managers(403, 204),
    ),
    ("paper remove missing", "delete", S + "papers/999999/", None, members(404)),
    ("confirm", "post", S + "papers/{open_paper}/confirm/", None, managers(403, 200)),
    (
        "confirm confirmed",
        "post",
        S + "papers/{confirmed_paper}/confirm/",
        None,
        managers(403, 409),
    ),
    (
        "presented upcoming",
        "post",
        S + "papers/{confirmed_paper}/presented/",
        None,
        managers(403, 409),
    ),
    ("presented past", "post", PAST + "papers/{past_paper}/presented/", None, managers(403, 200)),
    (
        "presenter assign",
        "put",
        S + "papers/{open_paper}/presenter/",
        {"presenter": "member"},
        managers(403, 200),
    ),
    (
        "presenter unknown",
        "put",
        S + "papers/{open_paper}/presenter/",
        {"presenter": "nobody-here"},
        members(400),
    ),
    ("volunteer", "post", S + "papers/{open_paper}/volunteer/", None, members(200)),
    (
        "volunteer taken",
        "post",
        S + "papers/{confirmed_paper}/volunteer/",
        None,
        members(409),
    ),
    (
        "step down",
        "delete",
        S + "papers/{confirmed_paper}/volunteer/",
        None,
        {ANON: 401, MEMBER: 403, ORGANIZER: 403, PRESENTER: 200, MOD: 403},
    ),
    ("volunteer past", "post", PAST + "papers/{past_paper}/volunteer/", None, members(409)),
    ("calendar", "get", "/api/sessions/calendar/", None, members(200)),
    ("calendar make", "post", "/api/sessions/calendar/", None, members(201)),
    ("calendar stop", "delete", "/api/sessions/calendar/", None, members(204)),
]

SAMPLE_IDS = {
    "session": 1,
    "past_session": 2,
    "open_paper": 3,
    "confirmed_paper": 4,
    "past_paper": 5,
}


def reading_group_world(users: dict) -> dict[str, int]:
    """Add the organizer and the presenter to `users`; make an upcoming session with a
    proposed paper (no presenter, proposed by the organizer) and a confirmed one (presented
    and proposed by the presenter), and a past session with a confirmed paper. Returns their
    ids."""
    organizer = UserFactory(username="organizer")
    presenter = UserFactory(username="presenter")
    users[ORGANIZER], users[PRESENTER] = organizer, presenter
    session = ReadingSessionFactory(organizer=organizer, title="Matrix session")
    start = timezone.now() - datetime.timedelta(days=2)
    past = ReadingSessionFactory(
        organizer=organizer, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    open_row = SessionPaperFactory(session=session, paper=PaperFactory(), proposed_by=organizer)
    confirmed_row = SessionPaperFactory(
        session=session,
        paper=PaperFactory(),
        status=SessionPaperStatus.CONFIRMED,
        presenter=presenter,
        proposed_by=presenter,
    )
    past_row = SessionPaperFactory(
        session=past,
        paper=PaperFactory(),
        status=SessionPaperStatus.CONFIRMED,
        presenter=presenter,
        proposed_by=presenter,
    )
    return {
        "session": session.pk,
        "past_session": past.pk,
        "open_paper": open_row.paper_id,
        "confirmed_paper": confirmed_row.paper_id,
        "past_paper": past_row.paper_id,
    }
