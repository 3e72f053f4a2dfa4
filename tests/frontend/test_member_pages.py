"""The list pages rendered once for every member, with holes for each member's own values
(frontend.member_pages): each member still reads their name, their CSRF token, their inbox
count, their follow and their vote and marks on each card, and a write is seen at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from curation.models import MarkKind
from curation.services import member_settings_update, paper_mark_set, vote_cast
from frontend.form_pages import MSG_SETTINGS_SHOWING
from notifications.models import Notification
from notifications.services.follows import follow_create
from papers.services.search_index import search_index_refresh
from tests.factories import ModeratorFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGES = ["/?order=new", "/?date=2024-08-22", "/tags/vision/", "/search/?q=attention"]


@pytest.fixture(autouse=True)
def _searchable(world):
    search_index_refresh()  # PostgreSQL: what a worker does once the papers are committed


def _page(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    answer = client.get(url)
    assert answer.status_code == 200
    return answer.content.decode()


def _card(body: str, paper) -> str:
    found = re.search(
        rf'<article class="paper" data-paper-id="{paper.pk}">.*?</article>', body, re.S
    )
    assert found, f"no card of paper {paper.pk}"
    return found.group(0)


def _pressed(card: str, what: str) -> str:
    attribute = 'data-vote="' if what == "vote" else f'data-mark="{what}"'
    found = re.search(rf'{attribute}[^>]*aria-pressed="(\w+)"', card)
    assert found, what
    return found.group(1)


@pytest.mark.parametrize("url", PAGES)
def test_each_member_reads_their_own_name_vote_marks_and_inbox_on_the_shared_page(world, url):
    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    paper = world["good"]
    first = _page(bob, url)  # rendered for every member now, by bob's request
    vote_cast(user=ada, paper=paper)
    paper_mark_set(user=ada, paper=paper, kind=MarkKind.READ)
    Notification.objects.create(recipient=ada, kind="paper_published", event_key="e:1")

    mine = _page(ada, url)
    assert ">ada</a>" in mine and ">bob</a>" not in mine
    assert "data-unread-count>1</span>" in mine
    card = _card(mine, paper)
    assert (_pressed(card, "vote"), _pressed(card, "read")) == ("true", "true")
    assert _pressed(card, "not_interested") == "false"
    assert '<span class="vote-count">1</span>' in card

    theirs = _page(bob, url)
    assert ">bob</a>" in theirs and ">ada</a>" not in theirs
    assert "data-unread-count" not in theirs and "data-unread-count" not in first
    card = _card(theirs, paper)
    assert (_pressed(card, "vote"), _pressed(card, "read")) == ("false", "false")
    assert '<span class="vote-count">1</span>' in card  # the vote moved the page on
    assert "hole:" not in mine + theirs


def test_the_shared_page_s_csrf_token_is_the_reader_s_own_and_works(world):
    ada = UserFactory(username="ada")
    _page(UserFactory(), "/?order=new")  # kept
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    body = client.get("/?order=new").content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', body).group(1)
    form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert token == form_token and not token.startswith("hole")
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("url", "kind", "target"), [
    ("/tags/vision/", "tag", {"tag": "vision"}),
    ("/search/?q=attention", "search", {"query": "attention"}),
])  # fmt: skip
def test_a_follow_button_says_whether_its_reader_follows(world, url, kind, target):
    ada, bob = UserFactory(), UserFactory()
    _page(bob, url)
    follow, _ = follow_create(user=ada, kind=kind, **target)
    mine, theirs = _page(ada, url), _page(bob, url)
    assert f'data-follow-id="{follow.pk}" aria-pressed="true"' in mine
    assert "You follow it" in mine
    assert 'data-follow-id="" aria-pressed="false"' in theirs
    assert "You follow it" not in theirs


def test_moderators_and_members_with_messages_get_pages_of_their_own(world, client):
    member, moderator = UserFactory(), ModeratorFactory()
    _page(member, "/?order=new")
    body = _page(moderator, "/?order=new")
    assert '<label for="status">State (moderators)</label>' in body
    assert ">Queue</a>" in body

    client.force_login(member)
    # A form that answers with a message for the next page.
    assert client.post(reverse("me-settings"), {"hide_marked": "no"}).status_code == 302
    assert MSG_SETTINGS_SHOWING in client.get("/?order=new").content.decode()
    assert MSG_SETTINGS_SHOWING not in client.get("/?order=new").content.decode()  # once


def test_a_member_who_hides_marked_papers_never_gets_them_from_the_shared_page(world):
    hider, other = UserFactory(), UserFactory()
    paper = world["hostile"]
    assert f'data-paper-id="{paper.pk}"' in _page(other, "/?order=new")
    paper_mark_set(user=hider, paper=paper, kind=MarkKind.NOT_INTERESTED)
    member_settings_update(user=hider, hide_marked=True)
    assert f'data-paper-id="{paper.pk}"' not in _page(hider, "/?order=new")
    assert f'data-paper-id="{paper.pk}"' in _page(other, "/?order=new")


def test_the_items_of_load_more_are_shared_the_same_way(world):
    ada, bob = UserFactory(), UserFactory()
    url = "/?order=new&partial=items"
    _page(bob, url)
    vote_cast(user=ada, paper=world["good"])
    assert _pressed(_card(_page(ada, url), world["good"]), "vote") == "true"
    assert _pressed(_card(_page(bob, url), world["good"]), "vote") == "false"


def test_a_paper_s_page_shared_by_members_shows_each_their_vote_marks_tags_and_follow(world):
    from curation.services import paper_tag_add
    from tests.factories import TagFactory

    ada, bob = UserFactory(username="ada"), UserFactory(username="bob")
    paper = world["good"]
    url = f"/papers/{paper.pk}/"
    _page(bob, url)  # rendered for every member now, by bob's request
    vote_cast(user=ada, paper=paper)
    paper_mark_set(user=ada, paper=paper, kind=MarkKind.NOT_INTERESTED)
    paper_tag_add(paper=paper, tag=TagFactory(name="Optics", slug="optics"), user=ada)
    follow_create(user=ada, kind="paper", paper=paper.pk)

    mine, theirs = _page(ada, url), _page(bob, url)
    for body, name, pressed in ((mine, "ada", "true"), (theirs, "bob", "false")):
        assert f">{name}</a>" in body
        assert re.search(rf'data-vote="{paper.pk}" aria-pressed="{pressed}"', body)
        assert re.search(rf'data-mark="not_interested" [^>]*aria-pressed="{pressed}"', body)
        assert re.search(r'data-mark="read" [^>]*aria-pressed="false"', body)
        assert ('aria-pressed="true">Follow this paper' in body) == (pressed == "true")
        assert "hole:" not in body
    assert 'data-remove-tag="optics"' in mine and 'data-remove-tag="optics"' not in theirs
    assert 'data-remove-tag="vision"' not in mine  # added by someone else


def test_the_submitter_of_a_paper_sees_its_state_and_others_do_not(world):
    from papers.models import Paper

    submitter, other = UserFactory(), UserFactory()
    paper = world["good"]
    Paper.objects.filter(pk=paper.pk).update(submitted_by=submitter)
    url = f"/papers/{paper.pk}/"
    assert "<dt>State</dt>" not in _page(other, url)
    assert "<dt>State</dt>" in _page(submitter, url)
    assert "<dt>State</dt>" not in _page(other, url)
