"""The reading group's pages through Django's test client, per role: the sessions, a session
and the forms each reader gets, scheduling and editing, the paper page's "In reading-group
sessions" and My page's time zone and calendar. Forms post without a script; refusals are the
services' sentences on the form they came from, with what was typed kept."""

import datetime

import pytest
from django.utils import timezone
from django.utils.html import escape

from accounts.services import member_time_zone_set
from frontend import session_pages as pages
from papers.models import PaperStatus
from readinggroup.models import ReadingSession, SessionPaper, SessionPaperStatus, SessionStatus
from readinggroup.services import (
    session_create,
    session_paper_confirm,
    session_paper_propose,
)
from readinggroup.services import sessions as session_rules
from readinggroup.services._guards import MSG_MANAGERS_ONLY
from readinggroup.services.programme import MSG_HAS_PRESENTER, MSG_PAPER_TWICE
from tests.factories import (
    ModeratorFactory,
    PaperFactory,
    ReadingSessionFactory,
    SessionPaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["member", "organizer", "presenter", "moderator"]


@pytest.fixture
def people(db):
    return {
        "member": UserFactory(username="member"),
        "organizer": UserFactory(username="organizer"),
        "presenter": UserFactory(username="presenter"),
        "moderator": ModeratorFactory(username="moderator"),
    }


@pytest.fixture
def group(people):
    """An upcoming session (18:00 in Paris, 3 April 2031) with a confirmed paper presented by
    the presenter and a proposal without a presenter."""
    session = session_create(
        organizer=people["organizer"],
        title="Spring reading",
        local_start=datetime.datetime(2031, 4, 3, 18, 0),
        time_zone="Europe/Paris",
        duration_minutes=60,
        place="Room 4",
        video_url="https://meet.example.org/rg",
    )
    confirmed = PaperFactory(title="Attention Is Enough", arxiv_id="2401.12345")
    proposed = PaperFactory(title="Graphs, Again")
    row = session_paper_propose(
        session=session, paper_id=confirmed.pk, actor=people["presenter"], volunteer=True
    ).session_paper
    session_paper_confirm(session_paper=row, actor=people["organizer"])
    session_paper_propose(session=session, paper_id=proposed.pk, actor=people["member"])
    return {"session": session, "confirmed": confirmed, "proposed": proposed}


def as_(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- Who may open what --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/sessions/", "/sessions/new/", "/sessions/{pk}/", "/sessions/{pk}/edit/"]
)
def test_anonymous_readers_are_asked_to_log_in(client, group, url):
    response = client.get(url.format(pk=group["session"].pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ROLES)
def test_every_member_sees_the_sessions_and_a_session(client, people, group, role):
    as_(client, people[role])

    listing = client.get("/sessions/")
    page = client.get(f"/sessions/{group['session'].pk}/")

    assert listing.status_code == page.status_code == 200
    assert "Spring reading" in text(listing) and "Attention Is Enough" in text(listing)
    assert "presented by presenter" in text(page)
    assert "https://meet.example.org/rg" in text(page)
    assert 'href="/sessions/"' in text(page)  # the header's link


@pytest.mark.parametrize(
    ("role", "edit", "confirm", "volunteer", "step_down", "cancel"),
    [
        ("member", False, False, True, False, False),
        ("presenter", False, False, True, True, False),
        ("organizer", True, True, True, False, True),
        ("moderator", True, True, True, False, True),
    ],
)
def test_each_role_gets_its_own_forms(
    client, people, group, role, edit, confirm, volunteer, step_down, cancel
):
    page = text(as_(client, people[role]).get(f"/sessions/{group['session'].pk}/"))

    assert ("Edit the session" in page) is edit
    assert ('value="confirm"' in page) is confirm
    assert ('value="presenter"' in page) is confirm  # assign or change presenters
    assert ('value="volunteer"' in page) is volunteer  # the proposal has no presenter
    assert ('value="step_down"' in page) is step_down
    assert ('value="cancel"' in page) is cancel
    assert 'value="propose"' in page
    # The member who proposed "Graphs, Again" may take it back; so may the managers.
    assert ('value="remove"' in page) is (role != "presenter")


@pytest.mark.parametrize("role", ["member", "presenter"])
def test_only_the_organizer_and_moderators_open_the_edit_page(client, people, group, role):
    response = as_(client, people[role]).get(f"/sessions/{group['session'].pk}/edit/")

    assert response.status_code == 403
    assert escape(pages.MSG_MANAGERS_ONLY) in text(response)


def test_a_missing_session_is_a_404_with_its_sentence(client, people):
    response = as_(client, people["member"]).get("/sessions/999999/")

    assert response.status_code == 404
    assert pages.MSG_NO_SUCH_SESSION in text(response)


# --- Times --------------------------------------------------------------------------------


def test_times_show_in_the_reader_s_zone_with_the_session_s_own(client, people, group):
    member = people["member"]
    member_time_zone_set(user=member, time_zone="America/New_York")

    page = text(as_(client, member).get(f"/sessions/{group['session'].pk}/"))
    listing = text(client.get("/sessions/"))

    # 18:00 in Paris on 3 April 2031 is 12:00 in New York (both on summer time).
    for body in (page, listing):
        assert "Thu 3 Apr 2031, 12:00</time>–13:00 EDT" in body
        assert "(18:00 in Europe/Paris)" in body
    assert 'datetime="2031-04-03T12:00:00-04:00"' in page


def test_a_reader_in_the_session_s_zone_sees_no_second_time(client, people, group):
    member_time_zone_set(user=people["member"], time_zone="Europe/Paris")

    page = text(as_(client, people["member"]).get(f"/sessions/{group['session'].pk}/"))

    assert "Thu 3 Apr 2031, 18:00</time>–19:00 CEST" in page
    assert "in Europe/Paris)" not in page


# --- Scheduling and editing ---------------------------------------------------------------

FORM = {
    "title": "Autumn reading",
    "date": "2031-10-02",
    "time": "17:30",
    "time_zone": "Europe/Paris",
    "duration_minutes": "75",
    "place": "Room 2",
    "video_url": "",
    "description": "Bring a paper.",
}


def test_a_member_schedules_a_session_and_lands_on_its_page(client, people):
    response = as_(client, people["member"]).post("/sessions/new/", FORM, follow=True)

    session = ReadingSession.objects.get()
    assert response.redirect_chain == [(f"/sessions/{session.pk}/", 302)]
    assert pages.MSG_CREATED.format(title="Autumn reading") in text(response)
    assert session.organizer == people["member"]
    assert session.local_starts_at.strftime("%Y-%m-%d %H:%M") == "2031-10-02 17:30"
    assert session.duration_minutes == 75


def test_the_new_session_form_starts_in_the_member_s_zone(client, people):
    member_time_zone_set(user=people["member"], time_zone="Asia/Tokyo")

    page = text(as_(client, people["member"]).get("/sessions/new/"))

    assert "<option selected>Asia/Tokyo</option>" in page


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"title": ""}, "session-title-error", session_rules.MSG_TITLE_REQUIRED),
        ({"date": "tomorrow"}, "session-start-error", session_rules.MSG_START_REQUIRED),
        ({"date": "2020-01-01"}, "session-start-error", session_rules.MSG_START_IN_PAST),
        (
            {"date": "2031-03-30", "time": "02:30"},
            "session-start-error",
            session_rules.MSG_START_SKIPPED.format(time="02:30", zone="Europe/Paris"),
        ),
        ({"duration_minutes": "an hour"}, "session-duration-error", session_rules.MSG_DURATION),
        (
            {"video_url": "ftp://example.org/x"},
            "session-video-error",
            session_rules.MSG_VIDEO_URL_INVALID,
        ),
    ],
)
def test_a_refused_session_shows_the_sentence_by_its_field_and_keeps_what_was_typed(
    client, people, changes, field_id, message
):
    response = as_(client, people["member"]).post("/sessions/new/", {**FORM, **changes})

    assert response.status_code == 200
    body = text(response)
    assert f'id="{field_id}">{escape(message)}</span>' in body
    assert 'value="Room 2"' in body and "Bring a paper." in body
    assert ReadingSession.objects.count() == 0


