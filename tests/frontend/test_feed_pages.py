"""The feed pages through Django's test client: the empty top feed, the digest-day view; and
the site's icon, linked from every page."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import DigestEntryFactory, DigestFactory, PaperFactory

pytestmark = pytest.mark.django_db


def test_an_empty_top_feed_links_to_the_shortest_period_with_papers(client, world):
    # The world's papers are from a digest of 2024: nothing in the last 7 days.
    response = client.get("/?order=top")
    body = response.content.decode()
    assert response.context["papers"] == []
    assert "No paper here from the last 7 days." in body
    assert '<a href="/?order=top&amp;period=all">See the top of all time</a>' in body

    recent = timezone.localdate() - datetime.timedelta(days=20)
    PaperFactory(title="Three Weeks Old", first_digest_on=recent)
    body = client.get("/?order=top&period=week").content.decode()
    assert "See the top of the last 30 days" in body
    link = client.get("/?order=top&period=month")
    assert [p.title for p in link.context["papers"]] == ["Three Weeks Old"]


def test_the_top_hint_keeps_the_tag_filter(client, world):
    body = client.get("/?order=top&tag=vision").content.decode()
    assert 'href="/?order=top&amp;tag=vision&amp;period=all"' in body
    body = client.get("/tags/vision/?order=top").content.decode()
    assert 'href="/tags/vision/?order=top&amp;period=all"' in body
    following = client.get("/tags/vision/?order=top&period=all")
    assert [p.title for p in following.context["papers"]] == ["Attention Is Enough"]


def test_the_top_hint_costs_what_the_papers_tags_would(client, world, django_assert_num_queries):
    # A page with papers: the page, its tags, the tag chips (read once, then shared by every
    # page until a write: page_cache.shared_value). An empty one: the page, the latest digest
    # day of the same filters (one row of the "new" feed); with tags, those tags too (looked
    # up by id).
    with django_assert_num_queries(3):
        assert client.get("/?order=top&period=all").context["papers"]
    with django_assert_num_queries(2):
        assert client.get("/?order=top&period=week").context["top_hint"]
    with django_assert_num_queries(3):
        assert client.get("/?order=top&period=week&tag=vision").context["top_hint"]
    with django_assert_num_queries(2):
        assert client.get("/?order=top&period=week&tag=nope").context["top_hint"] is None


def test_no_hint_when_no_period_has_papers(client, db):
    body = client.get("/?order=top").content.decode()
    assert "No papers here yet." in body
    assert "See the top" not in body
    # Nor on other feeds, nor beyond the first page.
    PaperFactory(first_digest_on=datetime.date(2020, 1, 1))
    assert "top_hint" not in client.get("/?order=new").context


def test_a_top_feed_with_papers_has_no_hint(client, world):
    today = timezone.localdate()
    day = DigestFactory(date=today)
    DigestEntryFactory(digest=day, paper=PaperFactory(first_digest_on=today), position=1)
    response = client.get("/?order=top")
    assert len(response.context["papers"]) == 1
    assert "top_hint" not in response.context


def test_the_day_view_keeps_the_tag_filter_on_previous_and_next(client, world):
    from tests.factories import PaperTagFactory, TagFactory

    DigestFactory(date=datetime.date(2024, 8, 21))
    DigestFactory(date=datetime.date(2024, 8, 23))
    TagFactory(name="Speech", slug="speech")
    body = client.get("/?date=2024-08-22&tag=vision&tag=speech").content.decode()
    assert 'href="/?date=2024-08-21&amp;tag=vision&amp;tag=speech"' in body
    assert 'href="/?date=2024-08-23&amp;tag=vision&amp;tag=speech"' in body
    # On a tag's page the tag is in the path.
    PaperTagFactory(paper=world["hostile"], tag=world["tag"])
    body = client.get("/tags/vision/?date=2024-08-22").content.decode()
    assert 'href="/tags/vision/?date=2024-08-21"' in body


def test_a_day_without_a_digest_says_so(client, world):
    DigestFactory(date=datetime.date(2024, 8, 25))
    response = client.get("/?date=2024-08-24")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>No digest on 2024-08-24 · Paperboard</title>" in body
    assert "No digest on Saturday, 24 August 2024" in body
    assert "Digest of" not in body
    assert "There was no digest on that day." in body
    # The digest days around it are still a click away.
    assert 'href="/?date=2024-08-22"' in body and 'href="/?date=2024-08-25"' in body

    body = client.get("/?date=2024-08-22").content.decode()
    assert "<title>Digest 2024-08-22 · Paperboard</title>" in body
    assert "Digest of Thursday, 22 August 2024" in body


def test_the_day_view_before_any_digest(client, db):
    body = client.get("/?view=day").content.decode()
    assert "No digest yet" in body


@pytest.mark.parametrize("path", ["/", "/moderation/log/", "/accounts/login/", "/nowhere/"])
def test_every_page_links_the_sites_icon(client, db, path):
    from django.contrib.staticfiles import finders

    body = client.get(path).content.decode()
    assert '<link rel="icon" href="/static/frontend/img/favicon.svg" type="image/svg+xml">' in body
    assert finders.find("frontend/img/favicon.svg")


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/frontend/img/favicon.svg"
