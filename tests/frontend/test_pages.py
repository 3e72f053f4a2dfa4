"""The web pages through Django's test client: each page for each role, escaping of dumped
text, and the Content-Security-Policy."""

import pytest
from django.urls import reverse

from papers.services.search_index import search_index_refresh
from tests.factories import DumpFactory, PaperTagFactory, TagFactory
from tests.frontend.conftest import HOSTILE

pytestmark = pytest.mark.django_db

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


PAGES = [
    # (name, kwargs factory, {role: status})
    ("home", {}, {None: 200, "member": 200, "moderator": 200, "admin": 200}),
    ("search", {}, {None: 200, "member": 200, "moderator": 200, "admin": 200}),
    ("moderation-log", {}, {None: 200, "member": 200, "moderator": 200, "admin": 200}),
    ("signup", {}, {None: 200, "member": 302, "moderator": 302, "admin": 302}),
    ("login", {}, {None: 200, "member": 200, "moderator": 200, "admin": 200}),
    ("password_change", {}, {None: 302, "member": 200, "moderator": 200, "admin": 200}),
    ("me", {}, {None: 302, "member": 200, "moderator": 200, "admin": 200}),
    ("moderation-queue", {}, {None: 302, "member": 403, "moderator": 200, "admin": 200}),
    ("uploads", {}, {None: 302, "member": 403, "moderator": 403, "admin": 200}),
    ("submit", {}, {None: 302, "member": 200, "moderator": 200, "admin": 200}),
    ("moderation-tags", {}, {None: 302, "member": 403, "moderator": 200, "admin": 200}),
]


@pytest.mark.parametrize("role", [None, "member", "moderator", "admin"])
@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_status_per_role(client, world, people, role, name, kwargs, expected):
    DumpFactory(uploaded_by=people["admin"])
    response = _client(client, people.get(role)).get(reverse(name, kwargs=kwargs))
    assert response.status_code == expected[role]
    if response.status_code == 302:
        assert response["Location"].startswith(("/accounts/login/", "/"))


@pytest.mark.parametrize("role", [None, "member", "moderator", "admin"])
def test_paper_and_tag_pages_render_for_everyone(client, world, people, role):
    c = _client(client, people.get(role))
    assert c.get(reverse("paper", args=[world["good"].pk])).status_code == 200
    assert c.get(reverse("tag", args=["vision"])).status_code == 200
    assert c.get(reverse("home") + "?view=day").status_code == 200
    assert c.get(reverse("home") + "?order=top&period=week").status_code == 200
    assert c.get(reverse("search") + "?q=attention").status_code == 200