@pytest.mark.parametrize("role", ["organizer", "moderator"])
def test_the_organizer_or_a_moderator_edits_the_session(client, people, group, role):
    session = group["session"]
    client = as_(client, people[role])
    form = text(client.get(f"/sessions/{session.pk}/edit/"))
    assert 'value="2031-04-03"' in form and 'value="18:00"' in form

    response = client.post(
        f"/sessions/{session.pk}/edit/",
        {**FORM, "title": "Spring reading, moved", "date": "2031-04-10", "time": "18:00"},
        follow=True,
    )

    session.refresh_from_db()
    assert pages.MSG_SAVED.format(title="Spring reading, moved") in text(response)
    assert session.title == "Spring reading, moved"
    assert session.starts_at == datetime.datetime(2031, 4, 10, 16, 0, tzinfo=datetime.UTC)


def test_a_past_session_s_edit_page_says_it_no_longer_changes(client, people):
    start = timezone.now() - datetime.timedelta(days=3)
    past = ReadingSessionFactory(
        organizer=people["organizer"], starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )

    page = text(as_(client, people["organizer"]).get(f"/sessions/{past.pk}/edit/"))

    assert escape(pages.MSG_SESSION_STARTED) in page


# --- The programme's forms ----------------------------------------------------------------


def post(client, session, **data):
    return client.post(f"/sessions/{session.pk}/", data, follow=True)


