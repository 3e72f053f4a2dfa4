"""A paper page's thread is rendered once for every reader of a kind who wrote and flagged
none of it (frontend.comments.thread_html): each reader still sees what is theirs, and every
write to the thread is seen at once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from curation.models import FlagReason
from curation.services import comment_create, comment_edit, comment_flag, comment_hide
from tests.factories import ModeratorFactory, PaperFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(client, user, paper) -> str:
    client.force_login(user)
    answer = client.get(reverse("paper", args=[paper.pk]))
    assert answer.status_code == 200
    return answer.content.decode()


def _comment(body: str, pk: int) -> str:
    found = re.search(rf'<article class="comment[^"]*" id="c{pk}".*?</article>', body, re.S)
    assert found, f"no comment {pk}"
    return found.group(0)


def test_each_reader_of_a_shared_thread_sees_what_is_theirs(client):
    paper = PaperFactory()
    author, flagger, reader, moderator = (
        UserFactory(),
        UserFactory(),
        UserFactory(),
        ModeratorFactory(),
    )
    first = comment_create(user=author, paper=paper, body="A *first* look")
    reply = comment_create(user=reader, paper=paper, body="A reply", parent=first)
    other = UserFactory()
    plain = _comment(_page(client, other, paper), first.pk)  # kept for plain members now
    assert 'data-action="flag"' in plain and 'data-action="edit"' not in plain
    assert re.search(
        rf'<ol class="thread replies"><li>.*?id="c{reply.pk}"', _page(client, other, paper), re.S
    )

    mine = _comment(_page(client, author, paper), first.pk)
    assert 'data-action="edit"' in mine and 'data-action="flag"' not in mine
    comment_flag(comment=first, user=flagger, reason=FlagReason.SPAM)
    flagged = _comment(_page(client, flagger, paper), first.pk)
    assert 'data-action="flag"' not in flagged and "Flagged by you" in flagged
    again = _comment(_page(client, other, paper), first.pk)
    assert 'data-action="flag"' in again
    hide = _comment(_page(client, moderator, paper), first.pk)
    assert 'data-action="hide"' in hide

    # Anonymous readers get no member's actions.
    client.logout()
    anonymous = client.get(reverse("paper", args=[paper.pk])).content.decode()
    assert "comment-actions" not in _comment(anonymous, first.pk)


def test_every_write_to_a_shared_thread_is_seen_at_once(client):
    paper = PaperFactory()
    author, reader, moderator = UserFactory(), UserFactory(), ModeratorFactory()
    first = comment_create(user=author, paper=paper, body="Original words")
    assert "Original words" in _page(client, reader, paper)  # kept now
    comment_edit(comment=first, user=author, body="Better words")
    body = _page(client, reader, paper)
    assert "Better words" in body and "Original words" not in body
    second = comment_create(user=author, paper=paper, body="Second thoughts")
    assert f'id="c{second.pk}"' in _page(client, reader, paper)
    comment_hide(comment=second, moderator=moderator, reason="Spam")
    assert "Second thoughts" not in _page(client, reader, paper)
    assert "Second thoughts" in _page(client, moderator, paper)