def test_pending_paper_is_a_404_for_readers_and_shown_to_moderators(client, world, people):
    url = reverse("paper", args=[world["pending"].pk])
    assert client.get(url).status_code == 404
    client.force_login(people["moderator"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"Pending" in response.content


@pytest.mark.parametrize(
    ("role", "removable"),
    [(None, set()), ("member", {"mine"}), ("moderator", {"vision", "mine"})],
)
def test_paper_page_offers_to_remove_the_tags_the_reader_may_remove(
    client, world, people, role, removable
):
    PaperTagFactory(paper=world["good"], tag=TagFactory(name="Mine"), added_by=people["member"])
    page = _client(client, people.get(role)).get(reverse("paper", args=[world["good"].pk]))
    body = page.content.decode()
    offered = {slug for slug in ("vision", "mine") if f'data-remove-tag="{slug}"' in body}
    assert offered == removable


def test_unknown_tag_is_a_404(client, world):
    assert client.get(reverse("tag", args=["nope"])).status_code == 404


def test_feed_lists_published_papers_only(client, world):
    body = client.get(reverse("home")).content.decode()
    assert "Attention Is Enough" in body
    assert "Waiting Paper" not in body


def test_moderators_see_the_publishing_state_and_can_list_pending(client, world, people):
    client.force_login(people["moderator"])
    body = client.get(reverse("home") + "?status=pending").content.decode()
    assert "Waiting Paper" in body
    assert "state-pending" in body


def test_a_members_status_filter_is_ignored(client, world, people):
    client.force_login(people["member"])
    body = client.get(reverse("home") + "?status=pending").content.decode()
    assert "Waiting Paper" not in body


@pytest.mark.parametrize(
    "path",
    ["/", "/?view=day", "/?order=new", "/search/?q=Hostile", "/tags/vision/", "PAPER"],
)
def test_hostile_dumped_title_is_escaped(client, world, path):
    if path == "PAPER":
        path = reverse("paper", args=[world["hostile"].pk])
    if path == "/tags/vision/":
        from tests.factories import PaperTagFactory

        PaperTagFactory(paper=world["hostile"], tag=world["tag"])
    search_index_refresh()  # PostgreSQL: what a worker does once the papers are committed
    body = client.get(path).content.decode()
    assert ESCAPED in body
    assert HOSTILE not in body


def test_hostile_comment_and_dump_names_are_escaped(client, world, people):
    from curation.services import comment_create

    comment_create(user=people["member"], paper=world["good"], body=f"Look {HOSTILE}")
    body = client.get(reverse("paper", args=[world["good"].pk])).content.decode()
    assert HOSTILE not in body
    DumpFactory(original_name=f"{HOSTILE}.txt", uploaded_by=people["admin"])
    client.force_login(people["admin"])
    body = client.get(reverse("uploads")).content.decode()
    assert HOSTILE not in body
    assert ESCAPED in body


def test_moderation_log_shows_events_and_filters(client, world, people):
    from curation.services import paper_transition

    paper_transition(paper=world["pending"], moderator=people["moderator"], to_state="published")
    body = client.get(reverse("moderation-log")).content.decode()
    assert "Waiting Paper" in body
    body = client.get(reverse("moderation-log") + "?action=hide").content.decode()
    assert "Waiting Paper" not in body


def test_queue_lists_pending_papers_and_flagged_comments(client, world, people):
    from curation.services import comment_flag

    comment_flag(comment=world["comment"], user=people["member"], reason="spam")
    client.force_login(people["moderator"])
    body = client.get(reverse("moderation-queue")).content.decode()
    assert "Waiting Paper" in body
    assert "Nice" in body
    assert "Spam" in body


@pytest.mark.parametrize("path", ["/?order=new", "/?order=hot", "/tags/vision/", "/?view=day"])
def test_load_more_links_to_the_next_page_and_its_items(client, world, path):
    from tests.factories import DigestEntryFactory, PaperFactory, PaperTagFactory

    for i in range(25):
        paper = PaperFactory(title=f"Paper {i:02d}", first_digest_on=world["digest"].date)
        DigestEntryFactory(digest=world["digest"], paper=paper, position=10 + i)
        PaperTagFactory(paper=paper, tag=world["tag"])
    response = client.get(path)
    next_url = response.context["next_url"]
    assert next_url.startswith(path.split("?")[0] + "?") and "cursor=" in next_url
    assert f'href="{next_url.replace("&", "&amp;")}" data-load-more' in response.content.decode()
    first = [p.pk for p in response.context["papers"]]

    # The whole next page, as a link without the script gives it, and its items alone.
    whole = client.get(next_url)
    items = client.get(next_url + "&partial=items")
    rest = [p.pk for p in whole.context["papers"]]
    assert rest == [p.pk for p in items.context["papers"]]
    assert len(first) == 20 and rest and not set(first) & set(rest)
    body = items.content.decode()
    assert "<html" not in body and body.count('class="paper"') == len(rest)
    assert whole.context["next_url"] is None
    assert 'class="end"' in body


def test_a_cursor_the_site_did_not_make_is_a_400_page(client, world):
    response = client.get("/?order=new&cursor=bm9wZQ")
    assert response.status_code == 400
    assert "start again from the first page" in response.content.decode()


def test_digest_day_view_has_previous_and_next_days(client, world):
    import datetime

    from tests.factories import DigestFactory

    DigestFactory(date=datetime.date(2024, 8, 21))
    body = client.get("/?date=2024-08-22").content.decode()
    assert "2024-08-21" in body
    assert "Attention Is Enough" in body


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/moderation/log/", "/signup/"])
def test_csp_forbids_inline_scripts(client, world, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts(client, world, people):
    import re

    client.force_login(people["admin"])
    paper = reverse("paper", args=[world["good"].pk])
    for path in ["/", paper, "/moderation/", "/uploads/", "/submit/", "/moderation/tags/", "/me/"]:
        body = client.get(path).content.decode()
        for tag in re.findall(r"<script[^>]*>", body):
            assert "src=" in tag, (path, tag)
        assert " onclick=" not in body and " onload=" not in body


def test_feeds_are_linked(client, world):
    body = client.get("/").content.decode()
    assert 'rel="alternate" type="application/rss+xml"' in body
    assert 'href="/feeds/atom/"' in body
    body = client.get("/tags/vision/").content.decode()
    assert 'href="/feeds/tags/vision/rss/"' in body


def test_login_page_logs_in(client, people):
    from tests.factories import DEFAULT_PASSWORD

    response = client.post(
        reverse("login"), {"username": "reader", "password": DEFAULT_PASSWORD, "next": "/me/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    response = client.post(reverse("login"), {"username": "reader", "password": "wrong"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content