@pytest.mark.parametrize(
    "reference", ["{pk}", "/papers/{pk}/", "http://x.org/papers/{pk}/", "arXiv:2409.00001v2"]
)
def test_a_member_proposes_a_paper_by_its_number_address_or_arxiv_id(
    client, people, group, reference
):
    paper = PaperFactory(title="Fresh Results", arxiv_id="2409.00001")

    response = post(
        as_(client, people["member"]),
        group["session"],
        action="propose",
        reference=reference.format(pk=paper.pk),
        volunteer="yes",
    )

    assert pages.MSG_PROPOSED.format(paper="Fresh Results", session="Spring reading") in text(
        response
    )
    row = SessionPaper.objects.get(paper=paper)
    assert (row.proposed_by, row.presenter) == (people["member"], people["member"])


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("not a paper", pages.MSG_NO_PAPER.format(reference="not a paper")),
        ("{proposed}", MSG_PAPER_TWICE),
    ],
)
def test_a_refused_proposal_shows_its_sentence_on_the_form(
    client, people, group, reference, message
):
    typed = reference.format(proposed=group["proposed"].pk)
    response = post(
        as_(client, people["member"]), group["session"], action="propose", reference=typed
    )

    body = text(response)
    assert response.redirect_chain == []
    assert f'id="propose-error">{escape(message)}</p>' in body
    assert f'value="{escape(typed)}"' in body
    assert SessionPaper.objects.count() == 2


def test_a_hidden_paper_is_not_found_by_its_number(client, people, group):
    hidden = PaperFactory(status=PaperStatus.HIDDEN)

    body = text(
        post(
            as_(client, people["member"]),
            group["session"],
            action="propose",
            reference=str(hidden.pk),
        )
    )

    assert escape(pages.MSG_NO_PAPER.format(reference=hidden.pk)) in body


