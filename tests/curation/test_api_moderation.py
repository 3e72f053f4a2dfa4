"""Moderation API: the queue, the public log with its filters and pages; digest days."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from curation.models import Comment, CommentFlag, ModerationEvent
from papers.models import PaperStatus
from tests.api_clients import client_for
from tests.factories import (
    DigestEntryFactory,
    DigestFactory,
    ModeratorFactory,
    PaperFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_the_queue_lists_pending_papers_and_flagged_comments():
    submitter = UserFactory(username="sub")
    older = PaperFactory(
        title="Older", status=PaperStatus.PENDING, first_digest_on=None, submitted_by=submitter
    )
    PaperFactory(title="Newer", status=PaperStatus.PENDING, first_digest_on=None)
    PaperFactory(title="Published")
    paper = PaperFactory()
    now = timezone.now()
    once, twice, clean = (
        Comment.objects.create(
            paper=paper, author=UserFactory(), body=b, body_html=f"<p>{b}</p>", created_at=now
        )
        for b in ("once", "twice", "clean")
    )
    assert clean
    CommentFlag.objects.create(comment=once, user=UserFactory(), reason="spam")
    for reason in ("abuse", "other"):
        CommentFlag.objects.create(comment=twice, user=UserFactory(), reason=reason, note="!")
    CommentFlag.objects.create(comment=once, user=UserFactory(), reason="spam", resolved_at=now)

    body = client_for(ModeratorFactory()).get("/api/moderation/queue/?page_size=1").json()

    assert body["papers"]["count"] == 2
    assert [p["title"] for p in body["papers"]["results"]] == ["Older"]
    assert body["papers"]["results"][0]["submitted_by"] == "sub"
    assert body["papers"]["results"][0]["id"] == older.pk
    assert body["comments"]["count"] == 2
    first = body["comments"]["results"][0]
    assert first["comment"]["body"] == "twice"
    assert first["open_flag_count"] == 2
    assert sorted(f["reason"] for f in first["flags"]) == ["abuse", "other"]
    assert first["paper_id"] == paper.pk


def make_events(moderators, n=9):
    start = timezone.now()
    events = []
    for i in range(n):
        event = ModerationEvent.objects.create(
            moderator=moderators[i % 2],
            action=["publish", "hide", "create"][i % 3],
            target_kind=["paper", "paper", "tag"][i % 3],
            target_id=i,
            target_label=f"Thing {i}",
            reason=f"Reason {i}",
        )
        events.append(event)
    # Ties in time on purpose: the id breaks them.
    ModerationEvent.objects.filter(pk__in=[e.pk for e in events[:5]]).update(created_at=start)
    return events


def walk(client, url):
    ids = []
    while url:
        body = client.get(url).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids


def test_the_log_is_public_newest_first_and_pages_with_a_cursor():
    ana, ben = ModeratorFactory(username="ana"), ModeratorFactory(username="ben")
    events = make_events([ana, ben])
    client = client_for()

    ids = walk(client, "/api/moderation/log/?page_size=2")

    expected = list(
        ModerationEvent.objects.order_by("-created_at", "-id").values_list("id", flat=True)
    )
    assert ids == expected
    assert sorted(ids) == sorted(e.pk for e in events)
    row = client.get("/api/moderation/log/").json()["results"][0]
    assert set(row) == {
        "id",
        "moderator",
        "action",
        "target_kind",
        "target_id",
        "target_label",
        "from_state",
        "to_state",
        "reason",
        "created_at",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("moderator=ana", lambda e: e.moderator.username == "ana"),
        ("action=hide", lambda e: e.action == "hide"),
        ("target_kind=tag", lambda e: e.target_kind == "tag"),
        (
            "moderator=ben&action=publish",
            lambda e: e.moderator.username == "ben" and e.action == "publish",
        ),
        ("moderator=nobody", lambda e: False),
    ],
)
def test_the_log_filters(query, expected):
    events = make_events([ModeratorFactory(username="ana"), ModeratorFactory(username="ben")])
    ids = walk(client_for(), f"/api/moderation/log/?{query}&page_size=2")
    assert sorted(ids) == sorted(e.pk for e in events if expected(e))


@pytest.mark.parametrize("query", ["action=explode", "target_kind=user", "page_size=500"])
def test_bad_log_filters_are_a_400(query):
    response = client_for().get(f"/api/moderation/log/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_digest_days_come_newest_first_with_their_counts():
    day = datetime.date(2024, 8, 22)
    days = [DigestFactory(date=day - datetime.timedelta(days=i)) for i in range(5)]
    DigestEntryFactory(digest=days[0], paper=PaperFactory())
    DigestEntryFactory(digest=days[0], paper=PaperFactory())
    DigestEntryFactory(digest=days[0], paper=PaperFactory(status=PaperStatus.HIDDEN))
    client = client_for()

    body = client.get("/api/digests/?page_size=2").json()

    assert [d["date"] for d in body["results"]] == [day.isoformat(), "2024-08-21"]
    assert body["results"][0]["paper_count"] == 2
    assert body["results"][0]["papers_url"] == "http://testserver/api/papers/?date=2024-08-22"
    dates = []
    url = "/api/digests/?page_size=2"
    while url:
        page = client.get(url).json()
        dates += [d["date"] for d in page["results"]]
        url = page["next"]
    assert dates == [d.date.isoformat() for d in days]
    as_moderator = client_for(ModeratorFactory()).get("/api/digests/").json()
    assert as_moderator["results"][0]["paper_count"] == 3


def test_the_log_names_a_paper_only_to_readers_who_may_open_it(client):
    """One rule with duplicate submissions: a hidden or rejected paper's title and id (and a
    comment's on it) are named to moderators only; the action and reason stay public."""
    from curation.services import comment_create, comment_hide, paper_hide, paper_publish

    moderator = ModeratorFactory()
    shown = PaperFactory(title="Open lattice paper")
    secret = PaperFactory(title="Secret crafted paper")
    comment = comment_create(user=UserFactory(), paper=secret, body="Spam")
    comment_hide(comment=comment, moderator=moderator, reason="spam")
    paper_hide(paper=secret, moderator=moderator, reason="crafted dump")
    pending = PaperFactory(title="Pending queued paper", status=PaperStatus.PENDING)
    paper_publish(paper=pending, moderator=moderator, reason="")
    paper_hide(paper=shown, moderator=moderator, reason="checking")
    paper_publish(paper=shown, moderator=moderator, reason="back")

    def rows(user):
        results = client_for(user).get("/api/moderation/log/").json()["results"]
        return {(r["action"], r["reason"], r["target_id"], r["target_label"]) for r in results}

    for reader in (None, UserFactory()):
        seen = rows(reader)
        assert ("hide", "crafted dump", None, "") in seen
        assert ("hide", "spam", None, "") in seen  # a comment on the hidden paper
        assert ("restore", "back", shown.pk, "Open lattice paper") in seen
        assert ("publish", "", pending.pk, "Pending queued paper") in seen
    assert ("hide", "crafted dump", secret.pk, "Secret crafted paper") in rows(moderator)

    page = client.get("/moderation/log/").content.decode()
    assert "Secret crafted paper" not in page and f"/papers/{secret.pk}/" not in page
    assert "crafted dump" in page and "Open lattice paper" in page
    client.force_login(moderator)
    assert "Secret crafted paper" in client.get("/moderation/log/").content.decode()
