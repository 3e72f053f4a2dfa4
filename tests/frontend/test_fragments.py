"""Shared fragments of the web pages (cards, tag chips, comments) and the anonymous pages'
cache: shared where readers see the same, never stale, exact for each reader's own state."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curation.models import MarkKind
from curation.services import (
    comment_create,
    comment_edit,
    member_settings_update,
    paper_hide,
    paper_mark_set,
    paper_publish,
    paper_tag_add,
    tag_create,
    tag_rename,
    vote_cast,
)
from frontend.page_cache import ANONYMOUS_PAGE_CACHE_SECONDS
from papers.models import PaperStatus
from tests.factories import ModeratorFactory, PaperFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def card_of(body: str, paper) -> str:
    start = body.index(f'data-paper-id="{paper.pk}"')
    return body[start : body.index("</article>", start)]


def test_a_member_sees_their_vote_at_once_and_others_see_the_new_count(client, world):
    paper = world["good"]
    voter, other = UserFactory(), UserFactory()
    client.force_login(other)
    assert 'aria-pressed="false"' in card_of(client.get("/").content.decode(), paper)

    vote_cast(user=voter, paper=paper)
    client.force_login(voter)
    mine = card_of(client.get("/").content.decode(), paper)
    assert 'aria-pressed="true"' in mine
    assert '<span class="vote-count">1</span>' in mine
    client.force_login(other)
    theirs = card_of(client.get("/").content.decode(), paper)
    assert 'aria-pressed="false"' in theirs
    assert '<span class="vote-count">1</span>' in theirs


def test_tag_chips_and_card_tags_follow_the_tags(client, world):
    member = UserFactory()
    tag = TagFactory(name="Speech", slug="speech")
    before = client.get("/?order=new").content.decode()
    assert 'Speech <span class="count">0</span>' in before
    paper_tag_add(paper=world["good"], tag=tag, user=member)
    client.force_login(member)  # not the anonymous page kept a few seconds
    after = client.get("/?order=new").content.decode()
    assert 'Speech <span class="count">1</span>' in after
    assert 'href="/tags/speech/">Speech</a>' in card_of(after, world["good"])


def test_an_edited_comment_shows_its_new_text(client, world):
    member = UserFactory()
    comment = comment_create(user=member, paper=world["good"], body="First *take*")
    client.force_login(member)
    url = reverse("paper", args=[world["good"].pk])
    assert "<em>take</em>" in client.get(url).content.decode()
    comment_edit(comment=comment, user=member, body="Second **take**")
    body = client.get(url).content.decode()
    assert "<strong>take</strong>" in body
    assert "(edited)</span>" in body
    # The author may edit and delete it; another member may flag it.
    assert 'data-action="edit"' in body
    client.force_login(UserFactory())
    other = client.get(url).content.decode()
    assert 'data-action="edit"' not in other
    assert 'data-action="flag"' in other


def test_anonymous_pages_are_kept_a_few_seconds_without_a_csrf_token(client, world):
    first = client.get("/")
    assert b'name="csrf-token"' not in first.content
    assert "csrftoken" not in first.cookies
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/")
    assert len(queries) == 0
    assert again.content == first.content
    assert ANONYMOUS_PAGE_CACHE_SECONDS <= 10
    # A signed-in reader is never served the shared copy and gets a token.
    client.force_login(UserFactory())
    mine = client.get("/")
    assert b'name="csrf-token"' in mine.content


def test_pages_that_post_keep_their_token_for_anonymous_readers(client):
    for name in ("login", "signup"):
        assert b"csrf" in client.get(reverse(name)).content


def test_a_paper_new_to_the_feed_shows_for_signed_in_readers_at_once(client, world):
    client.force_login(UserFactory())
    client.get("/?order=new")
    fresh = PaperFactory(title="Fresh Off The Press", status=PaperStatus.PENDING)
    paper_publish(paper=fresh, moderator=ModeratorFactory())
    assert "Fresh Off The Press" in client.get("/?order=new").content.decode()


def test_signed_in_readers_share_a_list_pages_rows_and_read_only_their_own_state(
    client, world, django_assert_num_queries
):
    """The rows of a list page are read once for every signed-in reader (and kept under the
    listing version, papers.listing_version); each reader's page then reads the reader (the
    session), their own vote and marks, and their unread count for the header: three
    queries."""
    paper = world["good"]
    voter, marker = UserFactory(), UserFactory()
    vote_cast(user=voter, paper=paper)
    paper_mark_set(user=marker, paper=paper, kind=MarkKind.READ)
    client.force_login(UserFactory())
    client.get("/?order=new")
    client.force_login(voter)
    with django_assert_num_queries(3):
        mine = card_of(client.get("/?order=new").content.decode(), paper)
    vote = f'data-vote="{paper.pk}" aria-pressed='
    read = f'data-mark="read" data-paper="{paper.pk}" aria-pressed='
    assert f'{vote}"true"' in mine and f'{read}"false"' in mine
    assert '<span class="vote-count">1</span>' in mine
    client.force_login(marker)
    with django_assert_num_queries(3):
        theirs = card_of(client.get("/?order=new").content.decode(), paper)
    assert f'{vote}"false"' in theirs and f'{read}"true"' in theirs


def test_a_member_who_hides_marked_papers_never_gets_them_from_the_shared_rows(client, world):
    paper = world["good"]
    marker = UserFactory()
    client.force_login(UserFactory())
    assert f'data-paper-id="{paper.pk}"' in client.get("/?order=new").content.decode()
    paper_mark_set(user=marker, paper=paper, kind=MarkKind.NOT_INTERESTED)
    member_settings_update(user=marker, hide_marked=True)
    client.force_login(marker)
    assert f'data-paper-id="{paper.pk}"' not in client.get("/?order=new").content.decode()


def test_the_shared_rows_follow_every_write_that_changes_a_list(client, world):
    """Each kind of write moves the listing version on: the next signed-in page shows it."""
    paper, moderator, member = world["good"], ModeratorFactory(), UserFactory()
    client.force_login(member)

    def card() -> str:
        body = client.get("/?order=new").content.decode()
        return card_of(body, paper) if f'data-paper-id="{paper.pk}"' in body else ""

    assert card()
    comment_create(user=member, paper=paper, body="A first look")
    assert "1 comment" in card()
    tag = tag_create(moderator=moderator, name="Robotics")
    paper_tag_add(paper=paper, tag=tag, user=member)
    assert 'href="/tags/robotics/">Robotics</a>' in card()
    tag_rename(tag=tag, moderator=moderator, name="Robots")
    assert ">Robots</a>" in card()
    paper_hide(paper=paper, moderator=moderator, reason="Off topic")
    assert card() == ""