def test_volunteering_confirming_and_a_taken_paper(client, people, group):
    session, proposed = group["session"], group["proposed"]

    done = post(as_(client, people["presenter"]), session, action="volunteer", paper=proposed.pk)
    assert pages.MSG_VOLUNTEERED.format(paper="Graphs, Again") in text(done)
    assert done.redirect_chain[-1][0].endswith(f"#paper-{proposed.pk}")

    taken = post(as_(client, people["member"]), session, action="volunteer", paper=proposed.pk)
    assert f'id="paper-{proposed.pk}-error">{escape(MSG_HAS_PRESENTER)}</p>' in text(taken)

    confirmed = post(as_(client, people["organizer"]), session, action="confirm", paper=proposed.pk)
    assert pages.MSG_CONFIRMED.format(paper="Graphs, Again") in text(confirmed)
    row = SessionPaper.objects.get(paper=proposed)
    assert (row.status, row.presenter) == (SessionPaperStatus.CONFIRMED, people["presenter"])


def test_a_member_posting_a_managers_form_gets_the_service_s_sentence(client, people, group):
    response = post(
        as_(client, people["member"]),
        group["session"],
        action="confirm",
        paper=group["proposed"].pk,
    )

    assert escape(MSG_MANAGERS_ONLY) in text(response)
    assert SessionPaper.objects.get(paper=group["proposed"]).status == SessionPaperStatus.PROPOSED


def test_the_organizer_assigns_a_presenter_by_name_and_a_wrong_name_is_told(client, people, group):
    client = as_(client, people["organizer"])
    session, proposed = group["session"], group["proposed"]

    wrong = post(client, session, action="presenter", paper=proposed.pk, presenter="nobody")
    body = text(wrong)
    assert escape(pages.MSG_NO_MEMBER.format(name="nobody")) in body
    assert 'value="nobody"' in body and '<details class="presenter-form" open>' in body

    right = post(client, session, action="presenter", paper=proposed.pk, presenter="member")
    assert pages.MSG_PRESENTER_SET.format(paper="Graphs, Again", name="member") in text(right)


def test_cancelling_needs_the_box_ticked(client, people, group):
    client = as_(client, people["organizer"])
    session = group["session"]

    unticked = post(client, session, action="cancel")
    assert f'id="cancel-error">{escape(pages.MSG_CONFIRM_CANCEL)}</p>' in text(unticked)
    ticked = post(client, session, action="cancel", confirm="yes")

    session.refresh_from_db()
    assert session.status == SessionStatus.CANCELLED
    body = text(ticked)
    assert "This session was cancelled." in body
    assert 'value="propose"' not in body and 'value="volunteer"' not in body


