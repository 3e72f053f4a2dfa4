"""The paper page through Django's test client: the moderators' workflow form, the comments'
flags and times."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from curation.services import allowed_targets, paper_transition
from frontend.templatetags.paperboard import time_ago
from papers.models import PaperStatus

pytestmark = pytest.mark.django_db


def _move_options(body: str) -> list[tuple[str, bool]]:
    """The (value, selected) of each option of the "Move to" list."""
    select = re.search(r'<select id="to-state"[^>]*>(.*?)</select>', body, re.S)
    assert select, "no Move to list"
    return [
        (value, bool(selected))
        for value, selected in re.findall(r'<option value="([^"]+)"( selected)?>', select.group(1))
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (PaperStatus.PENDING, [("published", True), ("rejected", False)]),
        (PaperStatus.PUBLISHED, [("hidden", True)]),
        (PaperStatus.HIDDEN, [("published", True)]),
        (PaperStatus.REJECTED, [("published", True)]),
    ],
)
def test_move_to_offers_only_the_moves_the_workflow_allows(client, world, people, state, expected):
    paper = world["pending"]
    paper.status = state
    paper.save(update_fields=["status"])
    client.force_login(people["moderator"])
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    options = _move_options(body)
    assert options == expected
    # The list is the workflow's own table, not a copy of it.
    assert [value for value, _ in options] == allowed_targets(state)


def test_the_default_move_is_one_the_workflow_accepts(client, world, people):
    client.force_login(people["moderator"])
    paper = world["good"]
    body = client.get(reverse("paper", args=[paper.pk])).content.decode()
    default = next(value for value, selected in _move_options(body) if selected)
    paper_transition(paper=paper, moderator=people["moderator"], to_state=default, reason="Dup")
    paper.refresh_from_db()
    assert paper.status == default


def test_readers_see_no_workflow_form(client, world, people):
    client.force_login(people["member"])
    body = client.get(reverse("paper", args=[world["good"].pk])).content.decode()
    assert 'id="to-state"' not in body


def _comment_block(body: str, comment_id: int) -> str:
    match = re.search(rf'<article class="comment[^"]*" id="c{comment_id}".*?</article>', body, re.S)
    assert match, f"no comment {comment_id}"
    return match.group(0)


def test_a_comment_the_reader_flagged_shows_as_flagged(client, world, people):
    from curation.services import comment_flag, comment_flags_dismiss

    comment, url = world["comment"], reverse("paper", args=[world["good"].pk])
    client.force_login(people["member"])
    block = _comment_block(client.get(url).content.decode(), comment.pk)
    assert 'data-action="flag"' in block
    assert '<span class="flagged" data-flagged hidden>' in block

    comment_flag(comment=comment, user=people["member"], reason="spam")
    block = _comment_block(client.get(url).content.decode(), comment.pk)
    assert 'data-action="flag"' not in block
    assert '<span class="flagged" data-flagged>Flagged by you</span>' in block
    # Once per comment, even after a moderator resolved the flag (comment_flag's rule).
    comment_flags_dismiss(comment=comment, moderator=people["moderator"])
    block = _comment_block(client.get(url).content.decode(), comment.pk)
    assert 'data-action="flag"' not in block

    # Another reader still may flag it.
    client.force_login(people["admin"])
    block = _comment_block(client.get(url).content.decode(), comment.pk)
    assert 'data-action="flag"' in block


def test_the_comment_count_is_marked_for_the_script(client, world):
    body = client.get(reverse("paper", args=[world["good"].pk])).content.decode()
    assert '<span class="count" data-comment-count>(' in body


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (datetime.timedelta(0), "just now"),
        (datetime.timedelta(seconds=59), "just now"),
        (datetime.timedelta(seconds=-5), "just now"),  # a clock a little ahead
        (datetime.timedelta(minutes=1), "1 minute ago"),
        (datetime.timedelta(hours=3, minutes=4), "3 hours, 4 minutes ago"),
    ],
)
def test_time_ago(age, expected):
    now = timezone.now()
    # timesince joins its numbers and units with no-break spaces.
    assert time_ago(now - age, now).replace("\xa0", " ") == expected


def test_a_new_comment_and_a_new_submission_were_made_just_now(client, world, people):
    from curation.services import comment_create, paper_submit

    comment = comment_create(user=people["member"], paper=world["good"], body="Fresh")
    body = client.get(reverse("paper", args=[world["good"].pk])).content.decode()
    assert "just now</time>" in _comment_block(body, comment.pk)
    assert "0 minutes" not in body

    paper_submit(user=people["member"], title="Brand New Submission")
    client.force_login(people["moderator"])
    body = client.get(reverse("moderation-queue")).content.decode()
    assert "Submitted by reader, just now" in body
    assert "0 minutes" not in body


@pytest.mark.django_db
def test_the_state_is_shown_to_no_anonymous_reader_of_an_ingested_paper(client):
    from tests.factories import PaperFactory

    paper = PaperFactory(submitted_by=None)
    body = client.get(f"/papers/{paper.pk}/").content.decode()
    assert "<dt>State</dt>" not in body
