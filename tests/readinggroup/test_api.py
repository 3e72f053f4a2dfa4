"""The reading group's API: the shape of its answers, its input rules, what each reader sees,
and a constant number of queries per list page. (Every endpoint's status per role is in the
permission matrix, tests/curation/test_permission_matrix.py.)"""

import datetime

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from accounts.services import member_time_zone_set
from papers.models import PaperStatus
from readinggroup.api.serializers import MSG_NO_OFFSET
from readinggroup.models import ReadingSession, SessionPaper, SessionPaperStatus
from readinggroup.services import session_paper_propose
from readinggroup.services.programme import MSG_PAPER_NOT_AVAILABLE
from tests.api_clients import client_for
from tests.factories import (
    PaperFactory,
    ReadingSessionFactory,
    SessionPaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = {
    "title": "Diffusion, slowly",
    "local_start": "2031-04-03T18:00",
    "time_zone": "Europe/Paris",
    "duration_minutes": 90,
    "place": "Room 4",
    "video_url": "https://meet.example.org/rg",
    "description": "Bring questions.",
}


def test_a_member_schedules_a_session_and_reads_it_back(member):
    response = client_for(member).post("/api/sessions/", NEW, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    session = ReadingSession.objects.get()
    assert body == {
        "id": session.pk,
        "title": "Diffusion, slowly",
        "starts_at": "2031-04-03T16:00:00Z",
        "ends_at": "2031-04-03T17:30:00Z",
        "time_zone": "Europe/Paris",
        "local_start": "2031-04-03T18:00",
        "duration_minutes": 90,
        "place": "Room 4",
        "video_url": "https://meet.example.org/rg",
        "description": "Bring questions.",
        "organizer": "member",
        "status": "scheduled",
        "sequence": 0,
        "updated_at": body["updated_at"],
        "papers": [],
        "can_manage": True,
        "page_url": f"http://testserver/sessions/{session.pk}/",
    }
    assert client_for(UserFactory()).get(f"/api/sessions/{session.pk}/").json()["can_manage"] is (
        False
    )


def test_the_time_zone_defaults_to_the_member_s_own_then_the_site_s(member, other, settings):
    member_time_zone_set(user=member, time_zone="Asia/Tokyo")
    without_zone = {k: v for k, v in NEW.items() if k != "time_zone"}

    mine = client_for(member).post("/api/sessions/", without_zone, format="json").json()
    site = client_for(other).post("/api/sessions/", without_zone, format="json").json()

    assert (mine["time_zone"], mine["starts_at"]) == ("Asia/Tokyo", "2031-04-03T09:00:00Z")
    assert (site["time_zone"], site["starts_at"]) == (settings.TIME_ZONE, "2031-04-03T18:00:00Z")


@pytest.mark.parametrize(
    "value", ["2031-04-03T18:00Z", "2031-04-03T18:00+02:00", "2031-04-03T18:00-05:00"]
)
def test_a_start_with_an_offset_is_refused_the_zone_is_named_apart(member, value):
    response = client_for(member).post(
        "/api/sessions/", {**NEW, "local_start": value}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"local_start": [MSG_NO_OFFSET]}


def test_the_services_sentences_come_back_naming_their_field(member):
    response = client_for(member).post(
        "/api/sessions/", {**NEW, "video_url": "javascript:alert(1)"}, format="json"
    )

    error = response.json()["error"]
    assert response.status_code == 400
    assert error["fields"] == {
        "video_url": ["A video link is a web address starting with http:// or https://."]
    }


def test_the_organizer_changes_some_details_and_cancels(session, organizer):
    client = client_for(organizer)

    changed = client.patch(
        f"/api/sessions/{session.pk}/", {"local_start": "2031-04-03T19:00"}, format="json"
    ).json()
    cancelled = client.delete(f"/api/sessions/{session.pk}/")

    assert changed["local_start"] == "2031-04-03T19:00"
    assert changed["starts_at"] == "2031-04-03T17:00:00Z"
    assert (changed["title"], changed["sequence"]) == ("Transformers, again", 1)
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["sequence"]) == ("cancelled", 2)


def test_the_programme_through_the_api(session, organizer, member, other, paper):
    base = f"/api/sessions/{session.pk}/papers/"

    proposed = client_for(member).post(base, {"paper": paper.pk}, format="json")
    volunteered = client_for(other).post(f"{base}{paper.pk}/volunteer/")
    confirmed = client_for(organizer).post(f"{base}{paper.pk}/confirm/")
    reassigned = client_for(organizer).put(
        f"{base}{paper.pk}/presenter/", {"presenter": "MEMBER"}, format="json"
    )
    cleared = client_for(organizer).put(
        f"{base}{paper.pk}/presenter/", {"presenter": None}, format="json"
    )

    assert proposed.status_code == 201
    assert proposed.json() == {
        "paper": {
            "id": paper.pk,
            "title": "Attention Is Enough",
            "arxiv_id": None,
            "url": f"http://testserver/api/papers/{paper.pk}/",
        },
        "status": "proposed",
        "presenter": None,
        "proposed_by": "member",
        "proposed_at": proposed.json()["proposed_at"],
    }
    assert volunteered.json()["presenter"] == "other"
    assert confirmed.json()["status"] == "confirmed"
    assert reassigned.json()["presenter"] == "member"  # user names are case-insensitive
    assert cleared.json()["presenter"] is None
    session_page = client_for(member).get(f"/api/sessions/{session.pk}/").json()
    assert [(p["paper"]["id"], p["status"]) for p in session_page["papers"]] == [
        (paper.pk, "confirmed")
    ]
    assert session_page["sequence"] == 5

    removed = client_for(organizer).delete(f"{base}{paper.pk}/")
    assert removed.status_code == 204
    assert SessionPaper.objects.count() == 0


def test_a_paper_that_is_not_published_is_refused_as_a_missing_one(session, member):
    for paper_id in (PaperFactory(status=PaperStatus.HIDDEN).pk, 999999):
        response = client_for(member).post(
            f"/api/sessions/{session.pk}/papers/", {"paper": paper_id}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["error"]["fields"] == {"paper": [MSG_PAPER_NOT_AVAILABLE]}


def test_a_paper_hidden_later_leaves_the_programme_of_those_who_may_not_open_it(
    session, member, moderator, paper
):
    session_paper_propose(session=session, paper_id=paper.pk, actor=member)
    paper.status = PaperStatus.HIDDEN
    paper.save()

    seen_by_member = client_for(member).get(f"/api/sessions/{session.pk}/").json()["papers"]
    seen_by_moderator = client_for(moderator).get(f"/api/sessions/{session.pk}/").json()["papers"]
    volunteer = client_for(member).post(f"/api/sessions/{session.pk}/papers/{paper.pk}/volunteer/")

    assert seen_by_member == []
    assert [p["paper"]["id"] for p in seen_by_moderator] == [paper.pk]
    assert volunteer.status_code == 404


def test_upcoming_sessions_come_soonest_first_and_past_ones_latest_first(member):
    now = timezone.now()
    for title, days in (
        ("In two weeks", 14),
        ("Tomorrow", 1),
        ("Last month", -30),
        ("Last week", -7),
    ):
        start = now + datetime.timedelta(days=days)
        ReadingSessionFactory(
            title=title, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
    under_way = now - datetime.timedelta(minutes=5)
    ReadingSessionFactory(
        title="Now", starts_at=under_way, ends_at=under_way + datetime.timedelta(hours=1)
    )
    client = client_for(member)

    upcoming = client.get("/api/sessions/").json()
    past = client.get("/api/sessions/?when=past").json()

    assert [s["title"] for s in upcoming["results"]] == ["Now", "Tomorrow", "In two weeks"]
    assert [s["title"] for s in past["results"]] == ["Last week", "Last month"]
    assert (upcoming["count"], past["count"]) == (3, 2)


def test_my_calendar_address_is_shown_once_and_works(client, member):
    api = client_for(member)

    assert api.get("/api/sessions/calendar/").json() == {
        "exists": False,
        "prefix": None,
        "created_at": None,
    }
    made = api.post("/api/sessions/calendar/")
    summary = api.get("/api/sessions/calendar/").json()

    assert made.status_code == 201
    assert made["Cache-Control"] == "no-store"
    url = made.json()["url"]
    assert url.startswith("http://testserver/sessions/calendar/") and url.endswith(".ics")
    assert summary["exists"] is True and url.split("/")[-1].startswith(summary["prefix"])
    assert url not in str(summary)
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert api.delete("/api/sessions/calendar/").status_code == 204
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


# --- Queries ------------------------------------------------------------------------------

SESSIONS = 60


@pytest.fixture
def busy_group(db):
    now = timezone.now()
    people = [UserFactory() for _ in range(3)]
    for i in range(SESSIONS):
        for days in (i + 1, -(i + 1)):  # one upcoming, one past
            start = now + datetime.timedelta(days=days)
            session = ReadingSessionFactory(
                organizer=people[i % 3],
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
            )
            for j in range(2):
                SessionPaperFactory(
                    session=session,
                    proposed_by=people[j],
                    presenter=people[(i + j) % 3],
                    status=SessionPaperStatus.CONFIRMED,
                )
    return people[0]


@pytest.mark.parametrize("when", ["upcoming", "past"])
def test_a_list_page_runs_three_queries_whatever_its_size(
    busy_group, django_assert_num_queries, when
):
    client = client_for(busy_group)
    client.get("/api/sessions/")  # warm-up
    for size in (1, 50):
        # COUNT, the sessions with their organizers, and their papers with their paper,
        # presenter and proposer.
        with django_assert_num_queries(3):
            response = client.get(f"/api/sessions/?when={when}&page_size={size}")
        body = response.json()
        assert len(body["results"]) == size
        assert all(len(s["papers"]) == 2 for s in body["results"])


def test_the_schema_documents_every_endpoint(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]

    expected = {
        "/api/sessions/": {"get", "post"},
        "/api/sessions/{id}/": {"get", "patch", "delete"},
        "/api/sessions/{id}/papers/": {"post"},
        "/api/sessions/{id}/papers/{paper_id}/": {"delete"},
        "/api/sessions/{id}/papers/{paper_id}/confirm/": {"post"},
        "/api/sessions/{id}/papers/{paper_id}/presented/": {"post"},
        "/api/sessions/{id}/papers/{paper_id}/presenter/": {"put"},
        "/api/sessions/{id}/papers/{paper_id}/volunteer/": {"post", "delete"},
        "/api/sessions/calendar/": {"get", "post", "delete"},
    }
    found = {path: set(paths[path]) - {"parameters"} for path in paths if "/sessions" in path}
    assert found == expected
    create = paths["/api/sessions/"]["post"]
    assert {"201", "400", "401", "403"} <= set(create["responses"])