def test_a_past_session_offers_only_marking_presented(client, people):
    start = timezone.now() - datetime.timedelta(days=1)
    past = ReadingSessionFactory(
        organizer=people["organizer"], starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    row = SessionPaperFactory(session=past, status=SessionPaperStatus.CONFIRMED)
    client = as_(client, people["organizer"])

    page = text(client.get(f"/sessions/{past.pk}/"))
    assert 'value="presented"' in page
    assert not any(f'value="{a}"' in page for a in ("propose", "confirm", "remove", "cancel"))

    post(client, past, action="presented", paper=row.paper_id)
    row.refresh_from_db()
    assert row.status == SessionPaperStatus.PRESENTED


def test_an_unknown_action_is_a_400(client, people, group):
    response = as_(client, people["member"]).post(
        f"/sessions/{group['session'].pk}/", {"action": "explode"}
    )

    assert response.status_code == 400


def test_the_list_pages_past_sessions(client, people):
    now = timezone.now()
    for i in range(pages.PAST_PAGE_SIZE + 3):
        start = now - datetime.timedelta(days=i + 1)
        ReadingSessionFactory(
            title=f"Old {i:02d}", starts_at=start, ends_at=start + datetime.timedelta(hours=1)
        )
    client = as_(client, people["member"])

    first = text(client.get("/sessions/"))
    second = text(client.get("/sessions/?page=2"))

    assert "Old 00" in first and "Old 19" in first and "Old 20" not in first
    assert 'href="?page=2#past-h"' in first
    assert "Old 20" in second and "Old 22" in second and 'href="?page=1#past-h"' in second
    assert client.get("/sessions/?page=x").status_code == 400


# --- Other pages' parts -------------------------------------------------------------------


def test_a_paper_s_page_lists_its_sessions_to_members_and_offers_to_propose_it(
    client, people, group
):
    ReadingSessionFactory(title="Later reading")
    url = f"/papers/{group['confirmed'].pk}/"

    anonymous = text(client.get(url))
    member = text(as_(client, people["member"]).get(url))

    assert "In reading-group sessions" not in anonymous
    assert "In reading-group sessions" in member
    assert f'href="/sessions/{group["session"].pk}/">Spring reading</a>' in member
    assert "presented by presenter" in member
    # The open sessions it is not on yet.
    assert "Later reading (" in member and "Spring reading (" not in member


def test_proposing_from_a_paper_s_page_comes_back_to_it(client, people, group):
    later = ReadingSessionFactory(title="Later reading")
    paper = group["proposed"]
    client = as_(client, people["member"])

    response = client.post(
        "/sessions/propose/",
        {"session": later.pk, "paper": paper.pk, "volunteer": "yes"},
        follow=True,
    )
    again = client.post("/sessions/propose/", {"session": later.pk, "paper": paper.pk}, follow=True)

    assert response.redirect_chain == [(f"/papers/{paper.pk}/#sessions-h", 302)]
    assert pages.MSG_PROPOSED.format(paper="Graphs, Again", session="Later reading") in text(
        response
    )
    assert SessionPaper.objects.get(session=later).presenter == people["member"]
    assert escape(MSG_PAPER_TWICE) in text(again)


def test_proposing_from_a_paper_s_page_with_a_forged_form_is_told_not_a_server_error(
    client, people, group
):
    client = as_(client, people["member"])
    for session, paper in (("x", "1"), (str(group["session"].pk), "9" * 5000), ("9" * 30, "")):
        response = client.post("/sessions/propose/", {"session": session, "paper": paper})
        assert response.status_code == 302
    assert client.get("/sessions/propose/").status_code == 405


def test_my_page_sets_my_time_zone_and_holds_my_calendar(client, people):
    client = as_(client, people["member"])

    page = text(client.get("/me/"))
    assert "My time zone" in page and "My reading-group calendar" in page
    assert "You have no calendar address." in page

    response = client.post("/me/time-zone/", {"time_zone": "Asia/Tokyo"}, follow=True)
    assert response.redirect_chain == [("/me/#time-zone-h", 302)]
    assert pages.MSG_TIME_ZONE_SET.format(zone="Asia/Tokyo") in text(response)
    assert "<option selected>Asia/Tokyo</option>" in text(response)

    wrong = client.post("/me/time-zone/", {"time_zone": "Mars/Olympus"}, follow=True)
    assert "is not a time zone this site knows" in text(wrong)
    back = client.post("/me/time-zone/", {"time_zone": ""}, follow=True)
    assert escape(pages.MSG_TIME_ZONE_DEFAULT.format(zone="UTC")) in text(back)


def test_a_paper_s_sessions_part_is_shared_and_every_write_to_the_sessions_is_seen_at_once(
    client, people
):
    from readinggroup.services import session_cancel

    paper = PaperFactory(title="Shared Sessions")
    url = f"/papers/{paper.pk}/"
    reader = as_(client, people["member"])
    assert "Evening reading (" not in text(reader.get(url))  # the part is kept now
    start = timezone.localtime() + datetime.timedelta(days=3)
    session = session_create(
        organizer=people["member"],
        title="Evening reading",
        local_start=start.replace(tzinfo=None),
        time_zone="UTC",
        duration_minutes=60,
    )
    assert "Evening reading (" in text(reader.get(url))  # open for proposals, at once
    session_paper_propose(session=session, paper_id=paper.pk, actor=people["member"])
    page = text(reader.get(url))
    assert f'href="/sessions/{session.pk}/">Evening reading</a>' in page
    assert "Evening reading (" not in page  # listed, so no longer offered
    assert '<span class="state state-cancelled">Cancelled</span>' not in page
    session_cancel(session=session, actor=people["member"])
    assert '<span class="state state-cancelled">Cancelled</span>' in text(reader.get(url))
